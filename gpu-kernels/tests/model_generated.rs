//! Weights generated on the GPU (`fill_blocks.wgsl`) against the CPU twin, byte for byte,
//! for every format and several shapes (block sizes that do not divide a word included);
//! and the generated data dequantizes to finite weights of the intended size.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use roofline_gguf::dequant::dequantize;
use roofline_gpu::model::generated::{fill_reference, Filler};
use roofline_gpu::model::ops::read_f32;
use roofline_gpu::model::{QuantFormat, ALL_FORMATS};

#[test]
fn generated_blocks_equal_the_cpu_twin_and_dequantize_to_small_weights() {
    let Some(ctx) = common::context() else { return };
    let filler = pollster::block_on(Filler::new(&ctx)).unwrap();
    for format in ALL_FORMATS {
        for (cols, rows, seed) in [(256u32, 1u32, 1u32), (512, 7, 0xdead_beef), (1024, 33, 42)] {
            let t = pollster::block_on(filler.tensor(&ctx, format, cols, rows, seed)).unwrap();
            let bytes = format.row_bytes(cols) as usize * rows as usize;
            let words = pollster::block_on(read_f32(&ctx, &t.buffer, bytes.div_ceil(4))).unwrap();
            let got: Vec<u8> = words.iter().flat_map(|w| w.to_bits().to_le_bytes()).collect();
            let want = fill_reference(format, seed, bytes);
            assert_eq!(got, want, "{format:?} {rows}×{cols} seed {seed}");
            let weights = dequantize(format.ggml_type(), &want[..bytes], (cols * rows) as usize).unwrap();
            let largest = weights.iter().fold(0f32, |m, w| m.max(w.abs()));
            let mean_abs = weights.iter().map(|w| w.abs()).sum::<f32>() / weights.len() as f32;
            assert!(weights.iter().all(|w| w.is_finite()), "{format:?}: not finite");
            assert!(largest < 0.6 && mean_abs > 1e-4, "{format:?}: largest {largest}, mean |w| {mean_abs}");
        }
    }
    // Different seeds give different data.
    assert_ne!(fill_reference(QuantFormat::Q4K, 1, 144), fill_reference(QuantFormat::Q4K, 2, 144));
}
