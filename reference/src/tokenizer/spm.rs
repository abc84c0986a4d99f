//! SentencePiece-style tokenization (llama.cpp's `llm_tokenizer_spm_session`).
//!
//! The text (spaces already written as `▁`) starts as one symbol per character. Every pair
//! of neighbours whose concatenation is a token is queued by that token's score; the best
//! pair (highest score, then leftmost) merges, its new neighbours are queued, and so on
//! until no queued pair is still intact. Each final symbol is its token, or its bytes as
//! `<0xNN>` tokens.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::Vocab;

#[derive(Debug, Clone, Copy)]
struct Symbol {
    /// Byte range in the text; `len` 0 once merged into its left neighbour.
    start: usize,
    len: usize,
    prev: Option<usize>,
    next: Option<usize>,
}

/// A queued pair: `left` and the symbol after it, `len` bytes together.
#[derive(Debug, Clone, Copy)]
struct Bigram {
    score: f32,
    left: usize,
    right: usize,
    len: usize,
}

impl Ord for Bigram {
    /// The heap's greatest: highest score, then leftmost (llama.cpp's comparator).
    fn cmp(&self, other: &Self) -> Ordering {
        self.score.total_cmp(&other.score).then_with(|| other.left.cmp(&self.left))
    }
}

impl PartialOrd for Bigram {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Bigram {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Bigram {}

/// Appends the ids of `text` to `out`.
pub(super) fn tokenize(vocab: &Vocab, text: &str, out: &mut Vec<u32>) {
    let mut symbols: Vec<Symbol> = Vec::with_capacity(text.len());
    for (i, (start, c)) in text.char_indices().enumerate() {
        let len = c.len_utf8();
        let next = (start + len < text.len()).then_some(i + 1);
        symbols.push(Symbol { start, len, prev: i.checked_sub(1), next });
    }
    let mut queue = BinaryHeap::new();
    for i in 1..symbols.len() {
        push_pair(vocab, text, &symbols, Some(i - 1), Some(i), &mut queue);
    }
    while let Some(bigram) = queue.pop() {
        let (Some(&left), Some(&right)) = (symbols.get(bigram.left), symbols.get(bigram.right)) else { continue };
        // Skip pairs of which a side has merged since they were queued.
        if left.len == 0 || right.len == 0 || left.len + right.len != bigram.len {
            continue;
        }
        if let Some(l) = symbols.get_mut(bigram.left) {
            l.len += right.len;
            l.next = right.next;
        }
        if let Some(r) = symbols.get_mut(bigram.right) {
            r.len = 0;
        }
        if let Some(n) = right.next.and_then(|n| symbols.get_mut(n)) {
            n.prev = Some(bigram.left);
        }
        push_pair(vocab, text, &symbols, left.prev, Some(bigram.left), &mut queue);
        push_pair(vocab, text, &symbols, Some(bigram.left), right.next, &mut queue);
    }
    let mut at = (!symbols.is_empty()).then_some(0);
    while let Some(i) = at {
        let Some(sym) = symbols.get(i) else { break };
        let piece = text.get(sym.start..sym.start + sym.len).unwrap_or_default();
        match vocab.id(piece) {
            Some(id) => out.push(id),
            None => piece.bytes().for_each(|b| out.extend(byte_token(vocab, b))),
        }
        at = sym.next;
    }
}

/// Queues the pair `left`, `right` when their concatenation is a token.
fn push_pair(
    vocab: &Vocab,
    text: &str,
    symbols: &[Symbol],
    left: Option<usize>,
    right: Option<usize>,
    queue: &mut BinaryHeap<Bigram>,
) {
    let (Some(l), Some(r)) = (left, right) else { return };
    let (Some(ls), Some(rs)) = (symbols.get(l), symbols.get(r)) else { return };
    let len = ls.len + rs.len;
    let Some(id) = text.get(ls.start..ls.start + len).and_then(|t| vocab.id(t)) else { return };
    let score = vocab.scores.get(id as usize).copied().unwrap_or(0.0);
    queue.push(Bigram { score, left: l, right: r, len });
}

/// The token of byte `b`: `<0xNN>`, else the byte itself as a one-character token.
/// (llama.cpp throws when neither exists; the byte is dropped here.)
pub(super) fn byte_token(vocab: &Vocab, b: u8) -> Option<u32> {
    vocab.id(&format!("<0x{b:02X}>")).or_else(|| std::str::from_utf8(&[b]).ok().and_then(|s| vocab.id(s)))
}
