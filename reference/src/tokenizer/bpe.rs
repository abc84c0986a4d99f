//! Byte-level BPE (llama.cpp's `llm_tokenizer_bpe_session`).
//!
//! Each pre-tokenized word is written byte by byte as GPT-2's printable characters, starts
//! as one symbol per character, and merges the pair of neighbours with the lowest merge
//! rank (then the leftmost) until no listed pair remains. Each final symbol is its token;
//! a symbol without one falls back to single-byte tokens.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use super::pretokenize::PreTokenizer;
use super::unicode::byte_to_char;
use super::Vocab;

/// The merge table and the pre-tokenizer.
#[derive(Debug, Clone)]
pub(super) struct Bpe {
    pub pre: PreTokenizer,
    /// Rank of each merge `(left, right)`: its line in `tokenizer.ggml.merges`.
    pub ranks: HashMap<(String, String), u32>,
    /// A word that is a token as a whole is taken as it is (Llama 3's `ignore_merges`).
    pub ignore_merges: bool,
}

#[derive(Debug, Clone, Copy)]
struct Symbol {
    start: usize,
    len: usize,
    prev: Option<usize>,
    next: Option<usize>,
}

#[derive(Debug, Clone)]
struct Bigram {
    rank: u32,
    left: usize,
    right: usize,
    text: String,
}

impl Ord for Bigram {
    /// The heap's greatest: lowest rank, then leftmost (llama.cpp's comparator).
    fn cmp(&self, other: &Self) -> Ordering {
        other.rank.cmp(&self.rank).then_with(|| other.left.cmp(&self.left))
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

impl Bpe {
    /// Appends the ids of `text` to `out`.
    pub(super) fn tokenize(&self, vocab: &Vocab, text: &str, out: &mut Vec<u32>) {
        for word in self.pre.split(text) {
            let encoded: String = word.bytes().map(byte_to_char).collect();
            for piece in self.merge(vocab, &encoded) {
                match vocab.id(piece) {
                    Some(id) => out.push(id),
                    // llama.cpp looks each raw byte up as a one-byte token text.
                    None => piece.bytes().for_each(|b| {
                        out.extend(std::str::from_utf8(&[b]).ok().and_then(|s| vocab.id(s)));
                    }),
                }
            }
        }
    }

    /// The merged pieces of one byte-encoded word.
    fn merge<'w>(&self, vocab: &Vocab, word: &'w str) -> Vec<&'w str> {
        if word.is_empty() {
            return Vec::new();
        }
        if self.ignore_merges && vocab.id(word).is_some() {
            return vec![word];
        }
        let mut symbols: Vec<Symbol> = Vec::with_capacity(word.len());
        for (i, (start, c)) in word.char_indices().enumerate() {
            let len = c.len_utf8();
            let next = (start + len < word.len()).then_some(i + 1);
            symbols.push(Symbol { start, len, prev: i.checked_sub(1), next });
        }
        let mut queue = BinaryHeap::new();
        for i in 1..symbols.len() {
            self.push_pair(word, &symbols, Some(i - 1), Some(i), &mut queue);
        }
        while let Some(bigram) = queue.pop() {
            let (Some(&left), Some(&right)) = (symbols.get(bigram.left), symbols.get(bigram.right)) else { continue };
            if left.len == 0 || right.len == 0 {
                continue;
            }
            // Skip pairs of which a side has changed since they were queued.
            let joined = word.get(left.start..left.start + left.len + right.len);
            if left.start + left.len != right.start || joined != Some(bigram.text.as_str()) {
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
            self.push_pair(word, &symbols, left.prev, Some(bigram.left), &mut queue);
            self.push_pair(word, &symbols, Some(bigram.left), right.next, &mut queue);
        }
        symbols.iter().filter(|s| s.len > 0).filter_map(|s| word.get(s.start..s.start + s.len)).collect()
    }

    fn push_pair(
        &self,
        word: &str,
        symbols: &[Symbol],
        left: Option<usize>,
        right: Option<usize>,
        queue: &mut BinaryHeap<Bigram>,
    ) {
        let (Some(l), Some(r)) = (left, right) else { return };
        let (Some(ls), Some(rs)) = (symbols.get(l), symbols.get(r)) else { return };
        let (Some(lt), Some(rt)) = (word.get(ls.start..ls.start + ls.len), word.get(rs.start..rs.start + rs.len))
        else {
            return;
        };
        if let Some(&rank) = self.ranks.get(&(lt.to_owned(), rt.to_owned())) {
            queue.push(Bigram { rank, left: l, right: r, text: format!("{lt}{rt}") });
        }
    }
}
