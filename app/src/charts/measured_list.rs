//! Below the charts, on opening: which measured points they show, counted per source, and
//! every point of the other sources with its device, GPU count, backend, engine, flash
//! attention, test and median (`BenchPoint::label`; the canvas cannot say which square is
//! which), one line each so that it reads on a phone. The lines are built only while the
//! list is open, so a change of the inputs does not rebuild them.

use leptos::prelude::*;
use roofline_core::series::BenchPoint;

use super::Measured;

/// How many points each source has on the charts ("localscore 137 devices, …"), or that
/// there are none. Shown once the list is opened: the summary line stays the same from the
/// prerendered view on, while the measured files arrive after the first estimate.
fn summary(m: &Measured) -> String {
    let mut parts = Vec::new();
    if !m.localscore.is_empty() {
        parts.push(format!("localscore {} devices", m.localscore.len()));
    }
    for (source, n) in m.bench.by_source() {
        parts.push(format!("{source} {n} {}", if n == 1 { "test" } else { "tests" }));
    }
    if parts.is_empty() {
        "No measured points for this model and quantization.".to_owned()
    } else {
        format!("{}.", parts.join(", "))
    }
}

/// The list of measured points.
#[component]
pub(super) fn MeasuredList(measured: Memo<Measured>) -> impl IntoView {
    let open = RwSignal::new(false);
    let on_toggle = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let d = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok());
        open.set(d.is_some_and(|d| d.open()));
    };
    let group = |title: &'static str, testid: &'static str, points: &[BenchPoint]| {
        (!points.is_empty()).then(|| {
            view! {
                <p class="hint">{title}</p>
                <ul class="explain" data-testid=testid>{points.iter().map(|p| view! { <li data-testid="measured-point">{p.label()}</li> }).collect_view()}</ul>
            }
        })
    };
    view! {
        <details class="how" data-testid="measured-points" on:toggle=on_toggle>
            <summary data-testid="measured-summary">"Measured points on these charts"</summary>
            {move || open.get().then(|| measured.with(|m| view! {
                <p data-testid="measured-counts">{summary(m)}</p>
                <p class="hint">"Each point is the median of a test's repeated runs (environments, tables or files of one source). LocalScore's dots are its devices' medians over its nine tests (Q4_K_M)."</p>
                {group("Generation against bandwidth (squares, every device):", "measured-generation", &m.bench.generation)}
                {group("Prompt speed against prompt length (squares, this machine):", "measured-prompt", &m.bench.prompt)}
            }))}
        </details>
    }
}
