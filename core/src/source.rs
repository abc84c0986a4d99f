//! Citations carried by catalog entries.

use serde::{Deserialize, Serialize};

/// Where a figure comes from: a spec sheet, a vendor page, a model's `config.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Human-readable title of the source.
    pub title: String,
    /// Address of the source.
    pub url: String,
}
