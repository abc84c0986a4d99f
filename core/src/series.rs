//! Data for the site's charts: curves of the estimate as one input is swept, LocalScore's
//! measured points for the reference models, the other sources' measured tests that match
//! a configuration, and bars comparing estimates.
//!
//! Every point comes from the estimator itself with one input changed (a cloned
//! [`System`] or [`Workload`]): the speed curves run a full estimate per point, the memory
//! curve runs the estimator's memory function with the blocks held where they are. So a
//! curve passes through the headline figures by construction. A curve has at most
//! [`CURVE_POINTS`] points plus the current configuration's.
//!
//! ```
//! use roofline_core::{catalog::Catalog, efficiency::Efficiency, quant::QuantScheme};
//! use roofline_core::{series, system::System, workload::Workload};
//! let catalog = Catalog::builtin();
//! let system = System::assemble(catalog.hardware("nvidia-geforce-rtx-3090").unwrap(), None, None, 1).unwrap();
//! let (model, workload, eff) = (catalog.model("llama-3-1-8b").unwrap(), Workload::default(), Efficiency::fitted());
//! let inputs = series::Inputs::new(&system, model, QuantScheme::Q4_K_M, &workload, &eff);
//! let curve = series::generation_vs_bandwidth(&inputs, series::DEFAULT_BANDWIDTH_RANGE_GB_PER_S).unwrap();
//! assert!(curve.line.points.windows(2).all(|p| p[1].1 >= p[0].1));
//! ```

use std::ops::RangeInclusive;

use serde::Serialize;

mod bench_points;
mod measured;
mod steps;

pub use bench_points::{bench_medians, BenchMedian, BenchPoint, BenchPoints, BenchTable};
pub use measured::{
    measured_points, measured_points_for, measured_points_from, parse_reference_points, reference_points,
    reference_points_tsv, MeasuredPoint, ReferencePoint, REFERENCE_POINTS_HEADER,
};
pub(crate) use steps::Steps;

use crate::efficiency::Efficiency;
use crate::estimate::plan::plan;
use crate::estimate::verdict::INTERACTIVE_TTFT_S;
use crate::estimate::{estimate_with_draft, layer_map, Estimate, EstimateError};
use crate::model::ModelSpec;
use crate::quant::QuantScheme;
use crate::scenario::Resolved;
use crate::system::System;
use crate::workload::{limits, Placement, Workload};

/// Most points of a swept curve (the current configuration's point comes on top).
pub const CURVE_POINTS: usize = 40;

/// The bandwidths [`generation_vs_bandwidth`] sweeps by default, GB/s: a phone to a
/// data-centre GPU.
pub const DEFAULT_BANDWIDTH_RANGE_GB_PER_S: RangeInclusive<f64> = 20.0..=4000.0;

/// Shortest prompt of [`ttft_vs_prompt`], tokens.
pub const MIN_PROMPT_TOKENS: u32 = 16;
/// Longest prompt of [`ttft_vs_prompt`] (or the model's context if shorter), tokens.
pub const MAX_PROMPT_TOKENS: u32 = 131_072;
/// Shortest context of [`memory_vs_context`], tokens.
pub const MIN_CONTEXT_TOKENS: u32 = 512;

/// Everything one estimate needs, borrowed: the machine, the model (and the draft model
/// when the workload decodes speculatively), quantization, workload and efficiency.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The machine.
    pub system: &'a System,
    /// The model.
    pub model: &'a ModelSpec,
    /// The draft model, needed when `workload.speculative` is set.
    pub draft: Option<&'a ModelSpec>,
    /// Quantization.
    pub quant: QuantScheme,
    /// The workload.
    pub workload: &'a Workload,
    /// Efficiency parameters.
    pub eff: &'a Efficiency,
}

impl<'a> Inputs<'a> {
    /// Inputs without a draft model.
    pub fn new(
        system: &'a System,
        model: &'a ModelSpec,
        quant: QuantScheme,
        workload: &'a Workload,
        eff: &'a Efficiency,
    ) -> Inputs<'a> {
        Inputs { system, model, draft: None, quant, workload, eff }
    }

    /// The inputs of a resolved scenario (draft model included).
    pub fn resolved(scenario: &'a Resolved, eff: &'a Efficiency) -> Inputs<'a> {
        Inputs {
            system: &scenario.system,
            model: &scenario.model,
            draft: scenario.draft.as_ref(),
            quant: scenario.quant,
            workload: &scenario.workload,
            eff,
        }
    }

    /// The estimate, as [`estimate_with_draft`] makes it.
    pub fn estimate(&self) -> Result<Estimate, EstimateError> {
        estimate_with_draft(self.system, self.model, self.draft, self.quant, self.workload, self.eff)
    }

    /// The estimate with another machine and workload, all else equal.
    fn estimate_with(&self, system: &System, workload: &Workload) -> Result<Estimate, EstimateError> {
        estimate_with_draft(system, self.model, self.draft, self.quant, workload, self.eff)
    }

    /// The workload with an automatic placement replaced by the block count it resolves
    /// to, so that sweeping another input does not move blocks between devices.
    fn pinned_workload(&self, estimate: &Estimate) -> Workload {
        let placement = match self.workload.placement {
            Placement::Auto => Placement::GpuLayers(estimate.gpu_layers),
            p => p,
        };
        Workload { placement, ..self.workload.clone() }
    }
}

/// Why a series could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SeriesError {
    /// The estimator refused the inputs.
    #[error(transparent)]
    Estimate(#[from] EstimateError),
    /// A sweep range that is empty, not positive or not finite.
    #[error("the {what} range must run between two positive finite values, got {low} to {high}")]
    Range {
        /// What is swept.
        what: &'static str,
        /// Low end given.
        low: f64,
        /// High end given.
        high: f64,
    },
}

/// A chart axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Axis {
    /// What it shows.
    pub label: &'static str,
    /// Unit of the values (`GB/s`, `token/s`, `s`, `GB`, `tokens`).
    pub unit: &'static str,
    /// Whether the values are best drawn on a logarithmic scale.
    pub log_scale: bool,
}

/// A line of `(x, y)` points in increasing `x`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// Legend text.
    pub label: String,
    /// The points.
    pub points: Vec<(f64, f64)>,
}

/// `n ≥ 2` values from `low` to `high`, evenly spaced on a log scale (`n = 1`: `low`).
pub fn log_space(low: f64, high: f64, n: usize) -> Vec<f64> {
    if n <= 1 || high <= low {
        return vec![low];
    }
    let (a, b) = (low.ln(), high.ln());
    (0..n)
        .map(|i| {
            if i == 0 {
                low
            } else if i + 1 == n {
                high
            } else {
                (a + (b - a) * i as f64 / (n - 1) as f64).exp()
            }
        })
        .collect()
}

/// Whole numbers of tokens log-spaced from `low` to `high`, with `current` added when it
/// lies in between; sorted, without repeats.
fn token_grid(low: u32, high: u32, current: u64) -> Vec<u32> {
    let mut grid: Vec<u32> = log_space(f64::from(low), f64::from(high.max(low)), CURVE_POINTS)
        .into_iter()
        .map(|x| x.round().clamp(f64::from(low), f64::from(high.max(low))) as u32)
        .collect();
    if let Ok(c) = u32::try_from(current) {
        if (low..=high).contains(&c) {
            grid.push(c);
        }
    }
    grid.sort_unstable();
    grid.dedup();
    grid
}

/// Which memory a bandwidth sweep changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SweptMemory {
    /// The GPUs' memory (all GPUs alike).
    Gpu,
    /// The host's memory, read by the CPU.
    Host,
}

/// Generation speed against the peak bandwidth of the memory that holds most of the
/// weights, everything else as configured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandwidthCurve {
    /// Which memory is swept.
    pub swept: SweptMemory,
    /// The swept memory in words (`GPU memory of NVIDIA GeForce RTX 3090`).
    pub swept_label: String,
    /// Peak bandwidth, GB/s (log scale).
    pub x: Axis,
    /// Generation speed per sequence, token/s.
    pub y: Axis,
    /// The estimate.
    pub line: Line,
    /// The pessimistic end of the error band.
    pub low: Line,
    /// The optimistic end of the error band.
    pub high: Line,
    /// The configuration as it is: `(peak bandwidth, generation token/s)`.
    pub current: (f64, f64),
}

/// The device holding most resident weight bytes: the GPUs together or the host.
fn heaviest_memory(inputs: &Inputs, estimate: &Estimate) -> Result<SweptMemory, EstimateError> {
    if inputs.system.gpu.is_none() || estimate.gpu_layers == 0 {
        return Ok(SweptMemory::Host);
    }
    let pinned = inputs.pinned_workload(estimate);
    let map = layer_map(inputs.model, inputs.quant, inputs.system, &pinned, inputs.eff)?;
    let loads = plan(inputs.model, inputs.quant, &map, inputs.system.gpu_count.max(1));
    let host = loads.first().map_or(0.0, |l| l.weight_bytes);
    let gpus: f64 = loads.iter().skip(1).map(|l| l.weight_bytes).sum();
    Ok(if gpus >= host { SweptMemory::Gpu } else { SweptMemory::Host })
}

/// Peak bandwidth of `swept` in `system`, GB/s.
fn peak_bandwidth(system: &System, swept: SweptMemory) -> f64 {
    match (swept, &system.gpu) {
        (SweptMemory::Gpu, Some(g)) => g.bandwidth_gb_per_s,
        _ => system.memory.peak_bandwidth_gb_per_s(),
    }
}

/// `system` with the peak bandwidth of `swept` set to `gb_per_s`. Host memory changes
/// through its transfer rate. On unified memory CPU and GPU read the same memory, so both
/// scale by the same factor.
fn with_bandwidth(system: &System, swept: SweptMemory, gb_per_s: f64) -> System {
    let mut s = system.clone();
    let factor = gb_per_s / peak_bandwidth(system, swept);
    let unified = system.unified.is_some();
    if swept == SweptMemory::Host || unified {
        s.memory.speed_mt_per_s *= factor;
    }
    if let Some(g) = &mut s.gpu {
        if swept == SweptMemory::Gpu {
            g.bandwidth_gb_per_s = gb_per_s;
        } else if unified {
            g.bandwidth_gb_per_s *= factor;
        }
    }
    s
}

fn check_range(what: &'static str, range: &RangeInclusive<f64>) -> Result<(f64, f64), SeriesError> {
    let (low, high) = (*range.start(), *range.end());
    if low.is_finite() && high.is_finite() && low > 0.0 && high >= low {
        Ok((low, high))
    } else {
        Err(SeriesError::Range { what, low, high })
    }
}

/// Generation speed as the peak bandwidth of the memory holding most of the weights (the
/// GPUs', or the host's) runs over `bandwidths_gb_per_s`, log-spaced in [`CURVE_POINTS`]
/// steps, plus the current bandwidth; the range widens to take in the current bandwidth.
/// On a host sweep the CPU's per-core limit still applies, so CPU curves flatten out.
pub fn generation_vs_bandwidth(
    inputs: &Inputs,
    bandwidths_gb_per_s: RangeInclusive<f64>,
) -> Result<BandwidthCurve, SeriesError> {
    let (low, high) = check_range("bandwidth", &bandwidths_gb_per_s)?;
    let current = inputs.estimate()?;
    let swept = heaviest_memory(inputs, &current)?;
    let current_bw = peak_bandwidth(inputs.system, swept);
    let workload = inputs.pinned_workload(&current);
    let mut xs = log_space(low.min(current_bw), high.max(current_bw), CURVE_POINTS);
    xs.push(current_bw);
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let (mut line, mut lo, mut hi) = (Vec::new(), Vec::new(), Vec::new());
    for bw in xs {
        let e = if bw == current_bw {
            current.clone()
        } else {
            inputs.estimate_with(&with_bandwidth(inputs.system, swept, bw), &workload)?
        };
        line.push((bw, e.generation_tokens_per_s));
        lo.push((bw, e.generation_band.low));
        hi.push((bw, e.generation_band.high));
    }
    let swept_label = match (swept, &inputs.system.gpu) {
        (SweptMemory::Gpu, Some(g)) if inputs.system.unified.is_some() => {
            format!("unified memory of {} ({})", inputs.system.name, g.architecture)
        }
        (SweptMemory::Gpu, Some(g)) => format!("GPU memory ({}) of {}", g.architecture, inputs.system.name),
        _ => format!("{} host memory of {}", inputs.system.memory.kind, inputs.system.name),
    };
    Ok(BandwidthCurve {
        swept,
        swept_label,
        x: Axis { label: "peak memory bandwidth", unit: "GB/s", log_scale: true },
        y: Axis { label: "generation speed", unit: "token/s", log_scale: true },
        line: Line { label: format!("estimate, {}", inputs.model.name), points: line },
        low: Line { label: "pessimistic end of the error band".to_owned(), points: lo },
        high: Line { label: "optimistic end of the error band".to_owned(), points: hi },
        current: (current_bw, current.generation_tokens_per_s),
    })
}

/// Time to first token and prompt speed against prompt length.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PromptCurve {
    /// Prompt tokens (log scale).
    pub x: Axis,
    /// Axis of [`PromptCurve::ttft`], s.
    pub ttft_axis: Axis,
    /// `(prompt tokens, time to first token in s)`.
    pub ttft: Line,
    /// Axis of [`PromptCurve::prompt_speed`], token/s.
    pub prompt_speed_axis: Axis,
    /// `(prompt tokens, prompt processing token/s)`.
    pub prompt_speed: Line,
    /// Time to first token below which a workload can be interactive, s.
    pub interactive_ttft_s: f64,
    /// The configuration as it is: `(prompt tokens, TTFT s)`.
    pub current_ttft: (f64, f64),
    /// The configuration as it is: `(prompt tokens, prompt token/s)`.
    pub current_prompt_speed: (f64, f64),
}

/// Time to first token and prompt speed for prompts log-spaced from
/// [`MIN_PROMPT_TOKENS`] to the model's context or [`MAX_PROMPT_TOKENS`], whichever is
/// shorter, plus the current prompt. The KV cache grows with the prompt (an explicit
/// context size stays when it is large enough), and an automatic placement is resolved
/// again for each prompt, as llama.cpp would.
///
/// The time to first token grows with the prompt except at one step: with blocks on the
/// CPU and a discrete GPU, micro-batches of 32 tokens or more copy the CPU-resident
/// weights to the GPU when that is faster (llama.cpp's offload threshold), so a 32-token
/// prompt can finish sooner than a 25-token one.
pub fn ttft_vs_prompt(inputs: &Inputs) -> Result<PromptCurve, SeriesError> {
    let current = inputs.estimate()?;
    let w = inputs.workload;
    let high = inputs.model.max_context.clamp(MIN_PROMPT_TOKENS, MAX_PROMPT_TOKENS);
    let grid = token_grid(MIN_PROMPT_TOKENS, high, u64::from(w.prompt_tokens));
    let at = |i: usize, placement: Placement| -> Result<Estimate, EstimateError> {
        let p = grid.get(i).copied().unwrap_or(w.prompt_tokens);
        if p == w.prompt_tokens && placement == w.placement {
            return Ok(current.clone());
        }
        let needed = u64::from(w.context_depth) + u64::from(p) + u64::from(w.gen_tokens);
        let needed = u32::try_from(needed).unwrap_or(u32::MAX).min(limits::MAX_CONTEXT_TOKENS);
        let context_tokens = w.context_tokens.map(|c| c.max(needed));
        inputs.estimate_with(inputs.system, &Workload { prompt_tokens: p, context_tokens, placement, ..w.clone() })
    };
    let mut estimates: Vec<Option<Estimate>> = vec![None; grid.len()];
    if w.placement == Placement::Auto && grid.len() > 2 {
        // The blocks an automatic placement puts on the GPUs never grow with the prompt
        // (the KV cache and buffers only grow), so where two points resolve alike every
        // point between them does too: resolve only where the count changes, and pin the
        // rest, which gives the same estimates as resolving each point.
        let last = grid.len() - 1;
        estimates[0] = Some(at(0, Placement::Auto)?);
        estimates[last] = Some(at(last, Placement::Auto)?);
        let mut spans = vec![(0, last)];
        while let Some((a, b)) = spans.pop() {
            let layers = |i: usize| estimates[i].as_ref().map(|e| e.gpu_layers);
            match (layers(a), layers(b)) {
                _ if b <= a + 1 => {}
                (Some(ka), Some(kb)) if ka == kb => {
                    for (i, slot) in estimates.iter_mut().enumerate().take(b).skip(a + 1) {
                        *slot = Some(at(i, Placement::GpuLayers(ka))?);
                    }
                }
                _ => {
                    let m = a + (b - a) / 2;
                    estimates[m] = Some(at(m, Placement::Auto)?);
                    spans.extend([(a, m), (m, b)]);
                }
            }
        }
    }
    let (mut ttft, mut speed) = (Vec::with_capacity(grid.len()), Vec::with_capacity(grid.len()));
    for (i, (&p, e)) in grid.iter().zip(estimates).enumerate() {
        let e = match e {
            Some(e) => e,
            None => at(i, w.placement)?,
        };
        ttft.push((f64::from(p), e.time_to_first_token_ms / 1e3));
        speed.push((f64::from(p), e.prompt_tokens_per_s));
    }
    let prompt = f64::from(w.prompt_tokens);
    Ok(PromptCurve {
        x: Axis { label: "prompt length", unit: "tokens", log_scale: true },
        ttft_axis: Axis { label: "time to first token", unit: "s", log_scale: true },
        ttft: Line { label: "time to first token".to_owned(), points: ttft },
        prompt_speed_axis: Axis { label: "prompt processing", unit: "token/s", log_scale: true },
        prompt_speed: Line { label: "prompt processing".to_owned(), points: speed },
        interactive_ttft_s: INTERACTIVE_TTFT_S,
        current_ttft: (prompt, current.time_to_first_token_ms / 1e3),
        current_prompt_speed: (prompt, current.prompt_tokens_per_s),
    })
}

/// One device's memory against context length.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceMemoryLine {
    /// `CPU`, `GPU 0`, ... or `shared memory` for a unified pool.
    pub device: String,
    /// `(context tokens, total GB)`.
    pub total: Line,
    /// What the device may use, GB.
    pub capacity_gb: f64,
}

/// Memory per device against the context the KV cache holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryCurve {
    /// Context tokens (log scale).
    pub x: Axis,
    /// Memory, GB.
    pub y: Axis,
    /// One line per device, in the estimate's order.
    pub devices: Vec<DeviceMemoryLine>,
    /// On unified memory: CPU and GPU allocations together against the host's usable
    /// memory.
    pub shared_pool: Option<DeviceMemoryLine>,
    /// The context of the configuration as it is, tokens.
    pub current_context: f64,
}

/// Memory per device as the context runs log-spaced from [`MIN_CONTEXT_TOKENS`] to the
/// model's context (at most [`limits::MAX_CONTEXT_TOKENS`]), plus the current context.
/// Blocks stay where the current configuration puts them, so the lines show where the
/// placement stops fitting.
pub fn memory_vs_context(inputs: &Inputs) -> Result<MemoryCurve, SeriesError> {
    let current = inputs.estimate()?;
    let pinned = inputs.pinned_workload(&current);
    let current_context = inputs.workload.kv_context_tokens();
    let high = inputs.model.max_context.clamp(MIN_CONTEXT_TOKENS, limits::MAX_CONTEXT_TOKENS);
    let grid = token_grid(MIN_CONTEXT_TOKENS, high, current_context);
    let mut devices: Vec<DeviceMemoryLine> = current
        .memory
        .iter()
        .map(|m| DeviceMemoryLine {
            device: m.device.clone(),
            total: Line { label: format!("{} total", m.device), points: Vec::with_capacity(grid.len()) },
            capacity_gb: m.capacity_gb,
        })
        .collect();
    // The blocks stay put, so the devices and loads are the same at every context.
    let steps = Steps::new(inputs, &pinned)?;
    let mut pool = Vec::with_capacity(grid.len());
    for c in grid {
        let memory = if u64::from(c) == current_context {
            current.memory.clone()
        } else {
            // Memory depends on the prompt only through the micro-batch, which a prompt of
            // at least min(prompt, 512) tokens leaves as it is.
            let prompt = pinned.prompt_tokens.min(c);
            let workload = Workload {
                prompt_tokens: prompt,
                gen_tokens: 0,
                context_depth: 0,
                context_tokens: Some(c),
                ..pinned.clone()
            };
            steps.memory(inputs, &workload)
        };
        for (line, m) in devices.iter_mut().zip(&memory) {
            line.total.points.push((f64::from(c), m.total_gb));
        }
        pool.push((f64::from(c), memory.iter().map(|m| m.total_gb).sum::<f64>()));
    }
    let shared_pool = inputs.system.unified.map(|_| DeviceMemoryLine {
        device: "shared memory".to_owned(),
        total: Line { label: "CPU and GPU together".to_owned(), points: pool },
        capacity_gb: inputs.system.host_usable_gb(),
    });
    Ok(MemoryCurve {
        x: Axis { label: "context", unit: "tokens", log_scale: true },
        y: Axis { label: "memory", unit: "GB", log_scale: false },
        devices,
        shared_pool,
        current_context: current_context as f64,
    })
}

/// One bar: a slot's central figure and its error band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bar {
    /// Index of the estimate in the slice given.
    pub slot: usize,
    /// `hardware · model quant`.
    pub label: String,
    /// Central estimate.
    pub value: f64,
    /// Lower end of the error band (the pessimistic end of a speed, the optimistic end of
    /// a time).
    pub low: f64,
    /// Upper end of the error band.
    pub high: f64,
}

/// Bars of one figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BarChart {
    /// The figure.
    pub title: &'static str,
    /// Its unit.
    pub unit: &'static str,
    /// Whether more is better.
    pub higher_is_better: bool,
    /// One bar per slot.
    pub bars: Vec<Bar>,
}

/// Generation, prompt and time-to-first-token bars for the compared slots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareBars {
    /// Generation speed per sequence, token/s.
    pub generation: BarChart,
    /// Prompt processing, token/s.
    pub prompt: BarChart,
    /// Time to first token, ms.
    pub time_to_first_token: BarChart,
}

/// The three headline figures of each estimate as bars (the figures are copied; nothing
/// is estimated).
pub fn compare_bars(estimates: &[Estimate]) -> CompareBars {
    let label = |e: &Estimate| format!("{} · {} {}", e.hardware, e.model, e.quant);
    let bars = |f: &dyn Fn(&Estimate) -> (f64, f64, f64)| -> Vec<Bar> {
        estimates
            .iter()
            .enumerate()
            .map(|(slot, e)| {
                let (value, low, high) = f(e);
                Bar { slot, label: label(e), value, low, high }
            })
            .collect()
    };
    CompareBars {
        generation: BarChart {
            title: "generation",
            unit: "token/s",
            higher_is_better: true,
            bars: bars(&|e| (e.generation_tokens_per_s, e.generation_band.low, e.generation_band.high)),
        },
        prompt: BarChart {
            title: "prompt processing",
            unit: "token/s",
            higher_is_better: true,
            bars: bars(&|e| (e.prompt_tokens_per_s, e.prompt_band.low, e.prompt_band.high)),
        },
        time_to_first_token: BarChart {
            title: "time to first token",
            unit: "ms",
            higher_is_better: false,
            bars: bars(&|e| {
                let b = e.time_to_first_token_band_ms;
                (e.time_to_first_token_ms, b.low, b.high)
            }),
        },
    }
}
