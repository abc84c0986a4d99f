//! One probe run at a time: the GPU context (kept between runs, dropped when lost), the
//! signals the page shows, and what each failure tells the visitor.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use roofline_gpu::{
    AdapterSummary, BenchReport, ContextOptions, GpuContext, Measurement, ProbeConfig, ProbeError, ProbeSession,
    Skipped,
};
use wasm_bindgen::prelude::*;

use crate::env;

thread_local! {
    static CONTEXT: RefCell<Option<Rc<GpuContext>>> = const { RefCell::new(None) };
    static CANCEL: Cell<bool> = const { Cell::new(false) };
    static RUNNING: Cell<bool> = const { Cell::new(false) };
}

/// Smallest working set a retry steps down to.
const MIN_WORKING_SET_MIB: u64 = 16;

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Nothing run yet, or the last run ended.
    Idle,
    /// Probes running.
    Running,
    /// Every probe finished and passed its check.
    Done,
}

/// A stopped run: what to tell the visitor and the working set to retry with.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// Plain words.
    pub message: String,
    /// Working set for the retry, MiB.
    pub retry_mib: u64,
}

/// The page's signals.
#[derive(Clone, Copy)]
pub struct Run {
    pub phase: RwSignal<Phase>,
    pub done: RwSignal<usize>,
    pub total: RwSignal<usize>,
    pub current: RwSignal<String>,
    pub measurements: RwSignal<Vec<Measurement>>,
    pub skipped: RwSignal<Vec<Skipped>>,
    pub failure: RwSignal<Option<Failure>>,
    pub adapter: RwSignal<Option<AdapterSummary>>,
    pub no_adapter: RwSignal<Option<String>>,
    pub working_set_mib: RwSignal<u64>,
    pub report: RwSignal<Option<BenchReport>>,
}

impl Run {
    pub fn new() -> Self {
        Self {
            phase: RwSignal::new(Phase::Idle),
            done: RwSignal::new(0),
            total: RwSignal::new(0),
            current: RwSignal::new(String::new()),
            measurements: RwSignal::new(Vec::new()),
            skipped: RwSignal::new(Vec::new()),
            failure: RwSignal::new(None),
            adapter: RwSignal::new(None),
            no_adapter: RwSignal::new(None),
            working_set_mib: RwSignal::new(256),
            report: RwSignal::new(None),
        }
    }
}

/// Stops the running probe at its next sample.
pub fn cancel() {
    CANCEL.with(|c| c.set(true));
}

/// Drops the context (after its device was lost), so the next use asks for a new one.
pub fn forget_context() {
    CONTEXT.with(|c| *c.borrow_mut() = None);
}

/// The context, created on first use (asks the browser for an adapter and a device).
pub async fn context(run: Run) -> Option<Rc<GpuContext>> {
    if let Some(ctx) = CONTEXT.with(|c| c.borrow().clone()) {
        if ctx.lost_reason().is_none() {
            return Some(ctx);
        }
    }
    match GpuContext::new(&ContextOptions::default()).await {
        Ok(ctx) => {
            let ctx = Rc::new(ctx);
            let _ = run.adapter.try_set(Some(ctx.adapter.clone()));
            let _ = run.no_adapter.try_set(None);
            CONTEXT.with(|c| *c.borrow_mut() = Some(Rc::clone(&ctx)));
            install_test_hook();
            Some(ctx)
        }
        Err(error) => {
            let why = match error {
                roofline_gpu::ContextError::NoAdapter(_) => {
                    "WebGPU is present, but the browser offered no GPU adapter: the GPU may be blocklisted or disabled, or hardware acceleration is off.".to_string()
                }
                roofline_gpu::ContextError::RequestDevice(e) => format!("WebGPU is present, but the GPU refused to create a device ({e})."),
            };
            let _ = run.no_adapter.try_set(Some(format!("{why} The calculator works without it.")));
            None
        }
    }
}

/// Asks for the adapter so the page can show it before any run.
pub fn connect(run: Run) {
    leptos::task::spawn_local(async move {
        let _ = context(run).await;
    });
}

/// `window.rooflineLoseDevice()`: destroys the device, as a driver reset would (tests).
fn install_test_hook() {
    let hook = Closure::<dyn Fn()>::new(|| {
        CONTEXT.with(|c| {
            if let Some(ctx) = c.borrow().as_ref() {
                ctx.destroy_device_for_test();
            }
        });
    });
    env::publish("rooflineLoseDevice", hook.as_ref());
    hook.forget();
}

/// Runs every probe; `attached` says whether the page is still on screen.
pub fn start(run: Run, attached: impl Fn() -> bool + 'static) {
    if RUNNING.with(Cell::get) {
        return;
    }
    RUNNING.with(|r| r.set(true));
    CANCEL.with(|c| c.set(false));
    let mib = run.working_set_mib.get_untracked().max(MIN_WORKING_SET_MIB);
    run.phase.set(Phase::Running);
    run.failure.set(None);
    run.measurements.set(Vec::new());
    run.report.set(None);
    run.done.set(0);
    leptos::task::spawn_local(async move {
        let outcome = probe_all(run, mib, &attached).await;
        RUNNING.with(|r| r.set(false));
        match outcome {
            Ok(report) => {
                env::publish(
                    "rooflineProbeReport",
                    &JsValue::from_str(&serde_json::to_string(&report).unwrap_or_default()),
                );
                let _ = run.report.try_set(Some(report));
                let _ = run.phase.try_set(Phase::Done);
            }
            Err(failure) => {
                let _ = run.failure.try_set(Some(failure));
                let _ = run.phase.try_set(Phase::Idle);
            }
        }
        let _ = run.current.try_set(String::new());
    });
}

async fn probe_all(run: Run, mib: u64, attached: &dyn Fn() -> bool) -> Result<BenchReport, Failure> {
    let Some(ctx) = context(run).await else {
        return Err(Failure { message: "No GPU adapter is available.".into(), retry_mib: mib });
    };
    let config = ProbeConfig { max_working_set_bytes: mib << 20, ..ProbeConfig::default() };
    let mut session = ProbeSession::new(&ctx, config.clone());
    let (steps, skipped) = session.plan();
    let _ = run.total.try_set(steps.len());
    let _ = run.skipped.try_set(skipped.clone());
    let stop = || CANCEL.with(Cell::get) || env::hidden() || !attached();
    let mut measurements = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        let size = step.working_set_bytes.map(|b| format!(" over {} MiB", b >> 20)).unwrap_or_default();
        let _ = run.current.try_set(format!("{}{size}", step.kind.label()));
        match session.run(step, &stop).await {
            Ok(m) => {
                measurements.push(m.clone());
                let _ = run.measurements.try_update(|all| all.push(m));
                let _ = run.done.try_set(index + 1);
            }
            Err(error) => return Err(failure(error, mib)),
        }
    }
    Ok(BenchReport { adapter: ctx.adapter.clone(), config, measurements, skipped })
}

fn failure(error: ProbeError, mib: u64) -> Failure {
    let message = match &error {
        ProbeError::Cancelled if env::hidden() => {
            "Stopped because the tab was hidden: browsers throttle hidden tabs, so timings would be wrong. Retry with the tab in front.".to_string()
        }
        ProbeError::Cancelled => "Cancelled.".to_string(),
        ProbeError::OutOfMemory { bytes } => {
            let next = (mib / 2).max(MIN_WORKING_SET_MIB);
            return Failure {
                message: format!(
                    "The GPU could not allocate {} MiB. Retry with a {next} MiB working set.",
                    bytes >> 20
                ),
                retry_mib: next,
            };
        }
        ProbeError::DeviceLost(reason) => {
            CONTEXT.with(|c| *c.borrow_mut() = None);
            format!("The GPU device was lost ({reason}): a driver reset, the system reclaiming memory, or another tab. Retry to start over with a new device.")
        }
        ProbeError::CheckFailed { detail, .. } => format!(
            "A probe's result did not match the CPU's ({detail}), so its figure would be wrong and none is reported. This points at a driver or browser bug."
        ),
        other => {
            // Start the retry from a new device.
            CONTEXT.with(|c| *c.borrow_mut() = None);
            format!("{other}. Retry to start over with a new device.")
        }
    };
    Failure { message, retry_mib: mib }
}
