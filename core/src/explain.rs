//! Every headline figure expanded: its formula, the formula with the estimator's own
//! numbers substituted, the result, and where each input comes from.
//!
//! The numbers are not derived a second time: the explanation runs the estimator's own
//! steps ([`crate::estimate::layer_map`], [`crate::estimate::devices::devices`], [`crate::estimate::plan::plan`],
//! [`crate::estimate::memory::memory`], the [`Timer`] and its
//! per-device terms) and prints what they return, so the result of each explanation is
//! the figure of the [`crate::estimate::Estimate`] (a test checks that to the last bit).
//!
//! ```
//! use roofline_core::{catalog::Catalog, efficiency::Efficiency, explain, quant::QuantScheme};
//! use roofline_core::{series::Inputs, system::System, workload::Workload};
//! let catalog = Catalog::builtin();
//! let entry = catalog.hardware("nvidia-geforce-rtx-3090").unwrap();
//! let system = System::assemble(entry, None, None, 1).unwrap();
//! let (model, workload, eff) = (catalog.model("llama-3-1-8b").unwrap(), Workload::default(), Efficiency::fitted());
//! let inputs = Inputs::new(&system, model, QuantScheme::Q4_K_M, &workload, &eff);
//! let all = explain::explain(&inputs, &[entry]).unwrap();
//! let generation = all.get("generation").unwrap();
//! assert_eq!(generation.result_value, inputs.estimate().unwrap().generation_tokens_per_s);
//! println!("{}\n{}", generation.formula, generation.substituted.join("\n"));
//! ```

mod memory;
mod sources;
mod timing;

use serde::Serialize;

use crate::estimate::devices::Device;
use crate::estimate::plan::DeviceLoad;
use crate::estimate::timing::Timer;
use crate::estimate::EstimateError;
use crate::hardware::HardwareEntry;
use crate::series::{Inputs, Steps};
use crate::source::Source;
use sources::Provenance;

/// The figure keys of [`Explanation::figure`], in display order (`memory` once per device).
pub const FIGURES: [&str; 9] = [
    "model_size",
    "prompt",
    "time_to_first_token",
    "generation",
    "generation_start",
    "generation_end",
    "aggregate_generation",
    "total_time",
    "memory",
];

/// One input of a figure and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Input {
    /// What it is (`GPU peak bandwidth`).
    pub name: String,
    /// Its value with unit (`936 GB/s`).
    pub value: String,
    /// Where it comes from, in words: a catalog entry and its citations, the fitted
    /// efficiency of a family, the workload, a quantization's block layout.
    pub source: String,
    /// The citations behind `source`, for links.
    pub links: Vec<Source>,
}

/// One figure expanded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Stable key, one of [`FIGURES`].
    pub figure: &'static str,
    /// The device a `memory` explanation is about (`CPU`, `GPU 0`); `None` otherwise.
    pub device: Option<String>,
    /// Heading in words.
    pub title: String,
    /// The formula in symbols.
    pub formula: String,
    /// The formula with the estimator's numbers and units, one step a line.
    pub substituted: Vec<String>,
    /// The result with its unit.
    pub result: String,
    /// The result as a number in `unit`; equal to the estimate's field.
    pub result_value: f64,
    /// Unit of `result_value` (`token/s`, `ms`, `s`, `GB`).
    pub unit: &'static str,
    /// The inputs and their sources.
    pub inputs: Vec<Input>,
}

/// All explanations of one estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanations {
    /// In display order: model size, prompt, time to first token, generation (overall,
    /// first and last token, all sequences), total time, then memory per device.
    pub items: Vec<Explanation>,
}

impl Explanations {
    /// The explanation of `figure` (for `memory`, the first device's).
    pub fn get(&self, figure: &str) -> Option<&Explanation> {
        self.items.iter().find(|e| e.figure == figure)
    }

    /// The memory explanation of `device` (`CPU`, `GPU 0`).
    pub fn memory(&self, device: &str) -> Option<&Explanation> {
        self.items.iter().find(|e| e.figure == "memory" && e.device.as_deref() == Some(device))
    }
}

/// What the estimator computed on the way, recomputed with its own functions.
struct Ctx<'a> {
    inputs: Inputs<'a>,
    prov: Provenance<'a>,
    steps: Steps,
}

impl Ctx<'_> {
    fn timer(&self) -> Timer<'_> {
        Timer {
            model: self.inputs.model,
            devices: &self.steps.devs,
            loads: &self.steps.loads,
            kv_bytes_per_element: self.inputs.workload.kv_type.bytes_per_element(),
        }
    }

    fn draft_timer(&self) -> Option<Timer<'_>> {
        let (d, loads) = (self.inputs.draft?, self.steps.draft_loads.as_ref()?);
        Some(Timer {
            model: d,
            devices: &self.steps.devs,
            loads,
            kv_bytes_per_element: self.inputs.workload.kv_type.bytes_per_element(),
        })
    }

    fn devs(&self) -> &[Device] {
        &self.steps.devs
    }

    fn loads(&self) -> &[DeviceLoad] {
        &self.steps.loads
    }

    fn batch(&self) -> f64 {
        f64::from(self.inputs.workload.batch)
    }
}

/// Explains every headline figure of the estimate of `inputs`. `hardware` lists the
/// catalog entries the machine was assembled from (host, GPU); their citations become
/// the sources of the hardware figures they supplied, and figures no entry supplied are
/// marked as the default host or as entered by hand.
///
/// Fails where [`Inputs::estimate`] fails.
pub fn explain(inputs: &Inputs, hardware: &[&HardwareEntry]) -> Result<Explanations, EstimateError> {
    let steps = Steps::new(inputs, inputs.workload)?;
    let ctx = Ctx { inputs: *inputs, prov: Provenance::new(inputs.system, hardware), steps };
    let (prompt, prompt_s) = timing::prompt(&ctx);
    let (ttft, ttft_s) = timing::time_to_first_token(&ctx, prompt_s);
    let (generation, gen_s) = timing::generation(&ctx);
    let aggregate = timing::aggregate(&ctx, generation.result_value);
    let mut items = vec![
        memory::model_size(&ctx),
        prompt,
        ttft,
        generation,
        timing::generation_step(&ctx, timing::Position::First),
        timing::generation_step(&ctx, timing::Position::Last),
        aggregate,
        timing::total_time(ttft_s, gen_s),
    ];
    items.extend(memory::devices(&ctx));
    Ok(Explanations { items })
}
