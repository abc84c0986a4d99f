//! Checks of the quantization presets: average bits per weight per preset on reference
//! models, and predicted GGUF file sizes against published files.

// Test code: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use roofline_core::catalog::Catalog;
use roofline_core::estimate::plan::model_bytes;
use roofline_core::model::ModelSpec;
use roofline_core::quant::{QuantScheme as Q, ALL_SCHEMES};

fn catalog() -> Catalog {
    Catalog::try_builtin().expect("the embedded catalog parses")
}

/// Weight bits per weight of `model` in `quant`: every matrix's storage over its elements.
fn average_bits(model: &ModelSpec, quant: Q) -> f64 {
    let mut elements = model.embedding_elements() as f64 * 2.0;
    if model.tied_embeddings {
        elements -= model.embedding_elements() as f64;
    }
    for layer in 0..model.layers {
        elements += model.layer_tensors(layer).iter().map(|t| t.elements as f64).sum::<f64>();
    }
    8.0 * model_bytes(model, quant) / elements
}

/// Average bits per weight each preset must land in on Llama 3.1 8B (a dense GQA model):
/// from the base type's own bits per weight (ggml's block sizes) to that plus what the
/// preset's higher-precision tensors can add. llama-quantize's own list
/// (`tools/quantize/quantize.cpp`, `QUANT_OPTIONS`) gives for Llama 3 8B e.g. Q3_K_S 3.41
/// GB, Q4_K_M 4.58 GB (4.89 bpw), IQ2_XXS 2.06 bpw, IQ1_S 1.56 bpw for the base type.
const BITS_RANGE: [(Q, f64, f64); 37] = [
    (Q::F32, 32.0, 32.0),
    (Q::F16, 16.0, 16.0),
    (Q::BF16, 16.0, 16.0),
    (Q::Q8_0, 8.5, 8.5),
    (Q::Q6_K, 6.56, 6.57),
    (Q::Q5_K_M, 5.6, 6.0),
    (Q::Q4_K_M, 4.7, 5.1),
    (Q::Q4_K_S, 4.5, 4.8),
    (Q::Q4_0, 4.5, 4.8),
    (Q::IQ4_XS, 4.25, 4.6),
    (Q::Q3_K_M, 3.8, 4.2),
    (Q::Q2_K, 2.9, 3.3),
    (Q::MXFP4, 8.5, 8.5),
    (Q::Q5_K_S, 5.5, 5.7),
    (Q::Q5_1, 6.0, 6.3),
    (Q::Q5_0, 5.5, 5.8),
    (Q::Q4_1, 5.0, 5.3),
    (Q::IQ4_NL, 4.5, 4.8),
    (Q::Q3_K_L, 4.0, 4.5),
    (Q::Q3_K_S, 3.44, 3.7),
    (Q::IQ3_M, 3.5, 3.9),
    (Q::IQ3_S, 3.44, 3.8),
    (Q::IQ3_XS, 3.2, 3.6),
    (Q::IQ3_XXS, 3.06, 3.5),
    (Q::IQ2_M, 2.56, 3.0),
    (Q::IQ2_S, 2.31, 2.8),
    (Q::IQ2_XS, 2.31, 2.7),
    (Q::IQ2_XXS, 2.06, 2.5),
    (Q::IQ1_M, 1.75, 2.2),
    (Q::IQ1_S, 1.56, 2.1),
    (Q::UD_Q8_K_XL, 8.5, 10.0),
    (Q::UD_Q6_K_XL, 6.56, 7.3),
    (Q::UD_Q5_K_XL, 5.5, 6.3),
    (Q::UD_Q4_K_XL, 4.5, 5.3),
    (Q::UD_Q3_K_XL, 3.44, 4.3),
    (Q::UD_Q3_K_S, 3.06, 3.9),
    (Q::UD_Q2_K_XL, 2.63, 3.6),
];

#[test]
fn every_preset_lands_in_its_bits_range() {
    let c = catalog();
    let m = c.model("llama-3-1-8b").unwrap();
    assert!(ALL_SCHEMES.iter().all(|q| BITS_RANGE.iter().any(|r| r.0 == *q)));
    let mut wrong = Vec::new();
    for (q, lo, hi) in BITS_RANGE {
        let bits = average_bits(m, q);
        println!("{:>11} {bits:.3} bits per weight", q.name());
        if !(lo - 1e-3..=hi + 1e-3).contains(&bits) {
            wrong.push(format!("{q}: {bits:.3} not in {lo}..={hi}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn presets_of_one_family_order_by_size() {
    let c = catalog();
    let chains: [&[Q]; 4] = [
        &[Q::IQ1_S, Q::IQ1_M, Q::IQ2_XXS, Q::IQ2_XS, Q::IQ2_S, Q::IQ2_M, Q::IQ3_XXS, Q::IQ3_XS, Q::IQ3_S, Q::IQ3_M],
        &[Q::Q2_K, Q::Q3_K_S, Q::Q3_K_M, Q::Q3_K_L, Q::Q4_K_S, Q::Q4_K_M, Q::Q5_K_S, Q::Q5_K_M, Q::Q6_K, Q::Q8_0],
        &[Q::Q4_0, Q::Q4_1, Q::Q5_0, Q::Q5_1],
        &[Q::UD_Q2_K_XL, Q::UD_Q3_K_XL, Q::UD_Q4_K_XL, Q::UD_Q5_K_XL, Q::UD_Q6_K_XL, Q::UD_Q8_K_XL],
    ];
    for m in &c.models {
        for chain in chains {
            for pair in chain.windows(2) {
                let (a, b) = (model_bytes(m, pair[0]), model_bytes(m, pair[1]));
                assert!(a < b, "{}: {} {a} >= {} {b}", m.id, pair[0], pair[1]);
            }
        }
    }
}

/// Published GGUF files: `(catalog model, preset, file size in GiB, source)`.
///
/// The Strix Halo campaign (`shared/data/strix_halo_llama_bench_2026-05.json`,
/// `file_size_gib`, from kyuz0/amd-strix-halo-toolboxes `docs/results.json`) and llama.cpp's
/// `print_info: file size` lines in kyuz0/amd-strix-halo-toolboxes
/// `benchmark/loadtime_results/*.log` (commit e7e27e6).
const FILES: [(&str, &str, f64, &str); 11] = [
    ("glm-4-7-flash", "UD-Q8_K_XL", 32.7, "strix halo 2026-05"),
    ("minimax-m2-7", "UD-Q3_K_S", 87.2, "strix halo 2026-05"),
    ("llama-3-3-70b", "UD-Q8_K_XL", 75.65, "loadtime log"),
    ("gemma-3-12b", "UD-Q8_K_XL", 13.40, "loadtime log"),
    ("qwen3-235b-a22b", "UD-Q3_K_XL", 96.99, "loadtime log (2507 Instruct)"),
    ("llama-4-scout", "UD-Q4_K_XL", 57.73, "loadtime log"),
    // Plain presets of the same sources: the error of the shapes alone.
    ("glm-4-7-flash", "BF16", 55.79, "strix halo 2026-05"),
    ("ministral-3-14b", "BF16", 25.16, "strix halo 2026-05"),
    ("gpt-oss-20b", "MXFP4", 11.27, "strix halo 2026-05"),
    ("gpt-oss-120b", "MXFP4", 59.02, "strix halo 2026-05"),
    ("llama-2-7b", "Q4_0", 3.56, "strix halo 2026-05"),
];

/// Largest relative error of a predicted file size. The dynamic mixes are chosen per
/// model by Unsloth's calibration, so a per-role rule misses some tensors: the largest
/// error is GLM-4.7-Flash UD-Q8_K_XL (about −7 %, its shared experts and MLA attention
/// are BF16 in the file).
const FILE_SIZE_TOLERANCE: f64 = 0.08;

#[test]
fn predicted_file_sizes_match_published_files() {
    let c = catalog();
    let mut wrong = Vec::new();
    for (id, quant, gib, source) in FILES {
        let m = c.model(id).unwrap_or_else(|e| panic!("{id}: {e}"));
        let q = Q::parse(quant).unwrap_or_else(|| panic!("{quant}"));
        let predicted = model_bytes(m, q) / f64::from(1u32 << 30);
        let err = predicted / gib - 1.0;
        println!(
            "{id:>16} {quant:>10}: file {gib:7.2} GiB, predicted {predicted:7.2} GiB, {:+.1} % ({source})",
            100.0 * err
        );
        if err.abs() > FILE_SIZE_TOLERANCE {
            wrong.push(format!("{id} {quant}: {predicted:.2} GiB against {gib} GiB"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
