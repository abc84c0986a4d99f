//! Where the inputs of an explanation come from: catalog entries and their citations, the
//! fitted efficiencies, the model's sources, the workload.

use super::{Ctx, Input};
use crate::efficiency::{Efficiency, Family};
use crate::estimate::devices::{Device, DeviceKind, GpuBandwidthFactors};
use crate::hardware::HardwareEntry;
use crate::model::ModelSpec;
use crate::quant::QuantScheme;
use crate::source::Source;
use crate::system::{default_host, System};
use crate::units as u;

/// Source of workload values.
pub(super) const WORKLOAD: &str = "workload";

/// Where part of the machine comes from.
#[derive(Debug, Clone, Copy)]
enum Origin<'a> {
    /// A catalog entry whose figures the machine carries unchanged.
    Entry(&'a HardwareEntry),
    /// The host assumed for a discrete GPU ([`default_host`]).
    DefaultHost,
    /// Figures no given entry carries: entered or edited by hand.
    Entered,
}

/// Origins of the host (CPU and memory) and of the GPU.
#[derive(Debug, Clone, Copy)]
pub(super) struct Provenance<'a> {
    host: Origin<'a>,
    gpu: Origin<'a>,
}

impl<'a> Provenance<'a> {
    /// Matches the machine's parts to the entries that carry them unchanged.
    pub(super) fn new(system: &System, hardware: &[&'a HardwareEntry]) -> Provenance<'a> {
        let host = hardware
            .iter()
            .find(|h| h.cpu.as_ref() == Some(&system.cpu) && h.memory.as_ref() == Some(&system.memory))
            .map_or_else(
                || {
                    let (cpu, memory) = default_host();
                    if cpu == system.cpu && memory == system.memory {
                        Origin::DefaultHost
                    } else {
                        Origin::Entered
                    }
                },
                |h| Origin::Entry(h),
            );
        let gpu = system
            .gpu
            .as_ref()
            .and_then(|g| hardware.iter().find(|h| h.gpu.as_ref() == Some(g)))
            .map_or(Origin::Entered, |h| Origin::Entry(h));
        Provenance { host, gpu }
    }

    fn text(origin: Origin, part: &str) -> (String, Vec<Source>) {
        match origin {
            Origin::Entry(h) => {
                let titles: Vec<&str> = h.sources.iter().map(|s| s.title.as_str()).collect();
                let cited = if titles.is_empty() { String::new() } else { format!(": {}", titles.join("; ")) };
                (format!("catalog entry '{}'{cited}", h.name), h.sources.clone())
            }
            Origin::DefaultHost => (
                "assumed host for a discrete GPU: 8-core AVX2 desktop, dual-channel DDR4-3200, 64 GB \
                 (typical of LocalScore's machines)"
                    .to_owned(),
                Vec::new(),
            ),
            Origin::Entered => (format!("{part} figures entered for this machine (no catalog source)"), Vec::new()),
        }
    }

    /// Source of the CPU and host memory figures.
    pub(super) fn host(&self) -> (String, Vec<Source>) {
        Provenance::text(self.host, "host")
    }

    /// Source of the GPU figures.
    pub(super) fn gpu(&self) -> (String, Vec<Source>) {
        Provenance::text(self.gpu, "GPU")
    }

    /// Source of a device's spec-sheet figures.
    pub(super) fn device(&self, dev: &Device) -> (String, Vec<Source>) {
        match dev.kind {
            DeviceKind::Cpu => self.host(),
            DeviceKind::Gpu => self.gpu(),
        }
    }
}

/// Source of a family's efficiency parameters.
pub(super) fn efficiency(eff: &Efficiency, family: Family) -> String {
    if eff.fitted_on == "priors" {
        format!("prior for the {} family (a rule of thumb, not fitted)", family.name())
    } else {
        format!(
            "fitted efficiency for the {} family (core/data/efficiency.json, fitted on {}; \
             cross-validated against LocalScore)",
            family.name(),
            eff.fitted_on
        )
    }
}

/// Source of the model's dimensions.
pub(super) fn model(model: &ModelSpec) -> (String, Vec<Source>) {
    if model.sources.is_empty() {
        return (format!("dimensions entered for '{}' (no source given)", model.name), Vec::new());
    }
    let titles: Vec<&str> = model.sources.iter().map(|s| s.title.as_str()).collect();
    (format!("'{}' in the model catalog: {}", model.name, titles.join("; ")), model.sources.clone())
}

/// Source of a quantization's per-tensor types.
pub(super) fn quant(quant: QuantScheme) -> String {
    format!(
        "llama.cpp's per-tensor types for {quant} (QuantScheme::tensor_type, after llama-quant.cpp) and \
         GGUF/ggml block sizes"
    )
}

/// Source of a constant of the estimator.
pub(super) fn estimator(file: &str) -> String {
    format!("estimator constant ({file})")
}

/// An input with a source in words and no links.
pub(super) fn input(name: impl Into<String>, value: impl Into<String>, source: impl Into<String>) -> Input {
    Input { name: name.into(), value: value.into(), source: source.into(), links: Vec::new() }
}

/// An input with a source and its citations.
pub(super) fn cited(
    name: impl Into<String>,
    value: impl Into<String>,
    (source, links): (String, Vec<Source>),
) -> Input {
    Input { name: name.into(), value: value.into(), source, links }
}

/// Drops inputs whose name came earlier (identical GPUs give identical inputs).
pub(super) fn dedup(inputs: Vec<Input>) -> Vec<Input> {
    let mut out: Vec<Input> = Vec::with_capacity(inputs.len());
    for i in inputs {
        if !out.iter().any(|o| o.name == i.name) {
            out.push(i);
        }
    }
    out
}

/// What a phase reads of a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// Prompt processing: bandwidth, matrix compute, PCIe link.
    Prompt,
    /// Generation: bandwidth, vector and matrix compute.
    Generation,
}

/// The spec-sheet and fitted inputs of one device's rates.
pub(super) fn device_inputs(ctx: &Ctx, dev: &Device, phase: Phase) -> Vec<Input> {
    let system = ctx.inputs.system;
    let eff = ctx.inputs.eff;
    let p = eff.get(dev.family);
    let fitted = efficiency(eff, dev.family);
    let fam = dev.family.name();
    let hw = ctx.prov.device(dev);
    let mut out = Vec::new();
    match (dev.kind, &system.gpu) {
        (DeviceKind::Gpu, Some(g)) => {
            out.push(cited("GPU peak bandwidth", u::bandwidth_gb_per_s(g.bandwidth_gb_per_s), hw.clone()));
            out.push(input(format!("{fam} bandwidth efficiency"), u::sig(p.bandwidth_efficiency), fitted.clone()));
            let factors = GpuBandwidthFactors::of(system, eff);
            if let Some(k) = factors.laptop {
                out.push(input(format!("{fam} laptop GPU bandwidth factor"), u::sig(k), fitted.clone()));
            }
            if let Some(k) = factors.architecture {
                out.push(input(format!("{} bandwidth factor", g.architecture), u::sig(k), fitted.clone()));
            }
            let (units, e, name) = match g.tensor_fp16_tflops {
                Some(_) => ("FP16 matrix units", p.matrix_efficiency, "matrix"),
                None => ("vector FP16/FP32", p.vector_efficiency, "vector"),
            };
            out.push(cited(format!("GPU peak ({units})"), u::gflops(dev.peak_gflops), hw.clone()));
            out.push(input(format!("{fam} {name} efficiency"), u::sig(e), fitted.clone()));
            if phase == Phase::Generation {
                out.push(cited("GPU peak (vector FP32)", u::gflops(g.fp32_tflops * 1e3), hw.clone()));
                let gen_eff = p.generation_compute_efficiency;
                out.push(input(format!("{fam} generation compute efficiency"), u::sig(gen_eff), fitted.clone()));
                let attn_eff = p.attention_efficiency;
                out.push(input(format!("{fam} attention efficiency"), u::sig(attn_eff), fitted.clone()));
            }
            if let (Phase::Prompt, Some(link), Some(gen), Some(lanes)) =
                (phase, dev.link_gb_per_s, g.pcie_gen, g.pcie_lanes)
            {
                out.push(cited(
                    "GPU host link",
                    format!("{} (PCIe {gen}.0 × {lanes})", u::bandwidth_gb_per_s(link)),
                    hw.clone(),
                ));
            }
        }
        _ => {
            let m = &system.memory;
            let c = &system.cpu;
            out.push(cited(
                "host memory peak bandwidth",
                format!(
                    "{} ({} × {}-bit {} at {} MT/s)",
                    u::bandwidth_gb_per_s(dev.peak_bandwidth_gb_per_s),
                    m.channels,
                    m.bus_width_bits_per_channel,
                    m.kind,
                    u::sig(m.speed_mt_per_s)
                ),
                hw.clone(),
            ));
            out.push(input(format!("{fam} bandwidth efficiency"), u::sig(p.bandwidth_efficiency), fitted.clone()));
            out.push(cited("CPU performance cores", c.performance_cores.to_string(), hw.clone()));
            out.push(input(
                format!("{fam} bandwidth per core"),
                u::bandwidth_gb_per_s(p.core_bandwidth_gb_per_s),
                fitted.clone(),
            ));
            out.push(cited(
                "CPU FP32 peak of the engine's kernels",
                format!(
                    "{} ({} cores × {}-bit SIMD × {} FMA units (≤ 512 bit/cycle) × 2 × {} GHz)",
                    u::gflops(dev.peak_gflops),
                    c.performance_cores,
                    c.simd_width_bits,
                    c.fma_units_per_core,
                    u::sig(c.sustained_clock_ghz())
                ),
                hw.clone(),
            ));
            out.push(input(format!("{fam} matrix efficiency"), u::sig(p.matrix_efficiency), fitted.clone()));
            if phase == Phase::Generation {
                let gen_eff = p.generation_compute_efficiency;
                out.push(input(format!("{fam} generation compute efficiency"), u::sig(gen_eff), fitted.clone()));
                let attn_eff = p.attention_efficiency;
                out.push(input(format!("{fam} attention efficiency"), u::sig(attn_eff), fitted.clone()));
            }
        }
    }
    if dev.kind == DeviceKind::Gpu && ctx.inputs.workload.os == crate::workload::Os::Windows {
        let factor = u::sig(p.windows_latency_factor);
        out.push(input(format!("{fam} Windows factor on the latencies"), factor, fitted.clone()));
    }
    out.push(input(format!("{fam} latency per block"), u::seconds(dev.layer_latency_s), fitted.clone()));
    out.push(input(format!("{fam} latency per step"), u::seconds(dev.step_latency_s), fitted));
    out
}

/// The rates of one device as the estimator derived them, one line.
pub(super) fn rates_line(ctx: &Ctx, dev: &Device, phase: Phase) -> String {
    let system = ctx.inputs.system;
    let p = ctx.inputs.eff.get(dev.family);
    let bw = u::bandwidth_gb_per_s(dev.bandwidth_gb_per_s);
    let c = u::gflops(dev.gflops);
    let peak_c = u::gflops(dev.peak_gflops);
    let peak_bw = u::bandwidth_gb_per_s(dev.peak_bandwidth_gb_per_s);
    let (b_line, c_eff, gen_peak) = match (dev.kind, &system.gpu) {
        (DeviceKind::Gpu, Some(g)) => {
            let c_eff = if g.has_matrix_units() { p.matrix_efficiency } else { p.vector_efficiency };
            let mut b = format!("{peak_bw} × {}", u::sig(p.bandwidth_efficiency));
            let factors = GpuBandwidthFactors::of(system, ctx.inputs.eff);
            if let Some(k) = factors.laptop {
                b.push_str(&format!(" × {} (laptop)", u::sig(k)));
            }
            if let Some(k) = factors.architecture {
                b.push_str(&format!(" × {} ({})", u::sig(k), g.architecture));
            }
            (b, c_eff, g.fp32_tflops * 1e3)
        }
        _ => {
            let cores = system.cpu.performance_cores.max(1);
            let per_core = u::bandwidth_gb_per_s(p.core_bandwidth_gb_per_s);
            let b = format!("min({peak_bw} × {}, {cores} × {per_core})", u::sig(p.bandwidth_efficiency));
            // An Arm core without int8 dot products reaches a share of the peak.
            let share = system.cpu.quantized_dot_share();
            (b, p.matrix_efficiency * share, dev.peak_gflops * share)
        }
    };
    let mut line = format!("{}: B = {b_line} = {bw}; C = {peak_c} × {} = {c}", dev.label, u::sig(c_eff));
    if phase == Phase::Generation {
        line.push_str(&format!(
            "; C_gen = {} × {} = {}; C_attn = {} × {} = {}",
            u::gflops(gen_peak),
            u::sig(p.generation_compute_efficiency),
            u::gflops(dev.generation_gflops),
            u::gflops(gen_peak),
            u::sig(p.attention_efficiency),
            u::gflops(dev.attention_gflops)
        ));
    }
    if let (Phase::Prompt, Some(link)) = (phase, dev.link_gb_per_s) {
        line.push_str(&format!("; link = {}", u::bandwidth_gb_per_s(link)));
    }
    line
}
