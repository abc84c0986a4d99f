//! Calibration from the probes goes through the probes' own profile: a probed figure is
//! some share of the spec sheet, and the estimator's efficiencies were fitted to sheets, so
//! the probed figure is divided by the share the probes reach before they multiply it.
//! The share is fitted on the recorded probe runs (`core/data/measured/probe_runs.tsv`);
//! a probe that reads that share of a GPU's sheet must calibrate back to the sheet (so
//! llama.cpp is predicted as for the uncalibrated entry), and one that reads half of it
//! must predict about half the generation speed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use roofline_core::calibration::{against_spec, calibrate, parse_probe_runs, Measured, MeasuredBy, ProbeProfile};
use roofline_core::catalog::Catalog;
use roofline_core::efficiency::{Efficiency, Family};
use roofline_core::estimate::devices::GpuBandwidthFactors;
use roofline_core::estimate::{estimate, Estimate};
use roofline_core::hardware::HardwareKind;
use roofline_core::quant::QuantScheme;
use roofline_core::system::System;
use roofline_core::workload::Workload;

const PROBE_RUNS: &str = include_str!("../data/measured/probe_runs.tsv");

fn probed(system: &System, read_share: f64, fma_share: f64) -> Measured {
    let gpu = system.gpu.as_ref().unwrap();
    Measured {
        adapter: "probe".into(),
        read_gb_per_s: gpu.bandwidth_gb_per_s * read_share,
        fma_f32_tflops: gpu.fp32_tflops * fma_share,
        fma_f16_tflops: None,
        by: MeasuredBy::Probes,
    }
}

fn llama_cpp(system: &System, catalog: &Catalog, eff: &Efficiency) -> Option<Estimate> {
    let model = catalog.model("llama-3-1-8b").unwrap();
    estimate(system, model, QuantScheme::Q4_K_M, &Workload::default(), eff).ok()
}

#[test]
fn the_probe_profile_is_the_fit_of_the_recorded_probe_runs() {
    let catalog = Catalog::builtin();
    let runs = parse_probe_runs(PROBE_RUNS).unwrap();
    let (fitted, devices) = ProbeProfile::fit(&catalog, &runs).unwrap();
    for d in &devices {
        println!("{}: read {:.3}, f32 FMA {:.3} of the sheet", d.catalog_id, d.read_fraction, d.fma_f32_fraction);
    }
    let recorded = ProbeProfile::RECORDED;
    assert!((fitted.read_fraction - recorded.read_fraction).abs() < 5e-5, "{fitted:?} vs {recorded:?}");
    assert!((fitted.fma_f32_fraction - recorded.fma_f32_fraction).abs() < 5e-5, "{fitted:?} vs {recorded:?}");
    // Past the caches the read share barely depends on the working set (2 GiB vs 256 MiB).
    let h100 = catalog.hardware("nvidia-h100-sxm").unwrap().gpu.clone().unwrap();
    for r in runs.iter().filter(|r| r.working_set_mib == Some(2048)) {
        let share = r.median / h100.bandwidth_gb_per_s;
        assert!((share / recorded.read_fraction - 1.0).abs() < 0.02, "{share} at 2 GiB");
    }
}

#[test]
fn a_probe_at_the_profiles_share_of_the_sheet_predicts_llama_cpp_as_the_sheet_does() {
    let catalog = Catalog::builtin();
    let eff = Efficiency::fitted();
    let p = ProbeProfile::RECORDED;
    let (mut compared, mut with_factors) = (0, Vec::new());
    for entry in catalog.hardware.iter().filter(|e| e.gpu.is_some() && e.kind != HardwareKind::Cpu) {
        let Ok(system) = System::assemble(entry, None, None, 1) else { continue };
        // A measured machine drops the laptop and architecture bandwidth factors (the
        // estimator takes a measured GPU's rates as what it sustains); those entries
        // differ from the sheet by exactly those factors and are left out here.
        if GpuBandwidthFactors::of(&system, &eff).product() != 1.0 {
            with_factors.push(entry.id.clone());
            continue;
        }
        let Some(plain) = llama_cpp(&system, &catalog, &eff) else { continue };
        let m = probed(&system, p.read_fraction, p.fma_f32_fraction);
        let calibrated = calibrate(&system, &m).unwrap();
        let sheet = system.gpu.as_ref().unwrap();
        let gpu = calibrated.gpu.as_ref().unwrap();
        assert!((gpu.bandwidth_gb_per_s / sheet.bandwidth_gb_per_s - 1.0).abs() < 1e-9, "{}", entry.id);
        assert!((gpu.fp32_tflops / sheet.fp32_tflops - 1.0).abs() < 1e-9, "{}", entry.id);
        // Against the spec it reads as the share of the sheet it is.
        let (bw, fma) = against_spec(entry, &m).unwrap();
        assert!(
            (bw.percent - p.read_fraction * 100.0).abs() < 1e-6
                && (fma.percent - p.fma_f32_fraction * 100.0).abs() < 1e-6
        );
        let cal = llama_cpp(&calibrated, &catalog, &eff).unwrap();
        let band = eff.get(Family::of_gpu(sheet.backend));
        let pp = cal.prompt_tokens_per_s / plain.prompt_tokens_per_s;
        let tg = cal.generation_tokens_per_s / plain.generation_tokens_per_s;
        let inside = |r: f64, [lo, hi]: [f64; 2]| r >= lo - 1e-9 && r <= hi + 1e-9;
        assert!(inside(pp, band.band_prompt) && inside(tg, band.band_generation), "{}: {pp} {tg}", entry.id);
        assert!(
            (pp - 1.0).abs() < 1e-3 && (tg - 1.0).abs() < 1e-3,
            "{}: prompt {pp:.4}×, generation {tg:.4}×",
            entry.id
        );
        compared += 1;
    }
    println!("{compared} GPUs compared; with a laptop or architecture factor, left out: {}", with_factors.join(", "));
    assert!(compared > 50, "{compared}");

    // The recorded run itself: the H100's probes calibrate it to within 1 % of its sheet.
    let h100 = System::assemble(catalog.hardware("nvidia-h100-sxm").unwrap(), None, None, 1).unwrap();
    let m = Measured {
        adapter: "NVIDIA H100 80GB HBM3".into(),
        read_gb_per_s: 2911.2,
        fma_f32_tflops: 43.72,
        fma_f16_tflops: Some(61.34),
        by: MeasuredBy::Probes,
    };
    let calibrated = calibrate(&h100, &m).unwrap();
    let (plain, cal) = (llama_cpp(&h100, &catalog, &eff).unwrap(), llama_cpp(&calibrated, &catalog, &eff).unwrap());
    let tg = cal.generation_tokens_per_s / plain.generation_tokens_per_s;
    let pp = cal.prompt_tokens_per_s / plain.prompt_tokens_per_s;
    assert!((tg - 1.0).abs() < 0.01 && (pp - 1.0).abs() < 0.01, "H100 from its recorded probes: {pp} {tg}");
}

#[test]
fn a_device_probed_at_half_the_bandwidth_predicts_about_half_the_generation_speed() {
    let catalog = Catalog::builtin();
    let eff = Efficiency::fitted();
    let p = ProbeProfile::RECORDED;
    let w = Workload::default();
    for (id, model) in [
        ("nvidia-h100-sxm", "llama-3-1-70b"),
        ("nvidia-h100-sxm", "llama-3-1-8b"),
        ("nvidia-geforce-rtx-4070", "llama-3-1-8b"),
        ("nvidia-geforce-rtx-3090", "qwen2-5-32b"),
    ] {
        let system = System::assemble(catalog.hardware(id).unwrap(), None, None, 1).unwrap();
        let m = catalog.model(model).unwrap();
        let run = |s: &System| estimate(s, m, QuantScheme::Q4_K_M, &w, &eff).unwrap();
        let plain = run(&system);
        assert_eq!(plain.gpu_layers, m.layers, "{id} {model}: the whole model on the GPU");
        let half_bandwidth = calibrate(&system, &probed(&system, p.read_fraction / 2.0, p.fma_f32_fraction)).unwrap();
        let e = run(&half_bandwidth);
        let tg = e.generation_tokens_per_s / plain.generation_tokens_per_s;
        let pp = e.prompt_tokens_per_s / plain.prompt_tokens_per_s;
        let (a, b) = (&plain.generation_bound.split, &e.generation_bound.split);
        let streaming = b.memory_s / a.memory_s;
        println!(
            "{id}, {model}, half the bandwidth: generation {tg:.3}× (time streaming weights {streaming:.3}×, \
             {:.0} % of a step fixed latency), prompt {pp:.3}×",
            a.latency_s / a.total_s() * 100.0
        );
        // The time spent streaming weights doubles; the fixed costs per step, which the
        // bandwidth cannot move, keep the whole step from doubling where they weigh.
        assert!((streaming - 2.0).abs() < 0.05, "{id} {model}: streaming {streaming}");
        let bandwidth_share = a.memory_s / a.total_s();
        let expected = 1.0 / (1.0 + bandwidth_share);
        assert!((tg / expected - 1.0).abs() < 0.05, "{id} {model}: generation {tg} vs {expected}");
        // Where fixed latency is under a third of a step, that is about half the speed.
        if a.latency_s / a.total_s() < 0.3 {
            assert!((0.5..0.62).contains(&tg), "{id} {model}: generation {tg}");
        }
        assert!(pp > 0.85, "{id} {model}: prompt {pp}");
        let half_compute = calibrate(&system, &probed(&system, p.read_fraction, p.fma_f32_fraction / 2.0)).unwrap();
        let e = run(&half_compute);
        let (tg, pp) = (
            e.generation_tokens_per_s / plain.generation_tokens_per_s,
            e.prompt_tokens_per_s / plain.prompt_tokens_per_s,
        );
        println!("{id}, {model}, half the f32 rate: generation {tg:.3}×, prompt {pp:.3}×");
        assert!((0.48..0.65).contains(&pp), "{id} {model}: prompt {pp}");
        assert!(tg > 0.85, "{id} {model}: generation {tg}");
    }
}
