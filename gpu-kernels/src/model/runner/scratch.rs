//! The runner's activations: buffers for a chunk of prompt tokens (decoding uses their
//! first row), sized once at load from the chunk the adapter's storage bindings allow.

use roofline_reference::transformer::ModelConfig;

use crate::context::GpuContext;
use crate::error::ProbeError;
use crate::gpu;
use crate::model::f32_ops::{attention_parts_len, ARGMAX_OUT_WORDS};
use crate::model::ops::{upload_bytes, upload_f32};

/// Prompt tokens processed in one command buffer at most (llama.cpp's default micro-batch):
/// the more tokens, the more workgroups a matrix product has to fill a large GPU and the
/// more tokens each weight tile serves. Measured on an H100, chunks of 512 instead of 128
/// ran an 8B's pp512 14 % faster (docs/measurements).
pub const MAX_CHUNK_TOKENS: u32 = 512;

/// Chunks longer than this are taken only where their scratch fits in half of one storage
/// binding, so devices with small limits keep the chunks (and memory) they had.
const BASE_CHUNK_TOKENS: u32 = 128;

/// Generated-token steps kept in flight: the next is recorded and submitted while the GPU
/// runs the one before, its input the argmax that one leaves on the GPU.
pub(crate) const STEPS_IN_FLIGHT: usize = 2;

/// Read-back buffers for the generated tokens: one per step in flight and one being read.
pub(crate) const TOKEN_SLOTS: usize = STEPS_IN_FLIGHT + 1;

/// Prompt tokens per chunk for `config` with a `context_len`-position cache: at most the
/// context, and few enough that every scratch buffer (the widest is a row of attention
/// scores per head, or the feed-forward width) fits one storage binding of
/// `binding_bytes`; up to [`BASE_CHUNK_TOKENS`], or up to [`MAX_CHUNK_TOKENS`] (halving
/// from it) where all the scratch fits in half a binding. At least 1.
pub fn chunk_tokens(config: &ModelConfig, context_len: u32, binding_bytes: u64) -> u32 {
    let widest_row = [
        config.hidden,
        config.q_dim(),
        config.k_dim(),
        config.v_dim(),
        config.n_heads * config.head_dim_v,
        config.ffn,
        config.n_heads * context_len as usize,
    ]
    .into_iter()
    .max()
    .unwrap_or(1) as u64
        * 4;
    let fit = (binding_bytes / widest_row.max(1)).min(u64::from(context_len)).max(1);
    let base = fit.min(u64::from(BASE_CHUNK_TOKENS)) as u32;
    let mut chunk = MAX_CHUNK_TOKENS;
    while chunk > base {
        if u64::from(chunk) <= fit && scratch_bytes(config, context_len, chunk) <= binding_bytes / 2 {
            return chunk;
        }
        chunk /= 2;
    }
    base
}

/// Bytes of the scratch buffers for chunks of `chunk` tokens (what [`Scratch::new`]
/// allocates).
pub fn scratch_bytes(config: &ModelConfig, context_len: u32, chunk: u32) -> u64 {
    let c = config;
    let rows = u64::from(chunk);
    let per_token = c.hidden * 7 + c.q_dim() * 2 + c.k_dim() * 2 + c.v_dim() * 2 + c.n_heads * c.head_dim_v + c.ffn * 3;
    let scores = c.n_heads as u64 * u64::from(context_len);
    4 * (rows * (per_token as u64 + scores + 1)
        + c.hidden as u64
        + c.vocab as u64
        + ARGMAX_OUT_WORDS as u64
        + attention_parts_len(c.n_heads, c.head_dim_k.max(c.head_dim_v)) as u64)
}

/// Activations of one chunk of `tokens` rows; pairs let an out-of-place step follow another.
pub(crate) struct Scratch {
    /// Rows each buffer holds.
    pub(crate) tokens: u32,
    pub(crate) x: [wgpu::Buffer; 2],
    pub(crate) h: wgpu::Buffer,
    pub(crate) q: [wgpu::Buffer; 2],
    pub(crate) k: [wgpu::Buffer; 2],
    pub(crate) v: [wgpu::Buffer; 2],
    pub(crate) att: wgpu::Buffer,
    pub(crate) o: [wgpu::Buffer; 2],
    pub(crate) g: wgpu::Buffer,
    pub(crate) u: wgpu::Buffer,
    pub(crate) a: wgpu::Buffer,
    pub(crate) d: [wgpu::Buffer; 2],
    pub(crate) scores: wgpu::Buffer,
    /// A generated token's attention split over positions (`attention_split.wgsl`).
    pub(crate) att_parts: wgpu::Buffer,
    /// The last row of the residual stream, for the output head.
    pub(crate) last: wgpu::Buffer,
    pub(crate) logits: wgpu::Buffer,
    /// Token ids of the chunk.
    pub(crate) ids: wgpu::Buffer,
    pub(crate) token: wgpu::Buffer,
    /// Where steps copy their argmax for reading, in turn: one per step in flight and
    /// one being read.
    pub(crate) token_staging: [wgpu::Buffer; TOKEN_SLOTS],
}

async fn f32_buf(ctx: &GpuContext, len: usize) -> Result<wgpu::Buffer, ProbeError> {
    upload_f32(ctx, &vec![0.0; len.max(1)]).await
}

impl Scratch {
    /// Allocates the buffers for chunks of `tokens` rows.
    pub(crate) async fn new(
        ctx: &GpuContext,
        c: &ModelConfig,
        context_len: u32,
        tokens: u32,
    ) -> Result<Self, ProbeError> {
        let n = tokens as usize;
        let pair =
            |len: usize| async move { Ok::<_, ProbeError>([f32_buf(ctx, len).await?, f32_buf(ctx, len).await?]) };
        let ids_usage = wgpu::BufferUsages::STORAGE;
        Ok(Self {
            tokens,
            x: pair(n * c.hidden).await?,
            h: f32_buf(ctx, n * c.hidden).await?,
            q: pair(n * c.q_dim()).await?,
            k: pair(n * c.k_dim()).await?,
            v: pair(n * c.v_dim()).await?,
            att: f32_buf(ctx, n * c.n_heads * c.head_dim_v).await?,
            o: pair(n * c.hidden).await?,
            g: f32_buf(ctx, n * c.ffn).await?,
            u: f32_buf(ctx, n * c.ffn).await?,
            a: f32_buf(ctx, n * c.ffn).await?,
            d: pair(n * c.hidden).await?,
            scores: f32_buf(ctx, n * c.n_heads * context_len as usize).await?,
            att_parts: f32_buf(ctx, attention_parts_len(c.n_heads, c.head_dim_k.max(c.head_dim_v))).await?,
            last: f32_buf(ctx, c.hidden).await?,
            logits: f32_buf(ctx, c.vocab).await?,
            ids: upload_bytes(ctx, &vec![0; n * 4], ids_usage).await?,
            token: upload_bytes(
                ctx,
                &[0; 4 * ARGMAX_OUT_WORDS],
                wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            )
            .await?,
            token_staging: [gpu::staging(ctx, 4).await?, gpu::staging(ctx, 4).await?, gpu::staging(ctx, 4).await?],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roofline_core::catalog::Catalog;
    use roofline_reference::generated::candidates;

    fn llama_8b() -> ModelConfig {
        let shapes = candidates(&Catalog::builtin(), "llama-3-1-8b").unwrap_or_default();
        shapes.first().map(|s| s.config.clone()).unwrap_or_else(|| panic!("no 8B shape"))
    }

    #[test]
    fn long_chunks_only_where_their_scratch_fits_half_a_binding() {
        let c = llama_8b();
        // A large GPU's 2 GiB binding: the whole micro-batch.
        assert_eq!(chunk_tokens(&c, 4224, 2 << 30), MAX_CHUNK_TOKENS);
        assert!(scratch_bytes(&c, 4224, MAX_CHUNK_TOKENS) <= 1 << 30);
        // A browser's 256 MiB: no more than before.
        assert_eq!(chunk_tokens(&c, 4224, 256 << 20), BASE_CHUNK_TOKENS);
        // A short context bounds the chunk.
        assert_eq!(chunk_tokens(&c, 100, 2 << 30), 100);
        // Rows of scores wider than the binding: one token at a time.
        assert_eq!(chunk_tokens(&c, 4224, 1024), 1);
    }
}
