//! "Running costs": the machine's sustained power and price (its catalog parts', or the
//! user's), the energy per generated and per prompt token, electricity per million
//! generated tokens, and, given an API's price, after how many tokens owning the machine
//! costs less. Figures from `roofline_core::cost`.

use leptos::prelude::*;
use roofline_core::cost::inputs::{energy_of, machine_cost, CostInputs};
use roofline_core::share::cost_limits::{
    MAX_API_USD_PER_MILLION_TOKENS, MAX_ELECTRICITY_USD_PER_KWH, MAX_POWER_W, MAX_PRICE_USD,
};

use super::fields::NumField;
use crate::fmt;
use crate::state::{catalog, use_store};

/// The card.
#[component]
pub fn EnergyCard() -> impl IntoView {
    let store = use_store();
    let inputs = Memo::new(move |_| store.state.with(|s| s.cost));
    let set = move |f: fn(&mut CostInputs, f64), x: f64| store.state.update(|s| f(&mut s.cost, x));
    let parts = Memo::new(move |_| store.state.with(|s| machine_cost(catalog(), &s.main.hardware)));
    let energy = Memo::new(move |_| {
        store.evaluation.with(|e| {
            let e = e.as_ref().ok()?;
            store.state.with(|s| energy_of(catalog(), &s.main.hardware, &e.estimate, &s.cost))
        })
    });
    let field =
        move |pick: fn(&CostInputs) -> Option<f64>| Signal::derive(move || inputs.with(|i| pick(i).unwrap_or(0.0)));
    let figure = move |f: fn(&roofline_core::cost::Energy) -> String| {
        move || energy.with(|e| e.as_ref().map_or_else(|| "—".to_owned(), f))
    };
    let parts_text = move || {
        parts.with(|p| {
            if p.parts.is_empty() {
                return "A custom machine has no catalog parts: give its power (and price) below.".to_owned();
            }
            let list: Vec<String> = p
                .parts
                .iter()
                .map(|part| {
                    let price = part.unit_price_usd.map_or("price unknown".to_owned(), fmt::usd);
                    let power = part
                        .unit_power_w
                        .filter(|_| part.draws_power)
                        .map(|w| format!(", {} W", fmt::sig(w)))
                        .unwrap_or_default();
                    let n = if part.count > 1 { format!("{} × ", part.count) } else { String::new() };
                    format!("{n}{} ({price}{power})", part.what)
                })
                .collect();
            format!(
                "From the catalog's parts: {} = {}, {}.",
                list.join(" + "),
                p.price_usd.map_or("price unknown".to_owned(), fmt::usd),
                p.power_w.map_or("power unknown".to_owned(), |w| format!("{} W under sustained load", fmt::sig(w)))
            )
        })
    };
    let break_even = move || {
        energy.with(|e| match e.as_ref().and_then(|e| e.break_even_million_tokens) {
            None => "give an API's price to compare".to_owned(),
            Some(None) => "never: the price is unknown, or electricity alone costs more than the API".to_owned(),
            Some(Some(m)) => format!("after {} million generated tokens", fmt::sig(m)),
        })
    };
    view! {
        <section class="card" aria-labelledby="energy-heading" data-testid="energy">
            <h2 id="energy-heading">"Running costs"</h2>
            <dl class="slot-figures">
                <dt>"Power"</dt>
                <dd data-testid="energy-power">{figure(|e| format!("{} W", fmt::sig(e.power_w)))}</dd>
                <dt>"Per generated token"</dt>
                <dd data-testid="energy-generated">{figure(|e| format!("{} J", fmt::sig(e.joules_per_generated_token)))}</dd>
                <dt>"Per prompt token"</dt>
                <dd data-testid="energy-prompt">{figure(|e| format!("{} J", fmt::sig(e.joules_per_prompt_token)))}</dd>
                <dt>"Per million generated"</dt>
                <dd data-testid="energy-million">{figure(|e| format!(
                    "{} kWh, {} of electricity",
                    fmt::sig(e.kwh_per_million_generated_tokens),
                    fmt::usd(e.cost_usd_per_million_generated_tokens)
                ))}</dd>
                <dt>"Cheaper than the API"</dt>
                <dd data-testid="energy-break-even">{break_even}</dd>
            </dl>
            <p class="note" data-testid="energy-parts">{parts_text}</p>
            <p class="note">
                "Power is typical power under sustained load (a card's board power plus the host CPU's package power), not idle; "
                "prices are launch prices. Energy per token is power ÷ speed; the break-even point is the machine's price ÷ (API price − electricity per million tokens)."
            </p>
            <div class="row filters">
                <NumField label="Electricity" testid="electricity-price" unit="USD/kWh" min=0.0 max=MAX_ELECTRICITY_USD_PER_KWH
                    value=Signal::derive(move || inputs.with(|i| i.electricity_usd_per_kwh))
                    on_set=move |x| set(|c, x| c.electricity_usd_per_kwh = x, x) />
                <NumField label="API price (0: none)" testid="api-price" unit="USD/M tokens" min=0.0 max=MAX_API_USD_PER_MILLION_TOKENS
                    value=field(|i| i.api_usd_per_million_tokens)
                    on_set=move |x| set(|c, x| c.api_usd_per_million_tokens = (x > 0.0).then_some(x), x) />
                <NumField label="Machine price (0: the parts')" testid="machine-price" unit="USD" min=0.0 max=MAX_PRICE_USD
                    value=field(|i| i.price_usd)
                    on_set=move |x| set(|c, x| c.price_usd = (x > 0.0).then_some(x), x) />
                <NumField label="Machine power (0: the parts')" testid="machine-power" unit="W" min=0.0 max=MAX_POWER_W
                    value=field(|i| i.power_w)
                    on_set=move |x| set(|c, x| c.power_w = (x > 0.0).then_some(x), x) />
            </div>
        </section>
    }
}
