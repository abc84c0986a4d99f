//! Validation per source: each source's errors in-sample (the shipped fit, on every
//! source), held out (parameters fitted without that source: leave-one-source-out) and
//! cross-validated by device within the source, with the share of held-out measurements
//! inside the estimate's band.
//!
//! Every measurement is predicted for its own engine, backend, flash attention, operating
//! system, prompt, depth and GPU count: LocalScore's groups through LocalScore's nine tests
//! ([`super::predict`]), the other sources' tests one by one ([`super::bench::predict`]).

use std::collections::BTreeSet;

use serde::Serialize;

use super::bench::{self, BenchCase, Phase, PhaseStats, DEEP_TOKENS};
use super::{compare, Group};
use crate::efficiency::{Efficiency, Family, ALL_FAMILIES};
use crate::fit::{engine_is_fitted, family_is_fitted, fit_sources, fold_of, reference_engine, MIN_DEVICES};
use crate::runtime::Engine;

/// LocalScore's name as a source.
pub const LOCALSCORE: &str = "localscore";

/// What a measured figure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// Prompt speed, token/s.
    Prompt,
    /// Generation speed, token/s.
    Generation,
    /// Time to first token, ms.
    Ttft,
}

/// One measured figure and its prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// The source.
    pub source: String,
    /// Catalog hardware id.
    pub hardware_id: String,
    /// Catalog model id.
    pub model_id: String,
    /// The family whose parameters predict it.
    pub family: Family,
    /// What it is.
    pub figure: Figure,
    /// Tokens already cached.
    pub depth: u32,
    /// Measured value.
    pub measured: f64,
    /// Predicted value.
    pub predicted: f64,
}

/// Every point of `groups` (LocalScore) and `cases` (the other sources) under `eff`.
pub fn points(groups: &[&Group], cases: &[&BenchCase], eff: &Efficiency) -> Vec<Point> {
    let mut out = Vec::new();
    for c in compare(groups, eff) {
        let family = c.family;
        for (figure, (m, p)) in [
            (Figure::Prompt, c.prompt_tokens_per_s),
            (Figure::Generation, c.generation_tokens_per_s),
            (Figure::Ttft, c.ttft_ms),
        ] {
            out.push(Point {
                source: LOCALSCORE.to_owned(),
                hardware_id: c.hardware_id.clone(),
                model_id: c.model_id.clone(),
                family,
                figure,
                depth: 0,
                measured: m,
                predicted: p,
            });
        }
    }
    for c in cases {
        let Some(p) = bench::predict(c, eff) else { continue };
        out.push(Point {
            source: c.run.source.clone(),
            hardware_id: c.run.hardware_id.clone(),
            model_id: c.run.model_id.clone(),
            family: c.family,
            figure: if c.run.phase == Phase::Prompt { Figure::Prompt } else { Figure::Generation },
            depth: c.run.depth,
            measured: c.run.tokens_per_s,
            predicted: p,
        });
    }
    out
}

/// One way of predicting a source: its errors per figure, shallow (below [`DEEP_TOKENS`]
/// of depth) and deep, and its band coverage.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Errors {
    /// Prompt speed below [`DEEP_TOKENS`] of depth.
    pub prompt: PhaseStats,
    /// Generation speed below [`DEEP_TOKENS`].
    pub generation: PhaseStats,
    /// Time to first token (LocalScore only).
    pub ttft: PhaseStats,
    /// Prompt speed at [`DEEP_TOKENS`] or more.
    pub prompt_at_depth: PhaseStats,
    /// Generation speed at [`DEEP_TOKENS`] or more.
    pub generation_at_depth: PhaseStats,
    /// Share of prompt and generation figures whose measured ÷ predicted falls inside the
    /// band the shipped parameters give their family (0–1).
    pub band_coverage: f64,
}

impl Errors {
    /// Each figure with its label, in report order (`deep` names the at-depth ones).
    pub fn figures(&self) -> [(String, &PhaseStats); 5] {
        let deep = format!("≥ {}k deep", DEEP_TOKENS / 1024);
        [
            ("prompt".to_owned(), &self.prompt),
            ("generation".to_owned(), &self.generation),
            ("TTFT".to_owned(), &self.ttft),
            (format!("prompt {deep}"), &self.prompt_at_depth),
            (format!("generation {deep}"), &self.generation_at_depth),
        ]
    }

    /// Errors of `points`, with coverage against `bands`' family bands.
    pub fn of(points: &[&Point], bands: &Efficiency) -> Errors {
        let of = |figure: Figure, deep: bool| {
            PhaseStats::of(
                points
                    .iter()
                    .filter(|p| p.figure == figure && (p.depth >= DEEP_TOKENS) == deep)
                    .map(|p| (p.measured, p.predicted)),
            )
        };
        let speeds: Vec<&&Point> = points.iter().filter(|p| p.figure != Figure::Ttft).collect();
        let inside = speeds
            .iter()
            .filter(|p| {
                let f = bands.get(p.family);
                let [lo, hi] = if p.figure == Figure::Prompt { f.band_prompt } else { f.band_generation };
                let r = p.measured / p.predicted;
                r >= lo && r <= hi
            })
            .count();
        Errors {
            prompt: of(Figure::Prompt, false),
            generation: of(Figure::Generation, false),
            ttft: of(Figure::Ttft, false),
            prompt_at_depth: of(Figure::Prompt, true),
            generation_at_depth: of(Figure::Generation, true),
            band_coverage: if speeds.is_empty() { f64::NAN } else { inside as f64 / speeds.len() as f64 },
        }
    }
}

/// One source's table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceReport {
    /// The source.
    pub source: String,
    /// Devices in it.
    pub devices: usize,
    /// With the shipped parameters (fitted on every source).
    pub in_sample: Errors,
    /// With parameters fitted without this source.
    pub held_out: Errors,
    /// Each device predicted by parameters fitted without that device's runs in this
    /// source (the other sources all in); `None` for a single-device source.
    pub by_device: Option<Errors>,
    /// What the held-out fit had to fall back on for this source's runtime and families.
    pub fallback: Vec<String>,
}

/// The sources of `groups` and `cases`, LocalScore first.
pub fn source_names(groups: &[&Group], cases: &[&BenchCase]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    if !groups.is_empty() {
        names.push(LOCALSCORE.to_owned());
    }
    let others: BTreeSet<&str> = cases.iter().map(|c| c.run.source.as_str()).collect();
    names.extend(others.into_iter().map(str::to_owned));
    names
}

/// What the fit without `source` falls back on to predict it: engines with no tests left
/// (they run at the reference engine's rates: the same backend under another engine) and
/// families with too little data left (their priors).
fn fallbacks(
    source: &str,
    groups: &[&Group],
    cases: &[&BenchCase],
    train_groups: &[&Group],
    train_cases: &[&BenchCase],
) -> Vec<String> {
    let mut out = Vec::new();
    let reference = reference_engine(train_groups);
    let mut engines: BTreeSet<Engine> = cases.iter().filter(|c| c.run.source == source).map(|c| c.run.engine).collect();
    if source == LOCALSCORE {
        engines.insert(Engine::LocalScore);
    }
    for e in engines {
        let trained = engine_is_fitted(e, train_cases) || (e == Engine::LocalScore && !train_groups.is_empty());
        if e == reference && !trained {
            out.push(format!("engine {}: the reference; the families fitted on the other sources", e.id()));
        } else if !trained && e.own_profile() {
            out.push(format!("engine {}: no other tests; no profile (the spec sheet's whole rates)", e.id()));
        } else if !trained {
            out.push(format!(
                "engine {}: tests from fewer than {MIN_DEVICES} other devices; runs at {}'s rates (same backend under another engine)",
                e.id(),
                reference.id()
            ));
        }
    }
    let families: BTreeSet<Family> = groups
        .iter()
        .filter(|_| source == LOCALSCORE)
        .map(|g| g.family)
        .chain(cases.iter().filter(|c| c.run.source == source && !c.run.engine.own_profile()).map(|c| c.family))
        .collect();
    for f in ALL_FAMILIES.into_iter().filter(|f| families.contains(f)) {
        if !family_is_fitted(f, train_groups, train_cases) {
            out.push(format!("family {}: too little other data; its priors", f.name()));
        }
    }
    out
}

/// One fit to run: what it leaves out, and which points it predicts.
enum Job<'a> {
    /// Leave `source` out; predict it.
    Source(&'a str),
    /// Leave fold `k` of `source`'s devices out; predict them.
    Fold(&'a str, usize),
}

impl Job<'_> {
    /// Whether the job's fit leaves LocalScore's group `g` out (and predicts it).
    fn leaves_group(&self, g: &Group, folds: usize) -> bool {
        match *self {
            Job::Source(s) => s == LOCALSCORE,
            Job::Fold(s, k) => s == LOCALSCORE && fold_of(&g.hardware_id, folds) == k,
        }
    }

    /// Whether the job's fit leaves the other source's test `c` out (and predicts it).
    fn leaves_case(&self, c: &BenchCase, folds: usize) -> bool {
        match *self {
            Job::Source(s) => c.run.source == s,
            Job::Fold(s, k) => c.run.source == s && fold_of(&c.run.hardware_id, folds) == k,
        }
    }
}

/// Every source's table: the held-out fits and the by-device folds run side by side.
/// `shipped` gives the in-sample predictions and the bands coverage is judged by.
pub fn report(
    groups: &[&Group],
    cases: &[&BenchCase],
    shipped: &Efficiency,
    start: &Efficiency,
    folds: usize,
    iterations: usize,
) -> Vec<SourceReport> {
    let names = source_names(groups, cases);
    let devices_of = |name: &str| -> BTreeSet<String> {
        if name == LOCALSCORE {
            groups.iter().map(|g| g.hardware_id.clone()).collect()
        } else {
            cases.iter().filter(|c| c.run.source == name).map(|c| c.run.hardware_id.clone()).collect()
        }
    };
    let mut jobs = Vec::new();
    for name in &names {
        jobs.push(Job::Source(name));
        if devices_of(name).len() > 1 {
            jobs.extend((0..folds).map(|k| Job::Fold(name, k)));
        }
    }
    let results = crate::fit::par_map(&jobs, |job| {
        let leave_group = |g: &Group| job.leaves_group(g, folds);
        let leave_case = |c: &BenchCase| job.leaves_case(c, folds);
        let train_groups: Vec<&Group> = groups.iter().copied().filter(|g| !leave_group(g)).collect();
        let train_cases: Vec<&BenchCase> = cases.iter().copied().filter(|c| !leave_case(c)).collect();
        let test_groups: Vec<&Group> = groups.iter().copied().filter(|g| leave_group(g)).collect();
        let test_cases: Vec<&BenchCase> = cases.iter().copied().filter(|c| leave_case(c)).collect();
        if test_groups.is_empty() && test_cases.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let eff = fit_sources(&train_groups, &train_cases, start, iterations);
        let fallback = match *job {
            Job::Source(s) => fallbacks(s, groups, cases, &train_groups, &train_cases),
            Job::Fold(..) => Vec::new(),
        };
        (points(&test_groups, &test_cases, &eff), fallback)
    });
    let in_sample = points(groups, cases, shipped);
    names
        .iter()
        .map(|name| {
            let mine = |pts: &[Point]| -> Vec<Point> { pts.iter().filter(|p| &p.source == name).cloned().collect() };
            let refs = |pts: &[Point]| -> Errors {
                let r: Vec<&Point> = pts.iter().collect();
                Errors::of(&r, shipped)
            };
            let mut held = Vec::new();
            let mut by_device = Vec::new();
            let mut fallback = Vec::new();
            for (job, (pts, fb)) in jobs.iter().zip(&results) {
                match *job {
                    Job::Source(s) if s == name => {
                        held.extend(mine(pts));
                        fallback.clone_from(fb);
                    }
                    Job::Fold(s, _) if s == name => by_device.extend(mine(pts)),
                    _ => {}
                }
            }
            let devices = devices_of(name).len();
            SourceReport {
                source: name.clone(),
                devices,
                in_sample: refs(&mine(&in_sample)),
                held_out: refs(&held),
                by_device: (devices > 1).then(|| refs(&by_device)),
                fallback,
            }
        })
        .collect()
}

/// Rows of the site's accuracy table, tab-separated with a header: `source`, `fit`
/// (`in-sample`, `held out`, `by device`), `figure` (`prompt`, `generation`, `TTFT`,
/// `prompt ≥ 8k deep`, `generation ≥ 8k deep`, or `inside the band`), `n`, and the
/// figure's median and p90 absolute percentage error and median predicted ÷ measured (for
/// `inside the band`: the share, %, in the median column). Figures with no measurement
/// are left out.
pub fn accuracy_tsv(reports: &[SourceReport]) -> String {
    let mut out = String::from("source\tfit\tfigure\tn\tmedian_ape\tp90_ape\tmedian_ratio\n");
    for r in reports {
        let fits =
            [("in-sample", Some(&r.in_sample)), ("held out", Some(&r.held_out)), ("by device", r.by_device.as_ref())];
        for (fit, errors) in fits {
            let Some(e) = errors else { continue };
            let mut n = 0;
            for (figure, p) in e.figures().iter().filter(|(_, p)| p.count > 0) {
                n += p.count;
                out.push_str(&format!(
                    "{}\t{fit}\t{figure}\t{}\t{:.1}\t{:.1}\t{:.2}\n",
                    r.source, p.count, p.median_ape, p.p90_ape, p.median_ratio
                ));
            }
            if e.band_coverage.is_finite() {
                out.push_str(&format!(
                    "{}\t{fit}\tinside the band\t{n}\t{:.0}\t\t\n",
                    r.source,
                    100.0 * e.band_coverage
                ));
            }
        }
    }
    out
}
