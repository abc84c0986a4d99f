//! "Benchmark a model": a generated-weights model at a published shape (auto: the largest
//! that fits), timed like llama-bench, set against the estimator's prediction for this
//! device, and turned into a calibrated machine for the calculator.

use std::cell::Cell;

use leptos::prelude::*;
use roofline_core::calibration::{calibrate, fit_model_run, ModelRun};
use roofline_core::efficiency::Efficiency;
use roofline_core::estimate::estimate;
use roofline_core::quant::QuantScheme;
use roofline_core::system::System;
use roofline_core::workload::{Placement, Workload};
use roofline_gpu::model::bench::{load_largest, run_model_bench, ModelBenchConfig, ModelBenchReport};
use roofline_gpu::ProbeError;
use roofline_reference::generated::{candidates, GeneratedModel, SHAPES};

use crate::env::catalog;
use crate::run::{self, Run};

thread_local! {
    static BUSY: Cell<bool> = const { Cell::new(false) };
    static STOP: Cell<bool> = const { Cell::new(false) };
}

/// Seed of the generated weights (any value gives the same speed).
const SEED: u32 = 1;

/// How much to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// pp128/tg32 × 2 (pp8/tg4 × 1 on a software adapter).
    Quick,
    /// llama-bench's pp512/tg128 × 5.
    Standard,
    /// Standard and LocalScore's nine tests.
    LocalScore,
}

/// The section's signals.
#[derive(Clone, Copy)]
pub struct BenchRun {
    pub shape: RwSignal<String>,
    pub size: RwSignal<Size>,
    pub running: RwSignal<bool>,
    pub step: RwSignal<String>,
    pub done: RwSignal<(usize, usize)>,
    pub error: RwSignal<Option<String>>,
    pub report: RwSignal<Option<ModelBenchReport>>,
}

impl BenchRun {
    pub fn new() -> Self {
        Self {
            shape: RwSignal::new("auto".into()),
            size: RwSignal::new(Size::Quick),
            running: RwSignal::new(false),
            step: RwSignal::new(String::new()),
            done: RwSignal::new((0, 1)),
            error: RwSignal::new(None),
            report: RwSignal::new(None),
        }
    }
}

/// The shapes offered, smallest first, with their Q4_K_M size.
pub fn shapes() -> Vec<(String, String)> {
    SHAPES
        .iter()
        .filter_map(|id| {
            let g = GeneratedModel::from_spec(catalog().model(id).ok()?, None).ok()?;
            Some((g.id.clone(), format!("{} ({} MB)", g.name, g.weight_bytes() / 1_000_000)))
        })
        .collect()
}

/// Stops the run after the current test.
pub fn stop() {
    STOP.with(|s| s.set(true));
}

fn config(size: Size, software: bool) -> ModelBenchConfig {
    match size {
        Size::Quick if software => {
            ModelBenchConfig { prompt_tokens: 8, gen_tokens: 4, repetitions: 1, localscore: false }
        }
        Size::Quick => ModelBenchConfig::quick(),
        Size::Standard => ModelBenchConfig::standard(),
        Size::LocalScore => ModelBenchConfig { localscore: true, ..ModelBenchConfig::standard() },
    }
}

/// Runs the benchmark; `attached` says whether the page is on screen.
pub fn start(b: BenchRun, probes: Run, attached: impl Fn() -> bool + 'static) {
    if BUSY.with(Cell::get) {
        return;
    }
    BUSY.with(|x| x.set(true));
    STOP.with(|s| s.set(false));
    b.running.set(true);
    b.error.set(None);
    b.report.set(None);
    b.done.set((0, 1));
    leptos::task::spawn_local(async move {
        let outcome = bench(b, probes, &attached).await;
        BUSY.with(|x| x.set(false));
        let _ = b.running.try_set(false);
        let _ = b.step.try_set(String::new());
        match outcome {
            Ok(report) => {
                crate::env::publish(
                    "rooflineModelBench",
                    &wasm_bindgen::JsValue::from_str(&serde_json::to_string(&report).unwrap_or_default()),
                );
                let _ = b.report.try_set(Some(report));
            }
            Err(message) => {
                let _ = b.error.try_set(Some(message));
            }
        }
    });
}

async fn bench(b: BenchRun, probes: Run, attached: &dyn Fn() -> bool) -> Result<ModelBenchReport, String> {
    let ctx = run::context(probes).await.ok_or_else(|| "No GPU adapter is available.".to_string())?;
    let wanted = b.shape.get_untracked();
    let candidates = candidates(catalog(), &wanted).map_err(|e| e.to_string())?;
    let config = config(b.size.get_untracked(), ctx.adapter.software);
    let steps = 1 + 2 * config.repetitions as usize + if config.localscore { 9 } else { 0 };
    let chosen = load_largest(&ctx, &candidates, config.context_tokens(), SEED, &mut |shape, p| {
        let _ =
            b.step.try_set(format!("generating the {} weights: {}/{} layers", shape.name, p.layers, p.total_layers));
        let _ = b.done.try_set((p.layers, p.total_layers.max(1) + steps));
    })
    .await
    .map_err(explain)?;
    let total = chosen.shape.config.n_layers + steps;
    let mut done = chosen.shape.config.n_layers;
    let cancel = || STOP.with(Cell::get) || crate::env::hidden() || !attached();
    let mut report = run_model_bench(
        &ctx,
        &chosen.model,
        &chosen.shape,
        &config,
        &mut |step| {
            let _ = b.step.try_set(format!("{}: {step}", chosen.shape.name));
            let _ = b.done.try_set((done, total));
            done += 1;
        },
        &cancel,
    )
    .await
    .map_err(explain)?;
    report.not_run = chosen.not_run;
    if let Some(probed) = probes.report.get_untracked() {
        report.probed_read_gb_per_s = probed.headline(roofline_gpu::ProbeKind::Read).map(|m| m.stats.median);
        report.probed_fma_tflops = probed.headline(roofline_gpu::ProbeKind::FmaF32).map(|m| m.stats.median);
    }
    Ok(report)
}

fn explain(error: ProbeError) -> String {
    match error {
        ProbeError::Cancelled if crate::env::hidden() => {
            "Stopped because the tab was hidden: browsers throttle hidden tabs, so timings would be wrong. Run it again with the tab in front.".into()
        }
        ProbeError::Cancelled => "Stopped.".into(),
        ProbeError::DeviceLost(reason) => {
            run::forget_context();
            format!("The GPU device was lost ({reason}). Run it again to start over with a new device.")
        }
        ProbeError::OutOfMemory { bytes } => {
            format!("The GPU could not allocate {} MB; pick a smaller shape.", bytes / 1_000_000)
        }
        other => format!("{other}."),
    }
}

/// The estimator's (prompt, generation) token/s for the benchmarked shape and workload on
/// `system`.
pub fn predicted(system: &System, report: &ModelBenchReport) -> Result<(f64, f64), String> {
    let model = catalog().model(&report.shape).map_err(|e| e.to_string())?;
    let w = workload(report.config.prompt_tokens, report.config.gen_tokens);
    let e = estimate(system, model, QuantScheme::Q4_K_M, &w, &Efficiency::fitted()).map_err(|e| e.to_string())?;
    Ok((e.prompt_tokens_per_s, e.generation_tokens_per_s))
}

/// The benchmark's workload: this site's engine (its fitted profile), the whole model on
/// the GPU, like with like.
fn workload(prompt_tokens: u32, gen_tokens: u32) -> Workload {
    Workload {
        prompt_tokens: prompt_tokens.max(1),
        gen_tokens: gen_tokens.max(1),
        context_depth: 0,
        placement: Placement::GpuOnly,
        engine: roofline_core::runtime::Engine::RooflineWebgpu,
        ..Workload::default()
    }
}

/// What calibration gives: the machine, the 8B Q4_K_M model's generation token/s on it
/// (1024 + 256 tokens), and the (prompt, generation) token/s it predicts for the run.
pub struct Calibrated {
    pub system: System,
    pub big_tg_tokens_per_s: f64,
    pub fitted: (f64, f64),
}

/// `system` calibrated so that the estimator predicts the run (within its ranges).
pub fn calibrated(system: &System, report: &ModelBenchReport) -> Result<Calibrated, String> {
    let model = catalog().model(&report.shape).map_err(|e| e.to_string())?;
    let run = ModelRun {
        adapter: report.adapter.name.clone(),
        prompt_tokens: report.config.prompt_tokens,
        gen_tokens: report.config.gen_tokens,
        pp_tokens_per_s: report.pp_tokens_per_s.mean,
        tg_tokens_per_s: report.tg_tokens_per_s.mean,
    };
    let eff = Efficiency::fitted();
    let (measured, fitted) =
        fit_model_run(system, model, QuantScheme::Q4_K_M, &run, &eff).map_err(|e| e.to_string())?;
    let out = calibrate(system, &measured).map_err(|e| e.to_string())?;
    let big = catalog().model("llama-3-1-8b").map_err(|e| e.to_string())?;
    let e = estimate(&out, big, QuantScheme::Q4_K_M, &Workload::default(), &eff).map_err(|e| e.to_string())?;
    Ok(Calibrated { system: out, big_tg_tokens_per_s: e.generation_tokens_per_s, fitted })
}
