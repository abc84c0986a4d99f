// Q6_K: ql[128], qh[64], scales[16] (i8), d (f16 at byte 208). Element e of the 256:
// half n = e / 128, quarter k = (e % 128) / 32, l = e % 32; low 4 bits from ql[64n + l]
// (k = 0, 2) or ql[64n + 32 + l] (k = 1, 3), low or high nibble for k < 2 or k >= 2; two
// high bits from qh[32n + l] >> 2k; scale scales[8n + l / 16 + 2k]; value = (d * sc) * (q - 32).
const BLOCK_ELEMS: u32 = 256u;
const BLOCK_BYTES: u32 = 210u;

fn block_value(b: u32, e: u32) -> f32 {
    let n = e / 128u;
    let k = (e % 128u) / 32u;
    let l = e & 31u;
    let lo_byte = byte_at(b + 64u * n + 32u * (k & 1u) + l);
    let lo = select(lo_byte & 0xFu, lo_byte >> 4u, k >= 2u);
    let hi = (byte_at(b + 128u + 32u * n + l) >> (2u * k)) & 3u;
    let sc = f32(i8_at(b + 192u + 8u * n + l / 16u + 2u * k));
    return (f16_at(b + 208u) * sc) * f32(i32(lo | (hi << 4u)) - 32);
}
