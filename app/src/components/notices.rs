//! What a link or the saved state could not use, shown as plain text.

use leptos::prelude::*;

use crate::state::use_store;

/// The notice banner; hidden when there is nothing to say.
#[component]
pub fn Notices() -> impl IntoView {
    let store = use_store();
    move || {
        let notices = store.notices.get();
        (!notices.is_empty()).then(|| {
            view! {
                <div class="notice" role="status" data-testid="link-notice">
                    <p>"Some values in this link could not be used; defaults are shown for them:"</p>
                    <ul>
                        {notices
                            .into_iter()
                            .map(|n| view! { <li data-testid="link-notice-item">{n.to_string()}</li> })
                            .collect_view()}
                    </ul>
                    <button class="ghost" data-testid="link-notice-dismiss" on:click=move |_| store.notices.set(Vec::new())>
                        "Dismiss"
                    </button>
                </div>
            }
        })
    }
}
