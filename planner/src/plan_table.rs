//! The "What can I run?" table's body as one HTML string: hundreds of rows built node by
//! node made a change of machine a long task, as the pickers' options did. Every text is
//! escaped; each row's model is a link to the calculator with that configuration. Rows are
//! ARIA rows laid out as grids (cards on a phone), so the browser lays out only the rows
//! on screen (`content-visibility`), which a `<table>` does not allow.

use roofline_core::cost::Energy;
use roofline_core::plan::view::PlanColumn;
use roofline_core::plan::{Fit, PlanRow};

use roofline_app::fmt;

/// `text` for HTML text or a quoted attribute.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The header's words per column.
pub fn heading(column: PlanColumn) -> &'static str {
    match column {
        PlanColumn::Model => "Model",
        PlanColumn::Quant => "Quant",
        PlanColumn::Size => "File",
        PlanColumn::Fits => "Fits",
        PlanColumn::Context => "Max context",
        PlanColumn::Prompt => "Prompt",
        PlanColumn::Ttft => "First token",
        PlanColumn::Generation => "Generation",
        PlanColumn::Verdict => "Verdict",
    }
}

/// The class of a fit's badge (the traffic light: green, amber, amber, red).
pub fn fit_class(fit: Fit) -> &'static str {
    match fit {
        Fit::Gpu => "gpu",
        Fit::Partial => "partial",
        Fit::CpuOnly => "cpu",
        Fit::DoesNotFit => "none",
    }
}

/// A verdict badge.
pub fn verdict_badge(out: &mut String, verdict: roofline_core::estimate::verdict::Verdict) {
    let name = verdict.name();
    out.push_str(&format!("<span class=\"light v-{name}\">{name}</span>"));
}

/// A cell: `col` names it (`data-col`), `label` is shown before it where rows are cards
/// (phones), `v` is its number (`data-v`, for scripts and tests), `html` its content.
pub fn cell(out: &mut String, col: &str, label: &str, v: Option<String>, html: &str) {
    let v = v.map_or(String::new(), |v| format!(" data-v=\"{v}\""));
    out.push_str(&format!("<div role=\"cell\" data-col=\"{col}\" data-label=\"{label}\"{v}>{html}</div>"));
}

/// One row for `row`: `href` opens it in the calculator; `context` is the largest context
/// once computed; `power` prices its electricity per million generated tokens (the
/// machine's power, W, and USD per kWh), where the machine's power is known.
pub fn row_html(out: &mut String, row: &PlanRow, href: &str, context: Option<u32>, power: Option<(f64, f64)>) {
    let fits = row.fits != Fit::DoesNotFit;
    let dash = |s: String| if fits { s } else { "—".to_owned() };
    // Figures carry their number, empty where the model does not fit.
    let raw = |x: f64| Some(if fits { x.to_string() } else { String::new() });
    out.push_str(&format!(
        "<div role=\"row\" class=\"prow\" data-testid=\"planner-row\" data-model=\"{}\" data-quant=\"{}\" data-fits=\"{}\">",
        escape(&row.model_id),
        row.quant.name(),
        fit_class(row.fits)
    ));
    out.push_str(&format!(
        "<div role=\"rowheader\" class=\"pname\"><a href=\"{}\" data-testid=\"planner-open\">{}</a></div>",
        escape(href),
        escape(&row.model_name)
    ));
    cell(out, "quant", "", None, row.quant.name());
    cell(out, "size", "", None, &fmt::gb(row.model_size_gb));
    let placement = if fits { format!(" <small>{}</small>", escape(&row.placement)) } else { String::new() };
    cell(
        out,
        "fits",
        "",
        None,
        &format!("<span class=\"light f-{}\">{}</span>{placement}", fit_class(row.fits), row.fits.label()),
    );
    let ctx = match (fits, context) {
        (false, _) => "—".to_owned(),
        (true, Some(c)) => fmt::count(c),
        (true, None) => "…".to_owned(),
    };
    cell(out, "context", "context", Some(context.filter(|_| fits).map_or(String::new(), |c| c.to_string())), &ctx);
    cell(out, "prompt", "prompt", raw(row.prompt_tokens_per_s), &dash(fmt::tokens_per_s(row.prompt_tokens_per_s)));
    cell(
        out,
        "ttft",
        "first token",
        raw(row.time_to_first_token_ms),
        &dash(fmt::duration_s(row.time_to_first_token_ms / 1e3)),
    );
    cell(
        out,
        "generation",
        "generation",
        raw(row.generation_tokens_per_s),
        &dash(fmt::tokens_per_s(row.generation_tokens_per_s)),
    );
    let mut badge = String::new();
    verdict_badge(&mut badge, row.verdict);
    cell(out, "verdict", "", None, &badge);
    let electricity = power.filter(|_| fits).map(|(watts, usd_per_kwh)| {
        Energy::new(watts, row.prompt_tokens_per_s, row.generation_tokens_per_s, usd_per_kwh, None, None)
            .cost_usd_per_million_generated_tokens
    });
    cell(
        out,
        "electricity",
        "per M tokens",
        Some(electricity.map_or(String::new(), |c| c.to_string())),
        &electricity.map_or("—".to_owned(), fmt::usd),
    );
    out.push_str("</div>");
}
