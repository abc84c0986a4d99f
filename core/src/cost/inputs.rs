//! What the site asks about running costs — the electricity price, an API's price, and the
//! user's own price and power for the machine where they differ from the catalog's (or a
//! custom machine has none) — and the energy of an estimate on the scenario's machine.

use serde::{Deserialize, Serialize};

use super::{Energy, MachineCost, DEFAULT_ELECTRICITY_USD_PER_KWH, DEFAULT_MEMORY_USD_PER_GB};
use crate::catalog::Catalog;
use crate::estimate::Estimate;
use crate::scenario::HardwareChoice;

/// The running-cost inputs of the calculator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CostInputs {
    /// Electricity price, USD per kWh.
    pub electricity_usd_per_kwh: f64,
    /// An API's price to compare with, USD per million generated tokens.
    pub api_usd_per_million_tokens: Option<f64>,
    /// The machine's price, USD, in place of its parts' (the catalog's launch prices).
    pub price_usd: Option<f64>,
    /// The machine's sustained power, W, in place of its parts'.
    pub power_w: Option<f64>,
}

impl Default for CostInputs {
    fn default() -> Self {
        CostInputs {
            electricity_usd_per_kwh: DEFAULT_ELECTRICITY_USD_PER_KWH,
            api_usd_per_million_tokens: None,
            price_usd: None,
            power_w: None,
        }
    }
}

/// The machine of `choice` priced and powered from its catalog parts (as `roofline
/// estimate` does); a custom machine has no parts: its price and power are unknown.
pub fn machine_cost(catalog: &Catalog, choice: &HardwareChoice) -> MachineCost {
    let HardwareChoice::Preset { id, gpu, host, gpu_count } = choice else {
        return MachineCost::from_parts(Vec::new()).unknown();
    };
    let entry = |id: &str| catalog.hardware(id).ok();
    match entry(id) {
        Some(main) => MachineCost::of(
            catalog,
            main,
            host.as_deref().and_then(entry),
            gpu.as_deref().and_then(entry),
            (*gpu_count).max(1),
            DEFAULT_MEMORY_USD_PER_GB,
        ),
        None => MachineCost::from_parts(Vec::new()).unknown(),
    }
}

/// The energy of `estimate` on `choice`'s machine with `inputs`: the user's price and power
/// where given, else the parts'. `None` where the power is unknown.
pub fn energy_of(
    catalog: &Catalog,
    choice: &HardwareChoice,
    estimate: &Estimate,
    inputs: &CostInputs,
) -> Option<Energy> {
    let cost = machine_cost(catalog, choice);
    let power_w = inputs.power_w.or(cost.power_w)?;
    Some(Energy::new(
        power_w,
        estimate.prompt_tokens_per_s,
        estimate.aggregate_generation_tokens_per_s,
        inputs.electricity_usd_per_kwh,
        inputs.price_usd.or(cost.price_usd),
        inputs.api_usd_per_million_tokens,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::efficiency::Efficiency;
    use crate::scenario::Scenario;

    #[test]
    fn the_parts_price_a_catalog_machine_and_the_user_overrides_them() {
        let c = Catalog::builtin();
        let s = Scenario { hardware: HardwareChoice::preset("nvidia-geforce-rtx-4090"), ..Scenario::default() };
        let e = s.evaluate(&c, &Efficiency::fitted()).unwrap_or_else(|e| panic!("{e}")).estimate;
        let parts = energy_of(&c, &s.hardware, &e, &CostInputs::default()).unwrap_or_else(|| panic!("no power"));
        let cost = machine_cost(&c, &s.hardware);
        assert_eq!(Some(parts.power_w), cost.power_w);
        assert_eq!(parts.machine_price_usd, cost.price_usd);
        assert!((parts.joules_per_generated_token - parts.power_w / e.aggregate_generation_tokens_per_s).abs() < 1e-9);
        let mine = CostInputs {
            electricity_usd_per_kwh: 0.1,
            api_usd_per_million_tokens: Some(5.0),
            price_usd: Some(1000.0),
            power_w: Some(300.0),
        };
        let own = energy_of(&c, &s.hardware, &e, &mine).unwrap_or_else(|| panic!("no power"));
        assert_eq!((own.power_w, own.machine_price_usd), (300.0, Some(1000.0)));
        let saving = 5.0 - own.cost_usd_per_million_generated_tokens;
        assert!((own.break_even_million_tokens.flatten().unwrap_or(0.0) - 1000.0 / saving).abs() < 1e-9);
    }

    #[test]
    fn a_custom_machine_needs_the_users_power() {
        let c = Catalog::builtin();
        let system = HardwareChoice::preset("apple-m2-max-12c-38g").system(&c).unwrap_or_else(|e| panic!("{e}"));
        let s = Scenario { hardware: HardwareChoice::Custom(Box::new(system)), ..Scenario::default() };
        let e = s.evaluate(&c, &Efficiency::fitted()).unwrap_or_else(|e| panic!("{e}")).estimate;
        assert!(energy_of(&c, &s.hardware, &e, &CostInputs::default()).is_none());
        let with_power = CostInputs { power_w: Some(90.0), ..CostInputs::default() };
        let energy = energy_of(&c, &s.hardware, &e, &with_power).unwrap_or_else(|| panic!("no energy"));
        assert_eq!((energy.power_w, energy.machine_price_usd), (90.0, None));
    }
}
