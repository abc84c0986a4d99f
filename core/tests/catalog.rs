//! Checks of the embedded catalog: sizes, ids, aliases, sources, figures, required
//! sections, derived parameter counts, LocalScore names and GGUF file sizes.

// The helpers below are test code too: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;

use roofline_core::catalog::{normalize, Catalog, CatalogError};
use roofline_core::estimate::plan::model_bytes;
use roofline_core::hardware::{HardwareEntry, HardwareKind};
use roofline_core::quant::QuantScheme;
use roofline_core::source::Source;

fn catalog() -> Catalog {
    Catalog::try_builtin().expect("the embedded catalog parses")
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn positive(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

/// Every normalised id or alias maps to one entry only; returns the clashes.
fn clashes<'a>(entries: impl Iterator<Item = (&'a str, &'a [String])>) -> Vec<String> {
    let mut owner: HashMap<String, &str> = HashMap::new();
    let mut bad = Vec::new();
    for (id, aliases) in entries {
        for name in std::iter::once(id).chain(aliases.iter().map(String::as_str)) {
            let key = normalize(name);
            match owner.get(&key) {
                Some(&other) if other != id => bad.push(format!("'{name}' of {id} is already {other}'s")),
                _ => {
                    owner.insert(key, id);
                }
            }
        }
    }
    bad
}

fn check_sources(id: &str, sources: &[Source]) {
    assert!(!sources.is_empty(), "{id}: no source");
    for s in sources {
        assert!(s.url.starts_with("https://") || s.url.starts_with("http://"), "{id}: source url '{}'", s.url);
        assert!(!s.title.trim().is_empty(), "{id}: source without title");
    }
}

#[test]
fn builtin_parses_and_is_large_enough() {
    let c = catalog();
    assert!(c.hardware.len() >= 120, "{} hardware entries", c.hardware.len());
    assert!(c.models.len() >= 30, "{} models", c.models.len());
    assert_eq!(Catalog::builtin().hardware.len(), c.hardware.len());
}

#[test]
fn ids_are_unique_and_kebab_case() {
    let c = catalog();
    let mut seen = HashMap::new();
    for id in c.hardware.iter().map(|h| &h.id).chain(c.models.iter().map(|m| &m.id)) {
        assert!(is_kebab(id), "id '{id}' is not kebab-case");
        assert!(seen.insert(id.clone(), ()).is_none(), "duplicate id '{id}'");
    }
}

#[test]
fn aliases_are_unique_across_entries() {
    let c = catalog();
    let hw = clashes(c.hardware.iter().map(|h| (h.id.as_str(), h.aliases.as_slice())));
    assert!(hw.is_empty(), "hardware alias clashes: {hw:#?}");
    let models = clashes(c.models.iter().map(|m| (m.id.as_str(), m.aliases.as_slice())));
    assert!(models.is_empty(), "model alias clashes: {models:#?}");
}

#[test]
fn every_entry_cites_a_web_source() {
    let c = catalog();
    for h in &c.hardware {
        check_sources(&h.id, &h.sources);
    }
    for m in &c.models {
        check_sources(&m.id, &m.sources);
    }
}

fn check_figures(h: &HardwareEntry) {
    let id = &h.id;
    if let Some(cpu) = &h.cpu {
        assert!(cpu.performance_cores > 0 && cpu.threads > 0, "{id}: cores/threads");
        assert!(cpu.threads >= cpu.performance_cores, "{id}: fewer threads than cores");
        assert!(cpu.simd_width_bits >= 64 && cpu.fma_units_per_core > 0, "{id}: SIMD");
        assert!(positive(cpu.base_clock_ghz) && positive(cpu.boost_clock_ghz), "{id}: clocks");
        assert!(cpu.base_clock_ghz < 10.0 && cpu.boost_clock_ghz < 10.0, "{id}: clocks in GHz");
        assert!(positive(cpu.peak_fp32_gflops()), "{id}: CPU peak");
    }
    if let Some(m) = &h.memory {
        assert!(m.channels > 0 && m.bus_width_bits_per_channel > 0, "{id}: memory bus");
        assert!(positive(m.speed_mt_per_s) && positive(m.capacity_gb), "{id}: memory speed/capacity");
        assert!(positive(m.peak_bandwidth_gb_per_s()), "{id}: memory bandwidth");
        if let Some(max) = m.max_capacity_gb {
            assert!(positive(max) && max >= m.capacity_gb, "{id}: max capacity {max} < {}", m.capacity_gb);
        }
    }
    if let Some(g) = &h.gpu {
        assert!(positive(g.bandwidth_gb_per_s), "{id}: GPU bandwidth");
        assert!(positive(g.fp32_tflops) && positive(g.fp16_tflops), "{id}: GPU TFLOPS");
        assert!(g.tensor_fp16_tflops.is_none_or(positive), "{id}: tensor TFLOPS");
        assert!(g.vram_gb.is_finite() && g.vram_gb >= 0.0, "{id}: VRAM");
        assert!(g.tdp_w.is_none_or(positive), "{id}: TDP");
        assert!(positive(g.matrix_tflops()), "{id}: matrix TFLOPS");
        if h.kind == HardwareKind::Gpu {
            assert!(positive(g.vram_gb), "{id}: discrete GPU without VRAM");
            assert!(g.pcie_gb_per_s().is_none_or(positive), "{id}: PCIe link");
        }
    }
    if let Some(u) = h.unified_memory {
        assert!(u.gpu_usable_fraction > 0.0 && u.gpu_usable_fraction <= 1.0, "{id}: GPU usable fraction");
    }
}

#[test]
fn figures_are_positive_and_finite() {
    for h in &catalog().hardware {
        check_figures(h);
    }
}

#[test]
fn kinds_have_their_sections() {
    for h in &catalog().hardware {
        let id = &h.id;
        let host = matches!(h.kind, HardwareKind::Cpu | HardwareKind::Apu | HardwareKind::Apple | HardwareKind::Phone);
        let has_gpu =
            matches!(h.kind, HardwareKind::Gpu | HardwareKind::Apu | HardwareKind::Apple | HardwareKind::Phone);
        let unified = matches!(h.kind, HardwareKind::Apu | HardwareKind::Apple | HardwareKind::Phone);
        if host {
            assert!(h.cpu.is_some() && h.memory.is_some(), "{id}: {:?} needs cpu and memory", h.kind);
        }
        if h.cpu.is_some() {
            assert!(h.memory.is_some(), "{id}: cpu without memory");
        }
        if has_gpu {
            assert!(h.gpu.is_some(), "{id}: {:?} needs gpu", h.kind);
        }
        if unified {
            assert!(h.unified_memory.is_some(), "{id}: {:?} needs unified_memory", h.kind);
        }
    }
}

#[test]
fn derived_parameter_counts_match_published() {
    for m in &catalog().models {
        let derived = m.derived_params_b();
        let err = (derived / m.params_total_b - 1.0).abs();
        assert!(
            err <= 0.04,
            "{}: derived {derived:.3} B vs published {} B ({:.1} %)",
            m.id,
            m.params_total_b,
            err * 100.0
        );
        if let Some(active) = m.params_active_b {
            assert!(m.moe.is_some(), "{}: active count on a dense model", m.id);
            let d = m.derived_active_params_b();
            let err = (d / active - 1.0).abs();
            assert!(err <= 0.20, "{}: derived active {d:.3} B vs published {active} B ({:.1} %)", m.id, err * 100.0);
        }
    }
}

#[test]
fn default_quants_parse() {
    for m in &catalog().models {
        assert!(QuantScheme::parse(&m.default_quant).is_some(), "{}: default quant '{}'", m.id, m.default_quant);
    }
}

#[test]
fn localscore_names_resolve() {
    let c = catalog();
    for (name, id) in [
        ("Llama 3.2 1B Instruct", "llama-3-2-1b"),
        ("Meta Llama 3.1 8B Instruct", "llama-3-1-8b"),
        ("Qwen2.5 14B Instruct", "qwen2-5-14b"),
    ] {
        assert_eq!(c.model(name).map(|m| m.id.as_str()), Ok(id), "model '{name}'");
    }
    for (name, id) in [
        ("AMD Ryzen 9 5950X 16-Core Processor (znver3)", "amd-ryzen-9-5950x"),
        ("NVIDIA GeForce RTX 3090", "nvidia-geforce-rtx-3090"),
        ("Apple M4 Max 12P+4E+40GPU", "apple-m4-max-16c-40g"),
    ] {
        assert_eq!(c.hardware(name).map(|h| h.id.as_str()), Ok(id), "hardware '{name}'");
    }
}

#[test]
fn every_id_and_alias_resolves_to_its_entry() {
    let c = catalog();
    for h in &c.hardware {
        for name in std::iter::once(&h.id).chain(&h.aliases) {
            assert_eq!(c.hardware(name).map(|e| e.id.as_str()), Ok(h.id.as_str()), "hardware '{name}'");
        }
    }
    for m in &c.models {
        for name in std::iter::once(&m.id).chain(&m.aliases) {
            assert_eq!(c.model(name).map(|e| e.id.as_str()), Ok(m.id.as_str()), "model '{name}'");
        }
    }
}

#[test]
fn lookups_ignore_case_and_spacing() {
    let c = catalog();
    let id = |r: Result<&HardwareEntry, CatalogError>| r.map(|h| h.id.clone());
    let want = Ok("nvidia-geforce-rtx-3090".to_owned());
    assert_eq!(id(c.hardware("nvidia geforce rtx 3090")), want);
    assert_eq!(id(c.hardware("NVIDIA GEFORCE RTX 3090")), want);
    assert_eq!(id(c.hardware("  Nvidia   GeForce RTX 3090 ")), want);
    assert_eq!(id(c.hardware("NVIDIA-GEFORCE-RTX-3090")), want);
    assert_eq!(id(c.hardware("amd ryzen 9 5950x 16-core processor (ZNVER3)")), Ok("amd-ryzen-9-5950x".to_owned()));
    assert_eq!(c.model("LLAMA 3.2 1B INSTRUCT").map(|m| m.id.as_str()), Ok("llama-3-2-1b"));
    assert_eq!(c.model("qwen2.5 14b instruct").map(|m| m.id.as_str()), Ok("qwen2-5-14b"));
}

#[test]
fn unknown_names_are_errors() {
    let c = catalog();
    for name in ["", "   ", "NVIDIA GeForce RTX 9999", "no such device (znver3)"] {
        assert_eq!(c.hardware(name), Err(CatalogError::UnknownHardware(name.to_owned())), "hardware '{name}'");
    }
    for name in ["", "Llama 9 1T", "llama-3-1-8b-extra"] {
        assert_eq!(c.model(name), Err(CatalogError::UnknownModel(name.to_owned())), "model '{name}'");
    }
    // A model name is not a hardware name, and the reverse.
    assert!(c.hardware("llama-3-1-8b").is_err());
    assert!(c.model("nvidia-geforce-rtx-3090").is_err());
}

#[test]
fn q4_k_m_file_sizes_match_published_ggufs() {
    let c = catalog();
    for (id, lo, hi) in [("llama-3-1-8b", 4.7e9, 5.1e9), ("qwen2-5-14b", 8.6e9, 9.3e9)] {
        let m = c.model(id).unwrap();
        let bytes = model_bytes(m, QuantScheme::Q4_K_M);
        assert!(bytes > lo && bytes < hi, "{id}: Q4_K_M {bytes:.4e} bytes outside [{lo:e}, {hi:e}]");
    }
}

#[test]
fn laptop_entries_give_laptop_gpus_and_a_lower_sustained_bandwidth() {
    use roofline_core::efficiency::Efficiency;
    use roofline_core::estimate::devices::devices;
    use roofline_core::system::System;
    use roofline_core::workload::Workload;
    let c = catalog();
    let get = |id: &str| c.hardware(id).unwrap();
    let laptop = System::assemble(get("nvidia-geforce-rtx-4060-laptop"), None, None, 1).unwrap();
    let desktop = System::assemble(get("nvidia-geforce-rtx-4060"), None, None, 1).unwrap();
    assert!(laptop.gpu.as_ref().unwrap().mobile);
    assert!(!desktop.gpu.as_ref().unwrap().mobile);
    // A laptop CPU with a desktop GPU added: the GPU keeps its own class.
    let mixed = System::assemble(get("intel-core-i7-12700h"), None, Some(get("nvidia-geforce-rtx-4060")), 1).unwrap();
    assert!(!mixed.gpu.as_ref().unwrap().mobile);
    let eff = Efficiency::fitted();
    let mut as_desktop = laptop.clone();
    if let Some(g) = as_desktop.gpu.as_mut() {
        g.mobile = false;
    }
    let bw = |s: &System| devices(s, &eff, &Workload::default())[1].bandwidth_gb_per_s;
    let factor = eff.get(roofline_core::efficiency::Family::Cuda).laptop_efficiency;
    assert!(factor > 0.0 && factor <= 1.0, "{factor}");
    assert!((bw(&laptop) - factor * bw(&as_desktop)).abs() < 1e-9);
}
