//! What can go wrong configuring, loading or running the reference model.

use roofline_gguf::dequant::DequantError;

/// Why a model cannot be configured, loaded or run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransformerError {
    /// `general.architecture` names a model family this module does not run.
    #[error("architecture '{architecture}' is not supported (llama, qwen2, qwen3 and gemma3 are)")]
    UnsupportedArchitecture {
        /// The architecture as found (empty when the key is missing).
        architecture: String,
    },
    /// A metadata key the model needs is absent.
    #[error("metadata key '{key}' is missing")]
    MissingMetadata {
        /// The full key (`gemma3.block_count`).
        key: String,
    },
    /// A metadata value of the wrong type or out of range.
    #[error("metadata key '{key}' {problem}")]
    BadMetadata {
        /// The full key.
        key: String,
        /// What is wrong with it, in words.
        problem: String,
    },
    /// A RoPE scaling this module does not implement (YaRN, LongRoPE).
    #[error("RoPE scaling '{kind}' is not supported (none and linear are)")]
    UnsupportedRopeScaling {
        /// The value of `{arch}.rope.scaling.type`.
        kind: String,
    },
    /// A tensor the architecture needs is absent from the directory.
    #[error("tensor '{name}' is missing")]
    MissingTensor {
        /// The tensor name.
        name: String,
    },
    /// A tensor whose dimensions differ from what the metadata implies.
    #[error("tensor '{name}' has dimensions {found:?}, expected {expected:?}")]
    BadShape {
        /// The tensor name.
        name: String,
        /// Dimensions the metadata implies, innermost first.
        expected: Vec<u64>,
        /// Dimensions in the directory.
        found: Vec<u64>,
    },
    /// A tensor the forward pass would not use (a bias or norm this module does not know).
    #[error("tensor '{name}' is not used by this module's {architecture} forward pass")]
    UnusedTensor {
        /// The tensor name.
        name: String,
        /// The architecture.
        architecture: &'static str,
    },
    /// A tensor whose ggml type cannot be dequantized here.
    #[error("tensor '{name}' has ggml type {ggml_type}, which cannot be dequantized here")]
    UnsupportedTensorType {
        /// The tensor name.
        name: String,
        /// Its ggml type id.
        ggml_type: u32,
    },
    /// The tensor source could not deliver a tensor's bytes.
    #[error("cannot read tensor '{name}' ({len_bytes} bytes at file offset {offset}): {message}")]
    Read {
        /// The tensor name.
        name: String,
        /// Absolute file offset, bytes.
        offset: u64,
        /// Bytes asked for.
        len_bytes: u64,
        /// What the source said.
        message: String,
    },
    /// Tensor data that does not dequantize (it should not happen after loading checks).
    #[error("tensor '{name}': {source}")]
    Dequant {
        /// The tensor name.
        name: String,
        /// The dequantization error.
        source: DequantError,
    },
    /// A token id past the vocabulary.
    #[error("token {token} is outside the vocabulary of {vocab} tokens")]
    TokenOutOfRange {
        /// The token id.
        token: u32,
        /// Vocabulary size.
        vocab: usize,
    },
    /// A position other than the next free slot of the KV cache.
    #[error("position {pos} given, but the KV cache holds {cached} positions (the next must be {cached})")]
    PositionMismatch {
        /// The position asked for.
        pos: usize,
        /// Positions already in the cache.
        cached: usize,
    },
    /// Generation asked for without a prompt token.
    #[error("the prompt is empty: generation needs at least one token (usually BOS)")]
    EmptyPrompt,
    /// A KV cache made for a model of another shape.
    #[error("the KV cache was made for another model shape")]
    CacheMismatch,
}
