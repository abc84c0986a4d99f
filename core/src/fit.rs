//! Fitting the global efficiency parameters to measured runs, and cross-validating them by
//! device.
//!
//! Each family is fitted on its own groups by Nelder–Mead over the logarithms of its
//! parameters, minimising a robust (Cauchy) loss of `ln(predicted / measured)` for
//! generation speed, prompt speed and time to first token. Families with fewer than
//! [`MIN_GROUPS`] groups keep their priors.

use std::collections::{BTreeMap, BTreeSet};

use crate::efficiency::{Efficiency, EngineFactors, Family, FamilyParams, ALL_FAMILIES};
use crate::runtime::Engine;
use crate::validate::bench::{self, BenchCase, Phase, DEEP_TOKENS};
use crate::validate::{predict, Group};

mod cross;

pub use cross::{cross_validate, fit_and_validate, FitReport};
pub(crate) use cross::{fold_of, par_map};

/// Fewest device × model groups a family needs to be fitted.
pub const MIN_GROUPS: usize = 4;

/// Fewest distinct devices a family's data must come from to be fitted: fewer would make
/// its parameters a description of one or two machines, not of the backend.
pub const MIN_DEVICES: usize = 3;

/// Scale of the Cauchy loss on log errors (≈ 10 %, the accuracy aimed at).
const LOSS_SCALE: f64 = 0.07;

/// The parameters a family's data can inform beyond those every family fits.
#[derive(Debug, Clone, Copy)]
struct Optional {
    /// `windows_latency_factor`.
    windows: bool,
    /// `laptop_efficiency`.
    laptop: bool,
    /// `attention_tile_tokens`.
    deep: bool,
    /// `expert_half_batch_tokens`.
    moe: bool,
}

/// One fitted parameter of a family, searched over its logarithm within `(low, high)`.
#[derive(Debug, Clone, Copy)]
enum Param {
    Bandwidth,
    Matrix,
    Vector,
    CoreBandwidth,
    LayerLatency,
    StepLatency,
    GenerationCompute,
    Attention,
    Windows,
    Laptop,
    AttentionTile,
    ExpertBatch,
}

impl Param {
    fn range(self) -> (f64, f64) {
        match self {
            Param::CoreBandwidth => (0.01, 200.0),
            Param::LayerLatency => (0.01, 5000.0),
            Param::StepLatency => (0.01, 100_000.0),
            Param::Windows => (1.0, 20.0),
            Param::Laptop => (0.05, 1.0),
            Param::AttentionTile => (1.0, 512.0),
            Param::ExpertBatch => (0.1, 4096.0),
            _ => (1e-6, 1.0),
        }
    }

    fn get(self, p: &FamilyParams) -> f64 {
        match self {
            Param::Bandwidth => p.bandwidth_efficiency,
            Param::Matrix => p.matrix_efficiency,
            Param::Vector => p.vector_efficiency,
            Param::CoreBandwidth => p.core_bandwidth_gb_per_s,
            Param::LayerLatency => p.layer_latency_us,
            Param::StepLatency => p.step_latency_us,
            Param::GenerationCompute => p.generation_compute_efficiency,
            Param::Attention => p.attention_efficiency,
            Param::Windows => p.windows_latency_factor,
            Param::Laptop => p.laptop_efficiency,
            Param::AttentionTile => p.attention_tile_tokens,
            Param::ExpertBatch => p.expert_half_batch_tokens,
        }
    }

    fn set(self, p: &mut FamilyParams, v: f64) {
        let (lo, hi) = self.range();
        let v = v.clamp(lo, hi);
        match self {
            Param::Bandwidth => p.bandwidth_efficiency = v,
            Param::Matrix => p.matrix_efficiency = v,
            Param::Vector => p.vector_efficiency = v,
            Param::CoreBandwidth => p.core_bandwidth_gb_per_s = v,
            Param::LayerLatency => p.layer_latency_us = v,
            Param::StepLatency => p.step_latency_us = v,
            Param::GenerationCompute => p.generation_compute_efficiency = v,
            Param::Attention => p.attention_efficiency = v,
            Param::Windows => p.windows_latency_factor = v,
            Param::Laptop => p.laptop_efficiency = v,
            Param::AttentionTile => p.attention_tile_tokens = v,
            Param::ExpertBatch => p.expert_half_batch_tokens = v,
        }
    }
}

/// The parameters fitted for a family. A CPU's step latency keeps its prior (500 µs):
/// the data do not pin it down (fitted without one fold of devices at a time it ranged
/// over 41–3324 µs, trading off against the block latency and the compute rate), and
/// fitting it made the other parameters no better at predicting devices left out.
fn params(cpu: bool, opt: Optional) -> Vec<Param> {
    let mut v = vec![Param::Bandwidth, Param::Matrix];
    if cpu {
        v.extend([Param::CoreBandwidth, Param::LayerLatency]);
    } else {
        v.extend([Param::Vector, Param::LayerLatency, Param::StepLatency]);
    }
    v.extend([Param::GenerationCompute, Param::Attention]);
    if opt.windows {
        v.push(Param::Windows);
    }
    if opt.laptop {
        v.push(Param::Laptop);
    }
    if opt.deep {
        v.push(Param::AttentionTile);
    }
    if opt.moe {
        v.push(Param::ExpertBatch);
    }
    v
}

fn to_vec(p: &FamilyParams, params: &[Param]) -> Vec<f64> {
    params
        .iter()
        .map(|q| {
            let (lo, hi) = q.range();
            q.get(p).clamp(lo, hi).ln()
        })
        .collect()
}

fn from_vec(x: &[f64], base: &FamilyParams, params: &[Param]) -> FamilyParams {
    let mut p = *base;
    for (q, v) in params.iter().zip(x) {
        q.set(&mut p, v.exp());
    }
    p
}

/// Cauchy loss `ln(1 + (r / s)²)` of a log error `r`: quadratic within `s`, growing only
/// logarithmically beyond, so runs far off their device's usual speed (virtual machines,
/// power-limited laptops, hosts that starve the GPU) pull the fit little and the
/// parameters describe a healthy setup; the error bands carry the spread.
fn cauchy(r: f64) -> f64 {
    (r / LOSS_SCALE).powi(2).ln_1p()
}

/// Loss of `eff` on `groups`.
fn loss(groups: &[&Group], eff: &Efficiency) -> f64 {
    groups
        .iter()
        .map(|g| match predict(g, eff) {
            Some((pp, tg, ttft)) if pp > 0.0 && tg > 0.0 && ttft > 0.0 => {
                // Medians of more runs are more trustworthy: weight by √runs.
                (g.runs as f64).sqrt()
                    * (2.0 * cauchy((tg / g.gen_tokens_per_s).ln())
                        + cauchy((pp / g.prompt_tokens_per_s).ln())
                        + 0.5 * cauchy((ttft / g.ttft_ms).ln()))
            }
            _ => 10.0,
        })
        .sum()
}

/// Minimises `f` from `x0` by Nelder–Mead with initial step `step` (in log units).
pub fn nelder_mead(f: &mut dyn FnMut(&[f64]) -> f64, x0: &[f64], step: f64, iterations: usize) -> Vec<f64> {
    let n = x0.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    simplex.push((x0.to_vec(), f(x0)));
    for i in 0..n {
        let mut x = x0.to_vec();
        x[i] += step;
        let fx = f(&x);
        simplex.push((x, fx));
    }
    for _ in 0..iterations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let centroid: Vec<f64> = (0..n).map(|j| simplex[..n].iter().map(|s| s.0[j]).sum::<f64>() / n as f64).collect();
        let worst = simplex[n].clone();
        let along = |t: f64| -> Vec<f64> { centroid.iter().zip(&worst.0).map(|(c, w)| c + t * (c - w)).collect() };
        let xr = along(1.0);
        let fr = f(&xr);
        if fr < simplex[0].1 {
            let xe = along(2.0);
            let fe = f(&xe);
            simplex[n] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (xr, fr);
        } else {
            let xc = along(-0.5);
            let fc = f(&xc);
            if fc < worst.1 {
                simplex[n] = (xc, fc);
            } else {
                let best = simplex[0].0.clone();
                for s in simplex.iter_mut().skip(1) {
                    s.0 = best.iter().zip(&s.0).map(|(b, x)| b + 0.5 * (x - b)).collect();
                    s.1 = f(&s.0);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex.swap_remove(0).0
}

/// Fits every family with enough groups (the others keep `start`'s values), then the
/// architectures' bandwidth factors; twice, so that the families' parameters no longer
/// stand in for what an architecture factor now carries.
pub fn fit(groups: &[&Group], start: &Efficiency, iterations: usize) -> Efficiency {
    fit_sources(groups, &[], start, iterations)
}

/// The engine whose rates the families describe: LocalScore's where its runs are in the
/// fit, else llama.cpp's (then every engine without data of its own runs at its rates).
pub fn reference_engine(groups: &[&Group]) -> Engine {
    if groups.is_empty() {
        Engine::LlamaCpp
    } else {
        Engine::LocalScore
    }
}

/// As [`fit`], with other sources' measured tests as well: they take part in their
/// families' fits (each device × model × phase of a source weighing as much as one
/// LocalScore group), and each engine other than the reference gets its profile
/// ([`EngineFactors`]) from its own tests: the median ratio of measured to predicted
/// prompt speed (its compute factor) and generation speed (its bandwidth factor) on GPUs,
/// below [`DEEP_TOKENS`] of depth.
pub fn fit_sources(groups: &[&Group], cases: &[&BenchCase], start: &Efficiency, iterations: usize) -> Efficiency {
    let mut eff = start.clone();
    let reference = reference_engine(groups);
    let weights = case_weights(cases);
    for _round in 0..2 {
        fit_families(groups, cases, &weights, &mut eff, iterations);
        fit_architectures(groups, &mut eff);
        fit_engines(cases, reference, &mut eff);
    }
    eff.fitted_on = if cases.is_empty() {
        format!("{} device × model groups of LocalScore runs", groups.len())
    } else {
        format!(
            "{} device × model groups of LocalScore runs and {} measured tests of other sources",
            groups.len(),
            cases.len()
        )
    };
    eff
}

/// Each case's weight in its family's loss: `1 / n` for the `n` tests of its source,
/// device, model and phase (a source's device × model pair counts like one LocalScore
/// group), twice that for generation (as in [`loss`]).
fn case_weights(cases: &[&BenchCase]) -> Vec<f64> {
    let key = |c: &BenchCase| (c.run.source.clone(), c.run.hardware_id.clone(), c.run.model_id.clone(), c.run.phase);
    let mut n: BTreeMap<_, usize> = BTreeMap::new();
    for c in cases {
        *n.entry(key(c)).or_insert(0) += 1;
    }
    cases
        .iter()
        .map(|c| {
            let phase = if c.run.phase == Phase::Generation { 2.0 } else { 1.0 };
            phase / n.get(&key(c)).copied().unwrap_or(1) as f64
        })
        .collect()
}

/// Loss of `eff` on other sources' tests, with their weights.
fn case_loss(cases: &[(&BenchCase, f64)], eff: &Efficiency) -> f64 {
    cases
        .iter()
        .map(|(c, w)| match bench::predict(c, eff) {
            Some(p) => w * cauchy((p / c.run.tokens_per_s).ln()),
            None => 10.0 * w,
        })
        .sum()
}

/// Fits each engine's profile other than `reference`'s from its GPU tests below
/// [`DEEP_TOKENS`] of depth (two passes of the median log ratio, since prompt speed
/// depends a little on bandwidth too; [`MIN_GROUPS`] tests or more per figure, from
/// [`MIN_DEVICES`] devices or more; with fewer the engine runs at the reference's rates).
///
/// An engine with a profile of its own ([`Engine::own_profile`]) starts from the whole
/// spec sheet and takes four passes; its tests may be few (this site's engine has been
/// run on one GPU), since its profile is all there is to say about it.
pub fn fit_engines(cases: &[&BenchCase], reference: Engine, eff: &mut Efficiency) {
    let engines: BTreeSet<Engine> = cases.iter().map(|c| c.run.engine).filter(|&e| e != reference).collect();
    for engine in engines {
        // A shared engine's profile must rest on several devices, or it describes one
        // machine (a profile of one device's tests would carry that device's physics to
        // every GPU); an engine with a profile of its own has no other description.
        if !engine_is_fitted(engine, cases) {
            eff.engines.remove(&engine);
            continue;
        }
        let (passes, least) = if engine.own_profile() { (4, 1) } else { (2, MIN_GROUPS) };
        for _pass in 0..passes {
            let ratio = |phase: Phase, eff: &Efficiency| -> Option<f64> {
                let mut logs: Vec<f64> = cases
                    .iter()
                    .filter(|c| {
                        c.run.engine == engine
                            && c.run.phase == phase
                            && c.run.depth < DEEP_TOKENS
                            && c.system.gpu.is_some()
                    })
                    .filter_map(|c| bench::predict(c, eff).map(|p| (c.run.tokens_per_s / p).ln()))
                    .collect();
                (logs.len() >= least).then(|| crate::validate::percentile(&mut logs, 0.5).exp())
            };
            let mut f = eff.engine(engine);
            if let Some(r) = ratio(Phase::Prompt, eff) {
                f.compute_factor = (f.compute_factor * r).clamp(0.05, 20.0);
            }
            if engine.own_profile() {
                if let Some(r) = ratio(Phase::Generation, eff) {
                    f.bandwidth_factor = (f.bandwidth_factor * r).clamp(0.05, 20.0);
                }
                eff.engines.insert(engine, f);
            } else {
                eff.engines.insert(engine, f);
                fit_engine_generation(cases, engine, eff);
            }
        }
    }
    // Rounding noise aside, a profile of ones says nothing: keep the file lean.
    eff.engines.retain(|_, f| *f != EngineFactors::ONE);
}

/// Fits a shared engine's bandwidth factor and its own GPU latencies (per block and per
/// step) together on its GPU generation tests below [`DEEP_TOKENS`] of depth: a step's time
/// is `bytes / bandwidth + fixed costs`, and the tests span models from 1 to 120 B
/// parameters and 16 to 120 blocks on GPUs from 256 GB/s to 3 TB/s, so how the measured
/// time grows with the bytes and the blocks separates the three (a bandwidth factor alone
/// would carry the reference engine's fixed costs into every model size). Robust loss, as
/// the families' fits.
fn fit_engine_generation(cases: &[&BenchCase], engine: Engine, eff: &mut Efficiency) {
    let mine: Vec<&BenchCase> = cases
        .iter()
        .copied()
        .filter(|c| {
            c.run.engine == engine
                && c.run.phase == Phase::Generation
                && c.run.depth < DEEP_TOKENS
                && c.system.gpu.is_some()
        })
        .collect();
    if mine.len() < MIN_GROUPS {
        return;
    }
    let start = eff.engine(engine);
    let at = |x: &[f64]| EngineFactors {
        bandwidth_factor: x[0].exp().clamp(0.05, 20.0),
        layer_latency_us: Some(x[1].exp().clamp(0.01, 5000.0)),
        step_latency_us: Some(x[2].exp().clamp(0.01, 100_000.0)),
        ..start
    };
    let mut trial = eff.clone();
    let mut objective = |x: &[f64]| -> f64 {
        trial.engines.insert(engine, at(x));
        mine.iter().map(|c| bench::predict(c, &trial).map_or(10.0, |p| cauchy((p / c.run.tokens_per_s).ln()))).sum()
    };
    // From the reference's CUDA latencies (the best-measured family) where none yet.
    let reference = eff.get(Family::Cuda);
    let x0 = [
        start.bandwidth_factor.ln(),
        start.layer_latency_us.unwrap_or(reference.layer_latency_us).max(0.01).ln(),
        start.step_latency_us.unwrap_or(reference.step_latency_us).max(0.01).ln(),
    ];
    let mut x = x0.to_vec();
    for _ in 0..2 {
        x = nelder_mead(&mut objective, &x, 0.3, 80);
    }
    eff.engines.insert(engine, at(&x));
}

/// Whether `engine` gets a profile from `cases`: tests from [`MIN_DEVICES`] devices or more,
/// or any test for an engine with a profile of its own.
pub(crate) fn engine_is_fitted(engine: Engine, cases: &[&BenchCase]) -> bool {
    let devices: BTreeSet<&str> =
        cases.iter().filter(|c| c.run.engine == engine).map(|c| c.run.hardware_id.as_str()).collect();
    !devices.is_empty() && (engine.own_profile() || devices.len() >= MIN_DEVICES)
}

/// Whether `family` is fitted on `groups` and `cases`: [`MIN_GROUPS`] groups or device ×
/// model pairs, from [`MIN_DEVICES`] devices or more (tests of an engine with a profile of
/// its own say nothing about a family's rates and do not count).
pub(crate) fn family_is_fitted(family: Family, groups: &[&Group], cases: &[&BenchCase]) -> bool {
    let mine: Vec<&Group> = groups.iter().copied().filter(|g| g.family == family).collect();
    let my_cases: Vec<&BenchCase> =
        cases.iter().copied().filter(|c| c.family == family && !c.run.engine.own_profile()).collect();
    let pairs: BTreeSet<(&str, &str)> =
        my_cases.iter().map(|c| (c.run.hardware_id.as_str(), c.run.model_id.as_str())).collect();
    let devices: BTreeSet<&str> = mine
        .iter()
        .map(|g| g.hardware_id.as_str())
        .chain(my_cases.iter().map(|c| c.run.hardware_id.as_str()))
        .collect();
    mine.len() + pairs.len() >= MIN_GROUPS && devices.len() >= MIN_DEVICES
}

/// Fits each family's parameters by Nelder–Mead on its own groups and other sources' tests
/// (a family needs [`MIN_GROUPS`] groups or device × model pairs, from [`MIN_DEVICES`]
/// devices or more).
fn fit_families(groups: &[&Group], cases: &[&BenchCase], weights: &[f64], eff: &mut Efficiency, iterations: usize) {
    for family in ALL_FAMILIES {
        let mine: Vec<&Group> = groups.iter().copied().filter(|g| g.family == family).collect();
        let my_cases: Vec<(&BenchCase, f64)> =
            // An engine with a profile of its own says nothing about the family's rates.
            cases
                .iter()
                .copied()
                .zip(weights.iter().copied())
                .filter(|(c, _)| c.family == family && !c.run.engine.own_profile())
                .collect();
        if !family_is_fitted(family, groups, cases) {
            continue;
        }
        let cpu = family.is_cpu();
        // The Windows factor describes a GPU driver's launch costs; it is fitted where the
        // family has enough groups run (mostly) on Windows to tell it apart.
        let windows = !cpu && mine.iter().filter(|g| 2 * g.windows_runs > g.runs).count() >= MIN_GROUPS;
        // Likewise the laptop factor, where enough groups ran on laptop GPUs.
        let laptop = !cpu && mine.iter().filter(|g| g.on_laptop_gpu()).count() >= MIN_GROUPS;
        // The flash-attention tile, where prompts at depth with flash attention were
        // measured on enough device × model pairs (below that depth the cache's traffic
        // is too small to tell the tile).
        let deep_pairs: BTreeSet<(&str, &str)> = my_cases
            .iter()
            .filter(|(c, _)| {
                c.run.phase == Phase::Prompt
                    && c.run.depth >= DEEP_TOKENS
                    && c.system.gpu.is_some()
                    && c.run.flash_attention.enabled(c.run.engine)
            })
            .map(|(c, _)| (c.run.hardware_id.as_str(), c.run.model_id.as_str()))
            .collect();
        let deep = !cpu && deep_pairs.len() >= MIN_GROUPS;
        // The experts' small-batch rate, where prompts of mixture-of-experts models were
        // measured on enough device × model pairs.
        let moe_pairs: BTreeSet<(&str, &str)> = my_cases
            .iter()
            .filter(|(c, _)| c.run.phase == Phase::Prompt && c.system.gpu.is_some() && c.model.moe.is_some())
            .map(|(c, _)| (c.run.hardware_id.as_str(), c.run.model_id.as_str()))
            .collect();
        let moe = !cpu && moe_pairs.len() >= MIN_GROUPS;
        let fitted = params(cpu, Optional { windows, laptop, deep, moe });
        let base = eff.get(family);
        let x0 = to_vec(&base, &fitted);
        let mut trial = eff.clone();
        let mut objective = |x: &[f64]| {
            trial.families.insert(family, from_vec(x, &base, &fitted));
            loss(&mine, &trial) + case_loss(&my_cases, &trial)
        };
        // Two restarts shake the simplex out of early collapse.
        let mut x = x0;
        for _ in 0..2 {
            x = nelder_mead(&mut objective, &x, 0.4, iterations);
        }
        eff.families.insert(family, from_vec(&x, &base, &fitted));
    }
}

/// `ln 1.5`: groups further off than this are left out of the architecture factors.
const CONSISTENT_LN: f64 = 0.405_465_108_108_164_4;

/// Fits a bandwidth factor for each GPU architecture with at least [`MIN_GROUPS`] groups,
/// its family's parameters held, by golden-section search over its logarithm.
fn fit_architectures(groups: &[&Group], eff: &mut Efficiency) {
    let mut archs: Vec<String> = groups
        .iter()
        .filter(|g| g.on_gpu)
        .filter_map(|g| g.system.gpu.as_ref().map(|x| x.architecture.clone()))
        .collect();
    archs.sort();
    archs.dedup();
    for arch in archs {
        let mine: Vec<&Group> = groups
            .iter()
            .copied()
            .filter(|g| g.on_gpu && g.system.gpu.as_ref().is_some_and(|x| x.architecture == arch))
            // Only groups the family's parameters already place within 1.5× take part:
            // runs 2–5× below their spec (virtual machines, GPU slices, hosts that starve
            // the GPU) say nothing about what the architecture reaches.
            .filter(|g| predict(g, eff).is_some_and(|(_, tg, _)| (tg / g.gen_tokens_per_s).ln().abs() < CONSISTENT_LN))
            .collect();
        if mine.len() < MIN_GROUPS {
            continue;
        }
        let mut trial = eff.clone();
        let mut f = |ln_k: f64| {
            trial.architectures.insert(arch.clone(), ln_k.exp());
            loss(&mine, &trial)
        };
        let (mut a, mut b) = (0.3f64.ln(), 0.0);
        let r = 0.5 * (5f64.sqrt() - 1.0);
        for _ in 0..30 {
            let (c, d) = (b - r * (b - a), a + r * (b - a));
            if f(c) < f(d) {
                b = d;
            } else {
                a = c;
            }
        }
        let k = (0.5 * (a + b)).exp();
        if k < 0.99 {
            eff.architectures.insert(arch, k);
        }
    }
}
