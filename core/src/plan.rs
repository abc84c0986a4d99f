//! "What can I run?": every catalog model in the quantizations people download, estimated
//! on one machine for one workload, with where it goes, how much context fits and whether
//! it is good enough.
//!
//! Each row's figures are those of [`crate::estimate::estimate`] for the same machine,
//! model, quantization and workload (placement `Auto` unless the workload says otherwise),
//! so `roofline estimate` with the same options prints the same numbers.

use serde::Serialize;

use crate::catalog::Catalog;
use crate::efficiency::Efficiency;
use crate::estimate::verdict::Verdict;
use crate::estimate::{estimate, Estimate};
use crate::model::ModelSpec;
use crate::quant::QuantScheme;
use crate::system::System;
use crate::workload::{Placement, Workload};

pub mod view;

/// The quantizations every model is planned in; a model's own default (MXFP4 for gpt-oss)
/// is added where it is not among them.
pub const PLAN_QUANTS: [QuantScheme; 5] =
    [QuantScheme::Q4_K_M, QuantScheme::Q5_K_M, QuantScheme::Q6_K, QuantScheme::Q8_0, QuantScheme::F16];

/// Where a model goes on the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fit {
    /// Every block on the GPU(s).
    Gpu,
    /// Some blocks on the GPU(s), the rest in system memory.
    Partial,
    /// On the CPU alone (no GPU, or none of it fits there).
    CpuOnly,
    /// Not in this machine's memory.
    DoesNotFit,
}

impl Fit {
    /// Words for tables.
    pub fn label(self) -> &'static str {
        match self {
            Fit::Gpu => "on GPU",
            Fit::Partial => "partly offloaded",
            Fit::CpuOnly => "CPU only",
            Fit::DoesNotFit => "does not fit",
        }
    }
}

/// One model in one quantization on the machine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRow {
    /// Catalog model id.
    pub model_id: String,
    /// Model name.
    pub model_name: String,
    /// Total parameters, billions.
    pub params_b: f64,
    /// Quantization.
    pub quant: QuantScheme,
    /// The model file's size, GB.
    pub model_size_gb: f64,
    /// Where it goes.
    pub fits: Fit,
    /// The placement in words (`all 32 blocks on the GPU`, `40 of 80 blocks on the GPUs`,
    /// `CPU`).
    pub placement: String,
    /// Blocks on the GPU(s) of the model's `layers`.
    pub gpu_layers: u32,
    /// The model's blocks.
    pub layers: u32,
    /// The largest context (tokens, up to the model's own limit) whose KV cache still fits
    /// with the same placement; 0 where even the workload's does not fit.
    pub max_context_tokens: u32,
    /// Prompt speed, token/s.
    pub prompt_tokens_per_s: f64,
    /// Time to first token, ms.
    pub time_to_first_token_ms: f64,
    /// Generation speed, token/s.
    pub generation_tokens_per_s: f64,
    /// Verdict for the workload.
    pub verdict: Verdict,
}

/// The placement an estimate chose, pinned (so a longer context is tried where it was).
fn pinned(e: &Estimate, model: &ModelSpec, workload: &Workload, system: &System) -> Placement {
    match workload.placement {
        Placement::Auto if system.gpu.is_none() || e.gpu_layers == 0 => Placement::CpuOnly,
        Placement::Auto if e.gpu_layers >= model.layers => Placement::GpuOnly,
        Placement::Auto => Placement::GpuLayers(e.gpu_layers),
        p => p,
    }
}

/// The largest context in `[needed, model.max_context]` that fits `model` in `quant` with
/// `placement` (as [`plan_row_without_context`] returns it), by bisection (memory grows
/// with the context), tokens; 0 when the workload's own does not fit.
pub fn context_limit(
    system: &System,
    model: &ModelSpec,
    quant: QuantScheme,
    workload: &Workload,
    placement: Placement,
    eff: &Efficiency,
) -> u32 {
    let needed = workload.context_depth.saturating_add(workload.prompt_tokens).saturating_add(workload.gen_tokens);
    let fits = |c: u32| {
        let w = Workload { context_tokens: Some(c), placement, speculative: None, ..workload.clone() };
        estimate(system, model, quant, &w, eff).is_ok_and(|e| e.fits)
    };
    let top = model.max_context.max(needed);
    if !fits(needed) {
        return 0;
    }
    if fits(top) {
        return top;
    }
    let (mut lo, mut hi) = (needed, top); // fits(lo), !fits(hi)
    while hi - lo > 256.max(lo / 64) {
        let mid = lo + (hi - lo) / 2;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// One row: `model` in `quant` on `system` for `workload`; `None` where the estimator
/// refuses the combination (a placement the machine cannot take).
pub fn plan_row(
    system: &System,
    model: &ModelSpec,
    quant: QuantScheme,
    workload: &Workload,
    eff: &Efficiency,
) -> Option<PlanRow> {
    let (mut row, placement) = plan_row_without_context(system, model, quant, workload, eff)?;
    if row.fits != Fit::DoesNotFit {
        row.max_context_tokens = context_limit(system, model, quant, workload, placement, eff);
    }
    Some(row)
}

/// [`plan_row`] without its costliest column: `max_context_tokens` is 0, and the placement
/// returned is the one [`context_limit`] fills it in with (the site paints the table first
/// and the column after).
pub fn plan_row_without_context(
    system: &System,
    model: &ModelSpec,
    quant: QuantScheme,
    workload: &Workload,
    eff: &Efficiency,
) -> Option<(PlanRow, Placement)> {
    let e = estimate(system, model, quant, workload, eff).ok()?;
    let placement = pinned(&e, model, workload, system);
    let fits = match (e.fits, placement) {
        (false, _) => Fit::DoesNotFit,
        (true, Placement::CpuOnly) => Fit::CpuOnly,
        (true, _) if e.gpu_layers >= model.layers => Fit::Gpu,
        (true, _) => Fit::Partial,
    };
    let gpus = if system.gpu_count > 1 { "GPUs" } else { "GPU" };
    let placement_text = match placement {
        Placement::CpuOnly => "CPU".to_owned(),
        _ if e.gpu_layers >= model.layers => format!("all {} blocks on the {gpus}", model.layers),
        _ => format!("{} of {} blocks on the {gpus}", e.gpu_layers, model.layers),
    };
    let row = PlanRow {
        model_id: model.id.clone(),
        model_name: model.name.clone(),
        params_b: model.params_total_b,
        quant,
        model_size_gb: e.model_size_gb,
        fits,
        placement: placement_text,
        gpu_layers: e.gpu_layers,
        layers: model.layers,
        max_context_tokens: 0,
        prompt_tokens_per_s: e.prompt_tokens_per_s,
        time_to_first_token_ms: e.time_to_first_token_ms,
        generation_tokens_per_s: e.generation_tokens_per_s,
        verdict: e.verdict,
    };
    Some((row, placement))
}

/// The quantizations `model` is planned in.
pub fn quants_of(model: &ModelSpec) -> Vec<QuantScheme> {
    let mut out = PLAN_QUANTS.to_vec();
    if let Some(own) = QuantScheme::parse(&model.default_quant).filter(|q| !out.contains(q)) {
        out.push(own);
    }
    out
}

/// Every catalog model in each of its quantizations, in catalog order.
pub fn plan(catalog: &Catalog, system: &System, workload: &Workload, eff: &Efficiency) -> Vec<PlanRow> {
    catalog
        .models
        .iter()
        .flat_map(|m| quants_of(m).into_iter().filter_map(move |q| plan_row(system, m, q, workload, eff)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(id: &str) -> (Catalog, System) {
        let c = Catalog::builtin();
        let hw = c.hardware(id).unwrap_or_else(|e| panic!("{e}")).clone();
        let s = System::assemble(&hw, None, None, 1).unwrap_or_else(|e| panic!("{e}"));
        (c, s)
    }

    #[test]
    fn rows_are_the_estimates_and_the_context_limit_holds() {
        let (c, system) = setup("nvidia-geforce-rtx-4090");
        let eff = Efficiency::fitted();
        let w = Workload { prompt_tokens: 1024, gen_tokens: 16, ..Workload::default() };
        let rows = plan(&c, &system, &w, &eff);
        assert!(rows.len() >= c.models.len() * PLAN_QUANTS.len(), "{}", rows.len());
        for r in rows.iter().filter(|r| r.model_id == "llama-3-1-8b" || r.model_id == "llama-3-3-70b") {
            let m = c.model(&r.model_id).unwrap_or_else(|e| panic!("{e}"));
            let e = estimate(&system, m, r.quant, &w, &eff).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(r.generation_tokens_per_s, e.generation_tokens_per_s);
            assert_eq!(r.time_to_first_token_ms, e.time_to_first_token_ms);
            if r.fits != Fit::DoesNotFit {
                assert!(r.max_context_tokens >= 1040, "{r:?}");
            }
        }
        let small = rows.iter().find(|r| r.model_id == "llama-3-1-8b" && r.quant == QuantScheme::Q4_K_M);
        assert!(matches!(small, Some(r) if r.fits == Fit::Gpu && r.max_context_tokens > 32_768), "{small:?}");
        let big = rows.iter().find(|r| r.model_id == "llama-3-1-405b" && r.quant == QuantScheme::F16);
        assert!(matches!(big, Some(r) if r.fits == Fit::DoesNotFit && r.max_context_tokens == 0), "{big:?}");
        let seventy = rows.iter().find(|r| r.model_id == "llama-3-3-70b" && r.quant == QuantScheme::Q4_K_M);
        assert!(matches!(seventy, Some(r) if r.fits == Fit::Partial), "{seventy:?}");
        // gpt-oss is planned in its own format too.
        assert!(rows.iter().any(|r| r.model_id == "gpt-oss-20b" && r.quant == QuantScheme::MXFP4));
    }

    #[test]
    fn a_cpu_machine_runs_on_the_cpu() {
        let (c, system) = setup("amd-ryzen-9-5950x");
        let m = c.model("llama-3-2-1b").unwrap_or_else(|e| panic!("{e}"));
        let r = plan_row(&system, m, QuantScheme::Q4_K_M, &Workload::default(), &Efficiency::fitted());
        assert!(matches!(&r, Some(r) if r.fits == Fit::CpuOnly && r.gpu_layers == 0), "{r:?}");
    }

    /// With the context at the reported limit the model fits; well past it, it does not.
    #[test]
    fn the_reported_context_is_the_limit() {
        let (c, system) = setup("nvidia-geforce-rtx-3060-12gb");
        let eff = Efficiency::fitted();
        let m = c.model("qwen2-5-14b").unwrap_or_else(|e| panic!("{e}"));
        let w = Workload::default();
        let r = plan_row(&system, m, QuantScheme::Q4_K_M, &w, &eff).unwrap_or_else(|| panic!("no row"));
        assert!(r.max_context_tokens > 0 && r.max_context_tokens < m.max_context, "{r:?}");
        let at = |c: u32| {
            let w = Workload { context_tokens: Some(c), placement: Placement::GpuOnly, ..w.clone() };
            estimate(&system, m, QuantScheme::Q4_K_M, &w, &eff).is_ok_and(|e| e.fits)
        };
        assert!(r.fits == Fit::Gpu, "{r:?}");
        assert!(at(r.max_context_tokens));
        assert!(!at(r.max_context_tokens + 4096));
    }
}
