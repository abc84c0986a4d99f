//! Reading a local `.gguf` file's header in the browser: slices of the `File` are read
//! one after another (1 MiB, then growing as the parser asks), never the whole file.

use roofline_gguf::{model_from_header, next_prefix_bytes, parse_header_in_file, GgufError, ModelFromGguf};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// First slice read, bytes.
const FIRST_READ_BYTES: u64 = 1 << 20;

/// What was read, with the byte count for the message.
pub struct Loaded {
    /// The model and what had to be assumed.
    pub model: ModelFromGguf,
    /// Bytes read from the file.
    pub bytes_read: u64,
}

async fn read_prefix(file: &web_sys::File, len: u64) -> Result<Vec<u8>, String> {
    let blob =
        file.slice_with_f64_and_f64(0.0, len as f64).map_err(|_| "the browser could not slice the file".to_owned())?;
    let buffer =
        JsFuture::from(blob.array_buffer()).await.map_err(|_| "the browser could not read the file".to_owned())?;
    let buffer: js_sys::ArrayBuffer = buffer.dyn_into().map_err(|_| "the browser returned no bytes".to_owned())?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Reads the header of `file` and turns it into a model; errors are one sentence.
pub async fn load(file: web_sys::File) -> Result<Loaded, String> {
    let size = file.size().max(0.0) as u64;
    let mut len = FIRST_READ_BYTES.min(size);
    loop {
        let prefix = read_prefix(&file, len).await?;
        match parse_header_in_file(&prefix, size) {
            Ok(header) => {
                let model = model_from_header(&header, size).map_err(|e| e.to_string())?;
                return Ok(Loaded { model, bytes_read: prefix.len() as u64 });
            }
            Err(GgufError::NeedMore { needed_bytes }) => {
                let next = next_prefix_bytes(len, needed_bytes, size);
                if next <= len || next > size {
                    return Err(format!(
                        "the file ends before its header does (needs {needed_bytes} bytes, has {size})"
                    ));
                }
                len = next;
            }
            Err(e) => return Err(e.to_string()),
        }
    }
}
