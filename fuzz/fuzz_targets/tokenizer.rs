//! Tokenizers: for every kind `roofline_reference::tokenizer` supports (SentencePiece-style
//! `llama` with and without the space prefix, byte-level BPE `gpt2` under each of its
//! pre-tokenizers), a small vocabulary is written as GGUF metadata, read back with
//! `Tokenizer::from_gguf`, and text is encoded and decoded. Checks: no panic; every id in the
//! vocabulary; BOS only in front; arbitrary ids decode; and decode(encode(text)) gives the
//! text back (byte-level BPE exactly, and so is each token's piece glued together even where
//! decoding cleans spaces; SentencePiece-style with `▁` read as a space and without the space
//! it puts in front of the text and after each user-defined token).
//!
//! Input: `[variant][flags][n][n bytes of vocabulary words][text]`. `variant` picks a row of
//! `VARIANTS` (modulo its length). The words are split at `<`; each adds its prefixes as
//! tokens (with the merges that build them, for BPE), or, starting with 0x7F while flag bit 0
//! is set, is a user-defined token. Flag bit 1 ("loose") also adds the raw words, merges of
//! neighbouring words and arbitrary token types and scores, and checks only what holds for
//! any vocabulary; bit 2 then names the model Phi-3 (special tokens swallow the spaces after
//! them). The text is the rest, as UTF-8 with invalid sequences replaced.

#![no_main]

#[path = "../../gguf/tests/gguf_writer/mod.rs"]
mod gguf_writer;

use std::collections::HashSet;
use std::sync::OnceLock;

use gguf_writer::{s, Gguf, W};
use libfuzzer_sys::fuzz_target;
use roofline_gguf::{parse_header, Value, ValueType};
use roofline_reference::tokenizer::{PreTokenizer, Tokenizer, TokenizerKind};

/// One tokenizer configuration: `tokenizer.ggml.model`, `tokenizer.ggml.pre`, the
/// pre-tokenizer llama.cpp runs for it, `add_space_prefix` (SentencePiece) and whether
/// decoding cleans spaces before punctuation (byte-level BPE).
struct Variant(&'static str, Option<&'static str>, Option<PreTokenizer>, bool, bool);

const VARIANTS: [Variant; 9] = [
    Variant("llama", None, None, true, false),
    Variant("llama", None, None, false, false),
    Variant("gpt2", Some("default"), Some(PreTokenizer::Default), false, true),
    Variant("gpt2", Some("gpt-2"), Some(PreTokenizer::Gpt2), false, true),
    Variant("gpt2", Some("trillion"), Some(PreTokenizer::Gpt2), false, false),
    Variant("gpt2", Some("llama-bpe"), Some(PreTokenizer::Llama3), false, true),
    Variant("gpt2", Some("dbrx"), Some(PreTokenizer::Llama3), false, true),
    Variant("gpt2", Some("qwen2"), Some(PreTokenizer::Qwen2), false, false),
    Variant("gpt2", Some("smollm"), Some(PreTokenizer::StarCoder), false, false),
];

const MAX_WORDS: usize = 24;
const MAX_WORD_CHARS: usize = 12;
/// `tokenizer.ggml.token_type` values.
const NORMAL: i32 = 1;
const UNKNOWN: i32 = 2;
const CONTROL: i32 = 3;
const USER_DEFINED: i32 = 4;
const BYTE: i32 = 6;

/// GPT-2's printable character for each byte.
fn byte_chars() -> &'static [char; 256] {
    static CHARS: OnceLock<[char; 256]> = OnceLock::new();
    CHARS.get_or_init(|| {
        let printable = |b: u8| matches!(b, 0x21..=0x7E | 0xA1..=0xAC | 0xAE..=0xFF);
        let mut out = ['\0'; 256];
        let mut next = 0x100;
        for b in 0..=255u8 {
            out[usize::from(b)] = if printable(b) {
                char::from(b)
            } else {
                next += 1;
                char::from_u32(next - 1).unwrap()
            };
        }
        out
    })
}

/// The token list as it is written, texts unique.
#[derive(Default)]
struct Vocab {
    tokens: Vec<String>,
    scores: Vec<f32>,
    types: Vec<i32>,
    merges: Vec<String>,
    seen: HashSet<String>,
    seen_merges: HashSet<String>,
}

impl Vocab {
    /// Adds a token unless its text is empty or taken; says whether it did.
    fn push(&mut self, text: String, score: f32, ty: i32) -> bool {
        let new = !text.is_empty() && self.seen.insert(text.clone());
        if new {
            self.tokens.push(text);
            self.scores.push(score);
            self.types.push(ty);
        }
        new
    }

    fn gguf(&self, v: &Variant, phi3: bool) -> Vec<u8> {
        let strings = |items: &[String]| W::Arr(ValueType::String, items.iter().map(|t| s(t)).collect());
        let mut kv = vec![
            ("tokenizer.ggml.model", s(v.0)),
            ("tokenizer.ggml.tokens", strings(&self.tokens)),
            (
                "tokenizer.ggml.scores",
                W::Arr(ValueType::F32, self.scores.iter().map(|&x| W::V(Value::F32(x))).collect()),
            ),
            (
                "tokenizer.ggml.token_type",
                W::Arr(ValueType::I32, self.types.iter().map(|&x| W::V(Value::I32(x))).collect()),
            ),
            ("tokenizer.ggml.add_space_prefix", W::V(Value::Bool(v.3))),
        ];
        if let Some(pre) = v.1 {
            kv.push(("tokenizer.ggml.pre", s(pre)));
            kv.push(("tokenizer.ggml.merges", strings(&self.merges)));
        }
        if phi3 {
            kv.push(("general.name", s("Phi-3 mini")));
        }
        Gguf::new(kv, Vec::new()).bytes()
    }
}

/// Builds the vocabulary of `v` from `words`; returns it with the user-defined texts.
fn vocabulary(v: &Variant, words: &[u8], user_defined: bool, loose: bool) -> (Vocab, Vec<String>) {
    let mut vocab = Vocab::default();
    let bpe = v.1.is_some();
    let chars = byte_chars();
    if bpe {
        for c in chars {
            vocab.push(c.to_string(), 0.0, NORMAL);
        }
    } else {
        vocab.push("<unk>".into(), 0.0, UNKNOWN);
        vocab.push("<s>".into(), 0.0, CONTROL);
        vocab.push("</s>".into(), 0.0, CONTROL);
        for b in 0..=255u8 {
            vocab.push(format!("<0x{b:02X}>"), 0.0, BYTE);
        }
        vocab.push("\u{2581}".into(), -1000.0, NORMAL);
    }
    let mut specials = Vec::new();
    let mut previous: Option<String> = None;
    for (i, word) in words.split(|&b| b == b'<').take(MAX_WORDS).enumerate() {
        if let (true, Some((0x7F, rest))) = (user_defined, word.split_first()) {
            let text: String = String::from_utf8_lossy(rest).chars().take(MAX_WORD_CHARS).collect();
            // Strict: such a token could stand for other text where the algorithm meets
            // it (a `▁` or a GPT-2 byte character that is not plain ASCII), could lose its
            // space to the decoder's prefix rule, or could be a special token.
            let byte_level = text.chars().all(|c| chars.contains(&c)) && !text.chars().all(|c| c.is_ascii_graphic());
            let clash = if bpe { byte_level } else { text.contains('\u{2581}') || text.starts_with(' ') };
            if loose || !(clash || text.contains('[')) {
                specials.push(text.clone());
            }
            continue;
        }
        // Strict: no merge may build a special token (`<s>`, `<0x41>`, `[EOT]`: each
        // needs a piece ending in `>` or starting with `[`).
        if !loose && word.iter().any(|b| b"[>".contains(b)) {
            continue;
        }
        let score_of = |k: usize| {
            if loose {
                let b = |j: usize| word.get((k + j) % word.len().max(1)).copied().unwrap_or(0);
                f32::from_le_bytes([b(0), b(1), b(2), b(3)])
            } else {
                -(((i * 31 + k * 7 + usize::from(word.first().copied().unwrap_or(0))) % 97) as f32)
            }
        };
        let ty = if loose { i32::from(word.first().copied().unwrap_or(0) % 8) } else { NORMAL };
        let text: Vec<char> = if bpe {
            word.iter().take(MAX_WORD_CHARS).map(|&b| chars[usize::from(b)]).collect()
        } else {
            String::from_utf8_lossy(word).replace(' ', "\u{2581}").chars().take(MAX_WORD_CHARS).collect()
        };
        for k in 1..=text.len() {
            let prefix: String = text[..k].iter().collect();
            vocab.push(prefix.clone(), score_of(k), if k == text.len() { ty } else { NORMAL });
            if bpe && k > 1 {
                let merge = format!("{} {}", text[..k - 1].iter().collect::<String>(), text[k - 1]);
                if vocab.seen_merges.insert(merge.clone()) {
                    vocab.merges.push(merge);
                }
            }
        }
        if loose {
            let raw = String::from_utf8_lossy(word).into_owned();
            vocab.push(raw.clone(), score_of(0), ty);
            if let Some(p) = previous.replace(raw.clone()).filter(|p| !p.is_empty() && !raw.is_empty()) {
                vocab.merges.push(format!("{p} {raw}"));
            }
        }
    }
    // A user-defined text that a normal token already has stays normal.
    specials.retain(|text| vocab.push(text.clone(), 0.0, USER_DEFINED));
    if bpe {
        vocab.push("<|endoftext|>".into(), 0.0, CONTROL);
    }
    (vocab, specials)
}

fuzz_target!(|data: &[u8]| {
    let [variant, flags, n, rest @ ..] = data else { return };
    let v = &VARIANTS[usize::from(*variant) % VARIANTS.len()];
    let (words, text) = rest.split_at(usize::from(*n).min(rest.len()));
    let (user_defined, loose) = (flags & 1 != 0, flags & 2 != 0);
    let (vocab, specials) = vocabulary(v, words, user_defined, loose);
    let file = vocab.gguf(v, loose && flags & 4 != 0);
    let header = parse_header(&file).unwrap();
    let t = Tokenizer::from_gguf(&header, &file).unwrap();
    assert_eq!(t.kind(), if v.1.is_some() { TokenizerKind::Bpe } else { TokenizerKind::Spm });
    assert_eq!(t.pre_tokenizer(), v.2);
    assert_eq!(t.vocab_size(), vocab.tokens.len());

    let text = String::from_utf8_lossy(text);
    let ids = t.encode(&text, false);
    assert!(ids.iter().all(|&id| t.token_text(id).is_some()), "an id past the {} tokens: {ids:?}", t.vocab_size());
    let with_bos = t.encode(&text, true);
    assert_eq!(with_bos, t.bos_id().into_iter().chain(ids.iter().copied()).collect::<Vec<_>>());

    // Arbitrary ids, some past the vocabulary, decode without panicking.
    let past = t.vocab_size() as u32 + 16;
    let any: Vec<u32> =
        text.as_bytes().chunks(2).map(|c| c.iter().fold(0, |a, &b| a << 8 | u32::from(b)) % past).collect();
    let _ = (t.decode(&any), t.decode_bytes(&any));
    for &id in &any {
        let _ = (t.token_bytes(id), t.token_text(id));
    }
    if loose {
        return;
    }

    let decoded = t.decode_bytes(&ids);
    let pieces: Vec<Vec<u8>> = ids.iter().map(|&id| t.token_bytes(id)).collect();
    if v.1.is_some() {
        let glued = pieces.concat();
        assert_eq!(glued, text.as_bytes(), "token pieces of {text:?}: {ids:?}");
        let cleaned = text.as_bytes().windows(2).any(|w| w[0] == b' ' && b"?!.,'".contains(&w[1]));
        if !v.4 || !cleaned {
            assert_eq!(decoded, text.as_bytes(), "decode(encode({text:?})): ids {ids:?}");
        }
        return;
    }
    // SentencePiece: decoding glues the pieces, less the first one's leading space when the
    // model adds a space prefix.
    let mut glued = pieces.concat();
    if v.3 && pieces.first().and_then(|p| p.first()) == Some(&b' ') {
        glued.remove(0);
    }
    assert_eq!(decoded, glued, "decode({ids:?})");
    // llama.cpp's SentencePiece puts a space in front of the text and of each stretch of
    // text after a user-defined token; only the first is dropped again.
    let user: HashSet<u32> = specials.iter().filter_map(|u| t.token_id(u)).collect();
    let mut rebuilt = Vec::new();
    for (i, (&id, piece)) in ids.iter().zip(&pieces).enumerate() {
        let after_user = i > 0 && user.contains(&ids[i - 1]) && !user.contains(&id);
        let skip = v.3 && (i == 0 || after_user) && piece.first() == Some(&b' ');
        rebuilt.extend_from_slice(&piece[usize::from(skip)..]);
    }
    assert_eq!(rebuilt, text.replace('\u{2581}', " ").as_bytes(), "encode({text:?}) = {ids:?}");
});
