//! The "What should I buy?" table's body as one HTML string (as the planner's): each
//! machine with its price and the parts it adds up, power, speed, verdict and headroom;
//! the machine's name links to the calculator with it.

use roofline_core::shop::ShopRow;

use crate::plan_table::{escape, verdict_badge};
use roofline_app::fmt;

/// The parts a price adds up, as one line (`2 × RTX 3090 at $1,499 + desktop host …`).
fn parts_text(row: &ShopRow) -> String {
    row.parts
        .iter()
        .map(|p| {
            let price = p.unit_price_usd.map_or("price unknown".to_owned(), usd);
            if p.count > 1 {
                format!("{} × {} at {price}", p.count, p.what)
            } else {
                format!("{} at {price}", p.what)
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Whole US dollars with thousands separators.
pub fn usd(x: f64) -> String {
    let whole = x.round().max(0.0) as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("${out}")
}

/// One `<tr>` for `row`; `href` opens the machine in the calculator.
pub fn row_html(out: &mut String, row: &ShopRow, href: &str) {
    out.push_str(&format!(
        "<tr data-testid=\"planner-row\" data-hardware=\"{}\" data-gpus=\"{}\" data-price=\"{}\">",
        escape(&row.hardware_id),
        row.gpus,
        row.price_usd.map_or(String::new(), |p| p.to_string())
    ));
    out.push_str(&format!(
        "<th scope=\"row\"><a href=\"{}\" data-testid=\"planner-open\">{}</a></th>",
        escape(href),
        escape(&row.name)
    ));
    let price = row.price_usd.map_or("unknown".to_owned(), usd);
    out.push_str(&format!("<td data-col=\"price\" title=\"{}\">{price}</td>", escape(&parts_text(row))));
    out.push_str(&format!("<td>{}</td>", row.power_w.map_or("—".to_owned(), |w| format!("{} W", fmt::sig(w)))));
    out.push_str(&format!(
        "<td data-col=\"generation\" data-v=\"{}\">{}</td><td data-col=\"ttft\" data-v=\"{}\">{}</td><td data-col=\"verdict\">",
        row.generation_tokens_per_s,
        fmt::tokens_per_s(row.generation_tokens_per_s),
        row.time_to_first_token_ms,
        fmt::duration_s(row.time_to_first_token_ms / 1e3)
    ));
    verdict_badge(out, row.verdict);
    let headroom = if row.headroom.is_finite() { format!("{}×", fmt::sig(row.headroom)) } else { "∞".to_owned() };
    out.push_str(&format!(
        "</td><td data-col=\"headroom\">{headroom}</td><td>{}</td></tr>",
        fmt::count(row.max_context_tokens)
    ));
}

#[cfg(test)]
mod tests {
    use super::usd;

    #[test]
    fn dollars_have_separators() {
        assert_eq!(usd(999.4), "$999");
        assert_eq!(usd(1999.0), "$1,999");
        assert_eq!(usd(1_234_567.0), "$1,234,567");
    }
}
