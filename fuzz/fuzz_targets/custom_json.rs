//! Custom hardware and model JSON: `catalog::parse_hardware_json` and
//! `catalog::parse_model_json` never panic, whatever the text (each input goes to both).

#![no_main]

use libfuzzer_sys::fuzz_target;
use roofline_core::catalog::{parse_hardware_json, parse_model_json};

fuzz_target!(|text: &str| {
    let _ = parse_hardware_json(text);
    let _ = parse_model_json(text);
});
