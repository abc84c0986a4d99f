//! A small GGUF writer for the tests: v1–v3 headers with any metadata and tensor
//! directory, built in memory.

// Test code: failing loudly is its job; not every test file uses every helper.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use roofline_core::catalog::Catalog;
use roofline_core::efficiency::Efficiency;
use roofline_core::model::ModelSpec;
use roofline_core::quant::QuantScheme;
use roofline_core::system::System;
use roofline_core::workload::Workload;
use roofline_gguf::{ggml_block_layout, model_from_header, parse_header, Header, Value, ValueType};

/// A value to write: a scalar or string as `Value` holds it, or a whole array.
#[derive(Clone)]
pub enum W {
    V(Value),
    Arr(ValueType, Vec<W>),
}

pub fn s(text: &str) -> W {
    W::V(Value::String(text.to_owned()))
}
pub fn u32v(v: u32) -> W {
    W::V(Value::U32(v))
}

/// An in-memory GGUF file.
pub struct Gguf {
    pub version: u32,
    pub alignment: u64,
    pub kv: Vec<(String, W)>,
    pub tensors: Vec<(String, Vec<u64>, u32)>,
}

impl Gguf {
    pub fn new(kv: Vec<(&str, W)>, tensors: Vec<(String, Vec<u64>, u32)>) -> Gguf {
        let kv = kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        Gguf { version: 3, alignment: 32, kv, tensors }
    }

    pub fn len(&self, out: &mut Vec<u8>, n: u64) {
        if self.version == 1 {
            out.extend_from_slice(&(n as u32).to_le_bytes());
        } else {
            out.extend_from_slice(&n.to_le_bytes());
        }
    }

    pub fn string(&self, out: &mut Vec<u8>, text: &[u8]) {
        self.len(out, text.len() as u64);
        out.extend_from_slice(text);
    }

    pub fn value(&self, out: &mut Vec<u8>, w: &W) {
        match w {
            W::Arr(ty, items) => {
                out.extend_from_slice(&ty.code().to_le_bytes());
                self.len(out, items.len() as u64);
                items.iter().for_each(|i| self.value(out, i));
            }
            W::V(v) => match v {
                Value::U8(x) => out.push(*x),
                Value::I8(x) => out.extend_from_slice(&x.to_le_bytes()),
                Value::U16(x) => out.extend_from_slice(&x.to_le_bytes()),
                Value::I16(x) => out.extend_from_slice(&x.to_le_bytes()),
                Value::U32(x) => out.extend_from_slice(&x.to_le_bytes()),
                Value::I32(x) => out.extend_from_slice(&x.to_le_bytes()),
                Value::F32(x) => out.extend_from_slice(&x.to_le_bytes()),
                Value::Bool(x) => out.push(u8::from(*x)),
                Value::String(x) => self.string(out, x.as_bytes()),
                Value::U64(x) => out.extend_from_slice(&x.to_le_bytes()),
                Value::I64(x) => out.extend_from_slice(&x.to_le_bytes()),
                Value::F64(x) => out.extend_from_slice(&x.to_le_bytes()),
                Value::Array(_) => unreachable!("arrays are written from W::Arr"),
            },
        }
    }

    /// The file: header, padding, and zeroed tensor data laid out in order.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = b"GGUF".to_vec();
        out.extend_from_slice(&self.version.to_le_bytes());
        self.len(&mut out, self.tensors.len() as u64);
        self.len(&mut out, self.kv.len() as u64);
        for (k, w) in &self.kv {
            self.string(&mut out, k.as_bytes());
            let code = match w {
                W::Arr(..) => 9,
                W::V(v) => v.value_type().code(),
            };
            out.extend_from_slice(&code.to_le_bytes());
            self.value(&mut out, w);
        }
        let mut offset = 0u64;
        for (name, dims, ty) in &self.tensors {
            self.string(&mut out, name.as_bytes());
            out.extend_from_slice(&(dims.len() as u32).to_le_bytes());
            dims.iter().for_each(|&d| self.len(&mut out, d));
            out.extend_from_slice(&ty.to_le_bytes());
            out.extend_from_slice(&offset.to_le_bytes());
            let (per_block, bytes) = ggml_block_layout(*ty).unwrap_or((1, 1));
            // Absurd shapes (error tests) get no data.
            let elements = dims.iter().try_fold(1u64, |a, &d| a.checked_mul(d)).filter(|&e| e < 1 << 30).unwrap_or(0);
            let size = elements.div_ceil(u64::from(per_block)) * u64::from(bytes);
            offset += size.div_ceil(self.alignment) * self.alignment;
        }
        out.resize(out.len().div_ceil(self.alignment as usize) * self.alignment as usize, 0);
        out.resize(out.len() + offset as usize, 0);
        out
    }
}

pub const F32: u32 = 0;
pub const Q4_K: u32 = 12;
pub const Q6_K: u32 = 14;

pub fn t(name: &str, dims: &[u64], ty: u32) -> (String, Vec<u64>, u32) {
    (name.to_owned(), dims.to_vec(), ty)
}

/// Tensors of a dense transformer: `[n_embd, n_out]` as ggml orders dimensions.
pub fn dense_tensors(
    layers: u64,
    d: u64,
    q: u64,
    kv: u64,
    ff: u64,
    vocab: u64,
    output: bool,
) -> Vec<(String, Vec<u64>, u32)> {
    let mut out = vec![t("token_embd.weight", &[d, vocab], Q4_K), t("output_norm.weight", &[d], F32)];
    if output {
        out.push(t("output.weight", &[d, vocab], Q6_K));
    }
    for l in 0..layers {
        let b = |n: &str| format!("blk.{l}.{n}.weight");
        out.push(t(&b("attn_norm"), &[d], F32));
        out.push(t(&b("attn_q"), &[d, q], Q4_K));
        out.push(t(&b("attn_k"), &[d, kv], Q4_K));
        out.push(t(&b("attn_v"), &[d, kv], Q6_K));
        out.push(t(&b("attn_output"), &[q, d], Q4_K));
        out.push(t(&b("ffn_norm"), &[d], F32));
        if ff > 0 {
            out.push(t(&b("ffn_gate"), &[d, ff], Q4_K));
            out.push(t(&b("ffn_up"), &[d, ff], Q4_K));
            out.push(t(&b("ffn_down"), &[ff, d], Q6_K));
        }
    }
    out
}

pub fn tokens(n: usize) -> W {
    W::Arr(ValueType::String, (0..n).map(|i| s(&format!("tok{i}"))).collect())
}

/// A llama-style model: 2 blocks, width 256, 4 heads of 64, 2 KV heads, FFN 768, 300 tokens.
pub fn llama() -> Gguf {
    let kv = vec![
        ("general.architecture", s("llama")),
        ("general.name", s("Tiny Llama 2L")),
        ("general.file_type", u32v(15)),
        ("llama.block_count", u32v(2)),
        ("llama.context_length", u32v(2048)),
        ("llama.embedding_length", u32v(256)),
        ("llama.feed_forward_length", u32v(768)),
        ("llama.attention.head_count", u32v(4)),
        ("llama.attention.head_count_kv", u32v(2)),
        ("llama.rope.freq_base", W::V(Value::F32(500000.0))),
        ("tokenizer.ggml.model", s("gpt2")),
        ("tokenizer.ggml.tokens", tokens(300)),
        ("tokenizer.ggml.scores", W::Arr(ValueType::F32, (0..300).map(|i| W::V(Value::F32(i as f32))).collect())),
        ("tokenizer.ggml.bos_token_id", u32v(1)),
        ("tokenizer.ggml.add_bos_token", W::V(Value::Bool(true))),
    ];
    Gguf::new(kv, dense_tensors(2, 256, 256, 128, 768, 300, true))
}

pub fn header_len(bytes: &[u8]) -> usize {
    parse_header(bytes).unwrap().header_bytes as usize
}

pub fn build(g: &Gguf) -> (Header, ModelSpec, Vec<String>, Vec<String>) {
    let bytes = g.bytes();
    let h = parse_header(&bytes).unwrap();
    let m = model_from_header(&h, bytes.len() as u64).unwrap();
    (h, m.spec, m.missing, m.notes)
}

/// The spec runs through the estimator without panicking.
pub fn estimates(spec: &ModelSpec) {
    let catalog = Catalog::builtin();
    let system = System::assemble(catalog.hardware("raspberry-pi-5").unwrap(), None, None, 1).unwrap();
    let e = roofline_core::estimate::estimate(
        &system,
        spec,
        QuantScheme::Q4_K_M,
        &Workload::default(),
        &Efficiency::fitted(),
    );
    assert!(e.is_ok(), "{e:?}");
}

/// Tensors of a mixture-of-experts transformer.
pub fn moe_tensors(layers: u64, d: u64, experts: u64, eff: u64, vocab: u64) -> Vec<(String, Vec<u64>, u32)> {
    let mut out = dense_tensors(layers, d, 256, 128, 0, vocab, true);
    for l in 0..layers {
        let b = |n: &str| format!("blk.{l}.{n}.weight");
        out.push(t(&b("ffn_gate_inp"), &[d, experts], F32));
        out.push(t(&b("ffn_gate_exps"), &[d, eff, experts], Q4_K));
        out.push(t(&b("ffn_up_exps"), &[d, eff, experts], Q4_K));
        out.push(t(&b("ffn_down_exps"), &[eff, d, experts], Q6_K));
    }
    out
}
