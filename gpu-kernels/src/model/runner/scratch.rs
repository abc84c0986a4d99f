//! The runner's activations: buffers for a chunk of prompt tokens (decoding uses their
//! first row), sized once at load from the chunk the adapter's storage bindings allow.

use roofline_core::transformer::ModelConfig;

use crate::context::GpuContext;
use crate::model::f32_ops::{attention_parts_len, ARGMAX_OUT_WORDS};
use crate::model::ops::{upload_bytes, upload_f32};
use crate::probes::gpu;
use crate::probes::ProbeError;

/// Prompt tokens processed in one command buffer at most: enough that each weight tile
/// serves many tokens, few enough that a chunk's scratch stays a few MiB for small models.
pub const MAX_CHUNK_TOKENS: u32 = 128;

/// Prompt tokens per chunk for `config` with a `context_len`-position cache: at most
/// [`MAX_CHUNK_TOKENS`] and the context, and few enough that every scratch buffer (the
/// widest is a row of attention scores per head, or the feed-forward width) fits one
/// storage binding of `binding_bytes`. At least 1.
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
    let fit = (binding_bytes / widest_row.max(1)).min(u64::from(MAX_CHUNK_TOKENS)) as u32;
    fit.min(context_len).max(1)
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
    pub(crate) token_staging: wgpu::Buffer,
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
            token_staging: gpu::staging(ctx, 4).await?,
        })
    }
}
