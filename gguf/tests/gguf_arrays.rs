//! Whole metadata arrays read back with `read_array`: every GGUF version, the element types
//! it decodes, its limit, the bytes it needs, and bytes of another file.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use roofline_gguf::{parse_header, read_array, ArrayElements, GgufError, Value, ValueType, ARRAY_HEAD_LEN};

mod gguf_writer;
use gguf_writer::{s, Gguf, W};

fn file(version: u32) -> Vec<u8> {
    let words: Vec<W> = (0..100).map(|i| s(&format!("wörd{i}"))).collect();
    let kv = vec![
        ("k.strings", W::Arr(ValueType::String, words)),
        ("k.f32", W::Arr(ValueType::F32, (0..40).map(|i| W::V(Value::F32(i as f32 / 4.0))).collect())),
        ("k.i32", W::Arr(ValueType::I32, (0..40).map(|i| W::V(Value::I32(-i))).collect())),
        ("k.u8", W::Arr(ValueType::U8, vec![W::V(Value::U8(1))])),
        ("k.empty", W::Arr(ValueType::String, vec![])),
        ("k.scalar", W::V(Value::U32(7))),
    ];
    Gguf { version, alignment: 32, kv: kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(), tensors: vec![] }
        .bytes()
}

#[test]
fn every_version_reads_whole_arrays() {
    for version in [1, 2, 3] {
        let bytes = file(version);
        let h = parse_header(&bytes).unwrap();
        let strings = h.get("k.strings").unwrap().as_array().unwrap();
        assert_eq!((strings.len, strings.head.len()), (100, ARRAY_HEAD_LEN));
        let Ok(ArrayElements::Strings(all)) = read_array(&bytes, version, strings, 1000) else { panic!() };
        assert_eq!((all.len(), all[0].as_str(), all[99].as_str()), (100, "wörd0", "wörd99"));
        let f = h.read_array(&bytes, "k.f32", 40).unwrap().unwrap();
        assert_eq!((f.len(), f), (40, ArrayElements::F32((0..40).map(|i| i as f32 / 4.0).collect())));
        let i = h.read_array(&bytes, "k.i32", 40).unwrap().unwrap();
        assert_eq!(i, ArrayElements::I32((0..40).map(|i| -i).collect()));
        let empty = h.read_array(&bytes, "k.empty", 0).unwrap().unwrap();
        assert!(empty.is_empty());
        assert_eq!(h.read_array(&bytes, "k.absent", 10), Ok(None));
    }
}

#[test]
fn limits_types_and_wrong_bytes_are_errors() {
    let bytes = file(3);
    let h = parse_header(&bytes).unwrap();
    let strings = h.get("k.strings").unwrap().as_array().unwrap();
    let at = strings.offset;
    assert_eq!(
        read_array(&bytes, 3, strings, 99),
        Err(GgufError::LimitExceeded {
            field: format!("length of the array at offset {at}"),
            offset: at,
            value: 100,
            limit: 99
        })
    );
    let u8s = h.get("k.u8").unwrap().as_array().unwrap();
    assert_eq!(
        read_array(&bytes, 3, u8s, 10),
        Err(GgufError::UnsupportedArrayType { offset: u8s.offset, element_type: ValueType::U8 })
    );
    assert_eq!(
        h.read_array(&bytes, "k.scalar", 10),
        Err(GgufError::WrongType { key: "k.scalar".into(), expected: "an array", found: "U32".into() })
    );
    // Another version's layout, or another file, at that offset.
    assert_eq!(read_array(&bytes, 1, strings, 1000), Err(GgufError::ArrayMismatch { offset: at }));
    assert_eq!(read_array(&file(1), 3, strings, 1000), Err(GgufError::ArrayMismatch { offset: at }));
    // A prefix that stops inside the array asks for more, never allocating past it.
    for cut in [at as usize - 3, at as usize + 10, at as usize + 500] {
        match read_array(&bytes[..cut], 3, strings, 1000) {
            Err(GgufError::NeedMore { needed_bytes }) => assert!(needed_bytes > cut as u64),
            other => panic!("{cut}: {other:?}"),
        }
    }
}
