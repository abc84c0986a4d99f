//! Timed samples: repetitions grow until a sample lasts `min_sample_ms`, warm-up runs until
//! two samples agree within 5 %, then `samples` samples are taken.

use super::gpu::{self, Dispatch};
use super::{ProbeConfig, ProbeError};
use crate::context::GpuContext;
use crate::readback;
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

struct Timestamps {
    queries: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    staging: wgpu::Buffer,
    period_ns: f64,
}

impl Timestamps {
    async fn new(ctx: &GpuContext) -> Result<Option<Self>, ProbeError> {
        if !ctx.adapter.timestamps {
            return Ok(None);
        }
        let queries = ctx.device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("pass timestamps"),
            ty: wgpu::QueryType::Timestamp,
            count: 2,
        });
        let resolve =
            gpu::buffer(ctx, "timestamps", 16, wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC)
                .await?;
        let staging = gpu::staging(ctx, 16).await?;
        let period_ns = f64::from(ctx.queue.get_timestamp_period());
        Ok(Some(Self { queries, resolve, staging, period_ns }))
    }
}

/// Times `reps` repetitions of `dispatches` in one compute pass. `before` runs in the same
/// command buffer ahead of the pass (clearing outputs), outside the timed region.
async fn time_pass(
    ctx: &GpuContext,
    stamps: Option<&Timestamps>,
    dispatches: &[Dispatch],
    reps: u32,
    before: &dyn Fn(&mut wgpu::CommandEncoder),
) -> Result<(f64, TimingSource), ProbeError> {
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    before(&mut encoder);
    {
        let timestamp_writes = stamps.map(|s| wgpu::ComputePassTimestampWrites {
            query_set: &s.queries,
            beginning_of_pass_write_index: Some(0),
            end_of_pass_write_index: Some(1),
        });
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: None, timestamp_writes });
        for _ in 0..reps {
            for dispatch in dispatches {
                dispatch.record(&mut pass);
            }
        }
    }
    if let Some(s) = stamps {
        encoder.resolve_query_set(&s.queries, 0..2, &s.resolve, 0);
        encoder.copy_buffer_to_buffer(&s.resolve, 0, &s.staging, 0, 16);
    }
    let start = now_s();
    ctx.queue.submit([encoder.finish()]);
    let wall = match stamps {
        Some(s) => {
            let bytes = readback::read_bytes(ctx, &s.staging).await?;
            let elapsed = now_s() - start;
            let begin = u64::from_le_bytes(bytes[0..8].try_into().unwrap_or_default());
            let end = u64::from_le_bytes(bytes[8..16].try_into().unwrap_or_default());
            let gpu_s = end.saturating_sub(begin) as f64 * s.period_ns * 1e-9;
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
    let stamps = Timestamps::new(ctx).await?;
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
