//! Dispatch round trip: submit one tiny dispatch and read its result back, twenty times.

use super::{Measurement, ProbeConfig, ProbeError, ProbeKind};
use crate::context::GpuContext;
use crate::gpu::{self, Dispatch, Kernel, Pipelines};
use crate::readback;
use crate::timing::{now_s, Stats, TimingSource};

/// Round trips measured (after three warm-up ones).
const ROUND_TRIPS: u32 = 20;

pub(crate) async fn run(
    ctx: &GpuContext,
    pipelines: &mut Pipelines,
    config: &ProbeConfig,
    cancel: &dyn Fn() -> bool,
) -> Result<Measurement, ProbeError> {
    let pipeline = pipelines.get(ctx, Kernel::Tick).await?;
    let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC;
    let counter = gpu::buffer(ctx, "counter", 4, usage).await?;
    let staging = gpu::staging(ctx, 4).await?;
    let bind_group = gpu::bind(ctx, &pipeline, &[(&counter, None)]);
    let dispatch = Dispatch { pipeline, bind_group, workgroups: 1 };
    let warmup = 3;
    let total = warmup + ROUND_TRIPS.max(config.samples);
    let mut micros = Vec::new();
    for round in 1..=total {
        if cancel() {
            return Err(ProbeError::Cancelled);
        }
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            dispatch.record(&mut pass);
        }
        encoder.copy_buffer_to_buffer(&counter, 0, &staging, 0, 4);
        let start = now_s();
        ctx.queue.submit([encoder.finish()]);
        let words = readback::read_words(ctx, &staging).await?;
        let elapsed = now_s() - start;
        if words.first() != Some(&round) {
            return Err(ProbeError::CheckFailed {
                kind: ProbeKind::Latency,
                detail: format!("counter reads {:?} after {round} dispatches", words.first()),
            });
        }
        if round > warmup {
            micros.push(elapsed * 1e6);
        }
    }
    let stats = Stats::of(&micros).ok_or_else(|| ProbeError::Gpu("no valid sample".into()))?;
    Ok(Measurement {
        kind: ProbeKind::Latency,
        working_set_bytes: None,
        unit: ProbeKind::Latency.unit().into(),
        stats,
        timing: TimingSource::WallClock,
        reps_per_sample: 1,
        sample_ms: stats.median / 1e3,
        check: format!("the counter equals the number of dispatches ({total})"),
    })
}
