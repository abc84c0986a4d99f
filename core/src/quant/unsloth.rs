//! Unsloth's dynamic ("UD-…") mixes: which tensors they keep above the nominal type.
//!
//! Unsloth picks types per tensor and per model from its own calibration ("Dynamic 2.0",
//! <https://docs.unsloth.ai/basics/unsloth-dynamic-2.0-ggufs>), so no rule reproduces
//! every file; these rules follow the type counts that llama.cpp's loader prints for
//! published files and their sizes:
//! - `Llama-4-Scout-17B-16E-Instruct-UD-Q4_K_XL`: q4_K 421, q5_K 43, q6_K 18 tensors,
//!   57.73 GiB (4.60 bits per weight);
//! - `Qwen3-235B-A22B-Instruct-2507-UD-Q3_K_XL`: q3_K 267, q4_K 362, q5_K 20, q6_K 11,
//!   96.99 GiB (3.54) — attention one step up, experts at the nominal type;
//! - `Llama-3.3-70B-Instruct-UD-Q8_K_XL`: q8_0 455, bf16 107, 75.65 GiB (9.21), and
//!   `gemma-3-12b-it-UD-Q8_K_XL`: bf16 26, 13.40 GiB (9.78) — BF16 kept for the small,
//!   sensitive tensors;
//!
//! (the `benchmark/loadtime_results/*.log` files of kyuz0/amd-strix-halo-toolboxes, commit
//! e7e27e6), and the file sizes of the 2026 Strix Halo campaign
//! (`strix_halo_llama_bench_2026-05.json`: GLM-4.7-Flash UD-Q8_K_XL 32.7 GiB, MiniMax-M2.7
//! UD-Q3_K_S 87.2 GiB). `core/tests/quant.rs` compares the predicted sizes with these.
//!
//! The rules, for nominal k-quant `B` of `UD-Qk_K_XL` (k = 2…6):
//! - FFN gate/up (dense, shared and routed experts): `B`;
//! - FFN down: one step up in the first eighth of the layers, `B` elsewhere;
//! - attention q/k/output: one step up for k ≤ 3, `B` above;
//! - attention v: one step up (two for k = 2, Q4_K as llama.cpp's Q2_K gives it);
//! - token embedding: one step up; output: Q6_K (Q8_0 for k = 6).
//!
//! `UD-Q8_K_XL` is Q8_0 with BF16 embedding, output, `attn_k` and `attn_v`. `UD-Q3_K_S`
//! (published for MiniMax M2.x) is IQ3_XXS routed-expert gate/up, Q3_K FFN down and dense
//! FFN, Q4_K attention and embedding, Q6_K output; it is fitted to the one file size above.

use super::{GgmlType, QuantScheme, TensorRole};

/// One k-quant step up: Q2_K → Q3_K → Q4_K → Q5_K → Q6_K → Q8_0 → BF16.
fn step_up(t: GgmlType) -> GgmlType {
    use GgmlType as T;
    match t {
        T::Q2_K => T::Q3_K,
        T::Q3_K => T::Q4_K,
        T::Q4_K => T::Q5_K,
        T::Q5_K => T::Q6_K,
        T::Q6_K => T::Q8_0,
        _ => T::BF16,
    }
}

/// The type an Unsloth dynamic mix gives a tensor of `role` in layer `layer` of `layers`,
/// or `None` when `scheme` is not one of them.
pub fn tensor_type(scheme: QuantScheme, role: TensorRole, layer: u32, layers: u32) -> Option<GgmlType> {
    use GgmlType as T;
    use QuantScheme as Q;
    use TensorRole as R;
    if role == R::Router {
        return scheme.is_unsloth_dynamic().then_some(T::F32);
    }
    let base = match scheme {
        Q::UD_Q2_K_XL => T::Q2_K,
        Q::UD_Q3_K_XL => T::Q3_K,
        Q::UD_Q4_K_XL => T::Q4_K,
        Q::UD_Q5_K_XL => T::Q5_K,
        Q::UD_Q6_K_XL => T::Q6_K,
        Q::UD_Q8_K_XL => {
            return Some(match role {
                R::Embedding | R::Output | R::AttnK | R::AttnV => T::BF16,
                _ => T::Q8_0,
            })
        }
        Q::UD_Q3_K_S => {
            return Some(match role {
                R::ExpertUp => T::IQ3_XXS,
                R::ExpertDown | R::FfnUp | R::FfnDown => T::Q3_K,
                R::Output => T::Q6_K,
                _ => T::Q4_K,
            })
        }
        _ => return None,
    };
    let low_bit = matches!(base, T::Q2_K | T::Q3_K);
    Some(match role {
        R::FfnUp | R::ExpertUp => base,
        R::FfnDown | R::ExpertDown if layer < layers / 8 => step_up(base),
        R::FfnDown | R::ExpertDown => base,
        R::AttnQ | R::AttnK | R::AttnOut if low_bit => step_up(base),
        R::AttnQ | R::AttnK | R::AttnOut => base,
        R::AttnV if base == T::Q2_K => T::Q4_K,
        R::AttnV | R::Embedding => step_up(base),
        R::Output if base == T::Q6_K => T::Q8_0,
        R::Output => T::Q6_K,
        R::Router => T::F32,
    })
}
