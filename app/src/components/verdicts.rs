//! The verdict table: for UC1–UC4, whether each is interactive, background or offline,
//! as ✅ / ❌, with ❓ where the error band reaches across the threshold.

use leptos::prelude::*;
use roofline_core::estimate::verdict::{UseCaseVerdict, Verdict, USE_CASES};

use crate::fmt;

/// The mark for `class` given a use case's verdict.
pub fn mark(v: &UseCaseVerdict, class: Verdict) -> &'static str {
    if v.verdict <= class {
        if v.certain {
            "✅"
        } else {
            "❓"
        }
    } else if !v.certain && next_better(v.verdict) == Some(class) {
        "❓"
    } else {
        "❌"
    }
}

fn next_better(v: Verdict) -> Option<Verdict> {
    match v {
        Verdict::Background => Some(Verdict::Interactive),
        Verdict::Offline => Some(Verdict::Background),
        Verdict::NonViable => Some(Verdict::Offline),
        Verdict::Interactive => None,
    }
}

/// The table for one scenario's verdicts.
#[component]
pub fn VerdictTable(#[prop(into)] verdicts: Signal<Vec<UseCaseVerdict>>, testid: &'static str) -> impl IntoView {
    view! {
        <div class="table-scroll">
        <table class="verdicts" data-testid=testid>
            <caption>"Good enough? ✅ yes · ❌ no · ❓ within the error band"</caption>
            <thead>
                <tr>
                    <th scope="col">"Case"</th>
                    <th scope="col">"Interactive"</th>
                    <th scope="col">"Background"</th>
                    <th scope="col">"Offline"</th>
                    <th scope="col">"First token · total"</th>
                </tr>
            </thead>
            <tbody>
                {move || {
                    verdicts
                        .get()
                        .into_iter()
                        .map(|v| {
                            let task = USE_CASES.iter().find(|u| u.id == v.use_case).map(|u| u.task).unwrap_or_default();
                            view! {
                                <tr data-testid=format!("verdict-{}", v.use_case.to_lowercase())>
                                    <th scope="row" title=task>{v.use_case}</th>
                                    <td>{mark(&v, Verdict::Interactive)}</td>
                                    <td>{mark(&v, Verdict::Background)}</td>
                                    <td>{mark(&v, Verdict::Offline)}</td>
                                    <td class="num">
                                        {format!("{} · {}", fmt::duration_s(v.time_to_first_token_ms / 1e3), fmt::duration_s(v.total_time_s))}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()
                }}
            </tbody>
        </table>
        </div>
    }
}
