//! Headline figures with their bands, what bounds each phase, and the predicted LocalScore.

use leptos::prelude::*;
use roofline_core::estimate::Estimate;

use super::explain::Explain;
use crate::fmt;
use crate::state::use_store;

fn band(low: String, high: String) -> String {
    format!("likely {low} – {high}")
}

/// One figure card.
#[component]
fn Figure(
    title: &'static str,
    testid: &'static str,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] band: Signal<String>,
    #[prop(into)] note: Signal<String>,
    explain: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="figure" data-testid=testid>
            <h3>{title}</h3>
            <p class="value" data-testid=format!("{testid}-value")>{value}</p>
            <p class="band">{band}</p>
            <p class="note">{note}</p>
            {(!explain.is_empty()).then(|| view! { <Explain figure=explain /> })}
            {children.map(|c| c())}
        </div>
    }
}

/// The headline figures of the main scenario.
#[component]
pub fn Results() -> impl IntoView {
    let store = use_store();
    let est = move |f: fn(&Estimate) -> String| {
        Signal::derive(move || store.evaluation.with(|e| e.as_ref().map(|e| f(&e.estimate)).unwrap_or_default()))
    };
    let error = move || store.evaluation.with(|e| e.as_ref().err().cloned());
    let first = StoredValue::new(true);
    let localscore_open = RwSignal::new(false);
    Effect::new(move |_| {
        if store.evaluation.with(|e| e.is_ok()) && first.get_value() {
            first.set_value(false);
            // After the render effects queued with this one have written the figures.
            leptos::task::spawn_local(async { crate::browser::mark("roofline:first-estimate") });
        }
    });
    view! {
        <section class="card results" aria-labelledby="res-heading" aria-live="polite" data-testid="results">
            <h2 id="res-heading">"Estimate"</h2>
            {move || error().map(|e| view! { <p class="error" role="alert" data-testid="estimate-error">{format!("No estimate: {e}")}</p> })}
            <div class="figures">
                <Figure title="Prompt processing" testid="pp" explain="prompt"
                    value=est(|e| fmt::tokens_per_s(e.prompt_tokens_per_s))
                    band=est(|e| band(fmt::sig(e.prompt_band.low), fmt::tokens_per_s(e.prompt_band.high)))
                    note=est(|e| format!("bound by {}", e.prompt_bound.bound.describe())) />
                <Figure title="Time to first token" testid="ttft" explain="time_to_first_token"
                    value=est(|e| fmt::duration_s(e.time_to_first_token_ms / 1e3))
                    band=est(|e| band(fmt::duration_s(e.time_to_first_token_band_ms.low / 1e3), fmt::duration_s(e.time_to_first_token_band_ms.high / 1e3)))
                    note=est(|e| if e.load_time_s > 0.0 { format!("includes {} loading the weights", fmt::duration_s(e.load_time_s)) } else { "weights already in memory".into() }) />
                <Figure title="Generation" testid="tg" explain="generation"
                    value=est(|e| fmt::tokens_per_s(e.generation_tokens_per_s))
                    band=est(|e| band(fmt::sig(e.generation_band.low), fmt::tokens_per_s(e.generation_band.high)))
                    note=est(|e| format!(
                        "{} at the first token, {} at the last; bound by {}{}",
                        fmt::sig(e.generation_tokens_per_s_at_start),
                        fmt::sig(e.generation_tokens_per_s_at_end),
                        e.generation_bound.bound.describe(),
                        if e.aggregate_generation_tokens_per_s > e.generation_tokens_per_s * 1.001 { format!("; {} in all", fmt::tokens_per_s(e.aggregate_generation_tokens_per_s)) } else { String::new() },
                    )) />
                <Figure title="Total time" testid="total" explain="total_time"
                    value=est(|e| fmt::duration_s(e.total_time_s))
                    band=est(|e| format!("verdict: {}", e.verdict.name()))
                    note=Signal::derive(move || {
                        let layers = store.resolved.with(|r| r.as_ref().map_or(0, |r| r.model.layers));
                        store.evaluation.with(|e| e.as_ref().map(|e| format!(
                            "model file {} · {} of {layers} layers on GPU",
                            fmt::gb(e.estimate.model_size_gb),
                            e.estimate.gpu_layers
                        )).unwrap_or_default())
                    }) />
                <Figure title="LocalScore (predicted)" testid="localscore" explain=""
                    value=Signal::derive(move || store.evaluation.with(|e| e.as_ref().map(|e| format!("{:.0}", e.localscore.score)).unwrap_or_default()))
                    band=Signal::derive(move || store.evaluation.with(|e| e.as_ref().map(|e| format!(
                        "averages: {} PP, {} TG, {} TTFT",
                        fmt::tokens_per_s(e.localscore.avg_prompt_tokens_per_s),
                        fmt::tokens_per_s(e.localscore.avg_generation_tokens_per_s),
                        fmt::duration_s(e.localscore.avg_time_to_first_token_ms / 1e3),
                    )).unwrap_or_default()))
                    note=Signal::derive(|| "about 1,000 is excellent, 250 passable, under 100 poor".to_owned())>
                    <details class="how" data-testid="how-localscore" on:toggle=move |ev| {
                        use wasm_bindgen::JsCast;
                        let open = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()).is_some_and(|d| d.open());
                        localscore_open.set(open);
                    }>
                        <summary>"How is this computed?"</summary>
                        {move || localscore_open.get().then(|| store.evaluation.with(|e| e.as_ref().ok().map(|e| {
                            let (formula, substituted) = e.localscore.formula();
                            view! {
                                <p class="formula">{formula}</p>
                                <p class="formula">{substituted}</p>
                                <div class="table-scroll">
                                    <table class="tests">
                                        <thead><tr><th>"Prompt → generated"</th><th>"PP"</th><th>"TG"</th><th>"TTFT"</th></tr></thead>
                                        <tbody>
                                            {e.localscore.tests.iter().map(|t| view! {
                                                <tr>
                                                    <td>{format!("{} → {}", t.prompt_tokens, t.gen_tokens)}</td>
                                                    <td>{fmt::sig(t.prompt_tokens_per_s)}</td>
                                                    <td>{fmt::sig(t.generation_tokens_per_s)}</td>
                                                    <td>{fmt::duration_s(t.time_to_first_token_ms / 1e3)}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <p class="note">"Each test is an estimate like the one above, with that prompt and output length (LocalScore's method)."</p>
                            }
                        })))}
                    </details>
                </Figure>
            </div>
        </section>
    }
}
