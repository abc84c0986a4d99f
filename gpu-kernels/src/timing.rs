//! Timing samples: GPU timestamps around a compute pass when the adapter has
//! `timestamp-query`, else wall time from submission to completion; sample statistics.

use serde::{Deserialize, Serialize};

/// How a sample's duration was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimingSource {
    /// GPU timestamps written at the start and end of the compute pass.
    Timestamp,
    /// Wall clock from submission until the result was read back (includes the
    /// round trip; samples of 20 ms or more keep that small).
    WallClock,
}

impl TimingSource {
    /// Words for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Timestamp => "GPU timestamps",
            Self::WallClock => "wall clock around submission and completion",
        }
    }
}

/// Median and spread of a set of samples, in the probe's unit.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Median.
    pub median: f64,
    /// Smallest sample.
    pub min: f64,
    /// Largest sample.
    pub max: f64,
    /// (max − min) / median, in percent.
    pub spread_pct: f64,
    /// Number of samples.
    pub samples: usize,
}

impl Stats {
    /// Statistics of `values`; `None` when there are none or any is not finite.
    pub fn of(values: &[f64]) -> Option<Self> {
        if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
        let (min, max) = (sorted[0], sorted[n - 1]);
        let spread_pct = if median > 0.0 { (max - min) / median * 100.0 } else { 0.0 };
        Some(Self { median, min, max, spread_pct, samples: n })
    }
}

/// Wall clock that works natively and in browser windows and workers.
pub fn now_s() -> f64 {
    use std::sync::OnceLock;
    static START: OnceLock<web_time::Instant> = OnceLock::new();
    START.get_or_init(web_time::Instant::now).elapsed().as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::Stats;

    #[test]
    fn median_and_spread() {
        let stats = Stats::of(&[4.0, 1.0, 3.0, 2.0]).unwrap_or_else(|| unreachable!());
        assert_eq!(stats.median, 2.5);
        assert_eq!((stats.min, stats.max), (1.0, 4.0));
        assert!((stats.spread_pct - 120.0).abs() < 1e-9);
        assert!(Stats::of(&[]).is_none());
        assert!(Stats::of(&[1.0, f64::NAN]).is_none());
    }
}
