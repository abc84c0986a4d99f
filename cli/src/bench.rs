//! `roofline bench`: the GPU probes on the native adapter, as text or JSON.

use crate::args::BenchArgs;
use anyhow::{anyhow, Result};
use roofline_core::catalog::Catalog;
use roofline_core::units::sig;
use roofline_gpu::{BenchReport, ContextOptions, GpuContext, Measurement, ProbeConfig, ProbeKind};

/// Runs the probes; progress goes to stderr, the report to the returned string.
pub fn run(args: &BenchArgs, catalog: &Catalog) -> Result<String> {
    let options = ContextOptions { timestamps: !args.no_timestamps, ..ContextOptions::default() };
    let ctx = pollster::block_on(GpuContext::new(&options))?;
    let mut config = if args.quick { ProbeConfig::quick() } else { ProbeConfig::default() };
    if !args.quick {
        config.max_working_set_bytes = args.max_mib.max(1) << 20;
    }
    config.samples = args.samples.max(5);
    eprintln!("roofline bench: {} ({}, {})", ctx.adapter.name, ctx.adapter.backend, ctx.adapter.device_type);
    let report = pollster::block_on(roofline_gpu::run_all(&ctx, config, |done, total, m| {
        eprintln!("  [{done}/{total}] {}", line(m));
    }))
    .map_err(|e| anyhow!("{e}"))?;
    let model = match &args.model_shape {
        Some(shape) => Some(crate::model_bench::run(&ctx, args, shape, catalog, &report)?),
        None => None,
    };
    if args.json {
        let mut value = serde_json::to_value(&report)?;
        if let Some(m) = &model {
            value["model"] = crate::model_bench::json(m)?;
        }
        value["software_adapter_note"] = serde_json::json!(note(&report));
        if let Some(spec) = spec_for(catalog, &report) {
            value["catalog_match"] = serde_json::json!(spec);
        }
        return Ok(serde_json::to_string_pretty(&value)? + "\n");
    }
    let mut out = text(&report, catalog);
    if let Some(m) = &model {
        out += &crate::model_bench::text(m);
    }
    Ok(out)
}

fn note(report: &BenchReport) -> Option<&'static str> {
    report
        .adapter
        .software
        .then_some("software adapter (CPU emulation): figures check correctness, they are not GPU performance")
}

fn spec_for(catalog: &Catalog, report: &BenchReport) -> Option<String> {
    let a = &report.adapter;
    roofline_core::calibration::match_adapter(catalog, &a.name, &a.description).map(|e| e.id.clone())
}

fn size(bytes: Option<u64>) -> String {
    match bytes {
        Some(b) if b >= 1 << 20 => format!(" @ {} MiB", b >> 20),
        Some(b) => format!(" @ {} KiB", b >> 10),
        None => String::new(),
    }
}

fn line(m: &Measurement) -> String {
    format!(
        "{:<20} {:>10} {:<6} ±{:>5.1} %  ({} samples of {:.1} ms, {}){}",
        m.kind.label(),
        sig(m.stats.median),
        m.unit,
        m.stats.spread_pct / 2.0,
        m.stats.samples,
        m.sample_ms,
        m.timing.describe(),
        size(m.working_set_bytes),
    )
}

fn text(report: &BenchReport, catalog: &Catalog) -> String {
    let a = &report.adapter;
    let mut out = format!(
        "adapter   {}\nbackend   {} ({})\ndriver    {} {}\n",
        a.name, a.backend, a.device_type, a.driver, a.description
    );
    out += &format!(
        "limits    buffer {} MiB, storage binding {} MiB, {} workgroups per dimension\n",
        a.max_buffer_bytes >> 20,
        a.max_storage_binding_bytes >> 20,
        a.max_workgroups_per_dimension
    );
    out += &format!(
        "features  timestamps {}, shader-f16 {}, int8 dot4 {}\n",
        yes(a.timestamps),
        yes(a.shader_f16),
        yes(a.dot4_i8)
    );
    if let Some(n) = note(report) {
        out += &format!("note      {n}\n");
    }
    out += "\nprobe                   median        ± half-spread\n";
    for m in &report.measurements {
        out += &line(m);
        out.push('\n');
    }
    for s in &report.skipped {
        out += &format!("{:<20} skipped: {}\n", s.kind.label(), s.reason);
    }
    if let (Some(id), Some(read)) = (spec_for(catalog, report), report.headline(ProbeKind::Read)) {
        if let Ok(entry) = catalog.hardware(&id) {
            if let Some(gpu) = &entry.gpu {
                out += &format!(
                    "\n{}: {} GB/s read is {:.0} % of the {} GB/s spec\n",
                    entry.name,
                    sig(read.stats.median),
                    read.stats.median / gpu.bandwidth_gb_per_s * 100.0,
                    sig(gpu.bandwidth_gb_per_s)
                );
            }
        }
    }
    out
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}
