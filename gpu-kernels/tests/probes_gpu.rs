//! The probes on a real adapter (lavapipe in CI): each completes, passes its CPU check and
//! reports positive, finite figures; a destroyed device stops a probe with `DeviceLost`.
//!
//! Without any adapter the tests fail when `ROOFLINE_REQUIRE_GPU=1` (as in CI) and are
//! skipped with a message otherwise.

// Helpers outside #[test] functions assert too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use roofline_gpu::{ContextOptions, GpuContext, ProbeConfig, ProbeError, ProbeKind, ProbeSession};

fn context() -> Option<GpuContext> {
    match pollster::block_on(GpuContext::new(&ContextOptions::default())) {
        Ok(ctx) => Some(ctx),
        Err(error) => {
            assert!(
                std::env::var("ROOFLINE_REQUIRE_GPU").as_deref() != Ok("1"),
                "ROOFLINE_REQUIRE_GPU=1 but no adapter: {error}"
            );
            eprintln!("skipped: {error}");
            None
        }
    }
}

#[test]
fn every_probe_runs_and_checks() {
    let Some(ctx) = context() else { return };
    eprintln!("adapter: {:?}", ctx.adapter);
    let report = pollster::block_on(roofline_gpu::run_all(&ctx, ProbeConfig::quick(), |done, total, m| {
        eprintln!("{done}/{total} {:?} {:?} {:.3} {}", m.kind, m.working_set_bytes, m.stats.median, m.unit);
    }))
    .unwrap_or_else(|e| panic!("probe run failed: {e}"));
    for kind in [ProbeKind::Read, ProbeKind::Write, ProbeKind::Copy, ProbeKind::FmaF32, ProbeKind::Latency] {
        let m = report.headline(kind).unwrap_or_else(|| panic!("{kind:?} missing"));
        assert!(m.stats.median.is_finite() && m.stats.median > 0.0, "{kind:?}: {m:?}");
        assert!(m.stats.samples >= 5, "{kind:?}: {} samples", m.stats.samples);
    }
    let reads = report.measurements.iter().filter(|m| m.kind == ProbeKind::Read).count();
    assert!(reads >= 2, "the read sweep has {reads} sizes");
    for kind in [ProbeKind::FmaF16, ProbeKind::Dot4I8] {
        let ran = report.headline(kind).is_some();
        let skipped = report.skipped.iter().any(|s| s.kind == kind);
        assert!(ran != skipped, "{kind:?} neither ran nor was skipped with a reason");
    }
    let json = serde_json::to_string(&report).unwrap_or_default();
    assert!(json.contains("\"read\""));
}

#[test]
fn a_destroyed_device_stops_the_probe() {
    let Some(ctx) = context() else { return };
    let mut session = ProbeSession::new(&ctx, ProbeConfig::quick());
    let (steps, _) = session.plan();
    let fma = steps.iter().find(|s| s.kind == ProbeKind::FmaF32).copied().unwrap_or_else(|| unreachable!());
    ctx.destroy_device_for_test();
    let result = pollster::block_on(session.run(&fma, &|| false));
    assert!(matches!(result, Err(ProbeError::DeviceLost(_))), "expected a lost device, got {result:?}");
}

#[test]
fn cancelling_stops_between_samples() {
    let Some(ctx) = context() else { return };
    let mut session = ProbeSession::new(&ctx, ProbeConfig::quick());
    let step = roofline_gpu::ProbeStep { kind: ProbeKind::FmaF32, working_set_bytes: None };
    let result = pollster::block_on(session.run(&step, &|| true));
    assert_eq!(result, Err(ProbeError::Cancelled));
}
