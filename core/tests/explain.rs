//! Explanations: each result is the estimate's own figure, every line has numbers and
//! units, and every input names its source.
//!
//! `CASE=2 cargo test -p roofline-core --release --test explain -- --nocapture print` prints
//! the explanations of one configuration (an index into `cases()`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use roofline_core::catalog::Catalog;
use roofline_core::efficiency::Efficiency;
use roofline_core::estimate::{Estimate, EstimateError};
use roofline_core::explain::{explain, Explanations, FIGURES};
use roofline_core::hardware::HardwareEntry;
use roofline_core::model::ModelSpec;
use roofline_core::quant::QuantScheme;
use roofline_core::series::Inputs;
use roofline_core::system::System;
use roofline_core::units;
use roofline_core::workload::{KvType, Placement, Workload};

mod cases;
use cases::{case, spec, Case};

fn cases() -> Vec<Case> {
    let w = Workload::default;
    vec![
        Case {
            workload: Workload { placement: Placement::CpuOnly, ..w() },
            ..case("cpu-only", "amd-ryzen-9-9950x", "qwen2-5-14b")
        },
        case("gpu", "nvidia-geforce-rtx-3090", "llama-3-1-8b"),
        Case {
            gpu: Some(("nvidia-geforce-rtx-4090", 1)),
            ..case("partial-offload", "amd-ryzen-9-9950x", "llama-3-1-70b")
        },
        Case {
            gpu: Some(("nvidia-geforce-rtx-4090", 1)),
            workload: Workload { placement: Placement::GpuLayers(10), ..w() },
            ..case("gpu-layers-10", "amd-ryzen-9-9950x", "llama-3-1-70b")
        },
        Case {
            workload: Workload { placement: Placement::ExpertsOnCpu, ..w() },
            ..case("moe-experts-on-cpu", "nvidia-geforce-rtx-4090", "qwen3-30b-a3b")
        },
        case("apple", "apple-m4-max-16c-40g", "llama-3-1-8b"),
        Case { gpu: Some(("nvidia-h100-sxm", 4)), ..case("multi-gpu", "amd-epyc-9554p", "llama-3-1-70b") },
        Case { workload: Workload { batch: 4, ..w() }, ..case("batch-4", "nvidia-geforce-rtx-3090", "llama-3-1-8b") },
        Case {
            draft: Some("llama-3-2-1b"),
            workload: Workload { speculative: spec(5, 0.7), ..w() },
            ..case("speculative", "nvidia-geforce-rtx-4090", "llama-3-1-8b")
        },
        Case {
            workload: Workload { cold_start_disk_gb_per_s: Some(3.0), gen_tokens: 3072, ..w() },
            ..case("unified-cold-start", "amd-ryzen-ai-max-plus-395", "qwen2-5-14b")
        },
        Case {
            workload: Workload { context_depth: 8000, kv_type: KvType::Q8_0, ..w() },
            ..case("sliding-window-deep-context", "apple-m4-max-16c-40g", "gemma-3-27b")
        },
        Case {
            workload: Workload { prompt_tokens: 16, gen_tokens: 1536, ..w() },
            ..case("pi", "raspberry-pi-5", "llama-3-2-1b")
        },
        Case {
            workload: Workload { gen_tokens: 0, ..w() },
            ..case("no-generation", "nvidia-geforce-rtx-3090", "llama-3-1-8b")
        },
        case("mla-cpu", "amd-epyc-9554p", "deepseek-v3"),
        Case {
            draft: Some("llama-3-2-1b"),
            workload: Workload { speculative: spec(4, 1.0), batch: 2, context_tokens: Some(16384), ..w() },
            ..case("speculative-certain-batch-2", "apple-m4-max-16c-40g", "llama-3-1-70b")
        },
        Case {
            gpu: Some(("nvidia-geforce-rtx-3090", 2)),
            workload: Workload { prompt_tokens: 4096, batch: 8, ..w() },
            ..case("two-gpus-batch-8", "amd-ryzen-threadripper-7970x", "qwen2-5-32b")
        },
    ]
}

/// Owned inputs of one case.
struct Setup<'c> {
    entries: Vec<&'c HardwareEntry>,
    system: System,
    model: ModelSpec,
    draft: Option<ModelSpec>,
    workload: Workload,
    eff: Efficiency,
}

impl<'c> Setup<'c> {
    fn new(catalog: &'c Catalog, c: &Case) -> Setup<'c> {
        let hw = catalog.hardware(c.hardware).unwrap();
        let gpu = c.gpu.map(|(g, n)| (catalog.hardware(g).unwrap(), n));
        let system = System::assemble(hw, None, gpu.map(|g| g.0), gpu.map_or(1, |g| g.1)).unwrap();
        Setup {
            entries: std::iter::once(hw).chain(gpu.map(|g| g.0)).collect(),
            system,
            model: catalog.model(c.model).unwrap().clone(),
            draft: c.draft.map(|d| catalog.model(d).unwrap().clone()),
            workload: c.workload.clone(),
            eff: Efficiency::fitted(),
        }
    }

    fn inputs(&self) -> Inputs<'_> {
        Inputs {
            system: &self.system,
            model: &self.model,
            draft: self.draft.as_ref(),
            quant: QuantScheme::Q4_K_M,
            workload: &self.workload,
            eff: &self.eff,
        }
    }

    fn explain(&self) -> (Explanations, Estimate) {
        (explain(&self.inputs(), &self.entries).unwrap(), self.inputs().estimate().unwrap())
    }
}

fn assert_same(name: &str, figure: &str, explained: f64, estimated: f64) {
    let rel = (explained - estimated).abs() / estimated.abs().max(f64::MIN_POSITIVE);
    assert!(rel <= 1e-9, "{name}: {figure} explained {explained} but estimated {estimated}");
}

#[test]
fn results_are_the_estimates_figures() {
    let catalog = Catalog::builtin();
    for c in cases() {
        let s = Setup::new(&catalog, &c);
        let (x, e) = s.explain();
        let figure = |f: &str| x.get(f).unwrap_or_else(|| panic!("{}: no {f}", c.name)).result_value;
        assert_same(c.name, "model size", figure("model_size"), e.model_size_gb);
        assert_same(c.name, "prompt", figure("prompt"), e.prompt_tokens_per_s);
        assert_same(c.name, "ttft", figure("time_to_first_token"), e.time_to_first_token_ms);
        assert_same(c.name, "generation", figure("generation"), e.generation_tokens_per_s);
        assert_same(c.name, "generation at start", figure("generation_start"), e.generation_tokens_per_s_at_start);
        assert_same(c.name, "generation at end", figure("generation_end"), e.generation_tokens_per_s_at_end);
        assert_same(c.name, "aggregate", figure("aggregate_generation"), e.aggregate_generation_tokens_per_s);
        assert_same(c.name, "total time", figure("total_time"), e.total_time_s);
        let memory: Vec<_> = x.items.iter().filter(|i| i.figure == "memory").collect();
        assert_eq!(memory.len(), e.memory.len(), "{}", c.name);
        for (m, em) in memory.iter().zip(&e.memory) {
            assert_eq!(m.device.as_deref(), Some(em.device.as_str()), "{}", c.name);
            assert_same(c.name, &em.device, m.result_value, em.total_gb);
            assert!(m.substituted.iter().any(|l| l.contains(if em.fits { "→ fits" } else { "does not fit" })));
            assert!(std::ptr::eq(*m, x.memory(&em.device).unwrap()));
        }
        // In fact the numbers are the same to the last bit.
        assert_eq!(figure("generation"), e.generation_tokens_per_s, "{}", c.name);
        assert_eq!(figure("time_to_first_token"), e.time_to_first_token_ms, "{}", c.name);
    }
}

#[test]
fn every_explanation_is_complete() {
    let catalog = Catalog::builtin();
    for c in cases() {
        let s = Setup::new(&catalog, &c);
        let (x, _) = s.explain();
        assert_eq!(x.items.len(), 8 + x.items.iter().filter(|i| i.figure == "memory").count());
        let figures: Vec<&str> = x.items.iter().map(|i| i.figure).collect();
        assert_eq!(figures[..8], FIGURES[..8], "{}", c.name);
        assert!(figures[8..].iter().all(|f| *f == "memory"), "{}", c.name);
        for item in &x.items {
            let at = format!("{} / {} {:?}", c.name, item.figure, item.device);
            assert!(!item.title.is_empty() && !item.formula.is_empty() && !item.result.is_empty(), "{at}");
            assert!(!item.substituted.is_empty(), "{at}");
            assert!(item.result_value.is_finite() && item.result_value >= 0.0, "{at}");
            assert!(item.result.chars().any(|ch| ch.is_ascii_digit()), "{at}: {}", item.result);
            for line in &item.substituted {
                assert!(line.chars().any(|ch| ch.is_ascii_digit()), "{at}: no number in '{line}'");
                for bad in ["NaN", "n/a", "inf", "∞"] {
                    assert!(!line.contains(bad), "{at}: '{line}'");
                }
            }
            assert!(!item.inputs.is_empty(), "{at}");
            for i in &item.inputs {
                assert!(!i.name.is_empty() && !i.value.is_empty() && !i.source.is_empty(), "{at}: {i:?}");
            }
        }
        let result = |f: &str| x.get(f).unwrap().result.clone();
        let e = s.inputs().estimate().unwrap();
        assert_eq!(result("generation"), units::tokens_per_s(e.generation_tokens_per_s));
        assert_eq!(result("time_to_first_token"), units::milliseconds(e.time_to_first_token_ms));
        assert_eq!(result("model_size"), units::gigabytes(e.model_size_gb));
    }
}

#[test]
fn per_device_lines_follow_the_placement() {
    let catalog = Catalog::builtin();
    for c in cases() {
        let s = Setup::new(&catalog, &c);
        let (x, e) = s.explain();
        let gen = x.get("generation").unwrap();
        let lines = gen.substituted.join("\n");
        // Generation shows the first and the last step, each device that works, and the sum.
        assert!(lines.contains("first token, context c =") && lines.contains("last token, context c ="), "{lines}");
        for m in &e.memory {
            let works = e.devices.iter().any(|d| d.label == m.device)
                && (m.device != "CPU"
                    || e.gpu_layers == 0
                    || c.name.contains("offload")
                    || c.name.contains("layers")
                    || c.name.contains("experts"));
            if works {
                assert!(lines.contains(&format!("  {}: ", m.device)), "{}: no {} line in\n{lines}", c.name, m.device);
            }
        }
        if c.workload.gen_tokens > 0 {
            assert!(lines.contains("t_gen = Σ of"), "{lines}");
        }
        if c.draft.is_some() {
            assert!(lines.contains("t_round =") && lines.contains("tokens per round"), "{lines}");
        }
        let prompt = x.get("prompt").unwrap().substituted.join("\n");
        assert!(prompt.contains("micro-batches of"), "{prompt}");
        if c.name == "partial-offload" {
            assert!(prompt.contains("CPU → GPU 0 over PCIe"), "{prompt}");
        }
        let ttft = x.get("time_to_first_token").unwrap().substituted.join("\n");
        assert_eq!(ttft.contains("t_load ="), c.workload.cold_start_disk_gb_per_s.is_some(), "{ttft}");
    }
}

#[test]
fn sources_name_the_catalog_and_the_fit() {
    let catalog = Catalog::builtin();
    // A discrete GPU alone: its figures cite its entry, the host is the assumed one.
    let s = Setup::new(&catalog, &cases()[1]);
    let (x, _) = s.explain();
    let gen = x.get("generation").unwrap();
    let entry = catalog.hardware("nvidia-geforce-rtx-3090").unwrap();
    let bw = gen.inputs.iter().find(|i| i.name == "GPU peak bandwidth").unwrap();
    assert_eq!(bw.value, "936 GB/s");
    assert_eq!(bw.links, entry.sources);
    assert!(bw.source.contains("NVIDIA GeForce RTX 3090"), "{}", bw.source);
    let fitted = gen.inputs.iter().find(|i| i.name == "cuda bandwidth efficiency").unwrap();
    assert!(
        fitted.source.starts_with("fitted efficiency for the cuda family (core/data/efficiency.json"),
        "{}",
        fitted.source
    );
    let model = gen.inputs.iter().find(|i| i.name == "model").unwrap();
    assert_eq!(model.links, catalog.model("llama-3-1-8b").unwrap().sources);
    let cpu = x.memory("CPU").unwrap();
    assert!(cpu.inputs.iter().any(|i| i.source.starts_with("assumed host")), "{:?}", cpu.inputs);
    assert!(x.get("model_size").unwrap().inputs.iter().any(|i| i.name == "Q6_K bits per weight"));
    assert!(x.get("generation").unwrap().inputs.iter().any(|i| i.source == "workload"));
    // A CPU with a GPU added: each cites its own entry.
    let s = Setup::new(&catalog, &cases()[2]);
    let (x, _) = s.explain();
    let prompt = x.get("prompt").unwrap();
    let host = prompt.inputs.iter().find(|i| i.name == "host memory peak bandwidth").unwrap();
    assert_eq!(host.links, catalog.hardware("amd-ryzen-9-9950x").unwrap().sources);
    let link = prompt.inputs.iter().find(|i| i.name == "GPU host link").unwrap();
    assert!(link.value.contains("PCIe 4.0 × 16"), "{}", link.value);
    // Edited figures are not passed off as the catalog's.
    let mut s = Setup::new(&catalog, &cases()[1]);
    if let Some(g) = &mut s.system.gpu {
        g.bandwidth_gb_per_s = 1000.0;
    }
    let x = explain(&s.inputs(), &s.entries).unwrap();
    let bw = x.get("generation").unwrap().inputs.iter().find(|i| i.name == "GPU peak bandwidth").unwrap().clone();
    assert!(bw.source.contains("entered") && bw.links.is_empty(), "{bw:?}");
    // With priors, the sources say so.
    s.eff = Efficiency::priors();
    let x = explain(&s.inputs(), &[]).unwrap();
    let gen = x.get("generation").unwrap();
    assert!(gen.inputs.iter().any(|i| i.source.starts_with("prior for the cuda family")));
}

#[test]
fn refusals_are_the_estimators() {
    let catalog = Catalog::builtin();
    let mut s = Setup::new(&catalog, &cases()[1]);
    s.workload.batch = 0;
    assert!(matches!(explain(&s.inputs(), &s.entries), Err(EstimateError::Workload(_))));
    s.workload = Workload { speculative: spec(3, 0.5), ..Workload::default() };
    assert_eq!(explain(&s.inputs(), &s.entries).unwrap_err(), EstimateError::DraftMissing);
    let s = Setup::new(
        &catalog,
        &Case {
            workload: Workload { placement: Placement::GpuOnly, ..Workload::default() },
            ..case("x", "amd-ryzen-9-9950x", "llama-3-1-8b")
        },
    );
    assert_eq!(explain(&s.inputs(), &s.entries).unwrap_err(), s.inputs().estimate().unwrap_err());
}

#[test]
fn print() {
    let catalog = Catalog::builtin();
    let s = Setup::new(&catalog, &cases()[std::env::var("CASE").ok().and_then(|c| c.parse().ok()).unwrap_or(2)]);
    let (x, _) = s.explain();
    for item in &x.items {
        println!(
            "== {} [{}{}] = {}",
            item.title,
            item.figure,
            item.device.as_deref().map(|d| format!(" {d}")).unwrap_or_default(),
            item.result
        );
        println!("{}", item.formula);
        for l in &item.substituted {
            println!("  | {l}");
        }
        for i in &item.inputs {
            println!("  - {}: {} ({})", i.name, i.value, i.source);
        }
    }
}
