// Q4_K: d, dmin (f16), scales[12] (6-bit scale and min per 32), qs[128]. Element e of the
// 256: chunk c = e / 64 uses bytes qs[32c ..], low nibbles for its first 32 values, high
// for the next; value = (d * sc) * q - dmin * m, as ggml's dequantize_row_q4_K.
const BLOCK_ELEMS: u32 = 256u;
const BLOCK_BYTES: u32 = 144u;

fn block_value(b: u32, e: u32) -> f32 {
    let c = e / 64u;
    let high = (e / 32u) & 1u;
    let l = e & 31u;
    let sm = scale_min_k4(b + 4u, 2u * c + high);
    let byte = byte_at(b + 16u + 32u * c + l);
    let nib = select(byte & 0xFu, byte >> 4u, high == 1u);
    return (f16_at(b) * sm.x) * f32(nib) - f16_at(b + 2u) * sm.y;
}
