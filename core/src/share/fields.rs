//! The key–value form of one scenario in a link.
//!
//! Keys: `hw` machine id, `hg` added GPU id, `hh` host id, `n` GPU count, `hc` custom
//! machine, `hl=1` its GPU is a laptop GPU; `m` model id, `mc` custom model; `q` quantization; `pp` prompt tokens, `tg`
//! generated tokens, `d` context depth, `b` batch, `ctx` context size, `kv` KV cache type,
//! `pl` placement (`auto`, `cpu`, `gpu`, `xe` experts on CPU, or a layer count), `cold`
//! disk read GB/s for a cold start, `sd` speculative decoding `draft~tokens~acceptance`,
//! `os` operating system (`linux`, `windows`), `be` GPU backend (`cuda`, `rocm`, `metal`,
//! `vulkan`, `sycl`; absent: the GPU's default), `en` engine (`llama.cpp`, `localscore`,
//! `roofline-webgpu`; absent: llama.cpp), `fa` flash attention (`on`, `off`; absent: auto).

use std::collections::BTreeMap;

use serde::Serialize;

use super::custom;
use crate::catalog::Catalog;
use crate::hardware::GpuBackend;
use crate::quant::QuantScheme;
use crate::runtime::{Engine, FlashAttention};
use crate::scenario::{HardwareChoice, ModelChoice, Scenario};
use crate::system::System;
use crate::workload::{limits, KvType, Os, Placement, Speculative, Workload};

/// A link field that could not be used as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// The field, in words.
    pub field: String,
    /// The value found, shortened and stripped of control characters (plain text).
    pub value: String,
    /// What was done instead.
    pub reason: String,
}

impl Notice {
    /// A notice with `value` made safe to show as text.
    pub fn new(field: &str, value: &str, reason: &str) -> Notice {
        let mut clean: String = value.chars().filter(|c| !c.is_control()).take(40).collect();
        if value.chars().count() > 40 {
            clean.push('…');
        }
        Notice { field: field.chars().take(60).collect(), value: clean, reason: reason.to_owned() }
    }
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} “{}”: {}", self.field, self.value, self.reason)
    }
}

fn placement_text(p: Placement) -> String {
    match p {
        Placement::Auto => "auto".into(),
        Placement::CpuOnly => "cpu".into(),
        Placement::GpuOnly => "gpu".into(),
        Placement::ExpertsOnCpu => "xe".into(),
        Placement::GpuLayers(n) => n.to_string(),
    }
}

fn parse_placement(text: &str) -> Option<Placement> {
    match text {
        "auto" => Some(Placement::Auto),
        "cpu" => Some(Placement::CpuOnly),
        "gpu" => Some(Placement::GpuOnly),
        "xe" => Some(Placement::ExpertsOnCpu),
        _ => text.parse::<u32>().ok().filter(|&n| n <= 1024).map(Placement::GpuLayers),
    }
}

/// Every key of `s`, including those at their defaults.
fn all_pairs(s: &Scenario) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        m.insert(k.to_owned(), v);
    };
    match &s.hardware {
        HardwareChoice::Preset { id, gpu, host, gpu_count } => {
            put("hw", id.clone());
            if let Some(g) = gpu {
                put("hg", g.clone());
            }
            if let Some(h) = host {
                put("hh", h.clone());
            }
            put("n", gpu_count.to_string());
        }
        HardwareChoice::Custom(system) => {
            put("hc", custom::encode_system(system));
            if system.gpu.as_ref().is_some_and(|g| g.mobile) {
                put("hl", "1".to_owned());
            }
        }
    }
    match &s.model {
        ModelChoice::Preset(id) => put("m", id.clone()),
        ModelChoice::Custom(spec) => put("mc", custom::encode_model(spec)),
    }
    if let Some(q) = s.quant {
        put("q", q.name().to_owned());
    }
    let w = &s.workload;
    put("pp", w.prompt_tokens.to_string());
    put("tg", w.gen_tokens.to_string());
    put("d", w.context_depth.to_string());
    put("b", w.batch.to_string());
    if let Some(c) = w.context_tokens {
        put("ctx", c.to_string());
    }
    put("kv", w.kv_type.name().to_owned());
    put("pl", placement_text(w.placement));
    if let Some(d) = w.cold_start_disk_gb_per_s {
        put("cold", d.to_string());
    }
    if let Some(sd) = &w.speculative {
        put("sd", format!("{}~{}~{}", sd.draft_model_id, sd.draft_tokens, sd.acceptance_rate));
    }
    put("os", w.os.id().to_owned());
    if let Some(b) = w.backend {
        put("be", b.id().to_owned());
    }
    put("en", w.engine.id().to_owned());
    put("fa", w.flash_attention.id().to_owned());
    m
}

/// The keys of `s` that differ from [`Scenario::default`].
pub fn encode_scenario(s: &Scenario) -> BTreeMap<String, String> {
    let defaults = all_pairs(&Scenario::default());
    all_pairs(s).into_iter().filter(|(k, v)| defaults.get(k) != Some(v)).collect()
}

struct Reader<'a> {
    pairs: &'a BTreeMap<String, String>,
    prefix: &'a str,
    notices: &'a mut Vec<Notice>,
}

impl Reader<'_> {
    fn note(&mut self, field: &str, value: &str, reason: &str) {
        self.notices.push(Notice::new(&format!("{}{field}", self.prefix), value, reason));
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.pairs.get(key).map(String::as_str)
    }

    fn int(&mut self, key: &str, field: &str, default: u32, lo: u32, hi: u32) -> u32 {
        let Some(text) = self.get(key) else { return default };
        match text.parse::<u32>() {
            Ok(v) if (lo..=hi).contains(&v) => v,
            _ => {
                let text = text.to_owned();
                self.note(field, &text, &format!("must be a whole number from {lo} to {hi}; using {default}"));
                default
            }
        }
    }
}

/// Reads one scenario from its keys; anything unusable becomes its default plus a notice.
pub fn decode_scenario(
    pairs: &BTreeMap<String, String>,
    catalog: &Catalog,
    prefix: &str,
    notices: &mut Vec<Notice>,
) -> Scenario {
    let mut r = Reader { pairs, prefix, notices };
    for key in pairs.keys() {
        if ![
            "hw", "hg", "hh", "n", "hc", "m", "mc", "q", "pp", "tg", "d", "b", "ctx", "kv", "pl", "cold", "sd", "os",
            "hl", "be", "en", "fa",
        ]
        .contains(&key.as_str())
        {
            let value = pairs.get(key).cloned().unwrap_or_default();
            r.note(&format!("unknown field {key}"), &value, "ignored");
        }
    }
    let defaults = Scenario::default();
    let hardware = read_hardware(&mut r, catalog).unwrap_or(defaults.hardware);
    let model = read_model(&mut r, catalog).unwrap_or(defaults.model);
    let quant = r.get("q").map(str::to_owned).and_then(|q| {
        let parsed = QuantScheme::parse(&q);
        if parsed.is_none() {
            r.note("quantization", &q, "unknown; using the model's default");
        }
        parsed
    });
    let workload = read_workload(&mut r, catalog);
    Scenario { hardware, model, quant, workload }
}

fn read_hardware(r: &mut Reader<'_>, catalog: &Catalog) -> Option<HardwareChoice> {
    if let Some(text) = r.get("hc").map(str::to_owned) {
        let base = Scenario::default().hardware.system(catalog).ok()?;
        let mut system: System = custom::decode_system(&text, &base, &mut |f, v, why| r.note(f, v, why));
        if let Some(flag) = r.get("hl").map(str::to_owned) {
            match (flag.as_str(), system.gpu.as_mut()) {
                ("1", Some(g)) => g.mobile = true,
                ("0", _) => {}
                _ => r.note("laptop GPU", &flag, "expected 1 on a machine with a GPU; ignored"),
            }
        }
        return match crate::scenario::check_system(&system) {
            Ok(()) => Some(HardwareChoice::Custom(Box::new(system))),
            Err(e) => {
                r.note("custom machine", &text, &format!("{e}; using the default machine"));
                None
            }
        };
    }
    let id = r.get("hw").unwrap_or(crate::scenario::DEFAULT_HARDWARE_ID).to_owned();
    let mut lookup = |key: &str, field: &str| -> Option<String> {
        let text = r.get(key)?.to_owned();
        match catalog.hardware(&text) {
            Ok(e) => Some(e.id.clone()),
            Err(_) => {
                r.note(field, &text, "not in the catalog; left out");
                None
            }
        }
    };
    let main = match catalog.hardware(&id) {
        Ok(e) => e.id.clone(),
        Err(_) => {
            r.note("machine", &id, "not in the catalog; using the default machine");
            return None;
        }
    };
    let gpu = lookup("hg", "added GPU");
    let host = lookup("hh", "host");
    let gpu_count = r.int("n", "GPU count", 1, 1, 16);
    let choice = HardwareChoice::Preset { id: main.clone(), gpu, host, gpu_count };
    match choice.system(catalog) {
        Ok(_) => Some(choice),
        Err(e) => {
            r.note("machine", &main, &format!("{e}; using it alone"));
            Some(HardwareChoice::preset(&main))
        }
    }
}

fn read_model(r: &mut Reader<'_>, catalog: &Catalog) -> Option<ModelChoice> {
    if let Some(text) = r.get("mc").map(str::to_owned) {
        let base = catalog.model(crate::scenario::DEFAULT_MODEL_ID).ok()?.clone();
        let spec = custom::decode_model(&text, &base, &mut |f, v, why| r.note(f, v, why));
        return match crate::check::check_model(&spec) {
            Ok(()) => Some(ModelChoice::Custom(Box::new(spec))),
            Err(e) => {
                r.note("custom model", &text, &format!("{e}; using the default model"));
                None
            }
        };
    }
    let id = r.get("m").map(str::to_owned)?;
    match catalog.model(&id) {
        Ok(m) => Some(ModelChoice::Preset(m.id.clone())),
        Err(_) => {
            r.note("model", &id, "not in the catalog; using the default model");
            None
        }
    }
}

fn read_workload(r: &mut Reader<'_>, catalog: &Catalog) -> Workload {
    let d = Workload::default();
    let mut w = Workload {
        prompt_tokens: r.int("pp", "prompt tokens", d.prompt_tokens, 1, limits::MAX_PROMPT_TOKENS),
        gen_tokens: r.int("tg", "generated tokens", d.gen_tokens, 0, limits::MAX_GEN_TOKENS),
        context_depth: r.int("d", "context depth", d.context_depth, 0, limits::MAX_CONTEXT_TOKENS),
        batch: r.int("b", "batch", d.batch, 1, limits::MAX_BATCH),
        ..d.clone()
    };
    if r.get("ctx").is_some() {
        w.context_tokens = Some(r.int("ctx", "context size", 0, 1, limits::MAX_CONTEXT_TOKENS)).filter(|&c| c > 0);
    }
    if let Some(kv) = r.get("kv").map(str::to_owned) {
        match KvType::parse(&kv) {
            Some(k) => w.kv_type = k,
            None => r.note("KV cache type", &kv, "unknown; using f16"),
        }
    }
    if let Some(pl) = r.get("pl").map(str::to_owned) {
        match parse_placement(&pl) {
            Some(p) => w.placement = p,
            None => r.note("placement", &pl, "unknown; using auto"),
        }
    }
    if let Some(cold) = r.get("cold").map(str::to_owned) {
        match cold.parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 && v <= 1000.0 => w.cold_start_disk_gb_per_s = Some(v),
            _ => r.note("disk read speed", &cold, "must be between 0 and 1000 GB/s; cold start off"),
        }
    }
    if let Some(os) = r.get("os").map(str::to_owned) {
        match Os::parse(&os) {
            Some(o) => w.os = o,
            None => r.note("operating system", &os, "unknown; using Linux"),
        }
    }
    if let Some(be) = r.get("be").map(str::to_owned) {
        match GpuBackend::parse(&be) {
            Some(b) => w.backend = Some(b),
            None => r.note("GPU backend", &be, "unknown; using the GPU's default backend"),
        }
    }
    if let Some(en) = r.get("en").map(str::to_owned) {
        match Engine::parse(&en) {
            Some(e) => w.engine = e,
            None => r.note("engine", &en, "unknown; using llama.cpp"),
        }
    }
    if let Some(fa) = r.get("fa").map(str::to_owned) {
        match FlashAttention::parse(&fa) {
            Some(f) => w.flash_attention = f,
            None => r.note("flash attention", &fa, "unknown; using the engine's default"),
        }
    }
    if let Some(sd) = r.get("sd").map(str::to_owned) {
        w.speculative = read_speculative(&sd, catalog);
        if w.speculative.is_none() {
            r.note("speculative decoding", &sd, "expected draft-model~tokens~acceptance; turned off");
        }
    }
    if let Err(e) = w.validate() {
        r.note(e.field, &e.got, &format!("must be {}; using defaults for the context", e.expected));
        w.context_tokens = None;
        if w.validate().is_err() {
            w = d;
        }
    }
    w
}

fn read_speculative(text: &str, catalog: &Catalog) -> Option<Speculative> {
    let mut parts = text.split('~');
    let draft = catalog.model(parts.next()?).ok()?.id.clone();
    let tokens = parts.next()?.parse::<u32>().ok().filter(|t| (1..=limits::MAX_DRAFT_TOKENS).contains(t))?;
    let acceptance = parts.next()?.parse::<f64>().ok().filter(|a| a.is_finite() && (0.0..=1.0).contains(a))?;
    if parts.next().is_some() {
        return None;
    }
    Some(Speculative { draft_model_id: draft, draft_tokens: tokens, acceptance_rate: acceptance })
}
