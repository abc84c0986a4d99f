//! "What can I run?" and "What should I buy?": a container for the separate
//! `roofline-planner` module, loaded only when one of its pages opens (its tables of
//! hundreds of estimates would otherwise push the calculator's first load over its size
//! budget). The module reads the page and its state from the link and writes them back.

use leptos::prelude::*;

use crate::browser;
use crate::state::use_store;

/// The page: a placeholder the module replaces, or a message when it cannot load.
#[component]
pub fn Planner() -> impl IntoView {
    let store = use_store();
    let failed = RwSignal::new(false);
    // Mounted again when the page changes between the two (the module reads which).
    let page = Memo::new(move |_| store.state.with(|s| s.page));
    Effect::new(move |_| {
        page.track();
        let link = store.link.get_untracked();
        browser::load_planner_module(&link, move || failed.set(true));
    });
    view! {
        <div id="planner-root" class="planner-root" data-testid="planner-root">
            <p class="hint">"Loading the planner…"</p>
        </div>
        {move || failed.get().then(|| view! {
            <p class="error" role="alert" data-testid="planner-load-error">
                "The planner could not be loaded (offline or blocked); the calculator works without it."
            </p>
        })}
    }
}
