// `sub_dot` for BF16: composed after fmt_bf16.wgsl into kernels that read `x`.

// Dot product of sub-block `s` (32 elements) of the row at byte `row` with x[xo ..].
fn sub_dot(row: u32, s: u32, xo: u32) -> f32 {
    let w = (row >> 2u) + s * 16u;
    var acc = 0.0;
    for (var j = 0u; j < 16u; j++) {
        let pair = q[w + j];
        acc += bitcast<f32>(pair << 16u) * x[xo + 2u * j] + bitcast<f32>(pair & 0xffff0000u) * x[xo + 2u * j + 1u];
    }
    return acc;
}
