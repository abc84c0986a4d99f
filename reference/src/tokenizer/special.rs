//! llama.cpp's corrections to token attributes, its end-of-generation set, and the list of
//! tokens cut out of the text before tokenizing (the end of `llama_vocab::impl::load`).
//!
//! Tokens whose text marks an end of turn are made control tokens even when the file types
//! them otherwise (Gemma's `</s>` is user-defined in the file: llama.cpp then neither cuts
//! it out of plain text nor writes it when decoding).
//!
//! One difference: where several tokens could be the auto-detected end-of-turn or
//! fill-in-the-middle token, llama.cpp takes the first in its hash map's order; the lowest
//! id is taken here. It only matters for files with several such tokens that are not
//! already control tokens.

use std::collections::HashMap;

use super::{attr, Vocab};

const EOT: &[&str] = &[
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "<|end_of_text|>",
    "<EOT>",
    "_<EOT>",
    "[EOT]",
    "<｜end▁of▁sentence｜>",
    "<end_of_utterance>",
];
const EOM: &[&str] = &["<|eom_id|>"];
const FIM_PRE: &[&str] = &[
    "<|fim_prefix|>",
    "<fim-prefix>",
    "<fim_prefix>",
    "<｜fim▁begin｜>",
    "<PRE>",
    "▁<PRE>",
    "<|code_prefix|>",
    "<|prefix|>",
];
const FIM_SUF: &[&str] = &[
    "<|fim_suffix|>",
    "<fim-suffix>",
    "<fim_suffix>",
    "<｜fim▁hole｜>",
    "<SUF>",
    "▁<SUF>",
    "<|code_suffix|>",
    "<|suffix|>",
];
const FIM_MID: &[&str] = &[
    "<|fim_middle|>",
    "<fim-middle>",
    "<fim_middle>",
    "<｜fim▁end｜>",
    "<MID>",
    "▁<MID>",
    "<|code_middle|>",
    "<|middle|>",
];
const FIM_PAD: &[&str] = &["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"];
const FIM_REP: &[&str] = &["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"];
const FIM_SEP: &[&str] = &["<|file_sep|>"];
const EOG: &[&str] = &[
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<|return|>",
    "<|call|>",
    "<|flush|>",
    "<|calls|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "</s>",
    "<|eom_id|>",
    "<EOT>",
    "_<EOT>",
    "[EOT]",
    "[EOS]",
    "<|end_of_text|>",
    "<end_of_utterance>",
    "<eos>",
    "<turn|>",
    "<|tool_response>",
    "<｜end▁of▁sentence｜>",
    "[e~[",
];
/// gpt-oss tokens llama.cpp always writes out.
const ALWAYS_RENDERED: &[&str] = &["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"];

/// Applies the corrections; `special` holds the ids read or defaulted by role.
pub(super) fn correct(vocab: &mut Vocab, special: &HashMap<&str, u32>, model_name: Option<&str>) {
    let role = |name: &str, texts: &[&str], vocab: &mut Vocab| -> Option<u32> {
        if let Some(&id) = special.get(name) {
            return Some(id);
        }
        let id = texts.iter().filter_map(|t| vocab.id(t)).min()?;
        add_attr(vocab, id, attr::CONTROL);
        Some(id)
    };
    let eot = role("eot", EOT, vocab);
    let eom = role("eom", EOM, vocab);
    for (name, texts) in [("fim_pre", FIM_PRE), ("fim_suf", FIM_SUF), ("fim_mid", FIM_MID)] {
        role(name, texts, vocab);
    }
    let fim_eog: Vec<u32> = [("fim_pad", FIM_PAD), ("fim_rep", FIM_REP), ("fim_sep", FIM_SEP)]
        .iter()
        .filter_map(|(n, t)| role(n, t, vocab))
        .collect();

    vocab.eog.extend(fim_eog);
    for text in EOG {
        if let Some(id) = vocab.id(text) {
            vocab.eog.insert(id);
            add_attr(vocab, id, attr::CONTROL);
        }
    }
    for text in ALWAYS_RENDERED {
        if let Some(id) = vocab.id(text) {
            set_attr(vocab, id, attr::USER_DEFINED);
        }
    }
    vocab.eog.extend(vocab.eos.iter().chain(&eot).chain(&eom));

    // o200k_harmony and solar-open: "<|end|>" is not an end of generation.
    let eog_has = |vocab: &Vocab, text: &str| vocab.id(text).is_some_and(|id| vocab.eog.contains(&id));
    let has_call = eog_has(vocab, "<|call|>") || eog_has(vocab, "<|calls|>");
    if has_call && (eog_has(vocab, "<|return|>") || eog_has(vocab, "<|flush|>")) && eog_has(vocab, "<|end|>") {
        if let Some(id) = vocab.id("<|end|>") {
            vocab.eog.remove(&id);
            set_attr(vocab, id, attr::USER_DEFINED);
        }
    }
    // Gemma 4 and PLaMo: "</s>" is a normal token.
    if (eog_has(vocab, "<|tool_response>") || eog_has(vocab, "<|plamo:eos|>")) && eog_has(vocab, "</s>") {
        if let Some(id) = vocab.id("</s>") {
            vocab.eog.remove(&id);
            set_attr(vocab, id, attr::NORMAL);
        }
    }

    // Tokens cut out of plain text: user-defined, not control or unknown; longest first.
    let special_attrs = attr::CONTROL | attr::USER_DEFINED | attr::UNKNOWN;
    let mut cache: Vec<u32> = (0..vocab.texts.len() as u32).filter(|&id| vocab.attr(id) & special_attrs != 0).collect();
    cache.sort_by_key(|&id| std::cmp::Reverse(vocab.texts.get(id as usize).map_or(0, String::len)));

    // Phi-3: special tokens swallow the whitespace after them.
    let name = model_name.unwrap_or_default().to_lowercase();
    if name.contains("phi-3") || name.contains("phi3") {
        for &id in &cache {
            add_attr(vocab, id, attr::RSTRIP);
        }
        for (text, on) in [("</s>", true), ("<unk>", false), ("<s>", false), ("<|endoftext|>", false)] {
            if let Some(id) = vocab.id(text) {
                let a = vocab.attr(id);
                set_attr(vocab, id, if on { a | attr::RSTRIP } else { a & !attr::RSTRIP });
            }
        }
    }
    vocab.partition = cache.into_iter().filter(|&id| vocab.attr(id) & (attr::CONTROL | attr::UNKNOWN) == 0).collect();
}

fn add_attr(vocab: &mut Vocab, id: u32, bits: u16) {
    if let Some(a) = vocab.attrs.get_mut(id as usize) {
        *a |= bits;
    }
}

fn set_attr(vocab: &mut Vocab, id: u32, bits: u16) {
    if let Some(a) = vocab.attrs.get_mut(id as usize) {
        *a = bits;
    }
}
