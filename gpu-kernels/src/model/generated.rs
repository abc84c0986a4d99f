//! Weights generated on the GPU (`fill_blocks.wgsl`): deterministic data in each format's
//! block layout, with sane f16 scales, so that a benchmark model of any published shape
//! needs no download and no upload. `fill_reference` is the CPU twin, byte for byte.

use super::formats::QuantFormat;
use super::ops::GpuTensor;
use crate::context::GpuContext;
use crate::error::ProbeError;
use crate::gpu;

/// `fill_blocks.wgsl`.
pub const FILL: &str = include_str!("../shaders/model/fill_blocks.wgsl");

/// Invocations per workgroup in `fill_blocks.wgsl`.
const WORKGROUP: u32 = 64;

/// The shader's parameters for `format`: block bytes, the two f16 field offsets
/// (`u32::MAX` for none), the mode (0 blocks, 1 f32, 2 f16, 3 bf16) and the scales' f16 exponent
/// field. Scales are chosen so that dequantized weights stay within about ±0.1 whatever
/// the generated quants are (a K-quant multiplies its scale by a 6- or 8-bit sub-scale).
fn layout(format: QuantFormat) -> [u32; 5] {
    let fields = format.f16_fields();
    let field = |k: usize| fields.get(k).map_or(u32::MAX, |&f| f as u32);
    let (mode, scale_exp) = match format {
        QuantFormat::F32 => (1, 0),
        QuantFormat::F16 => (2, 0),
        QuantFormat::Bf16 => (3, 0),
        QuantFormat::Q8_0 => (0, 3),                                      // 2^-12 × 127
        QuantFormat::Q4_0 | QuantFormat::Q4_1 => (0, 7),                  // 2^-8 × 8
        QuantFormat::Q5_0 | QuantFormat::Q5_1 => (0, 6),                  // 2^-9 × 16
        QuantFormat::Q4K | QuantFormat::Q5K | QuantFormat::Q6K => (0, 1), // 2^-14 × sub-scale × quant
    };
    [format.block().1, field(0), field(1), mode, scale_exp]
}

fn pcg(x: u32) -> u32 {
    let state = x.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277_803_737);
    (word >> 22) ^ word
}

/// The fill's hash of (seed, index), shared with the benchmark's other generated data.
pub(crate) fn hash2(seed: u32, i: u32) -> u32 {
    pcg(seed ^ pcg(i))
}

fn weight_f32_bits(h: u32) -> u32 {
    (h & 0x8000_0000) | ((120 + ((h >> 23) & 1)) << 23) | (h & 0x7f_ffff)
}

fn weight_f16_bits(h: u32) -> u32 {
    ((h >> 16) & 0x8000) | ((8 + ((h >> 10) & 1)) << 10) | (h & 0x3ff)
}

/// The bytes `fill_blocks.wgsl` writes for `len_bytes` bytes of `format` with `seed`
/// (rounded up to whole words, as GPU buffers are).
pub fn fill_reference(format: QuantFormat, seed: u32, len_bytes: usize) -> Vec<u8> {
    let [block_bytes, f0, f1, mode, scale_exp] = layout(format);
    let words = len_bytes.div_ceil(4) as u32;
    let mut out = Vec::with_capacity(words as usize * 4);
    for i in 0..words {
        let value = match mode {
            1 => weight_f32_bits(hash2(seed, i)),
            2 => weight_f16_bits(hash2(seed, 2 * i)) | (weight_f16_bits(hash2(seed, 2 * i + 1)) << 16),
            3 => (weight_f32_bits(hash2(seed, 2 * i)) >> 16) | (weight_f32_bits(hash2(seed, 2 * i + 1)) & 0xffff_0000),
            _ => {
                let word = hash2(seed, i);
                (0..4).fold(0u32, |value, b| {
                    let o = i * 4 + b;
                    let (block, within) = (o / block_bytes, o % block_bytes);
                    let byte = [f0, f1]
                        .iter()
                        .enumerate()
                        .find(|(_, &f)| f != u32::MAX && within >= f && within < f + 2)
                        .map(|(k, &f)| {
                            let h = hash2(seed ^ 0x5bd1_e995, block * 2 + k as u32);
                            let half = ((scale_exp - (h >> 31)) << 10) | (h & 0x3ff);
                            (half >> (8 * (within - f))) & 0xff
                        })
                        .unwrap_or((word >> (8 * (o % 4))) & 0xff);
                    value | (byte << (8 * b))
                })
            }
        };
        out.extend_from_slice(&value.to_le_bytes());
    }
    out
}

/// The compiled fill kernel.
pub struct Filler {
    pipeline: wgpu::ComputePipeline,
}

impl Filler {
    /// Compiles `fill_blocks.wgsl`.
    pub async fn new(ctx: &GpuContext) -> Result<Self, ProbeError> {
        Ok(Self { pipeline: gpu::compile(ctx, "fill_blocks", FILL).await? })
    }

    /// A `rows` × `cols` tensor of `format` filled on the GPU from `seed` (submitted, not
    /// waited for).
    pub async fn tensor(
        &self,
        ctx: &GpuContext,
        format: QuantFormat,
        cols: u32,
        rows: u32,
        seed: u32,
    ) -> Result<GpuTensor, ProbeError> {
        let bytes = u64::from(format.row_bytes(cols)) * u64::from(rows);
        let words = u32::try_from(bytes.div_ceil(4).max(1))
            .map_err(|_| ProbeError::Unsupported(format!("a {bytes}-byte tensor in one buffer")))?;
        let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC;
        let buffer = gpu::buffer(ctx, "generated tensor", u64::from(words) * 4, usage).await?;
        let [block_bytes, f0, f1, mode, scale_exp] = layout(format);
        let params = gpu::uniform(ctx, &[seed, words, block_bytes, f0, f1, mode, scale_exp, 0]).await?;
        let group = gpu::bind(ctx, &self.pipeline, &[(&buffer, None), (&params, None)]);
        let groups = words.div_ceil(WORKGROUP);
        let max = ctx.adapter.max_workgroups_per_dimension.max(1);
        let (x, y) = if groups <= max { (groups, 1) } else { (max, groups.div_ceil(max)) };
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            pass.set_pipeline(&self.pipeline);
            pass.set_bind_group(0, &group, &[]);
            pass.dispatch_workgroups(x, y, 1);
        }
        ctx.queue.submit([encoder.finish()]);
        Ok(GpuTensor { buffer, format, row_elems: cols, rows })
    }
}
