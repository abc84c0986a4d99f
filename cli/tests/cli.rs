//! End-to-end tests of the `roofline` binary: JSON output of `estimate`, `localscore` and
//! `catalog`, hardware and model aliases, placement and workload options, custom JSON files,
//! and one-line error messages. `roofline validate` is slow and is not run here.

// The helpers below are test code too: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use serde_json::Value;

const GPU: &str = "nvidia-geforce-rtx-3090";
const MODEL: &str = "llama-3-1-8b";
const APPLE: &str = "Apple M4 Max 12P+4E+40GPU";
const CPU: &str = "amd-ryzen-9-5950x";

fn output(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("roofline").unwrap().args(args).output().unwrap()
}

/// Runs `roofline ARGS --json`, checks it succeeded and parses stdout.
fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = output(&all);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{all:?} failed: {stderr}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{all:?}: stdout is not JSON: {e}"))
}

/// `roofline estimate --hardware HW --model MODEL EXTRA… --json`.
fn estimate(hardware: &str, model: &str, extra: &[&str]) -> Value {
    let mut args = vec!["estimate", "--hardware", hardware, "--model", model];
    args.extend_from_slice(extra);
    json(&args)
}

fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("`{key}` is not a number: {}", v[key]))
}

fn memory(v: &Value) -> &Vec<Value> {
    v["memory"].as_array().expect("`memory` is an array")
}

/// Sum of one field over all memory entries.
fn memory_sum(v: &Value, key: &str) -> f64 {
    memory(v).iter().map(|m| num(m, key)).sum()
}

fn gpu_entries(v: &Value) -> Vec<&Value> {
    memory(v).iter().filter(|m| m["device"].as_str().unwrap().starts_with("GPU")).collect()
}

fn cpu_entry(v: &Value) -> &Value {
    memory(v).iter().find(|m| m["device"] == "CPU").expect("a CPU memory entry")
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn model_layers(id: &str) -> u64 {
    let models = json(&["catalog", "models"]);
    let m = models.as_array().unwrap().iter().find(|m| m["id"] == id).expect("model in catalog");
    m["layers"].as_u64().unwrap()
}

/// Non-zero exit, nothing on stdout, exactly one non-empty stderr line, no panic.
fn fails_with_one_line(args: &[&str]) -> String {
    let out = output(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{args:?} should fail");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?} printed to stdout: {}", String::from_utf8_lossy(&out.stdout));
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?} should print one stderr line, got: {stderr}");
    assert!(!lines[0].trim().is_empty(), "{args:?}: empty error line");
    stderr
}

/// Usage errors from clap: non-zero exit and no panic (clap prints several lines).
fn fails_cleanly(args: &[&str]) {
    let out = output(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} should fail");
    assert!(!stderr.trim().is_empty(), "{args:?}: no message");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
}

#[test]
fn estimate_json_has_all_figures() {
    let v = estimate(GPU, MODEL, &[]);
    for key in ["prompt_tokens_per_s", "generation_tokens_per_s", "time_to_first_token_ms", "total_time_s"] {
        assert!(num(&v, key) > 0.0, "{key} = {}", v[key]);
    }
    assert!(!memory(&v).is_empty());
    for m in memory(&v) {
        assert!(m["fits"].is_boolean(), "memory entry without `fits`: {m}");
    }
    assert!(v["prompt_bound"]["bound"].is_string());
    assert!(v["generation_bound"]["bound"].is_string());
    let tg = num(&v, "generation_tokens_per_s");
    assert!(num(&v["generation_band"], "low") < tg && tg < num(&v["generation_band"], "high"));
    assert!(v["verdict"].is_string());
    assert_eq!(v["use_cases"].as_array().unwrap().len(), 4);
}

#[test]
fn text_output_succeeds() {
    let out = output(&["estimate", "--hardware", GPU, "--model", MODEL]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("NVIDIA GeForce RTX 3090") && text.contains("verdict:"), "{text}");
}

#[test]
fn localscore_aliases_and_case_insensitive_ids() {
    let v = estimate("AMD Ryzen 9 5950X 16-Core Processor (znver3)", "Meta Llama 3.1 8B Instruct", &[]);
    assert_eq!(v["hardware"], "AMD Ryzen 9 5950X");
    assert_eq!(v["model"], "Llama 3.1 8B Instruct");
    let by_id = estimate(CPU, MODEL, &[]);
    assert_eq!(num(&v, "generation_tokens_per_s"), num(&by_id, "generation_tokens_per_s"));

    let upper = estimate("NVIDIA-GeForce-RTX-3090", "LLAMA-3-1-8B", &[]);
    let lower = estimate(GPU, MODEL, &[]);
    assert_eq!(upper["hardware"], lower["hardware"]);
    assert_eq!(num(&upper, "generation_tokens_per_s"), num(&lower, "generation_tokens_per_s"));
}

#[test]
fn gpu_layers_zero_and_all_on_apple() {
    let cpu_only = estimate(APPLE, MODEL, &["--gpu-layers", "0"]);
    assert_eq!(cpu_only["gpu_layers"], 0);
    assert!(num(cpu_entry(&cpu_only), "weights_gb") > 0.0);
    for m in memory(&cpu_only) {
        if m["device"] != "CPU" {
            assert_eq!(num(m, "weights_gb"), 0.0, "non-CPU entry holds weights: {m}");
        }
    }

    let all = estimate(APPLE, MODEL, &["--gpu-layers", "all"]);
    assert_eq!(all["gpu_layers"].as_u64().unwrap(), model_layers(MODEL));
    assert!(gpu_entries(&all).iter().all(|m| num(m, "weights_gb") > 0.0));
    assert!(num(&all, "generation_tokens_per_s") > num(&cpu_only, "generation_tokens_per_s"));
}

#[test]
fn two_gpus_share_the_model() {
    let v = estimate(GPU, MODEL, &["--gpus", "2"]);
    let gpus = gpu_entries(&v);
    assert_eq!(gpus.len(), 2, "{}", v["memory"]);
    assert!(gpus.iter().all(|m| num(m, "weights_gb") > 0.0));
    let one = estimate(GPU, MODEL, &[]);
    let share = num(gpus[0], "weights_gb");
    assert!(share < num(gpu_entries(&one)[0], "weights_gb"));
}

#[test]
fn host_cpu_for_a_gpu_entry() {
    let v = estimate(GPU, MODEL, &["--host", CPU]);
    let name = v["hardware"].as_str().unwrap();
    assert!(name.contains("RTX 3090") && name.contains("5950X"), "{name}");
    assert_eq!(gpu_entries(&v).len(), 1);
    let cpu_alone = estimate(CPU, MODEL, &[]);
    assert_eq!(num(cpu_entry(&v), "capacity_gb"), num(cpu_entry(&cpu_alone), "capacity_gb"));
}

#[test]
fn gpu_added_to_a_cpu_entry() {
    let v = estimate(CPU, MODEL, &["--gpu", GPU]);
    let name = v["hardware"].as_str().unwrap();
    assert!(name.contains("RTX 3090") && name.contains("5950X"), "{name}");
    assert!(v["gpu_layers"].as_u64().unwrap() > 0);
    let gpus = gpu_entries(&v);
    assert_eq!(gpus.len(), 1);
    assert!(num(gpus[0], "weights_gb") > 0.0);
    let cpu_alone = estimate(CPU, MODEL, &[]);
    assert!(gpu_entries(&cpu_alone).is_empty());
    assert!(num(&v, "generation_tokens_per_s") > num(&cpu_alone, "generation_tokens_per_s"));
}

#[test]
fn kv_type_quant_and_batch_move_the_figures() {
    let base = estimate(GPU, MODEL, &[]);
    let q8_kv = estimate(GPU, MODEL, &["--kv-type", "q8_0"]);
    assert!(memory_sum(&q8_kv, "kv_cache_gb") < memory_sum(&base, "kv_cache_gb"));

    let q8 = estimate(GPU, MODEL, &["--quant", "Q8_0"]);
    let q4 = estimate(GPU, MODEL, &["--quant", "Q4_K_M"]);
    assert_eq!(q8["quant"], "Q8_0");
    assert!(memory_sum(&q8, "weights_gb") > memory_sum(&q4, "weights_gb"));

    let batch = estimate(GPU, MODEL, &["--batch", "8"]);
    assert_eq!(batch["workload"]["batch"], 8);
    assert!(num(&batch, "aggregate_generation_tokens_per_s") > num(&batch, "generation_tokens_per_s"));
}

#[test]
fn windows_slows_a_gpu_step_and_leaves_a_cpu_alone() {
    let linux = estimate(GPU, "llama-3-2-1b", &[]);
    let windows = estimate(GPU, "llama-3-2-1b", &["--os", "windows"]);
    assert_eq!(windows["workload"]["os"], "windows");
    assert!(num(&windows, "generation_tokens_per_s") < num(&linux, "generation_tokens_per_s"));
    let macos = estimate(GPU, "llama-3-2-1b", &["--os", "macOS"]);
    assert_eq!(num(&macos, "generation_tokens_per_s"), num(&linux, "generation_tokens_per_s"));
    let cpu_linux = estimate(CPU, MODEL, &[]);
    let cpu_windows = estimate(CPU, MODEL, &["--os", "windows"]);
    assert_eq!(num(&cpu_windows, "generation_tokens_per_s"), num(&cpu_linux, "generation_tokens_per_s"));
    let ls = json(&["localscore", "--hardware", GPU, "--model", MODEL, "--os", "windows"]);
    let ls_linux = json(&["localscore", "--hardware", GPU, "--model", MODEL]);
    assert!(num(&ls, "score") < num(&ls_linux, "score"));
    assert!(fails_with_one_line(&["estimate", "--hardware", GPU, "--model", MODEL, "--os", "beos"])
        .contains("operating system"));
}

#[test]
fn speculative_decoding_with_a_draft_model() {
    let plain = estimate(GPU, MODEL, &[]);
    let spec = estimate(GPU, MODEL, &["--draft", "llama-3-2-1b", "--draft-tokens", "4", "--acceptance", "0.8"]);
    assert!(spec["workload"]["speculative"].is_object());
    let (a, b) = (num(&plain, "generation_tokens_per_s"), num(&spec, "generation_tokens_per_s"));
    assert!(b > 0.0 && (a - b).abs() > 1e-6 * a, "draft did not change generation: {a} vs {b}");
}

#[test]
fn custom_hardware_and_model_files() {
    let (hw, model) = (fixture("custom_cpu.json"), fixture("custom_model.json"));
    let v = json(&["estimate", "--hardware-file", &hw, "--model-file", &model]);
    assert_eq!(v["hardware"], "Test Custom Zen 4 Desktop");
    assert_eq!(v["model"], "Test Custom 3B");
    assert_eq!(v["gpu_layers"], 0);
    assert!(gpu_entries(&v).is_empty());
    for key in ["prompt_tokens_per_s", "generation_tokens_per_s", "total_time_s"] {
        assert!(num(&v, key) > 0.0, "{key} = {}", v[key]);
    }
    let ls = json(&["localscore", "--hardware-file", &hw, "--model", MODEL]);
    assert!(num(&ls, "score") > 0.0);
}

#[test]
fn malformed_json_files_fail_with_one_line() {
    let bad = fixture("malformed.json");
    for args in [
        ["estimate", "--hardware-file", bad.as_str(), "--model", MODEL],
        ["estimate", "--hardware", CPU, "--model-file", bad.as_str()],
    ] {
        let err = fails_with_one_line(&args);
        assert!(err.contains("JSON"), "{err}");
    }
    let err = fails_with_one_line(&["estimate", "--hardware", CPU, "--model-file", &fixture("missing.json")]);
    assert!(err.contains("missing.json"), "{err}");
}

#[test]
fn localscore_json_and_score_formula() {
    let v = json(&["localscore", "--hardware", GPU, "--model", MODEL]);
    assert_eq!(v["tests"].as_array().unwrap().len(), 9);
    let pp = num(&v, "avg_prompt_tokens_per_s");
    let tg = num(&v, "avg_generation_tokens_per_s");
    let ttft = num(&v, "avg_time_to_first_token_ms");
    let score = num(&v, "score");
    assert!(pp > 0.0 && tg > 0.0 && ttft > 0.0);
    let expected = 10.0 * (pp * tg * 1000.0 / ttft).cbrt();
    assert!(((score - expected) / expected).abs() < 1e-6, "score {score}, expected {expected}");
}

#[test]
fn catalog_listings() {
    let hw = json(&["catalog", "hardware"]);
    let hw = hw.as_array().unwrap();
    assert!(hw.len() >= 120, "{} hardware entries", hw.len());
    for h in hw {
        assert!(h["id"].is_string() && h["name"].is_string(), "{h}");
        assert!(h["aliases"].is_array() && h["sources"].is_array(), "{h}");
    }
    let models = json(&["catalog", "models"]);
    let models = models.as_array().unwrap();
    assert!(models.len() >= 30, "{} models", models.len());
    assert!(models.iter().all(|m| m["id"].is_string() && m["aliases"].is_array() && m["sources"].is_array()));
}

#[test]
fn bad_inputs_fail_with_one_line() {
    let cases: &[&[&str]] = &[
        &["--hardware", "no-such-hardware", "--model", MODEL],
        &["--hardware", GPU, "--model", "no-such-model"],
        &["--hardware", GPU, "--model", MODEL, "--quant", "Q9_Z"],
        &["--hardware", GPU, "--model", MODEL, "--gpu-layers", "abc"],
        &["--hardware", GPU, "--model", MODEL, "--gpu-layers", "999"],
        &["--hardware", GPU, "--model", MODEL, "--prompt", "0"],
        &["--hardware", GPU, "--model", MODEL, "--batch", "0"],
        &["--hardware", GPU, "--model", MODEL, "--kv-type", "fp8"],
        &["--hardware", CPU, "--model", MODEL, "--gpu-layers", "5"],
        &["--hardware", GPU, "--model", MODEL, "--experts-on-cpu"],
        &["--hardware", GPU, "--model", MODEL, "--gpus", "0"],
        &["--hardware", GPU, "--model", MODEL, "--host", GPU],
        &["--hardware", GPU, "--model", MODEL, "--draft", "no-such-draft"],
        &["--hardware", GPU, "--model", MODEL, "--draft", "llama-3-2-1b", "--acceptance", "1.5"],
        // Combinations that cannot describe a real machine or workload.
        &["--hardware", CPU, "--model", MODEL, "--gpus", "2"],
        &["--hardware", CPU, "--model", MODEL, "--host", "amd-ryzen-7-5800x"],
        &["--hardware", APPLE, "--model", MODEL, "--host", CPU],
        &["--hardware", GPU, "--model", MODEL, "--gpu", "nvidia-geforce-rtx-4090"],
        &["--hardware", APPLE, "--model", MODEL, "--gpus", "2"],
        &["--hardware", GPU, "--model", MODEL, "--context", "10"],
    ];
    for case in cases {
        let mut args = vec!["estimate"];
        args.extend_from_slice(case);
        fails_with_one_line(&args);
    }
    // Custom specs are checked like the catalog: zero layers or channels are refused.
    let invalid_model = fixture("invalid_model.json");
    let err = fails_with_one_line(&["estimate", "--hardware", GPU, "--model-file", &invalid_model]);
    assert!(err.contains("layers"), "{err}");
    let invalid_cpu = fixture("invalid_cpu.json");
    let err = fails_with_one_line(&["estimate", "--hardware-file", &invalid_cpu, "--model", MODEL]);
    assert!(err.contains("channels"), "{err}");
    // The same checks guard `localscore`.
    fails_with_one_line(&["localscore", "--hardware", "no-such-hardware", "--model", MODEL]);
    fails_with_one_line(&["localscore", "--hardware", GPU, "--model", MODEL, "--gpu-layers", "999"]);
    fails_with_one_line(&["localscore", "--hardware", GPU, "--model", MODEL, "--gpus", "0"]);
}

#[test]
fn usage_errors_do_not_panic() {
    fails_cleanly(&[]);
    fails_cleanly(&["estimate", "--hardware", GPU]);
    fails_cleanly(&["estimate", "--model", MODEL]);
    fails_cleanly(&["estimate", "--hardware", GPU, "--model", MODEL, "--gpus", "two"]);
    fails_cleanly(&["estimate", "--hardware", GPU, "--hardware-file", "x.json", "--model", MODEL]);
    fails_cleanly(&["catalog", "gadgets"]);
}

/// `--backend` runs the GPU through another backend's fitted parameters; JSON names the
/// backend that runs the model, `cpu` where no block is on a GPU.
#[test]
fn backend_is_an_input_and_named_in_the_json() {
    let apu = "amd-ryzen-ai-max-plus-395";
    let default = estimate(apu, "gpt-oss-20b", &["--quant", "MXFP4"]);
    assert_eq!(default["backend"], "rocm");
    assert!(default["workload"].get("backend").is_none());
    let vulkan = estimate(apu, "gpt-oss-20b", &["--quant", "MXFP4", "--backend", "Vulkan"]);
    assert_eq!(vulkan["backend"], "vulkan");
    assert_eq!(vulkan["workload"]["backend"], "vulkan");
    assert_ne!(num(&vulkan, "prompt_tokens_per_s"), num(&default, "prompt_tokens_per_s"));
    assert_eq!(estimate(GPU, MODEL, &[])["backend"], "cuda");
    assert_eq!(estimate(GPU, MODEL, &["--gpu-layers", "0"])["backend"], "cpu");
    let ls = json(&["localscore", "--hardware", apu, "--model", MODEL, "--backend", "vulkan"]);
    assert_eq!(ls["backend"], "vulkan");
    assert!(fails_with_one_line(&["estimate", "--hardware", GPU, "--model", MODEL, "--backend", "glide"])
        .contains("unknown GPU backend"));
    assert!(fails_with_one_line(&["estimate", "--hardware", CPU, "--model", MODEL, "--backend", "cuda"])
        .contains("needs a machine with a GPU"));
}

/// `roofline plan`: one row per catalog model and quantization, each with exactly the
/// figures `roofline estimate` gives for the same machine, model, quantization and use case.
#[test]
fn plan_rows_are_the_estimates() {
    let plan = json(&["plan", "--hardware", GPU, "--use-case", "uc2"]);
    assert_eq!(plan["use_case"], "UC2");
    let rows = plan["rows"].as_array().unwrap();
    assert!(rows.len() >= 5 * 50, "{} rows", rows.len());
    for (model, quant) in [("llama-3-1-8b", "Q4_K_M"), ("qwen2-5-14b", "Q8_0"), ("llama-3-3-70b", "Q4_K_M")] {
        let row = rows.iter().find(|r| r["model_id"] == model && r["quant"] == quant).unwrap();
        let e = estimate(GPU, model, &["--quant", quant, "--prompt", "4096", "--gen", "256"]);
        for key in ["prompt_tokens_per_s", "time_to_first_token_ms", "generation_tokens_per_s", "gpu_layers", "verdict"]
        {
            assert_eq!(row[key], e[key], "{model} {quant} {key}");
        }
    }
    let fits: Vec<&str> = rows.iter().map(|r| r["fits"].as_str().unwrap()).collect();
    assert!(fits.contains(&"gpu") && fits.contains(&"partial") && fits.contains(&"does_not_fit"), "{fits:?}");
    let cpu = json(&["plan", "--hardware", CPU]);
    assert!(cpu["rows"].as_array().unwrap().iter().all(|r| r["fits"] != "gpu" && r["fits"] != "partial"));
    assert!(fails_with_one_line(&["plan", "--hardware", GPU, "--use-case", "uc9"]).contains("unknown use case"));
}

/// `estimate --json` carries the energy figures: the machine's power over its speeds, the
/// electricity at the given price, and with an API price the break-even point.
#[test]
fn estimate_carries_energy_and_break_even() {
    let e = estimate(GPU, MODEL, &["--electricity-usd-per-kwh", "0.3", "--api-usd-per-million-tokens", "20"]);
    let energy = &e["energy"];
    let power = num(energy, "power_w");
    // A 350 W card plus the default host's 105 W processor.
    assert_eq!(power, 455.0);
    let j = num(energy, "joules_per_generated_token");
    assert!((j - power / num(&e, "aggregate_generation_tokens_per_s")).abs() < 1e-9);
    assert!((num(energy, "joules_per_prompt_token") - power / num(&e, "prompt_tokens_per_s")).abs() < 1e-9);
    let kwh = num(energy, "kwh_per_million_generated_tokens");
    assert!((kwh - j / 3.6).abs() < 1e-9);
    let cost = num(energy, "cost_usd_per_million_generated_tokens");
    assert!((cost - 0.3 * kwh).abs() < 1e-9);
    let price = num(energy, "machine_price_usd");
    let b = num(energy, "break_even_million_tokens");
    assert!((price + b * cost - 20.0 * b).abs() < 1e-6, "{energy}");
    // Without an API price there is no break-even; the default electricity price is 0.25.
    let plain = estimate(GPU, MODEL, &[]);
    assert!(plain["energy"].get("break_even_million_tokens").is_none());
    assert_eq!(num(&plain["energy"], "electricity_usd_per_kwh"), 0.25);
    assert!(fails_with_one_line(&["estimate", "--hardware", GPU, "--model", MODEL, "--electricity-usd-per-kwh=-1"])
        .contains("electricity"));
}

/// `roofline shop`: every row meets the target with exactly `estimate`'s figures for the
/// same machine, and the rows are sorted by price with unknown prices last.
#[test]
fn shop_rows_meet_the_target_and_are_sorted_by_price() {
    let shop = json(&[
        "shop",
        "--model",
        "qwen2-5-14b",
        "--min-generation-tokens-per-s",
        "25",
        "--max-ttft-ms",
        "2000",
        "--budget-usd",
        "6000",
    ]);
    let rows = shop["rows"].as_array().unwrap();
    assert!(rows.len() > 10, "{} rows", rows.len());
    let prices: Vec<Option<f64>> = rows.iter().map(|r| r["price_usd"].as_f64()).collect();
    let known: Vec<f64> = prices.iter().map_while(|p| *p).collect();
    assert!(known.windows(2).all(|w| w[0] <= w[1]), "{known:?}");
    assert!(prices[known.len()..].iter().all(Option::is_none));
    assert!(known.iter().all(|p| *p <= 6000.0));
    for r in rows.iter().step_by(7) {
        assert!(num(r, "generation_tokens_per_s") >= 25.0 && num(r, "time_to_first_token_ms") <= 2000.0, "{r}");
        let id = r["hardware_id"].as_str().unwrap();
        let gpus = r["gpus"].as_u64().unwrap().max(1).to_string();
        let mut args = vec!["--quant", "Q4_K_M", "--prompt", "1024", "--gen", "16", "--gpus", &gpus];
        if let Some(host) = r["host_id"].as_str() {
            args.extend(["--host", host]);
        }
        let e = estimate(id, "qwen2-5-14b", &args);
        for key in ["generation_tokens_per_s", "time_to_first_token_ms", "verdict"] {
            assert_eq!(r[key], e[key], "{id} × {gpus} {key}");
        }
        assert!(r["power_w"].is_number() || r["power_w"].is_null());
    }
    assert!(fails_with_one_line(&["shop", "--model", "qwen2-5-14b", "--verdict", "soon"]).contains("unknown verdict"));
}
