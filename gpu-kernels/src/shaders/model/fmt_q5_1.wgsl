// Q5_1: d, m (f16), qh, qs[16]; value = d * q + m.
const BLOCK_ELEMS: u32 = 32u;
const BLOCK_BYTES: u32 = 24u;

fn block_value(b: u32, e: u32) -> f32 {
    let qh = u32_at(b + 4u);
    let byte = byte_at(b + 8u + (e & 15u));
    let nib = select(byte & 0xFu, byte >> 4u, e >= 16u);
    let high = ((qh >> e) & 1u) << 4u;
    return f16_at(b) * f32(nib | high) + f16_at(b + 2u);
}
