// `sub_dot` for Q8_0: composed after fmt_q8_0.wgsl into kernels that read `x`.

// Dot product of block `s` of the row at byte `row` with x[xo ..]: d × Σ q·x.
fn sub_dot(row: u32, s: u32, xo: u32) -> f32 {
    let b = row + s * BLOCK_BYTES;
    var acc = 0.0;
    for (var j = 0u; j < 32u; j++) {
        acc += f32(i8_at(b + 2u + j)) * x[xo + j];
    }
    return f16_at(b) * acc;
}
