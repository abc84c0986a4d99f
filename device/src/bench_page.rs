//! The "Benchmark a model" section: shape and size pickers, progress, the results table
//! next to the estimator's prediction for this device, calibration, and the export in
//! llama-bench's JSON field names. Components only wire signals to `bench_run`.

use leptos::prelude::*;
use roofline_core::scenario::HardwareChoice;
use roofline_core::share::Page;
use roofline_core::system::System;
use roofline_core::units::sig;
use roofline_gpu::model::bench::{ModelBenchReport, Sampled};

use crate::bench_run::{self, BenchRun, Size};
use crate::env::{self, catalog};
use crate::run::Run;

fn pm(s: &Sampled) -> String {
    format!("{} ± {}", sig(s.mean), sig(s.stddev))
}

/// The machine the figures are set against: the chosen catalog entry, else the
/// calculator's.
fn machine(entry: &str) -> Result<System, String> {
    let choice = if entry.is_empty() { env::current_state().main.hardware } else { HardwareChoice::preset(entry) };
    choice.system(catalog()).map_err(|e| e.to_string())
}

/// The report and llama-bench's rows as a downloadable JSON object URL.
fn export_url(report: &ModelBenchReport) -> Option<String> {
    let value = serde_json::json!({ "roofline": report, "llama_bench": report.llama_bench_rows() });
    let text = serde_json::to_string_pretty(&value).ok()?;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

#[component]
pub fn BenchSection(probes: Run) -> impl IntoView {
    let b = BenchRun::new();
    let entry = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(a) = probes.adapter.get() {
            if let Some(e) = roofline_core::calibration::match_adapter(catalog(), &a.name, &a.description) {
                entry.set(e.id.clone());
            }
        }
    });
    let go = move |_| bench_run::start(b, probes, crate::env::on_screen());
    let comparison = Memo::new(move |_| {
        let report = b.report.get()?;
        let system = machine(&entry.get());
        Some(system.and_then(|s| {
            let (pp, tg) = bench_run::predicted(&s, &report)?;
            let c = bench_run::calibrated(&s, &report)?;
            let gap = (c.fitted.0 / report.pp_tokens_per_s.mean).max(c.fitted.1 / report.tg_tokens_per_s.mean);
            Ok((s.name, pp, tg, c.system, c.big_tg_tokens_per_s, gap))
        }))
    });
    let apply = move |_| {
        let Some(Ok((_, _, _, system, _, _))) = comparison.get_untracked() else { return };
        let mut state = env::current_state();
        state.main.hardware = HardwareChoice::Custom(Box::new(system));
        state.page = Page::Calculator;
        env::open(&state);
    };
    view! {
        <section class="model-bench" data-testid="model-bench" aria-labelledby="bench-heading">
            <h3 id="bench-heading">"Benchmark a model"</h3>
            <p class="hint">
                "Times a model with the exact shapes and Q4_K_M quantization of a published one, its weights generated on this GPU (nothing is downloaded), "
                "the way llama-bench does (prompt processing and generation, mean ± standard deviation), and can calibrate the calculator with it."
            </p>
            <div class="row">
                <label class="field">
                    <span class="label">"Model shape"</span>
                    <select data-testid="bench-shape" prop:value=move || b.shape.get() on:change=move |ev| b.shape.set(event_target_value(&ev))>
                        <option value="auto">"Auto: the largest that fits"</option>
                        {bench_run::shapes().into_iter().map(|(id, label)| view! { <option value=id>{label}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="label">"Run"</span>
                    <select
                        data-testid="bench-size"
                        on:change=move |ev| b.size.set(match event_target_value(&ev).as_str() {
                            "standard" => Size::Standard,
                            "localscore" => Size::LocalScore,
                            _ => Size::Quick,
                        })
                    >
                        <option value="quick">"Quick (pp128, tg32, twice)"</option>
                        <option value="standard">"llama-bench (pp512, tg128, five times)"</option>
                        <option value="localscore">"llama-bench and LocalScore's nine tests"</option>
                    </select>
                </label>
            </div>
            <div class="row">
                <button data-testid="bench-run" disabled=move || b.running.get() on:click=go>"Benchmark"</button>
                <button class="ghost" data-testid="bench-stop" disabled=move || !b.running.get() on:click=move |_| bench_run::stop()>"Stop"</button>
            </div>
            <Show when=move || b.running.get()>
                <p class="progress">
                    <progress data-testid="bench-progress" max=move || b.done.get().1 as f64 value=move || b.done.get().0 as f64></progress>
                    <span class="note">{move || b.step.get()}</span>
                </p>
            </Show>
            {move || b.error.get().map(|e| view! { <p class="error" role="alert" data-testid="bench-error">{e}</p> })}
            {move || b.report.get().map(|r| view! { <BenchResults report=r /> })}
            <Show when=move || b.report.with(Option::is_some)>
                <label class="field">
                    <span class="label">"This GPU is"</span>
                    <select data-testid="bench-entry" prop:value=move || entry.get() on:change=move |ev| entry.set(event_target_value(&ev))>
                        <option value="">"the calculator's machine"</option>
                        {crate::env::gpu_entries().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </label>
                {move || comparison.get().map(|c| match c {
                    Ok((name, pp, tg, _, big, gap)) => {
                        let r = b.report.get_untracked();
                        let (mpp, mtg) = r.map(|r| (r.pp_tokens_per_s.mean, r.tg_tokens_per_s.mean)).unwrap_or_default();
                        view! {
                            <div data-testid="bench-prediction">
                                <p>{format!(
                                    "The estimator predicts {} token/s prompt and {} token/s generation for this shape on {name} with this site's engine; measured ÷ predicted: {} and {}.",
                                    sig(pp), sig(tg), sig(mpp / pp), sig(mtg / tg)
                                )}</p>
                                <p data-testid="bench-calibrated">{format!(
                                    "Calibrated with this run, an 8B Q4_K_M model would generate at about {} token/s here.",
                                    sig(big)
                                )}</p>
                                {(gap > 1.05).then(|| view! {
                                    <p class="note" data-testid="bench-gap">{format!(
                                        "Even calibrated, the estimator predicts up to {}× this run's speed: the device is slower than the range it models (at least {} GB/s and {} TFLOPS), or fixed latencies dominate.",
                                        sig(gap),
                                        sig(roofline_core::calibration::MIN_BANDWIDTH_GB_PER_S),
                                        sig(roofline_core::calibration::MIN_FP32_TFLOPS)
                                    )}</p>
                                })}
                                <button data-testid="bench-calibrate" on:click=apply>"Calibrate the calculator"</button>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error" role="alert" data-testid="bench-prediction">{e}</p> }.into_any(),
                })}
            </Show>
        </section>
    }
}

#[component]
fn BenchResults(report: ModelBenchReport) -> impl IntoView {
    let c = report.config.clone();
    let ratio = |r: Option<f64>, what: &str| match r {
        Some(x) => format!(" = {} % of the probed {what}", sig(x * 100.0)),
        None => " (run the probes above for the ratio)".into(),
    };
    let roofline = format!(
        "{} MB read per generated token → {} GB/s{}; {} GFLOP per prompt token → {} TFLOPS{}.",
        sig(report.bytes_per_token as f64 / 1e6),
        sig(report.generation_gb_per_s),
        ratio(report.bandwidth_ratio(), "read bandwidth"),
        sig(report.flops_per_token as f64 / 1e9),
        sig(report.prefill_tflops),
        ratio(report.compute_ratio(), "f32 FMA peak"),
    );
    let url = export_url(&report);
    let adapter = report.adapter.display_name().unwrap_or("this GPU (the browser does not name it)").to_owned();
    view! {
        <div class="table-scroll">
            <table data-testid="bench-results">
                <caption>{format!("{}, generated weights (Q4_K_M, {} MB) on {}", report.name, report.weight_bytes / 1_000_000, adapter)}</caption>
                <thead><tr><th>"Test"</th><th>"token/s"</th><th>"Time to first token"</th></tr></thead>
                <tbody>
                    <tr data-testid="bench-pp"><td>{format!("pp{}", c.prompt_tokens)}</td><td class="num">{pm(&report.pp_tokens_per_s)}</td><td class="num">{format!("{} ms", pm(&report.ttft_ms))}</td></tr>
                    <tr data-testid="bench-tg"><td>{format!("tg{}", c.gen_tokens)}</td><td class="num">{pm(&report.tg_tokens_per_s)}</td><td></td></tr>
                    {report.localscore.clone().map(|ls| view! {
                        <tr data-testid="bench-localscore"><td>"LocalScore"</td><td class="num">{format!("score {}", sig(ls.score))}</td><td class="num">{format!("{} ms", sig(ls.avg_ttft_ms))}</td></tr>
                    })}
                </tbody>
            </table>
        </div>
        <p class="note" data-testid="bench-roofline">{roofline}</p>
        {report.adapter.software.then(|| view! { <p class="note">"Software adapter: a smoke-sized run that checks the benchmark, not GPU performance."</p> })}
        <ul class="note">{report.not_run.iter().map(|w| view! { <li>{format!("Not run: {w}")}</li> }).collect_view()}</ul>
        {url.map(|u| view! { <a class="button ghost" data-testid="bench-export" href=u download="roofline-model-bench.json">"Export JSON (llama-bench fields)"</a> })}
    }
}
