//! From GGUF metadata to a [`ModelSpec`]: the `{arch}.*` keys llama.cpp writes, with the
//! tensor directory as the fallback and the authority on parameter counts.

use serde::Serialize;

use super::layout::{mla, moe, quant_guess, sliding_window};
use super::meta::{Lookup, Meta};
use super::{GgufError, Header};
use roofline_core::check::{check_model, SpecError};
use roofline_core::model::ModelSpec;
use roofline_core::quant::QuantScheme;
use roofline_core::source::Source;

/// A model read from a GGUF header, with what had to be assumed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelFromGguf {
    /// The model; it passes [`roofline_core::check::check_model`].
    pub spec: ModelSpec,
    /// The quantization preset `general.file_type` names (or the tensor types suggest).
    pub quant_guess: Option<QuantScheme>,
    /// Fields that could not be read and were defaulted or derived, in words.
    pub missing: Vec<String>,
    /// Other remarks: approximations, per-layer values, inconsistencies.
    pub notes: Vec<String>,
}

/// Lower-case ASCII letters and digits, other runs as one `-`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "model".to_owned()
    } else {
        out
    }
}

/// Most transformer blocks a model may have (as `check_model` allows).
const MAX_LAYERS: u32 = 1024;

fn not_a_model(what: &str) -> GgufError {
    GgufError::NotAModel(what.to_owned())
}

/// Builds a [`ModelSpec`] from a GGUF header.
///
/// Shapes come from the `{general.architecture}.*` keys, falling back to tensor shapes and
/// then to defaults (each recorded in `missing`); total parameters are counted from the
/// tensor directory. `file_size_bytes` (0 when unknown) is compared with the end of the
/// tensor data to flag incomplete files. Errors when the architecture, block count,
/// embedding width or head count cannot be found, or when the result fails the catalog's
/// range checks.
pub fn model_from_header(h: &Header, file_size_bytes: u64) -> Result<ModelFromGguf, GgufError> {
    let arch = h.architecture().filter(|a| !a.is_empty()).ok_or_else(|| not_a_model("general.architecture missing"))?;
    match h.get_str("general.type") {
        Some(kind @ ("adapter" | "mmproj")) => return Err(not_a_model(&format!("general.type is {kind}, not model"))),
        _ if arch == "clip" => return Err(not_a_model("a vision projector (clip), not a language model")),
        _ => {}
    }
    let mut m = Meta { h, arch, missing: Vec::new(), notes: Vec::new() };
    let name = match h.get_str("general.name").map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => n.to_owned(),
        None => {
            m.missing.push("name (general.name) missing: called \"GGUF model\"".to_owned());
            "GGUF model".to_owned()
        }
    };

    let counted = m.blocks_in_directory();
    let fallback = (counted > 0).then(|| (counted, format!("counted {counted} blocks in the tensor directory")));
    let layers = m.field("block_count", "block_count", 1, fallback).ok_or_else(|| not_a_model("no block count"))?;
    // Checked before anything loops over the layers (a hostile count would take minutes).
    if layers > MAX_LAYERS {
        return Err(GgufError::InvalidModel(SpecError {
            entry: "GGUF header".into(),
            field: "layers".into(),
            problem: format!("{layers} blocks is more than {MAX_LAYERS}"),
        }));
    }
    let embd = (m.dim("token_embd.weight", 0)).map(|d| (d, "read from token_embd.weight".to_owned()));
    let hidden = m.field("embedding_length", "embedding_length", 1, embd).ok_or_else(|| not_a_model("no width"))?;
    let key_length = match m.read("attention.key_length", 1) {
        Lookup::Found(v) => Some(v),
        _ => None,
    };
    let q_out = m.dim("blk.0.attn_q.weight", 1);
    let from_q = q_out.filter(|q| q % key_length.unwrap_or(128) == 0).map(|q| {
        let dh = key_length.unwrap_or(128);
        (q / dh, format!("blk.0.attn_q.weight has {q} outputs: {} heads of {dh}", q / dh))
    });
    let heads = m.field("head_count", "attention.head_count", 1, from_q).ok_or_else(|| not_a_model("no head count"))?;
    // llama.cpp's own default: absent key_length means hidden / heads.
    let head_dim = match (key_length, h.get(&m.key("attention.key_length"))) {
        (Some(k), _) => k,
        (None, None) if hidden % heads == 0 => hidden / heads,
        _ => {
            let how = format!("defaulted to hidden size / heads = {}", (hidden / heads).max(1));
            m.field("key_length", "attention.key_length", 1, Some(((hidden / heads).max(1), how))).unwrap_or(1)
        }
    };
    if let Lookup::Found(v) = m.read("attention.value_length", 1) {
        if v != head_dim && h.get(&m.key("attention.kv_lora_rank")).is_none() {
            m.notes.push(format!("value_length {v} differs from key_length {head_dim}: head_dim uses key_length"));
        }
    }
    let k_heads = m
        .dim("blk.0.attn_k.weight", 1)
        .filter(|k| k % head_dim == 0)
        .map(|k| (k / head_dim, "read from blk.0.attn_k.weight".to_owned()));
    let kv_fallback = k_heads.or(Some((heads, "defaulted to head_count (no grouped-query attention)".to_owned())));
    let mut kv_heads = m.field("head_count_kv", "attention.head_count_kv", 1, kv_fallback).unwrap_or(heads);
    if kv_heads > heads {
        m.notes.push(format!("head_count_kv {kv_heads} exceeds head_count {heads}: capped"));
        kv_heads = heads;
    }

    let dense_up = (0..layers).map(|l| format!("blk.{l}.ffn_up.weight")).find(|n| h.tensor(n).is_some());
    let ffn_fallback = match dense_up.as_deref().and_then(|n| m.dim(n, 1).map(|d| (n.to_owned(), d))) {
        Some((n, d)) => (d, format!("read from {n}")),
        None => (hidden.saturating_mul(4), format!("defaulted to 4 × hidden size = {}", hidden.saturating_mul(4))),
    };
    let ffn_size = m.field("feed_forward_length", "feed_forward_length", 1, Some(ffn_fallback)).unwrap_or(1);
    let vocab_size = vocab(&mut m)?;
    let context = m.field("context_length", "context_length", 1, Some((4096, "defaulted to 4096 tokens".to_owned())));
    let mut max_context = context.unwrap_or(4096);
    if max_context > 1 << 27 {
        m.notes.push(format!("context_length {max_context} capped at 2^27 tokens"));
        max_context = 1 << 27;
    }

    let moe_spec = moe(&mut m, layers, ffn_size);
    let mla_spec = mla(&mut m, heads);
    let (head_dim, kv_heads) = match mla_spec {
        Some(x) => (x.qk_nope_head_dim + x.qk_rope_head_dim, heads),
        None => (head_dim, kv_heads),
    };
    let window = sliding_window(&mut m);
    let quant_guess = quant_guess(&mut m);
    let tied_embeddings = h.tensor("output.weight").is_none();

    let mut spec = ModelSpec {
        id: match slug(&name) {
            s if s == "gguf" || s.starts_with("gguf-") => s,
            s => format!("gguf-{s}"),
        },
        name: name.clone(),
        aliases: Vec::new(),
        family: arch.to_owned(),
        released: None,
        params_total_b: 0.0,
        params_active_b: None,
        layers,
        hidden_size: hidden,
        heads,
        kv_heads,
        head_dim,
        ffn_size,
        vocab_size,
        tied_embeddings,
        max_context,
        sliding_window: window,
        moe: moe_spec,
        mla: mla_spec,
        default_quant: quant_guess.map_or("Q4_K_M", QuantScheme::name).to_owned(),
        sources: vec![Source {
            title: format!("read from the GGUF header of {name}"),
            url: ["general.source.url", "general.url", "general.repo_url"]
                .iter()
                .find_map(|k| h.get_str(k))
                .unwrap_or_default()
                .to_owned(),
        }],
    };
    // Shapes are checked before the parameter count multiplies them (absurd ones overflow).
    check_model(&ModelSpec { params_total_b: 1.0, params_active_b: None, ..spec.clone() })
        .map_err(GgufError::InvalidModel)?;
    super::layout::params(&mut m, &mut spec, file_size_bytes);
    check_model(&spec).map_err(GgufError::InvalidModel)?;
    let mut seen = std::collections::HashSet::new();
    m.notes.retain(|n| seen.insert(n.clone()));
    Ok(ModelFromGguf { spec, quant_guess, missing: m.missing, notes: m.notes })
}

/// Vocabulary: the embedding table's rows (what costs bytes), else the tokenizer's token
/// count, else `{arch}.vocab_size`.
fn vocab(m: &mut Meta<'_>) -> Result<u32, GgufError> {
    let tokens = m.h.array_len("tokenizer.ggml.tokens").and_then(|n| u32::try_from(n).ok()).filter(|&n| n > 0);
    let rows = m.dim("token_embd.weight", 1);
    match (rows, tokens) {
        (Some(r), Some(t)) if r != t => {
            m.notes.push(format!("token_embd.weight has {r} rows, the tokenizer {t} tokens: vocab_size uses the rows"));
            return Ok(r);
        }
        (_, Some(t)) => return Ok(t),
        _ => {}
    }
    let fallback = rows.map(|r| (r, "no tokenizer.ggml.tokens either: read from token_embd.weight".to_owned()));
    m.field("vocab_size", "vocab_size", 1, fallback).ok_or_else(|| not_a_model("no vocabulary size"))
}
