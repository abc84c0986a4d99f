//! The generated-weights benchmark models: on reduced-depth variants of real shapes
//! (Llama 3.2 1B, Qwen 2.5 0.5B) the GPU, whose weights the fill kernel generated, gives the
//! logits of the CPU reference transformer run on the same bytes generated on the CPU; and
//! the full-depth Llama 3.2 1B shape loads and completes a short llama-bench-style run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use roofline_core::catalog::Catalog;
use roofline_gpu::model::bench::{generated_weights, run_model_bench, ModelBenchConfig};
use roofline_gpu::model::runner::{chunk_rows, GpuModel};
use roofline_reference::generated::GeneratedModel;
use roofline_reference::transformer::Model;

#[test]
fn reduced_depth_generated_models_match_the_cpu_reference() {
    let Some(ctx) = common::context() else { return };
    let catalog = Catalog::builtin();
    for (id, seed) in [("llama-3-2-1b", 7u32), ("qwen2-5-0-5b", 11)] {
        let shape = GeneratedModel::from_spec(catalog.model(id).unwrap(), Some(2)).unwrap();
        let gpu = pollster::block_on(GpuModel::load_generated(&ctx, &shape, seed, 16, &mut |_| {})).unwrap();
        let rows = |format, cols| chunk_rows(&ctx, format, cols);
        let mut cpu = Model::new(generated_weights(&shape, seed, Some(&rows)).unwrap()).unwrap();
        let mut kv = cpu.new_cache();
        for (pos, token) in [1u32, 500, 20_000].into_iter().enumerate() {
            let want = cpu.forward(token, pos, &mut kv).unwrap();
            let got = pollster::block_on(gpu.logits(&ctx, token, pos as u32)).unwrap();
            let scale = want.iter().fold(0f32, |m, v| m.max(v.abs()));
            let worst = want.iter().zip(&got).fold(0f32, |m, (a, b)| m.max((a - b).abs()));
            println!(
                "{id} (2 of {} layers), position {pos}: largest |logit| {scale:.3}, worst difference {worst:.2e}",
                catalog.model(id).unwrap().layers
            );
            assert!(scale > 1e-3 && want.iter().all(|v| v.is_finite()), "{id}: degenerate logits");
            assert!(worst <= 1e-3 * scale.max(1.0), "{id} position {pos}: logits differ by {worst} (largest {scale})");
        }
    }
}

#[test]
fn full_depth_llama_1b_shape_runs() {
    let Some(ctx) = common::context() else { return };
    let shape = GeneratedModel::from_spec(Catalog::builtin().model("llama-3-2-1b").unwrap(), None).unwrap();
    let config = ModelBenchConfig { prompt_tokens: 3, gen_tokens: 2, repetitions: 1, localscore: false };
    let t0 = std::time::Instant::now();
    let mut last = None;
    let model =
        pollster::block_on(GpuModel::load_generated(&ctx, &shape, 1, config.context_tokens(), &mut |p| last = Some(p)))
            .unwrap();
    let loaded_s = t0.elapsed().as_secs_f64();
    let last = last.unwrap();
    assert_eq!((last.bytes, last.layers), (shape.weight_bytes(), 16));
    let report = pollster::block_on(run_model_bench(&ctx, &model, &shape, &config, &mut |_| {}, &|| false)).unwrap();
    println!(
        "llama-3-2-1b shape on {}: {:.0} MB generated in {loaded_s:.1} s; pp{} {:.2} token/s, tg{} {:.2} token/s, {:.2} GB/s read by generation",
        ctx.adapter.name,
        shape.weight_bytes() as f64 / 1e6,
        config.prompt_tokens,
        report.pp_tokens_per_s.mean,
        config.gen_tokens,
        report.tg_tokens_per_s.mean,
        report.generation_gb_per_s
    );
    assert!(report.pp_tokens_per_s.mean > 0.0 && report.tg_tokens_per_s.mean > 0.0);
    assert!(report.bytes_per_token > shape.weight_bytes() / 2);
    let rows = report.llama_bench_rows();
    assert_eq!(rows[0]["n_prompt"], 3);
    assert_eq!(rows[1]["n_gen"], 2);
}
