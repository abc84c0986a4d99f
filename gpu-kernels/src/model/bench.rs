//! The zero-download model benchmark: a model with the exact shapes and Q4_K_M type mix
//! of a published GGUF (`roofline_reference::generated`), its weights generated on the GPU,
//! timed the way llama-bench (`pp N`, `tg N`, mean ± standard deviation over repetitions)
//! and LocalScore (its nine prompt/generation pairs, averages and score) time models, with
//! the figures the roofline needs: bytes read per generated token and the bandwidth they
//! imply, matrix FLOPs per prompt token and the FLOP rate they imply.

use roofline_core::localscore;
use roofline_reference::generated::GeneratedModel;
use roofline_reference::transformer::{FfnBiases, LayerWeights, QTensor, Weights};
use serde::{Deserialize, Serialize};

use super::formats::QuantFormat;
use super::generated::{fill_reference, hash2, Filler};
use super::loader::buffers;
use super::runner::{tensor_seed, Builder, Fill, GpuModel, LoadProgress};
use crate::context::{AdapterSummary, GpuContext};
use crate::error::ProbeError;

/// A deterministic value in [-1, 1).
fn unit(seed: u32, i: u32) -> f32 {
    (hash2(seed, i) >> 8) as f32 / (1u32 << 23) as f32 - 1.0
}

fn vector(seed: u32, name: &str, len: usize, around: f32, spread: f32) -> Vec<f32> {
    let s = tensor_seed(seed, name);
    (0..len as u32).map(|i| around + spread * unit(s, i)).collect()
}

/// The weights of `model` generated from `seed`: norm weights near 1, small biases, and
/// matrices either empty (filled on the GPU) or, with `chunk_rows` (rows per storage
/// binding for a format and row width, as the GPU splits them), the very bytes the GPU
/// generates, for the CPU reference.
pub fn generated_weights(
    model: &GeneratedModel,
    seed: u32,
    chunk_rows: Option<&dyn Fn(QuantFormat, u32) -> usize>,
) -> Result<Weights, ProbeError> {
    let c = &model.config;
    let matrix = |name: &str| -> Result<QTensor, ProbeError> {
        let plan = model
            .matrices
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| ProbeError::Gpu(format!("{name} is not in the generated model")))?;
        let format = QuantFormat::from_ggml(plan.ggml_type)
            .ok_or_else(|| ProbeError::Unsupported(format!("{name}: ggml type {}", plan.ggml_type)))?;
        let data = match chunk_rows {
            None => Vec::new(),
            Some(rows_of) => {
                let per_chunk = rows_of(format, plan.cols as u32).max(1);
                let row_bytes = format.row_bytes(plan.cols as u32) as usize;
                let base = tensor_seed(seed, name);
                let mut data = Vec::with_capacity(row_bytes * plan.rows);
                for first in (0..plan.rows).step_by(per_chunk) {
                    let rows = per_chunk.min(plan.rows - first);
                    let bytes = fill_reference(format, base.wrapping_add(first as u32), rows * row_bytes);
                    data.extend_from_slice(&bytes[..rows * row_bytes]);
                }
                data
            }
        };
        Ok(QTensor { name: name.into(), ggml_type: plan.ggml_type, cols: plan.cols, rows: plan.rows, data })
    };
    let qwen2 = c.architecture == roofline_reference::transformer::Architecture::Qwen2;
    let mut layers = Vec::with_capacity(c.n_layers);
    for i in 0..c.n_layers {
        let n = |s: &str| format!("blk.{i}.{s}");
        let bias = |s: &str, len: usize| qwen2.then(|| vector(seed, &n(s), len, 0.0, 0.02));
        let qk = |s: &str| c.qk_norm.then(|| vector(seed, &n(s), c.head_dim_k, 1.0, 0.1));
        layers.push(LayerWeights {
            attn_norm: vector(seed, &n("attn_norm.weight"), c.hidden, 1.0, 0.1),
            wq: matrix(&n("attn_q.weight"))?,
            wk: matrix(&n("attn_k.weight"))?,
            wv: matrix(&n("attn_v.weight"))?,
            wo: matrix(&n("attn_output.weight"))?,
            bq: bias("attn_q.bias", c.q_dim()),
            bk: bias("attn_k.bias", c.k_dim()),
            bv: bias("attn_v.bias", c.v_dim()),
            bo: None,
            q_norm: qk("attn_q_norm.weight"),
            k_norm: qk("attn_k_norm.weight"),
            post_attn_norm: None,
            ffn_norm: vector(seed, &n("ffn_norm.weight"), c.hidden, 1.0, 0.1),
            gate: matrix(&n("ffn_gate.weight"))?,
            up: matrix(&n("ffn_up.weight"))?,
            down: matrix(&n("ffn_down.weight"))?,
            post_ffw_norm: None,
            ffn_biases: FfnBiases::default(),
        });
    }
    Ok(Weights {
        config: c.clone(),
        token_embd: matrix("token_embd.weight")?,
        output: if c.tied_output { None } else { Some(matrix("output.weight")?) },
        output_norm: vector(seed, "output_norm.weight", c.hidden, 1.0, 0.1),
        rope_freqs: None,
        layers,
    })
}

impl GpuModel {
    /// Builds `model` on the GPU with weights generated from `seed` (no bytes uploaded but
    /// norm vectors and biases), with a KV cache of `context_len` positions.
    pub async fn load_generated(
        ctx: &GpuContext,
        model: &GeneratedModel,
        seed: u32,
        context_len: u32,
        progress: &mut dyn FnMut(LoadProgress),
    ) -> Result<Self, ProbeError> {
        buffers(&ctx.adapter, &model.config, context_len)?;
        let filler = Filler::new(ctx).await?;
        let mut weights = generated_weights(model, seed, None)?;
        let layers = std::mem::take(&mut weights.layers);
        let fill = Fill::Generate(&filler, seed);
        let bytes_of = |prefix: &str, globals: bool| -> u64 {
            let mine = |name: &str| if globals { !name.starts_with("blk.") } else { name.starts_with(prefix) };
            model.matrices.iter().filter(|m| mine(&m.name)).map(|m| m.bytes()).sum()
        };
        let mut done =
            LoadProgress { bytes: 0, total_bytes: model.weight_bytes(), layers: 0, total_layers: layers.len() };
        let mut builder = Builder::start(ctx, &weights, context_len, fill).await?;
        done.bytes = bytes_of("", true);
        progress(done);
        for (i, layer) in layers.iter().enumerate() {
            builder.add_layer(ctx, layer, fill).await?;
            done.bytes += bytes_of(&format!("blk.{i}."), false);
            done.layers += 1;
            progress(done);
        }
        builder.finish(ctx).await
    }
}

/// A loaded benchmark model, and the bigger shapes not run with the reason.
pub struct ChosenModel {
    /// The shape.
    pub shape: GeneratedModel,
    /// On the GPU.
    pub model: GpuModel,
    /// `"id: why"` for each bigger shape passed over.
    pub not_run: Vec<String>,
}

/// Loads the largest of `candidates` (catalog shapes, largest first) that fits: on a
/// software adapter only the smallest (the others would take minutes a token); otherwise
/// from the largest down, passing over shapes whose buffers exceed the adapter's limits or
/// whose allocation fails.
pub async fn load_largest(
    ctx: &GpuContext,
    candidates: &[GeneratedModel],
    context_len: u32,
    seed: u32,
    progress: &mut dyn FnMut(&GeneratedModel, LoadProgress),
) -> Result<ChosenModel, ProbeError> {
    let mut not_run = Vec::new();
    let mut last_error = None;
    let count = candidates.len();
    for (i, shape) in candidates.iter().enumerate() {
        if ctx.adapter.software && i + 1 < count {
            not_run.push(format!("{}: software adapter, a token would take minutes", shape.id));
            continue;
        }
        match GpuModel::load_generated(ctx, shape, seed, context_len, &mut |p| progress(shape, p)).await {
            Ok(model) => return Ok(ChosenModel { shape: shape.clone(), model, not_run }),
            Err(e @ (ProbeError::OutOfMemory { .. } | ProbeError::Unsupported(_))) => {
                not_run.push(format!("{}: {e}", shape.id));
                last_error = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or_else(|| ProbeError::Unsupported("no benchmark shape was given".into())))
}

/// What to run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelBenchConfig {
    /// Prompt tokens of the prompt-processing test (llama-bench `pp N`).
    pub prompt_tokens: u32,
    /// Generated tokens of the generation test (llama-bench `tg N`).
    pub gen_tokens: u32,
    /// Timed repetitions of each (after one untimed warm-up).
    pub repetitions: u32,
    /// Also run LocalScore's nine tests.
    pub localscore: bool,
}

impl ModelBenchConfig {
    /// llama-bench's defaults: pp512 and tg128, five repetitions.
    pub fn standard() -> Self {
        Self { prompt_tokens: 512, gen_tokens: 128, repetitions: 5, localscore: false }
    }

    /// A quick run for the device page: pp128 and tg32, two repetitions.
    pub fn quick() -> Self {
        Self { prompt_tokens: 128, gen_tokens: 32, repetitions: 2, localscore: false }
    }

    /// KV cache positions the run needs.
    pub fn context_tokens(&self) -> u32 {
        // The warm-up runs the test's prompt and 2 generated tokens.
        let own = self.prompt_tokens.max(self.gen_tokens + 2).max(4) + 1;
        if self.localscore {
            localscore::TESTS.iter().map(|(p, g)| p + g).max().unwrap_or(0).max(own)
        } else {
            own
        }
    }
}

/// Mean, sample standard deviation and the samples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sampled {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (0 for one sample).
    pub stddev: f64,
    /// Every sample.
    pub samples: Vec<f64>,
}

impl Sampled {
    /// Summarises `samples`.
    pub fn of(samples: Vec<f64>) -> Self {
        let n = samples.len().max(1) as f64;
        let mean = samples.iter().sum::<f64>() / n;
        let var =
            if samples.len() > 1 { samples.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
        Self { mean, stddev: var.sqrt(), samples }
    }
}

/// One of LocalScore's tests as measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalScoreTest {
    /// Prompt tokens.
    pub prompt_tokens: u32,
    /// Generated tokens.
    pub gen_tokens: u32,
    /// Prompt processing, token/s.
    pub pp_tokens_per_s: f64,
    /// Generation, token/s.
    pub tg_tokens_per_s: f64,
    /// Time to first token, ms.
    pub ttft_ms: f64,
}

/// LocalScore's nine tests, their averages and the score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalScoreRun {
    /// The tests in LocalScore's order.
    pub tests: Vec<LocalScoreTest>,
    /// Average prompt processing, token/s.
    pub avg_pp_tokens_per_s: f64,
    /// Average generation, token/s.
    pub avg_tg_tokens_per_s: f64,
    /// Average time to first token, ms.
    pub avg_ttft_ms: f64,
    /// LocalScore's score from the three averages.
    pub score: f64,
}

/// A model benchmark's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelBenchReport {
    /// The adapter.
    pub adapter: AdapterSummary,
    /// Catalog id of the shape.
    pub shape: String,
    /// Its name.
    pub name: String,
    /// Weight bytes (Q4_K_M mix).
    pub weight_bytes: u64,
    /// Parameters in the matrices.
    pub params: u64,
    /// What was run.
    pub config: ModelBenchConfig,
    /// Prompt tokens per command buffer (llama.cpp's batch and micro-batch).
    pub chunk_tokens: u32,
    /// Prompt processing, token/s.
    pub pp_tokens_per_s: Sampled,
    /// Generation, token/s.
    pub tg_tokens_per_s: Sampled,
    /// Time to the first token after the `pp` prompt, ms.
    pub ttft_ms: Sampled,
    /// Bytes a generated token reads (weights and the KV cache at the test's mean depth).
    pub bytes_per_token: u64,
    /// `bytes_per_token` × generation speed, GB/s.
    pub generation_gb_per_s: f64,
    /// Matrix FLOPs per prompt token.
    pub flops_per_token: u64,
    /// `flops_per_token` × prompt speed, TFLOPS.
    pub prefill_tflops: f64,
    /// Probed read bandwidth, GB/s, when probes ran.
    pub probed_read_gb_per_s: Option<f64>,
    /// Probed f32 FMA peak, TFLOPS, when probes ran.
    pub probed_fma_tflops: Option<f64>,
    /// LocalScore's tests, when run.
    pub localscore: Option<LocalScoreRun>,
    /// Bigger shapes not run, and why.
    pub not_run: Vec<String>,
    /// GPU time per kind of dispatch, when profiled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileReport>,
}

/// GPU time per kind of dispatch of a model step (labels as the runner marks them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileReport {
    /// (label, µs) per prompt chunk.
    pub prefill_us: Vec<(String, f64)>,
    /// (label, µs) per generated token.
    pub decode_us: Vec<(String, f64)>,
}

impl ModelBenchReport {
    /// Generation bandwidth ÷ probed read bandwidth.
    pub fn bandwidth_ratio(&self) -> Option<f64> {
        self.probed_read_gb_per_s.filter(|&b| b > 0.0).map(|b| self.generation_gb_per_s / b)
    }

    /// Prefill FLOP rate ÷ probed FMA peak.
    pub fn compute_ratio(&self) -> Option<f64> {
        self.probed_fma_tflops.filter(|&f| f > 0.0).map(|f| self.prefill_tflops / f)
    }

    /// The pp and tg rows as llama-bench's JSON output (`-o json`) names its fields.
    pub fn llama_bench_rows(&self) -> serde_json::Value {
        let row = |n_prompt: u32, n_gen: u32, tps: &Sampled| {
            let ns: Vec<f64> = tps.samples.iter().map(|t| 1e9 * f64::from(n_prompt.max(n_gen)) / t).collect();
            let ns = Sampled::of(ns);
            serde_json::json!({
                "model_filename": format!("{} (generated weights)", self.name),
                "model_type": format!("{} Q4_K - Medium", self.shape),
                "model_size": self.weight_bytes,
                "model_n_params": self.params,
                "gpu_info": self.adapter.name,
                "backends": format!("WebGPU/wgpu ({})", self.adapter.backend),
                "n_batch": self.chunk_tokens,
                "n_ubatch": self.chunk_tokens,
                "n_gpu_layers": 99,
                "type_k": "f32",
                "type_v": "f32",
                "n_prompt": n_prompt,
                "n_gen": n_gen,
                "n_depth": 0,
                "avg_ns": ns.mean.round() as u64,
                "stddev_ns": ns.stddev.round() as u64,
                "avg_ts": tps.mean,
                "stddev_ts": tps.stddev,
                "samples_ns": ns.samples.iter().map(|v| v.round() as u64).collect::<Vec<_>>(),
                "samples_ts": tps.samples,
            })
        };
        serde_json::json!([
            row(self.config.prompt_tokens, 0, &self.pp_tokens_per_s),
            row(0, self.config.gen_tokens, &self.tg_tokens_per_s),
        ])
    }
}

/// Deterministic prompt tokens in the vocabulary.
fn prompt(vocab: usize, len: u32, salt: u32) -> Vec<u32> {
    (0..len).map(|i| hash2(salt, i) % vocab.max(1) as u32).collect()
}

/// One greedy run: (prompt seconds through the first token, seconds of the rest).
async fn timed(
    ctx: &GpuContext,
    model: &GpuModel,
    prompt_ids: &[u32],
    gen: u32,
    cancel: &dyn Fn() -> bool,
) -> Result<(f64, f64), ProbeError> {
    let run = model.generate(ctx, prompt_ids, gen.max(1) as usize, &mut |_| {}, cancel).await?;
    Ok((run.prompt_s, run.generation_s))
}

/// Runs `config` on `model` (loaded from `shape`); `step` hears what is running.
pub async fn run_model_bench(
    ctx: &GpuContext,
    model: &GpuModel,
    shape: &GeneratedModel,
    config: &ModelBenchConfig,
    step: &mut dyn FnMut(&str),
    cancel: &dyn Fn() -> bool,
) -> Result<ModelBenchReport, ProbeError> {
    let vocab = shape.config.vocab;
    // The warm-up runs a prompt of the test's length (the first one of that length was
    // measured at less than half the later ones' speed on an H100) and 2 tokens.
    step("warm-up");
    timed(ctx, model, &prompt(vocab, config.prompt_tokens.max(2), 0), 2, cancel).await?;
    let (mut pp, mut ttft, mut tg) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..config.repetitions.max(1) {
        step(&format!("pp{} ({}/{})", config.prompt_tokens, r + 1, config.repetitions.max(1)));
        let ids = prompt(vocab, config.prompt_tokens.max(1), r + 1);
        let (prompt_s, _) = timed(ctx, model, &ids, 1, cancel).await?;
        pp.push(f64::from(config.prompt_tokens.max(1)) / prompt_s.max(1e-9));
        ttft.push(prompt_s * 1e3);
        step(&format!("tg{} ({}/{})", config.gen_tokens, r + 1, config.repetitions.max(1)));
        let (_, gen_s) = timed(ctx, model, &prompt(vocab, 1, 100 + r), config.gen_tokens + 1, cancel).await?;
        tg.push(f64::from(config.gen_tokens) / gen_s.max(1e-9));
    }
    let localscore = if config.localscore {
        let mut tests = Vec::new();
        for (i, &(p, g)) in localscore::TESTS.iter().enumerate() {
            step(&format!("LocalScore test {}/9: {p} prompt, {g} generated", i + 1));
            let (prompt_s, gen_s) = timed(ctx, model, &prompt(vocab, p, 1000 + i as u32), g, cancel).await?;
            tests.push(LocalScoreTest {
                prompt_tokens: p,
                gen_tokens: g,
                pp_tokens_per_s: f64::from(p) / prompt_s.max(1e-9),
                tg_tokens_per_s: f64::from(g.saturating_sub(1)) / gen_s.max(1e-9),
                ttft_ms: prompt_s * 1e3,
            });
        }
        let avg = |f: fn(&LocalScoreTest) -> f64| tests.iter().map(f).sum::<f64>() / tests.len() as f64;
        let (app, atg, attft) = (avg(|t| t.pp_tokens_per_s), avg(|t| t.tg_tokens_per_s), avg(|t| t.ttft_ms));
        Some(LocalScoreRun {
            score: localscore::score(app, atg, attft),
            tests,
            avg_pp_tokens_per_s: app,
            avg_tg_tokens_per_s: atg,
            avg_ttft_ms: attft,
        })
    } else {
        None
    };
    let (pp, tg, ttft) = (Sampled::of(pp), Sampled::of(tg), Sampled::of(ttft));
    let bytes_per_token = shape.bytes_per_token(config.gen_tokens as usize / 2);
    let flops_per_token = shape.matrix_flops_per_token();
    Ok(ModelBenchReport {
        adapter: ctx.adapter.clone(),
        shape: shape.id.clone(),
        name: shape.name.clone(),
        weight_bytes: shape.weight_bytes(),
        params: shape.matrices.iter().map(|m| (m.cols * m.rows) as u64).sum(),
        config: config.clone(),
        chunk_tokens: model.prefill_chunk_tokens(),
        generation_gb_per_s: bytes_per_token as f64 * tg.mean / 1e9,
        prefill_tflops: flops_per_token as f64 * pp.mean / 1e12,
        pp_tokens_per_s: pp,
        tg_tokens_per_s: tg,
        ttft_ms: ttft,
        bytes_per_token,
        flops_per_token,
        probed_read_gb_per_s: None,
        probed_fma_tflops: None,
        localscore,
        not_run: Vec::new(),
        profile: None,
    })
}
