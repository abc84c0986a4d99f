//! Custom machines and models as positional lists joined by `~`.
//!
//! Machine: name, isa, microarchitecture, performance cores, efficiency cores, threads,
//! SIMD bits, FMA units, base GHz, boost GHz, int8 dot (0/1), memory kind, channels, bits
//! per channel, MT/s, capacity GB, maximum capacity GB; then, with a GPU: architecture,
//! backend, VRAM GB, bandwidth GB/s, FP32 TFLOPS, FP16 TFLOPS, tensor FP16 TFLOPS, PCIe
//! generation, PCIe lanes, TDP W, count, unified-memory GPU fraction; then, for a machine
//! calibrated by a measurement: adapter, measured read GB/s, f32 TFLOPS, f16 TFLOPS, and
//! what measured them (`probes` or `model-run`; absent in earlier links, which the probes
//! made). Empty means none.
//!
//! Model: name, family, total B, active B, layers, hidden, heads, KV heads, head dim, FFN,
//! vocabulary, tied (0/1), max context, default quantization, sliding window tokens,
//! global-every-n, then MoE (experts, active, shared, expert FFN, shared FFN, leading dense,
//! interleave step) and MLA (q rank, kv rank, nope dim, rope dim, v dim), empty when absent.

use crate::hardware::{CpuSpec, GpuBackend, GpuSpec, Isa, MemorySpec, UnifiedMemory};
use crate::measured::{Measured, MeasuredBy};
use crate::model::{MlaSpec, ModelSpec, MoeSpec, SlidingWindow};
use crate::system::System;

/// Characters written as themselves in names; everything else is `%XX` (UTF-8 bytes).
fn plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if plain(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn unescape(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().filter(|s| s.chars().count() <= 120 && !s.chars().any(char::is_control))
}

const ISAS: [(Isa, &str); 2] = [(Isa::X86_64, "x86_64"), (Isa::Aarch64, "aarch64")];
const MEASURED_BY: [(MeasuredBy, &str); 2] = [(MeasuredBy::Probes, "probes"), (MeasuredBy::ModelRun, "model-run")];
const BACKENDS: [(GpuBackend, &str); 5] = [
    (GpuBackend::Cuda, "cuda"),
    (GpuBackend::Rocm, "rocm"),
    (GpuBackend::Metal, "metal"),
    (GpuBackend::Vulkan, "vulkan"),
    (GpuBackend::Sycl, "sycl"),
];

/// The name of `v` in `names` (the catalog's spelling).
fn enum_text<T: PartialEq + Copy>(v: &T, names: &[(T, &str)]) -> String {
    names.iter().find(|(x, _)| x == v).map(|(_, n)| (*n).to_owned()).unwrap_or_default()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn flag(b: bool) -> String {
    if b { "1" } else { "0" }.to_owned()
}

/// The positional form of a custom machine.
pub fn encode_system(s: &System) -> String {
    let c = &s.cpu;
    let m = &s.memory;
    let mut parts = vec![
        escape(&s.name),
        enum_text(&c.isa, &ISAS),
        escape(&c.microarch),
        c.performance_cores.to_string(),
        c.efficiency_cores.to_string(),
        c.threads.to_string(),
        c.simd_width_bits.to_string(),
        c.fma_units_per_core.to_string(),
        c.base_clock_ghz.to_string(),
        c.boost_clock_ghz.to_string(),
        flag(c.int8_dot),
        escape(&m.kind),
        m.channels.to_string(),
        m.bus_width_bits_per_channel.to_string(),
        m.speed_mt_per_s.to_string(),
        m.capacity_gb.to_string(),
        opt(m.max_capacity_gb),
    ];
    if let Some(g) = &s.gpu {
        parts.extend([
            escape(&g.architecture),
            enum_text(&g.backend, &BACKENDS),
            g.vram_gb.to_string(),
            g.bandwidth_gb_per_s.to_string(),
            g.fp32_tflops.to_string(),
            g.fp16_tflops.to_string(),
            opt(g.tensor_fp16_tflops),
            opt(g.pcie_gen),
            opt(g.pcie_lanes),
            opt(g.tdp_w),
            s.gpu_count.to_string(),
            opt(s.unified.map(|u| u.gpu_usable_fraction)),
        ]);
        if let Some(m) = &s.measured {
            parts.extend([
                escape(&m.adapter),
                m.read_gb_per_s.to_string(),
                m.fma_f32_tflops.to_string(),
                opt(m.fma_f16_tflops),
                enum_text(&m.by, &MEASURED_BY),
            ]);
        }
    }
    parts.join("~")
}

/// Reads positional fields, replacing unusable ones by a fallback and reporting them.
struct Fields<'a, 'n> {
    parts: Vec<&'a str>,
    next: usize,
    what: &'static str,
    note: &'n mut dyn FnMut(&str, &str, &str),
}

impl Fields<'_, '_> {
    fn take(&mut self) -> &str {
        let p = self.parts.get(self.next).copied().unwrap_or("");
        self.next += 1;
        p
    }

    fn bad(&mut self, field: &str, value: &str, expected: &str) {
        let field = format!("{} {field}", self.what);
        (self.note)(&field, value, &format!("must be {expected}; using the default"));
    }

    fn text(&mut self, field: &str, fallback: &str) -> String {
        let raw = self.take().to_owned();
        match unescape(&raw) {
            Some(t) => t,
            None => {
                self.bad(field, &raw, "text of at most 120 characters");
                fallback.to_owned()
            }
        }
    }

    fn num<T: std::str::FromStr + Copy + Into<f64>>(&mut self, field: &str, fallback: T, lo: f64, hi: f64) -> T {
        let raw = self.take().to_owned();
        match raw.parse::<T>() {
            Ok(v) if v.into().is_finite() && (lo..=hi).contains(&v.into()) => v,
            _ => {
                self.bad(field, &raw, &format!("a number from {lo} to {hi}"));
                fallback
            }
        }
    }

    fn opt_num<T: std::str::FromStr + Copy + Into<f64>>(
        &mut self,
        field: &str,
        fallback: Option<T>,
        lo: f64,
        hi: f64,
    ) -> Option<T> {
        let raw = self.take().to_owned();
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<T>() {
            Ok(v) if v.into().is_finite() && (lo..=hi).contains(&v.into()) => Some(v),
            _ => {
                self.bad(field, &raw, &format!("empty or a number from {lo} to {hi}"));
                fallback
            }
        }
    }

    fn flag(&mut self, field: &str, fallback: bool) -> bool {
        match self.take() {
            "1" => true,
            "0" => false,
            other => {
                let other = other.to_owned();
                self.bad(field, &other, "0 or 1");
                fallback
            }
        }
    }

    fn choice<T: Copy>(&mut self, field: &str, fallback: T, names: &[(T, &str)]) -> T {
        let raw = self.take().to_owned();
        match names.iter().find(|(_, n)| *n == raw) {
            Some((v, _)) => *v,
            None => {
                self.bad(field, &raw, "a known name");
                fallback
            }
        }
    }
}

/// Reads a custom machine; fields that are missing or out of range take `base`'s values.
pub fn decode_system(text: &str, base: &System, note: &mut dyn FnMut(&str, &str, &str)) -> System {
    let parts: Vec<&str> = text.split('~').collect();
    let has_gpu = parts.len() > 17;
    let has_measurement = parts.len() > 29;
    let has_measured_by = parts.len() > 33;
    let mut f = Fields { parts, next: 0, what: "custom machine", note };
    let (bc, bm) = (&base.cpu, &base.memory);
    let name = f.text("name", "Custom machine");
    let cpu = CpuSpec {
        isa: f.choice("ISA", bc.isa, &ISAS),
        microarch: f.text("microarchitecture", &bc.microarch),
        performance_cores: f.num("performance cores", bc.performance_cores, 1.0, 1024.0),
        efficiency_cores: f.num("efficiency cores", bc.efficiency_cores, 0.0, 1024.0),
        threads: f.num("threads", bc.threads, 1.0, 4096.0),
        simd_width_bits: f.num("SIMD width", bc.simd_width_bits, 64.0, 2048.0),
        fma_units_per_core: f.num("FMA units", bc.fma_units_per_core, 1.0, 8.0),
        base_clock_ghz: f.num("base clock", bc.base_clock_ghz, 0.1, 10.0),
        boost_clock_ghz: f.num("boost clock", bc.boost_clock_ghz, 0.1, 10.0),
        int8_dot: f.flag("int8 dot", bc.int8_dot),
    };
    let memory = MemorySpec {
        kind: f.text("memory kind", &bm.kind),
        channels: f.num("memory channels", bm.channels, 1.0, 64.0),
        bus_width_bits_per_channel: f.num("bits per channel", bm.bus_width_bits_per_channel, 8.0, 4096.0),
        speed_mt_per_s: f.num("memory MT/s", bm.speed_mt_per_s, 100.0, 100_000.0),
        capacity_gb: f.num("memory capacity", bm.capacity_gb, 0.1, 1_000_000.0),
        max_capacity_gb: f.opt_num("maximum memory", bm.max_capacity_gb, 0.1, 1_000_000.0),
    };
    let (mut gpu, mut gpu_count, mut unified) = (None, 1, None);
    if has_gpu {
        let bg = base.gpu.clone().unwrap_or_else(default_gpu);
        gpu = Some(GpuSpec {
            architecture: f.text("GPU architecture", &bg.architecture),
            backend: f.choice("GPU backend", bg.backend, &BACKENDS),
            vram_gb: f.num("VRAM", bg.vram_gb, 0.0, 100_000.0),
            bandwidth_gb_per_s: f.num("GPU bandwidth", bg.bandwidth_gb_per_s, 0.01, 1_000_000.0),
            fp32_tflops: f.num("FP32 TFLOPS", bg.fp32_tflops, 0.001, 1_000_000.0),
            fp16_tflops: f.num("FP16 TFLOPS", bg.fp16_tflops, 0.0, 1_000_000.0),
            tensor_fp16_tflops: f.opt_num("tensor TFLOPS", None, 0.001, 1_000_000.0),
            pcie_gen: f.opt_num("PCIe generation", None, 1.0, 7.0),
            pcie_lanes: f.opt_num("PCIe lanes", None, 1.0, 32.0),
            tdp_w: f.opt_num("TDP", None, 1.0, 100_000.0),
            mobile: false,
        });
        gpu_count = f.num("GPU count", 1, 1.0, 16.0);
        unified = f.opt_num("GPU share of memory", None, 0.01, 1.0).map(|x| UnifiedMemory { gpu_usable_fraction: x });
    }
    let mut measured = None;
    if has_measurement {
        let m = Measured {
            adapter: f.text("measured adapter", "GPU"),
            read_gb_per_s: f.num("measured bandwidth", f64::NAN, 0.001, 100_000.0),
            fma_f32_tflops: f.num("measured FP32", f64::NAN, 0.000_001, 100_000.0),
            fma_f16_tflops: f.opt_num("measured FP16", None, 0.000_001, 100_000.0),
            by: if has_measured_by {
                f.choice("measured by", MeasuredBy::Probes, &MEASURED_BY)
            } else {
                MeasuredBy::Probes
            },
        };
        // A measurement with an unusable figure is dropped whole; the notice says which.
        measured = m.check().is_ok().then_some(m);
    }
    System { name, cpu, memory, gpu, gpu_count, unified, measured }
}

fn default_gpu() -> GpuSpec {
    GpuSpec {
        architecture: "custom".into(),
        backend: crate::hardware::GpuBackend::Vulkan,
        vram_gb: 8.0,
        bandwidth_gb_per_s: 256.0,
        fp32_tflops: 10.0,
        fp16_tflops: 10.0,
        tensor_fp16_tflops: None,
        pcie_gen: None,
        pcie_lanes: None,
        tdp_w: None,
        mobile: false,
    }
}

/// The positional form of a custom model.
pub fn encode_model(m: &ModelSpec) -> String {
    let mut parts = vec![
        escape(&m.name),
        escape(&m.family),
        m.params_total_b.to_string(),
        opt(m.params_active_b),
        m.layers.to_string(),
        m.hidden_size.to_string(),
        m.heads.to_string(),
        m.kv_heads.to_string(),
        m.head_dim.to_string(),
        m.ffn_size.to_string(),
        m.vocab_size.to_string(),
        flag(m.tied_embeddings),
        m.max_context.to_string(),
        escape(&m.default_quant),
        opt(m.sliding_window.map(|w| w.window_tokens)),
        opt(m.sliding_window.map(|w| w.global_every_n_layers)),
    ];
    let moe = m.moe.map(|e| {
        [
            e.experts,
            e.active_experts,
            e.shared_experts,
            e.expert_ffn_size,
            e.shared_expert_ffn_size,
            e.leading_dense_layers,
            e.interleave_step,
        ]
    });
    parts.extend((0..7).map(|i| opt(moe.map(|v| v[i]))));
    let mla = m.mla.map(|a| [a.q_lora_rank, a.kv_lora_rank, a.qk_nope_head_dim, a.qk_rope_head_dim, a.v_head_dim]);
    parts.extend((0..5).map(|i| opt(mla.map(|v| v[i]))));
    while parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    parts.join("~")
}

/// Reads a custom model; fields that are missing or out of range take `base`'s values.
pub fn decode_model(text: &str, base: &ModelSpec, note: &mut dyn FnMut(&str, &str, &str)) -> ModelSpec {
    let mut f = Fields { parts: text.split('~').collect(), next: 0, what: "custom model", note };
    let name = f.text("name", "Custom model");
    let family = f.text("family", "custom");
    let params_total_b = f.num("parameters", base.params_total_b, 1e-6, 100_000.0);
    let params_active_b = f.opt_num("active parameters", None, 1e-6, 100_000.0);
    let layers = f.num("layers", base.layers, 1.0, 1024.0);
    let hidden_size = f.num("hidden size", base.hidden_size, 1.0, f64::from(1u32 << 20));
    let heads = f.num("heads", base.heads, 1.0, 4096.0);
    let kv_heads = f.num("KV heads", base.kv_heads, 1.0, 4096.0);
    let head_dim = f.num("head dim", base.head_dim, 1.0, 4096.0);
    let ffn_size = f.num("FFN size", base.ffn_size, 1.0, f64::from(1u32 << 22));
    let vocab_size = f.num("vocabulary", base.vocab_size, 1.0, f64::from(1u32 << 24));
    let tied_embeddings = f.flag("tied embeddings", base.tied_embeddings);
    let max_context = f.num("max context", base.max_context, 1.0, f64::from(1u32 << 27));
    let default_quant = f.text("default quantization", "Q4_K_M");
    let window: Option<u32> = f.opt_num("sliding window", None, 1.0, f64::from(1u32 << 27));
    let every: Option<u32> = f.opt_num("global layer period", None, 1.0, 1024.0);
    let sliding_window = window
        .zip(every)
        .map(|(window_tokens, global_every_n_layers)| SlidingWindow { window_tokens, global_every_n_layers });
    let mut moe_v = [None; 7];
    for (i, v) in moe_v.iter_mut().enumerate() {
        *v = f.opt_num::<u32>(&format!("MoE field {}", i + 1), None, 0.0, 65_536.0);
    }
    let moe = match moe_v {
        [Some(experts), Some(active_experts), Some(shared_experts), Some(expert_ffn_size), Some(shared_expert_ffn_size), Some(leading_dense_layers), Some(interleave_step)] => {
            Some(MoeSpec {
                experts,
                active_experts,
                shared_experts,
                expert_ffn_size,
                shared_expert_ffn_size,
                leading_dense_layers,
                interleave_step,
            })
        }
        _ => None,
    };
    let mut mla_v = [None; 5];
    for (i, v) in mla_v.iter_mut().enumerate() {
        *v = f.opt_num::<u32>(&format!("MLA field {}", i + 1), None, 1.0, 65_536.0);
    }
    let mla = match mla_v {
        [Some(q_lora_rank), Some(kv_lora_rank), Some(qk_nope_head_dim), Some(qk_rope_head_dim), Some(v_head_dim)] => {
            Some(MlaSpec { q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim })
        }
        _ => None,
    };
    ModelSpec {
        id: "custom".into(),
        name,
        aliases: Vec::new(),
        family,
        released: None,
        params_total_b,
        params_active_b,
        layers,
        hidden_size,
        heads,
        kv_heads,
        head_dim,
        ffn_size,
        vocab_size,
        tied_embeddings,
        max_context,
        sliding_window,
        moe,
        mla,
        default_quant,
        sources: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::{calibrate, MIN_FP32_TFLOPS};
    use crate::catalog::Catalog;
    use crate::measured::Measured;

    fn catalog() -> Catalog {
        Catalog::try_builtin().unwrap_or_else(|e| panic!("{e}"))
    }

    /// A software adapter's probe (under 1 GB/s) still gives a machine that shares: the
    /// link brings back the same bandwidth and no notice.
    #[test]
    fn a_software_adapters_measurement_survives_the_link() {
        let c = catalog();
        let entry = c.hardware("nvidia-geforce-rtx-4070").unwrap_or_else(|e| panic!("{e}"));
        let system = System::assemble(entry, None, None, 1).unwrap_or_else(|e| panic!("{e}"));
        let m = Measured {
            adapter: "SwiftShader".into(),
            read_gb_per_s: 0.0845,
            fma_f32_tflops: 0.0002,
            fma_f16_tflops: None,
            by: crate::measured::MeasuredBy::Probes,
        };
        let out = calibrate(&system, &m).unwrap_or_else(|e| panic!("{e}"));
        let mut notes = Vec::new();
        let back = decode_system(&encode_system(&out), &system, &mut |field, raw, why| {
            notes.push(format!("{field} {raw}: {why}"))
        });
        assert!(notes.is_empty(), "{notes:?}");
        let gpu = back.gpu.unwrap_or_else(|| unreachable!());
        // The probed 0.0845 GB/s as its spec-sheet equivalent.
        let spec_gb_per_s = 0.0845 / crate::calibration::ProbeProfile::RECORDED.read_fraction;
        assert!((gpu.bandwidth_gb_per_s - spec_gb_per_s).abs() < 1e-9, "{}", gpu.bandwidth_gb_per_s);
        assert_eq!(gpu.fp32_tflops, MIN_FP32_TFLOPS);
    }
}
