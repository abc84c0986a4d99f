//! CPU twins of the model kernels, built on `roofline_gguf`'s exact dequantizers.

use roofline_gguf::dequant;

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

/// Y = X Wᵀ for `x` holding rows of `row_elems` (the twin of `matmul.wgsl` and
/// `matmul_thread.wgsl`): Y is [token][rows], summed in f64.
pub fn matmul(ggml_type: u32, bytes: &[u8], row_elems: usize, rows: usize, x: &[f32]) -> Vec<f32> {
    let w = dequant_rows(ggml_type, bytes, row_elems, 0, rows);
    x.chunks(row_elems)
        .flat_map(|xt| {
            w.chunks(row_elems)
                .map(|row| row.iter().zip(xt).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum::<f64>() as f32)
                .collect::<Vec<f32>>()
        })
        .collect()
}

/// The rows named by `ids`, dequantized one after another (the twin of `gather_rows.wgsl`).
pub fn gather_rows(ggml_type: u32, bytes: &[u8], row_elems: usize, ids: &[u32]) -> Vec<f32> {
    ids.iter().flat_map(|&id| dequant_rows(ggml_type, bytes, row_elems, id as usize, 1)).collect()
}

/// y = a + b[i % b.len()]: a bias added to each row (the twin of `elementwise.wgsl`'s
/// `AddRow`).
pub fn add_row(a: &[f32], b: &[f32]) -> Vec<f32> {
    a.iter().zip(b.iter().cycle()).map(|(x, y)| x + y).collect()
}

/// RMSNorm of `rows` rows (the twin of `rmsnorm.wgsl`).
pub fn rms_norm(x: &[f32], w: Option<&[f32]>, len: usize, eps: f32) -> Vec<f32> {
    let mut out = Vec::with_capacity(x.len());
    for row in x.chunks(len) {
        let mean = row.iter().map(|v| f64::from(*v) * f64::from(*v)).sum::<f64>() / len as f64;
        let scale = 1.0 / (mean + f64::from(eps)).sqrt();
        out.extend(row.iter().enumerate().map(|(i, v)| {
            let y = f64::from(*v) * scale;
            (y * w.map_or(1.0, |w| f64::from(w[i]))) as f32
        }));
    }
    out
}

/// RoPE on the first `n_rot` elements of each `dim`-wide head at `pos` (the twin of
/// `rope.wgsl`).
pub fn rope(v: &[f32], dim: usize, n_rot: usize, pos: u32, neox: bool, base: f32, freq_scale: f32) -> Vec<f32> {
    let mut out = v.to_vec();
    let half = n_rot / 2;
    for head in out.chunks_mut(dim) {
        for i in 0..half {
            let theta = f64::from(pos) * f64::from(freq_scale) * f64::from(base).powf(-2.0 * i as f64 / n_rot as f64);
            let (s, c) = theta.sin_cos();
            let (a, b) = if neox { (i, i + half) } else { (2 * i, 2 * i + 1) };
            let (x0, x1) = (f64::from(head[a]), f64::from(head[b]));
            head[a] = (x0 * c - x1 * s) as f32;
            head[b] = (x0 * s + x1 * c) as f32;
        }
    }
    out
}

/// RoPE on rows of `heads` × `dim`, row t at position `pos + t` (the twin of `rope.wgsl`
/// over a batch).
#[allow(clippy::too_many_arguments)]
pub fn rope_rows(
    v: &[f32],
    heads: usize,
    dim: usize,
    n_rot: usize,
    pos: u32,
    neox: bool,
    base: f32,
    freq_scale: f32,
) -> Vec<f32> {
    v.chunks(heads * dim).zip(pos..).flat_map(|(row, p)| rope(row, dim, n_rot, p, neox, base, freq_scale)).collect()
}

/// Causal attention of the rows of `q` ([query][head][dim]) at positions `pos ..`, each
/// over the cache up to its own position (the twin of `attention.wgsl` over a batch).
#[allow(clippy::too_many_arguments)]
pub fn attention_rows(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    heads: usize,
    kv_heads: usize,
    dim: usize,
    pos: usize,
    window: usize,
    scale: f32,
) -> Vec<f32> {
    q.chunks(heads * dim)
        .enumerate()
        .flat_map(|(i, row)| attention(row, k, v, heads, kv_heads, dim, pos + i, window, scale))
        .collect()
}

/// Attention of the token at `pos` (the twin of `attention.wgsl`); caches are
/// [position][kv head][dim].
#[allow(clippy::too_many_arguments)]
pub fn attention(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    heads: usize,
    kv_heads: usize,
    dim: usize,
    pos: usize,
    window: usize,
    scale: f32,
) -> Vec<f32> {
    let first = if window > 0 { (pos + 1).saturating_sub(window) } else { 0 };
    let mut out = vec![0.0; heads * dim];
    for h in 0..heads {
        let kvh = h / (heads / kv_heads);
        let qh = &q[h * dim..][..dim];
        let scores: Vec<f64> = (first..=pos)
            .map(|t| {
                let kt = &k[(t * kv_heads + kvh) * dim..][..dim];
                qh.iter().zip(kt).map(|(a, b)| f64::from(*a) * f64::from(*b)).sum::<f64>() * f64::from(scale)
            })
            .collect();
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
        let sum: f64 = exp.iter().sum();
        for d in 0..dim {
            let acc: f64 = (first..=pos).zip(&exp).map(|(t, e)| e * f64::from(v[(t * kv_heads + kvh) * dim + d])).sum();
            out[h * dim + d] = (acc / sum) as f32;
        }
    }
    out
}

/// SiLU, as ggml: x / (1 + e^−x).
pub fn silu(x: f32) -> f32 {
    x / (1.0 + (-x).exp())
}

/// GELU, tanh approximation, as ggml's formula.
pub fn gelu(x: f32) -> f32 {
    const SQRT_2_OVER_PI: f32 = 0.797_884_6;
    0.5 * x * (1.0 + (SQRT_2_OVER_PI * x * (1.0 + 0.044_715 * x * x)).tanh())
}

/// Index of the largest value, the lowest among equals (the twin of `argmax.wgsl`).
pub fn argmax(x: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in x.iter().enumerate() {
        if *v > x[best] {
            best = i;
        }
    }
    best
}
