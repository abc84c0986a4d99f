//! A transformer on the GPU: the weights of a GGUF file uploaded in their block layout,
//! the prompt processed in chunks of tokens (one command buffer per chunk, matrix–matrix
//! products over the chunk), then one command buffer per generated token, greedy, with
//! only the token id read back. The graph is llama.cpp's, as `roofline_reference::transformer`
//! writes it on the CPU (the reference these kernels are compared with).

mod build;
mod forward;
mod matrix;
mod profile;
mod scratch;

use roofline_reference::transformer::{ModelConfig, Weights};

pub(crate) use build::Builder;
use build::GpuLayer;
pub use matrix::chunk_rows;
use matrix::GpuMatrix;
pub(crate) use matrix::{tensor_seed, Fill};
pub use profile::Profile;
use profile::Profiler;
pub use scratch::{chunk_tokens, scratch_bytes, MAX_CHUNK_TOKENS};
use scratch::{Scratch, STEPS_IN_FLIGHT, TOKEN_SLOTS};

use super::binds::Stream;
use super::f32_ops::F32Ops;
use super::ops::{read_f32, ModelOps, QuantKernel};
use crate::context::GpuContext;
use crate::error::ProbeError;
use crate::readback;
use crate::timing::now_s;

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

/// Where a step's token ids come from.
#[derive(Clone, Copy)]
enum Input<'a> {
    /// Ids written from the CPU.
    Tokens(&'a [u32]),
    /// One token: the argmax the step before left on the GPU.
    Previous,
}

/// A model in GPU memory, ready to run.
pub struct GpuModel {
    config: ModelConfig,
    layers: Vec<GpuLayer>,
    token_embd: GpuMatrix,
    output: Option<GpuMatrix>,
    output_norm: wgpu::Buffer,
    context_len: u32,
    /// Prompt tokens per command buffer (at most `s.tokens`).
    chunk_tokens: u32,
    s: Scratch,
    qops: ModelOps,
    fops: F32Ops,
    profiler: Option<Profiler>,
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

    /// Bind groups kept between steps for decoding and for prompt chunks: after the first
    /// token, a step that creates no new ones leaves these unchanged.
    pub fn kept_bind_groups(&self) -> (usize, usize) {
        let (qd, qp) = self.qops.binds.kept();
        let (fd, fp) = self.fops.binds.kept();
        (qd + fd, qp + fp)
    }

    /// Turns the GPU-time profile of each step on or off; returns whether it is on (it
    /// needs timestamps inside passes, a native adapter's feature). Each profiled step
    /// waits for its timestamps, so profiled runs are not timed runs.
    pub async fn set_profile(&mut self, ctx: &GpuContext, on: bool) -> Result<bool, ProbeError> {
        self.profiler = match on && ctx.adapter.timestamps_in_passes {
            true => Some(Profiler::new(ctx).await?),
            false => None,
        };
        Ok(self.profiler.is_some())
    }

    /// The profile of the steps since the last call (or since it was turned on).
    pub fn take_profile(&self) -> Profile {
        self.profiler.as_ref().map(Profiler::take).unwrap_or_default()
    }

    /// Closes the dispatches since the last mark under `label` in the profile, if one is on.
    fn mark(&self, pass: &mut wgpu::ComputePass<'_>, label: &'static str) {
        if let Some(p) = &self.profiler {
            p.mark(pass, label);
        }
    }

    /// Prompt tokens processed per command buffer.
    pub fn prefill_chunk_tokens(&self) -> u32 {
        self.chunk_tokens
    }

    /// Processes prompts in chunks of at most `tokens` (clamped to 1 ..= the chunk the
    /// scratch buffers were sized for at load), e.g. to compare chunkings.
    pub fn set_prefill_chunk_tokens(&mut self, tokens: u32) {
        self.chunk_tokens = tokens.clamp(1, self.s.tokens);
    }

    /// Runs the prompt's matrix products with the weight tiles in f16 (`matmul_f16.wgsl`)
    /// where the adapter has `shader-f16` and is not CPU-emulated (where the thread kernel
    /// runs instead); returns whether it does. Off unless asked for: each weight is
    /// rounded to f16, which moves the logits a little from the f32 path's.
    pub async fn use_f16_weight_tiles(&mut self, ctx: &GpuContext) -> Result<bool, ProbeError> {
        if !ctx.adapter.shader_f16 || QuantKernel::matmul_for(ctx) == QuantKernel::MatmulThread {
            return Ok(false);
        }
        self.force_f16_weight_tiles(ctx).await
    }

    /// Decodes with `kernel` instead of the adapter's choice of matrix-vector kernel (tests
    /// compare them, e.g. the wide kernels with their fused norms on a software adapter).
    pub async fn use_matvec_kernel(&mut self, ctx: &GpuContext, kernel: QuantKernel) -> Result<(), ProbeError> {
        let formats: Vec<_> = self
            .layers
            .iter()
            .flat_map(|l| l.matrices())
            .chain(std::iter::once(self.output.as_ref().unwrap_or(&self.token_embd)))
            .filter_map(|m| m.format())
            .collect();
        for format in formats {
            self.qops.prepare(ctx, kernel, format).await?;
        }
        self.qops.force_matvec = Some(kernel);
        Ok(())
    }

    /// As [`Self::use_f16_weight_tiles`] on any adapter with `shader-f16`, CPU-emulated
    /// included (tests on lavapipe); `false` (the f32 path stays) without it.
    pub async fn force_f16_weight_tiles(&mut self, ctx: &GpuContext) -> Result<bool, ProbeError> {
        if !ctx.adapter.shader_f16 {
            return Ok(false);
        }
        self.use_matmul_kernel(ctx, QuantKernel::MatmulF16).await?;
        Ok(true)
    }

    /// Runs prompts with `kernel` instead of the adapter's choice of matrix–matrix kernel
    /// (tests compare them on any adapter).
    pub async fn use_matmul_kernel(&mut self, ctx: &GpuContext, kernel: QuantKernel) -> Result<(), ProbeError> {
        let formats: Vec<_> = self.layers.iter().flat_map(|l| l.matrices()).filter_map(|m| m.format()).collect();
        for format in formats {
            self.qops.prepare(ctx, kernel, format).await?;
        }
        self.qops.force_matmul = Some(kernel);
        Ok(())
    }

    /// Submits a step at positions `start ..` as one command buffer; with `head = Some(slot)`,
    /// the last token's logits and argmax are computed and the argmax copied to
    /// `s.token_staging[slot]` for reading.
    async fn submit(
        &self,
        ctx: &GpuContext,
        input: Input<'_>,
        start: u32,
        head: Option<usize>,
    ) -> Result<wgpu::SubmissionIndex, ProbeError> {
        let n = match input {
            Input::Tokens(tokens) => tokens.len() as u32,
            Input::Previous => 1,
        };
        if n == 0 || n > self.s.tokens {
            return Err(ProbeError::Gpu(format!("a chunk of {n} tokens (at most {})", self.s.tokens)));
        }
        if u64::from(start) + u64::from(n) > u64::from(self.context_len) {
            return Err(ProbeError::Unsupported(format!(
                "positions {start}..{} are past the {}-token context",
                u64::from(start) + u64::from(n),
                self.context_len
            )));
        }
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        match input {
            Input::Tokens(tokens) => {
                if let Some(bad) = tokens.iter().find(|&&t| t >= self.token_embd.rows()) {
                    return Err(ProbeError::Gpu(format!("token {bad} is outside the vocabulary")));
                }
                let ids: Vec<u8> = tokens.iter().flat_map(|t| t.to_le_bytes()).collect();
                ctx.queue.write_buffer(&self.s.ids, 0, &ids);
            }
            // The argmax (always within the vocabulary) becomes this step's input.
            Input::Previous => encoder.copy_buffer_to_buffer(&self.s.token, 0, &self.s.ids, 0, 4),
        }
        let stream = if n == 1 { Stream::Decode } else { Stream::Prefill };
        self.qops.binds.begin(stream);
        self.fops.binds.begin(stream);
        if let Some(p) = &self.profiler {
            p.begin();
        }
        let recorded = self.record_chunk(ctx, &mut encoder, n, start, head.is_some()).await;
        self.qops.binds.end();
        self.fops.binds.end();
        recorded?;
        if let Some(slot) = head {
            encoder.copy_buffer_to_buffer(&self.s.token, 0, &self.s.token_staging[slot % TOKEN_SLOTS], 0, 4);
        }
        if let Some(p) = &self.profiler {
            p.resolve(&mut encoder);
        }
        let index = ctx.queue.submit([encoder.finish()]);
        if let Some(p) = &self.profiler {
            p.collect(ctx).await?;
        }
        Ok(index)
    }

    /// Submits the prompt `tokens` at positions `start ..` chunk by chunk, the output
    /// head on the last token only (its argmax copied to read-back slot 0).
    async fn submit_prompt(
        &self,
        ctx: &GpuContext,
        tokens: &[u32],
        start: u32,
    ) -> Result<wgpu::SubmissionIndex, ProbeError> {
        let chunk = self.chunk_tokens.max(1) as usize;
        let count = tokens.len().div_ceil(chunk);
        let mut last = None;
        for (i, part) in tokens.chunks(chunk).enumerate() {
            let head = (i + 1 == count).then_some(0);
            last = Some(self.submit(ctx, Input::Tokens(part), start + (i * chunk) as u32, head).await?);
        }
        last.ok_or_else(|| ProbeError::Unsupported("an empty prompt".into()))
    }

    /// The token in read-back `slot` once submission `after` has finished.
    async fn read_token(&self, ctx: &GpuContext, slot: usize, after: wgpu::SubmissionIndex) -> Result<u32, ProbeError> {
        let staging = &self.s.token_staging[slot % TOKEN_SLOTS];
        let bytes = readback::read_bytes_after(ctx, staging, Some(after)).await?;
        match bytes.get(..4) {
            Some(&[a, b, c, d]) => Ok(u32::from_le_bytes([a, b, c, d])),
            _ => Err(ProbeError::Gpu("no token came back".into())),
        }
    }

    /// Runs `token` at `pos` and returns the logits (for comparisons with the CPU).
    pub async fn logits(&self, ctx: &GpuContext, token: u32, pos: u32) -> Result<Vec<f32>, ProbeError> {
        self.submit(ctx, Input::Tokens(&[token]), pos, Some(0)).await?;
        read_f32(ctx, &self.s.logits, self.config.vocab).await
    }

    /// Runs `tokens` at positions `start_pos ..` as a prompt (chunk by chunk) and returns
    /// the logits of the last one.
    pub async fn prefill_logits(
        &self,
        ctx: &GpuContext,
        tokens: &[u32],
        start_pos: u32,
    ) -> Result<Vec<f32>, ProbeError> {
        if tokens.is_empty() {
            return Err(ProbeError::Unsupported("an empty prompt".into()));
        }
        self.submit_prompt(ctx, tokens, start_pos).await?;
        read_f32(ctx, &self.s.logits, self.config.vocab).await
    }

    /// Greedy decoding: the prompt (in chunks), then `n` tokens one by one; `on_token`
    /// sees each as it comes. Each step takes the argmax the step before left on the GPU,
    /// so up to `STEPS_IN_FLIGHT` steps are submitted before the first of them is read:
    /// the GPU need not wait for the CPU to read a token and record the next step.
    pub async fn generate(
        &self,
        ctx: &GpuContext,
        prompt: &[u32],
        n: usize,
        on_token: &mut dyn FnMut(u32),
        cancel: &dyn Fn() -> bool,
    ) -> Result<Generation, ProbeError> {
        if prompt.is_empty() {
            return Err(ProbeError::Unsupported("an empty prompt".into()));
        }
        let start = now_s();
        let prompt_done = self.submit_prompt(ctx, prompt, 0).await?;
        let first = self.read_token(ctx, 0, prompt_done).await?;
        let prompt_s = now_s() - start;
        let mut tokens = Vec::with_capacity(n);
        let gen_start = now_s();
        if n == 0 {
            return Ok(Generation { tokens, prompt_s, generation_s: 0.0 });
        }
        tokens.push(first);
        on_token(first);
        let mut pos = prompt.len() as u32 - 1;
        // Steps submitted and not yet read: (read-back slot, submission).
        let mut in_flight = std::collections::VecDeque::with_capacity(STEPS_IN_FLIGHT);
        let mut submitted = 1usize;
        while tokens.len() < n {
            while submitted < n && in_flight.len() < STEPS_IN_FLIGHT {
                if cancel() {
                    return Err(ProbeError::Cancelled);
                }
                pos += 1;
                let slot = submitted % TOKEN_SLOTS;
                let index = self.submit(ctx, Input::Previous, pos, Some(slot)).await?;
                in_flight.push_back((slot, index));
                submitted += 1;
            }
            let Some((slot, index)) = in_flight.pop_front() else {
                break;
            };
            let token = self.read_token(ctx, slot, index).await?;
            tokens.push(token);
            on_token(token);
        }
        Ok(Generation { tokens, prompt_s, generation_s: now_s() - gen_start })
    }
}
