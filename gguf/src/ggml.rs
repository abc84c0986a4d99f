//! ggml tensor type ids and llama.cpp file types (`general.file_type`), as numbered in
//! `ggml.h` and `llama.h`.

use serde::Serialize;

use roofline_core::quant::{GgmlType, QuantScheme};

/// `(id, name, weights per block, bytes per block)` for every ggml type still defined.
const GGML_TYPES: [(u32, &str, u32, u32); 32] = [
    (0, "F32", 1, 4),
    (1, "F16", 1, 2),
    (2, "Q4_0", 32, 18),
    (3, "Q4_1", 32, 20),
    (6, "Q5_0", 32, 22),
    (7, "Q5_1", 32, 24),
    (8, "Q8_0", 32, 34),
    (9, "Q8_1", 32, 36),
    (10, "Q2_K", 256, 84),
    (11, "Q3_K", 256, 110),
    (12, "Q4_K", 256, 144),
    (13, "Q5_K", 256, 176),
    (14, "Q6_K", 256, 210),
    (15, "Q8_K", 256, 292),
    (16, "IQ2_XXS", 256, 66),
    (17, "IQ2_XS", 256, 74),
    (18, "IQ3_XXS", 256, 98),
    (19, "IQ1_S", 256, 50),
    (20, "IQ4_NL", 32, 18),
    (21, "IQ3_S", 256, 110),
    (22, "IQ2_S", 256, 82),
    (23, "IQ4_XS", 256, 136),
    (24, "I8", 1, 1),
    (25, "I16", 1, 2),
    (26, "I32", 1, 4),
    (27, "I64", 1, 8),
    (28, "F64", 1, 8),
    (29, "IQ1_M", 256, 56),
    (30, "BF16", 1, 2),
    (34, "TQ1_0", 256, 54),
    (35, "TQ2_0", 256, 66),
    (39, "MXFP4", 32, 17),
];

fn ggml_entry(id: u32) -> Option<(u32, &'static str, u32, u32)> {
    GGML_TYPES.iter().copied().find(|e| e.0 == id)
}

/// Name of ggml type `id` (`12` → `Q4_K`), or `None` for an id this crate does not know.
pub fn ggml_type_name(id: u32) -> Option<&'static str> {
    ggml_entry(id).map(|e| e.1)
}

/// `(weights per block, bytes per block)` of ggml type `id`.
pub fn ggml_block_layout(id: u32) -> Option<(u32, u32)> {
    ggml_entry(id).map(|e| (e.2, e.3))
}

/// The estimator's [`GgmlType`] for ggml type `id`, when it models that type.
pub fn known_ggml_type(id: u32) -> Option<GgmlType> {
    use GgmlType as T;
    Some(match id {
        0 => T::F32,
        1 => T::F16,
        2 => T::Q4_0,
        3 => T::Q4_1,
        6 => T::Q5_0,
        7 => T::Q5_1,
        8 => T::Q8_0,
        10 => T::Q2_K,
        11 => T::Q3_K,
        12 => T::Q4_K,
        13 => T::Q5_K,
        14 => T::Q6_K,
        23 => T::IQ4_XS,
        30 => T::BF16,
        39 => T::MXFP4,
        _ => return None,
    })
}

/// How a llama.cpp file type maps onto the presets [`QuantScheme`] models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FtypeMatch {
    /// The same preset.
    Exact(QuantScheme),
    /// A preset of the same base type and nearly the same size (`Q5_K_S` → `Q5_K_M`).
    Nearest(QuantScheme),
    /// No preset comes close (the i-quants below 4 bits, ternary types).
    None,
}

/// Name of llama.cpp file type `ftype` (`LLAMA_FTYPE_MOSTLY_Q4_K_M` = 15 → `Q4_K_M`).
pub fn ftype_name(ftype: u64) -> Option<&'static str> {
    Some(match ftype {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        36 => "TQ1_0",
        37 => "TQ2_0",
        38 => "MXFP4_MOE",
        _ => return None,
    })
}

/// The preset for llama.cpp file type `ftype`.
///
/// ```
/// use roofline_gguf::{ftype_scheme, FtypeMatch};
/// use roofline_core::quant::QuantScheme;
/// assert_eq!(ftype_scheme(15), FtypeMatch::Exact(QuantScheme::Q4_K_M));
/// assert_eq!(ftype_scheme(16), FtypeMatch::Nearest(QuantScheme::Q5_K_M));
/// ```
pub fn ftype_scheme(ftype: u64) -> FtypeMatch {
    use FtypeMatch::{Exact, Nearest};
    use QuantScheme as Q;
    match ftype {
        0 => Exact(Q::F32),
        1 => Exact(Q::F16),
        2 => Exact(Q::Q4_0),
        7 => Exact(Q::Q8_0),
        10 => Exact(Q::Q2_K),
        12 => Exact(Q::Q3_K_M),
        14 => Exact(Q::Q4_K_S),
        15 => Exact(Q::Q4_K_M),
        17 => Exact(Q::Q5_K_M),
        18 => Exact(Q::Q6_K),
        30 => Exact(Q::IQ4_XS),
        32 => Exact(Q::BF16),
        38 => Exact(Q::MXFP4),
        3 | 25 => Nearest(Q::Q4_0),
        8 | 9 | 16 => Nearest(Q::Q5_K_M),
        11 | 13 | 26 | 27 => Nearest(Q::Q3_K_M),
        21 => Nearest(Q::Q2_K),
        _ => FtypeMatch::None,
    }
}
