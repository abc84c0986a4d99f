//! Share links: the site's whole state — page, main scenario and up to four compare slots —
//! as a compact, versioned URL fragment, and back.
//!
//! Format (version 1): `v=1&key=value&…`, keys as in [`keys`]; only values that differ
//! from [`Scenario::default`] are written. A compare slot `c1`…`c4` holds the keys in
//! which it differs from the main scenario as `key:value*key:value` (`key:-` resets a key
//! to its default). Custom machines and models are positional lists joined by `~`, with
//! names percent-encoded. Numbers are written in Rust's shortest round-trip form, so a
//! decoded link reproduces the state exactly.
//!
//! Decoding never fails: a field that is malformed, out of range or unknown falls back to
//! its default and produces a [`Notice`] naming it.
//!
//! ```
//! use roofline_core::{catalog::Catalog, share::{decode, encode, AppState}};
//! let catalog = Catalog::builtin();
//! let state = AppState::default();
//! let (back, notices) = decode(&encode(&state), &catalog);
//! assert_eq!(back, state);
//! assert!(notices.is_empty());
//! ```

mod cost;
pub(crate) mod custom;
/// Limits of the running-cost inputs a link (and the site's fields) accept.
pub mod cost_limits {
    pub use super::cost::{MAX_API_USD_PER_MILLION_TOKENS, MAX_ELECTRICITY_USD_PER_KWH, MAX_POWER_W, MAX_PRICE_USD};
}
mod fields;
mod planner;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::plan::view::{BuyView, PlanView};
use crate::scenario::Scenario;
pub use fields::{decode_scenario, encode_scenario, Notice};

/// Version written into new links.
pub const VERSION: u32 = 1;
/// Longest fragment decoded; longer links are ignored with a notice.
pub const MAX_LINK_CHARS: usize = 8192;
/// Most compare slots.
pub const MAX_COMPARE_SLOTS: usize = 4;

/// Pages of the site.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Page {
    /// The calculator.
    #[default]
    Calculator,
    /// Side-by-side comparison.
    Compare,
    /// Measurements on this device.
    Device,
    /// "What can I run?": every model on the calculator's machine.
    Plan,
    /// "What should I buy?": every machine for the calculator's model.
    Buy,
}

impl Page {
    /// The name used in links.
    pub fn name(self) -> &'static str {
        match self {
            Page::Calculator => "calc",
            Page::Compare => "compare",
            Page::Device => "device",
            Page::Plan => "plan",
            Page::Buy => "buy",
        }
    }

    fn parse(text: &str) -> Option<Page> {
        [Page::Calculator, Page::Compare, Page::Device, Page::Plan, Page::Buy].into_iter().find(|p| p.name() == text)
    }
}

/// Everything a link restores.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AppState {
    /// The page shown.
    pub page: Page,
    /// The configuration in the calculator.
    pub main: Scenario,
    /// Configurations in the compare view (at most [`MAX_COMPARE_SLOTS`]).
    pub compare: Vec<Scenario>,
    /// What the "What can I run?" page shows.
    pub plan: PlanView,
    /// What the "What should I buy?" page asks for.
    pub buy: BuyView,
    /// The running-cost inputs (electricity, an API's price, the machine's own price and
    /// power).
    pub cost: crate::cost::inputs::CostInputs,
}

/// Encodes `state` as a URL fragment (without the `#`).
pub fn encode(state: &AppState) -> String {
    let main = encode_scenario(&state.main);
    let mut out = format!("v={VERSION}");
    if state.page != Page::Calculator {
        out.push_str("&p=");
        out.push_str(state.page.name());
    }
    for (k, v) in &main {
        out.push('&');
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    for (k, v) in planner::encode(&state.plan, &state.buy).into_iter().chain(cost::encode(&state.cost)) {
        out.push('&');
        out.push_str(k);
        out.push('=');
        out.push_str(&v);
    }
    for (i, slot) in state.compare.iter().take(MAX_COMPARE_SLOTS).enumerate() {
        let pairs = encode_scenario(slot);
        let mut diff: Vec<String> =
            pairs.iter().filter(|(k, v)| main.get(*k) != Some(v)).map(|(k, v)| format!("{k}:{v}")).collect();
        diff.extend(main.keys().filter(|k| !pairs.contains_key(*k)).map(|k| format!("{k}:-")));
        out.push_str(&format!("&c{}=", i + 1));
        // An empty slot string still marks the slot as present (a copy of the main scenario).
        out.push_str(&diff.join("*"));
    }
    out
}

/// `%XX` sequences decoded (browsers encode spaces and some symbols in fragments);
/// malformed sequences are kept as they are and invalid UTF-8 is replaced.
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A value as the scenario reader wants it: custom machines and models keep their own
/// escaping (their names are percent-encoded inside the list); everything else is decoded.
fn value_of(key: &str, raw: &str) -> String {
    if key == "hc" || key == "mc" {
        raw.to_owned()
    } else {
        percent_decode(raw)
    }
}

/// Decodes a fragment (with or without the leading `#`); never fails.
pub fn decode(link: &str, catalog: &Catalog) -> (AppState, Vec<Notice>) {
    let mut notices = Vec::new();
    let link = link.strip_prefix('#').unwrap_or(link);
    if link.is_empty() {
        return (AppState::default(), notices);
    }
    if link.len() > MAX_LINK_CHARS {
        notices.push(Notice::new(
            "link",
            &format!("{} characters", link.len()),
            &format!("longer than {MAX_LINK_CHARS} characters; ignored"),
        ));
        return (AppState::default(), notices);
    }
    let mut main: BTreeMap<String, String> = BTreeMap::new();
    let mut planner_pairs: BTreeMap<String, String> = BTreeMap::new();
    let mut slots: BTreeMap<usize, String> = BTreeMap::new();
    let mut page = Page::Calculator;
    for piece in link.split('&').filter(|p| !p.is_empty()) {
        let (key, raw) = piece.split_once('=').unwrap_or((piece, ""));
        let key = percent_decode(key);
        let value = value_of(&key, raw);
        let (key, value) = (key.as_str(), value.as_str());
        match key {
            "v" => {
                if value != VERSION.to_string() {
                    notices.push(Notice::new("version", value, "unknown link version; read as version 1"));
                }
            }
            "p" => match Page::parse(value) {
                Some(p) => page = p,
                None => notices.push(Notice::new("page", value, "unknown page; showing the calculator")),
            },
            k if planner::KEYS.contains(&k) || cost::KEYS.contains(&k) => {
                if planner_pairs.insert(key.to_owned(), value.to_owned()).is_some() {
                    notices.push(Notice::new(key, value, "given twice; the last one is used"));
                }
            }
            _ => {
                if let Some(n) = key.strip_prefix('c').and_then(|n| n.parse::<usize>().ok()) {
                    if (1..=MAX_COMPARE_SLOTS).contains(&n) {
                        slots.insert(n, value.to_owned());
                    } else {
                        notices.push(Notice::new("compare slot", key, "at most 4 compare slots; ignored"));
                    }
                } else if main.insert(key.to_owned(), value.to_owned()).is_some() {
                    notices.push(Notice::new(key, value, "given twice; the last one is used"));
                }
            }
        }
    }
    let main_scenario = decode_scenario(&main, catalog, "", &mut notices);
    let (plan, buy) = planner::decode(|k| planner_pairs.get(k).cloned(), &mut notices);
    let cost = cost::decode(|k| planner_pairs.get(k).cloned(), &mut notices);
    let mut compare = Vec::new();
    for (n, text) in slots {
        let mut pairs = main.clone();
        for item in text.split('*').filter(|p| !p.is_empty()) {
            let (k, v) = item.split_once(':').unwrap_or((item, ""));
            if v == "-" {
                pairs.remove(k);
            } else {
                pairs.insert(k.to_owned(), value_of(k, v));
            }
        }
        compare.push(decode_scenario(&pairs, catalog, &format!("compare {n}: "), &mut notices));
    }
    (AppState { page, main: main_scenario, compare, plan, buy, cost }, notices)
}

/// The starter comparison: the four hardware classes of the domain notes — an embedded APU
/// (Ryzen AI MAX+ 395), a desktop (Ryzen 9 9950X with an RTX 4090), a workstation
/// (Threadripper 7970X with two RTX 6000 Ada) and a server (EPYC 9554P with eight H100
/// SXM) — with Qwen 2.5 14B in Q4_K_M.
pub fn starter_comparison() -> Vec<Scenario> {
    use crate::scenario::{HardwareChoice, ModelChoice};
    let machines: [(&str, Option<&str>, u32); 4] = [
        ("amd-ryzen-ai-max-plus-395", None, 1),
        ("amd-ryzen-9-9950x", Some("nvidia-geforce-rtx-4090"), 1),
        ("amd-ryzen-threadripper-7970x", Some("nvidia-rtx-6000-ada"), 2),
        ("amd-epyc-9554p", Some("nvidia-h100-sxm"), 8),
    ];
    machines
        .into_iter()
        .map(|(id, gpu, gpu_count)| Scenario {
            hardware: HardwareChoice::Preset { id: id.to_owned(), gpu: gpu.map(str::to_owned), host: None, gpu_count },
            model: ModelChoice::Preset("qwen2-5-14b".to_owned()),
            quant: Some(crate::quant::QuantScheme::Q4_K_M),
            ..Scenario::default()
        })
        .collect()
}
