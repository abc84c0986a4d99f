//! `roofline bench --model-shape`: a generated-weights model at a published shape, timed
//! like llama-bench (and LocalScore with `--localscore`), with its roofline ratios against
//! the probes of the same run.

use anyhow::{anyhow, Result};
use roofline_core::catalog::Catalog;
use roofline_core::units::sig;
use roofline_gpu::model::bench::{load_largest, run_model_bench, ModelBenchConfig, ModelBenchReport, ProfileReport};
use roofline_gpu::model::ops::QuantKernel;
use roofline_gpu::model::runner::{GpuModel, Profile};
use roofline_gpu::{BenchReport, GpuContext, ProbeError, ProbeKind};
use roofline_reference::generated::candidates;

use crate::args::BenchArgs;

/// Seed of the generated weights (any value gives the same speed).
const SEED: u32 = 1;

/// Loads the shape (or the largest that fits, for `auto`) and runs the tests.
pub fn run(
    ctx: &GpuContext,
    args: &BenchArgs,
    shape: &str,
    catalog: &Catalog,
    probes: &BenchReport,
) -> Result<ModelBenchReport> {
    let candidates = candidates(catalog, shape)?;
    let config = ModelBenchConfig {
        prompt_tokens: args.pp.max(1),
        gen_tokens: args.tg.max(1),
        repetitions: args.repetitions.max(1),
        localscore: args.localscore,
    };
    let mut shown = (String::new(), usize::MAX);
    let mut chosen = pollster::block_on(load_largest(ctx, &candidates, config.context_tokens(), SEED, &mut |s, p| {
        if (s.id.as_str(), p.layers) != (shown.0.as_str(), shown.1) {
            shown = (s.id.clone(), p.layers);
            eprint!("\r  generating {}: {}/{} layers, {} MB   ", s.id, p.layers, p.total_layers, p.bytes / 1_000_000);
        }
    }))
    .map_err(|e| anyhow!("{e}"))?;
    eprintln!();
    for why in &chosen.not_run {
        eprintln!("  not run: {why}");
    }
    if let Some(name) = &args.decode_kernel {
        let kernel = match name.as_str() {
            "plain" => QuantKernel::Matvec,
            "wide" => QuantKernel::MatvecWide,
            "wide8" => QuantKernel::MatvecWide8,
            "coalesced" => QuantKernel::MatvecCoalesced,
            "coalesced8" => QuantKernel::MatvecCoalesced8,
            other => {
                return Err(anyhow!("--decode-kernel {other}: expected plain, wide, wide8, coalesced or coalesced8"))
            }
        };
        pollster::block_on(chosen.model.use_matvec_kernel(ctx, kernel)).map_err(|e| anyhow!("{e}"))?;
        eprintln!("  decoding with {kernel:?}");
    }
    let mut report = pollster::block_on(run_model_bench(
        ctx,
        &chosen.model,
        &chosen.shape,
        &config,
        &mut |step| eprintln!("  {}: {step}", chosen.shape.id),
        &|| false,
    ))
    .map_err(|e| anyhow!("{e}"))?;
    if args.profile {
        let (prefill, decode) = profile(ctx, &mut chosen.model, args.pp.max(1))?;
        for (what, p) in [("prompt", &prefill), ("generation", &decode)] {
            eprintln!("  profile of {what}, µs per step ({} steps):", p.steps);
            for (label, us) in p.per_step_us() {
                eprintln!("    {label:<18} {us:>10.1}");
            }
        }
        let owned = |p: &Profile| p.per_step_us().into_iter().map(|(l, us)| (l.to_string(), us)).collect();
        report.profile = Some(ProfileReport { prefill_us: owned(&prefill), decode_us: owned(&decode) });
    }
    report.not_run = chosen.not_run;
    report.probed_read_gb_per_s = probes.headline(ProbeKind::Read).map(|m| m.stats.median);
    report.probed_fma_tflops = probes.headline(ProbeKind::FmaF32).map(|m| m.stats.median);
    Ok(report)
}

/// GPU time per kind of dispatch: the prompt's chunks (`pp` tokens), then generation
/// steps at the prompt's last (up to 32) positions, so attention reads about `pp` keys.
fn profile(ctx: &GpuContext, model: &mut GpuModel, pp: u32) -> Result<(Profile, Profile)> {
    pollster::block_on(async {
        if !model.set_profile(ctx, true).await? {
            return Err(ProbeError::Unsupported("this adapter has no timestamps inside passes".into()));
        }
        let vocab = model.config().vocab as u32;
        let prompt: Vec<u32> = (0..pp).map(|i| (i * 7919 + 1) % vocab.max(1)).collect();
        model.prefill_logits(ctx, &prompt, 0).await?;
        let prefill = model.take_profile();
        for pos in pp - pp.min(32)..pp {
            model.logits(ctx, 1, pos).await?;
        }
        let decode = model.take_profile();
        model.set_profile(ctx, false).await?;
        Ok((prefill, decode))
    })
    .map_err(|e: ProbeError| anyhow!("profile: {e}"))
}

/// The report, its roofline ratios and llama-bench's rows, as JSON.
pub fn json(r: &ModelBenchReport) -> Result<serde_json::Value> {
    let mut value = serde_json::to_value(r)?;
    value["bandwidth_ratio"] = serde_json::json!(r.bandwidth_ratio());
    value["compute_ratio"] = serde_json::json!(r.compute_ratio());
    value["llama_bench"] = r.llama_bench_rows();
    Ok(value)
}

/// The report as text.
pub fn text(r: &ModelBenchReport) -> String {
    let c = &r.config;
    let pm = |s: &roofline_gpu::model::bench::Sampled| format!("{} ± {}", sig(s.mean), sig(s.stddev));
    let mut out = format!(
        "\nmodel     {} shape, generated weights (Q4_K_M mix, {} MB, {} M parameters in matrices)\n",
        r.name,
        sig(r.weight_bytes as f64 / 1e6),
        sig(r.params as f64 / 1e6)
    );
    out += &format!(
        "pp{:<6}  {} token/s  (time to first token {} ms)\n",
        c.prompt_tokens,
        pm(&r.pp_tokens_per_s),
        pm(&r.ttft_ms)
    );
    out += &format!("tg{:<6}  {} token/s\n", c.gen_tokens, pm(&r.tg_tokens_per_s));
    out += &format!(
        "roofline  {} MB read per generated token → {} GB/s{}; {} GFLOP per prompt token → {} TFLOPS{}\n",
        sig(r.bytes_per_token as f64 / 1e6),
        sig(r.generation_gb_per_s),
        r.bandwidth_ratio().map(|x| format!(" = {:.0} % of the probed read bandwidth", x * 100.0)).unwrap_or_default(),
        sig(r.flops_per_token as f64 / 1e9),
        sig(r.prefill_tflops),
        r.compute_ratio().map(|x| format!(" = {:.0} % of the probed f32 FMA peak", x * 100.0)).unwrap_or_default(),
    );
    if let Some(ls) = &r.localscore {
        out += &format!(
            "LocalScore {}  (averages: prompt {} token/s, generation {} token/s, time to first token {} ms)\n",
            sig(ls.score),
            sig(ls.avg_pp_tokens_per_s),
            sig(ls.avg_tg_tokens_per_s),
            sig(ls.avg_ttft_ms)
        );
    }
    for why in &r.not_run {
        out += &format!("not run   {why}\n");
    }
    out
}
