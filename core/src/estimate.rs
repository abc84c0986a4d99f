//! The estimator: from a machine, a model and a workload to prompt processing speed, time
//! to first token, generation speed, memory per device, bounds, error band and verdicts.
//!
//! ```
//! use roofline_core::{catalog::Catalog, estimate::estimate_ids, workload::Workload};
//! let catalog = Catalog::builtin();
//! let e = estimate_ids(&catalog, "nvidia-geforce-rtx-3090", "llama-3-1-8b", None, &Workload::default()).unwrap();
//! assert!(e.generation_tokens_per_s > 50.0 && e.generation_tokens_per_s < 200.0);
//! ```

pub mod devices;
pub mod memory;
pub mod plan;
pub mod timing;
pub mod verdict;

use serde::Serialize;

use crate::catalog::{Catalog, CatalogError};
use crate::efficiency::Efficiency;
use crate::model::ModelSpec;
use crate::quant::QuantScheme;
use crate::system::System;
use crate::workload::{Placement, Workload, WorkloadError};
use devices::{devices, Device, DeviceKind};
use memory::DeviceMemory;
use plan::{plan, DeviceLoad, LayerMap};
use timing::{Bound, TimeSplit, Timer};
use verdict::{UseCaseVerdict, Verdict, USE_CASES};

/// Why an estimate could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EstimateError {
    /// A workload value out of range.
    #[error(transparent)]
    Workload(#[from] WorkloadError),
    /// A catalog lookup failed.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// A GPU placement on a machine without a GPU.
    #[error("placement '{0}' needs a GPU, but this machine has none")]
    NoGpu(&'static str),
    /// More GPU layers than the model has.
    #[error("--gpu-layers {asked} exceeds the model's {layers} layers")]
    TooManyLayers {
        /// Layers asked for.
        asked: u32,
        /// Layers the model has.
        layers: u32,
    },
    /// Experts on CPU for a dense model.
    #[error("experts-on-CPU placement needs a mixture-of-experts model")]
    NotMoe,
    /// Speculative decoding without a draft model.
    #[error("speculative decoding needs a draft model")]
    DraftMissing,
}

/// A range `[low, high]` around a central figure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    /// Pessimistic end.
    pub low: f64,
    /// Optimistic end.
    pub high: f64,
}

/// A phase's bound with its time split.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PhaseBound {
    /// The largest contributor.
    pub bound: Bound,
    /// Seconds by cause.
    pub split: TimeSplit,
}

/// The result of one estimate. Speeds are per sequence unless named `aggregate`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Machine name.
    pub hardware: String,
    /// Model name.
    pub model: String,
    /// Quantization preset.
    pub quant: QuantScheme,
    /// Blocks on GPUs after resolving the placement.
    pub gpu_layers: u32,
    /// Model weight size, GB (10⁹ bytes).
    pub model_size_gb: f64,
    /// Prompt tokens ÷ prompt time, token/s (all sequences together).
    pub prompt_tokens_per_s: f64,
    /// Prompt processing band (10th–90th percentile of out-of-sample error).
    pub prompt_band: Band,
    /// Time to first token, ms: prompt time (+ weight load on cold start).
    pub time_to_first_token_ms: f64,
    /// Time-to-first-token band, ms.
    pub time_to_first_token_band_ms: Band,
    /// Generated tokens ÷ generation time for one sequence, token/s.
    pub generation_tokens_per_s: f64,
    /// Generation band, token/s.
    pub generation_band: Band,
    /// Generation speed of all sequences together, token/s (`batch ×` per sequence).
    pub aggregate_generation_tokens_per_s: f64,
    /// Generation speed at the first generated token, token/s.
    pub generation_tokens_per_s_at_start: f64,
    /// Generation speed at the last generated token, token/s (lower as context fills).
    pub generation_tokens_per_s_at_end: f64,
    /// Time to first token plus generation time, s.
    pub total_time_s: f64,
    /// Weight load time on cold start, s (0 when resident).
    pub load_time_s: f64,
    /// Memory per device.
    pub memory: Vec<DeviceMemory>,
    /// Whether every device's memory fits.
    pub fits: bool,
    /// What bounds prompt processing.
    pub prompt_bound: PhaseBound,
    /// What bounds generation.
    pub generation_bound: PhaseBound,
    /// Verdict for this workload.
    pub verdict: Verdict,
    /// The devices with the effective rates used.
    pub devices: Vec<Device>,
}

/// Resolves a placement to a block map for `system`.
pub fn layer_map(
    model: &ModelSpec,
    quant: QuantScheme,
    system: &System,
    workload: &Workload,
    eff: &Efficiency,
) -> Result<LayerMap, EstimateError> {
    let gpus = if system.gpu.is_some() { system.gpu_count.max(1) } else { 0 };
    let n = model.layers;
    let need_gpu = |name| if gpus == 0 { Err(EstimateError::NoGpu(name)) } else { Ok(()) };
    Ok(match workload.placement {
        Placement::CpuOnly => LayerMap::last_on_gpu(n, 0, 1, false),
        Placement::GpuOnly => {
            need_gpu("gpu-only")?;
            LayerMap::last_on_gpu(n, n, gpus, false)
        }
        Placement::GpuLayers(k) => {
            if k > n {
                return Err(EstimateError::TooManyLayers { asked: k, layers: n });
            }
            if k > 0 {
                need_gpu("gpu-layers")?;
            }
            LayerMap::last_on_gpu(n, k, gpus.max(1), false)
        }
        Placement::ExpertsOnCpu => {
            need_gpu("experts-on-cpu")?;
            if model.moe.is_none() {
                return Err(EstimateError::NotMoe);
            }
            LayerMap::last_on_gpu(n, n, gpus, true)
        }
        Placement::Auto => {
            if gpus == 0 {
                return Ok(LayerMap::last_on_gpu(n, 0, 1, false));
            }
            let devs = devices(system, eff, workload);
            // Most blocks on the GPUs such that every GPU fits (llama.cpp's --fit); GPU
            // memory grows with the block count, so bisect.
            let gpus_fit = |k: u32| {
                let map = LayerMap::last_on_gpu(n, k, gpus, false);
                let loads = plan(model, quant, &map, gpus);
                memory::memory(model, workload, &devs, &loads).iter().filter(|m| m.device != "CPU").all(|m| m.fits)
            };
            if gpus_fit(n) {
                return Ok(LayerMap::last_on_gpu(n, n, gpus, false));
            }
            let (mut lo, mut hi) = (0, n); // gpus_fit(lo) holds (0 blocks always fits), hi fails
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if gpus_fit(mid) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            LayerMap::last_on_gpu(n, lo, gpus, false)
        }
    })
}

/// Estimates `workload` for `model` in `quant` on `system` with efficiency `eff`
/// (speculative decoding, if the workload asks for it, needs [`estimate_with_draft`]).
pub fn estimate(
    system: &System,
    model: &ModelSpec,
    quant: QuantScheme,
    workload: &Workload,
    eff: &Efficiency,
) -> Result<Estimate, EstimateError> {
    estimate_with_draft(system, model, None, quant, workload, eff)
}

/// As [`estimate`], with the draft model of the workload's speculative decoding resolved.
///
/// Speculative generation: a round drafts `k` tokens with the draft model and verifies
/// `k + 1` tokens in one target pass; it yields `E = (1 − αᵏ⁺¹) / (1 − α)` tokens on
/// average for acceptance rate `α`, so generation speed is
/// `E / (k × t_draft + t_verify(k + 1))`. The draft shares the devices of the target's
/// last block.
pub fn estimate_with_draft(
    system: &System,
    model: &ModelSpec,
    draft: Option<&ModelSpec>,
    quant: QuantScheme,
    workload: &Workload,
    eff: &Efficiency,
) -> Result<Estimate, EstimateError> {
    let system = &*system.with_backend(workload.backend);
    workload.validate()?;
    if workload.speculative.is_some() && draft.is_none() {
        return Err(EstimateError::DraftMissing);
    }
    let map = layer_map(model, quant, system, workload, eff)?;
    let gpus = if system.gpu.is_some() { system.gpu_count.max(1) } else { 0 };
    let devs = devices(system, eff, workload);
    let loads: Vec<DeviceLoad> = plan(model, quant, &map, gpus);
    let mut memory = memory::memory(model, workload, &devs, &loads);
    let draft_setup = match (draft, &workload.speculative) {
        (Some(d), Some(spec)) => {
            let home = map.gpu_of_layer.last().copied().flatten();
            let draft_map = LayerMap { gpu_of_layer: vec![home; d.layers as usize], experts_on_cpu: false };
            let draft_loads = plan(d, quant, &draft_map, gpus);
            let draft_memory = memory::memory(d, workload, &devs, &draft_loads);
            for m in &mut memory {
                if let Some(dm) = draft_memory.iter().find(|dm| dm.device == m.device) {
                    m.weights_gb += dm.weights_gb;
                    m.kv_cache_gb += dm.kv_cache_gb;
                    m.total_gb += dm.weights_gb + dm.kv_cache_gb;
                    m.fits = m.total_gb <= m.capacity_gb;
                }
            }
            Some((d, draft_loads, spec.clone()))
        }
        _ => None,
    };
    let fits = memory.iter().all(|m| m.fits) && unified_fits(system, &memory);
    let timer =
        Timer { model, devices: &devs, loads: &loads, kv_bytes_per_element: workload.kv_type.bytes_per_element() };
    let batch = f64::from(workload.batch);
    let depth = f64::from(workload.context_depth);
    let prompt = f64::from(workload.prompt_tokens);
    let pp = timer.prompt(prompt, depth, batch);
    // The file's size: a tied output copied to a GPU is memory, not more to load.
    let model_size_gb = plan::model_bytes(model, quant) / 1e9;
    let load_time_s = workload.cold_start_disk_gb_per_s.map_or(0.0, |d| model_size_gb / d);
    let prompt_s = pp.total_s();
    let ttft_s = prompt_s + load_time_s;
    let start = depth + prompt;
    let gen = timer.generation(start, workload.gen_tokens, batch);
    let mut gen_s = gen.total_s();
    if let Some((d, draft_loads, spec)) = &draft_setup {
        let draft_timer = Timer {
            model: d,
            devices: &devs,
            loads: draft_loads,
            kv_bytes_per_element: workload.kv_type.bytes_per_element(),
        };
        let mid = start + 0.5 * f64::from(workload.gen_tokens);
        let k = f64::from(spec.draft_tokens);
        let a = spec.acceptance_rate;
        let expected = if a >= 1.0 { k + 1.0 } else { (1.0 - a.powf(k + 1.0)) / (1.0 - a) };
        let round_s =
            k * draft_timer.generation_step(mid, batch).total_s() + timer.prompt(k + 1.0, mid, batch).total_s();
        gen_s = f64::from(workload.gen_tokens) * round_s / expected;
    }
    let first = timer.generation_step(start, batch).total_s();
    let last = timer.generation_step(start + f64::from(workload.gen_tokens), batch).total_s();
    let gen_tps = if gen_s > 0.0 { f64::from(workload.gen_tokens) / gen_s } else { 1.0 / first };
    let family = primary_family(&devs, &loads);
    let p = eff.get(family);
    let pp_tps = prompt * batch / prompt_s;
    let total_time_s = ttft_s + gen_s;
    let verdict = Verdict::classify(ttft_s, gen_tps, total_time_s, fits);
    Ok(Estimate {
        hardware: system.name.clone(),
        model: model.name.clone(),
        quant,
        gpu_layers: map.gpu_layer_count(),
        model_size_gb,
        prompt_tokens_per_s: pp_tps,
        prompt_band: Band { low: pp_tps * p.band_prompt[0], high: pp_tps * p.band_prompt[1] },
        time_to_first_token_ms: ttft_s * 1e3,
        time_to_first_token_band_ms: Band {
            low: (prompt_s / p.band_prompt[1] + load_time_s) * 1e3,
            high: (prompt_s / p.band_prompt[0] + load_time_s) * 1e3,
        },
        generation_tokens_per_s: gen_tps,
        generation_band: Band { low: gen_tps * p.band_generation[0], high: gen_tps * p.band_generation[1] },
        aggregate_generation_tokens_per_s: gen_tps * batch,
        generation_tokens_per_s_at_start: 1.0 / first,
        generation_tokens_per_s_at_end: 1.0 / last,
        total_time_s,
        load_time_s,
        memory,
        fits,
        prompt_bound: PhaseBound { bound: if load_time_s > prompt_s { Bound::Disk } else { pp.bound() }, split: pp },
        generation_bound: PhaseBound { bound: gen.bound(), split: gen },
        verdict,
        devices: devs,
    })
}

/// On unified memory the CPU and GPU allocations share one pool.
fn unified_fits(system: &System, memory: &[DeviceMemory]) -> bool {
    if system.unified.is_none() {
        return true;
    }
    let total: f64 = memory.iter().map(|m| m.total_gb).sum();
    total <= system.host_usable_gb()
}

/// The family whose parameters set the error band: the GPU's when any block runs there.
fn primary_family(devs: &[Device], loads: &[DeviceLoad]) -> crate::efficiency::Family {
    devs.iter()
        .zip(loads)
        .find(|(d, l)| d.kind == DeviceKind::Gpu && !l.layers.is_empty())
        .map_or(devs[0].family, |(d, _)| d.family)
}

/// Verdicts for the four reference use cases, keeping the workload's batch, KV type and
/// placement. `certain` is false when the ends of the error band give another verdict.
pub fn use_case_verdicts(
    system: &System,
    model: &ModelSpec,
    quant: QuantScheme,
    base: &Workload,
    eff: &Efficiency,
) -> Result<Vec<UseCaseVerdict>, EstimateError> {
    USE_CASES
        .iter()
        .map(|uc| {
            let w = Workload {
                prompt_tokens: uc.prompt_tokens,
                gen_tokens: uc.gen_tokens,
                context_tokens: None,
                ..base.clone()
            };
            let e = estimate(system, model, quant, &w, eff)?;
            let gen_s = e.total_time_s - e.time_to_first_token_ms / 1e3;
            let ends = [
                (e.time_to_first_token_band_ms.high, e.generation_band.low, e.prompt_band.low),
                (e.time_to_first_token_band_ms.low, e.generation_band.high, e.prompt_band.high),
            ];
            let certain = ends.iter().all(|&(ttft_ms, tg, _)| {
                let g = if tg > 0.0 { f64::from(uc.gen_tokens) / tg } else { gen_s };
                Verdict::classify(ttft_ms / 1e3, tg, ttft_ms / 1e3 + g, e.fits) == e.verdict
            });
            Ok(UseCaseVerdict {
                use_case: uc.id,
                verdict: e.verdict,
                certain,
                time_to_first_token_ms: e.time_to_first_token_ms,
                generation_tokens_per_s: e.generation_tokens_per_s,
                total_time_s: e.total_time_s,
            })
        })
        .collect()
}

/// Looks up hardware and model by id or alias and estimates with the shipped parameters.
pub fn estimate_ids(
    catalog: &Catalog,
    hardware: &str,
    model: &str,
    quant: Option<QuantScheme>,
    workload: &Workload,
) -> Result<Estimate, EstimateError> {
    let hw = catalog.hardware(hardware)?;
    let m = catalog.model(model)?;
    let system = System::assemble(hw, None, None, 1).map_err(|e| CatalogError::System(e.to_string()))?;
    let q = quant.unwrap_or_else(|| QuantScheme::parse(&m.default_quant).unwrap_or(QuantScheme::Q4_K_M));
    estimate(&system, m, q, workload, &Efficiency::fitted())
}
