//! The "Run a real model" section: pick a `.gguf` file or give a URL on this site, watch it
//! load (bytes and layers), then type a prompt and see the greedy completion stream in
//! with its speed. Components only wire signals to `model_run`.

use leptos::prelude::*;
use roofline_core::units::sig;
use wasm_bindgen::JsCast;

use crate::model_file::ModelFile;
use crate::model_run::{self, ModelPhase, ModelRun, CONTEXT_TOKENS};
use crate::run::Run;

fn ids(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(" ")
}

#[component]
pub fn ModelSection(probes: Run) -> impl IntoView {
    let m = ModelRun::new();
    let url = RwSignal::new(String::new());
    let prompt = RwSignal::new("The capital of France is".to_string());
    let count = RwSignal::new(32usize);
    let busy = move || matches!(m.phase.get(), ModelPhase::Loading | ModelPhase::Generating);
    let pick = move |ev: leptos::ev::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(file) = input.as_ref().and_then(|i| i.files()).and_then(|f| f.get(0)) else { return };
        let name = file.name();
        model_run::load(m, probes, ModelFile::Blob(gloo_file::Blob::from(file)), name);
        // The same file may be picked again after an error.
        if let Some(i) = input {
            i.set_value("");
        }
    };
    let load_url = move |_| {
        let u = url.get_untracked().trim().to_string();
        if u.is_empty() {
            m.error.set(Some("Type the address of a .gguf file on this site first.".into()));
            return;
        }
        model_run::load(m, probes, ModelFile::Url { url: u.clone() }, u);
    };
    let go = move |_| model_run::generate(m, prompt.get_untracked(), count.get_untracked(), crate::env::on_screen());
    view! {
        <section class="model-run" data-testid="model-run" aria-labelledby="model-heading">
            <h3 id="model-heading">"Run a real model"</h3>
            <p class="hint">
                "Runs a GGUF language model (Llama 3, Qwen 2.5/3, SmolLM2 or Gemma 3 families; F32, F16, BF16, Q4–Q8 and K-quants) on this GPU, "
                "weights dequantized in the shaders, greedy decoding. The file is read from this device in pieces; nothing is uploaded anywhere."
            </p>
            <div class="row">
                <label class="field">
                    <span class="label">"Model file (.gguf)"</span>
                    <input type="file" accept=".gguf" data-testid="model-file" disabled=busy on:change=pick />
                </label>
            </div>
            <div class="row">
                <label class="field grow">
                    <span class="label">"or its address on this site"</span>
                    <input
                        type="text"
                        inputmode="url"
                        placeholder="/models/model.gguf"
                        data-testid="model-url"
                        prop:value=move || url.get()
                        on:input=move |ev| url.set(event_target_value(&ev))
                    />
                </label>
                <button data-testid="model-load-url" disabled=busy on:click=load_url>"Load"</button>
            </div>
            <Show when=move || m.phase.get() != ModelPhase::Empty || m.bytes.get().1 != 0>
                <p class="progress">
                    <progress data-testid="model-progress" max=move || m.bytes.get().1.max(1) as f64 value=move || m.bytes.get().0 as f64></progress>
                    <span data-testid="model-progress-text">{move || {
                        let ((b, tb), (l, tl)) = (m.bytes.get(), m.layers.get());
                        format!(" {} of {} MB · {l}/{tl} layers ", sig(b as f64 / 1e6), sig(tb as f64 / 1e6))
                    }}</span>
                    <span class="note">{move || m.name.get()}</span>
                </p>
                <p class="note" data-testid="model-summary">{move || m.summary.get()}</p>
            </Show>
            {move || m.error.get().map(|e| view! { <p class="error" role="alert" data-testid="model-error">{e}</p> })}
            <Show when=move || matches!(m.phase.get(), ModelPhase::Ready | ModelPhase::Generating)>
                <label class="field">
                    <span class="label">"Prompt (completed as is, no chat template)"</span>
                    <textarea data-testid="model-prompt" rows="3" prop:value=move || prompt.get() on:input=move |ev| prompt.set(event_target_value(&ev))></textarea>
                </label>
                <div class="row">
                    <label class="field">
                        <span class="label">"Tokens to generate"</span>
                        <input
                            type="number"
                            min="1"
                            max=CONTEXT_TOKENS - 1
                            data-testid="model-tokens"
                            prop:value=move || count.get().to_string()
                            on:change=move |ev| {
                                let n = event_target_value(&ev).trim().parse::<usize>().unwrap_or(32);
                                count.set(n.clamp(1, CONTEXT_TOKENS as usize - 1));
                            }
                        />
                    </label>
                    <button data-testid="model-generate" disabled=busy on:click=go>"Generate"</button>
                    <button class="ghost" data-testid="model-stop" disabled=move || m.phase.get() != ModelPhase::Generating on:click=move |_| model_run::stop()>"Stop"</button>
                </div>
            </Show>
            <Show when=move || !m.prompt_ids.with(Vec::is_empty)>
                <pre class="model-output" data-testid="model-output" aria-live="polite"><span class="muted">{move || prompt.get()}</span>{move || m.text.get()}</pre>
                <p class="note" data-testid="model-stats">{move || m.stats.get()}</p>
                <details class="how">
                    <summary>"Token ids"</summary>
                    <p class="note ids">"prompt: " <span data-testid="model-prompt-ids">{move || ids(&m.prompt_ids.get())}</span></p>
                    <p class="note ids">"generated: " <span data-testid="model-token-ids" data-done=move || (m.phase.get() == ModelPhase::Ready).to_string()>{move || ids(&m.tokens.get())}</span></p>
                </details>
            </Show>
        </section>
    }
}
