//! Models with generated weights for the zero-download benchmark: the architecture, tensor
//! shapes and quantization types of a published GGUF, built from a catalog entry, with
//! the tensor-type mix llama.cpp's quantizer gives Q4_K_M (`llama_tensor_get_type` in
//! `src/llama-quant.cpp`). Speed does not depend on weight values, so the benchmark fills
//! the blocks with deterministic generated data; a reduced-depth variant is small enough
//! to check against the CPU reference transformer.

use crate::transformer::{Activation, Architecture, ModelConfig, RopeLayout};
use roofline_core::model::ModelSpec;

/// The shapes the benchmark offers, smallest first: a phone-class model and LocalScore's
/// three reference models (Llama 3.2 1B, Llama 3.1 8B, Qwen 2.5 14B).
pub const SHAPES: [&str; 4] = ["smollm2-135m", "llama-3-2-1b", "llama-3-1-8b", "qwen2-5-14b"];

/// ggml type ids (`ggml.h`) used by the Q4_K_M mix.
const Q5_0: u32 = 6;
const Q8_0: u32 = 8;
const Q4_K: u32 = 12;
const Q6_K: u32 = 14;

/// Which weight a tensor is, as the quantizer tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `token_embd.weight`.
    TokenEmbd,
    /// `output.weight` (absent when tied).
    Output,
    /// `attn_q`, `attn_k`, `attn_output`, `ffn_gate`, `ffn_up`: the default type.
    Plain,
    /// `attn_v.weight` of block `i`.
    AttnV(usize),
    /// `ffn_down.weight` of block `i`.
    FfnDown(usize),
}

/// llama.cpp's `use_more_bits`: the first and last eighth of the blocks and every third
/// in between get more bits in the `_M` mixes.
pub fn use_more_bits(i: usize, n: usize) -> bool {
    let eighth = n / 8;
    i < eighth || i >= 7 * n / 8 || (i - eighth) % 3 == 2
}

/// The ggml type llama.cpp's Q4_K_M gives a matrix of `role` with rows of `cols` weights
/// in a model of `n_layers` blocks with (`tied`) or without its own output projection.
/// K-quants need rows of whole 256-weight super-blocks; other rows fall back as
/// llama.cpp does (Q4_K → Q5_0, Q6_K → Q8_0).
pub fn q4_k_m_type(role: Role, cols: usize, n_layers: usize, tied: bool) -> u32 {
    let wanted = match role {
        Role::Output => Q6_K,
        Role::TokenEmbd if tied => Q6_K,
        Role::AttnV(i) | Role::FfnDown(i) if use_more_bits(i, n_layers) => Q6_K,
        _ => Q4_K,
    };
    if cols.is_multiple_of(256) {
        wanted
    } else if wanted == Q6_K {
        Q8_0
    } else {
        Q5_0
    }
}

/// One matrix of a generated model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixPlan {
    /// GGUF tensor name.
    pub name: String,
    /// ggml type id.
    pub ggml_type: u32,
    /// Weights per row (`ne[0]`).
    pub cols: usize,
    /// Rows.
    pub rows: usize,
}

impl MatrixPlan {
    /// Bytes as stored (0 for an unknown type).
    pub fn bytes(&self) -> u64 {
        matrix_bytes(self.ggml_type, self.cols, self.rows)
    }
}

/// A model to generate: its configuration and every matrix with its type.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedModel {
    /// Catalog id of the model whose shapes these are.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Configuration of the forward pass.
    pub config: ModelConfig,
    /// Embedding, output projection (unless tied) and every block's seven matrices, in
    /// that order (block by block).
    pub matrices: Vec<MatrixPlan>,
}

/// Why a catalog entry cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeneratedError {
    /// The family is not one the GPU runner implements in this generated form.
    #[error("{id}: family '{family}' is not generated (llama, qwen2 and qwen3 are)")]
    Family {
        /// Catalog id.
        id: String,
        /// Its family.
        family: String,
    },
    /// Not one of [`SHAPES`] (nor `auto`).
    #[error("unknown model shape '{0}': use auto or one of smollm2-135m, llama-3-2-1b, llama-3-1-8b, qwen2-5-14b")]
    UnknownShape(String),
    /// The catalog lacks the shape's model.
    #[error("{0}")]
    Catalog(String),
    /// Mixture-of-experts, latent attention or sliding windows.
    #[error("{id}: {what} is not generated")]
    Feature {
        /// Catalog id.
        id: String,
        /// What.
        what: &'static str,
    },
}

impl GeneratedModel {
    /// The shapes of catalog model `spec`, with `layers` blocks when given (a reduced-depth
    /// variant) and otherwise the model's own count.
    pub fn from_spec(spec: &ModelSpec, layers: Option<usize>) -> Result<GeneratedModel, GeneratedError> {
        let architecture = match Architecture::from_name(&spec.family) {
            Some(a @ (Architecture::Llama | Architecture::Qwen2 | Architecture::Qwen3)) => a,
            _ => return Err(GeneratedError::Family { id: spec.id.clone(), family: spec.family.clone() }),
        };
        let feature = |what| Err(GeneratedError::Feature { id: spec.id.clone(), what });
        if spec.moe.is_some() {
            return feature("a mixture of experts");
        }
        if spec.mla.is_some() {
            return feature("multi-head latent attention");
        }
        if spec.sliding_window.is_some() {
            return feature("sliding-window attention");
        }
        let n_layers = layers.unwrap_or(spec.layers as usize).max(1);
        let head_dim = spec.head_dim as usize;
        let qwen = architecture != Architecture::Llama;
        let config = ModelConfig {
            architecture,
            n_layers,
            hidden: spec.hidden_size as usize,
            n_heads: spec.heads as usize,
            n_kv_heads: spec.kv_heads as usize,
            head_dim_k: head_dim,
            head_dim_v: head_dim,
            ffn: spec.ffn_size as usize,
            vocab: spec.vocab_size as usize,
            // Qwen's configs say 1e-6, Llama's 1e-5; neither changes the work.
            rms_eps: if qwen { 1e-6 } else { 1e-5 },
            rope_dims: head_dim,
            rope_layout: if qwen { RopeLayout::Neox } else { RopeLayout::Norm },
            rope_base: if qwen { 1_000_000.0 } else { 500_000.0 },
            rope_freq_scale: 1.0,
            rope_base_local: 10_000.0,
            rope_freq_scale_local: 1.0,
            sliding_window: None,
            sliding_layers: vec![false; n_layers],
            attention_scale: 1.0 / (head_dim as f32).sqrt(),
            attention_scale_on_query: false,
            embedding_scale: None,
            qk_norm: architecture == Architecture::Qwen3,
            tied_output: spec.tied_embeddings,
            activation: Activation::Silu,
            post_norms: false,
            final_logit_softcap: None,
        };
        let c = &config;
        let tied = c.tied_output;
        let full_depth = spec.layers as usize;
        let mut matrices = Vec::new();
        let mut push = |name: String, role: Role, cols: usize, rows: usize| {
            // A reduced-depth variant keeps the full model's pattern of types.
            let ggml_type = q4_k_m_type(role, cols, full_depth.max(n_layers), tied);
            matrices.push(MatrixPlan { name, ggml_type, cols, rows });
        };
        push("token_embd.weight".into(), Role::TokenEmbd, c.hidden, c.vocab);
        if !tied {
            push("output.weight".into(), Role::Output, c.hidden, c.vocab);
        }
        for i in 0..n_layers {
            let n = |s: &str| format!("blk.{i}.{s}.weight");
            push(n("attn_q"), Role::Plain, c.hidden, c.q_dim());
            push(n("attn_k"), Role::Plain, c.hidden, c.k_dim());
            push(n("attn_v"), Role::AttnV(i), c.hidden, c.v_dim());
            push(n("attn_output"), Role::Plain, c.n_heads * c.head_dim_v, c.hidden);
            push(n("ffn_gate"), Role::Plain, c.hidden, c.ffn);
            push(n("ffn_up"), Role::Plain, c.hidden, c.ffn);
            push(n("ffn_down"), Role::FfnDown(i), c.ffn, c.hidden);
        }
        Ok(GeneratedModel { id: spec.id.clone(), name: spec.name.clone(), config, matrices })
    }

    /// Bytes of every matrix as stored.
    pub fn weight_bytes(&self) -> u64 {
        self.matrices.iter().map(MatrixPlan::bytes).sum()
    }

    /// Bytes a decode step reads: every block's matrices, the output projection (the
    /// embedding when tied), one embedding row, the norm vectors, and the f32 KV cache of
    /// `context_tokens` earlier positions.
    pub fn bytes_per_token(&self, context_tokens: usize) -> u64 {
        let c = &self.config;
        let embd = &self.matrices[0];
        let embd_bytes = embd.bytes();
        let looked_up = if c.tied_output { 0 } else { embd_bytes };
        let row = matrix_bytes(embd.ggml_type, embd.cols, 1);
        let norms = ((c.n_layers * 2 + 1) * c.hidden * 4) as u64;
        let kv = (context_tokens * (c.k_dim() + c.v_dim()) * 4 * c.n_layers) as u64;
        self.weight_bytes() - looked_up + row + norms + kv
    }

    /// FLOPs of the matrix products per token, 2 × weights multiplied (the embedding is a
    /// lookup, except as the tied output projection).
    pub fn matrix_flops_per_token(&self) -> u64 {
        let c = &self.config;
        let tied = if c.tied_output { 2 * (c.hidden * c.vocab) as u64 } else { 0 };
        self.matrices.iter().skip(1).map(|m| 2 * (m.cols * m.rows) as u64).sum::<u64>() + tied
    }
}

/// The models to try for `shape`: that one, or for `auto` every shape, largest first.
pub fn candidates(
    catalog: &roofline_core::catalog::Catalog,
    shape: &str,
) -> Result<Vec<GeneratedModel>, GeneratedError> {
    let ids: Vec<&str> = match shape {
        "auto" => SHAPES.iter().rev().copied().collect(),
        id if SHAPES.contains(&id) => vec![id],
        other => return Err(GeneratedError::UnknownShape(other.to_owned())),
    };
    ids.iter()
        .map(|id| {
            let spec = catalog.model(id).map_err(|e| GeneratedError::Catalog(e.to_string()))?;
            GeneratedModel::from_spec(spec, None)
        })
        .collect()
}

/// Bytes of a `cols` × `rows` matrix of `ggml_type` (0 for an unknown type).
fn matrix_bytes(ggml_type: u32, cols: usize, rows: usize) -> u64 {
    roofline_gguf::dequant::data_bytes(ggml_type, cols).map_or(0, |b| b as u64 * rows as u64)
}
