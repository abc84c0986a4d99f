//! The estimate in one line — generation, time to first token, whether it fits, the
//! verdict — kept in view at the top of a phone's screen while the inputs below change
//! (hidden on wide screens, where the results sit beside the inputs).

use leptos::prelude::*;

use crate::fmt;
use crate::state::use_store;

/// The one-line summary (`data-testid="summary"`).
#[component]
pub fn Summary() -> impl IntoView {
    let store = use_store();
    let line = move |f: fn(&roofline_core::estimate::Estimate) -> String| {
        move || store.evaluation.with(|e| e.as_ref().map(|e| f(&e.estimate)).unwrap_or_else(|_| "—".into()))
    };
    view! {
        // The results card announces changes; this copy of its figures stays silent.
        <div class="quick" data-testid="summary" aria-hidden="true">
            <span><strong data-testid="summary-tg">{line(|e| fmt::tokens_per_s(e.generation_tokens_per_s))}</strong>" generation"</span>
            <span><strong data-testid="summary-ttft">{line(|e| fmt::duration_s(e.time_to_first_token_ms / 1e3))}</strong>" to first token"</span>
            <span data-testid="summary-fits">{line(|e| if e.fits { "fits".into() } else { "does not fit".into() })}</span>
            <span data-testid="summary-verdict">{line(|e| e.verdict.name().to_owned())}</span>
        </div>
    }
}
