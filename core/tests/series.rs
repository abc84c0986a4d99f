//! Chart data: finite, positive, monotone where physics says so, through the current
//! configuration, and the shipped LocalScore reference points in step with the raw runs.
//!
//! `core/data/measured/reference_points.tsv` is generated from
//! `core/data/measured/localscore_results.tsv`; after a catalog or parsing change,
//! regenerate it with
//!
//! ```sh
//! ROOFLINE_REGENERATE=1 cargo test -p roofline-core --release --test series
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use roofline_core::catalog::Catalog;
use roofline_core::efficiency::Efficiency;
use roofline_core::estimate::verdict::INTERACTIVE_TTFT_S;
use roofline_core::estimate::{estimate, EstimateError};
use roofline_core::model::ModelSpec;
use roofline_core::quant::QuantScheme;
use roofline_core::series::{
    compare_bars, generation_vs_bandwidth, measured_points, memory_vs_context, parse_reference_points,
    reference_points, reference_points_tsv, ttft_vs_prompt, Inputs, SeriesError, SweptMemory, CURVE_POINTS,
    DEFAULT_BANDWIDTH_RANGE_GB_PER_S,
};
use roofline_core::system::System;
use roofline_core::validate::{groups, parse_tsv};
use roofline_core::workload::{KvType, Placement, Workload};

mod cases;
use cases::{case, spec, Case};

/// An `(x, y)` point of a curve.
type Point = (f64, f64);

const RAW_TSV: &str = include_str!("../data/measured/localscore_results.tsv");
const POINTS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/measured/reference_points.tsv");

fn cases() -> Vec<Case> {
    let w = Workload::default;
    vec![
        Case {
            workload: Workload { placement: Placement::CpuOnly, ..w() },
            ..case("cpu-only", "amd-ryzen-9-9950x", "qwen2-5-14b")
        },
        case("gpu", "nvidia-geforce-rtx-3090", "llama-3-1-8b"),
        Case {
            gpu: Some(("nvidia-geforce-rtx-4090", 1)),
            ..case("partial-offload", "amd-ryzen-9-9950x", "llama-3-1-70b")
        },
        Case {
            gpu: Some(("nvidia-geforce-rtx-4090", 1)),
            workload: Workload { placement: Placement::GpuLayers(10), ..w() },
            ..case("gpu-layers-10", "amd-ryzen-9-9950x", "llama-3-1-70b")
        },
        Case {
            workload: Workload { placement: Placement::ExpertsOnCpu, ..w() },
            ..case("moe-experts-on-cpu", "nvidia-geforce-rtx-4090", "qwen3-30b-a3b")
        },
        case("apple", "apple-m4-max-16c-40g", "llama-3-1-8b"),
        Case { gpu: Some(("nvidia-h100-sxm", 4)), ..case("multi-gpu", "amd-epyc-9554p", "llama-3-1-70b") },
        Case { workload: Workload { batch: 4, ..w() }, ..case("batch-4", "nvidia-geforce-rtx-3090", "llama-3-1-8b") },
        Case {
            draft: Some("llama-3-2-1b"),
            workload: Workload { speculative: spec(5, 0.7), ..w() },
            ..case("speculative", "nvidia-geforce-rtx-4090", "llama-3-1-8b")
        },
        Case {
            workload: Workload { cold_start_disk_gb_per_s: Some(3.0), gen_tokens: 3072, ..w() },
            ..case("unified-cold-start", "amd-ryzen-ai-max-plus-395", "qwen2-5-14b")
        },
        Case {
            workload: Workload { context_depth: 8000, kv_type: KvType::Q8_0, ..w() },
            ..case("sliding-window-deep-context", "apple-m4-max-16c-40g", "gemma-3-27b")
        },
        Case {
            workload: Workload { prompt_tokens: 16, gen_tokens: 1536, ..w() },
            ..case("pi", "raspberry-pi-5", "llama-3-2-1b")
        },
        Case {
            workload: Workload { gen_tokens: 0, ..w() },
            ..case("no-generation", "nvidia-geforce-rtx-3090", "llama-3-1-8b")
        },
        case("mla-cpu", "amd-epyc-9554p", "deepseek-v3"),
        Case {
            draft: Some("llama-3-2-1b"),
            workload: Workload { speculative: spec(4, 0.6), batch: 2, context_tokens: Some(16384), ..w() },
            ..case("speculative-batch-2-context", "apple-m4-max-16c-40g", "llama-3-1-70b")
        },
    ]
}

/// Owned inputs of one case.
struct Setup {
    system: System,
    model: ModelSpec,
    draft: Option<ModelSpec>,
    workload: Workload,
    eff: Efficiency,
}

impl Setup {
    fn new(catalog: &Catalog, c: &Case) -> Setup {
        let hw = catalog.hardware(c.hardware).unwrap();
        let system = match c.gpu {
            Some((g, n)) => System::assemble(hw, None, Some(catalog.hardware(g).unwrap()), n).unwrap(),
            None => System::assemble(hw, None, None, 1).unwrap(),
        };
        Setup {
            system,
            model: catalog.model(c.model).unwrap().clone(),
            draft: c.draft.map(|d| catalog.model(d).unwrap().clone()),
            workload: c.workload.clone(),
            eff: Efficiency::fitted(),
        }
    }

    fn inputs(&self) -> Inputs<'_> {
        Inputs {
            system: &self.system,
            model: &self.model,
            draft: self.draft.as_ref(),
            quant: QuantScheme::Q4_K_M,
            workload: &self.workload,
            eff: &self.eff,
        }
    }
}

fn assert_finite_positive(name: &str, what: &str, points: &[(f64, f64)]) {
    assert!(!points.is_empty(), "{name}: {what} is empty");
    assert!(points.len() <= CURVE_POINTS + 1, "{name}: {what} has {} points", points.len());
    for &(x, y) in points {
        assert!(x.is_finite() && x > 0.0 && y.is_finite() && y > 0.0, "{name}: {what} has ({x}, {y})");
    }
    assert!(points.windows(2).all(|p| p[1].0 > p[0].0), "{name}: {what} x not increasing: {points:?}");
}

fn non_decreasing(points: &[(f64, f64)]) -> bool {
    points.windows(2).all(|p| p[1].1 >= p[0].1 * (1.0 - 1e-12))
}

fn on_curve(points: &[(f64, f64)], current: (f64, f64)) -> bool {
    points.contains(&current)
}

#[test]
fn reference_points_match_the_raw_runs() {
    let runs = parse_tsv(RAW_TSV).unwrap();
    let (groups, _) = groups(&Catalog::builtin(), &runs);
    let generated = reference_points_tsv(&groups);
    if std::env::var_os("ROOFLINE_REGENERATE").is_some() {
        std::fs::write(POINTS_PATH, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(POINTS_PATH).unwrap();
    assert!(
        committed == generated,
        "{POINTS_PATH} is out of date with localscore_results.tsv and the catalog; regenerate it with\n  \
         ROOFLINE_REGENERATE=1 cargo test -p roofline-core --release --test series\nand review the diff"
    );
    assert!(generated.len() < 48_000, "reference_points.tsv grew to {} bytes", generated.len());
    assert_eq!(parse_reference_points(&generated).unwrap().len(), groups.len());
}

#[test]
fn shipped_reference_points_parse_and_resolve() {
    let catalog = Catalog::builtin();
    let points = reference_points();
    assert!(points.len() >= 400, "{}", points.len());
    for p in points {
        assert!(catalog.hardware(&p.hardware_id).is_ok(), "{}", p.hardware_id);
        assert!(catalog.model(&p.model_id).is_ok(), "{}", p.model_id);
        assert!(p.runs >= 1 && p.bandwidth_gb_per_s > 0.0 && p.gen_tokens_per_s > 0.0 && p.ttft_ms > 0.0);
    }
    assert!(parse_reference_points("nonsense\n").is_err());
    let bad = format!("{}\nm\th\tGPU\tfast\t1\t1\t1\t1\n", roofline_core::series::REFERENCE_POINTS_HEADER);
    assert_eq!(parse_reference_points(&bad).unwrap_err().line, 2);
}

#[test]
fn measured_points_cover_the_reference_models() {
    let catalog = Catalog::builtin();
    for model in ["llama-3-2-1b", "llama-3-1-8b", "Qwen2.5 14B Instruct"] {
        let points = measured_points(&catalog, model);
        assert!(points.len() >= 50, "{model}: {}", points.len());
        assert!(points.windows(2).all(|p| p[1].bandwidth_gb_per_s >= p[0].bandwidth_gb_per_s));
        assert!(points.iter().any(|p| p.on_gpu) && points.iter().any(|p| !p.on_gpu));
        let rtx = points.iter().find(|p| p.hardware_id == "nvidia-geforce-rtx-3090" && p.on_gpu);
        if model == "llama-3-1-8b" {
            let rtx = rtx.unwrap();
            assert_eq!(rtx.device, "NVIDIA GeForce RTX 3090");
            assert!((rtx.bandwidth_gb_per_s - 936.2).abs() < 1.0, "{rtx:?}");
        }
    }
    assert!(measured_points(&catalog, "gemma-3-27b").is_empty());
    assert!(measured_points(&catalog, "no-such-model").is_empty());
}

#[test]
fn generation_grows_with_bandwidth_through_the_current_point() {
    let catalog = Catalog::builtin();
    for c in cases() {
        let s = Setup::new(&catalog, &c);
        let inputs = s.inputs();
        let e = inputs.estimate().unwrap();
        let curve = generation_vs_bandwidth(&inputs, DEFAULT_BANDWIDTH_RANGE_GB_PER_S).unwrap();
        assert_finite_positive(c.name, "generation", &curve.line.points);
        assert!(non_decreasing(&curve.line.points), "{}: {:?}", c.name, curve.line.points);
        assert_eq!(curve.current.1, e.generation_tokens_per_s, "{}", c.name);
        assert!(on_curve(&curve.line.points, curve.current), "{}: {:?} not on the curve", c.name, curve.current);
        for ((l, m), h) in curve.low.points.iter().zip(&curve.line.points).zip(&curve.high.points) {
            assert!(l.1 <= m.1 && m.1 <= h.1, "{}: band {l:?} {m:?} {h:?}", c.name);
        }
        // The swept memory is the one holding most of the weights.
        let expected = match c.name {
            "cpu-only" | "pi" | "mla-cpu" | "moe-experts-on-cpu" | "gpu-layers-10" => SweptMemory::Host,
            _ => SweptMemory::Gpu,
        };
        assert_eq!(curve.swept, expected, "{}", c.name);
    }
}

#[test]
fn bandwidth_curve_is_the_estimate_of_a_faster_gpu() {
    let catalog = Catalog::builtin();
    let s = Setup::new(&catalog, &cases()[1]);
    let curve = generation_vs_bandwidth(&s.inputs(), 100.0..=2000.0).unwrap();
    let (x, y) = *curve.line.points.last().unwrap();
    assert_eq!(x, 2000.0);
    let mut faster = s.system.clone();
    if let Some(g) = &mut faster.gpu {
        g.bandwidth_gb_per_s = 2000.0;
    }
    let e = estimate(&faster, &s.model, QuantScheme::Q4_K_M, &s.workload, &s.eff).unwrap();
    assert_eq!(y, e.generation_tokens_per_s);
    // A range that misses the current bandwidth widens to take it in.
    let narrow = generation_vs_bandwidth(&s.inputs(), 20.0..=100.0).unwrap();
    assert_eq!(narrow.line.points.len(), CURVE_POINTS);
    assert_eq!(narrow.line.points.last().copied(), Some(narrow.current));
    assert_eq!(narrow.line.points[0].0, 20.0);
}

#[test]
fn time_to_first_token_grows_with_the_prompt() {
    let catalog = Catalog::builtin();
    for c in cases() {
        let s = Setup::new(&catalog, &c);
        let inputs = s.inputs();
        let e = inputs.estimate().unwrap();
        let curve = ttft_vs_prompt(&inputs).unwrap();
        assert_finite_positive(c.name, "ttft", &curve.ttft.points);
        assert_finite_positive(c.name, "prompt speed", &curve.prompt_speed.points);
        // Increasing on each side of the PCIe offload threshold (micro-batches of 32 tokens).
        let batch = f64::from(c.workload.batch);
        let (short, long): (Vec<Point>, Vec<Point>) = curve.ttft.points.iter().partition(|p| p.0 * batch < 32.0);
        // Flat where a micro-batch is bound by reading the weights, never falling.
        for side in [short, long] {
            assert!(non_decreasing(&side), "{}: TTFT falls: {side:?}", c.name);
        }
        let (first, last) = (curve.ttft.points[0].1, curve.ttft.points.last().unwrap().1);
        assert!(last > 10.0 * first, "{}: {first} → {last}", c.name);
        assert_eq!(curve.ttft.points[0].0, 16.0);
        let last = curve.ttft.points.last().unwrap().0;
        assert_eq!(last, f64::from(s.model.max_context.min(131_072)), "{}", c.name);
        assert_eq!(curve.current_ttft, (f64::from(c.workload.prompt_tokens), e.time_to_first_token_ms / 1e3));
        assert_eq!(curve.current_prompt_speed.1, e.prompt_tokens_per_s);
        assert!(on_curve(&curve.ttft.points, curve.current_ttft), "{}", c.name);
        assert!(on_curve(&curve.prompt_speed.points, curve.current_prompt_speed), "{}", c.name);
        assert_eq!(curve.interactive_ttft_s, INTERACTIVE_TTFT_S);
    }
}

#[test]
fn prompt_curve_places_blocks_as_each_estimate_would() {
    let catalog = Catalog::builtin();
    let heavy =
        Case { gpu: Some(("nvidia-geforce-rtx-4090", 2)), ..case("405b", "amd-ryzen-9-9950x", "llama-3-1-405b") };
    let small_vram = Case {
        workload: Workload { context_depth: 20_000, batch: 3, ..Workload::default() },
        ..case("small-vram", "nvidia-geforce-rtx-3060-12gb", "qwen2-5-14b")
    };
    for c in cases().into_iter().chain([heavy, small_vram]).filter(|c| c.workload.placement == Placement::Auto) {
        let s = Setup::new(&catalog, &c);
        let curve = ttft_vs_prompt(&s.inputs()).unwrap();
        let mut changes = 0;
        let mut previous = None;
        for (&(p, ttft), &(_, pp)) in curve.ttft.points.iter().zip(&curve.prompt_speed.points) {
            let prompt_tokens = p as u32;
            let needed = c.workload.context_depth + prompt_tokens + c.workload.gen_tokens;
            let w = Workload {
                prompt_tokens,
                context_tokens: c.workload.context_tokens.map(|t| t.max(needed)),
                ..c.workload.clone()
            };
            let e = Inputs { workload: &w, ..s.inputs() }.estimate().unwrap();
            assert_eq!((ttft, pp), (e.time_to_first_token_ms / 1e3, e.prompt_tokens_per_s), "{} at {p}", c.name);
            changes += usize::from(previous.is_some_and(|k| k != e.gpu_layers));
            previous = Some(e.gpu_layers);
        }
        println!("{}: GPU blocks change {changes} times along the prompt curve", c.name);
    }
}

#[test]
fn memory_grows_with_context() {
    let catalog = Catalog::builtin();
    for c in cases() {
        let s = Setup::new(&catalog, &c);
        let inputs = s.inputs();
        let e = inputs.estimate().unwrap();
        let curve = memory_vs_context(&inputs).unwrap();
        assert_eq!(curve.devices.len(), e.memory.len(), "{}", c.name);
        let ctx = s.workload.kv_context_tokens() as f64;
        assert_eq!(curve.current_context, ctx);
        for (line, m) in curve.devices.iter().zip(&e.memory) {
            assert_eq!(line.device, m.device);
            assert_eq!(line.capacity_gb, m.capacity_gb);
            assert_finite_positive(c.name, &line.device, &line.total.points);
            assert!(non_decreasing(&line.total.points), "{} {}: {:?}", c.name, line.device, line.total.points);
            assert!(on_curve(&line.total.points, (ctx, m.total_gb)), "{} {}", c.name, line.device);
        }
        // Where blocks hold a KV cache, memory grows strictly.
        let gpu_or_cpu = curve.devices.iter().any(|l| {
            let (first, last) = (l.total.points[0].1, l.total.points.last().unwrap().1);
            last > first
        });
        assert!(gpu_or_cpu, "{}", c.name);
        assert_eq!(curve.shared_pool.is_some(), s.system.unified.is_some(), "{}", c.name);
        // Each point is the memory of an estimate at that context with the blocks kept where
        // they are.
        let placement = match c.workload.placement {
            Placement::Auto => Placement::GpuLayers(e.gpu_layers),
            p => p,
        };
        for (i, &(ctx_tokens, _)) in curve.devices[0].total.points.iter().enumerate() {
            let tokens = ctx_tokens as u32;
            let w = Workload {
                prompt_tokens: c.workload.prompt_tokens.min(tokens),
                gen_tokens: 0,
                context_depth: 0,
                context_tokens: Some(tokens),
                placement,
                ..c.workload.clone()
            };
            let at = Inputs { workload: &w, ..s.inputs() }.estimate().unwrap();
            for (line, m) in curve.devices.iter().zip(&at.memory) {
                assert_eq!(line.total.points[i].1, m.total_gb, "{} {} at {tokens}", c.name, m.device);
            }
        }
    }
}

#[test]
fn a_resolved_scenario_gives_the_same_curves() {
    let catalog = Catalog::builtin();
    let resolved = roofline_core::scenario::Scenario::default().resolve(&catalog).unwrap();
    let eff = Efficiency::fitted();
    let inputs = Inputs::resolved(&resolved, &eff);
    let by_hand = Inputs::new(&resolved.system, &resolved.model, resolved.quant, &resolved.workload, &eff);
    assert_eq!(ttft_vs_prompt(&inputs).unwrap(), ttft_vs_prompt(&by_hand).unwrap());
}

#[test]
fn bars_copy_the_estimates() {
    let catalog = Catalog::builtin();
    let estimates: Vec<_> =
        cases().iter().take(4).map(|c| Setup::new(&catalog, c).inputs().estimate().unwrap()).collect();
    let bars = compare_bars(&estimates);
    for (i, e) in estimates.iter().enumerate() {
        assert_eq!(bars.generation.bars[i].value, e.generation_tokens_per_s);
        assert_eq!(bars.prompt.bars[i].value, e.prompt_tokens_per_s);
        assert_eq!(bars.time_to_first_token.bars[i].value, e.time_to_first_token_ms);
        assert!(bars.time_to_first_token.bars[i].low <= bars.time_to_first_token.bars[i].high);
        assert_eq!(bars.generation.bars[i].slot, i);
    }
    assert!(compare_bars(&[]).generation.bars.is_empty());
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let catalog = Catalog::builtin();
    let mut s = Setup::new(&catalog, &cases()[1]);
    for range in [0.0..=100.0, 100.0..=10.0, 1.0..=f64::INFINITY, f64::NAN..=10.0] {
        let err = generation_vs_bandwidth(&s.inputs(), range).unwrap_err();
        assert!(matches!(err, SeriesError::Range { .. }), "{err}");
    }
    s.workload.batch = 0;
    assert!(matches!(ttft_vs_prompt(&s.inputs()), Err(SeriesError::Estimate(EstimateError::Workload(_)))));
    assert!(memory_vs_context(&s.inputs()).is_err());
    s.workload = Workload { speculative: spec(3, 0.5), ..Workload::default() };
    assert!(matches!(ttft_vs_prompt(&s.inputs()), Err(SeriesError::Estimate(EstimateError::DraftMissing))));
    s.workload = Workload { placement: Placement::GpuOnly, ..Workload::default() };
    s.system.gpu = None;
    assert!(generation_vs_bandwidth(&s.inputs(), 10.0..=20.0).is_err());
}

#[test]
fn edge_workloads_give_curves() {
    let catalog = Catalog::builtin();
    let workloads = [
        Workload { prompt_tokens: 1, gen_tokens: 0, ..Workload::default() },
        Workload { prompt_tokens: 1_000_000, gen_tokens: 1_000_000, ..Workload::default() },
        Workload { context_tokens: Some(4_194_304), batch: 1024, ..Workload::default() },
        Workload { context_depth: 4_000_000, ..Workload::default() },
    ];
    for model in ["phi-3-mini-4k", "llama-4-scout", "smollm2-360m"] {
        for w in &workloads {
            let c = Case { workload: w.clone(), ..case("edge", "nvidia-geforce-rtx-3090", model) };
            let s = Setup::new(&catalog, &c);
            let inputs = s.inputs();
            let g = generation_vs_bandwidth(&inputs, DEFAULT_BANDWIDTH_RANGE_GB_PER_S).unwrap();
            assert!(g.line.points.iter().all(|p| p.1.is_finite() && p.1 > 0.0), "{model} {w:?}");
            let t = ttft_vs_prompt(&inputs).unwrap();
            assert!(t.ttft.points.iter().all(|p| p.1.is_finite() && p.1 > 0.0), "{model} {w:?}");
            let m = memory_vs_context(&inputs).unwrap();
            assert!(m.devices.iter().all(|d| d.total.points.iter().all(|p| p.1.is_finite())), "{model} {w:?}");
        }
    }
}

#[test]
fn timing_of_one_full_set() {
    let catalog = Catalog::builtin();
    let mut worst = (0.0, "");
    let heavy = [
        Case {
            gpu: Some(("nvidia-geforce-rtx-4090", 2)),
            ..case("405b-partial-2-gpus", "amd-ryzen-9-9950x", "llama-3-1-405b")
        },
        Case {
            gpu: Some(("nvidia-geforce-rtx-4090", 4)),
            workload: Workload { batch: 8, prompt_tokens: 8192, ..Workload::default() },
            ..case("deepseek-v3-4-gpus-batch-8", "amd-epyc-9554p", "deepseek-v3")
        },
    ];
    for c in cases().into_iter().chain(heavy) {
        let s = Setup::new(&catalog, &c);
        let inputs = s.inputs();
        let model_id = s.model.id.clone();
        let reps = 9;
        let start = Instant::now();
        for _ in 0..reps {
            let e = inputs.estimate().unwrap();
            generation_vs_bandwidth(&inputs, DEFAULT_BANDWIDTH_RANGE_GB_PER_S).unwrap();
            ttft_vs_prompt(&inputs).unwrap();
            memory_vs_context(&inputs).unwrap();
            measured_points(&catalog, &model_id);
            compare_bars(&[e]);
        }
        let ms = start.elapsed().as_secs_f64() * 1e3 / f64::from(reps);
        let time = |f: &dyn Fn()| {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            t.elapsed().as_secs_f64() * 1e3 / f64::from(reps)
        };
        let parts = [
            time(&|| drop(inputs.estimate())),
            time(&|| drop(generation_vs_bandwidth(&inputs, DEFAULT_BANDWIDTH_RANGE_GB_PER_S))),
            time(&|| drop(ttft_vs_prompt(&inputs))),
            time(&|| drop(memory_vs_context(&inputs))),
            time(&|| drop(measured_points(&catalog, &model_id))),
        ];
        println!(
            "series for {:<28} {ms:6.2} ms (estimate {:.3}, bandwidth {:.2}, prompt {:.2}, memory {:.2}, measured {:.2})",
            c.name, parts[0], parts[1], parts[2], parts[3], parts[4]
        );
        if ms > worst.0 {
            worst = (ms, c.name);
        }
    }
    println!("slowest full set of series: {:.2} ms ({})", worst.0, worst.1);
}
