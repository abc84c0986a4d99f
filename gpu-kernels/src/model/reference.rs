//! CPU twins of the model kernels, built on the core's exact dequantizers.

use roofline_core::gguf::dequant;

/// Rows `first .. first + rows` of a matrix in `format`, dequantized (the twin of
/// `dequant_rows.wgsl`).
pub fn dequant_rows(ggml_type: u32, bytes: &[u8], row_elems: usize, first: usize, rows: usize) -> Vec<f32> {
    let mut out = vec![0.0; row_elems * rows];
    for r in 0..rows {
        let slice = &mut out[r * row_elems..(r + 1) * row_elems];
        if dequant::dequantize_row(ggml_type, bytes, first + r, slice).is_err() {
            slice.fill(f32::NAN);
        }
    }
    out
}

/// y = W x (the twin of `matvec.wgsl`), summed in f64 so the twin is the more exact one.
pub fn matvec(ggml_type: u32, bytes: &[u8], row_elems: usize, rows: usize, x: &[f32]) -> Vec<f32> {
    let w = dequant_rows(ggml_type, bytes, row_elems, 0, rows);
    w.chunks(row_elems)
        .map(|row| row.iter().zip(x).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum::<f64>() as f32)
        .collect()
}
