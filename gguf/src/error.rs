//! What can go wrong reading a GGUF header or turning it into a model.

use roofline_core::check::SpecError;

/// A GGUF header that cannot be read (yet), or metadata that does not describe a model.
///
/// Offsets are bytes from the start of the file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GgufError {
    /// The prefix ends before the header does: read at least `needed_bytes` from the start
    /// of the file and parse again.
    #[error("the GGUF header continues past the bytes read: need at least {needed_bytes} bytes")]
    NeedMore {
        /// Prefix length needed to make progress, bytes.
        needed_bytes: u64,
    },
    /// The header would need more than the stated maximum.
    #[error("the GGUF header needs more than {limit_bytes} bytes (at least {needed_bytes})")]
    HeaderTooLarge {
        /// Prefix length needed to make progress, bytes.
        needed_bytes: u64,
        /// The maximum, bytes ([`super::MAX_HEADER_BYTES`]).
        limit_bytes: u64,
    },
    /// The file ends before the header does.
    #[error("truncated file: {what} at offset {offset} needs {needed_bytes} bytes but the file has {file_size_bytes}")]
    Truncated {
        /// What was being read (`string`, `tensor dimensions`, ...).
        what: &'static str,
        /// Where it starts.
        offset: u64,
        /// Prefix length it needs, bytes.
        needed_bytes: u64,
        /// Size of the file, bytes.
        file_size_bytes: u64,
    },
    /// The file does not start with `GGUF`.
    #[error("not a GGUF file: it starts with {found:02x?}, not \"GGUF\"")]
    BadMagic {
        /// The first four bytes.
        found: [u8; 4],
    },
    /// A big-endian GGUF file (its version reads byte-swapped).
    #[error("big-endian GGUF (version {version} byte-swapped) is not supported")]
    BigEndian {
        /// The version, read as big-endian.
        version: u32,
    },
    /// A version other than 1, 2 or 3.
    #[error("unsupported GGUF version {version} (1, 2 and 3 are supported)")]
    UnsupportedVersion {
        /// The version field.
        version: u32,
    },
    /// A count or length beyond what any real file holds.
    #[error("{field} at offset {offset} is {value}, more than the limit of {limit}")]
    LimitExceeded {
        /// Which count or length (`tensor count`, `string length`, ...).
        field: String,
        /// Where it is stored.
        offset: u64,
        /// The value read.
        value: u64,
        /// The limit.
        limit: u64,
    },
    /// A value type code outside 0–12.
    #[error("unknown GGUF value type {code} at offset {offset} (key '{key}')")]
    UnknownValueType {
        /// The code read.
        code: u32,
        /// Where it is stored.
        offset: u64,
        /// The key whose value it types.
        key: String,
    },
    /// Arrays nested deeper than the parser follows.
    #[error("arrays nested more than {limit} deep at offset {offset} (key '{key}')")]
    NestingTooDeep {
        /// Where the innermost array starts.
        offset: u64,
        /// The key.
        key: String,
        /// The deepest nesting followed.
        limit: u32,
    },
    /// A key, tensor name or string value that is not UTF-8.
    #[error("invalid UTF-8 in {what} at offset {offset}")]
    InvalidUtf8 {
        /// What the string is (`key`, `tensor name`, `string value of 'general.name'`).
        what: String,
        /// Where the string's bytes start.
        offset: u64,
    },
    /// The same key twice.
    #[error("duplicate key '{key}' at offset {offset}")]
    DuplicateKey {
        /// The key.
        key: String,
        /// Where the second copy starts.
        offset: u64,
    },
    /// The same tensor name twice.
    #[error("duplicate tensor '{name}' at offset {offset}")]
    DuplicateTensor {
        /// The tensor name.
        name: String,
        /// Where the second entry starts.
        offset: u64,
    },
    /// A tensor with more than [`super::MAX_DIMS`] dimensions.
    #[error("tensor '{name}' at offset {offset} has {n_dims} dimensions (at most 4)")]
    TooManyDims {
        /// The tensor name.
        name: String,
        /// Where its entry starts.
        offset: u64,
        /// Dimensions declared.
        n_dims: u32,
    },
    /// A tensor whose element count or byte range overflows 64 bits.
    #[error("tensor '{name}' is too large: {problem}")]
    TensorOverflow {
        /// The tensor name.
        name: String,
        /// What overflowed.
        problem: String,
    },
    /// A tensor whose data offset is not a multiple of the alignment.
    #[error("tensor '{name}' data offset {data_offset} is not a multiple of the alignment {alignment}")]
    MisalignedTensor {
        /// The tensor name.
        name: String,
        /// Its offset into the data section, bytes.
        data_offset: u64,
        /// The alignment, bytes.
        alignment: u64,
    },
    /// `general.alignment` that is not a positive power of two (or not an integer).
    #[error("general.alignment must be a power of two, got {value}")]
    BadAlignment {
        /// The value as found.
        value: String,
    },
    /// An array whose elements [`super::read_array`] does not decode.
    #[error(
        "the array at offset {offset} holds {element_type:?} elements; only string, f32 and i32 arrays are read whole"
    )]
    UnsupportedArrayType {
        /// Where its elements start.
        offset: u64,
        /// Their type.
        element_type: super::ValueType,
    },
    /// The bytes given to [`super::read_array`] do not hold the array the header describes
    /// (another file, or a prefix of another file).
    #[error("the bytes at offset {offset} do not hold the array the header describes")]
    ArrayMismatch {
        /// Where the array's elements should start.
        offset: u64,
    },
    /// A key whose value has another type than the one asked for.
    #[error("'{key}' should be {expected}, found {found}")]
    WrongType {
        /// The key.
        key: String,
        /// What was asked for (`an array`).
        expected: &'static str,
        /// The value type found.
        found: String,
    },
    /// Metadata from which no model can be built (`general.architecture` missing, ...).
    #[error("not a usable model: {0}")]
    NotAModel(String),
    /// The model built from the header fails the catalog's range checks.
    #[error("model read from the GGUF header is out of range: {0}")]
    InvalidModel(SpecError),
}
