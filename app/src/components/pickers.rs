//! Searchable catalog pickers: a search box narrowing a native select (touch-friendly on
//! phones, keyboard-reachable everywhere), hardware grouped by class.

use leptos::prelude::*;
use roofline_core::hardware::{HardwareClass, HardwareEntry, HardwareKind};
use roofline_core::quant::{QuantScheme, ALL_SCHEMES};

use crate::state::catalog;

/// Picker groups in display order.
pub const CLASSES: [(HardwareClass, &str); 7] = [
    (HardwareClass::Embedded, "Embedded and mini PCs"),
    (HardwareClass::Laptop, "Laptops"),
    (HardwareClass::Desktop, "Desktops"),
    (HardwareClass::Workstation, "Workstations"),
    (HardwareClass::Server, "Servers and data centre"),
    (HardwareClass::Apple, "Apple silicon"),
    (HardwareClass::Phone, "Phones"),
];

fn kind_label(e: &HardwareEntry) -> &'static str {
    match e.kind {
        HardwareKind::Cpu => "CPU",
        HardwareKind::Gpu => "GPU",
        HardwareKind::Apu => "APU",
        HardwareKind::Apple => "SoC",
        HardwareKind::Phone => "phone",
    }
}

/// Letters and digits only, lower case: "Qwen2.5 14B" and "qwen 2.5 14b" compare alike.
fn compact(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// Whether every word of `query` occurs in one of `names` (ignoring case, spaces, punctuation).
pub fn matches_query<'a>(query: &str, names: impl IntoIterator<Item = &'a str>) -> bool {
    let words: Vec<String> = query.split_whitespace().map(compact).filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return true;
    }
    let joined: String = names.into_iter().map(compact).collect::<Vec<_>>().join(" ");
    words.iter().all(|w| joined.contains(w.as_str()))
}

fn matches(query: &str, e: &HardwareEntry) -> bool {
    matches_query(
        query,
        std::iter::once(e.name.as_str())
            .chain(e.aliases.iter().map(String::as_str))
            .chain([e.vendor.as_str(), e.id.as_str()]),
    )
}

/// `text` for HTML text or a quoted attribute.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// One `<option>` as HTML.
fn option_html(out: &mut String, value: &str, text: &str, selected: bool) {
    let sel = if selected { " selected" } else { "" };
    out.push_str(&format!("<option value=\"{}\"{sel}>{}</option>", escape(value), escape(text)));
}

// The long selects' options are written as one HTML string (the select's `innerHTML`):
// hundreds of options built node by node made the app's start a long task.

/// The search box above a picker's select.
#[component]
fn SearchField(
    label: &'static str,
    testid: &'static str,
    query: RwSignal<String>,
    placeholder: &'static str,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="label">{format!("Search {}", label.to_lowercase())}</span>
            <input
                type="search"
                data-testid=format!("{testid}-search")
                placeholder=placeholder
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
        </label>
    }
}

/// A searchable hardware select. `filter` restricts the entries (e.g. GPUs only).
#[component]
pub fn HardwareSelect(
    label: &'static str,
    testid: &'static str,
    #[prop(into)] selected: Signal<Option<String>>,
    #[prop(into)] on_pick: Callback<String>,
    #[prop(default = |_| true)] filter: fn(&HardwareEntry) -> bool,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let listed = crate::state::use_store().listed;
    let groups = move || {
        let q = query.get();
        let current = selected.get();
        // Until the first view is painted only the chosen entry: a closed select shows no
        // more, and the whole catalog's options would make the first task long.
        let listed = listed.get();
        CLASSES
            .iter()
            .filter_map(|(class, name)| {
                let items: Vec<(String, String)> = catalog()
                    .hardware
                    .iter()
                    .filter(|e| e.class == *class && filter(e))
                    .filter(|e| (listed && matches(&q, e)) || current.as_deref() == Some(e.id.as_str()))
                    .map(|e| (e.id.clone(), format!("{} ({})", e.name, kind_label(e))))
                    .collect();
                (!items.is_empty()).then_some((*name, items))
            })
            .collect::<Vec<_>>()
    };
    view! {
        <div class="picker">
            <SearchField label=label testid=testid query=query placeholder="e.g. 4090, M3 Max, EPYC, Pixel" />
            <label class="field">
                <span class="label">{label}</span>
                <select
                    data-testid=testid
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if !v.is_empty() {
                            on_pick.run(v);
                        }
                    }
                    inner_html=move || {
                        let current = selected.get();
                        let mut html = String::new();
                        if let (None, Some(p)) = (&current, placeholder) {
                            option_html(&mut html, "", p, true);
                        }
                        for (name, items) in groups() {
                            html.push_str(&format!("<optgroup label=\"{}\">", escape(name)));
                            for (id, text) in items {
                                option_html(&mut html, &id, &text, current.as_deref() == Some(id.as_str()));
                            }
                            html.push_str("</optgroup>");
                        }
                        html
                    }
                ></select>
            </label>
        </div>
    }
}

/// A searchable model select.
#[component]
pub fn ModelSelect(
    label: &'static str,
    testid: &'static str,
    #[prop(into)] selected: Signal<Option<String>>,
    #[prop(into)] on_pick: Callback<String>,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let listed = crate::state::use_store().listed;
    view! {
        <div class="picker">
            <SearchField label=label testid=testid query=query placeholder="e.g. Llama 8B, Qwen3, Gemma" />
            <label class="field">
                <span class="label">{label}</span>
                <select
                    data-testid=testid
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if !v.is_empty() {
                            on_pick.run(v);
                        }
                    }
                    inner_html=move || {
                        let q = query.get();
                        let current = selected.get();
                        // As for machines: only the chosen entry until the first view is painted.
                        let listed = listed.get();
                        let mut html = String::new();
                        if let (None, Some(p)) = (&current, placeholder) {
                            option_html(&mut html, "", p, true);
                        }
                        for m in catalog().models.iter().filter(|m| {
                            (listed && matches_query(&q, [m.name.as_str(), m.family.as_str(), m.id.as_str()]))
                                || current.as_deref() == Some(m.id.as_str())
                        }) {
                            let text = match m.params_active_b {
                                Some(a) => format!("{} ({}B, {}B active)", m.name, m.params_total_b, a),
                                None => format!("{} ({}B)", m.name, m.params_total_b),
                            };
                            option_html(&mut html, &m.id, &text, current.as_deref() == Some(m.id.as_str()));
                        }
                        html
                    }
                ></select>
            </label>
        </div>
    }
}

/// The quantization select; the empty choice is the model's default.
#[component]
pub fn QuantSelect(
    testid: &'static str,
    #[prop(into)] selected: Signal<Option<QuantScheme>>,
    #[prop(into)] default_name: Signal<String>,
    #[prop(into)] on_pick: Callback<Option<QuantScheme>>,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="label">"Quantization"</span>
            <select data-testid=testid on:change=move |ev| on_pick.run(QuantScheme::parse(&event_target_value(&ev)))>
                <option value="" selected=move || selected.get().is_none()>
                    {move || format!("Model default ({})", default_name.get())}
                </option>
                {ALL_SCHEMES
                    .into_iter()
                    .map(|q| {
                        view! {
                            <option value=q.name() selected=move || selected.get() == Some(q)>
                                {q.name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
