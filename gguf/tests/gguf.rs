//! GGUF header parsing: a small writer builds v1–v3 files in memory; round trips into
//! `Header` and `ModelSpec`, every error, every truncation, the `NeedMore` protocol, random
//! bytes and mutations, the Node fixture script, and (when `ROOFLINE_GEMMA_GGUF` names it) a
//! real Gemma 3 270M file.

// The helpers below are test code too: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read;

use roofline_core::model::SlidingWindow;
use roofline_core::quant::QuantScheme;
use roofline_gguf::{
    model_from_header, next_prefix_bytes, parse_header, parse_header_in_file, GgufError, Header, Value, ValueType,
    ARRAY_HEAD_LEN,
};

mod gguf_writer;
use gguf_writer::*;

#[test]
fn llama_round_trips_into_header_and_model() {
    let g = llama();
    let bytes = g.bytes();
    let h = parse_header(&bytes).unwrap();
    assert_eq!((h.version, h.alignment, h.metadata.len(), h.tensors.len()), (3, 32, 15, 21));
    assert_eq!(h.data_start % 32, 0);
    assert!(h.data_start >= h.header_bytes && h.data_start - h.header_bytes < 32);
    assert_eq!(h.data_end_bytes(), Some(bytes.len() as u64));
    assert_eq!(h.get_str("general.architecture"), Some("llama"));
    assert_eq!(h.get_u64("llama.block_count"), Some(2));
    assert_eq!(h.get_f64("llama.rope.freq_base"), Some(500000.0));
    assert_eq!(h.get_bool("tokenizer.ggml.add_bos_token"), Some(true));
    assert_eq!(h.array_len("tokenizer.ggml.tokens"), Some(300));
    let tokens = h.get("tokenizer.ggml.tokens").unwrap().as_array().unwrap();
    assert_eq!((tokens.element_type, tokens.head.len()), (ValueType::String, ARRAY_HEAD_LEN));
    assert_eq!(tokens.head[15], Value::String("tok15".into()));
    let q = h.tensor("blk.1.attn_q.weight").unwrap();
    assert_eq!((q.dims.clone(), q.ggml_type, q.type_name()), (vec![256, 256], Q4_K, Some("Q4_K")));

    let m = model_from_header(&h, bytes.len() as u64).unwrap();
    let sp = &m.spec;
    assert_eq!(
        (sp.id.as_str(), sp.name.as_str(), sp.family.as_str()),
        ("gguf-tiny-llama-2l", "Tiny Llama 2L", "llama")
    );
    assert_eq!((sp.layers, sp.hidden_size, sp.heads, sp.kv_heads, sp.head_dim), (2, 256, 4, 2, 64));
    assert_eq!((sp.ffn_size, sp.vocab_size, sp.max_context, sp.tied_embeddings), (768, 300, 2048, false));
    assert_eq!((m.quant_guess, sp.default_quant.as_str()), (Some(QuantScheme::Q4_K_M), "Q4_K_M"));
    assert_eq!(sp.params_total_b, h.total_elements() as f64 / 1e9);
    assert!((sp.derived_params_b() / sp.params_total_b - 1.0).abs() < 0.01);
    assert!(sp.sources[0].title.contains("read from the GGUF header of Tiny Llama 2L"));
    assert!(m.missing.is_empty() && m.notes.is_empty(), "{:?} {:?}", m.missing, m.notes);
    let json = serde_json::to_string(sp).unwrap();
    assert_eq!(&roofline_core::catalog::parse_model_json(&json).unwrap(), sp);
    estimates(sp);
}

#[test]
fn every_value_type_round_trips_and_long_arrays_keep_their_head() {
    let scalars = [
        Value::U8(200),
        Value::I8(-5),
        Value::U16(60000),
        Value::I16(-300),
        Value::U32(4_000_000_000),
        Value::I32(-70000),
        Value::F32(1.5),
        Value::Bool(false),
        Value::String("héllo".into()),
        Value::U64(1 << 40),
        Value::I64(-(1 << 40)),
        Value::F64(0.25),
    ];
    let mut kv: Vec<(String, W)> =
        scalars.iter().enumerate().map(|(i, v)| (format!("k.{i}"), W::V(v.clone()))).collect();
    let nested = W::Arr(ValueType::Array, vec![W::Arr(ValueType::I16, vec![W::V(Value::I16(7))]); 20]);
    kv.push(("k.nested".into(), nested));
    kv.push(("k.big".into(), W::Arr(ValueType::U64, (0..1000).map(|i| W::V(Value::U64(i))).collect())));
    for version in [1, 2, 3] {
        let g = Gguf { version, alignment: 32, kv: kv.clone(), tensors: vec![t("x", &[3, 5], F32)] };
        let h = parse_header(&g.bytes()).unwrap();
        assert_eq!(h.version, version);
        for (i, v) in scalars.iter().enumerate() {
            assert_eq!(h.get(&format!("k.{i}")), Some(v));
        }
        assert_eq!(h.get_u64("k.1"), None);
        assert_eq!(h.get_f64("k.1"), Some(-5.0));
        assert_eq!(h.get_u64("k.4"), Some(4_000_000_000));
        let nested = h.get("k.nested").unwrap().as_array().unwrap();
        assert_eq!((nested.len, nested.head.len()), (20, 16));
        assert_eq!(nested.head[3].as_array().unwrap().head, vec![Value::I16(7)]);
        let big = h.get("k.big").unwrap();
        assert_eq!(h.array_len("k.big"), Some(1000));
        assert_eq!(big.as_array().unwrap().head[15], Value::U64(15));
        assert!(big.to_string().ends_with("15, … 984 more]"), "{big}");
        assert_eq!(h.tensors[0].dims, vec![3, 5]);
    }
}

#[test]
fn gemma3_reads_its_sliding_window_pattern_and_tied_embeddings() {
    let kv = vec![
        ("general.architecture", s("gemma3")),
        ("general.name", s("Tiny Gemma 3")),
        ("general.file_type", u32v(7)),
        ("gemma3.block_count", u32v(6)),
        ("gemma3.context_length", u32v(32768)),
        ("gemma3.embedding_length", u32v(256)),
        ("gemma3.feed_forward_length", u32v(512)),
        ("gemma3.attention.head_count", u32v(4)),
        ("gemma3.attention.head_count_kv", u32v(1)),
        ("gemma3.attention.key_length", u32v(128)),
        ("gemma3.attention.value_length", u32v(128)),
        ("gemma3.attention.sliding_window", u32v(512)),
        ("tokenizer.ggml.tokens", tokens(400)),
    ];
    let (_, sp, missing, notes) = build(&Gguf::new(kv, dense_tensors(6, 256, 512, 128, 512, 400, false)));
    assert_eq!((sp.heads, sp.kv_heads, sp.head_dim, sp.tied_embeddings), (4, 1, 128, true));
    assert_eq!(sp.sliding_window, Some(SlidingWindow { window_tokens: 512, global_every_n_layers: 6 }));
    assert_eq!(sp.default_quant, "Q8_0");
    assert!((0..5).all(|l| sp.is_local_layer(l)) && !sp.is_local_layer(5));
    assert!(missing.is_empty() && notes.is_empty(), "{missing:?} {notes:?}");
    estimates(&sp);
}

#[test]
fn moe_counts_experts_and_active_parameters() {
    let kv = vec![
        ("general.architecture", s("qwen3moe")),
        ("general.name", s("Tiny MoE")),
        ("general.file_type", u32v(17)),
        ("qwen3moe.block_count", u32v(3)),
        ("qwen3moe.context_length", u32v(40960)),
        ("qwen3moe.embedding_length", u32v(256)),
        ("qwen3moe.feed_forward_length", u32v(1024)),
        ("qwen3moe.attention.head_count", u32v(4)),
        ("qwen3moe.attention.head_count_kv", u32v(2)),
        ("qwen3moe.attention.key_length", u32v(64)),
        ("qwen3moe.expert_count", u32v(8)),
        ("qwen3moe.expert_used_count", u32v(2)),
        ("qwen3moe.expert_feed_forward_length", u32v(256)),
        ("tokenizer.ggml.tokens", tokens(500)),
    ];
    let (h, sp, missing, notes) = build(&Gguf::new(kv, moe_tensors(3, 256, 8, 256, 500)));
    let moe = sp.moe.unwrap();
    assert_eq!((moe.experts, moe.active_experts, moe.expert_ffn_size, moe.shared_experts), (8, 2, 256, 0));
    assert_eq!((moe.leading_dense_layers, moe.interleave_step, sp.default_quant.as_str()), (0, 1, "Q5_K_M"));
    let experts = 3.0 * 3.0 * 256.0 * 256.0 * 8.0;
    let active = sp.params_active_b.unwrap();
    assert!((active - (h.total_elements() as f64 - experts * 0.75) / 1e9).abs() < 1e-12);
    assert!(missing.is_empty(), "{missing:?} {notes:?}");
    estimates(&sp);

    // Without the expert keys, the router and expert tensors tell the same story.
    let kv = vec![
        ("general.architecture", s("qwen3moe")),
        ("qwen3moe.block_count", u32v(3)),
        ("qwen3moe.embedding_length", u32v(256)),
        ("qwen3moe.attention.head_count", u32v(4)),
        ("qwen3moe.attention.head_count_kv", u32v(2)),
    ];
    let m =
        model_from_header(&parse_header(&Gguf::new(kv, moe_tensors(3, 256, 8, 256, 500)).bytes()).unwrap(), 0).unwrap();
    let moe = m.spec.moe.unwrap();
    assert_eq!((moe.experts, moe.active_experts, moe.expert_ffn_size), (8, 2, 256));
    assert_eq!((m.spec.name.as_str(), m.spec.id.as_str(), m.spec.vocab_size), ("GGUF model", "gguf-model", 500));
    let text = m.missing.join("\n");
    for expect in [
        "expert_count (qwen3moe.expert_count) missing: blk.0.ffn_gate_inp.weight routes to 8 experts",
        "expert_used_count (qwen3moe.expert_used_count) missing: defaulted to 2",
        "expert_feed_forward_length (qwen3moe.expert_feed_forward_length) missing: read from blk.0.ffn_up_exps.weight",
        "context_length (qwen3moe.context_length) missing: defaulted to 4096 tokens",
        "name (general.name) missing",
        "guessed Q4_K_M from the tensor types",
    ] {
        assert!(text.contains(expect), "{expect} not in\n{text}");
    }
    estimates(&m.spec);
}

#[test]
fn deepseek2_reads_latent_attention() {
    let kv = vec![
        ("general.architecture", s("deepseek2")),
        ("general.name", s("Tiny DeepSeek")),
        ("deepseek2.block_count", u32v(2)),
        ("deepseek2.embedding_length", u32v(256)),
        ("deepseek2.feed_forward_length", u32v(512)),
        ("deepseek2.attention.head_count", u32v(4)),
        ("deepseek2.attention.head_count_kv", u32v(1)),
        ("deepseek2.attention.key_length", u32v(576)),
        ("deepseek2.attention.value_length", u32v(512)),
        ("deepseek2.attention.key_length_mla", u32v(192)),
        ("deepseek2.attention.value_length_mla", u32v(128)),
        ("deepseek2.attention.q_lora_rank", u32v(96)),
        ("deepseek2.attention.kv_lora_rank", u32v(512)),
        ("deepseek2.rope.dimension_count", u32v(64)),
        ("deepseek2.expert_count", u32v(4)),
        ("deepseek2.expert_used_count", u32v(2)),
        ("deepseek2.expert_shared_count", u32v(1)),
        ("deepseek2.expert_feed_forward_length", u32v(128)),
        ("deepseek2.leading_dense_block_count", u32v(1)),
        ("tokenizer.ggml.tokens", tokens(100)),
    ];
    let m = model_from_header(
        &parse_header(&Gguf::new(kv, dense_tensors(2, 256, 256, 128, 512, 100, true)).bytes()).unwrap(),
        0,
    )
    .unwrap();
    let mla = m.spec.mla.unwrap();
    assert_eq!(
        (mla.q_lora_rank, mla.kv_lora_rank, mla.qk_nope_head_dim, mla.qk_rope_head_dim, mla.v_head_dim),
        (96, 512, 128, 64, 128)
    );
    assert_eq!((m.spec.head_dim, m.spec.kv_heads), (192, 4));
    let moe = m.spec.moe.unwrap();
    assert_eq!((moe.shared_experts, moe.shared_expert_ffn_size, moe.leading_dense_layers), (1, 128, 1));
    estimates(&m.spec);
}

#[test]
fn missing_fields_are_defaulted_and_said_in_words() {
    let kv = vec![
        ("general.architecture", s("llama")),
        ("general.name", s("Bare")),
        ("llama.embedding_length", u32v(256)),
        ("llama.attention.head_count", u32v(4)),
        ("llama.vocab_size", W::V(Value::U64(300))),
    ];
    let mut tensors = dense_tensors(3, 256, 256, 256, 0, 300, false);
    tensors.retain(|t| t.0 != "token_embd.weight");
    tensors.push(t("blk.0.odd.weight", &[256], 99));
    let (_, sp, missing, notes) = build(&Gguf::new(kv, tensors));
    assert_eq!(
        (sp.layers, sp.ffn_size, sp.kv_heads, sp.head_dim, sp.vocab_size, sp.max_context),
        (3, 1024, 4, 64, 300, 4096)
    );
    let text = missing.join("\n");
    for expect in [
        "block_count (llama.block_count) missing: counted 3 blocks in the tensor directory",
        "feed_forward_length (llama.feed_forward_length) missing: defaulted to 4 × hidden size = 1024",
        "head_count_kv (llama.attention.head_count_kv) missing: read from blk.0.attn_k.weight",
        "file type (general.file_type) missing: guessed Q4_K_M",
    ] {
        assert!(text.contains(expect), "{expect} not in\n{text}");
    }
    assert!(notes.iter().any(|n| n.contains("blk.0.odd.weight (type 99)")), "{notes:?}");
    estimates(&sp);
}

#[test]
fn models_that_cannot_be_built_are_errors_not_panics() {
    let no_arch = Gguf::new(vec![("general.name", s("x"))], vec![]);
    let err = model_from_header(&parse_header(&no_arch.bytes()).unwrap(), 0).unwrap_err();
    assert!(err.to_string().contains("general.architecture"), "{err}");
    let no_blocks = Gguf::new(vec![("general.architecture", s("llama"))], vec![]);
    assert!(matches!(model_from_header(&parse_header(&no_blocks.bytes()).unwrap(), 0), Err(GgufError::NotAModel(_))));
    let adapter = Gguf::new(vec![("general.architecture", s("llama")), ("general.type", s("adapter"))], vec![]);
    let err = model_from_header(&parse_header(&adapter.bytes()).unwrap(), 0).unwrap_err();
    assert!(err.to_string().contains("adapter"), "{err}");
    let mut huge = llama();
    huge.kv.push(("llama.expert_count".into(), u32v(1 << 20)));
    let err = model_from_header(&parse_header(&huge.bytes()).unwrap(), 0).unwrap_err();
    assert!(matches!(err, GgufError::InvalidModel(_)), "{err}");
    assert!(err.to_string().contains("moe.experts"), "{err}");
}
/// Reads a file's header the way the browser does: growing prefixes, never the whole file.
fn read_header(path: &std::path::Path) -> (Header, u64, u64) {
    let size = std::fs::metadata(path).unwrap().len();
    let mut had = 1u64 << 16;
    loop {
        let mut prefix = Vec::new();
        std::fs::File::open(path).unwrap().take(had).read_to_end(&mut prefix).unwrap();
        match parse_header_in_file(&prefix, size) {
            Ok(h) => return (h, size, prefix.len() as u64),
            Err(GgufError::NeedMore { needed_bytes }) => had = next_prefix_bytes(had, needed_bytes, size),
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
}

#[test]
fn node_fixture_script_writes_what_the_parser_reads() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../e2e/fixtures/make-gguf.mjs");
    let dir = std::env::temp_dir().join(format!("roofline-gguf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let make = |name: &str, flag: Option<&str>| {
        let out = dir.join(name);
        let mut cmd = std::process::Command::new("node");
        cmd.arg(&script).arg(&out).args(flag);
        cmd.output().ok().filter(|o| o.status.success()).map(|_| out)
    };
    let Some(ok) = make("tiny.gguf", None) else {
        println!("skipped: `node` not available to run e2e/fixtures/make-gguf.mjs");
        return;
    };
    let (h, size, read) = read_header(&ok);
    assert!(read < size, "read the whole file");
    assert_eq!(h.data_end_bytes(), Some(size));
    let m = model_from_header(&h, size).unwrap();
    let sp = &m.spec;
    assert_eq!(
        (sp.name.as_str(), sp.id.as_str(), sp.layers, sp.hidden_size),
        ("Tiny Test Llama", "gguf-tiny-test-llama", 4, 256)
    );
    assert_eq!(
        (sp.heads, sp.kv_heads, sp.head_dim, sp.ffn_size, sp.vocab_size, sp.max_context),
        (4, 2, 64, 768, 1000, 2048)
    );
    assert_eq!((m.quant_guess, sp.tied_embeddings), (Some(QuantScheme::Q4_K_M), false));
    assert!(m.missing.is_empty() && m.notes.is_empty(), "{:?} {:?}", m.missing, m.notes);
    estimates(sp);

    let cut = make("truncated.gguf", Some("--truncated")).unwrap();
    let bytes = std::fs::read(&cut).unwrap();
    let e = parse_header_in_file(&bytes, bytes.len() as u64).unwrap_err();
    assert!(matches!(e, GgufError::Truncated { .. }), "{e}");
    assert!(matches!(parse_header(&bytes), Err(GgufError::NeedMore { .. })));
    let bad = std::fs::read(make("bad.gguf", Some("--bad-magic")).unwrap()).unwrap();
    assert!(matches!(parse_header(&bad), Err(GgufError::BadMagic { .. })));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn real_gemma3_270m_file_when_given() {
    let Some(path) = std::env::var_os("ROOFLINE_GEMMA_GGUF") else {
        println!("skipped: set ROOFLINE_GEMMA_GGUF to a gemma-3-270m Q4_K_M .gguf to read a real header");
        return;
    };
    let (h, size, read) = read_header(std::path::Path::new(&path));
    println!(
        "read {read} of {size} bytes; header {} bytes, {} keys, {} tensors",
        h.header_bytes,
        h.metadata.len(),
        h.tensors.len()
    );
    assert_eq!(h.architecture(), Some("gemma3"));
    assert_eq!(h.data_end_bytes(), Some(size));
    let m = model_from_header(&h, size).unwrap();
    println!("{}\nmissing: {:?}\nnotes: {:?}", serde_json::to_string(&m.spec).unwrap(), m.missing, m.notes);
    let sp = &m.spec;
    assert_eq!(
        (sp.layers, sp.hidden_size, sp.vocab_size, sp.heads, sp.kv_heads, sp.head_dim),
        (18, 640, 262144, 4, 1, 256)
    );
    assert_eq!(
        (sp.ffn_size, sp.max_context, sp.tied_embeddings, m.quant_guess),
        (2048, 32768, true, Some(QuantScheme::Q4_K_M))
    );
    assert_eq!(sp.sliding_window, Some(SlidingWindow { window_tokens: 512, global_every_n_layers: 6 }));
    assert!((sp.params_total_b - 0.268).abs() < 0.01, "{}", sp.params_total_b);
    estimates(sp);
}

#[test]
fn split_files_derive_parameters_from_the_shapes() {
    let mut g = llama();
    g.kv.push(("split.no".into(), W::V(Value::U16(0))));
    g.kv.push(("split.count".into(), W::V(Value::U16(3))));
    g.tensors.truncate(5);
    let bytes = g.bytes();
    let m = model_from_header(&parse_header(&bytes).unwrap(), bytes.len() as u64).unwrap();
    assert_eq!(m.spec.params_total_b, m.spec.derived_params_b());
    assert!(m.notes.iter().any(|n| n.contains("part 1 of a model split in 3 files")), "{:?}", m.notes);
}
