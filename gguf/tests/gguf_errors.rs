//! GGUF header errors: every malformed field reported with its offset, huge claims refused
//! without allocating, every truncation, the `NeedMore` protocol, random bytes and mutations.

// The helpers below are test code too: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use roofline_core::catalog::Catalog;
use roofline_core::efficiency::Efficiency;
use roofline_core::quant::QuantScheme;
use roofline_core::system::System;
use roofline_core::workload::Workload;
use roofline_gguf::{
    model_from_header, next_prefix_bytes, parse_header, parse_header_in_file, GgufError, Value, ValueType,
    MAX_HEADER_BYTES,
};

mod gguf_writer;
use gguf_writer::*;

/// Raw bytes: magic, version, tensor and key–value counts (v3), then `rest`.
fn raw(version: u32, tensors: u64, kvs: u64, rest: &[u8]) -> Vec<u8> {
    let mut out = b"GGUF".to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&tensors.to_le_bytes());
    out.extend_from_slice(&kvs.to_le_bytes());
    out.extend_from_slice(rest);
    out
}

/// A key of length-prefixed `name`, then the value type code.
fn key(name: &[u8], code: u32) -> Vec<u8> {
    let mut out = (name.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(name);
    out.extend_from_slice(&code.to_le_bytes());
    out
}

fn err(bytes: &[u8]) -> GgufError {
    parse_header(bytes).unwrap_err()
}

fn limit(e: GgufError) -> (String, u64) {
    match e {
        GgufError::LimitExceeded { field, offset, .. } => (field, offset),
        other => panic!("not a limit: {other}"),
    }
}

#[test]
fn header_errors_are_precise() {
    assert_eq!(err(b"GGML\x03\0\0\0"), GgufError::BadMagic { found: *b"GGML" });
    assert_eq!(err(&raw(4, 0, 0, &[])), GgufError::UnsupportedVersion { version: 4 });
    assert_eq!(err(&raw(0, 0, 0, &[])), GgufError::UnsupportedVersion { version: 0 });
    assert_eq!(err(b"GGUF\0\0\0\x03"), GgufError::BigEndian { version: 3 });
    assert_eq!(limit(err(&raw(3, (1 << 20) + 1, 0, &[]))), ("tensor count".to_owned(), 8));
    assert_eq!(limit(err(&raw(3, 0, (1 << 20) + 1, &[]))), ("key-value count".to_owned(), 16));
    let long_key = ((16u64 << 20) + 1).to_le_bytes();
    assert_eq!(limit(err(&raw(3, 0, 1, &long_key))), ("length of key at offset 24".to_owned(), 24));
    let mut arr = key(b"a", 9);
    arr.extend_from_slice(&4u32.to_le_bytes());
    arr.extend_from_slice(&((1u64 << 28) + 1).to_le_bytes());
    assert_eq!(limit(err(&raw(3, 0, 1, &arr))), ("array length of 'a'".to_owned(), 41));
    assert_eq!(
        err(&raw(3, 0, 1, &key(b"a", 13))),
        GgufError::UnknownValueType { code: 13, offset: 33, key: "a".into() }
    );
    let utf8 =
        |e| matches!(e, GgufError::InvalidUtf8 { what, offset } if offset == 32 && what.contains("key at offset 24"));
    assert!(utf8(err(&raw(3, 0, 1, &key(&[0xff], 4)))));
    let mut bad_value = key(b"a", 8);
    bad_value.extend_from_slice(&[2, 0, 0, 0, 0, 0, 0, 0, 0xc3, 0x28]);
    let e = err(&raw(3, 0, 1, &bad_value));
    assert!(matches!(&e, GgufError::InvalidUtf8 { what, offset: 45 } if what == "string value of 'a'"), "{e}");
    // Array strings may be raw bytes (some tokenizers): kept with replacement characters.
    let mut bytes_array = key(b"a", 9);
    bytes_array.extend_from_slice(&8u32.to_le_bytes());
    bytes_array.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xff]);
    assert_eq!(parse_header(&raw(3, 0, 1, &bytes_array)).unwrap().array_len("a"), Some(1));
    let mut deep = W::V(Value::U8(1));
    for _ in 0..6 {
        deep = W::Arr(if matches!(deep, W::Arr(..)) { ValueType::Array } else { ValueType::U8 }, vec![deep]);
    }
    let e = err(&Gguf::new(vec![("deep", deep)], vec![]).bytes());
    assert!(matches!(e, GgufError::NestingTooDeep { .. }), "{e}");
    let e = err(&Gguf::new(vec![("a", u32v(1)), ("a", u32v(2))], vec![]).bytes());
    assert_eq!(e, GgufError::DuplicateKey { key: "a".into(), offset: 41 });
    let e = err(&Gguf::new(vec![], vec![t("x", &[2], F32), t("x", &[2], F32)]).bytes());
    assert!(matches!(e, GgufError::DuplicateTensor { .. }), "{e}");
}

#[test]
fn tensor_errors_are_precise() {
    let e = err(&Gguf::new(vec![], vec![t("five", &[1, 1, 1, 1, 1], F32)]).bytes());
    assert_eq!(e, GgufError::TooManyDims { name: "five".into(), offset: 24, n_dims: 5 });
    let e = err(&Gguf::new(vec![], vec![t("big", &[1 << 40, 1 << 40], 99)]).bytes());
    assert!(matches!(&e, GgufError::TensorOverflow { name, .. } if name == "big"), "{e}");
    let h = parse_header(&Gguf::new(vec![], vec![t("odd", &[4, 4], 99)]).bytes()).unwrap();
    assert_eq!((h.tensors[0].ggml_type, h.tensors[0].size_bytes(), h.data_end_bytes()), (99, None, None));

    let one = Gguf::new(vec![], vec![t("w", &[8], F32)]).bytes();
    let end = header_len(&one);
    let with_offset = |offset: u64| {
        let mut b = one.clone();
        b[end - 8..end].copy_from_slice(&offset.to_le_bytes());
        b
    };
    let e = err(&with_offset(8));
    assert_eq!(e, GgufError::MisalignedTensor { name: "w".into(), data_offset: 8, alignment: 32 });
    let e = err(&with_offset(u64::MAX - 31));
    assert!(matches!(e, GgufError::TensorOverflow { .. }), "{e}");

    let aligned = |v: W| {
        parse_header(
            &Gguf { alignment: 64, ..Gguf::new(vec![("general.alignment", v)], vec![t("w", &[8], F32)]) }.bytes(),
        )
    };
    let h = aligned(u32v(64)).unwrap();
    assert_eq!((h.alignment, h.data_start % 64), (64, 0));
    assert_eq!(aligned(u32v(3)).unwrap_err(), GgufError::BadAlignment { value: "3".into() });
    assert!(matches!(aligned(s("64")).unwrap_err(), GgufError::BadAlignment { .. }));
}

#[test]
fn huge_claims_stop_without_reading_or_allocating() {
    let mut arr = key(b"a", 9);
    arr.extend_from_slice(&10u32.to_le_bytes());
    arr.extend_from_slice(&(1u64 << 27).to_le_bytes());
    let e = err(&raw(3, 0, 1, &arr));
    assert_eq!(e, GgufError::HeaderTooLarge { needed_bytes: 41 + 8 + (8 << 27), limit_bytes: MAX_HEADER_BYTES });
    // A million claimed tensors in 24 bytes: asks for the next entry, reserves nothing big.
    assert_eq!(err(&raw(3, 1 << 20, 0, &[])), GgufError::NeedMore { needed_bytes: 32 });
    let e = parse_header_in_file(&raw(3, 1 << 20, 0, &[]), 24).unwrap_err();
    assert!(
        matches!(e, GgufError::Truncated { what: "string length", offset: 24, needed_bytes: 32, file_size_bytes: 24 }),
        "{e}"
    );
}

#[test]
fn every_truncation_asks_for_more_or_reports_the_cut() {
    for g in [llama(), Gguf { version: 1, ..llama() }] {
        let bytes = g.bytes();
        let full = parse_header(&bytes).unwrap();
        let end = full.header_bytes as usize;
        assert_eq!(parse_header(&bytes[..end]).unwrap(), full);
        for len in 0..end {
            match parse_header(&bytes[..len]) {
                Err(GgufError::NeedMore { needed_bytes }) => {
                    assert!(needed_bytes > len as u64 && needed_bytes <= end as u64, "{len}: {needed_bytes}");
                }
                other => panic!("prefix of {len} bytes: {other:?}"),
            }
            let e = parse_header_in_file(&bytes[..len], len as u64).unwrap_err();
            assert!(matches!(e, GgufError::Truncated { file_size_bytes, .. } if file_size_bytes == len as u64), "{e}");
        }
    }
    // "GGUF", version, counts (24 bytes); "general.architecture" (8 + 20), type (4); "llama".
    let e = parse_header_in_file(&llama().bytes()[..66], 66).unwrap_err();
    assert_eq!(e.to_string(), "truncated file: string at offset 64 needs 69 bytes but the file has 66");
}

#[test]
fn need_more_protocol_converges() {
    let bytes = llama().bytes();
    let size = bytes.len() as u64;
    let (mut had, mut exact, mut rounds) = (8u64, 8u64, 0);
    let header = loop {
        match parse_header(&bytes[..had as usize]) {
            Ok(h) => break h,
            Err(GgufError::NeedMore { needed_bytes }) => had = next_prefix_bytes(had, needed_bytes, size),
            Err(e) => panic!("{e}"),
        }
        rounds += 1;
    };
    assert!(rounds <= 12, "{rounds} rounds");
    assert_eq!(header, parse_header(&bytes).unwrap());
    // Reading exactly what is asked for also gets there, always moving forward.
    loop {
        match parse_header(&bytes[..exact as usize]) {
            Ok(h) => break assert_eq!(h, header),
            Err(GgufError::NeedMore { needed_bytes }) => {
                assert!(needed_bytes > exact);
                exact = needed_bytes;
            }
            Err(e) => panic!("{e}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(512) })]

    #[test]
    fn random_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..600), magic in any::<bool>(), v in 0u32..5) {
        let bytes = if magic { raw(v, u64::from(tail.first().copied().unwrap_or(0)), 3, &tail) } else { tail };
        match parse_header(&bytes) {
            Err(GgufError::NeedMore { needed_bytes }) => prop_assert!(needed_bytes > bytes.len() as u64),
            Ok(h) => { let _ = model_from_header(&h, bytes.len() as u64); }
            Err(_) => {}
        }
        let _ = parse_header_in_file(&bytes, bytes.len() as u64);
    }

    #[test]
    fn mutated_headers_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        moe in any::<bool>(),
    ) {
        let g = if moe {
            let kv = vec![("general.architecture", s("qwen3moe")), ("qwen3moe.expert_count", u32v(8)),
                ("qwen3moe.attention.head_count", u32v(4)), ("qwen3moe.attention.sliding_window", u32v(64))];
            Gguf::new(kv, moe_tensors(2, 256, 8, 256, 50))
        } else {
            llama()
        };
        let mut bytes = g.bytes();
        let end = header_len(&bytes);
        for (i, b) in &edits {
            bytes[i.index(end)] = *b;
        }
        let bytes = &bytes[..end - cut.index(end / 4)];
        if let Ok(h) = parse_header(bytes) {
            if let Ok(m) = model_from_header(&h, bytes.len() as u64) {
                let catalog = Catalog::builtin();
                let system = System::assemble(catalog.hardware("raspberry-pi-5").unwrap(), None, None, 1).unwrap();
                let _ = roofline_core::estimate::estimate(&system, &m.spec, QuantScheme::Q4_K_M, &Workload::default(), &Efficiency::fitted());
            }
        }
        let _ = parse_header_in_file(bytes, bytes.len() as u64);
    }
}

/// Found by fuzzing (fuzz/known-issues): a block count of u32::MAX made the header reader
/// loop over four billion layer names before checking the count.
#[test]
fn a_huge_block_count_is_refused_at_once() {
    let bytes = hex("474755460300000000000000000000000500000000000000140000000000000067656e6572616c2e6172636869746563747572650800000005000000000000006c6c616d6111000000000000006c6c616d612e626c6f636b5f636f756e7404000000ffffffff16000000000000006c6c616d612e656d62656464696e675f6c656e67746804000000000100001a000000000000006c6c616d612e617474656e74696f6e2e686561645f636f756e74040000000400000010000000000000006c6c616d612e766f6361625f73697a6504000000007d0000");
    let h = parse_header(&bytes).unwrap();
    let started = std::time::Instant::now();
    let err = model_from_header(&h, bytes.len() as u64).unwrap_err();
    assert!(started.elapsed().as_secs_f64() < 1.0, "took {:?}", started.elapsed());
    assert!(err.to_string().contains("layers"), "{err}");
}

/// Found by fuzzing: shapes of u32::MAX overflowed the parameter count (a panic in debug
/// builds, a wrapped count in release).
#[test]
fn absurd_shapes_are_refused_before_counting_parameters() {
    let bytes = hex("474755460300000000000000000000000600000000000000140000000000000067656e6572616c2e6172636869746563747572650800000005000000000000006c6c616d6111000000000000006c6c616d612e626c6f636b5f636f756e74040000000100000016000000000000006c6c616d612e656d62656464696e675f6c656e67746804000000ffffffff1a000000000000006c6c616d612e617474656e74696f6e2e686561645f636f756e7404000000ffffffff1a000000000000006c6c616d612e617474656e74696f6e2e6b65795f6c656e67746804000000ffffffff10000000000000006c6c616d612e766f6361625f73697a650400000001000000");
    let h = parse_header(&bytes).unwrap();
    assert!(matches!(model_from_header(&h, bytes.len() as u64), Err(GgufError::InvalidModel(_))));
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}
