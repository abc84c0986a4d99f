//! The f32 kernels of a transformer step against their CPU twins on generated shapes:
//! RMSNorm (with and without weight, several rows), RoPE (both layouts, one token and a
//! batch at consecutive positions), attention (grouped-query heads, causal, sliding
//! window, one query and a batch of queries), element-wise steps (with a bias added to
//! each row), argmax (ties).

// Helpers outside #[test] functions assert too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use roofline_gpu::model::f32_ops::{
    attention_parts_len, AttentionArgs, Elementwise, F32Kernel, F32Ops, Rope, ARGMAX_OUT_WORDS,
};
use roofline_gpu::model::ops::{read_f32, upload_bytes, upload_f32};
use roofline_gpu::model::reference;
use roofline_gpu::{ContextOptions, GpuContext, ProbeError};

fn context() -> Option<(GpuContext, F32Ops)> {
    match pollster::block_on(GpuContext::new(&ContextOptions::default())) {
        Ok(ctx) => {
            let mut ops = F32Ops::default();
            pollster::block_on(ops.prepare(&ctx)).unwrap_or_else(|e| panic!("{e}"));
            Some((ctx, ops))
        }
        Err(error) => {
            assert!(std::env::var("ROOFLINE_REQUIRE_GPU").as_deref() != Ok("1"), "no adapter: {error}");
            eprintln!("skipped: {error}");
            None
        }
    }
}

fn values(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(2_654_435_761).max(1);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s >> 8) as f32 / (1u32 << 24) as f32 * 4.0 - 2.0
        })
        .collect()
}

fn close(got: &[f32], want: &[f32], tol: f32, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol * (1.0 + w.abs()), "{what}[{i}]: GPU {g} CPU {w}");
    }
}

/// Records `$call` (with `pass` in scope) in one pass, submits, reads `$n` values of `$out`.
macro_rules! run {
    ($ctx:expr, $out:expr, $n:expr, |$pass:ident| $call:expr) => {
        pollster::block_on(async {
            let mut encoder = $ctx.device.create_command_encoder(&Default::default());
            {
                let mut $pass = encoder.begin_compute_pass(&Default::default());
                $call.await?;
            }
            $ctx.queue.submit([encoder.finish()]);
            read_f32(&$ctx, $out, $n).await
        })
        .unwrap_or_else(|e: ProbeError| panic!("{e}"))
    };
}

#[test]
fn rms_norm_matches() {
    let Some((ctx, ops)) = context() else { return };
    for (len, rows, weighted) in [(640, 1, true), (256, 4, true), (100, 3, false), (32, 523, true)] {
        let x = values(len * rows, 1);
        let w = values(len, 2);
        let (xb, wb, yb) = pollster::block_on(async {
            Ok::<_, ProbeError>((
                upload_f32(&ctx, &x).await?,
                upload_f32(&ctx, &w).await?,
                upload_f32(&ctx, &vec![0.0; len * rows]).await?,
            ))
        })
        .unwrap();
        let got = run!(ctx, &yb, len * rows, |pass| ops.rms_norm(
            &ctx,
            &mut pass,
            &xb,
            weighted.then_some(&wb),
            &yb,
            len as u32,
            rows as u32,
            1e-6
        ));
        let want = reference::rms_norm(&x, weighted.then_some(&w[..]), len, 1e-6);
        close(&got, &want, 1e-5, &format!("rmsnorm {len}×{rows}"));
    }
}

#[test]
fn rope_matches_in_both_layouts() {
    let Some((ctx, ops)) = context() else { return };
    for (neox, pos, base, n_rot) in [
        (false, 0, 10_000.0, 64),
        (false, 37, 500_000.0, 64),
        (true, 511, 10_000.0, 64),
        (true, 4000, 1_000_000.0, 64),
        (true, 77, 10_000.0, 32),
        (false, 77, 10_000.0, 16),
    ] {
        let (heads, dim) = (4, 64);
        let v = values(heads * dim, pos + 3);
        let vb = pollster::block_on(upload_f32(&ctx, &v)).unwrap();
        let rope = Rope { n_rot: n_rot as u32, neox, base, freq_scale: 1.0 };
        let got =
            run!(ctx, &vb, heads * dim, |pass| ops.rope(&ctx, &mut pass, &vb, heads as u32, dim as u32, pos, rope));
        let want = reference::rope(&v, dim, n_rot, pos, neox, base, 1.0);
        // sin/cos of angles up to 4000 rad in f32 on the GPU: a few 1e-4 absolute.
        close(&got, &want, 2e-3, &format!("rope neox={neox} pos={pos} n_rot={n_rot}"));
    }
}

#[test]
fn attention_matches_with_groups_and_windows() {
    let Some((ctx, mut ops)) = context() else { return };
    let cases = [
        (4, 1, 64, 0, 0),
        (4, 1, 64, 99, 0),
        (8, 2, 32, 150, 32),
        (6, 6, 16, 20, 512),
        (8, 2, 128, 159, 0),
        (4, 1, 256, 70, 0),
    ];
    for ((heads, kv_heads, dim, pos, window), kernel) in cases
        .into_iter()
        .flat_map(|c| [F32Kernel::Attention, F32Kernel::AttentionWide, F32Kernel::AttentionSplit].map(|k| (c, k)))
    {
        ops.force_attention = Some(kernel);
        let ctx_len = 160;
        let q = values(heads * dim, 11);
        let k = values(ctx_len * kv_heads * dim, 12);
        let v = values(ctx_len * kv_heads * dim, 13);
        let scale = 1.0 / (dim as f32).sqrt();
        let pb = pollster::block_on(upload_f32(&ctx, &vec![0.0; attention_parts_len(heads, dim)])).unwrap();
        let (qb, kb, vb, sb, ob) = pollster::block_on(async {
            Ok::<_, ProbeError>((
                upload_f32(&ctx, &q).await?,
                upload_f32(&ctx, &k).await?,
                upload_f32(&ctx, &v).await?,
                upload_f32(&ctx, &vec![0.0; heads * ctx_len]).await?,
                upload_f32(&ctx, &vec![0.0; heads * dim]).await?,
            ))
        })
        .unwrap();
        let args = AttentionArgs {
            q: &qb,
            k: &kb,
            v: &vb,
            scores: &sb,
            out: &ob,
            parts: Some(&pb),
            heads: heads as u32,
            kv_heads: kv_heads as u32,
            dim: dim as u32,
            pos: pos as u32,
            queries: 1,
            window: window as u32,
            ctx: ctx_len as u32,
            scale,
        };
        let got = run!(ctx, &ob, heads * dim, |pass| ops.attention(&ctx, &mut pass, &args));
        let want = reference::attention(&q, &k, &v, heads, kv_heads, dim, pos, window, scale);
        close(&got, &want, 1e-4, &format!("{kernel:?} {heads}/{kv_heads} dim {dim} pos {pos} window {window}"));
    }
}

#[test]
fn rope_over_a_batch_matches() {
    let Some((ctx, ops)) = context() else { return };
    for (tokens, heads, dim, n_rot, neox, pos) in
        [(1, 4, 64, 64, true, 9), (7, 3, 32, 32, false, 0), (33, 1, 48, 16, true, 100), (130, 2, 64, 64, true, 3)]
    {
        let v = values(tokens * heads * dim, tokens as u32 + 5);
        let vb = pollster::block_on(upload_f32(&ctx, &v)).unwrap();
        let rope = Rope { n_rot: n_rot as u32, neox, base: 10_000.0, freq_scale: 0.5 };
        let got = run!(ctx, &vb, v.len(), |pass| ops.rope_rows(
            &ctx,
            &mut pass,
            &vb,
            tokens as u32,
            heads as u32,
            dim as u32,
            pos,
            rope
        ));
        let want = reference::rope_rows(&v, heads, dim, n_rot, pos, neox, 10_000.0, 0.5);
        close(&got, &want, 1e-4, &format!("rope of {tokens} tokens at {pos}"));
    }
}

/// RoPE on queries and keys with the cache stores in one dispatch equals rope_rows on
/// each and the copies: both layouts, partial rotation, several tokens past position 0.
#[test]
fn rope_with_the_cache_stores_matches() {
    let Some((ctx, ops)) = context() else { return };
    for (tokens, heads, kv_heads, dim, n_rot, neox, pos) in
        [(1, 4, 2, 64, 64, true, 9), (5, 4, 1, 32, 16, false, 3), (3, 6, 3, 48, 32, true, 20)]
    {
        let ctx_len = 32;
        let (q, k, v) = (
            values(tokens * heads * dim, 61),
            values(tokens * kv_heads * dim, 62),
            values(tokens * kv_heads * dim, 63),
        );
        let kv_row = kv_heads * dim;
        let prior = values(ctx_len * kv_row, 64);
        let rope = Rope { n_rot: n_rot as u32, neox, base: 10_000.0, freq_scale: 0.5 };
        let (qb, kb, vb, kc, vc) = pollster::block_on(async {
            Ok::<_, ProbeError>((
                upload_f32(&ctx, &q).await?,
                upload_f32(&ctx, &k).await?,
                upload_f32(&ctx, &v).await?,
                upload_f32(&ctx, &prior).await?,
                upload_f32(&ctx, &prior).await?,
            ))
        })
        .unwrap();
        let shape = (tokens as u32, heads as u32, kv_heads as u32, dim as u32);
        let got_q =
            run!(ctx, &qb, q.len(), |pass| ops.rope_kv(&ctx, &mut pass, (&qb, &kb, &vb), (&kc, &vc), shape, pos, rope));
        let got_k = pollster::block_on(read_f32(&ctx, &kc, prior.len())).unwrap();
        let got_v = pollster::block_on(read_f32(&ctx, &vc, prior.len())).unwrap();
        let what = format!("{tokens} tokens at {pos}, rotating {n_rot} of {dim}, neox {neox}");
        close(&got_q, &reference::rope_rows(&q, heads, dim, n_rot, pos, neox, 10_000.0, 0.5), 1e-4, &what);
        let mut want_k = prior.clone();
        let rotated = reference::rope_rows(&k, kv_heads, dim, n_rot, pos, neox, 10_000.0, 0.5);
        want_k[pos as usize * kv_row..][..rotated.len()].copy_from_slice(&rotated);
        close(&got_k, &want_k, 1e-4, &format!("keys, {what}"));
        let mut want_v = prior.clone();
        want_v[pos as usize * kv_row..][..v.len()].copy_from_slice(&v);
        close(&got_v, &want_v, 0.0, &format!("values, {what}"));
    }
}

#[test]
fn attention_over_a_batch_of_queries_matches() {
    let Some((ctx, mut ops)) = context() else { return };
    // (heads, kv heads, dim, first position, queries, window)
    let cases = [
        (4, 1, 64, 0, 1, 0),
        (4, 1, 64, 0, 37, 0),
        (8, 2, 32, 11, 70, 16),
        (6, 3, 16, 90, 5, 512),
        (3, 3, 24, 0, 160, 7),
        // Two whole steps of 32 dimensions and part of a third, three blocks of 64 keys.
        (4, 2, 80, 130, 3, 0),
    ];
    for ((heads, kv_heads, dim, pos, queries, window), kernel) in cases
        .into_iter()
        .flat_map(|c| [F32Kernel::Attention, F32Kernel::AttentionWide, F32Kernel::AttentionSplit].map(|k| (c, k)))
    {
        ops.force_attention = Some(kernel);
        let ctx_len = 160;
        let q = values(queries * heads * dim, 41);
        let k = values(ctx_len * kv_heads * dim, 42);
        let v = values(ctx_len * kv_heads * dim, 43);
        let scale = 1.0 / (dim as f32).sqrt();
        let pb = pollster::block_on(upload_f32(&ctx, &vec![0.0; attention_parts_len(heads, dim)])).unwrap();
        let (qb, kb, vb, sb, ob) = pollster::block_on(async {
            Ok::<_, ProbeError>((
                upload_f32(&ctx, &q).await?,
                upload_f32(&ctx, &k).await?,
                upload_f32(&ctx, &v).await?,
                upload_f32(&ctx, &vec![0.0; queries * heads * ctx_len]).await?,
                upload_f32(&ctx, &vec![0.0; queries * heads * dim]).await?,
            ))
        })
        .unwrap();
        let args = AttentionArgs {
            q: &qb,
            k: &kb,
            v: &vb,
            scores: &sb,
            out: &ob,
            parts: Some(&pb),
            heads: heads as u32,
            kv_heads: kv_heads as u32,
            dim: dim as u32,
            pos: pos as u32,
            queries: queries as u32,
            window: window as u32,
            ctx: ctx_len as u32,
            scale,
        };
        let got = run!(ctx, &ob, queries * heads * dim, |pass| ops.attention(&ctx, &mut pass, &args));
        let want = reference::attention_rows(&q, &k, &v, heads, kv_heads, dim, pos, window, scale);
        close(
            &got,
            &want,
            1e-4,
            &format!("{kernel:?} {heads}/{kv_heads} of {queries} queries at {pos} window {window}"),
        );
    }
}

#[test]
fn elementwise_steps_match() {
    let Some((ctx, ops)) = context() else { return };
    let n = 70_001;
    let a = values(n, 21);
    let b = values(n, 22);
    let (ab, bb, yb) = pollster::block_on(async {
        Ok::<_, ProbeError>((
            upload_f32(&ctx, &a).await?,
            upload_f32(&ctx, &b).await?,
            upload_f32(&ctx, &vec![0.0; n + 5]).await?,
        ))
    })
    .unwrap();
    type Twin<'a> = Box<dyn Fn(usize) -> f32 + 'a>;
    let cases: [(Elementwise, Twin); 4] = [
        (Elementwise::Add, Box::new(|i| a[i] + b[i])),
        (Elementwise::Scale(25.298_22), Box::new(|i| a[i] * 25.298_22)),
        (Elementwise::SiluGate, Box::new(|i| reference::silu(a[i]) * b[i])),
        (Elementwise::GeluGate, Box::new(|i| reference::gelu(a[i]) * b[i])),
    ];
    for (op, want) in cases {
        let got = run!(ctx, &yb, n, |pass| ops.elementwise(&ctx, &mut pass, op, &ab, Some(&bb), &yb, n as u32));
        let want: Vec<f32> = (0..n).map(want).collect();
        close(&got, &want, 1e-5, &format!("{op:?}"));
    }
    for len in [1usize, 77, n] {
        let got = run!(ctx, &yb, n, |pass| ops.elementwise(
            &ctx,
            &mut pass,
            Elementwise::AddRow { len: len as u32 },
            &ab,
            Some(&bb),
            &yb,
            n as u32
        ));
        close(&got, &reference::add_row(&a, &b[..len]), 1e-6, &format!("a bias of {len} added to each row"));
    }
    let got = run!(ctx, &yb, n + 5, |pass| ops.elementwise(
        &ctx,
        &mut pass,
        Elementwise::Store { offset: 5 },
        &ab,
        None,
        &yb,
        n as u32
    ));
    assert_eq!(&got[5..], &a[..], "store at an offset");
}

#[test]
fn argmax_takes_the_lowest_of_equals() {
    let Some((ctx, ops)) = context() else { return };
    for (n, peaks) in [
        (262_144usize, vec![200_000usize, 7]),
        (1, vec![0]),
        (300, vec![299, 3]),
        (128_256, vec![128_255, 4097, 4096]),
        (9_000, vec![8_999]),
    ] {
        let mut x = values(n, 31);
        for &p in &peaks {
            x[p] = 9.5;
        }
        let (xb, ob) = pollster::block_on(async {
            Ok::<_, ProbeError>((
                upload_f32(&ctx, &x).await?,
                upload_bytes(
                    &ctx,
                    &[0; 4 * ARGMAX_OUT_WORDS],
                    wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
                )
                .await?,
            ))
        })
        .unwrap();
        let got = run!(ctx, &ob, 1, |pass| ops.argmax(&ctx, &mut pass, &xb, &ob, n as u32))[0].to_bits() as usize;
        assert_eq!(got, reference::argmax(&x), "argmax of {n}");
        assert_eq!(got, *peaks.iter().min().unwrap_or(&0), "the lowest index among equals");
    }
}
