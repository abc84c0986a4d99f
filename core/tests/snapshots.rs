//! Snapshot of estimates for a dozen representative machines and models, rounded to three
//! significant figures so that float noise does not churn it.
//!
//! The snapshot changes whenever the model or the fitted parameters change; review the diff
//! and re-accept it with
//!
//! ```sh
//! INSTA_UPDATE=always cargo test -p roofline-core --release --test snapshots
//! ```

// The helpers below are test code too: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use roofline_core::catalog::Catalog;
use roofline_core::efficiency::Efficiency;
use roofline_core::estimate::estimate;
use roofline_core::estimate::timing::Bound;
use roofline_core::estimate::verdict::Verdict;
use roofline_core::quant::QuantScheme;
use roofline_core::system::System;
use roofline_core::workload::{Placement, Workload};
use serde::Serialize;

/// One configuration: host or device entry, optional discrete GPU and count, model, placement.
struct Case {
    hardware: &'static str,
    gpu: Option<(&'static str, u32)>,
    model: &'static str,
    placement: Placement,
}

const fn case(hardware: &'static str, gpu: Option<(&'static str, u32)>, model: &'static str) -> Case {
    Case { hardware, gpu, model, placement: Placement::Auto }
}

const CPU_ONLY: Placement = Placement::CpuOnly;
const MID: &str = "qwen2-5-14b";

/// The four hardware classes of the domain notes with a ~14B model, each CPU-only and with
/// its GPU(s), then single machines with the models people run on them.
const CASES: [Case; 12] = [
    Case { placement: CPU_ONLY, ..case("amd-ryzen-ai-max-plus-395", None, MID) },
    case("amd-ryzen-ai-max-plus-395", None, MID),
    Case { placement: CPU_ONLY, ..case("amd-ryzen-9-9950x", None, MID) },
    case("amd-ryzen-9-9950x", Some(("nvidia-geforce-rtx-4090", 1)), MID),
    Case { placement: CPU_ONLY, ..case("amd-ryzen-threadripper-7970x", None, MID) },
    case("amd-ryzen-threadripper-7970x", Some(("nvidia-rtx-6000-ada", 2)), MID),
    Case { placement: CPU_ONLY, ..case("amd-epyc-9554p", None, MID) },
    case("amd-epyc-9554p", Some(("nvidia-h100-sxm", 4)), MID),
    case("nvidia-geforce-rtx-3090", None, "llama-3-1-8b"),
    case("apple-m4-max-16c-40g", None, "llama-3-1-8b"),
    case("raspberry-pi-5", None, "llama-3-2-1b"),
    Case { placement: Placement::ExpertsOnCpu, ..case("nvidia-geforce-rtx-4090", None, "qwen3-30b-a3b") },
];

/// Memory of one device.
#[derive(Serialize)]
struct Memory {
    device: String,
    total_gb: f64,
    capacity_gb: f64,
}

/// One row of the table.
#[derive(Serialize)]
struct Row {
    hardware: String,
    model: String,
    quant: QuantScheme,
    placement: Placement,
    gpu_layers: u32,
    prompt_tokens_per_s: f64,
    time_to_first_token_ms: f64,
    generation_tokens_per_s: f64,
    total_time_s: f64,
    fits: bool,
    verdict: Verdict,
    prompt_bound: Bound,
    generation_bound: Bound,
    memory: Vec<Memory>,
}

/// `x` rounded to three significant figures (the nearest `f64` to the 3-digit decimal, so
/// that it prints as such).
fn sig3(x: f64) -> f64 {
    format!("{x:.2e}").parse().unwrap()
}

fn row(catalog: &Catalog, eff: &Efficiency, c: &Case) -> Row {
    let hw = catalog.hardware(c.hardware).unwrap();
    let system = match c.gpu {
        Some((gpu, n)) => System::assemble(hw, None, Some(catalog.hardware(gpu).unwrap()), n).unwrap(),
        None => System::assemble(hw, None, None, 1).unwrap(),
    };
    let model = catalog.model(c.model).unwrap();
    let quant = QuantScheme::Q4_K_M;
    let workload = Workload { placement: c.placement, ..Workload::default() };
    let e = estimate(&system, model, quant, &workload, eff).unwrap();
    Row {
        hardware: e.hardware,
        model: model.id.clone(),
        quant,
        placement: c.placement,
        gpu_layers: e.gpu_layers,
        prompt_tokens_per_s: sig3(e.prompt_tokens_per_s),
        time_to_first_token_ms: sig3(e.time_to_first_token_ms),
        generation_tokens_per_s: sig3(e.generation_tokens_per_s),
        total_time_s: sig3(e.total_time_s),
        fits: e.fits,
        verdict: e.verdict,
        prompt_bound: e.prompt_bound.bound,
        generation_bound: e.generation_bound.bound,
        memory: e
            .memory
            .iter()
            .map(|m| Memory { device: m.device.clone(), total_gb: sig3(m.total_gb), capacity_gb: sig3(m.capacity_gb) })
            .collect(),
    }
}

#[test]
fn rounding_keeps_three_significant_figures() {
    assert_eq!(sig3(1234.5), 1230.0);
    assert_eq!(sig3(0.012345), 0.0123);
    assert_eq!(sig3(99.96), 100.0);
    assert_eq!(sig3(0.0), 0.0);
    assert_eq!(serde_json::to_string(&sig3(0.1 + 0.2)).unwrap(), "0.3");
}

#[test]
fn representative_estimates() {
    let catalog = Catalog::try_builtin().unwrap();
    let eff = Efficiency::fitted();
    let rows: Vec<Row> = CASES.iter().map(|c| row(&catalog, &eff, c)).collect();
    insta::assert_json_snapshot!("representative_estimates", rows);
}
