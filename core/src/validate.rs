//! Validation against LocalScore's published runs: median per device × model, like with
//! like (the nine tests averaged the way LocalScore averages them).

pub mod bench;
pub mod sources;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::efficiency::{Efficiency, Family};
use crate::localscore;
use crate::model::ModelSpec;
use crate::quant::QuantScheme;
use crate::runtime::Engine;
use crate::system::System;
use crate::workload::{Os, Placement, Workload};

/// The three reference models LocalScore runs, as its file names them.
pub const REFERENCE_MODELS: [&str; 3] = ["Llama 3.2 1B Instruct", "Meta Llama 3.1 8B Instruct", "Qwen2.5 14B Instruct"];

/// One published run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Device name as printed.
    pub accel_name: String,
    /// `true` for a GPU run, `false` for a CPU run.
    pub on_gpu: bool,
    /// Model name as printed.
    pub model_name: String,
    /// Quantization as printed (`Q4_K - Medium`).
    pub model_quant: String,
    /// Average generation speed, token/s.
    pub gen_tokens_per_s: f64,
    /// Average time to first token, ms.
    pub ttft_ms: f64,
    /// Average prompt speed, token/s.
    pub prompt_tokens_per_s: f64,
    /// System memory reported, GB.
    pub system_ram_gb: Option<f64>,
    /// Operating system of the run.
    pub os: Os,
}

/// A malformed measurement file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

/// Parses LocalScore's tab-separated export (header row first).
pub fn parse_tsv(text: &str) -> Result<Vec<Run>, ParseError> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| {
        header.iter().position(|h| *h == name).ok_or(ParseError { line: 1, message: format!("no column '{name}'") })
    };
    let (c_gen, c_ttft, c_pp) = (col("gen_tps")?, col("ttft")?, col("prompt_tps")?);
    let (c_model, c_quant, c_accel, c_type) =
        (col("model_name")?, col("model_quant")?, col("accel_name")?, col("accel_type")?);
    let c_ram = col("system_ram")?;
    // Older exports have no operating system column: their runs count as Linux.
    let c_os = col("system_os").ok();
    let mut runs = Vec::new();
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let get = |c: usize| f.get(c).copied().unwrap_or("");
        let num = |c: usize| -> Result<f64, ParseError> {
            get(c)
                .trim()
                .parse::<f64>()
                .map_err(|_| ParseError { line: i + 2, message: format!("'{}' is not a number", get(c)) })
        };
        runs.push(Run {
            accel_name: get(c_accel).to_owned(),
            on_gpu: get(c_type) == "GPU",
            model_name: get(c_model).to_owned(),
            model_quant: get(c_quant).to_owned(),
            gen_tokens_per_s: num(c_gen)?,
            ttft_ms: num(c_ttft)?,
            prompt_tokens_per_s: num(c_pp)?,
            system_ram_gb: get(c_ram).trim().parse().ok(),
            os: if c_os.map(get).map(str::trim) == Some("Windows") { Os::Windows } else { Os::Linux },
        });
    }
    Ok(runs)
}

/// Measured medians of one device × model pair, resolved to the catalog.
#[derive(Debug, Clone)]
pub struct Group {
    /// Catalog hardware id.
    pub hardware_id: String,
    /// Catalog model id.
    pub model_id: String,
    /// GPU or CPU run.
    pub on_gpu: bool,
    /// Runs in the group.
    pub runs: usize,
    /// Of those, runs on Windows.
    pub windows_runs: usize,
    /// Median generation speed, token/s.
    pub gen_tokens_per_s: f64,
    /// Median prompt speed, token/s.
    pub prompt_tokens_per_s: f64,
    /// Median time to first token, ms.
    pub ttft_ms: f64,
    /// The machine the runs imply.
    pub system: System,
    /// The model.
    pub model: ModelSpec,
    /// Family whose parameters predict it.
    pub family: Family,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

/// Runs of the reference models in Q4_K_M.
pub fn reference_runs(runs: &[Run]) -> Vec<&Run> {
    runs.iter()
        .filter(|r| {
            REFERENCE_MODELS.contains(&r.model_name.as_str())
                && QuantScheme::parse(&r.model_quant) == Some(QuantScheme::Q4_K_M)
        })
        .collect()
}

/// Groups reference runs by device × model and resolves them; returns the groups and the
/// number of reference runs whose device the catalog knows.
pub fn groups(catalog: &Catalog, runs: &[Run]) -> (Vec<Group>, usize) {
    let mut by_key: BTreeMap<(String, String, bool), Vec<&Run>> = BTreeMap::new();
    let mut covered = 0;
    for r in reference_runs(runs) {
        if !(r.gen_tokens_per_s > 0.0 && r.prompt_tokens_per_s > 0.0 && r.ttft_ms > 0.0) {
            continue; // a failed run: nothing to compare against
        }
        let (Ok(hw), Ok(model)) = (catalog.hardware(&r.accel_name), catalog.model(&r.model_name)) else { continue };
        // A GPU run needs a GPU entry; a CPU run an entry with a CPU.
        if (r.on_gpu && hw.gpu.is_none()) || (!r.on_gpu && hw.cpu.is_none()) {
            continue;
        }
        covered += 1;
        by_key.entry((hw.id.clone(), model.id.clone(), r.on_gpu)).or_default().push(r);
    }
    let mut out = Vec::new();
    for ((hw_id, model_id, on_gpu), rs) in by_key {
        let (Ok(hw), Ok(model)) = (catalog.hardware(&hw_id), catalog.model(&model_id)) else { continue };
        let Ok(system) = System::assemble(hw, None, None, 1) else { continue };
        let family = match (&system.gpu, on_gpu) {
            (Some(g), true) => Family::of_gpu(g.backend),
            _ => Family::of_cpu(system.cpu.isa),
        };
        out.push(Group {
            hardware_id: hw_id,
            model_id,
            on_gpu,
            runs: rs.len(),
            windows_runs: rs.iter().filter(|r| r.os == Os::Windows).count(),
            gen_tokens_per_s: median(&mut rs.iter().map(|r| r.gen_tokens_per_s).collect::<Vec<_>>()),
            prompt_tokens_per_s: median(&mut rs.iter().map(|r| r.prompt_tokens_per_s).collect::<Vec<_>>()),
            ttft_ms: median(&mut rs.iter().map(|r| r.ttft_ms).collect::<Vec<_>>()),
            system,
            model: model.clone(),
            family,
        });
    }
    (out, covered)
}

impl Group {
    /// Whether the group ran on a laptop GPU.
    pub fn on_laptop_gpu(&self) -> bool {
        self.on_gpu && self.system.gpu.as_ref().is_some_and(|g| g.mobile)
    }
}

/// Predicted LocalScore averages of a group, `(pp, tg, ttft_ms)`: like with like, the
/// median over its runs of each run's prediction (a run on Windows predicted for Windows).
pub fn predict(group: &Group, eff: &Efficiency) -> Option<(f64, f64, f64)> {
    let placement = if group.on_gpu { Placement::Auto } else { Placement::CpuOnly };
    // LocalScore's runs are its own engine's: llamafile without flash attention.
    let w = Workload { placement, engine: Engine::LocalScore, ..Workload::default() };
    let one = |os: Os| -> Option<(f64, f64, f64)> {
        let w = Workload { os, ..w.clone() };
        let ls = localscore::predict(&group.system, &group.model, QuantScheme::Q4_K_M, &w, eff).ok()?;
        Some((ls.avg_prompt_tokens_per_s, ls.avg_generation_tokens_per_s, ls.avg_time_to_first_token_ms))
    };
    let windows = group.windows_runs.min(group.runs);
    let linux = group.runs - windows;
    let (l, win) = match (linux, windows) {
        (_, 0) => return one(Os::Linux),
        (0, _) => return one(Os::Windows),
        _ => (one(Os::Linux)?, one(Os::Windows)?),
    };
    // Median of `linux` copies of `l` and `windows` copies of `win`.
    let pick = |a: f64, b: f64| match linux.cmp(&windows) {
        std::cmp::Ordering::Greater => a,
        std::cmp::Ordering::Less => b,
        std::cmp::Ordering::Equal => 0.5 * (a + b),
    };
    Some((pick(l.0, win.0), pick(l.1, win.1), pick(l.2, win.2)))
}

/// Absolute percentage errors of a set of predictions.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ErrorStats {
    /// Groups compared.
    pub groups: usize,
    /// Median absolute percentage error of prompt speed, %.
    pub prompt_median_ape: f64,
    /// 90th percentile, %.
    pub prompt_p90_ape: f64,
    /// Median absolute percentage error of generation speed, %.
    pub generation_median_ape: f64,
    /// 90th percentile, %.
    pub generation_p90_ape: f64,
    /// Median absolute percentage error of time to first token, %.
    pub ttft_median_ape: f64,
    /// 90th percentile, %.
    pub ttft_p90_ape: f64,
}

/// The `q` quantile of `values` (linear between neighbours; sorts them), NaN when empty.
pub fn percentile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    if values.is_empty() {
        return f64::NAN;
    }
    let pos = q * (values.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    values[lo] + (values[hi] - values[lo]) * (pos - lo as f64)
}

/// One group's prediction against its measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Catalog hardware id.
    pub hardware_id: String,
    /// Catalog model id.
    pub model_id: String,
    /// Family.
    pub family: Family,
    /// Runs behind the medians.
    pub runs: usize,
    /// `(measured, predicted)` prompt speed, token/s.
    pub prompt_tokens_per_s: (f64, f64),
    /// `(measured, predicted)` generation speed, token/s.
    pub generation_tokens_per_s: (f64, f64),
    /// `(measured, predicted)` time to first token, ms.
    pub ttft_ms: (f64, f64),
}

/// Compares every group whose prediction succeeds.
pub fn compare(groups: &[&Group], eff: &Efficiency) -> Vec<Comparison> {
    groups
        .iter()
        .filter_map(|g| {
            let (pp, tg, ttft) = predict(g, eff)?;
            Some(Comparison {
                hardware_id: g.hardware_id.clone(),
                model_id: g.model_id.clone(),
                family: g.family,
                runs: g.runs,
                prompt_tokens_per_s: (g.prompt_tokens_per_s, pp),
                generation_tokens_per_s: (g.gen_tokens_per_s, tg),
                ttft_ms: (g.ttft_ms, ttft),
            })
        })
        .collect()
}

/// Median and 90th-percentile absolute percentage errors.
pub fn stats(comparisons: &[Comparison]) -> ErrorStats {
    let ape = |f: &dyn Fn(&Comparison) -> (f64, f64)| -> Vec<f64> {
        comparisons
            .iter()
            .map(|c| {
                let (m, p) = f(c);
                100.0 * (p - m).abs() / m
            })
            .collect()
    };
    let mut pp = ape(&|c| c.prompt_tokens_per_s);
    let mut tg = ape(&|c| c.generation_tokens_per_s);
    let mut ttft = ape(&|c| c.ttft_ms);
    ErrorStats {
        groups: comparisons.len(),
        prompt_median_ape: percentile(&mut pp, 0.5),
        prompt_p90_ape: percentile(&mut pp, 0.9),
        generation_median_ape: percentile(&mut tg, 0.5),
        generation_p90_ape: percentile(&mut tg, 0.9),
        ttft_median_ape: percentile(&mut ttft, 0.5),
        ttft_p90_ape: percentile(&mut ttft, 0.9),
    }
}

/// Quantiles of measured ÷ predicted, used as an error band.
pub fn ratio_band(pairs: impl Iterator<Item = (f64, f64)>, lo_q: f64, hi_q: f64) -> [f64; 2] {
    let mut r: Vec<f64> = pairs.filter(|(m, p)| *m > 0.0 && *p > 0.0).map(|(m, p)| m / p).collect();
    if r.len() < 4 {
        return [0.75, 1.25];
    }
    [percentile(&mut r, lo_q), percentile(&mut r, hi_q)]
}
