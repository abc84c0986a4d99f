//! Prompt processing beyond the weights' matrix products: the KV cache a flash-attention
//! kernel streams once per tile of queries, the score matrix written without flash
//! attention, and the small per-expert batches of a mixture-of-experts micro-batch.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use roofline_core::catalog::Catalog;
use roofline_core::efficiency::{Efficiency, Family};
use roofline_core::estimate::estimate;
use roofline_core::estimate::timing::expert_rate;
use roofline_core::quant::QuantScheme;
use roofline_core::runtime::FlashAttention;
use roofline_core::system::System;
use roofline_core::workload::{Placement, Workload};

fn prompt_speed(hardware: &str, model: &str, depth: u32, flash: FlashAttention, eff: &Efficiency) -> f64 {
    let c = Catalog::builtin();
    let system = System::assemble(c.hardware(hardware).unwrap(), None, None, 1).unwrap();
    let w = Workload {
        prompt_tokens: 2048,
        gen_tokens: 1,
        context_depth: depth,
        flash_attention: flash,
        placement: Placement::GpuOnly,
        ..Workload::default()
    };
    let model = c.model(model).unwrap();
    let quant = if model.moe.is_some() { QuantScheme::Q8_0 } else { QuantScheme::Q4_0 };
    estimate(&system, model, quant, &w, eff).unwrap().prompt_tokens_per_s
}

/// The same parameters with every GPU family's flash-attention tile set to `tile`.
fn with_tile(tile: f64) -> Efficiency {
    let mut eff = Efficiency::fitted();
    for p in eff.families.values_mut() {
        p.attention_tile_tokens = tile;
    }
    eff
}

#[test]
fn a_smaller_tile_streams_the_cache_more_often_and_matters_only_at_depth() {
    let apu = "amd-ryzen-ai-max-plus-395";
    let (wide, narrow) = (with_tile(64.0), with_tile(8.0));
    let shallow = |e: &Efficiency| prompt_speed(apu, "llama-2-7b", 0, FlashAttention::On, e);
    let deep = |e: &Efficiency| prompt_speed(apu, "llama-2-7b", 32_768, FlashAttention::On, e);
    let (shallow_ratio, deep_ratio) = (shallow(&narrow) / shallow(&wide), deep(&narrow) / deep(&wide));
    // At 32k, eight times the passes over a 17 GB cache on 256 GB/s memory: far slower,
    // and far more than over the 2k tokens of a prompt at depth 0.
    assert!(deep_ratio < 0.5, "{deep_ratio}");
    assert!(deep_ratio < 0.6 * shallow_ratio, "deep {deep_ratio}, shallow {shallow_ratio}");
}

#[test]
fn without_flash_attention_a_deep_prompt_writes_and_reads_its_scores() {
    let eff = Efficiency::fitted();
    for gpu in ["nvidia-geforce-rtx-4090", "amd-ryzen-ai-max-plus-395"] {
        let on = prompt_speed(gpu, "llama-3-1-8b", 32_768, FlashAttention::On, &eff);
        let off = prompt_speed(gpu, "llama-3-1-8b", 32_768, FlashAttention::Off, &eff);
        assert!(off < on, "{gpu}: flash attention off {off:.0} token/s, on {on:.0}");
    }
}

#[test]
fn experts_run_at_their_small_batches_rate() {
    // A dense micro-batch (every token through one matrix) runs at the dense rate.
    assert!((expert_rate(512.0, 32.0) - 1.0).abs() < 1e-12);
    // gpt-oss-120b: 512 tokens × 4 of 128 experts = 16 tokens per expert.
    let r = expert_rate(16.0, 32.0);
    assert!((r - (16.0 / 48.0) / (512.0 / 544.0)).abs() < 1e-12, "{r}");
    // No half-batch (a CPU): no change.
    assert_eq!(expert_rate(16.0, 0.0), 1.0);
    // More tokens per expert, faster; never above the dense rate.
    assert!(expert_rate(64.0, 32.0) > expert_rate(16.0, 32.0));
    assert!(expert_rate(4096.0, 32.0) <= 1.0);
}

#[test]
fn a_moe_prompt_is_slower_than_its_active_parameters_alone_would_run() {
    let apu = "amd-ryzen-ai-max-plus-395";
    let mut dense_like = Efficiency::fitted();
    for p in dense_like.families.values_mut() {
        p.expert_half_batch_tokens = 0.0;
    }
    let fitted = Efficiency::fitted();
    let small = prompt_speed(apu, "gpt-oss-20b", 0, FlashAttention::On, &fitted);
    let ideal = prompt_speed(apu, "gpt-oss-20b", 0, FlashAttention::On, &dense_like);
    assert!(small < 0.9 * ideal, "{small:.0} vs {ideal:.0} token/s");
    // The GPU families carry the half-batch; CPUs have none.
    assert!(fitted.get(Family::Rocm).expert_half_batch_tokens > 0.0);
}
