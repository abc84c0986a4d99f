//! Uploading a model part by part: the globals first, then each layer with its KV cache,
//! then the kernels the uploaded formats need and the scratch buffers.

use roofline_reference::transformer::{LayerWeights, ModelConfig, Weights};

use super::matrix::{Fill, GpuMatrix};
use super::scratch::{chunk_tokens, Scratch};
use super::GpuModel;
use crate::context::GpuContext;
use crate::error::ProbeError;
use crate::gpu;
use crate::model::f32_ops::F32Ops;
use crate::model::ops::{upload_f32, ModelOps, QuantKernel};

/// One block's weights and KV cache on the GPU.
pub(crate) struct GpuLayer {
    pub(crate) attn_norm: wgpu::Buffer,
    pub(crate) wq: GpuMatrix,
    pub(crate) wk: GpuMatrix,
    pub(crate) wv: GpuMatrix,
    pub(crate) wo: GpuMatrix,
    pub(crate) bq: Option<wgpu::Buffer>,
    pub(crate) bk: Option<wgpu::Buffer>,
    pub(crate) bv: Option<wgpu::Buffer>,
    pub(crate) bo: Option<wgpu::Buffer>,
    pub(crate) q_norm: Option<wgpu::Buffer>,
    pub(crate) k_norm: Option<wgpu::Buffer>,
    pub(crate) post_attn_norm: Option<wgpu::Buffer>,
    pub(crate) ffn_norm: wgpu::Buffer,
    pub(crate) gate: GpuMatrix,
    pub(crate) up: GpuMatrix,
    pub(crate) down: GpuMatrix,
    pub(crate) post_ffw_norm: Option<wgpu::Buffer>,
    pub(crate) k_cache: wgpu::Buffer,
    pub(crate) v_cache: wgpu::Buffer,
}

impl GpuLayer {
    pub(super) fn matrices(&self) -> [&GpuMatrix; 7] {
        [&self.wq, &self.wk, &self.wv, &self.wo, &self.gate, &self.up, &self.down]
    }
}

async fn opt_f32(ctx: &GpuContext, v: &Option<Vec<f32>>) -> Result<Option<wgpu::Buffer>, ProbeError> {
    match v {
        Some(v) => Ok(Some(upload_f32(ctx, v).await?)),
        None => Ok(None),
    }
}

fn unsupported(config: &ModelConfig, weights: &Weights) -> Option<String> {
    if config.head_dim_k != config.head_dim_v {
        return Some("key and value heads of different widths".into());
    }
    if config.n_kv_heads == 0 || !config.n_heads.is_multiple_of(config.n_kv_heads) {
        return Some("query heads not a multiple of the KV heads".into());
    }
    if config.final_logit_softcap.is_some() {
        return Some("final logit soft-capping".into());
    }
    if weights.rope_freqs.is_some() {
        return Some("RoPE frequency factors (rope_freqs)".into());
    }
    if weights
        .layers
        .iter()
        .any(|l| l.ffn_biases.gate.is_some() || l.ffn_biases.up.is_some() || l.ffn_biases.down.is_some())
    {
        return Some("feed-forward biases".into());
    }
    None
}

/// A model being uploaded part by part: the globals first, then each layer.
pub(crate) struct Builder {
    config: ModelConfig,
    layers: Vec<GpuLayer>,
    token_embd: GpuMatrix,
    output: Option<GpuMatrix>,
    output_norm: wgpu::Buffer,
    context_len: u32,
}

impl Builder {
    /// Checks what the GPU runner supports and uploads everything outside the blocks
    /// (`weights.layers` may be empty).
    pub(crate) async fn start(
        ctx: &GpuContext,
        weights: &Weights,
        context_len: u32,
        fill: Fill<'_>,
    ) -> Result<Self, ProbeError> {
        let c = weights.config.clone();
        if let Some(what) = unsupported(&c, weights) {
            return Err(ProbeError::Unsupported(format!("{} on the GPU: {what}", c.architecture.name())));
        }
        let token_embd = GpuMatrix::make(ctx, &weights.token_embd, fill).await?;
        let output = match &weights.output {
            Some(t) => Some(GpuMatrix::make(ctx, t, fill).await?),
            None => None,
        };
        Ok(Self {
            output_norm: upload_f32(ctx, &weights.output_norm).await?,
            layers: Vec::with_capacity(c.n_layers),
            config: c,
            token_embd,
            output,
            context_len,
        })
    }

    /// Uploads the next block and allocates its KV cache.
    pub(crate) async fn add_layer(
        &mut self,
        ctx: &GpuContext,
        l: &LayerWeights,
        fill: Fill<'_>,
    ) -> Result<(), ProbeError> {
        if l.ffn_biases.gate.is_some() || l.ffn_biases.up.is_some() || l.ffn_biases.down.is_some() {
            return Err(ProbeError::Unsupported(format!(
                "{} on the GPU: feed-forward biases",
                self.config.architecture.name()
            )));
        }
        let kv_bytes = u64::from(self.context_len) * self.config.k_dim() as u64 * 4;
        let mut uploaded = Vec::with_capacity(7);
        for t in [&l.wq, &l.wk, &l.wv, &l.wo, &l.gate, &l.up, &l.down] {
            uploaded.push(GpuMatrix::make(ctx, t, fill).await?);
        }
        let mut it = uploaded.into_iter();
        let mut next = || it.next().ok_or_else(|| ProbeError::Gpu("a layer matrix is missing".into()));
        let (wq, wk, wv, wo) = (next()?, next()?, next()?, next()?);
        let (gate, up, down) = (next()?, next()?, next()?);
        let cache_usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC;
        self.layers.push(GpuLayer {
            attn_norm: upload_f32(ctx, &l.attn_norm).await?,
            wq,
            wk,
            wv,
            wo,
            bq: opt_f32(ctx, &l.bq).await?,
            bk: opt_f32(ctx, &l.bk).await?,
            bv: opt_f32(ctx, &l.bv).await?,
            bo: opt_f32(ctx, &l.bo).await?,
            q_norm: opt_f32(ctx, &l.q_norm).await?,
            k_norm: opt_f32(ctx, &l.k_norm).await?,
            post_attn_norm: opt_f32(ctx, &l.post_attn_norm).await?,
            ffn_norm: upload_f32(ctx, &l.ffn_norm).await?,
            gate,
            up,
            down,
            post_ffw_norm: opt_f32(ctx, &l.post_ffw_norm).await?,
            k_cache: gpu::buffer(ctx, "k cache", kv_bytes, cache_usage).await?,
            v_cache: gpu::buffer(ctx, "v cache", kv_bytes, cache_usage).await?,
        });
        Ok(())
    }

    /// Compiles the kernels the uploaded formats need and allocates the scratch buffers
    /// for prompt chunks as long as the adapter's storage bindings allow.
    pub(crate) async fn finish(self, ctx: &GpuContext) -> Result<GpuModel, ProbeError> {
        let Builder { config: c, layers, token_embd, output, output_norm, context_len } = self;
        if layers.len() != c.n_layers {
            return Err(ProbeError::Gpu(format!("{} of {} layers were uploaded", layers.len(), c.n_layers)));
        }
        let mut qops = ModelOps::default();
        let mut fops = F32Ops::default();
        fops.prepare(ctx).await?;
        let binding = ctx.adapter.max_storage_binding_bytes.min(ctx.adapter.max_buffer_bytes);
        let chunk = chunk_tokens(&c, context_len, binding);
        let head = std::iter::once(&token_embd).chain(output.iter()).last();
        for m in layers.iter().flat_map(|l| l.matrices()) {
            if let Some(format) = m.format() {
                qops.prepare(ctx, QuantKernel::matvec_for(ctx), format).await?;
                if chunk > 1 {
                    qops.prepare(ctx, QuantKernel::matmul_for(ctx), format).await?;
                }
            }
        }
        if let Some(format) = head.and_then(|m| m.format()) {
            qops.prepare(ctx, QuantKernel::matvec_for(ctx), format).await?;
        }
        if let Some(format) = token_embd.format() {
            qops.prepare(ctx, QuantKernel::GatherRows, format).await?;
        }
        let s = Scratch::new(ctx, &c, context_len, chunk).await?;
        Ok(GpuModel {
            output_norm,
            config: c,
            layers,
            token_embd,
            output,
            context_len,
            chunk_tokens: chunk,
            s,
            qops,
            fops,
            profiler: None,
        })
    }
}
