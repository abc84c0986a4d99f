//! Token ids back to bytes (llama.cpp's `token_to_piece` and `detokenize` with
//! `remove_special = false`, `unparse_special = false`).

use super::unicode::char_to_byte;
use super::{attr, Kind, Tokenizer};

/// The bytes of one token, without special tokens' text.
pub(super) fn piece(t: &Tokenizer, id: u32) -> Vec<u8> {
    let a = t.vocab.attr(id);
    let Some(text) = t.vocab.texts.get(id as usize) else { return Vec::new() };
    if a & (attr::UNKNOWN | attr::CONTROL) != 0 {
        return Vec::new();
    }
    if a & attr::USER_DEFINED != 0 {
        return text.as_bytes().to_vec();
    }
    if a & attr::NORMAL != 0 {
        return match t.kind {
            Kind::Spm => text.replace('\u{2581}', " ").into_bytes(),
            Kind::Bpe(_) => bytes_of_byte_level(text),
        };
    }
    if a & attr::BYTE != 0 {
        return vec![byte_of_byte_token(text)];
    }
    Vec::new()
}

/// The bytes GPT-2's printable characters stand for; a character that stands for none
/// is written as llama.cpp writes it, `[UNK_BYTE_0x<its UTF-8 in hex><the token>]`.
fn bytes_of_byte_level(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match char_to_byte(c) {
            Some(b) => out.push(b),
            None => {
                out.extend_from_slice(b"[UNK_BYTE_0x");
                let mut utf8 = [0u8; 4];
                for b in c.encode_utf8(&mut utf8).bytes() {
                    out.extend_from_slice(format!("{b:02x}").as_bytes());
                }
                out.extend_from_slice(text.as_bytes());
                out.push(b']');
            }
        }
    }
    out
}

/// The byte of a `<0xNN>` token: `strtol` of the two characters after `<0x`, as llama.cpp
/// reads them (leading hex digits only, 0 when there are none).
fn byte_of_byte_token(text: &str) -> u8 {
    let digits = text.get(3..).unwrap_or_default().chars().take(2).map_while(|c| c.to_digit(16));
    digits.fold(0u32, |acc, d| acc * 16 + d) as u8
}

/// The bytes of `ids`.
pub(super) fn detokenize(t: &Tokenizer, ids: &[u32]) -> Vec<u8> {
    let mut text = Vec::new();
    for (i, &id) in ids.iter().enumerate() {
        let mut bytes = piece(t, id);
        // llama.cpp strips one leading space from the first token's piece only.
        if i == 0 && t.vocab.add_space_prefix && bytes.first() == Some(&b' ') {
            bytes.remove(0);
        }
        text.extend_from_slice(&bytes);
    }
    if t.vocab.clean_spaces {
        clean_spaces(&mut text);
    }
    text
}

/// llama.cpp's `clean_up_tokenization_spaces`, its three passes ported as they are
/// (in place, each pass reading what the previous writes left).
fn clean_spaces(text: &mut Vec<u8>) {
    let at = |text: &[u8], i: usize| text.get(i).copied().unwrap_or(0);
    // " ?", " !", " .", " ,": drop the space.
    let n = text.len();
    let mut total = usize::from(n > 0);
    for i in 1..n {
        let x = at(text, i);
        if at(text, i - 1) == b' ' && matches!(x, b'?' | b'!' | b'.' | b',') {
            total -= 1;
        }
        text[total] = x;
        total += 1;
    }
    text.truncate(total);
    // " ' ": drop both spaces around a lone apostrophe.
    let n = text.len();
    let mut total = usize::from(n > 0);
    let mut i = 1;
    while i < n {
        let x = at(text, i);
        if x == b'\'' && i + 1 < n && at(text, i - 1) == b' ' && at(text, i + 1) == b' ' {
            total -= 1;
            i += 1;
            text[i] = 0;
        }
        text[total] = x;
        total += 1;
        i += 1;
    }
    text.truncate(total);
    // " 's", " 'm", " 're", " 've": drop the space.
    let n = text.len();
    let mut total = usize::from(n > 0);
    for i in 1..n {
        let x = at(text, i);
        if at(text, i - 1) == b' ' && x == b'\'' && i + 1 < n {
            let x1 = at(text, i + 1);
            let x2 = at(text, i + 2);
            let two = i + 2 < n;
            if matches!(x1, b's' | b'm') || (two && matches!((x1, x2), (b'r', b'e') | (b'v', b'e'))) {
                total -= 1;
            }
        }
        text[total] = x;
        total += 1;
    }
    text.truncate(total);
}
