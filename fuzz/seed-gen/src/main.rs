//! Writes the seed corpora of the fuzz targets (`fuzz/corpus/<target>/`).
//!
//! Share links come from `share::encode` of real states, GGUF headers from the writer in
//! `gguf/tests/gguf_writer` (only the header and its padding: tensor data is never read),
//! and the JSON seeds are catalog entries as the catalog's schema writes them. Tokenizer
//! seeds ([`tokenizer`]) are vocabulary words and text for each tokenizer variant; weight
//! seeds ([`weights`]) are whole tiny model files, checked to load. Run it again after a
//! format change; it overwrites its own files and leaves any others alone.

// A developer tool, not a library: failing loudly is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../gguf/tests/gguf_writer/mod.rs"]
mod gguf_writer;
mod tokenizer;
mod weights;

use std::path::{Path, PathBuf};

use gguf_writer::{dense_tensors, moe_tensors, s, t, tokens, u32v, Gguf, F32, Q4_K, W};
use roofline_core::calibration::{calibrate, Measured, MeasuredBy};
use roofline_core::catalog::Catalog;
use roofline_core::quant::QuantScheme;
use roofline_core::scenario::{custom_model, HardwareChoice, ModelChoice, Scenario};
use roofline_core::share::{decode, encode, starter_comparison, AppState, Page};
use roofline_core::workload::{KvType, Os, Placement, Speculative, Workload};
use roofline_gguf::{model_from_header, parse_header, Value, ValueType};

fn corpus(target: &str) -> PathBuf {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let dir = fuzz.join("corpus").join(target);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
    println!("{:>6} bytes  {}", bytes.len(), dir.join(name).display());
}

fn share_links(c: &Catalog) {
    let dir = corpus("share_link");
    let mut links: Vec<(&str, String)> = vec![
        ("default", "v=1".into()),
        ("rtx4090_llama8b", "v=1&hw=nvidia-geforce-rtx-4090&m=llama-3-1-8b&pp=512".into()),
        ("aliases_percent", "#v=1&hw=NVIDIA%20GeForce%20RTX%204090&m=llama%2D3%2D1%2D8b&q=Q4_K_M".into()),
        ("hostile", "v=2&p=admin&hw=%3Cscript%3E&pp=-5&tg=NaN&cold=inf&c9=hw:x&zz=1&hc=garbage&mc=~~~~".into()),
    ];
    let typical = AppState {
        page: Page::Calculator,
        main: Scenario {
            hardware: HardwareChoice::preset("apple-m2-max-12c-38g"),
            model: ModelChoice::Preset("qwen2-5-14b".into()),
            quant: Some(QuantScheme::Q5_K_M),
            workload: Workload { prompt_tokens: 4096, gen_tokens: 512, batch: 2, ..Workload::default() },
        },
        compare: Vec::new(),
        ..AppState::default()
    };
    links.push(("typical", encode(&typical)));
    let starter =
        AppState { page: Page::Compare, main: starter_comparison()[1].clone(), compare: starter_comparison(), ..AppState::default() };
    links.push(("starter_compare", encode(&starter)));

    let mut system = HardwareChoice::preset("nvidia-geforce-rtx-3090").system(c).unwrap();
    system.name = "Ünïcode ~&=#% box".into();
    let mut spec = custom_model(c.model("deepseek-v3").unwrap());
    spec.name = "my model ~ v2 & co".into();
    let custom = Scenario {
        hardware: HardwareChoice::Custom(Box::new(system)),
        model: ModelChoice::Custom(Box::new(spec)),
        quant: None,
        workload: Workload {
            prompt_tokens: 3333,
            gen_tokens: 0,
            batch: 7,
            context_depth: 1234,
            context_tokens: Some(65536),
            kv_type: KvType::Q4_0,
            placement: Placement::GpuLayers(3),
            cold_start_disk_gb_per_s: Some(3.25),
            speculative: Some(Speculative {
                draft_model_id: "llama-3-2-1b".into(),
                draft_tokens: 5,
                acceptance_rate: 0.7,
            }),
            os: Os::Windows,
            ..Workload::default()
        },
    };
    links.push(("custom_machine_model", encode(&AppState { page: Page::Device, main: custom, compare: Vec::new(), ..AppState::default() })));

    let apple = HardwareChoice::preset("apple-m4-max-16c-40g").system(c).unwrap();
    let gemma = custom_model(c.model("gemma-3-27b").unwrap());
    let main = Scenario {
        hardware: HardwareChoice::Custom(Box::new(apple)),
        model: ModelChoice::Custom(Box::new(gemma)),
        quant: Some(QuantScheme::Q8_0),
        ..Scenario::default()
    };
    let slots = vec![
        Scenario::default(),
        Scenario { workload: Workload { placement: Placement::CpuOnly, ..Workload::default() }, ..main.clone() },
        Scenario { model: ModelChoice::Preset("qwen3-30b-a3b".into()), ..starter_comparison()[3].clone() },
    ];
    links.push(("custom_compare", encode(&AppState { page: Page::Compare, main, compare: slots, ..AppState::default() })));

    let gpu = HardwareChoice::preset("nvidia-geforce-rtx-4090").system(c).unwrap();
    let measured = Measured {
        adapter: "NVIDIA GeForce RTX 4090".into(),
        read_gb_per_s: 912.5,
        fma_f32_tflops: 71.25,
        fma_f16_tflops: None,
        by: MeasuredBy::Probes,
    };
    let calibrated = Scenario {
        hardware: HardwareChoice::Custom(Box::new(calibrate(&gpu, &measured).unwrap())),
        model: ModelChoice::Preset("gpt-oss-20b".into()),
        workload: Workload { placement: Placement::ExpertsOnCpu, ..Workload::default() },
        ..Scenario::default()
    };
    links.push(("calibrated", encode(&AppState { page: Page::Calculator, main: calibrated, compare: Vec::new(), ..AppState::default() })));

    for (name, link) in &links {
        // Every seed but the hostile ones decodes cleanly: the fuzzer starts from real links.
        let (_, notices) = decode(link, c);
        assert!(name.starts_with("hostile") || notices.is_empty(), "{name}: {notices:?}");
        write(&dir, &format!("{name}.txt"), link.as_bytes());
    }
}

/// The header and its padding, without the tensor data; `is_model` says whether a model
/// must be built from it (so the seed reaches `model_from_header`'s success paths).
fn header_only(g: &Gguf, is_model: bool) -> Vec<u8> {
    let mut bytes = g.bytes();
    let h = parse_header(&bytes).unwrap();
    let model = model_from_header(&h, bytes.len() as u64);
    assert_eq!(model.is_ok(), is_model, "{model:?}");
    bytes.truncate(h.data_start as usize);
    bytes
}

fn gguf_headers() {
    let dir = corpus("gguf_header");
    let llama_kv = |arch: &str| -> Vec<(String, W)> {
        let k = |suffix: &str| format!("{arch}.{suffix}");
        vec![
            ("general.architecture".into(), s(arch)),
            ("general.name".into(), s("Tiny 2L")),
            ("general.file_type".into(), u32v(15)),
            (k("block_count"), u32v(2)),
            (k("context_length"), u32v(2048)),
            (k("embedding_length"), u32v(256)),
            (k("feed_forward_length"), u32v(768)),
            (k("attention.head_count"), u32v(4)),
            (k("attention.head_count_kv"), u32v(2)),
            (k("rope.freq_base"), W::V(Value::F32(500000.0))),
            ("tokenizer.ggml.tokens".into(), tokens(24)),
            (
                "tokenizer.ggml.scores".into(),
                W::Arr(ValueType::F32, (0..24).map(|i| W::V(Value::F32(i as f32))).collect()),
            ),
            ("tokenizer.ggml.add_bos_token".into(), W::V(Value::Bool(true))),
        ]
    };
    for version in [1, 2, 3] {
        let g = Gguf {
            version,
            alignment: 32,
            kv: llama_kv("llama"),
            tensors: dense_tensors(2, 256, 256, 128, 768, 24, true),
        };
        write(&dir, &format!("llama_v{version}.gguf"), &header_only(&g, true));
    }
    let mut gemma = llama_kv("gemma3");
    gemma.push(("gemma3.attention.sliding_window".into(), u32v(512)));
    gemma.push(("gemma3.attention.key_length".into(), u32v(128)));
    gemma.push(("general.alignment".into(), W::V(Value::U64(64))));
    let g = Gguf { version: 3, alignment: 64, kv: gemma, tensors: dense_tensors(6, 256, 512, 128, 512, 24, false) };
    write(&dir, "gemma3_align64.gguf", &header_only(&g, true));

    let moe: Vec<(&str, W)> = vec![
        ("general.architecture", s("qwen3moe")),
        ("general.name", s("Tiny MoE")),
        ("qwen3moe.block_count", u32v(3)),
        ("qwen3moe.embedding_length", u32v(256)),
        ("qwen3moe.attention.head_count", u32v(4)),
        ("qwen3moe.attention.head_count_kv", u32v(2)),
        ("qwen3moe.expert_count", u32v(8)),
        ("qwen3moe.expert_used_count", u32v(2)),
        ("qwen3moe.expert_feed_forward_length", u32v(256)),
    ];
    write(&dir, "qwen3moe.gguf", &header_only(&Gguf::new(moe, moe_tensors(3, 256, 8, 256, 500)), true));

    let ds: Vec<(&str, W)> = vec![
        ("general.architecture", s("deepseek2")),
        ("deepseek2.block_count", u32v(2)),
        ("deepseek2.embedding_length", u32v(256)),
        ("deepseek2.feed_forward_length", u32v(512)),
        ("deepseek2.attention.head_count", u32v(4)),
        ("deepseek2.attention.head_count_kv", u32v(1)),
        ("deepseek2.attention.key_length", u32v(576)),
        ("deepseek2.attention.value_length", u32v(512)),
        ("deepseek2.attention.q_lora_rank", u32v(96)),
        ("deepseek2.attention.kv_lora_rank", u32v(512)),
        ("deepseek2.rope.dimension_count", u32v(64)),
        ("deepseek2.expert_count", u32v(4)),
        ("deepseek2.expert_shared_count", u32v(1)),
        ("deepseek2.leading_dense_block_count", u32v(1)),
    ];
    write(&dir, "deepseek2.gguf", &header_only(&Gguf::new(ds, dense_tensors(2, 256, 256, 128, 512, 100, true)), true));

    // Every value type, nested arrays and a long array whose tail is skipped.
    let scalars = [
        Value::U8(200),
        Value::I8(-5),
        Value::U16(60000),
        Value::I16(-300),
        Value::U32(4_000_000_000),
        Value::I32(-70000),
        Value::F32(1.5),
        Value::Bool(false),
        Value::String("héllo".into()),
        Value::U64(1 << 40),
        Value::I64(-(1 << 40)),
        Value::F64(0.25),
    ];
    let mut kv: Vec<(String, W)> =
        scalars.iter().enumerate().map(|(i, v)| (format!("k.{i}"), W::V(v.clone()))).collect();
    kv.push(("k.nested".into(), W::Arr(ValueType::Array, vec![W::Arr(ValueType::I16, vec![W::V(Value::I16(7))]); 20])));
    kv.push(("k.big".into(), W::Arr(ValueType::U8, (0..40).map(|i| W::V(Value::U8(i))).collect())));
    let g = Gguf { version: 3, alignment: 32, kv, tensors: vec![t("x", &[3, 5], F32), t("y", &[256, 4], Q4_K)] };
    write(&dir, "value_types.gguf", &header_only(&g, false));

    write(&dir, "empty_v3.gguf", &header_only(&Gguf::new(Vec::new(), Vec::new()), false));
}

fn custom_json(c: &Catalog) {
    let dir = corpus("custom_json");
    for id in ["nvidia-geforce-rtx-4090", "amd-ryzen-9-9950x", "apple-m4-max-16c-40g", "qualcomm-snapdragon-8-gen-3"] {
        let entry = c.hardware(id).unwrap();
        let json = serde_json::to_string_pretty(entry).unwrap();
        roofline_core::catalog::parse_hardware_json(&json).unwrap();
        write(&dir, &format!("hardware_{id}.json"), json.as_bytes());
    }
    for id in ["llama-3-1-8b", "gemma-3-27b", "qwen3-30b-a3b", "deepseek-v3"] {
        let model = c.model(id).unwrap();
        let json = serde_json::to_string_pretty(model).unwrap();
        roofline_core::catalog::parse_model_json(&json).unwrap();
        write(&dir, &format!("model_{id}.json"), json.as_bytes());
    }
}

fn main() {
    let c = Catalog::builtin();
    share_links(&c);
    gguf_headers();
    custom_json(&c);
    tokenizer::seeds();
    weights::seeds();
}
