//! The probes: what they are, how a run is planned, and the session that runs them one
//! step at a time on a shared [`GpuContext`].

mod compute;
mod latency;
mod memory;
mod sampler;

use serde::{Deserialize, Serialize};

use crate::context::{AdapterSummary, GpuContext};
pub use crate::error::ProbeError;
use crate::gpu;
pub use crate::kind::ProbeKind;
use crate::timing::{Stats, TimingSource};

/// One step of a run: a probe, and for memory probes the working set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeStep {
    /// The probe.
    pub kind: ProbeKind,
    /// Bytes touched per pass (memory probes), else `None`.
    pub working_set_bytes: Option<u64>,
}

/// A probe that a run leaves out, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The probe.
    pub kind: ProbeKind,
    /// Why.
    pub reason: String,
}

/// How long and how large a run is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeConfig {
    /// Largest memory working set, bytes (capped further by the adapter's limits).
    pub max_working_set_bytes: u64,
    /// Smallest working set of the read sweep, bytes.
    pub min_sweep_bytes: u64,
    /// Sweep read sizes from `min_sweep_bytes` up by 4× (else only the largest).
    pub sweep: bool,
    /// Each sample lasts at least this long, ms.
    pub min_sample_ms: f64,
    /// Samples per figure (at least five for a report).
    pub samples: u32,
    /// Most warm-up samples before timings settle.
    pub max_warmup: u32,
}

impl Default for ProbeConfig {
    /// The site's and the CLI's run: 256 MiB, 1 MiB to 256 MiB sweep, five samples of at
    /// least 20 ms.
    fn default() -> Self {
        Self {
            max_working_set_bytes: 256 << 20,
            min_sweep_bytes: 1 << 20,
            sweep: true,
            min_sample_ms: 20.0,
            samples: 5,
            max_warmup: 5,
        }
    }
}

impl ProbeConfig {
    /// A short run for tests on software adapters: 8 MiB, two sweep sizes, 5 ms samples.
    pub fn quick() -> Self {
        Self {
            max_working_set_bytes: 8 << 20,
            min_sweep_bytes: 2 << 20,
            sweep: true,
            min_sample_ms: 5.0,
            samples: 5,
            max_warmup: 2,
        }
    }
}

/// One figure with its statistics and how it was taken and checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// The probe.
    pub kind: ProbeKind,
    /// Bytes touched per pass (memory probes).
    pub working_set_bytes: Option<u64>,
    /// Unit of `stats`.
    pub unit: String,
    /// Median and spread over the samples.
    pub stats: Stats,
    /// How durations were taken.
    pub timing: TimingSource,
    /// Repetitions of the probe's dispatches in one sample.
    pub reps_per_sample: u32,
    /// Median sample duration, ms.
    pub sample_ms: f64,
    /// What the CPU compared, in words.
    pub check: String,
}

/// A whole run, as `roofline bench --json` prints it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchReport {
    /// The adapter.
    pub adapter: AdapterSummary,
    /// The run's configuration.
    pub config: ProbeConfig,
    /// Every figure, in run order.
    pub measurements: Vec<Measurement>,
    /// Probes left out, with the reason.
    pub skipped: Vec<Skipped>,
}

impl BenchReport {
    /// Median of `kind` at its largest working set.
    pub fn headline(&self, kind: ProbeKind) -> Option<&Measurement> {
        self.measurements.iter().filter(|m| m.kind == kind).max_by_key(|m| m.working_set_bytes.unwrap_or(0))
    }
}

/// Plans and runs probes on one context; keeps buffers and pipelines between steps.
pub struct ProbeSession<'a> {
    ctx: &'a GpuContext,
    config: ProbeConfig,
    gpu: gpu::Pipelines,
    memory: Option<memory::Arena>,
}

impl<'a> ProbeSession<'a> {
    /// A session on `ctx`.
    pub fn new(ctx: &'a GpuContext, config: ProbeConfig) -> Self {
        Self { ctx, config, gpu: gpu::Pipelines::default(), memory: None }
    }

    /// The working set the run uses: the configured maximum within the adapter's limits.
    pub fn working_set_bytes(&self) -> u64 {
        memory::largest_working_set(&self.ctx.adapter, self.config.max_working_set_bytes)
    }

    /// The steps of a full run and the probes it leaves out.
    pub fn plan(&self) -> (Vec<ProbeStep>, Vec<Skipped>) {
        let largest = self.working_set_bytes();
        let mut steps = Vec::new();
        let mut skipped = Vec::new();
        for kind in ProbeKind::ALL {
            match kind {
                ProbeKind::Read => {
                    for bytes in memory::sweep_sizes(&self.config, largest) {
                        steps.push(ProbeStep { kind, working_set_bytes: Some(bytes) });
                    }
                }
                ProbeKind::Write => steps.push(ProbeStep { kind, working_set_bytes: Some(largest) }),
                ProbeKind::Copy => steps.push(ProbeStep { kind, working_set_bytes: Some(memory::copy_bytes(largest)) }),
                ProbeKind::FmaF16 if !self.ctx.adapter.shader_f16 => {
                    skipped.push(Skipped { kind, reason: "the adapter has no shader-f16".into() })
                }
                ProbeKind::Dot4I8 if !self.ctx.adapter.dot4_i8 => skipped
                    .push(Skipped { kind, reason: "WGSL packed_4x8_integer_dot_product is not available".into() }),
                _ => steps.push(ProbeStep { kind, working_set_bytes: None }),
            }
        }
        (steps, skipped)
    }

    /// Runs one step; `cancel` is asked between samples.
    pub async fn run(&mut self, step: &ProbeStep, cancel: &dyn Fn() -> bool) -> Result<Measurement, ProbeError> {
        if let Some(reason) = self.ctx.lost_reason() {
            return Err(ProbeError::DeviceLost(reason));
        }
        let result = match step.kind {
            ProbeKind::Latency => latency::run(self.ctx, &mut self.gpu, &self.config, cancel).await,
            ProbeKind::FmaF32 | ProbeKind::FmaF16 | ProbeKind::Dot4I8 => {
                compute::run(self.ctx, &mut self.gpu, &self.config, step.kind, cancel).await
            }
            ProbeKind::Read | ProbeKind::Write | ProbeKind::Copy => {
                let largest = self.working_set_bytes();
                if self.memory.is_none() {
                    self.memory = Some(memory::Arena::new(self.ctx, &mut self.gpu, largest).await?);
                }
                let Some(arena) = self.memory.as_mut() else {
                    return Err(ProbeError::Gpu("working set missing".into()));
                };
                let bytes = step.working_set_bytes.unwrap_or(largest);
                arena.run(self.ctx, &mut self.gpu, &self.config, step.kind, bytes, cancel).await
            }
        };
        let uncaptured = self.ctx.take_uncaptured_errors();
        match (result, self.ctx.lost_reason()) {
            (_, Some(reason)) => Err(ProbeError::DeviceLost(reason)),
            (Ok(_), None) if !uncaptured.is_empty() => Err(ProbeError::Gpu(uncaptured.join("; "))),
            (result, None) => result,
        }
    }

    /// Frees the working set (the session stays usable).
    pub fn release_memory(&mut self) {
        self.memory = None;
    }
}

/// Runs every planned step, calling `progress(done, total, measurement)` after each.
pub async fn run_all(
    ctx: &GpuContext,
    config: ProbeConfig,
    mut progress: impl FnMut(usize, usize, &Measurement),
) -> Result<BenchReport, ProbeError> {
    let mut session = ProbeSession::new(ctx, config.clone());
    let (steps, skipped) = session.plan();
    let mut measurements = Vec::with_capacity(steps.len());
    for (index, step) in steps.iter().enumerate() {
        let measurement = session.run(step, &|| false).await?;
        progress(index + 1, steps.len(), &measurement);
        measurements.push(measurement);
    }
    Ok(BenchReport { adapter: ctx.adapter.clone(), config, measurements, skipped })
}

/// The CPU twins of the shaders, for tests and for anyone checking a figure by hand.
pub mod reference {
    pub use super::compute::{
        dot4_i8_packed, dot4_invocation, fma_invocation, workgroup_total, DOT_A, DOT_B, ITERATIONS,
    };
    pub use super::memory::{chunk_seed, expected_sum, fill_word, GOLDEN};
}
