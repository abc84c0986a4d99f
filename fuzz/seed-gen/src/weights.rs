//! Seeds of the `weights` target: whole GGUF files of tiny models, one per architecture the
//! reference transformer runs, in F32, F16 and the quantized types it dequantizes, each
//! checked to load; and two that are refused (a cut file, a tensor of a type it cannot
//! dequantize).

use crate::gguf_writer::{s, t, u32v, Gguf, W};
use crate::{corpus, write};
use roofline_gguf::{parse_header, Value};
use roofline_reference::transformer::{Model, TransformerError, Weights};

const F32: u32 = 0;
const F16: u32 = 1;
const Q4_0: u32 = 2;
const Q4_1: u32 = 3;
const Q5_0: u32 = 6;
const Q5_1: u32 = 7;
const Q8_0: u32 = 8;
const Q2_K: u32 = 10;
const Q4_K: u32 = 12;
const Q5_K: u32 = 13;
const Q6_K: u32 = 14;
const BF16: u32 = 30;

/// A tiny model: architecture, layers, hidden width, query heads, KV heads, head width,
/// feed-forward width, vocabulary.
struct Shape(&'static str, u64, u64, u64, u64, u64, u64, u64);

impl Shape {
    fn metadata(&self, extra: Vec<(&str, W)>) -> Vec<(String, W)> {
        let Shape(arch, layers, hidden, heads, kv_heads, head_dim, ffn, _) = *self;
        let k = |suffix: &str| format!("{arch}.{suffix}");
        let n = |x: u64| u32v(u32::try_from(x).unwrap());
        let mut kv = vec![
            ("general.architecture".to_owned(), s(arch)),
            (k("block_count"), n(layers)),
            (k("embedding_length"), n(hidden)),
            (k("feed_forward_length"), n(ffn)),
            (k("attention.head_count"), n(heads)),
            (k("attention.head_count_kv"), n(kv_heads)),
            (k("attention.key_length"), n(head_dim)),
            (k("attention.value_length"), n(head_dim)),
            (k("attention.layer_norm_rms_epsilon"), W::V(Value::F32(1e-6))),
            (k("rope.freq_base"), W::V(Value::F32(10_000.0))),
        ];
        kv.extend(extra.into_iter().map(|(key, w)| (k(key), w)));
        kv
    }

    /// The tensors the architecture reads; `ty` gives each matrix's type (vectors are F32).
    fn tensors(&self, ty: impl Fn(&str) -> u32) -> Vec<(String, Vec<u64>, u32)> {
        let Shape(arch, layers, d, heads, kv_heads, hd, f, v) = *self;
        let (q, kv) = (heads * hd, kv_heads * hd);
        let (qwen2, qk_norm, gemma) = (arch == "qwen2", arch == "qwen3" || arch == "gemma3", arch == "gemma3");
        let mut out = vec![t("token_embd.weight", &[d, v], ty("token_embd")), t("output_norm.weight", &[d], F32)];
        if arch == "llama" {
            out.push(t("output.weight", &[d, v], ty("output")));
            out.push(t("rope_freqs.weight", &[hd / 2], F32));
        }
        for l in 0..layers {
            let b = |name: &str| format!("blk.{l}.{name}");
            let m = |name: &str, dims: &[u64]| t(&b(&format!("{name}.weight")), dims, ty(name));
            out.extend([m("attn_q", &[d, q]), m("attn_k", &[d, kv]), m("attn_v", &[d, kv]), m("attn_output", &[q, d])]);
            out.extend([m("ffn_gate", &[d, f]), m("ffn_up", &[d, f]), m("ffn_down", &[f, d])]);
            out.extend([t(&b("attn_norm.weight"), &[d], F32), t(&b("ffn_norm.weight"), &[d], F32)]);
            if qwen2 {
                out.extend([t(&b("attn_q.bias"), &[q], F32), t(&b("attn_k.bias"), &[kv], F32)]);
                out.push(t(&b("attn_v.bias"), &[kv], F32));
            }
            if qk_norm {
                out.extend([t(&b("attn_q_norm.weight"), &[hd], F32), t(&b("attn_k_norm.weight"), &[hd], F32)]);
            }
            if gemma {
                out.push(t(&b("post_attention_norm.weight"), &[d], F32));
                out.push(t(&b("post_ffw_norm.weight"), &[d], F32));
            }
            if arch == "llama" {
                out.extend([t(&b("ffn_gate.bias"), &[f], F32), t(&b("ffn_up.bias"), &[f], F32)]);
                out.push(t(&b("ffn_down.bias"), &[d], F32));
            }
        }
        out
    }
}

/// The file with every tensor's data filled: F32 values in [-0.5, 0.5), other types
/// pseudo-random bytes (scales included: loading does not look at values).
fn file(kv: Vec<(String, W)>, tensors: Vec<(String, Vec<u64>, u32)>) -> Vec<u8> {
    let mut g = Gguf::new(Vec::new(), tensors);
    g.kv = kv;
    let mut bytes = g.bytes();
    let header = parse_header(&bytes).unwrap();
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    for info in &header.tensors {
        let start = usize::try_from(header.data_start + info.offset).unwrap();
        let len = usize::try_from(info.size_bytes().unwrap()).unwrap();
        let data = &mut bytes[start..start + len];
        if info.ggml_type == F32 {
            for chunk in data.chunks_exact_mut(4) {
                let u = (next() >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
                chunk.copy_from_slice(&u.to_le_bytes());
            }
        } else {
            data.iter_mut().for_each(|b| *b = next() as u8);
        }
    }
    bytes
}

pub fn seeds() {
    let dir = corpus("weights");
    let loads = |name: &str, bytes: &[u8]| {
        let header = parse_header(bytes).unwrap();
        Model::new(Weights::load(&header, &bytes).unwrap()).unwrap();
        write(&dir, name, bytes);
    };
    let llama = Shape("llama", 2, 8, 2, 1, 4, 8, 6);
    let scaling = vec![("rope.scaling.type", s("linear")), ("rope.scaling.factor", W::V(Value::F32(2.0)))];
    let llama_f32 = file(llama.metadata(scaling), llama.tensors(|_| F32));
    loads("llama_f32.gguf", &llama_f32);
    let qwen2 = Shape("qwen2", 2, 8, 2, 2, 4, 12, 6);
    loads("qwen2_f32.gguf", &file(qwen2.metadata(Vec::new()), qwen2.tensors(|_| F32)));
    let qwen3 = Shape("qwen3", 1, 8, 4, 1, 4, 8, 5);
    loads(
        "qwen3_f16_bf16.gguf",
        &file(qwen3.metadata(Vec::new()), qwen3.tensors(|n| if n.contains("ffn") { BF16 } else { F16 })),
    );
    let gemma = Shape("gemma3", 3, 8, 2, 1, 4, 8, 5);
    let window = vec![
        ("attention.sliding_window", u32v(2)),
        ("attention.sliding_window_pattern", u32v(2)),
        ("rope.freq_base_swa", W::V(Value::F32(1000.0))),
        ("final_logit_softcapping", W::V(Value::F32(30.0))),
    ];
    loads("gemma3_window.gguf", &file(gemma.metadata(window), gemma.tensors(|_| F32)));

    // The 32-element block types, then the 256-element K-quants.
    let small = Shape("llama", 1, 32, 2, 1, 16, 32, 4);
    let types = |n: &str| match n {
        "token_embd" | "ffn_down" => Q4_0,
        "output" | "attn_output" => Q8_0,
        "attn_q" => Q4_1,
        "attn_k" => Q5_0,
        "attn_v" => Q5_1,
        "ffn_gate" => BF16,
        _ => F16,
    };
    loads("llama_q4_0_q8_0.gguf", &file(small.metadata(Vec::new()), small.tensors(types)));
    let wide = Shape("qwen3", 1, 256, 2, 1, 4, 8, 4);
    let k_types = |n: &str| match n {
        "token_embd" | "attn_v" => Q6_K,
        "attn_q" | "ffn_gate" => Q4_K,
        "attn_k" | "ffn_up" => Q5_K,
        _ => F16,
    };
    loads("qwen3_k_quants.gguf", &file(wide.metadata(Vec::new()), wide.tensors(k_types)));

    // Refused: a cut file (a tensor's bytes missing), a type it does not dequantize.
    let cut = &llama_f32[..llama_f32.len() - 40];
    let header = parse_header(cut).unwrap();
    assert!(matches!(Weights::load(&header, &cut), Err(TransformerError::Read { .. })));
    write(&dir, "llama_cut.gguf", cut);
    let q2k = file(wide.metadata(Vec::new()), wide.tensors(|n| if n == "attn_q" { Q2_K } else { k_types(n) }));
    let header = parse_header(&q2k).unwrap();
    assert!(matches!(Weights::load(&header, &q2k), Err(TransformerError::UnsupportedTensorType { .. })));
    write(&dir, "qwen3_q2_k.gguf", &q2k);
}
