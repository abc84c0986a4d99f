//! The real Gemma 3 270M Q4_K_M file on the GPU against llama.cpp. llama.cpp's CPU backend
//! rounds activations to 8 bits before each quantized matrix product and keeps an f16 KV
//! cache, which moves Gemma's logits by up to about 1 (see the fixtures' README); run in
//! f32 on the same weights (`scripts/llama-cpp-f32-reference.py`) it is the exact
//! reference. For each prompt: the 32 greedy tokens equal llama.cpp-f32's, its first-step
//! top-10 logits (the prompt processed as one chunk, as `generate` does) agree within 0.02,
//! and the quantized run's within 1.5.
//! Runs when `ROOFLINE_GEMMA_GGUF` names the file (skipped with a message otherwise).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Seek, SeekFrom};
use std::sync::Mutex;

use roofline_gguf::{next_prefix_bytes, parse_header_in_file, GgufError};
use roofline_gpu::model::loader::{plan, Blocking};
use roofline_gpu::model::runner::GpuModel;
use roofline_reference::transformer::{SourceError, TensorSource};

struct FileSource(Mutex<std::fs::File>);

impl TensorSource for FileSource {
    fn read(&self, offset: u64, len: usize) -> Result<Vec<u8>, SourceError> {
        let mut f = self.0.lock().unwrap();
        f.seek(SeekFrom::Start(offset)).map_err(|e| SourceError { message: e.to_string() })?;
        let mut out = vec![0; len];
        f.read_exact(&mut out).map_err(|e| SourceError { message: e.to_string() })?;
        Ok(out)
    }
}

#[test]
fn gemma3_270m_tokens_are_llama_cpps() {
    let Some(path) = std::env::var_os("ROOFLINE_GEMMA_GGUF") else {
        println!("skipped: set ROOFLINE_GEMMA_GGUF to gemma-3-270m-q4_k_m.gguf");
        return;
    };
    let Some(ctx) = common::context() else { return };
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("../../reference/tests/fixtures/llama_cpp/gemma-3-270m-q4_k_m.f32.json"))
            .unwrap();
    let quantized: serde_json::Value =
        serde_json::from_str(include_str!("../../reference/tests/fixtures/llama_cpp/gemma-3-270m-q4_k_m.json"))
            .unwrap();
    let mut file = std::fs::File::open(&path).unwrap();
    let size = file.metadata().unwrap().len();
    let mut want = next_prefix_bytes(0, 1 << 20, size);
    let header = loop {
        let mut prefix = Vec::new();
        file.seek(SeekFrom::Start(0)).unwrap();
        (&mut file).take(want).read_to_end(&mut prefix).unwrap();
        match parse_header_in_file(&prefix, size) {
            Ok(h) => break h,
            Err(GgufError::NeedMore { needed_bytes, .. }) => want = next_prefix_bytes(want, needed_bytes, size),
            Err(e) => panic!("{e}"),
        }
    };
    // The plan refuses an adapter whose storage bindings are too small for one row of the
    // embedding or for the logits, before reading any weight.
    let planned = plan(&ctx.adapter, &header, 128).unwrap();
    assert_eq!(planned.config.n_layers, 18);
    assert!(planned.weight_bytes > 200 << 20 && planned.gpu_bytes() > planned.weight_bytes, "{planned:?}");
    assert_eq!(planned.chunk_tokens, 128, "the prompt chunk fills the 128-token context");
    let mut small = ctx.adapter.clone();
    small.max_storage_binding_bytes = 512 << 10;
    let refused = plan(&small, &header, 128).unwrap_err().to_string();
    assert!(refused.contains("largest storage binding"), "{refused}");
    // Loaded part by part, as the browser does, with progress up to every byte and layer.
    let source = FileSource(Mutex::new(file));
    let mut last = None;
    let model =
        pollster::block_on(GpuModel::load_streaming(&ctx, &header, &Blocking(&source), 128, &mut |p| last = Some(p)))
            .unwrap();
    let last = last.unwrap();
    assert_eq!((last.bytes, last.layers), (planned.weight_bytes, 18), "{last:?}");
    let mut matched = 0;
    // The first five prompts (ASCII, code, digits and punctuation, and non-ASCII text) keep
    // the run near two minutes on lavapipe; ROOFLINE_GEMMA_PROMPTS=8 checks them all.
    let count = std::env::var("ROOFLINE_GEMMA_PROMPTS").ok().and_then(|n| n.parse().ok()).unwrap_or(5);
    let all = fixture["prompts"].as_array().unwrap();
    let prompts = &all[..count.min(all.len())];
    for (p, pq) in prompts.iter().zip(quantized["prompts"].as_array().unwrap()) {
        let ids = |v: &serde_json::Value| {
            v.as_array().unwrap().iter().map(|t| t.as_u64().unwrap() as u32).collect::<Vec<u32>>()
        };
        let prompt = ids(&p["prompt_tokens"]);
        let expected = ids(&p["tokens"]);
        // The prompt in one chunk, as `generate` runs it.
        let first = pollster::block_on(model.prefill_logits(&ctx, &prompt, 0)).unwrap();
        let diff = |fixture: &serde_json::Value| {
            fixture["top_logits"].as_array().unwrap().iter().fold(0f64, |worst, pair| {
                let (id, value) = (pair[0].as_u64().unwrap() as usize, pair[1].as_f64().unwrap());
                worst.max((f64::from(first[id]) - value).abs())
            })
        };
        let (worst, worst_q) = (diff(p), diff(pq));
        let run = pollster::block_on(model.generate(&ctx, &prompt, expected.len(), &mut |_| {}, &|| false)).unwrap();
        let same = run.tokens.iter().zip(&expected).take_while(|(a, b)| a == b).count();
        println!(
            "{:?}: {same}/{} tokens as llama.cpp (f32), top-10 logits within {worst:.4} (f32) and {worst_q:.3} (quantized), prompt {:.1} token/s, {:.2} token/s",
            p["prompt"].as_str().unwrap_or(""),
            expected.len(),
            prompt.len() as f64 / run.prompt_s,
            (run.tokens.len() - 1) as f64 / run.generation_s
        );
        assert!(worst < 0.02, "first-step logits differ from llama.cpp-f32's by {worst}");
        assert!(worst_q < 1.5, "first-step logits differ from llama.cpp's quantized run by {worst_q}");
        if same == expected.len() {
            matched += 1;
        }
    }
    assert_eq!(matched, prompts.len(), "prompts whose 32 greedy tokens are llama.cpp's");
}
