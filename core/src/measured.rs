//! What the GPU probes (or a model run of this site's engine) measured on one GPU, and
//! whether the figures are plausible.
//!
//! A [`crate::system::System`] carries a measurement when its GPU's peaks come from one;
//! [`crate::calibration`] applies one to a machine.

use serde::{Deserialize, Serialize};

/// What the probes measured on one GPU, or what a model run was fitted to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// The adapter as the browser or driver named it.
    pub adapter: String,
    /// Read bandwidth at the largest working set, GB/s (median). From a model run: the
    /// spec-sheet bandwidth with which the estimator reproduces the run.
    pub read_gb_per_s: f64,
    /// f32 FMA throughput, TFLOPS (median). From a model run: the spec-sheet f32 peak
    /// with which the estimator reproduces the run.
    pub fma_f32_tflops: f64,
    /// f16 FMA throughput, TFLOPS, where the adapter has `shader-f16`.
    pub fma_f16_tflops: Option<f64>,
    /// What measured the figures, and so what they are: probed rates, which
    /// [`crate::calibration::ProbeProfile`] turns into spec-sheet equivalents, or spec-sheet
    /// figures already fitted to a model run. Absent (earlier share links): the probes.
    #[serde(default)]
    pub by: MeasuredBy,
}

/// What produced a [`Measured`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeasuredBy {
    /// The bandwidth and FMA probes (`roofline-gpu`): rates as the probes reach them, some
    /// fraction of the spec sheet's.
    #[default]
    Probes,
    /// A model benchmark of this site's engine, fitted through the engine's profile
    /// ([`crate::calibration::fit_model_run`]): already the GPU's spec-sheet equivalents.
    ModelRun,
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
    /// The estimator cannot predict the benchmarked model on this machine.
    #[error("the benchmarked model cannot be estimated on this machine: {0}")]
    Estimate(String),
}

/// The least GPU bandwidth a machine may have, GB/s (`check`'s range: a software
/// adapter's probe measures well under 1 GB/s).
pub const MIN_BANDWIDTH_GB_PER_S: f64 = 0.01;
/// The least GPU f32 throughput a machine may have, TFLOPS (`check`'s range).
pub const MIN_FP32_TFLOPS: f64 = 0.001;

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
