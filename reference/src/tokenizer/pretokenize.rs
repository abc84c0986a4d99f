//! Pre-tokenizers of byte-level BPE: text split into words before merging, as llama.cpp's
//! `unicode_regex_split` does for the patterns it names.
//!
//! llama.cpp runs a list of patterns one after another, each splitting the pieces the
//! previous one left (matches and the text between them both become pieces). The
//! GPT-2, Llama 3 and Qwen 2 patterns use a lookahead (`\s+(?!\S)`) that the `regex` crate
//! lacks, and llama.cpp itself runs hand-written matchers for them
//! (`unicode_regex_split_custom_*`), whose quirks decide the ids: they are ported here line
//! by line rather than reimplemented as regular expressions. The other patterns used here
//! are runs of one character class, matched on llama.cpp's "collapsed" text (one byte per
//! code point: ASCII as is, other code points by category).

use super::unicode::{flags, Flags, NUMBER, PUNCTUATION};

/// A pre-tokenizer llama.cpp knows by a `tokenizer.ggml.pre` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreTokenizer {
    /// llama.cpp's default: punctuation runs, then GPT-2's pattern, then number runs, then
    /// groups of three ASCII digits.
    Default,
    /// GPT-2's pattern: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`.
    Gpt2,
    /// Llama 3's pattern: case-insensitive contractions, `[^\r\n\p{L}\p{N}]?\p{L}+`,
    /// `\p{N}{1,3}`, ` ?[^\s\p{L}\p{N}]+[\r\n]*`, `\s*[\r\n]+`, `\s+(?!\S)`, `\s+`.
    Llama3,
    /// Qwen 2's pattern: Llama 3's with single digits (`\p{N}`).
    Qwen2,
    /// StarCoder's (SmolLM's): every number character alone, then GPT-2's pattern.
    StarCoder,
}

impl PreTokenizer {
    /// Splits `text` into words (as code points).
    pub(super) fn split(self, text: &str) -> Vec<String> {
        let cpts: Vec<char> = text.chars().collect();
        let mut offsets = vec![cpts.len()];
        match self {
            PreTokenizer::Default => {
                offsets = split_runs(&cpts, &offsets, is_default_punctuation);
                offsets = split_gpt2(&cpts, &offsets);
                offsets = split_runs(&cpts, &offsets, is_number_class);
                offsets = split_ascii_digit_triples(&cpts, &offsets);
            }
            PreTokenizer::Gpt2 => offsets = split_gpt2(&cpts, &offsets),
            PreTokenizer::Llama3 => offsets = split_llama3(&cpts, &offsets, 3),
            PreTokenizer::Qwen2 => offsets = split_llama3(&cpts, &offsets, 1),
            PreTokenizer::StarCoder => {
                offsets = split_singles(&cpts, &offsets, is_number_class);
                offsets = split_gpt2(&cpts, &offsets);
            }
        }
        let mut words = Vec::with_capacity(offsets.len());
        let mut start = 0;
        for len in offsets {
            words.push(cpts.get(start..start + len).unwrap_or_default().iter().collect());
            start += len;
        }
        words
    }
}

/// `[\p{P}\$\+<=>\^~\|]` on the collapsed text: ASCII punctuation and symbols but `` ` ``,
/// other code points of the punctuation category.
fn is_default_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation() && c != '`';
    }
    let f = flags(c);
    !f.whitespace && f.category == PUNCTUATION
}

/// `\p{N}` on the collapsed text: ASCII digits, other code points of the number category.
fn is_number_class(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    let f = flags(c);
    !f.whitespace && f.category == NUMBER
}

/// Splits each piece into maximal runs of `class` and the text between them (`[class]+`).
fn split_runs(cpts: &[char], offsets: &[usize], class: fn(char) -> bool) -> Vec<usize> {
    let mut out = Vec::with_capacity(offsets.len());
    let mut start = 0;
    for &len in offsets {
        let piece = cpts.get(start..start + len).unwrap_or_default();
        let mut run = 0;
        let mut inside = false;
        for &c in piece {
            let m = class(c);
            if m != inside && run > 0 {
                out.push(run);
                run = 0;
            }
            inside = m;
            run += 1;
        }
        if run > 0 {
            out.push(run);
        }
        start += len;
    }
    out
}

/// Splits each piece so that every `class` character stands alone (`[class]`).
fn split_singles(cpts: &[char], offsets: &[usize], class: fn(char) -> bool) -> Vec<usize> {
    let mut out = Vec::with_capacity(offsets.len());
    let mut start = 0;
    for &len in offsets {
        let mut gap = 0;
        for &c in cpts.get(start..start + len).unwrap_or_default() {
            if class(c) {
                if gap > 0 {
                    out.push(gap);
                    gap = 0;
                }
                out.push(1);
            } else {
                gap += 1;
            }
        }
        if gap > 0 {
            out.push(gap);
        }
        start += len;
    }
    out
}

/// `[0-9][0-9][0-9]`: leftmost non-overlapping triples of ASCII digits.
fn split_ascii_digit_triples(cpts: &[char], offsets: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(offsets.len());
    let mut start = 0;
    for &len in offsets {
        let piece = cpts.get(start..start + len).unwrap_or_default();
        let (mut i, mut gap) = (0, 0);
        while i < piece.len() {
            let triple = piece.get(i..i + 3).is_some_and(|t| t.iter().all(char::is_ascii_digit));
            if triple {
                if gap > 0 {
                    out.push(gap);
                    gap = 0;
                }
                out.push(3);
                i += 3;
            } else {
                gap += 1;
                i += 1;
            }
        }
        if gap > 0 {
            out.push(gap);
        }
        start += len;
    }
    out
}

/// One piece being split: positions outside it read as "no character" (llama.cpp's
/// `OUT_OF_RANGE` and empty flags).
struct Piece<'a> {
    cpts: &'a [char],
    ini: usize,
    end: usize,
    prev_end: usize,
    out: &'a mut Vec<usize>,
}

impl Piece<'_> {
    fn cpt(&self, pos: usize) -> Option<char> {
        if self.ini <= pos && pos < self.end {
            self.cpts.get(pos).copied()
        } else {
            None
        }
    }

    fn flags(&self, pos: usize) -> Flags {
        self.cpt(pos).map(flags).unwrap_or_default()
    }

    /// Ends a word at `end`; returns its length.
    fn add(&mut self, end: usize) -> usize {
        let len = end - self.prev_end;
        if len > 0 {
            self.out.push(len);
        }
        self.prev_end = end;
        len
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d` at `pos` (lower-cased first when `fold`): the match length.
    fn contraction(&self, pos: usize, fold: bool) -> Option<usize> {
        let at = |p: usize| self.cpt(p).map(|c| if fold { c.to_ascii_lowercase() } else { c });
        if self.cpt(pos) != Some('\'') || pos + 1 >= self.end {
            return None;
        }
        let next = at(pos + 1);
        if matches!(next, Some('s' | 't' | 'm' | 'd')) {
            return Some(2);
        }
        if pos + 2 < self.end {
            let pair = (next, at(pos + 2));
            if matches!(pair, (Some('r'), Some('e')) | (Some('v'), Some('e')) | (Some('l'), Some('l'))) {
                return Some(3);
            }
        }
        None
    }
}

/// llama.cpp's `unicode_regex_split_custom_gpt2`.
fn split_gpt2(cpts: &[char], offsets: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(offsets.len());
    let mut start = 0;
    for &len in offsets {
        let mut p = Piece { cpts, ini: start, end: start + len, prev_end: start, out: &mut out };
        start += len;
        let mut pos = p.ini;
        while pos < p.end {
            let cpt = p.cpt(pos);
            let f = p.flags(pos);
            if let Some(n) = p.contraction(pos, false) {
                pos += p.add(pos + n);
                continue;
            }
            let space = usize::from(cpt == Some(' '));
            let mut f2 = if space == 1 { p.flags(pos + 1) } else { f };
            let other = |f: Flags| !(f.whitespace || f.is_letter() || f.is_number()) && f.is_some();
            if f2.is_letter() || f2.is_number() || other(f2) {
                let same: fn(Flags) -> bool = if f2.is_letter() {
                    Flags::is_letter
                } else if f2.is_number() {
                    Flags::is_number
                } else {
                    |f| !(f.whitespace || f.is_letter() || f.is_number()) && f.is_some()
                };
                pos += space;
                while same(f2) {
                    pos += 1;
                    f2 = p.flags(pos);
                }
                p.add(pos);
                continue;
            }
            let mut n_ws = 0;
            while p.flags(pos + n_ws).whitespace {
                n_ws += 1;
            }
            if n_ws > 1 && p.cpt(pos + n_ws).is_some() {
                pos += n_ws - 1;
                p.add(pos);
                continue;
            }
            if n_ws > 0 {
                pos += n_ws;
                p.add(pos);
                continue;
            }
            pos += 1;
            p.add(pos);
        }
    }
    out
}

/// llama.cpp's `unicode_regex_split_custom_llama3` (`max_digits` 3) and
/// `unicode_regex_split_custom_qwen2` (`max_digits` 1).
fn split_llama3(cpts: &[char], offsets: &[usize], max_digits: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(offsets.len());
    let mut start = 0;
    for &len in offsets {
        let mut p = Piece { cpts, ini: start, end: start + len, prev_end: start, out: &mut out };
        start += len;
        let mut pos = p.ini;
        while pos < p.end {
            let cpt = p.cpt(pos);
            let f = p.flags(pos);
            if let Some(n) = p.contraction(pos, true) {
                pos += p.add(pos + n);
                continue;
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            let newline = matches!(cpt, Some('\r' | '\n'));
            if !(newline || f.is_number()) && (f.is_letter() || p.flags(pos + 1).is_letter()) {
                pos += 1;
                while p.flags(pos).is_letter() {
                    pos += 1;
                }
                p.add(pos);
                continue;
            }
            // \p{N}{1,3} (or \p{N})
            if f.is_number() {
                let mut ini = pos;
                while p.flags(pos).is_number() {
                    pos += 1;
                    if pos - ini >= max_digits {
                        p.add(pos);
                        ini = pos;
                    }
                }
                p.add(pos);
                continue;
            }
            // <space>?[^\s\p{L}\p{N}]+[\r\n]*  (llama.cpp tests the first flags as given)
            let space = usize::from(cpt == Some(' '));
            let mut f2 = if space == 1 { p.flags(pos + 1) } else { f };
            let other = |f: Flags| !(f.whitespace || f.is_letter() || f.is_number());
            if other(f2) && f.is_some() {
                pos += space;
                while other(f2) && f2.is_some() {
                    pos += 1;
                    f2 = p.flags(pos);
                }
                while matches!(p.cpt(pos), Some('\r' | '\n')) {
                    pos += 1;
                }
                p.add(pos);
                continue;
            }
            let mut n_ws = 0;
            let mut last_newline_end = 0;
            while p.flags(pos + n_ws).whitespace {
                if matches!(p.cpt(pos + n_ws), Some('\r' | '\n')) {
                    last_newline_end = pos + n_ws + 1;
                }
                n_ws += 1;
            }
            // \s*[\r\n]+
            if last_newline_end > 0 {
                pos = last_newline_end;
                p.add(pos);
                continue;
            }
            // \s+(?!\S)
            if n_ws > 1 && p.cpt(pos + n_ws).is_some() {
                pos += n_ws - 1;
                p.add(pos);
                continue;
            }
            // \s+
            if n_ws > 0 {
                pos += n_ws;
                p.add(pos);
                continue;
            }
            pos += 1;
            p.add(pos);
        }
    }
    out
}
