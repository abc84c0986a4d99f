//! Display of figures: the core's unit formatting (`roofline_core::units`), so the site,
//! the CLI and the explanations print numbers alike.

pub use roofline_core::units::{duration as duration_s, gigabytes as gb, sig, tokens_per_s, usd};

/// A whole number.
pub fn count(n: u32) -> String {
    roofline_core::units::count(f64::from(n))
}

/// A number as an input box shows it: shortest exact form.
pub fn input_number(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        String::new()
    }
}
