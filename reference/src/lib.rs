//! Roofline's reference model on the CPU: what the GPU kernels are checked against.
//!
//! - [`tokenizer`]: text to token ids and back, as llama.cpp does it, from a GGUF file's
//!   tokenizer metadata.
//! - [`transformer`]: a plain f32 transformer that runs a GGUF model's weights through
//!   [`roofline_gguf`]'s dequantizers, one token at a time.
//! - [`generated`]: models with real models' shapes and Q4_K_M type mix whose weights are
//!   made from a seed, so a benchmark needs no download.
//!
//! The crate is pure: no I/O beyond what a caller hands in, no UI, no GPU.

pub mod generated;
pub mod tokenizer;
pub mod transformer;
