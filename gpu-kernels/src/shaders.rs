//! The WGSL sources, embedded at build time. `ALL` lists every file so the naga test
//! validates each one.

/// Fills a binding with the probes' data; also the write-bandwidth probe.
pub const FILL: &str = include_str!("shaders/fill.wgsl");
/// Read-bandwidth probe.
pub const READ: &str = include_str!("shaders/read.wgsl");
/// Copy-bandwidth probe.
pub const COPY: &str = include_str!("shaders/copy.wgsl");
/// f32 FMA-throughput probe.
pub const FMA_F32: &str = include_str!("shaders/fma_f32.wgsl");
/// f16 FMA-throughput probe (`shader-f16`).
pub const FMA_F16: &str = include_str!("shaders/fma_f16.wgsl");
/// Packed int8 dot-product probe.
pub const DOT4_I8: &str = include_str!("shaders/dot4_i8.wgsl");
/// Dispatch round-trip probe.
pub const TICK: &str = include_str!("shaders/tick.wgsl");

/// Every shader with its file name.
pub const ALL: [(&str, &str); 7] = [
    ("fill.wgsl", FILL),
    ("read.wgsl", READ),
    ("copy.wgsl", COPY),
    ("fma_f32.wgsl", FMA_F32),
    ("fma_f16.wgsl", FMA_F16),
    ("dot4_i8.wgsl", DOT4_I8),
    ("tick.wgsl", TICK),
];
