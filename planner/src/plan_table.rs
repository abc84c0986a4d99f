//! The "What can I run?" table's body as one HTML string: hundreds of rows built node by
//! node made a change of machine a long task, as the pickers' options did. Every text is
//! escaped; each row's model is a link to the calculator with that configuration.

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

/// One `<tr>` for `row`: `href` opens it in the calculator; `context` is the largest
/// context once computed.
pub fn row_html(out: &mut String, row: &PlanRow, href: &str, context: Option<u32>) {
    let fits = row.fits != Fit::DoesNotFit;
    let dash = |s: String| if fits { s } else { "—".to_owned() };
    out.push_str(&format!(
        "<tr data-testid=\"planner-row\" data-model=\"{}\" data-quant=\"{}\" data-fits=\"{}\">",
        escape(&row.model_id),
        row.quant.name(),
        fit_class(row.fits)
    ));
    out.push_str(&format!(
        "<th scope=\"row\"><a href=\"{}\" data-testid=\"planner-open\">{}</a></th>",
        escape(href),
        escape(&row.model_name)
    ));
    out.push_str(&format!("<td>{}</td><td>{}</td>", row.quant.name(), fmt::gb(row.model_size_gb)));
    out.push_str(&format!(
        "<td><span class=\"light f-{}\">{}</span> <small>{}</small></td>",
        fit_class(row.fits),
        row.fits.label(),
        if fits { escape(&row.placement) } else { String::new() }
    ));
    // Each figure's cell carries its number (`data-v`, empty where the model does not fit)
    // for scripts and tests.
    let raw = |x: f64| if fits { x.to_string() } else { String::new() };
    let ctx = match (fits, context) {
        (false, _) => "—".to_owned(),
        (true, Some(c)) => fmt::count(c),
        (true, None) => "…".to_owned(),
    };
    let ctx_raw = context.filter(|_| fits).map_or(String::new(), |c| c.to_string());
    out.push_str(&format!("<td data-col=\"context\" data-v=\"{ctx_raw}\">{ctx}</td>"));
    out.push_str(&format!(
        "<td data-col=\"prompt\" data-v=\"{}\">{}</td><td data-col=\"ttft\" data-v=\"{}\">{}</td>\
         <td data-col=\"generation\" data-v=\"{}\">{}</td><td data-col=\"verdict\">",
        raw(row.prompt_tokens_per_s),
        dash(fmt::tokens_per_s(row.prompt_tokens_per_s)),
        raw(row.time_to_first_token_ms),
        dash(fmt::duration_s(row.time_to_first_token_ms / 1e3)),
        raw(row.generation_tokens_per_s),
        dash(fmt::tokens_per_s(row.generation_tokens_per_s)),
    ));
    verdict_badge(out, row.verdict);
    out.push_str("</td></tr>");
}
