//! Dequantization against ggml's reference: the fixtures in `fixtures/dequant/` (raw blocks
//! and what `gguf.quants.dequantize` makes of them, see the README there) must come out bit
//! for bit, whole tensors must equal their blocks one by one, rows their slices, and bad
//! input must give errors that say where. Also: the f16 conversion for every bit pattern, and
//! why the result cannot depend on the order of operations.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use roofline_gguf::dequant::{
    block_layout, data_bytes, dequantize, dequantize_into, dequantize_row, f16_to_f32, DequantError,
    SUPPORTED_GGML_TYPES,
};

/// `(fixture name, ggml type id)` for every supported type.
const TYPES: [(&str, u32); 11] = [
    ("f32", 0),
    ("f16", 1),
    ("bf16", 30),
    ("q8_0", 8),
    ("q4_0", 2),
    ("q4_1", 3),
    ("q5_0", 6),
    ("q5_1", 7),
    ("q4_k", 12),
    ("q5_k", 13),
    ("q6_k", 14),
];

struct Fixture {
    name: &'static str,
    ggml_type: u32,
    bytes: Vec<u8>,
    expected: Vec<f32>,
}

fn fixture(name: &'static str, ggml_type: u32) -> Fixture {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dequant");
    let bytes = std::fs::read(dir.join(format!("{name}.bin"))).expect("fixture .bin");
    let raw = std::fs::read(dir.join(format!("{name}.f32"))).expect("fixture .f32");
    assert_eq!(raw.len() % 4, 0, "{name}.f32");
    let expected = raw.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    Fixture { name, ggml_type, bytes, expected }
}

fn fixtures() -> Vec<Fixture> {
    TYPES.iter().map(|&(name, id)| fixture(name, id)).collect()
}

/// Bit-for-bit equality, NaN payloads included, with the first differences spelled out.
fn assert_bits_eq(name: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{name}: length");
    let bad: Vec<String> = got
        .iter()
        .zip(want)
        .enumerate()
        .filter(|(_, (g, w))| g.to_bits() != w.to_bits())
        .map(|(i, (g, w))| format!("[{i}] got {g:e} ({:#010x}), want {w:e} ({:#010x})", g.to_bits(), w.to_bits()))
        .collect();
    assert!(bad.is_empty(), "{name}: {} differences, first: {}", bad.len(), bad[..bad.len().min(4)].join("; "));
}

#[test]
fn every_supported_type_has_a_fixture() {
    let mut ids: Vec<u32> = TYPES.iter().map(|t| t.1).collect();
    let mut supported = SUPPORTED_GGML_TYPES.to_vec();
    ids.sort_unstable();
    supported.sort_unstable();
    assert_eq!(ids, supported);
}

#[test]
fn fixtures_dequantize_bit_for_bit() {
    for f in fixtures() {
        let (block_elements, block_bytes) = block_layout(f.ggml_type).unwrap();
        assert_eq!(f.bytes.len() % block_bytes, 0, "{}: whole blocks", f.name);
        assert_eq!(f.bytes.len() / block_bytes * block_elements, f.expected.len(), "{}: element count", f.name);
        assert_eq!(data_bytes(f.ggml_type, f.expected.len()), Ok(f.bytes.len()), "{}", f.name);
        let got = dequantize(f.ggml_type, &f.bytes, f.expected.len()).unwrap();
        assert_bits_eq(f.name, &got, &f.expected);
    }
}

#[test]
fn a_tensor_is_its_blocks_one_after_another() {
    for f in fixtures() {
        let (block_elements, block_bytes) = block_layout(f.ggml_type).unwrap();
        let whole = dequantize(f.ggml_type, &f.bytes, f.expected.len()).unwrap();
        let mut concatenated = Vec::new();
        for block in f.bytes.chunks_exact(block_bytes) {
            let mut y = vec![f32::NAN; block_elements];
            dequantize_into(f.ggml_type, block, &mut y).unwrap();
            concatenated.extend(y);
        }
        assert_bits_eq(f.name, &concatenated, &whole);
    }
}

#[test]
fn rows_are_slices_of_the_whole_tensor() {
    for f in fixtures() {
        let (block_elements, _) = block_layout(f.ggml_type).unwrap();
        // Two blocks per row where the tensor has an even block count, else one.
        let blocks = f.expected.len() / block_elements;
        let row_elements = if blocks % 2 == 0 { 2 * block_elements } else { block_elements };
        let rows = f.expected.len() / row_elements;
        let mut row = vec![0.0; row_elements];
        for r in 0..rows {
            dequantize_row(f.ggml_type, &f.bytes, r, &mut row).unwrap();
            assert_bits_eq(f.name, &row, &f.expected[r * row_elements..(r + 1) * row_elements]);
        }
        assert!(
            matches!(
                dequantize_row(f.ggml_type, &f.bytes, rows, &mut row),
                Err(DequantError::RowOutOfRange { row, rows: n, .. }) if row == rows && n == rows
            ),
            "{}",
            f.name
        );
    }
}

#[test]
fn truncation_at_every_byte_is_an_error_naming_the_block() {
    for f in fixtures() {
        let (_, block_bytes) = block_layout(f.ggml_type).unwrap();
        let n = f.expected.len();
        // The last two blocks, every byte (the fixtures' first blocks behave the same).
        let from = f.bytes.len().saturating_sub(2 * block_bytes);
        for cut in from..f.bytes.len() {
            let err = dequantize(f.ggml_type, &f.bytes[..cut], n).unwrap_err();
            let DequantError::Truncated { needed_bytes, found_bytes, block, block_offset, .. } = err else {
                panic!("{}: cut at {cut}: {err:?}", f.name);
            };
            assert_eq!((needed_bytes, found_bytes), (f.bytes.len(), cut), "{}", f.name);
            assert_eq!((block, block_offset), (cut / block_bytes, cut / block_bytes * block_bytes), "{}", f.name);
            let mut out = vec![0.0; n];
            assert!(dequantize_into(f.ggml_type, &f.bytes[..cut], &mut out).is_err(), "{}", f.name);
        }
    }
}

#[test]
fn wrong_lengths_and_types_are_errors() {
    let q4_k = fixture("q4_k", 12);
    let n = q4_k.expected.len();

    // Bytes left over.
    let mut longer = q4_k.bytes.clone();
    longer.push(0);
    assert!(matches!(
        dequantize(12, &longer, n),
        Err(DequantError::TrailingBytes { expected_bytes, found_bytes, .. })
            if expected_bytes == q4_k.bytes.len() && found_bytes == q4_k.bytes.len() + 1
    ));
    // An output buffer that does not match the data.
    let mut short_out = vec![0.0; n - 256];
    assert!(matches!(dequantize_into(12, &q4_k.bytes, &mut short_out), Err(DequantError::TrailingBytes { .. })));
    // Not whole blocks.
    assert!(matches!(
        dequantize(12, &q4_k.bytes, n - 1),
        Err(DequantError::PartialBlock { type_name: "Q4_K", block_elements: 256, .. })
    ));
    let mut odd = vec![0.0; 100];
    assert!(matches!(dequantize_into(2, &[0; 72], &mut odd), Err(DequantError::PartialBlock { .. })));
    // The right bytes read as another type.
    assert!(matches!(dequantize(14, &q4_k.bytes, n), Err(DequantError::Truncated { .. })));
    // Types this module does not read: Q2_K, Q3_K, IQ4_XS, MXFP4, Q8_1, and unknown ids.
    for id in [10, 11, 23, 39, 9, 4, 5, 1000, u32::MAX] {
        assert_eq!(dequantize(id, &q4_k.bytes, n), Err(DequantError::UnsupportedType { ggml_type: id }));
        assert_eq!(block_layout(id), None);
        assert!(dequantize_row(id, &q4_k.bytes, 0, &mut [0.0; 256]).is_err());
    }
    // Element counts whose size overflows.
    assert!(matches!(dequantize(0, &[], usize::MAX), Err(DequantError::TooLarge { .. })));
    // Rows that do not divide the tensor.
    let mut row = vec![0.0; 512];
    assert!(matches!(
        dequantize_row(12, &q4_k.bytes[..3 * 144], 0, &mut row),
        Err(DequantError::RaggedRows { row_bytes: 288, found_bytes: 432, .. })
    ));
}

#[test]
fn empty_input_is_empty_output() {
    for id in SUPPORTED_GGML_TYPES {
        assert_eq!(dequantize(id, &[], 0), Ok(Vec::new()));
        assert_eq!(dequantize_into(id, &[], &mut []), Ok(()));
    }
}

#[test]
fn errors_read_as_one_line() {
    let q6_k = fixture("q6_k", 14);
    let msg = dequantize(14, &q6_k.bytes[..300], q6_k.expected.len()).unwrap_err().to_string();
    assert_eq!(
        msg,
        "Q6_K data for 1536 elements needs 1260 bytes, but it ends at offset 300, inside block 1 (offsets 210..420)"
    );
    assert!(!msg.contains('\n'));
}

/// Every f16 bit pattern against the definition: (−1)^s × 2^(e−15) × (1 + m/1024), or
/// 2^−14 × m/1024 for subnormals.
#[test]
fn f16_conversion_is_exact_for_every_pattern() {
    for bits in 0..=u16::MAX {
        let got = f16_to_f32(bits);
        let sign = if bits >> 15 == 1 { -1.0 } else { 1.0 };
        let e = i32::from((bits >> 10) & 0x1f);
        let m = f64::from(bits & 0x3ff);
        let want = match e {
            0 => sign * 2f64.powi(-14) * m / 1024.0,
            31 if m == 0.0 => sign * f64::INFINITY,
            31 => {
                assert!(got.is_nan(), "{bits:#06x}");
                let quiet = 0x7fc0_0000 | (u32::from(bits & 0x8000) << 16) | (m as u32) << 13;
                assert_eq!(got.to_bits(), quiet, "{bits:#06x}");
                continue;
            }
            _ => sign * 2f64.powi(e - 15) * (1.0 + m / 1024.0),
        };
        assert_eq!(got.to_bits(), (want as f32).to_bits(), "{bits:#06x}");
    }
}

/// Every product the block functions form is exact in f32 (at most 11 + 7 + 5 significant
/// bits), so only a final `+ m` / `− m` rounds: the output does not depend on the order of
/// the multiplications nor on a compiler fusing them into FMAs.
#[test]
fn products_are_exact_so_order_does_not_matter() {
    let ds = (0..0x7c00u16).step_by(97).flat_map(|b| [b, b | 0x8000]).map(f16_to_f32);
    for d in ds {
        // K-quant scales 0..64 times 5-bit quants; Q6_K's i8 scales times its −32..32 quants.
        for (scales, quants) in [(0..64, 0..32), (-128..128, -32..32)] {
            for sc in scales {
                let ds = d * sc as f32;
                for q in quants.clone() {
                    let exact = f64::from(d) * f64::from(sc) * f64::from(q);
                    assert_eq!(f64::from(ds * q as f32), exact, "d {d:e}, sc {sc}, q {q}");
                }
            }
        }
    }
}

#[test]
fn q4_0_block_by_hand() {
    // d = 2.0, byte j = (j + 1) low, (15 - j) high.
    let mut b = [0u8; 18];
    b[..2].copy_from_slice(&0x4000u16.to_le_bytes());
    for j in 0..16 {
        b[2 + j] = (j as u8 + 1) & 0x0f | (15 - j as u8) << 4;
    }
    let y = dequantize(2, &b, 32).unwrap();
    assert_eq!(y[0], 2.0 * (1.0 - 8.0));
    assert_eq!(y[15], 2.0 * (0.0 - 8.0));
    assert_eq!(y[16], 2.0 * (15.0 - 8.0));
    assert_eq!(y[31], 2.0 * (0.0 - 8.0));
}

#[test]
fn errors_say_where() {
    let e = dequantize(12, &[0; 200], 512).unwrap_err();
    assert_eq!(
        e,
        DequantError::Truncated {
            type_name: "Q4_K",
            n_elements: 512,
            needed_bytes: 288,
            found_bytes: 200,
            block: 1,
            block_offset: 144,
            block_bytes: 144
        }
    );
    assert_eq!(
        e.to_string(),
        "Q4_K data for 512 elements needs 288 bytes, but it ends at offset 200, inside block 1 (offsets 144..288)"
    );
    let e = dequantize(8, &[0; 40], 32).unwrap_err();
    assert_eq!(e.to_string(), "Q8_0 data for 32 elements is 34 bytes, but 40 were given (6 left over from offset 34)");
    assert_eq!(
        dequantize(2, &[0; 18], 20).unwrap_err().to_string(),
        "20 Q4_0 elements are not whole blocks of 32 (20 left over)"
    );
    assert!(dequantize(10, &[0; 84], 256).unwrap_err().to_string().contains("Q2_K (id 10)"));
    assert!(dequantize(99, &[], 0).unwrap_err().to_string().contains("id 99 (unknown)"));
    assert_eq!(
        data_bytes(0, usize::MAX / 2),
        Err(DequantError::TooLarge { type_name: "F32", n_elements: usize::MAX / 2 })
    );
}
