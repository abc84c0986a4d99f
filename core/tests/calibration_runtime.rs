//! Calibration goes through the runtime: a run of this site's engine is turned into the
//! device's capability through the engine's own profile, and llama.cpp is then predicted
//! on that device through llama.cpp's. Checked without circularity on the recorded H100
//! runs (`docs/measurements/`): the engine's profile is fitted on the 8B run alone, the
//! machine is calibrated from the 1B and the 14B runs, and the calibrated H100 must predict
//! llama.cpp within the band of the uncalibrated catalog entry.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use roofline_core::calibration::{calibrate, fit_model_run, ModelRun};
use roofline_core::catalog::Catalog;
use roofline_core::efficiency::{Efficiency, Family};
use roofline_core::estimate::estimate;
use roofline_core::fit::fit_engines;
use roofline_core::quant::QuantScheme;
use roofline_core::runtime::Engine;
use roofline_core::system::System;
use roofline_core::validate::bench::{parse_bench_tsv, resolve, BenchCase, Phase};
use roofline_core::workload::{Placement, Workload};

const BENCH_RUNS: &str = include_str!("../data/measured/bench_runs.tsv");
const SOURCE: &str = "roofline-webgpu-2026-11";

fn webgpu_cases(catalog: &Catalog) -> Vec<BenchCase> {
    let runs = parse_bench_tsv(BENCH_RUNS).unwrap();
    let mine: Vec<_> = runs.into_iter().filter(|r| r.source == SOURCE).collect();
    let (cases, left_out) = resolve(catalog, &mine);
    assert!(left_out.is_empty(), "{left_out:?}");
    assert_eq!(cases.len(), 6, "pp512 and tg128 of the 1B, 8B and 14B");
    cases
}

/// The run of `model` as the device page hands it over.
fn model_run(cases: &[BenchCase], model: &str) -> ModelRun {
    let speed = |phase: Phase| {
        cases.iter().find(|c| c.run.model_id == model && c.run.phase == phase).map(|c| c.run.tokens_per_s).unwrap()
    };
    ModelRun {
        adapter: "NVIDIA H100 80GB HBM3".into(),
        prompt_tokens: 512,
        gen_tokens: 128,
        pp_tokens_per_s: speed(Phase::Prompt),
        tg_tokens_per_s: speed(Phase::Generation),
    }
}

#[test]
fn a_calibrated_h100_predicts_llama_cpp_within_the_uncalibrated_band() {
    let catalog = Catalog::builtin();
    let cases = webgpu_cases(&catalog);
    // The engine's profile from the 8B run alone.
    let mut eff = Efficiency::fitted();
    eff.engines.remove(&Engine::RooflineWebgpu);
    let eight: Vec<&BenchCase> = cases.iter().filter(|c| c.run.model_id == "llama-3-1-8b").collect();
    fit_engines(&eight, Engine::LocalScore, &mut eff);
    let profile = eff.engine(Engine::RooflineWebgpu);
    // No tensor cores and a tenth to a third of the bandwidth: well below the sheet.
    assert!(profile.compute_factor < 0.5 && profile.bandwidth_factor < 0.5, "{profile:?}");

    let h100 = System::assemble(catalog.hardware("nvidia-h100-sxm").unwrap(), None, None, 1).unwrap();
    let band = eff.get(Family::Cuda);
    let llama_cpp = |prompt_tokens: u32, gen_tokens: u32| Workload {
        prompt_tokens,
        gen_tokens,
        placement: Placement::GpuOnly,
        ..Workload::default()
    };
    for calibrated_from in ["llama-3-2-1b", "qwen2-5-14b"] {
        let model = catalog.model(calibrated_from).unwrap();
        let run = model_run(&cases, calibrated_from);
        let (measured, (pp, tg)) = fit_model_run(&h100, model, QuantScheme::Q4_K_M, &run, &eff).unwrap();
        // The calibration reproduces the engine's own prompt speed; its generation as far
        // as the sheet's bandwidth allows (the 1B's generation is mostly the engine's fixed
        // costs per step, which a profile fitted on the 8B alone puts higher than they are).
        println!("calibrated from {calibrated_from}: the engine's own run {pp:.0} / {tg:.1} token/s predicted, {:.0} / {:.1} measured", run.pp_tokens_per_s, run.tg_tokens_per_s);
        assert!((pp / run.pp_tokens_per_s - 1.0).abs() < 0.02, "{calibrated_from}: {pp} vs {}", run.pp_tokens_per_s);
        assert!((tg / run.tg_tokens_per_s - 1.0).abs() < 0.25, "{calibrated_from}: {tg} vs {}", run.tg_tokens_per_s);
        let calibrated = calibrate(&h100, &measured).unwrap();
        // ... and predicts llama.cpp on every reference model as the catalog entry does,
        // within the entry's band.
        for predicted in ["llama-3-2-1b", "llama-3-1-8b", "qwen2-5-14b"] {
            let m = catalog.model(predicted).unwrap();
            let w = llama_cpp(512, 128);
            let plain = estimate(&h100, m, QuantScheme::Q4_K_M, &w, &eff).unwrap();
            let cal = estimate(&calibrated, m, QuantScheme::Q4_K_M, &w, &eff).unwrap();
            let pp_ratio = cal.prompt_tokens_per_s / plain.prompt_tokens_per_s;
            let tg_ratio = cal.generation_tokens_per_s / plain.generation_tokens_per_s;
            println!(
                "calibrated from {calibrated_from}, {predicted}: llama.cpp prompt {:.0} vs {:.0} token/s ({pp_ratio:.2}×), \
                 generation {:.1} vs {:.1} ({tg_ratio:.2}×)",
                cal.prompt_tokens_per_s, plain.prompt_tokens_per_s, cal.generation_tokens_per_s, plain.generation_tokens_per_s
            );
            let inside = |r: f64, [lo, hi]: [f64; 2]| r >= lo && r <= hi;
            assert!(
                inside(pp_ratio, band.band_prompt),
                "{calibrated_from} → {predicted}: prompt {pp_ratio:.2}× outside {:?}",
                band.band_prompt
            );
            assert!(
                inside(tg_ratio, band.band_generation),
                "{calibrated_from} → {predicted}: generation {tg_ratio:.2}× outside {:?}",
                band.band_generation
            );
        }
    }
}
