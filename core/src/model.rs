//! Model architecture: the shapes that decide how many bytes and FLOPs a token costs.
//!
//! Counts are in elements (weights), not bytes; bytes come from a [`QuantScheme`] in
//! [`crate::estimate::plan`].

use serde::{Deserialize, Serialize};

use crate::quant::TensorRole;
use crate::source::Source;

/// A transformer language model as its `config.json` (or GGUF metadata) describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Catalog id (kebab-case).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Other names, including the LocalScore spelling.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// GGUF architecture name (`llama`, `qwen2`, `gemma3`, ...).
    pub family: String,
    /// Release year.
    #[serde(default)]
    pub released: Option<u32>,
    /// Published total parameters, billions.
    pub params_total_b: f64,
    /// Published active parameters per token for mixture-of-experts models, billions.
    #[serde(default)]
    pub params_active_b: Option<f64>,
    /// Transformer blocks.
    pub layers: u32,
    /// Residual stream width `d_model`.
    pub hidden_size: u32,
    /// Query heads.
    pub heads: u32,
    /// Key/value heads (grouped-query attention when fewer than `heads`).
    pub kv_heads: u32,
    /// Dimension of one head.
    pub head_dim: u32,
    /// Intermediate size of the dense feed-forward network.
    pub ffn_size: u32,
    /// Vocabulary size.
    pub vocab_size: u32,
    /// Whether the output projection reuses the token embedding.
    pub tied_embeddings: bool,
    /// Longest supported context, tokens.
    pub max_context: u32,
    /// Sliding-window attention on some layers.
    #[serde(default)]
    pub sliding_window: Option<SlidingWindow>,
    /// Mixture-of-experts feed-forward layers.
    #[serde(default)]
    pub moe: Option<MoeSpec>,
    /// Multi-head latent attention (DeepSeek V2/V3).
    #[serde(default)]
    pub mla: Option<MlaSpec>,
    /// Quantization people usually run (`Q4_K_M`).
    #[serde(default = "default_quant")]
    pub default_quant: String,
    /// Citations.
    #[serde(default)]
    pub sources: Vec<Source>,
}

fn default_quant() -> String {
    "Q4_K_M".to_owned()
}

/// Sliding-window attention: local layers attend to the last `window_tokens` only.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlidingWindow {
    /// Window length, tokens.
    pub window_tokens: u32,
    /// Every n-th layer attends globally (Gemma 3: 6; alternating: 2; 1 = none local).
    pub global_every_n_layers: u32,
}

/// Mixture-of-experts layout of the feed-forward layers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoeSpec {
    /// Routed experts per MoE layer.
    pub experts: u32,
    /// Routed experts used per token.
    pub active_experts: u32,
    /// Always-active shared experts.
    #[serde(default)]
    pub shared_experts: u32,
    /// Intermediate size of one routed expert.
    pub expert_ffn_size: u32,
    /// Intermediate size of one shared expert (0 when none).
    #[serde(default)]
    pub shared_expert_ffn_size: u32,
    /// Leading layers that keep a dense FFN (DeepSeek V3: 3).
    #[serde(default)]
    pub leading_dense_layers: u32,
    /// After the leading dense layers, every `interleave_step`-th layer is MoE (1 = all).
    #[serde(default = "one")]
    pub interleave_step: u32,
}

fn one() -> u32 {
    1
}

/// Multi-head latent attention dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlaSpec {
    /// Rank of the compressed query (0 = queries not compressed).
    pub q_lora_rank: u32,
    /// Rank of the compressed key/value latent, cached per token.
    pub kv_lora_rank: u32,
    /// Per-head query/key dimension without rotary embedding.
    pub qk_nope_head_dim: u32,
    /// Per-head rotary dimension (shared key part is cached per token).
    pub qk_rope_head_dim: u32,
    /// Per-head value dimension.
    pub v_head_dim: u32,
}

/// One weight matrix class: `rows × cols` elements, `count` copies in this layer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TensorShape {
    /// Role that decides its quantization type.
    pub role: TensorRole,
    /// Elements in one copy.
    pub elements: u64,
    /// Fraction of the tensor read per generated token (routed experts: active / total).
    pub active_fraction: f64,
}

impl ModelSpec {
    /// Whether layer `layer` (0-based) has a routed-expert FFN.
    pub fn is_moe_layer(&self, layer: u32) -> bool {
        match self.moe {
            None => false,
            Some(m) => {
                layer >= m.leading_dense_layers
                    && (layer - m.leading_dense_layers) % m.interleave_step.max(1) == m.interleave_step.max(1) - 1
            }
        }
    }

    /// Whether layer `layer` uses sliding-window (local) attention.
    pub fn is_local_layer(&self, layer: u32) -> bool {
        match self.sliding_window {
            None => false,
            Some(w) => w.global_every_n_layers > 1 && !(layer + 1).is_multiple_of(w.global_every_n_layers),
        }
    }

    /// Tokens of context that layer `layer` attends to at position `context_tokens`.
    pub fn attended_tokens(&self, layer: u32, context_tokens: f64) -> f64 {
        match self.sliding_window {
            Some(w) if self.is_local_layer(layer) => context_tokens.min(f64::from(w.window_tokens)),
            _ => context_tokens,
        }
    }

    /// Weight matrices of block `layer`, in elements.
    ///
    /// Attention: `q = d × h × d_head`, `k = v = d × h_kv × d_head`, `o = h × d_head × d`
    /// (MLA replaces q/k/v with its low-rank factors). FFN: gated, `3 × d × d_ff`; MoE
    /// layers hold `experts × 3 × d × d_expert` plus shared experts and a `d × experts`
    /// router.
    pub fn layer_tensors(&self, layer: u32) -> Vec<TensorShape> {
        let d = u64::from(self.hidden_size);
        let h = u64::from(self.heads);
        let mut out = Vec::with_capacity(10);
        let mut push = |role, elements: u64, active_fraction: f64| {
            out.push(TensorShape { role, elements, active_fraction });
        };
        match self.mla {
            Some(m) => {
                let qk = u64::from(m.qk_nope_head_dim) + u64::from(m.qk_rope_head_dim);
                let q = if m.q_lora_rank == 0 {
                    d * h * qk
                } else {
                    d * u64::from(m.q_lora_rank) + u64::from(m.q_lora_rank) * h * qk
                };
                push(TensorRole::AttnQ, q, 1.0);
                push(TensorRole::AttnK, d * (u64::from(m.kv_lora_rank) + u64::from(m.qk_rope_head_dim)), 1.0);
                let kv_b = u64::from(m.kv_lora_rank) * h * (u64::from(m.qk_nope_head_dim) + u64::from(m.v_head_dim));
                push(TensorRole::AttnV, kv_b, 1.0);
                push(TensorRole::AttnOut, h * u64::from(m.v_head_dim) * d, 1.0);
            }
            None => {
                let dh = u64::from(self.head_dim);
                let kv = u64::from(self.kv_heads) * dh;
                push(TensorRole::AttnQ, d * h * dh, 1.0);
                push(TensorRole::AttnK, d * kv, 1.0);
                push(TensorRole::AttnV, d * kv, 1.0);
                push(TensorRole::AttnOut, h * dh * d, 1.0);
            }
        }
        match self.moe {
            Some(m) if self.is_moe_layer(layer) => {
                let experts = u64::from(m.experts);
                let active = f64::from(m.active_experts) / f64::from(m.experts.max(1));
                let per_expert = d * u64::from(m.expert_ffn_size);
                push(TensorRole::ExpertUp, 2 * experts * per_expert, active);
                push(TensorRole::ExpertDown, experts * per_expert, active);
                push(TensorRole::Router, d * experts, 1.0);
                if m.shared_experts > 0 {
                    let shared = u64::from(m.shared_experts) * d * u64::from(m.shared_expert_ffn_size);
                    push(TensorRole::FfnUp, 2 * shared, 1.0);
                    push(TensorRole::FfnDown, shared, 1.0);
                }
            }
            _ => {
                let ff = d * u64::from(self.ffn_size);
                push(TensorRole::FfnUp, 2 * ff, 1.0);
                push(TensorRole::FfnDown, ff, 1.0);
            }
        }
        out
    }

    /// Elements of the token embedding table: `vocab × d`.
    pub fn embedding_elements(&self) -> u64 {
        u64::from(self.vocab_size) * u64::from(self.hidden_size)
    }

    /// Total parameters derived from the shapes (embedding, output unless tied, blocks),
    /// billions. Norms and biases are left out (well under 0.1 %).
    pub fn derived_params_b(&self) -> f64 {
        let mut total = self.embedding_elements() as f64;
        if !self.tied_embeddings {
            total += self.embedding_elements() as f64;
        }
        for layer in 0..self.layers {
            total += self.layer_tensors(layer).iter().map(|t| t.elements as f64).sum::<f64>();
        }
        total / 1e9
    }

    /// Parameters touched per generated token (routed experts scaled by active/total,
    /// embedding table excluded as only one row is read), billions.
    pub fn derived_active_params_b(&self) -> f64 {
        let mut total = self.embedding_elements() as f64; // the output projection
        for layer in 0..self.layers {
            total += self.layer_tensors(layer).iter().map(|t| t.elements as f64 * t.active_fraction).sum::<f64>();
        }
        total / 1e9
    }

    /// Key plus value elements cached per token in layer `layer`:
    /// `2 × h_kv × d_head`, or `kv_lora_rank + d_rope` with MLA (one latent per token).
    pub fn kv_elements_per_token(&self, _layer: u32) -> u64 {
        match self.mla {
            Some(m) => u64::from(m.kv_lora_rank) + u64::from(m.qk_rope_head_dim),
            None => 2 * u64::from(self.kv_heads) * u64::from(self.head_dim),
        }
    }

    /// Attention FLOPs for one query token attending to `attended` tokens in layer `layer`:
    /// `4 × h × d_head × attended` (scores `QKᵀ` and the weighted sum of `V`, 2 FLOPs per
    /// multiply-add).
    pub fn attention_flops(&self, layer: u32, attended: f64) -> f64 {
        let qk_dim = match self.mla {
            Some(m) => f64::from(m.kv_lora_rank + m.qk_rope_head_dim),
            None => f64::from(self.head_dim),
        };
        let _ = layer;
        4.0 * f64::from(self.heads) * qk_dim * attended
    }
}
