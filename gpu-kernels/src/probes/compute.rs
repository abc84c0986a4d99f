//! Arithmetic throughput: f32 and f16 FMA chains and packed int8 dot products, each checked
//! workgroup by workgroup against the CPU twin of the shader.

use super::sampler;
use super::{Measurement, ProbeConfig, ProbeError, ProbeKind};
use crate::context::GpuContext;
use crate::gpu::{self, Dispatch, Kernel, Pipelines, WORKGROUP};
use crate::readback;
use crate::timing::Stats;

/// Chains per invocation in the shaders.
const CHAINS: u32 = 8;
/// Steps per chain (f16 stays exact up to 2048, so at most 1024 here).
pub const ITERATIONS: u32 = 1024;
/// The dot-product probe's operands.
pub const DOT_A: u32 = 0x5A3C_9617;
/// Second operand.
pub const DOT_B: u32 = 0x0102_FF7F;

/// CPU twin of one `fma_f32.wgsl` / `fma_f16.wgsl` invocation: its contribution to the
/// workgroup total. Values stay exact integers, so f16 and f32 agree.
pub fn fma_invocation(local_index: u32, iterations: u32) -> u32 {
    let base = (local_index % 64) as f32;
    let mut total = 0.0f32;
    for chain in 0..CHAINS {
        for lane in 0..4 {
            let mut x = base + (4 * chain + lane) as f32;
            for _ in 0..iterations {
                x = x.mul_add(1.0, 1.0);
            }
            total += x;
        }
    }
    total as u32
}

/// `dot4I8Packed` as WGSL defines it: four signed byte products, summed.
pub fn dot4_i8_packed(a: u32, b: u32) -> i32 {
    (0..4).map(|k| i32::from((a >> (8 * k)) as u8 as i8) * i32::from((b >> (8 * k)) as u8 as i8)).sum()
}

/// CPU twin of one `dot4_i8.wgsl` invocation.
pub fn dot4_invocation(local_index: u32, iterations: u32, a: u32, b: u32) -> u32 {
    let base = (local_index % 64) as i32;
    let mut total = 0i32;
    for chain in 0..CHAINS as i32 {
        let mut x = base + chain;
        for _ in 0..iterations {
            x = x.wrapping_add(dot4_i8_packed((x as u32) ^ a, b));
        }
        total = total.wrapping_add(x);
    }
    total as u32
}

/// What one workgroup adds to its slot per dispatch.
pub fn workgroup_total(kind: ProbeKind, iterations: u32) -> u32 {
    (0..WORKGROUP).fold(0u32, |acc, lid| {
        let one = match kind {
            ProbeKind::Dot4I8 => dot4_invocation(lid, iterations, DOT_A, DOT_B),
            _ => fma_invocation(lid, iterations),
        };
        acc.wrapping_add(one)
    })
}

pub(crate) async fn run(
    ctx: &GpuContext,
    pipelines: &mut Pipelines,
    config: &ProbeConfig,
    kind: ProbeKind,
    cancel: &dyn Fn() -> bool,
) -> Result<Measurement, ProbeError> {
    let kernel = match kind {
        ProbeKind::FmaF32 => Kernel::FmaF32,
        ProbeKind::FmaF16 => Kernel::FmaF16,
        ProbeKind::Dot4I8 => Kernel::Dot4I8,
        _ => return Err(ProbeError::Unsupported(format!("{kind:?} is not a compute probe"))),
    };
    let pipeline = pipelines.get(ctx, kernel).await?;
    // Enough invocations to fill a large GPU; a software adapter gets a few workgroups so a
    // dispatch stays in the tens of milliseconds.
    let workgroups = if ctx.adapter.software { 16 } else { gpu::workgroups_for(ctx, 2 << 20) };
    let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
    let totals_bytes = u64::from(workgroups) * 4;
    let totals = gpu::buffer(ctx, "totals", totals_bytes, usage).await?;
    let staging = gpu::staging(ctx, totals_bytes).await?;
    let params = match kind {
        ProbeKind::Dot4I8 => gpu::uniform(ctx, &[DOT_A, DOT_B, ITERATIONS, 0]).await?,
        _ => gpu::uniform(ctx, &[1.0f32.to_bits(), 1.0f32.to_bits(), ITERATIONS, 0]).await?,
    };
    let bind_group = gpu::bind(ctx, &pipeline, &[(&totals, None), (&params, None)]);
    let dispatch = [Dispatch { pipeline, bind_group, workgroups }];
    let clear = |encoder: &mut wgpu::CommandEncoder| encoder.clear_buffer(&totals, 0, None);
    let samples = sampler::sample(ctx, config, &dispatch, &clear, cancel).await?;
    // The last sample left reps × the workgroup total in every slot.
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(&totals, 0, &staging, 0, totals_bytes);
    ctx.queue.submit([encoder.finish()]);
    let words = readback::read_words(ctx, &staging).await?;
    let expected = workgroup_total(kind, ITERATIONS).wrapping_mul(samples.reps);
    if let Some((slot, got)) = words.iter().enumerate().find(|(_, w)| **w != expected) {
        return Err(ProbeError::CheckFailed {
            kind,
            detail: format!("workgroup {slot} total is {got:#010x}, the CPU expects {expected:#010x}"),
        });
    }
    let per_dispatch = f64::from(workgroups)
        * f64::from(WORKGROUP)
        * f64::from(ITERATIONS)
        * f64::from(CHAINS)
        * match kind {
            ProbeKind::Dot4I8 => 8.0,
            _ => 8.0, // 4 lanes × 2 operations
        };
    let figures: Vec<f64> = samples.seconds_per_rep.iter().map(|s| per_dispatch / s / 1e12).collect();
    let stats = Stats::of(&figures).ok_or_else(|| ProbeError::Gpu("no valid sample".into()))?;
    Ok(Measurement {
        kind,
        working_set_bytes: None,
        unit: kind.unit().into(),
        stats,
        timing: samples.timing,
        reps_per_sample: samples.reps,
        sample_ms: samples.sample_ms,
        check: format!("all {workgroups} workgroup totals equal the CPU twin's ({expected:#010x})"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fma_twin_has_the_closed_form() {
        // 32 lanes start at 32·(lid % 64) + 0..31 in total and each gains `iterations`.
        for lid in [0u32, 5, 63, 64, 255] {
            let expected = 32 * (lid % 64) + 496 + 32 * ITERATIONS;
            assert_eq!(fma_invocation(lid, ITERATIONS), expected);
        }
    }

    #[test]
    fn dot4_follows_the_wgsl_definition() {
        assert_eq!(dot4_i8_packed(0x0101_0101, 0x0101_0101), 4);
        assert_eq!(dot4_i8_packed(0x0000_00FF, 0x0000_0002), -2);
        assert_eq!(dot4_i8_packed(0x8080_8080, 0x8080_8080), 4 * 128 * 128);
        assert_eq!(dot4_i8_packed(0x7F00_0000, 0x8000_0000), -127 * 128);
    }
}
