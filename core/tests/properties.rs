//! Property tests of the estimator over the documented input ranges: finite outputs, and
//! monotonicity in bandwidth, compute, quantization, offload and context length.

// The helpers below are test code too: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::{option, sample::select};
use roofline_core::catalog::Catalog;
use roofline_core::efficiency::{Efficiency, Family};
use roofline_core::estimate::devices::devices;
use roofline_core::estimate::memory::DeviceMemory;
use roofline_core::estimate::plan::model_bytes;
use roofline_core::estimate::{estimate, estimate_with_draft, Estimate, EstimateError};
use roofline_core::hardware::HardwareKind;
use roofline_core::model::ModelSpec;
use roofline_core::quant::{QuantScheme as Q, ALL_SCHEMES};
use roofline_core::system::System;
use roofline_core::workload::{KvType, Placement, Speculative, Workload};

/// Relative tolerance of the monotonic comparisons.
const TOL: f64 = 1e-9;
/// Dense, sliding-window and mixture-of-experts models of several sizes.
const MODELS: [&str; 6] = ["llama-3-2-1b", "gemma-3-4b", "llama-3-1-8b", "qwen2-5-14b", "qwen3-30b-a3b", "gpt-oss-20b"];
/// Presets by size: each rank stores more bits per weight than the ranks before it.
const CHAIN: [&[Q]; 7] =
    [&[Q::Q2_K], &[Q::Q3_K_M], &[Q::Q4_0, Q::Q4_K_M], &[Q::Q5_K_M], &[Q::Q6_K], &[Q::Q8_0], &[Q::F16]];

fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(|| Catalog::try_builtin().unwrap())
}

fn eff() -> &'static Efficiency {
    static E: OnceLock<Efficiency> = OnceLock::new();
    E.get_or_init(Efficiency::fitted)
}

fn model(i: usize) -> &'static ModelSpec {
    catalog().model(MODELS[i % MODELS.len()]).unwrap()
}

/// Catalog indices of the entries of `kinds`.
fn indices(kinds: &[HardwareKind]) -> Vec<usize> {
    catalog().hardware.iter().enumerate().filter(|(_, h)| kinds.contains(&h.kind)).map(|(i, _)| i).collect()
}

/// Entry `i` as a machine: a discrete GPU on the default host (`count` of them), a CPU
/// with discrete GPU `extra` when given, anything else as it is.
fn system(i: usize, extra: Option<usize>, count: u32) -> System {
    let c = catalog();
    let hw = &c.hardware[i % c.hardware.len()];
    match (hw.kind, extra) {
        (HardwareKind::Gpu, _) => System::assemble(hw, None, None, count).unwrap(),
        (HardwareKind::Cpu, Some(g)) => {
            let gpus = indices(&[HardwareKind::Gpu]);
            System::assemble(hw, None, Some(&c.hardware[gpus[g % gpus.len()]]), count).unwrap()
        }
        _ => System::assemble(hw, None, None, 1).unwrap(),
    }
}

/// Spec-sheet factors applied to a machine.
#[derive(Debug, Clone, Copy)]
struct Scale {
    gpu_bandwidth: f64,
    gpu_flops: f64,
    memory_speed: f64,
    cpu_clock: f64,
    capacity: f64,
}

const ONE: Scale = Scale { gpu_bandwidth: 1.0, gpu_flops: 1.0, memory_speed: 1.0, cpu_clock: 1.0, capacity: 1.0 };

fn scaled(mut s: System, k: Scale) -> System {
    if let Some(g) = &mut s.gpu {
        g.bandwidth_gb_per_s *= k.gpu_bandwidth;
        g.fp32_tflops *= k.gpu_flops;
        g.fp16_tflops *= k.gpu_flops;
        g.tensor_fp16_tflops = g.tensor_fp16_tflops.map(|t| t * k.gpu_flops);
        g.vram_gb *= k.capacity;
    }
    s.memory.speed_mt_per_s *= k.memory_speed;
    s.memory.capacity_gb *= k.capacity;
    s.cpu.base_clock_ghz *= k.cpu_clock;
    s.cpu.boost_clock_ghz *= k.cpu_clock;
    s
}

fn scale() -> impl Strategy<Value = Scale> {
    let f = || 0.25..4.0f64;
    let s = |(a, b, c, d, e)| Scale { gpu_bandwidth: a, gpu_flops: b, memory_speed: c, cpu_clock: d, capacity: e };
    (f(), f(), f(), f(), f()).prop_map(s)
}

/// A valid placement from a selector and a fraction of the layers.
fn placement(sel: u8, frac: f64, m: &ModelSpec, s: &System) -> Placement {
    let gpu = s.gpu.is_some();
    match sel % 5 {
        1 => Placement::CpuOnly,
        2 if gpu => Placement::GpuOnly,
        3 if gpu => Placement::GpuLayers((frac * f64::from(m.layers)).round() as u32),
        4 if gpu && m.moe.is_some() => Placement::ExpertsOnCpu,
        _ => Placement::Auto,
    }
}

fn workload() -> impl Strategy<Value = Workload> {
    let kv = select(vec![KvType::F16, KvType::Q8_0, KvType::Q4_0]);
    let (disk, spare) = (option::of(0.05..50.0f64), option::of(0..=65536u32));
    (1..=32768u32, 0..=32768u32, 1..=64u32, 0..=8192u32, spare, kv, disk).prop_map(
        |(p, g, batch, depth, spare, kv, disk)| {
            let w = Workload {
                prompt_tokens: p,
                gen_tokens: g,
                batch,
                context_depth: depth,
                kv_type: kv,
                ..Workload::default()
            };
            Workload { context_tokens: spare.map(|s| depth + p + g + s), cold_start_disk_gb_per_s: disk, ..w }
        },
    )
}

fn quant() -> impl Strategy<Value = Q> {
    select(ALL_SCHEMES.to_vec())
}

fn speculative(acceptance_rate: f64, draft_tokens: u32) -> Option<Speculative> {
    Some(Speculative { draft_model_id: MODELS[0].into(), draft_tokens, acceptance_rate })
}

fn run(s: &System, m: &ModelSpec, q: Q, w: &Workload) -> Estimate {
    estimate(s, m, q, w, eff()).unwrap_or_else(|e| panic!("{}, {}, {q}, {w:?}: {e}", s.name, m.id))
}

/// Every figure finite and non-negative, speeds positive, bands ordered, totals consistent.
fn check_sane(e: &Estimate, w: &Workload) -> Result<(), TestCaseError> {
    let (pb, tb, gb) = (e.prompt_band, e.time_to_first_token_band_ms, e.generation_band);
    let mut figures =
        vec![e.model_size_gb, e.prompt_tokens_per_s, e.time_to_first_token_ms, e.total_time_s, e.load_time_s];
    figures.extend([e.generation_tokens_per_s, e.aggregate_generation_tokens_per_s]);
    figures.extend([e.generation_tokens_per_s_at_start, e.generation_tokens_per_s_at_end]);
    figures.extend([pb.low, pb.high, tb.low, tb.high, gb.low, gb.high]);
    for m in &e.memory {
        figures.extend([m.weights_gb, m.kv_cache_gb, m.compute_buffers_gb, m.overhead_gb, m.total_gb, m.capacity_gb]);
    }
    for s in [e.prompt_bound.split, e.generation_bound.split] {
        figures.extend([s.compute_s, s.memory_s, s.latency_s, s.pcie_s]);
    }
    prop_assert!(figures.iter().all(|x| x.is_finite() && *x >= 0.0), "{e:#?}");
    prop_assert!(e.prompt_tokens_per_s > 0.0 && e.generation_tokens_per_s > 0.0 && e.model_size_gb > 0.0, "{e:#?}");
    prop_assert!(pb.low <= pb.high && tb.low <= tb.high && gb.low <= gb.high, "{e:#?}");
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs());
    let gen_s = f64::from(w.gen_tokens) / e.generation_tokens_per_s;
    prop_assert!(close(e.total_time_s, e.time_to_first_token_ms / 1e3 + gen_s), "total time in {e:#?}");
    prop_assert!(close(e.aggregate_generation_tokens_per_s, e.generation_tokens_per_s * f64::from(w.batch)), "{e:#?}");
    let parts = |m: &DeviceMemory| m.weights_gb + m.kv_cache_gb + m.compute_buffers_gb + m.overhead_gb;
    prop_assert!(e.memory.iter().all(|m| close(m.total_gb, parts(m))), "memory parts in {e:#?}");
    prop_assert!(!e.fits || e.memory.iter().all(|m| m.fits && m.total_gb <= m.capacity_gb), "fits in {e:#?}");
    Ok(())
}

/// The shipped parameters with every GPU family's fixed per-layer and per-step costs capped
/// at the `cpu` family's.
fn cheap_gpu_latencies(cpu: Family) -> Efficiency {
    let mut e = eff().clone();
    let c = e.get(cpu);
    for p in e.families.iter_mut().filter(|(f, _)| !f.is_cpu()).map(|(_, p)| p) {
        p.layer_latency_us = p.layer_latency_us.min(c.layer_latency_us);
        p.step_latency_us = p.step_latency_us.min(c.step_latency_us);
    }
    e
}

fn at_least(new: f64, old: f64) -> bool {
    new >= old * (1.0 - TOL)
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(64) })]

    #[test]
    fn estimates_are_finite(i in 0..1000usize, extra in option::of(0..1000usize), count in 1..=4u32, m in 0..6usize,
        q in quant(), sel in 0..5u8, frac in 0.0..=1.0f64, mut w in workload(), k in scale(),
        spec in option::of((1..=16u32, 0.0..=1.0f64))) {
        let (s, m) = (scaled(system(i, extra, count), k), model(m));
        w.placement = placement(sel, frac, m, &s);
        w.speculative = spec.and_then(|(k, a)| speculative(a, k));
        let draft = w.speculative.as_ref().map(|_| model(0));
        check_sane(&estimate_with_draft(&s, m, draft, q, &w, eff()).unwrap(), &w)?;
    }

    #[test]
    fn more_bandwidth_never_slows_generation(i in 0..1000usize, extra in option::of(0..1000usize), count in 1..=2u32,
        m in 0..6usize, q in quant(), sel in 0..5u8, frac in 0.0..=1.0f64, mut w in workload(),
        fg in prop_oneof![Just(1.0), 1.0..8.0f64], fc in prop_oneof![Just(1.0), 1.0..8.0f64]) {
        // GPU bandwidth on any placement, CPU memory speed (CPU-only among the placements).
        let (s, m) = (system(i, extra, count), model(m));
        w.placement = placement(sel, frac, m, &s);
        let faster = scaled(s.clone(), Scale { gpu_bandwidth: fg, memory_speed: fc, ..ONE });
        let (a, b) = (run(&s, m, q, &w), run(&faster, m, q, &w));
        let (a, b) = (a.generation_tokens_per_s, b.generation_tokens_per_s);
        prop_assert!(at_least(b, a), "{a} → {b} token/s at ×{fg} GPU bandwidth, ×{fc} memory speed");
    }

    #[test]
    fn more_compute_never_slows_prompt_or_generation(i in 0..1000usize, extra in option::of(0..1000usize),
        count in 1..=2u32, m in 0..6usize, q in quant(), sel in 0..5u8, frac in 0.0..=1.0f64, mut w in workload(),
        fg in 1.0..8.0f64, fc in 1.0..3.0f64) {
        let (s, m) = (system(i, extra, count), model(m));
        w.placement = placement(sel, frac, m, &s);
        let faster = scaled(s.clone(), Scale { gpu_flops: fg, cpu_clock: fc, ..ONE });
        let (a, b) = (run(&s, m, q, &w), run(&faster, m, q, &w));
        let (pa, pb) = (a.prompt_tokens_per_s, b.prompt_tokens_per_s);
        let (ga, gb) = (a.generation_tokens_per_s, b.generation_tokens_per_s);
        prop_assert!(at_least(pb, pa), "prompt {pa} → {pb} token/s");
        prop_assert!(at_least(gb, ga), "generation {ga} → {gb} token/s");
    }

    #[test]
    fn bigger_quants_never_shrink_memory(i in 0..1000usize, extra in option::of(0..1000usize), m in 0..6usize,
        lo in 0..6usize, gap in 1..7usize, pick in (0..2usize, 0..2usize), sel in 0..5u8, frac in 0.0..=1.0f64,
        mut w in workload()) {
        let (s, m) = (system(i, extra, 1), model(m));
        let hi = (lo + gap).min(CHAIN.len() - 1);
        let (small, big) = (CHAIN[lo][pick.0 % CHAIN[lo].len()], CHAIN[hi][pick.1 % CHAIN[hi].len()]);
        // The same blocks on the same devices: `Auto` would place a bigger model differently.
        let p = placement(sel, frac, m, &s);
        w.placement = if p == Placement::Auto { Placement::CpuOnly } else { p };
        let (a, b) = (run(&s, m, small, &w), run(&s, m, big, &w));
        prop_assert!(b.model_size_gb > a.model_size_gb, "{small} {} GB, {big} {} GB", a.model_size_gb, b.model_size_gb);
        let total = |e: &Estimate| e.memory.iter().map(|d| d.total_gb).sum::<f64>();
        prop_assert!(at_least(total(&b), total(&a)), "{small} {} GB, {big} {} GB in all", total(&a), total(&b));
        for (da, db) in a.memory.iter().zip(&b.memory) {
            let (x, y) = (da.total_gb, db.total_gb);
            prop_assert!(da.device == db.device && at_least(y, x), "{}: {small} {x} GB, {big} {y} GB", da.device);
        }
    }

    #[test]
    fn moving_a_layer_to_a_faster_gpu_never_slows_generation(i in 0..1000usize, m in 0..6usize, q in quant(),
        frac in 0.0..1.0f64, mut w in workload()) {
        let gpus = indices(&[HardwareKind::Gpu]);
        let (s, m) = (scaled(system(gpus[i % gpus.len()], None, 1), Scale { capacity: 16.0, ..ONE }), model(m));
        // Faster in every respect: fixed costs no larger than the CPU's, and rates higher by a
        // margin, so that compute the CPU hid under its memory traffic cannot outweigh the gain.
        let e = cheap_gpu_latencies(Family::of_cpu(s.cpu.isa));
        let (d, faster) = (devices(&s, &e, &Workload::default()), |g: f64, c: f64| g >= 2.0 * c);
        prop_assume!(faster(d[1].bandwidth_gb_per_s, d[0].bandwidth_gb_per_s) && faster(d[1].gflops, d[0].gflops));
        prop_assume!(faster(d[1].generation_gflops, d[0].generation_gflops));
        prop_assume!(faster(d[1].attention_gflops, d[0].attention_gflops));
        w.batch = w.batch.min(4);
        let k = (frac * f64::from(m.layers)) as u32;
        let a = estimate(&s, m, q, &Workload { placement: Placement::GpuLayers(k), ..w.clone() }, &e).unwrap();
        let b = estimate(&s, m, q, &Workload { placement: Placement::GpuLayers(k + 1), ..w }, &e).unwrap();
        prop_assume!(a.fits && b.fits);
        let (a, b) = (a.generation_tokens_per_s, b.generation_tokens_per_s);
        prop_assert!(at_least(b, a), "{k} → {} GPU layers: {a} → {b} token/s", k + 1);
    }

    #[test]
    fn generation_slows_as_the_context_fills(i in 0..1000usize, extra in option::of(0..1000usize), m in 0..6usize,
        q in quant(), sel in 0..5u8, frac in 0.0..=1.0f64, mut w in workload()) {
        let (s, m) = (system(i, extra, 1), model(m));
        w.placement = placement(sel, frac, m, &s);
        w.gen_tokens = w.gen_tokens.max(1);
        let e = run(&s, m, q, &w);
        let (start, end) = (e.generation_tokens_per_s_at_start, e.generation_tokens_per_s_at_end);
        let mean = e.generation_tokens_per_s;
        prop_assert!(at_least(start, end), "start {start} < end {end}");
        prop_assert!(at_least(start, mean) && at_least(mean, end), "mean {mean} outside [{end}, {start}]");
    }

    #[test]
    fn any_workload_gives_a_result_or_an_error(i in 0..1000usize, prompt in any::<u32>(), gen in any::<u32>(),
        batch in 0..=2048u32, depth in any::<u32>(), spare in option::of(any::<u32>()),
        disk in option::of(prop_oneof![Just(f64::NAN), Just(f64::INFINITY), -1.0..2000.0f64]),
        spec in option::of((0..=80u32, prop_oneof![Just(f64::NAN), -0.5..1.5f64]))) {
        let (prompt_tokens, gen_tokens, context_depth) = (prompt % (2 << 20), gen % (2 << 20), depth % (8 << 20));
        let context_tokens = spare.map(|c| c % (8 << 20));
        let speculative = spec.and_then(|(k, a)| speculative(a, k));
        let w = Workload { prompt_tokens, gen_tokens, batch, context_depth, context_tokens, ..Workload::default() };
        let w = Workload { cold_start_disk_gb_per_s: disk, speculative, ..w };
        match estimate_with_draft(&system(i, None, 1), model(2), Some(model(0)), Q::Q4_K_M, &w, eff()) {
            Ok(e) => { prop_assert!(w.validate().is_ok()); check_sane(&e, &w)?; }
            Err(e) => prop_assert!(matches!(e, EstimateError::Workload(_)) && w.validate().is_err(), "{e}"),
        }
    }
}

#[test]
fn every_catalog_entry_gives_sane_estimates() {
    let w = Workload::default();
    for i in 0..catalog().hardware.len() {
        let s = system(i, None, 1);
        for m in (0..MODELS.len()).map(model) {
            for sel in 0..5 {
                let w = Workload { placement: placement(sel, 0.5, m, &s), ..w.clone() };
                check_sane(&run(&s, m, Q::Q4_K_M, &w), &w).unwrap();
            }
        }
    }
}

#[test]
fn quant_chain_orders_every_model_by_size() {
    for m in &catalog().models {
        let sizes: Vec<Vec<f64>> = CHAIN.iter().map(|r| r.iter().map(|&q| model_bytes(m, q)).collect()).collect();
        for p in sizes.windows(2) {
            assert!(p[1].iter().all(|big| p[0].iter().all(|small| big > small)), "{}: {sizes:?}", m.id);
        }
    }
}

#[test]
fn out_of_range_workloads_are_errors() {
    let (cpu, m, q) = (system(indices(&[HardwareKind::Cpu])[0], None, 1), model(2), Q::Q4_K_M);
    let spec = speculative;
    let d = Workload::default();
    let bad = [
        Workload { batch: 0, ..d.clone() },
        Workload { batch: 1025, ..d.clone() },
        Workload { prompt_tokens: 0, ..d.clone() },
        Workload { gen_tokens: u32::MAX, ..d.clone() },
        Workload { context_tokens: Some(0), ..d.clone() },
        Workload { speculative: spec(1.5, 4), ..d.clone() },
        Workload { speculative: spec(0.5, 0), ..d.clone() },
        Workload { cold_start_disk_gb_per_s: Some(f64::NAN), ..d.clone() },
        Workload { cold_start_disk_gb_per_s: Some(0.0), ..d.clone() },
    ];
    for w in &bad {
        assert!(matches!(estimate(&cpu, m, q, w, eff()), Err(EstimateError::Workload(_))), "{w:?}");
        let with_draft = estimate_with_draft(&cpu, m, Some(model(0)), q, w, eff());
        assert!(matches!(with_draft, Err(EstimateError::Workload(_))), "{w:?}");
    }
    let with = |placement| Workload { placement, ..d.clone() };
    assert_eq!(estimate(&cpu, m, q, &with(Placement::GpuOnly), eff()), Err(EstimateError::NoGpu("gpu-only")));
    let too_many = EstimateError::TooManyLayers { asked: m.layers + 1, layers: m.layers };
    assert_eq!(estimate(&cpu, m, q, &with(Placement::GpuLayers(m.layers + 1)), eff()), Err(too_many));
    let gpu = system(indices(&[HardwareKind::Gpu])[0], None, 1);
    assert_eq!(estimate(&gpu, m, q, &with(Placement::ExpertsOnCpu), eff()), Err(EstimateError::NotMoe));
    assert_eq!(
        estimate(&cpu, m, q, &Workload { speculative: spec(0.5, 4), ..d }, eff()),
        Err(EstimateError::DraftMissing)
    );
}
