//! Turning command-line options into core inputs.

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use roofline_core::catalog::{parse_hardware_json, parse_model_json, Catalog};
use roofline_core::cost::MachineCost;
use roofline_core::hardware::{GpuBackend, HardwareEntry};
use roofline_core::model::ModelSpec;
use roofline_core::quant::QuantScheme;
use roofline_core::runtime::{Engine, FlashAttention};
use roofline_core::system::System;
use roofline_core::workload::{KvType, Os, Placement, Speculative, Workload};

/// Options that pick a machine.
#[derive(Debug, Args)]
pub struct Machine {
    /// Hardware id or alias (see `roofline catalog hardware`).
    #[arg(long, required_unless_present = "hardware_file")]
    pub hardware: Option<String>,
    /// Custom hardware as JSON (the catalog's schema).
    #[arg(long, conflicts_with = "hardware")]
    pub hardware_file: Option<std::path::PathBuf>,
    /// Host CPU for a discrete GPU entry (default: an 8-core DDR4 desktop).
    #[arg(long)]
    pub host: Option<String>,
    /// Discrete GPU added to a CPU entry.
    #[arg(long)]
    pub gpu: Option<String>,
    /// Number of identical GPUs.
    #[arg(long, default_value_t = 1)]
    pub gpus: u32,
    /// GPU backend llama.cpp runs on: cuda, rocm, metal, vulkan or sycl (default: the
    /// GPU's catalog backend).
    #[arg(long)]
    pub backend: Option<String>,
}

/// Options that pick the runtime: the engine and flash attention (the backend is a
/// [`Machine`] option, since it belongs to the GPU).
#[derive(Debug, Args)]
pub struct Runtime {
    /// Inference engine: llama.cpp, localscore (llamafile as LocalScore ran it) or
    /// roofline-webgpu (this site's engine). Default: llama.cpp, or localscore for
    /// `roofline localscore`.
    #[arg(long)]
    pub engine: Option<String>,
    /// Flash attention: on, off or auto (what the engine does by default: on in llama.cpp,
    /// off in the other two).
    #[arg(long, default_value = "auto")]
    pub flash_attention: String,
}

impl Runtime {
    /// The engine (`default` when none is given) and the flash-attention setting.
    pub fn resolve(&self, default: Engine) -> Result<(Engine, FlashAttention)> {
        let engine = match self.engine.as_deref() {
            None => default,
            Some(e) => Engine::parse(e)
                .ok_or_else(|| anyhow!("unknown engine '{e}' (llama.cpp, localscore, roofline-webgpu)"))?,
        };
        let fa = FlashAttention::parse(&self.flash_attention)
            .ok_or_else(|| anyhow!("unknown flash attention setting '{}' (on, off, auto)", self.flash_attention))?;
        Ok((engine, fa))
    }
}

/// Options that pick a machine and a model.
#[derive(Debug, Args)]
pub struct Target {
    /// The machine.
    #[command(flatten)]
    pub machine: Machine,
    /// Model id or alias (see `roofline catalog models`).
    #[arg(long, required_unless_present = "model_file")]
    pub model: Option<String>,
    /// Custom model as JSON (the catalog's schema).
    #[arg(long, conflicts_with = "model")]
    pub model_file: Option<std::path::PathBuf>,
    /// Quantization preset (default: the model's usual one, e.g. Q4_K_M).
    #[arg(long)]
    pub quant: Option<String>,
    /// Blocks on the GPU: a number (0 = CPU only) or `all`.
    #[arg(long)]
    pub gpu_layers: Option<String>,
    /// Keep routed experts of a MoE model on the CPU, everything else on the GPU.
    #[arg(long)]
    pub experts_on_cpu: bool,
    /// KV cache type: f16, q8_0 or q4_0.
    #[arg(long, default_value = "f16")]
    pub kv_type: String,
    /// Batch: sequences processed together.
    #[arg(long, default_value_t = 1)]
    pub batch: u32,
    /// Operating system the engine runs on: linux (also macOS) or windows.
    #[arg(long, default_value = "linux")]
    pub os: String,
    /// The runtime.
    #[command(flatten)]
    pub runtime: Runtime,
}

/// Resolved inputs.
pub struct Resolved {
    pub system: System,
    pub model: ModelSpec,
    pub quant: QuantScheme,
    pub placement: Placement,
    pub kv_type: KvType,
    pub os: Os,
    pub backend: Option<GpuBackend>,
    pub engine: Engine,
    pub flash_attention: FlashAttention,
}

/// `--kv-type`, or a message naming the accepted types.
pub fn parse_kv_type(text: &str) -> Result<KvType> {
    KvType::parse(text).ok_or_else(|| anyhow!("unknown KV cache type '{text}' (f16, q8_0, q4_0)"))
}

/// `--os`, or a message naming the accepted systems.
pub fn parse_os(text: &str) -> Result<Os> {
    Os::parse(text).ok_or_else(|| anyhow!("unknown operating system '{text}' (linux, macos, windows)"))
}

fn read_json(path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

impl Machine {
    /// The catalog (or custom) entries the machine is built from: main, host, added GPU.
    fn entries<'a>(
        &self,
        catalog: &'a Catalog,
        custom: &'a Option<HardwareEntry>,
    ) -> Result<(&'a HardwareEntry, Option<&'a HardwareEntry>, Option<&'a HardwareEntry>)> {
        let main = match (custom, &self.hardware) {
            (Some(h), _) => h,
            (None, Some(id)) => catalog.hardware(id)?,
            (None, None) => bail!("give --hardware or --hardware-file"),
        };
        let host = self.host.as_deref().map(|h| catalog.hardware(h)).transpose()?;
        let gpu = self.gpu.as_deref().map(|g| catalog.hardware(g)).transpose()?;
        Ok((main, host, gpu))
    }

    fn custom(&self) -> Result<Option<HardwareEntry>> {
        Ok(match &self.hardware_file {
            Some(p) => Some(parse_hardware_json(&read_json(p)?)?),
            None => None,
        })
    }

    /// The machine's price and power from its parts (a custom entry's own `price_usd` and
    /// `power_w`).
    pub fn cost(&self, catalog: &Catalog, memory_usd_per_gb: f64) -> Result<MachineCost> {
        let custom = self.custom()?;
        let (main, host, gpu) = self.entries(catalog, &custom)?;
        Ok(MachineCost::of(catalog, main, host, gpu, self.gpus, memory_usd_per_gb))
    }

    /// The machine, with its GPU on the chosen backend, and that choice.
    pub fn resolve(&self, catalog: &Catalog) -> Result<(System, Option<GpuBackend>)> {
        let custom = self.custom()?;
        let (main, host, gpu) = self.entries(catalog, &custom)?;
        let system = System::assemble(main, host, gpu, self.gpus)?;
        let backend = match self.backend.as_deref() {
            None => None,
            Some(b) => Some(
                GpuBackend::parse(b)
                    .ok_or_else(|| anyhow!("unknown GPU backend '{b}' (cuda, rocm, metal, vulkan, sycl)"))?,
            ),
        };
        if backend.is_some() && system.gpu.is_none() {
            bail!("--backend needs a machine with a GPU; '{}' has none", system.name);
        }
        Ok((system.with_backend(backend).into_owned(), backend))
    }
}

impl Target {
    /// Looks everything up and checks it.
    /// `default_engine` is the command's engine when `--engine` is not given.
    pub fn resolve(&self, catalog: &Catalog, default_engine: Engine) -> Result<Resolved> {
        let (system, backend) = self.machine.resolve(catalog)?;
        let (engine, flash_attention) = self.runtime.resolve(default_engine)?;
        let model = match (&self.model_file, &self.model) {
            (Some(p), _) => parse_model_json(&read_json(p)?)?,
            (None, Some(id)) => catalog.model(id)?.clone(),
            (None, None) => bail!("give --model or --model-file"),
        };
        let quant_name = self.quant.clone().unwrap_or_else(|| model.default_quant.clone());
        let quant = QuantScheme::parse(&quant_name).ok_or_else(|| {
            let known: Vec<&str> = roofline_core::quant::ALL_SCHEMES.iter().map(|q| q.name()).collect();
            anyhow!("unknown quantization '{quant_name}' (known: {})", known.join(", "))
        })?;
        let placement = match (self.experts_on_cpu, self.gpu_layers.as_deref()) {
            (true, Some(_)) => bail!("--experts-on-cpu and --gpu-layers cannot be combined"),
            (true, None) => Placement::ExpertsOnCpu,
            (false, None) => Placement::Auto,
            (false, Some("all")) => Placement::GpuOnly,
            (false, Some(n)) => match n.parse::<u32>() {
                Ok(0) => Placement::CpuOnly,
                Ok(k) => Placement::GpuLayers(k),
                Err(_) => bail!("--gpu-layers takes a whole number or 'all', got '{n}'"),
            },
        };
        let kv_type = parse_kv_type(&self.kv_type)?;
        let os = parse_os(&self.os)?;
        Ok(Resolved { system, model, quant, placement, kv_type, os, backend, engine, flash_attention })
    }
}

/// Options for one workload.
#[derive(Debug, Args)]
pub struct WorkloadArgs {
    /// Prompt tokens.
    #[arg(long, default_value_t = 1024)]
    pub prompt: u32,
    /// Generated tokens.
    #[arg(long, default_value_t = 256)]
    pub gen: u32,
    /// Context the KV cache is sized for, tokens (default: prompt + generated).
    #[arg(long)]
    pub context: Option<u32>,
    /// Tokens already in the cache before the prompt.
    #[arg(long, default_value_t = 0)]
    pub depth: u32,
    /// Load the weights from disk first at this speed, GB/s.
    #[arg(long)]
    pub cold_start_disk: Option<f64>,
    /// Draft model id for speculative decoding.
    #[arg(long)]
    pub draft: Option<String>,
    /// Tokens drafted per step.
    #[arg(long, default_value_t = 4)]
    pub draft_tokens: u32,
    /// Acceptance rate of drafted tokens (0–1).
    #[arg(long, default_value_t = 0.7)]
    pub acceptance: f64,
    /// Electricity price for the energy figures, USD per kWh.
    #[arg(long, default_value_t = roofline_core::cost::DEFAULT_ELECTRICITY_USD_PER_KWH)]
    pub electricity_usd_per_kwh: f64,
    /// An API's price per million generated tokens, USD: the energy figures then say after
    /// how many tokens the machine (its price plus electricity) costs less.
    #[arg(long)]
    pub api_usd_per_million_tokens: Option<f64>,
    /// System memory price used to price a CPU machine or a GPU's host, USD per GB.
    #[arg(long, default_value_t = roofline_core::cost::DEFAULT_MEMORY_USD_PER_GB)]
    pub memory_usd_per_gb: f64,
}

impl WorkloadArgs {
    /// The workload, and the draft model when one is named.
    pub fn build(&self, r: &Resolved, batch: u32, catalog: &Catalog) -> Result<(Workload, Option<ModelSpec>)> {
        let draft = self.draft.as_deref().map(|d| catalog.model(d).cloned()).transpose()?;
        let w = Workload {
            prompt_tokens: self.prompt,
            gen_tokens: self.gen,
            batch,
            context_depth: self.depth,
            context_tokens: self.context,
            kv_type: r.kv_type,
            placement: r.placement,
            cold_start_disk_gb_per_s: self.cold_start_disk,
            speculative: draft.as_ref().map(|d| Speculative {
                draft_model_id: d.id.clone(),
                draft_tokens: self.draft_tokens,
                acceptance_rate: self.acceptance,
            }),
            os: r.os,
            backend: r.backend,
            engine: r.engine,
            flash_attention: r.flash_attention,
        };
        w.validate()?;
        Ok((w, draft))
    }
}

/// Options of `roofline bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Largest memory working set in MiB (the adapter's limits may lower it).
    #[arg(long, default_value_t = 256)]
    pub max_mib: u64,
    /// A short run: 8 MiB, 5 ms samples (for smoke tests, not for figures).
    #[arg(long)]
    pub quick: bool,
    /// Samples per figure (at least 5).
    #[arg(long, default_value_t = 5)]
    pub samples: u32,
    /// Time with the wall clock even where timestamp queries exist.
    #[arg(long)]
    pub no_timestamps: bool,
    /// Also benchmark a model with generated weights: a catalog shape (smollm2-135m,
    /// llama-3-2-1b, llama-3-1-8b, qwen2-5-14b) or `auto` (the largest that fits).
    #[arg(long)]
    pub model_shape: Option<String>,
    /// Prompt tokens of the prompt-processing test (llama-bench -p).
    #[arg(long, default_value_t = 512)]
    pub pp: u32,
    /// Generated tokens of the generation test (llama-bench -n).
    #[arg(long, default_value_t = 128)]
    pub tg: u32,
    /// Timed repetitions of each model test (llama-bench -r).
    #[arg(long, default_value_t = 5)]
    pub repetitions: u32,
    /// Also run LocalScore's nine prompt/generation tests and its score.
    #[arg(long)]
    pub localscore: bool,
    /// Also profile the model's steps: GPU time per kind of dispatch for a prompt chunk and
    /// for a generated token (native adapters with timestamps inside passes).
    #[arg(long)]
    pub profile: bool,
    /// Decode with this matrix-vector kernel instead of the adapter's choice (`plain`,
    /// `wide`, `wide8`), to compare them.
    #[arg(long)]
    pub decode_kernel: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Options of `roofline shop`.
#[derive(Debug, clap::Args)]
pub struct ShopArgs {
    /// Model id or alias.
    #[arg(long)]
    pub model: String,
    /// Quantization preset (default: the model's usual one).
    #[arg(long)]
    pub quant: Option<String>,
    /// Use case whose prompt and output lengths are estimated: uc1, uc2, uc3 or uc4 (or a
    /// LocalScore test, ls1 … ls9); its verdict is the target unless speeds are given.
    #[arg(long, default_value = "uc1")]
    pub use_case: String,
    /// The worst verdict accepted: interactive, background or offline.
    #[arg(long, default_value = "interactive", conflicts_with_all = ["min_generation_tokens_per_s", "max_ttft_ms"])]
    pub verdict: String,
    /// Least generation speed, token/s (instead of a verdict).
    #[arg(long)]
    pub min_generation_tokens_per_s: Option<f64>,
    /// Most time to first token, ms (instead of a verdict).
    #[arg(long)]
    pub max_ttft_ms: Option<f64>,
    /// Context the KV cache is sized for, tokens (default: prompt + generated).
    #[arg(long)]
    pub context: Option<u32>,
    /// Most a machine may cost, USD (machines of unknown price are still listed, last).
    #[arg(long)]
    pub budget_usd: Option<f64>,
    /// System memory price, USD per GB.
    #[arg(long, default_value_t = roofline_core::cost::DEFAULT_MEMORY_USD_PER_GB)]
    pub memory_usd_per_gb: f64,
    /// KV cache type: f16, q8_0 or q4_0.
    #[arg(long, default_value = "f16")]
    pub kv_type: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

impl ShopArgs {
    /// The query, the use case, the model and the quantization.
    pub fn resolve(
        &self,
        catalog: &Catalog,
    ) -> Result<(roofline_core::shop::Query, roofline_core::plan::view::Task, ModelSpec, QuantScheme)> {
        use roofline_core::estimate::verdict::Verdict;
        use roofline_core::shop::{Query, Target};
        let model = catalog.model(&self.model)?.clone();
        let quant_name = self.quant.clone().unwrap_or_else(|| model.default_quant.clone());
        let quant = QuantScheme::parse(&quant_name).ok_or_else(|| anyhow!("unknown quantization '{quant_name}'"))?;
        let uc = parse_task(&self.use_case)?;
        let positive = |name: &str, v: Option<f64>| match v {
            Some(x) if !(x.is_finite() && x >= 0.0) => bail!("--{name} must be 0 or more, got {x}"),
            _ => Ok(()),
        };
        positive("min-generation-tokens-per-s", self.min_generation_tokens_per_s)?;
        positive("max-ttft-ms", self.max_ttft_ms)?;
        positive("budget-usd", self.budget_usd)?;
        positive("memory-usd-per-gb", Some(self.memory_usd_per_gb))?;
        let target = if self.min_generation_tokens_per_s.is_some() || self.max_ttft_ms.is_some() {
            Target::Speeds {
                min_generation_tokens_per_s: self.min_generation_tokens_per_s.unwrap_or(0.0),
                max_time_to_first_token_ms: self.max_ttft_ms.unwrap_or(f64::INFINITY),
            }
        } else {
            let verdict = match self.verdict.to_ascii_lowercase().as_str() {
                "interactive" => Verdict::Interactive,
                "background" => Verdict::Background,
                "offline" => Verdict::Offline,
                v => bail!("unknown verdict '{v}' (interactive, background, offline)"),
            };
            Target::Verdict { verdict }
        };
        let workload = Workload {
            prompt_tokens: uc.prompt_tokens,
            gen_tokens: uc.gen_tokens,
            context_tokens: self.context,
            kv_type: parse_kv_type(&self.kv_type)?,
            ..Workload::default()
        };
        workload.validate()?;
        let query = Query { workload, target, budget_usd: self.budget_usd, memory_usd_per_gb: self.memory_usd_per_gb };
        Ok((query, uc, model, quant))
    }
}

/// A use case (`uc1` … `uc4`) or one of LocalScore's tests (`ls1` … `ls9`) by id.
pub fn parse_task(text: &str) -> Result<roofline_core::plan::view::Task> {
    roofline_core::plan::view::parse_use_case(text)
        .map(roofline_core::plan::view::task)
        .ok_or_else(|| anyhow!("unknown use case '{text}' (uc1, uc2, uc3, uc4, or a LocalScore test ls1 … ls9)"))
}
