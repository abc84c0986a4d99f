//! A model file on disk as a [`TensorSource`], and its header read by growing prefixes.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Mutex;

use roofline_gguf::{next_prefix_bytes, parse_header_in_file, GgufError, Header};
use roofline_reference::transformer::{SourceError, TensorSource};

/// Reads byte ranges of an open file.
pub struct FileSource {
    file: Mutex<File>,
    size_bytes: u64,
}

impl FileSource {
    pub fn open(path: &Path) -> std::io::Result<FileSource> {
        let file = File::open(path)?;
        let size_bytes = file.metadata()?.len();
        Ok(FileSource { file: Mutex::new(file), size_bytes })
    }

    /// The header, reading longer prefixes while the parser asks for more.
    pub fn header(&self) -> Result<Header, String> {
        let mut len = 1u64 << 20;
        loop {
            let prefix = self.read(0, len.min(self.size_bytes) as usize).map_err(|e| e.message)?;
            match parse_header_in_file(&prefix, self.size_bytes) {
                Ok(h) => return Ok(h),
                Err(GgufError::NeedMore { needed_bytes }) => {
                    len = next_prefix_bytes(prefix.len() as u64, needed_bytes, self.size_bytes);
                }
                Err(e) => return Err(e.to_string()),
            }
        }
    }
}

impl TensorSource for FileSource {
    fn read(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        let err = |e: std::io::Error| SourceError { message: e.to_string() };
        let mut file = self.file.lock().map_err(|_| SourceError { message: "file lock poisoned".into() })?;
        file.seek(SeekFrom::Start(offset)).map_err(err)?;
        let mut out = vec![0u8; len];
        file.read_exact(&mut out).map_err(err)?;
        Ok(out)
    }
}
