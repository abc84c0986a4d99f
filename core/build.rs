//! Embeds the catalog and parameter JSON without its indentation: the files stay readable in the
//! repository, and the browser build carries about a quarter fewer bytes.

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
        if let Err(e) = fs::write(Path::new(&out).join(name), compact) {
            println!("cargo:warning=could not write the compact catalog: {e}");
        }
    }
}
