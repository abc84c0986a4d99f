//! A CPU reference for a decoder-only transformer's forward pass, run on a GGUF model's own
//! (quantized) weights: what the GPU kernels are compared against.
//!
//! It follows llama.cpp's compute graph for each supported architecture (`llama` — Llama
//! 3.x, SmolLM2 —, `qwen2`, `qwen3` and `gemma3`) operation for operation, in f32: the same
//! norms, RoPE layouts, attention scale, masks and activations. Weights stay quantized as
//! in the file and are dequantized a row at a time ([`roofline_gguf::dequant`]) inside each
//! matrix–vector product; only small tensors (norms, biases) are dequantized whole.
//!
//! It is the f32 computation llama.cpp approximates: run on the exactly dequantized
//! weights with an f32 KV cache, llama.cpp gives the same greedy tokens and logits within
//! about 0.01 (`reference/tests/transformer.rs`, fixture `gemma-3-270m-q4_k_m.f32.json`). On
//! quantized weights llama.cpp's CPU backend rounds more, for speed: it quantizes each
//! activation vector to 8 bits (Q8_0 or Q8_K blocks) before the product with the weights,
//! keeps the KV cache and the attention weights in f16, and reads GELU from an f16 table.
//! For Gemma 3, whose residual stream has a few channels hundreds of times larger than the
//! rest, the 8-bit activations move the logits by up to about 1 — llama.cpp's own batched
//! and token-by-token evaluations of one prompt differ by 0.6 — so its greedy continuations
//! on quantized weights part from the f32 ones after a few tokens where two candidates are
//! close.
//!
//! The crate stays free of I/O: weights come through a [`TensorSource`], which reads byte
//! ranges of the model file however the caller can (a file, a `Vec<u8>`, browser slices).
//!
//! ```no_run
//! use roofline_gguf::parse_header;
//! use roofline_reference::transformer::Model;
//! # fn run(file: Vec<u8>) -> Result<(), Box<dyn std::error::Error>> {
//! let header = parse_header(&file)?;
//! let mut model = Model::load(&header, &file)?;
//! let tokens = model.generate(&[2, 818, 5279], 8)?; // token ids, BOS first
//! # Ok(()) }
//! ```

mod config;
mod error;
mod forward;
mod kv_cache;
pub mod ops;
mod weights;

pub use config::{Activation, Architecture, ModelConfig, RopeLayout};
pub use error::TransformerError;
pub use forward::{argmax, Model};
pub use kv_cache::KvCache;
pub use weights::{FfnBiases, LayerWeights, Part, Prefetched, QTensor, SourceError, TensorSource, Weights};
