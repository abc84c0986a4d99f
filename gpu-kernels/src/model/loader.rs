//! Loading a GGUF model onto the GPU part by part from any source of byte ranges (a file,
//! a browser `File`, a URL read with range requests), after checking before any byte of
//! weights is read that the model fits the adapter's limits.

use std::future::Future;
use std::pin::Pin;

use roofline_gguf::Header;
use roofline_reference::transformer::{ModelConfig, Part, Prefetched, SourceError, TensorSource, Weights};

use super::formats::QuantFormat;
use super::runner::{chunk_tokens, scratch_bytes, Builder, Fill, GpuModel, LoadProgress};
use crate::context::{AdapterSummary, GpuContext};
use crate::error::ProbeError;

/// What an asynchronous read returns.
pub type ReadFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<u8>, SourceError>> + 'a>>;

/// Byte ranges of a model file, read asynchronously (the browser's `File.slice`, `fetch`
/// with a `Range` header) or synchronously through [`Blocking`].
pub trait AsyncTensorSource {
    /// The `len_bytes` bytes at absolute file offset `offset`.
    fn read_range(&self, offset: u64, len_bytes: u64) -> ReadFuture<'_>;
}

/// A synchronous [`TensorSource`] as an asynchronous one.
pub struct Blocking<'a>(pub &'a dyn TensorSource);

impl AsyncTensorSource for Blocking<'_> {
    fn read_range(&self, offset: u64, len_bytes: u64) -> ReadFuture<'_> {
        let result = usize::try_from(len_bytes)
            .map_err(|_| SourceError { message: format!("{len_bytes} bytes do not fit this machine's memory") })
            .and_then(|len| self.0.read(offset, len));
        Box::pin(std::future::ready(result))
    }
}

/// What loading a model will take, worked out from its header alone.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadPlan {
    /// The configuration read from the metadata.
    pub config: ModelConfig,
    /// Every tensor's bytes (what is read from the file and uploaded).
    pub weight_bytes: u64,
    /// Keys and values of every layer for the whole context, f32.
    pub kv_cache_bytes: u64,
    /// Activations, attention scores and logits for a chunk of `chunk_tokens` prompt
    /// tokens.
    pub scratch_bytes: u64,
    /// Prompt tokens processed per command buffer.
    pub chunk_tokens: u32,
    /// The largest part (the globals or one layer) held in memory at once while loading.
    pub largest_part_bytes: u64,
}

impl LoadPlan {
    /// GPU memory the model will use, bytes.
    pub fn gpu_bytes(&self) -> u64 {
        self.weight_bytes + self.kv_cache_bytes + self.scratch_bytes
    }
}

fn refuse(what: String) -> ProbeError {
    ProbeError::Unsupported(what)
}

/// Checks, from the header alone, that the GPU runner supports the model and that every
/// buffer it needs fits `adapter`'s limits for a `context_len`-position context.
pub fn plan(adapter: &AdapterSummary, header: &Header, context_len: u32) -> Result<LoadPlan, ProbeError> {
    let c = ModelConfig::from_gguf(header).map_err(|e| ProbeError::Model(e.to_string()))?;
    if c.head_dim_k != c.head_dim_v {
        return Err(refuse("key and value heads of different widths".into()));
    }
    if c.final_logit_softcap.is_some() {
        return Err(refuse("final logit soft-capping".into()));
    }
    if let Some(t) = header.tensors.iter().find(|t| t.name == "rope_freqs.weight" || t.name.ends_with("ffn_up.bias")) {
        return Err(refuse(format!("{} on the GPU ({})", c.architecture.name(), t.name)));
    }
    let binding = adapter.max_storage_binding_bytes.min(adapter.max_buffer_bytes);
    let mib = |b: u64| format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64);
    let mut weight_bytes = 0u64;
    for t in &header.tensors {
        let bytes = t.size_bytes().ok_or_else(|| {
            ProbeError::Model(format!("tensor '{}' has ggml type {}, which is not known", t.name, t.ggml_type))
        })?;
        weight_bytes = weight_bytes.saturating_add(bytes);
        if t.dims.len() < 2 {
            continue;
        }
        let format = QuantFormat::from_ggml(t.ggml_type).ok_or_else(|| {
            refuse(format!(
                "tensor '{}' is {}, which the GPU kernels do not read",
                t.name,
                t.type_name().unwrap_or("?")
            ))
        })?;
        let cols = u32::try_from(t.dims[0]).map_err(|_| refuse(format!("tensor '{}' rows are too long", t.name)))?;
        let row = u64::from(format.row_bytes(cols));
        if row > binding {
            return Err(refuse(format!(
                "one row of '{}' takes {}, more than this adapter's largest storage binding ({})",
                t.name,
                mib(row),
                mib(binding)
            )));
        }
    }
    let (kv_cache_bytes, scratch_bytes, chunk_tokens) = buffers(adapter, &c, context_len)?;
    let largest_part_bytes = std::iter::once(Part::Globals)
        .chain((0..c.n_layers).map(Part::Layer))
        .map(|p| Weights::ranges(header, p).iter().map(|r| r.1).sum::<u64>())
        .max()
        .unwrap_or(0);
    Ok(LoadPlan { kv_cache_bytes, config: c, weight_bytes, scratch_bytes, chunk_tokens, largest_part_bytes })
}

/// The f32 KV cache and the scratch buffers `c` needs for a `context_len`-position context,
/// bytes, and the prompt tokens processed per chunk, after checking that each buffer fits
/// one storage binding of `adapter`.
pub fn buffers(adapter: &AdapterSummary, c: &ModelConfig, context_len: u32) -> Result<(u64, u64, u32), ProbeError> {
    let binding = adapter.max_storage_binding_bytes.min(adapter.max_buffer_bytes);
    let mib = |b: u64| format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64);
    let ctx = u64::from(context_len);
    let f32s = |n: usize| n as u64 * 4;
    let kv_layer = ctx * f32s(c.k_dim());
    let scores = ctx * f32s(c.n_heads);
    let logits = f32s(c.vocab);
    let checked = [
        ("the KV cache of one layer", kv_layer, "; try a shorter context"),
        ("the attention scores", scores, "; try a shorter context"),
        ("the logits", logits, ""),
    ];
    for (what, bytes, advice) in checked {
        if bytes > binding {
            return Err(refuse(format!(
                "{what} would take {}, more than this adapter's largest storage binding ({}){advice}",
                mib(bytes),
                mib(binding)
            )));
        }
    }
    let chunk = chunk_tokens(c, context_len, binding);
    Ok((kv_layer * 2 * c.n_layers as u64, scratch_bytes(c, context_len, chunk), chunk))
}

async fn read_part(
    source: &dyn AsyncTensorSource,
    header: &Header,
    part: Part,
    done: &mut LoadProgress,
    progress: &mut dyn FnMut(LoadProgress),
) -> Result<Prefetched, ProbeError> {
    let mut prefetched = Prefetched::default();
    for (offset, len) in Weights::ranges(header, part) {
        let bytes = source.read_range(offset, len).await.map_err(|e| {
            ProbeError::Model(format!(
                "reading bytes {offset}..{} of the file: {}",
                offset.saturating_add(len),
                e.message
            ))
        })?;
        if bytes.len() as u64 != len {
            return Err(ProbeError::Model(format!(
                "the file ended early: {} of the {len} bytes at offset {offset}",
                bytes.len()
            )));
        }
        done.bytes += len;
        progress(*done);
        prefetched.insert(offset, bytes);
    }
    Ok(prefetched)
}

impl GpuModel {
    /// Plans (see [`plan`]), then reads and uploads the model one part at a time, so that
    /// only one layer's bytes (or the embedding's) are held in memory at once.
    pub async fn load_streaming(
        ctx: &GpuContext,
        header: &Header,
        source: &dyn AsyncTensorSource,
        context_len: u32,
        progress: &mut dyn FnMut(LoadProgress),
    ) -> Result<Self, ProbeError> {
        let plan = plan(&ctx.adapter, header, context_len)?;
        let model_error = |e: roofline_reference::transformer::TransformerError| ProbeError::Model(e.to_string());
        let mut done =
            LoadProgress { bytes: 0, total_bytes: plan.weight_bytes, layers: 0, total_layers: plan.config.n_layers };
        progress(done);
        let globals = read_part(source, header, Part::Globals, &mut done, progress).await?;
        let weights = Weights::load_globals(header, &globals).map_err(model_error)?;
        drop(globals);
        let mut builder = Builder::start(ctx, &weights, context_len, Fill::Upload).await?;
        let config = weights.config.clone();
        drop(weights);
        for i in 0..config.n_layers {
            let bytes = read_part(source, header, Part::Layer(i), &mut done, progress).await?;
            let layer = Weights::load_layer(header, &bytes, &config, i).map_err(model_error)?;
            drop(bytes);
            builder.add_layer(ctx, &layer, Fill::Upload).await?;
            done.layers += 1;
            progress(done);
        }
        builder.finish(ctx).await
    }
}
