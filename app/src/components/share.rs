//! The copy-link button: the full address with the state in its fragment.

use leptos::prelude::*;

use crate::browser;
use crate::state::use_store;

/// Copies the share link and shows it, so it can also be copied by hand.
#[component]
pub fn ShareButton() -> impl IntoView {
    let store = use_store();
    let copied = RwSignal::new(false);
    let link = move || browser::link_for(&store.link.get());
    view! {
        <div class="share">
            <button
                data-testid="copy-link"
                on:click=move |_| {
                    browser::copy(&link());
                    copied.set(true);
                }
            >
                {move || if copied.get() { "Link copied ✓" } else { "Copy link" }}
            </button>
            <input
                class="share-link"
                data-testid="share-link"
                readonly
                aria-label="Link to this configuration"
                prop:value=link
                on:focus=move |_| copied.set(false)
            />
        </div>
    }
}
