//! The browser services of `browser.rs` as neutral stand-ins for prerendering natively
//! (web-sys calls panic off wasm): no fragment, no storage, no clock, light theme. The
//! prerendered view is therefore the default state, as a visitor without a link sees it.

/// The URL fragment: none.
pub fn hash() -> String {
    String::new()
}

/// Writes nothing.
pub fn write_hash(_fragment: &str, _push: bool) {}

/// The link relative to the page.
pub fn link_for(fragment: &str) -> String {
    format!("#{fragment}")
}

/// No storage.
pub fn storage_get(_key: &str) -> Option<String> {
    None
}

/// No storage.
pub fn storage_set(_key: &str, _value: &str) -> bool {
    false
}

/// No clipboard.
pub fn copy(_text: &str) {}

/// Nothing to fetch.
pub async fn fetch_text(_path: &str) -> Option<String> {
    None
}

/// No device module.
pub fn load_device_module(_on_error: impl FnOnce() + 'static) {}

/// Nothing to load natively.
pub fn load_planner_module(_link: &str, _on_error: impl FnOnce() + 'static) {}

/// No clock.
pub fn now_ms() -> f64 {
    0.0
}

/// No performance marks.
pub fn mark(_name: &str) {}

/// No performance marks.
pub fn updated() {}

/// Nothing to count natively.
pub fn counted(_name: &str) {}

/// No timings.
pub fn record_ms(_name: &str, _ms: f64) {}

/// The light theme (the page's script and the app switch to dark where preferred).
pub fn prefers_dark() -> bool {
    false
}

/// No document.
pub fn set_theme(_dark: bool) {}

/// Never runs `f`: nothing is painted natively.
pub fn after_paint(_f: impl FnOnce() + 'static) {}

/// Nothing prerendered to keep.
pub fn kept_html(_name: &str) -> Option<String> {
    None
}
