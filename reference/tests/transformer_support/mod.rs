//! Tiny generated models for the transformer tests: a GGUF file with random F32 weights,
//! and an independent reference forward pass in f64 that recomputes the whole sequence
//! (no KV cache) straight from the dequantized matrices.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

pub mod gguf_file;
pub mod llama_cpp;

use std::collections::HashMap;

use crate::gguf_writer::{s, t, u32v, Gguf, F32, W};
use roofline_gguf::{parse_header, Header, Value};

/// Shape and options of a tiny model.
#[derive(Clone, Debug)]
pub struct Tiny {
    pub arch: &'static str,
    pub layers: usize,
    pub hidden: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub ffn: usize,
    pub vocab: usize,
    pub rope_base: f32,
    pub eps: f32,
    pub window: Option<u32>,
    pub biases: bool,
    pub ffn_biases: bool,
    pub qk_norm: bool,
    pub post_norms: bool,
    pub tied: bool,
}

impl Tiny {
    pub fn llama() -> Tiny {
        Tiny {
            arch: "llama",
            layers: 2,
            hidden: 16,
            heads: 4,
            kv_heads: 2,
            head_dim: 4,
            ffn: 24,
            vocab: 20,
            rope_base: 100.0,
            eps: 1e-5,
            window: None,
            biases: false,
            ffn_biases: true,
            qk_norm: false,
            post_norms: false,
            tied: false,
        }
    }

    pub fn qwen2() -> Tiny {
        Tiny {
            arch: "qwen2",
            biases: true,
            ffn_biases: false,
            tied: true,
            rope_base: 1000.0,
            eps: 1e-6,
            ..Tiny::llama()
        }
    }

    pub fn qwen3() -> Tiny {
        Tiny {
            arch: "qwen3",
            ffn_biases: false,
            heads: 4,
            kv_heads: 1,
            head_dim: 8,
            qk_norm: true,
            rope_base: 1000.0,
            ..Tiny::llama()
        }
    }

    /// Seven layers, so layers 0–4 and 6 slide and layer 5 is global.
    pub fn gemma3(window: Option<u32>) -> Tiny {
        Tiny {
            arch: "gemma3",
            layers: 7,
            heads: 2,
            kv_heads: 1,
            head_dim: 8,
            window,
            ffn_biases: false,
            qk_norm: true,
            post_norms: true,
            tied: true,
            eps: 1e-6,
            rope_base: 50_000.0,
            ..Tiny::llama()
        }
    }

    pub fn metadata(&self) -> Vec<(String, W)> {
        let k = |suffix: &str| format!("{}.{suffix}", self.arch);
        let mut kv = vec![
            ("general.architecture".to_owned(), s(self.arch)),
            (k("block_count"), u32v(self.layers as u32)),
            (k("embedding_length"), u32v(self.hidden as u32)),
            (k("feed_forward_length"), u32v(self.ffn as u32)),
            (k("attention.head_count"), u32v(self.heads as u32)),
            (k("attention.head_count_kv"), u32v(self.kv_heads as u32)),
            (k("attention.key_length"), u32v(self.head_dim as u32)),
            (k("attention.value_length"), u32v(self.head_dim as u32)),
            (k("attention.layer_norm_rms_epsilon"), W::V(Value::F32(self.eps))),
            (k("rope.freq_base"), W::V(Value::F32(self.rope_base))),
        ];
        if let Some(w) = self.window {
            kv.push((k("attention.sliding_window"), u32v(w)));
        }
        kv
    }

    pub fn tensors(&self) -> Vec<(String, Vec<u64>, u32)> {
        let (d, q, kv, f, v) = (
            self.hidden as u64,
            (self.heads * self.head_dim) as u64,
            (self.kv_heads * self.head_dim) as u64,
            self.ffn as u64,
            self.vocab as u64,
        );
        let mut out = vec![t("token_embd.weight", &[d, v], F32), t("output_norm.weight", &[d], F32)];
        if self.arch == "llama" {
            // Llama 3's RoPE frequency divisors.
            out.push(t("rope_freqs.weight", &[self.head_dim as u64 / 2], F32));
        }
        if !self.tied {
            out.push(t("output.weight", &[d, v], F32));
        }
        for l in 0..self.layers {
            let b = |n: &str| format!("blk.{l}.{n}");
            out.push(t(&b("attn_norm.weight"), &[d], F32));
            out.push(t(&b("attn_q.weight"), &[d, q], F32));
            out.push(t(&b("attn_k.weight"), &[d, kv], F32));
            out.push(t(&b("attn_v.weight"), &[d, kv], F32));
            out.push(t(&b("attn_output.weight"), &[q, d], F32));
            if self.biases {
                out.push(t(&b("attn_q.bias"), &[q], F32));
                out.push(t(&b("attn_k.bias"), &[kv], F32));
                out.push(t(&b("attn_v.bias"), &[kv], F32));
            }
            if self.qk_norm {
                out.push(t(&b("attn_q_norm.weight"), &[self.head_dim as u64], F32));
                out.push(t(&b("attn_k_norm.weight"), &[self.head_dim as u64], F32));
            }
            if self.post_norms {
                out.push(t(&b("post_attention_norm.weight"), &[d], F32));
                out.push(t(&b("post_ffw_norm.weight"), &[d], F32));
            }
            out.push(t(&b("ffn_norm.weight"), &[d], F32));
            out.push(t(&b("ffn_gate.weight"), &[d, f], F32));
            out.push(t(&b("ffn_up.weight"), &[d, f], F32));
            out.push(t(&b("ffn_down.weight"), &[f, d], F32));
            if self.ffn_biases {
                out.push(t(&b("ffn_gate.bias"), &[f], F32));
                out.push(t(&b("ffn_up.bias"), &[f], F32));
                out.push(t(&b("ffn_down.bias"), &[d], F32));
            }
        }
        out
    }

    /// The file with random weights (norm weights near 1), its header, and every tensor's
    /// values by name.
    pub fn build(&self, seed: u64) -> (Vec<u8>, Header, HashMap<String, Vec<f32>>) {
        build_file(self.metadata(), self.tensors(), seed)
    }
}

/// A GGUF file of F32 tensors filled with deterministic pseudo-random values.
pub fn build_file(
    kv: Vec<(String, W)>,
    tensors: Vec<(String, Vec<u64>, u32)>,
    seed: u64,
) -> (Vec<u8>, Header, HashMap<String, Vec<f32>>) {
    let mut g = Gguf::new(Vec::new(), tensors);
    g.kv = kv;
    let mut bytes = g.bytes();
    let header = parse_header(&bytes).unwrap();
    let mut rng = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut values = HashMap::new();
    for info in &header.tensors {
        let n = info.elements() as usize;
        let norm = info.name.contains("norm") || info.name == "rope_freqs.weight";
        let vals: Vec<f32> = (0..n)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let u = (rng >> 40) as f32 / (1u64 << 24) as f32 - 0.5; // [-0.5, 0.5)
                if norm {
                    1.0 + 0.4 * u
                } else {
                    u
                }
            })
            .collect();
        let start = (header.data_start + info.offset) as usize;
        for (i, v) in vals.iter().enumerate() {
            bytes[start + 4 * i..start + 4 * i + 4].copy_from_slice(&v.to_le_bytes());
        }
        values.insert(info.name.clone(), vals);
    }
    (bytes, header, values)
}

/// The reference: every position of `tokens` recomputed from scratch, in f64; returns the
/// logits of the last position.
pub fn reference_logits(m: &Tiny, w: &HashMap<String, Vec<f32>>, tokens: &[u32]) -> Vec<f64> {
    let get = |name: &str| -> Vec<f64> { w[name].iter().map(|&v| f64::from(v)).collect() };
    let eps = f64::from(m.eps);
    let (d, hd) = (m.hidden, m.head_dim);
    let n = tokens.len();
    let embd = get("token_embd.weight");
    let gemma = m.arch == "gemma3";
    let mut x: Vec<Vec<f64>> = tokens
        .iter()
        .map(|&tok| {
            let row = embd[tok as usize * d..(tok as usize + 1) * d].to_vec();
            if gemma {
                row.iter().map(|v| v * (d as f64).sqrt()).collect()
            } else {
                row
            }
        })
        .collect();
    let freqs = w.get("rope_freqs.weight").map(|f| f.iter().map(|&v| f64::from(v)).collect::<Vec<f64>>());
    for l in 0..m.layers {
        let b = |name: &str| format!("blk.{l}.{name}");
        let sliding = gemma && m.window.is_some_and(|w| w > 0) && l % 6 != 5;
        let base = if sliding { 10_000.0 } else { f64::from(m.rope_base) };
        let mut qs = Vec::new();
        let mut ks = Vec::new();
        let mut vs = Vec::new();
        for (pos, xp) in x.iter().enumerate() {
            let h = norm(xp, &get(&b("attn_norm.weight")), eps);
            let mut q = matvec(&get(&b("attn_q.weight")), &h);
            let mut k = matvec(&get(&b("attn_k.weight")), &h);
            let mut v = matvec(&get(&b("attn_v.weight")), &h);
            if m.biases {
                add(&mut q, &get(&b("attn_q.bias")));
                add(&mut k, &get(&b("attn_k.bias")));
                add(&mut v, &get(&b("attn_v.bias")));
            }
            for (vec, norm_name) in [(&mut q, "attn_q_norm.weight"), (&mut k, "attn_k_norm.weight")] {
                for head in vec.chunks_mut(hd) {
                    if m.qk_norm {
                        let normed = norm(head, &get(&b(norm_name)), eps);
                        head.copy_from_slice(&normed);
                    }
                    rope_ref(head, pos, base, m.arch == "llama", freqs.as_deref());
                }
            }
            qs.push(q);
            ks.push(k);
            vs.push(v);
        }
        let scale = 1.0 / (hd as f64).sqrt();
        for pos in 0..n {
            let mut attn = vec![0.0; m.heads * hd];
            for h in 0..m.heads {
                let kvh = h * m.kv_heads / m.heads;
                let q = &qs[pos][h * hd..(h + 1) * hd];
                let seen: Vec<usize> =
                    (0..=pos).filter(|&t| !sliding || pos - t < m.window.map_or(usize::MAX, |w| w as usize)).collect();
                let scores: Vec<f64> = seen
                    .iter()
                    .map(|&t| q.iter().zip(&ks[t][kvh * hd..(kvh + 1) * hd]).map(|(a, b)| a * b).sum::<f64>() * scale)
                    .collect();
                let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let e: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
                let sum: f64 = e.iter().sum();
                for (&t, p) in seen.iter().zip(&e) {
                    for i in 0..hd {
                        attn[h * hd + i] += p / sum * vs[t][kvh * hd + i];
                    }
                }
            }
            let mut o = matvec(&get(&b("attn_output.weight")), &attn);
            if m.post_norms {
                o = norm(&o, &get(&b("post_attention_norm.weight")), eps);
            }
            add(&mut x[pos], &o);
            let h = norm(&x[pos], &get(&b("ffn_norm.weight")), eps);
            let mut gate = matvec(&get(&b("ffn_gate.weight")), &h);
            let mut up = matvec(&get(&b("ffn_up.weight")), &h);
            if m.ffn_biases {
                add(&mut gate, &get(&b("ffn_gate.bias")));
                add(&mut up, &get(&b("ffn_up.bias")));
            }
            let act: Vec<f64> = gate
                .iter()
                .zip(&up)
                .map(|(&g, &u)| {
                    let a = if gemma {
                        0.5 * g * (1.0 + ((2.0 / std::f64::consts::PI).sqrt() * (g + 0.044715 * g * g * g)).tanh())
                    } else {
                        g / (1.0 + (-g).exp())
                    };
                    a * u
                })
                .collect();
            let mut down = matvec(&get(&b("ffn_down.weight")), &act);
            if m.ffn_biases {
                add(&mut down, &get(&b("ffn_down.bias")));
            }
            if m.post_norms {
                down = norm(&down, &get(&b("post_ffw_norm.weight")), eps);
            }
            add(&mut x[pos], &down);
        }
    }
    let last = norm(&x[n - 1], &get("output_norm.weight"), eps);
    let out = if m.tied { embd } else { get("output.weight") };
    matvec(&out, &last)
}

/// `W · x` for `W` stored as rows of `x.len()`.
fn matvec(w: &[f64], x: &[f64]) -> Vec<f64> {
    w.chunks(x.len()).map(|row| row.iter().zip(x).map(|(a, b)| a * b).sum()).collect()
}

fn add(x: &mut [f64], y: &[f64]) {
    x.iter_mut().zip(y).for_each(|(a, b)| *a += b);
}

/// `x / √(mean(x²) + eps) · w`.
pub fn norm(x: &[f64], w: &[f64], eps: f64) -> Vec<f64> {
    let ms = x.iter().map(|v| v * v).sum::<f64>() / x.len() as f64;
    x.iter().zip(w).map(|(v, w)| v / (ms + eps).sqrt() * w).collect()
}

/// RoPE over the whole head: adjacent pairs (`adjacent`, llama) or halves (NEOX), each
/// frequency divided by its factor when there are factors.
pub fn rope_ref(head: &mut [f64], pos: usize, base: f64, adjacent: bool, factors: Option<&[f64]>) {
    let n = head.len();
    for i in 0..n / 2 {
        let factor = factors.map_or(1.0, |f| f[i]);
        let angle = pos as f64 * base.powf(-2.0 * i as f64 / n as f64) / factor;
        let (a, b) = if adjacent { (2 * i, 2 * i + 1) } else { (i, i + n / 2) };
        let (x0, x1) = (head[a], head[b]);
        head[a] = x0 * angle.cos() - x1 * angle.sin();
        head[b] = x0 * angle.sin() + x1 * angle.cos();
    }
}
