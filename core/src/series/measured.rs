//! LocalScore's measured medians for the reference models, shipped compactly in
//! `core/data/measured/reference_points.tsv` (generated from the raw runs, which the
//! browser build does not embed; `core/tests/series.rs` checks it is up to date).

use std::sync::OnceLock;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::quant::QuantScheme;
use crate::validate::{Group, ParseError};

/// LocalScore medians of one device × reference model, as shipped in
/// `core/data/measured/reference_points.tsv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferencePoint {
    /// Catalog model id.
    pub model_id: String,
    /// Catalog hardware id.
    pub hardware_id: String,
    /// `true` for runs on the entry's GPU, `false` for its CPU.
    pub on_gpu: bool,
    /// Peak bandwidth of the memory the runs read (GPU or host), GB/s.
    pub bandwidth_gb_per_s: f64,
    /// Runs behind the medians.
    pub runs: usize,
    /// Median LocalScore generation speed, token/s.
    pub gen_tokens_per_s: f64,
    /// Median LocalScore prompt speed, token/s.
    pub prompt_tokens_per_s: f64,
    /// Median LocalScore time to first token, ms.
    pub ttft_ms: f64,
}

/// The header of `reference_points.tsv`.
pub const REFERENCE_POINTS_HEADER: &str =
    "model_id\thardware_id\taccel_type\tbandwidth_gb_per_s\truns\tgen_tps\tprompt_tps\tttft_ms";

const REFERENCE_POINTS_TSV: &str = include_str!("../../data/measured/reference_points.tsv");

/// `reference_points.tsv` from the groups of [`crate::validate::groups`]: one row per
/// device × model, sorted by model then hardware id. Bandwidths are rounded to 0.001 GB/s.
pub fn reference_points_tsv(groups: &[Group]) -> String {
    let mut rows: Vec<String> = groups
        .iter()
        .map(|g| {
            let bw = match (&g.system.gpu, g.on_gpu) {
                (Some(gpu), true) => gpu.bandwidth_gb_per_s,
                _ => g.system.memory.peak_bandwidth_gb_per_s(),
            };
            let bw = (bw * 1000.0).round() / 1000.0;
            format!(
                "{}\t{}\t{}\t{bw}\t{}\t{}\t{}\t{}",
                g.model_id,
                g.hardware_id,
                if g.on_gpu { "GPU" } else { "CPU" },
                g.runs,
                g.gen_tokens_per_s,
                g.prompt_tokens_per_s,
                g.ttft_ms
            )
        })
        .collect();
    rows.sort();
    let mut out = String::from(REFERENCE_POINTS_HEADER);
    out.push('\n');
    for r in rows {
        out.push_str(&r);
        out.push('\n');
    }
    out
}

/// Parses `reference_points.tsv` (header first, as [`reference_points_tsv`] writes it).
pub fn parse_reference_points(text: &str) -> Result<Vec<ReferencePoint>, ParseError> {
    let mut lines = text.lines();
    if lines.next() != Some(REFERENCE_POINTS_HEADER) {
        return Err(ParseError { line: 1, message: "unexpected header".to_owned() });
    }
    let mut out = Vec::new();
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let err = |message: String| ParseError { line: i + 2, message };
        let f: Vec<&str> = line.split('\t').collect();
        let [model_id, hardware_id, accel, bw, runs, gen, pp, ttft] = f.as_slice() else {
            return Err(err(format!("expected 8 columns, got {}", f.len())));
        };
        let num = |s: &str| s.parse::<f64>().map_err(|_| err(format!("'{s}' is not a number")));
        out.push(ReferencePoint {
            model_id: (*model_id).to_owned(),
            hardware_id: (*hardware_id).to_owned(),
            on_gpu: match *accel {
                "GPU" => true,
                "CPU" => false,
                other => return Err(err(format!("accel_type '{other}' is neither GPU nor CPU"))),
            },
            bandwidth_gb_per_s: num(bw)?,
            runs: runs.parse().map_err(|_| err(format!("'{runs}' is not a count")))?,
            gen_tokens_per_s: num(gen)?,
            prompt_tokens_per_s: num(pp)?,
            ttft_ms: num(ttft)?,
        });
    }
    Ok(out)
}

/// The shipped reference points, parsed once (empty if the embedded file were
/// malformed; a test guards that).
pub fn reference_points() -> &'static [ReferencePoint] {
    static POINTS: OnceLock<Vec<ReferencePoint>> = OnceLock::new();
    POINTS.get_or_init(|| parse_reference_points(REFERENCE_POINTS_TSV).unwrap_or_default())
}

/// A measured LocalScore point for the chart: a device's median against its bandwidth.
/// LocalScore's figures average its nine tests, so they compare with the curve of a
/// similar workload, not with any single prompt length.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasuredPoint {
    /// Device name from the catalog, `(CPU)` added for CPU runs of an entry with a GPU.
    pub device: String,
    /// Catalog hardware id.
    pub hardware_id: String,
    /// Runs on the GPU or the CPU.
    pub on_gpu: bool,
    /// Peak bandwidth of the memory read, GB/s.
    pub bandwidth_gb_per_s: f64,
    /// Median generation speed, token/s.
    pub generation_tokens_per_s: f64,
    /// Median prompt speed, token/s.
    pub prompt_tokens_per_s: f64,
    /// Median time to first token, ms.
    pub ttft_ms: f64,
    /// Runs behind the medians.
    pub runs: usize,
}

/// LocalScore's measured medians for `model` (an id or alias in `catalog`), in increasing
/// bandwidth; empty for models LocalScore does not run (only its three reference models,
/// Q4_K_M).
pub fn measured_points(catalog: &Catalog, model: &str) -> Vec<MeasuredPoint> {
    measured_points_from(reference_points(), catalog, model)
}

/// As [`measured_points_from`] for a configuration in quantization `quant`: LocalScore ran
/// its reference models in Q4_K_M only, so another quantization has no points.
pub fn measured_points_for(
    points: &[ReferencePoint],
    catalog: &Catalog,
    model: &str,
    quant: QuantScheme,
) -> Vec<MeasuredPoint> {
    if quant == QuantScheme::Q4_K_M {
        measured_points_from(points, catalog, model)
    } else {
        Vec::new()
    }
}

/// As [`measured_points`], from `points` parsed elsewhere (the site fetches the file
/// after its first estimate instead of embedding it).
pub fn measured_points_from(points: &[ReferencePoint], catalog: &Catalog, model: &str) -> Vec<MeasuredPoint> {
    let Ok(m) = catalog.model(model) else { return Vec::new() };
    let mut out: Vec<MeasuredPoint> = points
        .iter()
        .filter(|p| p.model_id == m.id)
        .map(|p| {
            let entry = catalog.hardware(&p.hardware_id).ok();
            let name = entry.map_or_else(|| p.hardware_id.clone(), |h| h.name.clone());
            let has_gpu = entry.is_some_and(|h| h.gpu.is_some());
            MeasuredPoint {
                device: if !p.on_gpu && has_gpu { format!("{name} (CPU)") } else { name },
                hardware_id: p.hardware_id.clone(),
                on_gpu: p.on_gpu,
                bandwidth_gb_per_s: p.bandwidth_gb_per_s,
                generation_tokens_per_s: p.gen_tokens_per_s,
                prompt_tokens_per_s: p.prompt_tokens_per_s,
                ttft_ms: p.ttft_ms,
                runs: p.runs,
            }
        })
        .collect();
    out.sort_by(|a, b| a.bandwidth_gb_per_s.total_cmp(&b.bandwidth_gb_per_s));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localscore_points_are_for_q4_k_m_only() {
        let catalog = Catalog::builtin();
        let q4 = measured_points_for(reference_points(), &catalog, "llama-3-1-8b", QuantScheme::Q4_K_M);
        assert!(q4.len() > 10, "{}", q4.len());
        assert!(measured_points_for(reference_points(), &catalog, "llama-3-1-8b", QuantScheme::Q8_0).is_empty());
    }
}
