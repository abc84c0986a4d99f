//! The optional parts of a model read from GGUF: experts, latent attention, sliding
//! windows, the quantization preset and the parameter counts.

use super::ggml::{ftype_name, ftype_scheme, FtypeMatch};
use super::meta::{Lookup, Meta};
use roofline_core::model::{MlaSpec, ModelSpec, MoeSpec, SlidingWindow};
use roofline_core::quant::QuantScheme;

/// Largest expert count and latent-attention dimension taken as plausible (the estimator's
/// element counts stay far inside 64 bits below these).
const MAX_MOE_COUNT: u32 = 1 << 16;
/// Largest feed-forward width accepted (the catalog check's limit).
const MAX_FFN: u32 = 1 << 22;

/// Layers that hold one global-attention layer per `n` as llama.cpp hard-codes them.
const SWA_PATTERNS: [(&str, u32); 5] = [("gemma2", 2), ("gemma3", 6), ("cohere2", 4), ("gpt-oss", 2), ("exaone4", 4)];

fn found(l: Lookup) -> Option<u32> {
    match l {
        Lookup::Found(v) => Some(v),
        _ => None,
    }
}

/// First layer whose tensor `blk.N.{suffix}` exists, with its name.
fn first_layer_with(m: &Meta<'_>, layers: u32, suffix: &str) -> Option<(u32, String)> {
    (0..layers).map(|l| (l, format!("blk.{l}.{suffix}"))).find(|(_, n)| m.h.tensor(n).is_some())
}

/// Mixture of experts: `{arch}.expert_count` > 0, or router tensors in the directory.
pub(super) fn moe(m: &mut Meta<'_>, layers: u32, ffn_size: u32) -> Option<MoeSpec> {
    let router = first_layer_with(m, layers, "ffn_gate_inp.weight");
    let experts = match m.read("expert_count", 1) {
        Lookup::Found(e) => e,
        _ => {
            let (_, name) = router.as_ref()?;
            let e = m.dim(name, 1)?;
            m.missing.push(format!("expert_count ({}) missing: {name} routes to {e} experts", m.key("expert_count")));
            e
        }
    };
    let fallback = Some((experts.min(2), format!("defaulted to {}", experts.min(2))));
    let active_experts = m.field("expert_used_count", "expert_used_count", 1, fallback).unwrap_or(1).min(experts);
    let exps = first_layer_with(m, layers, "ffn_up_exps.weight")
        .or_else(|| first_layer_with(m, layers, "ffn_gate_exps.weight"));
    let from_tensor = exps.and_then(|(_, n)| m.dim(&n, 1).map(|d| (d, format!("read from {n}"))));
    let fallback = from_tensor.or(Some((ffn_size, "defaulted to feed_forward_length".to_owned())));
    let expert_ffn_size =
        m.field("expert_feed_forward_length", "expert_feed_forward_length", 1, fallback).unwrap_or(ffn_size);

    let shexp = first_layer_with(m, layers, "ffn_up_shexp.weight");
    let shared_experts = match m.read("expert_shared_count", 0) {
        Lookup::Found(s) => s,
        _ if shexp.is_some() => {
            m.notes.push("shared-expert tensors without expert_shared_count: counted as one shared expert".to_owned());
            1
        }
        _ => 0,
    };
    if shared_experts > MAX_MOE_COUNT {
        m.notes.push(format!("expert_shared_count {shared_experts} is implausible: shared experts ignored"));
    }
    let shared_experts = if shared_experts > MAX_MOE_COUNT { 0 } else { shared_experts };
    let mut shared_expert_ffn_size = 0;
    if shared_experts > 0 {
        let from_tensor = shexp.and_then(|(_, n)| m.dim(&n, 1)).map(|d| (d / shared_experts).max(1));
        shared_expert_ffn_size = found(m.read("expert_shared_feed_forward_length", 1))
            .or(from_tensor)
            .unwrap_or(expert_ffn_size)
            .min(MAX_FFN);
    }
    let leading_dense_layers = match m.read("leading_dense_block_count", 0) {
        Lookup::Found(l) => l.min(layers),
        _ => router.map_or(0, |(l, _)| l),
    };
    let interleave_step = found(m.read("interleave_moe_layer_step", 1)).unwrap_or(1).min(64);
    Some(MoeSpec {
        experts,
        active_experts,
        shared_experts,
        expert_ffn_size,
        shared_expert_ffn_size,
        leading_dense_layers,
        interleave_step,
    })
}

/// Multi-head latent attention (DeepSeek V2/V3): present when `attention.kv_lora_rank` is.
pub(super) fn mla(m: &mut Meta<'_>, heads: u32) -> Option<MlaSpec> {
    let kv_lora_rank = found(m.read("attention.kv_lora_rank", 1))?;
    let q_lora_rank = found(m.read("attention.q_lora_rank", 1)).unwrap_or(0);
    let rope =
        m.field("rope dimension", "rope.dimension_count", 1, Some((64, "defaulted to 64".to_owned()))).unwrap_or(64);
    // Newer conversions store the absorbed sizes in key_length/value_length and the
    // per-head sizes in key_length_mla/value_length_mla.
    let (key, value) =
        match (found(m.read("attention.key_length_mla", 1)), found(m.read("attention.value_length_mla", 1))) {
            (Some(k), Some(v)) => (k, v),
            _ => {
                let k = m.field("key_length", "attention.key_length", 1, Some((192, "defaulted to 192".to_owned())));
                let v =
                    m.field("value_length", "attention.value_length", 1, Some((128, "defaulted to 128".to_owned())));
                (k.unwrap_or(192), v.unwrap_or(128))
            }
        };
    let qk_nope_head_dim = key.saturating_sub(rope).max(1);
    if [kv_lora_rank, q_lora_rank, rope, key, value].iter().any(|&d| d > MAX_MOE_COUNT) {
        m.notes.push("latent-attention dimensions beyond 65536: read as standard attention".to_owned());
        return None;
    }
    m.notes.push(format!("multi-head latent attention: one latent of {kv_lora_rank} + {rope} cached per token; kv_heads set to the {heads} query heads"));
    Some(MlaSpec { q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim: rope, v_head_dim: value.max(1) })
}

/// Sliding-window attention: the window from `attention.sliding_window`, the local/global
/// pattern from `attention.sliding_window_pattern` or llama.cpp's per-architecture rule.
pub(super) fn sliding_window(m: &mut Meta<'_>) -> Option<SlidingWindow> {
    let window = match found(m.read("attention.sliding_window", 1)) {
        Some(w) => w,
        None if m.arch == "llama4" => {
            m.notes.push("llama4: llama.cpp's chunked attention of 8192 tokens on 3 of every 4 layers".to_owned());
            return Some(SlidingWindow { window_tokens: 8192, global_every_n_layers: 4 });
        }
        None => return None,
    };
    let key = m.key("attention.sliding_window_pattern");
    let pattern = match m.h.get(&key) {
        Some(super::Value::Array(a)) => {
            let local: Vec<bool> = a.head.iter().map(|v| matches!(v, super::Value::Bool(true))).collect();
            let period = local.iter().position(|&l| !l).map(|p| p as u32 + 1);
            period.filter(|&p| local.iter().enumerate().all(|(i, &l)| l != (i as u32 + 1).is_multiple_of(p)))
        }
        Some(v) => v.as_u64().and_then(|p| u32::try_from(p).ok()).filter(|&p| (1..=1024).contains(&p)),
        None => SWA_PATTERNS.iter().find(|(a, _)| *a == m.arch).map(|&(_, p)| p),
    };
    match pattern {
        Some(global_every_n_layers) => Some(SlidingWindow { window_tokens: window, global_every_n_layers }),
        None => {
            m.notes.push(format!(
                "sliding window of {window} tokens, but no local/global layer pattern is known for {}: every layer treated as global",
                m.arch
            ));
            None
        }
    }
}

/// The preset `general.file_type` names, else the commonest type of the block tensors.
pub(super) fn quant_guess(m: &mut Meta<'_>) -> Option<QuantScheme> {
    // llama.cpp marks a type it guessed at load time with 1024 (LLAMA_FTYPE_GUESSED).
    if let Some(ftype) = m.h.get_u64("general.file_type").map(|f| if f >= 1024 { f & !1024 } else { f }) {
        let name = ftype_name(ftype).unwrap_or("unknown");
        return match ftype_scheme(ftype) {
            FtypeMatch::Exact(q) => Some(q),
            FtypeMatch::Nearest(q) => {
                m.notes.push(format!("file type {name} ({ftype}) approximated as {q}"));
                Some(q)
            }
            FtypeMatch::None => {
                m.notes.push(format!("file type {name} ({ftype}) has no matching preset"));
                None
            }
        };
    }
    let mut bytes_by_type: Vec<(u32, u64)> = Vec::new();
    for t in m.h.tensors.iter().filter(|t| t.name.starts_with("blk.") && t.dims.len() >= 2) {
        let size = t.size_bytes().unwrap_or(0);
        match bytes_by_type.iter_mut().find(|(id, _)| *id == t.ggml_type) {
            Some(entry) => entry.1 = entry.1.saturating_add(size),
            None => bytes_by_type.push((t.ggml_type, size)),
        }
    }
    let (id, _) = bytes_by_type.into_iter().max_by_key(|&(_, b)| b)?;
    let name = super::ggml_type_name(id)?;
    let scheme = match name {
        "Q4_K" => QuantScheme::Q4_K_M,
        "Q5_K" => QuantScheme::Q5_K_M,
        "Q3_K" => QuantScheme::Q3_K_M,
        other => QuantScheme::parse(other)?,
    };
    m.missing
        .push(format!("file type (general.file_type) missing: guessed {scheme} from the tensor types (mostly {name})"));
    Some(scheme)
}

/// Total (and active) parameters from the tensor directory; remarks on unknown types and
/// files shorter than their tensor data.
pub(super) fn params(m: &mut Meta<'_>, spec: &mut ModelSpec, file_size_bytes: u64) {
    let h = m.h;
    let split = h.get_u64("split.count").filter(|&n| n > 1);
    if let Some(count) = split {
        let part = h.get_u64("split.no").map_or(String::new(), |n| format!("{} ", n.saturating_add(1)));
        m.notes.push(format!(
            "part {part}of a model split in {count} files: parameters derived from the shapes, not counted"
        ));
        spec.params_total_b = spec.derived_params_b();
    } else if h.tensors.is_empty() {
        m.missing.push("tensor directory empty: parameters derived from the shapes".to_owned());
        spec.params_total_b = spec.derived_params_b();
    } else {
        spec.params_total_b = h.total_elements() as f64 / 1e9;
        let derived = spec.derived_params_b();
        if (derived / spec.params_total_b - 1.0).abs() > 0.1 {
            m.notes.push(format!(
                "the shapes account for {derived:.3} B parameters, the tensor directory holds {:.3} B",
                spec.params_total_b
            ));
        }
    }
    if let Some(moe) = spec.moe {
        let idle = 1.0 - f64::from(moe.active_experts) / f64::from(moe.experts.max(1));
        let experts = h
            .tensors
            .iter()
            .filter(|t| t.name.contains("_exps."))
            .fold(0u64, |acc, t| acc.saturating_add(t.elements()));
        let active = if experts > 0 && split.is_none() {
            spec.params_total_b - experts as f64 * idle / 1e9
        } else {
            spec.derived_active_params_b()
        };
        spec.params_active_b = Some(active.clamp(1e-6, spec.params_total_b.max(1e-6)));
    }
    let unknown: Vec<String> = h
        .tensors
        .iter()
        .filter(|t| t.type_name().is_none())
        .map(|t| format!("{} (type {})", t.name, t.ggml_type))
        .take(5)
        .collect();
    if !unknown.is_empty() {
        m.notes.push(format!("tensors of unknown ggml types: {}", unknown.join(", ")));
    }
    if let Some(end) = h.data_end_bytes().filter(|&end| file_size_bytes > 0 && end > file_size_bytes && split.is_none())
    {
        m.notes.push(format!("the file has {file_size_bytes} bytes but its tensor data ends at {end}: incomplete?"));
    }
}
