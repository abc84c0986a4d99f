//! A model's shapes and per-architecture choices, read from GGUF metadata the way
//! llama.cpp's `llama_model::load_hparams` reads them.

use serde::Serialize;

use super::TransformerError;
use roofline_gguf::{Header, Value};

/// Gemma 3's default local/global period: the last layer of every 6 attends globally, the
/// others through the sliding window (llama.cpp's `load_swa_pattern(ml, 6)`).
const GEMMA3_SWA_PERIOD: usize = 6;
/// RoPE base of Gemma 3's sliding-window layers when `rope.freq_base_swa` is absent
/// (llama.cpp's default `rope_freq_base_train_swa`).
const GEMMA3_LOCAL_ROPE_BASE: f32 = 10_000.0;
/// RoPE base when `{arch}.rope.freq_base` is absent (llama.cpp's default).
const DEFAULT_ROPE_BASE: f32 = 10_000.0;
/// Largest width, head count or layer count taken as plausible.
const MAX_DIM: usize = 1 << 24;

/// A model family whose forward pass this module runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Architecture {
    /// `llama`: Llama 2/3.x, SmolLM2 and other Llama-shaped models.
    Llama,
    /// `qwen2`: Qwen2 and Qwen2.5 (biases on Q, K and V).
    Qwen2,
    /// `qwen3`: Qwen3 dense models (RMSNorm on each query and key head).
    Qwen3,
    /// `gemma3`: Gemma 3 text models (sandwich norms, sliding-window layers, GELU).
    Gemma3,
}

impl Architecture {
    /// The architecture `general.architecture` names, if supported.
    pub fn from_name(name: &str) -> Option<Architecture> {
        Some(match name {
            "llama" => Architecture::Llama,
            "qwen2" => Architecture::Qwen2,
            "qwen3" => Architecture::Qwen3,
            "gemma3" => Architecture::Gemma3,
            _ => return None,
        })
    }

    /// The name as `general.architecture` spells it (the prefix of its metadata keys).
    pub fn name(self) -> &'static str {
        match self {
            Architecture::Llama => "llama",
            Architecture::Qwen2 => "qwen2",
            Architecture::Qwen3 => "qwen3",
            Architecture::Gemma3 => "gemma3",
        }
    }
}

/// Which elements of a head RoPE rotates together (llama.cpp's `llama_model_rope_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RopeLayout {
    /// `LLAMA_ROPE_TYPE_NORM`: pairs `(2i, 2i + 1)` (llama; its converter permutes Q and K).
    Norm,
    /// `LLAMA_ROPE_TYPE_NEOX`: pairs `(i, i + n_rot / 2)` (Qwen2, Qwen3, Gemma).
    Neox,
}

/// The gating activation of the feed-forward network: `act(gate(x)) × up(x)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Activation {
    /// SiLU, `x / (1 + e^−x)` (SwiGLU: llama, Qwen).
    Silu,
    /// GELU with the tanh approximation, as `ggml_gelu` (GeGLU: Gemma).
    GeluTanh,
}

/// Shapes and choices of one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelConfig {
    /// The model family.
    pub architecture: Architecture,
    /// Transformer blocks.
    pub n_layers: usize,
    /// Width of the residual stream (`embedding_length`).
    pub hidden: usize,
    /// Query heads.
    pub n_heads: usize,
    /// Key/value heads (grouped-query attention when fewer than `n_heads`).
    pub n_kv_heads: usize,
    /// Width of each query and key head (`attention.key_length`).
    pub head_dim_k: usize,
    /// Width of each value head (`attention.value_length`).
    pub head_dim_v: usize,
    /// Width of the feed-forward network (`feed_forward_length`).
    pub ffn: usize,
    /// Vocabulary size (rows of `token_embd.weight`).
    pub vocab: usize,
    /// RMSNorm epsilon (`attention.layer_norm_rms_epsilon`).
    pub rms_eps: f32,
    /// Leading elements of each query/key head that RoPE rotates (`rope.dimension_count`).
    pub rope_dims: usize,
    /// RoPE pairing.
    pub rope_layout: RopeLayout,
    /// RoPE base θ of global-attention layers (`rope.freq_base`).
    pub rope_base: f32,
    /// RoPE position scale of global layers: 1 / the linear scaling factor.
    pub rope_freq_scale: f32,
    /// RoPE base of sliding-window layers.
    pub rope_base_local: f32,
    /// RoPE position scale of sliding-window layers.
    pub rope_freq_scale_local: f32,
    /// Tokens a sliding-window layer sees, itself included, when the model has such layers.
    pub sliding_window: Option<usize>,
    /// Whether each layer uses the sliding window (all `false` without one).
    pub sliding_layers: Vec<bool>,
    /// Factor on query·key before the softmax.
    pub attention_scale: f32,
    /// Whether the factor multiplies the query before the product (Gemma's graph) rather
    /// than the product in the softmax (the others'); it changes only the rounding.
    pub attention_scale_on_query: bool,
    /// Factor on the token embedding (Gemma: √hidden, computed in f32).
    pub embedding_scale: Option<f32>,
    /// RMSNorm on each query and key head before RoPE (`attn_q_norm`/`attn_k_norm`).
    pub qk_norm: bool,
    /// The output projection is the token embedding (`output.weight` absent).
    pub tied_output: bool,
    /// Feed-forward activation.
    pub activation: Activation,
    /// RMSNorm after attention and after the feed-forward network, before each residual
    /// add (Gemma's `post_attention_norm` and `post_ffw_norm`).
    pub post_norms: bool,
    /// `c` in `c · tanh(logit / c)` on the final logits, when the graph applies one.
    pub final_logit_softcap: Option<f32>,
}

/// Metadata of one architecture.
struct Meta<'a> {
    h: &'a Header,
    arch: &'static str,
}

impl Meta<'_> {
    fn key(&self, suffix: &str) -> String {
        format!("{}.{suffix}", self.arch)
    }

    fn bad(&self, suffix: &str, problem: impl Into<String>) -> TransformerError {
        TransformerError::BadMetadata { key: self.key(suffix), problem: problem.into() }
    }

    /// A positive count, or `default` when absent.
    fn count_or(&self, suffix: &str, default: Option<usize>) -> Result<usize, TransformerError> {
        let key = self.key(suffix);
        let Some(value) = self.h.get(&key) else {
            return default.ok_or(TransformerError::MissingMetadata { key });
        };
        let n = value
            .as_u64()
            .ok_or_else(|| self.bad(suffix, format!("is not a single non-negative integer ({value})")))?;
        match usize::try_from(n) {
            Ok(n) if (1..=MAX_DIM).contains(&n) => Ok(n),
            _ => Err(self.bad(suffix, format!("is {n}, outside 1..={MAX_DIM}"))),
        }
    }

    fn count(&self, suffix: &str) -> Result<usize, TransformerError> {
        self.count_or(suffix, None)
    }

    /// A finite number as f32 (llama.cpp reads these keys as `float`), or `default`.
    fn float_or(&self, suffix: &str, default: Option<f32>) -> Result<Option<f32>, TransformerError> {
        match self.h.get(&self.key(suffix)) {
            None => Ok(default),
            Some(v) => match v.as_f64().map(|x| x as f32) {
                Some(x) if x.is_finite() => Ok(Some(x)),
                _ => Err(self.bad(suffix, format!("is not a finite number ({v})"))),
            },
        }
    }
}

impl ModelConfig {
    /// Reads the configuration from a GGUF header's metadata and tensor directory.
    ///
    /// Follows llama.cpp: head widths default to `hidden / n_heads`, KV heads to the query
    /// heads, the RoPE width to the key width, the RoPE base to 10 000. Gemma 3 with a
    /// non-zero `attention.sliding_window` slides on five of every six layers (all but
    /// layers 5, 11, …; `attention.sliding_window_pattern` overrides) with RoPE base
    /// `rope.freq_base_swa` (10 000 when absent), and caps the final logits when
    /// `final_logit_softcapping` is set. The output is tied to the embedding when
    /// `output.weight` is absent.
    pub fn from_gguf(h: &Header) -> Result<ModelConfig, TransformerError> {
        let name = h.architecture().unwrap_or("");
        let architecture = Architecture::from_name(name)
            .ok_or_else(|| TransformerError::UnsupportedArchitecture { architecture: name.to_owned() })?;
        let m = Meta { h, arch: architecture.name() };
        let n_layers = m.count("block_count")?;
        let hidden = m.count("embedding_length")?;
        let n_heads = m.count("attention.head_count")?;
        let n_kv_heads = m.count_or("attention.head_count_kv", Some(n_heads))?;
        let head_dim_k = m.count_or("attention.key_length", Some(hidden / n_heads))?;
        let head_dim_v = m.count_or("attention.value_length", Some(hidden / n_heads))?;
        let ffn = m.count("feed_forward_length")?;
        if !n_heads.is_multiple_of(n_kv_heads) {
            return Err(m.bad("attention.head_count_kv", format!("is {n_kv_heads}, not a divisor of {n_heads} heads")));
        }
        let rms_eps = m
            .float_or("attention.layer_norm_rms_epsilon", None)?
            .ok_or_else(|| TransformerError::MissingMetadata { key: m.key("attention.layer_norm_rms_epsilon") })?;
        let rope_dims = m.count_or("rope.dimension_count", Some(head_dim_k))?;
        if rope_dims > head_dim_k || !rope_dims.is_multiple_of(2) {
            return Err(m.bad("rope.dimension_count", format!("is {rope_dims}: must be even and at most {head_dim_k}")));
        }
        let rope_base = m.float_or("rope.freq_base", Some(DEFAULT_ROPE_BASE))?.unwrap_or(DEFAULT_ROPE_BASE);
        let rope_freq_scale = rope_freq_scale(&m)?;

        let embd = h
            .tensor("token_embd.weight")
            .ok_or(TransformerError::MissingTensor { name: "token_embd.weight".into() })?;
        let vocab = embd.dims.get(1).and_then(|&v| usize::try_from(v).ok()).filter(|&v| v > 0).ok_or_else(|| {
            TransformerError::BadShape {
                name: embd.name.clone(),
                expected: vec![hidden as u64, 0],
                found: embd.dims.clone(),
            }
        })?;
        let tied_output = h.tensor("output.weight").is_none();
        let qk_norm = h.tensor("blk.0.attn_q_norm.weight").is_some();

        let mut config = ModelConfig {
            architecture,
            n_layers,
            hidden,
            n_heads,
            n_kv_heads,
            head_dim_k,
            head_dim_v,
            ffn,
            vocab,
            rms_eps,
            rope_dims,
            rope_layout: RopeLayout::Neox,
            rope_base,
            rope_freq_scale,
            rope_base_local: rope_base,
            rope_freq_scale_local: rope_freq_scale,
            sliding_window: None,
            sliding_layers: vec![false; n_layers],
            attention_scale: 1.0 / (head_dim_v as f32).sqrt(),
            attention_scale_on_query: false,
            embedding_scale: None,
            qk_norm,
            tied_output,
            activation: Activation::Silu,
            post_norms: false,
            final_logit_softcap: None,
        };
        match architecture {
            Architecture::Llama => config.rope_layout = RopeLayout::Norm,
            Architecture::Qwen2 | Architecture::Qwen3 => {}
            Architecture::Gemma3 => gemma3(&m, &mut config)?,
        }
        Ok(config)
    }

    /// Whether layer `layer` attends through the sliding window.
    pub fn is_sliding(&self, layer: usize) -> bool {
        self.sliding_layers.get(layer).copied().unwrap_or(false)
    }

    /// `(RoPE base, position scale)` of layer `layer` (llama.cpp's `get_rope_freq_base` and
    /// `get_rope_freq_scale`).
    pub fn rope_for_layer(&self, layer: usize) -> (f32, f32) {
        if self.is_sliding(layer) {
            (self.rope_base_local, self.rope_freq_scale_local)
        } else {
            (self.rope_base, self.rope_freq_scale)
        }
    }

    /// Query heads that share one key/value head.
    pub fn group_size(&self) -> usize {
        self.n_heads / self.n_kv_heads.max(1)
    }

    /// Width of all query heads together.
    pub fn q_dim(&self) -> usize {
        self.n_heads * self.head_dim_k
    }

    /// Width of all key heads together (one cached key row).
    pub fn k_dim(&self) -> usize {
        self.n_kv_heads * self.head_dim_k
    }

    /// Width of all value heads together (one cached value row).
    pub fn v_dim(&self) -> usize {
        self.n_kv_heads * self.head_dim_v
    }
}

/// 1 / the linear RoPE scaling factor (`rope.scaling.factor`, or the older
/// `rope.scale_linear`), 1 without one; YaRN and LongRoPE are refused.
fn rope_freq_scale(m: &Meta<'_>) -> Result<f32, TransformerError> {
    if let Some(kind) = m.h.get_str(&m.key("rope.scaling.type")) {
        if !matches!(kind, "none" | "linear") {
            return Err(TransformerError::UnsupportedRopeScaling { kind: kind.to_owned() });
        }
    }
    let factor = match m.float_or("rope.scaling.factor", None)? {
        Some(f) => f,
        None => m.float_or("rope.scale_linear", Some(0.0))?.unwrap_or(0.0),
    };
    Ok(if factor == 0.0 { 1.0 } else { 1.0 / factor })
}

/// Gemma 3 (llama.cpp's `LLM_ARCH_GEMMA3` hparams and `llm_build_gemma3`).
fn gemma3(m: &Meta<'_>, c: &mut ModelConfig) -> Result<(), TransformerError> {
    c.activation = Activation::GeluTanh;
    c.post_norms = true;
    c.embedding_scale = Some((c.hidden as f32).sqrt());
    c.attention_scale_on_query = true;
    // query_pre_attn_scalar is not in the GGUF: llama.cpp uses the head width, except for
    // the 27B model (62 layers), which uses hidden / heads.
    let scalar = if c.n_layers == 62 { c.hidden / c.n_heads } else { c.head_dim_k };
    c.attention_scale = 1.0 / (scalar as f32).sqrt();
    let key = m.key("attention.sliding_window");
    let window = match (m.h.get(&key), m.h.get_u64(&key)) {
        (None, _) | (_, Some(0)) => None,
        _ => Some(m.count("attention.sliding_window")?),
    };
    if let Some(window) = window {
        c.sliding_window = Some(window);
        c.sliding_layers = swa_pattern(m, c.n_layers)?;
        c.rope_base_local =
            m.float_or("rope.freq_base_swa", Some(GEMMA3_LOCAL_ROPE_BASE))?.unwrap_or(GEMMA3_LOCAL_ROPE_BASE);
        c.rope_freq_scale_local = 1.0;
    }
    c.final_logit_softcap = m.float_or("final_logit_softcapping", None)?.filter(|&s| s != 0.0);
    Ok(())
}

/// Which layers slide, as llama.cpp's `load_swa_pattern`: a per-layer array of booleans in
/// `attention.sliding_window_pattern`, else a period `n` there (or 6) where the last layer
/// of each `n` attends globally (`n = 0`: every layer slides).
fn swa_pattern(m: &Meta<'_>, n_layers: usize) -> Result<Vec<bool>, TransformerError> {
    let suffix = "attention.sliding_window_pattern";
    let period = match m.h.get(&m.key(suffix)) {
        None => GEMMA3_SWA_PERIOD,
        Some(Value::Array(a)) => {
            let layers: Option<Vec<bool>> =
                a.head.iter().map(|v| if let Value::Bool(b) = v { Some(*b) } else { None }).collect();
            return match layers {
                Some(l) if l.len() == n_layers && a.len == n_layers as u64 => Ok(l),
                _ => Err(m.bad(
                    suffix,
                    format!("is not {n_layers} booleans read in full ({} kept of {})", a.head.len(), a.len),
                )),
            };
        }
        Some(v) => v.as_u64().and_then(|p| usize::try_from(p).ok()).ok_or_else(|| m.bad(suffix, format!("is {v}")))?,
    };
    Ok((0..n_layers).map(|l| period == 0 || l % period < period - 1).collect())
}
