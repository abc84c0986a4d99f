//! The machine section: preset picker, an added GPU and GPU count, and every figure the
//! estimator takes as an editable field (editing turns the machine into a custom one).

use leptos::prelude::*;
use roofline_core::hardware::{GpuBackend, GpuSpec, HardwareKind, UnifiedMemory};
use roofline_core::scenario::HardwareChoice;
use roofline_core::system::System;

use super::fields::NumField;
use super::pickers::HardwareSelect;
use crate::fmt;
use crate::state::{catalog, use_store, Store};

fn current_system(store: &Store) -> Option<System> {
    store.system.get()
}

/// Applies `f` to the current machine's figures and makes it custom.
fn edit_system(store: Store, f: impl FnOnce(&mut System)) {
    let Some(mut system) = current_system(&store) else { return };
    if !system.name.starts_with("Custom") {
        system.name = format!("Custom ({})", system.name);
    }
    // Edited figures are no longer the measured ones.
    system.measured = None;
    f(&mut system);
    store.edit(|s| s.hardware = HardwareChoice::Custom(Box::new(system)));
}

/// The machine card.
#[component]
pub fn HardwareSection() -> impl IntoView {
    let store = use_store();
    let preset = move || {
        store.state.with(|s| match &s.main.hardware {
            HardwareChoice::Preset { id, gpu, host, gpu_count } => {
                Some((id.clone(), gpu.clone(), host.clone(), *gpu_count))
            }
            HardwareChoice::Custom(_) => None,
        })
    };
    // Memos: the pickers re-render their hundreds of options only when the pick changes,
    // not on every edit of the state.
    let main_id = Memo::new(move |_| preset().map(|p| p.0));
    let gpu_id = Memo::new(move |_| preset().and_then(|p| p.1));
    let main_kind = move || main_id.get().and_then(|id| catalog().hardware(&id).ok().map(|e| e.kind));
    let can_add_gpu = move || matches!(main_kind(), Some(HardwareKind::Cpu));
    let discrete = move || gpu_id.get().is_some() || matches!(main_kind(), Some(HardwareKind::Gpu));
    let set_preset = move |id: String| {
        store.edit(|s| s.hardware = HardwareChoice::preset(&id));
    };
    let set_gpu = move |gpu: String| {
        store.edit(|s| {
            if let HardwareChoice::Preset { gpu: g, .. } = &mut s.hardware {
                *g = (gpu != "none").then_some(gpu);
            }
        })
    };
    let set_count = move |n: f64| {
        store.edit(|s| {
            if let HardwareChoice::Preset { gpu_count, .. } = &mut s.hardware {
                *gpu_count = n as u32;
            }
        })
    };
    let count = Memo::new(move |_| f64::from(preset().map_or(1, |p| p.3)));
    let summary = move || current_system(&store).map(|s| describe(&s)).unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="hw-heading" data-testid="hardware-section">
            <h2 id="hw-heading">"Machine"</h2>
            <HardwareSelect
                label="Machine"
                testid="hardware"
                selected=main_id
                on_pick=set_preset
                placeholder="Custom machine (edited values)"
            />
            <Show when=can_add_gpu>
                <label class="field">
                    <span class="label">"Discrete GPU"</span>
                    <select data-testid="hardware-gpu" on:change=move |ev| set_gpu(event_target_value(&ev))>
                        <option value="none" selected=move || gpu_id.get().is_none()>"None (CPU only)"</option>
                        {catalog()
                            .hardware
                            .iter()
                            .filter(|e| e.kind == HardwareKind::Gpu)
                            .map(|e| {
                                let id = e.id.clone();
                                let id2 = e.id.clone();
                                view! {
                                    <option value=id selected=move || gpu_id.get().as_deref() == Some(id2.as_str())>
                                        {e.name.clone()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            </Show>
            <Show when=discrete>
                <NumField label="GPUs" testid="gpu-count" value=count on_set=set_count min=1.0 max=16.0 step="1" />
            </Show>
            <p class="summary" data-testid="hardware-summary">{summary}</p>
            <HardwareEditor />
        </section>
    }
}

fn describe(s: &System) -> String {
    let host = if s.gpu.is_some() && s.unified.is_none() { "host " } else { "" };
    let mut parts = vec![format!(
        "{}: {host}{} cores at {} GHz, {} × {}-bit {} at {} MT/s = {} GB/s, {} GB",
        s.name,
        s.cpu.performance_cores + s.cpu.efficiency_cores,
        fmt::sig(s.cpu.boost_clock_ghz),
        s.memory.channels,
        s.memory.bus_width_bits_per_channel,
        s.memory.kind,
        s.memory.speed_mt_per_s,
        fmt::sig(s.memory.peak_bandwidth_gb_per_s()),
        fmt::sig(s.memory.capacity_gb),
    )];
    if let Some(g) = &s.gpu {
        let mem = match s.unified {
            Some(u) => format!("shares memory (up to {:.0} %)", u.gpu_usable_fraction * 100.0),
            None => format!("{} GB VRAM", fmt::sig(g.vram_gb)),
        };
        let count = if s.gpu_count > 1 { format!("{} × ", s.gpu_count) } else { String::new() };
        parts.push(format!(
            "GPU: {count}{mem}, {} GB/s, {} TFLOPS FP16{}",
            fmt::sig(g.bandwidth_gb_per_s),
            fmt::sig(g.fp16_tflops),
            g.tensor_fp16_tflops.map(|t| format!(", {} TFLOPS tensor", fmt::sig(t))).unwrap_or_default()
        ));
    }
    // What measured the GPU and what its figures became.
    parts.extend(roofline_core::calibration::describe(s));
    parts.join(" · ")
}

/// Every machine figure as a field; editing one turns the machine into a custom one.
#[component]
fn HardwareEditor() -> impl IntoView {
    let store = use_store();
    let get =
        move |f: fn(&System) -> f64| Signal::derive(move || store.system.with(|s| s.as_ref().map_or(f64::NAN, f)));
    let has_gpu = move || current_system(&store).is_some_and(|s| s.gpu.is_some());
    let unified = move || current_system(&store).is_some_and(|s| s.unified.is_some());
    let gpu_get = move |f: fn(&GpuSpec) -> f64| {
        Signal::derive(move || {
            store.system.with(|s| s.as_ref().and_then(|s| s.gpu.as_ref().map(f)).unwrap_or(f64::NAN))
        })
    };
    macro_rules! setter {
        (|$s:ident, $v:ident| $body:expr) => {
            move |$v: f64| edit_system(store, |$s| $body)
        };
    }
    let add_gpu = move |_| {
        edit_system(store, |s| {
            s.gpu = Some(GpuSpec {
                architecture: "custom".into(),
                backend: GpuBackend::Vulkan,
                vram_gb: 16.0,
                bandwidth_gb_per_s: 448.0,
                fp32_tflops: 20.0,
                fp16_tflops: 40.0,
                tensor_fp16_tflops: None,
                pcie_gen: Some(4),
                pcie_lanes: Some(16),
                tdp_w: None,
                mobile: false,
            });
            s.unified = None;
        })
    };
    let set_backend = move |text: String| {
        let backend = match text.as_str() {
            "cuda" => GpuBackend::Cuda,
            "rocm" => GpuBackend::Rocm,
            "metal" => GpuBackend::Metal,
            "sycl" => GpuBackend::Sycl,
            _ => GpuBackend::Vulkan,
        };
        edit_system(store, |s| {
            if let Some(g) = &mut s.gpu {
                g.backend = backend;
            }
        })
    };
    let backend = move || current_system(&store).and_then(|s| s.gpu.map(|g| g.backend));
    view! {
        <details class="editor" data-testid="hardware-edit">
            <summary>"Show and edit every figure (makes a custom machine)"</summary>
            // Closed at first: its fields come after the first paint (stage 2).
            <Show when={move || store.painted.get() >= 2}>
                <fieldset>
                    <legend>"CPU"</legend>
                    <NumField label="Performance cores" testid="cpu-cores" value=get(|s| f64::from(s.cpu.performance_cores)) on_set=setter!(|s, v| s.cpu.performance_cores = v as u32) min=1.0 max=1024.0 step="1" />
                    <NumField label="Efficiency cores" testid="cpu-ecores" value=get(|s| f64::from(s.cpu.efficiency_cores)) on_set=setter!(|s, v| s.cpu.efficiency_cores = v as u32) min=0.0 max=1024.0 step="1" />
                    <NumField label="Base clock" testid="cpu-base-clock" unit="GHz" value=get(|s| s.cpu.base_clock_ghz) on_set=setter!(|s, v| s.cpu.base_clock_ghz = v) min=0.1 max=10.0 />
                    <NumField label="Boost clock" testid="cpu-clock" unit="GHz" value=get(|s| s.cpu.boost_clock_ghz) on_set=setter!(|s, v| s.cpu.boost_clock_ghz = v) min=0.1 max=10.0 />
                    <NumField label="SIMD width" testid="cpu-simd" unit="bit" value=get(|s| f64::from(s.cpu.simd_width_bits)) on_set=setter!(|s, v| s.cpu.simd_width_bits = snap_simd(v)) min=64.0 max=2048.0 step="64" />
                    <NumField label="FMA units per core" testid="cpu-fma" value=get(|s| f64::from(s.cpu.fma_units_per_core)) on_set=setter!(|s, v| s.cpu.fma_units_per_core = v as u32) min=1.0 max=8.0 step="1" />
                </fieldset>
                <fieldset>
                    <legend>"Memory"</legend>
                    <NumField label="Channels" testid="mem-channels" value=get(|s| f64::from(s.memory.channels)) on_set=setter!(|s, v| s.memory.channels = v as u32) min=1.0 max=64.0 step="1" />
                    <NumField label="Bits per channel" testid="mem-bus" unit="bit" value=get(|s| f64::from(s.memory.bus_width_bits_per_channel)) on_set=setter!(|s, v| s.memory.bus_width_bits_per_channel = v as u32) min=8.0 max=4096.0 step="1" />
                    <NumField label="Speed" testid="mem-speed" unit="MT/s" value=get(|s| s.memory.speed_mt_per_s) on_set=setter!(|s, v| s.memory.speed_mt_per_s = v) min=100.0 max=100000.0 />
                    <NumField label="Or bandwidth directly" testid="mem-bandwidth" unit="GB/s" value=get(|s| s.memory.peak_bandwidth_gb_per_s()) on_set=setter!(|s, v| s.memory.speed_mt_per_s = mt_per_s_for(s, v)) min=0.1 max=100000.0 />
                    <NumField label="Capacity" testid="mem-capacity" unit="GB" value=get(|s| s.memory.capacity_gb) on_set=setter!(|s, v| s.memory.capacity_gb = v) min=0.1 max=1000000.0 />
                </fieldset>
                <fieldset>
                    <legend>"GPU"</legend>
                    <Show when=has_gpu fallback=move || view! { <button data-testid="add-custom-gpu" on:click=add_gpu>"Add a GPU"</button> }>
                        <label class="field">
                            <span class="label">"Backend"</span>
                            <select data-testid="gpu-backend" on:change=move |ev| set_backend(event_target_value(&ev))>
                                {[("cuda", "CUDA", GpuBackend::Cuda), ("rocm", "ROCm", GpuBackend::Rocm), ("metal", "Metal", GpuBackend::Metal), ("vulkan", "Vulkan", GpuBackend::Vulkan), ("sycl", "SYCL", GpuBackend::Sycl)]
                                    .into_iter()
                                    .map(|(v, t, b)| view! { <option value=v selected=move || backend() == Some(b)>{t}</option> })
                                    .collect_view()}
                            </select>
                        </label>
                        <Show when=move || !unified()>
                            <NumField label="VRAM per GPU" testid="gpu-vram" unit="GB" value=gpu_get(|g| g.vram_gb) on_set=setter!(|s, v| if let Some(g) = &mut s.gpu { g.vram_gb = v }) min=0.1 max=100000.0 />
                            <NumField label="GPU count" testid="custom-gpu-count" value=get(|s| f64::from(s.gpu_count)) on_set=setter!(|s, v| s.gpu_count = v as u32) min=1.0 max=16.0 step="1" />
                        </Show>
                        <Show when=unified>
                            <NumField label="GPU share of memory" testid="gpu-share" unit="%" value=get(|s| s.unified.map_or(0.0, |u| u.gpu_usable_fraction * 100.0)) on_set=setter!(|s, v| s.unified = Some(UnifiedMemory { gpu_usable_fraction: v / 100.0 })) min=1.0 max=100.0 />
                        </Show>
                        <NumField label="Bandwidth" testid="gpu-bandwidth" unit="GB/s" value=gpu_get(|g| g.bandwidth_gb_per_s) on_set=setter!(|s, v| if let Some(g) = &mut s.gpu { g.bandwidth_gb_per_s = v }) min=0.01 max=1000000.0 />
                        <NumField label="FP32" testid="gpu-fp32" unit="TFLOPS" value=gpu_get(|g| g.fp32_tflops) on_set=setter!(|s, v| if let Some(g) = &mut s.gpu { g.fp32_tflops = v }) min=0.001 max=1000000.0 />
                        <NumField label="FP16" testid="gpu-fp16" unit="TFLOPS" value=gpu_get(|g| g.fp16_tflops) on_set=setter!(|s, v| if let Some(g) = &mut s.gpu { g.fp16_tflops = v }) min=0.0 max=1000000.0 />
                        <NumField label="Tensor FP16 (0 = none)" testid="gpu-tensor" unit="TFLOPS" value=gpu_get(|g| g.tensor_fp16_tflops.unwrap_or(0.0)) on_set=setter!(|s, v| if let Some(g) = &mut s.gpu { g.tensor_fp16_tflops = (v > 0.0).then_some(v) }) min=0.0 max=1000000.0 />
                        <label class="check">
                            <input type="checkbox" data-testid="gpu-laptop"
                                prop:checked=move || current_system(&store).is_some_and(|s| s.gpu.is_some_and(|g| g.mobile))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    edit_system(store, |s| if let Some(g) = &mut s.gpu { g.mobile = on });
                                } />
                            "Laptop GPU (streams below its sheet's bandwidth)"
                        </label>
                    </Show>
                </fieldset>
            </Show>
        </details>
    }
}

fn snap_simd(v: f64) -> u32 {
    [64u32, 128, 256, 512, 1024, 2048].into_iter().min_by_key(|w| (f64::from(*w) - v).abs() as u64).unwrap_or(256)
}

/// MT/s that give `gb_per_s` with the machine's channels and bus width.
fn mt_per_s_for(s: &System, gb_per_s: f64) -> f64 {
    let bytes_per_transfer = f64::from(s.memory.channels * s.memory.bus_width_bits_per_channel) / 8.0;
    (gb_per_s * 1e3 / bytes_per_transfer).clamp(100.0, 100_000.0)
}
