//! Where a model step's GPU time goes: with a profile on (adapters with timestamps inside
//! passes), the runner writes a timestamp after each labelled group of dispatches, and
//! the time from one mark to the next is added to the later mark's label.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use crate::context::GpuContext;
use crate::error::ProbeError;
use crate::gpu;
use crate::readback;

/// Timestamps one step may write.
const CAPACITY: u32 = 4096;

/// Time per label, summed over the profiled steps.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    /// Steps profiled.
    pub steps: u32,
    /// (label, nanoseconds over all steps), in the order labels first appeared.
    pub labels: Vec<(&'static str, f64)>,
}

impl Profile {
    /// Microseconds per step for each label.
    pub fn per_step_us(&self) -> Vec<(&'static str, f64)> {
        let steps = f64::from(self.steps.max(1));
        self.labels.iter().map(|(l, ns)| (*l, ns / steps / 1e3)).collect()
    }
}

#[derive(Default)]
struct Marks {
    labels: Vec<&'static str>,
    totals: BTreeMap<usize, (&'static str, f64)>,
    order: Vec<&'static str>,
    steps: u32,
}

pub(super) struct Profiler {
    queries: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    staging: wgpu::Buffer,
    period_ns: f64,
    marks: Mutex<Marks>,
}

impl Profiler {
    pub(super) async fn new(ctx: &GpuContext) -> Result<Self, ProbeError> {
        let queries = ctx.device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("model profile"),
            ty: wgpu::QueryType::Timestamp,
            count: CAPACITY,
        });
        let bytes = u64::from(CAPACITY) * 8;
        let usage = wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC;
        let resolve = gpu::buffer(ctx, "profile resolve", bytes, usage).await?;
        let staging = gpu::staging(ctx, bytes).await?;
        let period_ns = f64::from(ctx.queue.get_timestamp_period());
        Ok(Self { queries, resolve, staging, period_ns, marks: Mutex::default() })
    }

    fn lock(&self) -> MutexGuard<'_, Marks> {
        self.marks.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts a step's marks.
    pub(super) fn begin(&self) {
        self.lock().labels.clear();
    }

    /// Writes a timestamp closing the dispatches since the last mark, under `label`.
    pub(super) fn mark(&self, pass: &mut wgpu::ComputePass<'_>, label: &'static str) {
        let mut marks = self.lock();
        let index = marks.labels.len() as u32;
        if index < CAPACITY {
            pass.write_timestamp(&self.queries, index);
            marks.labels.push(label);
        }
    }

    /// Records the copy of the step's timestamps for reading.
    pub(super) fn resolve(&self, encoder: &mut wgpu::CommandEncoder) {
        let count = self.lock().labels.len() as u32;
        if count > 0 {
            encoder.resolve_query_set(&self.queries, 0..count, &self.resolve, 0);
            encoder.copy_buffer_to_buffer(&self.resolve, 0, &self.staging, 0, u64::from(count) * 8);
        }
    }

    /// Reads the step's timestamps (after its submission) and adds them up.
    pub(super) async fn collect(&self, ctx: &GpuContext) -> Result<(), ProbeError> {
        let words = readback::read_words(ctx, &self.staging).await?;
        let mut marks = self.lock();
        let stamps: Vec<u64> =
            words.chunks_exact(2).map(|w| u64::from(w[0]) | (u64::from(w[1]) << 32)).take(marks.labels.len()).collect();
        let labels = marks.labels.clone();
        for (i, pair) in stamps.windows(2).enumerate() {
            let label = labels[i + 1];
            let ns = pair[1].saturating_sub(pair[0]) as f64 * self.period_ns;
            if !marks.order.contains(&label) {
                marks.order.push(label);
            }
            let slot = marks.order.iter().position(|l| *l == label).unwrap_or(0);
            marks.totals.entry(slot).or_insert((label, 0.0)).1 += ns;
        }
        marks.steps += 1;
        Ok(())
    }

    pub(super) fn take(&self) -> Profile {
        let mut marks = self.lock();
        let profile = Profile { steps: marks.steps, labels: marks.totals.values().copied().collect() };
        *marks = Marks::default();
        profile
    }
}
