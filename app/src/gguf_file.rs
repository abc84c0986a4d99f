//! Reading a local `.gguf` file's header in the browser: slices of the `File` are read
//! one after another (1 MiB, then growing as the parser asks), never the whole file.

use gloo_file::{Blob, File};
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

// The slice is gloo-file's; the read is the promise of `Blob.arrayBuffer()` by hand, since
// gloo-file reads through a `FileReader` with event listeners and a channel, which cost
// the first load about 2.4 KB gzipped where this costs 0.1 KB.
async fn read_prefix(file: &File, len: u64) -> Result<Vec<u8>, String> {
    let whole: &Blob = file;
    let part = whole.slice(0, len);
    let raw: &web_sys::Blob = part.as_ref();
    let buffer =
        JsFuture::from(raw.array_buffer()).await.map_err(|_| "the browser could not read the file".to_owned())?;
    let buffer: js_sys::ArrayBuffer = buffer.dyn_into().map_err(|_| "the browser returned no bytes".to_owned())?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Reads the header of `file` and turns it into a model; errors are one sentence.
pub async fn load(file: web_sys::File) -> Result<Loaded, String> {
    let file = File::from(file);
    let size = file.size();
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
