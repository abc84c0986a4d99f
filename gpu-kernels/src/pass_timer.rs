//! GPU timestamps written at the start and end of one compute pass (adapters with
//! `timestamp-query`): the probes' samples and the kernel benchmarks time passes with it.

use crate::context::GpuContext;
use crate::error::ProbeError;
use crate::gpu;
use crate::readback;

/// A query set of two timestamps, resolved and read back after the pass.
pub struct PassTimer {
    queries: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    staging: wgpu::Buffer,
    period_ns: f64,
}

impl PassTimer {
    /// `None` when the adapter has no timestamps (or they were not asked for).
    pub async fn new(ctx: &GpuContext) -> Result<Option<Self>, ProbeError> {
        if !ctx.adapter.timestamps {
            return Ok(None);
        }
        let queries = ctx.device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("pass timestamps"),
            ty: wgpu::QueryType::Timestamp,
            count: 2,
        });
        let usage = wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC;
        let resolve = gpu::buffer(ctx, "timestamps", 16, usage).await?;
        let staging = gpu::staging(ctx, 16).await?;
        let period_ns = f64::from(ctx.queue.get_timestamp_period());
        Ok(Some(Self { queries, resolve, staging, period_ns }))
    }

    /// The pass descriptor's `timestamp_writes`.
    pub fn writes(&self) -> wgpu::ComputePassTimestampWrites<'_> {
        wgpu::ComputePassTimestampWrites {
            query_set: &self.queries,
            beginning_of_pass_write_index: Some(0),
            end_of_pass_write_index: Some(1),
        }
    }

    /// Records, after the pass, the copy of the timestamps to a readable buffer.
    pub fn resolve(&self, encoder: &mut wgpu::CommandEncoder) {
        encoder.resolve_query_set(&self.queries, 0..2, &self.resolve, 0);
        encoder.copy_buffer_to_buffer(&self.resolve, 0, &self.staging, 0, 16);
    }

    /// Seconds between the two timestamps, once the submission has finished (this waits
    /// for it).
    pub async fn read_s(&self, ctx: &GpuContext) -> Result<f64, ProbeError> {
        let bytes = readback::read_bytes(ctx, &self.staging).await?;
        let stamp = |range: std::ops::Range<usize>| {
            u64::from_le_bytes(bytes.get(range).and_then(|b| b.try_into().ok()).unwrap_or_default())
        };
        Ok(stamp(8..16).saturating_sub(stamp(0..8)) as f64 * self.period_ns * 1e-9)
    }
}
