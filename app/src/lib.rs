//! Roofline's site: a Leptos app over `roofline-core`. Components only wire signals to the
//! core; every figure comes from `roofline_core::scenario::Scenario::evaluate` and the
//! core's explanation and chart-series modules.
//!
//! Built two ways from the same components: for the browser (feature `csr`, the default:
//! [`start`]) and natively for the site build (feature `ssr`: [`prerender`], the first view
//! as HTML, which `scripts/build-site.sh` puts into `index.html` so it paints before the
//! wasm has arrived).

// The native (prerendering) build has the full component types, not the wasm build's erased
// ones (`--cfg erase_components`), and needs the deeper limit.
#![recursion_limit = "512"]

mod app;
// Browser services; natively (prerendering) neutral stand-ins, since web-sys calls panic
// off wasm. Public, with the components, the formatting and the state, for the planner's
// module (`roofline-planner`), which is built on them and loaded when its pages open.
#[cfg_attr(not(feature = "csr"), path = "browser_native.rs")]
pub mod browser;
mod charts;
// Leptos makes each component's arguments the fields of a props struct; the component's
// own docs describe them.
#[allow(missing_docs)]
pub mod components;
pub mod fmt;
mod gguf_file;
mod pages;
pub mod state;

/// Starts the site: takes over the prerendered first view in `#app` (removed and replaced
/// in the same task, so no frame shows neither) or mounts into an empty one. The work
/// before that is spread over tasks of its own so that none blocks input for long: parsing
/// the catalog, then a first estimate (which also compiles the estimator's code), then the
/// mount.
#[cfg(feature = "csr")]
pub fn start() {
    use gloo_timers::callback::Timeout;
    browser::install_panic_hook();
    Timeout::new(0, || {
        state::catalog();
        Timeout::new(0, || {
            state::warm_up();
            Timeout::new(0, || match browser::take_shell() {
                Some(root) => leptos::mount::mount_to(root, app::App).forget(),
                None => leptos::mount::mount_to_body(app::App),
            })
            .forget();
        })
        .forget();
    })
    .forget();
}

/// The first view (the calculator in its default state) as HTML, for `#app` in
/// `index.html`.
#[cfg(feature = "ssr")]
pub fn prerender() -> String {
    use leptos::prelude::*;
    use leptos::tachys::view::RenderHtml;
    // A server's shared context: browser-only helpers (window listeners) stand aside.
    let owner = Owner::new_root(Some(std::sync::Arc::new(hydration_context::SsrSharedContext::new())));
    owner.with(|| view! { <app::App /> }.to_html())
}
