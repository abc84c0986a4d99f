//! Sanity checks of hardware and model specs, for custom input and the built-in catalog:
//! every count positive, every figure finite and within physical bounds.

use crate::hardware::{HardwareEntry, HardwareKind};
use crate::model::ModelSpec;

/// A spec field outside its range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{entry}: {field} {problem}")]
pub struct SpecError {
    /// Entry id.
    pub entry: String,
    /// Field path.
    pub field: String,
    /// What is wrong.
    pub problem: String,
}

struct Checker<'a> {
    entry: &'a str,
}

impl Checker<'_> {
    fn err(&self, field: &str, problem: String) -> SpecError {
        SpecError { entry: self.entry.to_owned(), field: field.to_owned(), problem }
    }

    fn num(&self, field: &str, v: f64, lo: f64, hi: f64) -> Result<(), SpecError> {
        if v.is_finite() && v >= lo && v <= hi {
            Ok(())
        } else {
            Err(self.err(field, format!("must be between {lo} and {hi}, got {v}")))
        }
    }

    fn int(&self, field: &str, v: u32, lo: u32, hi: u32) -> Result<(), SpecError> {
        self.num(field, f64::from(v), f64::from(lo), f64::from(hi))
    }
}

/// Checks a hardware entry: sections its kind needs, and every figure in range.
pub fn check_hardware(h: &HardwareEntry) -> Result<(), SpecError> {
    let c = Checker { entry: &h.id };
    if h.id.trim().is_empty() {
        return Err(c.err("id", "must not be empty".into()));
    }
    let needs_cpu = h.kind != HardwareKind::Gpu;
    let needs_gpu = h.kind != HardwareKind::Cpu;
    if needs_cpu && (h.cpu.is_none() || h.memory.is_none()) {
        return Err(c.err("cpu/memory", "are required for this kind".into()));
    }
    if needs_gpu && h.gpu.is_none() {
        return Err(c.err("gpu", "is required for this kind".into()));
    }
    if let Some(cpu) = &h.cpu {
        c.int("cpu.performance_cores", cpu.performance_cores, 1, 1024)?;
        c.int("cpu.efficiency_cores", cpu.efficiency_cores, 0, 1024)?;
        c.int("cpu.threads", cpu.threads, 1, 4096)?;
        if ![64, 128, 256, 512, 1024, 2048].contains(&cpu.simd_width_bits) {
            return Err(c.err(
                "cpu.simd_width_bits",
                format!("must be 64, 128, 256, 512, 1024 or 2048, got {}", cpu.simd_width_bits),
            ));
        }
        c.int("cpu.fma_units_per_core", cpu.fma_units_per_core, 1, 8)?;
        c.num("cpu.base_clock_ghz", cpu.base_clock_ghz, 0.1, 10.0)?;
        c.num("cpu.boost_clock_ghz", cpu.boost_clock_ghz, 0.1, 10.0)?;
    }
    if let Some(m) = &h.memory {
        c.int("memory.channels", m.channels, 1, 64)?;
        c.int("memory.bus_width_bits_per_channel", m.bus_width_bits_per_channel, 8, 4096)?;
        c.num("memory.speed_mt_per_s", m.speed_mt_per_s, 100.0, 100_000.0)?;
        c.num("memory.capacity_gb", m.capacity_gb, 0.1, 1_000_000.0)?;
    }
    if let Some(g) = &h.gpu {
        let vram_lo = if h.unified_memory.is_some() { 0.0 } else { 0.1 };
        c.num("gpu.vram_gb", g.vram_gb, vram_lo, 100_000.0)?;
        // From 0.01: a software adapter's probe (a CPU emulating the GPU) measures under 1.
        c.num("gpu.bandwidth_gb_per_s", g.bandwidth_gb_per_s, 0.01, 1_000_000.0)?;
        c.num("gpu.fp32_tflops", g.fp32_tflops, 0.001, 1_000_000.0)?;
        c.num("gpu.fp16_tflops", g.fp16_tflops, 0.0, 1_000_000.0)?;
        if let Some(t) = g.tensor_fp16_tflops {
            c.num("gpu.tensor_fp16_tflops", t, 0.001, 1_000_000.0)?;
        }
    }
    if let Some(u) = h.unified_memory {
        c.num("unified_memory.gpu_usable_fraction", u.gpu_usable_fraction, 0.01, 1.0)?;
    }
    Ok(())
}

/// Checks a model: every dimension positive and consistent.
pub fn check_model(m: &ModelSpec) -> Result<(), SpecError> {
    let c = Checker { entry: &m.id };
    c.num("params_total_b", m.params_total_b, 1e-6, 100_000.0)?;
    c.int("layers", m.layers, 1, 1024)?;
    c.int("hidden_size", m.hidden_size, 1, 1 << 20)?;
    c.int("heads", m.heads, 1, 4096)?;
    c.int("kv_heads", m.kv_heads, 1, m.heads)?;
    c.int("head_dim", m.head_dim, 1, 4096)?;
    c.int("ffn_size", m.ffn_size, 1, 1 << 22)?;
    c.int("vocab_size", m.vocab_size, 1, 1 << 24)?;
    c.int("max_context", m.max_context, 1, 1 << 27)?;
    if let Some(w) = m.sliding_window {
        c.int("sliding_window.window_tokens", w.window_tokens, 1, 1 << 27)?;
        c.int("sliding_window.global_every_n_layers", w.global_every_n_layers, 1, 1024)?;
    }
    if let Some(moe) = m.moe {
        c.int("moe.experts", moe.experts, 1, 65_536)?;
        c.int("moe.active_experts", moe.active_experts, 1, moe.experts)?;
        c.int("moe.expert_ffn_size", moe.expert_ffn_size, 1, 1 << 22)?;
        c.int("moe.interleave_step", moe.interleave_step, 1, 64)?;
        c.int("moe.shared_experts", moe.shared_experts, 0, 1024)?;
        c.int("moe.shared_expert_ffn_size", moe.shared_expert_ffn_size, 0, 1 << 22)?;
    }
    if let Some(mla) = m.mla {
        c.int("mla.q_lora_rank", mla.q_lora_rank, 0, 1 << 16)?;
        c.int("mla.kv_lora_rank", mla.kv_lora_rank, 1, 1 << 16)?;
        c.int("mla.qk_nope_head_dim", mla.qk_nope_head_dim, 0, 4096)?;
        c.int("mla.qk_rope_head_dim", mla.qk_rope_head_dim, 0, 4096)?;
        c.int("mla.v_head_dim", mla.v_head_dim, 1, 4096)?;
    }
    if let Some(a) = m.params_active_b {
        c.num("params_active_b", a, 1e-6, m.params_total_b)?;
    }
    Ok(())
}
