//! A scenario: one machine, one model, one quantization and one workload, as a user picks
//! them — catalog presets by id, or custom values. The site holds scenarios as its state
//! and shares them in links (`crate::share`); resolving one gives the inputs of
//! [`crate::estimate::estimate`], and evaluating it gives every figure the site shows.

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, CatalogError};
use crate::check::{check_hardware, check_model, SpecError};
use crate::efficiency::Efficiency;
use crate::estimate::verdict::UseCaseVerdict;
use crate::estimate::{estimate_with_draft, use_case_verdicts, Estimate, EstimateError};
use crate::hardware::{HardwareEntry, HardwareKind};
use crate::localscore::{self, LocalScore};
use crate::model::ModelSpec;
use crate::quant::QuantScheme;
use crate::system::{System, SystemError};
use crate::workload::Workload;

/// The machine of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HardwareChoice {
    /// Catalog entries, combined as [`System::assemble`] does.
    Preset {
        /// The main entry (a CPU, a system, or a discrete GPU).
        id: String,
        /// A discrete GPU added to a CPU entry.
        gpu: Option<String>,
        /// The host of a discrete GPU entry.
        host: Option<String>,
        /// Number of identical discrete GPUs.
        gpu_count: u32,
    },
    /// Every figure given by the user (often a preset's values, then edited).
    Custom(Box<System>),
}

/// The model of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelChoice {
    /// A catalog model by id.
    Preset(String),
    /// Dimensions given by the user or read from a GGUF header.
    Custom(Box<ModelSpec>),
}

/// One configuration the user is looking at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// The machine.
    pub hardware: HardwareChoice,
    /// The model.
    pub model: ModelChoice,
    /// Quantization; `None` uses the model's default.
    pub quant: Option<QuantScheme>,
    /// Tokens, batch, context, KV type, placement, cold start and speculative decoding.
    pub workload: Workload,
}

/// The id of the machine a new visitor sees first: a common desktop card.
pub const DEFAULT_HARDWARE_ID: &str = "nvidia-geforce-rtx-4070";
/// The id of the model a new visitor sees first.
pub const DEFAULT_MODEL_ID: &str = "llama-3-1-8b";

impl HardwareChoice {
    /// A single catalog entry.
    pub fn preset(id: &str) -> HardwareChoice {
        HardwareChoice::Preset { id: id.to_owned(), gpu: None, host: None, gpu_count: 1 }
    }
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            hardware: HardwareChoice::preset(DEFAULT_HARDWARE_ID),
            model: ModelChoice::Preset(DEFAULT_MODEL_ID.to_owned()),
            quant: None,
            workload: Workload::default(),
        }
    }
}

/// Why a scenario cannot be evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScenarioError {
    /// An id is not in the catalog.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// Catalog entries that do not combine into a machine.
    #[error(transparent)]
    System(#[from] SystemError),
    /// A custom figure out of range.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// The estimator refused the combination.
    #[error(transparent)]
    Estimate(#[from] EstimateError),
}

/// A scenario with its catalog references looked up.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The machine.
    pub system: System,
    /// The model.
    pub model: ModelSpec,
    /// The draft model when the workload decodes speculatively.
    pub draft: Option<ModelSpec>,
    /// The quantization in effect.
    pub quant: QuantScheme,
    /// The workload.
    pub workload: Workload,
}

/// Everything the site shows for one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The estimate for the scenario's own workload.
    pub estimate: Estimate,
    /// Verdicts for UC1–UC4 with the same machine, model and placement.
    pub verdicts: Vec<UseCaseVerdict>,
    /// The nine LocalScore tests and the score.
    pub localscore: LocalScore,
}

/// A catalog model as a custom one: the same dimensions, without the catalog's id,
/// aliases, release year and sources (which a link does not carry).
pub fn custom_model(spec: &ModelSpec) -> ModelSpec {
    ModelSpec { id: "custom".into(), aliases: Vec::new(), released: None, sources: Vec::new(), ..spec.clone() }
}

/// Checks a custom machine with the catalog's range checks.
pub fn check_system(system: &System) -> Result<(), SpecError> {
    let kind = if system.gpu.is_some() { HardwareKind::Apu } else { HardwareKind::Cpu };
    let entry = HardwareEntry {
        id: "custom".to_owned(),
        name: system.name.clone(),
        kind,
        class: crate::hardware::HardwareClass::Desktop,
        vendor: String::new(),
        released: None,
        aliases: Vec::new(),
        cpu: Some(system.cpu.clone()),
        memory: Some(system.memory.clone()),
        gpu: system.gpu.clone(),
        unified_memory: system.unified,
        price_usd: None,
        power_w: None,
        sources: Vec::new(),
    };
    check_hardware(&entry)?;
    if system.gpu_count == 0 || system.gpu_count > 16 {
        return Err(SpecError {
            entry: "custom".into(),
            field: "gpu count".into(),
            problem: format!("must be between 1 and 16, got {}", system.gpu_count),
        });
    }
    Ok(())
}

impl HardwareChoice {
    /// The machine, from the catalog or as given.
    pub fn system(&self, catalog: &Catalog) -> Result<System, ScenarioError> {
        match self {
            HardwareChoice::Preset { id, gpu, host, gpu_count } => {
                let main = catalog.hardware(id)?;
                let host = host.as_deref().map(|h| catalog.hardware(h)).transpose()?;
                let gpu = gpu.as_deref().map(|g| catalog.hardware(g)).transpose()?;
                Ok(System::assemble(main, host, gpu, *gpu_count)?)
            }
            HardwareChoice::Custom(system) => {
                check_system(system)?;
                Ok(System::clone(system))
            }
        }
    }
}

impl ModelChoice {
    /// The model, from the catalog or as given.
    pub fn spec(&self, catalog: &Catalog) -> Result<ModelSpec, ScenarioError> {
        match self {
            ModelChoice::Preset(id) => Ok(catalog.model(id)?.clone()),
            ModelChoice::Custom(spec) => {
                check_model(spec)?;
                Ok(ModelSpec::clone(spec))
            }
        }
    }
}

impl Scenario {
    /// Looks up the scenario's catalog references and checks custom values.
    pub fn resolve(&self, catalog: &Catalog) -> Result<Resolved, ScenarioError> {
        let system = self.hardware.system(catalog)?;
        // The runtime's backend, so explanations name the family that predicts the figures.
        let system = system.with_backend(self.workload.backend).into_owned();
        let model = self.model.spec(catalog)?;
        let draft = match &self.workload.speculative {
            Some(s) => Some(catalog.model(&s.draft_model_id)?.clone()),
            None => None,
        };
        let quant =
            self.quant.unwrap_or_else(|| QuantScheme::parse(&model.default_quant).unwrap_or(QuantScheme::Q4_K_M));
        Ok(Resolved { system, model, draft, quant, workload: self.workload.clone() })
    }

    /// Estimate, use-case verdicts and LocalScore for the scenario.
    pub fn evaluate(&self, catalog: &Catalog, eff: &Efficiency) -> Result<Evaluation, ScenarioError> {
        self.resolve(catalog)?.evaluate(eff)
    }
}

impl Resolved {
    /// The estimate for the workload.
    pub fn estimate(&self, eff: &Efficiency) -> Result<Estimate, ScenarioError> {
        Ok(estimate_with_draft(&self.system, &self.model, self.draft.as_ref(), self.quant, &self.workload, eff)?)
    }

    /// Estimate, use-case verdicts and LocalScore.
    pub fn evaluate(&self, eff: &Efficiency) -> Result<Evaluation, ScenarioError> {
        let estimate = self.estimate(eff)?;
        let base = Workload { speculative: None, ..self.workload.clone() };
        let verdicts = use_case_verdicts(&self.system, &self.model, self.quant, &base, eff)?;
        let localscore = localscore::predict(&self.system, &self.model, self.quant, &base, eff)?;
        Ok(Evaluation { estimate, verdicts, localscore })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scenario_evaluates() {
        let catalog = Catalog::builtin();
        let e = Scenario::default().evaluate(&catalog, &Efficiency::fitted()).unwrap();
        assert!(e.estimate.generation_tokens_per_s > 10.0);
        assert_eq!(e.verdicts.len(), 4);
        assert!(e.localscore.score > 0.0);
    }

    #[test]
    fn custom_copy_of_a_preset_gives_the_same_estimate() {
        let catalog = Catalog::builtin();
        let eff = Efficiency::fitted();
        let preset = Scenario::default();
        let system = preset.hardware.system(&catalog).unwrap();
        let model = preset.model.spec(&catalog).unwrap();
        let custom = Scenario {
            hardware: HardwareChoice::Custom(Box::new(system)),
            model: ModelChoice::Custom(Box::new(model)),
            ..preset.clone()
        };
        let a = preset.evaluate(&catalog, &eff).unwrap();
        let b = custom.evaluate(&catalog, &eff).unwrap();
        assert_eq!(a.estimate.generation_tokens_per_s, b.estimate.generation_tokens_per_s);
    }

    #[test]
    fn bad_custom_values_are_errors() {
        let catalog = Catalog::builtin();
        let mut system = HardwareChoice::preset(DEFAULT_HARDWARE_ID).system(&catalog).unwrap();
        system.memory.channels = 0;
        let s = Scenario { hardware: HardwareChoice::Custom(Box::new(system)), ..Scenario::default() };
        let err = s.evaluate(&catalog, &Efficiency::fitted()).unwrap_err();
        assert!(err.to_string().contains("memory.channels"), "{err}");
    }
}
