//! Model size and memory per device, from the estimator's plan and memory functions.

use super::sources::{self, cited, dedup, input, WORKLOAD};
use super::{Ctx, Explanation, Input};
use crate::estimate::devices::DeviceKind;
use crate::estimate::memory::{overhead_gb, UBATCH_TOKENS};
use crate::estimate::plan::{model_bytes, DeviceLoad};
use crate::quant::{GgmlType, TensorRole};
use crate::units as u;

/// The tensor types `ctx`'s quantization gives the model, in first-use order.
fn tensor_types(ctx: &Ctx) -> Vec<GgmlType> {
    let (model, quant) = (ctx.inputs.model, ctx.inputs.quant);
    let n = model.layers;
    let output = quant.tensor_type(TensorRole::Output, n, n);
    let embedding = if model.tied_embeddings { output } else { quant.tensor_type(TensorRole::Embedding, 0, n) };
    let mut types = vec![embedding, output];
    for layer in 0..n {
        types.extend(model.layer_tensors(layer).iter().map(|t| quant.tensor_type(t.role, layer, n)));
    }
    let mut out: Vec<GgmlType> = Vec::new();
    for t in types {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Model size: the file's weight bytes.
pub(super) fn model_size(ctx: &Ctx) -> Explanation {
    let (model, quant) = (ctx.inputs.model, ctx.inputs.quant);
    let bytes = model_bytes(model, quant);
    let gb = bytes / 1e9;
    let params = model.derived_params_b() * 1e9;
    let types = tensor_types(ctx);
    let listed: Vec<String> = types.iter().map(|t| format!("{t:?} {} bit", u::sig(t.bits_per_weight()))).collect();
    let mut inputs = vec![
        cited(
            "parameters (from the tensor shapes)",
            format!("{} (published: {} B)", u::count(params), u::sig(model.params_total_b)),
            sources::model(model),
        ),
        input("quantization", quant.name(), sources::quant(quant)),
    ];
    inputs.extend(types.iter().map(|t| {
        let (weights, block) = t.block_layout();
        input(
            format!("{t:?} bits per weight"),
            format!("{} ({block} B per {weights} weights)", u::sig(t.bits_per_weight())),
            "GGUF/ggml block layout",
        )
    }));
    Explanation {
        figure: "model_size",
        device: None,
        title: "Model size".to_owned(),
        formula: "S = Σ_tensors ⌈elements / block⌉ × bytes_per_block = parameters × average bits per weight / 8"
            .to_owned(),
        substituted: vec![
            format!("{quant} stores the tensors as {} per weight, scales included", listed.join(", ")),
            format!(
                "S = {} parameters × {} bit / 8 = {} (the mix averages {} bit per weight)",
                u::count(params),
                u::sig(8.0 * bytes / params),
                u::gigabytes(gb),
                u::sig(8.0 * bytes / params)
            ),
        ],
        result: u::gigabytes(gb),
        result_value: gb,
        unit: "GB",
        inputs,
    }
}

/// The blocks of a load in words: `32 blocks (0–31)`.
fn block_range(load: &DeviceLoad) -> String {
    match (load.layers.first(), load.layers.last()) {
        (Some(a), Some(b)) => format!("{} blocks ({a}–{b})", load.layers.len()),
        _ => "no blocks".to_owned(),
    }
}

/// Memory per device.
pub(super) fn devices(ctx: &Ctx) -> Vec<Explanation> {
    let (target, draft) = ctx.steps.memory_parts(&ctx.inputs, ctx.inputs.workload);
    let merged = ctx.steps.memory(&ctx.inputs, ctx.inputs.workload);
    let w = ctx.inputs.workload;
    let model = ctx.inputs.model;
    let context = w.kv_context_tokens() as f64;
    let batch = f64::from(w.batch);
    let elem = w.kv_type.bytes_per_element();
    let kv_per_token = model.kv_elements_per_token(0) as f64;
    let ubatch = UBATCH_TOKENS.min(w.prompt_tokens.saturating_mul(w.batch).max(1));
    let ff = model.moe.map_or(model.ffn_size, |m| m.expert_ffn_size.max(model.ffn_size));
    let mut out = Vec::with_capacity(target.len());
    let mut pool_total = 0.0;
    for (m, all) in target.iter().zip(&merged) {
        let Some((i, dev)) = ctx.devs().iter().enumerate().find(|(_, d)| d.label == m.device) else { continue };
        let Some(load) = ctx.loads().get(i) else { continue };
        let dm = draft.iter().find(|d| d.device == m.device);
        // With the draft model's weights and KV cache, as the estimate lists them.
        let (weights_gb, kv_gb, total_gb, fits) = (all.weights_gb, all.kv_cache_gb, all.total_gb, all.fits);
        pool_total += total_gb;
        let mut parts = vec![block_range(load)];
        if i == 0 {
            parts.push("token embedding".to_owned());
        }
        if load.has_output {
            parts.push("output".to_owned());
        }
        let mut lines = vec![format!("weights: {} ({})", u::gigabytes(m.weights_gb), parts.join(", "))];
        let local = f64::from(load.local_layers);
        let global = load.layers.len() as f64 - local;
        let tokens = match model.sliding_window {
            Some(sw) if local > 0.0 => format!(
                "({} × {} + {} × min({}, {})) tokens",
                u::count(global),
                u::count(context),
                u::count(local),
                u::count(context),
                sw.window_tokens
            ),
            _ => format!("{} blocks × {} tokens", load.layers.len(), u::count(context)),
        };
        lines.push(format!(
            "KV cache: {} × {tokens} × {} elements × {} B = {}",
            u::count(batch),
            u::count(kv_per_token),
            u::sig(elem),
            u::gigabytes(m.kv_cache_gb)
        ));
        if let Some(dm) = dm {
            lines.push(format!(
                "draft model ({}): weights {} + KV cache {}",
                ctx.inputs.draft.map_or("", |d| d.name.as_str()),
                u::gigabytes(dm.weights_gb),
                u::gigabytes(dm.kv_cache_gb)
            ));
        }
        lines.push(if m.compute_buffers_gb > 0.0 {
            let vocab = if load.has_output { format!(" + {}", model.vocab_size) } else { String::new() };
            format!(
                "buffers: {ubatch} × 4 B × (2 × {} + 2 × {ff}{vocab}) = {}",
                model.hidden_size,
                u::gigabytes(m.compute_buffers_gb)
            )
        } else {
            "buffers: 0 B (no blocks or output here)".to_owned()
        });
        lines.push(format!("overhead: {} ({} runtime)", u::gigabytes(m.overhead_gb), dev.family.name()));
        let capacity = match (dev.kind, &ctx.inputs.system.gpu, ctx.inputs.system.unified) {
            (DeviceKind::Cpu, _, _) => format!(
                "capacity: {} − min(4 GB, 15 % × {}) = {}",
                u::gigabytes(ctx.inputs.system.memory.capacity_gb),
                u::gigabytes(ctx.inputs.system.memory.capacity_gb),
                u::gigabytes(m.capacity_gb)
            ),
            (DeviceKind::Gpu, Some(_), Some(un)) => format!(
                "capacity: {} × {} = {} of the shared memory",
                u::sig(un.gpu_usable_fraction),
                u::gigabytes(ctx.inputs.system.memory.capacity_gb),
                u::gigabytes(m.capacity_gb)
            ),
            _ => format!("capacity: {} VRAM", u::gigabytes(m.capacity_gb)),
        };
        lines.push(capacity);
        let verdict = if fits {
            format!("fits, {} free", u::gigabytes(m.capacity_gb - total_gb))
        } else {
            format!("does not fit, {} short", u::gigabytes(total_gb - m.capacity_gb))
        };
        lines.push(format!(
            "M = {} + {} + {} + {} = {} of {} → {verdict}",
            u::gigabytes(weights_gb),
            u::gigabytes(kv_gb),
            u::gigabytes(m.compute_buffers_gb),
            u::gigabytes(m.overhead_gb),
            u::gigabytes(total_gb),
            u::gigabytes(m.capacity_gb)
        ));
        out.push(Explanation {
            figure: "memory",
            device: Some(m.device.clone()),
            title: format!("Memory of {}", m.device),
            formula: "M = weights + KV + buffers + overhead ≤ capacity\n\
                      KV = b × Σ_blocks tokens_cached × kv_elements_per_token × bytes_per_element\n\
                      buffers = ubatch × 4 B × (2 d + 2 d_ff + vocab where the output runs)"
                .to_owned(),
            substituted: lines,
            result: u::gigabytes(total_gb),
            result_value: total_gb,
            unit: "GB",
            inputs: dedup(memory_inputs(ctx, dev.kind, ubatch)),
        });
    }
    if let Some(last) = out.last_mut().filter(|_| ctx.inputs.system.unified.is_some()) {
        let usable = ctx.inputs.system.host_usable_gb();
        last.substituted.push(format!(
            "shared memory: CPU and GPU together {} of {} usable → {}",
            u::gigabytes(pool_total),
            u::gigabytes(usable),
            if pool_total <= usable { "fits" } else { "does not fit" }
        ));
    }
    out
}

fn memory_inputs(ctx: &Ctx, kind: DeviceKind, ubatch: u32) -> Vec<Input> {
    let w = ctx.inputs.workload;
    let model = ctx.inputs.model;
    let m_src = sources::model(model);
    let mut out = vec![
        input("context held in the KV cache", format!("{} tokens", w.kv_context_tokens()), WORKLOAD),
        input("batch (sequences)", w.batch.to_string(), WORKLOAD),
        input(
            "KV cache type",
            format!("{} ({} B per element)", w.kv_type.name(), u::sig(w.kv_type.bytes_per_element())),
            WORKLOAD,
        ),
        cited(
            "KV elements per token and block",
            model.kv_elements_per_token(0).to_string(),
            (format!("{} (K and V heads × head size)", m_src.0), m_src.1.clone()),
        ),
        cited("hidden size d", model.hidden_size.to_string(), m_src.clone()),
        cited("feed-forward size d_ff", model.ffn_size.to_string(), m_src.clone()),
        cited("vocabulary", model.vocab_size.to_string(), m_src),
        input(
            "tokens per micro-batch",
            ubatch.to_string(),
            sources::estimator("llama.cpp's n_ubatch, capped at the prompt"),
        ),
        input("quantization", ctx.inputs.quant.name(), sources::quant(ctx.inputs.quant)),
    ];
    let sys = ctx.inputs.system;
    match kind {
        DeviceKind::Cpu => {
            out.push(cited("host memory", u::gigabytes(sys.memory.capacity_gb), ctx.prov.host()));
            out.push(input("reserved for the OS", "min(4 GB, 15 %)", sources::estimator("System::host_usable_gb")));
        }
        DeviceKind::Gpu => match (&sys.gpu, sys.unified) {
            (Some(_), Some(un)) => {
                out.push(cited("shared memory", u::gigabytes(sys.memory.capacity_gb), ctx.prov.host()));
                out.push(cited("share the GPU may use", u::sig(un.gpu_usable_fraction), ctx.prov.host()));
            }
            (Some(g), None) => out.push(cited("VRAM", u::gigabytes(g.vram_gb), ctx.prov.gpu())),
            _ => {}
        },
    }
    let family = match (kind, sys.gpu_backend()) {
        (DeviceKind::Gpu, Some(b)) => crate::efficiency::Family::of_gpu(b),
        _ => crate::efficiency::Family::of_cpu(sys.cpu.isa),
    };
    out.push(input(
        format!("{} runtime overhead", family.name()),
        u::gigabytes(overhead_gb(family)),
        sources::estimator("core/src/estimate/memory.rs"),
    ));
    out
}
