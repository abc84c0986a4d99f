//! The estimator's intermediate steps for one set of inputs, run with its own functions
//! and set up as [`crate::estimate::estimate_with_draft`] sets them up: the devices, each
//! device's load, and the draft model's loads. Explanations print them; the memory curve
//! reuses them for every context, as the placement does not depend on it.

use super::Inputs;
use crate::estimate::devices::{devices, Device};
use crate::estimate::memory::{memory, DeviceMemory};
use crate::estimate::plan::{plan, DeviceLoad, LayerMap};
use crate::estimate::{layer_map, EstimateError};
use crate::workload::Workload;

/// Devices and loads of one estimate.
pub(crate) struct Steps {
    /// The devices with their effective rates (CPU first).
    pub(crate) devs: Vec<Device>,
    /// What each device holds, reads and computes.
    pub(crate) loads: Vec<DeviceLoad>,
    /// The draft model's loads, when decoding speculatively: all on the device of the
    /// target's last block.
    pub(crate) draft_loads: Option<Vec<DeviceLoad>>,
}

impl Steps {
    /// The steps for `inputs` with `workload` in place of its own; refuses what the
    /// estimator refuses.
    pub(crate) fn new(inputs: &Inputs, workload: &Workload) -> Result<Steps, EstimateError> {
        workload.validate()?;
        if workload.speculative.is_some() && inputs.draft.is_none() {
            return Err(EstimateError::DraftMissing);
        }
        let system = &*inputs.system.with_backend(workload.backend);
        let (model, quant) = (inputs.model, inputs.quant);
        let map = layer_map(model, quant, system, workload, inputs.eff)?;
        let gpus = if system.gpu.is_some() { system.gpu_count.max(1) } else { 0 };
        let draft_loads = match (inputs.draft, &workload.speculative) {
            (Some(d), Some(_)) => {
                let home = map.gpu_of_layer.last().copied().flatten();
                let draft_map = LayerMap { gpu_of_layer: vec![home; d.layers as usize], experts_on_cpu: false };
                Some(plan(d, quant, &draft_map, gpus))
            }
            _ => None,
        };
        Ok(Steps { devs: devices(system, inputs.eff, workload), loads: plan(model, quant, &map, gpus), draft_loads })
    }

    /// Memory per device of the target model alone, and of the draft model (empty
    /// without one).
    pub(crate) fn memory_parts(&self, inputs: &Inputs, workload: &Workload) -> (Vec<DeviceMemory>, Vec<DeviceMemory>) {
        let target = memory(inputs.model, workload, &self.devs, &self.loads);
        let draft = match (inputs.draft, &self.draft_loads) {
            (Some(d), Some(loads)) => memory(d, workload, &self.devs, loads),
            _ => Vec::new(),
        };
        (target, draft)
    }

    /// Memory per device with the draft model's weights and KV cache added, as the
    /// estimate lists it.
    pub(crate) fn memory(&self, inputs: &Inputs, workload: &Workload) -> Vec<DeviceMemory> {
        let (mut target, draft) = self.memory_parts(inputs, workload);
        for m in &mut target {
            if let Some(dm) = draft.iter().find(|dm| dm.device == m.device) {
                m.weights_gb += dm.weights_gb;
                m.kv_cache_gb += dm.kv_cache_gb;
                m.total_gb += dm.weights_gb + dm.kv_cache_gb;
                m.fits = m.total_gb <= m.capacity_gb;
            }
        }
        target
    }
}
