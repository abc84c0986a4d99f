//! The algorithms on tiny hand-made vocabularies (no model file needed); the whole
//! tokenizer is compared with llama.cpp in `reference/tests/tokenizer.rs`.

use super::load::{build, Spec};
use super::pretokenize::PreTokenizer;
use super::Tokenizer;

/// A SentencePiece vocabulary of `(text, score, token type)`.
fn spm(tokens: &[(&str, f32, i32)], add_space_prefix: bool) -> Tokenizer {
    build(Spec {
        model: "llama".into(),
        tokens: tokens.iter().map(|t| t.0.to_owned()).collect(),
        scores: Some(tokens.iter().map(|t| t.1).collect()),
        token_types: Some(tokens.iter().map(|t| t.2).collect()),
        add_space_prefix: Some(add_space_prefix),
        ..Spec::default()
    })
    .unwrap()
}

/// A byte-level BPE vocabulary and its merges, in rank order.
fn bpe(pre: &str, tokens: &[&str], merges: &[&str]) -> Tokenizer {
    build(Spec {
        model: "gpt2".into(),
        pre: Some(pre.into()),
        tokens: tokens.iter().map(|&t| t.to_owned()).collect(),
        merges: Some(merges.iter().map(|&m| m.to_owned()).collect()),
        ..Spec::default()
    })
    .unwrap()
}

fn split(pre: PreTokenizer, text: &str) -> Vec<String> {
    pre.split(text)
}

#[test]
fn spm_merges_the_best_score_first_then_the_leftmost() {
    let t = spm(&[("<unk>", 0.0, 2), ("a", -1.0, 1), ("aa", -2.0, 1), ("b", -1.0, 1), ("ab", -3.0, 1)], false);
    // Equal scores: the leftmost pair merges.
    assert_eq!(t.encode("aaa", false), vec![2, 1]);
    assert_eq!(t.encode("bab", false), vec![3, 4]);
    // "aa" (-2) beats "ab" (-3); then "aa" + "b" is no token.
    assert_eq!(t.encode("aab", false), vec![2, 3]);
    assert_eq!(t.decode(&[2, 3]), "aab");
}

#[test]
fn spm_falls_back_to_byte_tokens_and_marks_spaces() {
    let mut tokens = vec![("<unk>", 0.0, 2), ("<s>", 0.0, 3), ("</s>", 0.0, 3), ("\u{2581}", -1.0, 1), ("x", -1.0, 1)];
    tokens.extend([("\u{2581}x", -0.5, 1), ("<0xE2>", 0.0, 6), ("<0x82>", 0.0, 6), ("<0xAC>", 0.0, 6)]);
    let t = spm(&tokens, true);
    assert_eq!(t.encode("x", true), vec![1, 5]);
    assert_eq!(t.encode("x x", false), vec![5, 5]);
    // "€" has no token: its three UTF-8 bytes; "▁" starts the text (the space prefix).
    assert_eq!(t.encode("€", false), vec![3, 6, 7, 8]);
    assert_eq!(t.decode(&[3, 6, 7, 8]), "€", "the prefix space is dropped again");
    assert_eq!(t.decode(&[5, 5]), "x x");
    assert_eq!(t.decode(&[6, 7]), "\u{FFFD}", "a cut character decodes lossily");
    assert_eq!(t.decode_bytes(&[6, 7]), vec![0xE2, 0x82]);
}

#[test]
fn bpe_merges_by_rank_not_by_length() {
    let tokens = ["a", "b", "c", "Ġ", "ab", "bc", "Ġa", "Ãĥ", "Ã©"];
    let t = bpe("gpt-2", &tokens, &["b c", "a b", "Ġ a", "Ã ©"]);
    // "b c" outranks "a b".
    assert_eq!(t.encode("abc", false), vec![0, 5]);
    // "a b" outranks "Ġ a": " ab" ends as "Ġ" + "ab".
    assert_eq!(t.encode(" ab", false), vec![3, 4]);
    assert_eq!(t.encode(" a", false), vec![6]);
    // é is written "Ã©" byte by byte and merges; ü ("Ã¼") has no token and is dropped, as in llama.cpp.
    assert_eq!(t.encode("é", false), vec![8]);
    assert_eq!(t.encode("ü", false), Vec::<u32>::new());
    assert_eq!(t.decode(&[3, 4, 8]), " abé");
    assert_eq!(t.decode_bytes(&[7]), vec![0xC3, 0x83], "Ã and ĥ stand for the bytes C3 and 83");
    assert_eq!(t.decode(&[7]), "Ã");
}

#[test]
fn bpe_decoding_cleans_spaces_like_llama_cpp() {
    let t = bpe("gpt-2", &["a", "Ġ,", "Ġ.", "Ġ'", "s", "Ġ'm", "Ġ't"], &[]);
    assert_eq!(t.decode(&[0, 1, 0, 2]), "a,a.");
    assert_eq!(t.decode(&[0, 3, 4]), "a's");
    assert_eq!(t.decode(&[0, 5, 0, 6]), "a'ma 't");
    let qwen = bpe("qwen2", &["a", "Ġ,"], &[]);
    assert_eq!(qwen.decode(&[0, 1]), "a ,", "Qwen 2 does not clean spaces");
}

#[test]
fn llama3_takes_whole_words_that_are_tokens() {
    let tokens = ["h", "e", "y", "he", "hey"];
    // No merge makes "hey", but Llama 3 takes a word that is a token as it is.
    assert_eq!(bpe("llama-bpe", &tokens, &["h e"]).encode("hey", false), vec![4]);
    assert_eq!(bpe("gpt-2", &tokens, &["h e"]).encode("hey", false), vec![3, 2]);
    assert!(bpe("llama-bpe", &tokens, &[]).add_bos_token());
    assert!(!bpe("gpt-2", &tokens, &[]).add_bos_token());
}

#[test]
fn gpt2_splits_contractions_words_numbers_and_spaces() {
    let words = split(PreTokenizer::Gpt2, "Hello world's 123  x\n\n");
    assert_eq!(words, ["Hello", " world", "'s", " 123", " ", " x", "\n\n"]);
    assert_eq!(split(PreTokenizer::Gpt2, "IT'S a+b"), ["IT", "'", "S", " a", "+", "b"]);
    assert_eq!(split(PreTokenizer::Gpt2, ""), Vec::<String>::new());
}

#[test]
fn llama3_splits_digits_by_three_and_keeps_newlines_together() {
    let words = split(PreTokenizer::Llama3, "I'M 12345 don't\r\n\r\n  end");
    assert_eq!(words, ["I", "'M", " ", "123", "45", " don", "'t", "\r\n\r\n", " ", " end"]);
    assert_eq!(split(PreTokenizer::Llama3, "x.y!!\n\nz"), ["x", ".y", "!!\n\n", "z"]);
    assert_eq!(split(PreTokenizer::Qwen2, "a12345"), ["a", "1", "2", "3", "4", "5"]);
}

#[test]
fn default_and_starcoder_split_punctuation_and_digits_first() {
    let words = split(PreTokenizer::Default, "Hello, world!!! 12345 ٣٤ a`b");
    assert_eq!(words, ["Hello", ",", " world", "!!!", " ", "123", "45", " ", "٣٤", " a", "`", "b"]);
    assert_eq!(split(PreTokenizer::StarCoder, "abc123 x1"), ["abc", "1", "2", "3", " x", "1"]);
}
