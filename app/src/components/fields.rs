//! Labelled inputs that never pass an invalid value on: out-of-range or malformed input
//! shows a message next to the field and keeps the last valid value.

use leptos::prelude::*;

use crate::fmt;

/// A number input with range checking.
#[component]
pub fn NumField(
    label: &'static str,
    testid: &'static str,
    #[prop(into)] value: Signal<f64>,
    #[prop(into)] on_set: Callback<f64>,
    min: f64,
    max: f64,
    #[prop(default = "any")] step: &'static str,
    #[prop(default = "")] unit: &'static str,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    view! {
        <label class="field">
            <span class="label">{label}</span>
            <span class="input-unit">
                <input
                    type="number"
                    inputmode="decimal"
                    data-testid=testid
                    min=min
                    max=max
                    step=step
                    // The attribute: the value in the prerendered first view (`prop:` is not HTML).
                    value=fmt::input_number(value.get_untracked())
                    prop:value=move || fmt::input_number(value.get())
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        match text.trim().parse::<f64>() {
                            Ok(v) if v.is_finite() && v >= min && v <= max => {
                                error.set(None);
                                on_set.run(v);
                            }
                            _ => {
                                let kept = fmt::input_number(value.get_untracked());
                                event_target::<web_sys::HtmlInputElement>(&ev).set_value(&kept);
                                error.set(Some(format!("Enter a number from {min} to {max}; kept {kept}")));
                            }
                        }
                    }
                />
                <span class="unit">{unit}</span>
            </span>
            {move || error.get().map(|e| view! { <span class="error" role="alert" data-testid="field-error">{e}</span> })}
        </label>
    }
}

/// Slider position range.
const STEPS: f64 = 1000.0;

fn to_pos(v: u32, min: u32, max: u32, log: bool) -> f64 {
    let (v, lo, hi) = (f64::from(v.clamp(min, max)), f64::from(min), f64::from(max));
    if log {
        let lo = lo.max(1.0);
        STEPS * (v.max(lo) / lo).ln() / (hi / lo).ln()
    } else {
        STEPS * (v - lo) / (hi - lo).max(1.0)
    }
}

fn from_pos(pos: f64, min: u32, max: u32, log: bool) -> u32 {
    let (lo, hi) = (f64::from(min), f64::from(max));
    let t = (pos / STEPS).clamp(0.0, 1.0);
    let v = if log {
        let lo1 = lo.max(1.0);
        let v = lo1 * (hi / lo1).powf(t);
        if t == 0.0 {
            lo
        } else {
            v
        }
    } else {
        lo + t * (hi - lo)
    };
    // Round to two significant figures on log sliders so values land on round numbers.
    let v = if log && v >= 100.0 {
        let mag = 10f64.powf(v.log10().floor() - 1.0);
        (v / mag).round() * mag
    } else {
        v.round()
    };
    (v as u32).clamp(min, max)
}

/// A whole-number slider with an exact number box beside it.
#[component]
pub fn CountSlider(
    label: &'static str,
    testid: &'static str,
    #[prop(into)] value: Signal<u32>,
    #[prop(into)] on_set: Callback<u32>,
    min: u32,
    #[prop(into)] max: Signal<u32>,
    #[prop(default = false)] log: bool,
    #[prop(default = "")] unit: &'static str,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    view! {
        <div class="field slider">
            <label class="label" for=testid>{label}</label>
            <div class="slider-row">
                <input
                    type="range"
                    id=testid
                    data-testid=format!("{testid}-slider")
                    min="0"
                    max=STEPS
                    step="1"
                    aria-valuetext=move || format!("{} {unit}", fmt::count(value.get()))
                    value=to_pos(value.get_untracked(), min, max.get_untracked(), log).to_string()
                    prop:value=move || to_pos(value.get(), min, max.get(), log)
                    on:input=move |ev| {
                        if let Ok(pos) = event_target_value(&ev).parse::<f64>() {
                            error.set(None);
                            on_set.run(from_pos(pos, min, max.get_untracked(), log));
                        }
                    }
                />
                <input
                    type="number"
                    class="exact"
                    inputmode="numeric"
                    aria-label=format!("{label} (exact)")
                    data-testid=testid
                    min=min
                    max=move || max.get()
                    step="1"
                    value=value.get_untracked().to_string()
                    prop:value=move || value.get().to_string()
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        let hi = max.get_untracked();
                        match text.trim().parse::<u32>() {
                            Ok(v) if (min..=hi).contains(&v) => {
                                error.set(None);
                                on_set.run(v);
                            }
                            _ => {
                                let kept = value.get_untracked().to_string();
                                event_target::<web_sys::HtmlInputElement>(&ev).set_value(&kept);
                                error.set(Some(format!("Enter a whole number from {min} to {hi}; kept {kept}")));
                            }
                        }
                    }
                />
            </div>
            {move || error.get().map(|e| view! { <span class="error" role="alert" data-testid="field-error">{e}</span> })}
        </div>
    }
}
