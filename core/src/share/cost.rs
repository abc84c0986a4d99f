//! The running-cost inputs in a link: `el` electricity (USD per kWh), `api` an API's price
//! (USD per million tokens), `mp` the machine's price (USD), `mw` its power (W). Only
//! values that differ from the defaults are written; a malformed one keeps its default
//! with a [`Notice`].

use super::Notice;
use crate::cost::inputs::CostInputs;

/// Keys this module reads.
pub const KEYS: [&str; 4] = ["el", "api", "mp", "mw"];

/// Most an electricity price may be, USD per kWh.
pub const MAX_ELECTRICITY_USD_PER_KWH: f64 = 100.0;
/// Most an API price may be, USD per million tokens.
pub const MAX_API_USD_PER_MILLION_TOKENS: f64 = 1e6;
/// Most a machine's price may be, USD.
pub const MAX_PRICE_USD: f64 = 1e9;
/// Most a machine's power may be, W.
pub const MAX_POWER_W: f64 = 1e6;

/// `(key, value)` pairs of `inputs` that differ from the defaults.
pub fn encode(inputs: &CostInputs) -> Vec<(&'static str, String)> {
    let d = CostInputs::default();
    let mut out = Vec::new();
    if inputs.electricity_usd_per_kwh != d.electricity_usd_per_kwh {
        out.push(("el", inputs.electricity_usd_per_kwh.to_string()));
    }
    for (key, v) in [("api", inputs.api_usd_per_million_tokens), ("mp", inputs.price_usd), ("mw", inputs.power_w)] {
        if let Some(v) = v {
            out.push((key, v.to_string()));
        }
    }
    out
}

/// A finite number in `[min, max]`.
fn number(value: &str, min: f64, max: f64) -> Option<f64> {
    value.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= min && *x <= max)
}

/// The inputs from `get` (a key's value in the link, if present).
pub fn decode(get: impl Fn(&str) -> Option<String>, notices: &mut Vec<Notice>) -> CostInputs {
    let mut out = CostInputs::default();
    let mut read = |key: &str, field: &str, min: f64, max: f64| -> Option<f64> {
        let v = get(key)?;
        let x = number(&v, min, max);
        if x.is_none() {
            notices.push(Notice::new(field, &v, &format!("not a number from {min} to {max}; not used")));
        }
        x
    };
    if let Some(x) = read("el", "electricity price", 0.0, MAX_ELECTRICITY_USD_PER_KWH) {
        out.electricity_usd_per_kwh = x;
    }
    out.api_usd_per_million_tokens = read("api", "API price", 0.0, MAX_API_USD_PER_MILLION_TOKENS);
    out.price_usd = read("mp", "machine price", 0.0, MAX_PRICE_USD);
    out.power_w = read("mw", "machine power", 0.001, MAX_POWER_W);
    out
}
