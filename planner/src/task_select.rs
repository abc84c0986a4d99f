//! The task select both pages share: UC1–UC4 and LocalScore's nine tests, by index of
//! `roofline_core::plan::view::task`.

use leptos::prelude::*;
use roofline_core::plan::view::{task, TASK_COUNT};

/// A "Use case" select showing `selected` and calling `on_pick` with the chosen index.
#[component]
pub fn TaskSelect(
    testid: &'static str,
    #[prop(into)] selected: Signal<usize>,
    #[prop(into)] on_pick: Callback<usize>,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="label">"Use case"</span>
            <select data-testid=testid on:change=move |ev| on_pick.run(event_target_value(&ev).parse::<usize>().unwrap_or(0))>
                {(0..TASK_COUNT)
                    .map(|i| (i, task(i)))
                    .map(|(i, u)| view! {
                        <option value=i.to_string() selected=move || selected.get() == i>
                            {format!("{}: {} ({} → {} tokens)", u.id.to_uppercase(), u.label, u.prompt_tokens, u.gen_tokens)}
                        </option>
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
