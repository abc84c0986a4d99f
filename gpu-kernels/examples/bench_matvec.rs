//! Not a test: times the decode kernels (matrix-vector products over quantized weights)
//! on the default adapter at Llama 3.1 8B's and Llama 3.2 1B's matrix shapes, rotating
//! over enough copies of each matrix that the GPU's cache cannot hold them, and prints
//! the weight bytes streamed per second per kernel — timed on the GPU (timestamps at the
//! start and end of the pass) where the adapter has timestamps, else by the wall clock,
//! which then includes recording; then the cost of one small dispatch. Run with
//! `cargo run --release -p roofline-gpu --example bench_matvec [-- --quick] [-- --norm]`
//! (`--norm`: each product also normalises its input, as the model's q, k, v and gate,
//! up products do).

use roofline_gpu::model::generated::Filler;
use roofline_gpu::model::ops::{read_f32, upload_f32, ModelOps, Pre, QuantKernel};
use roofline_gpu::model::QuantFormat;
use roofline_gpu::now_s;
use roofline_gpu::{ContextOptions, GpuContext, PassTimer, ProbeError};

fn main() {
    if let Err(e) = pollster::block_on(run()) {
        eprintln!("bench_matvec: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), ProbeError> {
    let quick = std::env::args().any(|a| a == "--quick");
    let norm = std::env::args().any(|a| a == "--norm");
    let ctx = GpuContext::new(&ContextOptions::default()).await.map_err(|e| ProbeError::Gpu(e.to_string()))?;
    let timer = PassTimer::new(&ctx).await?;
    let clock = if timer.is_some() { "GPU timestamps" } else { "wall clock" };
    let input = if norm { "RMSNorm fused into each product" } else { "plain x" };
    println!("adapter: {} ({}); timed by {clock}; {input}", ctx.adapter.name, ctx.adapter.backend);
    let filler = Filler::new(&ctx).await?;
    // (format, row_elems, rows): the 8B's q/o, k, gate/up and down (Q6_K in the mix)
    // shapes, then the 1B's.
    let shapes: &[(QuantFormat, u32, u32)] = if quick {
        &[(QuantFormat::Q4K, 1024, 512), (QuantFormat::Q6K, 1024, 512)]
    } else {
        &[
            (QuantFormat::Q4K, 4096, 4096),
            (QuantFormat::Q4K, 4096, 1024),
            (QuantFormat::Q4K, 4096, 14336),
            (QuantFormat::Q4K, 14336, 4096),
            (QuantFormat::Q6K, 14336, 4096),
            (QuantFormat::Q4K, 2048, 2048),
            (QuantFormat::Q4K, 2048, 8192),
            (QuantFormat::Q6K, 8192, 2048),
        ]
    };
    let kernels = if ctx.adapter.software {
        vec![QuantKernel::MatvecThread, QuantKernel::MatvecWide, QuantKernel::MatvecCoalesced]
    } else {
        vec![
            QuantKernel::Matvec,
            QuantKernel::MatvecWide,
            QuantKernel::MatvecWide8,
            QuantKernel::MatvecCoalesced,
            QuantKernel::MatvecCoalesced8,
        ]
    };
    let copies = if quick { 2 } else { 8 };
    let dispatches = if quick { 8 } else { 64 };
    for &(format, row_elems, rows) in shapes {
        let mut tensors = Vec::new();
        for seed in 0..copies {
            tensors.push(filler.tensor(&ctx, format, row_elems, rows, seed).await?);
        }
        let x = upload_f32(&ctx, &(0..row_elems).map(|i| ((i % 17) as f32 - 8.0) / 8.0).collect::<Vec<_>>()).await?;
        let norm_weights = upload_f32(&ctx, &vec![1.0; row_elems as usize]).await?;
        let y = upload_f32(&ctx, &vec![0.0; rows as usize]).await?;
        let bytes = u64::from(format.row_bytes(row_elems)) * u64::from(rows);
        for &kernel in &kernels {
            let mut ops = ModelOps::default();
            ops.prepare(&ctx, kernel, format).await?;
            ops.force_matvec = Some(kernel);
            if norm && !ops.fuses(&ctx, format) {
                continue;
            }
            let mut samples = Vec::new();
            for rep in 0..4 {
                let start = now_s();
                let mut encoder = ctx.device.create_command_encoder(&Default::default());
                {
                    let timestamp_writes = timer.as_ref().map(PassTimer::writes);
                    let mut pass =
                        encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: None, timestamp_writes });
                    for i in 0..dispatches {
                        let t = &tensors[i % tensors.len()];
                        if norm {
                            let pre = Pre::Norm { weights: &norm_weights, eps: 1e-5 };
                            ops.matvec_with(&ctx, &mut pass, t, &x, pre, &y, false, 0).await?;
                        } else {
                            ops.matvec(&ctx, &mut pass, t, &x, &y, false).await?;
                        }
                    }
                }
                if let Some(timer) = &timer {
                    timer.resolve(&mut encoder);
                }
                ctx.queue.submit([encoder.finish()]);
                let seconds = match &timer {
                    Some(timer) => timer.read_s(&ctx).await?,
                    None => {
                        read_f32(&ctx, &y, 1).await?;
                        now_s() - start
                    }
                };
                if rep > 0 {
                    samples.push(seconds);
                }
            }
            samples.sort_by(f64::total_cmp);
            let s = samples[samples.len() / 2];
            let gb_s = (bytes * dispatches as u64) as f64 / s / 1e9;
            let us = s / dispatches as f64 * 1e6;
            println!("{kernel:?} {format:?} {row_elems}×{rows}: {us:.1} µs per product, {gb_s:.1} GB/s");
        }
    }
    // A dispatch too small to matter: what one costs in a pass of many.
    let (format, row_elems, rows) = (QuantFormat::Q4K, 256u32, 64u32);
    let t = filler.tensor(&ctx, format, row_elems, rows, 1).await?;
    let x = upload_f32(&ctx, &vec![0.5; row_elems as usize]).await?;
    let y = upload_f32(&ctx, &vec![0.0; rows as usize]).await?;
    let mut ops = ModelOps::default();
    let kernel = *kernels.last().unwrap_or(&QuantKernel::Matvec);
    ops.prepare(&ctx, kernel, format).await?;
    ops.force_matvec = Some(kernel);
    let n = if quick { 50 } else { 1000 };
    let mut samples = Vec::new();
    for _ in 0..3 {
        let start = now_s();
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            for _ in 0..n {
                ops.matvec(&ctx, &mut pass, &t, &x, &y, false).await?;
            }
        }
        ctx.queue.submit([encoder.finish()]);
        read_f32(&ctx, &y, 1).await?;
        samples.push(now_s() - start);
    }
    samples.sort_by(f64::total_cmp);
    println!("small dispatch ({kernel:?}, fresh bind groups): {:.1} µs each", samples[1] / n as f64 * 1e6);
    Ok(())
}
