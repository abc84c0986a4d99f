//! llama.cpp's pipeline parallelism in a layer split: the micro-batches of one batch flow
//! through the GPUs one behind another, so prompts of more than one micro-batch gain from a
//! second GPU, and a single micro-batch does not.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use roofline_core::catalog::Catalog;
use roofline_core::efficiency::Efficiency;
use roofline_core::estimate::estimate;
use roofline_core::quant::QuantScheme;
use roofline_core::system::System;
use roofline_core::workload::{Placement, Workload};

fn prompt_speed(gpus: u32, prompt_tokens: u32) -> f64 {
    let c = Catalog::builtin();
    let system = System::assemble(c.hardware("nvidia-geforce-rtx-4090").unwrap(), None, None, gpus).unwrap();
    let model = c.model("llama-3-1-8b").unwrap();
    let w = Workload { prompt_tokens, gen_tokens: 1, placement: Placement::GpuOnly, ..Workload::default() };
    estimate(&system, model, QuantScheme::Q4_K_M, &w, &Efficiency::fitted()).unwrap().prompt_tokens_per_s
}

#[test]
fn two_gpus_pipeline_a_batch_of_micro_batches() {
    let (one, two) = (prompt_speed(1, 2048), prompt_speed(2, 2048));
    // Four micro-batches over two equal stages: (Σt + 3 max t) / (4 Σt) = 5/8 of the time.
    assert!(two > 1.3 * one && two < 1.7 * one, "1 GPU {one:.0}, 2 GPUs {two:.0} token/s");
    let (one, two) = (prompt_speed(1, 512), prompt_speed(2, 512));
    assert!(two < 1.05 * one, "a single micro-batch cannot overlap: 1 GPU {one:.0}, 2 GPUs {two:.0} token/s");
}
