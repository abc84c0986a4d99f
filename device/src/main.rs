//! "Test this device": a module the site loads only when the page is opened. It mounts
//! into `#device-root`, detects WebGPU, runs the probes of `roofline-gpu` on the visitor's
//! GPU with progress and cancellation, compares them with the catalog's spec, and hands a
//! calibrated machine to the calculator through the share link in the URL fragment.

mod bench_page;
mod bench_run;
mod env;
mod model_file;
mod model_page;
mod model_run;
mod page;
mod run;

use wasm_bindgen::prelude::*;

fn main() {
    // The site calls this when it shows the page again.
    let again = Closure::<dyn Fn()>::new(mount);
    env::publish("rooflineDeviceMount", again.as_ref());
    again.forget();
    mount();
}

/// Mounts the page into `#device-root` (again, when the site re-renders the container).
#[wasm_bindgen]
pub fn mount() {
    page::mount();
}
