//! Times the prompt's kernels on the default adapter: each matrix–matrix variant on Llama
//! 3.1 8B's matrices (Q4_K_M: q/o, k/v, gate/up in Q4_K, down in Q6_K) for a chunk of 128
//! tokens, and causal attention for 128 queries at positions 384 .. 512 (32 heads, 8 KV
//! heads, dim 128). Weights come from the benchmark's generated fill (`fill_blocks.wgsl`),
//! X and the caches from a fixed hash. Each figure is the median of several samples, each
//! many dispatches in one compute pass timed by GPU timestamps (wall clock where the
//! adapter has none), after a warm-up.
//!
//! FLOPs: a matrix product counts 2 · rows · row_elems · tokens; attention counts
//! 4 · dim · heads · (P + 1) for each query at position P (q·k and the weighted sum of V).
//!
//! `cargo run --release -p roofline-gpu --example bench_matmul [-- --quick] [--tokens N]
//! [--variant FILE ...]`: `--quick` takes small shapes (software adapters); each
//! `--variant` is a `matmul.wgsl` under development, composed and timed as `Matmul64`.

use roofline_gpu::model::compose_tiled;
use roofline_gpu::model::f32_ops::{AttentionArgs, F32Ops};
use roofline_gpu::model::generated::Filler;
use roofline_gpu::model::ops::{read_f32, upload_f32, GpuTensor, MatmulArgs, ModelOps, QuantKernel};
use roofline_gpu::model::QuantFormat;
use roofline_gpu::{now_s, ContextOptions, GpuContext, PassTimer, ProbeError, Stats};

/// A matrix: (name, row_elems, rows, format).
type Shape = (&'static str, u32, u32, QuantFormat);

const FULL: [Shape; 4] = [
    ("q, o", 4096, 4096, QuantFormat::Q4K),
    ("k, v", 4096, 1024, QuantFormat::Q4K),
    ("gate, up", 4096, 14336, QuantFormat::Q4K),
    ("down", 14336, 4096, QuantFormat::Q6K),
];
const QUICK: [Shape; 4] = [
    ("q, o", 512, 256, QuantFormat::Q4K),
    ("k, v", 512, 64, QuantFormat::Q4K),
    ("gate, up", 512, 768, QuantFormat::Q4K),
    ("down", 768, 256, QuantFormat::Q6K),
];

/// Attention's shape: (queries, first position, heads, KV heads, dim).
const FULL_ATTENTION: (u32, u32, u32, u32, u32) = (128, 384, 32, 8, 128);
const QUICK_ATTENTION: (u32, u32, u32, u32, u32) = (16, 48, 8, 2, 64);

/// What one timed pass repeats.
enum Job<'a> {
    Matmul(QuantKernel, &'a GpuTensor, MatmulArgs<'a>),
    Attention(AttentionArgs<'a>),
}

struct Bench {
    ctx: GpuContext,
    timer: Option<PassTimer>,
    ops: ModelOps,
    fops: F32Ops,
    /// A sample lasts at least this long.
    sample_s: f64,
    samples: usize,
}

impl Bench {
    async fn record(&mut self, job: &Job<'_>, reps: u32) -> Result<f64, ProbeError> {
        let ctx = &self.ctx;
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        {
            let timestamp_writes = self.timer.as_ref().map(PassTimer::writes);
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: None, timestamp_writes });
            for _ in 0..reps {
                match job {
                    Job::Matmul(kernel, t, args) => {
                        self.ops.force_matmul = Some(*kernel);
                        self.ops.matmul(ctx, &mut pass, t, args).await?;
                    }
                    Job::Attention(args) => self.fops.attention(ctx, &mut pass, args).await?,
                }
            }
        }
        if let Some(timer) = &self.timer {
            timer.resolve(&mut encoder);
        }
        let start = now_s();
        ctx.queue.submit([encoder.finish()]);
        match &self.timer {
            Some(timer) => timer.read_s(ctx).await,
            None => {
                // Reading a word back waits for the submission.
                let probe = upload_f32(ctx, &[0.0]).await?;
                read_f32(ctx, &probe, 1).await?;
                Ok(now_s() - start)
            }
        }
    }

    /// Seconds per dispatch: repetitions grown until a sample lasts `sample_s`, one warm-up
    /// sample, then `samples` samples.
    async fn time(&mut self, job: &Job<'_>) -> Result<Stats, ProbeError> {
        let mut reps = 1u32;
        loop {
            let s = self.record(job, reps).await?;
            if s >= self.sample_s || reps >= 4096 {
                break;
            }
            let scale = (self.sample_s * 1.2 / s.max(1e-7)).clamp(2.0, 64.0);
            reps = ((f64::from(reps) * scale).ceil() as u32).min(4096);
        }
        self.record(job, reps).await?;
        let mut per_dispatch = Vec::with_capacity(self.samples);
        for _ in 0..self.samples {
            per_dispatch.push(self.record(job, reps).await? / f64::from(reps));
        }
        Stats::of(&per_dispatch).ok_or_else(|| ProbeError::Gpu("no finite samples".into()))
    }
}

/// A deterministic value in [-1, 1) (xorshift).
fn values(len: usize, seed: u64) -> Vec<f32> {
    let mut s = seed | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

/// One line of the final table.
struct Row {
    kernel: String,
    shape: String,
    flops: f64,
    stats: Stats,
}

impl Row {
    fn print(&self) {
        let ms = self.stats.median * 1e3;
        let flops = self.flops / self.stats.median;
        // Software adapters run at GFLOPS.
        let rate =
            if flops >= 1e11 { format!("{:.2} TFLOPS", flops / 1e12) } else { format!("{:.2} GFLOPS", flops / 1e9) };
        println!(
            "{:<13} {:<40} {:>9.3} ms {:>13}  (spread {:.0} %, {} samples)",
            self.kernel, self.shape, ms, rate, self.stats.spread_pct, self.stats.samples
        );
    }
}

async fn run(quick: bool, tokens: u32) -> Result<(), ProbeError> {
    let ctx = GpuContext::new(&ContextOptions::default()).await.map_err(|e| ProbeError::Gpu(e.to_string()))?;
    let a = &ctx.adapter;
    println!(
        "{} ({}, {}{}), timing: {}",
        a.display_name().unwrap_or("unnamed adapter"),
        a.backend,
        a.device_type,
        if a.software { ", software" } else { "" },
        if a.timestamps { "GPU timestamps" } else { "wall clock" }
    );
    let timer = PassTimer::new(&ctx).await?;
    let (sample_s, samples) = if quick { (0.005, 3) } else { (0.02, 7) };
    let mut bench = Bench { ctx, timer, ops: ModelOps::default(), fops: F32Ops::default(), sample_s, samples };
    let mut kernels = vec![QuantKernel::Matmul, QuantKernel::Matmul64, QuantKernel::MatmulThread];
    // `--variant FILE`: a matmul.wgsl under development, composed as Matmul64 and timed
    // beside the shipped kernels.
    let args: Vec<String> = std::env::args().collect();
    let variants: Vec<(String, String)> = args
        .windows(2)
        .filter(|w| w[0] == "--variant")
        .map(|w| std::fs::read_to_string(&w[1]).map(|text| (w[1].clone(), text)))
        .collect::<Result<_, _>>()
        .map_err(|e| ProbeError::Unsupported(format!("--variant: {e}")))?;
    if bench.ctx.adapter.shader_f16 {
        kernels.insert(1, QuantKernel::MatmulF16);
    }
    let filler = Filler::new(&bench.ctx).await?;
    let mut rows_out = Vec::new();
    // Per kernel: one layer's matrices (q, k, v, o, gate, up, down) in seconds.
    let mut layer_s = vec![0.0; kernels.len()];
    for (i, &(name, row_elems, rows, format)) in (if quick { &QUICK } else { &FULL }).iter().enumerate() {
        let t = filler.tensor(&bench.ctx, format, row_elems, rows, 0x5eed + i as u32).await?;
        let x = upload_f32(&bench.ctx, &values((row_elems * tokens) as usize, 1 + i as u64)).await?;
        let y = upload_f32(&bench.ctx, &vec![0.0; (rows * tokens) as usize]).await?;
        let flops = 2.0 * f64::from(rows) * f64::from(row_elems) * f64::from(tokens);
        let per_layer = if name == "down" { 1.0 } else { 2.0 };
        for (k, &kernel) in kernels.iter().enumerate() {
            bench.ops.prepare(&bench.ctx, kernel, format).await?;
            let args = MatmulArgs { x: &x, y: &y, tokens, y_stride: rows, out_offset: 0, add: false };
            let stats = bench.time(&Job::Matmul(kernel, &t, args)).await?;
            let shape = format!("{rows}×{row_elems} {format:?} ×{tokens} ({name})");
            let row = Row { kernel: format!("{kernel:?}"), shape, flops, stats };
            row.print();
            layer_s[k] += per_layer * stats.median;
            rows_out.push(row);
        }
        for (file, text) in &variants {
            let source = text.replace("const TOKEN_GROUPS: u32 = 1u;", "const TOKEN_GROUPS: u32 = 2u;");
            let mut ops = ModelOps::default();
            ops.prepare_source(&bench.ctx, QuantKernel::Matmul64, format, &compose_tiled(&source, format)).await?;
            let kept = std::mem::replace(&mut bench.ops, ops);
            let args = MatmulArgs { x: &x, y: &y, tokens, y_stride: rows, out_offset: 0, add: false };
            let timed = bench.time(&Job::Matmul(QuantKernel::Matmul64, &t, args)).await;
            bench.ops = kept;
            let shape = format!("{rows}×{row_elems} {format:?} ×{tokens} ({name})");
            Row { kernel: file.clone(), shape, flops, stats: timed? }.print();
        }
    }
    bench.fops.prepare(&bench.ctx).await?;
    let (queries, pos, heads, kv_heads, dim) = if quick { QUICK_ATTENTION } else { FULL_ATTENTION };
    let ctx_len = pos + queries;
    let q = upload_f32(&bench.ctx, &values((queries * heads * dim) as usize, 11)).await?;
    let k = upload_f32(&bench.ctx, &values((ctx_len * kv_heads * dim) as usize, 12)).await?;
    let v = upload_f32(&bench.ctx, &values((ctx_len * kv_heads * dim) as usize, 13)).await?;
    let scores = upload_f32(&bench.ctx, &vec![0.0; (queries * heads * ctx_len) as usize]).await?;
    let out = upload_f32(&bench.ctx, &vec![0.0; (queries * heads * dim) as usize]).await?;
    let args = AttentionArgs {
        q: &q,
        k: &k,
        v: &v,
        scores: &scores,
        out: &out,
        parts: None,
        heads,
        kv_heads,
        dim,
        pos,
        queries,
        window: 0,
        ctx: ctx_len,
        scale: 1.0 / (dim as f32).sqrt(),
    };
    let seen: u64 = (pos..pos + queries).map(|p| u64::from(p) + 1).sum();
    let flops = 4.0 * f64::from(dim) * f64::from(heads) * seen as f64;
    let stats = bench.time(&Job::Attention(args)).await?;
    let shape = format!("{queries} q at {pos}.., {heads}/{kv_heads} heads, dim {dim}");
    let attention = Row { kernel: "Attention".into(), shape, flops, stats };
    attention.print();
    println!("\n{:<13} {:<40} {:>12} {:>13}", "kernel", "shape", "median", "rate");
    for row in rows_out.iter().chain([&attention]) {
        row.print();
    }
    println!("\none layer (q, k, v, o, gate, up, down + attention) for {tokens} tokens:");
    for (kernel, s) in kernels.iter().zip(&layer_s) {
        let total = s + attention.stats.median;
        let share = attention.stats.median / total * 100.0;
        println!("{:<13} {:>9.3} ms (attention {share:.0} %)", format!("{kernel:?}"), total * 1e3);
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let tokens = match args.iter().position(|a| a == "--tokens").map(|i| args.get(i + 1).map(|t| t.parse::<u32>())) {
        None => 128,
        Some(Some(Ok(t))) if t > 0 => t,
        _ => {
            eprintln!("--tokens needs a positive whole number");
            std::process::exit(2);
        }
    };
    if let Err(error) = pollster::block_on(run(quick, tokens)) {
        eprintln!("bench_matmul: {error}");
        std::process::exit(1);
    }
}
