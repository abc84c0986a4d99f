//! Reading one architecture's `{arch}.*` metadata keys, with the remarks collected on the
//! way (what was missing or approximated), shared by the model reader and the layout
//! readers.

use super::{Header, Value};

/// A metadata lookup.
pub(crate) enum Lookup {
    Found(u32),
    Absent,
    Unusable(String),
}

/// Metadata of one architecture plus the remarks collected while reading it.
pub(crate) struct Meta<'a> {
    pub h: &'a Header,
    pub arch: &'a str,
    pub missing: Vec<String>,
    pub notes: Vec<String>,
}

impl Meta<'_> {
    pub fn key(&self, suffix: &str) -> String {
        format!("{}.{suffix}", self.arch)
    }

    /// `{arch}.{suffix}` as a count of at least `min`; a per-layer array gives its largest
    /// kept element.
    pub fn read(&mut self, suffix: &str, min: u32) -> Lookup {
        let key = self.key(suffix);
        let value = match self.h.get(&key) {
            None => return Lookup::Absent,
            Some(Value::Array(a)) => {
                let max = a.head.iter().filter_map(Value::as_u64).max();
                if let Some(m) = max {
                    self.notes.push(format!("{key} is a per-layer array: used its largest value, {m}"));
                }
                max
            }
            Some(v) => v.as_u64(),
        };
        match value.map(u32::try_from) {
            Some(Ok(v)) if v >= min => Lookup::Found(v),
            Some(Ok(v)) => Lookup::Unusable(format!("is {v}, less than {min}")),
            Some(Err(_)) => Lookup::Unusable("is beyond 32 bits".to_owned()),
            None => Lookup::Unusable(format!(
                "is not a non-negative integer ({})",
                self.h.get(&key).map_or_else(String::new, Value::to_string)
            )),
        }
    }

    /// `{arch}.{suffix}`, else the fallback `(value, how it was found)`, else `None`; every
    /// fallback is recorded in `missing` as `label (key) missing: how`.
    pub fn field(&mut self, label: &str, suffix: &str, min: u32, fallback: Option<(u32, String)>) -> Option<u32> {
        let reason = match self.read(suffix, min) {
            Lookup::Found(v) => return Some(v),
            Lookup::Absent => "missing".to_owned(),
            Lookup::Unusable(why) => why,
        };
        let key = self.key(suffix);
        match fallback {
            Some((v, how)) => {
                self.missing.push(format!("{label} ({key}) {reason}: {how}"));
                Some(v)
            }
            None => {
                self.missing.push(format!("{label} ({key}) {reason}"));
                None
            }
        }
    }

    /// Dimension `axis` of tensor `name`, when it fits 32 bits and is positive.
    pub fn dim(&self, name: &str, axis: usize) -> Option<u32> {
        let d = *self.h.tensor(name)?.dims.get(axis)?;
        u32::try_from(d).ok().filter(|&d| d > 0)
    }

    /// Blocks in the tensor directory: one more than the largest `blk.N.` index.
    pub fn blocks_in_directory(&self) -> u32 {
        let index = |name: &str| name.strip_prefix("blk.")?.split('.').next()?.parse::<u32>().ok();
        self.h.tensors.iter().filter_map(|t| index(&t.name)).max().map_or(0, |m| m.saturating_add(1))
    }
}
