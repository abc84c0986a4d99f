//! The planner pages' state in a link: `pu`, `ps`, `pf`, `pm`, `pz`, `pv` for "What can I
//! run?" (use case, sort, fits only, family, size, verdict) and `bu`, `bt`, `bg`, `bf`,
//! `bc`, `bb`, `bk` for "What should I buy?" (use case, target verdict, least generation
//! speed, most time to first token, context, budget, machine kind). Only values that
//! differ from the defaults are written; a malformed one falls back to its default with a
//! [`Notice`].

use super::Notice;
use crate::estimate::verdict::Verdict;
use crate::plan::view::{parse_use_case, parse_verdict, task, BuyView, MachineKind, PlanColumn, PlanView, SizeClass};
use crate::shop::Target;

/// Keys this module reads (the scenario reader leaves them alone).
pub const KEYS: [&str; 13] = ["pu", "ps", "pf", "pm", "pz", "pv", "bu", "bt", "bg", "bf", "bc", "bb", "bk"];

/// Longest family name read from a link.
const MAX_FAMILY_CHARS: usize = 40;

/// Most a budget may be, USD.
const MAX_BUDGET_USD: f64 = 1e9;

/// `(key, value)` pairs of `plan` and `buy` that differ from the defaults.
pub fn encode(plan: &PlanView, buy: &BuyView) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let (p0, b0) = (PlanView::default(), BuyView::default());
    if plan.use_case != p0.use_case {
        out.push(("pu", task(plan.use_case).id.to_owned()));
    }
    if (plan.sort, plan.descending) != (p0.sort, p0.descending) {
        out.push(("ps", format!("{}{}", if plan.descending { "-" } else { "" }, plan.sort.id())));
    }
    if plan.fits_only {
        out.push(("pf", "1".to_owned()));
    }
    if let Some(f) = &plan.family {
        out.push(("pm", f.clone()));
    }
    if plan.size != p0.size {
        out.push(("pz", plan.size.id().to_owned()));
    }
    if let Some(v) = plan.verdict {
        out.push(("pv", v.name().to_owned()));
    }
    if buy.use_case != b0.use_case {
        out.push(("bu", task(buy.use_case).id.to_owned()));
    }
    match buy.target {
        Target::Verdict { verdict } if buy.target != b0.target => out.push(("bt", verdict.name().to_owned())),
        Target::Verdict { .. } => {}
        Target::Speeds { min_generation_tokens_per_s, max_time_to_first_token_ms } => {
            out.push(("bg", min_generation_tokens_per_s.to_string()));
            if max_time_to_first_token_ms.is_finite() {
                out.push(("bf", max_time_to_first_token_ms.to_string()));
            }
        }
    }
    if let Some(c) = buy.context_tokens {
        out.push(("bc", c.to_string()));
    }
    if let Some(b) = buy.budget_usd {
        out.push(("bb", b.to_string()));
    }
    if buy.kind != b0.kind {
        out.push(("bk", buy.kind.id().to_owned()));
    }
    out
}

/// A non-negative finite number no larger than `max`.
fn number(value: &str, max: f64) -> Option<f64> {
    value.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0 && *x <= max)
}

/// The planner state from `get` (a key's value in the link, if present); what cannot be
/// read keeps its default and adds a notice.
pub fn decode(get: impl Fn(&str) -> Option<String>, notices: &mut Vec<Notice>) -> (PlanView, BuyView) {
    let mut plan = PlanView::default();
    let mut buy = BuyView::default();
    let mut bad = |key: &str, value: &str, why: &str| notices.push(Notice::new(key, value, why));
    if let Some(v) = get("pu") {
        match parse_use_case(&v) {
            Some(i) => plan.use_case = i,
            None => bad("planner use case", &v, "unknown use case (uc1–uc4, ls1–ls9); UC1 used"),
        }
    }
    if let Some(v) = get("ps") {
        let (descending, id) = v.strip_prefix('-').map_or((false, v.as_str()), |rest| (true, rest));
        match PlanColumn::parse(id) {
            Some(c) => (plan.sort, plan.descending) = (c, descending),
            None => bad("planner sort", &v, "unknown column; sorted by generation speed"),
        }
    }
    if let Some(v) = get("pf") {
        match v.as_str() {
            "1" => plan.fits_only = true,
            "0" => {}
            _ => bad("planner fits only", &v, "not 0 or 1; every row shown"),
        }
    }
    if let Some(v) = get("pm") {
        if !v.is_empty() && v.len() <= MAX_FAMILY_CHARS && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            plan.family = Some(v);
        } else {
            bad("planner family", &v, "not a model family; every family shown");
        }
    }
    if let Some(v) = get("pz") {
        match SizeClass::parse(&v) {
            Some(s) => plan.size = s,
            None => bad("planner size", &v, "unknown size class; every size shown"),
        }
    }
    if let Some(v) = get("pv") {
        match parse_verdict(&v) {
            Some(x) => plan.verdict = Some(x),
            None => bad("planner verdict", &v, "unknown verdict; every verdict shown"),
        }
    }
    if let Some(v) = get("bu") {
        match parse_use_case(&v) {
            Some(i) => buy.use_case = i,
            None => bad("shopping use case", &v, "unknown use case (uc1–uc4, ls1–ls9); UC1 used"),
        }
    }
    if let Some(v) = get("bt") {
        match parse_verdict(&v).filter(|v| *v != Verdict::NonViable) {
            Some(verdict) => buy.target = Target::Verdict { verdict },
            None => bad("shopping target", &v, "not interactive, background or offline; interactive used"),
        }
    }
    let tg = get("bg");
    let ttft = get("bf");
    if tg.is_some() || ttft.is_some() {
        let min_tg = tg.as_deref().map_or(Some(0.0), |v| number(v, 1e6));
        let max_ttft = ttft.as_deref().map_or(Some(f64::INFINITY), |v| number(v, 1e9));
        match (min_tg, max_ttft) {
            (Some(min_generation_tokens_per_s), Some(max_time_to_first_token_ms)) => {
                buy.target = Target::Speeds { min_generation_tokens_per_s, max_time_to_first_token_ms }
            }
            _ => bad(
                "shopping speeds",
                &format!("{} / {}", tg.unwrap_or_default(), ttft.unwrap_or_default()),
                "not numbers of 0 or more; the verdict target used",
            ),
        }
    }
    if let Some(v) = get("bc") {
        match v.parse::<u32>().ok().filter(|c| (1..=crate::workload::limits::MAX_CONTEXT_TOKENS).contains(c)) {
            Some(c) => buy.context_tokens = Some(c),
            None => bad("shopping context", &v, "not a context length; prompt plus output used"),
        }
    }
    if let Some(v) = get("bb") {
        match number(&v, MAX_BUDGET_USD) {
            Some(b) => buy.budget_usd = Some(b),
            None => bad("shopping budget", &v, "not an amount in USD; no budget"),
        }
    }
    if let Some(v) = get("bk") {
        match MachineKind::parse(&v) {
            Some(k) => buy.kind = k,
            None => bad("shopping machines", &v, "unknown kind; every machine shown"),
        }
    }
    (plan, buy)
}
