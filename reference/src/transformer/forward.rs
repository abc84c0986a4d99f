//! One token through the model: llama.cpp's graph for each architecture, in f32.

use super::ops::{dot, gelu_tanh, rms_norm, rope, silu, softmax, visible_positions};
use super::{Activation, KvCache, LayerWeights, ModelConfig, TensorSource, TransformerError, Weights};
use roofline_gguf::Header;

/// Buffers reused by every token, sized from the configuration.
#[derive(Debug, Clone)]
struct Scratch {
    /// The residual stream.
    x: Vec<f32>,
    /// A normed copy of it (the input of attention or of the feed-forward network).
    normed: Vec<f32>,
    q: Vec<f32>,
    k: Vec<f32>,
    v: Vec<f32>,
    /// Attention output, all heads side by side.
    attn: Vec<f32>,
    /// Output of a projection back to the residual width.
    proj: Vec<f32>,
    gate: Vec<f32>,
    up: Vec<f32>,
    /// Attention weights over the visible positions.
    scores: Vec<f32>,
    /// One dequantized weight row.
    row: Vec<f32>,
}

impl Scratch {
    fn new(c: &ModelConfig) -> Scratch {
        let widest_row = [c.hidden, c.ffn, c.n_heads * c.head_dim_v].into_iter().max().unwrap_or(0);
        Scratch {
            x: vec![0.0; c.hidden],
            normed: vec![0.0; c.hidden],
            q: vec![0.0; c.q_dim()],
            k: vec![0.0; c.k_dim()],
            v: vec![0.0; c.v_dim()],
            attn: vec![0.0; c.n_heads * c.head_dim_v],
            proj: vec![0.0; c.hidden],
            gate: vec![0.0; c.ffn],
            up: vec![0.0; c.ffn],
            scores: Vec::new(),
            row: vec![0.0; widest_row],
        }
    }
}

/// A model ready to run: checked weights and the buffers of one forward pass.
#[derive(Debug, Clone)]
pub struct Model {
    weights: Weights,
    scratch: Scratch,
}

impl Model {
    /// A model from weights, after checking every shape against their configuration.
    pub fn new(weights: Weights) -> Result<Model, TransformerError> {
        weights.check()?;
        let scratch = Scratch::new(&weights.config);
        Ok(Model { weights, scratch })
    }

    /// Reads the configuration and weights of the model `header` describes from `source`.
    pub fn load(header: &Header, source: &dyn TensorSource) -> Result<Model, TransformerError> {
        Model::new(Weights::load(header, source)?)
    }

    /// The configuration.
    pub fn config(&self) -> &ModelConfig {
        &self.weights.config
    }

    /// The weights.
    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// An empty KV cache for this model.
    pub fn new_cache(&self) -> KvCache {
        KvCache::new(&self.weights.config)
    }

    /// Runs token `token` at position `pos` (which must be `kv.len()`, the next position),
    /// appends its keys and values to `kv`, and returns the `vocab` logits.
    ///
    /// Per block: RMSNorm; Q, K, V projections (+ biases); per-head RMSNorm of Q and K where
    /// the model has it; RoPE with the layer's base; attention over the cached positions the
    /// layer sees (causal, sliding window on local layers), grouped-query heads sharing KV
    /// heads; output projection; Gemma's post-attention norm; residual; RMSNorm; gated
    /// feed-forward (SiLU or GELU); Gemma's post-FFN norm; residual. Then the final norm and
    /// the output projection.
    pub fn forward(&mut self, token: u32, pos: usize, kv: &mut KvCache) -> Result<Vec<f32>, TransformerError> {
        let Model { weights: w, scratch: s } = self;
        let c = &w.config;
        if !kv.fits(c) {
            return Err(TransformerError::CacheMismatch);
        }
        if pos != kv.len() {
            return Err(TransformerError::PositionMismatch { pos, cached: kv.len() });
        }
        let row = usize::try_from(token).ok().filter(|&t| t < c.vocab);
        let row = row.ok_or(TransformerError::TokenOutOfRange { token, vocab: c.vocab })?;
        w.token_embd.row_into(row, &mut s.x)?;
        if let Some(scale) = c.embedding_scale {
            s.x.iter_mut().for_each(|v| *v *= scale);
        }
        let blocks = w.layers.iter().enumerate().try_for_each(|(layer, lw)| {
            attention(c, w.rope_freqs.as_deref(), lw, layer, pos, kv, s)?;
            feed_forward(c, lw, s)
        });
        if let Err(e) = blocks {
            kv.discard_partial();
            return Err(e);
        }
        kv.advance();
        s.normed.copy_from_slice(&s.x);
        rms_norm(&mut s.normed, &w.output_norm, c.rms_eps);
        let mut logits = vec![0.0; c.vocab];
        w.output().matvec(&s.normed, &mut logits, &mut s.row)?;
        if let Some(cap) = c.final_logit_softcap {
            logits.iter_mut().for_each(|l| *l = (*l * (1.0 / cap)).tanh() * cap);
        }
        Ok(logits)
    }

    /// Greedy generation: runs `prompt` (token ids, BOS included when the model wants one)
    /// from position 0, then appends the most likely token `n` times ([`argmax`], ties to
    /// the lowest id, as llama.cpp's greedy sampler). Returns the `n` new tokens; does not
    /// stop at end-of-sequence.
    pub fn generate(&mut self, prompt: &[u32], n: usize) -> Result<Vec<u32>, TransformerError> {
        if prompt.is_empty() {
            return Err(TransformerError::EmptyPrompt);
        }
        let mut kv = self.new_cache();
        let mut logits = Vec::new();
        for (pos, &token) in prompt.iter().enumerate() {
            logits = self.forward(token, pos, &mut kv)?;
        }
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let next = argmax(&logits).ok_or(TransformerError::EmptyPrompt)?;
            out.push(next);
            if i + 1 < n {
                logits = self.forward(next, prompt.len() + i, &mut kv)?;
            }
        }
        Ok(out)
    }
}

/// Index of the largest logit, the first on ties, as llama.cpp's greedy sampler picks it
/// (a later logit replaces the choice only when strictly greater). `None` when empty.
///
/// ```
/// use roofline_reference::transformer::argmax;
/// assert_eq!(argmax(&[1.0, 3.0, 3.0, -2.0]), Some(1));
/// assert_eq!(argmax(&[]), None);
/// ```
pub fn argmax(logits: &[f32]) -> Option<u32> {
    let first = *logits.first()?;
    let (best, _) =
        logits.iter().enumerate().skip(1).fold((0, first), |(i, b), (j, &l)| if l > b { (j, l) } else { (i, b) });
    u32::try_from(best).ok()
}

/// Adds `bias` to `x` when there is one.
fn add_bias(x: &mut [f32], bias: Option<&Vec<f32>>) {
    if let Some(b) = bias {
        x.iter_mut().zip(b).for_each(|(v, b)| *v += b);
    }
}

/// RMSNorm of each `head_dim`-wide head with the shared weight, when there is one.
fn norm_heads(x: &mut [f32], head_dim: usize, weight: Option<&Vec<f32>>, eps: f32) {
    if let Some(w) = weight {
        x.chunks_exact_mut(head_dim).for_each(|head| rms_norm(head, w, eps));
    }
}

/// The attention half of a block, residual add included.
fn attention(
    c: &ModelConfig,
    rope_freqs: Option<&[f32]>,
    w: &LayerWeights,
    layer: usize,
    pos: usize,
    kv: &mut KvCache,
    s: &mut Scratch,
) -> Result<(), TransformerError> {
    s.normed.copy_from_slice(&s.x);
    rms_norm(&mut s.normed, &w.attn_norm, c.rms_eps);
    w.wq.matvec(&s.normed, &mut s.q, &mut s.row)?;
    w.wk.matvec(&s.normed, &mut s.k, &mut s.row)?;
    w.wv.matvec(&s.normed, &mut s.v, &mut s.row)?;
    add_bias(&mut s.q, w.bq.as_ref());
    add_bias(&mut s.k, w.bk.as_ref());
    add_bias(&mut s.v, w.bv.as_ref());
    let (dk, dv) = (c.head_dim_k, c.head_dim_v);
    norm_heads(&mut s.q, dk, w.q_norm.as_ref(), c.rms_eps);
    norm_heads(&mut s.k, dk, w.k_norm.as_ref(), c.rms_eps);
    let (base, freq_scale) = c.rope_for_layer(layer);
    for head in s.q.chunks_exact_mut(dk).chain(s.k.chunks_exact_mut(dk)) {
        rope(head, pos, c.rope_dims, c.rope_layout, base, freq_scale, rope_freqs);
    }
    let kq_scale = if c.attention_scale_on_query {
        s.q.iter_mut().for_each(|v| *v *= c.attention_scale);
        1.0
    } else {
        c.attention_scale
    };
    kv.push(layer, &s.k, &s.v);

    let window = if c.is_sliding(layer) { c.sliding_window } else { None };
    let visible = visible_positions(pos, window);
    let group = c.group_size();
    for (h, (q, out)) in s.q.chunks_exact(dk).zip(s.attn.chunks_exact_mut(dv)).enumerate() {
        let kv_head = h / group;
        s.scores.clear();
        for t in visible.clone() {
            let key = kv.key(layer, t).get(kv_head * dk..(kv_head + 1) * dk).unwrap_or(&[]);
            s.scores.push(dot(q, key) * kq_scale);
        }
        softmax(&mut s.scores);
        out.fill(0.0);
        for (t, &p) in visible.clone().zip(&s.scores) {
            let value = kv.value(layer, t).get(kv_head * dv..(kv_head + 1) * dv).unwrap_or(&[]);
            out.iter_mut().zip(value).for_each(|(o, v)| *o += p * v);
        }
    }
    w.wo.matvec(&s.attn, &mut s.proj, &mut s.row)?;
    add_bias(&mut s.proj, w.bo.as_ref());
    if let Some(norm) = &w.post_attn_norm {
        rms_norm(&mut s.proj, norm, c.rms_eps);
    }
    s.x.iter_mut().zip(&s.proj).for_each(|(x, p)| *x += p);
    Ok(())
}

/// The feed-forward half of a block, residual add included.
fn feed_forward(c: &ModelConfig, w: &LayerWeights, s: &mut Scratch) -> Result<(), TransformerError> {
    s.normed.copy_from_slice(&s.x);
    rms_norm(&mut s.normed, &w.ffn_norm, c.rms_eps);
    w.gate.matvec(&s.normed, &mut s.gate, &mut s.row)?;
    w.up.matvec(&s.normed, &mut s.up, &mut s.row)?;
    add_bias(&mut s.gate, w.ffn_biases.gate.as_ref());
    add_bias(&mut s.up, w.ffn_biases.up.as_ref());
    let act = match c.activation {
        Activation::Silu => silu,
        Activation::GeluTanh => gelu_tanh,
    };
    s.gate.iter_mut().zip(&s.up).for_each(|(g, u)| *g = act(*g) * u);
    w.down.matvec(&s.gate, &mut s.proj, &mut s.row)?;
    add_bias(&mut s.proj, w.ffn_biases.down.as_ref());
    if let Some(norm) = &w.post_ffw_norm {
        rms_norm(&mut s.proj, norm, c.rms_eps);
    }
    s.x.iter_mut().zip(&s.proj).for_each(|(x, p)| *x += p);
    Ok(())
}
