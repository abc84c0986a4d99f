//! A model file the visitor picked (a `File`) or named (a URL on this site), read by byte
//! ranges: `Blob.slice` for files, `fetch` with a `Range` header for URLs. The header is
//! read from a prefix that grows until the parser has what it needs; weights are read
//! part by part by the loader, so the file is never held whole.

use js_sys::{Promise, Uint8Array};
use roofline_gguf::{next_prefix_bytes, parse_header_in_file, GgufError, Header};
use roofline_gpu::model::loader::{AsyncTensorSource, ReadFuture};
use roofline_reference::transformer::SourceError;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Where the bytes come from.
pub enum ModelFile {
    /// A file picked from disk.
    Blob(web_sys::Blob),
    /// A URL answered with range requests.
    Url { url: String },
}

fn js_message(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "the browser gave no reason".into())
}

fn source_error(message: impl Into<String>) -> SourceError {
    SourceError { message: message.into() }
}

async fn await_promise(promise: Promise) -> Result<JsValue, SourceError> {
    JsFuture::from(promise).await.map_err(|e| source_error(js_message(&e)))
}

/// `fetch(url, { headers: { Range } })`; the response and its status.
async fn fetch_range(url: &str, first: u64, last: u64) -> Result<web_sys::Response, SourceError> {
    let window = web_sys::window().ok_or_else(|| source_error("no window"))?;
    let headers = web_sys::Headers::new().map_err(|e| source_error(js_message(&e)))?;
    headers.set("Range", &format!("bytes={first}-{last}")).map_err(|e| source_error(js_message(&e)))?;
    let init = web_sys::RequestInit::new();
    init.set_headers(&headers);
    let response = await_promise(window.fetch_with_str_and_init(url, &init)).await.map_err(|e| {
        source_error(format!(
            "{url} could not be fetched ({}). This site's security policy lets it fetch only from its own address; for a file elsewhere, download it and pick it instead",
            e.message
        ))
    })?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| source_error("fetch returned no response"))?;
    match response.status() {
        206 => Ok(response),
        200 => Err(source_error(format!(
            "{url} was sent whole instead of by byte ranges (the server ignores Range requests); download it and pick the file instead"
        ))),
        404 => Err(source_error(format!("{url} was not found (HTTP 404)"))),
        416 => Err(source_error(format!("{url} is shorter than its header says (HTTP 416)"))),
        status => Err(source_error(format!("{url} answered HTTP {status}"))),
    }
}

async fn body(response: &web_sys::Response) -> Result<Vec<u8>, SourceError> {
    let promise = response.array_buffer().map_err(|e| source_error(js_message(&e)))?;
    Ok(Uint8Array::new(&await_promise(promise).await?).to_vec())
}

impl ModelFile {
    /// The file's size in bytes (for a URL, from the `Content-Range` of a one-byte read).
    pub async fn size_bytes(&self) -> Result<u64, SourceError> {
        match self {
            ModelFile::Blob(blob) => Ok(blob.size() as u64),
            ModelFile::Url { url } => {
                let response = fetch_range(url, 0, 0).await?;
                let range = response.headers().get("Content-Range").ok().flatten().unwrap_or_default();
                range
                    .rsplit('/')
                    .next()
                    .and_then(|total| total.trim().parse().ok())
                    .ok_or_else(|| source_error(format!("{url} gave no file size (Content-Range was '{range}')")))
            }
        }
    }

    async fn read(&self, offset: u64, len_bytes: u64) -> Result<Vec<u8>, SourceError> {
        if len_bytes == 0 {
            return Ok(Vec::new());
        }
        let end = offset.saturating_add(len_bytes);
        match self {
            ModelFile::Blob(blob) => {
                let slice =
                    blob.slice_with_f64_and_f64(offset as f64, end as f64).map_err(|e| source_error(js_message(&e)))?;
                let bytes = await_promise(slice.array_buffer()).await.map_err(|e| {
                    source_error(format!(
                        "the browser could not read the file ({}); was it moved or changed?",
                        e.message
                    ))
                })?;
                Ok(Uint8Array::new(&bytes).to_vec())
            }
            ModelFile::Url { url } => body(&fetch_range(url, offset, end - 1).await?).await,
        }
    }

    /// The header and the prefix it was parsed from (the tokenizer reads its arrays there).
    pub async fn header(&self, size_bytes: u64) -> Result<(Header, Vec<u8>), String> {
        let mut want = next_prefix_bytes(0, 1 << 20, size_bytes);
        loop {
            let prefix = self.read(0, want).await.map_err(|e| e.message)?;
            match parse_header_in_file(&prefix, size_bytes) {
                Ok(header) => return Ok((header, prefix)),
                Err(GgufError::NeedMore { needed_bytes, .. }) if want < size_bytes => {
                    want = next_prefix_bytes(want, needed_bytes, size_bytes);
                }
                Err(e) => return Err(e.to_string()),
            }
        }
    }
}

impl AsyncTensorSource for ModelFile {
    fn read_range(&self, offset: u64, len_bytes: u64) -> ReadFuture<'_> {
        Box::pin(self.read(offset, len_bytes))
    }
}
