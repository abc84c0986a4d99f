//! The few global efficiency parameters: how much of a device's peak the inference engine
//! reaches, per backend or device family (never per device name).
//!
//! They are fitted to LocalScore's published runs by [`crate::fit`] and stored in
//! `core/data/efficiency.json`; `roofline validate` reports how well they predict devices
//! left out of the fit.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::hardware::{GpuBackend, Isa};
use crate::runtime::Engine;

/// A device family sharing one set of efficiency parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// NVIDIA GPUs through CUDA.
    Cuda,
    /// AMD GPUs through ROCm/HIP.
    Rocm,
    /// Apple GPUs through Metal.
    Metal,
    /// Any GPU through Vulkan.
    Vulkan,
    /// Intel GPUs through SYCL.
    Sycl,
    /// x86-64 CPUs.
    CpuX86,
    /// Arm CPUs.
    CpuArm,
}

/// All families, in report order.
pub const ALL_FAMILIES: [Family; 7] =
    [Family::Cuda, Family::Rocm, Family::Metal, Family::Vulkan, Family::Sycl, Family::CpuX86, Family::CpuArm];

impl Family {
    /// Family of a GPU backend.
    pub fn of_gpu(backend: GpuBackend) -> Family {
        match backend {
            GpuBackend::Cuda => Family::Cuda,
            GpuBackend::Rocm => Family::Rocm,
            GpuBackend::Metal => Family::Metal,
            GpuBackend::Vulkan => Family::Vulkan,
            GpuBackend::Sycl => Family::Sycl,
        }
    }

    /// Family of a CPU.
    pub fn of_cpu(isa: Isa) -> Family {
        match isa {
            Isa::X86_64 => Family::CpuX86,
            Isa::Aarch64 => Family::CpuArm,
        }
    }

    /// Whether this is a CPU family.
    pub fn is_cpu(self) -> bool {
        matches!(self, Family::CpuX86 | Family::CpuArm)
    }

    /// Short name as in the JSON file.
    pub fn name(self) -> &'static str {
        match self {
            Family::Cuda => "cuda",
            Family::Rocm => "rocm",
            Family::Metal => "metal",
            Family::Vulkan => "vulkan",
            Family::Sycl => "sycl",
            Family::CpuX86 => "cpu_x86",
            Family::CpuArm => "cpu_arm",
        }
    }
}

/// Efficiency parameters of one family. Every figure is a fraction of a spec-sheet peak or
/// a latency; none is tied to a device.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyParams {
    /// Fraction of peak memory bandwidth reached while streaming weights (generation).
    pub bandwidth_efficiency: f64,
    /// Fraction of the matrix-unit peak reached in prompt processing (devices with matrix
    /// units; for CPUs, of the FP32 SIMD peak).
    pub matrix_efficiency: f64,
    /// Fraction of the vector FP16/FP32 peak reached in prompt processing on GPUs without
    /// matrix units.
    pub vector_efficiency: f64,
    /// Fraction of the vector FP32 peak reached by the matrix-vector kernels of generation
    /// (dequantisation included); binds when a device's ALUs, not its memory, limit
    /// generation.
    pub generation_compute_efficiency: f64,
    /// Fraction of the vector FP32 peak reached by attention in a generation step. LocalScore
    /// (and llama.cpp before flash attention became its default) computes a single token's
    /// attention without flash attention: per query head, a matrix-vector product of the
    /// cached keys (`QKᵀ`), a softmax and another over the cached values, kernels with a
    /// row or two of 64–128 elements per warp or thread that are bound by latency rather
    /// than by the bytes they read, so their time is `4 × h × d_head × context` FLOPs per
    /// block at this small fraction of the peak and grows with the context.
    #[serde(default = "default_attention_efficiency")]
    pub attention_efficiency: f64,
    /// Query tokens a GPU's flash-attention kernel processes per pass over the KV cache in
    /// prompt processing: the kernel tiles a micro-batch's queries and streams the cached
    /// keys and values once per tile, so a micro-batch of `n` tokens at depth `d` reads
    /// `ceil(n / tile) × KV bytes(d)`. llama.cpp's kernels take 8 to 64 query columns per
    /// tile depending on backend and GPU (a grouped-query head group shares one pass); on
    /// a GPU with modest bandwidth and a deep cache this traffic, not the FLOPs, bounds
    /// attention.
    #[serde(default = "default_attention_tile_tokens")]
    pub attention_tile_tokens: f64,
    /// Tokens per expert at which a GPU's mixture-of-experts matrix kernels reach half
    /// their large-batch rate. A prompt micro-batch of `n` tokens sends `n × k / E` of them
    /// to each of `E` experts (`k` active): a few dozen rows, too few to fill the tiles of
    /// a matrix kernel, so the routed experts' FLOPs run at
    /// `b / (b + h) ÷ (u / (u + h))` of the dense products' rate (`b` tokens per expert,
    /// `u` the micro-batch, `h` this).
    #[serde(default = "default_expert_half_batch_tokens")]
    pub expert_half_batch_tokens: f64,
    /// Fixed cost of one transformer block per step, µs: kernel launches on GPUs; on CPUs
    /// the cost per core of the threads synchronising after each operation (a block costs
    /// `cores ×` this).
    pub layer_latency_us: f64,
    /// Fixed cost of one step (graph build, sampling, host round trip), µs.
    pub step_latency_us: f64,
    /// Most bandwidth one CPU core can draw, GB/s (CPU families only; GPUs ignore it).
    pub core_bandwidth_gb_per_s: f64,
    /// Factor on the layer and step latencies on Windows (≥ 1): its GPU driver model
    /// submits kernels at a higher cost, and its scheduler wakes waiting threads later.
    #[serde(default = "default_windows_latency_factor")]
    pub windows_latency_factor: f64,
    /// Fraction of its spec-sheet bandwidth a laptop GPU sustains relative to a desktop
    /// part of its family: laptops run GPUs at lower power and often at lower memory clocks
    /// than the sheets give. (Laptop CPUs fitted with such a factor predicted devices left
    /// out of the fit worse, so CPUs have none.)
    #[serde(default = "default_laptop_efficiency")]
    pub laptop_efficiency: f64,
    /// Spread of fitted-out-of-sample errors: the 10th and 90th percentile of
    /// measured ÷ predicted for generation speed.
    pub band_generation: [f64; 2],
    /// The same for prompt processing speed.
    pub band_prompt: [f64; 2],
}

impl FamilyParams {
    /// Starting values before fitting, from public rules of thumb: GPUs stream at ~75 % of
    /// peak bandwidth, CPUs at ~60 %; matrix kernels reach ~35 % of peak.
    pub fn prior(family: Family) -> FamilyParams {
        let cpu = family.is_cpu();
        FamilyParams {
            bandwidth_efficiency: if cpu { 0.6 } else { 0.75 },
            matrix_efficiency: if cpu { 0.3 } else { 0.35 },
            vector_efficiency: 0.5,
            generation_compute_efficiency: 0.1,
            attention_efficiency: default_attention_efficiency(),
            attention_tile_tokens: default_attention_tile_tokens(),
            expert_half_batch_tokens: default_expert_half_batch_tokens(),
            layer_latency_us: if cpu { 1.0 } else { 40.0 },
            step_latency_us: 500.0,
            core_bandwidth_gb_per_s: 12.0,
            windows_latency_factor: default_windows_latency_factor(),
            laptop_efficiency: default_laptop_efficiency(),
            band_generation: [0.8, 1.2],
            band_prompt: [0.7, 1.3],
        }
    }
}

/// Prior of [`FamilyParams::attention_efficiency`] (also what parameter files written
/// before it existed get): a few per cent of the vector peak.
fn default_attention_efficiency() -> f64 {
    0.05
}

/// Prior of [`FamilyParams::attention_tile_tokens`]: a middle value of llama.cpp's tiles.
fn default_attention_tile_tokens() -> f64 {
    32.0
}

/// Prior of [`FamilyParams::expert_half_batch_tokens`]: a matrix kernel's tile of rows.
fn default_expert_half_batch_tokens() -> f64 {
    32.0
}

/// Prior of [`FamilyParams::windows_latency_factor`]: no difference from Linux.
fn default_windows_latency_factor() -> f64 {
    1.0
}

/// Prior of [`FamilyParams::laptop_efficiency`]: laptops as fast as the spec sheet.
fn default_laptop_efficiency() -> f64 {
    1.0
}

/// An engine's profile against the reference engine (LocalScore, whose runs fit the
/// families): factors on a GPU's sustained rates. CPUs keep the families' rates under
/// every engine (no source measures another engine on CPUs yet).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineFactors {
    /// Factor on a GPU's sustained matrix throughput (prompt processing).
    pub compute_factor: f64,
    /// Factor on a GPU's sustained bandwidth (generation).
    pub bandwidth_factor: f64,
    /// A GPU's fixed cost per block and step under this engine, µs, replacing its family's
    /// (`None`: the family's). The fixed costs are the engine's more than the backend's:
    /// how it builds the step's graph, launches kernels (llama.cpp replays a step as one
    /// CUDA or HIP graph) and synchronises with the host; the families' latencies describe
    /// LocalScore's llamafile builds, each of which issued its backend's kernels its own way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_latency_us: Option<f64>,
    /// The same for the fixed cost of a step, µs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_latency_us: Option<f64>,
}

impl EngineFactors {
    /// The reference engine's: no change.
    pub const ONE: EngineFactors =
        EngineFactors { compute_factor: 1.0, bandwidth_factor: 1.0, layer_latency_us: None, step_latency_us: None };
}

/// The full parameter set: one [`FamilyParams`] per family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Efficiency {
    /// What the parameters were fitted on.
    pub fitted_on: String,
    /// Parameters per family.
    pub families: BTreeMap<Family, FamilyParams>,
    /// Bandwidth factor per GPU architecture (`GpuSpec::architecture`), where the data
    /// single one out: the fraction of its family's sustained bandwidth it reaches.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub architectures: BTreeMap<String, f64>,
    /// Each engine's profile where one was fitted; an engine without one runs at the
    /// reference's rates.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub engines: BTreeMap<Engine, EngineFactors>,
}

/// The fitted parameters shipped with the estimator.
const FITTED_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/efficiency.json"));

impl Efficiency {
    /// Priors for every family.
    pub fn priors() -> Efficiency {
        Efficiency {
            fitted_on: "priors".to_owned(),
            families: ALL_FAMILIES.iter().map(|&f| (f, FamilyParams::prior(f))).collect(),
            architectures: BTreeMap::new(),
            engines: BTreeMap::new(),
        }
    }

    /// The shipped, fitted parameters (priors fill any family the file lacks).
    pub fn fitted() -> Efficiency {
        let mut eff = serde_json::from_str::<Efficiency>(FITTED_JSON).unwrap_or_else(|_| Efficiency::priors());
        for f in ALL_FAMILIES {
            eff.families.entry(f).or_insert_with(|| FamilyParams::prior(f));
        }
        eff
    }

    /// The profile of `engine` ([`EngineFactors::ONE`] where none was fitted).
    pub fn engine(&self, engine: Engine) -> EngineFactors {
        self.engines.get(&engine).copied().unwrap_or(EngineFactors::ONE)
    }

    /// Parameters of `family`.
    pub fn get(&self, family: Family) -> FamilyParams {
        self.families.get(&family).copied().unwrap_or_else(|| FamilyParams::prior(family))
    }
}
