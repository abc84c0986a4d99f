//! Generated-weights model shapes: the catalog's shapes with llama.cpp's Q4_K_M type mix.
//! The mix is checked against the real Gemma 3 270M Q4_K_M file when `ROOFLINE_GEMMA_GGUF`
//! names it (its 640-wide rows exercise the fallbacks of K-quants), and against the
//! published size of Llama 3.2 1B Instruct Q4_K_M.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read;

use roofline_core::catalog::Catalog;
use roofline_gguf::{next_prefix_bytes, parse_header_in_file, GgufError};
use roofline_reference::generated::{q4_k_m_type, use_more_bits, GeneratedModel, Role, SHAPES};

#[test]
fn use_more_bits_matches_llama_cpp_for_18_blocks() {
    let more: Vec<usize> = (0..18).filter(|&i| use_more_bits(i, 18)).collect();
    // n/8 = 2 and 7n/8 = 15: the first two, the last three, and every third from 4.
    assert_eq!(more, vec![0, 1, 4, 7, 10, 13, 15, 16, 17]);
}

#[test]
fn every_shape_builds_from_the_catalog() {
    let catalog = Catalog::builtin();
    for id in SHAPES {
        let spec = catalog.model(id).unwrap();
        let m = GeneratedModel::from_spec(spec, None).unwrap();
        assert_eq!(m.config.n_layers, spec.layers as usize);
        let blocks = m.config.n_layers * 7;
        assert_eq!(m.matrices.len(), blocks + if spec.tied_embeddings { 1 } else { 2 }, "{id}");
        let params: usize = m.matrices.iter().map(|t| t.cols * t.rows).sum();
        let published = spec.params_total_b * 1e9;
        // The matrices hold nearly all parameters (norms and biases are the rest).
        assert!((params as f64 / published - 1.0).abs() < 0.03, "{id}: {params} vs {published}");
        assert!(m.bytes_per_token(0) < m.weight_bytes() + 4 * m.config.hidden as u64 * 200);
        assert!(m.bytes_per_token(512) > m.bytes_per_token(0));
        let reduced = GeneratedModel::from_spec(spec, Some(2)).unwrap();
        assert_eq!(reduced.config.n_layers, 2);
        // A reduced-depth variant keeps the full model's types for its first blocks.
        assert_eq!(reduced.matrices[..], m.matrices[..reduced.matrices.len()], "{id}");
    }
    // Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf is listed at 4.92 GB on Hugging Face
    // (bartowski/Meta-Llama-3.1-8B-Instruct-GGUF); the matrices are all of it but the
    // tokenizer in the header and the norm vectors, a few MB.
    let llama = GeneratedModel::from_spec(catalog.model("llama-3-1-8b").unwrap(), None).unwrap();
    let gb = llama.weight_bytes() as f64 / 1e9;
    assert!((4.88..4.92).contains(&gb), "{gb} GB");
    assert!(GeneratedModel::from_spec(catalog.model("qwen3-30b-a3b").unwrap(), None).is_err());
    assert!(GeneratedModel::from_spec(catalog.model("gemma-3-1b").unwrap(), None).is_err());
}

#[test]
fn q4_k_m_mix_is_the_real_gemma_files() {
    let Some(path) = std::env::var_os("ROOFLINE_GEMMA_GGUF") else {
        println!("skipped: set ROOFLINE_GEMMA_GGUF to gemma-3-270m-q4_k_m.gguf");
        return;
    };
    let mut file = std::fs::File::open(path).unwrap();
    let size = file.metadata().unwrap().len();
    let mut want = next_prefix_bytes(0, 1 << 20, size);
    let header = loop {
        let mut prefix = Vec::new();
        std::io::Read::by_ref(&mut file).take(want).read_to_end(&mut prefix).unwrap();
        match parse_header_in_file(&prefix, size) {
            Ok(h) => break h,
            Err(GgufError::NeedMore { needed_bytes }) => {
                want = next_prefix_bytes(want, needed_bytes, size);
                std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(0)).unwrap();
            }
            Err(e) => panic!("{e}"),
        }
    };
    let n_layers = 18;
    let mut checked = 0;
    for t in header.tensors.iter().filter(|t| t.dims.len() == 2) {
        let layer = t.name.strip_prefix("blk.").and_then(|r| r.split('.').next()).and_then(|i| i.parse().ok());
        let role = match (t.name.as_str(), layer) {
            ("token_embd.weight", _) => Role::TokenEmbd,
            ("output.weight", _) => Role::Output,
            (n, Some(i)) if n.ends_with("attn_v.weight") => Role::AttnV(i),
            (n, Some(i)) if n.ends_with("ffn_down.weight") => Role::FfnDown(i),
            _ => Role::Plain,
        };
        let want = q4_k_m_type(role, t.dims[0] as usize, n_layers, true);
        assert_eq!(t.ggml_type, want, "{} ({:?})", t.name, t.type_name());
        checked += 1;
    }
    assert_eq!(checked, 1 + 18 * 7);
}
