//! Bind groups and their uniform buffers kept from one recording of a model step to the
//! next. A generated token records the same dispatches over the same buffers as the one
//! before it, so the n-th dispatch of a recording finds the n-th entry of the last one:
//! same pipeline and buffers → its bind group is reused, and only parameters that
//! changed (a position) are written into its uniform buffer. Nothing is allocated and no
//! error scope is awaited per token — in a browser each of those is a trip to the GPU
//! process.
//!
//! Each entry is used once per command buffer, and `Queue::write_buffer` lands before the
//! next submission, so a recording that rewrites an entry's parameters never changes what
//! an earlier submitted command buffer reads.

use std::sync::{Mutex, MutexGuard};

use crate::context::GpuContext;
use crate::error::ProbeError;
use crate::gpu;

/// Which sequence of dispatches a recording belongs to: a decode step and a prompt chunk
/// dispatch different kernels, so each keeps its own entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    /// One token (matrix-vector products).
    Decode,
    /// A chunk of prompt tokens (matrix–matrix products).
    Prefill,
}

/// Words of every kernel's uniform parameters.
pub(crate) type Params = [u32; 8];

struct Entry {
    pipeline: wgpu::ComputePipeline,
    buffers: Vec<wgpu::Buffer>,
    params: Params,
    uniform: wgpu::Buffer,
    group: wgpu::BindGroup,
}

#[derive(Default)]
struct State {
    /// The stream being recorded and the index of its next dispatch; `None` outside a
    /// recording (then nothing is kept).
    cursor: Option<(Stream, usize)>,
    decode: Vec<Entry>,
    prefill: Vec<Entry>,
}

impl State {
    fn entries(&mut self, stream: Stream) -> &mut Vec<Entry> {
        match stream {
            Stream::Decode => &mut self.decode,
            Stream::Prefill => &mut self.prefill,
        }
    }
}

/// The kept bind groups of one set of pipelines.
#[derive(Default)]
pub(crate) struct Binder {
    state: Mutex<State>,
}

impl Binder {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held left only a cache behind: keep using it.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts a recording of `stream`: its dispatches are matched to the last one's.
    pub(crate) fn begin(&self, stream: Stream) {
        self.lock().cursor = Some((stream, 0));
    }

    /// Ends the recording; later dispatches get fresh bind groups until the next `begin`.
    pub(crate) fn end(&self) {
        self.lock().cursor = None;
    }

    /// Dispatches kept per stream (for tests).
    pub(crate) fn kept(&self) -> (usize, usize) {
        let state = self.lock();
        (state.decode.len(), state.prefill.len())
    }

    /// A bind group of `pipeline` with `buffers` at bindings 0, 1, … and a uniform buffer
    /// holding `params` after them.
    pub(crate) async fn group(
        &self,
        ctx: &GpuContext,
        pipeline: &wgpu::ComputePipeline,
        buffers: &[&wgpu::Buffer],
        params: Params,
    ) -> Result<wgpu::BindGroup, ProbeError> {
        let cursor = self.lock().cursor;
        let Some((stream, index)) = cursor else {
            return Ok(Self::make(ctx, pipeline, buffers, params).await?.group);
        };
        let cursor = {
            let mut state = self.lock();
            if let Some(entry) = state.entries(stream).get_mut(index) {
                let same = entry.pipeline == *pipeline
                    && entry.buffers.len() == buffers.len()
                    && entry.buffers.iter().zip(buffers).all(|(a, b)| a == *b);
                if same {
                    if entry.params != params {
                        ctx.queue.write_buffer(&entry.uniform, 0, &words(&params));
                        entry.params = params;
                    }
                    let group = entry.group.clone();
                    state.cursor = Some((stream, index + 1));
                    return Ok(group);
                }
            }
            (stream, index)
        };
        let entry = Self::make(ctx, pipeline, buffers, params).await?;
        let group = entry.group.clone();
        let mut state = self.lock();
        let (stream, index) = cursor;
        let entries = state.entries(stream);
        entries.truncate(index);
        entries.push(entry);
        // Another recording may have begun while this one awaited; it keeps its cursor.
        if state.cursor == Some(cursor) {
            state.cursor = Some((stream, index + 1));
        }
        Ok(group)
    }

    async fn make(
        ctx: &GpuContext,
        pipeline: &wgpu::ComputePipeline,
        buffers: &[&wgpu::Buffer],
        params: Params,
    ) -> Result<Entry, ProbeError> {
        let uniform = gpu::uniform(ctx, &params).await?;
        let mut entries: Vec<(&wgpu::Buffer, Option<u64>)> = buffers.iter().map(|b| (*b, None)).collect();
        entries.push((&uniform, None));
        let group = gpu::bind(ctx, pipeline, &entries);
        Ok(Entry {
            pipeline: pipeline.clone(),
            buffers: buffers.iter().map(|b| (*b).clone()).collect(),
            params,
            uniform,
            group,
        })
    }
}

fn words(params: &Params) -> Vec<u8> {
    params.iter().flat_map(|w| w.to_le_bytes()).collect()
}
