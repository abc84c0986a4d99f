//! The model kernels against their CPU twins on generated shapes: dequantization and the
//! gathering of a batch's rows are bit for bit the core's (ggml's) for every format; the
//! matrix-vector and matrix–matrix products (both variants of each) agree within f32
//! summation error, on odd shapes and token counts, also past 65,535 rows (a
//! two-dimensional grid).

// Helpers outside #[test] functions assert too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use roofline_gpu::model::ops::{
    read_f32, upload_bytes, upload_f32, upload_tensor, MatmulArgs, ModelOps, Pre, QuantKernel,
};
use roofline_gpu::model::{reference, QuantFormat, ALL_FORMATS};
use roofline_gpu::GpuContext;

mod common;
use common::{context, generate, Rng};

fn shape(format: QuantFormat) -> (u32, u32) {
    match format.block().0 {
        256 => (512, 37),
        32 => (640, 70),
        _ => (96, 70),
    }
}

#[test]
fn dequantization_is_bit_exact_for_every_format() {
    let Some(ctx) = context() else { return };
    let mut ops = ModelOps::default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for format in ALL_FORMATS {
        let (row_elems, rows) = shape(format);
        let bytes = generate(format, row_elems, rows, &mut rng);
        let (first, count) = (3u32, 5u32);
        let got = pollster::block_on(async {
            ops.prepare(&ctx, QuantKernel::DequantRows, format).await?;
            let t = upload_tensor(&ctx, &bytes, format, row_elems, rows).await?;
            let out = upload_f32(&ctx, &vec![0.0; (row_elems * count) as usize]).await?;
            let mut encoder = ctx.device.create_command_encoder(&Default::default());
            {
                let mut pass = encoder.begin_compute_pass(&Default::default());
                ops.dequant_rows(&ctx, &mut pass, &t, first, count, &out).await?;
            }
            ctx.queue.submit([encoder.finish()]);
            read_f32(&ctx, &out, (row_elems * count) as usize).await
        })
        .unwrap_or_else(|e| panic!("{format:?}: {e}"));
        let want =
            reference::dequant_rows(format.ggml_type(), &bytes, row_elems as usize, first as usize, count as usize);
        let mismatches: Vec<usize> = (0..want.len()).filter(|&i| got[i].to_bits() != want[i].to_bits()).collect();
        assert!(
            mismatches.is_empty(),
            "{format:?}: {} of {} values differ, first at {}: GPU {} CPU {}",
            mismatches.len(),
            want.len(),
            mismatches[0],
            got[mismatches[0]],
            want[mismatches[0]]
        );
    }
}

fn check_matvec(ctx: &GpuContext, ops: &mut ModelOps, format: QuantFormat, row_elems: u32, rows: u32, rng: &mut Rng) {
    let bytes = generate(format, row_elems, rows, rng);
    let x: Vec<f32> = (0..row_elems).map(|_| rng.f32_unit()).collect();
    let bias: Vec<f32> = (0..rows).map(|_| rng.f32_unit()).collect();
    let (plain, added) = pollster::block_on(async {
        ops.prepare(ctx, ops.force_matvec.unwrap_or_else(|| QuantKernel::matvec_for(ctx)), format).await?;
        let t = upload_tensor(ctx, &bytes, format, row_elems, rows).await?;
        let xb = upload_f32(ctx, &x).await?;
        let y = upload_f32(ctx, &vec![0.0; rows as usize]).await?;
        let z = upload_f32(ctx, &bias).await?;
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            ops.matvec(ctx, &mut pass, &t, &xb, &y, false).await?;
            ops.matvec(ctx, &mut pass, &t, &xb, &z, true).await?;
        }
        ctx.queue.submit([encoder.finish()]);
        Ok::<_, roofline_gpu::ProbeError>((
            read_f32(ctx, &y, rows as usize).await?,
            read_f32(ctx, &z, rows as usize).await?,
        ))
    })
    .unwrap_or_else(|e| panic!("{format:?}: {e}"));
    let want = reference::matvec(format.ggml_type(), &bytes, row_elems as usize, rows as usize, &x);
    let w = reference::dequant_rows(format.ggml_type(), &bytes, row_elems as usize, 0, rows as usize);
    for r in 0..rows as usize {
        // f32 summation of row_elems products: error within a few ulps of the absolute sum.
        let scale: f32 =
            w[r * row_elems as usize..][..row_elems as usize].iter().zip(&x).map(|(a, b)| (a * b).abs()).sum();
        let tolerance = 1e-5 * scale + 1e-6;
        assert!(
            (plain[r] - want[r]).abs() <= tolerance,
            "{format:?} row {r}: GPU {} CPU {} (±{tolerance})",
            plain[r],
            want[r]
        );
        let sum = want[r] + bias[r];
        assert!(
            (added[r] - sum).abs() <= tolerance + 1e-6 * sum.abs(),
            "{format:?} row {r} (+=): GPU {} CPU {sum}",
            added[r]
        );
    }
}

/// The kernels written for Q4_K and Q6_K alone.
const WIDE_KERNELS: [QuantKernel; 4] =
    [QuantKernel::MatvecWide, QuantKernel::MatvecWide8, QuantKernel::MatvecCoalesced, QuantKernel::MatvecCoalesced8];

#[test]
fn matvec_matches_the_cpu_for_every_format() {
    let Some(ctx) = context() else { return };
    let mut ops = ModelOps::default();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for kernel in [
        QuantKernel::Matvec,
        QuantKernel::MatvecWide,
        QuantKernel::MatvecWide8,
        QuantKernel::MatvecCoalesced,
        QuantKernel::MatvecCoalesced8,
        QuantKernel::MatvecThread,
    ] {
        ops.force_matvec = Some(kernel);
        for format in ALL_FORMATS {
            let (row_elems, rows) = shape(format);
            check_matvec(&ctx, &mut ops, format, row_elems, rows, &mut rng);
        }
    }
}

/// The wide K-quant kernels on rows of an odd number of blocks (Q6_K rows then start
/// half-way into a word) and on rows longer than one pass of the workgroup.
#[test]
fn wide_matvec_on_odd_and_long_rows() {
    let Some(ctx) = context() else { return };
    let mut ops = ModelOps::default();
    let mut rng = Rng(0x5EED);
    for (kernel, format) in WIDE_KERNELS.into_iter().flat_map(|k| [QuantFormat::Q4K, QuantFormat::Q6K].map(|f| (k, f)))
    {
        ops.force_matvec = Some(kernel);
        for (row_elems, rows) in [(768, 9), (256, 5), (14336, 3), (4096 + 256, 11)] {
            check_matvec(&ctx, &mut ops, format, row_elems, rows, &mut rng);
        }
    }
}

/// The wide kernels' fused inputs: y = W (rmsnorm(x) ⊙ w), W (silu(x) ⊙ u) and
/// W (gelu(x) ⊙ u) against the CPU's separate steps then product, within f32 rounding of
/// Σ|W x'| per row, on rows long and short.
#[test]
fn wide_matvec_with_fused_inputs_matches_the_separate_steps() {
    let Some(ctx) = context() else { return };
    let mut ops = ModelOps::default();
    let mut rng = Rng(0xF00D);
    for (kernel, format) in WIDE_KERNELS.into_iter().flat_map(|k| [QuantFormat::Q4K, QuantFormat::Q6K].map(|f| (k, f)))
    {
        ops.force_matvec = Some(kernel);
        for (row_elems, rows) in [(768u32, 9u32), (4096, 6), (256, 3)] {
            let bytes = generate(format, row_elems, rows, &mut rng);
            let x: Vec<f32> = (0..row_elems).map(|_| 3.0 * rng.f32_unit()).collect();
            let w: Vec<f32> = (0..row_elems).map(|_| 1.0 + 0.5 * rng.f32_unit()).collect();
            let eps = 1e-5;
            let norm = reference::rms_norm(&x, Some(&w), row_elems as usize, eps);
            let silu: Vec<f32> = x.iter().zip(&w).map(|(a, b)| reference::silu(*a) * b).collect();
            let gelu: Vec<f32> = x.iter().zip(&w).map(|(a, b)| reference::gelu(*a) * b).collect();
            for (kind, xn) in [(1, norm), (2, silu), (3, gelu)] {
                let got = pollster::block_on(async {
                    ops.prepare(&ctx, kernel, format).await?;
                    let t = upload_tensor(&ctx, &bytes, format, row_elems, rows).await?;
                    let (xb, wb) = (upload_f32(&ctx, &x).await?, upload_f32(&ctx, &w).await?);
                    let y = upload_f32(&ctx, &vec![0.0; rows as usize]).await?;
                    let pre = match kind {
                        1 => Pre::Norm { weights: &wb, eps },
                        2 => Pre::SiluGate { up: &wb },
                        _ => Pre::GeluGate { up: &wb },
                    };
                    let mut encoder = ctx.device.create_command_encoder(&Default::default());
                    {
                        let mut pass = encoder.begin_compute_pass(&Default::default());
                        ops.matvec_with(&ctx, &mut pass, &t, &xb, pre, &y, false, 0).await?;
                    }
                    ctx.queue.submit([encoder.finish()]);
                    read_f32(&ctx, &y, rows as usize).await
                })
                .unwrap_or_else(|e| panic!("{format:?}: {e}"));
                let want = reference::matvec(format.ggml_type(), &bytes, row_elems as usize, rows as usize, &xn);
                let dq = reference::dequant_rows(format.ggml_type(), &bytes, row_elems as usize, 0, rows as usize);
                for r in 0..rows as usize {
                    let scale: f32 = dq[r * row_elems as usize..][..row_elems as usize]
                        .iter()
                        .zip(&xn)
                        .map(|(a, b)| (a * b).abs())
                        .sum();
                    let tolerance = 1e-5 * scale + 1e-6;
                    assert!(
                        (got[r] - want[r]).abs() <= tolerance,
                        "{kernel:?} {format:?} {row_elems}×{rows} input {kind} row {r}: GPU {} CPU {} (±{tolerance})",
                        got[r],
                        want[r]
                    );
                }
            }
        }
    }
}

#[test]
fn matvec_past_the_workgroup_grid_limit() {
    let Some(ctx) = context() else { return };
    let mut ops = ModelOps::default();
    let mut rng = Rng(7);
    for kernel in [QuantKernel::Matvec, QuantKernel::MatvecThread] {
        ops.force_matvec = Some(kernel);
        // An invocation per row needs 65,600 × 64 rows to pass the grid limit.
        let rows = if kernel == QuantKernel::Matvec { 65_600 } else { 65_600 * 64 / 32 };
        check_matvec(&ctx, &mut ops, QuantFormat::Q4_0, 32, rows, &mut rng);
    }
}

/// Y = X Wᵀ for `tokens` rows of X, written as a row chunk (`out_offset` in rows of
/// `y_stride`) into a Y holding `prior`, with `add`; against the f64 twin, within
/// `relative` of Σ|w x| per output.
#[allow(clippy::too_many_arguments)]
fn check_matmul(
    ctx: &GpuContext,
    ops: &mut ModelOps,
    format: QuantFormat,
    row_elems: u32,
    rows: u32,
    tokens: u32,
    add: bool,
    rng: &mut Rng,
    relative: f32,
) {
    let bytes = generate(format, row_elems, rows, rng);
    let x: Vec<f32> = (0..row_elems * tokens).map(|_| rng.f32_unit()).collect();
    let (out_offset, y_stride) = (3u32, rows + 5);
    let prior: Vec<f32> = (0..y_stride * tokens).map(|_| rng.f32_unit()).collect();
    let got = pollster::block_on(async {
        ops.prepare(ctx, ops.matmul_kernel(ctx), format).await?;
        let t = upload_tensor(ctx, &bytes, format, row_elems, rows).await?;
        let xb = upload_f32(ctx, &x).await?;
        let y = upload_f32(ctx, &prior).await?;
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        {
            let mut pass = encoder.begin_compute_pass(&Default::default());
            let args = MatmulArgs { x: &xb, y: &y, tokens, y_stride, out_offset, add };
            ops.matmul(ctx, &mut pass, &t, &args).await?;
        }
        ctx.queue.submit([encoder.finish()]);
        read_f32(ctx, &y, prior.len()).await
    })
    .unwrap_or_else(|e| panic!("{format:?}: {e}"));
    let (re, rs) = (row_elems as usize, rows as usize);
    let want = reference::matmul(format.ggml_type(), &bytes, re, rs, &x);
    let w = reference::dequant_rows(format.ggml_type(), &bytes, re, 0, rs);
    let what = format!("{:?} {format:?} {rows}×{row_elems}, {tokens} tokens", ops.matmul_kernel(ctx));
    for t in 0..tokens as usize {
        for c in 0..y_stride as usize {
            let o = t * y_stride as usize + c;
            let inside = c >= out_offset as usize && c < (out_offset + rows) as usize;
            if !inside {
                assert_eq!(got[o].to_bits(), prior[o].to_bits(), "{what}: token {t} column {c} outside the chunk");
                continue;
            }
            let r = c - out_offset as usize;
            let xt = &x[t * re..][..re];
            let scale: f32 = w[r * re..][..re].iter().zip(xt).map(|(a, b)| (a * b).abs()).sum();
            let expected = want[t * rs + r] + if add { prior[o] } else { 0.0 };
            let tolerance = relative * scale + 1e-6 + 1e-6 * expected.abs();
            assert!(
                (got[o] - expected).abs() <= tolerance,
                "{what}: token {t} row {r}: GPU {} CPU {expected} (±{tolerance})",
                got[o]
            );
        }
    }
}

#[test]
fn matmul_matches_the_cpu_for_every_format() {
    let Some(ctx) = context() else { return };
    let mut ops = ModelOps::default();
    let mut rng = Rng(0x5851_F42D_4C95_7F2D);
    for kernel in [QuantKernel::Matmul, QuantKernel::Matmul64, QuantKernel::MatmulThread] {
        ops.force_matmul = Some(kernel);
        for format in ALL_FORMATS {
            let (row_elems, rows) = shape(format);
            for (tokens, add) in [(1, false), (5, true), (33, false)] {
                check_matmul(&ctx, &mut ops, format, row_elems, rows, tokens, add, &mut rng, 1e-5);
            }
        }
        // Rows and columns that are not multiples of the tiles, more tokens than a tile.
        check_matmul(&ctx, &mut ops, QuantFormat::F32, 7, 45, 70, true, &mut rng, 1e-5);
        check_matmul(&ctx, &mut ops, QuantFormat::Q4K, 768, 3, 17, false, &mut rng, 1e-5);
    }
}

/// The tiled kernels (64 rows × 32 or 64 tokens per workgroup, 32 columns a step) on shapes
/// around their tiles: a row or a token past a whole tile, several tiles each way, one
/// row, rows of one K-quant block (Q6_K rows then start half a word in); the word-wise
/// Q4_K and Q6_K loaders and the generic one (Q8_0, Q5_K, F16).
#[test]
fn tiled_matmul_matches_the_cpu_on_ragged_shapes() {
    let Some(ctx) = context() else { return };
    let mut ops = ModelOps::default();
    let mut rng = Rng(0xA076_1D64_78BD_642F);
    let mut kernels = vec![(QuantKernel::Matmul, 1e-5), (QuantKernel::Matmul64, 1e-5)];
    if ctx.adapter.shader_f16 {
        kernels.push((QuantKernel::MatmulF16, 5e-4));
    }
    for (kernel, relative) in kernels {
        ops.force_matmul = Some(kernel);
        for format in [QuantFormat::Q4K, QuantFormat::Q6K] {
            for (row_elems, rows, tokens, add) in [
                (256, 65, 33, false),
                (768, 130, 97, true),
                (512, 64, 32, false),
                (256, 1, 1, true),
                (1024, 7, 128, false),
                (512, 64, 64, true),
                (256, 3, 65, false),
            ] {
                check_matmul(&ctx, &mut ops, format, row_elems, rows, tokens, add, &mut rng, relative);
            }
        }
        check_matmul(&ctx, &mut ops, QuantFormat::Q8_0, 96, 66, 40, true, &mut rng, relative);
        check_matmul(&ctx, &mut ops, QuantFormat::Q5K, 512, 70, 35, false, &mut rng, relative);
        check_matmul(&ctx, &mut ops, QuantFormat::F16, 36, 65, 33, false, &mut rng, relative);
    }
}

#[test]
fn matmul_with_f16_weight_tiles_matches_the_cpu_within_f16_rounding() {
    let Some(ctx) = context() else { return };
    if !ctx.adapter.shader_f16 {
        eprintln!("skipped: {} has no shader-f16 (naga still validates matmul_f16.wgsl)", ctx.adapter.name);
        return;
    }
    let mut ops = ModelOps::default();
    ops.force_matmul = Some(QuantKernel::MatmulF16);
    let mut rng = Rng(0x94D0_49BB_1331_11EB);
    for format in ALL_FORMATS {
        let (row_elems, rows) = shape(format);
        for (tokens, add) in [(1, false), (33, true)] {
            // Each weight rounded to f16: within 2^-11 of it, so the sum within 2^-11 of Σ|w x|.
            check_matmul(&ctx, &mut ops, format, row_elems, rows, tokens, add, &mut rng, 5e-4);
        }
    }
}

#[test]
fn gathered_rows_are_bit_exact_for_every_format() {
    let Some(ctx) = context() else { return };
    let mut ops = ModelOps::default();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for format in ALL_FORMATS {
        let (row_elems, rows) = shape(format);
        let bytes = generate(format, row_elems, rows, &mut rng);
        // Ids outside this chunk (rows 10 .. rows) keep what the output held.
        let first = 10u32;
        let ids: Vec<u32> = vec![12, 3, rows - 1, 12, rows - 2, first, 0];
        let chunk = &bytes[(first * format.row_bytes(row_elems)) as usize..];
        let n = ids.len() * row_elems as usize;
        let got = pollster::block_on(async {
            ops.prepare(&ctx, QuantKernel::GatherRows, format).await?;
            let t = upload_tensor(&ctx, chunk, format, row_elems, rows - first).await?;
            let id_bytes: Vec<u8> = ids.iter().flat_map(|i| i.to_le_bytes()).collect();
            let idb = upload_bytes(&ctx, &id_bytes, wgpu::BufferUsages::STORAGE).await?;
            let out = upload_f32(&ctx, &vec![-7.0; n]).await?;
            let mut encoder = ctx.device.create_command_encoder(&Default::default());
            {
                let mut pass = encoder.begin_compute_pass(&Default::default());
                ops.gather_rows(&ctx, &mut pass, &t, first, &idb, ids.len() as u32, &out).await?;
            }
            ctx.queue.submit([encoder.finish()]);
            read_f32(&ctx, &out, n).await
        })
        .unwrap_or_else(|e| panic!("{format:?}: {e}"));
        let want = reference::gather_rows(format.ggml_type(), &bytes, row_elems as usize, &ids);
        for (i, &id) in ids.iter().enumerate() {
            let range = i * row_elems as usize..(i + 1) * row_elems as usize;
            if id < first {
                assert!(got[range].iter().all(|v| *v == -7.0), "{format:?}: id {id} is outside the chunk");
            } else {
                let same = got[range.clone()].iter().zip(&want[range]).all(|(g, w)| g.to_bits() == w.to_bits());
                assert!(same, "{format:?}: row {id} (slot {i})");
            }
        }
    }
}

/// Not a check: times each matrix kernel on a Gemma-3-270M-sized feed-forward matrix
/// (640 rows of 2048, Q4_K: the down projection) for chunks of 4 to 128 tokens, to choose the kernel per adapter. Run with
/// `cargo test --release -p roofline-gpu --test model_kernels -- --ignored --nocapture`.
#[test]
#[ignore]
fn matrix_kernel_timings() {
    let Some(ctx) = context() else { return };
    let mut ops = ModelOps::default();
    let mut rng = Rng(99);
    let (format, row_elems, rows) = (QuantFormat::Q4K, 2048u32, 640u32);
    let tokens = 128u32;
    let bytes = generate(format, row_elems, rows, &mut rng);
    let x: Vec<f32> = (0..row_elems * tokens).map(|_| rng.f32_unit()).collect();
    let time = |ops: &ModelOps, kernel: QuantKernel, tokens: u32| {
        pollster::block_on(async {
            let t = upload_tensor(&ctx, &bytes, format, row_elems, rows).await?;
            let xb = upload_f32(&ctx, &x).await?;
            let y = upload_f32(&ctx, &vec![0.0; (rows * tokens) as usize]).await?;
            let mut samples = Vec::new();
            for _ in 0..4 {
                let start = std::time::Instant::now();
                let mut encoder = ctx.device.create_command_encoder(&Default::default());
                {
                    let mut pass = encoder.begin_compute_pass(&Default::default());
                    if matches!(kernel, QuantKernel::Matvec | QuantKernel::MatvecThread) {
                        // Token by token, as the prompt ran before chunks.
                        for _ in 0..tokens {
                            ops.matvec(&ctx, &mut pass, &t, &xb, &y, false).await?;
                        }
                    } else {
                        let args = MatmulArgs { x: &xb, y: &y, tokens, y_stride: rows, out_offset: 0, add: false };
                        ops.matmul(&ctx, &mut pass, &t, &args).await?;
                    }
                }
                ctx.queue.submit([encoder.finish()]);
                read_f32(&ctx, &y, 1).await?;
                samples.push(start.elapsed().as_secs_f64() * 1e3);
            }
            samples.sort_by(f64::total_cmp);
            Ok::<_, roofline_gpu::ProbeError>(samples)
        })
        .unwrap_or_else(|e| panic!("{kernel:?}: {e}"))
    };
    let kernels = [QuantKernel::Matmul, QuantKernel::MatmulThread, QuantKernel::MatvecThread, QuantKernel::Matvec];
    for (kernel, tokens) in kernels.into_iter().flat_map(|k| [4u32, 16, 128].map(|t| (k, t))) {
        pollster::block_on(ops.prepare(&ctx, kernel, format)).unwrap();
        ops.force_matmul = Some(kernel);
        ops.force_matvec = Some(kernel);
        let ms = time(&ops, kernel, tokens);
        println!(
            "{kernel:?}: {rows}×{row_elems} {format:?} × {tokens} tokens: median {:.1} ms (min {:.1}, max {:.1})",
            ms[ms.len() / 2],
            ms[0],
            ms[ms.len() - 1]
        );
    }
}
