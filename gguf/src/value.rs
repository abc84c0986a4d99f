//! Metadata values as GGUF types them.

use serde::Serialize;

/// A GGUF value type code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ValueType {
    /// 0: `u8`.
    U8,
    /// 1: `i8`.
    I8,
    /// 2: `u16`.
    U16,
    /// 3: `i16`.
    I16,
    /// 4: `u32`.
    U32,
    /// 5: `i32`.
    I32,
    /// 6: `f32`.
    F32,
    /// 7: `bool` (one byte).
    Bool,
    /// 8: string (length, then UTF-8 bytes).
    String,
    /// 9: array (element type, length, elements).
    Array,
    /// 10: `u64`.
    U64,
    /// 11: `i64`.
    I64,
    /// 12: `f64`.
    F64,
}

impl ValueType {
    /// The type for a code, or `None` outside 0–12.
    pub fn from_code(code: u32) -> Option<ValueType> {
        use ValueType as T;
        Some(match code {
            0 => T::U8,
            1 => T::I8,
            2 => T::U16,
            3 => T::I16,
            4 => T::U32,
            5 => T::I32,
            6 => T::F32,
            7 => T::Bool,
            8 => T::String,
            9 => T::Array,
            10 => T::U64,
            11 => T::I64,
            12 => T::F64,
            _ => return None,
        })
    }

    /// The code as stored in the file.
    pub fn code(self) -> u32 {
        self as u32
    }

    /// Bytes of one value of a fixed-size type; `None` for strings and arrays.
    pub fn fixed_size_bytes(self) -> Option<u64> {
        use ValueType as T;
        match self {
            T::U8 | T::I8 | T::Bool => Some(1),
            T::U16 | T::I16 => Some(2),
            T::U32 | T::I32 | T::F32 => Some(4),
            T::U64 | T::I64 | T::F64 => Some(8),
            T::String | T::Array => None,
        }
    }
}

/// An array value: its element type, its full length, and the first elements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArrayValue {
    /// Type of every element.
    pub element_type: ValueType,
    /// Elements in the file.
    pub len: u64,
    /// Where the first element starts, bytes from the start of the file (just after the
    /// length); [`super::read_array`] decodes the whole array from there.
    pub offset: u64,
    /// The first [`super::ARRAY_HEAD_LEN`] elements at most (array strings that are not
    /// UTF-8 are kept with replacement characters).
    pub head: Vec<Value>,
}

/// One metadata value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Value {
    /// `u8`.
    U8(u8),
    /// `i8`.
    I8(i8),
    /// `u16`.
    U16(u16),
    /// `i16`.
    I16(i16),
    /// `u32`.
    U32(u32),
    /// `i32`.
    I32(i32),
    /// `f32`.
    F32(f32),
    /// `bool`.
    Bool(bool),
    /// UTF-8 string.
    String(String),
    /// Array (length and first elements).
    Array(ArrayValue),
    /// `u64`.
    U64(u64),
    /// `i64`.
    I64(i64),
    /// `f64`.
    F64(f64),
}

impl Value {
    /// The value's type.
    pub fn value_type(&self) -> ValueType {
        use ValueType as T;
        match self {
            Value::U8(_) => T::U8,
            Value::I8(_) => T::I8,
            Value::U16(_) => T::U16,
            Value::I16(_) => T::I16,
            Value::U32(_) => T::U32,
            Value::I32(_) => T::I32,
            Value::F32(_) => T::F32,
            Value::Bool(_) => T::Bool,
            Value::String(_) => T::String,
            Value::Array(_) => T::Array,
            Value::U64(_) => T::U64,
            Value::I64(_) => T::I64,
            Value::F64(_) => T::F64,
        }
    }

    /// An integer of any integer type as `u64`; `None` for negative numbers and other types.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U8(v) => Some(u64::from(v)),
            Value::U16(v) => Some(u64::from(v)),
            Value::U32(v) => Some(u64::from(v)),
            Value::U64(v) => Some(v),
            Value::I8(v) => u64::try_from(v).ok(),
            Value::I16(v) => u64::try_from(v).ok(),
            Value::I32(v) => u64::try_from(v).ok(),
            Value::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// A number of any numeric type as `f64`.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::F32(v) => Some(f64::from(v)),
            Value::F64(v) => Some(v),
            Value::I8(v) => Some(f64::from(v)),
            Value::I16(v) => Some(f64::from(v)),
            Value::I32(v) => Some(f64::from(v)),
            Value::I64(v) => Some(v as f64),
            _ => self.as_u64().map(|v| v as f64),
        }
    }

    /// The string, for string values.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The array, for array values.
    pub fn as_array(&self) -> Option<&ArrayValue> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::String(s) => write!(f, "{s:?}"),
            Value::Array(a) => {
                f.write_str("[")?;
                for (i, v) in a.head.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                let rest = a.len.saturating_sub(a.head.len() as u64);
                if rest > 0 {
                    write!(f, "{}… {rest} more", if a.head.is_empty() { "" } else { ", " })?;
                }
                f.write_str("]")
            }
            Value::Bool(b) => write!(f, "{b}"),
            Value::F32(v) => write!(f, "{v}"),
            Value::F64(v) => write!(f, "{v}"),
            other => match other.as_u64() {
                Some(u) => write!(f, "{u}"),
                None => write!(f, "{}", other.as_f64().unwrap_or(f64::NAN)),
            },
        }
    }
}
