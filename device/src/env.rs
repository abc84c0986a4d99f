//! What the browser offers: WebGPU, visibility, the URL fragment, and the state it holds.

use js_sys::Reflect;
use roofline_core::catalog::Catalog;
use roofline_core::share::{decode, encode, AppState};
use wasm_bindgen::{JsCast, JsValue};

/// The catalog, parsed once.
pub fn catalog() -> &'static Catalog {
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(Catalog::builtin)
}

/// Why WebGPU is not there, in words, or `None` when `navigator.gpu` exists.
pub fn webgpu_missing() -> Option<String> {
    let window = web_sys::window()?;
    let navigator = window.navigator();
    let has_gpu = Reflect::get(&navigator, &JsValue::from_str("gpu")).is_ok_and(|g| !g.is_undefined() && !g.is_null());
    if has_gpu {
        return None;
    }
    let secure = Reflect::get(&window, &JsValue::from_str("isSecureContext")).is_ok_and(|v| v.as_bool() == Some(true));
    let agent = navigator.user_agent().unwrap_or_default();
    Some(if !secure {
        "WebGPU is only offered to secure pages (https:// or localhost); this page was not loaded securely.".into()
    } else if agent.contains("Firefox") {
        "This Firefox does not expose WebGPU. Firefox enables it on Windows from version 141; elsewhere set dom.webgpu.enabled in about:config.".into()
    } else if agent.contains("Linux") && !agent.contains("Android") {
        "This browser does not expose WebGPU. Chrome and Edge on Linux need chrome://flags/#enable-unsafe-webgpu (and Vulkan drivers).".into()
    } else {
        "This browser does not expose WebGPU (navigator.gpu is missing). It is available in Chrome and Edge 113+ on Windows, macOS and ChromeOS, Chrome 121+ on Android 12+, and Safari 26+.".into()
    })
}

/// True while the tab is hidden (timings from a hidden tab are throttled and wrong).
pub fn hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
}

/// The site's state as the URL fragment holds it (defaults where it is unusable).
pub fn current_state() -> AppState {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    decode(hash.trim_start_matches('#'), catalog()).0
}

/// Shows `state` in the site (the site follows the fragment).
pub fn open(state: &AppState) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash(&encode(state));
        window.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Publishes a value for tests and scripts as `window.<name>`.
pub fn publish(name: &str, value: &JsValue) {
    if let Some(window) = web_sys::window() {
        let _ = Reflect::set(&window, &JsValue::from_str(name), value);
    }
}

/// The element the device page is mounted in.
const ROOT_ID: &str = "device-root";

/// The device page's container, while the document has one.
pub(crate) fn root() -> Option<web_sys::HtmlElement> {
    web_sys::window()?.document()?.get_element_by_id(ROOT_ID)?.dyn_into().ok()
}

/// True while this page's container is still in the document.
pub(crate) fn on_screen() -> impl Fn() -> bool + 'static {
    attached(root())
}

/// True while the element this page was mounted in is still in the document.
pub(crate) fn attached(el: Option<web_sys::HtmlElement>) -> impl Fn() -> bool + 'static {
    move || el.as_ref().is_some_and(|e| e.is_connected())
}

/// Catalog entries with a GPU, by name.
pub(crate) fn gpu_entries() -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> =
        catalog().hardware.iter().filter(|e| e.gpu.is_some()).map(|e| (e.id.clone(), e.name.clone())).collect();
    entries.sort_by(|a, b| a.1.cmp(&b.1));
    entries
}
