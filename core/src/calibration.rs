//! Measurements from the GPU probes applied to a machine.
//!
//! A calibrated machine keeps its catalog description but takes its GPU's memory bandwidth
//! and arithmetic peak from the probes: `bandwidth_gb_per_s` becomes the measured read
//! bandwidth and `fp32_tflops` (and `fp16_tflops` where measured) the measured FMA rate.
//! The estimator then applies its usual family efficiency to these figures as it does to
//! spec-sheet peaks. Tensor-core throughput cannot be measured from WGSL, so it is scaled
//! by the ratio of measured to spec f32 throughput (clocks and power limits move both).

use serde::{Deserialize, Serialize};

use crate::catalog::{normalize, Catalog};
use crate::hardware::{HardwareEntry, HardwareKind};
use crate::system::System;

pub use crate::measured::{CalibrationError, Measured, MIN_BANDWIDTH_GB_PER_S, MIN_FP32_TFLOPS};

/// How far above its spec sheet's bandwidth a calibration may put a GPU.
const SHEET_HEADROOM: f64 = 1.1;

/// A model benchmark's result (generated weights at a catalog model's shapes, Q4_K_M).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRun {
    /// The adapter as the browser or driver named it.
    pub adapter: String,
    /// Prompt tokens of the prompt-processing test.
    pub prompt_tokens: u32,
    /// Generated tokens of the generation test.
    pub gen_tokens: u32,
    /// Measured prompt processing, token/s.
    pub pp_tokens_per_s: f64,
    /// Measured generation, token/s.
    pub tg_tokens_per_s: f64,
}

/// The bandwidth and f32 FLOPS that make the estimator predict `run` for `model` in
/// `quant` on `system`'s GPU under this site's engine (its fitted profile; whole model on
/// the GPU, batch 1, no context before the prompt): generation speed is, to first order, proportional to bandwidth and prompt
/// speed to FLOPS, so each is rescaled by measured ÷ predicted until both agree within
/// 0.5 % (at most 20 rounds). The figures stay within what a machine may have (at least
/// 1 GB/s and 0.001 TFLOPS, as `check` requires, and at most 10 % above the sheet's
/// bandwidth), so a slower device, or latency terms
/// the figures cannot move, leave a gap: compare the returned prediction with the run.
/// Returns the figures as a [`Measured`] for [`calibrate`], and the final predicted
/// (prompt, generation) token/s.
pub fn fit_model_run(
    system: &System,
    model: &crate::model::ModelSpec,
    quant: crate::quant::QuantScheme,
    run: &ModelRun,
    eff: &crate::efficiency::Efficiency,
) -> Result<(Measured, (f64, f64)), CalibrationError> {
    let plausible = |x: f64| x.is_finite() && x > 0.0 && x < 1e7;
    if !plausible(run.pp_tokens_per_s) || !plausible(run.tg_tokens_per_s) {
        return Err(CalibrationError::Implausible("the model benchmark's speed"));
    }
    let gpu = system.gpu.as_ref().ok_or_else(|| CalibrationError::NoGpu(system.name.clone()))?;
    let mut m = Measured {
        adapter: run.adapter.clone(),
        read_gb_per_s: gpu.bandwidth_gb_per_s,
        fma_f32_tflops: gpu.fp32_tflops,
        fma_f16_tflops: None,
    };
    let workload = crate::workload::Workload {
        prompt_tokens: run.prompt_tokens.max(1),
        gen_tokens: run.gen_tokens.max(1),
        context_depth: 0,
        placement: crate::workload::Placement::GpuOnly,
        // The run is this site's engine's: its profile turns the speeds into the device's
        // capability, which then predicts any engine through that engine's profile.
        engine: crate::runtime::Engine::RooflineWebgpu,
        ..crate::workload::Workload::default()
    };
    let mut predicted = (0.0, 0.0);
    for _ in 0..20 {
        let calibrated = calibrate(system, &m)?;
        let e = crate::estimate::estimate(&calibrated, model, quant, &workload, eff)
            .map_err(|e| CalibrationError::Estimate(e.to_string()))?;
        predicted = (e.prompt_tokens_per_s, e.generation_tokens_per_s);
        let (pp, tg) = (run.pp_tokens_per_s / predicted.0, run.tg_tokens_per_s / predicted.1);
        if (pp - 1.0).abs() < 0.005 && (tg - 1.0).abs() < 0.005 {
            break;
        }
        // No run shows more than the memory has: a generation faster than the sheet's
        // bandwidth allows is the engine's fixed costs being smaller than its profile says,
        // not more bandwidth (sheets round, so 10 % above them is allowed).
        m.read_gb_per_s = (m.read_gb_per_s * tg.clamp(0.1, 10.0))
            .clamp(MIN_BANDWIDTH_GB_PER_S, (SHEET_HEADROOM * gpu.bandwidth_gb_per_s).max(MIN_BANDWIDTH_GB_PER_S));
        m.fma_f32_tflops = (m.fma_f32_tflops * pp.clamp(0.1, 10.0)).clamp(MIN_FP32_TFLOPS, 99_999.0);
    }
    Ok((m, predicted))
}

/// `system` with its GPU's bandwidth and FLOPS replaced by `measured`; named
/// "… (measured)" and carrying the measurement.
pub fn calibrate(system: &System, measured: &Measured) -> Result<System, CalibrationError> {
    measured.check()?;
    let mut out = system.clone();
    let Some(gpu) = out.gpu.as_mut() else {
        return Err(CalibrationError::NoGpu(system.name.clone()));
    };
    let scale = if gpu.fp32_tflops > 0.0 { measured.fma_f32_tflops / gpu.fp32_tflops } else { 1.0 };
    // Within `check`'s ranges, so the calibrated machine always estimates and shares.
    gpu.bandwidth_gb_per_s = measured.read_gb_per_s.max(MIN_BANDWIDTH_GB_PER_S);
    gpu.fp32_tflops = measured.fma_f32_tflops.max(MIN_FP32_TFLOPS);
    gpu.fp16_tflops = measured.fma_f16_tflops.unwrap_or(gpu.fp16_tflops * scale);
    gpu.tensor_fp16_tflops = gpu.tensor_fp16_tflops.map(|t| (t * scale).max(MIN_FP32_TFLOPS));
    let base = system.name.trim_end_matches(" (measured)");
    out.name = format!("{base} (measured)");
    out.measured = Some(measured.clone());
    Ok(out)
}

/// A measured figure against the spec sheet's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AgainstSpec {
    /// Measured.
    pub measured: f64,
    /// Spec sheet.
    pub spec: f64,
    /// measured / spec × 100.
    pub percent: f64,
}

impl AgainstSpec {
    fn new(measured: f64, spec: f64) -> Option<Self> {
        (spec > 0.0 && measured.is_finite()).then(|| Self { measured, spec, percent: measured / spec * 100.0 })
    }
}

/// Bandwidth and f32 throughput against `entry`'s GPU spec.
pub fn against_spec(entry: &HardwareEntry, measured: &Measured) -> Option<(AgainstSpec, AgainstSpec)> {
    let gpu = entry.gpu.as_ref()?;
    Some((
        AgainstSpec::new(measured.read_gb_per_s, gpu.bandwidth_gb_per_s)?,
        AgainstSpec::new(measured.fma_f32_tflops, gpu.fp32_tflops)?,
    ))
}

fn tokens(text: &str) -> Vec<String> {
    normalize(text).split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

/// The catalog entry with a GPU whose name best matches an adapter's name and description:
/// every token of the entry's name (or of one alias) that contains a digit must appear in
/// the adapter's text, and the entry matching the most tokens wins ("RTX 4070 Ti" over
/// "RTX 4070"). Browsers often hide the name; then nothing matches.
pub fn match_adapter<'a>(catalog: &'a Catalog, name: &str, description: &str) -> Option<&'a HardwareEntry> {
    let adapter = tokens(&format!("{name} {description}"));
    if adapter.is_empty() {
        return None;
    }
    let score = |label: &str| -> Option<usize> {
        let wanted = tokens(label);
        let model: Vec<&String> = wanted.iter().filter(|t| t.chars().any(|c| c.is_ascii_digit())).collect();
        if model.is_empty() || !model.iter().all(|t| adapter.contains(t)) {
            return None;
        }
        Some(wanted.iter().filter(|t| adapter.contains(t)).count() * 100 - wanted.len())
    };
    catalog
        .hardware
        .iter()
        .filter(|e| e.gpu.is_some() && e.kind != HardwareKind::Cpu)
        .filter_map(|e| {
            let best =
                std::iter::once(e.name.as_str()).chain(e.aliases.iter().map(String::as_str)).filter_map(score).max();
            best.map(|s| (s, e))
        })
        .max_by_key(|(s, _)| *s)
        .map(|(_, e)| e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::try_builtin().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn adapters_match_their_catalog_entries() {
        let c = catalog();
        let id = |name: &str| match_adapter(&c, name, "").map(|e| e.id.clone());
        assert_eq!(id("NVIDIA GeForce RTX 4070").as_deref(), Some("nvidia-geforce-rtx-4070"));
        assert_eq!(id("NVIDIA GeForce RTX 4070 Ti").as_deref(), Some("nvidia-geforce-rtx-4070-ti"));
        assert_eq!(id("llvmpipe (LLVM 15.0.6, 256 bits)"), None);
        assert_eq!(id(""), None);
    }

    #[test]
    fn calibration_replaces_peaks_and_keeps_the_rest() {
        let c = catalog();
        let entry = c.hardware("nvidia-geforce-rtx-4070").unwrap_or_else(|e| panic!("{e}"));
        let system = System::assemble(entry, None, None, 1).unwrap_or_else(|e| panic!("{e}"));
        let spec = system.gpu.clone().unwrap_or_else(|| unreachable!());
        let m = Measured {
            adapter: "test".into(),
            read_gb_per_s: 400.0,
            fma_f32_tflops: spec.fp32_tflops / 2.0,
            fma_f16_tflops: None,
        };
        let out = calibrate(&system, &m).unwrap_or_else(|e| panic!("{e}"));
        let gpu = out.gpu.clone().unwrap_or_else(|| unreachable!());
        assert_eq!(gpu.bandwidth_gb_per_s, 400.0);
        assert_eq!(gpu.fp16_tflops, spec.fp16_tflops / 2.0);
        assert_eq!(gpu.vram_gb, spec.vram_gb);
        assert!(out.name.ends_with("(measured)"));
        assert_eq!(calibrate(&out, &m).map(|s| s.name), Ok(out.name.clone()));
        let (bw, _) = against_spec(entry, &m).unwrap_or_else(|| unreachable!());
        assert!((bw.percent - 400.0 / spec.bandwidth_gb_per_s * 100.0).abs() < 1e-9);
        let bad = Measured { read_gb_per_s: f64::NAN, ..m };
        assert!(calibrate(&system, &bad).is_err());
    }

    #[test]
    fn a_model_run_is_fitted_so_the_estimator_predicts_it() {
        let c = catalog();
        let entry = c.hardware("nvidia-geforce-rtx-4070").unwrap_or_else(|e| panic!("{e}"));
        let system = System::assemble(entry, None, None, 1).unwrap_or_else(|e| panic!("{e}"));
        let model = c.model("llama-3-2-1b").unwrap_or_else(|e| panic!("{e}"));
        let eff = crate::efficiency::Efficiency::fitted();
        let q = crate::quant::QuantScheme::Q4_K_M;
        let run = ModelRun {
            adapter: "test".into(),
            prompt_tokens: 512,
            gen_tokens: 128,
            pp_tokens_per_s: 3000.0,
            tg_tokens_per_s: 90.0,
        };
        let (m, (pp, tg)) = fit_model_run(&system, model, q, &run, &eff).unwrap_or_else(|e| panic!("{e}"));
        assert!((pp / 3000.0 - 1.0).abs() < 0.01 && (tg / 90.0 - 1.0).abs() < 0.01, "{pp} {tg}");
        // The calibrated machine predicts the run, and a bigger model more slowly.
        let calibrated = calibrate(&system, &m).unwrap_or_else(|e| panic!("{e}"));
        let w =
            crate::workload::Workload { prompt_tokens: 512, gen_tokens: 128, context_depth: 0, ..Default::default() };
        let big = c.model("llama-3-1-8b").unwrap_or_else(|e| panic!("{e}"));
        let e = crate::estimate::estimate(&calibrated, big, q, &w, &eff).unwrap_or_else(|e| panic!("{e}"));
        assert!(e.generation_tokens_per_s < 90.0 && e.generation_tokens_per_s > 5.0, "{}", e.generation_tokens_per_s);
        let bad = ModelRun { tg_tokens_per_s: f64::INFINITY, ..run };
        assert!(fit_model_run(&system, model, q, &bad, &eff).is_err());
    }
}
