//! Text to token ids and back, as llama.cpp does it, from a GGUF file's tokenizer metadata.
//!
//! Two tokenizer models are supported, named by `tokenizer.ggml.model`:
//!
//! - `llama`: SentencePiece-style (llama.cpp's `llm_tokenizer_spm`): spaces become `▁`,
//!   neighbouring pieces merge while the vocabulary has their concatenation, highest score
//!   first, and characters left without a token fall back to `<0xNN>` byte tokens. Llama 1
//!   and 2, Mistral, Gemma.
//! - `gpt2`: byte-level BPE (llama.cpp's `llm_tokenizer_bpe`): a pre-tokenizer named by
//!   `tokenizer.ggml.pre` splits the text into words ([`PreTokenizer`]), each byte becomes a
//!   printable character, and pairs merge by the rank of `tokenizer.ggml.merges`. Llama 3,
//!   Qwen 2, SmolLM, GPT-2.
//!
//! [`Tokenizer::encode`] matches llama.cpp's `llama_tokenize(text, add_special, parse_special
//! = false)`: special-token text such as `<start_of_turn>` is tokenized as plain text, but
//! user-defined tokens (Gemma's runs of newlines, tabs and spaces, its HTML tags) are cut
//! out first, as llama.cpp and Hugging Face do. [`Tokenizer::decode`] matches
//! `llama_detokenize(remove_special = false, unparse_special = false)`: control tokens give
//! no text.
//!
//! Pure: the caller hands in the header and the bytes it was parsed from.

mod bpe;
mod decode;
mod load;
mod partition;
mod pretokenize;
mod special;
mod spm;
#[cfg(test)]
mod tests;
mod unicode;
mod unicode_data;

use std::collections::{BTreeSet, HashMap};

pub use load::{MAX_MERGES, MAX_TOKENS};
pub use pretokenize::PreTokenizer;

use roofline_gguf::{GgufError, Header};

/// Token attributes (llama.cpp's `llama_token_attr` bits).
mod attr {
    pub const UNKNOWN: u16 = 1 << 0;
    pub const UNUSED: u16 = 1 << 1;
    pub const NORMAL: u16 = 1 << 2;
    pub const CONTROL: u16 = 1 << 3;
    pub const USER_DEFINED: u16 = 1 << 4;
    pub const BYTE: u16 = 1 << 5;
    pub const LSTRIP: u16 = 1 << 7;
    pub const RSTRIP: u16 = 1 << 8;
}

/// Which algorithm a tokenizer runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenizerKind {
    /// SentencePiece-style merges by score (`tokenizer.ggml.model = "llama"`).
    Spm,
    /// Byte-level BPE merges by rank (`tokenizer.ggml.model = "gpt2"`).
    Bpe,
}

/// Why a tokenizer cannot be built from a GGUF header.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TokenizerError {
    /// An array could not be read from the file's bytes.
    #[error("reading the tokenizer: {0}")]
    Gguf(#[from] GgufError),
    /// A key the tokenizer needs is absent.
    #[error("the GGUF metadata has no '{key}'")]
    Missing {
        /// The key.
        key: &'static str,
    },
    /// A key holds a value of the wrong type.
    #[error("'{key}' should be {expected}")]
    WrongType {
        /// The key.
        key: &'static str,
        /// What it should hold.
        expected: &'static str,
    },
    /// A tokenizer model other than `llama` and `gpt2`.
    #[error("tokenizer model '{model}' is not supported (only 'llama' and 'gpt2')")]
    UnsupportedModel {
        /// `tokenizer.ggml.model`.
        model: String,
    },
    /// A byte-level BPE pre-tokenizer this crate does not implement.
    #[error("pre-tokenizer '{pre}' is not supported")]
    UnsupportedPreTokenizer {
        /// `tokenizer.ggml.pre`.
        pre: String,
    },
    /// An array shorter than the token list.
    #[error("'{key}' has {len} entries for {tokens} tokens")]
    TooShort {
        /// The key.
        key: &'static str,
        /// Its length.
        len: usize,
        /// Number of tokens.
        tokens: usize,
    },
    /// The same token text twice.
    #[error("token {id} repeats the text {text:?} of an earlier token")]
    DuplicateToken {
        /// The later id.
        id: u32,
        /// The text.
        text: String,
    },
    /// No tokens at all.
    #[error("the token list is empty")]
    EmptyVocabulary,
}

/// A tokenizer read from GGUF metadata.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    kind: Kind,
    vocab: Vocab,
}

#[derive(Debug, Clone)]
enum Kind {
    Spm,
    Bpe(bpe::Bpe),
}

/// The token list and what llama.cpp derives from the metadata.
#[derive(Debug, Clone)]
struct Vocab {
    texts: Vec<String>,
    scores: Vec<f32>,
    attrs: Vec<u16>,
    ids: HashMap<String, u32>,
    /// Tokens cut out of the text before tokenizing (user-defined ones), longest first.
    partition: Vec<u32>,
    bos: Option<u32>,
    eos: Option<u32>,
    eog: BTreeSet<u32>,
    add_bos: bool,
    add_space_prefix: bool,
    clean_spaces: bool,
}

impl Vocab {
    fn id(&self, text: &str) -> Option<u32> {
        self.ids.get(text).copied()
    }

    fn attr(&self, id: u32) -> u16 {
        self.attrs.get(id as usize).copied().unwrap_or(0)
    }
}

impl Tokenizer {
    /// Builds the tokenizer from a parsed header and the bytes it was parsed from (a prefix
    /// of the file of at least [`Header::header_bytes`]).
    pub fn from_gguf(header: &Header, bytes: &[u8]) -> Result<Tokenizer, TokenizerError> {
        load::build(load::read_spec(header, bytes)?)
    }

    /// Token ids of `text`, after the BOS token when `add_bos` is true (and the vocabulary
    /// has one). llama.cpp's `llama_tokenize(text, add_special = add_bos, parse_special =
    /// false)` for a model whose `add_bos_token` is true; no EOS is ever appended.
    pub fn encode(&self, text: &str, add_bos: bool) -> Vec<u32> {
        let mut out = Vec::with_capacity(text.len() / 3 + 2);
        if add_bos {
            out.extend(self.vocab.bos);
        }
        let fragments = partition::split(&self.vocab, text);
        let mut prev_special = true;
        for fragment in fragments {
            match fragment {
                partition::Fragment::Token(id) => {
                    out.push(id);
                    prev_special = true;
                }
                partition::Fragment::Text(piece) => {
                    match &self.kind {
                        Kind::Spm => {
                            let prefix = if self.vocab.add_space_prefix && prev_special { " " } else { "" };
                            let escaped = format!("{prefix}{piece}").replace(' ', "\u{2581}");
                            spm::tokenize(&self.vocab, &escaped, &mut out);
                        }
                        Kind::Bpe(bpe) => bpe.tokenize(&self.vocab, piece, &mut out),
                    }
                    prev_special = false;
                }
            }
        }
        out
    }

    /// The text of `ids` (invalid UTF-8 replaced by U+FFFD; see [`Tokenizer::decode_bytes`]).
    pub fn decode(&self, ids: &[u32]) -> String {
        String::from_utf8_lossy(&self.decode_bytes(ids)).into_owned()
    }

    /// The bytes of `ids`, as llama.cpp's `llama_detokenize(remove_special = false,
    /// unparse_special = false)` writes them: control tokens give nothing, the first
    /// token loses one leading space when the model adds a space prefix, and byte-level
    /// BPE models of some pre-tokenizers clean spaces before punctuation.
    pub fn decode_bytes(&self, ids: &[u32]) -> Vec<u8> {
        decode::detokenize(self, ids)
    }

    /// The bytes one token stands for (llama.cpp's `token_to_piece` without special
    /// tokens): what a generation loop appends after each new token. Unknown ids give none.
    pub fn token_bytes(&self, id: u32) -> Vec<u8> {
        decode::piece(self, id)
    }

    /// Which algorithm this tokenizer runs.
    pub fn kind(&self) -> TokenizerKind {
        match self.kind {
            Kind::Spm => TokenizerKind::Spm,
            Kind::Bpe(_) => TokenizerKind::Bpe,
        }
    }

    /// The byte-level BPE pre-tokenizer, `None` for SentencePiece-style models.
    pub fn pre_tokenizer(&self) -> Option<PreTokenizer> {
        match &self.kind {
            Kind::Spm => None,
            Kind::Bpe(bpe) => Some(bpe.pre),
        }
    }

    /// Number of tokens.
    pub fn vocab_size(&self) -> usize {
        self.vocab.texts.len()
    }

    /// The stored text of token `id` (`▁the`, `<0x0A>`, `Ġthe`).
    pub fn token_text(&self, id: u32) -> Option<&str> {
        self.vocab.texts.get(id as usize).map(String::as_str)
    }

    /// The id of the token whose stored text is `text`.
    pub fn token_id(&self, text: &str) -> Option<u32> {
        self.vocab.id(text)
    }

    /// The beginning-of-sequence token.
    pub fn bos_id(&self) -> Option<u32> {
        self.vocab.bos
    }

    /// The end-of-sequence token.
    pub fn eos_id(&self) -> Option<u32> {
        self.vocab.eos
    }

    /// Whether prompts start with BOS: `tokenizer.ggml.add_bos_token`, or llama.cpp's
    /// default for the tokenizer (true for SentencePiece and for Llama 3's pre-tokenizer).
    pub fn add_bos_token(&self) -> bool {
        self.vocab.add_bos
    }

    /// Whether generation stops at `id` (llama.cpp's end-of-generation set: EOS, end of
    /// turn, and tokens such as `<end_of_turn>` or `<|eot_id|>`).
    pub fn is_eog(&self, id: u32) -> bool {
        self.vocab.eog.contains(&id)
    }

    /// The end-of-generation tokens, ascending.
    pub fn eog_ids(&self) -> Vec<u32> {
        self.vocab.eog.iter().copied().collect()
    }
}
