//! Human-readable output.

use roofline_core::estimate::verdict::UseCaseVerdict;
use roofline_core::estimate::Estimate;
use roofline_core::fit::FitReport;
use roofline_core::localscore::LocalScore;
use roofline_core::units::sig;
use roofline_core::validate::ErrorStats;

pub fn estimate(e: &Estimate, verdicts: &[UseCaseVerdict]) -> String {
    let mut s = String::new();
    let line = |s: &mut String, t: String| {
        s.push_str(&t);
        s.push('\n');
    };
    line(
        &mut s,
        format!("{} — {} {} ({:.2} GB), {} blocks on GPU", e.hardware, e.model, e.quant, e.model_size_gb, e.gpu_layers),
    );
    line(
        &mut s,
        format!(
            "  prompt processing  {:>10.1} token/s   ({:.1}–{:.1})",
            e.prompt_tokens_per_s, e.prompt_band.low, e.prompt_band.high
        ),
    );
    line(
        &mut s,
        format!(
            "  time to first token{:>10.0} ms        ({:.0}–{:.0})",
            e.time_to_first_token_ms, e.time_to_first_token_band_ms.low, e.time_to_first_token_band_ms.high
        ),
    );
    line(
        &mut s,
        format!(
            "  generation         {:>10.1} token/s   ({:.1}–{:.1}); {:.1} at start, {:.1} at end",
            e.generation_tokens_per_s,
            e.generation_band.low,
            e.generation_band.high,
            e.generation_tokens_per_s_at_start,
            e.generation_tokens_per_s_at_end
        ),
    );
    if e.aggregate_generation_tokens_per_s > e.generation_tokens_per_s * 1.0001 {
        line(&mut s, format!("  aggregate          {:>10.1} token/s", e.aggregate_generation_tokens_per_s));
    }
    line(&mut s, format!("  total time         {:>10.1} s", e.total_time_s));
    line(&mut s, format!("  prompt bound:      {}", e.prompt_bound.bound.describe()));
    line(&mut s, format!("  generation bound:  {}", e.generation_bound.bound.describe()));
    line(&mut s, "  memory (GB)        weights     KV  buffers overhead   total / capacity".to_owned());
    for m in &e.memory {
        line(
            &mut s,
            format!(
                "    {:<16}{:>8.2}{:>7.2}{:>9.2}{:>9.2}{:>8.2} / {:.1} {}",
                m.device,
                m.weights_gb,
                m.kv_cache_gb,
                m.compute_buffers_gb,
                m.overhead_gb,
                m.total_gb,
                m.capacity_gb,
                if m.fits { "fits" } else { "DOES NOT FIT" }
            ),
        );
    }
    line(&mut s, format!("  verdict:           {}", e.verdict.name()));
    for v in verdicts {
        line(
            &mut s,
            format!(
                "    {}  {:<12}{}",
                v.use_case,
                v.verdict.name(),
                if v.certain { "" } else { " (borderline within the error band)" }
            ),
        );
    }
    s
}

pub fn localscore(ls: &LocalScore) -> String {
    let mut s = String::from("  prompt  gen     PP token/s   TG token/s   TTFT ms\n");
    for t in &ls.tests {
        s.push_str(&format!(
            "  {:>6} {:>5} {:>12.1} {:>12.1} {:>9.0}\n",
            t.prompt_tokens, t.gen_tokens, t.prompt_tokens_per_s, t.generation_tokens_per_s, t.time_to_first_token_ms
        ));
    }
    s.push_str(&format!(
        "  average      {:>12.1} {:>12.1} {:>9.0}\n",
        ls.avg_prompt_tokens_per_s, ls.avg_generation_tokens_per_s, ls.avg_time_to_first_token_ms
    ));
    s.push_str(&format!("  LocalScore {:.0}{}\n", ls.score, if ls.fits { "" } else { " (model does not fit)" }));
    s
}

fn stats_row(name: &str, st: &ErrorStats) -> String {
    format!(
        "{name:<17}{:>7}  {:>6.1} {:>6.1}   {:>6.1} {:>6.1}   {:>6.1} {:>6.1}\n",
        st.groups,
        st.generation_median_ape,
        st.generation_p90_ape,
        st.prompt_median_ape,
        st.prompt_p90_ape,
        st.ttft_median_ape,
        st.ttft_p90_ape
    )
}

pub fn validation(report: &FitReport, covered: usize, total: usize) -> String {
    let mut s = format!(
        "coverage: {covered} of {total} reference-model runs ({:.1} %) resolve to catalog devices\n\n",
        100.0 * covered as f64 / total.max(1) as f64
    );
    s.push_str("absolute percentage error      generation       prompt (PP)      TTFT\n");
    s.push_str("                  groups  median    p90   median    p90   median    p90\n");
    s.push_str(&stats_row("in-sample", &report.in_sample));
    s.push_str(&stats_row("cross-validated", &report.cross_validated));
    s.push_str("\nby family (cross-validated)\n");
    for family in roofline_core::efficiency::ALL_FAMILIES {
        let mine: Vec<_> = report.cross_validated_comparisons.iter().filter(|c| c.family == family).cloned().collect();
        if !mine.is_empty() {
            s.push_str(&stats_row(family.name(), &roofline_core::validate::stats(&mine)));
        }
    }
    s
}

/// The other sources' table: per source and phase, measurements compared, median and p90
/// absolute percentage error and the median of predicted ÷ measured; then what was left
/// out and why.
pub fn bench_sources(
    stats: &[roofline_core::validate::bench::SourceStats],
    left_out: &std::collections::BTreeMap<roofline_core::validate::bench::Uncovered, usize>,
) -> String {
    use roofline_core::validate::bench::{PhaseStats, DEEP_TOKENS};
    let mut s = String::from(
        "\nother sources (in-sample: the parameters above are fitted on every source)\n\
         source               test                   n  median    p90  pred/meas\n",
    );
    let row = |source: &str, label: &str, p: &PhaseStats| {
        if p.count == 0 {
            return String::new();
        }
        format!(
            "{source:<20} {label:<18} {:>5} {:>6.1}% {:>5.1}%  {:>8.2}\n",
            p.count, p.median_ape, p.p90_ape, p.median_ratio
        )
    };
    let deep = format!("(≥ {}k deep)", DEEP_TOKENS / 1024);
    for st in stats {
        s.push_str(&row(&st.source, "prompt", &st.prompt));
        s.push_str(&row(&st.source, "generation", &st.generation));
        s.push_str(&row(&st.source, &format!("prompt {deep}"), &st.prompt_at_depth));
        s.push_str(&row(&st.source, &format!("gen. {deep}"), &st.generation_at_depth));
    }
    if !left_out.is_empty() {
        s.push_str("not covered (runs): ");
        let parts: Vec<String> = left_out.iter().map(|(why, n)| format!("{why:?} {n}")).collect();
        s.push_str(&parts.join(", "));
        s.push('\n');
    }
    s
}

/// Each source's table: in-sample, held out (leave-one-source-out) and cross-validated by
/// device, per figure the measurements compared, median and p90 absolute percentage error
/// and median predicted ÷ measured, then band coverage and the held-out fit's fallbacks.
pub fn per_source(reports: &[roofline_core::validate::sources::SourceReport]) -> String {
    use roofline_core::validate::sources::Errors;
    let mut s = String::from(
        "\nper source: in-sample (fitted on every source), held out (fitted without the source) and\n\
         by device (fitted without the device's runs in the source)\n\
         source               fit        figure               n  median    p90  pred/meas\n",
    );
    let rows = |source: &str, fit: &str, e: &Errors| -> String {
        let mut out = String::new();
        for (label, p) in e.figures().iter().filter(|(_, p)| p.count > 0) {
            out.push_str(&format!(
                "{source:<20} {fit:<10} {label:<18} {:>5} {:>6.1}% {:>5.1}%  {:>8.2}\n",
                p.count, p.median_ape, p.p90_ape, p.median_ratio
            ));
        }
        if e.band_coverage.is_finite() {
            out.push_str(&format!("{source:<20} {fit:<10} inside the band    {:>5.0}%\n", 100.0 * e.band_coverage));
        }
        out
    };
    for r in reports {
        s.push_str(&rows(&r.source, "in-sample", &r.in_sample));
        s.push_str(&rows(&r.source, "held out", &r.held_out));
        if let Some(d) = &r.by_device {
            s.push_str(&rows(&r.source, "by device", d));
        }
        for f in &r.fallback {
            s.push_str(&format!("{:<20} held out falls back: {f}\n", r.source));
        }
    }
    s
}

/// The plan as a table: one row per model and quantization.
pub fn plan(rows: &[roofline_core::plan::PlanRow]) -> String {
    use roofline_core::plan::Fit;
    let mut s = format!(
        "{:<34} {:<7} {:>7} {:<17} {:>9} {:>9} {:>9} {:>8}  {}\n",
        "model", "quant", "GB", "fits", "context", "PP tok/s", "TTFT", "TG tok/s", "verdict"
    );
    for r in rows {
        let context =
            if r.max_context_tokens == 0 { "-".to_owned() } else { format!("{}k", r.max_context_tokens / 1024) };
        // A model that does not fit has no speed worth printing (JSON keeps the estimate's).
        let speed = |v: String| if r.fits == Fit::DoesNotFit { "-".to_owned() } else { v };
        s.push_str(&format!(
            "{:<34} {:<7} {:>7.1} {:<17} {:>9} {:>9} {:>9} {:>8}  {:?}\n",
            r.model_name.chars().take(34).collect::<String>(),
            r.quant.name(),
            r.model_size_gb,
            r.fits.label(),
            context,
            speed(sig(r.prompt_tokens_per_s)),
            speed(format!("{} ms", sig(r.time_to_first_token_ms))),
            speed(sig(r.generation_tokens_per_s)),
            r.verdict,
        ));
    }
    s
}

/// The energy lines of an estimate.
pub fn energy(e: Option<&roofline_core::cost::Energy>) -> String {
    let Some(e) = e else {
        return "  energy             unknown: no power figure for this machine\n".to_owned();
    };
    let mut s = format!(
        "  energy             {} W: {} J per generated token, {} J per prompt token; {} kWh and ${} per million generated tokens at ${}/kWh\n",
        sig(e.power_w),
        sig(e.joules_per_generated_token),
        sig(e.joules_per_prompt_token),
        sig(e.kwh_per_million_generated_tokens),
        sig(e.cost_usd_per_million_generated_tokens),
        e.electricity_usd_per_kwh,
    );
    if let (Some(api), Some(b)) = (e.api_usd_per_million_tokens, e.break_even_million_tokens) {
        s.push_str(&match (b, e.machine_price_usd) {
            (Some(m), Some(p)) => format!(
                "  break-even         after {} million tokens the ${} machine costs less than the API at ${api} per million\n",
                sig(m),
                sig(p)
            ),
            (None, None) => "  break-even         unknown: the machine's price is not known\n".to_owned(),
            (None, Some(_)) => format!("  break-even         never: electricity alone costs more than the API's ${api} per million\n"),
            (Some(m), None) => format!("  break-even         after {} million tokens\n", sig(m)),
        });
    }
    s
}

/// The target in words.
pub fn target(t: &roofline_core::shop::Target) -> String {
    use roofline_core::shop::Target;
    match t {
        Target::Verdict { verdict } => format!("verdict {} or better", verdict.name()),
        Target::Speeds { min_generation_tokens_per_s, max_time_to_first_token_ms } => format!(
            "at least {} token/s generated and the first token within {} ms",
            sig(*min_generation_tokens_per_s),
            sig(*max_time_to_first_token_ms)
        ),
    }
}

/// The hosts GPU machines are priced on, with their prices.
pub fn shop_hosts(catalog: &roofline_core::catalog::Catalog, memory_usd_per_gb: f64) -> Vec<serde_json::Value> {
    use roofline_core::cost::MachineCost;
    roofline_core::shop::HOSTS
        .iter()
        .filter_map(|h| {
            let e = catalog.hardware(h.cpu_id).ok()?;
            let cost = MachineCost::of(catalog, e, None, None, 1, memory_usd_per_gb);
            Some(serde_json::json!({
                "max_gpus": h.max_gpus,
                "host": h.label,
                "cpu_id": h.cpu_id,
                "price_usd": cost.price_usd,
                "power_w": cost.power_w,
                "parts": cost.parts,
            }))
        })
        .collect()
}

/// The shop table, cheapest first.
pub fn shop(
    rows: &[roofline_core::shop::ShopRow],
    catalog: &roofline_core::catalog::Catalog,
    memory_usd_per_gb: f64,
) -> String {
    let mut s = String::new();
    for h in shop_hosts(catalog, memory_usd_per_gb) {
        s.push_str(&format!(
            "host for up to {} GPUs: {} ({}), ${} without the cards\n",
            h["max_gpus"],
            h["host"].as_str().unwrap_or(""),
            h["cpu_id"].as_str().unwrap_or(""),
            h["price_usd"].as_f64().map_or("unknown".to_owned(), sig),
        ));
    }
    s.push_str(&format!(
        "{:>9} {:<60} {:>6} {:>9} {:>9} {:>8}  {:<12} {}\n",
        "USD", "machine", "W", "TG tok/s", "TTFT", "headroom", "verdict", "placement"
    ));
    for r in rows {
        s.push_str(&format!(
            "{:>9} {:<60} {:>6} {:>9} {:>9} {:>8}  {:<12} {}\n",
            r.price_usd.map_or("unknown".to_owned(), |p| format!("{p:.0}")),
            r.name.chars().take(60).collect::<String>(),
            r.power_w.map_or("?".to_owned(), |w| format!("{w:.0}")),
            sig(r.generation_tokens_per_s),
            format!("{} ms", sig(r.time_to_first_token_ms)),
            format!("{}×", sig(r.headroom)),
            r.verdict.name(),
            r.placement,
        ));
    }
    let unknown = rows.iter().filter(|r| r.price_usd.is_none()).count();
    if unknown > 0 {
        s.push_str(&format!("{unknown} machines have no public price for a part; they are listed last.\n"));
    }
    if rows.is_empty() {
        s.push_str("No catalog machine meets this target.\n");
    }
    s
}
