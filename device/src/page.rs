//! The page: WebGPU status, adapter and limits, the run with its progress and results, the
//! comparison with the catalog's spec, and "Use these measurements".

use std::cell::RefCell;

use leptos::prelude::*;
use roofline_core::calibration::{
    against_spec, calibrate, match_adapter, spec_equivalent, Measured, MeasuredBy, ProbeProfile,
};
use roofline_core::scenario::HardwareChoice;
use roofline_core::share::Page;
use roofline_core::units::sig;
use roofline_gpu::{AdapterSummary, BenchReport, Measurement, ProbeKind};

use crate::bench_page::BenchSection;
use crate::env::{self, attached, catalog, gpu_entries, root};
use crate::model_page::ModelSection;
use crate::run::{self, Phase, Run};

thread_local! {
    static MOUNTED: RefCell<Option<Box<dyn std::any::Any>>> = const { RefCell::new(None) };
}

/// Mounts the page into `#device-root`, replacing an earlier mount.
pub fn mount() {
    run::cancel();
    MOUNTED.with(|m| m.borrow_mut().take());
    let Some(el) = root() else { return };
    el.set_inner_html("");
    let handle = leptos::mount::mount_to(el, DevicePage);
    MOUNTED.with(|m| *m.borrow_mut() = Some(Box::new(handle)));
}

fn measured(report: &BenchReport) -> Option<Measured> {
    let read = report.headline(ProbeKind::Read)?.stats.median;
    let fma = report.headline(ProbeKind::FmaF32)?.stats.median;
    let adapter = report.adapter.display_name().unwrap_or("WebGPU adapter").to_owned();
    Some(Measured {
        adapter,
        read_gb_per_s: read,
        fma_f32_tflops: fma,
        fma_f16_tflops: report.headline(ProbeKind::FmaF16).map(|m| m.stats.median),
        by: MeasuredBy::Probes,
    })
}

#[component]
fn DevicePage() -> impl IntoView {
    let run = Run::new();
    let missing = env::webgpu_missing();
    let has_webgpu = missing.is_none();
    if has_webgpu {
        run::connect(run);
    }
    view! {
        <section class="card device" data-testid="device-page" aria-labelledby="device-heading">
            <h2 id="device-heading">"Test this device"</h2>
            <p class="hint">
                "Measures this GPU's memory bandwidth and arithmetic throughput with WebGPU, in about ten seconds, "
                "and can feed the figures to the calculator. Nothing is sent anywhere."
            </p>
            {missing.map(|why| view! {
                <div class="error" role="alert" data-testid="no-webgpu">
                    <p>{why}</p>
                    <p>"The calculator works without it: " <a href="#v=1">"back to the calculator"</a> "."</p>
                </div>
            })}
            {move || run.no_adapter.get().map(|why| view! { <p class="error" role="alert" data-testid="no-adapter">{why}</p> })}
            {move || run.adapter.get().map(|a| view! { <AdapterCard adapter=a /> })}
            <Show when=move || has_webgpu && run.no_adapter.with(Option::is_none)>
                <Controls run=run />
            </Show>
            <Results run=run />
            <Calibrate run=run />
            <Show when=move || has_webgpu && run.no_adapter.with(Option::is_none)>
                <BenchSection probes=run />
                <ModelSection probes=run />
            </Show>
        </section>
    }
}

#[component]
fn AdapterCard(adapter: AdapterSummary) -> impl IntoView {
    let name = adapter.display_name().unwrap_or("WebGPU adapter (the browser does not name it)").to_owned();
    let yes = |b: bool| if b { "yes" } else { "no" };
    view! {
        <div class="adapter" data-testid="adapter">
            <p><strong data-testid="adapter-name">{name}</strong> " · " {adapter.backend.clone()} " · " {adapter.device_type.clone()}</p>
            {adapter.software.then(|| view! {
                <p class="note">"Software adapter (the CPU emulates the GPU): figures check the probes, they are not GPU performance."</p>
            })}
            <p class="note">
                {format!(
                    "Largest buffer {} MiB · storage binding {} MiB · timestamps {} · shader-f16 {} · int8 dot4 {}",
                    adapter.max_buffer_bytes >> 20,
                    adapter.max_storage_binding_bytes >> 20,
                    yes(adapter.timestamps),
                    yes(adapter.shader_f16),
                    yes(adapter.dot4_i8),
                )}
            </p>
        </div>
    }
}

#[component]
fn Controls(run: Run) -> impl IntoView {
    let running = move || run.phase.get() == Phase::Running;
    let go = move || run::start(run, attached(root()));
    view! {
        <div class="row probe-controls">
            <label class="check">
                "Working set "
                <select
                    data-testid="working-set"
                    prop:value=move || run.working_set_mib.get().to_string()
                    on:change=move |ev| {
                        if let Ok(mib) = event_target_value(&ev).parse::<u64>() {
                            run.working_set_mib.set(mib);
                        }
                    }
                >
                    {[16u64, 64, 256, 1024].into_iter().map(|mib| view! { <option value=mib.to_string()>{format!("{mib} MiB")}</option> }).collect_view()}
                </select>
            </label>
            <button data-testid="probe-run" disabled=running on:click=move |_| go()>"Run the probes"</button>
            <button class="ghost" data-testid="probe-cancel" disabled=move || !running() on:click=move |_| run::cancel()>"Cancel"</button>
        </div>
        <Show when=move || running() || (run.done.get() > 0)>
            <p class="progress">
                <progress data-testid="probe-progress" max=move || run.total.get().max(1) value=move || run.done.get()></progress>
                <span>{move || format!(" {}/{} ", run.done.get(), run.total.get())}</span>
                <span class="note">{move || run.current.get()}</span>
            </p>
        </Show>
        {move || run.failure.get().map(|f| {
            let retry = f.retry_mib;
            view! {
                <div class="error" role="alert" data-testid="probe-error">
                    <p>{f.message}</p>
                    <button data-testid="probe-retry" on:click=move |_| { run.working_set_mib.set(retry); go(); }>
                        {format!("Retry ({retry} MiB)")}
                    </button>
                </div>
            }
        })}
    }
}

fn size(bytes: Option<u64>) -> String {
    match bytes {
        Some(b) if b >= 1 << 20 => format!("{} MiB", b >> 20),
        Some(b) => format!("{} KiB", b >> 10),
        None => String::new(),
    }
}

fn row(m: Measurement) -> impl IntoView {
    view! {
        <tr data-testid="probe-row" data-kind=format!("{:?}", m.kind)>
            <td>{m.kind.label()}</td>
            <td>{size(m.working_set_bytes)}</td>
            <td data-testid="probe-median">{format!("{} {}", sig(m.stats.median), m.unit)}</td>
            <td class="num">{format!("±{:.1} %", m.stats.spread_pct / 2.0)}</td>
            <td class="num">{format!("{} × {:.0} ms", m.stats.samples, m.sample_ms)}</td>
            <td class="num">{m.timing.describe()}</td>
            <td class="num" title=m.check.clone()>"✓ checked"</td>
        </tr>
    }
}

#[component]
fn Results(run: Run) -> impl IntoView {
    view! {
        <Show when=move || !run.measurements.with(Vec::is_empty)>
            <div class="table-scroll">
                <table data-testid="probe-results">
                    <caption>"Median of five or more samples; ± is half the spread between the fastest and slowest sample."</caption>
                    <thead><tr><th>"Probe"</th><th>"Working set"</th><th>"Median"</th><th>"±"</th><th>"Samples"</th><th>"Timing"</th><th>"Check"</th></tr></thead>
                    <tbody>{move || run.measurements.get().into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
            <ul class="note">
                {move || run.skipped.get().into_iter().map(|s| view! { <li>{format!("{}: skipped, {}", s.kind.label(), s.reason)}</li> }).collect_view()}
            </ul>
        </Show>
    }
}

#[component]
fn Calibrate(run: Run) -> impl IntoView {
    let entry = RwSignal::new(String::new());
    // Recognise the adapter once it is known; otherwise keep the calculator's machine.
    Effect::new(move |_| {
        if let Some(a) = run.adapter.get() {
            if let Some(e) = match_adapter(catalog(), &a.name, &a.description) {
                entry.set(e.id.clone());
            }
        }
    });
    let current_name = env::current_state().main.hardware.system(catalog()).map(|s| s.name).unwrap_or_default();
    let measured = Memo::new(move |_| run.report.with(|r| r.as_ref().and_then(measured)));
    let comparison = move || {
        let m = measured.get()?;
        let id = entry.get();
        let e = if id.is_empty() { None } else { catalog().hardware(&id).ok() }?;
        let (bw, fma) = against_spec(e, &m)?;
        Some(format!(
            "{}: the probes measured {} GB/s read, {} % of the {} GB/s spec; {} TFLOPS f32, {} % of the {} TFLOPS spec.",
            e.name,
            sig(bw.measured),
            sig(bw.percent),
            sig(bw.spec),
            sig(fma.measured),
            sig(fma.percent),
            sig(fma.spec)
        ))
    };
    // What the calculator will use: the spec-sheet figures the estimator's efficiencies
    // were fitted to, which the probes reach only part of.
    let equivalent = move || {
        let m = measured.get()?;
        let (bandwidth_gb_per_s, fp32_tflops) = spec_equivalent(&m);
        let p = ProbeProfile::RECORDED;
        Some(format!(
            "As spec-sheet figures, which the calculator's efficiencies apply to: {} GB/s and {} TFLOPS f32 \
             (measured ÷ {} % and ÷ {} %, the share of the sheet these probes reach on {}).",
            sig(bandwidth_gb_per_s),
            sig(fp32_tflops),
            sig(p.read_fraction * 100.0),
            sig(p.fma_f32_fraction * 100.0),
            ProbeProfile::SOURCE
        ))
    };
    let error = RwSignal::new(None::<String>);
    let apply = move |_| {
        let Some(m) = measured.get_untracked() else { return };
        let mut state = env::current_state();
        let id = entry.get_untracked();
        let base = if id.is_empty() {
            state.main.hardware.system(catalog())
        } else {
            HardwareChoice::preset(&id).system(catalog())
        };
        let result = base.map_err(|e| e.to_string()).and_then(|s| calibrate(&s, &m).map_err(|e| e.to_string()));
        match result {
            Ok(system) => {
                state.main.hardware = HardwareChoice::Custom(Box::new(system));
                state.page = Page::Calculator;
                env::open(&state);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    view! {
        <Show when=move || measured.with(Option::is_some)>
            <div class="calibrate" data-testid="calibrate">
                <h3>"Use the measurements"</h3>
                <label class="field">
                    <span class="label">"This GPU is"</span>
                    <select data-testid="device-entry" prop:value=move || entry.get() on:change=move |ev| entry.set(event_target_value(&ev))>
                        <option value="">{format!("the calculator's machine ({current_name})")}</option>
                        {gpu_entries().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </label>
                <p data-testid="against-spec">{comparison}</p>
                <p data-testid="spec-equivalent">{equivalent}</p>
                <p class="note">
                    "The calculator will use this machine with its GPU bandwidth and FLOPS replaced by these spec-sheet figures "
                    "(marked as measured, and carried in the share link)."
                </p>
                <button data-testid="use-measurements" on:click=apply>"Use these measurements"</button>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </div>
        </Show>
    }
}
