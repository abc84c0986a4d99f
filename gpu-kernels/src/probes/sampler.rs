//! Timed samples: repetitions grow until a sample lasts `min_sample_ms`, warm-up runs until
//! two samples agree within 5 %, then `samples` samples are taken.

use super::{ProbeConfig, ProbeError};
use crate::context::GpuContext;
use crate::gpu::{self, Dispatch};
use crate::pass_timer::PassTimer;
use crate::timing::{now_s, TimingSource};

/// Most repetitions of a probe's dispatches in one sample.
const MAX_REPS: u32 = 1 << 16;

/// Seconds per repetition, one entry per sample, with how they were timed.
pub(crate) struct Samples {
    pub(crate) seconds_per_rep: Vec<f64>,
    pub(crate) reps: u32,
    pub(crate) timing: TimingSource,
    pub(crate) sample_ms: f64,
}

/// Times `reps` repetitions of `dispatches` in one compute pass. `before` runs in the same
/// command buffer ahead of the pass (clearing outputs), outside the timed region.
async fn time_pass(
    ctx: &GpuContext,
    stamps: Option<&PassTimer>,
    dispatches: &[Dispatch],
    reps: u32,
    before: &dyn Fn(&mut wgpu::CommandEncoder),
) -> Result<(f64, TimingSource), ProbeError> {
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    before(&mut encoder);
    {
        let timestamp_writes = stamps.map(PassTimer::writes);
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: None, timestamp_writes });
        for _ in 0..reps {
            for dispatch in dispatches {
                dispatch.record(&mut pass);
            }
        }
    }
    if let Some(s) = stamps {
        s.resolve(&mut encoder);
    }
    let start = now_s();
    ctx.queue.submit([encoder.finish()]);
    let wall = match stamps {
        Some(s) => {
            let gpu_s = s.read_s(ctx).await?;
            let elapsed = now_s() - start;
            // Some drivers write zeros or nonsense; trust timestamps only when plausible.
            if gpu_s > 0.0 && gpu_s <= elapsed * 1.05 + 1e-3 {
                return Ok((gpu_s, TimingSource::Timestamp));
            }
            elapsed
        }
        None => {
            gpu::wait_idle(ctx).await?;
            now_s() - start
        }
    };
    Ok((wall, TimingSource::WallClock))
}

/// Takes the samples of one probe.
pub(crate) async fn sample(
    ctx: &GpuContext,
    config: &ProbeConfig,
    dispatches: &[Dispatch],
    before: &dyn Fn(&mut wgpu::CommandEncoder),
    cancel: &dyn Fn() -> bool,
) -> Result<Samples, ProbeError> {
    let stamps = PassTimer::new(ctx).await?;
    let min_s = (config.min_sample_ms / 1e3).max(1e-4);
    let mut reps = 1u32;
    // Grow the repetitions until one sample lasts long enough.
    loop {
        if cancel() {
            return Err(ProbeError::Cancelled);
        }
        let (seconds, _) = time_pass(ctx, stamps.as_ref(), dispatches, reps, before).await?;
        if seconds >= min_s || reps >= MAX_REPS {
            break;
        }
        let scale = (min_s * 1.2 / seconds.max(1e-7)).clamp(2.0, 64.0);
        reps = ((f64::from(reps) * scale).ceil() as u32).min(MAX_REPS);
    }
    // Warm up until two consecutive samples agree within 5 %. The first passes may include
    // shader compilation, so the repetitions are sized again from the settled samples.
    let mut previous = f64::NAN;
    for _ in 0..config.max_warmup.max(1) {
        if cancel() {
            return Err(ProbeError::Cancelled);
        }
        let (seconds, _) = time_pass(ctx, stamps.as_ref(), dispatches, reps, before).await?;
        if seconds < min_s && reps < MAX_REPS {
            let scale = (min_s * 1.2 / seconds.max(1e-7)).clamp(1.1, 64.0);
            reps = ((f64::from(reps) * scale).ceil() as u32).min(MAX_REPS);
            previous = f64::NAN;
            continue;
        }
        if (seconds - previous).abs() <= 0.05 * seconds {
            break;
        }
        previous = seconds;
    }
    let mut seconds_per_rep = Vec::with_capacity(config.samples as usize);
    let mut durations = Vec::with_capacity(config.samples as usize);
    let mut timing = TimingSource::Timestamp;
    for _ in 0..config.samples.max(1) {
        if cancel() {
            return Err(ProbeError::Cancelled);
        }
        let (seconds, source) = time_pass(ctx, stamps.as_ref(), dispatches, reps, before).await?;
        if source == TimingSource::WallClock {
            timing = TimingSource::WallClock;
        }
        durations.push(seconds);
        seconds_per_rep.push(seconds / f64::from(reps));
    }
    durations.sort_by(f64::total_cmp);
    let sample_ms = durations[durations.len() / 2] * 1e3;
    Ok(Samples { seconds_per_rep, reps, timing, sample_ms })
}
