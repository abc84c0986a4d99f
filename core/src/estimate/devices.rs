//! The devices of a machine with their effective rates: spec-sheet peaks scaled by the
//! family's fitted efficiencies.

use serde::Serialize;

use crate::efficiency::{Efficiency, Family};
use crate::system::System;
use crate::workload::{Os, Workload};

/// CPU or GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// The host CPU.
    Cpu,
    /// One GPU.
    Gpu,
}

/// One device and what it can sustain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Device {
    /// `CPU`, `GPU 0`, `GPU 1`, ...
    pub label: String,
    /// CPU or GPU.
    pub kind: DeviceKind,
    /// Efficiency family.
    pub family: Family,
    /// Spec-sheet memory bandwidth, GB/s.
    pub peak_bandwidth_gb_per_s: f64,
    /// Sustained bandwidth while streaming weights, GB/s:
    /// GPU `peak × bandwidth_efficiency`; CPU `min(peak × bandwidth_efficiency,
    /// cores × core_bandwidth)`; a laptop GPU's (`mobile`) also `× laptop_efficiency`.
    pub bandwidth_gb_per_s: f64,
    /// Compute peak used by the matrix kernels, GFLOP/s (GPU: matrix units or vector
    /// FP16/FP32; CPU: [`crate::hardware::CpuSpec::engine_fp32_gflops`]).
    pub peak_gflops: f64,
    /// Sustained matrix throughput, GFLOP/s: `peak × matrix_efficiency` (or
    /// `vector_efficiency` on GPUs without matrix units; a CPU's also × its
    /// `quantized_dot_share`, as is its generation rate).
    pub gflops: f64,
    /// Sustained matrix-vector throughput of generation, GFLOP/s:
    /// `vector FP32 peak × generation_compute_efficiency`.
    pub generation_gflops: f64,
    /// Sustained rate of a generation step's attention (one query token), GFLOP/s:
    /// without flash attention `vector FP32 peak × attention_efficiency` (latency-bound
    /// kernels, see [`crate::efficiency::FamilyParams::attention_efficiency`]); with it the
    /// fused kernel streams the cache like any matrix-vector product, at the larger of that
    /// and the generation rate (`× generation_compute_efficiency`).
    pub attention_gflops: f64,
    /// Prompt processing's passes over the KV cache: a GPU's flash-attention tile
    /// ([`crate::efficiency::FamilyParams::attention_tile_tokens`]) or, without flash
    /// attention, the score matrix written and read back; `None` on a CPU, whose attention
    /// works from its caches.
    pub prompt_attention: Option<PromptAttention>,
    /// Tokens per expert at which the routed experts' matrix kernels reach half their
    /// rate ([`crate::efficiency::FamilyParams::expert_half_batch_tokens`]); 0 on a CPU,
    /// whose kernels work row by row.
    pub expert_half_batch_tokens: f64,
    /// Fixed cost per block per step, s: GPU `layer_latency` (× the family's
    /// `windows_latency_factor` on Windows; the engine's own where it has one); CPU `cores × layer_latency` (threads
    /// synchronising after every operation).
    pub layer_latency_s: f64,
    /// Fixed cost per step, s (a GPU's × `windows_latency_factor` on Windows; the engine's
    /// own where it has one).
    pub step_latency_s: f64,
    /// Memory this device may use, GB.
    pub capacity_gb: f64,
    /// Host link bandwidth, GB/s (discrete GPUs only).
    pub link_gb_per_s: Option<f64>,
}

/// The fitted factors on a GPU's sustained bandwidth beyond its family's efficiency;
/// `None` where one does not apply. A calibrated machine's measured rates already are
/// what its GPU sustains, so it gets neither.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpuBandwidthFactors {
    /// A laptop GPU's `laptop_efficiency`.
    pub laptop: Option<f64>,
    /// Its architecture's factor, where one was fitted.
    pub architecture: Option<f64>,
}

impl GpuBandwidthFactors {
    /// The factors of `system`'s GPU (none without one).
    pub fn of(system: &System, eff: &Efficiency) -> GpuBandwidthFactors {
        let none = GpuBandwidthFactors { laptop: None, architecture: None };
        match &system.gpu {
            Some(gpu) if system.measured.is_none() => GpuBandwidthFactors {
                laptop: gpu.mobile.then(|| eff.get(Family::of_gpu(gpu.backend)).laptop_efficiency),
                architecture: eff.architectures.get(&gpu.architecture).copied(),
            },
            _ => none,
        }
    }

    /// Both factors multiplied (1 where none applies).
    pub fn product(&self) -> f64 {
        self.laptop.unwrap_or(1.0) * self.architecture.unwrap_or(1.0)
    }
}

/// How a GPU's prompt attention moves memory beyond the weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum PromptAttention {
    /// Flash attention: the cached keys and values are streamed once per tile of
    /// `tile_tokens` query tokens.
    Flash {
        /// Query tokens per pass over the cache.
        tile_tokens: f64,
    },
    /// Without flash attention: the keys and values are read once by a matrix product,
    /// and the score matrix (`heads × tokens × context`, F32) is written, read and written
    /// by the softmax and read by the product with the values.
    Scores,
}

/// The CPU (index 0) followed by each GPU, for `workload`'s runtime: its operating system,
/// engine (a GPU's rates × the engine's [`crate::efficiency::EngineFactors`]) and flash
/// attention.
pub fn devices(system: &System, eff: &Efficiency, workload: &Workload) -> Vec<Device> {
    let os = workload.os;
    let flash = workload.flash_attention_on();
    let engine = eff.engine(workload.engine);
    let cpu_family = Family::of_cpu(system.cpu.isa);
    let cp = eff.get(cpu_family);
    let cpu_peak_bw = system.memory.peak_bandwidth_gb_per_s();
    let cores = f64::from(system.cpu.performance_cores.max(1));
    let cpu_peak_gflops = system.cpu.engine_fp32_gflops();
    let mut out = vec![Device {
        label: "CPU".to_owned(),
        kind: DeviceKind::Cpu,
        family: cpu_family,
        peak_bandwidth_gb_per_s: cpu_peak_bw,
        bandwidth_gb_per_s: (cpu_peak_bw * cp.bandwidth_efficiency).min(cores * cp.core_bandwidth_gb_per_s),
        peak_gflops: cpu_peak_gflops,
        gflops: cpu_peak_gflops * cp.matrix_efficiency * system.cpu.quantized_dot_share(),
        generation_gflops: cpu_peak_gflops * cp.generation_compute_efficiency * system.cpu.quantized_dot_share(),
        attention_gflops: cpu_peak_gflops
            * if flash {
                cp.attention_efficiency.max(cp.generation_compute_efficiency * system.cpu.quantized_dot_share())
            } else {
                cp.attention_efficiency
            },
        // Every operation of a block ends at a barrier all threads pass (one per core), and
        // each thread's arrival costs a cache-line transfer: the block's cost grows with cores.
        prompt_attention: None,
        expert_half_batch_tokens: 0.0,
        layer_latency_s: cp.layer_latency_us * cores * 1e-6,
        step_latency_s: cp.step_latency_us * 1e-6,
        capacity_gb: system.host_usable_gb(),
        link_gb_per_s: None,
    }];
    if let Some(gpu) = &system.gpu {
        let family = Family::of_gpu(gpu.backend);
        let p = eff.get(family);
        let os_factor = if os == Os::Windows { p.windows_latency_factor } else { 1.0 };
        let factors = GpuBandwidthFactors::of(system, eff).product();
        let peak_gflops = gpu.matrix_tflops() * 1e3;
        let compute_eff = if gpu.has_matrix_units() { p.matrix_efficiency } else { p.vector_efficiency };
        // An engine with a profile of its own reaches fractions of the sheet's bandwidth and
        // FP32 peak; any other scales its backend family's rates.
        let (bandwidth_gb_per_s, gflops) = if workload.engine.own_profile() {
            (factors * gpu.bandwidth_gb_per_s * engine.bandwidth_factor, gpu.fp32_tflops * 1e3 * engine.compute_factor)
        } else {
            (
                factors * gpu.bandwidth_gb_per_s * p.bandwidth_efficiency * engine.bandwidth_factor,
                peak_gflops * compute_eff * engine.compute_factor,
            )
        };
        for i in 0..system.gpu_count.max(1) {
            out.push(Device {
                label: format!("GPU {i}"),
                kind: DeviceKind::Gpu,
                family,
                peak_bandwidth_gb_per_s: gpu.bandwidth_gb_per_s,
                bandwidth_gb_per_s,
                peak_gflops,
                gflops,
                generation_gflops: gpu.fp32_tflops * 1e3 * p.generation_compute_efficiency,
                attention_gflops: gpu.fp32_tflops
                    * 1e3
                    * if flash {
                        p.attention_efficiency.max(p.generation_compute_efficiency)
                    } else {
                        p.attention_efficiency
                    },
                prompt_attention: Some(if flash {
                    PromptAttention::Flash { tile_tokens: p.attention_tile_tokens.max(1.0) }
                } else {
                    PromptAttention::Scores
                }),
                expert_half_batch_tokens: p.expert_half_batch_tokens,
                layer_latency_s: engine.layer_latency_us.unwrap_or(p.layer_latency_us) * 1e-6 * os_factor,
                step_latency_s: engine.step_latency_us.unwrap_or(p.step_latency_us) * 1e-6 * os_factor,
                capacity_gb: system.gpu_capacity_gb(),
                link_gb_per_s: if system.unified.is_some() { None } else { gpu.pcie_gb_per_s() },
            });
        }
    }
    out
}
