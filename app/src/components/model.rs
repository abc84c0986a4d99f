//! The model section: preset picker, quantization, a local GGUF file's header, and every
//! dimension as an editable field (editing turns the model into a custom one).

use leptos::prelude::*;
use roofline_core::model::{ModelSpec, MoeSpec};
use roofline_core::scenario::{custom_model, ModelChoice};
use wasm_bindgen::JsCast;

use super::fields::NumField;
use super::pickers::{ModelSelect, QuantSelect};
use crate::fmt;
use crate::gguf_file;
use crate::state::{use_store, Store};

fn current_model(store: &Store) -> Option<ModelSpec> {
    store.model.get()
}

fn edit_model(store: Store, f: impl FnOnce(&mut ModelSpec)) {
    let Some(spec) = current_model(&store) else { return };
    let mut spec = custom_model(&spec);
    if !spec.name.starts_with("Custom") && !spec.family.starts_with("gguf") {
        spec.name = format!("Custom ({})", spec.name);
    }
    f(&mut spec);
    if spec.moe.is_none() {
        spec.params_active_b = None;
    }
    spec.params_total_b = spec.derived_params_b();
    if let Some(moe) = spec.moe {
        if moe.active_experts > moe.experts {
            spec.moe = Some(MoeSpec { active_experts: moe.experts, ..moe });
        }
        spec.params_active_b = Some(spec.derived_active_params_b());
    }
    store.edit(|s| s.model = ModelChoice::Custom(Box::new(spec)));
}

/// GGUF file state.
#[derive(Clone, PartialEq)]
enum FileStatus {
    Idle,
    Reading(String),
    Read { name: String, bytes: u64, missing: Vec<String>, notes: Vec<String> },
    Failed { name: String, error: String },
}

/// The model card.
#[component]
pub fn ModelSection() -> impl IntoView {
    let store = use_store();
    let preset_id = Memo::new(move |_| {
        store.state.with(|s| match &s.main.model {
            ModelChoice::Preset(id) => Some(id.clone()),
            ModelChoice::Custom(_) => None,
        })
    });
    let quant = Memo::new(move |_| store.state.with(|s| s.main.quant));
    let default_quant =
        Memo::new(move |_| store.model.with(|m| m.as_ref().map(|m| m.default_quant.clone()).unwrap_or_default()));
    let status = RwSignal::new(FileStatus::Idle);
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        let name = file.name();
        status.set(FileStatus::Reading(name.clone()));
        leptos::task::spawn_local(async move {
            match gguf_file::load(file).await {
                Ok(loaded) => {
                    let m = loaded.model;
                    store.edit(|s| {
                        s.model = ModelChoice::Custom(Box::new(m.spec.clone()));
                        s.quant = m.quant_guess;
                    });
                    status.set(FileStatus::Read { name, bytes: loaded.bytes_read, missing: m.missing, notes: m.notes });
                }
                Err(error) => status.set(FileStatus::Failed { name, error }),
            }
        });
    };
    let summary = move || {
        current_model(&store)
            .map(|m| {
                let active = m.params_active_b.map(|a| format!(", {} B active", fmt::sig(a))).unwrap_or_default();
                format!(
                    "{}: {} B parameters{active}, {} layers, hidden {}, {} heads / {} KV heads × {}, FFN {}, vocabulary {}, context {}",
                    m.name,
                    fmt::sig(m.params_total_b),
                    m.layers,
                    m.hidden_size,
                    m.heads,
                    m.kv_heads,
                    m.head_dim,
                    m.ffn_size,
                    fmt::count(m.vocab_size),
                    fmt::count(m.max_context)
                )
            })
            .unwrap_or_default()
    };
    view! {
        <section class="card" aria-labelledby="model-heading" data-testid="model-section">
            <h2 id="model-heading">"Model"</h2>
            <ModelSelect
                label="Model"
                testid="model"
                selected=preset_id
                on_pick=move |id: String| store.edit(|s| s.model = ModelChoice::Preset(id))
                placeholder="Custom model (edited values or GGUF)"
            />
            <QuantSelect testid="quant" selected=quant default_name=default_quant on_pick=move |q| store.edit(|s| s.quant = q) />
            <label class="field file">
                <span class="label">"Or read a local .gguf file (only its header is read; nothing is uploaded)"</span>
                <input type="file" accept=".gguf" data-testid="gguf-file" on:change=on_file />
            </label>
            <div class="file-status" data-testid="gguf-status" role="status">
                {move || match status.get() {
                    FileStatus::Idle => None,
                    FileStatus::Reading(name) => Some(view! { <p>{format!("Reading the header of {name}…")}</p> }.into_any()),
                    FileStatus::Failed { name, error } => {
                        Some(view! { <p class="error" data-testid="gguf-error">{format!("{name}: {error}")}</p> }.into_any())
                    }
                    FileStatus::Read { name, bytes, missing, notes } => Some(
                        view! {
                            <p data-testid="gguf-ok">{format!("Read {name}: the first {} of the file.", fmt::gb(bytes as f64 / 1e9))}</p>
                            {(!missing.is_empty()).then(|| view! {
                                <p>"Could not be read, so assumed:"</p>
                                <ul data-testid="gguf-missing">{missing.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                            })}
                            {(!notes.is_empty()).then(|| view! {
                                <ul class="notes">{notes.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                            })}
                        }
                        .into_any(),
                    ),
                }}
            </div>
            <p class="summary" data-testid="model-summary">{summary}</p>
            <ModelEditor />
        </section>
    }
}

/// Every dimension as a field.
#[component]
fn ModelEditor() -> impl IntoView {
    let store = use_store();
    let get =
        move |f: fn(&ModelSpec) -> f64| Signal::derive(move || store.model.with(|m| m.as_ref().map_or(f64::NAN, f)));
    let is_moe = move || current_model(&store).is_some_and(|m| m.moe.is_some());
    macro_rules! setter {
        (|$m:ident, $v:ident| $body:expr) => {
            move |$v: f64| edit_model(store, |$m| $body)
        };
    }
    view! {
        <details class="editor" data-testid="model-edit">
            <summary>"Show and edit every dimension (makes a custom model)"</summary>
            // Closed at first: its fields come after the first paint (stage 4).
            <Show when={move || store.painted.get() >= 4}>
                <fieldset>
                    <legend>"Transformer"</legend>
                    <NumField label="Layers" testid="model-layers" value=get(|m| f64::from(m.layers)) on_set=setter!(|m, v| m.layers = v as u32) min=1.0 max=1024.0 step="1" />
                    <NumField label="Hidden size" testid="model-hidden" value=get(|m| f64::from(m.hidden_size)) on_set=setter!(|m, v| m.hidden_size = v as u32) min=1.0 max=1048576.0 step="1" />
                    <NumField label="Attention heads" testid="model-heads" value=get(|m| f64::from(m.heads)) on_set=setter!(|m, v| { m.heads = v as u32; m.kv_heads = m.kv_heads.min(m.heads) }) min=1.0 max=4096.0 step="1" />
                    <NumField label="KV heads" testid="model-kv-heads" value=get(|m| f64::from(m.kv_heads)) on_set=setter!(|m, v| m.kv_heads = (v as u32).min(m.heads)) min=1.0 max=4096.0 step="1" />
                    <NumField label="Head dimension" testid="model-head-dim" value=get(|m| f64::from(m.head_dim)) on_set=setter!(|m, v| m.head_dim = v as u32) min=1.0 max=4096.0 step="1" />
                    <NumField label="FFN size" testid="model-ffn" value=get(|m| f64::from(m.ffn_size)) on_set=setter!(|m, v| m.ffn_size = v as u32) min=1.0 max=4194304.0 step="1" />
                    <NumField label="Vocabulary" testid="model-vocab" value=get(|m| f64::from(m.vocab_size)) on_set=setter!(|m, v| m.vocab_size = v as u32) min=1.0 max=16777216.0 step="1" />
                    <NumField label="Max context" testid="model-context" value=get(|m| f64::from(m.max_context)) on_set=setter!(|m, v| m.max_context = v as u32) min=1.0 max=134217728.0 step="1" />
                </fieldset>
                <fieldset>
                    <legend>"Mixture of experts"</legend>
                    <Show when=is_moe fallback=move || view! {
                        <button data-testid="model-make-moe" on:click=move |_| edit_model(store, |m| m.moe = Some(MoeSpec { experts: 8, active_experts: 2, shared_experts: 0, expert_ffn_size: m.ffn_size, shared_expert_ffn_size: 0, leading_dense_layers: 0, interleave_step: 1 }))>
                            "Make it a mixture of experts"
                        </button>
                    }>
                        <NumField label="Experts" testid="model-experts" value=get(|m| m.moe.map_or(0.0, |e| f64::from(e.experts))) on_set=setter!(|m, v| if let Some(e) = &mut m.moe { e.experts = v as u32 }) min=1.0 max=65536.0 step="1" />
                        <NumField label="Active experts" testid="model-active-experts" value=get(|m| m.moe.map_or(0.0, |e| f64::from(e.active_experts))) on_set=setter!(|m, v| if let Some(e) = &mut m.moe { e.active_experts = v as u32 }) min=1.0 max=65536.0 step="1" />
                        <NumField label="Expert FFN size" testid="model-expert-ffn" value=get(|m| m.moe.map_or(0.0, |e| f64::from(e.expert_ffn_size))) on_set=setter!(|m, v| if let Some(e) = &mut m.moe { e.expert_ffn_size = v as u32 }) min=1.0 max=4194304.0 step="1" />
                        <button class="ghost" data-testid="model-make-dense" on:click=move |_| edit_model(store, |m| m.moe = None)>"Make it dense"</button>
                    </Show>
                </fieldset>
                <p class="hint">"Parameter counts follow from the dimensions."</p>
            </Show>
        </details>
    }
}
