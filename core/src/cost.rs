//! What a machine costs: its price from its parts, its power under load, and the energy
//! and electricity per token of an estimate, with the point where owning it becomes
//! cheaper than paying an API.
//!
//! Power is typical power under sustained load, not idle: a discrete GPU's board power, a
//! CPU's package power when it runs the model alone (the sheet's TDP or base power), the
//! unified-memory chip's package power under GPU load for Apple and APU machines. A machine
//! draws the sum of its parts (cards plus the host CPU, which over-counts a host that only
//! feeds its GPUs); memory, drives, fans and the power supply's losses are not counted.

use serde::Serialize;

use crate::catalog::Catalog;

pub mod inputs;
use crate::hardware::{HardwareClass, HardwareEntry, HardwareKind};
use crate::source::Source;

/// Electricity price used when none is given, USD per kWh.
pub const DEFAULT_ELECTRICITY_USD_PER_KWH: f64 = 0.25;

/// Price of system memory assumed for a CPU machine or a GPU machine's host, USD per GB
/// (DDR4/DDR5 desktop and server modules, late 2025; an assumption, not a quote).
pub const DEFAULT_MEMORY_USD_PER_GB: f64 = 3.0;

/// Joules in a kilowatt-hour.
const JOULES_PER_KWH: f64 = 3.6e6;

/// The catalog CPU that prices and powers the estimator's default host (an 8-core Zen 3
/// desktop with 64 GB DDR4, see [`crate::system::default_host`]).
pub const DEFAULT_HOST_CPU_ID: &str = "amd-ryzen-7-5800x";

/// Motherboard, power supply, case and drive of a machine built around a CPU of this
/// class, USD: an assumption of the planner (typical late-2025 parts), not a quoted price.
pub fn platform_usd(class: HardwareClass) -> f64 {
    match class {
        HardwareClass::Workstation => 1500.0,
        HardwareClass::Server => 5000.0,
        _ => 500.0,
    }
}

/// Whether an entry's price is its processor alone (desktop, workstation and server CPUs
/// and desktop APUs) rather than a complete machine (Apple, APU mini-PCs, laptops, phones,
/// boards).
pub fn priced_as_processor(entry: &HardwareEntry) -> bool {
    matches!(entry.kind, HardwareKind::Cpu | HardwareKind::Apu)
        && matches!(entry.class, HardwareClass::Desktop | HardwareClass::Workstation | HardwareClass::Server)
}

/// One line of a machine's price.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// What it is (`NVIDIA GeForce RTX 4090`, `64 GB system memory at $3/GB`).
    pub what: String,
    /// How many.
    pub count: u32,
    /// Price of one, USD; `None` where no public price is known.
    pub unit_price_usd: Option<f64>,
    /// Power of one under sustained load, W; `None` where not counted or unknown.
    pub unit_power_w: Option<f64>,
    /// Where the price comes from (`None` for the planner's own assumptions).
    pub source: Option<Source>,
    /// Whether the part's power counts (processors and cards; not memory or the platform).
    #[serde(skip)]
    pub draws_power: bool,
}

/// A machine's price and power from its parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MachineCost {
    /// Sum of the parts, USD; `None` when any part's price is unknown.
    pub price_usd: Option<f64>,
    /// Sum of the parts' sustained power, W; `None` when a powered part's is unknown.
    pub power_w: Option<f64>,
    /// The parts.
    pub parts: Vec<Part>,
}

fn entry_part(e: &HardwareEntry, count: u32) -> Part {
    Part {
        what: e.name.clone(),
        count,
        unit_price_usd: e.price_usd,
        unit_power_w: e.sustained_power_w(),
        source: e.price_source().cloned(),
        draws_power: true,
    }
}

/// A CPU entry as a host or a machine: the processor, its memory at `memory_usd_per_gb`
/// and the platform of its class (for desktop, workstation and server CPUs), or the
/// entry's complete-machine price (everything else).
fn cpu_parts(e: &HardwareEntry, memory_usd_per_gb: f64) -> Vec<Part> {
    let mut parts = vec![entry_part(e, 1)];
    if priced_as_processor(e) {
        if let Some(m) = &e.memory {
            parts.push(Part {
                what: format!("{} GB {} at ${memory_usd_per_gb}/GB", m.capacity_gb, m.kind),
                count: 1,
                unit_price_usd: Some(m.capacity_gb * memory_usd_per_gb),
                unit_power_w: None,
                source: None,
                draws_power: false,
            });
        }
        parts.push(Part {
            what: "motherboard, power supply, case and drive (assumed)".to_owned(),
            count: 1,
            unit_price_usd: Some(platform_usd(e.class)),
            unit_power_w: None,
            source: None,
            draws_power: false,
        });
    }
    parts
}

impl MachineCost {
    /// The machine `System::assemble(main, host, extra_gpu, gpu_count)` builds: a GPU entry's
    /// cards on `host` (or the default host, priced as [`DEFAULT_HOST_CPU_ID`] with 64 GB),
    /// a CPU entry with an added GPU, or an entry alone.
    pub fn of(
        catalog: &Catalog,
        main: &HardwareEntry,
        host: Option<&HardwareEntry>,
        extra_gpu: Option<&HardwareEntry>,
        gpu_count: u32,
        memory_usd_per_gb: f64,
    ) -> MachineCost {
        let mut parts = Vec::new();
        if main.cpu.is_some() {
            parts.extend(cpu_parts(main, memory_usd_per_gb));
            if let Some(g) = extra_gpu {
                parts.push(entry_part(g, gpu_count));
            }
        } else {
            match host.or_else(|| catalog.hardware(DEFAULT_HOST_CPU_ID).ok()) {
                Some(h) => {
                    let mut host_parts = cpu_parts(h, memory_usd_per_gb);
                    if host.is_none() {
                        let memory_gb = crate::system::default_host().1.capacity_gb;
                        if let Some(m) = host_parts.get_mut(1) {
                            m.what = format!("{memory_gb} GB DDR4 at ${memory_usd_per_gb}/GB");
                            m.unit_price_usd = Some(memory_gb * memory_usd_per_gb);
                        }
                    }
                    parts.extend(host_parts);
                }
                None => parts.push(Part {
                    what: "host".to_owned(),
                    count: 1,
                    unit_price_usd: None,
                    unit_power_w: None,
                    source: None,
                    draws_power: true,
                }),
            }
            parts.push(entry_part(main, gpu_count));
        }
        MachineCost::from_parts(parts)
    }

    /// The same parts with price and power unknown (a machine without catalog parts).
    pub fn unknown(self) -> MachineCost {
        MachineCost { price_usd: None, power_w: None, ..self }
    }

    /// Sums `parts`.
    pub fn from_parts(parts: Vec<Part>) -> MachineCost {
        let price_usd = parts.iter().map(|p| p.unit_price_usd.map(|u| u * f64::from(p.count))).sum::<Option<f64>>();
        let power_w = parts
            .iter()
            .filter(|p| p.draws_power)
            .map(|p| p.unit_power_w.map(|w| w * f64::from(p.count)))
            .sum::<Option<f64>>();
        MachineCost { price_usd, power_w, parts }
    }
}

/// Energy and electricity of one estimate on one machine.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Energy {
    /// The machine's sustained power, W.
    pub power_w: f64,
    /// Energy per generated token, J: `power_w ÷ generation token/s` (all sequences).
    pub joules_per_generated_token: f64,
    /// Energy per prompt token, J: `power_w ÷ prompt token/s`.
    pub joules_per_prompt_token: f64,
    /// `joules_per_generated_token × 10⁶ ÷ 3.6 × 10⁶` kWh.
    pub kwh_per_million_generated_tokens: f64,
    /// The electricity price used, USD per kWh.
    pub electricity_usd_per_kwh: f64,
    /// `kwh_per_million_generated_tokens × electricity_usd_per_kwh`.
    pub cost_usd_per_million_generated_tokens: f64,
    /// The machine's price, USD, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine_price_usd: Option<f64>,
    /// The API price compared with, USD per million generated tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_usd_per_million_tokens: Option<f64>,
    /// Million generated tokens after which the machine (price plus electricity) costs less
    /// than the API: `price ÷ (api − electricity per million)`. Present when an API price
    /// is given; `null` when the machine's price is unknown or its electricity alone costs
    /// at least the API's price (it never pays off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub break_even_million_tokens: Option<Option<f64>>,
}

impl Energy {
    /// Energy for a machine of `power_w` that processes prompts at `prompt_tokens_per_s`
    /// and generates at `generation_tokens_per_s` (both all sequences together), with
    /// electricity at `electricity_usd_per_kwh`, and, given the machine's price and an API
    /// price per million tokens, the break-even point.
    ///
    /// ```
    /// use roofline_core::cost::Energy;
    /// // 450 W at 100 token/s: 4.5 J per token, 1.25 kWh per million tokens.
    /// let e = Energy::new(450.0, 4500.0, 100.0, 0.2, Some(2000.0), Some(10.0));
    /// assert!((e.kwh_per_million_generated_tokens - 1.25).abs() < 1e-12);
    /// assert!((e.cost_usd_per_million_generated_tokens - 0.25).abs() < 1e-12);
    /// // 2000 $ ÷ (10 − 0.25) $ per million tokens.
    /// assert!((e.break_even_million_tokens.flatten().unwrap() - 2000.0 / 9.75).abs() < 1e-9);
    /// ```
    pub fn new(
        power_w: f64,
        prompt_tokens_per_s: f64,
        generation_tokens_per_s: f64,
        electricity_usd_per_kwh: f64,
        machine_price_usd: Option<f64>,
        api_usd_per_million_tokens: Option<f64>,
    ) -> Energy {
        let per = |tokens_per_s: f64| if tokens_per_s > 0.0 { power_w / tokens_per_s } else { f64::INFINITY };
        let joules_per_generated_token = per(generation_tokens_per_s);
        let kwh_per_million_generated_tokens = joules_per_generated_token * 1e6 / JOULES_PER_KWH;
        let cost_usd_per_million_generated_tokens = kwh_per_million_generated_tokens * electricity_usd_per_kwh;
        let break_even_million_tokens = api_usd_per_million_tokens.map(|api| {
            let saving = api - cost_usd_per_million_generated_tokens;
            machine_price_usd.filter(|_| saving > 0.0).map(|price| price / saving)
        });
        Energy {
            power_w,
            joules_per_generated_token,
            joules_per_prompt_token: per(prompt_tokens_per_s),
            kwh_per_million_generated_tokens,
            electricity_usd_per_kwh,
            cost_usd_per_million_generated_tokens,
            machine_price_usd,
            api_usd_per_million_tokens,
            break_even_million_tokens,
        }
    }
}

/// How many entries of one group carry a price and a power figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// The group (`discrete desktop and workstation GPUs`).
    pub group: &'static str,
    /// Entries in the group.
    pub entries: usize,
    /// Entries with a price.
    pub priced: usize,
    /// Entries with a sustained power figure.
    pub powered: usize,
    /// Ids of the entries without a price (no public price).
    pub unknown_price_ids: Vec<String>,
}

/// Price and power coverage of the groups the catalog promises them for: discrete
/// consumer and workstation GPUs, desktop/workstation/server CPUs, Apple machines.
pub fn coverage(catalog: &Catalog) -> Vec<Coverage> {
    type Member = fn(&HardwareEntry) -> bool;
    let groups: [(&'static str, Member); 3] = [
        ("discrete desktop and workstation GPUs", |e| {
            e.kind == HardwareKind::Gpu && matches!(e.class, HardwareClass::Desktop | HardwareClass::Workstation)
        }),
        ("desktop, workstation and server CPUs", |e| {
            e.kind == HardwareKind::Cpu
                && matches!(e.class, HardwareClass::Desktop | HardwareClass::Workstation | HardwareClass::Server)
        }),
        ("Apple machines", |e| e.kind == HardwareKind::Apple),
    ];
    groups
        .iter()
        .map(|(group, member)| {
            let entries: Vec<&HardwareEntry> = catalog.hardware.iter().filter(|e| member(e)).collect();
            Coverage {
                group,
                entries: entries.len(),
                priced: entries.iter().filter(|e| e.price_usd.is_some()).count(),
                powered: entries.iter().filter(|e| e.sustained_power_w().is_some()).count(),
                unknown_price_ids: entries.iter().filter(|e| e.price_usd.is_none()).map(|e| e.id.clone()).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn energy_per_token_follows_power_and_speed() {
        let e = Energy::new(100.0, 1000.0, 20.0, 0.25, None, None);
        assert_eq!(e.joules_per_generated_token, 5.0);
        assert_eq!(e.joules_per_prompt_token, 0.1);
        assert!((e.kwh_per_million_generated_tokens - 5.0 / 3.6).abs() < 1e-12);
        assert!((e.cost_usd_per_million_generated_tokens - 0.25 * 5.0 / 3.6).abs() < 1e-12);
        assert_eq!(e.break_even_million_tokens, None);
    }

    #[test]
    fn break_even_needs_a_price_and_a_dearer_api() {
        // 5 J per token: 1.39 kWh, 0.35 $ of electricity per million tokens.
        let unknown = Energy::new(100.0, 1000.0, 20.0, 0.25, None, Some(10.0));
        assert_eq!(unknown.break_even_million_tokens, Some(None));
        let never = Energy::new(100.0, 1000.0, 20.0, 0.25, Some(1000.0), Some(0.3));
        assert_eq!(never.break_even_million_tokens, Some(None));
        let pays = Energy::new(100.0, 1000.0, 20.0, 0.25, Some(1000.0), Some(10.0));
        let x = pays.break_even_million_tokens.flatten().unwrap_or(f64::NAN);
        // At x million tokens owning costs what the API does.
        assert!((1000.0 + x * pays.cost_usd_per_million_generated_tokens - x * 10.0).abs() < 1e-9);
    }

    #[test]
    fn a_stalled_machine_uses_infinite_energy_per_token() {
        let e = Energy::new(100.0, 0.0, 0.0, 0.25, Some(1.0), Some(1.0));
        assert!(e.joules_per_generated_token.is_infinite());
        assert_eq!(e.break_even_million_tokens, Some(None));
    }

    #[test]
    fn machines_sum_their_parts() {
        let c = Catalog::builtin();
        let get = |id: &str| c.hardware(id).unwrap_or_else(|e| panic!("{e}"));
        let gpu = get("nvidia-geforce-rtx-4090");
        let host = get("amd-ryzen-9-7900");
        let m = MachineCost::of(&c, gpu, Some(host), None, 2, 3.0);
        let (Some(card), Some(cpu)) = (gpu.price_usd, host.price_usd) else { panic!("prices missing") };
        let memory_gb = host.memory.as_ref().map_or(0.0, |m| m.capacity_gb);
        let expected = 2.0 * card + cpu + 3.0 * memory_gb + platform_usd(HardwareClass::Desktop);
        assert_eq!(m.price_usd, Some(expected));
        let power = 2.0 * gpu.sustained_power_w().unwrap_or(0.0) + host.sustained_power_w().unwrap_or(0.0);
        assert_eq!(m.power_w, Some(power));
        // A Mac is its own price.
        let mac = get("apple-m4-pro-12c-16g");
        let m = MachineCost::of(&c, mac, None, None, 1, 3.0);
        assert_eq!(m.price_usd, mac.price_usd);
        assert_eq!(m.parts.len(), 1);
        // A card without a host is priced on the default host.
        let m = MachineCost::of(&c, gpu, None, None, 1, 3.0);
        assert!(m.parts.iter().any(|p| p.what.contains("Ryzen 7 5800X")), "{m:?}");
        assert!(m.price_usd.is_some());
    }

    /// Every price and power figure is positive and cites its source; at least 85 % of the
    /// promised groups together has a price and 90 % power (OEM-only, Apple-only and cloud
    /// CPUs have no public price, so each group alone keeps at least 85 %, Apple machines
    /// 50 % while their build-to-order prices are unsourced).
    #[test]
    fn prices_and_power_have_sources_and_cover_the_groups() {
        let c = Catalog::builtin();
        for e in &c.hardware {
            if let Some(p) = e.price_usd {
                assert!(p > 0.0 && p.is_finite(), "{}: price {p}", e.id);
                assert!(e.price_source().is_some(), "{}: a price without a 'Price: ' source", e.id);
            }
            if let Some(w) = e.power_w {
                assert!(w > 0.0 && w.is_finite(), "{}: power {w}", e.id);
                assert!(
                    e.sources.iter().any(|s| s.title.starts_with(crate::hardware::POWER_SOURCE_PREFIX)),
                    "{}: a power figure without a 'Power: ' source",
                    e.id
                );
            }
            assert_eq!(e.price_source().is_some(), e.price_usd.is_some(), "{}: a price source without a price", e.id);
        }
        for g in coverage(&c) {
            println!(
                "{}: {} of {} priced, {} with power; no public price: {}",
                g.group,
                g.priced,
                g.entries,
                g.powered,
                g.unknown_price_ids.join(", ")
            );
            // Prices were checked against sources (docs/catalog-schema.md). Apple's
            // build-to-order upgrades (a higher chip bin or more memory than a standard
            // configuration) had no source stating the configured price, so those prices were
            // removed: measured coverage is 18 of 32 Apple machines (56 %), 78 of 81 GPUs
            // (96 %), 92 of 103 CPUs (89 %). Apple's floor is lowered to 50 % until they are
            // sourced; the others keep 85 %.
            let floor = if g.group == "Apple machines" { 50 } else { 85 };
            assert!(g.priced * 100 >= g.entries * floor, "{g:?}");
            assert!(g.powered * 100 >= g.entries * 85, "{g:?}");
        }
        let groups = coverage(&c);
        let total: usize = groups.iter().map(|g| g.entries).sum();
        let priced: usize = groups.iter().map(|g| g.priced).sum();
        let powered: usize = groups.iter().map(|g| g.powered).sum();
        println!("together: {priced} of {total} priced, {powered} with power");
        // Measured after the source check: 188 of 216 priced (87 %), 212 with power (98 %);
        // the price floor together is 85 % (was 90 %) for the reason given above.
        assert!(priced * 100 >= total * 85 && powered * 10 >= total * 9, "{priced}, {powered} of {total}");
    }
}
