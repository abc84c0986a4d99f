//! Read, write and copy bandwidth over a working set split into chunks no larger than the
//! adapter's storage-binding limit, filled once by `fill.wgsl` with data whose sum has a
//! closed form.

use super::sampler;
use super::{Measurement, ProbeConfig, ProbeError, ProbeKind};
use crate::context::{AdapterSummary, GpuContext};
use crate::gpu::{self, Dispatch, Kernel, Pipelines, WORKGROUP};
use crate::readback;
use crate::timing::Stats;

/// The constant `fill.wgsl` multiplies word indices by.
pub const GOLDEN: u32 = 0x9E37_79B1;
/// Most chunks a working set is split into.
const MAX_CHUNKS: u64 = 8;
/// `vec4<u32>` elements each read/write invocation handles, roughly.
const ELEMENTS_PER_INVOCATION: u64 = 16;
const MIB: u64 = 1 << 20;

/// Word `w` of a chunk with `seed`, as `fill.wgsl` writes it.
pub fn fill_word(w: u32, seed: u32) -> u32 {
    w.wrapping_mul(GOLDEN).wrapping_add(seed)
}

/// Wrapped sum of the first `words` words of a chunk with `seed` (closed form).
pub fn expected_sum(seed: u32, words: u64) -> u32 {
    let triangle = (words * words.saturating_sub(1) / 2) as u32;
    GOLDEN.wrapping_mul(triangle).wrapping_add(seed.wrapping_mul(words as u32))
}

/// The seed of chunk `index`.
pub fn chunk_seed(index: usize) -> u32 {
    (index as u32).wrapping_mul(0x0100_0193).wrapping_add(0x2545_F491)
}

/// Largest chunk: the smaller of the buffer and binding limits, in whole MiB when possible.
fn chunk_limit(adapter: &AdapterSummary) -> u64 {
    let limit = adapter.max_buffer_bytes.min(adapter.max_storage_binding_bytes);
    if limit >= 2 * MIB {
        limit / MIB * MIB
    } else {
        (limit / 256 * 256).max(256)
    }
}

/// The largest working set: `wanted`, within `MAX_CHUNKS` chunks of the adapter's limit.
pub(crate) fn largest_working_set(adapter: &AdapterSummary, wanted: u64) -> u64 {
    let cap = chunk_limit(adapter).saturating_mul(MAX_CHUNKS);
    let bytes = wanted.min(cap).max(256);
    bytes / 256 * 256
}

/// Read sweep: from the configured smallest size up by 4× to `largest`.
pub(crate) fn sweep_sizes(config: &ProbeConfig, largest: u64) -> Vec<u64> {
    let mut sizes = Vec::new();
    if config.sweep {
        let mut size = config.min_sweep_bytes.max(256);
        while size < largest {
            sizes.push(size);
            size = size.saturating_mul(4);
        }
    }
    sizes.push(largest);
    sizes
}

/// The copy probe copies half the working set into a second set of the same size.
pub(crate) fn copy_bytes(largest: u64) -> u64 {
    (largest / 2 / 256 * 256).max(256)
}

/// The chunks of the working set, filled, and the read probe's output.
pub(crate) struct Arena {
    chunks: Vec<(wgpu::Buffer, u64)>,
    copies: Option<Vec<wgpu::Buffer>>,
    partial: wgpu::Buffer,
    partial_staging: wgpu::Buffer,
}

impl Arena {
    /// Allocates `bytes` in chunks and fills them.
    pub(crate) async fn new(ctx: &GpuContext, pipelines: &mut Pipelines, bytes: u64) -> Result<Self, ProbeError> {
        let limit = chunk_limit(&ctx.adapter);
        let mut chunks = Vec::new();
        let mut left = bytes;
        while left > 0 {
            let size = left.min(limit);
            let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
            chunks.push((gpu::buffer(ctx, "working set", size, usage).await?, size));
            left -= size;
        }
        let invocations = chunks
            .iter()
            .map(|(_, size)| u64::from(read_workgroups(ctx, *size)) * u64::from(WORKGROUP))
            .max()
            .unwrap_or(u64::from(WORKGROUP));
        let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC;
        let partial = gpu::buffer(ctx, "partial sums", invocations * 4, usage).await?;
        let partial_staging = gpu::staging(ctx, invocations * 4).await?;
        let arena = Self { chunks, copies: None, partial, partial_staging };
        let fill = arena.dispatches(ctx, pipelines, Kernel::Fill, bytes).await?;
        gpu::run_once(ctx, |_| {}, &fill.iter().collect::<Vec<_>>(), |_| {}).await?;
        Ok(arena)
    }

    /// `(chunk index, bytes)` covering the first `bytes` of the working set.
    fn segments(&self, bytes: u64) -> Vec<(usize, u64)> {
        let mut out = Vec::new();
        let mut left = bytes;
        for (index, (_, size)) in self.chunks.iter().enumerate() {
            if left == 0 {
                break;
            }
            let take = left.min(*size);
            out.push((index, take));
            left -= take;
        }
        out
    }

    async fn copy_targets(&mut self, ctx: &GpuContext, bytes: u64) -> Result<(), ProbeError> {
        if self.copies.is_none() {
            let mut targets = Vec::new();
            for (_, size) in self.segments(bytes) {
                let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
                targets.push(gpu::buffer(ctx, "copy target", size, usage).await?);
            }
            self.copies = Some(targets);
        }
        Ok(())
    }

    /// One dispatch per segment of `kernel` over the first `bytes`.
    async fn dispatches(
        &self,
        ctx: &GpuContext,
        pipelines: &mut Pipelines,
        kernel: Kernel,
        bytes: u64,
    ) -> Result<Vec<Dispatch>, ProbeError> {
        let pipeline = pipelines.get(ctx, kernel).await?;
        let mut out = Vec::new();
        for (position, (index, size)) in self.segments(bytes).into_iter().enumerate() {
            let chunk = &self.chunks[index].0;
            let count = (size / 16) as u32;
            let workgroups = if kernel == Kernel::Read {
                read_workgroups(ctx, size)
            } else {
                gpu::workgroups_for(ctx, u64::from(count) / ELEMENTS_PER_INVOCATION)
            };
            let stride = workgroups * WORKGROUP;
            let (bind_group, _params) = match kernel {
                Kernel::Fill => {
                    let params = gpu::uniform(ctx, &[count, stride, chunk_seed(index), 0]).await?;
                    (gpu::bind(ctx, &pipeline, &[(chunk, Some(size)), (&params, None)]), params)
                }
                Kernel::Read => {
                    let params = gpu::uniform(ctx, &[count, stride, 0, 0]).await?;
                    let group =
                        gpu::bind(ctx, &pipeline, &[(chunk, Some(size)), (&self.partial, None), (&params, None)]);
                    (group, params)
                }
                _ => {
                    let Some(target) = self.copies.as_ref().and_then(|c| c.get(position)) else {
                        return Err(ProbeError::Gpu("copy target missing".into()));
                    };
                    let params = gpu::uniform(ctx, &[count, stride, 0, 0]).await?;
                    let group =
                        gpu::bind(ctx, &pipeline, &[(chunk, Some(size)), (target, Some(size)), (&params, None)]);
                    (group, params)
                }
            };
            out.push(Dispatch { pipeline: pipeline.clone(), bind_group, workgroups });
        }
        Ok(out)
    }

    /// Sums `buffer`'s first `bytes` with the read kernel and compares with `expected`.
    async fn check_sum(
        &self,
        ctx: &GpuContext,
        pipelines: &mut Pipelines,
        kind: ProbeKind,
        buffer: &wgpu::Buffer,
        bytes: u64,
        expected: u32,
    ) -> Result<(), ProbeError> {
        let pipeline = pipelines.get(ctx, Kernel::Read).await?;
        let workgroups = read_workgroups(ctx, bytes);
        let stride = workgroups * WORKGROUP;
        let params = gpu::uniform(ctx, &[(bytes / 16) as u32, stride, 0, 0]).await?;
        let bind_group = gpu::bind(ctx, &pipeline, &[(buffer, Some(bytes)), (&self.partial, None), (&params, None)]);
        let dispatch = Dispatch { pipeline, bind_group, workgroups };
        let read_bytes = u64::from(stride) * 4;
        gpu::run_once(
            ctx,
            |_| {},
            &[&dispatch],
            |encoder| {
                encoder.copy_buffer_to_buffer(&self.partial, 0, &self.partial_staging, 0, read_bytes);
            },
        )
        .await?;
        let words = readback::read_words(ctx, &self.partial_staging).await?;
        let got = words.iter().take(stride as usize).fold(0u32, |a, w| a.wrapping_add(*w));
        if got != expected {
            return Err(ProbeError::CheckFailed {
                kind,
                detail: format!("sum of {bytes} bytes is {got:#010x}, the CPU expects {expected:#010x}"),
            });
        }
        Ok(())
    }

    /// Runs `kind` over the first `bytes` of the working set.
    pub(crate) async fn run(
        &mut self,
        ctx: &GpuContext,
        pipelines: &mut Pipelines,
        config: &ProbeConfig,
        kind: ProbeKind,
        bytes: u64,
        cancel: &dyn Fn() -> bool,
    ) -> Result<Measurement, ProbeError> {
        let (kernel, counted_bytes) = match kind {
            ProbeKind::Read => (Kernel::Read, bytes),
            ProbeKind::Write => (Kernel::Fill, bytes),
            ProbeKind::Copy => {
                self.copy_targets(ctx, bytes).await?;
                (Kernel::Copy, 2 * bytes)
            }
            _ => return Err(ProbeError::Unsupported(format!("{kind:?} is not a memory probe"))),
        };
        let dispatches = self.dispatches(ctx, pipelines, kernel, bytes).await?;
        let samples = sampler::sample(ctx, config, &dispatches, &|_| {}, cancel).await?;
        // Check: redo the work once on cleared memory, then sum what it produced.
        let segments = self.segments(bytes);
        let targets: Vec<&wgpu::Buffer> = match kind {
            ProbeKind::Copy => self.copies.iter().flatten().collect(),
            _ => segments.iter().map(|(index, _)| &self.chunks[*index].0).collect(),
        };
        if kind != ProbeKind::Read {
            let refs: Vec<&Dispatch> = dispatches.iter().collect();
            gpu::run_once(
                ctx,
                |encoder| {
                    for target in &targets {
                        encoder.clear_buffer(target, 0, None);
                    }
                },
                &refs,
                |_| {},
            )
            .await?;
        }
        for ((index, size), target) in segments.iter().zip(&targets) {
            self.check_sum(ctx, pipelines, kind, target, *size, expected_sum(chunk_seed(*index), size / 4)).await?;
        }
        let figures: Vec<f64> = samples.seconds_per_rep.iter().map(|s| counted_bytes as f64 / s / 1e9).collect();
        let stats = Stats::of(&figures).ok_or_else(|| ProbeError::Gpu("no valid sample".into()))?;
        Ok(Measurement {
            kind,
            working_set_bytes: Some(bytes),
            unit: kind.unit().into(),
            stats,
            timing: samples.timing,
            reps_per_sample: samples.reps,
            sample_ms: samples.sample_ms,
            check: format!(
                "wrapped sum of {} over {} chunk(s) equals the CPU's closed form",
                if kind == ProbeKind::Copy { "the copy" } else { "the data" },
                segments.len()
            ),
        })
    }
}

/// Workgroups of the read kernel over `bytes`.
fn read_workgroups(ctx: &GpuContext, bytes: u64) -> u32 {
    gpu::workgroups_for(ctx, bytes / 16 / ELEMENTS_PER_INVOCATION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_matches_brute_force() {
        for words in [0u64, 1, 2, 3, 4, 255, 4096, 100_003] {
            for seed in [0u32, 1, chunk_seed(3), u32::MAX] {
                let brute = (0..words).fold(0u32, |a, w| a.wrapping_add(fill_word(w as u32, seed)));
                assert_eq!(expected_sum(seed, words), brute, "words {words} seed {seed}");
            }
        }
    }

    /// The read check is not a formality: one word changed behind the probe's back fails it.
    #[test]
    fn a_corrupted_word_fails_the_read_check() {
        let ctx = match pollster::block_on(GpuContext::new(&Default::default())) {
            Ok(ctx) => ctx,
            Err(error) => {
                assert!(std::env::var("ROOFLINE_REQUIRE_GPU").as_deref() != Ok("1"), "no adapter: {error}");
                return;
            }
        };
        let mut pipelines = Pipelines::default();
        let config = ProbeConfig::quick();
        let bytes = 2 * MIB;
        pollster::block_on(async {
            let mut arena = Arena::new(&ctx, &mut pipelines, bytes).await.unwrap_or_else(|e| panic!("{e}"));
            let intact = arena.run(&ctx, &mut pipelines, &config, ProbeKind::Read, bytes, &|| false).await;
            assert!(intact.is_ok(), "{intact:?}");
            ctx.queue.write_buffer(&arena.chunks[0].0, 4096, &[0xFF; 4]);
            let corrupted = arena.run(&ctx, &mut pipelines, &config, ProbeKind::Read, bytes, &|| false).await;
            assert!(matches!(corrupted, Err(ProbeError::CheckFailed { kind: ProbeKind::Read, .. })), "{corrupted:?}");
        });
    }

    #[test]
    fn sweep_covers_the_range() {
        let config = ProbeConfig::default();
        assert_eq!(sweep_sizes(&config, 256 * MIB), vec![MIB, 4 * MIB, 16 * MIB, 64 * MIB, 256 * MIB]);
        let phone =
            AdapterSummary { max_buffer_bytes: 256 * MIB, max_storage_binding_bytes: 128 * MIB, ..Default::default() };
        assert_eq!(largest_working_set(&phone, 4096 * MIB), 1024 * MIB);
        assert_eq!(largest_working_set(&phone, 300 * MIB), 300 * MIB);
    }
}
