//! Not a test: times the decode kernels (matrix-vector products over quantized weights)
//! on the default adapter at Llama 3.1 8B's matrix shapes, rotating over enough copies
//! of each matrix that the GPU's cache cannot hold them, and prints the weight bytes
//! streamed per second per kernel; then the cost of one small dispatch. Run with
//! `cargo run --release -p roofline-gpu --example bench_matvec [-- --quick]`.

use roofline_gpu::model::generated::Filler;
use roofline_gpu::model::ops::{read_f32, upload_f32, ModelOps, QuantKernel};
use roofline_gpu::model::QuantFormat;
use roofline_gpu::now_s;
use roofline_gpu::{ContextOptions, GpuContext, ProbeError};

fn main() {
    if let Err(e) = pollster::block_on(run()) {
        eprintln!("bench_matvec: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), ProbeError> {
    let quick = std::env::args().any(|a| a == "--quick");
    let ctx = GpuContext::new(&ContextOptions::default()).await.map_err(|e| ProbeError::Gpu(e.to_string()))?;
    println!("adapter: {} ({})", ctx.adapter.name, ctx.adapter.backend);
    let filler = Filler::new(&ctx).await?;
    // (format, row_elems, rows): the 8B's q/o, gate/up and down (Q6_K in the mix) shapes.
    let shapes: &[(QuantFormat, u32, u32)] = if quick {
        &[(QuantFormat::Q4K, 1024, 512), (QuantFormat::Q6K, 1024, 512)]
    } else {
        &[(QuantFormat::Q4K, 4096, 4096), (QuantFormat::Q4K, 4096, 14336), (QuantFormat::Q6K, 14336, 4096)]
    };
    let kernels = if ctx.adapter.software {
        vec![QuantKernel::MatvecThread, QuantKernel::MatvecWide]
    } else {
        vec![QuantKernel::Matvec, QuantKernel::MatvecWide, QuantKernel::MatvecWide8]
    };
    let copies = if quick { 2 } else { 8 };
    let dispatches = if quick { 8 } else { 64 };
    for &(format, row_elems, rows) in shapes {
        let mut tensors = Vec::new();
        for seed in 0..copies {
            tensors.push(filler.tensor(&ctx, format, row_elems, rows, seed).await?);
        }
        let x = upload_f32(&ctx, &(0..row_elems).map(|i| ((i % 17) as f32 - 8.0) / 8.0).collect::<Vec<_>>()).await?;
        let y = upload_f32(&ctx, &vec![0.0; rows as usize]).await?;
        let bytes = u64::from(format.row_bytes(row_elems)) * u64::from(rows);
        for &kernel in &kernels {
            let mut ops = ModelOps::default();
            ops.prepare(&ctx, kernel, format).await?;
            ops.force_matvec = Some(kernel);
            let mut samples = Vec::new();
            for rep in 0..4 {
                let start = now_s();
                let mut encoder = ctx.device.create_command_encoder(&Default::default());
                {
                    let mut pass = encoder.begin_compute_pass(&Default::default());
                    for i in 0..dispatches {
                        ops.matvec(&ctx, &mut pass, &tensors[i % tensors.len()], &x, &y, false).await?;
                    }
                }
                ctx.queue.submit([encoder.finish()]);
                read_f32(&ctx, &y, 1).await?;
                if rep > 0 {
                    samples.push(now_s() - start);
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
