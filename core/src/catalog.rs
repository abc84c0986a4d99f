//! The built-in catalog of hardware and models, and lookup by id or alias.
//!
//! Names are matched case-insensitively with runs of whitespace collapsed, and with or
//! without a trailing LLVM target in parentheses as LocalScore prints CPU names
//! (`AMD Ryzen 9 5950X 16-Core Processor (znver3)`).

use std::collections::HashMap;

use crate::check::{check_hardware, check_model};
use crate::hardware::HardwareEntry;
use crate::model::ModelSpec;
use crate::source::Source;

/// The embedded catalog files; with the `lean-catalog` feature (the site) without the
/// entries' citations, which [`CatalogSources`] brings back when they are needed.
macro_rules! catalog_file {
    ($name:literal) => {
        if cfg!(feature = "lean-catalog") {
            include_str!(concat!(env!("OUT_DIR"), "/", $name, ".lean.json"))
        } else {
            include_str!(concat!(env!("OUT_DIR"), "/", $name, ".json"))
        }
    };
}

const HARDWARE_FILES: [(&str, &str); 3] = [
    ("gpus.json", catalog_file!("hardware_gpus")),
    ("cpus.json", catalog_file!("hardware_cpus")),
    ("socs.json", catalog_file!("hardware_socs")),
];
const MODEL_FILES: [(&str, &str); 1] = [("models.json", catalog_file!("models_models"))];

/// The catalog's citations by entry id, as the site fetches them (`catalog-sources.json`,
/// written from the catalog files by `scripts/finish-dist.mjs`).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
pub struct CatalogSources {
    /// Hardware entry id → its sources.
    pub hardware: HashMap<String, Vec<Source>>,
    /// Model id → its sources.
    pub models: HashMap<String, Vec<Source>>,
}

impl CatalogSources {
    /// Parses `catalog-sources.json`.
    pub fn parse(text: &str) -> Result<CatalogSources, CatalogError> {
        serde_json::from_str(text)
            .map_err(|e| CatalogError::Parse { file: "catalog-sources.json".to_owned(), message: e.to_string() })
    }

    /// `entry` with its sources, where it has none of its own and these know its id.
    pub fn hardware_entry(&self, entry: &HardwareEntry) -> HardwareEntry {
        let mut out = entry.clone();
        if out.sources.is_empty() {
            out.sources = self.hardware.get(&entry.id).cloned().unwrap_or_default();
        }
        out
    }

    /// `model` with its sources, where it has none of its own and these know its id.
    pub fn model(&self, model: &ModelSpec) -> ModelSpec {
        let mut out = model.clone();
        if out.sources.is_empty() {
            out.sources = self.models.get(&model.id).cloned().unwrap_or_default();
        }
        out
    }
}

/// A failed lookup or a malformed catalog file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CatalogError {
    /// No hardware with that id or alias.
    #[error("unknown hardware '{0}' (see `roofline catalog hardware`)")]
    UnknownHardware(String),
    /// No model with that id or alias.
    #[error("unknown model '{0}' (see `roofline catalog models`)")]
    UnknownModel(String),
    /// A catalog or custom JSON file that does not parse.
    #[error("{file}: {message}")]
    Parse {
        /// File name.
        file: String,
        /// What was wrong.
        message: String,
    },
    /// A machine that cannot be assembled.
    #[error("{0}")]
    System(String),
}

/// Hardware and models with their name index.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Hardware entries.
    pub hardware: Vec<HardwareEntry>,
    /// Model entries.
    pub models: Vec<ModelSpec>,
    hardware_index: HashMap<String, usize>,
    model_index: HashMap<String, usize>,
}

/// Normalises a name for matching: ASCII lower case (catalog names are ASCII), whitespace
/// collapsed, `(tm)`/`(r)` removed.
pub fn normalize(name: &str) -> String {
    let lower = name.to_ascii_lowercase().replace("(tm)", "").replace("(r)", "");
    lower.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The name without a trailing parenthesised part (`… (znver3)` → `…`).
fn strip_target(norm: &str) -> Option<&str> {
    let trimmed = norm.trim_end();
    if trimmed.ends_with(')') {
        trimmed.rfind(" (").map(|i| trimmed[..i].trim_end())
    } else {
        None
    }
}

fn index<'a>(items: impl Iterator<Item = (usize, &'a str, &'a [String])>) -> HashMap<String, usize> {
    let mut map = HashMap::new();
    for (i, id, aliases) in items {
        map.entry(normalize(id)).or_insert(i);
        for a in aliases {
            map.entry(normalize(a)).or_insert(i);
        }
    }
    map
}

fn parse_files<T: serde::de::DeserializeOwned>(files: &[(&str, &str)]) -> Result<Vec<T>, CatalogError> {
    let mut out = Vec::new();
    for (file, text) in files {
        let items: Vec<T> = serde_json::from_str(text)
            .map_err(|e| CatalogError::Parse { file: (*file).to_owned(), message: e.to_string() })?;
        out.extend(items);
    }
    Ok(out)
}

impl Catalog {
    /// Builds a catalog from entries.
    pub fn new(hardware: Vec<HardwareEntry>, models: Vec<ModelSpec>) -> Catalog {
        let hardware_index = index(hardware.iter().enumerate().map(|(i, h)| (i, h.id.as_str(), h.aliases.as_slice())));
        let model_index = index(models.iter().enumerate().map(|(i, m)| (i, m.id.as_str(), m.aliases.as_slice())));
        Catalog { hardware, models, hardware_index, model_index }
    }

    /// Parses and checks the embedded catalog files.
    pub fn try_builtin() -> Result<Catalog, CatalogError> {
        let hardware: Vec<HardwareEntry> = parse_files(&HARDWARE_FILES)?;
        let models: Vec<ModelSpec> = parse_files(&MODEL_FILES)?;
        let invalid =
            |e: crate::check::SpecError| CatalogError::Parse { file: "catalog".to_owned(), message: e.to_string() };
        hardware.iter().try_for_each(check_hardware).map_err(invalid)?;
        models.iter().try_for_each(check_model).map_err(invalid)?;
        Ok(Catalog::new(hardware, models))
    }

    /// The embedded catalog; empty if its files were malformed (a test guards that).
    pub fn builtin() -> Catalog {
        Catalog::try_builtin().unwrap_or_else(|_| Catalog::new(Vec::new(), Vec::new()))
    }

    fn find(index: &HashMap<String, usize>, name: &str) -> Option<usize> {
        let norm = normalize(name);
        index.get(&norm).copied().or_else(|| strip_target(&norm).and_then(|s| index.get(s).copied()))
    }

    /// Hardware by id or alias.
    pub fn hardware(&self, name: &str) -> Result<&HardwareEntry, CatalogError> {
        Catalog::find(&self.hardware_index, name)
            .and_then(|i| self.hardware.get(i))
            .ok_or_else(|| CatalogError::UnknownHardware(name.to_owned()))
    }

    /// Model by id or alias.
    pub fn model(&self, name: &str) -> Result<&ModelSpec, CatalogError> {
        Catalog::find(&self.model_index, name)
            .and_then(|i| self.models.get(i))
            .ok_or_else(|| CatalogError::UnknownModel(name.to_owned()))
    }
}

/// Parses and checks one custom hardware entry from JSON (the catalog's schema).
pub fn parse_hardware_json(text: &str) -> Result<HardwareEntry, CatalogError> {
    let parse_err = |message: String| CatalogError::Parse { file: "hardware JSON".to_owned(), message };
    let entry: HardwareEntry = serde_json::from_str(text).map_err(|e| parse_err(e.to_string()))?;
    check_hardware(&entry).map_err(|e| parse_err(e.to_string()))?;
    Ok(entry)
}

/// Parses and checks one custom model from JSON (the catalog's schema).
pub fn parse_model_json(text: &str) -> Result<ModelSpec, CatalogError> {
    let parse_err = |message: String| CatalogError::Parse { file: "model JSON".to_owned(), message };
    let model: ModelSpec = serde_json::from_str(text).map_err(|e| parse_err(e.to_string()))?;
    check_model(&model).map_err(|e| parse_err(e.to_string()))?;
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The site's lean files are the catalog files without their citations, and the
    /// sources file's shape brings them back.
    #[test]
    fn the_lean_catalog_is_the_catalog_less_its_sources() {
        let full: Vec<HardwareEntry> = parse_files(&HARDWARE_FILES).unwrap_or_else(|e| panic!("{e}"));
        let lean_files = [
            ("gpus", include_str!(concat!(env!("OUT_DIR"), "/hardware_gpus.lean.json"))),
            ("cpus", include_str!(concat!(env!("OUT_DIR"), "/hardware_cpus.lean.json"))),
            ("socs", include_str!(concat!(env!("OUT_DIR"), "/hardware_socs.lean.json"))),
        ];
        let lean: Vec<HardwareEntry> = parse_files(&lean_files).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(lean.len(), full.len());
        let mut sources = CatalogSources::default();
        for (l, f) in lean.iter().zip(&full) {
            assert!(l.sources.is_empty(), "{}", l.id);
            sources.hardware.insert(f.id.clone(), f.sources.clone());
            assert_eq!(&sources.hardware_entry(l), f);
        }
        let models = [("models", include_str!(concat!(env!("OUT_DIR"), "/models_models.lean.json")))];
        let lean: Vec<ModelSpec> = parse_files(&models).unwrap_or_else(|e| panic!("{e}"));
        let full: Vec<ModelSpec> = parse_files(&MODEL_FILES).unwrap_or_else(|e| panic!("{e}"));
        for (l, f) in lean.iter().zip(&full) {
            sources.models.insert(f.id.clone(), f.sources.clone());
            assert_eq!(&sources.model(l), f);
        }
        let parsed = CatalogSources::parse(r#"{"hardware":{"x":[{"title":"t","url":"https://a"}]},"models":{}}"#);
        assert_eq!(parsed.map(|s| s.hardware.len()), Ok(1));
        assert!(CatalogSources::parse("{").is_err());
    }
}
