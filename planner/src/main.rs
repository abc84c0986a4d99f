//! The planner's pages, a module the site loads only when "What can I run?" or "What should
//! I buy?" opens. It mounts into `#planner-root` with the site's state (from
//! `window.rooflinePlannerLink`, else the address), shows the page the state names, and
//! writes every change back to the address, announcing it with a `hashchange` so that the
//! site follows (a row's link, for one, opens the calculator).

mod buy;
mod machine_bar;
mod mount;
mod plan;
mod plan_table;
mod shop_table;
mod task_select;

use wasm_bindgen::prelude::*;

fn main() {
    // The site calls this when it shows one of the pages again.
    let again = Closure::<dyn Fn()>::new(mount::mount);
    mount::publish("rooflinePlannerMount", again.as_ref());
    again.forget();
    mount::mount();
}
