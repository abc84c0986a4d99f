//! The header parser: key–value pairs, arrays and the tensor directory.
//!
//! Every length read from the file is checked against its limit and against the bytes
//! present before anything is allocated from it; running out of bytes stops the parse with
//! the prefix length that would let it go on.

use std::collections::HashSet;

use super::reader::{Reader, Stop};
use super::value::{ArrayValue, Value, ValueType};
use super::{
    ggml_block_layout, GgufError, Header, TensorInfo, ARRAY_HEAD_LEN, DEFAULT_ALIGNMENT, MAX_ARRAY_LEN, MAX_DIMS,
    MAX_HEADER_BYTES, MAX_KV_PAIRS, MAX_TENSORS,
};

/// Deepest array-of-array nesting followed.
const MAX_NESTING: u32 = 4;
/// Array elements kept over the whole header, so memory stays proportional to the input.
const HEAD_BUDGET: usize = 1 << 16;
/// Largest `general.alignment` accepted, bytes.
const MAX_ALIGNMENT: u64 = 1 << 30;

/// Parses a GGUF header from the first bytes of a file.
///
/// `bytes` may be any prefix of the file: when the header continues past it, the error is
/// [`GgufError::NeedMore`] with the prefix length needed to make progress (or
/// [`GgufError::HeaderTooLarge`] past [`MAX_HEADER_BYTES`]).
pub fn parse_header(bytes: &[u8]) -> Result<Header, GgufError> {
    finish(parse(bytes), None)
}

/// Like [`parse_header`] for a file of known size: a header that needs more bytes than the
/// file has is reported as [`GgufError::Truncated`] with what was being read and where.
pub fn parse_header_in_file(prefix: &[u8], file_size_bytes: u64) -> Result<Header, GgufError> {
    finish(parse(prefix), Some(file_size_bytes))
}

/// Turns a parse result into the public error: a short prefix becomes `NeedMore`,
/// `Truncated` (the file is known to end first) or `HeaderTooLarge`.
pub(super) fn finish<T>(result: Result<T, Stop>, file_size_bytes: Option<u64>) -> Result<T, GgufError> {
    match result {
        Ok(value) => Ok(value),
        Err(Stop::Bad(e)) => Err(e),
        Err(Stop::Short { what, offset, needed_bytes }) => Err(match file_size_bytes {
            Some(size) if needed_bytes > size => {
                GgufError::Truncated { what, offset, needed_bytes, file_size_bytes: size }
            }
            _ if needed_bytes > MAX_HEADER_BYTES => {
                GgufError::HeaderTooLarge { needed_bytes, limit_bytes: MAX_HEADER_BYTES }
            }
            _ => GgufError::NeedMore { needed_bytes },
        }),
    }
}

impl Reader<'_> {
    /// The value of `key`, of type `ty`.
    fn value(&mut self, ty: ValueType, key: &str, depth: u32) -> Result<Value, Stop> {
        match ty {
            ValueType::String => Ok(Value::String(self.string("string", || format!("string value of '{key}'"))?)),
            ValueType::Array => self.array_value(key, depth),
            _ => self.scalar(ty),
        }
    }

    /// An array: keeps its length and first elements, skips the rest.
    fn array_value(&mut self, key: &str, depth: u32) -> Result<Value, Stop> {
        let start = self.offset();
        if depth >= MAX_NESTING {
            return Err(GgufError::NestingTooDeep { offset: start, key: key.to_owned(), limit: MAX_NESTING }.into());
        }
        let element_type = self.value_type(key)?;
        let len = self.bounded_count("array length", || format!("array length of '{key}'"), MAX_ARRAY_LEN)?;
        let offset = self.offset();
        let fixed = element_type.fixed_size_bytes();
        if let Some(size) = fixed {
            self.ensure(len * size, "array elements")?;
        }
        let keep = (len.min(ARRAY_HEAD_LEN as u64) as usize).min(self.head_budget);
        self.head_budget -= keep;
        let mut head = Vec::with_capacity(keep);
        for _ in 0..keep {
            head.push(match element_type {
                ValueType::String => {
                    let (_, raw) = self.string_bytes("string", || format!("length of a string in '{key}'"))?;
                    Value::String(String::from_utf8_lossy(raw).into_owned())
                }
                ValueType::Array => self.array_value(key, depth + 1)?,
                scalar => self.scalar(scalar)?,
            });
        }
        let rest = len - keep as u64;
        match (fixed, element_type) {
            (Some(size), _) => {
                self.take(rest * size, "array elements")?;
            }
            (None, ValueType::String) => {
                for _ in 0..rest {
                    self.string_bytes("string", || format!("length of a string in '{key}'"))?;
                }
            }
            (None, _) => {
                for _ in 0..rest {
                    self.array_value(key, depth + 1)?;
                }
            }
        }
        Ok(Value::Array(ArrayValue { element_type, len, offset, head }))
    }

    fn tensor(&mut self, alignment: u64) -> Result<TensorInfo, Stop> {
        let entry = self.offset();
        let name = self.string("tensor name", || format!("tensor name at offset {entry}"))?;
        let n_dims = self.u32("dimension count")?;
        if n_dims > MAX_DIMS {
            return Err(GgufError::TooManyDims { name, offset: entry, n_dims }.into());
        }
        let mut dims = Vec::with_capacity(n_dims as usize);
        for _ in 0..n_dims {
            dims.push(self.count("tensor dimensions")?);
        }
        let ggml_type = self.u32("ggml type")?;
        let offset = self.u64("tensor data offset")?;
        let overflow = |problem: &str| GgufError::TensorOverflow { name: name.clone(), problem: problem.to_owned() };
        let elements = dims.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d));
        let Some(elements) = elements.filter(|&e| e <= i64::MAX as u64) else {
            return Err(overflow("its element count overflows 64 bits").into());
        };
        if let Some((weights, bytes)) = ggml_block_layout(ggml_type) {
            let size = elements.div_ceil(u64::from(weights)).checked_mul(u64::from(bytes));
            if size.and_then(|s| s.checked_add(offset)).is_none() {
                return Err(overflow("its data offset plus size overflows 64 bits").into());
            }
        }
        if offset % alignment != 0 {
            return Err(GgufError::MisalignedTensor { name, data_offset: offset, alignment }.into());
        }
        Ok(TensorInfo { name, dims, ggml_type, offset })
    }
}

fn alignment_of(value: &Value) -> Result<u64, GgufError> {
    match value.as_u64() {
        Some(a) if a.is_power_of_two() && a <= MAX_ALIGNMENT => Ok(a),
        _ => Err(GgufError::BadAlignment { value: value.to_string() }),
    }
}

fn parse(bytes: &[u8]) -> Result<Header, Stop> {
    let mut r = Reader { bytes, pos: 0, wide: true, head_budget: HEAD_BUDGET };
    let magic: [u8; 4] = r.array("magic")?;
    if &magic != b"GGUF" {
        return Err(GgufError::BadMagic { found: magic }.into());
    }
    let version = r.u32("version")?;
    match version {
        1 => r.wide = false,
        2 | 3 => {}
        v if (1..=3).contains(&v.swap_bytes()) => return Err(GgufError::BigEndian { version: v.swap_bytes() }.into()),
        v => return Err(GgufError::UnsupportedVersion { version: v }.into()),
    }
    let tensor_count = r.bounded_count("tensor count", || "tensor count".to_owned(), MAX_TENSORS)?;
    let kv_count = r.bounded_count("key-value count", || "key-value count".to_owned(), MAX_KV_PAIRS)?;

    // Each pair takes at least a key length, a type and one byte; never reserve more
    // entries than the bytes present could hold.
    let len_bytes: u64 = if r.wide { 8 } else { 4 };
    let mut metadata = Vec::with_capacity(kv_count.min(r.remaining() / (len_bytes + 5)) as usize);
    let mut keys = HashSet::new();
    let mut alignment = DEFAULT_ALIGNMENT;
    for _ in 0..kv_count {
        let at = r.offset();
        let key = r.string("key", || format!("key at offset {at}"))?;
        let ty = r.value_type(&key)?;
        let value = r.value(ty, &key, 0)?;
        if !keys.insert(key.clone()) {
            return Err(GgufError::DuplicateKey { key, offset: at }.into());
        }
        if key == "general.alignment" {
            alignment = alignment_of(&value)?;
        }
        metadata.push((key, value));
    }

    let mut tensors = Vec::with_capacity(tensor_count.min(r.remaining() / (len_bytes + 16)) as usize);
    let mut names = HashSet::new();
    for _ in 0..tensor_count {
        let at = r.offset();
        let tensor = r.tensor(alignment)?;
        if !names.insert(tensor.name.clone()) {
            return Err(GgufError::DuplicateTensor { name: tensor.name, offset: at }.into());
        }
        tensors.push(tensor);
    }

    let header_bytes = r.offset();
    let data_start = header_bytes.div_ceil(alignment) * alignment;
    let header = Header { version, alignment, metadata, tensors, header_bytes, data_start };
    for t in &header.tensors {
        let end = t.size_bytes().map(|size| data_start.checked_add(t.offset).and_then(|s| s.checked_add(size)));
        if end == Some(None) {
            let problem = "its data ends past 2^64 bytes".to_owned();
            return Err(GgufError::TensorOverflow { name: t.name.clone(), problem }.into());
        }
    }
    Ok(header)
}
