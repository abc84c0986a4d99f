//! Seeds of the `tokenizer` target: `[variant][flags][n][n bytes of words][text]`, one per
//! tokenizer variant (the order of `VARIANTS` in `fuzz_targets/tokenizer.rs`), plain texts,
//! long runs, and two "loose" ones.

use crate::{corpus, write};

/// Seed names in the order of the target's `VARIANTS`.
const VARIANTS: [&str; 9] = [
    "spm_prefix",
    "spm_plain",
    "bpe_default",
    "bpe_gpt2",
    "bpe_trillion",
    "bpe_llama3",
    "bpe_dbrx",
    "bpe_qwen2",
    "bpe_smollm",
];

/// Flag bits of the target.
const USER_DEFINED: u8 = 1;
const LOOSE: u8 = 2;
const PHI3: u8 = 4;

/// Words of a vocabulary, `<`-separated; a leading 0x7F marks a user-defined token.
const BPE_WORDS: &[&str] =
    &["the", " the", "ing", " world", "Hello", "123", "'s", "é", "東京", " 🚀", "\x7fHTML", "\x7f\n\n\n", "\x7f\t\t"];
const SPM_WORDS: &[&str] =
    &["the", " the", "\u{2581}wor", " world", "ing", "Hello", "é", "東", "12", "\x7fHTML", "\x7f\n\n\n", "\x7f\t\t"];

/// Contractions, digit runs, newlines, punctuation after spaces, non-Latin letters and
/// digits, an emoji, user-defined text, tabs and `▁`.
const TEXT: &str =
    "Hello world's 123  x\n\nI'M 12345 don't\r\n\r\n  end. HTML the東京 é 🚀 a ,b !\t\tok ٣٤ a`b \u{2581}x";

fn seed(variant: usize, flags: u8, words: &[&str], text: &str) -> Vec<u8> {
    let words = words.join("<");
    let n = u8::try_from(words.len()).unwrap();
    let mut out = vec![u8::try_from(variant).unwrap(), flags, n];
    out.extend_from_slice(words.as_bytes());
    out.extend_from_slice(text.as_bytes());
    out
}

pub fn seeds() {
    let dir = corpus("tokenizer");
    for (i, name) in VARIANTS.iter().enumerate() {
        let words = if name.starts_with("spm") { SPM_WORDS } else { BPE_WORDS };
        write(&dir, &format!("{name}.bin"), &seed(i, USER_DEFINED, words, TEXT));
    }
    // Without user-defined tokens, and text without a space before punctuation: the
    // space-cleaning decoders give the text back too.
    write(&dir, "spm_prefix_plain_text.bin", &seed(0, 0, SPM_WORDS, "Hello world\nthe end"));
    write(&dir, "bpe_gpt2_plain_text.bin", &seed(3, 0, BPE_WORDS, "Hello world's 123 \u{00e9}\n"));
    // Long runs of one class (spaces, newlines, digits, letters, punctuation, emoji,
    // contractions, `▁`), so that mutations start from inputs of some kilobytes: without
    // them libFuzzer grows the length only slowly from the largest seed.
    let runs = [" ".repeat(300), "\r\n".repeat(100), "7".repeat(400), "x".repeat(600), "!".repeat(200)];
    let runs =
        [runs.concat(), "🚀".repeat(100), "'s ".repeat(100), "a\u{2581}".repeat(100), "\t\t".repeat(50)].concat();
    write(&dir, "bpe_llama3_long_runs.bin", &seed(5, USER_DEFINED, BPE_WORDS, &runs));
    write(&dir, "spm_prefix_long_runs.bin", &seed(0, USER_DEFINED, SPM_WORDS, &runs));
    // Raw words, odd token types, merges across words; Phi-3's space-swallowing specials.
    // (`<` separates words, so none holds one.)
    let loose: &[&str] = &["s>", "[EOT]", "\x7f/s> ", "ab", "a b", "\x7f\u{2581}x", "\u{0}\u{1}\u{2}\u{3}"];
    write(&dir, "loose_spm.bin", &seed(1, USER_DEFINED | LOOSE, loose, TEXT));
    write(&dir, "loose_bpe_phi3.bin", &seed(5, USER_DEFINED | LOOSE | PHI3, loose, TEXT));
}
