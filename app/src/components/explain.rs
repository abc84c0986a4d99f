//! "How is this computed?": a figure's formula, the formula with the estimator's own values
//! substituted, and where every input comes from — all from `roofline_core::explain`.

use leptos::prelude::*;
use roofline_core::explain::{explain, Explanation, Explanations};
use roofline_core::hardware::HardwareEntry;
use roofline_core::scenario::{HardwareChoice, Resolved};
use roofline_core::series::Inputs;

use crate::state::{catalog, catalog_sources, efficiency, use_store, Store};

/// The catalog entries the machine was assembled from, with their sources where the
/// citations have arrived (they are cited).
fn entries(store: &Store) -> Vec<HardwareEntry> {
    let sources = catalog_sources();
    store.state.with(|s| match &s.main.hardware {
        HardwareChoice::Preset { id, gpu, host, .. } => [Some(id), gpu.as_ref(), host.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|i| catalog().hardware(i).ok())
            .map(|e| sources.map_or_else(|| e.clone(), |s| s.hardware_entry(e)))
            .collect(),
        HardwareChoice::Custom(_) => Vec::new(),
    })
}

fn explanations(store: &Store) -> Result<Explanations, String> {
    let hw = entries(store);
    let hw: Vec<&HardwareEntry> = hw.iter().collect();
    store.resolved.with(|r| {
        let r = r.as_ref().map_err(Clone::clone)?;
        match catalog_sources() {
            Some(s) => {
                let r = Resolved { model: s.model(&r.model), ..r.clone() };
                explain(&Inputs::resolved(&r, efficiency()), &hw)
            }
            None => explain(&Inputs::resolved(r, efficiency()), &hw),
        }
        .map_err(|e| e.to_string())
    })
}

/// One explanation, rendered.
pub fn render(e: &Explanation) -> impl IntoView {
    view! {
        <div class="explain" data-testid=format!("explain-{}", e.figure)>
            <p class="formula">{e.formula.clone()}</p>
            <p class="formula">{e.substituted.join("\n")}</p>
            <p><strong>{format!("= {}", e.result)}</strong></p>
            <ul class="sources">
                {e.inputs
                    .iter()
                    .map(|i| {
                        let links = i
                            .links
                            .iter()
                            .filter(|l| l.url.starts_with("https://") || l.url.starts_with("http://"))
                            .map(|l| view! { " " <a href=l.url.clone() target="_blank" rel="noopener noreferrer external">{l.title.clone()}</a> })
                            .collect_view();
                        view! { <li>{format!("{} = {} — {}", i.name, i.value, i.source)}{links}</li> }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}

/// A "how is this computed?" disclosure for `figure` (a key of `roofline_core::explain::FIGURES`),
/// or for a device's memory when `device` is given. Computed only when opened.
#[component]
pub fn Explain(figure: &'static str, #[prop(optional, into)] device: Option<String>) -> impl IntoView {
    let store = use_store();
    let open = RwSignal::new(false);
    let content = move || {
        if !open.get() {
            return None;
        }
        // Recomputed when the catalog's citations arrive.
        store.viewport.track();
        Some(match explanations(&store) {
            Ok(all) => {
                let found = match &device {
                    Some(d) => all.memory(d),
                    None => all.get(figure),
                };
                match found {
                    Some(e) => render(e).into_any(),
                    None => view! { <p>"No explanation for this figure."</p> }.into_any(),
                }
            }
            Err(e) => view! { <p class="error">{e}</p> }.into_any(),
        })
    };
    view! {
        <details class="how" data-testid=format!("how-{figure}") on:toggle=move |ev| {
            use wasm_bindgen::JsCast;
            let is_open = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()).is_some_and(|d| d.open());
            open.set(is_open);
        }>
            <summary>"How is this computed?"</summary>
            {content}
        </details>
    }
}
