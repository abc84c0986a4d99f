//! Hostile model files that `fuzz/weights` found (`scripts/fuzz.sh`, see `fuzz/README.md`):
//! each loads or is refused with a clear error within bounded memory and time.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../gguf/tests/gguf_writer/mod.rs"]
mod gguf_writer;
mod transformer_support;

use gguf_writer::{u32v, W};
use roofline_reference::transformer::{TransformerError, Weights};
use transformer_support::{build_file, Tiny};

/// `m`'s metadata with `key` set to `value`.
fn with_key(m: &Tiny, key: &str, value: W) -> Vec<(String, W)> {
    m.metadata().into_iter().map(|(k, v)| if k == key { (k, value.clone()) } else { (k, v) }).collect()
}

/// A block count of 2^24 (the largest taken) over a directory of two blocks. The fuzz
/// input claimed 2 686 977 blocks, and `load_globals` reserved room for that many layers
/// (2.2 GB; 2^24 would overflow the capacity in 32-bit wasm). Now it reserves what the
/// directory can hold, and loading stops at the first missing block.
#[test]
fn a_huge_block_count_reserves_only_what_the_directory_holds() {
    let m = Tiny::qwen3();
    let (bytes, header, _) = build_file(with_key(&m, "qwen3.block_count", u32v(1 << 24)), m.tensors(), 1);
    let globals = Weights::load_globals(&header, &bytes).unwrap();
    assert_eq!(globals.config.n_layers, 1 << 24);
    assert!(globals.layers.capacity() <= header.tensors.len(), "room for {} layers", globals.layers.capacity());
    let missing = TransformerError::MissingTensor { name: "blk.2.attn_norm.weight".into() };
    assert_eq!(Weights::load(&header, &bytes), Err(missing));
}
