//! Dequantization of GGUF tensor data on the CPU, exactly as ggml defines it.
//!
//! Supported ggml types ([`SUPPORTED_GGML_TYPES`]): F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0,
//! Q5_1, Q4_K, Q5_K and Q6_K. Each block function below follows `dequantize_row_*` in ggml's
//! `ggml-quants.c` (block layouts from `ggml-common.h`) operation for operation in f32:
//! `d * (q - 8)` for Q4_0, `d * q + m` for Q4_1, `(d * sc) * q - dmin * m` for Q4_K and Q5_K,
//! `(d * sc) * q` for Q6_K. Every product there is exact in f32 (at most 11 + 7 + 5
//! significant bits), so only a final `+ m` or `- m` rounds, and the output is bit for bit
//! what ggml's reference code produces whatever the order of operations or FMA contraction
//! of its build. `gguf/tests/dequant.rs` checks it against fixtures made with the `gguf`
//! Python package's `gguf.quants.dequantize`.
//!
//! Types are ggml type ids as stored in the tensor directory ([`super::TensorInfo::ggml_type`]).
//! "Bytes" are the tensor's raw data as it sits in the file (little-endian), a whole number of
//! blocks; "elements" are the f32 values it holds.
//!
//! [`dequantize_into`] writes into the caller's buffer and allocates nothing;
//! [`dequantize`] allocates the output only after the byte count has been checked against
//! the element count, so it never allocates more than 7.2 × the input's size (4-bit blocks of
//! 32: 128 output bytes per 18 input bytes). [`dequantize_row`] picks one row of a matrix.
//! Nothing here panics on any input: lengths are checked first, and the block functions
//! index fixed-size blocks at offsets fixed by the format.
//!
//! ```
//! use roofline_gguf::dequant::{dequantize, DequantError};
//! // One Q8_0 block: scale d = 0.5 (f16 0x3800), then 32 signed bytes.
//! let mut block = vec![0x00, 0x38];
//! block.extend((0..32).map(|i: i8| (i - 16) as u8));
//! let values = dequantize(8, &block, 32)?;
//! assert_eq!((values[0], values[31]), (-8.0, 7.5));
//! assert!(matches!(dequantize(8, &block[..20], 32), Err(DequantError::Truncated { .. })));
//! # Ok::<(), DequantError>(())
//! ```

use super::ggml::ggml_type_name;

/// ggml type ids [`dequantize`] reads: F32 (0), F16 (1), BF16 (30), Q8_0 (8), Q4_0 (2),
/// Q4_1 (3), Q5_0 (6), Q5_1 (7), Q4_K (12), Q5_K (13), Q6_K (14).
pub const SUPPORTED_GGML_TYPES: [u32; 11] = [0, 1, 30, 8, 2, 3, 6, 7, 12, 13, 14];

/// Why tensor data cannot be dequantized. Offsets are bytes from the start of the data given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DequantError {
    /// A ggml type this module does not dequantize (or does not know).
    #[error("cannot dequantize ggml type {}: only F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K and Q6_K are supported", type_label(.ggml_type))]
    UnsupportedType {
        /// The ggml type id.
        ggml_type: u32,
    },
    /// An element count that is not a whole number of blocks.
    #[error("{n_elements} {type_name} elements are not whole blocks of {block_elements} ({} left over)", .n_elements % .block_elements)]
    PartialBlock {
        /// The type's name (`Q4_K`).
        type_name: &'static str,
        /// Elements asked for.
        n_elements: usize,
        /// Elements per block.
        block_elements: usize,
    },
    /// Fewer bytes than the elements need.
    #[error("{type_name} data for {n_elements} elements needs {needed_bytes} bytes, but it ends at offset {found_bytes}, inside block {block} (offsets {block_offset}..{})", .block_offset + .block_bytes)]
    Truncated {
        /// The type's name.
        type_name: &'static str,
        /// Elements asked for.
        n_elements: usize,
        /// Bytes they need.
        needed_bytes: usize,
        /// Bytes given.
        found_bytes: usize,
        /// Index of the first block that is cut short or missing.
        block: usize,
        /// Where that block starts.
        block_offset: usize,
        /// Bytes per block.
        block_bytes: usize,
    },
    /// More bytes than the elements need.
    #[error("{type_name} data for {n_elements} elements is {expected_bytes} bytes, but {found_bytes} were given ({} left over from offset {expected_bytes})", .found_bytes - .expected_bytes)]
    TrailingBytes {
        /// The type's name.
        type_name: &'static str,
        /// Elements asked for.
        n_elements: usize,
        /// Bytes they take.
        expected_bytes: usize,
        /// Bytes given.
        found_bytes: usize,
    },
    /// An element count whose data would not fit in the address space.
    #[error("{n_elements} {type_name} elements are too many to address")]
    TooLarge {
        /// The type's name.
        type_name: &'static str,
        /// Elements asked for.
        n_elements: usize,
    },
    /// The output buffer could not be allocated.
    #[error("cannot allocate {size_bytes} bytes for {n_elements} dequantized values")]
    OutOfMemory {
        /// Elements asked for.
        n_elements: usize,
        /// Bytes the output needs.
        size_bytes: usize,
    },
    /// Tensor data that is not a whole number of rows.
    #[error("{found_bytes} bytes of {type_name} data are not whole rows of {row_elements} elements ({row_bytes} bytes each)")]
    RaggedRows {
        /// The type's name.
        type_name: &'static str,
        /// Elements per row.
        row_elements: usize,
        /// Bytes per row.
        row_bytes: usize,
        /// Bytes given.
        found_bytes: usize,
    },
    /// A row index past the last row.
    #[error("row {row} of a {type_name} tensor with {rows} rows of {row_elements} elements does not exist")]
    RowOutOfRange {
        /// The type's name.
        type_name: &'static str,
        /// Row asked for.
        row: usize,
        /// Rows in the tensor.
        rows: usize,
        /// Elements per row.
        row_elements: usize,
    },
}

fn type_label(ggml_type: &u32) -> String {
    match ggml_type_name(*ggml_type) {
        Some(name) => format!("{name} (id {ggml_type})"),
        None => format!("id {ggml_type} (unknown)"),
    }
}

/// The supported types, with `(elements, bytes)` per block as `ggml-common.h` defines them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
enum Format {
    F32,
    F16,
    BF16,
    Q8_0,
    Q4_0,
    Q4_1,
    Q5_0,
    Q5_1,
    Q4_K,
    Q5_K,
    Q6_K,
}

impl Format {
    fn of(ggml_type: u32) -> Result<Format, DequantError> {
        Ok(match ggml_type {
            0 => Format::F32,
            1 => Format::F16,
            30 => Format::BF16,
            8 => Format::Q8_0,
            2 => Format::Q4_0,
            3 => Format::Q4_1,
            6 => Format::Q5_0,
            7 => Format::Q5_1,
            12 => Format::Q4_K,
            13 => Format::Q5_K,
            14 => Format::Q6_K,
            _ => return Err(DequantError::UnsupportedType { ggml_type }),
        })
    }

    /// `(elements, bytes)` per block.
    fn layout(self) -> (usize, usize) {
        match self {
            Format::F32 => (1, 4),
            Format::F16 | Format::BF16 => (1, 2),
            Format::Q8_0 => (32, 34),
            Format::Q4_0 => (32, 18),
            Format::Q4_1 => (32, 20),
            Format::Q5_0 => (32, 22),
            Format::Q5_1 => (32, 24),
            Format::Q4_K => (256, 144),
            Format::Q5_K => (256, 176),
            Format::Q6_K => (256, 210),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::F32 => "F32",
            Format::F16 => "F16",
            Format::BF16 => "BF16",
            Format::Q8_0 => "Q8_0",
            Format::Q4_0 => "Q4_0",
            Format::Q4_1 => "Q4_1",
            Format::Q5_0 => "Q5_0",
            Format::Q5_1 => "Q5_1",
            Format::Q4_K => "Q4_K",
            Format::Q5_K => "Q5_K",
            Format::Q6_K => "Q6_K",
        }
    }

    /// Bytes that hold `n_elements`, which must be whole blocks.
    fn data_bytes(self, n_elements: usize) -> Result<usize, DequantError> {
        let (block_elements, block_bytes) = self.layout();
        let type_name = self.name();
        if !n_elements.is_multiple_of(block_elements) {
            return Err(DequantError::PartialBlock { type_name, n_elements, block_elements });
        }
        (n_elements / block_elements).checked_mul(block_bytes).ok_or(DequantError::TooLarge { type_name, n_elements })
    }

    /// Checks that `found_bytes` hold exactly `n_elements`.
    fn check(self, found_bytes: usize, n_elements: usize) -> Result<(), DequantError> {
        let expected_bytes = self.data_bytes(n_elements)?;
        let type_name = self.name();
        if found_bytes < expected_bytes {
            let block_bytes = self.layout().1;
            let block = found_bytes / block_bytes;
            let block_offset = block * block_bytes;
            let needed_bytes = expected_bytes;
            return Err(DequantError::Truncated {
                type_name,
                n_elements,
                needed_bytes,
                found_bytes,
                block,
                block_offset,
                block_bytes,
            });
        }
        if found_bytes > expected_bytes {
            return Err(DequantError::TrailingBytes { type_name, n_elements, expected_bytes, found_bytes });
        }
        Ok(())
    }
}

/// `(elements per block, bytes per block)` of ggml type `ggml_type`, or `None` when this
/// module cannot dequantize it.
///
/// ```
/// use roofline_gguf::dequant::block_layout;
/// assert_eq!(block_layout(12), Some((256, 144))); // Q4_K
/// assert_eq!(block_layout(10), None); // Q2_K is not supported
/// ```
pub fn block_layout(ggml_type: u32) -> Option<(usize, usize)> {
    Format::of(ggml_type).ok().map(Format::layout)
}

/// Bytes of data that hold `n_elements` of `ggml_type` (whole blocks only).
///
/// ```
/// use roofline_gguf::dequant::data_bytes;
/// assert_eq!(data_bytes(2, 64), Ok(36)); // two Q4_0 blocks
/// assert!(data_bytes(2, 40).is_err());
/// ```
pub fn data_bytes(ggml_type: u32, n_elements: usize) -> Result<usize, DequantError> {
    Format::of(ggml_type)?.data_bytes(n_elements)
}

/// Dequantizes `n_elements` of `ggml_type` from `bytes`, which must hold exactly that many.
///
/// The output is allocated only after that check, so its size is bounded by the input's.
pub fn dequantize(ggml_type: u32, bytes: &[u8], n_elements: usize) -> Result<Vec<f32>, DequantError> {
    let format = Format::of(ggml_type)?;
    format.check(bytes.len(), n_elements)?;
    let size_bytes = n_elements.saturating_mul(size_of::<f32>());
    let mut out = Vec::new();
    out.try_reserve_exact(n_elements).map_err(|_| DequantError::OutOfMemory { n_elements, size_bytes })?;
    out.resize(n_elements, 0.0);
    decode(format, bytes, &mut out);
    Ok(out)
}

/// Dequantizes `bytes` of `ggml_type` into `out`, which sets the element count: `bytes` must
/// hold exactly `out.len()` elements. Allocates nothing (ggml's `dequantize_row_*`).
pub fn dequantize_into(ggml_type: u32, bytes: &[u8], out: &mut [f32]) -> Result<(), DequantError> {
    let format = Format::of(ggml_type)?;
    format.check(bytes.len(), out.len())?;
    decode(format, bytes, out);
    Ok(())
}

/// Dequantizes row `row` of a matrix whose rows hold `out.len()` elements each (the
/// tensor's first dimension, `ne[0]`) into `out`. `tensor` is the whole tensor's data and
/// must be whole rows. Allocates nothing.
///
/// ```
/// use roofline_gguf::dequant::dequantize_row;
/// let tensor: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0].iter().flat_map(|v| v.to_le_bytes()).collect();
/// let mut row = [0.0; 3];
/// dequantize_row(0, &tensor, 1, &mut row)?;
/// assert_eq!(row, [4.0, 5.0, 6.0]);
/// assert!(dequantize_row(0, &tensor, 2, &mut row).is_err());
/// # Ok::<(), roofline_gguf::dequant::DequantError>(())
/// ```
pub fn dequantize_row(ggml_type: u32, tensor: &[u8], row: usize, out: &mut [f32]) -> Result<(), DequantError> {
    let format = Format::of(ggml_type)?;
    let row_elements = out.len();
    let row_bytes = format.data_bytes(row_elements)?;
    if row_bytes == 0 {
        return Ok(());
    }
    let type_name = format.name();
    if !tensor.len().is_multiple_of(row_bytes) {
        return Err(DequantError::RaggedRows { type_name, row_elements, row_bytes, found_bytes: tensor.len() });
    }
    let rows = tensor.len() / row_bytes;
    let out_of_range = DequantError::RowOutOfRange { type_name, row, rows, row_elements };
    let bytes = tensor.chunks_exact(row_bytes).nth(row).ok_or(out_of_range)?;
    decode(format, bytes, out);
    Ok(())
}

/// Decodes whole blocks; the caller has checked that `bytes` and `out` hold the same number.
fn decode(format: Format, bytes: &[u8], out: &mut [f32]) {
    match format {
        Format::F32 => blocks::<4, 1>(bytes, out, |b, y| y[0] = f32::from_le_bytes(*b)),
        Format::F16 => blocks::<2, 1>(bytes, out, |b, y| y[0] = f16_to_f32(u16::from_le_bytes(*b))),
        Format::BF16 => blocks::<2, 1>(bytes, out, |b, y| y[0] = bf16_to_f32(u16::from_le_bytes(*b))),
        Format::Q8_0 => blocks(bytes, out, q8_0),
        Format::Q4_0 => blocks(bytes, out, q4_0),
        Format::Q4_1 => blocks(bytes, out, q4_1),
        Format::Q5_0 => blocks(bytes, out, q5_0),
        Format::Q5_1 => blocks(bytes, out, q5_1),
        Format::Q4_K => blocks(bytes, out, q4_k),
        Format::Q5_K => blocks(bytes, out, q5_k),
        Format::Q6_K => blocks(bytes, out, q6_k),
    }
}

/// Runs `block` over each `B`-byte block and its `E` outputs.
fn blocks<const B: usize, const E: usize>(bytes: &[u8], out: &mut [f32], block: impl Fn(&[u8; B], &mut [f32; E])) {
    let (inputs, _) = bytes.as_chunks::<B>();
    let (outputs, _) = out.as_chunks_mut::<E>();
    for (b, y) in inputs.iter().zip(outputs) {
        block(b, y);
    }
}

/// 2⁻²⁴, the value of the lowest mantissa bit of an f16 subnormal.
const F16_SUBNORMAL_UNIT: f32 = f32::from_bits(0x3380_0000);

/// IEEE half precision bits to f32 as ggml's `GGML_FP16_TO_FP32` converts them: exactly
/// (every f16 is an f32), infinities infinite, and NaNs with their sign and payload but
/// always quiet (ggml's F16C and portable paths both set the quiet bit of a signalling NaN;
/// numpy does not).
///
/// ```
/// use roofline_gguf::dequant::f16_to_f32;
/// assert_eq!(f16_to_f32(0x3c00), 1.0);
/// assert_eq!(f16_to_f32(0xc000), -2.0);
/// assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
/// assert_eq!(f16_to_f32(0x7bff), 65504.0);
/// ```
pub fn f16_to_f32(bits: u16) -> f32 {
    let sign = u32::from(bits >> 15) << 31;
    let exponent = u32::from(bits >> 10) & 0x1f;
    let mantissa = bits & 0x3ff;
    let magnitude = match exponent {
        // Subnormal (or zero): mantissa × 2⁻²⁴, a normal f32, exact.
        0 => (f32::from(mantissa) * F16_SUBNORMAL_UNIT).to_bits(),
        0x1f if mantissa == 0 => 0x7f80_0000,
        0x1f => 0x7fc0_0000 | u32::from(mantissa) << 13,
        _ => (exponent + (127 - 15)) << 23 | u32::from(mantissa) << 13,
    };
    f32::from_bits(sign | magnitude)
}

/// bfloat16 bits to f32: the top half of the f32 (ggml's `GGML_BF16_TO_FP32`).
///
/// ```
/// use roofline_gguf::dequant::bf16_to_f32;
/// assert_eq!(bf16_to_f32(0x3f80), 1.0);
/// assert_eq!(bf16_to_f32(0xc140), -12.0);
/// ```
pub fn bf16_to_f32(bits: u16) -> f32 {
    f32::from_bits(u32::from(bits) << 16)
}

/// The f16 at `b[at..at + 2]`.
fn f16_at(b: &[u8], at: usize) -> f32 {
    f16_to_f32(u16::from_le_bytes([b[at], b[at + 1]]))
}

// The block functions mirror `dequantize_row_*` in ggml-quants.c, one block at a time. Each
// indexes a fixed-size block at offsets fixed by its layout, so none can panic.

/// `block_q8_0 { d: f16, qs: [i8; 32] }`: `y = q × d`.
fn q8_0(b: &[u8; 34], y: &mut [f32; 32]) {
    let d = f16_at(b, 0);
    for (y, &q) in y.iter_mut().zip(&b[2..]) {
        *y = f32::from(q.cast_signed()) * d;
    }
}

/// `block_q4_0 { d: f16, qs: [u8; 16] }`: low nibbles are elements 0–15, high nibbles
/// 16–31; `y = (q − 8) × d`.
fn q4_0(b: &[u8; 18], y: &mut [f32; 32]) {
    let d = f16_at(b, 0);
    let (lo, hi) = y.split_at_mut(16);
    for ((&q, y0), y1) in b[2..].iter().zip(lo).zip(hi) {
        *y0 = f32::from((q & 0x0f).cast_signed() - 8) * d;
        *y1 = f32::from((q >> 4).cast_signed() - 8) * d;
    }
}

/// `block_q4_1 { d: f16, m: f16, qs: [u8; 16] }`: `y = q × d + m`.
fn q4_1(b: &[u8; 20], y: &mut [f32; 32]) {
    let (d, m) = (f16_at(b, 0), f16_at(b, 2));
    let (lo, hi) = y.split_at_mut(16);
    for ((&q, y0), y1) in b[4..].iter().zip(lo).zip(hi) {
        *y0 = f32::from(q & 0x0f) * d + m;
        *y1 = f32::from(q >> 4) * d + m;
    }
}

/// The fifth bit of element `j` from Q5's `qh` word, as 0 or 16.
fn fifth_bit(qh: u32, j: usize) -> u8 {
    u8::from((qh >> j) & 1 == 1) << 4
}

/// `block_q5_0 { d: f16, qh: u32, qs: [u8; 16] }`: bit `j` of `qh` is the fifth bit of
/// element `j`; `y = (q − 16) × d`.
fn q5_0(b: &[u8; 22], y: &mut [f32; 32]) {
    let d = f16_at(b, 0);
    let qh = u32::from_le_bytes([b[2], b[3], b[4], b[5]]);
    let (lo, hi) = y.split_at_mut(16);
    for (j, ((&q, y0), y1)) in b[6..].iter().zip(lo).zip(hi).enumerate() {
        let x0 = ((q & 0x0f) | fifth_bit(qh, j)).cast_signed() - 16;
        let x1 = ((q >> 4) | fifth_bit(qh, j + 16)).cast_signed() - 16;
        *y0 = f32::from(x0) * d;
        *y1 = f32::from(x1) * d;
    }
}

/// `block_q5_1 { d: f16, m: f16, qh: u32, qs: [u8; 16] }`: `y = q × d + m`.
fn q5_1(b: &[u8; 24], y: &mut [f32; 32]) {
    let (d, m) = (f16_at(b, 0), f16_at(b, 2));
    let qh = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
    let (lo, hi) = y.split_at_mut(16);
    for (j, ((&q, y0), y1)) in b[8..].iter().zip(lo).zip(hi).enumerate() {
        *y0 = f32::from((q & 0x0f) | fifth_bit(qh, j)) * d + m;
        *y1 = f32::from((q >> 4) | fifth_bit(qh, j + 16)) * d + m;
    }
}

/// ggml's `get_scale_min_k4`: the 6-bit scale and min of sub-block `j` (0–7) of a Q4_K or
/// Q5_K super-block, from its 12 packed bytes (sub-blocks 0–3 in the low 6 bits of bytes
/// 0–7, sub-blocks 4–7 in the nibbles of bytes 8–11 plus the top 2 bits of bytes 0–7).
fn scale_min_k4(j: usize, q: &[u8; 12]) -> (f32, f32) {
    let (sc, m) = if j < 4 {
        (q[j] & 63, q[j + 4] & 63)
    } else {
        ((q[j + 4] & 0x0f) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4))
    };
    (f32::from(sc), f32::from(m))
}

/// The 12 scale bytes of a Q4_K or Q5_K block, which start at offset 4.
fn k4_scales(b: &[u8]) -> [u8; 12] {
    let mut scales = [0u8; 12];
    scales.copy_from_slice(&b[4..16]);
    scales
}

/// `block_q4_K { d: f16, dmin: f16, scales: [u8; 12], qs: [u8; 128] }`: 8 sub-blocks of 32;
/// each 32 bytes of `qs` hold two sub-blocks (low nibbles, then high);
/// `y = (d × sc) × q − dmin × m`.
fn q4_k(b: &[u8; 144], y: &mut [f32; 256]) {
    let (d, dmin) = (f16_at(b, 0), f16_at(b, 2));
    let scales = k4_scales(b);
    for (j, (qs, y)) in b[16..].chunks_exact(32).zip(y.chunks_exact_mut(64)).enumerate() {
        let (sc, m) = scale_min_k4(2 * j, &scales);
        let (d1, m1) = (d * sc, dmin * m);
        let (sc, m) = scale_min_k4(2 * j + 1, &scales);
        let (d2, m2) = (d * sc, dmin * m);
        let (lo, hi) = y.split_at_mut(32);
        for ((&q, y1), y2) in qs.iter().zip(lo).zip(hi) {
            *y1 = d1 * f32::from(q & 0x0f) - m1;
            *y2 = d2 * f32::from(q >> 4) - m2;
        }
    }
}

/// `block_q5_K { d: f16, dmin: f16, scales: [u8; 12], qh: [u8; 32], qs: [u8; 128] }`: as
/// Q4_K, with bit `2j` (`2j + 1`) of `qh[l]` the fifth bit of element `l` of sub-block `2j`
/// (`2j + 1`).
fn q5_k(b: &[u8; 176], y: &mut [f32; 256]) {
    let (d, dmin) = (f16_at(b, 0), f16_at(b, 2));
    let scales = k4_scales(b);
    let qh = &b[16..48];
    for (j, (qs, y)) in b[48..].chunks_exact(32).zip(y.chunks_exact_mut(64)).enumerate() {
        let (sc, m) = scale_min_k4(2 * j, &scales);
        let (d1, m1) = (d * sc, dmin * m);
        let (sc, m) = scale_min_k4(2 * j + 1, &scales);
        let (d2, m2) = (d * sc, dmin * m);
        let (u1, u2) = (1u8 << (2 * j), 2u8 << (2 * j));
        let (lo, hi) = y.split_at_mut(32);
        for (((&q, &h), y1), y2) in qs.iter().zip(qh).zip(lo).zip(hi) {
            let high = |u: u8| if h & u == 0 { 0 } else { 16 };
            *y1 = d1 * f32::from((q & 0x0f) + high(u1)) - m1;
            *y2 = d2 * f32::from((q >> 4) + high(u2)) - m2;
        }
    }
}

/// `block_q6_K { ql: [u8; 128], qh: [u8; 64], scales: [i8; 16], d: f16 }`: two halves of 128
/// elements, each from 64 bytes of `ql` (low 4 bits), 32 of `qh` (2 high bits each) and 8
/// scales of 16 elements; `y = (d × sc) × (q − 32)`.
fn q6_k(b: &[u8; 210], y: &mut [f32; 256]) {
    let d = f16_at(b, 208);
    let halves = b[..128].chunks_exact(64).zip(b[128..192].chunks_exact(32)).zip(b[192..208].chunks_exact(8));
    for (((ql, qh), sc), y) in halves.zip(y.chunks_exact_mut(128)) {
        let scale = |k: usize| d * f32::from(sc[k].cast_signed());
        for l in 0..32 {
            let is = l / 16;
            let q1 = ((ql[l] & 0x0f) | (qh[l] & 3) << 4).cast_signed() - 32;
            let q2 = ((ql[l + 32] & 0x0f) | ((qh[l] >> 2) & 3) << 4).cast_signed() - 32;
            let q3 = ((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4).cast_signed() - 32;
            let q4 = ((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4).cast_signed() - 32;
            y[l] = scale(is) * f32::from(q1);
            y[l + 32] = scale(is + 2) * f32::from(q2);
            y[l + 64] = scale(is + 4) * f32::from(q3);
            y[l + 96] = scale(is + 6) * f32::from(q4);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;
    use crate::ggml_block_layout;

    #[test]
    fn layouts_match_the_ggml_table() {
        for id in SUPPORTED_GGML_TYPES {
            let (e, b) = block_layout(id).unwrap();
            let (ge, gb) = ggml_block_layout(id).unwrap();
            assert_eq!((e, b), (ge as usize, gb as usize), "{}", type_label(&id));
            assert_eq!(Format::of(id).unwrap().name(), ggml_type_name(id).unwrap());
        }
        let supported = (0..64).filter(|id| block_layout(*id).is_some()).count();
        assert_eq!(supported, SUPPORTED_GGML_TYPES.len());
    }

    #[test]
    fn k4_scales_unpack_as_ggml() {
        // Sub-blocks 0-3: low 6 bits of bytes 0-3 (scales) and 4-7 (mins).
        // Sub-blocks 4-7: nibbles of bytes 8-11 plus the top two bits of bytes 0-7.
        let q = [0xc1, 0x02, 0x03, 0x04, 0x85, 0x06, 0x07, 0x08, 0xa9, 0x0b, 0x0c, 0x0d];
        assert_eq!(scale_min_k4(0, &q), (1.0, 5.0));
        assert_eq!(scale_min_k4(3, &q), (4.0, 8.0));
        // j = 4: scale = (q[8] & 15) | (q[0] >> 6) << 4 = 9 | 48; min = (q[8] >> 4) | (q[4] >> 6) << 4 = 10 | 32.
        assert_eq!(scale_min_k4(4, &q), (57.0, 42.0));
        assert_eq!(scale_min_k4(7, &q), (13.0, 0.0));
    }
}
