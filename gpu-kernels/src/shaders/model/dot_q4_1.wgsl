// `sub_dot` for Q4_1: composed after fmt_q4_1.wgsl into kernels that read `x`.

// Dot product of block `s` of the row at byte `row` with x[xo ..]: d × Σ q·x + m × Σ x.
fn sub_dot(row: u32, s: u32, xo: u32) -> f32 {
    let b = row + s * BLOCK_BYTES;
    var qx = 0.0;
    var sx = 0.0;
    for (var j = 0u; j < 16u; j++) {
        let byte = byte_at(b + 4u + j);
        qx += f32(byte & 0xFu) * x[xo + j] + f32(byte >> 4u) * x[xo + 16u + j];
        sx += x[xo + j] + x[xo + 16u + j];
    }
    return f16_at(b) * qx + f16_at(b + 2u) * sx;
}
