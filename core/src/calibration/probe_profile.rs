//! What share of a GPU's spec-sheet figures the probes reach, and the spec-sheet
//! equivalent of a probed figure.
//!
//! The estimator's efficiencies were fitted against spec sheets: a family streams weights
//! at some fraction of the sheet's bandwidth. A probe is itself a program that reaches a
//! fraction of the sheet (a streaming read stops short of the DRAM's peak; a chain of
//! WGSL FMAs short of the boost-clock issue rate), so a probed figure is divided by that
//! fraction before the efficiencies multiply it:
//!
//! `spec-sheet equivalent = probed ÷ fraction of the sheet the probe reaches`.
//!
//! The fractions are measured: probe runs on GPUs whose sheet is in the catalog
//! (`core/data/measured/probe_runs.tsv`), the median per device, then the median over
//! devices ([`ProbeProfile::fit`]; a test checks that [`ProbeProfile::RECORDED`] is that fit).

use serde::Serialize;

use crate::catalog::Catalog;

/// The working set, MiB, at which the read fraction is taken: the device page's and
/// `roofline bench`'s default, which their headline read figure uses.
pub const READ_WORKING_SET_MIB: u32 = 256;

/// The share of the spec sheet that each probe reaches.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProbeProfile {
    /// Probed read bandwidth (at [`READ_WORKING_SET_MIB`]) ÷ the sheet's memory bandwidth.
    pub read_fraction: f64,
    /// Probed f32 FMA rate ÷ the sheet's (boost-clock) f32 peak.
    pub fma_f32_fraction: f64,
}

impl ProbeProfile {
    /// The fractions fitted on the recorded probe runs: one GPU so far, the NVIDIA H100
    /// SXM5 80GB (six runs on 2026-11-23, wgpu over Vulkan, driver 580.159.04, SM clock
    /// held at 1980 MHz; `docs/measurements/`): read 2911 GB/s of the sheet's 3352 at
    /// 256 MiB (2955 at 2 GiB, 88.2 %; PyTorch summing 2 GiB read 2954–3046), f32 FMA
    /// 43.7 TFLOPS of the sheet's 66.9.
    pub const RECORDED: ProbeProfile = ProbeProfile { read_fraction: 0.8685, fma_f32_fraction: 0.6534 };

    /// Where [`Self::RECORDED`] comes from, in words for the page and the CLI.
    pub const SOURCE: &'static str =
        "an NVIDIA H100 SXM5, the one GPU whose probe runs are recorded (docs/measurements)";

    /// The spec-sheet bandwidth, GB/s, of a GPU whose read probe measured `probed_gb_per_s`.
    pub fn spec_bandwidth_gb_per_s(&self, probed_gb_per_s: f64) -> f64 {
        probed_gb_per_s / self.read_fraction
    }

    /// The spec-sheet f32 peak, TFLOPS, of a GPU whose FMA probe measured `probed_tflops`.
    pub fn spec_fp32_tflops(&self, probed_tflops: f64) -> f64 {
        probed_tflops / self.fma_f32_fraction
    }

    /// The fractions from probe runs on catalog GPUs: per device, the median probed figure
    /// ÷ its sheet's; over devices, the median of those. Also returns each device's.
    pub fn fit(catalog: &Catalog, runs: &[ProbeRun]) -> Result<(ProbeProfile, Vec<DeviceFractions>), ProbeRunsError> {
        let mut ids: Vec<&str> = runs.iter().map(|r| r.catalog_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut devices = Vec::new();
        for id in ids {
            let entry = catalog.hardware(id).map_err(|_| ProbeRunsError::UnknownDevice(id.to_owned()))?;
            let gpu = entry.gpu.as_ref().ok_or_else(|| ProbeRunsError::UnknownDevice(id.to_owned()))?;
            let mine = |probe: Probe, working_set: Option<u32>| {
                let mut v: Vec<f64> = runs
                    .iter()
                    .filter(|r| r.catalog_id == id && r.probe == probe && r.working_set_mib == working_set)
                    .map(|r| r.median)
                    .collect();
                median(&mut v)
            };
            let read = mine(Probe::Read, Some(READ_WORKING_SET_MIB));
            let fma = mine(Probe::FmaF32, None);
            let (Some(read), Some(fma)) = (read, fma) else {
                return Err(ProbeRunsError::Incomplete(id.to_owned()));
            };
            devices.push(DeviceFractions {
                catalog_id: id.to_owned(),
                read_fraction: read / gpu.bandwidth_gb_per_s,
                fma_f32_fraction: fma / gpu.fp32_tflops,
            });
        }
        let over = |f: fn(&DeviceFractions) -> f64| median(&mut devices.iter().map(f).collect::<Vec<_>>());
        match (over(|d| d.read_fraction), over(|d| d.fma_f32_fraction)) {
            (Some(read_fraction), Some(fma_f32_fraction)) => {
                Ok((ProbeProfile { read_fraction, fma_f32_fraction }, devices))
            }
            _ => Err(ProbeRunsError::Empty),
        }
    }
}

/// One device's probed figures ÷ its sheet's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceFractions {
    /// The catalog entry whose sheet the runs are compared with.
    pub catalog_id: String,
    /// Median probed read (at [`READ_WORKING_SET_MIB`]) ÷ the sheet's bandwidth.
    pub read_fraction: f64,
    /// Median probed f32 FMA rate ÷ the sheet's f32 peak.
    pub fma_f32_fraction: f64,
}

/// A probe that a recorded run reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Read bandwidth, GB/s, at a working set.
    Read,
    /// f32 FMA throughput, TFLOPS.
    FmaF32,
    /// f16 FMA throughput, TFLOPS (recorded, not part of the profile).
    FmaF16,
}

/// One probe's median from one recorded run (a row of `probe_runs.tsv`).
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeRun {
    /// The catalog entry of the GPU that ran it.
    pub catalog_id: String,
    /// Which probe.
    pub probe: Probe,
    /// The read probe's working set, MiB (`None` for the FMA probes).
    pub working_set_mib: Option<u32>,
    /// The probe's median: GB/s for a read, TFLOPS for an FMA probe.
    pub median: f64,
}

/// Why recorded probe runs give no profile.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProbeRunsError {
    /// A line of the file is malformed.
    #[error("probe runs, line {line}: {message}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A run names no catalog GPU.
    #[error("probe runs: '{0}' is not a catalog GPU")]
    UnknownDevice(String),
    /// A device lacks a read (at the profile's working set) or an f32 FMA figure.
    #[error("probe runs: '{0}' has no read at {READ_WORKING_SET_MIB} MiB or no f32 FMA figure")]
    Incomplete(String),
    /// No runs at all.
    #[error("probe runs: none recorded")]
    Empty,
}

/// Reads `probe_runs.tsv` (tab-separated, header first; columns `catalog_id`, `probe`
/// (`read`, `fma_f32`, `fma_f16`), `working_set_mib` (empty for FMA) and `median`).
pub fn parse_probe_runs(text: &str) -> Result<Vec<ProbeRun>, ProbeRunsError> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or(ProbeRunsError::Line { line: 1, message: format!("no column '{name}'") })
    };
    let (c_id, c_probe, c_ws, c_median) = (col("catalog_id")?, col("probe")?, col("working_set_mib")?, col("median")?);
    let mut runs = Vec::new();
    for (i, line) in lines.enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let get = |c: usize| f.get(c).copied().unwrap_or("").trim();
        let bad =
            |c: usize, what: &str| ProbeRunsError::Line { line: i + 2, message: format!("'{}' is not {what}", get(c)) };
        let probe = match get(c_probe) {
            "read" => Probe::Read,
            "fma_f32" => Probe::FmaF32,
            "fma_f16" => Probe::FmaF16,
            _ => return Err(bad(c_probe, "a probe (read, fma_f32, fma_f16)")),
        };
        let working_set_mib = match get(c_ws) {
            "" => None,
            w => Some(w.parse::<u32>().map_err(|_| bad(c_ws, "a whole number of MiB"))?),
        };
        let median = get(c_median).parse::<f64>().ok().filter(|x| x.is_finite() && *x > 0.0);
        let median = median.ok_or_else(|| bad(c_median, "a positive number"))?;
        runs.push(ProbeRun { catalog_id: get(c_id).to_owned(), probe, working_set_mib, median });
    }
    Ok(runs)
}

fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => values.get(n / 2).copied(),
        _ => Some((values.get(n / 2 - 1)? + values.get(n / 2)?) / 2.0),
    }
}
