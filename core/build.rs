//! Embeds the catalog and parameter JSON without its indentation: the files stay readable in the
//! repository, and the browser build carries about a quarter fewer bytes. A second copy of
//! each catalog file leaves out the entries' `sources`, for the site's first load.

use std::{env, fs, path::Path};

fn main() {
    let out = env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    for file in
        ["hardware/gpus.json", "hardware/cpus.json", "hardware/socs.json", "models/models.json", "efficiency.json"]
    {
        let src = Path::new("data").join(file);
        println!("cargo:rerun-if-changed={}", src.display());
        let text = fs::read_to_string(&src).unwrap_or_default();
        // Malformed JSON is embedded as is, so the catalog's parser reports it with its position.
        let compact = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| serde_json::to_string(&v).ok())
            .unwrap_or(text);
        let name = file.replace('/', "_");
        // The site's copy leaves the citations out (feature `lean-catalog`): it fetches them
        // from `catalog-sources.json` after the first estimate.
        let lean = serde_json::from_str::<serde_json::Value>(&compact)
            .ok()
            .map(|mut v| {
                if let Some(entries) = v.as_array_mut() {
                    for e in entries.iter_mut().filter_map(serde_json::Value::as_object_mut) {
                        e.remove("sources");
                    }
                }
                v
            })
            .and_then(|v| serde_json::to_string(&v).ok())
            .unwrap_or_else(|| compact.clone());
        for (path, text) in [(name.clone(), compact), (name.replace(".json", ".lean.json"), lean)] {
            if let Err(e) = fs::write(Path::new(&out).join(path), text) {
                println!("cargo:warning=could not write the compact catalog: {e}");
            }
        }
    }
}
