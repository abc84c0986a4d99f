//! Memory per device: weights, KV cache, compute buffers and runtime overhead against
//! capacity.

use serde::Serialize;

use super::devices::{Device, DeviceKind};
use super::plan::DeviceLoad;
use crate::efficiency::Family;
use crate::model::ModelSpec;
use crate::workload::Workload;

/// Tokens llama.cpp processes per prompt step (`n_ubatch` default).
pub const UBATCH_TOKENS: u32 = 512;

/// Tokens llama.cpp hands to one decode call (its default `n_batch`): the micro-batches of
/// one call can overlap across the GPUs of a layer split.
pub const BATCH_TOKENS: u32 = 2048;

const GB: f64 = 1e9;

/// Memory use of one device, GB.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceMemory {
    /// `CPU`, `GPU 0`, ...
    pub device: String,
    /// Weights stored on the device, GB.
    pub weights_gb: f64,
    /// KV cache of the blocks on the device, GB:
    /// `Σ_layers cached_tokens × kv_elements_per_token × bytes_per_element × batch`.
    pub kv_cache_gb: f64,
    /// Activation and logits buffers, GB:
    /// `ubatch × 4 B × (2 d + 2 d_ff + vocab if the output runs here)`.
    pub compute_buffers_gb: f64,
    /// Runtime overhead (driver context, process), GB.
    pub overhead_gb: f64,
    /// Sum of the above, GB.
    pub total_gb: f64,
    /// What the device may use, GB.
    pub capacity_gb: f64,
    /// `total ≤ capacity`.
    pub fits: bool,
}

/// Runtime overhead by family, GB: a CUDA/ROCm/SYCL/Vulkan context takes about 0.4 GB of
/// VRAM, Metal about 0.1 GB, the host process about 0.15 GB.
pub fn overhead_gb(family: Family) -> f64 {
    match family {
        Family::Cuda | Family::Rocm | Family::Sycl | Family::Vulkan => 0.4,
        Family::Metal => 0.1,
        Family::CpuX86 | Family::CpuArm => 0.15,
    }
}

/// Tokens the KV cache of `layer` holds: the full context, or the window on local layers.
pub fn cached_tokens(model: &ModelSpec, layer: u32, context: f64) -> f64 {
    model.attended_tokens(layer, context)
}

/// KV bytes stored for `layers` at `context` tokens, one sequence.
pub fn kv_bytes(model: &ModelSpec, layers: &[u32], context: f64, bytes_per_element: f64) -> f64 {
    layers
        .iter()
        .map(|&l| cached_tokens(model, l, context) * model.kv_elements_per_token(l) as f64 * bytes_per_element)
        .fold(0.0, |a, b| a + b)
}

/// Memory of every used device.
pub fn memory(model: &ModelSpec, workload: &Workload, devices: &[Device], loads: &[DeviceLoad]) -> Vec<DeviceMemory> {
    let context = workload.kv_context_tokens() as f64;
    let elem = workload.kv_type.bytes_per_element();
    let ff = f64::from(model.moe.map_or(model.ffn_size, |m| m.expert_ffn_size.max(model.ffn_size)));
    let d = f64::from(model.hidden_size);
    let ubatch = f64::from(UBATCH_TOKENS.min(workload.prompt_tokens.saturating_mul(workload.batch).max(1)));
    devices
        .iter()
        .zip(loads)
        .filter(|(dev, load)| load.is_used() || dev.kind == DeviceKind::Cpu)
        .map(|(dev, load)| {
            let weights_gb = load.weight_bytes / GB;
            let kv_cache_gb = kv_bytes(model, &load.layers, context, elem) * f64::from(workload.batch) / GB;
            let mut buffer_elems = 2.0 * d + 2.0 * ff;
            if load.has_output {
                buffer_elems += f64::from(model.vocab_size);
            }
            let compute_buffers_gb =
                if load.layers.is_empty() && !load.has_output { 0.0 } else { ubatch * 4.0 * buffer_elems / GB };
            let overhead_gb = overhead_gb(dev.family);
            let total_gb = weights_gb + kv_cache_gb + compute_buffers_gb + overhead_gb;
            DeviceMemory {
                device: dev.label.clone(),
                weights_gb,
                kv_cache_gb,
                compute_buffers_gb,
                overhead_gb,
                total_gb,
                capacity_gb: dev.capacity_gb,
                fits: total_gb <= dev.capacity_gb,
            }
        })
        .collect()
}
