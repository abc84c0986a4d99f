//! GGUF tensor types and the per-tensor type mixes that llama.cpp's quantization presets
//! produce (`Q4_K_M` and friends).
//!
//! Bits per weight are the true storage cost including the per-block scales:
//! `bits_per_weight = 8 × block_size_bytes / block_weights`.

use serde::{Deserialize, Serialize};

pub mod llama_mix;
pub mod unsloth;

/// A GGML tensor storage type (the element type of one tensor in a GGUF file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(non_camel_case_types)]
pub enum GgmlType {
    /// 32-bit float.
    F32,
    /// 16-bit IEEE float.
    F16,
    /// bfloat16.
    BF16,
    /// 8-bit blocks of 32 with an f16 scale (34 bytes per 32 weights).
    Q8_0,
    /// 6-bit k-quant super-blocks of 256 (210 bytes).
    Q6_K,
    /// 5-bit blocks of 32 with an f16 scale (22 bytes).
    Q5_0,
    /// 5-bit blocks of 32 with f16 scale and min (24 bytes).
    Q5_1,
    /// 5-bit k-quant super-blocks of 256 (176 bytes).
    Q5_K,
    /// 4-bit blocks of 32 with an f16 scale (18 bytes).
    Q4_0,
    /// 4-bit blocks of 32 with f16 scale and min (20 bytes).
    Q4_1,
    /// 4-bit k-quant super-blocks of 256 (144 bytes).
    Q4_K,
    /// 4-bit non-linear i-quant super-blocks of 256 (136 bytes).
    IQ4_XS,
    /// 3-bit k-quant super-blocks of 256 (110 bytes).
    Q3_K,
    /// 2-bit k-quant super-blocks of 256 (84 bytes).
    Q2_K,
    /// Microscaling FP4: blocks of 32 with an e8m0 scale (17 bytes).
    MXFP4,
    /// 4-bit non-linear blocks of 32 with an f16 scale (18 bytes).
    IQ4_NL,
    /// 3.4-bit i-quant super-blocks of 256 (110 bytes).
    IQ3_S,
    /// 3-bit i-quant super-blocks of 256 (98 bytes).
    IQ3_XXS,
    /// 2.5-bit i-quant super-blocks of 256 (82 bytes).
    IQ2_S,
    /// 2.3-bit i-quant super-blocks of 256 (74 bytes).
    IQ2_XS,
    /// 2-bit i-quant super-blocks of 256 (66 bytes).
    IQ2_XXS,
    /// 1.75-bit i-quant super-blocks of 256 (56 bytes).
    IQ1_M,
    /// 1.56-bit i-quant super-blocks of 256 (50 bytes).
    IQ1_S,
}

impl GgmlType {
    /// `(weights per block, bytes per block)` as ggml defines them: `blck_size` and
    /// `type_size` in the `type_traits` table of `ggml/src/ggml.c`, i.e. the sizes of the
    /// `block_*` structs in `ggml/src/ggml-common.h` (ggml-org/llama.cpp).
    pub fn block_layout(self) -> (u32, u32) {
        match self {
            GgmlType::F32 => (1, 4),
            GgmlType::F16 | GgmlType::BF16 => (1, 2),
            GgmlType::Q8_0 => (32, 34),
            GgmlType::Q6_K => (256, 210),
            GgmlType::Q5_0 => (32, 22),
            GgmlType::Q5_1 => (32, 24),
            GgmlType::Q5_K => (256, 176),
            GgmlType::Q4_0 => (32, 18),
            GgmlType::Q4_1 => (32, 20),
            GgmlType::Q4_K => (256, 144),
            GgmlType::IQ4_XS => (256, 136),
            GgmlType::Q3_K => (256, 110),
            GgmlType::Q2_K => (256, 84),
            GgmlType::MXFP4 => (32, 17),
            GgmlType::IQ4_NL => (32, 18),
            GgmlType::IQ3_S => (256, 110),
            GgmlType::IQ3_XXS => (256, 98),
            GgmlType::IQ2_S => (256, 82),
            GgmlType::IQ2_XS => (256, 74),
            GgmlType::IQ2_XXS => (256, 66),
            GgmlType::IQ1_M => (256, 56),
            GgmlType::IQ1_S => (256, 50),
        }
    }

    /// True storage cost in bits per weight, scales included: `8 × bytes / weights` per block.
    ///
    /// ```
    /// use roofline_core::quant::GgmlType;
    /// assert_eq!(GgmlType::Q4_0.bits_per_weight(), 4.5);
    /// assert_eq!(GgmlType::Q8_0.bits_per_weight(), 8.5);
    /// ```
    pub fn bits_per_weight(self) -> f64 {
        let (weights, bytes) = self.block_layout();
        8.0 * f64::from(bytes) / f64::from(weights)
    }

    /// Bytes needed to store `weights` elements of this type (whole blocks, rounded up).
    pub fn size_bytes(self, weights: u64) -> f64 {
        let (per_block, bytes) = self.block_layout();
        let blocks = weights.div_ceil(u64::from(per_block));
        blocks as f64 * f64::from(bytes)
    }
}

/// Role of a weight tensor inside a transformer, which decides its type in a preset mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TensorRole {
    /// Token embedding table (`token_embd`).
    Embedding,
    /// Output projection to the vocabulary (`output`).
    Output,
    /// Attention query projection (and MLA query factors).
    AttnQ,
    /// Attention key projection (and MLA latent projections).
    AttnK,
    /// Attention value projection.
    AttnV,
    /// Attention output projection.
    AttnOut,
    /// FFN gate and up projections (dense or shared expert).
    FfnUp,
    /// FFN down projection (dense or shared expert).
    FfnDown,
    /// Routed expert gate and up projections.
    ExpertUp,
    /// Routed expert down projections.
    ExpertDown,
    /// MoE router.
    Router,
}

/// A quantization preset as `llama-quantize` (or Unsloth) names it; it maps each tensor
/// to a [`GgmlType`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[allow(non_camel_case_types)]
pub enum QuantScheme {
    /// Every weight matrix in F32 (reference).
    F32,
    /// Every weight matrix in F16.
    F16,
    /// Every weight matrix in BF16.
    BF16,
    /// Q8_0 everywhere.
    Q8_0,
    /// Q6_K everywhere.
    Q6_K,
    /// Q5_K with Q6_K for about half of `attn_v`/`ffn_down` and the output.
    Q5_K_M,
    /// Q4_K with Q6_K for about half of `attn_v`/`ffn_down` and the output.
    Q4_K_M,
    /// Q4_K with Q5_K for the first `attn_v`/`ffn_down` and a Q6_K output.
    Q4_K_S,
    /// Q4_0 with a Q6_K output.
    Q4_0,
    /// IQ4_XS with Q5_K `attn_v` and a Q6_K output.
    IQ4_XS,
    /// Q3_K with Q4_K/Q5_K for sensitive tensors and a Q6_K output.
    Q3_K_M,
    /// Q2_K with Q3_K/Q4_K for sensitive tensors and a Q6_K output.
    Q2_K,
    /// MXFP4 routed experts, Q8_0 elsewhere (as gpt-oss is published).
    MXFP4,
    /// Q3_K everywhere but a Q6_K output.
    Q3_K_S,
    /// Q3_K with Q5_K `attn_v`, `attn_output` and `ffn_down` and a Q6_K output.
    Q3_K_L,
    /// Q5_K everywhere but a Q6_K output.
    Q5_K_S,
    /// Q4_1 with a Q6_K output.
    Q4_1,
    /// Q5_0 with a Q6_K output.
    Q5_0,
    /// Q5_1 with a Q6_K output.
    Q5_1,
    /// IQ4_NL with Q5_K `attn_v` and a Q6_K output.
    IQ4_NL,
    /// IQ3_S with Q4_K `attn_v` and a Q6_K output.
    IQ3_M,
    /// IQ3_S with Q4_K `attn_v` and a Q6_K output.
    IQ3_S,
    /// IQ3_S with IQ3_XXS for most FFN gate/up and attention q/k.
    IQ3_XS,
    /// IQ3_XXS with IQ2_S attention q/k and Q4_K `attn_v`.
    IQ3_XXS,
    /// IQ2_S with IQ3_S for sensitive tensors and a Q5_K output.
    IQ2_M,
    /// IQ2_XS with IQ3_S for sensitive tensors and a Q5_K output.
    IQ2_S,
    /// IQ2_XS with Q4_K `attn_v` and a Q5_K output.
    IQ2_XS,
    /// IQ2_XXS with Q4_K `attn_v` and a Q5_K output.
    IQ2_XXS,
    /// IQ1_M with IQ2_XXS `attn_output`, Q4_K `attn_v` and a Q5_K output.
    IQ1_M,
    /// IQ1_S with IQ2_XXS `attn_output`, Q4_K `attn_v` and a Q5_K output.
    IQ1_S,
    /// Unsloth dynamic 2-bit: Q2_K FFN, Q3_K/Q4_K attention and first `ffn_down`s.
    #[serde(rename = "UD-Q2_K_XL")]
    UD_Q2_K_XL,
    /// Unsloth dynamic 3-bit: Q3_K FFN, Q4_K attention and first `ffn_down`s.
    #[serde(rename = "UD-Q3_K_XL")]
    UD_Q3_K_XL,
    /// Unsloth dynamic 4-bit: Q4_K, Q5_K `attn_v`, embedding and first `ffn_down`s.
    #[serde(rename = "UD-Q4_K_XL")]
    UD_Q4_K_XL,
    /// Unsloth dynamic 5-bit: Q5_K, Q6_K `attn_v`, embedding and first `ffn_down`s.
    #[serde(rename = "UD-Q5_K_XL")]
    UD_Q5_K_XL,
    /// Unsloth dynamic 6-bit: Q6_K, Q8_0 `attn_v`, embedding, output and first `ffn_down`s.
    #[serde(rename = "UD-Q6_K_XL")]
    UD_Q6_K_XL,
    /// Unsloth dynamic 8-bit: Q8_0 with BF16 embedding, output, `attn_k` and `attn_v`.
    #[serde(rename = "UD-Q8_K_XL")]
    UD_Q8_K_XL,
    /// Unsloth's small 3-bit mix: IQ3_XXS expert gate/up, Q3_K FFN down, Q4_K attention.
    #[serde(rename = "UD-Q3_K_S")]
    UD_Q3_K_S,
}

/// All presets, in the order pickers list them: the first thirteen as before (so lists and
/// tests that walk them keep their order), then the presets added later.
pub const ALL_SCHEMES: [QuantScheme; 37] = [
    QuantScheme::F32,
    QuantScheme::F16,
    QuantScheme::BF16,
    QuantScheme::Q8_0,
    QuantScheme::Q6_K,
    QuantScheme::Q5_K_M,
    QuantScheme::Q4_K_M,
    QuantScheme::Q4_K_S,
    QuantScheme::Q4_0,
    QuantScheme::IQ4_XS,
    QuantScheme::Q3_K_M,
    QuantScheme::Q2_K,
    QuantScheme::MXFP4,
    QuantScheme::Q5_K_S,
    QuantScheme::Q5_1,
    QuantScheme::Q5_0,
    QuantScheme::Q4_1,
    QuantScheme::IQ4_NL,
    QuantScheme::Q3_K_L,
    QuantScheme::Q3_K_S,
    QuantScheme::IQ3_M,
    QuantScheme::IQ3_S,
    QuantScheme::IQ3_XS,
    QuantScheme::IQ3_XXS,
    QuantScheme::IQ2_M,
    QuantScheme::IQ2_S,
    QuantScheme::IQ2_XS,
    QuantScheme::IQ2_XXS,
    QuantScheme::IQ1_M,
    QuantScheme::IQ1_S,
    QuantScheme::UD_Q8_K_XL,
    QuantScheme::UD_Q6_K_XL,
    QuantScheme::UD_Q5_K_XL,
    QuantScheme::UD_Q4_K_XL,
    QuantScheme::UD_Q3_K_XL,
    QuantScheme::UD_Q3_K_S,
    QuantScheme::UD_Q2_K_XL,
];

impl QuantScheme {
    /// The name `llama-quantize` and GGUF file names use (`Q4_K_M`, `UD-Q4_K_XL`).
    pub fn name(self) -> &'static str {
        use QuantScheme as Q;
        match self {
            Q::F32 => "F32",
            Q::F16 => "F16",
            Q::BF16 => "BF16",
            Q::Q8_0 => "Q8_0",
            Q::Q6_K => "Q6_K",
            Q::Q5_K_M => "Q5_K_M",
            Q::Q4_K_M => "Q4_K_M",
            Q::Q4_K_S => "Q4_K_S",
            Q::Q4_0 => "Q4_0",
            Q::IQ4_XS => "IQ4_XS",
            Q::Q3_K_M => "Q3_K_M",
            Q::Q2_K => "Q2_K",
            Q::MXFP4 => "MXFP4",
            Q::Q3_K_S => "Q3_K_S",
            Q::Q3_K_L => "Q3_K_L",
            Q::Q5_K_S => "Q5_K_S",
            Q::Q4_1 => "Q4_1",
            Q::Q5_0 => "Q5_0",
            Q::Q5_1 => "Q5_1",
            Q::IQ4_NL => "IQ4_NL",
            Q::IQ3_M => "IQ3_M",
            Q::IQ3_S => "IQ3_S",
            Q::IQ3_XS => "IQ3_XS",
            Q::IQ3_XXS => "IQ3_XXS",
            Q::IQ2_M => "IQ2_M",
            Q::IQ2_S => "IQ2_S",
            Q::IQ2_XS => "IQ2_XS",
            Q::IQ2_XXS => "IQ2_XXS",
            Q::IQ1_M => "IQ1_M",
            Q::IQ1_S => "IQ1_S",
            Q::UD_Q2_K_XL => "UD-Q2_K_XL",
            Q::UD_Q3_K_XL => "UD-Q3_K_XL",
            Q::UD_Q4_K_XL => "UD-Q4_K_XL",
            Q::UD_Q5_K_XL => "UD-Q5_K_XL",
            Q::UD_Q6_K_XL => "UD-Q6_K_XL",
            Q::UD_Q8_K_XL => "UD-Q8_K_XL",
            Q::UD_Q3_K_S => "UD-Q3_K_S",
        }
    }

    /// Parses a preset name as people write it: case-insensitive, `-` or `_` alike
    /// (`UD-Q4_K_XL`, `ud_q4_k_xl`, `iq2_xxs`), LocalScore's `"Q4_K - Medium"` spelling, and
    /// an `_XL` name without its `UD-` prefix (only Unsloth's dynamic mixes end in `_XL`).
    ///
    /// ```
    /// use roofline_core::quant::QuantScheme;
    /// assert_eq!(QuantScheme::parse("UD-Q4_K_XL"), Some(QuantScheme::UD_Q4_K_XL));
    /// assert_eq!(QuantScheme::parse("Q4_K_XL"), Some(QuantScheme::UD_Q4_K_XL));
    /// assert_eq!(QuantScheme::parse("iq2_xxs"), Some(QuantScheme::IQ2_XXS));
    /// ```
    pub fn parse(text: &str) -> Option<QuantScheme> {
        let norm = normalize(text);
        let find = |n: &str| ALL_SCHEMES.into_iter().find(|s| normalize(s.name()) == n);
        find(&norm).or_else(|| if norm.ends_with("_XL") { find(&format!("UD_{norm}")) } else { None })
    }

    /// Whether this is one of Unsloth's dynamic ("UD-") mixes rather than a llama.cpp preset.
    pub fn is_unsloth_dynamic(self) -> bool {
        self.name().starts_with("UD-")
    }

    /// The type the preset gives a tensor of `role` in layer `layer` of `layers`.
    ///
    /// llama.cpp presets follow `llama_tensor_get_type` in llama.cpp's `src/llama-quant.cpp`
    /// (see [`llama_mix`]); Unsloth's dynamic mixes follow the tensor types of their
    /// published files (see [`unsloth`]). The output projection is asked for as layer
    /// `layers`, the token embedding as layer 0.
    pub fn tensor_type(self, role: TensorRole, layer: u32, layers: u32) -> GgmlType {
        match unsloth::tensor_type(self, role, layer, layers) {
            Some(t) => t,
            None => llama_mix::tensor_type(self, role, layer, layers),
        }
    }
}

/// Upper case, `-` and spaces as `_`, LocalScore's `" - Medium"` as `_M`.
fn normalize(text: &str) -> String {
    text.trim()
        .to_ascii_uppercase()
        .replace(" - MEDIUM", "_M")
        .replace(" - SMALL", "_S")
        .replace(" - LARGE", "_L")
        .replace(['-', ' '], "_")
}

/// llama.cpp's `use_more_bits(i, n)`: `i < n/8 || i >= 7n/8 || (i - n/8) % 3 == 2`.
pub fn use_more_bits(layer: u32, layers: u32) -> bool {
    let eighth = layers / 8;
    layer < eighth || layer >= 7 * layers / 8 || (layer - eighth) % 3 == 2
}

impl std::fmt::Display for QuantScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(type, weights per block, bytes per block)` from ggml's `type_traits` in
    /// `ggml/src/ggml.c` (ggml-org/llama.cpp): `blck_size` is `QK4_0`, `QK_K`, … and
    /// `type_size` the `sizeof(block_*)` of `ggml/src/ggml-common.h`.
    const GGML_TRAITS: [(GgmlType, u32, u32); 23] = [
        (GgmlType::F32, 1, 4),
        (GgmlType::F16, 1, 2),
        (GgmlType::BF16, 1, 2),
        (GgmlType::Q8_0, 32, 34),
        (GgmlType::Q6_K, 256, 210),
        (GgmlType::Q5_0, 32, 22),
        (GgmlType::Q5_1, 32, 24),
        (GgmlType::Q5_K, 256, 176),
        (GgmlType::Q4_0, 32, 18),
        (GgmlType::Q4_1, 32, 20),
        (GgmlType::Q4_K, 256, 144),
        (GgmlType::IQ4_XS, 256, 136),
        (GgmlType::Q3_K, 256, 110),
        (GgmlType::Q2_K, 256, 84),
        (GgmlType::MXFP4, 32, 17),
        (GgmlType::IQ4_NL, 32, 18),
        (GgmlType::IQ3_S, 256, 110),
        (GgmlType::IQ3_XXS, 256, 98),
        (GgmlType::IQ2_S, 256, 82),
        (GgmlType::IQ2_XS, 256, 74),
        (GgmlType::IQ2_XXS, 256, 66),
        (GgmlType::IQ1_M, 256, 56),
        (GgmlType::IQ1_S, 256, 50),
    ];

    #[test]
    fn bits_per_weight_match_ggml_block_sizes() {
        for (t, weights, bytes) in GGML_TRAITS {
            assert_eq!(t.block_layout(), (weights, bytes), "{t:?}");
            assert_eq!(t.bits_per_weight(), 8.0 * f64::from(bytes) / f64::from(weights), "{t:?}");
        }
        let bits: Vec<f64> = [
            GgmlType::Q4_K,
            GgmlType::Q6_K,
            GgmlType::Q5_0,
            GgmlType::MXFP4,
            GgmlType::IQ4_NL,
            GgmlType::IQ3_XXS,
            GgmlType::IQ2_XXS,
            GgmlType::IQ1_S,
        ]
        .iter()
        .map(|t| t.bits_per_weight())
        .collect();
        assert_eq!(bits, [4.5, 6.5625, 5.5, 4.25, 4.5, 3.0625, 2.0625, 1.5625]);
    }

    #[test]
    fn parses_localscore_spelling() {
        assert_eq!(QuantScheme::parse("Q4_K - Medium"), Some(QuantScheme::Q4_K_M));
        assert_eq!(QuantScheme::parse("Q3_K - Small"), Some(QuantScheme::Q3_K_S));
        assert_eq!(QuantScheme::parse("Q3_K - Large"), Some(QuantScheme::Q3_K_L));
        assert_eq!(QuantScheme::parse("q8_0"), Some(QuantScheme::Q8_0));
        assert_eq!(QuantScheme::parse("Q9"), None);
        assert_eq!(QuantScheme::parse("Q4_K"), None);
        assert_eq!(QuantScheme::parse("XL"), None);
    }

    #[test]
    fn parses_names_as_people_write_them() {
        use QuantScheme as Q;
        for (text, q) in [
            ("UD-Q4_K_XL", Q::UD_Q4_K_XL),
            ("ud-q4_k_xl", Q::UD_Q4_K_XL),
            ("UD_Q8_K_XL", Q::UD_Q8_K_XL),
            ("Q5_K_XL", Q::UD_Q5_K_XL),
            ("UD-Q3_K_S", Q::UD_Q3_K_S),
            ("Q3_K_S", Q::Q3_K_S),
            (" IQ2_XXS ", Q::IQ2_XXS),
            ("iq1_m", Q::IQ1_M),
            ("IQ4-NL", Q::IQ4_NL),
        ] {
            assert_eq!(QuantScheme::parse(text), Some(q), "{text}");
        }
    }

    #[test]
    fn every_name_round_trips() {
        for q in ALL_SCHEMES {
            assert_eq!(QuantScheme::parse(q.name()), Some(q), "{q}");
            assert_eq!(QuantScheme::parse(&q.name().to_ascii_lowercase()), Some(q), "{q}");
            let json = serde_json::to_string(&q).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", q.name()), "{q}");
        }
        let mut names: Vec<&str> = ALL_SCHEMES.iter().map(|q| q.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL_SCHEMES.len());
    }

    #[test]
    fn more_bits_covers_about_half_the_layers() {
        let n = (0..32).filter(|&i| use_more_bits(i, 32)).count();
        assert!((14..=18).contains(&n), "{n}");
    }
}
