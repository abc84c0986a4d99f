//! The workload section: use-case and LocalScore presets, tokens, context, batch, KV
//! cache type, placement, operating system, the runtime (GPU backend, engine, flash
//! attention), cold start and speculative decoding.

use leptos::prelude::*;
use roofline_core::estimate::verdict::USE_CASES;
use roofline_core::hardware::GpuBackend;
use roofline_core::localscore::TESTS;
use roofline_core::runtime::{Engine, FlashAttention};
use roofline_core::workload::{limits, KvType, Os, Placement, Speculative, Workload};

use super::fields::{CountSlider, NumField};
use crate::state::{catalog, use_store};

/// The workload card.
#[component]
pub fn WorkloadSection() -> impl IntoView {
    let store = use_store();
    let w = move |f: fn(&Workload) -> u32| Signal::from(Memo::new(move |_| store.state.with(|s| f(&s.main.workload))));
    let set = move |f: fn(&mut Workload, u32)| {
        move |v: u32| {
            let t0 = crate::browser::now_ms();
            store.edit(|s| f(&mut s.workload, v));
            crate::browser::record_ms("input-handler", crate::browser::now_ms() - t0);
        }
    };
    let layers = Signal::from(Memo::new(move |_| store.model.with(|m| m.as_ref().map_or(1, |m| m.layers))));
    let placement = move || store.state.with(|s| s.main.workload.placement);
    let preset = move |prompt: u32, gen: u32| {
        store.edit(|s| {
            s.workload.prompt_tokens = prompt;
            s.workload.gen_tokens = gen;
        })
    };
    let tokens = Memo::new(move |_| store.state.with(|s| (s.main.workload.prompt_tokens, s.main.workload.gen_tokens)));
    let is_preset = move |prompt: u32, gen: u32| tokens.get() == (prompt, gen);
    let set_placement = move |text: String| {
        let p = match text.as_str() {
            "cpu" => Placement::CpuOnly,
            "gpu" => Placement::GpuOnly,
            "layers" => Placement::GpuLayers(layers.get_untracked() / 2),
            "xe" => Placement::ExpertsOnCpu,
            _ => Placement::Auto,
        };
        store.edit(|s| s.workload.placement = p);
    };
    let placement_key = move || match placement() {
        Placement::Auto => "auto",
        Placement::CpuOnly => "cpu",
        Placement::GpuOnly => "gpu",
        Placement::GpuLayers(_) => "layers",
        Placement::ExpertsOnCpu => "xe",
    };
    let gpu_layers = Signal::derive(move || match placement() {
        Placement::GpuLayers(n) => n,
        _ => 0,
    });
    let speculative = move || store.state.with(|s| s.main.workload.speculative.clone());
    let toggle_spec = move |on: bool| {
        store.edit(|s| {
            s.workload.speculative =
                on.then(|| Speculative { draft_model_id: "llama-3-2-1b".into(), draft_tokens: 4, acceptance_rate: 0.7 })
        })
    };
    let edit_spec = move |f: Box<dyn FnOnce(&mut Speculative)>| {
        store.edit(|s| {
            if let Some(sp) = &mut s.workload.speculative {
                f(sp)
            }
        })
    };
    let cold = move || store.state.with(|s| s.main.workload.cold_start_disk_gb_per_s);
    view! {
        <section class="card" aria-labelledby="wl-heading" data-testid="workload-section">
            <h2 id="wl-heading">"Workload"</h2>
            <div class="presets" role="group" aria-label="Use cases">
                {USE_CASES
                    .iter()
                    .map(|uc| {
                        let (p, g) = (uc.prompt_tokens, uc.gen_tokens);
                        view! {
                            <button
                                class="chip"
                                data-testid=format!("preset-{}", uc.id.to_lowercase())
                                aria-pressed=move || is_preset(p, g).to_string()
                                title=uc.task
                                on:click=move |_| preset(p, g)
                            >
                                {format!("{} · {} → {}", uc.id, p, g)}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <label class="field">
                <span class="label">"LocalScore test"</span>
                <select
                    data-testid="preset-localscore"
                    on:change=move |ev| {
                        if let Some((p, g)) = event_target_value(&ev).split_once('/').and_then(|(p, g)| Some((p.parse().ok()?, g.parse().ok()?))) {
                            preset(p, g);
                        }
                    }
                >
                    <option value="" selected=move || !TESTS.iter().any(|&(p, g)| is_preset(p, g))>"Pick one of the nine tests"</option>
                    {TESTS
                        .iter()
                        .enumerate()
                        .map(|(i, &(p, g))| view! {
                            <option value=format!("{p}/{g}") selected=move || is_preset(p, g)>{format!("Test {}: {p} prompt → {g} generated", i + 1)}</option>
                        })
                        .collect_view()}
                </select>
            </label>
            <CountSlider label="Prompt tokens" testid="prompt-tokens" value=w(|w| w.prompt_tokens) on_set=set(|w, v| w.prompt_tokens = v) min=1 max=131_072u32 log=true />
            <CountSlider label="Generated tokens" testid="gen-tokens" value=w(|w| w.gen_tokens) on_set=set(|w, v| w.gen_tokens = v) min=0 max=32_768u32 log=true />
            <CountSlider label="Context already in the cache (depth)" testid="context-depth" value=w(|w| w.context_depth) on_set=set(|w, v| w.context_depth = v) min=0 max=131_072u32 log=true />
            <CountSlider label="Batch (parallel sequences)" testid="batch" value=w(|w| w.batch) on_set=set(|w, v| w.batch = v) min=1 max=limits::MAX_BATCH log=true />
            <label class="field">
                <span class="label">"KV cache type"</span>
                <select data-testid="kv-type" on:change=move |ev| {
                    if let Some(k) = KvType::parse(&event_target_value(&ev)) {
                        store.edit(|s| s.workload.kv_type = k);
                    }
                }>
                    {[KvType::F16, KvType::Q8_0, KvType::Q4_0]
                        .into_iter()
                        .map(|k| view! { <option value=k.name() selected=move || store.state.with(|s| s.main.workload.kv_type == k)>{k.name()}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="label">"Placement"</span>
                <select data-testid="placement" on:change=move |ev| set_placement(event_target_value(&ev))>
                    {[("auto", "Auto: everything that fits on the GPU(s)"), ("cpu", "CPU only"), ("gpu", "GPU(s) only"), ("layers", "First layers on the CPU, the rest on the GPU(s)"), ("xe", "MoE experts on the CPU, the rest on the GPU(s)")]
                        .into_iter()
                        .map(|(v, t)| view! { <option value=v selected=move || placement_key() == v>{t}</option> })
                        .collect_view()}
                </select>
            </label>
            <Show when=move || matches!(placement(), Placement::GpuLayers(_))>
                <CountSlider label="Layers on the GPU(s)" testid="gpu-layers" value=gpu_layers on_set=move |n| store.edit(|s| s.workload.placement = Placement::GpuLayers(n)) min=0 max=layers />
            </Show>
            <label class="field">
                <span class="label">"Operating system"</span>
                <select data-testid="os" title="GPU kernel launches cost more on Windows" on:change=move |ev| {
                    if let Some(o) = Os::parse(&event_target_value(&ev)) {
                        store.edit(|s| s.workload.os = o);
                    }
                }>
                    {Os::ALL
                        .into_iter()
                        .map(|o| view! { <option value=o.id() selected=move || store.state.with(|s| s.main.workload.os == o)>{o.label()}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="label">"GPU backend"</span>
                <select data-testid="backend" title="The llama.cpp backend the GPU runs; each has its own fitted efficiencies" on:change=move |ev| {
                    let b = GpuBackend::parse(&event_target_value(&ev));
                    store.edit(|s| s.workload.backend = b);
                }>
                    <option value="" selected=move || store.state.with(|s| s.main.workload.backend.is_none())>"The GPU's default"</option>
                    {GpuBackend::ALL
                        .into_iter()
                        .map(|b| view! { <option value=b.id() selected=move || store.state.with(|s| s.main.workload.backend == Some(b))>{b.label()}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="label">"Engine"</span>
                <select data-testid="engine" title="The program that runs the model; each has its own measured profile" on:change=move |ev| {
                    let e = Engine::parse(&event_target_value(&ev)).unwrap_or_default();
                    store.edit(|s| s.workload.engine = e);
                }>
                    {Engine::ALL
                        .into_iter()
                        .map(|e| view! { <option value=e.id() selected=move || store.state.with(|s| s.main.workload.engine == e)>{e.label()}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="label">"Flash attention"</span>
                <select data-testid="flash-attention" title="Auto: what the engine does by default (on in llama.cpp)" on:change=move |ev| {
                    let f = FlashAttention::parse(&event_target_value(&ev)).unwrap_or_default();
                    store.edit(|s| s.workload.flash_attention = f);
                }>
                    {FlashAttention::ALL
                        .into_iter()
                        .map(|f| view! { <option value=f.id() selected=move || store.state.with(|s| s.main.workload.flash_attention == f)>{f.id()}</option> })
                        .collect_view()}
                </select>
            </label>
            <details class="editor" data-testid="workload-more">
                <summary>"Cold start and speculative decoding"</summary>
                <label class="check">
                    <input type="checkbox" data-testid="cold-start" prop:checked=move || cold().is_some()
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            store.edit(|s| s.workload.cold_start_disk_gb_per_s = on.then_some(3.0));
                        } />
                    "Load the weights from disk first (cold start)"
                </label>
                <Show when=move || cold().is_some()>
                    <NumField label="Disk read speed" testid="disk-speed" unit="GB/s" value=Signal::derive(move || cold().unwrap_or(3.0)) on_set=move |v| store.edit(|s| s.workload.cold_start_disk_gb_per_s = Some(v)) min=0.01 max=1000.0 />
                </Show>
                <label class="check">
                    <input type="checkbox" data-testid="speculative" prop:checked=move || speculative().is_some()
                        on:change=move |ev| toggle_spec(event_target_checked(&ev)) />
                    "Speculative decoding with a draft model"
                </label>
                <Show when=move || speculative().is_some()>
                    <label class="field">
                        <span class="label">"Draft model"</span>
                        <select data-testid="draft-model" on:change=move |ev| {
                            let id = event_target_value(&ev);
                            edit_spec(Box::new(move |sp| sp.draft_model_id = id));
                        }>
                            {catalog().models.iter().filter(|m| m.params_total_b <= 4.0).map(|m| {
                                let id = m.id.clone();
                                let id2 = m.id.clone();
                                view! { <option value=id selected=move || speculative().is_some_and(|s| s.draft_model_id == id2)>{m.name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <NumField label="Drafted tokens per step" testid="draft-tokens" value=Signal::derive(move || speculative().map_or(4.0, |s| f64::from(s.draft_tokens))) on_set=move |v: f64| edit_spec(Box::new(move |sp| sp.draft_tokens = v as u32)) min=1.0 max=64.0 step="1" />
                    <NumField label="Acceptance rate" testid="acceptance" unit="%" value=Signal::derive(move || speculative().map_or(70.0, |s| s.acceptance_rate * 100.0)) on_set=move |v: f64| edit_spec(Box::new(move |sp| sp.acceptance_rate = v / 100.0)) min=0.0 max=100.0 />
                </Show>
            </details>
        </section>
    }
}
