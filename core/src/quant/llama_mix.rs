//! The per-tensor types of llama.cpp's own presets, after `llama_tensor_get_type_impl` and
//! `llama_ftype_get_default_type` in ggml-org/llama.cpp `src/llama-quant.cpp`.
//!
//! The estimator knows a tensor's role and layer but not the model's head ratio, expert
//! count or whether an importance matrix was used, so where llama.cpp looks at those this
//! follows the common case of the files people download:
//! - grouped-query attention with at least four query heads per KV head (`n_gqa() >= 4`, as
//!   in Llama 3, Qwen 2.5/3, Mistral, gpt-oss) or at least four experts;
//! - not the 8-expert rules (Mixtral) or Falcon's, nor the 70B `attn_v` bump;
//! - an importance matrix for the i-quants (llama-quantize refuses IQ1/IQ2/IQ3_XXS without
//!   one) and IQ4_NL/IQ4_XS, none for the legacy Q4_0/Q5_0 (so no Q4_1/Q5_1 `ffn_down`);
//! - `attn_v` counted per layer (llama.cpp counts `attn_v` tensors, one per layer).

use super::{use_more_bits, GgmlType, QuantScheme, TensorRole};

/// The type llama.cpp gives most tensors of `scheme` (`llama_ftype_get_default_type`).
pub fn default_type(scheme: QuantScheme) -> GgmlType {
    use GgmlType as T;
    use QuantScheme as Q;
    match scheme {
        Q::F32 => T::F32,
        Q::F16 => T::F16,
        Q::BF16 => T::BF16,
        Q::Q8_0 | Q::UD_Q8_K_XL => T::Q8_0,
        Q::Q6_K | Q::UD_Q6_K_XL => T::Q6_K,
        Q::Q5_K_M | Q::Q5_K_S | Q::UD_Q5_K_XL => T::Q5_K,
        Q::Q4_K_M | Q::Q4_K_S | Q::UD_Q4_K_XL => T::Q4_K,
        Q::Q4_0 => T::Q4_0,
        Q::Q4_1 => T::Q4_1,
        Q::Q5_0 => T::Q5_0,
        Q::Q5_1 => T::Q5_1,
        Q::IQ4_XS => T::IQ4_XS,
        Q::IQ4_NL => T::IQ4_NL,
        Q::Q3_K_S | Q::Q3_K_M | Q::Q3_K_L | Q::UD_Q3_K_XL | Q::UD_Q3_K_S => T::Q3_K,
        Q::Q2_K | Q::UD_Q2_K_XL => T::Q2_K,
        Q::MXFP4 => T::MXFP4,
        Q::IQ3_M | Q::IQ3_S | Q::IQ3_XS => T::IQ3_S,
        Q::IQ3_XXS => T::IQ3_XXS,
        Q::IQ2_M => T::IQ2_S,
        Q::IQ2_S | Q::IQ2_XS => T::IQ2_XS,
        Q::IQ2_XXS => T::IQ2_XXS,
        Q::IQ1_M => T::IQ1_M,
        Q::IQ1_S => T::IQ1_S,
    }
}

/// The type llama.cpp's preset `scheme` gives a tensor of `role` in layer `layer` of
/// `layers` (the output projection as layer `layers`).
pub fn tensor_type(scheme: QuantScheme, role: TensorRole, layer: u32, layers: u32) -> GgmlType {
    use GgmlType as T;
    use QuantScheme as Q;
    use TensorRole as R;
    let base = default_type(scheme);
    if matches!(base, T::F32 | T::F16 | T::BF16) {
        return base;
    }
    if role == R::Router {
        // `ffn_gate_inp` is never quantized.
        return T::F32;
    }
    if scheme == Q::MXFP4 {
        return match role {
            R::ExpertUp | R::ExpertDown => T::MXFP4,
            _ => T::Q8_0,
        };
    }
    let very_low = matches!(scheme, Q::IQ2_XXS | Q::IQ2_XS | Q::IQ2_S | Q::IQ2_M | Q::IQ1_S | Q::IQ1_M);
    let first_eighth = layer < layers / 8;
    match role {
        R::Output => match scheme {
            _ if very_low || scheme == Q::IQ3_XXS => T::Q5_K,
            _ if base == T::Q8_0 => T::Q8_0,
            _ => T::Q6_K,
        },
        R::Embedding => match scheme {
            Q::IQ2_XXS | Q::IQ2_XS | Q::IQ1_S | Q::IQ1_M => T::Q2_K,
            Q::IQ2_S | Q::IQ2_M | Q::IQ3_XXS => T::IQ3_S,
            _ => base,
        },
        _ if very_low => {
            let iq2_s_or_m = matches!(scheme, Q::IQ2_S | Q::IQ2_M);
            match role {
                R::AttnV => T::Q4_K,
                R::FfnDown | R::ExpertDown if first_eighth => {
                    if iq2_s_or_m {
                        T::IQ3_S
                    } else {
                        T::Q2_K
                    }
                }
                R::AttnOut if matches!(scheme, Q::IQ1_S | Q::IQ1_M) => T::IQ2_XXS,
                R::AttnOut if iq2_s_or_m => T::IQ3_S,
                _ => base,
            }
        }
        R::AttnV => attn_v(scheme, base, layer, layers),
        R::AttnK | R::AttnQ => match scheme {
            Q::IQ3_XS => T::IQ3_XXS,
            Q::IQ3_XXS => T::IQ2_S,
            _ => base,
        },
        R::FfnDown | R::ExpertDown => ffn_down(scheme, base, layer, layers),
        R::AttnOut => match scheme {
            Q::Q2_K => T::Q3_K,
            Q::IQ3_XXS => T::IQ3_S,
            Q::Q3_K_M | Q::IQ3_M => T::Q4_K,
            Q::Q3_K_L => T::Q5_K,
            _ => base,
        },
        R::FfnUp | R::ExpertUp => {
            if scheme == Q::IQ3_XS && layer >= layers / 8 && layer < 7 * layers / 8 {
                T::IQ3_XXS
            } else {
                base
            }
        }
        R::Router => T::F32,
    }
}

/// `attn_v` (and MLA's `attn_kv_b`), with `n_gqa() >= 4`.
fn attn_v(scheme: QuantScheme, base: GgmlType, layer: u32, layers: u32) -> GgmlType {
    use GgmlType as T;
    use QuantScheme as Q;
    match scheme {
        Q::Q2_K | Q::IQ3_XXS | Q::IQ3_XS | Q::IQ3_S | Q::IQ3_M => T::Q4_K,
        Q::Q3_K_M if layer < 2 => T::Q5_K,
        Q::Q3_K_M => T::Q4_K,
        Q::Q3_K_L | Q::IQ4_NL | Q::IQ4_XS => T::Q5_K,
        Q::Q4_K_M | Q::Q5_K_M if use_more_bits(layer, layers) => T::Q6_K,
        Q::Q4_K_S if layer < 4 => T::Q5_K,
        _ => base,
    }
}

/// `ffn_down` of dense layers, shared and routed experts.
fn ffn_down(scheme: QuantScheme, base: GgmlType, layer: u32, layers: u32) -> GgmlType {
    use GgmlType as T;
    use QuantScheme as Q;
    let first_eighth = layer < layers / 8;
    match scheme {
        Q::Q2_K => T::Q3_K,
        Q::Q3_K_M if layer < layers / 16 => T::Q5_K,
        Q::Q3_K_M => T::Q4_K,
        Q::IQ3_M if first_eighth => T::Q4_K,
        Q::Q3_K_L => T::Q5_K,
        Q::Q4_K_M | Q::Q5_K_M if use_more_bits(layer, layers) => T::Q6_K,
        Q::Q4_K_S if first_eighth => T::Q5_K,
        _ => base,
    }
}
