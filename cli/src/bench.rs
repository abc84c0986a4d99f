//! `roofline bench`: the GPU probes on the native adapter, as text or JSON.

use crate::args::BenchArgs;
use anyhow::{anyhow, Result};
use roofline_core::calibration::{against_spec, spec_equivalent, Measured, MeasuredBy, ProbeProfile};
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
            let entry = catalog.hardware(&spec).ok();
            if let Some((bw, fma)) = entry.zip(measured(&report)).and_then(|(e, m)| against_spec(e, &m)) {
                value["against_spec"] = serde_json::json!({ "read": bw, "fma_f32": fma });
            }
        }
        if let Some(m) = measured(&report) {
            let (bandwidth_gb_per_s, fp32_tflops) = spec_equivalent(&m);
            value["spec_equivalent"] = serde_json::json!({
                "bandwidth_gb_per_s": bandwidth_gb_per_s,
                "fp32_tflops": fp32_tflops,
                "probe_profile": ProbeProfile::RECORDED,
                "probe_profile_source": ProbeProfile::SOURCE,
            });
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

/// The headline read and f32 FMA figures as a measurement for calibration.
fn measured(report: &BenchReport) -> Option<Measured> {
    Some(Measured {
        adapter: report.adapter.name.clone(),
        read_gb_per_s: report.headline(ProbeKind::Read)?.stats.median,
        fma_f32_tflops: report.headline(ProbeKind::FmaF32)?.stats.median,
        fma_f16_tflops: report.headline(ProbeKind::FmaF16).map(|m| m.stats.median),
        by: MeasuredBy::Probes,
    })
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
    let Some(m) = measured(report) else { return out };
    out.push('\n');
    let entry = spec_for(catalog, report).and_then(|id| catalog.hardware(&id).ok());
    if let Some((e, (bw, fma))) = entry.and_then(|e| Some((e, against_spec(e, &m)?))) {
        out += &format!(
            "{}: the probes measured {} GB/s read, {:.0} % of the {} GB/s spec; {} TFLOPS f32, {:.0} % of the {} TFLOPS spec\n",
            e.name,
            sig(bw.measured),
            bw.percent,
            sig(bw.spec),
            sig(fma.measured),
            fma.percent,
            sig(fma.spec)
        );
    }
    let (bandwidth_gb_per_s, fp32_tflops) = spec_equivalent(&m);
    let p = ProbeProfile::RECORDED;
    out += &format!(
        "as spec-sheet figures (what the estimator's efficiencies apply to): {} GB/s, {} TFLOPS f32\n  \
         (measured ÷ {} % and ÷ {} %, the share of a sheet these probes reach on {})\n",
        sig(bandwidth_gb_per_s),
        sig(fp32_tflops),
        sig(p.read_fraction * 100.0),
        sig(p.fma_f32_fraction * 100.0),
        ProbeProfile::SOURCE
    );
    out
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}
