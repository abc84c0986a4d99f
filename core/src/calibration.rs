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

/// What the probes measured on one GPU.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// The adapter as the browser or driver named it.
    pub adapter: String,
    /// Read bandwidth at the largest working set, GB/s (median).
    pub read_gb_per_s: f64,
    /// f32 FMA throughput, TFLOPS (median).
    pub fma_f32_tflops: f64,
    /// f16 FMA throughput, TFLOPS, where the adapter has `shader-f16`.
    pub fma_f16_tflops: Option<f64>,
}

/// Why a measurement cannot calibrate a machine.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    /// The machine has no GPU to take the figures.
    #[error("'{0}' has no GPU; pick a machine with the GPU that was measured")]
    NoGpu(String),
    /// A figure is not a plausible measurement.
    #[error("{0} is not a plausible measurement")]
    Implausible(&'static str),
}

impl Measured {
    /// Checks every figure is finite and within what any GPU could measure.
    pub fn check(&self) -> Result<(), CalibrationError> {
        let ok = |x: f64, hi: f64| x.is_finite() && x > 0.0 && x <= hi;
        if !ok(self.read_gb_per_s, 100_000.0) {
            return Err(CalibrationError::Implausible("the read bandwidth"));
        }
        if !ok(self.fma_f32_tflops, 100_000.0) {
            return Err(CalibrationError::Implausible("the f32 throughput"));
        }
        if self.fma_f16_tflops.is_some_and(|x| !ok(x, 100_000.0)) {
            return Err(CalibrationError::Implausible("the f16 throughput"));
        }
        Ok(())
    }
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
    gpu.bandwidth_gb_per_s = measured.read_gb_per_s;
    gpu.fp32_tflops = measured.fma_f32_tflops;
    gpu.fp16_tflops = measured.fma_f16_tflops.unwrap_or(gpu.fp16_tflops * scale);
    gpu.tensor_fp16_tflops = gpu.tensor_fp16_tflops.map(|t| t * scale);
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
}
