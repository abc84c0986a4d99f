// Q5_0: d (f16), qh (32 high bits), qs[16]; value = d * (q - 16).
const BLOCK_ELEMS: u32 = 32u;
const BLOCK_BYTES: u32 = 22u;

fn block_value(b: u32, e: u32) -> f32 {
    let qh = u32_at(b + 2u);
    let byte = byte_at(b + 6u + (e & 15u));
    let nib = select(byte & 0xFu, byte >> 4u, e >= 16u);
    let high = ((qh >> e) & 1u) << 4u;
    return f16_at(b) * f32(i32(nib | high) - 16);
}
