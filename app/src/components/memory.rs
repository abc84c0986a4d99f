//! A memory bar per device: weights, KV cache, compute buffers and overhead against capacity.

use leptos::prelude::*;
use roofline_core::estimate::memory::DeviceMemory;

use super::explain::Explain;
use crate::fmt;

/// Bars for every device of an estimate.
#[component]
pub fn MemoryBars(#[prop(into)] memory: Signal<Vec<DeviceMemory>>) -> impl IntoView {
    view! {
        <div class="memory" data-testid="memory-bars">
            {move || {
                memory
                    .get()
                    .into_iter()
                    .map(|m| {
                        let scale = m.total_gb.max(m.capacity_gb).max(1e-9);
                        let pct = |gb: f64| format!("width: {:.2}%", 100.0 * gb / scale);
                        let cap = format!("left: {:.2}%", 100.0 * m.capacity_gb / scale);
                        let label = format!(
                            "{}: {} of {} ({} weights, {} KV cache, {} buffers, {} overhead){}",
                            m.device,
                            fmt::gb(m.total_gb),
                            fmt::gb(m.capacity_gb),
                            fmt::gb(m.weights_gb),
                            fmt::gb(m.kv_cache_gb),
                            fmt::gb(m.compute_buffers_gb),
                            fmt::gb(m.overhead_gb),
                            if m.fits { "" } else { " — does not fit" },
                        );
                        view! {
                            <div class="membar" data-testid="memory-bar" class:over=!m.fits>
                                <p>{label.clone()}</p>
                                <div class="bar" role="img" aria-label=label>
                                    <span class="seg weights" style=pct(m.weights_gb)></span>
                                    <span class="seg kv" style=pct(m.kv_cache_gb)></span>
                                    <span class="seg buffers" style=pct(m.compute_buffers_gb)></span>
                                    <span class="seg overhead" style=pct(m.overhead_gb)></span>
                                    <span class="cap" style=cap title="capacity"></span>
                                </div>
                                <Explain figure="memory" device=m.device.clone() />
                            </div>
                        }
                    })
                    .collect_view()
            }}
            <p class="legend">
                <span class="key weights"></span>"weights "
                <span class="key kv"></span>"KV cache "
                <span class="key buffers"></span>"buffers "
                <span class="key overhead"></span>"overhead "
                <span class="key cap"></span>"capacity"
            </p>
        </div>
    }
}
