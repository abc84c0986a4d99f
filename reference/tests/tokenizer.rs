//! The tokenizer against llama.cpp: every prompt and string of
//! `fixtures/llama_cpp/gemma-3-270m-q4_k_m.json` id for id when `ROOFLINE_GEMMA_GGUF` names
//! the Gemma 3 270M file, and small SentencePiece and byte-level BPE vocabularies written
//! as GGUF files in the test (loading, encoding, decoding, errors).

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read;
use std::path::Path;

use roofline_gguf::{next_prefix_bytes, parse_header, GgufError, Header, Value, ValueType};
use roofline_reference::tokenizer::{PreTokenizer, Tokenizer, TokenizerError, TokenizerKind};
use serde_json::Value as Json;

#[path = "../../gguf/tests/gguf_writer/mod.rs"]
mod gguf_writer;
use gguf_writer::{s, u32v, Gguf, W};

/// The header of the file at `path` and the prefix it was parsed from.
fn read_prefix(path: &Path) -> (Header, Vec<u8>) {
    let mut file = std::fs::File::open(path).unwrap();
    let size = file.metadata().unwrap().len();
    let mut bytes = Vec::new();
    let mut want = 1 << 20;
    loop {
        let more = want - bytes.len() as u64;
        (&mut file).take(more).read_to_end(&mut bytes).unwrap();
        match parse_header(&bytes) {
            Ok(h) => return (h, bytes),
            Err(GgufError::NeedMore { needed_bytes }) => {
                want = next_prefix_bytes(bytes.len() as u64, needed_bytes, size)
            }
            Err(e) => panic!("{e}"),
        }
    }
}

fn ids(v: &Json) -> Vec<u32> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as u32).collect()
}

fn hex(bytes: &str) -> Vec<u8> {
    (0..bytes.len()).step_by(2).map(|i| u8::from_str_radix(&bytes[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn gemma3_270m_matches_llama_cpp() {
    let Some(path) = std::env::var_os("ROOFLINE_GEMMA_GGUF") else {
        println!("skipped: set ROOFLINE_GEMMA_GGUF to the Gemma 3 270M Q4_K_M .gguf to compare with llama.cpp");
        return;
    };
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/llama_cpp/gemma-3-270m-q4_k_m.json");
    let fixture: Json = serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    let (header, bytes) = read_prefix(Path::new(&path));
    let t = Tokenizer::from_gguf(&header, &bytes).unwrap();

    let vocab = &fixture["vocab"];
    assert_eq!(t.kind(), TokenizerKind::Spm);
    assert_eq!(t.vocab_size() as u64, vocab["n_vocab"].as_u64().unwrap());
    assert_eq!(t.bos_id().map(u64::from), vocab["bos"].as_u64());
    assert_eq!(t.eos_id().map(u64::from), vocab["eos"].as_u64());
    assert_eq!(t.add_bos_token(), vocab["add_bos"].as_bool().unwrap());
    assert_eq!(t.eog_ids(), ids(&vocab["eog"]), "<eos>, <end_of_turn> and </s> end generation");

    let mut failures = Vec::new();
    let mut checked = 0;
    for case in fixture["prompts"].as_array().unwrap() {
        let prompt = case["prompt"].as_str().unwrap();
        let got = t.encode(prompt, t.add_bos_token());
        if got != ids(&case["prompt_tokens"]) {
            failures.push(format!("prompt {prompt:?}: {got:?} != {}", case["prompt_tokens"]));
        }
        let text = t.decode(&ids(&case["tokens"]));
        if text != case["text"].as_str().unwrap() {
            failures.push(format!("generated text of {prompt:?}: {text:?} != {}", case["text"]));
        }
        checked += 2;
    }
    for case in fixture["tokenize_only"].as_array().unwrap() {
        let text = case["text"].as_str().unwrap();
        let plain = t.encode(text, false);
        if plain != ids(&case["tokens"]) {
            failures.push(format!("{text:?}: {plain:?} != {}", case["tokens"]));
        }
        let with_bos = t.encode(text, t.add_bos_token());
        if with_bos != ids(&case["tokens_with_bos"]) {
            failures.push(format!("{text:?} with BOS: {with_bos:?} != {}", case["tokens_with_bos"]));
        }
        let detok = t.decode_bytes(&ids(&case["tokens"]));
        if detok != hex(case["detok_hex"].as_str().unwrap()) {
            failures.push(format!("decode of {text:?}: {:?} != {}", String::from_utf8_lossy(&detok), case["detok"]));
        }
        if case["round_trips"].as_bool().unwrap() && t.decode(&t.encode(text, false)) != text {
            failures.push(format!("{text:?} does not round-trip"));
        }
        checked += 4;
    }
    for case in fixture["tokenize_random"].as_array().unwrap() {
        let text = case["text"].as_str().unwrap();
        let want = ids(&case["tokens"]);
        let got = t.encode(text, false);
        if got != want {
            failures.push(format!("{text:?}: {got:?} != {want:?}"));
        }
        let detok = case.get("detok_hex").map_or_else(|| text.as_bytes().to_vec(), |h| hex(h.as_str().unwrap()));
        if t.decode_bytes(&want) != detok {
            failures.push(format!("decode of {text:?}: {:?}", t.decode(&want)));
        }
        checked += 2;
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks differ from llama.cpp:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{checked} checks equal llama.cpp's");
}

/// A GGUF file holding only tokenizer metadata.
fn tokenizer_file(kv: Vec<(&str, W)>) -> Vec<u8> {
    Gguf::new(kv, vec![]).bytes()
}

fn strings<S: AsRef<str>>(items: &[S]) -> W {
    W::Arr(ValueType::String, items.iter().map(|t| s(t.as_ref())).collect())
}

fn i32s(items: &[i32]) -> W {
    W::Arr(ValueType::I32, items.iter().map(|&x| W::V(Value::I32(x))).collect())
}

fn f32s(items: &[f32]) -> W {
    W::Arr(ValueType::F32, items.iter().map(|&x| W::V(Value::F32(x))).collect())
}

fn load(bytes: &[u8]) -> Result<Tokenizer, TokenizerError> {
    Tokenizer::from_gguf(&parse_header(bytes).unwrap(), bytes)
}

/// Byte-level BPE against llama.cpp on a vocabulary trained by the fixture script (no
/// Llama 3 or Qwen file is at hand): five pre-tokenizers, 184 strings each.
#[test]
fn bpe_matches_llama_cpp_on_a_synthetic_vocabulary() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/llama_cpp/bpe-synthetic.json");
    let fixture: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let tokens: Vec<&str> = fixture["tokens"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    let types: Vec<i32> =
        fixture["token_type"].as_array().unwrap().iter().map(|t| t.as_i64().unwrap() as i32).collect();
    let merges: Vec<&str> = fixture["merges"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    let texts: Vec<&str> = fixture["strings"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    let bos = fixture["bos"].as_u64().unwrap() as u32;
    let expected_pre = [
        ("default", PreTokenizer::Default),
        ("llama-bpe", PreTokenizer::Llama3),
        ("qwen2", PreTokenizer::Qwen2),
        ("smollm", PreTokenizer::StarCoder),
        ("gpt-2", PreTokenizer::Gpt2),
    ];
    let mut failures = Vec::new();
    for (pre, kind) in expected_pre {
        let bytes = tokenizer_file(vec![
            ("tokenizer.ggml.model", s("gpt2")),
            ("tokenizer.ggml.pre", s(pre)),
            ("tokenizer.ggml.tokens", strings(&tokens)),
            ("tokenizer.ggml.token_type", i32s(&types)),
            ("tokenizer.ggml.merges", strings(&merges)),
            ("tokenizer.ggml.bos_token_id", u32v(bos)),
            ("tokenizer.ggml.eos_token_id", u32v(bos)),
        ]);
        let t = load(&bytes).unwrap();
        let want = &fixture["pre"][pre];
        assert_eq!((t.kind(), t.pre_tokenizer()), (TokenizerKind::Bpe, Some(kind)));
        assert_eq!(t.add_bos_token(), want["add_bos"].as_bool().unwrap(), "{pre}");
        assert_eq!(t.eog_ids(), ids(&want["eog"]), "{pre}: <|endoftext|> and <|im_end|>");
        for (text, case) in texts.iter().zip(want["cases"].as_array().unwrap()) {
            let ids_want = ids(&case["tokens"]);
            let got = t.encode(text, false);
            if got != ids_want {
                failures.push(format!("{pre} {text:?}: {got:?} != {ids_want:?}"));
            }
            if t.encode(text, true).first() != Some(&bos) {
                failures.push(format!("{pre} {text:?}: no BOS"));
            }
            let detok = case.get("detok_hex").map_or_else(|| text.as_bytes().to_vec(), |h| hex(h.as_str().unwrap()));
            if t.decode_bytes(&ids_want) != detok {
                failures.push(format!("{pre} decode of {text:?}: {:?}", t.decode(&ids_want)));
            }
        }
    }
    assert!(failures.is_empty(), "{} differences from llama.cpp:\n{}", failures.len(), failures.join("\n"));
}

/// A SentencePiece vocabulary: `▁` for spaces, merges by score, byte fallback, a
/// user-defined token cut out first, the space prefix added and removed again.
fn spm_file(extra: Vec<(&str, W)>) -> Vec<u8> {
    let mut texts = vec!["<unk>", "<s>", "</s>", "<0x0A>", "<0xC3>", "<0xA9>", "\u{2581}", "a", "b", "c"];
    texts.extend(["\u{2581}a", "ab", "\u{2581}ab", "bc", "<u>"]);
    let scores = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0, -2.0, -3.0, -4.0, -5.0, -6.0, -7.0, -1.5, 0.0];
    let types = [2, 3, 3, 6, 6, 6, 1, 1, 1, 1, 1, 1, 1, 1, 4];
    let mut kv = vec![
        ("tokenizer.ggml.model", s("llama")),
        ("tokenizer.ggml.tokens", strings(&texts)),
        ("tokenizer.ggml.scores", f32s(&scores)),
        ("tokenizer.ggml.token_type", i32s(&types)),
    ];
    kv.extend(extra);
    tokenizer_file(kv)
}

#[test]
fn spm_vocabulary_written_as_gguf() {
    let t = load(&spm_file(vec![])).unwrap();
    assert_eq!(
        (t.kind(), t.vocab_size(), t.bos_id(), t.eos_id(), t.add_bos_token()),
        (TokenizerKind::Spm, 15, Some(1), Some(2), true)
    );
    // "▁abc": "bc" (-1.5) merges before "▁a" (-5), then nothing joins "▁a" and "bc".
    assert_eq!(t.encode("abc", false), vec![10, 13]);
    assert_eq!(t.encode("ab", true), vec![1, 12]);
    // é has no token: its two bytes; the newline falls back to <0x0A>.
    assert_eq!(t.encode("é\n", false), vec![6, 4, 5, 3]);
    // "<u>" is cut out before tokenizing; the text after it gets a space prefix again.
    assert_eq!(t.encode("a<u>b", false), vec![10, 14, 6, 8]);
    assert_eq!(t.decode(&[10, 13]), "abc");
    assert_eq!(t.decode(&[6, 4, 5, 3]), "é\n");
    assert_eq!(t.decode(&[1, 10, 14, 2]), " a<u>");
    assert_eq!(t.token_bytes(10), b" a");
    assert_eq!(t.token_bytes(99), b"");
    assert!(t.is_eog(2) && !t.is_eog(1));
    assert_eq!(t.encode("", true), vec![1]);
    assert!(t.encode("", false).is_empty());

    let no_prefix = load(&spm_file(vec![
        ("tokenizer.ggml.add_space_prefix", W::V(Value::Bool(false))),
        ("tokenizer.ggml.add_bos_token", W::V(Value::Bool(false))),
        ("tokenizer.ggml.bos_token_id", u32v(2)),
        ("tokenizer.ggml.eos_token_id", u32v(99)),
    ]))
    .unwrap();
    assert_eq!(no_prefix.encode("ab", false), vec![11]);
    assert_eq!(no_prefix.encode(" ab", true), vec![2, 12]);
    assert_eq!(no_prefix.decode(&[12]), " ab");
    assert!(!no_prefix.add_bos_token());
    assert_eq!(no_prefix.eos_id(), Some(2), "an id past the vocabulary keeps the default");
}

#[test]
fn bad_tokenizer_metadata_is_refused_precisely() {
    let base = |model: &str| {
        vec![
            ("tokenizer.ggml.model", s(model)),
            ("tokenizer.ggml.tokens", strings(&["a", "b"])),
            ("tokenizer.ggml.merges", strings(&["a b"])),
        ]
    };
    let with = |mut kv: Vec<(&'static str, W)>, extra: Vec<(&'static str, W)>| {
        kv.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        kv.extend(extra);
        load(&tokenizer_file(kv))
    };
    assert!(load(&tokenizer_file(base("gpt2"))).is_ok());
    assert_eq!(
        load(&tokenizer_file(vec![("tokenizer.ggml.tokens", strings(&["a"]))])).unwrap_err(),
        TokenizerError::Missing { key: "tokenizer.ggml.model" }
    );
    assert_eq!(
        load(&tokenizer_file(base("bert"))).unwrap_err(),
        TokenizerError::UnsupportedModel { model: "bert".into() }
    );
    assert_eq!(
        with(base("gpt2"), vec![("tokenizer.ggml.pre", s("tekken"))]).unwrap_err(),
        TokenizerError::UnsupportedPreTokenizer { pre: "tekken".into() }
    );
    assert_eq!(
        load(&tokenizer_file(vec![("tokenizer.ggml.model", s("gpt2")), ("tokenizer.ggml.tokens", strings(&["a"]))]))
            .unwrap_err(),
        TokenizerError::Missing { key: "tokenizer.ggml.merges" }
    );
    assert_eq!(
        with(base("llama"), vec![("tokenizer.ggml.scores", f32s(&[0.0]))]).unwrap_err(),
        TokenizerError::TooShort { key: "tokenizer.ggml.scores", len: 1, tokens: 2 }
    );
    assert_eq!(
        with(base("llama"), vec![("tokenizer.ggml.token_type", f32s(&[1.0, 1.0]))]).unwrap_err(),
        TokenizerError::WrongType { key: "tokenizer.ggml.token_type", expected: "an array of i32" }
    );
    assert_eq!(
        with(base("llama"), vec![("tokenizer.ggml.tokens", s("a"))]).unwrap_err(),
        TokenizerError::Gguf(GgufError::WrongType {
            key: "tokenizer.ggml.tokens".into(),
            expected: "an array",
            found: "String".into()
        })
    );
    assert_eq!(
        with(base("llama"), vec![("tokenizer.ggml.tokens", strings(&["a", "b", "a"]))]).unwrap_err(),
        TokenizerError::DuplicateToken { id: 2, text: "a".into() }
    );
    assert_eq!(
        with(base("llama"), vec![("tokenizer.ggml.tokens", strings::<&str>(&[]))]).unwrap_err(),
        TokenizerError::EmptyVocabulary
    );
    // Bytes that stop inside the token list: the prefix needed, as the header parser says it.
    let bytes = tokenizer_file(base("llama"));
    let h = parse_header(&bytes).unwrap();
    let err = Tokenizer::from_gguf(&h, &bytes[..bytes.len() / 2]).unwrap_err();
    assert!(matches!(err, TokenizerError::Gguf(GgufError::NeedMore { .. })), "{err:?}");
    assert!(err.to_string().contains("need at least"), "{err}");
}
