// `sub_dot` for Q5_0: composed after fmt_q5_0.wgsl into kernels that read `x`.

// Dot product of block `s` of the row at byte `row` with x[xo ..]: d × Σ (q − 16)·x.
fn sub_dot(row: u32, s: u32, xo: u32) -> f32 {
    let b = row + s * BLOCK_BYTES;
    let qh = u32_at(b + 2u);
    var acc = 0.0;
    for (var j = 0u; j < 16u; j++) {
        let byte = byte_at(b + 6u + j);
        let lo = (byte & 0xFu) | (((qh >> j) & 1u) << 4u);
        let hi = (byte >> 4u) | (((qh >> (j + 16u)) & 1u) << 4u);
        acc += f32(i32(lo) - 16) * x[xo + j] + f32(i32(hi) - 16) * x[xo + 16u + j];
    }
    return f16_at(b) * acc;
}
