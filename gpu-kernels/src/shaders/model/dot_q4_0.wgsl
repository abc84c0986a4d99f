// `sub_dot` for Q4_0: composed after fmt_q4_0.wgsl into kernels that read `x`.

// Dot product of block `s` of the row at byte `row` with x[xo ..]: d × Σ (q − 8)·x.
fn sub_dot(row: u32, s: u32, xo: u32) -> f32 {
    let b = row + s * BLOCK_BYTES;
    var acc = 0.0;
    for (var j = 0u; j < 16u; j++) {
        let byte = byte_at(b + 2u + j);
        acc += f32(i32(byte & 0xFu) - 8) * x[xo + j] + f32(i32(byte >> 4u) - 8) * x[xo + 16u + j];
    }
    return f16_at(b) * acc;
}
