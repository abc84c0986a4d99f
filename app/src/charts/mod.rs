//! Charts drawn with plotters on canvases, redrawn when inputs, theme or viewport change:
//! generation against bandwidth (with LocalScore's and the other sources' measured
//! points), time to first token and prompt speed against prompt length (with the prompt
//! tests measured on the configuration's machine), memory against context, and compare
//! bars. The data come from `roofline_core::series`; this module only draws.

mod backend;
mod draw;
mod measured_list;
mod widths;

use leptos::html::Canvas;
use leptos::prelude::*;
use roofline_core::estimate::Estimate;
use roofline_core::scenario::ModelChoice;
use roofline_core::series::{self, compare_bars, BenchPoints, Inputs, MeasuredPoint, DEFAULT_BANDWIDTH_RANGE_GB_PER_S};

use crate::browser;
use crate::state::{bench_table, catalog, efficiency, reference_points, use_store};
pub use draw::Theme;
use measured_list::MeasuredList;

/// The measured points that match the configuration: LocalScore's devices for its
/// reference models, the other sources' tests for the same model and quantization.
#[derive(Debug, Clone, Default, PartialEq)]
struct Measured {
    localscore: Vec<MeasuredPoint>,
    bench: BenchPoints,
}

/// Draws one chart: canvas, theme, scale, the scenario's inputs, its measured points.
type Draw = fn(&web_sys::HtmlCanvasElement, &Theme, f64, &Inputs, &Measured) -> Result<(), String>;

/// Sizes the canvas to its CSS width (`css_w`) × device pixel ratio; returns the scale.
fn fit(canvas: &web_sys::HtmlCanvasElement, css_w: f64, aspect: f64) -> f64 {
    let css_w = css_w.max(280.0);
    // Narrow screens get taller charts so the axes keep room for their labels.
    let aspect = if css_w < 520.0 { aspect * 1.4 } else { aspect };
    fit_height(canvas, css_w, (css_w * aspect).clamp(240.0, 420.0))
}

/// As [`fit`] with a given CSS height.
fn fit_height(canvas: &web_sys::HtmlCanvasElement, css_w: f64, css_h: f64) -> f64 {
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).clamp(1.0, 3.0);
    let css_w = css_w.max(280.0);
    let (w, h) = ((css_w * dpr) as u32, (css_h * dpr) as u32);
    // Assigning a size reallocates the canvas even when unchanged: only do it on a change.
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    dpr
}

/// The three calculator charts. Each draws in an effect of its own, first in a task of its
/// own after the app's first paint (`Store::painted` stages 11–13), so no task is long; on a
/// change all three redraw together, and the last marks the update.
#[component]
pub fn CalculatorCharts() -> impl IntoView {
    let store = use_store();
    let bandwidth = NodeRef::<Canvas>::new();
    let ttft = NodeRef::<Canvas>::new();
    let memory = NodeRef::<Canvas>::new();
    let errors = RwSignal::new([None::<String>, None, None]);
    let widths = widths::Widths::observe([bandwidth, ttft, memory]);
    // Recomputed when the configuration changes or the measured files arrive (`viewport`).
    let measured = Memo::new(move |_| {
        store.viewport.track();
        store.state.with(|s| {
            let quant = store.resolved.with(|r| r.as_ref().ok().map(|r| r.quant));
            let Some(quant) = quant else { return Measured::default() };
            let localscore = match &s.main.model {
                ModelChoice::Preset(id) => series::measured_points_for(reference_points(), catalog(), id, quant),
                ModelChoice::Custom(_) => Vec::new(),
            };
            let bench = bench_table().points(catalog(), &s.main, quant);
            Measured { localscore, bench }
        })
    });
    // Draws chart `i` on `canvas` with `draw` once stage `10 + i` has come.
    let chart = move |i: usize, canvas: NodeRef<Canvas>, name: &'static str, draw: Draw| {
        // A memo: the later stages do not redraw this chart again.
        let ready = Memo::new(move |_| store.painted.get() >= 11 + i as u8);
        Effect::new(move |_| {
            if !ready.get() {
                return;
            }
            let t_start = browser::now_ms();
            store.viewport.track();
            let theme = Theme::new(store.dark.get());
            let problem = measured.with(|m| {
                store.resolved.with(|r| {
                    let Ok(r) = r else { return None };
                    let c = canvas.get()?;
                    let scale = fit(&c, widths.get(i, &c), 0.62);
                    let inputs = Inputs::resolved(r, efficiency());
                    draw(&c, &theme, scale, &inputs, m).err()
                })
            });
            errors.update(|e| {
                if let Some(slot) = e.get_mut(i) {
                    *slot = problem;
                }
            });
            browser::record_ms(name, browser::now_ms() - t_start);
            if i == 2 {
                leptos::task::spawn_local(async { browser::updated() });
            }
        });
    };
    chart(0, bandwidth, "chart-bandwidth", |c, theme, scale, inputs, m| {
        let curve = series::generation_vs_bandwidth(inputs, DEFAULT_BANDWIDTH_RANGE_GB_PER_S);
        curve
            .map_err(|e| e.to_string())
            .and_then(|curve| draw::bandwidth(c, theme, scale, &curve, &m.localscore, &m.bench.generation))
    });
    chart(1, ttft, "chart-ttft", |c, theme, scale, inputs, m| {
        series::ttft_vs_prompt(inputs)
            .map_err(|e| e.to_string())
            .and_then(|curve| draw::prompt(c, theme, scale, &curve, &m.bench.prompt))
    });
    chart(2, memory, "chart-memory", |c, theme, scale, inputs, _| {
        series::memory_vs_context(inputs)
            .map_err(|e| e.to_string())
            .and_then(|curve| draw::memory(c, theme, scale, &curve))
    });
    let error = move || {
        errors.with(|e| {
            let problems: Vec<&str> = e.iter().flatten().map(String::as_str).collect();
            (!problems.is_empty()).then(|| problems.join("; "))
        })
    };
    view! {
        <section class="card" aria-labelledby="charts-heading">
            <h2 id="charts-heading">"Charts"</h2>
            {move || error().map(|e| view! { <p class="error" role="alert">{format!("A chart could not be drawn: {e}")}</p> })}
            <div class="charts">
                <figure class="chart">
                    <canvas node_ref=bandwidth data-testid="chart-bandwidth" role="img"
                        aria-label="Generation speed against memory bandwidth: the estimate for this model and configuration, with the measured devices"></canvas>
                    <figcaption>"Generation speed against memory bandwidth. Dots: LocalScore's measured medians for this model (reference models only); squares: other sources' generation tests of this model and quantization, the test nearest this workload's depth and length per device."</figcaption>
                </figure>
                <figure class="chart">
                    <canvas node_ref=ttft data-testid="chart-ttft" role="img"
                        aria-label="Time to first token and prompt speed against prompt length, with the 3-second interactive line and the prompt speeds measured on this machine"></canvas>
                    <figcaption>"Time to first token (and prompt speed) against prompt length; the dashed line is the 3-second interactive limit; squares: prompt speeds measured on this machine with this model and quantization, at the depth nearest this workload's."</figcaption>
                </figure>
                <figure class="chart">
                    <canvas node_ref=memory data-testid="chart-memory" role="img"
                        aria-label="Memory use against context length per device, with each device's capacity"></canvas>
                    <figcaption>"Memory against context length per device; flat lines are capacities."</figcaption>
                </figure>
            </div>
            <MeasuredList measured=measured />
        </section>
    }
}

/// Bars of the compare view.
#[component]
pub fn CompareCharts(#[prop(into)] estimates: Signal<Vec<Estimate>>) -> impl IntoView {
    let store = use_store();
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        store.viewport.track();
        let theme = Theme::new(store.dark.get());
        let bars = estimates.with(|e| compare_bars(e));
        if let Some(c) = canvas.get() {
            // Three panels, each a caption, an axis and two text lines per configuration.
            let rows = bars.generation.bars.len().max(1) as f64;
            let scale = fit_height(&c, f64::from(c.client_width()), 3.0 * (56.0 + 34.0 * rows));
            if let Err(e) = draw::bars(&c, &theme, scale, &bars) {
                web_sys::console::warn_1(&e.into());
            }
        }
    });
    view! {
        <figure class="chart">
            <canvas node_ref=canvas data-testid="chart-compare" role="img"
                aria-label="Generation speed, prompt speed and time to first token of each configuration"></canvas>
            <figcaption>"Generation and prompt speed (higher is better) and time to first token (lower is better) per configuration."</figcaption>
        </figure>
    }
}
