//! Cutting user-defined tokens out of the text before it is tokenized (llama.cpp's
//! `tokenizer_st_partition` with `parse_special = false`).
//!
//! Each candidate, longest first, is searched in every text fragment left by the previous
//! ones; each occurrence, leftmost first, becomes a token fragment. Control and unknown
//! tokens are not candidates (they would be with `parse_special = true`).

use super::{attr, Vocab};

/// A stretch of the input: text still to tokenize, or a token cut out of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fragment<'a> {
    Text(&'a str),
    Token(u32),
}

/// `text` as fragments, in order; empty text gives none.
pub(super) fn split<'a>(vocab: &Vocab, text: &'a str) -> Vec<Fragment<'a>> {
    let mut fragments = Vec::new();
    if text.is_empty() {
        return fragments;
    }
    fragments.push(Fragment::Text(text));
    for &id in &vocab.partition {
        let Some(needle) = vocab.texts.get(id as usize).filter(|t| !t.is_empty()) else { continue };
        if !fragments.iter().any(|f| matches!(f, Fragment::Text(t) if t.contains(needle.as_str()))) {
            continue;
        }
        let flags = vocab.attr(id);
        let mut next = Vec::with_capacity(fragments.len() + 2);
        for fragment in fragments {
            match fragment {
                Fragment::Text(t) => cut(t, needle, id, flags, &mut next),
                token => next.push(token),
            }
        }
        fragments = next;
    }
    fragments
}

/// Splits `text` at every occurrence of `needle`.
fn cut<'a>(mut text: &'a str, needle: &str, id: u32, flags: u16, out: &mut Vec<Fragment<'a>>) {
    while let Some(at) = text.find(needle) {
        let mut left = &text[..at];
        if flags & attr::LSTRIP != 0 {
            left = left.trim_end_matches(is_c_space);
        }
        if !left.is_empty() {
            out.push(Fragment::Text(left));
        }
        out.push(Fragment::Token(id));
        text = &text[at + needle.len()..];
        if flags & attr::RSTRIP != 0 {
            text = text.trim_start_matches(is_c_space);
        }
    }
    if !text.is_empty() {
        out.push(Fragment::Text(text));
    }
}

/// C's `isspace` in the "C" locale.
fn is_c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r')
}
