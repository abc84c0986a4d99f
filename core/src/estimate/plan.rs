//! Which weights live on which device, and what each device reads and computes per token.

use serde::Serialize;

use crate::model::ModelSpec;
use crate::quant::{QuantScheme, TensorRole};

/// The weights one device holds and the per-token work they imply.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeviceLoad {
    /// Transformer blocks whose attention runs here.
    pub layers: Vec<u32>,
    /// How many of those use sliding-window attention.
    pub local_layers: u32,
    /// Resident weight bytes (everything stored here).
    pub weight_bytes: f64,
    /// Weight bytes read per generated token outside routed experts.
    pub dense_read_bytes: f64,
    /// Resident routed-expert bytes.
    pub expert_bytes: f64,
    /// Fraction of routed-expert bytes one token reads (`active / experts`).
    pub expert_active_fraction: f64,
    /// Matrix FLOPs per token, `2 ×` the weights a token multiplies (active experts only).
    pub flops_per_token: f64,
    /// The part of [`DeviceLoad::flops_per_token`] in routed experts.
    pub expert_flops_per_token: f64,
    /// Whether the output projection runs here.
    pub has_output: bool,
}

impl DeviceLoad {
    /// Whether this device does any work.
    pub fn is_used(&self) -> bool {
        self.weight_bytes > 0.0 || !self.layers.is_empty()
    }

    /// Routed-expert bytes read by `tokens` tokens processed together: each expert is read
    /// once if any token picks it, so the share is `1 − (1 − a)^tokens` with `a` the active
    /// fraction.
    pub fn expert_read_bytes(&self, tokens: f64) -> f64 {
        if self.expert_bytes == 0.0 {
            return 0.0;
        }
        let untouched = (1.0 - self.expert_active_fraction).max(0.0).powf(tokens.max(1.0));
        self.expert_bytes * (1.0 - untouched)
    }
}

/// Where each block goes: `gpu_of_layer[i]` is the GPU index for block `i`, or `None` for
/// the CPU; `experts_on_cpu` keeps routed experts on the CPU.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerMap {
    /// Device of each block (`None` = CPU).
    pub gpu_of_layer: Vec<Option<u32>>,
    /// Routed experts stay on the CPU.
    pub experts_on_cpu: bool,
}

impl LayerMap {
    /// The last `gpu_layers` blocks on `gpus` GPUs (split evenly, in order), like
    /// llama.cpp's `-ngl`; the rest on the CPU.
    pub fn last_on_gpu(layers: u32, gpu_layers: u32, gpus: u32, experts_on_cpu: bool) -> LayerMap {
        let on_gpu = gpu_layers.min(layers);
        let first_gpu_layer = layers - on_gpu;
        let gpus = gpus.max(1);
        let gpu_of_layer = (0..layers)
            .map(|i| {
                if i < first_gpu_layer {
                    None
                } else {
                    let k = u64::from(i - first_gpu_layer) * u64::from(gpus) / u64::from(on_gpu.max(1));
                    Some(k as u32)
                }
            })
            .collect();
        LayerMap { gpu_of_layer, experts_on_cpu }
    }

    /// Blocks on any GPU.
    pub fn gpu_layer_count(&self) -> u32 {
        self.gpu_of_layer.iter().filter(|d| d.is_some()).count() as u32
    }
}

/// Splits the model over the CPU (index 0) and `gpus` GPUs (indices 1..).
///
/// The token embedding stays in host memory (llama.cpp keeps it there); the output
/// projection goes with the last block.
pub fn plan(model: &ModelSpec, quant: QuantScheme, map: &LayerMap, gpus: u32) -> Vec<DeviceLoad> {
    let mut loads = vec![DeviceLoad::default(); 1 + gpus as usize];
    let device_of = |gpu: Option<u32>| match gpu {
        Some(g) if gpus > 0 => 1 + g.min(gpus - 1) as usize,
        _ => 0,
    };
    let n = model.layers;
    for layer in 0..n {
        let home = device_of(map.gpu_of_layer.get(layer as usize).copied().flatten());
        loads[home].layers.push(layer);
        if model.is_local_layer(layer) {
            loads[home].local_layers += 1;
        }
        for t in model.layer_tensors(layer) {
            let ty = quant.tensor_type(t.role, layer, n);
            let bytes = ty.size_bytes(t.elements);
            let is_expert = matches!(t.role, TensorRole::ExpertUp | TensorRole::ExpertDown);
            let dev = if is_expert && map.experts_on_cpu { 0 } else { home };
            let load = &mut loads[dev];
            load.weight_bytes += bytes;
            load.flops_per_token += 2.0 * t.elements as f64 * t.active_fraction;
            if is_expert {
                load.expert_flops_per_token += 2.0 * t.elements as f64 * t.active_fraction;
                load.expert_bytes += bytes;
                load.expert_active_fraction = t.active_fraction;
            } else {
                load.dense_read_bytes += bytes;
            }
        }
    }
    let output_role = TensorRole::Output;
    let emb = model.embedding_elements();
    let output_type = quant.tensor_type(output_role, n, n);
    let last = device_of(map.gpu_of_layer.last().copied().flatten());
    let embedding_type =
        if model.tied_embeddings { output_type } else { quant.tensor_type(TensorRole::Embedding, 0, n) };
    loads[0].weight_bytes += embedding_type.size_bytes(emb);
    let out = &mut loads[last];
    out.has_output = true;
    out.flops_per_token += 2.0 * emb as f64;
    out.dense_read_bytes += output_type.size_bytes(emb);
    if !model.tied_embeddings || last != 0 {
        out.weight_bytes += output_type.size_bytes(emb);
    }
    loads
}

/// Total weight bytes of the model in `quant` (file size without metadata).
pub fn model_bytes(model: &ModelSpec, quant: QuantScheme) -> f64 {
    let map = LayerMap::last_on_gpu(model.layers, 0, 1, false);
    let loads = plan(model, quant, &map, 0);
    loads.iter().map(|l| l.weight_bytes).sum()
}
