// Q5_K: d, dmin (f16), scales[12], qh[32], qs[128]; as Q4_K with a fifth bit from
// qh[l] bit (2c + high); value = (d * sc) * q - dmin * m.
const BLOCK_ELEMS: u32 = 256u;
const BLOCK_BYTES: u32 = 176u;

fn block_value(b: u32, e: u32) -> f32 {
    let c = e / 64u;
    let high = (e / 32u) & 1u;
    let l = e & 31u;
    let sm = scale_min_k4(b + 4u, 2u * c + high);
    let byte = byte_at(b + 48u + 32u * c + l);
    let nib = select(byte & 0xFu, byte >> 4u, high == 1u);
    let fifth = ((byte_at(b + 16u + l) >> (2u * c + high)) & 1u) << 4u;
    return (f16_at(b) * sm.x) * f32(nib | fifth) - f16_at(b + 2u) * sm.y;
}
