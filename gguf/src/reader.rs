//! A bounds-checked little-endian reader over a byte prefix: every read either succeeds
//! or says how long a prefix it needs.

use super::value::{Value, ValueType};
use super::{GgufError, MAX_STRING_BYTES};

/// Why a parse stopped: the prefix ran out, or the bytes are invalid.
pub(super) enum Stop {
    Short { what: &'static str, offset: u64, needed_bytes: u64 },
    Bad(GgufError),
}

impl From<GgufError> for Stop {
    fn from(e: GgufError) -> Stop {
        Stop::Bad(e)
    }
}

pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
    /// v2 and later store counts and lengths as `u64`, v1 as `u32`.
    pub(super) wide: bool,
    pub(super) head_budget: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn offset(&self) -> u64 {
        self.pos as u64
    }

    pub(super) fn remaining(&self) -> u64 {
        (self.bytes.len() - self.pos.min(self.bytes.len())) as u64
    }

    /// Checks that `n` bytes follow, without consuming them.
    pub(super) fn ensure(&self, n: u64, what: &'static str) -> Result<usize, Stop> {
        let offset = self.offset();
        if n > self.remaining() {
            return Err(Stop::Short { what, offset, needed_bytes: offset.saturating_add(n) });
        }
        usize::try_from(n).map_err(|_| Stop::Short { what, offset, needed_bytes: u64::MAX })
    }

    pub(super) fn take(&mut self, n: u64, what: &'static str) -> Result<&'a [u8], Stop> {
        let len = self.ensure(n, what)?;
        let start = self.pos;
        let slice = self.bytes.get(start..start + len).ok_or(Stop::Short {
            what,
            offset: self.offset(),
            needed_bytes: self.offset().saturating_add(n),
        })?;
        self.pos += len;
        Ok(slice)
    }

    pub(super) fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], Stop> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N as u64, what)?);
        Ok(out)
    }

    pub(super) fn u32(&mut self, what: &'static str) -> Result<u32, Stop> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub(super) fn u64(&mut self, what: &'static str) -> Result<u64, Stop> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// A count or length: `u64` from v2 on, `u32` in v1.
    pub(super) fn count(&mut self, what: &'static str) -> Result<u64, Stop> {
        if self.wide {
            self.u64(what)
        } else {
            self.u32(what).map(u64::from)
        }
    }

    /// A count checked against `limit` before anything is allocated from it.
    pub(super) fn bounded_count(
        &mut self,
        what: &'static str,
        field: impl FnOnce() -> String,
        limit: u64,
    ) -> Result<u64, Stop> {
        let offset = self.offset();
        let value = self.count(what)?;
        if value > limit {
            return Err(GgufError::LimitExceeded { field: field(), offset, value, limit }.into());
        }
        Ok(value)
    }

    /// A string's bytes and the offset where they start.
    pub(super) fn string_bytes(
        &mut self,
        what: &'static str,
        field: impl FnOnce() -> String,
    ) -> Result<(u64, &'a [u8]), Stop> {
        let len = self.bounded_count("string length", field, MAX_STRING_BYTES)?;
        let start = self.offset();
        Ok((start, self.take(len, what)?))
    }

    /// A string that must be UTF-8.
    pub(super) fn string(&mut self, what: &'static str, describe: impl Fn() -> String) -> Result<String, Stop> {
        let (offset, raw) = self.string_bytes(what, || format!("length of {}", describe()))?;
        match std::str::from_utf8(raw) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(GgufError::InvalidUtf8 { what: describe(), offset }.into()),
        }
    }

    pub(super) fn value_type(&mut self, key: &str) -> Result<ValueType, Stop> {
        let offset = self.offset();
        let code = self.u32("value type")?;
        ValueType::from_code(code)
            .ok_or_else(|| GgufError::UnknownValueType { code, offset, key: key.to_owned() }.into())
    }

    pub(super) fn scalar(&mut self, ty: ValueType) -> Result<Value, Stop> {
        const W: &str = "value";
        Ok(match ty {
            ValueType::U8 => Value::U8(u8::from_le_bytes(self.array(W)?)),
            ValueType::I8 => Value::I8(i8::from_le_bytes(self.array(W)?)),
            ValueType::U16 => Value::U16(u16::from_le_bytes(self.array(W)?)),
            ValueType::I16 => Value::I16(i16::from_le_bytes(self.array(W)?)),
            ValueType::U32 => Value::U32(u32::from_le_bytes(self.array(W)?)),
            ValueType::I32 => Value::I32(i32::from_le_bytes(self.array(W)?)),
            ValueType::F32 => Value::F32(f32::from_le_bytes(self.array(W)?)),
            ValueType::Bool => Value::Bool(u8::from_le_bytes(self.array(W)?) != 0),
            ValueType::U64 => Value::U64(u64::from_le_bytes(self.array(W)?)),
            ValueType::I64 => Value::I64(i64::from_le_bytes(self.array(W)?)),
            ValueType::F64 => Value::F64(f64::from_le_bytes(self.array(W)?)),
            // Strings and arrays are read by `value`; these arms keep the match total.
            ValueType::String | ValueType::Array => Value::Bool(false),
        })
    }
}
