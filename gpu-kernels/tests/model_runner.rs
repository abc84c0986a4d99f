//! The whole model on the GPU against the CPU reference (`roofline_reference::transformer`) on
//! generated weights of reduced depth: a Gemma-3-shaped model (GELU, sandwich norms,
//! QK-norm, NeoX RoPE, sliding-window and global layers, scaled embedding, tied output)
//! and a Qwen2-shaped one (SiLU, Q/K/V biases, no post norms, grouped-query heads) with
//! the "normal" RoPE layout. Logits agree at every position; greedy tokens are identical.
//! The prompt processed in chunks (matrix–matrix products, causal attention over a batch)
//! gives the last position's logits that token-by-token decoding gives, within
//! 1e-5 × the largest logit: over one chunk, several chunks, a chunk that starts past
//! position 0, and prompts longer than the sliding window.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{context, generate, Rng};
use roofline_gpu::model::ops::QuantKernel;
use roofline_gpu::model::runner::GpuModel;
use roofline_gpu::model::QuantFormat;
use roofline_reference::transformer::{
    Activation, Architecture, FfnBiases, LayerWeights, Model, ModelConfig, QTensor, RopeLayout, Weights,
};

fn qtensor(name: &str, format: QuantFormat, cols: usize, rows: usize, rng: &mut Rng) -> QTensor {
    QTensor {
        name: name.into(),
        ggml_type: format.ggml_type(),
        cols,
        rows,
        data: generate(format, cols as u32, rows as u32, rng),
    }
}

fn vector(len: usize, around: f32, rng: &mut Rng) -> Vec<f32> {
    (0..len).map(|_| around + 0.2 * rng.f32_unit()).collect()
}

fn config(gemma: bool) -> ModelConfig {
    let layers = 3;
    ModelConfig {
        architecture: if gemma { Architecture::Gemma3 } else { Architecture::Qwen2 },
        n_layers: layers,
        hidden: 64,
        n_heads: 4,
        n_kv_heads: if gemma { 1 } else { 2 },
        head_dim_k: 32,
        head_dim_v: 32,
        ffn: 128,
        vocab: 300,
        rms_eps: 1e-6,
        rope_dims: 32,
        rope_layout: if gemma { RopeLayout::Neox } else { RopeLayout::Norm },
        rope_base: if gemma { 1_000_000.0 } else { 10_000.0 },
        rope_freq_scale: 1.0,
        rope_base_local: 10_000.0,
        rope_freq_scale_local: 1.0,
        sliding_window: gemma.then_some(4),
        sliding_layers: (0..layers).map(|l| gemma && l != 2).collect(),
        attention_scale: 1.0 / 32f32.sqrt(),
        attention_scale_on_query: gemma,
        embedding_scale: gemma.then_some(8.0),
        qk_norm: gemma,
        tied_output: gemma,
        activation: if gemma { Activation::GeluTanh } else { Activation::Silu },
        post_norms: gemma,
        final_logit_softcap: None,
    }
}

fn weights(c: &ModelConfig, rng: &mut Rng) -> Weights {
    let gemma = c.architecture == Architecture::Gemma3;
    let (h, q, kv, f) = (c.hidden, c.q_dim(), c.k_dim(), c.ffn);
    let layers = (0..c.n_layers)
        .map(|_| LayerWeights {
            attn_norm: vector(h, 1.0, rng),
            wq: qtensor("wq", QuantFormat::Q8_0, h, q, rng),
            wk: qtensor("wk", QuantFormat::Q4_0, h, kv, rng),
            wv: qtensor("wv", QuantFormat::Q5_0, h, kv, rng),
            wo: qtensor("wo", QuantFormat::Q5_1, q, h, rng),
            bq: (!gemma).then(|| vector(q, 0.0, rng)),
            bk: (!gemma).then(|| vector(kv, 0.0, rng)),
            bv: (!gemma).then(|| vector(kv, 0.0, rng)),
            bo: None,
            q_norm: gemma.then(|| vector(c.head_dim_k, 1.0, rng)),
            k_norm: gemma.then(|| vector(c.head_dim_k, 1.0, rng)),
            post_attn_norm: gemma.then(|| vector(h, 1.0, rng)),
            ffn_norm: vector(h, 1.0, rng),
            gate: qtensor("gate", QuantFormat::Q4_1, h, f, rng),
            up: qtensor("up", QuantFormat::F16, h, f, rng),
            down: qtensor("down", QuantFormat::Q8_0, f, h, rng),
            post_ffw_norm: gemma.then(|| vector(h, 1.0, rng)),
            ffn_biases: FfnBiases::default(),
        })
        .collect();
    // Small weights keep the activations in a range where f32 differences stay small.
    Weights {
        config: c.clone(),
        token_embd: qtensor("token_embd", if gemma { QuantFormat::Q8_0 } else { QuantFormat::F16 }, h, c.vocab, rng),
        output: (!gemma).then(|| qtensor("output", QuantFormat::F32, h, c.vocab, rng)),
        output_norm: vector(h, 1.0, rng),
        rope_freqs: None,
        layers,
    }
}

/// The Gemma-3- or Qwen2-shaped model widened to K-quant rows (multiples of 256) with the
/// Q4_K_M mix's two formats, for the wide decode kernels and their fused inputs.
fn k_quant_model(gemma: bool, rng: &mut Rng) -> Weights {
    let c = ModelConfig {
        hidden: 256,
        n_heads: 4,
        n_kv_heads: 2,
        head_dim_k: 64,
        head_dim_v: 64,
        rope_dims: 64,
        ffn: 512,
        attention_scale: 1.0 / 8.0,
        ..config(gemma)
    };
    let (h, q, kv, f) = (c.hidden, c.q_dim(), c.k_dim(), c.ffn);
    let mut w = weights(&c, rng);
    for l in &mut w.layers {
        l.wq = qtensor("wq", QuantFormat::Q4K, h, q, rng);
        l.wk = qtensor("wk", QuantFormat::Q4K, h, kv, rng);
        l.wv = qtensor("wv", QuantFormat::Q6K, h, kv, rng);
        l.wo = qtensor("wo", QuantFormat::Q4K, q, h, rng);
        l.gate = qtensor("gate", QuantFormat::Q4K, h, f, rng);
        l.up = qtensor("up", QuantFormat::Q4K, h, f, rng);
        l.down = qtensor("down", QuantFormat::Q6K, f, h, rng);
    }
    if gemma {
        w.token_embd = qtensor("token_embd", QuantFormat::Q6K, h, c.vocab, rng);
    } else {
        w.output = Some(qtensor("output", QuantFormat::Q6K, h, c.vocab, rng));
    }
    w
}

fn compare(gemma: bool) {
    let mut rng = Rng(if gemma { 3 } else { 5 });
    let w = weights(&config(gemma), &mut rng);
    compare_weights(w, None);
}

/// Logits at every position of a prompt and the greedy tokens after it, GPU against CPU,
/// with the adapter's decode kernel or `kernel`.
fn compare_weights(w: Weights, kernel: Option<QuantKernel>) {
    let Some(ctx) = context() else { return };
    let c = w.config.clone();
    let mut cpu = Model::new(w.clone()).unwrap_or_else(|e| panic!("{e}"));
    let mut gpu = pollster::block_on(GpuModel::load(&ctx, &w, 64, &mut |_| {})).unwrap_or_else(|e| panic!("{e}"));
    if let Some(kernel) = kernel {
        pollster::block_on(gpu.use_matvec_kernel(&ctx, kernel)).unwrap_or_else(|e| panic!("{e}"));
    }
    let prompt: Vec<u32> = vec![2, 17, 250, 3, 99, 42, 7, 7, 180, 5];
    let mut kv = cpu.new_cache();
    let mut worst = 0f32;
    for (pos, &t) in prompt.iter().enumerate() {
        let want = cpu.forward(t, pos, &mut kv).unwrap_or_else(|e| panic!("{e}"));
        let got = pollster::block_on(gpu.logits(&ctx, t, pos as u32)).unwrap_or_else(|e| panic!("{e}"));
        let scale = want.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-6);
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            let err = (g - w).abs() / scale;
            worst = worst.max(err);
            assert!(err < 1e-3, "{} pos {pos} logit {i}: GPU {g} CPU {w}", c.architecture.name());
        }
    }
    let cpu_tokens = cpu.generate(&prompt, 12).unwrap_or_else(|e| panic!("{e}"));
    let gpu_run =
        pollster::block_on(gpu.generate(&ctx, &prompt, 12, &mut |_| {}, &|| false)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(gpu_run.tokens, cpu_tokens, "{}: greedy tokens", c.architecture.name());
    // Later steps reuse the first step's bind groups: one per dispatch, none added.
    let kept = gpu.kept_bind_groups();
    assert!(kept.0 > c.n_layers, "{}: decode bind groups kept: {kept:?}", c.architecture.name());
    pollster::block_on(gpu.logits(&ctx, 7, 30)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(gpu.kept_bind_groups(), kept, "{}: a later step made new bind groups", c.architecture.name());
    eprintln!("{}: worst relative logit difference {worst:.2e}", c.architecture.name());
}

#[test]
fn gemma3_shaped_model_matches_the_cpu() {
    compare(true);
}

#[test]
fn qwen2_shaped_model_matches_the_cpu() {
    compare(false);
}

/// The wide Q4_K/Q6_K decode kernels, with the layer norms, the output norm and the
/// feed-forward gate computed in the products' dispatches, against the CPU (any adapter).
#[test]
fn wide_kernels_with_fused_norms_match_the_cpu() {
    for (gemma, kernel) in [
        (false, QuantKernel::MatvecWide),
        (true, QuantKernel::MatvecWide8),
        (true, QuantKernel::MatvecCoalesced),
        (false, QuantKernel::MatvecCoalesced8),
    ] {
        let w = k_quant_model(gemma, &mut Rng(17));
        compare_weights(w, Some(kernel));
    }
}

/// The prompt in chunks against one token at a time; with `kernel`, the prompt's products
/// run on it instead of the adapter's choice.
fn prefill_matches_decoding(gemma: bool, kernel: Option<QuantKernel>) {
    let Some(ctx) = context() else { return };
    let mut rng = Rng(if gemma { 11 } else { 13 });
    let c = config(gemma);
    let w = weights(&c, &mut rng);
    let mut gpu = pollster::block_on(GpuModel::load(&ctx, &w, 64, &mut |_| {})).unwrap_or_else(|e| panic!("{e}"));
    if let Some(kernel) = kernel {
        pollster::block_on(gpu.use_matmul_kernel(&ctx, kernel)).unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(gpu.prefill_chunk_tokens(), 64, "the chunk is bounded by the context");
    let prompt: Vec<u32> = (0..45).map(|_| (rng.next() % c.vocab as u64) as u32).collect();
    let name = format!("{} ({kernel:?})", c.architecture.name());
    let decoded = pollster::block_on(async {
        let mut last = Vec::new();
        for (pos, &t) in prompt.iter().enumerate() {
            last = gpu.logits(&ctx, t, pos as u32).await?;
        }
        Ok::<_, roofline_gpu::ProbeError>(last)
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let scale = decoded.iter().fold(0f32, |m, v| m.max(v.abs())).max(1.0);
    let check = |got: &[f32], what: &str| {
        let worst = got.iter().zip(&decoded).map(|(g, d)| (g - d).abs() / scale).fold(0f32, f32::max);
        eprintln!("{name}, {what}: worst relative difference from decoding {worst:.2e}");
        assert!(worst <= 1e-5, "{name}, {what}: prefill logits differ from decoding by {worst:.2e} of the largest");
    };
    // One chunk of 45 (the whole prompt), then chunks of 16 (16 + 16 + 13).
    let one = pollster::block_on(gpu.prefill_logits(&ctx, &prompt, 0)).unwrap_or_else(|e| panic!("{e}"));
    check(&one, "one chunk");
    gpu.set_prefill_chunk_tokens(16);
    let three = pollster::block_on(gpu.prefill_logits(&ctx, &prompt, 0)).unwrap_or_else(|e| panic!("{e}"));
    check(&three, "chunks of 16");
    // A prompt continued from position 20 over the cache the first 20 left, in chunks of 7.
    gpu.set_prefill_chunk_tokens(7);
    let continued = pollster::block_on(async {
        gpu.prefill_logits(&ctx, &prompt[..20], 0).await?;
        gpu.prefill_logits(&ctx, &prompt[20..], 20).await
    })
    .unwrap_or_else(|e| panic!("{e}"));
    check(&continued, "20 tokens, then 25 from position 20 in chunks of 7");
    // Greedy tokens after a chunked prompt equal the CPU reference's.
    let mut cpu = Model::new(w.clone()).unwrap_or_else(|e| panic!("{e}"));
    let cpu_tokens = cpu.generate(&prompt, 6).unwrap_or_else(|e| panic!("{e}"));
    let run =
        pollster::block_on(gpu.generate(&ctx, &prompt, 6, &mut |_| {}, &|| false)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run.tokens, cpu_tokens, "{name}: greedy tokens after a chunked prompt");
    // Past the context: refused, not run.
    let long: Vec<u32> = vec![1; 65];
    assert!(pollster::block_on(gpu.prefill_logits(&ctx, &long, 0)).is_err(), "a prompt past the context");
}

#[test]
fn gemma3_shaped_prefill_matches_decoding() {
    prefill_matches_decoding(true, None);
    prefill_matches_decoding(true, Some(QuantKernel::Matmul));
}

#[test]
fn qwen2_shaped_prefill_matches_decoding() {
    prefill_matches_decoding(false, None);
    prefill_matches_decoding(false, Some(QuantKernel::Matmul64));
}

/// Where the adapter has `shader-f16`: the prompt with f16 weight tiles stays within f16
/// rounding of the f32 path (2e-3 of the largest logit).
#[test]
fn prefill_with_f16_weight_tiles_stays_close() {
    let Some(ctx) = context() else { return };
    let mut rng = Rng(17);
    let c = config(true);
    let w = weights(&c, &mut rng);
    let mut gpu = pollster::block_on(GpuModel::load(&ctx, &w, 64, &mut |_| {})).unwrap_or_else(|e| panic!("{e}"));
    let prompt: Vec<u32> = (0..40).map(|_| (rng.next() % c.vocab as u64) as u32).collect();
    let f32_path = pollster::block_on(gpu.prefill_logits(&ctx, &prompt, 0)).unwrap_or_else(|e| panic!("{e}"));
    let enabled = pollster::block_on(gpu.force_f16_weight_tiles(&ctx)).unwrap_or_else(|e| panic!("{e}"));
    if !enabled {
        eprintln!("skipped: {} has no shader-f16", ctx.adapter.name);
        return;
    }
    let f16_path = pollster::block_on(gpu.prefill_logits(&ctx, &prompt, 0)).unwrap_or_else(|e| panic!("{e}"));
    let scale = f32_path.iter().fold(0f32, |m, v| m.max(v.abs())).max(1.0);
    let worst = f16_path.iter().zip(&f32_path).map(|(a, b)| (a - b).abs() / scale).fold(0f32, f32::max);
    eprintln!("f16 weight tiles: worst relative difference from the f32 path {worst:.2e}");
    assert!(worst <= 2e-3, "f16 weight tiles moved the logits by {worst:.2e} of the largest");
}
