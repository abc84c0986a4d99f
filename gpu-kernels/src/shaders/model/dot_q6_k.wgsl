// `sub_dot` for Q6_K: composed after fmt_q6_k.wgsl into kernels that read `x`.

// Dot product of 32-element sub-block `s` of the row at byte `row` with x[xo ..]; its two
// halves of 16 have their own scales.
fn sub_dot(row: u32, s: u32, xo: u32) -> f32 {
    let b = row + (s / 8u) * BLOCK_BYTES;
    let k = s % 8u;
    let n = k / 4u;
    let quarter = k % 4u;
    let lo_base = b + 64u * n + 32u * (quarter & 1u);
    let hi_base = b + 128u + 32u * n;
    let lo_shift = 4u * (quarter / 2u);
    var half = vec2<f32>(0.0);
    for (var l = 0u; l < 32u; l++) {
        let lo = (byte_at(lo_base + l) >> lo_shift) & 0xFu;
        let hi = (byte_at(hi_base + l) >> (2u * quarter)) & 3u;
        let v = f32(i32(lo | (hi << 4u)) - 32) * x[xo + l];
        if l < 16u {
            half.x += v;
        } else {
            half.y += v;
        }
    }
    let sc = b + 192u + 8u * n + 2u * quarter;
    let d = f16_at(b + 208u);
    return (d * f32(i8_at(sc))) * half.x + (d * f32(i8_at(sc + 1u))) * half.y;
}
