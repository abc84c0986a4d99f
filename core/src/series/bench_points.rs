//! The other sources' measured tests (`core/data/measured/bench_runs.tsv`: Strix Halo,
//! XiongjieDai, this site's engine) as chart points for a configuration.
//!
//! A test (`pp512`, `tg128`, `pp2048 @ d32768`, …) measured several times under one setup,
//! such as the Strix Halo campaign's three ROCm environments, becomes one point: the median
//! of its rows. A configuration matches a point when it uses the same catalog model and
//! quantization. The charts use them so:
//!
//! - generation against bandwidth: every device's generation test nearest the workload
//!   (context depth first, then generated tokens), at the bandwidth of the memory it reads,
//!   like LocalScore's points;
//! - prompt speed against prompt length: the prompt tests of the configuration's own
//!   machine (same entry and GPU count) at the depth nearest the workload's, one per prompt
//!   length, since the curve is that machine's.
//!
//! Nothing here sorts points or uses a map: the site runs it, and each sort or map
//! instantiated for a type of its own adds kilobytes to its download, while the data are
//! small enough for linear searches.

use serde::Serialize;

use crate::catalog::Catalog;
use crate::hardware::GpuBackend;
use crate::quant::QuantScheme;
use crate::runtime::{Engine, FlashAttention};
use crate::scenario::{HardwareChoice, ModelChoice, Scenario};
use crate::system::System;
use crate::validate::bench::{parse_bench_tsv, BenchRun, Phase};
use crate::validate::ParseError;

/// The median of one measured test over its repeated rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchMedian {
    /// The source's short name (`strix-halo-2026-05`).
    pub source: String,
    /// Catalog id of the machine (the GPU of a discrete-GPU run, the APU or Apple chip).
    pub hardware_id: String,
    /// GPUs used.
    pub gpu_count: u32,
    /// The backend as the source names it (`rocm`).
    pub backend: String,
    /// The engine that ran it.
    pub engine: Engine,
    /// Flash attention as the run used it.
    pub flash_attention: FlashAttention,
    /// Catalog model id.
    pub model_id: String,
    /// The quantization as the source names it (`Q4_0`, `UD-Q4_K_XL`).
    pub quant: String,
    /// What the test times.
    pub phase: Phase,
    /// Prompt tokens of a prompt test.
    pub prompt_tokens: u32,
    /// Generated tokens of a generation test.
    pub gen_tokens: u32,
    /// Tokens already in the KV cache.
    pub depth: u32,
    /// Median measured speed over the rows, token/s.
    pub tokens_per_s: f64,
    /// Rows behind the median.
    pub rows: usize,
}

impl BenchMedian {
    /// The test as llama-bench names it: `pp512`, `tg128`, `pp2048 @ d32768`.
    pub fn test(&self) -> String {
        let base = match self.phase {
            Phase::Prompt => format!("pp{}", self.prompt_tokens),
            Phase::Generation => format!("tg{}", self.gen_tokens),
        };
        if self.depth == 0 {
            base
        } else {
            format!("{base} @ d{}", self.depth)
        }
    }

    /// The backend for people (`ROCm`), or as the source wrote it.
    pub fn backend_label(&self) -> String {
        GpuBackend::parse(&self.backend).map_or_else(|| self.backend.clone(), |b| b.label().to_owned())
    }

    /// The device and runtime, without the test: points of one setup share it.
    fn setup(&self) -> Setup<'_> {
        (&self.source, &self.hardware_id, self.gpu_count, &self.backend, self.engine, self.flash_attention)
    }

    /// Whether `r` measured the same test with the same setup (in another environment,
    /// table or file).
    fn same_test(&self, r: &BenchRun) -> bool {
        let setup = (&*r.source, &*r.hardware_id, r.gpu_count, &*r.backend, r.engine, r.flash_attention);
        self.setup() == setup
            && (self.model_id == r.model_id && self.quant == r.quant && self.phase == r.phase)
            && [self.prompt_tokens, self.gen_tokens, self.depth] == [r.prompt_tokens, r.gen_tokens, r.depth]
    }
}

/// Source, device, GPU count, backend, engine and flash attention of a measurement.
type Setup<'a> = (&'a str, &'a str, u32, &'a str, Engine, FlashAttention);

/// Median of `values` (the mean of the middle two for an even count); `None` when empty.
/// A test has a handful of rows, so an insertion sort does (and weighs less in the site's
/// download than the standard library's sort instantiated once more).
fn median(values: &mut [f64]) -> Option<f64> {
    for i in 1..values.len() {
        let mut j = i;
        while j > 0 && values.get(j - 1).zip(values.get(j)).is_some_and(|(a, b)| a.total_cmp(b).is_gt()) {
            values.swap(j - 1, j);
            j -= 1;
        }
    }
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => values.get(n / 2).copied(),
        _ => Some((values.get(n / 2 - 1)? + values.get(n / 2)?) / 2.0),
    }
}

/// Every measured test of `runs` reduced to the median of its rows (rows that differ only
/// in their environment, table or file), in the order the tests first appear.
///
/// The groups are found by a linear search rather than a map: the site runs this once on
/// about 1,300 rows, and a map's code would weigh more on its download than the search on
/// its time (a few milliseconds).
///
/// Rows run under a driver the estimator does not describe
/// ([`crate::validate::bench::UNMODELLED_DRIVERS`], AMD's discontinued AMDVLK) are left
/// out, as validation leaves them out: their medians with another driver's rows would be
/// speeds no one measured.
pub fn bench_medians(runs: &[BenchRun]) -> Vec<BenchMedian> {
    let mut groups: Vec<(BenchMedian, Vec<f64>)> = Vec::new();
    for r in runs.iter().filter(|r| crate::validate::bench::unmodelled_driver(r).is_none()) {
        match groups.iter_mut().find(|(m, _)| m.same_test(r)) {
            Some((_, speeds)) => speeds.push(r.tokens_per_s),
            None => groups.push((BenchMedian::first(r), vec![r.tokens_per_s])),
        }
    }
    groups
        .into_iter()
        .filter_map(|(m, mut speeds)| {
            let tokens_per_s = median(&mut speeds)?;
            Some(BenchMedian { tokens_per_s, rows: speeds.len(), ..m })
        })
        .collect()
}

impl BenchMedian {
    /// The group of `r`, before the median is taken.
    fn first(r: &BenchRun) -> BenchMedian {
        BenchMedian {
            source: r.source.clone(),
            hardware_id: r.hardware_id.clone(),
            gpu_count: r.gpu_count,
            backend: r.backend.clone(),
            engine: r.engine,
            flash_attention: r.flash_attention,
            model_id: r.model_id.clone(),
            quant: r.quant.clone(),
            phase: r.phase,
            prompt_tokens: r.prompt_tokens,
            gen_tokens: r.gen_tokens,
            depth: r.depth,
            tokens_per_s: r.tokens_per_s,
            rows: 0,
        }
    }
}

/// The measured tests of the other sources, reduced to medians, with the sources in a
/// fixed order (so each keeps its colour on every chart).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BenchTable {
    /// One median per measured test.
    pub medians: Vec<BenchMedian>,
    /// The sources, in the order the file first names them.
    pub sources: Vec<String>,
}

impl BenchTable {
    /// The table of `bench_runs.tsv` (columns in `core/data/measured/README.md`).
    pub fn parse(text: &str) -> Result<BenchTable, ParseError> {
        Ok(BenchTable::from_runs(&parse_bench_tsv(text)?))
    }

    /// The medians of `runs`.
    pub fn from_runs(runs: &[BenchRun]) -> BenchTable {
        let medians = bench_medians(runs);
        let mut sources: Vec<String> = Vec::new();
        for m in &medians {
            if !sources.contains(&m.source) {
                sources.push(m.source.clone());
            }
        }
        BenchTable { medians, sources }
    }

    /// Position of `source` in [`BenchTable::sources`] (0 for an unknown one).
    pub fn source_index(&self, source: &str) -> usize {
        self.sources.iter().position(|s| s == source).unwrap_or(0)
    }

    /// The points that match `scenario` with quantization `quant` (the one in effect):
    /// empty for a custom model or a model and quantization no source measured.
    pub fn points(&self, catalog: &Catalog, scenario: &Scenario, quant: QuantScheme) -> BenchPoints {
        let ModelChoice::Preset(model) = &scenario.model else { return BenchPoints::default() };
        let Ok(model) = catalog.model(model) else { return BenchPoints::default() };
        let matching: Vec<&BenchMedian> = self
            .medians
            .iter()
            .filter(|m| m.model_id == model.id && QuantScheme::parse(&m.quant) == Some(quant))
            .collect();
        let w = &scenario.workload;
        let point = |m: &BenchMedian| BenchPoint::new(catalog, m, self.source_index(&m.source));
        let generation =
            nearest(&matching, Phase::Generation, w.context_depth, |m| m.gen_tokens.abs_diff(w.gen_tokens));
        let own: Vec<&BenchMedian> = matching.into_iter().filter(|m| on_machine(m, &scenario.hardware)).collect();
        let prompt = nearest(&own, Phase::Prompt, w.context_depth, |m| m.prompt_tokens);
        BenchPoints {
            generation: generation.into_iter().filter_map(point).collect(),
            prompt: prompt.into_iter().filter_map(point).collect(),
        }
    }
}

/// Whether `m` was measured on the configuration's machine: its catalog entry (or the
/// discrete GPU added to it) with the same GPU count.
fn on_machine(m: &BenchMedian, hardware: &HardwareChoice) -> bool {
    match hardware {
        HardwareChoice::Preset { id, gpu, gpu_count, .. } => {
            (m.hardware_id == *id || gpu.as_deref() == Some(m.hardware_id.as_str()))
                && m.gpu_count == (*gpu_count).max(1)
        }
        HardwareChoice::Custom(_) => false,
    }
}

/// For each setup, its `phase` tests at the depth nearest `depth` (in tokens; the smaller
/// on a tie); of those, generation keeps the one with the least `rank` (then the fewest
/// generated tokens), prompt keeps them all (one per prompt length). Setups and tests stay
/// in the order of `medians`.
fn nearest<'a>(
    medians: &[&'a BenchMedian],
    phase: Phase,
    depth: u32,
    rank: impl Fn(&BenchMedian) -> u32,
) -> Vec<&'a BenchMedian> {
    let mut setups: Vec<(Setup, Vec<&BenchMedian>)> = Vec::new();
    for &m in medians.iter().filter(|m| m.phase == phase) {
        match setups.iter_mut().find(|(s, _)| *s == m.setup()) {
            Some((_, tests)) => tests.push(m),
            None => setups.push((m.setup(), vec![m])),
        }
    }
    let mut out = Vec::new();
    for (_, tests) in setups {
        let Some(best_depth) = tests.iter().map(|m| m.depth).min_by_key(|d| (d.abs_diff(depth), *d)) else { continue };
        let at_depth = tests.into_iter().filter(|m| m.depth == best_depth);
        match phase {
            Phase::Generation => out.extend(at_depth.min_by_key(|m| (rank(m), m.gen_tokens))),
            Phase::Prompt => out.extend(at_depth),
        }
    }
    out
}

/// A measured test placed on a chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchPoint {
    /// The measurement.
    pub median: BenchMedian,
    /// The device's name in the catalog.
    pub device: String,
    /// Peak bandwidth of the memory one GPU (or the chip) reads, GB/s: with llama.cpp's
    /// layer split each GPU streams its own layers in turn, so a generation step takes the
    /// time of one GPU's bandwidth over all the weights.
    pub bandwidth_gb_per_s: f64,
    /// Position of the source in [`BenchTable::sources`] (its colour).
    pub source_index: usize,
}

impl BenchPoint {
    /// The point of `m`, `None` when the catalog cannot build its machine.
    fn new(catalog: &Catalog, m: &BenchMedian, source_index: usize) -> Option<BenchPoint> {
        let entry = catalog.hardware(&m.hardware_id).ok()?;
        let system = System::assemble(entry, None, None, m.gpu_count.max(1)).ok()?;
        let bandwidth_gb_per_s =
            system.gpu.as_ref().map_or_else(|| system.memory.peak_bandwidth_gb_per_s(), |g| g.bandwidth_gb_per_s);
        Some(BenchPoint { median: m.clone(), device: entry.name.clone(), bandwidth_gb_per_s, source_index })
    }

    /// The device with its GPU count: `GeForce RTX 3090 ×4`.
    pub fn device_label(&self) -> String {
        if self.median.gpu_count > 1 {
            format!("{} ×{}", self.device, self.median.gpu_count)
        } else {
            self.device.clone()
        }
    }

    /// One line naming the point: source, device and GPU count, backend, engine, flash
    /// attention, test and the median with the rows behind it.
    pub fn label(&self) -> String {
        let m = &self.median;
        let gpus = if m.gpu_count == 1 { "1 GPU".to_owned() } else { format!("{} GPUs", m.gpu_count) };
        let rows = if m.rows == 1 { String::new() } else { format!(", median of {} runs", m.rows) };
        format!(
            "{}: {}, {gpus}, {}, {}, flash attention {}, {}: {}{rows}",
            m.source,
            self.device,
            m.backend_label(),
            m.engine.id(),
            m.flash_attention.id(),
            m.test(),
            crate::units::tokens_per_s(m.tokens_per_s),
        )
    }
}

/// The measured points that match one configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BenchPoints {
    /// Generation tests of every device, in the table's order.
    pub generation: Vec<BenchPoint>,
    /// Prompt tests of the configuration's own machine, in the table's order.
    pub prompt: Vec<BenchPoint>,
}

impl BenchPoints {
    /// No point on any chart.
    pub fn is_empty(&self) -> bool {
        self.generation.is_empty() && self.prompt.is_empty()
    }

    /// How many points each source has on the charts, sources in the order of the points
    /// (the table's).
    pub fn by_source(&self) -> Vec<(&str, usize)> {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for p in self.generation.iter().chain(&self.prompt) {
            match counts.iter_mut().find(|c| c.0 == p.median.source) {
                Some(c) => c.1 += 1,
                None => counts.push((&p.median.source, 1)),
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::workload::Workload;

    const HEADER: &str = "source\thardware_id\tgpu_count\tbackend\tmodel_id\tquant\ttest\tprompt_tokens\tgen_tokens\tdepth\ttokens_per_s\tvariant\tengine\tflash_attention";

    fn table(rows: &[&str]) -> BenchTable {
        BenchTable::parse(&format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap()
    }

    fn scenario(hardware: HardwareChoice, model: &str, workload: Workload) -> Scenario {
        Scenario { hardware, model: ModelChoice::Preset(model.to_owned()), quant: None, workload }
    }

    const HALO: &str = "strix-halo-2026-05\tamd-ryzen-ai-max-plus-395\t1";

    fn halo_rows() -> Vec<String> {
        let mut rows = Vec::new();
        for (backend, env, pp, tg, tg_deep) in [
            ("rocm", "a", 1545.36, 50.59, 5.6),
            ("rocm", "b", 1532.82, 50.83, 6.94),
            ("rocm", "c", 1516.11, 51.27, 7.0),
            ("vulkan", "vulkan_amdvlk", 347.25, 55.69, 9.42),
            ("vulkan", "vulkan_radv", 1337.7, 55.73, 8.47),
        ] {
            let tail = format!("{env}\tllama.cpp\ton");
            rows.push(format!("{HALO}\t{backend}\tllama-2-7b\tQ4_0\tpp\t512\t0\t0\t{pp}\t{tail}"));
            rows.push(format!("{HALO}\t{backend}\tllama-2-7b\tQ4_0\ttg\t0\t128\t0\t{tg}\t{tail}"));
            rows.push(format!("{HALO}\t{backend}\tllama-2-7b\tQ4_0\ttg\t0\t32\t32768\t{tg_deep}\t{tail}"));
        }
        rows
    }

    #[test]
    fn median_of_odd_even_and_no_values() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut [5.0]), Some(5.0));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn repeated_rows_become_their_median() {
        let rows = halo_rows();
        let t = table(&rows.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(t.medians.len(), 6);
        assert_eq!(t.sources, ["strix-halo-2026-05"]);
        let find = |backend: &str, test: &str| {
            t.medians.iter().find(|m| m.backend == backend && m.test() == test).expect("a median")
        };
        // Three ROCm environments: the middle one; of the two Vulkan drivers, RADV's alone
        // (AMDVLK is left out, as in validation).
        assert_eq!((find("rocm", "pp512").tokens_per_s, find("rocm", "pp512").rows), (1532.82, 3));
        assert_eq!(find("rocm", "tg32 @ d32768").tokens_per_s, 6.94);
        assert_eq!((find("vulkan", "pp512").tokens_per_s, find("vulkan", "pp512").rows), (1337.7, 1));
        assert_eq!(find("vulkan", "tg128").rows, 1);
        assert_eq!(find("vulkan", "tg128").backend_label(), "Vulkan");
    }

    #[test]
    fn points_match_the_model_and_quantization_and_the_nearest_depth() {
        let catalog = Catalog::builtin();
        let rows = halo_rows();
        let t = table(&rows.iter().map(String::as_str).collect::<Vec<_>>());
        let rtx = HardwareChoice::preset("nvidia-geforce-rtx-4070");
        let halo = HardwareChoice::preset("amd-ryzen-ai-max-plus-395");
        let q4_0 = QuantScheme::Q4_0;

        // Another machine: the generation points still show (against bandwidth), the
        // prompt points are the machine's own only.
        let p = t.points(&catalog, &scenario(rtx.clone(), "llama-2-7b", Workload::default()), q4_0);
        assert_eq!(p.generation.len(), 2);
        assert!(p.generation.iter().all(|g| g.median.test() == "tg128"));
        assert!(p.prompt.is_empty());
        assert!(p.generation.iter().all(|g| (g.bandwidth_gb_per_s - 256.0).abs() < 1.0), "{:?}", p.generation);

        let p = t.points(&catalog, &scenario(halo.clone(), "llama-2-7b", Workload::default()), q4_0);
        assert_eq!(p.prompt.len(), 2);
        let label = p.prompt.iter().map(BenchPoint::label).collect::<Vec<_>>().join("\n");
        assert!(label.contains("strix-halo-2026-05: ") && label.contains("ROCm, llama.cpp"), "{label}");
        assert!(label.contains("pp512: 1533 token/s, median of 3 runs"), "{label}");

        // Deep in the context, the tests at depth.
        let deep = Workload { context_depth: 30_000, ..Workload::default() };
        let p = t.points(&catalog, &scenario(halo.clone(), "llama-2-7b", deep), q4_0);
        assert!(p.generation.iter().all(|g| g.median.depth == 32768), "{:?}", p.generation);

        // Another quantization, another model, a custom machine's prompt chart: nothing.
        assert!(t
            .points(&catalog, &scenario(halo.clone(), "llama-2-7b", Workload::default()), QuantScheme::Q4_K_M)
            .is_empty());
        assert!(t.points(&catalog, &scenario(halo, "llama-3-1-8b", Workload::default()), q4_0).is_empty());
    }

    #[test]
    fn the_shipped_table_has_points_for_the_sources_models() {
        let catalog = Catalog::builtin();
        let t = BenchTable::parse(include_str!("../../data/measured/bench_runs.tsv")).unwrap();
        assert!(t.sources.len() >= 3, "{:?}", t.sources);
        // Every row is behind a median but AMDVLK's.
        let runs = t.medians.iter().map(|m| m.rows).sum::<usize>();
        let all = parse_bench_tsv(include_str!("../../data/measured/bench_runs.tsv")).unwrap();
        let amdvlk = all.iter().filter(|r| crate::validate::bench::unmodelled_driver(r).is_some()).count();
        assert!(amdvlk > 0);
        assert_eq!(runs, all.len() - amdvlk);
        // Llama 3.1 8B Q4_K_M: XiongjieDai's cards (one to several GPUs) and this site's
        // engine on the H100, whatever the machine.
        let s = scenario(HardwareChoice::preset("nvidia-geforce-rtx-4070"), "llama-3-1-8b", Workload::default());
        let p = t.points(&catalog, &s, QuantScheme::Q4_K_M);
        let sources: Vec<&str> = p.generation.iter().map(|g| g.median.source.as_str()).collect();
        assert!(
            sources.contains(&"xiongjiedai-2024-05") && sources.contains(&"roofline-webgpu-2026-11"),
            "{sources:?}"
        );
        assert!(p.generation.iter().any(|g| g.median.gpu_count > 1));
        // Every generation point is one per setup.
        let mut setups: Vec<_> = p.generation.iter().map(|g| format!("{:?}", g.median.setup())).collect();
        setups.sort();
        let n = setups.len();
        setups.dedup();
        assert_eq!(setups.len(), n);
    }
}
