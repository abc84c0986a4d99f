//! Cross-validation by device and the error bands it sets: each fold of devices held out
//! of every source at once, refitted, and predicted.

use serde::Serialize;

use std::collections::BTreeMap;

use super::{fit_sources, MIN_GROUPS};
use crate::efficiency::{Efficiency, Family, ALL_FAMILIES};
use crate::validate::bench::BenchCase;
use crate::validate::sources::{points, Figure, Point};
use crate::validate::{compare, stats, Comparison, ErrorStats, Group};

/// Device of a group, the unit of cross-validation folds.
pub(crate) fn fold_of(device: &str, folds: usize) -> usize {
    // FNV-1a: a stable assignment that does not depend on the catalog's order.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in device.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % folds as u64) as usize
}

/// K-fold cross-validation by device: each device's LocalScore groups and other sources'
/// tests are predicted by parameters fitted without that device. Returns the out-of-fold
/// comparisons of the groups and points of the tests.
pub fn cross_validate(
    groups: &[&Group],
    cases: &[&BenchCase],
    start: &Efficiency,
    folds: usize,
    iterations: usize,
) -> (Vec<Comparison>, Vec<Point>) {
    let ks: Vec<usize> = (0..folds).collect();
    let results = par_map(&ks, |&k| {
        let held = |device: &str| fold_of(device, folds) == k;
        let train: Vec<&Group> = groups.iter().copied().filter(|g| !held(&g.hardware_id)).collect();
        let test: Vec<&Group> = groups.iter().copied().filter(|g| held(&g.hardware_id)).collect();
        let train_cases: Vec<&BenchCase> = cases.iter().copied().filter(|c| !held(&c.run.hardware_id)).collect();
        let test_cases: Vec<&BenchCase> = cases.iter().copied().filter(|c| held(&c.run.hardware_id)).collect();
        if test.is_empty() && test_cases.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let eff = fit_sources(&train, &train_cases, start, iterations);
        (compare(&test, &eff), points(&[], &test_cases, &eff))
    });
    let mut comparisons = Vec::new();
    let mut case_points = Vec::new();
    for (c, p) in results {
        comparisons.extend(c);
        case_points.extend(p);
    }
    (comparisons, case_points)
}

/// The error band of `family`'s `figure` from held-out predictions: the 10th and 90th
/// percentile of measured ÷ predicted over LocalScore's groups (each weighing one) and the
/// other sources' tests (a source's device × model weighing one, shared by its tests),
/// widened to hold 1 (the estimate); `None` with less than [`MIN_GROUPS`] of weight.
fn held_out_band(family: Family, figure: Figure, groups: &[Comparison], cases: &[Point]) -> Option<[f64; 2]> {
    let mut weighted: Vec<(f64, f64)> = groups
        .iter()
        .filter(|c| c.family == family)
        .map(|c| match figure {
            Figure::Prompt => c.prompt_tokens_per_s,
            _ => c.generation_tokens_per_s,
        })
        .map(|pair| (pair, 1.0))
        .map(|((m, p), w)| (m / p, w))
        .collect();
    let mine: Vec<&Point> = cases.iter().filter(|p| p.family == family && p.figure == figure).collect();
    let mut n: BTreeMap<(&str, &str, &str), usize> = BTreeMap::new();
    for p in &mine {
        *n.entry((p.source.as_str(), p.hardware_id.as_str(), p.model_id.as_str())).or_insert(0) += 1;
    }
    for p in &mine {
        let k = n.get(&(p.source.as_str(), p.hardware_id.as_str(), p.model_id.as_str())).copied().unwrap_or(1);
        weighted.push((p.measured / p.predicted, 1.0 / k as f64));
    }
    weighted.retain(|(r, _)| r.is_finite() && *r > 0.0);
    let total: f64 = weighted.iter().map(|(_, w)| w).sum();
    // The band holds the estimate itself: where a family's held-out predictions all miss
    // to one side (its priors, unfitted, are biased), it runs from the estimate to the far
    // percentile, so it still says how far off the estimate may be.
    (total >= MIN_GROUPS as f64)
        .then(|| [weighted_quantile(&mut weighted, 0.1).min(1.0), weighted_quantile(&mut weighted, 0.9).max(1.0)])
}

/// The `q` quantile of weighted values `(value, weight)` (sorts them): the first value at
/// which the cumulative weight reaches `q` of the total.
fn weighted_quantile(values: &mut [(f64, f64)], q: f64) -> f64 {
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = values.iter().map(|(_, w)| w).sum();
    let mut acc = 0.0;
    for (v, w) in values.iter() {
        acc += w;
        if acc >= q * total {
            return *v;
        }
    }
    values.last().map_or(f64::NAN, |(v, _)| *v)
}

/// `f` over `items`, each on a thread of its own where the platform has threads (the fits
/// are independent and take seconds each); in order on wasm32.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::scope(|s| {
            let handles: Vec<_> = items.iter().map(|item| s.spawn(|| f(item))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        items.iter().map(f).collect()
    }
}

/// In-sample and cross-validated errors, and the parameters with error bands set from the
/// cross-validated residuals of every source (10th and 90th percentile of measured ÷
/// predicted, each device predicted by a fit without it).
#[derive(Debug, Clone, Serialize)]
pub struct FitReport {
    /// Parameters fitted on all groups, with bands.
    pub efficiency: Efficiency,
    /// Errors with those parameters.
    pub in_sample: ErrorStats,
    /// Errors predicting each device from parameters fitted without it.
    pub cross_validated: ErrorStats,
    /// In-sample comparisons.
    pub comparisons: Vec<Comparison>,
    /// Out-of-fold comparisons.
    pub cross_validated_comparisons: Vec<Comparison>,
}

/// Fits on LocalScore's groups and the other sources' tests, cross-validates every source
/// by device with `folds` folds (a device held out of all of them at once) and sets the
/// bands from the held-out predictions.
pub fn fit_and_validate(
    groups: &[&Group],
    cases: &[&BenchCase],
    start: &Efficiency,
    folds: usize,
    iterations: usize,
) -> FitReport {
    // The fit on all groups and the cross-validation's fits run side by side.
    let jobs = [None, Some(folds)];
    let mut results = par_map(&jobs, |job| match job {
        None => (Some(fit_sources(groups, cases, start, iterations)), Default::default()),
        Some(folds) => (None, cross_validate(groups, cases, start, *folds, iterations)),
    });
    let (cv, cv_cases) = results.pop().map(|r| r.1).unwrap_or_default();
    let mut efficiency = results.pop().and_then(|r| r.0).unwrap_or_else(|| start.clone());
    let comparisons = compare(groups, &efficiency);
    for family in ALL_FAMILIES {
        let bands = (
            held_out_band(family, Figure::Generation, &cv, &cv_cases),
            held_out_band(family, Figure::Prompt, &cv, &cv_cases),
        );
        if let (Some(p), (Some(generation), Some(prompt))) = (efficiency.families.get_mut(&family), bands) {
            p.band_generation = generation;
            p.band_prompt = prompt;
        }
    }
    FitReport {
        in_sample: stats(&comparisons),
        cross_validated: stats(&cv),
        efficiency,
        comparisons,
        cross_validated_comparisons: cv,
    }
}
