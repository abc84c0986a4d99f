//! A transformer on the GPU: the weights of a GGUF file uploaded in their block layout,
//! one command buffer per token through every layer, and greedy decoding with only the
//! token id read back. The graph is llama.cpp's, as `roofline_core::transformer` writes
//! it on the CPU (the reference these kernels are compared with).

use roofline_core::transformer::{Activation, LayerWeights, ModelConfig, QTensor, RopeLayout, Weights};

use super::f32_ops::{AttentionArgs, Elementwise, F32Ops, Rope};
use super::formats::QuantFormat;
use super::generated::Filler;
use super::ops::{read_f32, upload_bytes, upload_f32, upload_tensor, GpuTensor, ModelOps, QuantKernel};
use crate::context::GpuContext;
use crate::probes::gpu;
use crate::probes::ProbeError;
use crate::readback;
use crate::timing::now_s;

/// A weight matrix split into row chunks that each fit one storage binding.
struct GpuMatrix {
    chunks: Vec<(GpuTensor, u32)>,
}

/// Where a matrix's bytes come from.
#[derive(Clone, Copy)]
pub(crate) enum Fill<'a> {
    /// The tensor's own bytes.
    Upload,
    /// Generated on the GPU (`QTensor::data` is empty): chunk `k` starting at row `r` is
    /// filled from `seed_of(name) + r`.
    Generate(&'a Filler, u32),
}

/// Rows of a matrix of `format` with rows of `cols` weights that fit one storage binding
/// (the GPU splits bigger matrices into chunks of this many rows).
pub fn chunk_rows(ctx: &GpuContext, format: QuantFormat, cols: u32) -> usize {
    let row_bytes = u64::from(format.row_bytes(cols));
    let limit = ctx.adapter.max_storage_binding_bytes.min(ctx.adapter.max_buffer_bytes);
    (limit / row_bytes.max(1)).clamp(1, u64::from(u32::MAX)) as usize
}

/// The fill seed of tensor `name` in a model generated from `seed`.
pub(crate) fn tensor_seed(seed: u32, name: &str) -> u32 {
    name.bytes().fold(seed ^ 0x811c_9dc5, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

impl GpuMatrix {
    async fn make(ctx: &GpuContext, t: &QTensor, fill: Fill<'_>) -> Result<Self, ProbeError> {
        match fill {
            Fill::Upload => Self::upload(ctx, t).await,
            Fill::Generate(filler, seed) => Self::generate(ctx, t, filler, tensor_seed(seed, &t.name)).await,
        }
    }

    fn rows_per_chunk(ctx: &GpuContext, format: QuantFormat, cols: u32) -> usize {
        chunk_rows(ctx, format, cols)
    }

    async fn generate(ctx: &GpuContext, t: &QTensor, filler: &Filler, seed: u32) -> Result<Self, ProbeError> {
        let format = QuantFormat::from_ggml(t.ggml_type)
            .ok_or_else(|| ProbeError::Unsupported(format!("{}: ggml type {}", t.name, t.ggml_type)))?;
        let cols = t.cols as u32;
        let per_chunk = Self::rows_per_chunk(ctx, format, cols);
        let mut chunks = Vec::new();
        let mut first = 0usize;
        while first < t.rows {
            let rows = per_chunk.min(t.rows - first);
            let chunk_seed = seed.wrapping_add(first as u32);
            chunks.push((filler.tensor(ctx, format, cols, rows as u32, chunk_seed).await?, first as u32));
            first += rows;
        }
        Ok(Self { chunks })
    }

    async fn upload(ctx: &GpuContext, t: &QTensor) -> Result<Self, ProbeError> {
        let format = QuantFormat::from_ggml(t.ggml_type)
            .ok_or_else(|| ProbeError::Unsupported(format!("{}: ggml type {}", t.name, t.ggml_type)))?;
        let cols = t.cols as u32;
        let row_bytes = u64::from(format.row_bytes(cols));
        let rows_per_chunk = Self::rows_per_chunk(ctx, format, cols);
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
        Ok(Self { chunks })
    }

    fn format(&self) -> Option<QuantFormat> {
        self.chunks.first().map(|(t, _)| t.format)
    }

    async fn matvec(
        &self,
        ops: &ModelOps,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        x: &wgpu::Buffer,
        y: &wgpu::Buffer,
    ) -> Result<(), ProbeError> {
        for (t, first) in &self.chunks {
            ops.matvec_rows(ctx, pass, t, x, y, false, *first).await?;
        }
        Ok(())
    }

    async fn row(
        &self,
        ops: &ModelOps,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        row: u32,
        out: &wgpu::Buffer,
    ) -> Result<(), ProbeError> {
        let (t, first) = self
            .chunks
            .iter()
            .find(|(t, first)| row >= *first && row < first + t.rows)
            .ok_or_else(|| ProbeError::Gpu(format!("token {row} is outside the vocabulary")))?;
        ops.dequant_rows(ctx, pass, t, row - first, 1, out).await
    }
}

struct GpuLayer {
    attn_norm: wgpu::Buffer,
    wq: GpuMatrix,
    wk: GpuMatrix,
    wv: GpuMatrix,
    wo: GpuMatrix,
    bq: Option<wgpu::Buffer>,
    bk: Option<wgpu::Buffer>,
    bv: Option<wgpu::Buffer>,
    bo: Option<wgpu::Buffer>,
    q_norm: Option<wgpu::Buffer>,
    k_norm: Option<wgpu::Buffer>,
    post_attn_norm: Option<wgpu::Buffer>,
    ffn_norm: wgpu::Buffer,
    gate: GpuMatrix,
    up: GpuMatrix,
    down: GpuMatrix,
    post_ffw_norm: Option<wgpu::Buffer>,
    k_cache: wgpu::Buffer,
    v_cache: wgpu::Buffer,
}

/// Scratch buffers of one token step; pairs let an out-of-place step follow another.
struct Scratch {
    x: [wgpu::Buffer; 2],
    h: wgpu::Buffer,
    q: [wgpu::Buffer; 2],
    k: [wgpu::Buffer; 2],
    v: [wgpu::Buffer; 2],
    att: wgpu::Buffer,
    o: [wgpu::Buffer; 2],
    g: wgpu::Buffer,
    u: wgpu::Buffer,
    a: wgpu::Buffer,
    d: [wgpu::Buffer; 2],
    scores: wgpu::Buffer,
    logits: wgpu::Buffer,
    token: wgpu::Buffer,
    token_staging: wgpu::Buffer,
}

/// How far loading has come.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadProgress {
    /// Weight bytes uploaded so far.
    pub bytes: u64,
    /// All weight bytes.
    pub total_bytes: u64,
    /// Layers uploaded so far.
    pub layers: usize,
    /// All layers.
    pub total_layers: usize,
}

/// Tokens and timings of a greedy run.
#[derive(Clone, Debug, PartialEq)]
pub struct Generation {
    /// Generated token ids.
    pub tokens: Vec<u32>,
    /// Seconds for the prompt (through the first generated token's logits).
    pub prompt_s: f64,
    /// Seconds for the remaining generated tokens.
    pub generation_s: f64,
}

/// A model in GPU memory, ready to run.
pub struct GpuModel {
    config: ModelConfig,
    layers: Vec<GpuLayer>,
    token_embd: GpuMatrix,
    output: Option<GpuMatrix>,
    output_norm: wgpu::Buffer,
    context_len: u32,
    s: Scratch,
    qops: ModelOps,
    fops: F32Ops,
}

async fn f32_buf(ctx: &GpuContext, len: usize) -> Result<wgpu::Buffer, ProbeError> {
    upload_f32(ctx, &vec![0.0; len.max(1)]).await
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

    /// Compiles the kernels the uploaded formats need and allocates the scratch buffers.
    pub(crate) async fn finish(self, ctx: &GpuContext) -> Result<GpuModel, ProbeError> {
        let Builder { config: c, layers, token_embd, output, output_norm, context_len } = self;
        if layers.len() != c.n_layers {
            return Err(ProbeError::Gpu(format!("{} of {} layers were uploaded", layers.len(), c.n_layers)));
        }
        let mut qops = ModelOps::default();
        let mut fops = F32Ops::default();
        fops.prepare(ctx).await?;
        let matrices = layers
            .iter()
            .flat_map(|l| [&l.wq, &l.wk, &l.wv, &l.wo, &l.gate, &l.up, &l.down])
            .chain([&token_embd])
            .chain(output.iter());
        for m in matrices {
            if let Some(format) = m.format() {
                qops.prepare(ctx, QuantKernel::matvec_for(ctx), format).await?;
            }
        }
        if let Some(format) = token_embd.format() {
            qops.prepare(ctx, QuantKernel::DequantRows, format).await?;
        }
        let pair = |n: usize| async move { Ok::<_, ProbeError>([f32_buf(ctx, n).await?, f32_buf(ctx, n).await?]) };
        let s = Scratch {
            x: pair(c.hidden).await?,
            h: f32_buf(ctx, c.hidden).await?,
            q: pair(c.q_dim()).await?,
            k: pair(c.k_dim()).await?,
            v: pair(c.v_dim()).await?,
            att: f32_buf(ctx, c.n_heads * c.head_dim_v).await?,
            o: pair(c.hidden).await?,
            g: f32_buf(ctx, c.ffn).await?,
            u: f32_buf(ctx, c.ffn).await?,
            a: f32_buf(ctx, c.ffn).await?,
            d: pair(c.hidden).await?,
            scores: f32_buf(ctx, c.n_heads * context_len as usize).await?,
            logits: f32_buf(ctx, c.vocab).await?,
            token: upload_bytes(ctx, &[0; 4], wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC).await?,
            token_staging: gpu::staging(ctx, 4).await?,
        };
        Ok(GpuModel { output_norm, config: c, layers, token_embd, output, context_len, s, qops, fops })
    }
}

impl GpuModel {
    /// Uploads `weights` and allocates a KV cache of `context_len` positions.
    pub async fn load(
        ctx: &GpuContext,
        weights: &Weights,
        context_len: u32,
        progress: &mut dyn FnMut(LoadProgress),
    ) -> Result<Self, ProbeError> {
        let total_bytes: u64 = std::iter::once(&weights.token_embd)
            .chain(weights.output.iter())
            .chain(weights.layers.iter().flat_map(|l| [&l.wq, &l.wk, &l.wv, &l.wo, &l.gate, &l.up, &l.down]))
            .map(|t| t.data.len() as u64)
            .sum();
        let mut done = LoadProgress { bytes: 0, total_bytes, layers: 0, total_layers: weights.config.n_layers };
        let mut builder = Builder::start(ctx, weights, context_len, Fill::Upload).await?;
        done.bytes +=
            std::iter::once(&weights.token_embd).chain(weights.output.iter()).map(|t| t.data.len() as u64).sum::<u64>();
        progress(done);
        for l in &weights.layers {
            builder.add_layer(ctx, l, Fill::Upload).await?;
            done.bytes +=
                [&l.wq, &l.wk, &l.wv, &l.wo, &l.gate, &l.up, &l.down].iter().map(|t| t.data.len() as u64).sum::<u64>();
            done.layers += 1;
            progress(done);
        }
        builder.finish(ctx).await
    }

    /// The model's configuration.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// Records one token at `pos` through the model, leaving logits in `s.logits` and
    /// their argmax in `s.token`.
    async fn record(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        token: u32,
        pos: u32,
    ) -> Result<(), ProbeError> {
        let c = &self.config;
        let (f, q, s) = (&self.fops, &self.qops, &self.s);
        let hidden = c.hidden as u32;
        let eps = c.rms_eps;
        let hd = c.head_dim_k as u32;
        // Embedding, scaled (Gemma).
        let mut x = 0usize;
        match c.embedding_scale {
            Some(scale) => {
                self.token_embd.row(q, ctx, pass, token, &s.h).await?;
                f.elementwise(ctx, pass, Elementwise::Scale(scale), &s.h, None, &s.x[0], hidden).await?;
            }
            None => self.token_embd.row(q, ctx, pass, token, &s.x[0]).await?,
        }
        for (index, l) in self.layers.iter().enumerate() {
            f.rms_norm(ctx, pass, &s.x[x], Some(&l.attn_norm), &s.h, hidden, 1, eps).await?;
            // Projections, biases, per-head norms; `which` tracks the current buffer of a pair.
            let mut qi = 0;
            let mut ki = 0;
            let mut vi = 0;
            l.wq.matvec(q, ctx, pass, &s.h, &s.q[0]).await?;
            l.wk.matvec(q, ctx, pass, &s.h, &s.k[0]).await?;
            l.wv.matvec(q, ctx, pass, &s.h, &s.v[0]).await?;
            for (bias, pair, i, n) in [
                (&l.bq, &s.q, &mut qi, c.q_dim()),
                (&l.bk, &s.k, &mut ki, c.k_dim()),
                (&l.bv, &s.v, &mut vi, c.v_dim()),
            ] {
                if let Some(b) = bias {
                    f.elementwise(ctx, pass, Elementwise::Add, &pair[*i], Some(b), &pair[1 - *i], n as u32).await?;
                    *i = 1 - *i;
                }
            }
            for (norm, pair, i, heads) in
                [(&l.q_norm, &s.q, &mut qi, c.n_heads), (&l.k_norm, &s.k, &mut ki, c.n_kv_heads)]
            {
                if let Some(w) = norm {
                    f.rms_norm(ctx, pass, &pair[*i], Some(w), &pair[1 - *i], hd, heads as u32, eps).await?;
                    *i = 1 - *i;
                }
            }
            let (base, freq_scale) = c.rope_for_layer(index);
            let rope = Rope { n_rot: c.rope_dims as u32, neox: c.rope_layout == RopeLayout::Neox, base, freq_scale };
            f.rope(ctx, pass, &s.q[qi], c.n_heads as u32, hd, pos, rope).await?;
            f.rope(ctx, pass, &s.k[ki], c.n_kv_heads as u32, hd, pos, rope).await?;
            let row = pos * c.k_dim() as u32;
            f.elementwise(ctx, pass, Elementwise::Store { offset: row }, &s.k[ki], None, &l.k_cache, c.k_dim() as u32)
                .await?;
            f.elementwise(ctx, pass, Elementwise::Store { offset: row }, &s.v[vi], None, &l.v_cache, c.v_dim() as u32)
                .await?;
            let window = if c.is_sliding(index) { c.sliding_window.unwrap_or(0) as u32 } else { 0 };
            let args = AttentionArgs {
                q: &s.q[qi],
                k: &l.k_cache,
                v: &l.v_cache,
                scores: &s.scores,
                out: &s.att,
                heads: c.n_heads as u32,
                kv_heads: c.n_kv_heads as u32,
                dim: hd,
                pos,
                window,
                ctx: self.context_len,
                scale: c.attention_scale,
            };
            f.attention(ctx, pass, &args).await?;
            let mut oi = 0;
            l.wo.matvec(q, ctx, pass, &s.att, &s.o[0]).await?;
            if let Some(b) = &l.bo {
                f.elementwise(ctx, pass, Elementwise::Add, &s.o[0], Some(b), &s.o[1], hidden).await?;
                oi = 1;
            }
            if let Some(w) = &l.post_attn_norm {
                f.rms_norm(ctx, pass, &s.o[oi], Some(w), &s.o[1 - oi], hidden, 1, eps).await?;
                oi = 1 - oi;
            }
            f.elementwise(ctx, pass, Elementwise::Add, &s.x[x], Some(&s.o[oi]), &s.x[1 - x], hidden).await?;
            x = 1 - x;
            // Feed-forward network.
            f.rms_norm(ctx, pass, &s.x[x], Some(&l.ffn_norm), &s.h, hidden, 1, eps).await?;
            l.gate.matvec(q, ctx, pass, &s.h, &s.g).await?;
            l.up.matvec(q, ctx, pass, &s.h, &s.u).await?;
            let act = match c.activation {
                Activation::Silu => Elementwise::SiluGate,
                Activation::GeluTanh => Elementwise::GeluGate,
            };
            f.elementwise(ctx, pass, act, &s.g, Some(&s.u), &s.a, c.ffn as u32).await?;
            let mut di = 0;
            l.down.matvec(q, ctx, pass, &s.a, &s.d[0]).await?;
            if let Some(w) = &l.post_ffw_norm {
                f.rms_norm(ctx, pass, &s.d[0], Some(w), &s.d[1], hidden, 1, eps).await?;
                di = 1;
            }
            f.elementwise(ctx, pass, Elementwise::Add, &s.x[x], Some(&s.d[di]), &s.x[1 - x], hidden).await?;
            x = 1 - x;
        }
        f.rms_norm(ctx, pass, &s.x[x], Some(&self.output_norm), &s.h, hidden, 1, eps).await?;
        self.output.as_ref().unwrap_or(&self.token_embd).matvec(q, ctx, pass, &s.h, &s.logits).await?;
        f.argmax(ctx, pass, &s.logits, &s.token, c.vocab as u32).await
    }

    async fn submit(&self, ctx: &GpuContext, token: u32, pos: u32) -> Result<(), ProbeError> {
        if pos >= self.context_len {
            return Err(ProbeError::Unsupported(format!(
                "position {pos} is past the {}-token context",
                self.context_len
            )));
        }
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            self.record(ctx, &mut pass, token, pos).await?;
        }
        encoder.copy_buffer_to_buffer(&self.s.token, 0, &self.s.token_staging, 0, 4);
        ctx.queue.submit([encoder.finish()]);
        Ok(())
    }

    async fn read_token(&self, ctx: &GpuContext) -> Result<u32, ProbeError> {
        let words = readback::read_words(ctx, &self.s.token_staging).await?;
        words.first().copied().ok_or_else(|| ProbeError::Gpu("no token came back".into()))
    }

    /// Runs `token` at `pos` and returns the logits (for comparisons with the CPU).
    pub async fn logits(&self, ctx: &GpuContext, token: u32, pos: u32) -> Result<Vec<f32>, ProbeError> {
        self.submit(ctx, token, pos).await?;
        read_f32(ctx, &self.s.logits, self.config.vocab).await
    }

    /// Greedy decoding: the prompt, then `n` tokens; `on_token` sees each as it comes.
    pub async fn generate(
        &self,
        ctx: &GpuContext,
        prompt: &[u32],
        n: usize,
        on_token: &mut dyn FnMut(u32),
        cancel: &dyn Fn() -> bool,
    ) -> Result<Generation, ProbeError> {
        let Some((&last, rest)) = prompt.split_last() else {
            return Err(ProbeError::Unsupported("an empty prompt".into()));
        };
        let start = now_s();
        for (pos, &t) in rest.iter().enumerate() {
            self.submit(ctx, t, pos as u32).await?;
        }
        let mut pos = rest.len() as u32;
        self.submit(ctx, last, pos).await?;
        let mut next = self.read_token(ctx).await?;
        let prompt_s = now_s() - start;
        let mut tokens = Vec::with_capacity(n);
        let gen_start = now_s();
        while tokens.len() < n {
            tokens.push(next);
            on_token(next);
            if tokens.len() == n {
                break;
            }
            if cancel() {
                return Err(ProbeError::Cancelled);
            }
            pos += 1;
            self.submit(ctx, next, pos).await?;
            next = self.read_token(ctx).await?;
        }
        Ok(Generation { tokens, prompt_s, generation_s: now_s() - gen_start })
    }
}
