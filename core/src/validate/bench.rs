//! Validation against llama-bench-style measurements from sources other than LocalScore:
//! one row per measured test (`pp512`, `tg128`, `pp2048 @ d32768`, …), each predicted for
//! its own machine, GPU count, model, quantization, prompt, generated tokens and depth.
//!
//! The file format is one tab-separated table for every source
//! (`core/data/measured/bench_runs.tsv`, columns in the README beside it), so a new source is
//! a conversion script and rows, not new code.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{percentile, ParseError};
use crate::catalog::Catalog;
use crate::efficiency::{Efficiency, Family};
use crate::estimate::estimate;
use crate::hardware::GpuBackend;
use crate::model::ModelSpec;
use crate::quant::QuantScheme;
use crate::runtime::{Engine, FlashAttention};
use crate::system::System;
use crate::workload::{Placement, Workload};

/// What a measured test times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Prompt processing (`pp`): prompt tokens per second.
    Prompt,
    /// Generation (`tg`): generated tokens per second.
    Generation,
}

/// One measured test.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchRun {
    /// The source's short name (`strix-halo-2026-05`).
    pub source: String,
    /// Catalog id of the machine: the GPU for a discrete-GPU run, the APU or Apple chip.
    pub hardware_id: String,
    /// GPUs used (llama.cpp's layer split over all of them).
    pub gpu_count: u32,
    /// The backend as the source names it (`cuda`, `metal`, `rocm`, `vulkan`).
    pub backend: String,
    /// Catalog model id.
    pub model_id: String,
    /// The quantization as the source names it (`Q4_K_M`, `UD-Q4_K_XL`).
    pub quant: String,
    /// What the test times.
    pub phase: Phase,
    /// Prompt tokens of a prompt test.
    pub prompt_tokens: u32,
    /// Generated tokens of a generation test.
    pub gen_tokens: u32,
    /// Tokens already in the KV cache when the test starts.
    pub depth: u32,
    /// Measured speed, token/s.
    pub tokens_per_s: f64,
    /// The engine that ran it (column `engine`; llama.cpp where the table has none).
    pub engine: Engine,
    /// Whether it ran with flash attention (column `flash_attention`, `on` or `off`;
    /// the engine's default where the table has none).
    pub flash_attention: FlashAttention,
    /// The source's name for the build or driver (column `variant`; empty where none).
    pub variant: String,
}

/// Parses the common table (header row first; columns named in the module docs).
pub fn parse_bench_tsv(text: &str) -> Result<Vec<BenchRun>, ParseError> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| {
        header.iter().position(|h| *h == name).ok_or(ParseError { line: 1, message: format!("no column '{name}'") })
    };
    let cols = [
        col("source")?,
        col("hardware_id")?,
        col("gpu_count")?,
        col("backend")?,
        col("model_id")?,
        col("quant")?,
        col("test")?,
        col("prompt_tokens")?,
        col("gen_tokens")?,
        col("depth")?,
        col("tokens_per_s")?,
    ];
    let (c_engine, c_fa, c_variant) = (col("engine").ok(), col("flash_attention").ok(), col("variant").ok());
    let mut runs = Vec::new();
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let line_no = i + 2;
        let f: Vec<&str> = line.split('\t').collect();
        let get = |k: usize| f.get(cols[k]).copied().unwrap_or("").trim();
        let err = |k: usize, what: &str| ParseError { line: line_no, message: format!("'{}' is not {what}", get(k)) };
        let int = |k: usize| get(k).parse::<u32>().map_err(|_| err(k, "a whole number"));
        let phase = match get(6) {
            "pp" => Phase::Prompt,
            "tg" => Phase::Generation,
            _ => return Err(err(6, "a test (pp or tg)")),
        };
        let optional = |c: Option<usize>| c.and_then(|c| f.get(c)).map_or("", |v| v.trim());
        let engine = match optional(c_engine) {
            "" => Engine::LlamaCpp,
            e => Engine::parse(e)
                .ok_or_else(|| ParseError { line: line_no, message: format!("'{e}' is not an engine") })?,
        };
        let flash_attention = match optional(c_fa) {
            "" => FlashAttention::Auto,
            v => FlashAttention::parse(v)
                .ok_or_else(|| ParseError { line: line_no, message: format!("'{v}' is not on, off or auto") })?,
        };
        let tokens_per_s = get(10).parse::<f64>().map_err(|_| err(10, "a number"))?;
        if !(tokens_per_s.is_finite() && tokens_per_s > 0.0) {
            return Err(err(10, "a positive speed"));
        }
        runs.push(BenchRun {
            source: get(0).to_owned(),
            hardware_id: get(1).to_owned(),
            gpu_count: int(2)?,
            backend: get(3).to_owned(),
            model_id: get(4).to_owned(),
            quant: get(5).to_owned(),
            phase,
            prompt_tokens: int(7)?,
            gen_tokens: int(8)?,
            depth: int(9)?,
            tokens_per_s,
            engine,
            flash_attention,
            variant: optional(c_variant).to_owned(),
        });
    }
    Ok(runs)
}

/// A measured test resolved to the catalog.
#[derive(Debug, Clone)]
pub struct BenchCase {
    /// The measurement.
    pub run: BenchRun,
    /// The machine.
    pub system: System,
    /// The model.
    pub model: ModelSpec,
    /// The quantization.
    pub quant: QuantScheme,
    /// The family whose parameters predict it.
    pub family: Family,
}

/// Why a measured test is left out of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Uncovered {
    /// The catalog has no such machine.
    Hardware(String),
    /// The catalog has no such model.
    Model(String),
    /// The estimator has no preset for this quantization.
    Quant(String),
    /// The machine cannot be assembled (GPU count).
    System(String),
    /// A driver the estimator does not describe (see [`UNMODELLED_DRIVERS`]).
    Driver(String),
}

/// Drivers whose runs are left out: AMDVLK, AMD's own Vulkan driver, which AMD stopped
/// developing in 2025 in favour of Mesa's RADV (the Vulkan driver of every current Linux
/// distribution); it runs llama.cpp's prompt kernels at a fraction of RADV's speed on the
/// same chip (the Strix Halo campaign measured both), and the Vulkan family describes RADV.
pub const UNMODELLED_DRIVERS: [&str; 1] = ["amdvlk"];

/// The unmodelled driver `run` used, if any (named in its `variant`).
pub fn unmodelled_driver(run: &BenchRun) -> Option<&'static str> {
    let variant = run.variant.to_ascii_lowercase();
    UNMODELLED_DRIVERS.iter().copied().find(|d| variant.contains(d))
}

/// Resolves every run; returns the covered cases and, per reason, how many were left out.
pub fn resolve(catalog: &Catalog, runs: &[BenchRun]) -> (Vec<BenchCase>, BTreeMap<Uncovered, usize>) {
    let mut cases = Vec::new();
    let mut left_out = BTreeMap::new();
    for r in runs {
        if let Some(d) = unmodelled_driver(r) {
            *left_out.entry(Uncovered::Driver(d.to_owned())).or_insert(0) += 1;
            continue;
        }
        let why = match (catalog.hardware(&r.hardware_id), catalog.model(&r.model_id), QuantScheme::parse(&r.quant)) {
            (Err(_), _, _) => Uncovered::Hardware(r.hardware_id.clone()),
            (_, Err(_), _) => Uncovered::Model(r.model_id.clone()),
            (_, _, None) => Uncovered::Quant(r.quant.clone()),
            (Ok(hw), Ok(model), Some(quant)) => match System::assemble(hw, None, None, r.gpu_count.max(1)) {
                Ok(system) => {
                    // Like with like: the run's own backend, not the catalog's default.
                    let system = system.with_backend(GpuBackend::parse(&r.backend)).into_owned();
                    let family = match &system.gpu {
                        Some(g) => Family::of_gpu(g.backend),
                        None => Family::of_cpu(system.cpu.isa),
                    };
                    cases.push(BenchCase { run: r.clone(), system, model: model.clone(), quant, family });
                    continue;
                }
                Err(e) => Uncovered::System(format!("{}: {e}", r.hardware_id)),
            },
        };
        *left_out.entry(why).or_insert(0) += 1;
    }
    (cases, left_out)
}

/// The predicted speed of a case's test, token/s: the prompt speed of a `prompt_tokens`
/// prompt after `depth` tokens, or the average generation speed over `gen_tokens` tokens
/// from `depth` on; all layers on the GPU where there is one, as the sources ran them, on
/// the run's own backend (its family's parameters), engine and flash-attention setting.
pub fn predict(case: &BenchCase, eff: &Efficiency) -> Option<f64> {
    let r = &case.run;
    let placement = if case.system.gpu.is_some() { Placement::GpuOnly } else { Placement::CpuOnly };
    let runtime = Workload { engine: r.engine, flash_attention: r.flash_attention, ..Workload::default() };
    let w = match r.phase {
        Phase::Prompt => Workload {
            prompt_tokens: r.prompt_tokens.max(1),
            gen_tokens: 1,
            context_depth: r.depth,
            placement,
            ..runtime
        },
        Phase::Generation => {
            Workload { prompt_tokens: 1, gen_tokens: r.gen_tokens.max(1), context_depth: r.depth, placement, ..runtime }
        }
    };
    let e = estimate(&case.system, &case.model, case.quant, &w, eff).ok()?;
    let v = match r.phase {
        Phase::Prompt => e.prompt_tokens_per_s,
        Phase::Generation => e.generation_tokens_per_s,
    };
    (v.is_finite() && v > 0.0).then_some(v)
}

/// One case's prediction against its measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchComparison {
    /// The source.
    pub source: String,
    /// Catalog hardware id.
    pub hardware_id: String,
    /// GPUs used.
    pub gpu_count: u32,
    /// Backend as the source names it.
    pub backend: String,
    /// Catalog model id.
    pub model_id: String,
    /// Quantization.
    pub quant: String,
    /// The test's phase.
    pub phase: Phase,
    /// Prompt or generated tokens of the test.
    pub tokens: u32,
    /// Depth, tokens.
    pub depth: u32,
    /// `(measured, predicted)` speed, token/s.
    pub tokens_per_s: (f64, f64),
}

/// Compares every case whose prediction succeeds.
pub fn compare(cases: &[BenchCase], eff: &Efficiency) -> Vec<BenchComparison> {
    cases
        .iter()
        .filter_map(|c| {
            let p = predict(c, eff)?;
            let r = &c.run;
            Some(BenchComparison {
                source: r.source.clone(),
                hardware_id: r.hardware_id.clone(),
                gpu_count: r.gpu_count,
                backend: r.backend.clone(),
                model_id: r.model_id.clone(),
                quant: r.quant.clone(),
                phase: r.phase,
                tokens: if r.phase == Phase::Prompt { r.prompt_tokens } else { r.gen_tokens },
                depth: r.depth,
                tokens_per_s: (r.tokens_per_s, p),
            })
        })
        .collect()
}

/// Errors of one phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PhaseStats {
    /// Measurements compared.
    pub count: usize,
    /// Median absolute percentage error, %.
    pub median_ape: f64,
    /// 90th percentile of the absolute percentage error, %.
    pub p90_ape: f64,
    /// Median of predicted ÷ measured (above 1: predicted too fast).
    pub median_ratio: f64,
}

impl PhaseStats {
    /// Statistics of `(measured, predicted)` pairs.
    pub fn of(pairs: impl Iterator<Item = (f64, f64)>) -> PhaseStats {
        let pairs: Vec<(f64, f64)> = pairs.filter(|(m, p)| *m > 0.0 && *p > 0.0).collect();
        let mut ape: Vec<f64> = pairs.iter().map(|(m, p)| 100.0 * (p - m).abs() / m).collect();
        let mut ratio: Vec<f64> = pairs.iter().map(|(m, p)| p / m).collect();
        PhaseStats {
            count: pairs.len(),
            median_ape: percentile(&mut ape, 0.5),
            p90_ape: percentile(&mut ape, 0.9),
            median_ratio: percentile(&mut ratio, 0.5),
        }
    }
}

/// One source's errors, by phase, and at depth (tests with at least 8k tokens in the cache).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceStats {
    /// The source.
    pub source: String,
    /// Prompt tests at depth 0 (or below 8k tokens).
    pub prompt: PhaseStats,
    /// Generation tests below 8k tokens of depth.
    pub generation: PhaseStats,
    /// Prompt tests at 8k tokens of depth or more.
    pub prompt_at_depth: PhaseStats,
    /// Generation tests at 8k tokens of depth or more.
    pub generation_at_depth: PhaseStats,
}

/// Depth from which a test counts as "at depth", tokens.
pub const DEEP_TOKENS: u32 = 8192;

/// Per-source statistics of a set of comparisons, sources in name order.
pub fn source_stats(comparisons: &[BenchComparison]) -> Vec<SourceStats> {
    let mut sources: Vec<&str> = comparisons.iter().map(|c| c.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    sources
        .into_iter()
        .map(|s| {
            let of = |phase: Phase, deep: bool| {
                PhaseStats::of(
                    comparisons
                        .iter()
                        .filter(|c| c.source == s && c.phase == phase && (c.depth >= DEEP_TOKENS) == deep)
                        .map(|c| c.tokens_per_s),
                )
            };
            SourceStats {
                source: s.to_owned(),
                prompt: of(Phase::Prompt, false),
                generation: of(Phase::Generation, false),
                prompt_at_depth: of(Phase::Prompt, true),
                generation_at_depth: of(Phase::Generation, true),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "source\thardware_id\tgpu_count\tbackend\tmodel_id\tquant\ttest\tprompt_tokens\tgen_tokens\tdepth\ttokens_per_s";

    #[test]
    fn rows_parse_and_bad_rows_name_their_line() {
        let text =
            format!("{HEADER}\nx\tnvidia-geforce-rtx-4090\t2\tcuda\tllama-3-1-8b\tQ4_K_M\tpp\t512\t0\t0\t9000.5\n");
        let runs = parse_bench_tsv(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(runs.len(), 1);
        assert_eq!((runs[0].gpu_count, runs[0].phase, runs[0].tokens_per_s), (2, Phase::Prompt, 9000.5));
        let bad = format!("{HEADER}\nx\ta\t1\tcuda\tm\tQ4_K_M\tzz\t512\t0\t0\t1\n");
        assert_eq!(parse_bench_tsv(&bad).map_err(|e| e.line), Err(2));
        let slow = format!("{HEADER}\nx\ta\t1\tcuda\tm\tQ4_K_M\ttg\t0\t128\t0\t-1\n");
        assert!(parse_bench_tsv(&slow).is_err());
        assert!(parse_bench_tsv("source\n").is_err());
    }

    #[test]
    fn statistics_are_median_and_ratio() {
        let s = PhaseStats::of([(100.0, 110.0), (100.0, 50.0), (100.0, 100.0)].into_iter());
        assert_eq!(s.count, 3);
        assert!((s.median_ape - 10.0).abs() < 1e-9);
        assert!((s.median_ratio - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_prompt_at_depth_is_slower_than_at_the_start() {
        let catalog = Catalog::builtin();
        let run = |depth: u32| BenchRun {
            source: "t".into(),
            hardware_id: "nvidia-geforce-rtx-4090".into(),
            gpu_count: 1,
            backend: "cuda".into(),
            model_id: "llama-3-1-8b".into(),
            quant: "Q4_K_M".into(),
            phase: Phase::Prompt,
            prompt_tokens: 2048,
            gen_tokens: 0,
            depth,
            tokens_per_s: 1.0,
            engine: Engine::LlamaCpp,
            flash_attention: FlashAttention::Auto,
            variant: String::new(),
        };
        let (cases, left) = resolve(&catalog, &[run(0), run(32768)]);
        assert!(left.is_empty(), "{left:?}");
        let eff = Efficiency::fitted();
        let (a, b) = (predict(&cases[0], &eff), predict(&cases[1], &eff));
        assert!(matches!((a, b), (Some(a), Some(b)) if b < a), "{a:?} {b:?}");
    }
}
