//! "Run a real model": load a GGUF file onto the GPU part by part with progress, then
//! generate greedily with the text streamed as it comes. One model is held at a time; a
//! lost device drops it (and the context) and says how to start over.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use roofline_core::units::sig;
use roofline_gpu::model::loader::plan;
use roofline_gpu::model::runner::GpuModel;
use roofline_gpu::{GpuContext, ProbeError};
use roofline_reference::tokenizer::Tokenizer;

use crate::model_file::ModelFile;
use crate::run::{self, Run};

/// KV cache positions of a loaded model (prompt + generated tokens must fit).
pub const CONTEXT_TOKENS: u32 = 512;

/// The most the browser may hold at once while loading (the embedding, or one layer).
const MAX_PART_BYTES: u64 = 1 << 30;

struct Loaded {
    model: GpuModel,
    tokenizer: Tokenizer,
    ctx: Rc<GpuContext>,
}

thread_local! {
    static LOADED: RefCell<Option<Rc<Loaded>>> = const { RefCell::new(None) };
    static BUSY: Cell<bool> = const { Cell::new(false) };
    static STOP: Cell<bool> = const { Cell::new(false) };
}

/// Where the model section stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelPhase {
    /// No model.
    Empty,
    /// Reading and uploading.
    Loading,
    /// Loaded, waiting for a prompt.
    Ready,
    /// Generating.
    Generating,
}

/// The section's signals.
#[derive(Clone, Copy)]
pub struct ModelRun {
    pub phase: RwSignal<ModelPhase>,
    pub name: RwSignal<String>,
    pub summary: RwSignal<String>,
    pub bytes: RwSignal<(u64, u64)>,
    pub layers: RwSignal<(usize, usize)>,
    pub error: RwSignal<Option<String>>,
    pub text: RwSignal<String>,
    pub prompt_ids: RwSignal<Vec<u32>>,
    pub tokens: RwSignal<Vec<u32>>,
    pub stats: RwSignal<String>,
}

impl ModelRun {
    pub fn new() -> Self {
        Self {
            phase: RwSignal::new(ModelPhase::Empty),
            name: RwSignal::new(String::new()),
            summary: RwSignal::new(String::new()),
            bytes: RwSignal::new((0, 0)),
            layers: RwSignal::new((0, 0)),
            error: RwSignal::new(None),
            text: RwSignal::new(String::new()),
            prompt_ids: RwSignal::new(Vec::new()),
            tokens: RwSignal::new(Vec::new()),
            stats: RwSignal::new(String::new()),
        }
    }
}

/// Stops generation after the current token.
pub fn stop() {
    STOP.with(|s| s.set(true));
}

fn mb(bytes: u64) -> String {
    format!("{} MB", sig(bytes as f64 / 1e6))
}

/// What to tell the visitor about `error`; drops the model (and the context) when the
/// device is gone.
fn explain(error: ProbeError) -> String {
    match error {
        ProbeError::DeviceLost(reason) => {
            LOADED.with(|l| l.borrow_mut().take());
            run::forget_context();
            format!("The GPU device was lost ({reason}): a driver reset, the system reclaiming memory, or another tab. Load the model again to start over with a new device.")
        }
        ProbeError::OutOfMemory { bytes } => {
            LOADED.with(|l| l.borrow_mut().take());
            format!("The GPU could not allocate {} for this model: it does not fit this device's memory. Close other tabs or pick a smaller model.", mb(bytes))
        }
        ProbeError::Unsupported(what) => format!("This model cannot run here: {what}."),
        ProbeError::Model(what) => format!("The model file cannot be used: {what}."),
        ProbeError::Cancelled => "Stopped.".into(),
        other => {
            LOADED.with(|l| l.borrow_mut().take());
            run::forget_context();
            format!("{other}. Load the model again to start over with a new device.")
        }
    }
}

/// Loads `file` (replacing any model), with `name` shown to the visitor.
pub fn load(m: ModelRun, probes: Run, file: ModelFile, name: String) {
    if BUSY.with(Cell::get) {
        return;
    }
    BUSY.with(|b| b.set(true));
    LOADED.with(|l| l.borrow_mut().take());
    m.phase.set(ModelPhase::Loading);
    m.error.set(None);
    m.name.set(name);
    m.summary.set(String::new());
    m.text.set(String::new());
    m.tokens.set(Vec::new());
    m.stats.set(String::new());
    m.bytes.set((0, 0));
    m.layers.set((0, 0));
    leptos::task::spawn_local(async move {
        let outcome = load_file(m, probes, &file).await;
        BUSY.with(|b| b.set(false));
        match outcome {
            Ok(loaded) => {
                LOADED.with(|l| *l.borrow_mut() = Some(Rc::new(loaded)));
                let _ = m.phase.try_set(ModelPhase::Ready);
            }
            Err(message) => {
                let _ = m.error.try_set(Some(message));
                let _ = m.phase.try_set(ModelPhase::Empty);
            }
        }
    });
}

async fn load_file(m: ModelRun, probes: Run, file: &ModelFile) -> Result<Loaded, String> {
    let size = file.size_bytes().await.map_err(|e| format!("The model file cannot be read: {}.", e.message))?;
    let (header, prefix) = file.header(size).await.map_err(|e| format!("This is not a usable GGUF file: {e}."))?;
    let ctx = run::context(probes).await.ok_or_else(|| "No GPU adapter is available.".to_string())?;
    let plan = plan(&ctx.adapter, &header, CONTEXT_TOKENS).map_err(explain)?;
    let tokenizer =
        Tokenizer::from_gguf(&header, &prefix).map_err(|e| format!("The file's tokenizer cannot be read: {e}."))?;
    drop(prefix);
    if plan.largest_part_bytes > MAX_PART_BYTES {
        return Err(format!(
            "This model needs {} in the browser's memory at once while loading (its largest tensor group), more than the {} this page allows itself.",
            mb(plan.largest_part_bytes),
            mb(MAX_PART_BYTES)
        ));
    }
    let c = &plan.config;
    let _ = m.summary.try_set(format!(
        "{}, {} layers, hidden {}, vocabulary {}; {} of weights, {} on the GPU with a {CONTEXT_TOKENS}-token context.",
        c.architecture.name(),
        c.n_layers,
        c.hidden,
        c.vocab,
        mb(plan.weight_bytes),
        mb(plan.gpu_bytes()),
    ));
    let mut progress = |p: roofline_gpu::model::runner::LoadProgress| {
        let _ = m.bytes.try_set((p.bytes, p.total_bytes));
        let _ = m.layers.try_set((p.layers, p.total_layers));
    };
    let model = GpuModel::load_streaming(&ctx, &header, file, CONTEXT_TOKENS, &mut progress).await.map_err(explain)?;
    Ok(Loaded { model, tokenizer, ctx })
}

/// Generates `count` tokens after `prompt`; `attached` says whether the page is on screen.
pub fn generate(m: ModelRun, prompt: String, count: usize, attached: impl Fn() -> bool + 'static) {
    let Some(loaded) = LOADED.with(|l| l.borrow().clone()) else { return };
    if BUSY.with(Cell::get) {
        return;
    }
    let ids = loaded.tokenizer.encode(&prompt, loaded.tokenizer.add_bos_token());
    if ids.is_empty() {
        m.error.set(Some("The prompt gives no tokens; type some text.".into()));
        return;
    }
    if ids.len() + count > CONTEXT_TOKENS as usize {
        m.error.set(Some(format!(
            "{} prompt tokens and {count} to generate do not fit the {CONTEXT_TOKENS}-token context; shorten one.",
            ids.len()
        )));
        return;
    }
    BUSY.with(|b| b.set(true));
    STOP.with(|s| s.set(false));
    m.phase.set(ModelPhase::Generating);
    m.error.set(None);
    m.prompt_ids.set(ids.clone());
    m.tokens.set(Vec::new());
    m.text.set(String::new());
    m.stats.set(String::new());
    leptos::task::spawn_local(async move {
        let started = roofline_gpu::now_s();
        let mut generated = Vec::with_capacity(count);
        let mut on_token = |t: u32| {
            generated.push(t);
            let _ = m.text.try_set(loaded.tokenizer.decode(&generated));
            let _ = m.tokens.try_set(generated.clone());
            let elapsed = roofline_gpu::now_s() - started;
            let _ = m.stats.try_set(format!("{} tokens in {} s", generated.len(), sig(elapsed)));
        };
        let cancel = || STOP.with(Cell::get) || !attached();
        let outcome = loaded.model.generate(&loaded.ctx, &ids, count, &mut on_token, &cancel).await;
        BUSY.with(|b| b.set(false));
        match outcome {
            Ok(run) => {
                let prompt_tps = ids.len() as f64 / run.prompt_s.max(1e-9);
                let gen_tps = run.tokens.len().saturating_sub(1) as f64 / run.generation_s.max(1e-9);
                let _ = m.stats.try_set(format!(
                    "prompt: {} tokens at {} token/s · generation: {} tokens at {} token/s",
                    ids.len(),
                    sig(prompt_tps),
                    run.tokens.len(),
                    sig(gen_tps)
                ));
                let _ = m.phase.try_set(ModelPhase::Ready);
            }
            Err(error) => {
                let lost = matches!(error, ProbeError::DeviceLost(_));
                let _ = m.error.try_set(Some(explain(error)));
                let still_loaded = !lost && LOADED.with(|l| l.borrow().is_some());
                let _ = m.phase.try_set(if still_loaded { ModelPhase::Ready } else { ModelPhase::Empty });
            }
        }
    });
}
