//! The f32 kernels of a transformer step, each over one token (decoding) or a batch of
//! tokens at consecutive positions (the prompt): RMSNorm, RoPE, causal attention over the
//! KV cache, element-wise steps and argmax. Pipelines are compiled once; dispatches are recorded
//! into the caller's compute pass.

use std::collections::HashMap;

use super::binds::Binder;
use crate::context::GpuContext;
use crate::error::ProbeError;
use crate::gpu;

/// The f32 kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum F32Kernel {
    /// `rmsnorm.wgsl`.
    RmsNorm,
    /// `rope.wgsl`.
    Rope,
    /// `rope_kv.wgsl`: RoPE on queries and keys, keys and values into the cache.
    RopeKv,
    /// `attention.wgsl`.
    Attention,
    /// `attention_wide.wgsl`: as `Attention`, laid out for GPUs (head dimensions that are
    /// multiples of 4 up to 256).
    AttentionWide,
    /// `attention_split.wgsl` then `attention_combine.wgsl`: one query's positions split
    /// over several workgroups per head (a generated token over a long context).
    AttentionSplit,
    /// `attention_combine.wgsl` (recorded by `AttentionSplit`).
    AttentionCombine,
    /// `elementwise.wgsl`.
    Elementwise,
    /// `argmax.wgsl`.
    Argmax,
}

impl F32Kernel {
    /// Every kernel.
    pub const ALL: [F32Kernel; 9] = [
        Self::RmsNorm,
        Self::Rope,
        Self::RopeKv,
        Self::Attention,
        Self::AttentionWide,
        Self::AttentionSplit,
        Self::AttentionCombine,
        Self::Elementwise,
        Self::Argmax,
    ];

    /// Its WGSL source.
    pub fn source(self) -> &'static str {
        match self {
            Self::RmsNorm => include_str!("../shaders/model/rmsnorm.wgsl"),
            Self::Rope => include_str!("../shaders/model/rope.wgsl"),
            Self::RopeKv => include_str!("../shaders/model/rope_kv.wgsl"),
            Self::Attention => include_str!("../shaders/model/attention.wgsl"),
            Self::AttentionWide => include_str!("../shaders/model/attention_wide.wgsl"),
            Self::AttentionSplit => include_str!("../shaders/model/attention_split.wgsl"),
            Self::AttentionCombine => include_str!("../shaders/model/attention_combine.wgsl"),
            Self::Elementwise => include_str!("../shaders/model/elementwise.wgsl"),
            Self::Argmax => include_str!("../shaders/model/argmax.wgsl"),
        }
    }
}

/// The operation of `elementwise.wgsl`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Elementwise {
    /// y = a + b.
    Add,
    /// y = a × s.
    Scale(f32),
    /// y = silu(a) × b.
    SiluGate,
    /// y = gelu_tanh(a) × b.
    GeluGate,
    /// y[offset + i] = a[i].
    Store {
        /// First element written in y.
        offset: u32,
    },
    /// y = a + b[i % len]: a bias of `len` added to each row.
    AddRow {
        /// Elements of b (the row width).
        len: u32,
    },
}

/// A rotary embedding: how many leading elements of a head rotate, the pairing, the base
/// and the position scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rope {
    /// Rotated elements per head (even).
    pub n_rot: u32,
    /// NeoX pairing (i, i + n_rot/2) rather than (2i, 2i + 1).
    pub neox: bool,
    /// Base θ.
    pub base: f32,
    /// Position scale (1 / linear scaling factor).
    pub freq_scale: f32,
}

/// Where attention reads and writes, and its shape.
pub struct AttentionArgs<'a> {
    /// Queries, [query][head][dim].
    pub q: &'a wgpu::Buffer,
    /// K cache, [position][kv head][dim].
    pub k: &'a wgpu::Buffer,
    /// V cache, same layout.
    pub v: &'a wgpu::Buffer,
    /// Scratch, [query][head][ctx].
    pub scores: &'a wgpu::Buffer,
    /// Output, [query][head][dim].
    pub out: &'a wgpu::Buffer,
    /// Scratch for one query split over positions (`attention_split.wgsl`), at least
    /// [`attention_parts_len`] floats; `None`: never split.
    pub parts: Option<&'a wgpu::Buffer>,
    /// Query heads.
    pub heads: u32,
    /// KV heads.
    pub kv_heads: u32,
    /// Head dimension.
    pub dim: u32,
    /// Position of the first query token.
    pub pos: u32,
    /// Query tokens, at positions `pos ..  pos + queries` (their keys and values are
    /// already in the cache); each sees the cache up to its own position.
    pub queries: u32,
    /// Sliding window in tokens (0: none).
    pub window: u32,
    /// Cache capacity in positions.
    pub ctx: u32,
    /// Score scale (1/√dim unless the model says otherwise).
    pub scale: f32,
}

/// Most segments one query's positions are split into (`attention_split.wgsl`).
pub const MAX_ATTENTION_SEGMENTS: u32 = 32;

/// Positions per segment the split aims at: a context shorter than two segments is not
/// split.
const SEGMENT_POSITIONS: u32 = 128;

/// Floats of the scratch `AttentionArgs::parts` needs for `heads` heads of `dim`.
pub fn attention_parts_len(heads: usize, dim: usize) -> usize {
    heads * MAX_ATTENTION_SEGMENTS as usize * (dim / 4 + 1) * 4
}

/// Most workgroups of the argmax's first stage.
const ARGMAX_GROUPS: u32 = 64;

/// Words of the buffer `argmax` writes: the index, then each first-stage workgroup's
/// (value bits, index).
pub const ARGMAX_OUT_WORDS: usize = 1 + 2 * ARGMAX_GROUPS as usize;

/// Compiled f32 pipelines.
#[derive(Default)]
pub struct F32Ops {
    pipelines: HashMap<F32Kernel, wgpu::ComputePipeline>,
    /// The attention kernel to use instead of the adapter's choice (tests run both).
    pub force_attention: Option<F32Kernel>,
    /// Bind groups kept between recordings of the model's steps.
    pub(crate) binds: Binder,
}

impl F32Ops {
    /// Compiles every kernel once.
    pub async fn prepare(&mut self, ctx: &GpuContext) -> Result<(), ProbeError> {
        for kernel in F32Kernel::ALL {
            if self.pipelines.contains_key(&kernel) {
                continue;
            }
            let pipeline = gpu::compile(ctx, &format!("{kernel:?}"), kernel.source()).await?;
            self.pipelines.insert(kernel, pipeline);
        }
        Ok(())
    }

    fn get(&self, kernel: F32Kernel) -> Result<&wgpu::ComputePipeline, ProbeError> {
        self.pipelines.get(&kernel).ok_or_else(|| ProbeError::Gpu(format!("{kernel:?} was not prepared")))
    }

    async fn dispatch(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        kernel: F32Kernel,
        buffers: &[&wgpu::Buffer],
        params: [u32; 8],
        workgroups: u32,
    ) -> Result<(), ProbeError> {
        let pipeline = self.get(kernel)?;
        let group = self.binds.group(ctx, pipeline, buffers, params).await?;
        let max = ctx.adapter.max_workgroups_per_dimension.max(1);
        let (x, y) = if workgroups <= max { (workgroups.max(1), 1) } else { (max, workgroups.div_ceil(max)) };
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups(x, y, 1);
        Ok(())
    }

    /// y = rmsnorm(x) (× w when given), `rows` rows of `len`.
    #[allow(clippy::too_many_arguments)]
    pub async fn rms_norm(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        x: &wgpu::Buffer,
        w: Option<&wgpu::Buffer>,
        y: &wgpu::Buffer,
        len: u32,
        rows: u32,
        eps: f32,
    ) -> Result<(), ProbeError> {
        let params = [len, rows, eps.to_bits(), u32::from(w.is_some()), 0, 0, 0, 0];
        // Without a weight the binding still needs a buffer; x is never read through it.
        self.dispatch(ctx, pass, F32Kernel::RmsNorm, &[x, w.unwrap_or(x), y], params, rows).await
    }

    /// RoPE in place on the first `rope.n_rot` elements of `heads` × `dim` at `pos`.
    #[allow(clippy::too_many_arguments)]
    pub async fn rope(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        v: &wgpu::Buffer,
        heads: u32,
        dim: u32,
        pos: u32,
        rope: Rope,
    ) -> Result<(), ProbeError> {
        self.rope_rows(ctx, pass, v, 1, heads, dim, pos, rope).await
    }

    /// RoPE in place on `tokens` rows of `heads` × `dim`, row t at position `pos + t`.
    #[allow(clippy::too_many_arguments)]
    pub async fn rope_rows(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        v: &wgpu::Buffer,
        tokens: u32,
        heads: u32,
        dim: u32,
        pos: u32,
        rope: Rope,
    ) -> Result<(), ProbeError> {
        let params =
            [heads, dim, pos, u32::from(rope.neox), rope.base.to_bits(), rope.freq_scale.to_bits(), rope.n_rot, tokens];
        let workgroups = (tokens * heads * rope.n_rot / 2).div_ceil(64);
        self.dispatch(ctx, pass, F32Kernel::Rope, &[v], params, workgroups).await
    }

    /// RoPE on `tokens` rows of queries `q` (in place, `heads` heads) and keys `k`
    /// (`kv_heads` heads), all of `dim`, row t at position `pos + t`; the rotated keys and
    /// the values `v` are stored at rows `pos ..` of the caches ([position][kv head][dim]).
    #[allow(clippy::too_many_arguments)]
    pub async fn rope_kv(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        (q, k, v): (&wgpu::Buffer, &wgpu::Buffer, &wgpu::Buffer),
        (k_cache, v_cache): (&wgpu::Buffer, &wgpu::Buffer),
        (tokens, heads, kv_heads, dim): (u32, u32, u32, u32),
        pos: u32,
        rope: Rope,
    ) -> Result<(), ProbeError> {
        let rot = rope.n_rot | (u32::from(rope.neox) << 31);
        let params = [heads, kv_heads, dim, pos, rot, rope.base.to_bits(), rope.freq_scale.to_bits(), tokens];
        let items = tokens * (heads * rope.n_rot / 2 + 2 * kv_heads * dim);
        self.dispatch(ctx, pass, F32Kernel::RopeKv, &[q, k, v, k_cache, v_cache], params, items.div_ceil(64)).await
    }

    /// Causal attention of `a.queries` tokens over the cache.
    pub async fn attention(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        a: &AttentionArgs<'_>,
    ) -> Result<(), ProbeError> {
        let params = [a.heads, a.kv_heads, a.dim, a.pos, a.window, a.ctx, a.scale.to_bits(), a.queries];
        let workgroups = a.heads * a.queries;
        let wide_fits = a.dim.is_multiple_of(4) && a.dim <= 256;
        let kernel = match self.force_attention {
            Some(F32Kernel::AttentionWide | F32Kernel::AttentionSplit) if wide_fits => self.force_attention,
            Some(_) => Some(F32Kernel::Attention),
            None if wide_fits && !ctx.adapter.software => None,
            None => Some(F32Kernel::Attention),
        };
        // Split one query's positions where there are enough of them (always when forced,
        // in segments of 8, so tests split short contexts).
        let seen = match a.window {
            0 => a.pos + 1,
            w => (a.pos + 1).min(w),
        };
        let segments = match kernel {
            Some(F32Kernel::AttentionSplit) => seen.div_ceil(8),
            None => seen / SEGMENT_POSITIONS,
            _ => 1,
        }
        .clamp(1, MAX_ATTENTION_SEGMENTS);
        if let (1, Some(parts), true) = (a.queries, a.parts, segments > 1) {
            let split = [a.heads, a.kv_heads, a.dim, a.pos, a.window, a.ctx, a.scale.to_bits(), segments];
            let buffers = [a.q, a.k, a.v, a.scores, parts];
            self.dispatch(ctx, pass, F32Kernel::AttentionSplit, &buffers, split, a.heads * segments).await?;
            let combine = [a.heads, a.dim, segments, 0, 0, 0, 0, 0];
            return self.dispatch(ctx, pass, F32Kernel::AttentionCombine, &[parts, a.out], combine, a.heads).await;
        }
        let kernel = match kernel {
            Some(F32Kernel::Attention) => F32Kernel::Attention,
            _ => F32Kernel::AttentionWide,
        };
        self.dispatch(ctx, pass, kernel, &[a.q, a.k, a.v, a.scores, a.out], params, workgroups).await
    }

    /// An element-wise step over `n` elements.
    #[allow(clippy::too_many_arguments)]
    pub async fn elementwise(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        op: Elementwise,
        a: &wgpu::Buffer,
        b: Option<&wgpu::Buffer>,
        y: &wgpu::Buffer,
        n: u32,
    ) -> Result<(), ProbeError> {
        let (code, s, offset, b_len) = match op {
            Elementwise::Add => (0, 0.0, 0, 0),
            Elementwise::Scale(s) => (1, s, 0, 0),
            Elementwise::SiluGate => (2, 0.0, 0, 0),
            Elementwise::GeluGate => (3, 0.0, 0, 0),
            Elementwise::Store { offset } => (4, 0.0, offset, 0),
            Elementwise::AddRow { len } => (5, 0.0, 0, len.max(1)),
        };
        let params = [n, code, f32::to_bits(s), offset, b_len, 0, 0, 0];
        self.dispatch(ctx, pass, F32Kernel::Elementwise, &[a, b.unwrap_or(a), y], params, n.div_ceil(256)).await
    }

    /// out[0] = index of the largest of the first `n` values of x; `out` holds
    /// [`ARGMAX_OUT_WORDS`] words (the rest are the workgroups' partial results).
    pub async fn argmax(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        x: &wgpu::Buffer,
        out: &wgpu::Buffer,
        n: u32,
    ) -> Result<(), ProbeError> {
        // About 16 values per invocation, at most ARGMAX_GROUPS workgroups.
        let groups = n.div_ceil(256 * 16).clamp(1, ARGMAX_GROUPS);
        self.dispatch(ctx, pass, F32Kernel::Argmax, &[x, out], [n, 0, groups, 0, 0, 0, 0, 0], groups).await?;
        self.dispatch(ctx, pass, F32Kernel::Argmax, &[x, out], [n, 1, groups, 0, 0, 0, 0, 0], 1).await
    }
}
