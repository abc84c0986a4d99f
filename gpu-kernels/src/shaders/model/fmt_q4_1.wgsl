// Q4_1: d, m (f16), qs[16]; value = d * q + m.
const BLOCK_ELEMS: u32 = 32u;
const BLOCK_BYTES: u32 = 20u;

fn block_value(b: u32, e: u32) -> f32 {
    let byte = byte_at(b + 4u + (e & 15u));
    let nib = select(byte & 0xFu, byte >> 4u, e >= 16u);
    return f16_at(b) * f32(nib) + f16_at(b + 2u);
}
