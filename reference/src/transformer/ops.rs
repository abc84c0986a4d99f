//! The forward pass's elementwise and reduction operations, each written as ggml's CPU
//! backend computes it in f32 (where ggml sums in f64, so does this): the reference the GPU
//! kernels are compared with.

use super::RopeLayout;

/// `√(2/π)` as ggml's `SQRT_2_OVER_PI` (rounded to f32).
const SQRT_2_OVER_PI: f32 = 0.797_884_6;
/// The cubic coefficient of the tanh approximation of GELU (ggml's `GELU_COEF_A`).
const GELU_COEF_A: f32 = 0.044_715;

/// `Σ aᵢ·bᵢ` over the shorter of the two, in f32, summed in 8 interleaved lanes (so the
/// compiler can vectorize it) that are then added pairwise.
///
/// ```
/// use roofline_reference::transformer::ops::dot;
/// let a: Vec<f32> = (1..=10).map(|i| i as f32).collect();
/// assert_eq!(dot(&a, &a), 385.0);
/// ```
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let (a8, a_tail) = a.as_chunks::<8>();
    let (b8, b_tail) = b.as_chunks::<8>();
    let mut lanes = [0.0f32; 8];
    for (x, y) in a8.iter().zip(b8) {
        for ((lane, &xi), &yi) in lanes.iter_mut().zip(x).zip(y) {
            *lane += xi * yi;
        }
    }
    let tail: f32 = a_tail.iter().zip(b_tail).map(|(x, y)| x * y).sum();
    let [l0, l1, l2, l3, l4, l5, l6, l7] = lanes;
    ((l0 + l4) + (l1 + l5)) + ((l2 + l6) + (l3 + l7)) + tail
}

/// RMSNorm then a per-element weight, in place, as ggml's `rms_norm` followed by `mul`:
/// `x ← (x · 1/√(mean(x²) + eps)) · w`, with `Σx²` accumulated in f64 over f32 squares.
/// `weight` shorter than `x` leaves the rest unweighted.
///
/// ```
/// use roofline_reference::transformer::ops::rms_norm;
/// let mut x = [3.0f32, 4.0];
/// rms_norm(&mut x, &[1.0, 2.0], 0.0);
/// let s = 1.0 / 12.5f32.sqrt();
/// assert_eq!(x, [3.0 * s, 4.0 * s * 2.0]);
/// ```
pub fn rms_norm(x: &mut [f32], weight: &[f32], eps: f32) {
    if x.is_empty() {
        return;
    }
    let sum: f64 = x.iter().map(|&v| f64::from(v * v)).sum();
    let mean = (sum / x.len() as f64) as f32;
    let scale = 1.0 / (mean + eps).sqrt();
    for (v, &w) in x.iter_mut().zip(weight) {
        *v = (*v * scale) * w;
    }
    if let Some(rest) = x.get_mut(weight.len()..) {
        rest.iter_mut().for_each(|v| *v *= scale);
    }
}

/// Rotates the first `n_rot` elements of one head for position `pos`, as ggml's
/// `rope_ext` without YaRN: pair `i` (of `n_rot / 2`) turns by
/// `freq_scale · pos · base^(−2i/n_rot) / freq_factors[i]`, the frequency built by repeated
/// multiplication in f32 as ggml's `rope_cache_init` does. `Norm` pairs elements
/// `(2i, 2i + 1)`, `Neox` pairs `(i, i + n_rot/2)`; `(x, y) ← (x cos − y sin, x sin + y cos)`.
///
/// ```
/// use roofline_reference::transformer::{ops::rope, RopeLayout};
/// let mut head = [1.0f32, 0.0, 0.0, 0.0];
/// rope(&mut head, 1, 4, RopeLayout::Neox, 10_000.0, 1.0, None);
/// assert_eq!(head, [1f32.cos(), 0.0, 1f32.sin(), 0.0]);
/// ```
pub fn rope(
    head: &mut [f32],
    pos: usize,
    n_rot: usize,
    layout: RopeLayout,
    base: f32,
    freq_scale: f32,
    freq_factors: Option<&[f32]>,
) {
    let n_rot = n_rot.min(head.len()) & !1;
    let half = n_rot / 2;
    let theta_scale = base.powf(-2.0 / n_rot as f32);
    let mut theta = pos as f32;
    for i in 0..half {
        let factor = freq_factors.and_then(|f| f.get(i)).copied().unwrap_or(1.0);
        let (sin, cos) = (freq_scale * (theta / factor)).sin_cos();
        let (a, b) = match layout {
            RopeLayout::Norm => (2 * i, 2 * i + 1),
            RopeLayout::Neox => (i, i + half),
        };
        let (x0, x1) = (head[a], head[b]);
        head[a] = x0 * cos - x1 * sin;
        head[b] = x0 * sin + x1 * cos;
        theta *= theta_scale;
    }
}

/// Softmax in place, as ggml's `soft_max`: `e^(x − max)` in f32, summed in f64, each
/// multiplied by `1/sum` rounded to f32. Masked entries are `−∞` and come out 0.
///
/// ```
/// use roofline_reference::transformer::ops::softmax;
/// let mut x = [0.0f32, f32::NEG_INFINITY, 0.0];
/// softmax(&mut x);
/// assert_eq!(x, [0.5, 0.0, 0.5]);
/// ```
pub fn softmax(x: &mut [f32]) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if max == f32::NEG_INFINITY {
        return;
    }
    let mut sum = 0.0f64;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum += f64::from(*v);
    }
    let inv = (1.0 / sum) as f32;
    x.iter_mut().for_each(|v| *v *= inv);
}

/// GELU, tanh approximation, as ggml's `ggml_gelu_f32`:
/// `0.5·x·(1 + tanh(√(2/π)·x·(1 + 0.044715·x²)))`.
///
/// ```
/// use roofline_reference::transformer::ops::gelu_tanh;
/// assert_eq!(gelu_tanh(0.0), 0.0);
/// assert!((gelu_tanh(1.0) - 0.841_192).abs() < 1e-6);
/// ```
pub fn gelu_tanh(x: f32) -> f32 {
    0.5 * x * (1.0 + (SQRT_2_OVER_PI * x * (1.0 + GELU_COEF_A * x * x)).tanh())
}

/// SiLU, `x / (1 + e^−x)`, as ggml's `ggml_silu_f32`.
///
/// ```
/// use roofline_reference::transformer::ops::silu;
/// assert_eq!(silu(0.0), 0.0);
/// assert!((silu(1.0) - 0.731_058_6).abs() < 1e-6);
/// ```
pub fn silu(x: f32) -> f32 {
    x / (1.0 + (-x).exp())
}

/// Whether a query at `query_pos` sees the key at `key_pos`: causal (`key_pos ≤ query_pos`)
/// and, with a sliding window of `w` tokens, among the last `w` positions including its
/// own (`query_pos − key_pos < w`, llama.cpp's `LLAMA_SWA_TYPE_STANDARD` mask).
///
/// ```
/// use roofline_reference::transformer::ops::attends;
/// assert!(attends(5, 5, Some(1)) && !attends(5, 4, Some(1)));
/// assert!(attends(5, 0, None) && !attends(5, 6, None));
/// ```
pub fn attends(query_pos: usize, key_pos: usize, window: Option<usize>) -> bool {
    key_pos <= query_pos && window.is_none_or(|w| query_pos - key_pos < w)
}

/// The key positions a query at `query_pos` sees, in order: those for which [`attends`]
/// holds.
///
/// ```
/// use roofline_reference::transformer::ops::visible_positions;
/// assert_eq!(visible_positions(5, Some(2)), 4..=5);
/// assert_eq!(visible_positions(5, None), 0..=5);
/// ```
pub fn visible_positions(query_pos: usize, window: Option<usize>) -> std::ops::RangeInclusive<usize> {
    let first = window.map_or(0, |w| (query_pos + 1).saturating_sub(w));
    first..=query_pos
}
