//! The few browser services the site uses: the URL fragment, history, localStorage, the
//! clipboard, performance marks and a panic hook that shows a message instead of a dead page.

use wasm_bindgen::{JsCast, JsValue};

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The URL fragment without `#`.
pub fn hash() -> String {
    window().and_then(|w| w.location().hash().ok()).map(|h| h.trim_start_matches('#').to_owned()).unwrap_or_default()
}

/// Writes `#fragment`, as a new history entry when `push`, else replacing the current one.
pub fn write_hash(fragment: &str, push: bool) {
    let Some(w) = window() else { return };
    let Ok(history) = w.history() else { return };
    let url = format!("#{fragment}");
    let _ = if push {
        history.push_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
    };
}

/// The full address of the page with `#fragment`.
pub fn link_for(fragment: &str) -> String {
    let base = window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    format!("{base}#{fragment}")
}

// localStorage stays on web-sys rather than gloo-storage: gloo's `LocalStorage::raw` throws
// where the browser refuses storage (private modes, blocked cookies: `window.localStorage`
// itself throws), which would stop the app, and its `get`/`set` store JSON, where the site
// stores the link as plain text (so an unreadable saved state is kept as it was).
fn storage() -> Option<web_sys::Storage> {
    window().and_then(|w| w.local_storage().ok().flatten())
}

/// A stored value; `None` when storage is unavailable or empty.
pub fn storage_get(key: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(key).ok().flatten())
}

/// Stores a value; `false` when storage is unavailable or full.
pub fn storage_set(key: &str, value: &str) -> bool {
    storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

/// Copies text to the clipboard (asynchronously; errors are ignored: the link stays visible).
pub fn copy(text: &str) {
    if let Some(w) = window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// GETs `path` (relative to the page, same origin) as text; `None` on any failure.
///
/// Written over web-sys rather than gloo-net (which the device page uses): gloo-net's
/// request builder costs the first load 3.0 KB gzipped for these two GETs of deferred files.
pub async fn fetch_text(path: &str) -> Option<String> {
    let response = wasm_bindgen_futures::JsFuture::from(window()?.fetch_with_str(path)).await.ok()?;
    let response: web_sys::Response = response.dyn_into().ok()?;
    if !response.ok() {
        return None;
    }
    let text = wasm_bindgen_futures::JsFuture::from(response.text().ok()?).await.ok()?;
    text.as_string()
}

/// Mounts the device-test module into `#device-root`: calls the `rooflineDeviceMount`
/// it registered, or loads its loader script (once) and lets it mount itself.
pub fn load_device_module(on_error: impl FnOnce() + 'static) {
    load_module("rooflineDeviceMount", "device-module", "roofline-device_loader.js", on_error);
}

/// Mounts the planner's module into `#planner-root`, as [`load_device_module`] does, with
/// the site's state `link` (in `window.rooflinePlannerLink`: the address may not show it
/// yet).
pub fn load_planner_module(link: &str, on_error: impl FnOnce() + 'static) {
    if let Some(w) = window() {
        let _ = js_sys::Reflect::set(&w, &"rooflinePlannerLink".into(), &link.into());
    }
    load_module("rooflinePlannerMount", "planner-module", "roofline-planner_loader.js", on_error);
}

/// Calls the mount function `mount` a module registered on `window`, or loads the module's
/// loader script `src` (once, as element `id`), which mounts it; `on_error` if it fails.
fn load_module(mount: &str, id: &str, src: &str, on_error: impl FnOnce() + 'static) {
    let Some(window) = window() else { return };
    let mount = js_sys::Reflect::get(&window, &mount.into()).ok();
    if let Some(f) = mount.and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
        let _ = f.call0(&wasm_bindgen::JsValue::NULL);
        return;
    }
    let Some(document) = window.document() else { return };
    if document.get_element_by_id(id).is_some() {
        return;
    }
    let Ok(script) = document.create_element("script") else { return };
    let _ = script.set_attribute("type", "module");
    let _ = script.set_attribute("id", id);
    let _ = script.set_attribute("src", src);
    // The listener lives as long as the script element (a failed load fires once).
    gloo_events::EventListener::once(&script, "error", move |_| on_error()).forget();
    if let Some(head) = document.head() {
        let _ = head.append_child(&script);
    }
}

/// Milliseconds since navigation.
pub fn now_ms() -> f64 {
    window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// A performance mark.
pub fn mark(name: &str) {
    if let Some(p) = window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Marks `roofline:updated` (every figure and chart reflects the inputs) and bumps
/// `window.rooflineUpdates`, which the end-to-end benchmark waits on.
pub fn updated() {
    let Some(w) = window() else { return };
    mark("roofline:updated");
    let key = JsValue::from_str("rooflineUpdates");
    let n = js_sys::Reflect::get(&w, &key).ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    let _ = js_sys::Reflect::set(&w, &key, &JsValue::from_f64(n + 1.0));
}

/// Bumps the counter `window[name]` and marks `roofline:name` (the planner's end-to-end
/// benchmark waits on its table's paints).
pub fn counted(name: &str) {
    let Some(w) = window() else { return };
    mark(&format!("roofline:{name}"));
    let key = JsValue::from_str(name);
    let n = js_sys::Reflect::get(&w, &key).ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    let _ = js_sys::Reflect::set(&w, &key, &JsValue::from_f64(n + 1.0));
}

/// Records how long a stage of an update took in `window.rooflineTimings[name]` (the last
/// 200), for the end-to-end benchmark's breakdown.
pub fn record_ms(name: &str, ms: f64) {
    let Some(w) = window() else { return };
    let key = JsValue::from_str("rooflineTimings");
    let table = match js_sys::Reflect::get(&w, &key).ok().filter(|v| v.is_object()) {
        Some(t) => t,
        None => {
            let t: JsValue = js_sys::Object::new().into();
            let _ = js_sys::Reflect::set(&w, &key, &t);
            t
        }
    };
    let name = JsValue::from_str(name);
    let list = match js_sys::Reflect::get(&table, &name).ok().and_then(|v| v.dyn_into::<js_sys::Array>().ok()) {
        Some(l) => l,
        None => {
            let l = js_sys::Array::new();
            let _ = js_sys::Reflect::set(&table, &name, &l);
            l
        }
    };
    list.push(&JsValue::from_f64(ms));
    if list.length() > 200 {
        list.shift();
    }
}

/// Whether the visitor prefers a dark colour scheme.
pub fn prefers_dark() -> bool {
    window().and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten()).is_some_and(|m| m.matches())
}

/// Sets `data-theme` on the root element.
pub fn set_theme(dark: bool) {
    if let Some(root) = window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", if dark { "dark" } else { "light" });
    }
}

/// Shows any panic as a visible message with the text to report, on top of the page.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&JsValue::from_str(&info.to_string()));
        let Some(doc) = window().and_then(|w| w.document()) else { return };
        let Ok(div) = doc.create_element("div") else { return };
        div.set_class_name("panic");
        let _ = div.set_attribute("role", "alert");
        let _ = div.set_attribute("data-testid", "panic");
        div.set_text_content(Some(&format!(
            "Something went wrong inside the calculator and it stopped. Reload the page; your link is kept. \
             Please report this message: {info}"
        )));
        if let Some(body) = doc.body() {
            let _ = body.prepend_with_node_1(&div);
        }
    }));
}

/// Parts of the prerendered view that a first visit keeps, as HTML, until the app has built
/// its own (`components::later`): name, selector, and whether the element itself (else
/// only its content) is kept.
const KEPT_PARTS: [(&str, &str, bool); 7] = [
    ("model", "[data-testid=model-section]", true),
    ("workload", "[data-testid=workload-section]", true),
    ("results", "[data-testid=results]", true),
    ("verdicts", "section[aria-labelledby=verdict-heading]", true),
    ("memory", "section[aria-labelledby=mem-heading]", true),
    ("energy", "[data-testid=energy]", true),
    ("charts", "section[aria-labelledby=charts-heading]", true),
];

thread_local! {
    static KEPT: std::cell::RefCell<Vec<(&'static str, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The prerendered view's part `name` as HTML, once (see [`take_shell`]).
pub fn kept_html(name: &str) -> Option<String> {
    KEPT.with(|k| {
        let mut kept = k.borrow_mut();
        let i = kept.iter().position(|(n, _)| *n == name)?;
        Some(kept.swap_remove(i).1)
    })
}

/// The container the site mounts in (`#app`), emptied of the prerendered first view
/// (`data-prerendered`) that `scripts/build-site.sh` put there; `None` without one (a page
/// that is not the site's `index.html`).
pub fn take_shell() -> Option<web_sys::HtmlElement> {
    let document = window()?.document()?;
    let root: web_sys::HtmlElement = document.get_element_by_id("app")?.dyn_into().ok()?;
    if root.has_attribute("data-prerendered") {
        // It shows the default configuration: parts of it are kept for the calculator to
        // show until its own are built, unless the page is a link's (`public/early.js`).
        let linked = document.document_element().is_some_and(|e| e.class_list().contains("linked"));
        if !linked {
            let kept = KEPT_PARTS.iter().filter_map(|&(name, selector, outer)| {
                let el = root.query_selector(selector).ok().flatten()?;
                Some((name, if outer { el.outer_html() } else { el.inner_html() }))
            });
            KEPT.with(|k| *k.borrow_mut() = kept.collect());
        }
        root.set_text_content(None);
        let _ = root.remove_attribute("data-prerendered");
    }
    Some(root)
}

/// Runs `f` once, after the next frame has been painted (a frame, then a task), or after
/// half a second where no frame comes (a hidden tab).
pub fn after_paint(f: impl FnOnce() + 'static) {
    use std::cell::Cell;
    use std::rc::Rc;
    let once = Rc::new(Cell::new(Some(f)));
    let run = move || {
        if let Some(f) = once.take() {
            f();
        }
    };
    let framed = run.clone();
    leptos::prelude::request_animation_frame(move || {
        gloo_timers::callback::Timeout::new(0, framed).forget();
    });
    gloo_timers::callback::Timeout::new(500, run).forget();
}
