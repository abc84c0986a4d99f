//! The CSS widths of chart canvases, kept by a `ResizeObserver`. Reading `clientWidth`
//! instead would force a layout of the page on every redraw, right after the figures'
//! text has changed; the observer reports sizes the browser has laid out anyway.

use leptos::html::Canvas;
use leptos::prelude::*;
use leptos::wasm_bindgen::closure::Closure;
use send_wrapper::SendWrapper;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlCanvasElement, ResizeObserver, ResizeObserverEntry};

/// The widths of `N` canvases, CSS pixels; 0 until the observer has reported one.
#[derive(Clone, Copy)]
pub struct Widths<const N: usize> {
    css_px: RwSignal<[f64; N]>,
}

impl<const N: usize> Widths<N> {
    /// Observes `canvases` once they are mounted, until the owner is cleaned up. A change of
    /// width updates the signal, so whatever reads it redraws.
    pub fn observe(canvases: [NodeRef<Canvas>; N]) -> Widths<N> {
        let css_px = RwSignal::new([0.0; N]);
        // Prerendering natively: nothing to observe (web-sys calls panic off wasm).
        if cfg!(not(feature = "csr")) {
            return Widths { css_px };
        }
        let on_resize = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let Some(mut widths) = css_px.try_get_untracked() else { return };
            for entry in entries.iter() {
                let entry: ResizeObserverEntry = entry.unchecked_into();
                let target = JsValue::from(entry.target());
                let slot = canvases.iter().position(|c| c.get_untracked().is_some_and(|c| JsValue::from(c) == target));
                if let Some(w) = slot.and_then(|i| widths.get_mut(i)) {
                    *w = entry.content_rect().width().round();
                }
            }
            if css_px.try_with_untracked(|w| *w != widths) == Some(true) {
                css_px.set(widths);
            }
        });
        let observer = ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok();
        if let Some(observer) = observer.clone() {
            for canvas in canvases {
                let observer = observer.clone();
                Effect::new(move |_| {
                    if let Some(c) = canvas.get() {
                        observer.observe(&c);
                    }
                });
            }
        }
        let kept = SendWrapper::new((observer, on_resize));
        on_cleanup(move || {
            let (observer, _on_resize) = kept.take();
            if let Some(o) = observer {
                o.disconnect();
            }
        });
        Widths { css_px }
    }

    /// The width of canvas `i` (tracked). Measured directly (and kept) until the observer
    /// has reported it, so its first report, the same width, redraws nothing.
    pub fn get(&self, i: usize, canvas: &HtmlCanvasElement) -> f64 {
        match self.css_px.with(|w| w.get(i).copied()) {
            Some(w) if w > 0.0 => w,
            _ => {
                let w = f64::from(canvas.client_width());
                self.css_px.update_untracked(|ws| ws.get_mut(i).map(|slot| *slot = w));
                w
            }
        }
    }
}
