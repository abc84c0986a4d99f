//! A part of the first view built after the app's first paint (at a stage of
//! `Store::painted`), so that no task of the start is long. On a first visit the
//! prerendered view's HTML of that part (the same these components write for the default
//! state) stays until then; elsewhere (a link, another page first) it is built at once.

use leptos::prelude::*;

use crate::state::use_store;

/// `children` from `stage` on; until then the prerendered part `kept` (see
/// `browser::kept_html`), if there is one.
#[component]
pub fn Later(kept: &'static str, stage: u8, children: ChildrenFn) -> impl IntoView {
    let store = use_store();
    let html = StoredValue::new(crate::browser::kept_html(kept));
    let built = move || html.with_value(Option::is_none) || store.painted.get() >= stage;
    view! {
        <Show
            when=built
            fallback=move || view! { <div class="kept" inner_html=html.get_value().unwrap_or_default()></div> }
        >
            {children()}
        </Show>
    }
}
