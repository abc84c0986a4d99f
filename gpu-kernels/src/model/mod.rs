//! Kernels of the quantized transformer: weights stay in GGUF's block layout in GPU memory
//! and are dequantized in the shader. Each kernel has a CPU twin (`reference`) and
//! GPU-against-CPU tests on generated shapes (`tests/model_kernels.rs`).

pub mod bench;
mod binds;
pub mod f32_ops;
mod formats;
pub mod generated;
pub mod loader;
pub mod ops;
pub mod reference;
pub mod runner;
pub mod tiling;

pub use formats::{compose, compose_tiled, QuantFormat, ALL_FORMATS};
