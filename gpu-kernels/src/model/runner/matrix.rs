//! A weight matrix on the GPU, split into row chunks that each fit one storage binding,
//! and the products and lookups the runner records over all of its chunks.

use roofline_core::transformer::QTensor;

use crate::context::GpuContext;
use crate::model::formats::QuantFormat;
use crate::model::ops::{upload_tensor, GpuTensor, MatmulArgs, ModelOps};
use crate::probes::ProbeError;

/// A weight matrix split into row chunks (each with its first row) that each fit one
/// storage binding.
pub(crate) struct GpuMatrix {
    chunks: Vec<(GpuTensor, u32)>,
    rows: u32,
}

impl GpuMatrix {
    /// Uploads `t` in its block layout.
    pub(crate) async fn upload(ctx: &GpuContext, t: &QTensor) -> Result<Self, ProbeError> {
        let format = QuantFormat::from_ggml(t.ggml_type)
            .ok_or_else(|| ProbeError::Unsupported(format!("{}: ggml type {}", t.name, t.ggml_type)))?;
        let cols = t.cols as u32;
        let row_bytes = u64::from(format.row_bytes(cols));
        let limit = ctx.adapter.max_storage_binding_bytes.min(ctx.adapter.max_buffer_bytes);
        let rows_per_chunk = (limit / row_bytes.max(1)).clamp(1, u64::from(u32::MAX)) as usize;
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
        for (t, first) in &self.chunks {
            if tokens == 1 {
                ops.matvec_rows(ctx, pass, t, x, y, false, *first).await?;
            } else {
                let args = MatmulArgs { x, y, tokens, y_stride: self.rows, out_offset: *first, add: false };
                ops.matmul(ctx, pass, t, &args).await?;
            }
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
