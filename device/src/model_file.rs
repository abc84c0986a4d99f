//! A model file the visitor picked (a `File`) or named (a URL on this site), read by byte
//! ranges: `Blob.slice` for files (gloo-file), `fetch` with a `Range` header for URLs
//! (gloo-net). The header is
//! read from a prefix that grows until the parser has what it needs; weights are read
//! part by part by the loader, so the file is never held whole.

use gloo_file::futures::read_as_bytes;
use gloo_net::http::{Request, Response};
use roofline_gguf::{next_prefix_bytes, parse_header_in_file, GgufError, Header};
use roofline_gpu::model::loader::{AsyncTensorSource, ReadFuture};
use roofline_reference::transformer::SourceError;

/// Where the bytes come from.
pub enum ModelFile {
    /// A file picked from disk.
    Blob(gloo_file::Blob),
    /// A URL answered with range requests.
    Url { url: String },
}

fn source_error(message: impl Into<String>) -> SourceError {
    SourceError { message: message.into() }
}

/// `fetch(url, { headers: { Range } })`; the response and its status.
async fn fetch_range(url: &str, first: u64, last: u64) -> Result<Response, SourceError> {
    let response = Request::get(url).header("Range", &format!("bytes={first}-{last}")).send().await.map_err(|e| {
        source_error(format!(
            "{url} could not be fetched ({e}). This site's security policy lets it fetch only from its own address; for a file elsewhere, download it and pick it instead"
        ))
    })?;
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

async fn body(response: &Response) -> Result<Vec<u8>, SourceError> {
    response.binary().await.map_err(|e| source_error(e.to_string()))
}

impl ModelFile {
    /// The file's size in bytes (for a URL, from the `Content-Range` of a one-byte read).
    pub async fn size_bytes(&self) -> Result<u64, SourceError> {
        match self {
            ModelFile::Blob(blob) => Ok(blob.size()),
            ModelFile::Url { url } => {
                let response = fetch_range(url, 0, 0).await?;
                let range = response.headers().get("Content-Range").unwrap_or_default();
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
            ModelFile::Blob(blob) => read_as_bytes(&blob.slice(offset, end)).await.map_err(|e| {
                source_error(format!("the browser could not read the file ({e}); was it moved or changed?"))
            }),
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
