//! "Test this device": a container for the separate `roofline-device` module (WebGPU and
//! the probes), which is loaded only when the page opens, so the calculator's download
//! stays small.

use leptos::prelude::*;

use crate::browser;

/// The page: a placeholder the module replaces, or a message when it cannot load.
#[component]
pub fn Device() -> impl IntoView {
    let failed = RwSignal::new(false);
    Effect::new(move |_| browser::load_device_module(move || failed.set(true)));
    view! {
        <div id="device-root" class="device-root" data-testid="device-root">
            <p class="hint">"Loading the device test…"</p>
        </div>
        {move || failed.get().then(|| view! {
            <p class="error" role="alert" data-testid="device-load-error">
                "The device test could not be loaded (offline or blocked); the calculator works without it."
            </p>
        })}
    }
}
