// `sub_dot` for Q4_K: composed after fmt_q4_k.wgsl into kernels that read `x`.

// Dot product of 32-element sub-block `s` of the row at byte `row` with x[xo ..]:
// (d × sc) × Σ q·x − (dmin × m) × Σ x, scale and min decoded once.
fn sub_dot(row: u32, s: u32, xo: u32) -> f32 {
    let b = row + (s / 8u) * BLOCK_BYTES;
    let k = s % 8u;
    let sm = scale_min_k4(b + 4u, k);
    let qs = b + 16u + 32u * (k / 2u);
    let shift = 4u * (k & 1u);
    var qx = 0.0;
    var sx = 0.0;
    for (var l = 0u; l < 32u; l++) {
        let v = x[xo + l];
        qx += f32((byte_at(qs + l) >> shift) & 0xFu) * v;
        sx += v;
    }
    return (f16_at(b) * sm.x) * qx - (f16_at(b + 2u) * sm.y) * sx;
}
