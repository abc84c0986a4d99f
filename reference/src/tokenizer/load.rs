//! The tokenizer from GGUF metadata, with the defaults and corrections llama.cpp's
//! `llama_vocab::impl::load` applies.

use std::collections::{BTreeSet, HashMap};

use super::bpe::Bpe;
use super::pretokenize::PreTokenizer;
use super::{attr, Kind, Tokenizer, TokenizerError, Vocab};
use roofline_gguf::{ArrayElements, Header};

/// Most tokens read from `tokenizer.ggml.tokens` (the largest vocabularies hold ~260 000).
pub const MAX_TOKENS: u64 = 1 << 22;
/// Most merges read from `tokenizer.ggml.merges`.
pub const MAX_MERGES: u64 = 1 << 22;

/// What the metadata says, before defaults and corrections.
#[derive(Debug, Clone, Default)]
pub(super) struct Spec {
    pub model: String,
    pub pre: Option<String>,
    pub name: Option<String>,
    pub tokens: Vec<String>,
    pub scores: Option<Vec<f32>>,
    pub token_types: Option<Vec<i32>>,
    pub merges: Option<Vec<String>>,
    /// `tokenizer.ggml.<name>_token_id` values, by key suffix.
    pub ids: Vec<(&'static str, u64)>,
    pub add_bos: Option<bool>,
    pub add_space_prefix: Option<bool>,
}

/// Special-token id keys, in the order llama.cpp reads them (a later key of the same
/// role overrides: the deprecated `prefix`/`suffix`/`middle` come last).
const ID_KEYS: [(&str, &str); 17] = [
    ("bos", "tokenizer.ggml.bos_token_id"),
    ("eos", "tokenizer.ggml.eos_token_id"),
    ("eot", "tokenizer.ggml.eot_token_id"),
    ("eom", "tokenizer.ggml.eom_token_id"),
    ("unk", "tokenizer.ggml.unknown_token_id"),
    ("sep", "tokenizer.ggml.seperator_token_id"),
    ("pad", "tokenizer.ggml.padding_token_id"),
    ("mask", "tokenizer.ggml.mask_token_id"),
    ("fim_pre", "tokenizer.ggml.fim_pre_token_id"),
    ("fim_suf", "tokenizer.ggml.fim_suf_token_id"),
    ("fim_mid", "tokenizer.ggml.fim_mid_token_id"),
    ("fim_pad", "tokenizer.ggml.fim_pad_token_id"),
    ("fim_rep", "tokenizer.ggml.fim_rep_token_id"),
    ("fim_sep", "tokenizer.ggml.fim_sep_token_id"),
    ("fim_pre", "tokenizer.ggml.prefix_token_id"),
    ("fim_suf", "tokenizer.ggml.suffix_token_id"),
    ("fim_mid", "tokenizer.ggml.middle_token_id"),
];

/// Reads the tokenizer's keys and arrays.
pub(super) fn read_spec(header: &Header, bytes: &[u8]) -> Result<Spec, TokenizerError> {
    let string = |key: &'static str| match header.get(key) {
        None => Ok(None),
        Some(v) => {
            v.as_str().map(|s| Some(s.to_owned())).ok_or(TokenizerError::WrongType { key, expected: "a string" })
        }
    };
    const TOKENS: &str = "tokenizer.ggml.tokens";
    let model = string("tokenizer.ggml.model")?.ok_or(TokenizerError::Missing { key: "tokenizer.ggml.model" })?;
    let tokens = match header.read_array(bytes, TOKENS, MAX_TOKENS)? {
        Some(ArrayElements::Strings(v)) => v,
        Some(_) => return Err(TokenizerError::WrongType { key: TOKENS, expected: "an array of strings" }),
        None => return Err(TokenizerError::Missing { key: TOKENS }),
    };
    const SCORES: &str = "tokenizer.ggml.scores";
    let scores = match header.read_array(bytes, SCORES, MAX_TOKENS)? {
        Some(ArrayElements::F32(v)) => Some(v),
        Some(ArrayElements::I32(v)) => Some(v.into_iter().map(|s| s as f32).collect()),
        Some(_) => return Err(TokenizerError::WrongType { key: SCORES, expected: "an array of f32 or i32" }),
        None => None,
    };
    const TYPES: &str = "tokenizer.ggml.token_type";
    let token_types = match header.read_array(bytes, TYPES, MAX_TOKENS)? {
        Some(ArrayElements::I32(v)) => Some(v),
        Some(_) => return Err(TokenizerError::WrongType { key: TYPES, expected: "an array of i32" }),
        None => None,
    };
    const MERGES: &str = "tokenizer.ggml.merges";
    let merges = match model.as_str() {
        "gpt2" => match header.read_array(bytes, MERGES, MAX_MERGES)? {
            Some(ArrayElements::Strings(v)) => Some(v),
            Some(_) => return Err(TokenizerError::WrongType { key: MERGES, expected: "an array of strings" }),
            None => None,
        },
        _ => None,
    };
    let ids = ID_KEYS.iter().filter_map(|&(role, key)| header.get_u64(key).map(|id| (role, id))).collect();
    Ok(Spec {
        model,
        pre: string("tokenizer.ggml.pre")?,
        name: string("general.name")?,
        tokens,
        scores,
        token_types,
        merges,
        ids,
        add_bos: header.get_bool("tokenizer.ggml.add_bos_token"),
        add_space_prefix: header.get_bool("tokenizer.ggml.add_space_prefix"),
    })
}

/// What llama.cpp sets for a `tokenizer.ggml.pre` name: the pre-tokenizer, whether
/// decoding cleans spaces, whether whole-word tokens skip merging, and whether prompts
/// start with BOS by default. `None` for names it does not know or this crate does not
/// implement.
fn pre_settings(name: &str) -> Option<(PreTokenizer, bool, bool, bool)> {
    use PreTokenizer as P;
    Some(match name {
        "default" => (P::Default, true, false, false),
        "llama3" | "llama-v3" | "llama-bpe" | "falcon3" | "falcon-h1" | "pixtral" | "midm-2.0" | "lfm2"
        | "jina-v5-nano" => (P::Llama3, true, true, true),
        "dbrx" | "smaug-bpe" => (P::Llama3, true, false, false),
        "qwen2" | "deepseek-r1-qwen" | "kormo" | "f2llmv2" | "hunyuan" | "solar-open" => {
            (P::Qwen2, false, false, false)
        }
        "stablelm2" | "megrez" => (P::Qwen2, true, false, false),
        "smollm" | "command-r" => (P::StarCoder, false, false, false),
        "starcoder" | "refact" | "codeshell" | "exaone" | "minerva-7b" | "mellum2" => {
            (P::StarCoder, true, false, false)
        }
        "gpt-2" | "phi-2" | "jina-es" | "jina-de" | "gigachat" | "jina-v2-es" | "jina-v2-de" | "a.x-4.0" | "mellum"
        | "modern-bert" | "exaone4" | "mpt" | "olmo" | "jais" => (P::Gpt2, true, false, false),
        "trillion" | "granite-docling" => (P::Gpt2, false, false, false),
        _ => return None,
    })
}

/// Builds the tokenizer: defaults, special ids, token attributes and their corrections.
pub(super) fn build(spec: Spec) -> Result<Tokenizer, TokenizerError> {
    let n = spec.tokens.len();
    if n == 0 {
        return Err(TokenizerError::EmptyVocabulary);
    }
    let (kind, mut add_bos, add_space_prefix, clean_spaces, defaults) = match spec.model.as_str() {
        "llama" => (Kind::Spm, true, true, false, [("bos", 1), ("eos", 2), ("unk", 0)]),
        "gpt2" => {
            let pre_name = spec.pre.as_deref().unwrap_or("default");
            let Some((pre, clean, ignore_merges, bos)) = pre_settings(pre_name) else {
                return Err(TokenizerError::UnsupportedPreTokenizer { pre: pre_name.to_owned() });
            };
            let merges = spec.merges.as_deref().ok_or(TokenizerError::Missing { key: "tokenizer.ggml.merges" })?;
            (
                Kind::Bpe(Bpe { pre, ranks: ranks(merges), ignore_merges }),
                bos,
                false,
                clean,
                [("bos", 11), ("eos", 11), ("unk", u64::MAX)],
            )
        }
        other => return Err(TokenizerError::UnsupportedModel { model: other.to_owned() }),
    };
    let add_space_prefix = spec.add_space_prefix.unwrap_or(add_space_prefix);
    add_bos = spec.add_bos.unwrap_or(add_bos);

    let mut texts = spec.tokens;
    let mut ids = HashMap::with_capacity(n);
    for (i, text) in texts.iter_mut().enumerate() {
        if text.is_empty() {
            *text = format!("[EMPTY_{i}]");
        }
        if ids.insert(text.clone(), i as u32).is_some() {
            return Err(TokenizerError::DuplicateToken { id: i as u32, text: text.clone() });
        }
    }
    let scores = match spec.scores {
        Some(s) if s.len() < n => {
            return Err(TokenizerError::TooShort { key: "tokenizer.ggml.scores", len: s.len(), tokens: n })
        }
        Some(mut s) => {
            s.truncate(n);
            s
        }
        None => vec![0.0; n],
    };
    let attrs = match spec.token_types {
        Some(t) if t.len() < n => {
            return Err(TokenizerError::TooShort { key: "tokenizer.ggml.token_type", len: t.len(), tokens: n })
        }
        Some(t) => t.iter().take(n).map(|&ty| attr_of_type(ty)).collect(),
        None => vec![attr::NORMAL; n],
    };

    // Special ids: defaults out of range are dropped, metadata ids out of range ignored.
    let mut special: HashMap<&str, u32> = HashMap::new();
    for (role, id) in defaults {
        if id < n as u64 {
            special.insert(role, id as u32);
        }
    }
    for &(role, id) in &spec.ids {
        if id < n as u64 {
            special.insert(role, id as u32);
        }
    }
    let mut vocab = Vocab {
        texts,
        scores,
        attrs,
        ids,
        partition: Vec::new(),
        bos: special.get("bos").copied(),
        eos: special.get("eos").copied(),
        eog: BTreeSet::new(),
        add_bos,
        add_space_prefix,
        clean_spaces,
    };
    super::special::correct(&mut vocab, &special, spec.name.as_deref());
    Ok(Tokenizer { kind, vocab })
}

/// Merge ranks: `left right` on each line, split at the first space after the first
/// character; the first line of a repeated pair wins.
fn ranks(merges: &[String]) -> HashMap<(String, String), u32> {
    let mut out = HashMap::with_capacity(merges.len());
    for (rank, line) in merges.iter().enumerate() {
        let split = line.char_indices().skip(1).find(|&(_, c)| c == ' ').map(|(i, _)| i);
        let pair = match split {
            Some(i) => (line[..i].to_owned(), line[i + 1..].to_owned()),
            None => (String::new(), String::new()),
        };
        out.entry(pair).or_insert(rank as u32);
    }
    out
}

/// Attributes of a `tokenizer.ggml.token_type` value.
fn attr_of_type(ty: i32) -> u16 {
    match ty {
        1 => attr::NORMAL,
        2 => attr::UNKNOWN,
        3 => attr::CONTROL,
        4 => attr::USER_DEFINED,
        5 => attr::UNUSED,
        6 => attr::BYTE,
        _ => 0,
    }
}
