//! Measurements applied to a machine: the GPU probes, or a model run of this site's engine.
//!
//! A calibrated machine keeps its catalog description but takes its GPU's memory bandwidth
//! and f32 peak from the measurement, as the spec-sheet figures that the estimator's family
//! efficiencies were fitted to. A probe reaches only part of a sheet, so a probed figure is
//! divided by the part it reaches ([`ProbeProfile`]); a model run is fitted through this
//! site's engine's profile ([`fit_model_run`]) and gives spec-sheet figures directly. The
//! estimator then applies its usual efficiencies to them. Tensor-core throughput cannot be
//! measured from WGSL, and the f16 probe is shown but not used (on the one GPU recorded it
//! reached 46 % of the sheet's vector f16 against 65 % for f32, and sheets count f16 as
//! packed pairs on some architectures and not on others), so both are scaled by the ratio
//! of the calibrated to the sheet's f32 peak (clocks and power limits move them all).

use serde::{Deserialize, Serialize};

use crate::catalog::{normalize, Catalog};
use crate::hardware::{HardwareEntry, HardwareKind};
use crate::system::System;

mod probe_profile;

pub use crate::measured::{CalibrationError, Measured, MeasuredBy, MIN_BANDWIDTH_GB_PER_S, MIN_FP32_TFLOPS};
pub use probe_profile::{
    parse_probe_runs, DeviceFractions, Probe, ProbeProfile, ProbeRun, ProbeRunsError, READ_WORKING_SET_MIB,
};

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
        by: MeasuredBy::ModelRun,
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

/// The spec-sheet bandwidth, GB/s, and f32 peak, TFLOPS, that `measured` stands for:
/// probed figures ÷ the share of the sheet the probes reach ([`ProbeProfile::RECORDED`]),
/// a model run's fitted figures as they are.
pub fn spec_equivalent(measured: &Measured) -> (f64, f64) {
    match measured.by {
        MeasuredBy::Probes => {
            let p = ProbeProfile::RECORDED;
            (p.spec_bandwidth_gb_per_s(measured.read_gb_per_s), p.spec_fp32_tflops(measured.fma_f32_tflops))
        }
        MeasuredBy::ModelRun => (measured.read_gb_per_s, measured.fma_f32_tflops),
    }
}

/// `system` with its GPU's bandwidth and f32 peak replaced by `measured`'s spec-sheet
/// equivalents ([`spec_equivalent`]), its f16 and tensor peaks scaled by the same f32
/// ratio; named "… (measured)" and carrying the measurement.
pub fn calibrate(system: &System, measured: &Measured) -> Result<System, CalibrationError> {
    measured.check()?;
    let mut out = system.clone();
    let Some(gpu) = out.gpu.as_mut() else {
        return Err(CalibrationError::NoGpu(system.name.clone()));
    };
    let (bandwidth_gb_per_s, fp32_tflops) = spec_equivalent(measured);
    let scale = if gpu.fp32_tflops > 0.0 { fp32_tflops / gpu.fp32_tflops } else { 1.0 };
    // Within `check`'s ranges, so the calibrated machine always estimates and shares.
    gpu.bandwidth_gb_per_s = bandwidth_gb_per_s.max(MIN_BANDWIDTH_GB_PER_S);
    gpu.fp32_tflops = fp32_tflops.max(MIN_FP32_TFLOPS);
    gpu.fp16_tflops *= scale;
    gpu.tensor_fp16_tflops = gpu.tensor_fp16_tflops.map(|t| (t * scale).max(MIN_FP32_TFLOPS));
    let base = system.name.trim_end_matches(" (measured)");
    out.name = format!("{base} (measured)");
    out.measured = Some(measured.clone());
    Ok(out)
}

/// One line saying what calibrated `system` and what its GPU figures became, e.g.
/// "calibrated: the probes on RTX 4070 measured 440 GB/s read and 19 TFLOPS f32, used as
/// 504 GB/s and 29.1 TFLOPS spec-sheet figures (÷ 86.9 % and ÷ 65.3 %, …)"; `None` when
/// it is not calibrated.
pub fn describe(system: &System) -> Option<String> {
    use crate::units::sig;
    let m = system.measured.as_ref()?;
    let gpu = system.gpu.as_ref()?;
    let used = format!("{} GB/s and {} TFLOPS", sig(gpu.bandwidth_gb_per_s), sig(gpu.fp32_tflops));
    Some(match m.by {
        MeasuredBy::Probes => {
            let p = ProbeProfile::RECORDED;
            let (bw, fp32) = spec_equivalent(m);
            let near = |a: f64, b: f64| (a / b - 1.0).abs() < 1e-3;
            // A link from before the probe profile carries the probed figures themselves.
            let why = if near(gpu.bandwidth_gb_per_s, bw) && near(gpu.fp32_tflops, fp32) {
                format!(
                    " (÷ {} % and ÷ {} %, the share of a spec sheet these probes reach on {})",
                    sig(p.read_fraction * 100.0),
                    sig(p.fma_f32_fraction * 100.0),
                    ProbeProfile::SOURCE
                )
            } else {
                String::new()
            };
            format!(
                "calibrated: the probes on {} measured {} GB/s read and {} TFLOPS f32, used as {used} spec-sheet figures{why}",
                m.adapter,
                sig(m.read_gb_per_s),
                sig(m.fma_f32_tflops)
            )
        }
        MeasuredBy::ModelRun => format!(
            "calibrated: a model run of this site's WebGPU engine on {}, turned into the GPU's capability through \
             that engine's profile, gives {used} spec-sheet figures",
            m.adapter
        ),
    })
}

/// A probed figure against the spec sheet's, as the probe measured it (not its
/// spec-sheet equivalent).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AgainstSpec {
    /// Probed.
    pub measured: f64,
    /// Spec sheet.
    pub spec: f64,
    /// probed / spec × 100: the percentage of the sheet the probe reached.
    pub percent: f64,
}

impl AgainstSpec {
    fn new(measured: f64, spec: f64) -> Option<Self> {
        (spec > 0.0 && measured.is_finite()).then(|| Self { measured, spec, percent: measured / spec * 100.0 })
    }
}

/// Probed bandwidth and f32 throughput against `entry`'s GPU spec, each as a percentage of
/// the sheet (a device like the one the [`ProbeProfile`] was measured on reaches about
/// 87 % and 65 %).
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
    fn calibration_replaces_peaks_by_their_spec_sheet_equivalents_and_keeps_the_rest() {
        let c = catalog();
        let entry = c.hardware("nvidia-geforce-rtx-4070").unwrap_or_else(|e| panic!("{e}"));
        let system = System::assemble(entry, None, None, 1).unwrap_or_else(|e| panic!("{e}"));
        let spec = system.gpu.clone().unwrap_or_else(|| unreachable!());
        let p = ProbeProfile::RECORDED;
        let m = Measured {
            adapter: "test".into(),
            read_gb_per_s: 400.0,
            fma_f32_tflops: spec.fp32_tflops * p.fma_f32_fraction / 2.0,
            fma_f16_tflops: Some(1.0),
            by: MeasuredBy::Probes,
        };
        let out = calibrate(&system, &m).unwrap_or_else(|e| panic!("{e}"));
        let gpu = out.gpu.clone().unwrap_or_else(|| unreachable!());
        assert!((gpu.bandwidth_gb_per_s - 400.0 / p.read_fraction).abs() < 1e-9, "{}", gpu.bandwidth_gb_per_s);
        assert!((gpu.fp32_tflops - spec.fp32_tflops / 2.0).abs() < 1e-9);
        // f16 and tensor peaks follow f32's ratio to the sheet, not the f16 probe.
        assert!((gpu.fp16_tflops - spec.fp16_tflops / 2.0).abs() < 1e-9);
        let tensor = |g: &crate::hardware::GpuSpec| g.tensor_fp16_tflops.unwrap_or_else(|| unreachable!());
        assert!((tensor(&gpu) - tensor(&spec) / 2.0).abs() < 1e-9);
        assert_eq!(gpu.vram_gb, spec.vram_gb);
        assert!(out.name.ends_with("(measured)"));
        assert_eq!(calibrate(&out, &m).map(|s| s.name), Ok(out.name.clone()));
        // Against the spec: what the probe read, as a share of the sheet.
        let (bw, _) = against_spec(entry, &m).unwrap_or_else(|| unreachable!());
        assert!((bw.percent - 400.0 / spec.bandwidth_gb_per_s * 100.0).abs() < 1e-9);
        // A model run's figures already are the sheet's: taken as they are.
        let fitted = Measured { by: MeasuredBy::ModelRun, ..m.clone() };
        let gpu = calibrate(&system, &fitted).unwrap_or_else(|e| panic!("{e}")).gpu.unwrap_or_else(|| unreachable!());
        assert_eq!(gpu.bandwidth_gb_per_s, 400.0);
        let bad = Measured { read_gb_per_s: f64::NAN, ..m.clone() };
        assert!(calibrate(&system, &bad).is_err());
        // The summary says what was measured and what it became.
        let line = describe(&out).unwrap_or_default();
        assert!(line.contains("measured 400 GB/s read") && line.contains("used as 461 GB/s"), "{line}");
        assert!(line.contains("÷ 86.9 %"), "{line}");
        assert_eq!(describe(&system), None);
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
