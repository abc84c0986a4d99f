//! The CPU reference forward pass: its operations against hand computation, tiny generated
//! models of each architecture against an independent f64 recomputation, the errors, and —
//! when `ROOFLINE_GEMMA_GGUF` names Gemma 3 270M Q4_K_M — greedy generation against
//! llama.cpp's (`fixtures/llama_cpp/gemma-3-270m-q4_k_m.json`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../gguf/tests/gguf_writer/mod.rs"]
mod gguf_writer;
mod transformer_support;

use gguf_writer::{u32v, W};
use roofline_gguf::Value;
use roofline_reference::transformer::ops::{attends, dot, gelu_tanh, rms_norm, rope, silu, softmax, visible_positions};
use roofline_reference::transformer::{
    argmax, Activation, Architecture, Model, ModelConfig, Part, Prefetched, RopeLayout, TensorSource, TransformerError,
    Weights,
};
use transformer_support::{build_file, norm, reference_logits, rope_ref, Tiny};

fn close(got: f32, want: f64, tol: f64) -> bool {
    (f64::from(got) - want).abs() <= tol * (1.0 + want.abs())
}

#[test]
fn rope_norm_pairs_adjacent_elements() {
    let x: Vec<f32> = (1..=8).map(|i| i as f32 * 0.25).collect();
    for pos in [0, 1, 3, 17] {
        let mut got = x.clone();
        rope(&mut got, pos, 8, RopeLayout::Norm, 100.0, 1.0, None);
        // By hand: pair (2i, 2i+1) turns by pos · 100^(−2i/8).
        let mut want: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
        for i in 0..4 {
            let a = pos as f64 * 100f64.powf(-2.0 * i as f64 / 8.0);
            let (x0, x1) = (want[2 * i], want[2 * i + 1]);
            want[2 * i] = x0 * a.cos() - x1 * a.sin();
            want[2 * i + 1] = x0 * a.sin() + x1 * a.cos();
        }
        for (g, w) in got.iter().zip(&want) {
            assert!(close(*g, *w, 1e-5), "pos {pos}: {got:?} vs {want:?}");
        }
    }
}

#[test]
fn rope_neox_pairs_halves() {
    let x: Vec<f32> = (1..=8).map(|i| i as f32 * 0.25).collect();
    let mut got = x.clone();
    rope(&mut got, 5, 8, RopeLayout::Neox, 10_000.0, 1.0, None);
    let mut want: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    for i in 0..4 {
        let a = 5.0 * 10_000f64.powf(-2.0 * i as f64 / 8.0);
        let (x0, x1) = (want[i], want[i + 4]);
        want[i] = x0 * a.cos() - x1 * a.sin();
        want[i + 4] = x0 * a.sin() + x1 * a.cos();
    }
    for (g, w) in got.iter().zip(&want) {
        assert!(close(*g, *w, 1e-5), "{got:?} vs {want:?}");
    }
    // The two layouts differ, and both agree with the test's own reference.
    let mut norm_layout = x.clone();
    rope(&mut norm_layout, 5, 8, RopeLayout::Norm, 10_000.0, 1.0, None);
    assert_ne!(norm_layout, got);
    let mut r: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    rope_ref(&mut r, 5, 10_000.0, true, None);
    assert!(norm_layout.iter().zip(&r).all(|(g, w)| close(*g, *w, 1e-5)));
}

#[test]
fn rope_partial_scaled_and_with_factors() {
    let x: Vec<f32> = (1..=8).map(|i| i as f32).collect();
    // Only the first 4 elements turn; NEOX pairs (0, 2) and (1, 3).
    let mut partial = x.clone();
    rope(&mut partial, 3, 4, RopeLayout::Neox, 10_000.0, 1.0, None);
    assert_eq!(partial[4..], x[4..]);
    let a1 = 3.0 * 10_000f64.powf(-0.5);
    assert!(close(partial[1], 2.0 * a1.cos() - 4.0 * a1.sin(), 1e-5));
    // A position scale of 1/2 at position 4 is position 2; a frequency factor of 2 too.
    let (mut half, mut two, mut factor) = (x.clone(), x.clone(), x.clone());
    rope(&mut half, 4, 8, RopeLayout::Norm, 500.0, 0.5, None);
    rope(&mut two, 2, 8, RopeLayout::Norm, 500.0, 1.0, None);
    rope(&mut factor, 4, 8, RopeLayout::Norm, 500.0, 1.0, Some(&[2.0; 4]));
    for ((h, t), f) in half.iter().zip(&two).zip(&factor) {
        assert!((h - t).abs() < 1e-5 && (f - t).abs() < 1e-5, "{half:?} {two:?} {factor:?}");
    }
}

#[test]
fn rms_norm_matches_hand_computation() {
    let x = [0.5f32, -1.25, 3.0, 0.0, 2.5];
    let w = [1.0f32, 0.5, 2.0, 3.0, -1.0];
    let mut got = x;
    rms_norm(&mut got, &w, 1e-6);
    let xf: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    let wf: Vec<f64> = w.iter().map(|&v| f64::from(v)).collect();
    let want = norm(&xf, &wf, 1e-6);
    assert!(got.iter().zip(&want).all(|(g, w)| close(*g, *w, 1e-6)), "{got:?} vs {want:?}");
    let mut zeros = [0.0f32; 4];
    rms_norm(&mut zeros, &[1.0; 4], 1e-6);
    assert_eq!(zeros, [0.0; 4]);
}

#[test]
fn elementwise_ops() {
    let mut p = [1.0f32, 2.0, 3.0, f32::NEG_INFINITY];
    softmax(&mut p);
    let e: Vec<f64> = [1.0f64, 2.0, 3.0].iter().map(|v| (v - 3.0f64).exp()).collect();
    let sum: f64 = e.iter().sum();
    assert!(p[..3].iter().zip(&e).all(|(g, w)| close(*g, w / sum, 1e-6)) && p[3] == 0.0);
    for x in [-12.0f32, -3.0, -0.5, 0.0, 0.7, 2.0, 11.0] {
        let xf = f64::from(x);
        let gelu = 0.5 * xf * (1.0 + ((2.0 / std::f64::consts::PI).sqrt() * (xf + 0.044715 * xf.powi(3))).tanh());
        assert!(close(gelu_tanh(x), gelu, 1e-6), "gelu({x})");
        assert!(close(silu(x), xf / (1.0 + (-xf).exp()), 1e-6), "silu({x})");
    }
    let a: Vec<f32> = (0..37).map(|i| (i as f32 * 0.37).sin()).collect();
    let b: Vec<f32> = (0..37).map(|i| (i as f32 * 0.11).cos()).collect();
    let want: f64 = a.iter().zip(&b).map(|(x, y)| f64::from(*x) * f64::from(*y)).sum();
    assert!(close(dot(&a, &b), want, 1e-6));
    assert_eq!(argmax(&[0.5, 2.0, -1.0, 2.0]), Some(1));
    assert_eq!(argmax(&[f32::NEG_INFINITY; 3]), Some(0));
}

#[test]
fn attention_mask_is_causal_with_an_inclusive_window() {
    for window in [None, Some(0), Some(1), Some(2), Some(3), Some(512)] {
        for q in 0..12 {
            let seen: Vec<usize> = (0..20).filter(|&k| attends(q, k, window)).collect();
            let range: Vec<usize> = visible_positions(q, window).collect();
            assert_eq!(seen, range, "query {q}, window {window:?}");
            let expected = window.map_or(q + 1, |w| w.min(q + 1));
            assert_eq!(seen.len(), expected, "query {q}, window {window:?}");
            assert!(seen.iter().all(|&k| k <= q));
        }
    }
    // Window 3 at position 5: positions 3, 4, 5.
    assert_eq!(visible_positions(5, Some(3)), 3..=5);
}

/// Runs `tokens` through a tiny model and compares every position's logits with the
/// reference's.
fn check_tiny(m: &Tiny, seed: u64, tokens: &[u32]) -> Vec<Vec<f32>> {
    let (bytes, header, values) = m.build(seed);
    let mut model = Model::load(&header, &bytes).unwrap();
    let mut kv = model.new_cache();
    let mut all = Vec::new();
    for (pos, &tok) in tokens.iter().enumerate() {
        let logits = model.forward(tok, pos, &mut kv).unwrap();
        let want = reference_logits(m, &values, &tokens[..=pos]);
        assert_eq!(logits.len(), m.vocab);
        for (i, (g, w)) in logits.iter().zip(&want).enumerate() {
            assert!(close(*g, *w, 1e-4), "{} pos {pos} logit {i}: {g} vs {w}", m.arch);
        }
        all.push(logits);
    }
    assert_eq!(kv.len(), tokens.len());
    all
}

const TOKENS: [u32; 9] = [1, 7, 3, 19, 0, 12, 12, 5, 8];

#[test]
fn tiny_llama_matches_the_reference() {
    let m = Tiny::llama();
    let c = ModelConfig::from_gguf(&m.build(1).1).unwrap();
    assert_eq!(
        (c.architecture, c.rope_layout, c.activation),
        (Architecture::Llama, RopeLayout::Norm, Activation::Silu)
    );
    // Grouped-query attention: 4 query heads on 2 KV heads, heads 0–1 on KV head 0.
    assert_eq!((c.n_heads, c.n_kv_heads, c.group_size()), (4, 2, 2));
    assert!(!c.tied_output && !c.qk_norm && c.embedding_scale.is_none());
    check_tiny(&m, 1, &TOKENS);
}

#[test]
fn tiny_qwen2_matches_the_reference() {
    let m = Tiny::qwen2();
    let (_, header, _) = m.build(2);
    let c = ModelConfig::from_gguf(&header).unwrap();
    assert_eq!((c.rope_layout, c.tied_output), (RopeLayout::Neox, true));
    check_tiny(&m, 2, &TOKENS);
}

#[test]
fn tiny_qwen3_matches_the_reference() {
    let m = Tiny::qwen3();
    let c = ModelConfig::from_gguf(&m.build(3).1).unwrap();
    assert!(c.qk_norm);
    assert_eq!((c.group_size(), c.head_dim_k, c.q_dim()), (4, 8, 32));
    check_tiny(&m, 3, &TOKENS);
}

#[test]
fn tiny_gemma3_matches_the_reference_with_its_window() {
    let m = Tiny::gemma3(Some(3));
    let c = ModelConfig::from_gguf(&m.build(4).1).unwrap();
    assert_eq!(c.sliding_layers, [true, true, true, true, true, false, true]);
    assert_eq!((c.rope_for_layer(0), c.rope_for_layer(5)), ((10_000.0, 1.0), (50_000.0, 1.0)));
    assert_eq!(c.embedding_scale, Some(4.0));
    assert_eq!(c.attention_scale, 1.0 / 8f32.sqrt());
    assert!(c.post_norms && c.qk_norm && c.attention_scale_on_query && c.final_logit_softcap.is_none());
    let windowed = check_tiny(&m, 4, &TOKENS);
    // The window matters: with one wider than the sequence, the first three positions come
    // out the same and the last differently.
    let wide = check_tiny(&Tiny::gemma3(Some(512)), 4, &TOKENS);
    assert_eq!(windowed[..3], wide[..3]);
    assert_ne!(windowed[8], wide[8]);
}

#[test]
fn gemma3_layer_pattern_rope_base_and_softcap_come_from_metadata() {
    let m = Tiny::gemma3(Some(4));
    let config = |extra: Vec<(&str, W)>| {
        let mut kv = m.metadata();
        kv.extend(extra.into_iter().map(|(k, v)| (k.to_owned(), v)));
        ModelConfig::from_gguf(&build_file(kv, m.tensors(), 9).1).unwrap()
    };
    let c = config(vec![
        ("gemma3.attention.sliding_window_pattern", u32v(3)),
        ("gemma3.rope.freq_base_swa", W::V(Value::F32(20_000.0))),
        ("gemma3.final_logit_softcapping", W::V(Value::F32(30.0))),
    ]);
    assert_eq!(c.sliding_layers, [true, true, false, true, true, false, true]);
    assert_eq!((c.rope_for_layer(0), c.rope_for_layer(2)), ((20_000.0, 1.0), (50_000.0, 1.0)));
    assert_eq!(c.final_logit_softcap, Some(30.0));
    let bools = |b: &[bool]| W::Arr(roofline_gguf::ValueType::Bool, b.iter().map(|&x| W::V(Value::Bool(x))).collect());
    let pattern = [false, true, true, false, true, true, true];
    let c = config(vec![("gemma3.attention.sliding_window_pattern", bools(&pattern))]);
    assert_eq!(c.sliding_layers, pattern);
    // No window (or 0): every layer global, one RoPE base.
    let c = ModelConfig::from_gguf(&Tiny::gemma3(Some(0)).build(9).1).unwrap();
    assert_eq!((c.sliding_window, c.sliding_layers.iter().any(|&s| s)), (None, false));
    assert_eq!(c.rope_for_layer(0), (50_000.0, 1.0));
}

#[test]
fn generate_is_greedy_over_forward() {
    let m = Tiny::qwen3();
    let (bytes, header, _) = m.build(5);
    let mut model = Model::load(&header, &bytes).unwrap();
    let generated = model.generate(&[1, 2, 3], 6).unwrap();
    let mut kv = model.new_cache();
    let mut tokens = vec![1u32, 2, 3];
    let mut logits = Vec::new();
    for (pos, &tok) in tokens.clone().iter().enumerate() {
        logits = model.forward(tok, pos, &mut kv).unwrap();
    }
    for _ in 0..6 {
        let next = argmax(&logits).unwrap();
        tokens.push(next);
        logits = model.forward(next, tokens.len() - 1, &mut kv).unwrap();
    }
    assert_eq!(generated, tokens[3..]);
    assert_eq!(model.generate(&[], 3), Err(TransformerError::EmptyPrompt));
}

#[test]
fn forward_rejects_bad_input() {
    let m = Tiny::llama();
    let (bytes, header, _) = m.build(6);
    let mut model = Model::load(&header, &bytes).unwrap();
    let mut kv = model.new_cache();
    assert_eq!(model.forward(20, 0, &mut kv), Err(TransformerError::TokenOutOfRange { token: 20, vocab: 20 }));
    assert_eq!(model.forward(1, 1, &mut kv), Err(TransformerError::PositionMismatch { pos: 1, cached: 0 }));
    let mut other = ModelConfig::from_gguf(&Tiny::qwen3().build(6).1).unwrap();
    other.n_layers = 5;
    let mut wrong = roofline_reference::transformer::KvCache::new(&other);
    assert_eq!(model.forward(1, 0, &mut wrong), Err(TransformerError::CacheMismatch));
    assert!(model.forward(1, 0, &mut kv).is_ok());
    kv.clear();
    assert!(kv.is_empty() && model.forward(2, 0, &mut kv).is_ok());
}

/// A tiny model's metadata with `key` replaced (or removed when `value` is `None`).
fn with_key(m: &Tiny, key: &str, value: Option<W>) -> Vec<(String, W)> {
    let mut kv: Vec<(String, W)> = m.metadata().into_iter().filter(|(k, _)| k != key).collect();
    if let Some(v) = value {
        kv.push((key.to_owned(), v));
    }
    kv
}

#[test]
fn config_reads_llama_cpp_defaults_and_refuses_what_it_cannot_run() {
    let m = Tiny::llama();
    let config = |kv: Vec<(String, W)>| ModelConfig::from_gguf(&build_file(kv, m.tensors(), 7).1);
    // KV heads default to the query heads; RoPE width to the key width; base to 10 000.
    let c = config(with_key(&m, "llama.attention.head_count_kv", None)).unwrap();
    assert_eq!((c.n_kv_heads, c.rope_dims), (4, 4));
    let c = config(with_key(&m, "llama.rope.freq_base", None)).unwrap();
    assert_eq!(c.rope_base, 10_000.0);
    let c = config(with_key(&m, "llama.rope.scaling.factor", Some(W::V(Value::F32(4.0))))).unwrap();
    assert_eq!(c.rope_freq_scale, 0.25);
    assert!(matches!(
        config(with_key(&m, "llama.rope.scaling.type", Some(gguf_writer::s("yarn")))),
        Err(TransformerError::UnsupportedRopeScaling { .. })
    ));
    assert!(matches!(
        config(with_key(&m, "llama.block_count", None)),
        Err(TransformerError::MissingMetadata { key }) if key == "llama.block_count"
    ));
    assert!(matches!(
        config(with_key(&m, "llama.attention.head_count_kv", Some(u32v(3)))),
        Err(TransformerError::BadMetadata { .. })
    ));
    assert!(matches!(
        config(with_key(&m, "general.architecture", Some(gguf_writer::s("mamba")))),
        Err(TransformerError::UnsupportedArchitecture { architecture }) if architecture == "mamba"
    ));
}

#[test]
fn loading_checks_tensors() {
    let m = Tiny::llama();
    let (bytes, header, _) = m.build(8);
    // Missing, misshapen, unknown and unreadable tensors.
    let mut tensors = m.tensors();
    tensors.retain(|t| t.0 != "blk.1.ffn_up.weight");
    let (b, h, _) = build_file(m.metadata(), tensors, 8);
    assert!(
        matches!(Model::load(&h, &b), Err(TransformerError::MissingTensor { name }) if name == "blk.1.ffn_up.weight")
    );
    let mut tensors = m.tensors();
    tensors.iter_mut().filter(|t| t.0 == "blk.0.attn_k.weight").for_each(|t| t.1 = vec![16, 12]);
    let (b, h, _) = build_file(m.metadata(), tensors, 8);
    assert!(matches!(Model::load(&h, &b), Err(TransformerError::BadShape { .. })));
    let mut tensors = m.tensors();
    tensors.push(gguf_writer::t("blk.0.layer_output_scale.weight", &[1], gguf_writer::F32));
    let (b, h, _) = build_file(m.metadata(), tensors, 8);
    assert!(matches!(Model::load(&h, &b), Err(TransformerError::UnusedTensor { .. })));
    let short: &[u8] = &bytes[..bytes.len() - 10];
    assert!(matches!(Model::load(&header, &short), Err(TransformerError::Read { .. })));
    // Hand-assembled weights are checked too.
    let mut w = Weights::load(&header, &bytes).unwrap();
    w.layers[0].ffn_norm.pop();
    assert!(matches!(Model::new(w), Err(TransformerError::BadShape { .. })));
}

#[test]
fn loading_part_by_part_from_prefetched_ranges_equals_loading_at_once() {
    let m = Tiny::gemma3(Some(4));
    let (bytes, header, _) = m.build(8);
    let whole = Weights::load(&header, &bytes).unwrap();
    let read = |part: Part| {
        let mut p = Prefetched::default();
        for (offset, len) in Weights::ranges(&header, part) {
            p.insert(offset, bytes[offset as usize..(offset + len) as usize].to_vec());
        }
        p
    };
    let mut parts = Weights::load_globals(&header, &read(Part::Globals)).unwrap();
    assert!(parts.layers.is_empty());
    for i in 0..parts.config.n_layers {
        let layer = Weights::load_layer(&header, &read(Part::Layer(i)), &parts.config, i).unwrap();
        parts.layers.push(layer);
    }
    assert_eq!(parts, whole);
    // A part's source does not answer for another part, and says which bytes it lacks.
    let err = Weights::load_layer(&header, &read(Part::Layer(0)), &parts.config, 1).unwrap_err();
    assert!(err.to_string().contains("not read beforehand"), "{err}");
    // A block beyond the layer count is refused with the globals.
    let mut tensors = m.tensors();
    tensors.push(gguf_writer::t("blk.99.attn_norm.weight", &[16], gguf_writer::F32));
    let (b, h, _) = build_file(m.metadata(), tensors, 8);
    assert!(
        matches!(Weights::load_globals(&h, &b), Err(TransformerError::UnusedTensor { name, .. }) if name == "blk.99.attn_norm.weight")
    );
}

#[test]
fn tensor_source_reads_ranges() {
    let file: Vec<u8> = (0..10).collect();
    assert_eq!(file.read(3, 4).unwrap(), [3, 4, 5, 6]);
    assert_eq!(file.read(10, 0).unwrap(), Vec::<u8>::new());
    assert!(file.read(8, 3).is_err() && file.read(u64::MAX, 1).is_err());
}

/// Largest difference allowed between our first-step logits and llama.cpp's on the
/// dequantized weights (observed: 0.006).
const F32_LOGIT_TOLERANCE: f32 = 0.02;
/// Largest difference allowed from llama.cpp's usual run on the quantized weights, whose
/// 8-bit activations move Gemma 3's logits by up to ~1 (observed: 0.9).
const Q8_LOGIT_TOLERANCE: f32 = 1.5;

/// Gemma 3 270M Q4_K_M against llama.cpp, given `ROOFLINE_GEMMA_GGUF` (run it in release):
/// on every fixture prompt, the 32 greedy tokens equal llama.cpp's run on the dequantized
/// weights exactly and the first step's top-10 logits match closely; against llama.cpp's
/// usual run (8-bit activations, f16 cache) the logits stay within its rounding noise and
/// the first token agrees wherever ours leads by more than that noise.
#[test]
fn gemma3_270m_matches_llama_cpp() {
    let Some(path) = std::env::var_os("ROOFLINE_GEMMA_GGUF") else {
        println!("skipped: set ROOFLINE_GEMMA_GGUF to the Gemma 3 270M Q4_K_M file to run it");
        return;
    };
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/llama_cpp");
    let f32_cases = transformer_support::llama_cpp::cases(&fixtures.join("gemma-3-270m-q4_k_m.f32.json"));
    let q8_cases = transformer_support::llama_cpp::cases(&fixtures.join("gemma-3-270m-q4_k_m.json"));
    assert_eq!(f32_cases.len(), q8_cases.len());
    let source = transformer_support::gguf_file::FileSource::open(std::path::Path::new(&path)).unwrap();
    let mut model = Model::load(&source.header().unwrap(), &source).unwrap();
    let (mut f32_diff, mut q8_diff, mut steps, mut seconds) = (0f32, 0f32, 0usize, 0f64);
    let mut failures = Vec::new();
    for (f32_case, q8_case) in f32_cases.iter().zip(&q8_cases) {
        assert_eq!(f32_case.prompt_tokens, q8_case.prompt_tokens);
        let prompt = &f32_case.prompt;
        let mut kv = model.new_cache();
        let mut logits = Vec::new();
        for (pos, &tok) in f32_case.prompt_tokens.iter().enumerate() {
            logits = model.forward(tok, pos, &mut kv).unwrap();
        }
        let diff = |case: &transformer_support::llama_cpp::Case| {
            case.top_logits.iter().map(|&(id, want)| (logits[id as usize] - want).abs()).fold(0f32, f32::max)
        };
        let (d32, d8) = (diff(f32_case), diff(q8_case));
        (f32_diff, q8_diff) = (f32_diff.max(d32), q8_diff.max(d8));
        let mut sorted = logits.clone();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let lead = sorted[0] - sorted[1];

        let start = std::time::Instant::now();
        let tokens = model.generate(&f32_case.prompt_tokens, f32_case.tokens.len()).unwrap();
        seconds += start.elapsed().as_secs_f64();
        steps += f32_case.prompt_tokens.len() + tokens.len() - 1;
        let agree = |theirs: &[u32]| tokens.iter().zip(theirs).take_while(|(a, b)| a == b).count();
        println!(
            "{prompt:?}: {}/32 tokens as llama.cpp f32 (top-10 logits within {d32:.4}), {}/32 as llama.cpp Q8 (within {d8:.3}); lead {lead:.2}",
            agree(&f32_case.tokens),
            agree(&q8_case.tokens),
        );
        if tokens != f32_case.tokens {
            failures.push(format!("{prompt:?}: tokens {tokens:?}, llama.cpp f32 {:?}", f32_case.tokens));
        }
        if lead > Q8_LOGIT_TOLERANCE && tokens.first() != q8_case.tokens.first() {
            failures.push(format!("{prompt:?}: first token {:?}, llama.cpp Q8 {:?}", tokens[0], q8_case.tokens[0]));
        }
    }
    println!(
        "top-10 logits: max |difference| {f32_diff:.4} from llama.cpp f32, {q8_diff:.3} from llama.cpp Q8; {:.1} tokens/s",
        steps as f64 / seconds
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(f32_diff <= F32_LOGIT_TOLERANCE, "first-step logits differ from llama.cpp f32 by {f32_diff}");
    assert!(q8_diff <= Q8_LOGIT_TOLERANCE, "first-step logits differ from llama.cpp Q8 by {q8_diff}");
}
