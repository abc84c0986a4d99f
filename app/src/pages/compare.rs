//! Up to four configurations side by side, with their verdict matrix.

use leptos::prelude::*;
use roofline_core::estimate::verdict::Verdict;
use roofline_core::scenario::{Evaluation, HardwareChoice, ModelChoice, Scenario};
use roofline_core::share::{starter_comparison, MAX_COMPARE_SLOTS};

use crate::charts::CompareCharts;
use crate::components::pickers::{HardwareSelect, ModelSelect, QuantSelect};
use crate::components::verdicts::mark;
use crate::fmt;
use crate::state::{catalog, efficiency, use_store};

fn name_of(s: &Scenario) -> String {
    let hw = match &s.hardware {
        HardwareChoice::Preset { id, .. } => {
            s.hardware.system(catalog()).map(|x| x.name).unwrap_or_else(|_| id.clone())
        }
        HardwareChoice::Custom(sys) => sys.name.clone(),
    };
    let model = match &s.model {
        ModelChoice::Preset(id) => catalog().model(id).map(|m| m.name.clone()).unwrap_or_else(|_| id.clone()),
        ModelChoice::Custom(m) => m.name.clone(),
    };
    format!("{model} on {hw}")
}

/// The compare page.
#[component]
pub fn Compare() -> impl IntoView {
    let store = use_store();
    let slots = move || store.state.with(|s| s.compare.clone());
    let results = Memo::new(move |_| {
        store.state.with(|s| {
            s.compare
                .iter()
                .map(|c| c.evaluate(catalog(), efficiency()).map_err(|e| e.to_string()))
                .collect::<Vec<Result<Evaluation, String>>>()
        })
    });
    let add_current = move |_: leptos::ev::MouseEvent| {
        store.state.update(|s| {
            if s.compare.len() < MAX_COMPARE_SLOTS {
                s.compare.push(s.main.clone());
            }
        })
    };
    let starter = move |_: leptos::ev::MouseEvent| store.state.update(|s| s.compare = starter_comparison());
    let edit_slot = move |i: usize, f: Box<dyn FnOnce(&mut Scenario)>| {
        store.state.update(|s| {
            if let Some(slot) = s.compare.get_mut(i) {
                f(slot)
            }
        })
    };
    view! {
        <div class="compare" data-testid="page-compare">
            <section class="card">
                <h2>"Compare"</h2>
                <p>"Up to four configurations side by side. Each uses the calculator's workload settings as they were when added."</p>
                <div class="row">
                    <button data-testid="compare-add" disabled=move || { slots().len() >= MAX_COMPARE_SLOTS } on:click=add_current>
                        "Add the calculator's configuration"
                    </button>
                    <button class="ghost" data-testid="compare-starter" on:click=starter>
                        "Load the starter example (embedded, desktop, workstation, server · 14B Q4_K_M)"
                    </button>
                </div>
            </section>
            <div class="slots">
                {move || {
                    slots()
                        .into_iter()
                        .enumerate()
                        .map(|(i, slot)| {
                            let hw = match &slot.hardware {
                                HardwareChoice::Preset { id, .. } => Some(id.clone()),
                                HardwareChoice::Custom(_) => None,
                            };
                            let model = match &slot.model {
                                ModelChoice::Preset(id) => Some(id.clone()),
                                ModelChoice::Custom(_) => None,
                            };
                            let quant = slot.quant;
                            let default_q = slot.model.spec(catalog()).map(|m| m.default_quant).unwrap_or_default();
                            let res = move || results.with(|r| r.get(i).cloned());
                            view! {
                                <section class="card slot" data-testid=format!("compare-slot-{}", i + 1)>
                                    <h3>{format!("{}. {}", i + 1, name_of(&slot))}</h3>
                                    <HardwareSelect label="Machine" testid="slot-hardware" selected=Signal::derive(move || hw.clone())
                                        on_pick=move |id: String| edit_slot(i, Box::new(move |s| s.hardware = HardwareChoice::preset(&id)))
                                        placeholder="Custom machine" />
                                    <ModelSelect label="Model" testid="slot-model" selected=Signal::derive(move || model.clone())
                                        on_pick=move |id: String| edit_slot(i, Box::new(move |s| s.model = ModelChoice::Preset(id)))
                                        placeholder="Custom model" />
                                    <QuantSelect testid="slot-quant" selected=Signal::derive(move || quant) default_name=Signal::derive(move || default_q.clone())
                                        on_pick=move |q| edit_slot(i, Box::new(move |s| s.quant = q)) />
                                    {move || match res() {
                                        Some(Ok(e)) => view! {
                                            <dl class="slot-figures" data-testid="slot-figures">
                                                <dt>"Prompt"</dt><dd data-testid="slot-pp">{fmt::tokens_per_s(e.estimate.prompt_tokens_per_s)}</dd>
                                                <dt>"First token"</dt><dd data-testid="slot-ttft">{fmt::duration_s(e.estimate.time_to_first_token_ms / 1e3)}</dd>
                                                <dt>"Generation"</dt><dd data-testid="slot-tg">{fmt::tokens_per_s(e.estimate.generation_tokens_per_s)}</dd>
                                                <dt>"Fits"</dt><dd>{if e.estimate.fits { "yes" } else { "no" }}</dd>
                                                <dt>"LocalScore"</dt><dd>{format!("{:.0}", e.localscore.score)}</dd>
                                            </dl>
                                        }.into_any(),
                                        Some(Err(err)) => view! { <p class="error" role="alert">{err}</p> }.into_any(),
                                        None => ().into_any(),
                                    }}
                                    <div class="row">
                                        <button class="ghost" data-testid="slot-open" on:click=move |_| store.state.update(|s| {
                                            if let Some(slot) = s.compare.get(i) {
                                                s.main = slot.clone();
                                                s.page = roofline_core::share::Page::Calculator;
                                            }
                                        })>"Open in calculator"</button>
                                        <button class="ghost" data-testid="slot-remove" on:click=move |_| store.state.update(|s| {
                                            if i < s.compare.len() {
                                                s.compare.remove(i);
                                            }
                                        })>"Remove"</button>
                                    </div>
                                </section>
                            }
                        })
                        .collect_view()
                }}
            </div>
            <Show when=move || !slots().is_empty()>
                <section class="card">
                    <h2>"Speed"</h2>
                    <CompareCharts estimates=Signal::derive(move || results.with(|r| r.iter().filter_map(|e| e.as_ref().ok().map(|e| e.estimate.clone())).collect::<Vec<_>>())) />
                </section>
                <section class="card">
                    <h2>"Verdicts"</h2>
                    <div class="table-scroll">
                        <table class="matrix" data-testid="compare-matrix">
                            <caption>"✅ yes · ❌ no · ❓ within the error band (I interactive, B background, O offline)"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Configuration"</th>
                                    {["UC1", "UC2", "UC3", "UC4"].map(|u| view! { <th scope="col">{u}</th> })}
                                </tr>
                            </thead>
                            <tbody>
                                {move || {
                                    let slots = slots();
                                    results.get().into_iter().enumerate().map(|(i, r)| {
                                        let name = slots.get(i).map(name_of).unwrap_or_default();
                                        let cells = match r {
                                            Ok(e) => e.verdicts.iter().map(|v| {
                                                let text = format!("I{} B{} O{}", mark(v, Verdict::Interactive), mark(v, Verdict::Background), mark(v, Verdict::Offline));
                                                view! { <td>{text}</td> }
                                            }).collect_view().into_any(),
                                            Err(_) => view! { <td colspan="4">"no estimate"</td> }.into_any(),
                                        };
                                        view! { <tr data-testid="compare-row"><th scope="row">{format!("{}. {name}", i + 1)}</th>{cells}</tr> }
                                    }).collect_view()
                                }}
                            </tbody>
                        </table>
                    </div>
                </section>
            </Show>
        </div>
    }
}
