//! Time per step: prompt processing in micro-batches and generation one token at a time.
//!
//! Each device's share of a prompt micro-batch is a roofline,
//! `max(bytes / sustained_bandwidth, FLOPs / sustained_compute) + blocks × layer_latency`;
//! its share of a generation step adds the two instead,
//! `bytes / sustained_bandwidth + FLOPs / generation_compute + attention FLOPs /
//! attention_rate + blocks × layer_latency` (batch-1 matrix-vector kernels hide little of
//! their dequantising arithmetic under the weight stream; attention over the cache without
//! flash attention runs latency-bound kernels whose time grows with the context). The devices run one after another (llama.cpp's layer split pipelines a single
//! sequence through them). The step adds the primary device's fixed step latency.

use serde::Serialize;

use super::devices::{Device, DeviceKind, PromptAttention};
use super::memory::{BATCH_TOKENS, UBATCH_TOKENS};
use super::plan::DeviceLoad;
use crate::model::ModelSpec;

/// Steps sampled when summing a long generation.
pub const GENERATION_SAMPLES: u32 = 16;

/// What bounds a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// Arithmetic throughput.
    Compute,
    /// Memory bandwidth.
    MemoryBandwidth,
    /// Fixed per-step and per-block latencies (kernel launches, synchronisation).
    Latency,
    /// Weights crossing the PCIe link.
    Pcie,
    /// Reading the weights from disk (cold start).
    Disk,
}

impl Bound {
    /// The bound in words.
    pub fn describe(self) -> &'static str {
        match self {
            Bound::Compute => "compute: arithmetic throughput limits it",
            Bound::MemoryBandwidth => "memory bandwidth: streaming weights and KV cache limits it",
            Bound::Latency => "latency: fixed per-step costs (kernel launches, synchronisation) dominate",
            Bound::Pcie => "PCIe: weights crossing the host link limit it",
            Bound::Disk => "disk: loading the weights from storage dominates",
        }
    }
}

/// Seconds of a phase split by cause.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct TimeSplit {
    /// Seconds where compute was the binding limit.
    pub compute_s: f64,
    /// Seconds where memory bandwidth was the binding limit.
    pub memory_s: f64,
    /// Fixed latencies, s.
    pub latency_s: f64,
    /// PCIe transfers, s.
    pub pcie_s: f64,
}

impl TimeSplit {
    /// Total seconds.
    pub fn total_s(&self) -> f64 {
        self.compute_s + self.memory_s + self.latency_s + self.pcie_s
    }

    /// Adds `other × factor`.
    pub fn add_scaled(&mut self, other: &TimeSplit, factor: f64) {
        self.compute_s += other.compute_s * factor;
        self.memory_s += other.memory_s * factor;
        self.latency_s += other.latency_s * factor;
        self.pcie_s += other.pcie_s * factor;
    }

    /// The largest part.
    pub fn bound(&self) -> Bound {
        let parts = [
            (self.compute_s, Bound::Compute),
            (self.memory_s, Bound::MemoryBandwidth),
            (self.latency_s, Bound::Latency),
            (self.pcie_s, Bound::Pcie),
        ];
        parts.iter().fold((f64::MIN, Bound::MemoryBandwidth), |acc, p| if p.0 > acc.0 { *p } else { acc }).1
    }
}

/// Whether a device takes part in a step: it holds blocks, the output or routed experts.
fn does_work(load: &DeviceLoad) -> bool {
    load.is_used() && (!load.layers.is_empty() || load.has_output || load.expert_bytes != 0.0)
}

/// One device's share of one generation step, as [`Timer::generation_step`] adds it up.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GenerationTerm {
    /// Index of the device in [`Timer::devices`].
    pub device: usize,
    /// Weight bytes read: dense weights plus the routed experts the batch touches.
    pub weight_bytes: f64,
    /// KV cache bytes read, all sequences together.
    pub kv_bytes: f64,
    /// Bytes read in all (weights + KV cache), the numerator of `memory_s`.
    pub bytes: f64,
    /// Matrix FLOPs per sequence: `2 ×` the weights one token multiplies.
    pub matrix_flops: f64,
    /// Attention FLOPs per sequence at this context.
    pub attention_flops: f64,
    /// `bytes / sustained bandwidth`, s.
    pub memory_s: f64,
    /// `max(matrix / generation rate, batch × matrix / matrix rate) + batch × attention /
    /// attention rate`, s.
    pub compute_s: f64,
    /// `blocks × layer latency`, s.
    pub latency_s: f64,
}

impl GenerationTerm {
    /// The device's time in the step, s: `memory_s + compute_s + latency_s`. At batch 1 the
    /// dequantising matrix-vector kernels overlap their arithmetic poorly with the weight
    /// stream, so the two add rather than the longer hiding the shorter.
    pub fn total_s(&self) -> f64 {
        self.memory_s + self.compute_s + self.latency_s
    }
}

/// One device's share of one prompt micro-batch, as [`Timer::prompt`] adds it up.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PromptTerm {
    /// Index of the device in [`Timer::devices`].
    pub device: usize,
    /// Weight bytes read per micro-batch.
    pub bytes: f64,
    /// FLOPs per micro-batch: `tokens × FLOPs per token` plus attention.
    pub flops: f64,
    /// The attention part of `flops`.
    pub attention_flops: f64,
    /// `bytes / sustained bandwidth` on this device, s.
    pub memory_s: f64,
    /// `flops / sustained compute` on this device, s.
    pub compute_s: f64,
    /// The time counted: the roofline on this device plus block latencies, or, when
    /// `offloaded_to` is set, the PCIe copy and the GPU's compute and latencies.
    pub split: TimeSplit,
    /// The GPU (index in [`Timer::devices`]) that computes this CPU-resident share after
    /// copying its weights over PCIe, when that is faster.
    pub offloaded_to: Option<usize>,
}

/// The parts of prompt processing: `micro_batches × (Σ terms × pipeline factor + step
/// latency)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PromptSteps {
    /// Micro-batches, `ceil(prompt × batch / ubatch)`.
    pub micro_batches: f64,
    /// Tokens in each micro-batch.
    pub tokens_per_micro_batch: f64,
    /// Each working device's share of one micro-batch.
    pub terms: Vec<PromptTerm>,
    /// Fixed cost of each micro-batch, s.
    pub step_latency_s: f64,
    /// How the GPUs of a layer split overlap, where they do.
    pub pipeline: Option<Pipeline>,
}

/// llama.cpp's pipeline parallelism: with the layers split over several GPUs and none on
/// the CPU, the micro-batches of one batch ([`BATCH_TOKENS`] tokens) flow through the GPUs
/// one behind another, so GPU `k` works on micro-batch `i` while GPU `k + 1` works on
/// micro-batch `i − 1`. A batch of `u` micro-batches then takes `Σ t_d + (u − 1) × max t_d`
/// instead of `u × Σ t_d`: the devices' time is scaled by
/// `factor = (Σ t_d + (u − 1) × max t_d) / (u × Σ t_d)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pipeline {
    /// GPUs the micro-batches flow through.
    pub stages: usize,
    /// Micro-batches per batch, counted in full micro-batches:
    /// `min(tokens / UBATCH_TOKENS, BATCH_TOKENS / UBATCH_TOKENS)`.
    pub micro_batches_per_batch: f64,
    /// The factor on the devices' time (≤ 1).
    pub factor: f64,
}

/// The routed experts' matrix rate relative to the dense products' for `per_expert` tokens
/// per expert in a micro-batch: `b / (b + h) ÷ (u / (u + h))`, at most 1 (`h` =
/// `half_batch`, `u` = [`UBATCH_TOKENS`]; 1 where `h` is 0).
pub fn expert_rate(per_expert: f64, half_batch: f64) -> f64 {
    if half_batch <= 0.0 || per_expert <= 0.0 {
        return 1.0;
    }
    let u = f64::from(UBATCH_TOKENS);
    ((per_expert / (per_expert + half_batch)) / (u / (u + half_batch))).clamp(1e-3, 1.0)
}

/// Everything timing needs, built once per estimate.
pub struct Timer<'a> {
    /// The model.
    pub model: &'a ModelSpec,
    /// Devices (CPU first).
    pub devices: &'a [Device],
    /// Their loads.
    pub loads: &'a [DeviceLoad],
    /// KV cache bytes per element.
    pub kv_bytes_per_element: f64,
}

impl Timer<'_> {
    /// Fixed cost of one step, s: the GPU's when any block runs on a GPU, else the CPU's.
    pub fn step_latency_s(&self) -> f64 {
        // The step is driven by the GPU when any block runs there, else by the CPU.
        let gpu_used = self.devices.iter().zip(self.loads).any(|(d, l)| d.kind == DeviceKind::Gpu && l.is_used());
        let kind = if gpu_used { DeviceKind::Gpu } else { DeviceKind::Cpu };
        self.devices.iter().find(|d| d.kind == kind).map_or(0.0, |d| d.step_latency_s)
    }

    /// Attention work and KV reads of one device's blocks for `tokens` new tokens whose
    /// context runs from `start` to `start + tokens`: `(FLOPs, KV bytes read)`, per
    /// sequence. Local (sliding-window) blocks see at most the window.
    fn attention(&self, load: &DeviceLoad, start: f64, tokens: f64) -> (f64, f64) {
        let mid = start + 0.5 * tokens;
        let end = start + tokens;
        let (local, global) = (f64::from(load.local_layers), load.layers.len() as f64 - f64::from(load.local_layers));
        let window = self.model.sliding_window.map_or(f64::INFINITY, |w| f64::from(w.window_tokens));
        let per_token_flops = self.model.attention_flops(0, 1.0);
        let flops = tokens * per_token_flops * (global * mid + local * mid.min(window));
        let kv_per_token = self.model.kv_elements_per_token(0) as f64 * self.kv_bytes_per_element;
        let kv = kv_per_token * (global * end + local * end.min(window));
        (flops, kv)
    }

    /// Bytes a device's prompt attention moves beyond the weights for `tokens` new tokens
    /// of one sequence whose context runs from `start` (see [`PromptAttention`]): with flash
    /// attention the cache up to `start + tokens` once per query tile; without it the cache
    /// once and the score matrix four times (written, read and written by the softmax, read
    /// by the product with the values), `heads × tokens × context × 4 B` per block.
    fn attention_traffic(&self, dev: &Device, load: &DeviceLoad, start: f64, tokens: f64) -> f64 {
        let Some(mode) = dev.prompt_attention else { return 0.0 };
        let (_, kv) = self.attention(load, start, tokens);
        match mode {
            PromptAttention::Flash { tile_tokens } => kv * (tokens / tile_tokens).ceil().max(1.0),
            PromptAttention::Scores => {
                let end = start + tokens;
                let (local, global) =
                    (f64::from(load.local_layers), load.layers.len() as f64 - f64::from(load.local_layers));
                let window = self.model.sliding_window.map_or(f64::INFINITY, |w| f64::from(w.window_tokens));
                let scores = f64::from(self.model.heads) * tokens * (global * end + local * end.min(window));
                kv + 4.0 * 4.0 * scores
            }
        }
    }

    /// One device's share of a generation step for `batch` sequences at `context` tokens
    /// of context, for every device that does work (what [`Timer::generation_step`] adds
    /// up).
    pub fn generation_terms(&self, context: f64, batch: f64) -> impl Iterator<Item = GenerationTerm> + '_ {
        self.devices.iter().zip(self.loads).enumerate().filter(|(_, (_, load))| does_work(load)).map(
            move |(device, (dev, load))| {
                let (attn_flops, kv_bytes) = self.attention(load, context, 1.0);
                let weight_bytes = load.dense_read_bytes + load.expert_read_bytes(batch);
                let bytes = weight_bytes + batch * kv_bytes;
                let mem_s = bytes / (dev.bandwidth_gb_per_s * 1e9);
                // Matrix-vector work on the vector units; several sequences share one weight
                // read, which turns into matrix work at the prompt rate once batches grow.
                // Each sequence's attention is its own matrix-vector work over its cache, at
                // the (latency-bound, non-flash) attention rate.
                let comp_s = (load.flops_per_token / (dev.generation_gflops * 1e9))
                    .max(batch * load.flops_per_token / (dev.gflops * 1e9))
                    + batch * attn_flops / (dev.attention_gflops * 1e9);
                GenerationTerm {
                    device,
                    weight_bytes,
                    kv_bytes: batch * kv_bytes,
                    bytes,
                    matrix_flops: load.flops_per_token,
                    attention_flops: attn_flops,
                    memory_s: mem_s,
                    compute_s: comp_s,
                    latency_s: load.layers.len() as f64 * dev.layer_latency_s,
                }
            },
        )
    }

    /// One generation step for `batch` sequences at `context` tokens of context: the sum
    /// of [`Timer::generation_terms`] plus [`Timer::step_latency_s`].
    pub fn generation_step(&self, context: f64, batch: f64) -> TimeSplit {
        let mut split = TimeSplit { latency_s: self.step_latency_s(), ..TimeSplit::default() };
        for t in self.generation_terms(context, batch) {
            split.memory_s += t.memory_s;
            split.compute_s += t.compute_s;
            split.latency_s += t.latency_s;
        }
        split
    }

    /// Prompt processing of `prompt` tokens per sequence for `batch` sequences after
    /// `depth` tokens already cached, in micro-batches of [`UBATCH_TOKENS`].
    ///
    /// Each micro-batch reads every resident weight once (routed experts by the share its
    /// tokens touch) and computes `tokens × FLOPs_per_token` plus attention. A CPU-resident
    /// share may instead be copied over PCIe and computed on the GPU when that is faster
    /// (llama.cpp offloads large batches this way).
    pub fn prompt(&self, prompt: f64, depth: f64, batch: f64) -> TimeSplit {
        let steps = self.prompt_steps(prompt, depth, batch);
        let mut split = TimeSplit::default();
        let factor = steps.pipeline.map_or(1.0, |p| p.factor);
        for t in &steps.terms {
            split.add_scaled(&t.split, steps.micro_batches * factor);
        }
        split.latency_s += steps.micro_batches * steps.step_latency_s;
        split
    }

    /// The parts [`Timer::prompt`] adds up: the micro-batches and each device's share of
    /// one of them.
    pub fn prompt_steps(&self, prompt: f64, depth: f64, batch: f64) -> PromptSteps {
        let total_tokens = prompt * batch;
        let ubatch = f64::from(UBATCH_TOKENS);
        let steps = (total_tokens / ubatch).ceil().max(1.0);
        let tokens_per_step = total_tokens / steps;
        // Attention grows along each sequence: walk a sequence in steps and scale by batch.
        let seq_steps = (prompt / ubatch).ceil().max(1.0);
        let seq_tokens = prompt / seq_steps;
        // Per device: attention FLOPs and the bytes attention moves, per micro-batch.
        let mut attn = vec![(0.0, 0.0); self.loads.len()];
        for s in 0..seq_steps as u64 {
            let start = depth + s as f64 * seq_tokens;
            for (i, (dev, load)) in self.devices.iter().zip(self.loads).enumerate() {
                let (f, _) = self.attention(load, start, seq_tokens);
                attn[i].0 += f * batch / steps;
                attn[i].1 += self.attention_traffic(dev, load, start, seq_tokens) * batch / steps;
            }
        }
        let gpu = self.devices.iter().enumerate().find(|(_, d)| d.kind == DeviceKind::Gpu);
        let mut terms = Vec::with_capacity(self.loads.len());
        for (i, (dev, load)) in self.devices.iter().zip(self.loads).enumerate() {
            if !does_work(load) {
                continue;
            }
            let weight_bytes = load.dense_read_bytes + load.expert_read_bytes(tokens_per_step);
            let bytes = weight_bytes + attn[i].1;
            let flops = tokens_per_step * load.flops_per_token + attn[i].0;
            // The routed experts' FLOPs count at their small batches' rate.
            let expert_rate = expert_rate(tokens_per_step * load.expert_active_fraction, dev.expert_half_batch_tokens);
            let matrix_flops = tokens_per_step
                * (load.flops_per_token - load.expert_flops_per_token + load.expert_flops_per_token / expert_rate);
            let mem_s = bytes / (dev.bandwidth_gb_per_s * 1e9);
            let comp_s = flops / (dev.gflops * 1e9);
            let mut here =
                TimeSplit { latency_s: load.layers.len() as f64 * dev.layer_latency_s, ..TimeSplit::default() };
            // Two rooflines one after the other: the weights' matrix products, then attention
            // (its own kernels, bound by its FLOPs or by the cache and scores it moves).
            let rate = |bytes: f64, flops: f64| (bytes / (dev.bandwidth_gb_per_s * 1e9), flops / (dev.gflops * 1e9));
            for (m, c) in [rate(weight_bytes, matrix_flops), rate(attn[i].1, attn[i].0)] {
                if m >= c {
                    here.memory_s += m;
                } else {
                    here.compute_s += c;
                }
            }
            let mut offloaded_to = None;
            if let (DeviceKind::Cpu, Some((gi, g)), true) = (dev.kind, gpu, tokens_per_step >= 32.0) {
                if let Some(link) = g.link_gb_per_s {
                    let moved = TimeSplit {
                        pcie_s: weight_bytes / (link * 1e9),
                        compute_s: flops / (g.gflops * 1e9),
                        latency_s: load.layers.len() as f64 * g.layer_latency_s,
                        memory_s: 0.0,
                    };
                    if moved.total_s() < here.total_s() {
                        here = moved;
                        offloaded_to = Some(gi);
                    }
                }
            }
            terms.push(PromptTerm {
                device: i,
                bytes,
                flops,
                attention_flops: attn[i].0,
                memory_s: mem_s,
                compute_s: comp_s,
                split: here,
                offloaded_to,
            });
        }
        let pipeline = self.pipeline(&terms, total_tokens / ubatch);
        PromptSteps {
            micro_batches: steps,
            tokens_per_micro_batch: tokens_per_step,
            terms,
            step_latency_s: self.step_latency_s(),
            pipeline,
        }
    }

    /// The pipeline of a layer split over GPUs, when the micro-batches can overlap: two or
    /// more GPUs at work, nothing held by the CPU, more than one micro-batch's worth of
    /// tokens (`full_micro_batches`, fractional: llama.cpp cuts full micro-batches and a
    /// remainder, so a prompt just over one micro-batch overlaps only that remainder).
    fn pipeline(&self, terms: &[PromptTerm], full_micro_batches: f64) -> Option<Pipeline> {
        // llama.cpp pipelines only a model wholly on its GPUs (every block offloaded).
        let on_cpu = terms.iter().any(|t| self.devices[t.device].kind == DeviceKind::Cpu);
        let gpu_s: Vec<f64> = terms
            .iter()
            .filter(|t| self.devices[t.device].kind == DeviceKind::Gpu)
            .map(|t| t.split.total_s())
            .collect();
        let sum: f64 = gpu_s.iter().sum();
        let max = gpu_s.iter().copied().fold(0.0, f64::max);
        let u = full_micro_batches.min(f64::from(BATCH_TOKENS / UBATCH_TOKENS));
        if on_cpu || gpu_s.len() < 2 || u <= 1.0 || sum <= 0.0 {
            return None;
        }
        Some(Pipeline { stages: gpu_s.len(), micro_batches_per_batch: u, factor: (sum + (u - 1.0) * max) / (u * sum) })
    }

    /// Generation of `tokens` tokens per sequence for `batch` sequences, the context
    /// growing from `start`; sums the per-step time exactly for short runs and over
    /// [`GENERATION_SAMPLES`] evenly spaced steps for long ones (step time is piecewise
    /// linear in the context, so the sum is exact up to window edges).
    pub fn generation(&self, start: f64, tokens: u32, batch: f64) -> TimeSplit {
        let mut split = TimeSplit::default();
        if tokens == 0 {
            return split;
        }
        let samples = tokens.min(GENERATION_SAMPLES);
        let per_sample = f64::from(tokens) / f64::from(samples);
        for i in 0..samples {
            let ctx = start + (f64::from(i) + 0.5) * per_sample;
            split.add_scaled(&self.generation_step(ctx, batch), per_sample);
        }
        split
    }
}
