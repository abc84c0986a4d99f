//! GGUF header and metadata: the key–value pairs and tensor directory at the start of a
//! llama.cpp model file, read from a byte prefix without I/O.
//!
//! A browser or a model runner reads the file by slices. [`parse_header`] takes the first
//! bytes of the file and either returns the [`Header`] or asks for a longer prefix with
//! [`GgufError::NeedMore`]; the caller reads at least `needed_bytes` (better: double what it
//! had, see [`next_prefix_bytes`]) and calls again. Headers longer than
//! [`MAX_HEADER_BYTES`] are refused with [`GgufError::HeaderTooLarge`]. Tensor data is never
//! read. [`model_from_header`] then turns the metadata into a [`roofline_core::model::ModelSpec`].
//! Arrays keep their length, their first [`ARRAY_HEAD_LEN`] elements and where their
//! elements start ([`ArrayValue::offset`]); [`read_array`] decodes a whole one (a
//! tokenizer's vocabulary) from the same bytes, within a limit the caller sets.
//!
//! Layout (little-endian): magic `GGUF`, `u32` version, tensor count, key–value count
//! (`u64` in v2/v3, `u32` in v1), the key–value pairs, one entry per tensor (name, `u32`
//! dimension count, dimensions, `u32` ggml type, `u64` offset into the data section), then
//! padding to `general.alignment` (32 by default) where tensor data starts.
//!
//! ```
//! use roofline_gguf::{parse_header, GgufError};
//! assert!(matches!(parse_header(b"GG"), Err(GgufError::NeedMore { needed_bytes: 4 })));
//! assert!(matches!(parse_header(b"ABCDxxxx"), Err(GgufError::BadMagic { found: [b'A', b'B', b'C', b'D'] })));
//! ```

mod array;
pub mod dequant;
mod error;
mod ggml;
mod layout;
mod meta;
mod model;
mod parse;
mod reader;
mod value;

pub use array::{read_array, ArrayElements};
pub use error::GgufError;
pub use ggml::{ftype_name, ftype_scheme, ggml_block_layout, ggml_type_name, known_ggml_type, FtypeMatch};
pub use model::{model_from_header, ModelFromGguf};
pub use parse::{parse_header, parse_header_in_file};
pub use value::{ArrayValue, Value, ValueType};

use serde::Serialize;

/// Longest header [`parse_header`] will ask for: 64 MiB.
pub const MAX_HEADER_BYTES: u64 = 64 << 20;
/// Most tensors a header may list.
pub const MAX_TENSORS: u64 = 1 << 20;
/// Most key–value pairs a header may hold.
pub const MAX_KV_PAIRS: u64 = 1 << 20;
/// Longest string (key, name or value), bytes.
pub const MAX_STRING_BYTES: u64 = 16 << 20;
/// Most elements in one array value.
pub const MAX_ARRAY_LEN: u64 = 1 << 28;
/// Array elements kept for display; the rest are skipped (their count is kept).
pub const ARRAY_HEAD_LEN: usize = 16;
/// Most dimensions of a tensor (`GGML_MAX_DIMS`).
pub const MAX_DIMS: u32 = 4;
/// Alignment of tensor data when `general.alignment` is absent, bytes.
pub const DEFAULT_ALIGNMENT: u64 = 32;

/// The parsed start of a GGUF file: metadata and tensor directory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Header {
    /// Format version (1, 2 or 3).
    pub version: u32,
    /// Alignment of tensor data, bytes (`general.alignment`, default 32).
    pub alignment: u64,
    /// Key–value pairs in file order.
    pub metadata: Vec<(String, Value)>,
    /// Tensor directory in file order.
    pub tensors: Vec<TensorInfo>,
    /// Bytes from the start of the file to the end of the tensor directory.
    pub header_bytes: u64,
    /// Offset of the tensor data section from the start of the file, bytes.
    pub data_start: u64,
}

/// One entry of the tensor directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TensorInfo {
    /// Tensor name (`blk.0.attn_q.weight`).
    pub name: String,
    /// Dimensions, innermost first as ggml orders them (`[n_embd, n_vocab]` for the
    /// embedding table).
    pub dims: Vec<u64>,
    /// ggml type id (kept even when unknown; see [`ggml_type_name`]).
    pub ggml_type: u32,
    /// Offset of the tensor's data from [`Header::data_start`], bytes.
    pub offset: u64,
}

impl TensorInfo {
    /// Number of elements: the product of the dimensions (1 for no dimensions).
    pub fn elements(&self) -> u64 {
        self.dims.iter().fold(1u64, |acc, &d| acc.saturating_mul(d))
    }

    /// Stored size in bytes, or `None` for an unknown ggml type.
    pub fn size_bytes(&self) -> Option<u64> {
        let (weights, bytes) = ggml_block_layout(self.ggml_type)?;
        Some(self.elements().div_ceil(u64::from(weights)).saturating_mul(u64::from(bytes)))
    }

    /// Name of the ggml type (`Q4_K`), or `None` when unknown.
    pub fn type_name(&self) -> Option<&'static str> {
        ggml_type_name(self.ggml_type)
    }
}

impl Header {
    /// The value stored under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.metadata.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// An integer value of any integer type (negative values give `None`).
    pub fn get_u64(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(Value::as_u64)
    }

    /// A number of any numeric type, as `f64`.
    pub fn get_f64(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(Value::as_f64)
    }

    /// A string value.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    /// A boolean value.
    pub fn get_bool(&self, key: &str) -> Option<bool> {
        match self.get(key) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// Length of an array value (all of it, not only the elements kept).
    pub fn array_len(&self, key: &str) -> Option<u64> {
        match self.get(key) {
            Some(Value::Array(a)) => Some(a.len),
            _ => None,
        }
    }

    /// `general.architecture` (`llama`, `gemma3`, ...).
    pub fn architecture(&self) -> Option<&str> {
        self.get_str("general.architecture")
    }

    /// The tensor named `name`.
    pub fn tensor(&self, name: &str) -> Option<&TensorInfo> {
        self.tensors.iter().find(|t| t.name == name)
    }

    /// Total elements over the tensor directory.
    pub fn total_elements(&self) -> u64 {
        self.tensors.iter().fold(0u64, |acc, t| acc.saturating_add(t.elements()))
    }

    /// End of the last tensor's data from the start of the file, bytes, when every type is
    /// known: the file size a complete file has at least.
    pub fn data_end_bytes(&self) -> Option<u64> {
        let mut end = self.data_start;
        for t in &self.tensors {
            let stop = self.data_start.checked_add(t.offset)?.checked_add(t.size_bytes()?)?;
            end = end.max(stop);
        }
        Some(end)
    }
}

/// How many bytes to read next after [`GgufError::NeedMore`]: at least `needed_bytes`,
/// at least twice what was read, at most the file and [`MAX_HEADER_BYTES`] (but never
/// less than `needed_bytes`, so a caller that gets back no more than it had knows the
/// file is too short).
///
/// ```
/// use roofline_gguf::next_prefix_bytes;
/// assert_eq!(next_prefix_bytes(1 << 20, 1_500_000, 1 << 30), 2 << 20);
/// assert_eq!(next_prefix_bytes(1 << 20, 5_000_000, 1 << 30), 5_000_000);
/// assert_eq!(next_prefix_bytes(1 << 20, 1_500_000, 1_200_000), 1_500_000);
/// ```
pub fn next_prefix_bytes(had_bytes: u64, needed_bytes: u64, file_size_bytes: u64) -> u64 {
    let grown = had_bytes.saturating_mul(2).max(needed_bytes);
    grown.min(file_size_bytes).min(MAX_HEADER_BYTES).max(needed_bytes)
}
