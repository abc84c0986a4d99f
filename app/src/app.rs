//! The shell: header, navigation, notices, the page, and the sync between state, URL
//! fragment, history and localStorage.

use leptos::ev;
use leptos::prelude::*;
use roofline_core::share::Page;

use crate::browser;
use crate::components::notices::Notices;
use crate::components::share::ShareButton;
use crate::pages::{calculator::Calculator, compare::Compare, device::Device, planner::Planner};
use crate::state::{Store, STORAGE_KEY};

/// Writes within this many ms of the previous one replace the history entry (a slider
/// drag is one entry); later ones push a new entry, so back/forward steps through changes.
const HISTORY_COALESCE_MS: f64 = 1000.0;

/// The deferred parts of the first view (`Store::painted`): one stage now, the next in a
/// task of its own.
fn next_stage(store: crate::state::Store) {
    store.painted.update(|p| *p += 1);
    if store.painted.get_untracked() < crate::state::DEFERRED_STAGES {
        gloo_timers::callback::Timeout::new(0, move || next_stage(store)).forget();
    } else {
        browser::mark("roofline:painted");
    }
}

/// The whole site.
#[component]
pub fn App() -> impl IntoView {
    let store = Store::new();
    provide_context(store);
    let dark = store.dark;
    let _ = window_event_listener(ev::resize, move |_| store.viewport.update(|v| *v = v.wrapping_add(1)));
    Effect::new(move |_| browser::set_theme(dark.get()));
    // Once the first view is painted (an effect: never while prerendering), the rest: the
    // charts draw, the measured points and the citations are fetched.
    Effect::new(move |_| {
        browser::after_paint(move || {
            crate::state::load_reference_points(store.viewport);
            crate::state::load_bench_table(store.viewport);
            crate::state::load_catalog_sources(store.viewport);
            next_stage(store);
        })
    });

    let last_write = StoredValue::new(f64::NEG_INFINITY);
    let sync = move || {
        let t0 = browser::now_ms();
        let link = store.link.get_untracked();
        let hash = browser::hash();
        if link != hash {
            let push = t0 - last_write.get_value() > HISTORY_COALESCE_MS && !hash.is_empty();
            browser::write_hash(&link, push);
            last_write.set_value(t0);
        }
        browser::storage_set(STORAGE_KEY, &link);
        browser::record_ms("sync-url", browser::now_ms() - t0);
    };
    // The address and storage follow the state in a task of their own, after the figures
    // and charts of this change are drawn; the changes of one task are written once.
    let sync_queued = StoredValue::new(false);
    Effect::new(move |_| {
        store.link.track();
        if !sync_queued.get_value() {
            sync_queued.set_value(true);
            gloo_timers::callback::Timeout::new(0, move || {
                sync_queued.set_value(false);
                sync();
            })
            .forget();
        }
    });
    let _ = window_event_listener(ev::popstate, move |_| store.load_link(&browser::hash()));
    let _ = window_event_listener(ev::hashchange, move |_| {
        let hash = browser::hash();
        if hash != store.link.get_untracked() {
            store.load_link(&hash);
        }
    });

    let page = Memo::new(move |_| store.state.with(|s| s.page));
    let go = move |p: Page| store.state.update(|s| s.page = p);
    let tab = move |p: Page, label: &'static str, testid: &'static str| {
        view! {
            <button
                class="tab"
                data-testid=testid
                aria-current=move || if page.get() == p { "page" } else { "false" }
                on:click=move |_| go(p)
            >
                {label}
            </button>
        }
    };
    view! {
        <header class="top">
            <h1 class="brand">"Roofline"</h1>
            <p class="tagline">"How fast will this model run on this machine — and is that good enough?"</p>
            <nav aria-label="Pages">
                {tab(Page::Calculator, "Calculator", "nav-calculator")}
                {tab(Page::Plan, "What can I run?", "nav-plan")}
                {tab(Page::Buy, "What to buy", "nav-buy")}
                {tab(Page::Compare, "Compare", "nav-compare")}
                {tab(Page::Device, "Test this device", "nav-device")}
            </nav>
            <div class="actions">
                <ShareButton />
                <button
                    class="ghost"
                    data-testid="theme-toggle"
                    aria-label="Switch between light and dark theme"
                    on:click=move |_| dark.update(|d| *d = !*d)
                >
                    {move || if dark.get() { "☀ Light" } else { "☾ Dark" }}
                </button>
            </div>
        </header>
        <Notices />
        <main>
            {move || match page.get() {
                Page::Compare => view! { <Compare /> }.into_any(),
                Page::Device => view! { <Device /> }.into_any(),
                Page::Plan | Page::Buy => view! { <Planner /> }.into_any(),
                _ => view! { <Calculator /> }.into_any(),
            }}
        </main>
        <footer>
            <p>
                "Estimates from published specifications and efficiencies fitted to LocalScore's measured runs; "
                "the band is the 10th–90th percentile of cross-validated error. Everything runs in your browser."
            </p>
        </footer>
    }
}
