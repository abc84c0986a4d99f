//! A weight matrix on the GPU, split into row chunks that each fit one storage binding,
//! and the products and lookups the runner records over all of its chunks.

use roofline_reference::transformer::QTensor;

use crate::context::GpuContext;
use crate::error::ProbeError;
use crate::model::formats::QuantFormat;
use crate::model::generated::Filler;
use crate::model::ops::{upload_tensor, GpuTensor, MatmulArgs, ModelOps, Pre};

/// A weight matrix split into row chunks (each with its first row) that each fit one
/// storage binding.
pub(crate) struct GpuMatrix {
    chunks: Vec<(GpuTensor, u32)>,
    rows: u32,
}

/// Where a matrix's bytes come from.
#[derive(Clone, Copy)]
pub(crate) enum Fill<'a> {
    /// The tensor's own bytes.
    Upload,
    /// Generated on the GPU (`QTensor::data` is empty) from the model's seed: the chunk
    /// starting at row `r` is filled from `tensor_seed(seed, name) + r`.
    Generate(&'a Filler, u32),
}

/// Rows of a matrix of `format` with rows of `cols` weights that fit one storage binding
/// (the GPU splits bigger matrices into chunks of this many rows).
pub fn chunk_rows(ctx: &GpuContext, format: QuantFormat, cols: u32) -> usize {
    let row_bytes = u64::from(format.row_bytes(cols));
    let limit = ctx.adapter.max_storage_binding_bytes.min(ctx.adapter.max_buffer_bytes);
    (limit / row_bytes.max(1)).clamp(1, u64::from(u32::MAX)) as usize
}

/// The fill seed of tensor `name` in a model generated from `seed` (FNV-1a of the name).
pub(crate) fn tensor_seed(seed: u32, name: &str) -> u32 {
    name.bytes().fold(seed ^ 0x811c_9dc5, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

impl GpuMatrix {
    /// Uploads `t`, or generates it on the GPU.
    pub(crate) async fn make(ctx: &GpuContext, t: &QTensor, fill: Fill<'_>) -> Result<Self, ProbeError> {
        match fill {
            Fill::Upload => Self::upload(ctx, t).await,
            Fill::Generate(filler, seed) => Self::generate(ctx, t, filler, tensor_seed(seed, &t.name)).await,
        }
    }

    async fn generate(ctx: &GpuContext, t: &QTensor, filler: &Filler, seed: u32) -> Result<Self, ProbeError> {
        let format = QuantFormat::from_ggml(t.ggml_type)
            .ok_or_else(|| ProbeError::Unsupported(format!("{}: ggml type {}", t.name, t.ggml_type)))?;
        let cols = t.cols as u32;
        let per_chunk = chunk_rows(ctx, format, cols);
        let mut chunks = Vec::new();
        let mut first = 0usize;
        while first < t.rows {
            let rows = per_chunk.min(t.rows - first);
            let chunk_seed = seed.wrapping_add(first as u32);
            chunks.push((filler.tensor(ctx, format, cols, rows as u32, chunk_seed).await?, first as u32));
            first += rows;
        }
        Ok(Self { chunks, rows: t.rows as u32 })
    }

    /// Uploads `t` in its block layout.
    pub(crate) async fn upload(ctx: &GpuContext, t: &QTensor) -> Result<Self, ProbeError> {
        let format = QuantFormat::from_ggml(t.ggml_type)
            .ok_or_else(|| ProbeError::Unsupported(format!("{}: ggml type {}", t.name, t.ggml_type)))?;
        let cols = t.cols as u32;
        let row_bytes = u64::from(format.row_bytes(cols));
        let rows_per_chunk = chunk_rows(ctx, format, cols);
        let mut chunks = Vec::new();
        let mut first = 0usize;
        while first < t.rows {
            let rows = rows_per_chunk.min(t.rows - first);
            let start = first * row_bytes as usize;
            let bytes = t.data.get(start..start + rows * row_bytes as usize).ok_or_else(|| {
                ProbeError::Gpu(format!("{}: {} bytes, fewer than its shape needs", t.name, t.data.len()))
            })?;
            chunks.push((upload_tensor(ctx, bytes, format, cols, rows as u32).await?, first as u32));
            first += rows;
        }
        Ok(Self { chunks, rows: t.rows as u32 })
    }

    /// The block format (`None` for a matrix without rows).
    pub(crate) fn format(&self) -> Option<QuantFormat> {
        self.chunks.first().map(|(t, _)| t.format)
    }

    /// Records Y = X Wᵀ for `tokens` rows of X: the matrix-vector kernel for one token, the
    /// matrix–matrix kernel for more.
    pub(crate) async fn apply(
        &self,
        ops: &ModelOps,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        x: &wgpu::Buffer,
        y: &wgpu::Buffer,
        tokens: u32,
    ) -> Result<(), ProbeError> {
        self.record(ops, ctx, pass, x, y, tokens, false).await
    }

    /// Records Y += X Wᵀ (a residual connection in the same dispatch).
    pub(crate) async fn apply_add(
        &self,
        ops: &ModelOps,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        x: &wgpu::Buffer,
        y: &wgpu::Buffer,
        tokens: u32,
    ) -> Result<(), ProbeError> {
        self.record(ops, ctx, pass, x, y, tokens, true).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn record(
        &self,
        ops: &ModelOps,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        x: &wgpu::Buffer,
        y: &wgpu::Buffer,
        tokens: u32,
        add: bool,
    ) -> Result<(), ProbeError> {
        for (t, first) in &self.chunks {
            if tokens == 1 {
                ops.matvec_rows(ctx, pass, t, x, y, add, *first).await?;
            } else {
                let args = MatmulArgs { x, y, tokens, y_stride: self.rows, out_offset: *first, add };
                ops.matmul(ctx, pass, t, &args).await?;
            }
        }
        Ok(())
    }

    /// Whether one token's product can make its input (`Pre`) in the same dispatch.
    pub(crate) fn fuses(&self, ops: &ModelOps, ctx: &GpuContext) -> bool {
        self.chunks.iter().all(|(t, _)| ops.fuses(ctx, t.format))
    }

    /// Records y = W pre(x) (or y += with `add`) for one token: see [`Self::fuses`].
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn apply_with(
        &self,
        ops: &ModelOps,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        x: &wgpu::Buffer,
        pre: Pre<'_>,
        y: &wgpu::Buffer,
        add: bool,
    ) -> Result<(), ProbeError> {
        for (t, first) in &self.chunks {
            ops.matvec_with(ctx, pass, t, x, pre, y, add, *first).await?;
        }
        Ok(())
    }

    /// Records: row i of `out` = the row `ids[i]`, for the first `count` ids.
    pub(crate) async fn gather(
        &self,
        ops: &ModelOps,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        ids: &wgpu::Buffer,
        count: u32,
        out: &wgpu::Buffer,
    ) -> Result<(), ProbeError> {
        for (t, first) in &self.chunks {
            ops.gather_rows(ctx, pass, t, *first, ids, count, out).await?;
        }
        Ok(())
    }

    /// Rows.
    pub(crate) fn rows(&self) -> u32 {
        self.rows
    }
}
