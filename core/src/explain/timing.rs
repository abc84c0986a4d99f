//! Prompt processing, time to first token, generation and total time, from the
//! [`Timer`]'s own per-device terms.

use super::sources::{self, cited, dedup, device_inputs, input, rates_line, Phase, WORKLOAD};
use super::{Ctx, Explanation, Input};
use crate::efficiency::Family;
use crate::estimate::devices::DeviceKind;
use crate::estimate::memory::UBATCH_TOKENS;
use crate::estimate::plan::model_bytes;
use crate::estimate::timing::{GenerationTerm, PromptTerm, Timer, GENERATION_SAMPLES};
use crate::units as u;

/// The family whose error band applies: the GPU's when any block runs there.
fn primary_family(ctx: &Ctx) -> Family {
    ctx.devs()
        .iter()
        .zip(ctx.loads())
        .find(|(d, l)| d.kind == DeviceKind::Gpu && !l.layers.is_empty())
        .map_or(ctx.devs().first().map_or(Family::CpuX86, |d| d.family), |(d, _)| d.family)
}

/// The line stating an error band of `value` with `[low, high]` factors.
fn band_line(ctx: &Ctx, low: String, high: String, factors: [f64; 2]) -> String {
    format!(
        "error band {}–{} (×{}–×{}: 10th–90th percentile of measured ÷ predicted in cross-validation, {} family)",
        low,
        high,
        u::sig(factors[0]),
        u::sig(factors[1]),
        primary_family(ctx).name()
    )
}

fn band_input(ctx: &Ctx, name: &str, factors: [f64; 2]) -> Input {
    let family = primary_family(ctx);
    input(
        format!("{} {name} error band", family.name()),
        format!("×{}–×{}", u::sig(factors[0]), u::sig(factors[1])),
        sources::efficiency(ctx.inputs.eff, family),
    )
}

fn workload_inputs(ctx: &Ctx, with_generation: bool) -> Vec<Input> {
    let w = ctx.inputs.workload;
    let mut out = vec![
        cited("model", format!("{} in {}", ctx.inputs.model.name, ctx.inputs.quant), sources::model(ctx.inputs.model)),
        input("quantization", ctx.inputs.quant.name(), sources::quant(ctx.inputs.quant)),
        input("prompt tokens", w.prompt_tokens.to_string(), WORKLOAD),
    ];
    if with_generation {
        out.push(input("generated tokens", w.gen_tokens.to_string(), WORKLOAD));
    }
    out.push(input("batch (sequences)", w.batch.to_string(), WORKLOAD));
    if w.context_depth > 0 {
        out.push(input("context already cached", format!("{} tokens", w.context_depth), WORKLOAD));
    }
    out.push(input("KV cache type", w.kv_type.name(), WORKLOAD));
    out
}

fn rate_inputs(ctx: &Ctx, used: &[usize], phase: Phase) -> Vec<Input> {
    used.iter().filter_map(|&i| ctx.devs().get(i)).flat_map(|d| device_inputs(ctx, d, phase)).collect()
}

fn blocks(ctx: &Ctx, device: usize) -> usize {
    ctx.loads().get(device).map_or(0, |l| l.layers.len())
}

/// `GPU 0: bytes / B + compute + blocks × ℓ = … = t` for one generation term.
fn generation_term_line(ctx: &Ctx, timer: &Timer, t: &GenerationTerm) -> String {
    let Some(d) = timer.devices.get(t.device) else { return String::new() };
    let batch = ctx.batch();
    let bx = if batch == 1.0 { String::new() } else { format!("{} × ", u::count(batch)) };
    let bytes = if t.kv_bytes > 0.0 {
        format!("({} + {} KV)", u::bytes(t.weight_bytes), u::bytes(t.kv_bytes))
    } else {
        u::bytes(t.bytes)
    };
    let (c, c_gen, c_attn) = (u::gflops(d.gflops), u::gflops(d.generation_gflops), u::gflops(d.attention_gflops));
    let f = u::flop(t.matrix_flops);
    let n_blocks = timer.loads.get(t.device).map_or(0, |l| l.layers.len());
    format!(
        "{}: {bytes} / {} + max({f} / {c_gen}, {bx}{f} / {c}) + {bx}{} / {c_attn} + {n_blocks} × {} \
         = {} + {} + {} = {}",
        d.label,
        u::bandwidth_gb_per_s(d.bandwidth_gb_per_s),
        u::flop(t.attention_flops),
        u::seconds(d.layer_latency_s),
        u::seconds(t.memory_s),
        u::seconds(t.compute_s),
        u::seconds(t.latency_s),
        u::seconds(t.total_s()),
    )
}

/// The per-device lines and the total of one generation step at `context`.
fn step_lines(ctx: &Ctx, timer: &Timer, context: f64, what: &str) -> (Vec<String>, f64, Vec<usize>) {
    let batch = ctx.batch();
    let terms: Vec<GenerationTerm> = timer.generation_terms(context, batch).collect();
    let step_s = timer.generation_step(context, batch).total_s();
    let mut lines = vec![format!("{what}, context c = {} tokens:", u::count(context))];
    lines.extend(terms.iter().map(|t| format!("  {}", generation_term_line(ctx, timer, t))));
    let parts: Vec<String> = terms.iter().map(|t| u::seconds(t.total_s())).collect();
    lines.push(format!(
        "  t_step = {} + {} (step) = {} → {}",
        parts.join(" + "),
        u::seconds(timer.step_latency_s()),
        u::seconds(step_s),
        u::tokens_per_s(1.0 / step_s)
    ));
    (lines, step_s, terms.iter().map(|t| t.device).collect())
}

const STEP_FORMULA: &str = "t_step(c) = Σ_devices [bytes_d(c) / B_d + max(F_d / C_gen,d, b × F_d / C_d) \
     + b × F_attn,d(c) / C_d + blocks_d × ℓ_block,d] + ℓ_step";

/// Which generated token a step explanation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Position {
    /// The first generated token.
    First,
    /// The last generated token.
    Last,
}

fn start_context(ctx: &Ctx) -> f64 {
    f64::from(ctx.inputs.workload.context_depth) + f64::from(ctx.inputs.workload.prompt_tokens)
}

/// Generation speed at the first or the last generated token.
pub(super) fn generation_step(ctx: &Ctx, position: Position) -> Explanation {
    let timer = ctx.timer();
    let start = start_context(ctx);
    let (figure, title, context, what) = match position {
        Position::First => ("generation_start", "Generation speed at the first token", start, "first token"),
        Position::Last => (
            "generation_end",
            "Generation speed at the last token",
            start + f64::from(ctx.inputs.workload.gen_tokens),
            "last token",
        ),
    };
    let (mut lines, step_s, used) = step_lines(ctx, &timer, context, what);
    let mut substituted: Vec<String> =
        used.iter().filter_map(|&i| ctx.devs().get(i)).map(|d| rates_line(ctx, d, Phase::Generation)).collect();
    substituted.append(&mut lines);
    let tps = 1.0 / step_s;
    substituted.push(format!("TG = 1 / {} = {}", u::seconds(step_s), u::tokens_per_s(tps)));
    let mut inputs = workload_inputs(ctx, true);
    inputs.extend(rate_inputs(ctx, &used, Phase::Generation));
    Explanation {
        figure,
        device: None,
        title: title.to_owned(),
        formula: format!("{STEP_FORMULA}\nTG(c) = 1 / t_step(c)"),
        substituted,
        result: u::tokens_per_s(tps),
        result_value: tps,
        unit: "token/s",
        inputs: dedup(inputs),
    }
}

/// Generation speed over the whole output, and the generation time in seconds.
pub(super) fn generation(ctx: &Ctx) -> (Explanation, f64) {
    let timer = ctx.timer();
    let w = ctx.inputs.workload;
    let batch = ctx.batch();
    let n = f64::from(w.gen_tokens);
    let start = start_context(ctx);
    let (first_lines, first_s, used) = step_lines(ctx, &timer, start, "first token");
    let (last_lines, _, _) = step_lines(ctx, &timer, start + n, "last token");
    let mut substituted: Vec<String> =
        used.iter().filter_map(|&i| ctx.devs().get(i)).map(|d| rates_line(ctx, d, Phase::Generation)).collect();
    substituted.extend(first_lines);
    substituted.extend(last_lines);
    let mut inputs = workload_inputs(ctx, true);
    let mut formula = format!(
        "{STEP_FORMULA}\nt_gen = Σ_(i<s) t_step(c_i) × n / s, c_i = c_0 + (i + ½) × n / s, s = min(n, {GENERATION_SAMPLES})\nTG = n / t_gen"
    );
    let samples = w.gen_tokens.min(GENERATION_SAMPLES);
    let mut gen_s = timer.generation(start, w.gen_tokens, batch).total_s();
    if samples > 0 {
        let per = n / f64::from(samples);
        substituted.push(format!(
            "t_gen = Σ of {samples} steps × {} tokens each, c from {} to {} = {}",
            u::count(per),
            u::count(start + 0.5 * per),
            u::count(start + (f64::from(samples) - 0.5) * per),
            u::duration(gen_s)
        ));
    }
    if let (Some(spec), Some(draft_timer), Some(draft)) = (&w.speculative, ctx.draft_timer(), ctx.inputs.draft) {
        let mid = start + 0.5 * n;
        let k = f64::from(spec.draft_tokens);
        let a = spec.acceptance_rate;
        let expected = if a >= 1.0 { k + 1.0 } else { (1.0 - a.powf(k + 1.0)) / (1.0 - a) };
        let draft_s = draft_timer.generation_step(mid, batch).total_s();
        let verify_s = timer.prompt(k + 1.0, mid, batch).total_s();
        let round_s = k * draft_s + verify_s;
        gen_s = n * round_s / expected;
        formula = format!(
            "{STEP_FORMULA}\nspeculative: E = (1 − α^(k+1)) / (1 − α), t_round = k × t_draft(c_mid) + t_verify(k + 1 tokens, c_mid)\n\
             t_gen = n × t_round / E, TG = n / t_gen"
        );
        substituted.push(format!("without speculation the sum above; with it, c_mid = {}:", u::count(mid)));
        substituted.push(if a >= 1.0 {
            format!("  E = k + 1 = {} tokens per round (α = 1)", u::sig(expected))
        } else {
            format!(
                "  E = (1 − {}^{}) / (1 − {}) = {} tokens per round",
                u::sig(a),
                u::count(k + 1.0),
                u::sig(a),
                u::sig(expected)
            )
        });
        substituted.push(format!("  t_draft = {} ({} step)", u::seconds(draft_s), draft.name));
        substituted.push(format!(
            "  t_verify = {} ({} tokens through the target as one prompt step)",
            u::seconds(verify_s),
            u::count(k + 1.0)
        ));
        substituted.push(format!(
            "  t_round = {} × {} + {} = {}",
            u::count(k),
            u::seconds(draft_s),
            u::seconds(verify_s),
            u::seconds(round_s)
        ));
        substituted.push(format!(
            "  t_gen = {} × {} / {} = {}",
            u::count(n),
            u::seconds(round_s),
            u::sig(expected),
            u::duration(gen_s)
        ));
        inputs.push(cited("draft model", draft.name.clone(), sources::model(draft)));
        inputs.push(input("draft tokens per round (k)", spec.draft_tokens.to_string(), WORKLOAD));
        inputs.push(input("acceptance rate (α)", u::sig(a), WORKLOAD));
    }
    let tg = if gen_s > 0.0 { n / gen_s } else { 1.0 / first_s };
    substituted.push(if gen_s > 0.0 {
        format!("TG = {} / {} = {}", u::count(n), u::duration(gen_s), u::tokens_per_s(tg))
    } else {
        format!("no tokens generated: TG = 1 / t_step(c_0) = 1 / {} = {}", u::seconds(first_s), u::tokens_per_s(tg))
    });
    let factors = ctx.inputs.eff.get(primary_family(ctx)).band_generation;
    substituted.push(band_line(ctx, u::tokens_per_s(tg * factors[0]), u::tokens_per_s(tg * factors[1]), factors));
    inputs.extend(rate_inputs(ctx, &used, Phase::Generation));
    inputs.push(band_input(ctx, "generation", factors));
    let explanation = Explanation {
        figure: "generation",
        device: None,
        title: "Generation speed (per sequence)".to_owned(),
        formula,
        substituted,
        result: u::tokens_per_s(tg),
        result_value: tg,
        unit: "token/s",
        inputs: dedup(inputs),
    };
    (explanation, gen_s)
}

/// Generation speed of all sequences together.
pub(super) fn aggregate(ctx: &Ctx, tg: f64) -> Explanation {
    let batch = ctx.batch();
    let all = tg * batch;
    Explanation {
        figure: "aggregate_generation",
        device: None,
        title: "Generation speed, all sequences".to_owned(),
        formula: "TG_all = b × TG".to_owned(),
        substituted: vec![format!("TG_all = {} × {} = {}", u::count(batch), u::tokens_per_s(tg), u::tokens_per_s(all))],
        result: u::tokens_per_s(all),
        result_value: all,
        unit: "token/s",
        inputs: vec![input("batch (sequences)", ctx.inputs.workload.batch.to_string(), WORKLOAD)],
    }
}

/// `CPU: max(bytes / B, FLOPs / C) + blocks × ℓ = … = t`, or its PCIe offload.
fn prompt_term_line(ctx: &Ctx, t: &PromptTerm, tokens: f64) -> String {
    let Some(d) = ctx.devs().get(t.device) else { return String::new() };
    let n_blocks = blocks(ctx, t.device);
    let per_token = ctx.loads().get(t.device).map_or(0.0, |l| l.flops_per_token);
    let flops = format!("({} × {} + {} attention)", u::count(tokens), u::flop(per_token), u::flop(t.attention_flops));
    let on_device = format!(
        "max({} / {}, {flops} / {}) + {n_blocks} × {}",
        u::bytes(t.bytes),
        u::bandwidth_gb_per_s(d.bandwidth_gb_per_s),
        u::gflops(d.gflops),
        u::seconds(d.layer_latency_s)
    );
    match t.offloaded_to.and_then(|g| ctx.devs().get(g)) {
        Some(g) => format!(
            "{} → {} over PCIe: {} / {} + {flops} / {} + {n_blocks} × {} = {} + {} + {} = {} \
             (on the {} it would take max({}, {}) + {})",
            d.label,
            g.label,
            u::bytes(t.bytes),
            u::bandwidth_gb_per_s(g.link_gb_per_s.unwrap_or(f64::NAN)),
            u::gflops(g.gflops),
            u::seconds(g.layer_latency_s),
            u::seconds(t.split.pcie_s),
            u::seconds(t.split.compute_s),
            u::seconds(t.split.latency_s),
            u::seconds(t.split.total_s()),
            d.label,
            u::seconds(t.memory_s),
            u::seconds(t.compute_s),
            u::seconds(n_blocks as f64 * d.layer_latency_s),
        ),
        None => format!(
            "{}: {on_device} = max({}, {}) + {} = {}",
            d.label,
            u::seconds(t.memory_s),
            u::seconds(t.compute_s),
            u::seconds(t.split.latency_s),
            u::seconds(t.split.total_s())
        ),
    }
}

/// Prompt processing speed, and the prompt time in seconds.
pub(super) fn prompt(ctx: &Ctx) -> (Explanation, f64) {
    let timer = ctx.timer();
    let w = ctx.inputs.workload;
    let (prompt, depth, batch) = (f64::from(w.prompt_tokens), f64::from(w.context_depth), ctx.batch());
    let steps = timer.prompt_steps(prompt, depth, batch);
    let prompt_s = timer.prompt(prompt, depth, batch).total_s();
    let pp = prompt * batch / prompt_s;
    let tokens = if batch == 1.0 { u::count(prompt) } else { format!("{} × {}", u::count(prompt), u::count(batch)) };
    let mut used: Vec<usize> = steps.terms.iter().map(|t| t.device).collect();
    used.extend(steps.terms.iter().filter_map(|t| t.offloaded_to));
    used.sort_unstable();
    used.dedup();
    let mut substituted: Vec<String> =
        used.iter().filter_map(|&i| ctx.devs().get(i)).map(|d| rates_line(ctx, d, Phase::Prompt)).collect();
    substituted.push(format!(
        "n_ub = ⌈{tokens} / {UBATCH_TOKENS}⌉ = {} micro-batches of {} tokens",
        u::count(steps.micro_batches),
        u::count(steps.tokens_per_micro_batch)
    ));
    substituted.extend(steps.terms.iter().map(|t| prompt_term_line(ctx, t, steps.tokens_per_micro_batch)));
    let parts: Vec<String> = steps.terms.iter().map(|t| u::seconds(t.split.total_s())).collect();
    match steps.pipeline {
        Some(p) => {
            substituted.push(format!(
                "pipeline over {} GPUs, {:.2} micro-batches per batch: f = (Σ t_d + {:.2} × max t_d) / ({:.2} × Σ t_d) = {:.3}",
                p.stages,
                p.micro_batches_per_batch,
                p.micro_batches_per_batch - 1.0,
                p.micro_batches_per_batch,
                p.factor
            ));
            substituted.push(format!(
                "t_prompt = {} × (({}) × {:.3} + {} (step)) = {}",
                u::count(steps.micro_batches),
                parts.join(" + "),
                p.factor,
                u::seconds(steps.step_latency_s),
                u::seconds(prompt_s)
            ));
        }
        None => substituted.push(format!(
            "t_prompt = {} × ({} + {} (step)) = {}",
            u::count(steps.micro_batches),
            parts.join(" + "),
            u::seconds(steps.step_latency_s),
            u::seconds(prompt_s)
        )),
    }
    substituted.push(format!("PP = {tokens} / {} = {}", u::seconds(prompt_s), u::tokens_per_s(pp)));
    let factors = ctx.inputs.eff.get(primary_family(ctx)).band_prompt;
    substituted.push(band_line(ctx, u::tokens_per_s(pp * factors[0]), u::tokens_per_s(pp * factors[1]), factors));
    let mut inputs = workload_inputs(ctx, false);
    inputs.extend(rate_inputs(ctx, &used, Phase::Prompt));
    inputs.push(input(
        "tokens per micro-batch (n_ubatch)",
        UBATCH_TOKENS.to_string(),
        sources::estimator("llama.cpp's default n_ubatch"),
    ));
    inputs.push(band_input(ctx, "prompt", factors));
    let explanation = Explanation {
        figure: "prompt",
        device: None,
        title: "Prompt processing".to_owned(),
        formula: "n_ub = ⌈prompt × b / 512⌉\n\
                  t_ub = Σ_devices [max(bytes_d / B_d, (tokens_ub × F_d + F_attn,d) / C_d) + blocks_d × ℓ_block,d] + ℓ_step\n\
                  (a CPU share moves to the GPU when bytes_d / link + FLOPs_d / C_GPU + blocks_d × ℓ_block,GPU is less)\n\
                  t_prompt = n_ub × t_ub, PP = prompt × b / t_prompt\n\
                  (a layer split over GPUs pipelines the micro-batches of each 2048-token batch: the devices' part × f)"
            .to_owned(),
        substituted,
        result: u::tokens_per_s(pp),
        result_value: pp,
        unit: "token/s",
        inputs: dedup(inputs),
    };
    (explanation, prompt_s)
}

/// Time to first token, and the same in seconds.
pub(super) fn time_to_first_token(ctx: &Ctx, prompt_s: f64) -> (Explanation, f64) {
    let w = ctx.inputs.workload;
    let model_size_gb = model_bytes(ctx.inputs.model, ctx.inputs.quant) / 1e9;
    let load_time_s = w.cold_start_disk_gb_per_s.map_or(0.0, |d| model_size_gb / d);
    let ttft_s = prompt_s + load_time_s;
    let mut substituted = Vec::new();
    let mut inputs = Vec::new();
    match w.cold_start_disk_gb_per_s {
        Some(d) => {
            substituted.push(format!(
                "t_load = {} / {} = {}",
                u::gigabytes(model_size_gb),
                u::bandwidth_gb_per_s(d),
                u::seconds(load_time_s)
            ));
            substituted.push(format!(
                "TTFT = {} + {} = {}",
                u::seconds(prompt_s),
                u::seconds(load_time_s),
                u::seconds(ttft_s)
            ));
            inputs.push(input("disk read speed (cold start)", u::bandwidth_gb_per_s(d), WORKLOAD));
            inputs.push(input("model size", u::gigabytes(model_size_gb), "see the model size"));
        }
        None => substituted.push(format!("TTFT = t_prompt = {} (weights already in memory)", u::seconds(ttft_s))),
    }
    let factors = ctx.inputs.eff.get(primary_family(ctx)).band_prompt;
    let low = prompt_s / factors[1] + load_time_s;
    let high = prompt_s / factors[0] + load_time_s;
    substituted.push(band_line(ctx, u::seconds(low), u::seconds(high), [1.0 / factors[1], 1.0 / factors[0]]));
    inputs.insert(0, input("prompt time", u::seconds(prompt_s), "see prompt processing"));
    inputs.push(band_input(ctx, "prompt", factors));
    let ms = ttft_s * 1e3;
    let explanation = Explanation {
        figure: "time_to_first_token",
        device: None,
        title: "Time to first token".to_owned(),
        formula: "TTFT = t_prompt + S / R_disk (the second term on a cold start only)".to_owned(),
        substituted,
        result: u::milliseconds(ms),
        result_value: ms,
        unit: "ms",
        inputs,
    };
    (explanation, ttft_s)
}

/// Total time: time to first token plus generation.
pub(super) fn total_time(ttft_s: f64, gen_s: f64) -> Explanation {
    let total = ttft_s + gen_s;
    Explanation {
        figure: "total_time",
        device: None,
        title: "Total time".to_owned(),
        formula: "T = TTFT + t_gen".to_owned(),
        substituted: vec![format!("T = {} + {} = {}", u::seconds(ttft_s), u::duration(gen_s), u::duration(total))],
        result: u::duration(total),
        result_value: total,
        unit: "s",
        inputs: vec![
            input("time to first token", u::seconds(ttft_s), "see time to first token"),
            input("generation time", u::duration(gen_s), "see generation speed"),
        ],
    }
}
