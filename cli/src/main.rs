//! `roofline`: estimates, LocalScore predictions, the catalog, validation and GPU probes
//! from the command line, as text or JSON.

mod args;
mod bench;
mod generate;
mod model_bench;
mod report;

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use roofline_core::catalog::Catalog;
use roofline_core::cost::Energy;
use roofline_core::efficiency::Efficiency;
use roofline_core::estimate::{estimate_with_draft, use_case_verdicts};
use roofline_core::fit::fit_and_validate;
use roofline_core::localscore;
use roofline_core::plan::plan;
use roofline_core::runtime::Engine;
use roofline_core::shop::shop;
use roofline_core::validate::{bench as other, groups, parse_tsv, reference_runs};
use roofline_core::workload::Workload;
use serde_json::json;

/// Prints a line to stdout; a closed pipe (`roofline … | head`) ends quietly.
macro_rules! out {
    ($($arg:tt)*) => { write_stdout(&format!("{}\n", format_args!($($arg)*)))? };
}

/// Prints to stdout without a newline.
macro_rules! out_raw {
    ($($arg:tt)*) => { write_stdout(&format!($($arg)*))? };
}

fn write_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => Ok(other?),
    }
}

const LOCALSCORE_TSV: &str = include_str!("../../core/data/measured/localscore_results.tsv");
/// The other sources' measurements in one table (`scripts/import-bench-runs.py`).
const BENCH_RUNS_TSV: &str = include_str!("../../core/data/measured/bench_runs.tsv");

#[derive(Parser)]
#[command(name = "roofline", version, about = "How fast will this language model run on this machine?")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Estimate prompt processing, time to first token, generation, memory and verdicts.
    Estimate {
        #[command(flatten)]
        target: args::Target,
        #[command(flatten)]
        workload: args::WorkloadArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Predict LocalScore's nine tests and its score.
    Localscore {
        #[command(flatten)]
        target: args::Target,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the catalog.
    Catalog {
        /// What to list.
        what: CatalogKind,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Measure this machine's GPU: memory bandwidth, FMA throughput and dispatch latency,
    /// and with --model-shape a model's prompt and generation speed (generated weights).
    Bench(args::BenchArgs),
    /// Run a real GGUF model (greedy, raw completion) on the GPU and time it.
    Generate(generate::GenerateArgs),
    /// What can I run: every catalog model in the usual quantizations on one machine, with
    /// where it goes, the largest context that fits, its speed and the use case's verdict.
    Plan {
        /// The machine.
        #[command(flatten)]
        machine: args::Machine,
        /// Use case whose prompt and output lengths are planned: uc1, uc2, uc3 or uc4, or one
        /// of LocalScore's tests, ls1 … ls9.
        #[arg(long, default_value = "uc1")]
        use_case: String,
        /// KV cache type: f16, q8_0 or q4_0.
        #[arg(long, default_value = "f16")]
        kv_type: String,
        /// Operating system the engine runs on: linux (also macOS) or windows.
        #[arg(long, default_value = "linux")]
        os: String,
        /// The runtime.
        #[command(flatten)]
        runtime: args::Runtime,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// What should I buy: every catalog machine that runs a model well enough for a target
    /// (a use case's verdict, or a least generation speed and a most time to first token),
    /// cheapest first, with its parts, power and headroom; unknown prices last.
    Shop(args::ShopArgs),
    /// Fit on every source's measured runs and compare: LocalScore in-sample and
    /// cross-validated by device, every other source in-sample; with --sources also each
    /// source held out (leave-one-source-out) and cross-validated by device.
    Validate {
        /// Folds of the cross-validation by device.
        #[arg(long, default_value_t = 5)]
        folds: usize,
        /// Nelder–Mead iterations per fit.
        #[arg(long, default_value_t = 300)]
        iterations: usize,
        /// Write the parameters fitted on all data to this file (core/data/efficiency.json);
        /// the fit always starts from the priors, so the result is reproducible.
        #[arg(long)]
        write_params: Option<std::path::PathBuf>,
        /// Also fit without each source and predict it, and cross-validate each source by
        /// device (about a dozen more fits: minutes longer).
        #[arg(long)]
        sources: bool,
        /// With --sources: write the per-source table as the site shows it (tab-separated;
        /// `public/accuracy.tsv`).
        #[arg(long, requires = "sources")]
        accuracy_tsv: Option<std::path::PathBuf>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum CatalogKind {
    Hardware,
    Models,
    /// Price and power coverage, and the entries without a public price.
    Prices,
}

fn run(cli: Cli) -> Result<()> {
    let catalog = Catalog::try_builtin()?;
    let eff = Efficiency::fitted();
    match cli.command {
        Command::Estimate { target, workload, json } => {
            let r = target.resolve(&catalog, Engine::LlamaCpp)?;
            let (w, draft) = workload.build(&r, target.batch, &catalog)?;
            let e = estimate_with_draft(&r.system, &r.model, draft.as_ref(), r.quant, &w, &eff)?;
            let verdicts =
                use_case_verdicts(&r.system, &r.model, r.quant, &Workload { speculative: None, ..w.clone() }, &eff)?;
            let energy = energy(&target.machine, &workload, &e, &catalog)?;
            if json {
                let mut v = serde_json::to_value(&e)?;
                v["energy"] = serde_json::to_value(energy)?;
                v["use_cases"] = serde_json::to_value(&verdicts)?;
                v["workload"] = serde_json::to_value(&w)?;
                v["backend"] = json!(backend_id(&r.system, e.gpu_layers > 0));
                v["engine"] = json!(w.engine.id());
                v["flash_attention"] = json!(on_off(w.flash_attention_on()));
                out!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                out_raw!("{}", report::estimate(&e, &verdicts));
                out_raw!("{}", report::energy(energy.as_ref()));
            }
        }
        Command::Localscore { target, json } => {
            let r = target.resolve(&catalog, Engine::LocalScore)?;
            let base = Workload {
                placement: r.placement,
                kv_type: r.kv_type,
                batch: target.batch,
                os: r.os,
                backend: r.backend,
                engine: r.engine,
                flash_attention: r.flash_attention,
                ..Workload::default()
            };
            let ls = localscore::predict(&r.system, &r.model, r.quant, &base, &eff)?;
            if json {
                let mut v = serde_json::to_value(&ls)?;
                v["hardware"] = json!(r.system.name);
                v["model"] = json!(r.model.name);
                v["quant"] = json!(r.quant.name());
                v["backend"] = json!(backend_id(&r.system, true));
                v["engine"] = json!(base.engine.id());
                v["flash_attention"] = json!(on_off(base.flash_attention_on()));
                out!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                out!("{} — {} {} ({})", r.system.name, r.model.name, r.quant, base.engine.label());
                out_raw!("{}", report::localscore(&ls));
            }
        }
        Command::Plan { machine, use_case, kv_type, os, runtime, json } => {
            let (system, backend) = machine.resolve(&catalog)?;
            let uc = args::parse_task(&use_case)?;
            let kv_type = args::parse_kv_type(&kv_type)?;
            let os = args::parse_os(&os)?;
            let (engine, flash_attention) = runtime.resolve(Engine::LlamaCpp)?;
            let w = Workload {
                prompt_tokens: uc.prompt_tokens,
                gen_tokens: uc.gen_tokens,
                kv_type,
                os,
                backend,
                engine,
                flash_attention,
                ..Workload::default()
            };
            let rows = plan(&catalog, &system, &w, &eff);
            if json {
                out!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "hardware": system.name,
                        "backend": backend_id(&system, true),
                        "engine": engine.id(),
                        "flash_attention": on_off(w.flash_attention_on()),
                        "use_case": uc.id.to_uppercase(),
                        "workload": w,
                        "rows": rows,
                    }))?
                );
            } else {
                out!(
                    "{} — {} ({} prompt → {} generated tokens)",
                    system.name,
                    uc.id.to_uppercase(),
                    uc.prompt_tokens,
                    uc.gen_tokens
                );
                out_raw!("{}", report::plan(&rows));
            }
        }
        Command::Shop(a) => {
            let (query, uc, model, quant) = a.resolve(&catalog)?;
            let rows = shop(&catalog, &model, quant, &query, &eff);
            if a.json {
                out!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "model": model.name,
                        "quant": quant.name(),
                        "use_case": uc.id.to_uppercase(),
                        "target": query.target,
                        "budget_usd": query.budget_usd,
                        "memory_usd_per_gb": query.memory_usd_per_gb,
                        "hosts": report::shop_hosts(&catalog, query.memory_usd_per_gb),
                        "workload": query.workload,
                        "rows": rows,
                    }))?
                );
            } else {
                out!(
                    "{} {} — {} ({} prompt → {} generated tokens), {}",
                    model.name,
                    quant,
                    uc.id,
                    query.workload.prompt_tokens,
                    query.workload.gen_tokens,
                    report::target(&query.target)
                );
                out_raw!("{}", report::shop(&rows, &catalog, query.memory_usd_per_gb));
            }
        }
        Command::Bench(args) => out_raw!("{}", bench::run(&args, &catalog)?),
        Command::Generate(args) => out_raw!("{}", generate::run(&args)?),
        Command::Catalog { what, json } => match (what, json) {
            (CatalogKind::Hardware, true) => out!("{}", serde_json::to_string_pretty(&catalog.hardware)?),
            (CatalogKind::Models, true) => out!("{}", serde_json::to_string_pretty(&catalog.models)?),
            (CatalogKind::Hardware, false) => {
                for h in &catalog.hardware {
                    out!(
                        "{:<40} {:<11} {:<6} {}",
                        h.id,
                        format!("{:?}", h.class).to_lowercase(),
                        format!("{:?}", h.kind).to_lowercase(),
                        h.name
                    );
                }
            }
            (CatalogKind::Prices, true) => {
                out!("{}", serde_json::to_string_pretty(&roofline_core::cost::coverage(&catalog))?)
            }
            (CatalogKind::Prices, false) => {
                for g in roofline_core::cost::coverage(&catalog) {
                    out!(
                        "{}: {} of {} priced ({:.0} %), {} with a power figure ({:.0} %)",
                        g.group,
                        g.priced,
                        g.entries,
                        100.0 * g.priced as f64 / g.entries.max(1) as f64,
                        g.powered,
                        100.0 * g.powered as f64 / g.entries.max(1) as f64
                    );
                    if !g.unknown_price_ids.is_empty() {
                        out!("  no public price: {}", g.unknown_price_ids.join(", "));
                    }
                }
            }
            (CatalogKind::Models, false) => {
                for m in &catalog.models {
                    out!("{:<34} {:>8.2}B  {}", m.id, m.params_total_b, m.name);
                }
            }
        },
        Command::Validate { folds, iterations, write_params, sources, accuracy_tsv, json } => {
            let runs = parse_tsv(LOCALSCORE_TSV)?;
            let total = reference_runs(&runs).len();
            let (groups, covered) = groups(&catalog, &runs);
            let refs: Vec<_> = groups.iter().collect();
            let bench_runs = other::parse_bench_tsv(BENCH_RUNS_TSV)?;
            let (cases, left_out) = other::resolve(&catalog, &bench_runs);
            let case_refs: Vec<_> = cases.iter().collect();
            // Fit from the priors, not the shipped file, so the table is reproducible.
            let report = fit_and_validate(&refs, &case_refs, &Efficiency::priors(), folds.max(2), iterations);
            if let Some(path) = write_params {
                let params = round_numbers(serde_json::to_value(&report.efficiency)?, PARAM_DIGITS);
                std::fs::write(&path, serde_json::to_string_pretty(&params)? + "\n")
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            let per_source = if sources {
                roofline_core::validate::sources::report(
                    &refs,
                    &case_refs,
                    &report.efficiency,
                    &Efficiency::priors(),
                    folds.max(2),
                    iterations,
                )
            } else {
                Vec::new()
            };
            if let Some(path) = accuracy_tsv {
                std::fs::write(&path, roofline_core::validate::sources::accuracy_tsv(&per_source))
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            let bench_comparisons = other::compare(&cases, &report.efficiency);
            let sources = other::source_stats(&bench_comparisons);
            if json {
                let left: Vec<_> = left_out.iter().map(|(why, n)| json!({ "reason": why, "runs": n })).collect();
                out!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "per_source": per_source,
                        "sources": sources,
                        "other_sources_not_covered": left,
                        "other_sources_comparisons": bench_comparisons,
                        "coverage": { "covered_runs": covered, "reference_runs": total, "fraction": covered as f64 / total.max(1) as f64 },
                        "in_sample": report.in_sample,
                        "cross_validated": report.cross_validated,
                        "parameters": report.efficiency,
                        "comparisons": report.comparisons,
                        "cross_validated_comparisons": report.cross_validated_comparisons,
                    }))?
                );
            } else {
                out_raw!("{}", report::validation(&report, covered, total));
                out_raw!("{}", report::bench_sources(&sources, &left_out));
                if !per_source.is_empty() {
                    out_raw!("{}", report::per_source(&per_source));
                }
            }
        }
    }
    Ok(())
}

/// The estimate's energy on the machine the options name, with its price from its parts;
/// `None` where the machine's power is unknown.
fn energy(
    machine: &args::Machine,
    workload: &args::WorkloadArgs,
    e: &roofline_core::estimate::Estimate,
    catalog: &Catalog,
) -> Result<Option<Energy>> {
    let price = workload.electricity_usd_per_kwh;
    if !(price.is_finite() && price >= 0.0) {
        anyhow::bail!("--electricity-usd-per-kwh must be a price of 0 or more, got {price}");
    }
    if let Some(api) = workload.api_usd_per_million_tokens.filter(|a| !(a.is_finite() && *a >= 0.0)) {
        anyhow::bail!("--api-usd-per-million-tokens must be a price of 0 or more, got {api}");
    }
    let cost = machine.cost(catalog, workload.memory_usd_per_gb)?;
    Ok(cost.power_w.map(|w| {
        Energy::new(
            w,
            e.prompt_tokens_per_s,
            e.aggregate_generation_tokens_per_s,
            price,
            cost.price_usd,
            workload.api_usd_per_million_tokens,
        )
    }))
}

/// The backend that runs the model: the GPU's (after `--backend`) where any block runs on
/// a GPU, else `cpu`.
fn backend_id(system: &roofline_core::system::System, on_gpu: bool) -> &'static str {
    match system.gpu.as_ref() {
        Some(g) if on_gpu => g.backend.id(),
        _ => "cpu",
    }
}

/// `on` or `off`, as the JSON names whether flash attention runs.
fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// Significant digits kept in the written parameters: far below the fit's own precision,
/// and the shipped file (which the site carries) stays small.
const PARAM_DIGITS: i32 = 6;

/// `v` with every non-integer number rounded to `digits` significant digits.
fn round_numbers(v: serde_json::Value, digits: i32) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) if !(n.is_i64() || n.is_u64()) => {
            let x = n.as_f64().unwrap_or(0.0);
            if x == 0.0 || !x.is_finite() {
                return Value::Number(n);
            }
            let scale = 10f64.powi(digits - 1 - x.abs().log10().floor() as i32);
            json!((x * scale).round() / scale)
        }
        Value::Array(a) => Value::Array(a.into_iter().map(|x| round_numbers(x, digits)).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, x)| (k, round_numbers(x, digits))).collect()),
        other => other,
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("roofline: {e:#}");
            ExitCode::FAILURE
        }
    }
}
