//! GGUF tensor types and the per-tensor type mixes that llama.cpp's quantization presets
//! produce (`Q4_K_M` and friends).
//!
//! Bits per weight are the true storage cost including the per-block scales:
//! `bits_per_weight = 8 × block_size_bytes / block_weights`.

use serde::{Deserialize, Serialize};

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
}

impl GgmlType {
    /// `(weights per block, bytes per block)` as ggml defines them.
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

/// A quantization preset as `llama-quantize` names it; it maps each tensor to a [`GgmlType`].
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
    /// Q4_K with a Q6_K output.
    Q4_K_S,
    /// Q4_0 with a Q6_K output.
    Q4_0,
    /// IQ4_XS with a Q6_K output.
    IQ4_XS,
    /// Q3_K with Q4_K/Q5_K for sensitive tensors and a Q6_K output.
    Q3_K_M,
    /// Q2_K with Q3_K/Q4_K for sensitive tensors and a Q6_K output.
    Q2_K,
    /// MXFP4 routed experts, Q8_0 elsewhere (as gpt-oss is published).
    MXFP4,
}

/// All presets, in the order pickers list them.
pub const ALL_SCHEMES: [QuantScheme; 13] = [
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
];

impl QuantScheme {
    /// The name `llama-quantize` and GGUF file names use (`Q4_K_M`).
    pub fn name(self) -> &'static str {
        match self {
            QuantScheme::F32 => "F32",
            QuantScheme::F16 => "F16",
            QuantScheme::BF16 => "BF16",
            QuantScheme::Q8_0 => "Q8_0",
            QuantScheme::Q6_K => "Q6_K",
            QuantScheme::Q5_K_M => "Q5_K_M",
            QuantScheme::Q4_K_M => "Q4_K_M",
            QuantScheme::Q4_K_S => "Q4_K_S",
            QuantScheme::Q4_0 => "Q4_0",
            QuantScheme::IQ4_XS => "IQ4_XS",
            QuantScheme::Q3_K_M => "Q3_K_M",
            QuantScheme::Q2_K => "Q2_K",
            QuantScheme::MXFP4 => "MXFP4",
        }
    }

    /// Parses a preset name, case-insensitively, also accepting LocalScore's
    /// `"Q4_K - Medium"` spelling.
    pub fn parse(text: &str) -> Option<QuantScheme> {
        let norm: String =
            text.trim().to_ascii_uppercase().replace(" - MEDIUM", "_M").replace(" - SMALL", "_S").replace('-', "_");
        ALL_SCHEMES.into_iter().find(|s| s.name() == norm)
    }

    /// The type llama.cpp's preset gives a tensor of `role` in layer `layer` of `layers`.
    ///
    /// Follows `llama_tensor_get_type` in llama.cpp's `llama-quant.cpp` for the common
    /// cases: the "more bits" rule gives Q6_K to `attn_v` and `ffn_down` in the first and
    /// last eighth of the layers and every third layer between them.
    pub fn tensor_type(self, role: TensorRole, layer: u32, layers: u32) -> GgmlType {
        use GgmlType as T;
        use TensorRole as R;
        let more_bits = use_more_bits(layer, layers);
        let base = match self {
            QuantScheme::F32 => return T::F32,
            QuantScheme::F16 => return T::F16,
            QuantScheme::BF16 => return T::BF16,
            QuantScheme::Q8_0 => return T::Q8_0,
            QuantScheme::Q6_K => return T::Q6_K,
            QuantScheme::MXFP4 => {
                return match role {
                    R::ExpertUp | R::ExpertDown => T::MXFP4,
                    _ => T::Q8_0,
                }
            }
            QuantScheme::Q5_K_M => T::Q5_K,
            QuantScheme::Q4_K_M | QuantScheme::Q4_K_S => T::Q4_K,
            QuantScheme::Q4_0 => T::Q4_0,
            QuantScheme::IQ4_XS => T::IQ4_XS,
            QuantScheme::Q3_K_M => T::Q3_K,
            QuantScheme::Q2_K => T::Q2_K,
        };
        match role {
            R::Output => T::Q6_K,
            R::Router => T::F32,
            R::AttnV | R::FfnDown | R::ExpertDown => match self {
                QuantScheme::Q4_K_M | QuantScheme::Q5_K_M if more_bits => T::Q6_K,
                QuantScheme::Q3_K_M => {
                    if more_bits {
                        T::Q5_K
                    } else {
                        T::Q4_K
                    }
                }
                QuantScheme::Q2_K => T::Q3_K,
                _ => base,
            },
            _ => base,
        }
    }
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

    #[test]
    fn bits_per_weight_match_ggml_block_sizes() {
        assert_eq!(GgmlType::Q4_K.bits_per_weight(), 4.5);
        assert_eq!(GgmlType::Q6_K.bits_per_weight(), 6.5625);
        assert_eq!(GgmlType::Q5_0.bits_per_weight(), 5.5);
        assert_eq!(GgmlType::MXFP4.bits_per_weight(), 4.25);
    }

    #[test]
    fn parses_localscore_spelling() {
        assert_eq!(QuantScheme::parse("Q4_K - Medium"), Some(QuantScheme::Q4_K_M));
        assert_eq!(QuantScheme::parse("q8_0"), Some(QuantScheme::Q8_0));
        assert_eq!(QuantScheme::parse("Q9"), None);
    }

    #[test]
    fn more_bits_covers_about_half_the_layers() {
        let n = (0..32).filter(|&i| use_more_bits(i, 32)).count();
        assert!((14..=18).contains(&n), "{n}");
    }
}
