//! The "What should I buy?" table's body as one HTML string (ARIA rows, as the planner's): each
//! machine with its price and the parts it adds up, power, speed, verdict, electricity per
//! million tokens (and when it pays off against an API's price) and headroom;
//! the machine's name links to the calculator with it.

use roofline_core::cost::inputs::CostInputs;
use roofline_core::cost::Energy;
use roofline_core::shop::ShopRow;

use crate::plan_table::{cell, escape, verdict_badge};
use roofline_app::fmt;

/// The parts a price adds up, as one line (`2 × RTX 3090 at $1,499 + desktop host …`).
fn parts_text(row: &ShopRow) -> String {
    row.parts
        .iter()
        .map(|p| {
            let price = p.unit_price_usd.map_or("price unknown".to_owned(), fmt::usd);
            if p.count > 1 {
                format!("{} × {} at {price}", p.count, p.what)
            } else {
                format!("{} at {price}", p.what)
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// One row for `row`; `href` opens the machine in the calculator; `cost` prices its
/// electricity (and the break-even point against an API's price).
pub fn row_html(out: &mut String, row: &ShopRow, href: &str, cost: &CostInputs) {
    out.push_str(&format!(
        "<div role=\"row\" class=\"prow shop\" data-testid=\"planner-row\" data-hardware=\"{}\" data-gpus=\"{}\" data-price=\"{}\">",
        escape(&row.hardware_id),
        row.gpus,
        row.price_usd.map_or(String::new(), |p| p.to_string())
    ));
    out.push_str(&format!(
        "<div role=\"rowheader\" class=\"pname\"><a href=\"{}\" data-testid=\"planner-open\">{}</a></div>",
        escape(href),
        escape(&row.name)
    ));
    let price = row.price_usd.map_or("price unknown".to_owned(), fmt::usd);
    cell(out, "price", "", None, &format!("<span title=\"{}\">{price}</span>", escape(&parts_text(row))));
    cell(out, "power", "power", None, &row.power_w.map_or("—".to_owned(), |w| format!("{} W", fmt::sig(w))));
    cell(
        out,
        "generation",
        "generation",
        Some(row.generation_tokens_per_s.to_string()),
        &fmt::tokens_per_s(row.generation_tokens_per_s),
    );
    cell(
        out,
        "ttft",
        "first token",
        Some(row.time_to_first_token_ms.to_string()),
        &fmt::duration_s(row.time_to_first_token_ms / 1e3),
    );
    let mut badge = String::new();
    verdict_badge(&mut badge, row.verdict);
    cell(out, "verdict", "", None, &badge);
    let energy = row.power_w.map(|w| {
        Energy::new(
            w,
            row.prompt_tokens_per_s,
            row.generation_tokens_per_s,
            cost.electricity_usd_per_kwh,
            row.price_usd,
            cost.api_usd_per_million_tokens,
        )
    });
    let electricity = match energy {
        None => "—".to_owned(),
        Some(e) => {
            let pays = match e.break_even_million_tokens {
                Some(Some(m)) => format!(" <small>pays off after {} M</small>", fmt::sig(m)),
                Some(None) => " <small>never pays off</small>".to_owned(),
                None => String::new(),
            };
            format!("{}{pays}", fmt::usd(e.cost_usd_per_million_generated_tokens))
        }
    };
    cell(
        out,
        "electricity",
        "per M tokens",
        energy.map(|e| e.cost_usd_per_million_generated_tokens.to_string()),
        &electricity,
    );
    let headroom = if row.headroom.is_finite() { format!("{}×", fmt::sig(row.headroom)) } else { "∞".to_owned() };
    cell(out, "headroom", "headroom", None, &headroom);
    cell(out, "context", "context", None, &fmt::count(row.max_context_tokens));
    out.push_str("</div>");
}
