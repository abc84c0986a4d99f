//! The calculator's machine in a compact form for the planner: the catalog pick, an added
//! GPU and the GPU count. A custom or calibrated machine is named and kept; it is edited in
//! the calculator.

use leptos::prelude::*;
use roofline_core::hardware::HardwareKind;
use roofline_core::scenario::HardwareChoice;

use roofline_app::components::pickers::HardwareSelect;
use roofline_app::state::{catalog, use_store};

/// GPU counts offered.
const COUNTS: [u32; 5] = [1, 2, 4, 8, 16];

/// The machine picker of the "What can I run?" page (`testid`-prefixed).
#[component]
pub fn MachineBar(testid: &'static str) -> impl IntoView {
    let store = use_store();
    let preset = Memo::new(move |_| {
        store.state.with(|s| match &s.main.hardware {
            HardwareChoice::Preset { id, gpu, gpu_count, .. } => Some((id.clone(), gpu.clone(), *gpu_count)),
            HardwareChoice::Custom(_) => None,
        })
    });
    let main_id = Memo::new(move |_| preset.get().map(|p| p.0));
    let gpu_id = Memo::new(move |_| preset.get().and_then(|p| p.1));
    let kind = move || main_id.get().and_then(|id| catalog().hardware(&id).ok().map(|e| e.kind));
    let is_cpu = move || kind() == Some(HardwareKind::Cpu);
    let discrete = move || gpu_id.get().is_some() || kind() == Some(HardwareKind::Gpu);
    let count = move || preset.get().map_or(1, |p| p.2);
    let set_main = move |id: String| store.edit(|s| s.hardware = HardwareChoice::preset(&id));
    let set_gpu = move |gpu: String| {
        store.edit(|s| {
            if let HardwareChoice::Preset { gpu: g, .. } = &mut s.hardware {
                *g = (!gpu.is_empty()).then_some(gpu);
            }
        })
    };
    let set_count = move |n: String| {
        if let Ok(n) = n.parse::<u32>() {
            store.edit(|s| {
                if let HardwareChoice::Preset { gpu_count, .. } = &mut s.hardware {
                    *gpu_count = n;
                }
            })
        }
    };
    let name = move || store.system.with(|s| s.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    view! {
        <div class="machine-bar row">
            <HardwareSelect
                label="Machine"
                testid=testid
                selected=main_id
                on_pick=set_main
                placeholder="Custom machine (from the calculator)"
            />
            <Show when=is_cpu>
                <HardwareSelect
                    label="Discrete GPU"
                    testid="plan-gpu"
                    selected=gpu_id
                    on_pick=set_gpu
                    filter=|e| e.kind == HardwareKind::Gpu
                    placeholder="None (CPU only)"
                />
            </Show>
            <Show when=discrete>
                <label class="field">
                    <span class="label">"GPUs"</span>
                    <select data-testid="plan-gpu-count" on:change=move |ev| set_count(event_target_value(&ev))>
                        {move || {
                            let now = count();
                            let mut counts = COUNTS.to_vec();
                            if !counts.contains(&now) {
                                counts.push(now);
                                counts.sort_unstable();
                            }
                            counts
                                .into_iter()
                                .map(|n| view! { <option value=n.to_string() selected=n == now>{n}</option> })
                                .collect_view()
                        }}
                    </select>
                </label>
            </Show>
            <p class="summary" data-testid=format!("{testid}-name")>{name}</p>
        </div>
    }
}
