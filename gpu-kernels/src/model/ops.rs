//! Recording the model kernels: weights uploaded once in their GGUF layout, pipelines
//! compiled once per (kernel, format), dispatches recorded into the caller's pass.

use std::collections::HashMap;

use super::binds::Binder;
use super::formats::QuantFormat;
use crate::context::GpuContext;
use crate::error::ProbeError;
use crate::gpu;
use crate::readback;

const DEQUANT_ROWS: &str = include_str!("../shaders/model/dequant_rows.wgsl");
const MATVEC: &str = include_str!("../shaders/model/matvec.wgsl");
const MATVEC_Q4_K: &str = include_str!("../shaders/model/matvec_q4_k.wgsl");
const MATVEC_Q6_K: &str = include_str!("../shaders/model/matvec_q6_k.wgsl");
const MATVEC_Q4_K_COALESCED: &str = include_str!("../shaders/model/matvec_q4_k_coalesced.wgsl");
/// What the wide matrix-vector kernels share, composed in front of each.
pub const MATVEC_WIDE_COMMON: &str = include_str!("../shaders/model/matvec_wide_common.wgsl");
const MATVEC_THREAD: &str = include_str!("../shaders/model/matvec_thread.wgsl");
const MATMUL: &str = include_str!("../shaders/model/matmul.wgsl");
const MATMUL_F16: &str = include_str!("../shaders/model/matmul_f16.wgsl");
const MATMUL_THREAD: &str = include_str!("../shaders/model/matmul_thread.wgsl");
const GATHER_ROWS: &str = include_str!("../shaders/model/gather_rows.wgsl");

/// The kernels that read quantized weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuantKernel {
    /// `dequant_rows.wgsl`: rows to f32 (embedding lookup).
    DequantRows,
    /// `matvec.wgsl`: y = W x, a workgroup per row.
    Matvec,
    /// `matvec_q4_k.wgsl`, `matvec_q6_k.wgsl`: y = W x, a workgroup per row, the weights
    /// read 16 bytes (Q4_K) or a word (Q6_K) at a time and decoded four at once; other
    /// formats get `matvec.wgsl`.
    MatvecWide,
    /// As `MatvecWide` with 8 rows per workgroup (each x value loaded serves 8 rows).
    MatvecWide8,
    /// As `MatvecWide` with Q4_K read by `matvec_q4_k_coalesced.wgsl`: 16 invocations per
    /// block, each 8 bytes of its quants, so neighbouring invocations read neighbouring
    /// bytes of the weights and of x.
    MatvecCoalesced,
    /// As `MatvecCoalesced` with 8 rows per workgroup.
    MatvecCoalesced8,
    /// `matvec_thread.wgsl`: y = W x, an invocation per row (CPU-emulated adapters).
    MatvecThread,
    /// `matmul.wgsl`: Y = X Wᵀ for a batch of tokens, 64 rows × 32 tokens per workgroup
    /// (`tiling`), the weight tile decoded by the format's `tile_*.wgsl`.
    Matmul,
    /// `matmul.wgsl` with 64 rows × 64 tokens per workgroup: each weight tile serves twice
    /// the tokens, each invocation keeps 8 rows × 8 tokens.
    Matmul64,
    /// `matmul_f16.wgsl`: as `Matmul` with the weight tile in f16 (`shader-f16` only).
    MatmulF16,
    /// `matmul_thread.wgsl`: Y = X Wᵀ, an invocation per (2 rows, 16 tokens)
    /// (CPU-emulated adapters).
    MatmulThread,
    /// `gather_rows.wgsl`: the rows named by a buffer of ids to f32 (a batch's embeddings).
    GatherRows,
}

impl QuantKernel {
    /// Every kernel, for validation.
    pub const ALL: [QuantKernel; 12] = [
        Self::DequantRows,
        Self::Matvec,
        Self::MatvecWide,
        Self::MatvecWide8,
        Self::MatvecCoalesced,
        Self::MatvecCoalesced8,
        Self::MatvecThread,
        Self::Matmul,
        Self::Matmul64,
        Self::MatmulF16,
        Self::MatmulThread,
        Self::GatherRows,
    ];

    /// The kernel's source before composition.
    pub fn source(self) -> &'static str {
        match self {
            Self::DequantRows => DEQUANT_ROWS,
            Self::Matvec | Self::MatvecWide | Self::MatvecWide8 | Self::MatvecCoalesced | Self::MatvecCoalesced8 => {
                MATVEC
            }
            Self::MatvecThread => MATVEC_THREAD,
            Self::Matmul | Self::Matmul64 => MATMUL,
            Self::MatmulF16 => MATMUL_F16,
            Self::MatmulThread => MATMUL_THREAD,
            Self::GatherRows => GATHER_ROWS,
        }
    }

    /// Whether the kernel calls the format's `sub_dot` (the matrix-vector products).
    pub fn uses_dot(self) -> bool {
        matches!(
            self,
            Self::Matvec
                | Self::MatvecWide
                | Self::MatvecWide8
                | Self::MatvecCoalesced
                | Self::MatvecCoalesced8
                | Self::MatvecThread
        )
    }

    /// The kernel written for `format` alone, where there is one.
    pub fn wide_source(self, format: QuantFormat) -> Option<&'static str> {
        match (self, format) {
            (Self::MatvecWide | Self::MatvecWide8, QuantFormat::Q4K) => Some(MATVEC_Q4_K),
            (Self::MatvecCoalesced | Self::MatvecCoalesced8, QuantFormat::Q4K) => Some(MATVEC_Q4_K_COALESCED),
            (
                Self::MatvecWide | Self::MatvecWide8 | Self::MatvecCoalesced | Self::MatvecCoalesced8,
                QuantFormat::Q6K,
            ) => Some(MATVEC_Q6_K),
            _ => None,
        }
    }

    /// Output rows one workgroup of the kernel computes for `format`.
    pub fn rows_per_workgroup(self, format: QuantFormat) -> u32 {
        match (self, format) {
            (Self::MatvecWide | Self::MatvecCoalesced, QuantFormat::Q4K | QuantFormat::Q6K) => 4,
            (Self::MatvecWide8 | Self::MatvecCoalesced8, QuantFormat::Q4K | QuantFormat::Q6K) => 8,
            (Self::MatvecThread, _) => 64,
            _ => 1,
        }
    }

    /// The member of the wide family that suits a `rows` × `row_elems` matrix, where `self`
    /// is the adapter's default `MatvecWide` (a forced kernel stays as it is): for Q4_K,
    /// rows shorter than 4096 weights (64 invocations × 64) would leave invocations of
    /// `MatvecWide` idle, so they get the coalesced kernel (16 invocations per block); 8
    /// rows per workgroup where there are at least 4096 rows (each x value serves more
    /// rows and there are still 512 workgroups or more), else 4. Q6_K keeps `MatvecWide`,
    /// which reads its rows in parts of 32 weights. Measured on an H100 with
    /// `bench_matvec` (docs/measurements).
    pub fn for_shape(self, format: QuantFormat, row_elems: u32, rows: u32) -> Self {
        if self != Self::MatvecWide || format != QuantFormat::Q4K {
            return self;
        }
        match (row_elems < 64 * 64, rows >= 4096) {
            (false, false) => Self::MatvecWide,
            (false, true) => Self::MatvecWide8,
            (true, false) => Self::MatvecCoalesced,
            (true, true) => Self::MatvecCoalesced8,
        }
    }

    /// The kernels `for_shape` may choose instead of `self` for `format`.
    fn shape_variants(self, format: QuantFormat) -> &'static [Self] {
        if self == Self::MatvecWide && format == QuantFormat::Q4K {
            &[Self::MatvecWide8, Self::MatvecCoalesced, Self::MatvecCoalesced8]
        } else {
            &[]
        }
    }

    /// Whether the kernel needs the adapter's `shader-f16`.
    pub fn needs_f16(self) -> bool {
        self == Self::MatmulF16
    }

    /// The matrix-vector kernel for this adapter: a workgroup per row on a GPU, an
    /// invocation per row where a CPU emulates the GPU and barriers are dear.
    pub fn matvec_for(ctx: &GpuContext) -> Self {
        if ctx.adapter.software {
            Self::MatvecThread
        } else {
            Self::MatvecWide
        }
    }

    /// The matrix–matrix kernel for this adapter, chosen as `matvec_for` chooses: on a GPU
    /// the 64-token tiles, which prompt chunks of up to [`MAX_CHUNK_TOKENS`] fill (on an
    /// H100 an 8B's pp512 ran 28 % faster than with 32-token tiles, docs/measurements).
    ///
    /// [`MAX_CHUNK_TOKENS`]: crate::model::runner::MAX_CHUNK_TOKENS
    pub fn matmul_for(ctx: &GpuContext) -> Self {
        if ctx.adapter.software {
            Self::MatmulThread
        } else {
            Self::Matmul64
        }
    }
}

/// A weight matrix in GPU memory, in its GGUF block layout.
pub struct GpuTensor {
    /// The bytes (padded to whole words).
    pub buffer: wgpu::Buffer,
    /// Block format.
    pub format: QuantFormat,
    /// Elements per row.
    pub row_elems: u32,
    /// Rows.
    pub rows: u32,
}

/// Compiled pipelines.
#[derive(Default)]
pub struct ModelOps {
    pipelines: HashMap<(QuantKernel, QuantFormat), wgpu::ComputePipeline>,
    /// The matrix-vector kernel to use instead of the adapter's choice (tests run both).
    pub force_matvec: Option<QuantKernel>,
    /// The matrix–matrix kernel to use instead of the adapter's choice (tests run both).
    pub force_matmul: Option<QuantKernel>,
    /// Bind groups kept between recordings of the model's steps.
    pub(crate) binds: Binder,
}

/// What a wide matrix-vector kernel makes of x before the product, in the same dispatch.
#[derive(Clone, Copy)]
pub enum Pre<'a> {
    /// RMSNorm: x ⊙ weights / sqrt(mean(x²) + eps).
    Norm {
        /// The norm's weights (one per element).
        weights: &'a wgpu::Buffer,
        /// Added to the mean square.
        eps: f32,
    },
    /// silu(x) ⊙ up (x the gate).
    SiluGate {
        /// The up projection.
        up: &'a wgpu::Buffer,
    },
    /// gelu(x) ⊙ up (tanh form; x the gate).
    GeluGate {
        /// The up projection.
        up: &'a wgpu::Buffer,
    },
}

/// Where a matrix–matrix product reads and writes: Y[t][out_offset + r] (rows of Y
/// `y_stride` apart) = Σ_c X[t][c] W[r][c] for `tokens` rows of X.
pub struct MatmulArgs<'a> {
    /// X, [token][row_elems].
    pub x: &'a wgpu::Buffer,
    /// Y, [token][y_stride].
    pub y: &'a wgpu::Buffer,
    /// Rows of X.
    pub tokens: u32,
    /// Elements between rows of Y (the whole matrix's rows when it is split in chunks).
    pub y_stride: u32,
    /// Column of Y that row 0 of this matrix (chunk) writes.
    pub out_offset: u32,
    /// Add to Y rather than overwrite it.
    pub add: bool,
}

/// Workgroup grid for `n` workgroups within the per-dimension limit.
fn grid(ctx: &GpuContext, n: u32) -> (u32, u32) {
    let max = ctx.adapter.max_workgroups_per_dimension.max(1);
    if n <= max {
        (n.max(1), 1)
    } else {
        (max, n.div_ceil(max))
    }
}

impl ModelOps {
    /// Compiles `kernel` for `format` (once), with the kernels
    /// [`QuantKernel::for_shape`] may choose in its place.
    pub async fn prepare(
        &mut self,
        ctx: &GpuContext,
        kernel: QuantKernel,
        format: QuantFormat,
    ) -> Result<(), ProbeError> {
        for &variant in kernel.shape_variants(format) {
            Box::pin(self.prepare(ctx, variant, format)).await?;
        }
        if self.pipelines.contains_key(&(kernel, format)) {
            return Ok(());
        }
        if kernel.needs_f16() && !ctx.adapter.shader_f16 {
            return Err(ProbeError::Unsupported(format!("{kernel:?}: this adapter has no shader-f16")));
        }
        let source = kernel.compose(format);
        let pipeline = gpu::compile(ctx, &format!("{kernel:?} for {format:?}"), &source).await?;
        self.pipelines.insert((kernel, format), pipeline);
        Ok(())
    }

    /// Compiles `source` (a whole composed module) as `kernel` for `format`, replacing what
    /// `prepare` compiled: for timing a kernel under development against the shipped one
    /// (`bench_matmul --variant FILE`).
    pub async fn prepare_source(
        &mut self,
        ctx: &GpuContext,
        kernel: QuantKernel,
        format: QuantFormat,
        source: &str,
    ) -> Result<(), ProbeError> {
        let pipeline = gpu::compile(ctx, &format!("{kernel:?} variant for {format:?}"), source).await?;
        self.pipelines.insert((kernel, format), pipeline);
        Ok(())
    }

    fn pipeline(&self, kernel: QuantKernel, format: QuantFormat) -> Result<&wgpu::ComputePipeline, ProbeError> {
        self.pipelines
            .get(&(kernel, format))
            .ok_or_else(|| ProbeError::Gpu(format!("{kernel:?} for {format:?} was not prepared")))
    }

    /// Records: `out[r * row_elems + e]` = element e of row `first_row + r`, for `rows` rows.
    pub async fn dequant_rows(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        t: &GpuTensor,
        first_row: u32,
        rows: u32,
        out: &wgpu::Buffer,
    ) -> Result<(), ProbeError> {
        let pipeline = self.pipeline(QuantKernel::DequantRows, t.format)?;
        let row_bytes = t.format.row_bytes(t.row_elems);
        let params = [t.row_elems, row_bytes, first_row, rows, 0, 0, 0, 0];
        let group = self.binds.group(ctx, pipeline, &[&t.buffer, out], params).await?;
        let (x, y) = grid(ctx, (t.row_elems * rows).div_ceil(256));
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups(x, y, 1);
        Ok(())
    }

    /// Records y = W x (or y += W x when `add`).
    pub async fn matvec(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        t: &GpuTensor,
        x: &wgpu::Buffer,
        y: &wgpu::Buffer,
        add: bool,
    ) -> Result<(), ProbeError> {
        self.matvec_rows(ctx, pass, t, x, y, add, 0).await
    }

    /// Records y[out_offset ..] = W x (or +=): one row chunk of a split matrix.
    #[allow(clippy::too_many_arguments)]
    pub async fn matvec_rows(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        t: &GpuTensor,
        x: &wgpu::Buffer,
        y: &wgpu::Buffer,
        add: bool,
        out_offset: u32,
    ) -> Result<(), ProbeError> {
        self.record_matvec(ctx, pass, t, x, y, add, out_offset, None).await
    }

    /// The matrix-vector kernel these ops record.
    pub fn matvec_kernel(&self, ctx: &GpuContext) -> QuantKernel {
        self.force_matvec.unwrap_or_else(|| QuantKernel::matvec_for(ctx))
    }

    /// Whether [`Self::matvec_with`] can record a product with a `format` matrix here.
    pub fn fuses(&self, ctx: &GpuContext, format: QuantFormat) -> bool {
        self.matvec_kernel(ctx).wide_source(format).is_some()
    }

    /// Records y[out_offset ..] = W pre(x) (or +=), `pre` computed in the same dispatch;
    /// only where [`Self::fuses`].
    #[allow(clippy::too_many_arguments)]
    pub async fn matvec_with(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        t: &GpuTensor,
        x: &wgpu::Buffer,
        pre: Pre<'_>,
        y: &wgpu::Buffer,
        add: bool,
        out_offset: u32,
    ) -> Result<(), ProbeError> {
        if !self.fuses(ctx, t.format) {
            return Err(ProbeError::Gpu(format!("no matrix-vector kernel with a fused input for {:?}", t.format)));
        }
        self.record_matvec(ctx, pass, t, x, y, add, out_offset, Some(pre)).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn record_matvec(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        t: &GpuTensor,
        x: &wgpu::Buffer,
        y: &wgpu::Buffer,
        add: bool,
        out_offset: u32,
        pre: Option<Pre<'_>>,
    ) -> Result<(), ProbeError> {
        let kernel = match self.force_matvec {
            Some(kernel) => kernel,
            None => QuantKernel::matvec_for(ctx).for_shape(t.format, t.row_elems, t.rows),
        };
        let pipeline = self.pipeline(kernel, t.format)?;
        let row_bytes = t.format.row_bytes(t.row_elems);
        let (code, eps, second) = match pre {
            None => (0, 0.0, x),
            Some(Pre::Norm { weights, eps }) => (1, eps, weights),
            Some(Pre::SiluGate { up }) => (2, 0.0, up),
            Some(Pre::GeluGate { up }) => (3, 0.0, up),
        };
        let params = [t.row_elems, row_bytes, t.rows, 0, u32::from(add), out_offset, code, f32::to_bits(eps)];
        // The wide kernels bind a second input (x stands in, unread, when there is none).
        let group = if kernel.wide_source(t.format).is_some() {
            let w = second;
            self.binds.group(ctx, pipeline, &[&t.buffer, x, y, w], params).await?
        } else {
            self.binds.group(ctx, pipeline, &[&t.buffer, x, y], params).await?
        };
        let workgroups = t.rows.div_ceil(kernel.rows_per_workgroup(t.format));
        let (gx, gy) = grid(ctx, workgroups);
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups(gx, gy, 1);
        Ok(())
    }
}

impl ModelOps {
    /// The matrix–matrix kernel `matmul` records.
    pub fn matmul_kernel(&self, ctx: &GpuContext) -> QuantKernel {
        self.force_matmul.unwrap_or_else(|| QuantKernel::matmul_for(ctx))
    }

    /// Records Y = X Wᵀ (or Y += X Wᵀ) for a batch of tokens: see [`MatmulArgs`].
    pub async fn matmul(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        t: &GpuTensor,
        a: &MatmulArgs<'_>,
    ) -> Result<(), ProbeError> {
        let kernel = self.matmul_kernel(ctx);
        let pipeline = self.pipeline(kernel, t.format)?;
        let row_bytes = t.format.row_bytes(t.row_elems);
        let params = [t.row_elems, row_bytes, t.rows, 0, u32::from(a.add), a.out_offset, a.tokens, a.y_stride];
        let group = self.binds.group(ctx, pipeline, &[&t.buffer, a.x, a.y], params).await?;
        let (gx, gy) = grid(ctx, kernel.matmul_workgroups(t.rows, a.tokens));
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups(gx, gy, 1);
        Ok(())
    }

    /// Records: `out[i * row_elems + e]` = element e of row `ids[i]`, for the `count` ids
    /// that fall in rows `first_row .. first_row + t.rows` (`t` is that row chunk of the
    /// matrix); the others are left as they are.
    #[allow(clippy::too_many_arguments)]
    pub async fn gather_rows(
        &self,
        ctx: &GpuContext,
        pass: &mut wgpu::ComputePass<'_>,
        t: &GpuTensor,
        first_row: u32,
        ids: &wgpu::Buffer,
        count: u32,
        out: &wgpu::Buffer,
    ) -> Result<(), ProbeError> {
        let pipeline = self.pipeline(QuantKernel::GatherRows, t.format)?;
        let row_bytes = t.format.row_bytes(t.row_elems);
        let params = [t.row_elems, row_bytes, first_row, t.rows, 0, count, 0, 0];
        let group = self.binds.group(ctx, pipeline, &[&t.buffer, ids, out], params).await?;
        let (x, y) = grid(ctx, (t.row_elems * count).div_ceil(256));
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups(x, y, 1);
        Ok(())
    }
}

/// Uploads a tensor's GGUF bytes (padded to whole 32-bit words).
pub async fn upload_tensor(
    ctx: &GpuContext,
    bytes: &[u8],
    format: QuantFormat,
    row_elems: u32,
    rows: u32,
) -> Result<GpuTensor, ProbeError> {
    if !row_elems.is_multiple_of(format.block().0)
        || bytes.len() as u64 != u64::from(format.row_bytes(row_elems)) * u64::from(rows)
    {
        return Err(ProbeError::Gpu(format!(
            "{format:?} tensor of {rows} × {row_elems} does not match its {} bytes",
            bytes.len()
        )));
    }
    let buffer = upload_bytes(ctx, bytes, wgpu::BufferUsages::STORAGE).await?;
    Ok(GpuTensor { buffer, format, row_elems, rows })
}

/// A buffer holding `bytes` (padded to whole words), with `usage | COPY_DST`.
pub async fn upload_bytes(
    ctx: &GpuContext,
    bytes: &[u8],
    usage: wgpu::BufferUsages,
) -> Result<wgpu::Buffer, ProbeError> {
    let padded = (bytes.len() as u64).div_ceil(4).max(1) * 4;
    let buffer = gpu::buffer(ctx, "tensor", padded, usage | wgpu::BufferUsages::COPY_DST).await?;
    let mut data = bytes.to_vec();
    data.resize(padded as usize, 0);
    ctx.queue.write_buffer(&buffer, 0, &data);
    Ok(buffer)
}

/// A storage buffer of `values` (f32), readable back.
pub async fn upload_f32(ctx: &GpuContext, values: &[f32]) -> Result<wgpu::Buffer, ProbeError> {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    upload_bytes(ctx, &bytes, wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC).await
}

/// Reads `len` f32 values back from a `COPY_SRC` buffer.
pub async fn read_f32(ctx: &GpuContext, buffer: &wgpu::Buffer, len: usize) -> Result<Vec<f32>, ProbeError> {
    let bytes = (len as u64 * 4).max(4);
    let staging = gpu::staging(ctx, bytes).await?;
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, bytes);
    ctx.queue.submit([encoder.finish()]);
    let words = readback::read_words(ctx, &staging).await?;
    Ok(words.into_iter().take(len).map(f32::from_bits).collect())
}
