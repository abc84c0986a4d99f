//! What is asked of the machine: prompt and output lengths, batch, context, KV cache type,
//! where the layers live, and optional cold start and speculative decoding.

use serde::{Deserialize, Serialize};

use crate::hardware::GpuBackend;
use crate::runtime::{Engine, FlashAttention};

/// Element type of the KV cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KvType {
    /// 16-bit floats: 2 bytes per element.
    F16,
    /// Q8_0 blocks: 34 bytes per 32 elements (1.0625 bytes).
    Q8_0,
    /// Q4_0 blocks: 18 bytes per 32 elements (0.5625 bytes).
    Q4_0,
}

impl KvType {
    /// Bytes per cached element.
    pub fn bytes_per_element(self) -> f64 {
        match self {
            KvType::F16 => 2.0,
            KvType::Q8_0 => 34.0 / 32.0,
            KvType::Q4_0 => 18.0 / 32.0,
        }
    }

    /// Parses `f16`, `q8_0`, `q4_0` (case-insensitive).
    pub fn parse(text: &str) -> Option<KvType> {
        match text.trim().to_ascii_lowercase().as_str() {
            "f16" => Some(KvType::F16),
            "q8_0" | "q8" => Some(KvType::Q8_0),
            "q4_0" | "q4" => Some(KvType::Q4_0),
            _ => None,
        }
    }

    /// Name as llama.cpp's `--cache-type-k` takes it.
    pub fn name(self) -> &'static str {
        match self {
            KvType::F16 => "f16",
            KvType::Q8_0 => "q8_0",
            KvType::Q4_0 => "q4_0",
        }
    }
}

/// Where the model's layers live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode", content = "layers")]
pub enum Placement {
    /// Everything on the GPU(s) when it fits, else as many layers as fit; CPU without GPU.
    Auto,
    /// Everything on the CPU, even when a GPU exists (`--gpu-layers 0`).
    CpuOnly,
    /// Every layer on the GPU(s), whether or not it fits.
    GpuOnly,
    /// The last `n` blocks on the GPU(s) (llama.cpp `-ngl n`), the rest on the CPU.
    GpuLayers(u32),
    /// All blocks on the GPU(s) except routed experts, which stay on the CPU (`--cpu-moe`).
    ExpertsOnCpu,
}

/// Speculative decoding with a draft model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Speculative {
    /// Catalog id of the draft model.
    pub draft_model_id: String,
    /// Tokens drafted per verification step.
    pub draft_tokens: u32,
    /// Probability that the target accepts one drafted token (0–1).
    pub acceptance_rate: f64,
}

/// A workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workload {
    /// Prompt tokens per sequence.
    pub prompt_tokens: u32,
    /// Generated tokens per sequence.
    pub gen_tokens: u32,
    /// Sequences processed together.
    pub batch: u32,
    /// Tokens already in the KV cache before the prompt (a conversation so far).
    pub context_depth: u32,
    /// Context the KV cache is allocated for, tokens; `None` = depth + prompt + output.
    pub context_tokens: Option<u32>,
    /// KV cache element type.
    pub kv_type: KvType,
    /// Layer placement.
    pub placement: Placement,
    /// Weights read from disk first at this speed, GB/s (`None` = already resident).
    pub cold_start_disk_gb_per_s: Option<f64>,
    /// Speculative decoding, if used.
    pub speculative: Option<Speculative>,
    /// Operating system the engine runs on.
    #[serde(default, skip_serializing_if = "Os::is_default")]
    pub os: Os,
    /// The GPU backend llama.cpp runs on; `None` is the GPU's catalog default (what most
    /// people run on it: CUDA on NVIDIA, Metal on Apple, ROCm on AMD's data-centre and
    /// APU entries). Its family's fitted parameters then predict the GPU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<GpuBackend>,
    /// The inference engine (llama.cpp by default).
    #[serde(default, skip_serializing_if = "Engine::is_default")]
    pub engine: Engine,
    /// Flash attention (by default what the engine does on its own).
    #[serde(default, skip_serializing_if = "FlashAttention::is_default")]
    pub flash_attention: FlashAttention,
}

/// Operating system the engine runs on. On Windows a GPU's kernel launches and the host's
/// share of each step cost more than on Linux or macOS (the GPU driver model; LocalScore's
/// own notes say its Windows runs are slower), so a GPU's fixed latencies are scaled by its
/// family's fitted `windows_latency_factor`. CPU-only runs show no such difference in the
/// measured data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Os {
    /// Linux, macOS, the BSDs: what the fitted latencies describe.
    #[default]
    Linux,
    /// Windows.
    Windows,
}

impl Os {
    /// Every operating system, in display order.
    pub const ALL: [Os; 2] = [Os::Linux, Os::Windows];

    /// `true` for the default, [`Os::Linux`].
    pub fn is_default(&self) -> bool {
        *self == Os::Linux
    }

    /// Short id (`linux`, `windows`), as the CLI and share links write it.
    pub fn id(self) -> &'static str {
        match self {
            Os::Linux => "linux",
            Os::Windows => "windows",
        }
    }

    /// Name for people.
    pub fn label(self) -> &'static str {
        match self {
            Os::Linux => "Linux / macOS",
            Os::Windows => "Windows",
        }
    }

    /// Parses an id, case-insensitively (`macos` is read as [`Os::Linux`]'s group).
    pub fn parse(text: &str) -> Option<Os> {
        match text.trim().to_ascii_lowercase().as_str() {
            "linux" | "macos" | "mac" | "darwin" | "bsd" | "freebsd" => Some(Os::Linux),
            "windows" | "win" => Some(Os::Windows),
            _ => None,
        }
    }
}

impl Default for Workload {
    fn default() -> Self {
        Workload {
            prompt_tokens: 1024,
            gen_tokens: 256,
            batch: 1,
            context_depth: 0,
            context_tokens: None,
            kv_type: KvType::F16,
            placement: Placement::Auto,
            cold_start_disk_gb_per_s: None,
            speculative: None,
            os: Os::Linux,
            backend: None,
            engine: Engine::LlamaCpp,
            flash_attention: FlashAttention::Auto,
        }
    }
}

/// Documented input ranges; values outside are rejected by [`Workload::validate`].
pub mod limits {
    /// Most prompt tokens accepted.
    pub const MAX_PROMPT_TOKENS: u32 = 1_048_576;
    /// Most generated tokens accepted.
    pub const MAX_GEN_TOKENS: u32 = 1_048_576;
    /// Largest batch accepted.
    pub const MAX_BATCH: u32 = 1024;
    /// Largest context accepted, tokens.
    pub const MAX_CONTEXT_TOKENS: u32 = 4_194_304;
    /// Longest speculative draft.
    pub const MAX_DRAFT_TOKENS: u32 = 64;
}

/// A workload value outside its documented range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field} must be {expected}, got {got}")]
pub struct WorkloadError {
    /// Field name.
    pub field: &'static str,
    /// The accepted range in words.
    pub expected: String,
    /// The value given.
    pub got: String,
}

impl Workload {
    /// Whether attention runs as flash attention: the workload's setting, or its engine's
    /// default under `auto`.
    pub fn flash_attention_on(&self) -> bool {
        self.flash_attention.enabled(self.engine)
    }

    /// Context the KV cache holds, tokens: the explicit size (at least depth + prompt +
    /// output, which [`Workload::validate`] enforces), or depth + prompt + output.
    pub fn kv_context_tokens(&self) -> u64 {
        let needed = u64::from(self.context_depth) + u64::from(self.prompt_tokens) + u64::from(self.gen_tokens);
        self.context_tokens.map_or(needed, |c| u64::from(c).max(needed))
    }

    /// Checks every field against [`limits`].
    pub fn validate(&self) -> Result<(), WorkloadError> {
        fn check(field: &'static str, value: u32, lo: u32, hi: u32) -> Result<(), WorkloadError> {
            if value < lo || value > hi {
                return Err(WorkloadError {
                    field,
                    expected: format!("between {lo} and {hi}"),
                    got: value.to_string(),
                });
            }
            Ok(())
        }
        check("prompt tokens", self.prompt_tokens, 1, limits::MAX_PROMPT_TOKENS)?;
        check("generated tokens", self.gen_tokens, 0, limits::MAX_GEN_TOKENS)?;
        check("batch", self.batch, 1, limits::MAX_BATCH)?;
        check("context depth", self.context_depth, 0, limits::MAX_CONTEXT_TOKENS)?;
        if let Some(c) = self.context_tokens {
            let needed = u64::from(self.context_depth) + u64::from(self.prompt_tokens) + u64::from(self.gen_tokens);
            let needed = u32::try_from(needed).unwrap_or(u32::MAX).min(limits::MAX_CONTEXT_TOKENS);
            check("context", c, needed, limits::MAX_CONTEXT_TOKENS)?;
        }
        if let Some(d) = self.cold_start_disk_gb_per_s {
            if !(d.is_finite() && d > 0.0 && d <= 1000.0) {
                return Err(WorkloadError {
                    field: "disk read speed",
                    expected: "between 0 and 1000 GB/s".into(),
                    got: d.to_string(),
                });
            }
        }
        if let Some(s) = &self.speculative {
            check("draft tokens", s.draft_tokens, 1, limits::MAX_DRAFT_TOKENS)?;
            if !(s.acceptance_rate.is_finite() && (0.0..=1.0).contains(&s.acceptance_rate)) {
                return Err(WorkloadError {
                    field: "acceptance rate",
                    expected: "between 0 and 1".into(),
                    got: s.acceptance_rate.to_string(),
                });
            }
        }
        Ok(())
    }
}
