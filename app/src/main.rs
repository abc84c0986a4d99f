//! Roofline's site: a client-side Leptos app over `roofline-core`. Components only wire
//! signals to the core; every figure comes from `roofline_core::scenario::Scenario::evaluate`
//! and the core's explanation and chart-series modules.

mod app;
mod browser;
mod charts;
mod components;
mod fmt;
mod gguf_file;
mod pages;
mod state;

fn main() {
    browser::install_panic_hook();
    leptos::mount::mount_to_body(app::App);
}
