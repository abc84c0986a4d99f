// `sub_dot` for F32: composed after fmt_f32.wgsl into kernels that read `x`.

// Dot product of sub-block `s` (32 elements) of the row at byte `row` with x[xo ..].
fn sub_dot(row: u32, s: u32, xo: u32) -> f32 {
    let w = (row >> 2u) + s * 32u;
    var acc = 0.0;
    for (var j = 0u; j < 32u; j++) {
        acc += bitcast<f32>(q[w + j]) * x[xo + j];
    }
    return acc;
}
