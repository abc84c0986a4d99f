//! Mounting into the site's container, and the state shared with the site through the
//! address.

use std::cell::RefCell;

use js_sys::Reflect;
use leptos::prelude::*;
use roofline_app::browser;
use roofline_app::state::{Store, DEFERRED_STAGES, STORAGE_KEY};
use roofline_core::share::Page;
use wasm_bindgen::{JsCast, JsValue};

use crate::buy::Buy;
use crate::plan::Plan;

thread_local! {
    static MOUNTED: RefCell<Option<Box<dyn std::any::Any>>> = const { RefCell::new(None) };
}

/// The element the pages are mounted in.
const ROOT_ID: &str = "planner-root";

/// Publishes `value` as `window.<name>`.
pub fn publish(name: &str, value: &JsValue) {
    if let Some(window) = web_sys::window() {
        let _ = Reflect::set(&window, &JsValue::from_str(name), value);
    }
}

/// The site's state as it handed it over, else the address.
fn site_link() -> String {
    let handed = web_sys::window()
        .and_then(|w| Reflect::get(&w, &JsValue::from_str("rooflinePlannerLink")).ok())
        .and_then(|v| v.as_string());
    handed.unwrap_or_else(browser::hash)
}

/// Mounts the page the state names into `#planner-root`, replacing an earlier mount.
pub fn mount() {
    MOUNTED.with(|m| m.borrow_mut().take());
    let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(ROOT_ID))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    el.set_inner_html("");
    let link = site_link();
    let handle = leptos::mount::mount_to(el, move || view! { <Pages link=link /> });
    MOUNTED.with(|m| *m.borrow_mut() = Some(Box::new(handle)));
}

/// Tells the site the address changed (it follows a `hashchange` whose fragment is not its
/// own state).
fn announce() {
    let Some(window) = web_sys::window() else { return };
    if let Ok(event) = web_sys::Event::new("hashchange") {
        let _ = window.dispatch_event(&event);
    }
}

#[component]
fn Pages(link: String) -> impl IntoView {
    let store = Store::from_link(&link);
    // The whole catalog in the pickers at once: the site's first view is long painted.
    store.painted.set(DEFERRED_STAGES);
    provide_context(store);
    // Changes go to the address (replacing the entry: filters and sorting are not steps
    // back) and storage, and the site hears of them.
    // In a task of its own after the change's, so the site's work on it comes after the
    // frame that shows the new table.
    Effect::new(move |first: Option<()>| {
        let link = store.link.get();
        if first.is_some() {
            gloo_timers::callback::Timeout::new(0, move || {
                if link != browser::hash() {
                    let t0 = browser::now_ms();
                    browser::write_hash(&link, false);
                    browser::storage_set(STORAGE_KEY, &link);
                    publish("rooflinePlannerLink", &JsValue::from_str(&link));
                    announce();
                    browser::record_ms("plan-announce", browser::now_ms() - t0);
                }
            })
            .forget();
        }
    });
    let page = Memo::new(move |_| store.state.with(|s| s.page));
    move || match page.get() {
        Page::Buy => view! { <Buy /> }.into_any(),
        _ => view! { <Plan /> }.into_any(),
    }
}
