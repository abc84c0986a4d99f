//! Roofline's site in the browser (see the library's docs).

fn main() {
    roofline_app::start();
}
