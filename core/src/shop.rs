//! "What should I buy?": every catalog machine that runs a model well enough for a target,
//! cheapest first.
//!
//! The machines: each CPU alone (a desktop, workstation or server processor with its
//! catalog memory priced per GB and a platform, see [`crate::cost`]), each Apple, APU,
//! phone, laptop and board entry as the complete machine it is, and each discrete desktop,
//! workstation or server GPU in counts of 1, 2, 4 and 8 on the host [`HOSTS`] names for
//! the count. Laptop GPUs are left out (they come in a laptop, not on a host). Each row's
//! figures are [`crate::plan::plan_row`]'s, so [`crate::estimate::estimate`] of the same
//! machine (`roofline estimate --hardware ID --host HOST --gpus N`), model, quantization
//! and workload gives the same numbers.

use serde::Serialize;

use crate::catalog::Catalog;
use crate::cost::MachineCost;
use crate::efficiency::Efficiency;
use crate::estimate::verdict::{
    Verdict, BACKGROUND_TOTAL_S, INTERACTIVE_TG_TOKENS_PER_S, INTERACTIVE_TTFT_S, OFFLINE_TOTAL_S,
};
use crate::estimate::{estimate, Estimate};
use crate::hardware::{HardwareClass, HardwareEntry, HardwareKind};
use crate::model::ModelSpec;
use crate::plan::{plan_row, Fit};
use crate::quant::QuantScheme;
use crate::system::System;
use crate::workload::Workload;

/// GPU counts a discrete card is offered in.
pub const GPU_COUNTS: [u32; 4] = [1, 2, 4, 8];

/// The host a number of discrete GPUs is put on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Host {
    /// Most GPUs this host takes.
    pub max_gpus: u32,
    /// What kind of machine it is.
    pub label: &'static str,
    /// The catalog CPU entry (its memory is the host's memory).
    pub cpu_id: &'static str,
}

/// The hosts by GPU count: a desktop for one or two cards, a workstation for four, a
/// server for eight. Each is priced as its catalog CPU, its catalog memory and the
/// platform of its class ([`crate::cost::platform_usd`]).
pub const HOSTS: [Host; 3] = [
    Host { max_gpus: 2, label: "desktop", cpu_id: "amd-ryzen-9-7900" },
    Host { max_gpus: 4, label: "workstation", cpu_id: "amd-ryzen-threadripper-7970x" },
    Host { max_gpus: 8, label: "server", cpu_id: "amd-epyc-9554p" },
];

/// The host for `gpus` cards.
pub fn host_for(gpus: u32) -> Option<&'static Host> {
    HOSTS.iter().find(|h| gpus <= h.max_gpus)
}

/// What a machine must reach.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Target {
    /// The workload's verdict is this one or better (interactive is best).
    Verdict {
        /// The worst verdict accepted.
        verdict: Verdict,
    },
    /// Generation at least this fast and the first token at most this late.
    Speeds {
        /// Least generation speed, token/s.
        min_generation_tokens_per_s: f64,
        /// Most time to first token, ms.
        max_time_to_first_token_ms: f64,
    },
}

impl Target {
    /// How far `e` is inside the target: the smallest ratio of a limit to the estimate's
    /// figure (generation ÷ least speed, most time ÷ time), so ≥ 1 meets it; 0 when the
    /// model does not fit.
    pub fn headroom(&self, e: &Estimate) -> f64 {
        if !e.fits {
            return 0.0;
        }
        let ratio = |have: f64, limit: f64| if have > 0.0 { limit / have } else { f64::INFINITY };
        let speeds = |min_tg: f64, max_ttft_ms: f64| {
            let tg = if min_tg > 0.0 { e.generation_tokens_per_s / min_tg } else { f64::INFINITY };
            tg.min(ratio(e.time_to_first_token_ms, max_ttft_ms))
        };
        match *self {
            Target::Speeds { min_generation_tokens_per_s, max_time_to_first_token_ms } => {
                speeds(min_generation_tokens_per_s, max_time_to_first_token_ms)
            }
            Target::Verdict { verdict: Verdict::Interactive } => {
                // The verdict needs strictly more than the limits; equality counts as met.
                let h = speeds(INTERACTIVE_TG_TOKENS_PER_S, INTERACTIVE_TTFT_S * 1e3);
                if e.verdict == Verdict::Interactive {
                    h.max(1.0)
                } else {
                    h.min(1.0 - f64::EPSILON)
                }
            }
            Target::Verdict { verdict: Verdict::Background } => ratio(e.total_time_s, BACKGROUND_TOTAL_S),
            Target::Verdict { verdict: Verdict::Offline } => ratio(e.total_time_s, OFFLINE_TOTAL_S),
            Target::Verdict { verdict: Verdict::NonViable } => f64::INFINITY,
        }
    }

    /// Whether `e` meets the target: the model fits and every limit holds.
    pub fn met_by(&self, e: &Estimate) -> bool {
        e.fits
            && match *self {
                Target::Verdict { verdict } => e.verdict <= verdict,
                Target::Speeds { min_generation_tokens_per_s, max_time_to_first_token_ms } => {
                    e.generation_tokens_per_s >= min_generation_tokens_per_s
                        && e.time_to_first_token_ms <= max_time_to_first_token_ms
                }
            }
    }
}

/// One machine that meets the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShopRow {
    /// Catalog id of the machine, or of the card for a GPU machine.
    pub hardware_id: String,
    /// The machine in words (`2 × NVIDIA GeForce RTX 3090 on a desktop (AMD Ryzen 9 7900)`).
    pub name: String,
    /// Catalog id of the host CPU for a GPU machine.
    pub host_id: Option<String>,
    /// `desktop`, `workstation` or `server` for a GPU machine's host.
    pub host: Option<&'static str>,
    /// Discrete GPUs (0 for a CPU, Apple or APU machine).
    pub gpus: u32,
    /// The machine's price, USD; `None`: a part has no public price.
    pub price_usd: Option<f64>,
    /// The machine's sustained power, W.
    pub power_w: Option<f64>,
    /// The parts the price and power add up.
    pub parts: Vec<crate::cost::Part>,
    /// Where the model goes.
    pub fits: Fit,
    /// The placement in words.
    pub placement: String,
    /// Prompt speed, token/s.
    pub prompt_tokens_per_s: f64,
    /// Time to first token, ms.
    pub time_to_first_token_ms: f64,
    /// Generation speed, token/s.
    pub generation_tokens_per_s: f64,
    /// Verdict for the workload.
    pub verdict: Verdict,
    /// [`Target::headroom`]: ≥ 1, how far inside the target.
    pub headroom: f64,
    /// The largest context that fits with the same placement, tokens.
    pub max_context_tokens: u32,
}

/// What to shop for.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The workload (prompt and output lengths, context, runtime).
    pub workload: Workload,
    /// What a machine must reach.
    pub target: Target,
    /// Most a machine may cost, USD (machines of unknown price stay, last).
    pub budget_usd: Option<f64>,
    /// System memory price, USD per GB.
    pub memory_usd_per_gb: f64,
}

/// A machine to try: the entry, its host and the GPU count.
struct Candidate<'a> {
    main: &'a HardwareEntry,
    host: Option<(&'static Host, &'a HardwareEntry)>,
    gpus: u32,
}

fn candidates(catalog: &Catalog) -> Vec<Candidate<'_>> {
    let mut out = Vec::new();
    for h in &catalog.hardware {
        if h.kind == HardwareKind::Gpu {
            if h.class == HardwareClass::Laptop {
                continue;
            }
            for gpus in GPU_COUNTS {
                let host = host_for(gpus).and_then(|host| catalog.hardware(host.cpu_id).ok().map(|e| (host, e)));
                if host.is_some() {
                    out.push(Candidate { main: h, host, gpus });
                }
            }
        } else {
            out.push(Candidate { main: h, host: None, gpus: 0 });
        }
    }
    out
}

/// Every catalog machine that runs `model` in `quant` within `query`'s target and budget,
/// cheapest first; machines of unknown price last, fastest first among them.
pub fn shop(catalog: &Catalog, model: &ModelSpec, quant: QuantScheme, query: &Query, eff: &Efficiency) -> Vec<ShopRow> {
    let mut rows: Vec<ShopRow> = candidates(catalog)
        .into_iter()
        .filter_map(|c| {
            let host = c.host.map(|(_, e)| e);
            let system = System::assemble(c.main, host, None, c.gpus.max(1)).ok()?;
            let e = estimate(&system, model, quant, &query.workload, eff).ok()?;
            if !query.target.met_by(&e) {
                return None;
            }
            let cost = MachineCost::of(catalog, c.main, host, None, c.gpus.max(1), query.memory_usd_per_gb);
            if matches!((cost.price_usd, query.budget_usd), (Some(p), Some(b)) if p > b) {
                return None;
            }
            let r = plan_row(&system, model, quant, &query.workload, eff)?;
            Some(ShopRow {
                hardware_id: c.main.id.clone(),
                name: match c.host {
                    Some((h, e)) => format!("{} × {} on a {} ({})", c.gpus, c.main.name, h.label, e.name),
                    None => c.main.name.clone(),
                },
                host_id: host.map(|h| h.id.clone()),
                host: c.host.map(|(h, _)| h.label),
                gpus: c.gpus,
                price_usd: cost.price_usd,
                power_w: cost.power_w,
                parts: cost.parts,
                fits: r.fits,
                placement: r.placement,
                prompt_tokens_per_s: r.prompt_tokens_per_s,
                time_to_first_token_ms: r.time_to_first_token_ms,
                generation_tokens_per_s: r.generation_tokens_per_s,
                verdict: r.verdict,
                headroom: query.target.headroom(&e),
                max_context_tokens: r.max_context_tokens,
            })
        })
        .collect();
    rows.sort_by(|a, b| match (a.price_usd, b.price_usd) {
        (Some(x), Some(y)) => x.total_cmp(&y).then(b.generation_tokens_per_s.total_cmp(&a.generation_tokens_per_s)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => b.generation_tokens_per_s.total_cmp(&a.generation_tokens_per_s),
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimate::verdict::USE_CASES;

    fn query(target: Target, budget_usd: Option<f64>) -> Query {
        let uc = USE_CASES[0];
        Query {
            workload: Workload { prompt_tokens: uc.prompt_tokens, gen_tokens: uc.gen_tokens, ..Workload::default() },
            target,
            budget_usd,
            memory_usd_per_gb: crate::cost::DEFAULT_MEMORY_USD_PER_GB,
        }
    }

    fn sorted_by_price(rows: &[ShopRow]) {
        let known: Vec<f64> = rows.iter().map_while(|r| r.price_usd).collect();
        assert!(known.windows(2).all(|w| w[0] <= w[1]), "{known:?}");
        assert!(rows[known.len()..].iter().all(|r| r.price_usd.is_none()), "unknown prices come last");
    }

    /// Every row meets the target with exactly `estimate`'s figures, and the rows are
    /// sorted by price, unknown prices last.
    #[test]
    fn rows_meet_the_target_and_are_sorted_by_price() {
        let c = Catalog::builtin();
        let eff = Efficiency::fitted();
        let m = c.model("qwen2-5-14b").unwrap_or_else(|e| panic!("{e}"));
        let target = Target::Speeds { min_generation_tokens_per_s: 20.0, max_time_to_first_token_ms: 2000.0 };
        let q = query(target, None);
        let rows = shop(&c, m, QuantScheme::Q4_K_M, &q, &eff);
        assert!(rows.len() > 20, "{}", rows.len());
        sorted_by_price(&rows);
        for r in &rows {
            let main = c.hardware(&r.hardware_id).unwrap_or_else(|e| panic!("{e}"));
            let host = r.host_id.as_deref().map(|h| c.hardware(h).unwrap_or_else(|e| panic!("{e}")));
            let system = System::assemble(main, host, None, r.gpus.max(1)).unwrap_or_else(|e| panic!("{e}"));
            let e = estimate(&system, m, QuantScheme::Q4_K_M, &q.workload, &eff).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(r.generation_tokens_per_s, e.generation_tokens_per_s);
            assert_eq!(r.time_to_first_token_ms, e.time_to_first_token_ms);
            assert!(e.fits && e.generation_tokens_per_s >= 20.0 && e.time_to_first_token_ms <= 2000.0, "{r:?}");
            assert!(r.headroom >= 1.0, "{r:?}");
        }
        // An RTX 3060 12 GB runs it; a Raspberry Pi does not.
        assert!(rows.iter().any(|r| r.hardware_id == "nvidia-geforce-rtx-3060-12gb" && r.gpus == 1));
        assert!(!rows.iter().any(|r| r.hardware_id == "raspberry-pi-5"));
        // Four and eight cards sit on the workstation and the server.
        assert!(rows.iter().filter(|r| r.gpus == 8).all(|r| r.host == Some("server")));
        assert!(rows.iter().filter(|r| r.gpus == 4).all(|r| r.host == Some("workstation")));
    }

    #[test]
    fn a_budget_and_a_verdict_narrow_the_list() {
        let c = Catalog::builtin();
        let eff = Efficiency::fitted();
        let m = c.model("llama-3-3-70b").unwrap_or_else(|e| panic!("{e}"));
        let interactive = Target::Verdict { verdict: Verdict::Interactive };
        let all = shop(&c, m, QuantScheme::Q4_K_M, &query(interactive, None), &eff);
        sorted_by_price(&all);
        assert!(all.iter().all(|r| r.verdict == Verdict::Interactive && r.headroom >= 1.0));
        // A 70B model at Q4 needs more than one 24 GB card.
        assert!(!all.iter().any(|r| r.hardware_id == "nvidia-geforce-rtx-3090" && r.gpus == 1));
        assert!(all.iter().any(|r| r.hardware_id == "nvidia-geforce-rtx-3090" && r.gpus >= 2));
        let cheap = shop(&c, m, QuantScheme::Q4_K_M, &query(interactive, Some(5000.0)), &eff);
        assert!(cheap.len() < all.len());
        assert!(cheap.iter().all(|r| r.price_usd.is_none_or(|p| p <= 5000.0)));
        let background = Target::Verdict { verdict: Verdict::Background };
        let more = shop(&c, m, QuantScheme::Q4_K_M, &query(background, None), &eff);
        assert!(more.len() > all.len());
    }
}
