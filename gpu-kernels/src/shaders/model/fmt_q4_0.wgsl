// Q4_0: d (f16), qs[16]; element j < 16 is the low nibble of qs[j], j >= 16 the high
// nibble of qs[j - 16]; value = d * (q - 8).
const BLOCK_ELEMS: u32 = 32u;
const BLOCK_BYTES: u32 = 18u;

fn block_value(b: u32, e: u32) -> f32 {
    let byte = byte_at(b + 2u + (e & 15u));
    let nib = select(byte & 0xFu, byte >> 4u, e >= 16u);
    return f16_at(b) * f32(i32(nib) - 8);
}
