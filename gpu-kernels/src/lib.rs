//! GPU probes for Roofline: memory read, write and copy bandwidth, f32/f16 FMA and packed
//! int8 dot-product throughput, and dispatch round-trip latency, written in WGSL and run
//! through wgpu (Vulkan, Metal or DX12 natively; WebGPU in the browser).
//!
//! [`GpuContext`] is created once and reused; [`ProbeSession`] plans and runs the probes
//! one step at a time, so callers can report progress and cancel between steps. Every
//! probe checks its output against a CPU computation of the same thing and fails with
//! [`ProbeError::CheckFailed`] rather than report a figure from work that was not done.

mod context;
mod error;
pub(crate) mod gpu;
mod kind;
pub mod model;
mod pass_timer;
pub mod probes;
mod readback;
pub mod shaders;
mod timing;

pub use context::{AdapterSummary, ContextError, ContextOptions, GpuContext};
pub use pass_timer::PassTimer;
pub use probes::{
    run_all, BenchReport, Measurement, ProbeConfig, ProbeError, ProbeKind, ProbeSession, ProbeStep, Skipped,
};
pub use timing::{now_s, Stats, TimingSource};
