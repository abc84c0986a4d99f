//! Whole arrays from the metadata: the header keeps only each array's first elements
//! ([`super::ARRAY_HEAD_LEN`]) and where the elements start ([`ArrayValue::offset`]);
//! [`read_array`] decodes all of them from the same bytes, within a limit the caller sets.

use super::parse::finish;
use super::reader::{Reader, Stop};
use super::value::{ArrayValue, ValueType};
use super::{GgufError, Header};

/// Every element of an array value, for the element types a tokenizer reads.
#[derive(Debug, Clone, PartialEq)]
pub enum ArrayElements {
    /// UTF-8 strings (`tokenizer.ggml.tokens`, `tokenizer.ggml.merges`).
    Strings(Vec<String>),
    /// `f32` numbers (`tokenizer.ggml.scores`).
    F32(Vec<f32>),
    /// `i32` numbers (`tokenizer.ggml.token_type`).
    I32(Vec<i32>),
}

impl ArrayElements {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            ArrayElements::Strings(v) => v.len(),
            ArrayElements::F32(v) => v.len(),
            ArrayElements::I32(v) => v.len(),
        }
    }

    /// Whether the array is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Decodes every element of `array` from `bytes`, the start of the file the header was
/// parsed from (a prefix of at least [`Header::header_bytes`] holds all of it).
///
/// `version` is the file's GGUF version (v1 stores string lengths as `u32`). Arrays of more
/// than `limit_elements` are refused before anything is allocated
/// ([`GgufError::LimitExceeded`]); element types other than string, `f32` and `i32` give
/// [`GgufError::UnsupportedArrayType`]; bytes that do not hold the array the header
/// describes give [`GgufError::ArrayMismatch`]; a prefix that ends inside the array gives
/// [`GgufError::NeedMore`].
///
/// ```
/// use roofline_gguf::{parse_header, read_array, ArrayElements};
/// // A v3 header with no tensors and one key, "k", holding the f32 array [1.5, -2].
/// let mut file = b"GGUF".to_vec();
/// file.extend(3u32.to_le_bytes());
/// file.extend(0u64.to_le_bytes());
/// file.extend(1u64.to_le_bytes());
/// file.extend(1u64.to_le_bytes());
/// file.extend(b"k");
/// file.extend(9u32.to_le_bytes()); // array
/// file.extend(6u32.to_le_bytes()); // of f32
/// file.extend(2u64.to_le_bytes());
/// file.extend(1.5f32.to_le_bytes());
/// file.extend((-2f32).to_le_bytes());
/// let header = parse_header(&file).unwrap();
/// let array = header.get("k").unwrap().as_array().unwrap();
/// assert_eq!(read_array(&file, header.version, array, 10), Ok(ArrayElements::F32(vec![1.5, -2.0])));
/// assert!(read_array(&file, header.version, array, 1).is_err());
/// ```
pub fn read_array(
    bytes: &[u8],
    version: u32,
    array: &ArrayValue,
    limit_elements: u64,
) -> Result<ArrayElements, GgufError> {
    finish(decode(bytes, version, array, limit_elements), None)
}

impl Header {
    /// Every element of the array stored under `key` (see [`read_array`]); `Ok(None)` when
    /// the key is absent, [`GgufError::WrongType`] when its value is not an array.
    pub fn read_array(&self, bytes: &[u8], key: &str, limit_elements: u64) -> Result<Option<ArrayElements>, GgufError> {
        match self.get(key) {
            None => Ok(None),
            Some(super::Value::Array(a)) => read_array(bytes, self.version, a, limit_elements).map(Some),
            Some(other) => Err(GgufError::WrongType {
                key: key.to_owned(),
                expected: "an array",
                found: format!("{:?}", other.value_type()),
            }),
        }
    }
}

fn decode(bytes: &[u8], version: u32, array: &ArrayValue, limit: u64) -> Result<ArrayElements, Stop> {
    let at = array.offset;
    if array.len > limit {
        let field = format!("length of the array at offset {at}");
        return Err(GgufError::LimitExceeded { field, offset: at, value: array.len, limit }.into());
    }
    let wide = version != 1;
    check_prefix(bytes, wide, array)?;
    let pos = usize::try_from(at).map_err(|_| Stop::Short { what: "array elements", offset: at, needed_bytes: at })?;
    let mut r = Reader { bytes, pos, wide, head_budget: 0 };
    // Never reserve more elements than the bytes left could hold.
    let cap = |size: u64| array.len.min(r.remaining() / size) as usize;
    Ok(match array.element_type {
        ValueType::F32 => {
            let mut out = Vec::with_capacity(cap(4));
            for _ in 0..array.len {
                out.push(f32::from_le_bytes(r.array("array elements")?));
            }
            ArrayElements::F32(out)
        }
        ValueType::I32 => {
            let mut out = Vec::with_capacity(cap(4));
            for _ in 0..array.len {
                out.push(i32::from_le_bytes(r.array("array elements")?));
            }
            ArrayElements::I32(out)
        }
        ValueType::String => {
            let mut out = Vec::with_capacity(cap(if wide { 8 } else { 4 }));
            for i in 0..array.len {
                let describe = || format!("string {i} of the array at offset {at}");
                out.push(r.string("string", describe)?);
            }
            ArrayElements::Strings(out)
        }
        other => return Err(GgufError::UnsupportedArrayType { offset: at, element_type: other }.into()),
    })
}

/// The element type and length stored just before the elements must be the array's.
fn check_prefix(bytes: &[u8], wide: bool, array: &ArrayValue) -> Result<(), Stop> {
    let len_bytes: u64 = if wide { 8 } else { 4 };
    let mismatch = || Stop::Bad(GgufError::ArrayMismatch { offset: array.offset });
    let start = array.offset.checked_sub(4 + len_bytes).ok_or_else(mismatch)?;
    let mut r = Reader { bytes, pos: usize::try_from(start).map_err(|_| mismatch())?, wide, head_budget: 0 };
    let code = r.u32("array element type")?;
    let len = r.count("array length")?;
    if code != array.element_type.code() || len != array.len {
        return Err(mismatch());
    }
    Ok(())
}
