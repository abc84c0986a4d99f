//! Configurations the explanation and series tests run through.

use roofline_core::workload::{Speculative, Workload};

/// One configuration: host or device entry, optional discrete GPU × count, model, optional
/// draft model, workload.
pub struct Case {
    pub name: &'static str,
    pub hardware: &'static str,
    pub gpu: Option<(&'static str, u32)>,
    pub model: &'static str,
    pub draft: Option<&'static str>,
    pub workload: Workload,
}

/// A single-entry machine with the default workload.
pub fn case(name: &'static str, hardware: &'static str, model: &'static str) -> Case {
    Case { name, hardware, gpu: None, model, draft: None, workload: Workload::default() }
}

/// Speculative decoding with Llama 3.2 1B as the draft.
pub fn spec(draft_tokens: u32, acceptance_rate: f64) -> Option<Speculative> {
    Some(Speculative { draft_model_id: "llama-3-2-1b".into(), draft_tokens, acceptance_rate })
}
