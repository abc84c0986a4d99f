#!/usr/bin/env python3
"""Writes core/data/measured/bench_runs.tsv, the common table `roofline validate` compares
against beside LocalScore, from the sources' own files in core/data/measured/:

- strix_halo_llama_bench_2026-05.json: llama-bench on one Ryzen AI MAX+ 395 (ROCm and
  Vulkan, flash attention on, all layers on the iGPU), pp512 / tg128 and at 32k / 64k depth;
- xiongjiedai_llama_cpp.tsv: llama.cpp on 1-8 NVIDIA GPUs (layer split) and Apple chips,
  prompts and generations of 512 to 8192 tokens, Llama 3 8B / 70B (the detailed tables;
  the summary tables repeat their 1024-token cells).

Each row names the catalog's hardware and model ids; a source's name for a model or device
the catalog lacks is kept as it is (validate counts it as not covered). Run from the
repository root: python3 scripts/import-bench-runs.py
"""

import csv
import json
import re
import sys
from pathlib import Path

MEASURED = Path("core/data/measured")
OUT = MEASURED / "bench_runs.tsv"
COLUMNS = ["source", "hardware_id", "gpu_count", "backend", "model_id", "quant", "test",
           "prompt_tokens", "gen_tokens", "depth", "tokens_per_s", "variant", "engine",
           "flash_attention"]

# Strix Halo: the file's model names (before the quantization) to catalog ids.
STRIX_MODELS = {
    "GLM-4.7-Flash": "glm-4-7-flash",
    "MiniMax-M2.7": "minimax-m2-7",
    "Ministral-3-14B-Instruct-2512": "ministral-3-14b",
    "NVIDIA-Nemotron-3-Super-120B-A12B": "nemotron-3-super-120b-a12b",
    "Qwen3.5-122B-A10B": "qwen3-5-122b-a10b",
    "Qwen3.6-27B": "qwen3-6-27b",
    "Qwen3.6-35B-A3B": "qwen3-6-35b-a3b",
    "gemma-4-26B-A4B-it": "gemma-4-26b-a4b",
    "gemma-4-31B-it": "gemma-4-31b",
    "gpt-oss-120b": "gpt-oss-120b",
    "gpt-oss-20b": "gpt-oss-20b",
    "llama-2-7b": "llama-2-7b",
}

# XiongjieDai: the tables' device names to catalog ids.
XIONGJIEDAI_DEVICES = {
    "3070 8GB": "nvidia-geforce-rtx-3070",
    "3080 10GB": "nvidia-geforce-rtx-3080-10gb",
    "3080 Ti 12GB": "nvidia-geforce-rtx-3080-ti",
    "4070 Ti 12GB": "nvidia-geforce-rtx-4070-ti",
    "4080 16GB": "nvidia-geforce-rtx-4080",
    "RTX 4000 Ada 20GB": "nvidia-rtx-4000-ada",
    "3090 24GB": "nvidia-geforce-rtx-3090",
    "4090 24GB": "nvidia-geforce-rtx-4090",
    "RTX 5000 Ada 32GB": "nvidia-rtx-5000-ada",
    "RTX A6000 48GB": "nvidia-rtx-a6000",
    "RTX 6000 Ada 48GB": "nvidia-rtx-6000-ada",
    "A40 48GB": "nvidia-a40",
    "L40S 48GB": "nvidia-l40s",
    "A100 PCIe 80GB": "nvidia-a100-pcie-80gb",
    "A100 SXM 80GB": "nvidia-a100-sxm4-80gb",
    "H100 PCIe 80GB": "nvidia-h100-pcie",
    "M1 7-Core GPU 8GB": "apple-m1-8c-7g",
    "M1 Max 32-Core GPU 64GB": "apple-m1-max-10c-32g",
    "M2 Ultra 76-Core GPU 192GB": "apple-m2-ultra-24c-76g",
    "M3 Max 40-Core GPU 64GB": "apple-m3-max-16c-40g",
}
# Llama 3 has Llama 3.1's layers and dimensions (only the RoPE scaling and the context
# length differ), so its speed is that of the catalog's Llama 3.1 entries.
XIONGJIEDAI_MODELS = {"llama-3-8b": "llama-3-1-8b", "llama-3-70b": "llama-3-1-70b"}


def strix_rows():
    data = json.loads((MEASURED / "strix_halo_llama_bench_2026-05.json").read_text())
    for r in data["runs"]:
        if r.get("error") or r.get("tps_mean") is None or not r.get("test"):
            continue  # a failed run: nothing measured
        m = re.fullmatch(r"(pp|tg)(\d+)(?: @ d(\d+))?", r["test"])
        if not m:
            sys.exit(f"unknown test {r['test']!r}")
        kind, tokens, depth = m.group(1), int(m.group(2)), int(m.group(3) or 0)
        name = r["model_clean"]
        base = next((k for k in sorted(STRIX_MODELS, key=len, reverse=True) if name.startswith(k)), None)
        model = STRIX_MODELS.get(base, name)
        quant = r["quant"]
        if "-UD-" in name:
            quant = "UD-" + quant  # Unsloth's dynamic mixes: not the plain llama-quantize preset
        backend = {"ROCm": "rocm", "Vulkan": "vulkan"}.get(r.get("backend") or "", "")
        if not backend:
            backend = "rocm" if r["env"].startswith("rocm") else "vulkan"
        yield {
            "source": "strix-halo-2026-05",
            "hardware_id": "amd-ryzen-ai-max-plus-395",
            "gpu_count": 1,
            "backend": backend,
            "model_id": model,
            "quant": quant,
            "test": kind,
            "prompt_tokens": tokens if kind == "pp" else 0,
            "gen_tokens": tokens if kind == "tg" else 0,
            "depth": depth,
            "tokens_per_s": r["tps_mean"],
            "variant": r["env"],
            "engine": "llama.cpp",
            # llama-bench's `fa` column (1 in every run of this campaign).
            "flash_attention": "on" if int(r.get("fa") or 0) else "off",
        }


def xiongjiedai_rows():
    with open(MEASURED / "xiongjiedai_llama_cpp.tsv", newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            if r["source"].startswith("overview"):
                continue  # the summary tables repeat the detailed tables' 1024-token cells
            device = r["device"].replace("\u2011", "-")
            m = re.fullmatch(r"(.*?) \* (\d+)", device)
            if m:  # "3090 24GB * 2": the count is also in gpu_count
                device = m.group(1)
                if int(m.group(2)) != int(r["gpu_count"]):
                    sys.exit(f"{r['device']!r} with gpu_count {r['gpu_count']}")
            if device not in XIONGJIEDAI_DEVICES:
                sys.exit(f"unknown device {device!r}")
            yield {
                "source": "xiongjiedai-2024-05",
                "hardware_id": XIONGJIEDAI_DEVICES[device],
                "gpu_count": int(r["gpu_count"]),
                "backend": r["backend"],
                "model_id": XIONGJIEDAI_MODELS.get(r["model"], r["model"]),
                "quant": r["quant"],
                "test": r["test"],
                "prompt_tokens": int(r["prompt_tokens"] or 0),
                "gen_tokens": int(r["gen_tokens"] or 0),
                "depth": 0,
                "tokens_per_s": float(r["tokens_per_s"]),
                "variant": r["source"],
                "engine": "llama.cpp",
                # The tables' command (`llama-bench -p … -n … -m …`) has no `-fa`: off,
                # llama-bench's default in spring 2024.
                "flash_attention": "off",
            }


def webgpu_rows():
    """This site's engine on an H100 (docs/measurements/README.md: native wgpu over Vulkan,
    generated weights at the catalog models' shapes, Q4_K_M mix, pp512 and tg128, mean of
    five repetitions), from the session-2 files of the code the README's last row names."""
    for path in sorted(Path("docs/measurements").glob("h100-2026-11-23-session2-*.json")):
        with open(path) as f:
            doc = json.load(f)
        model = doc.get("model")
        if not model:
            continue
        for r in model["llama_bench"]:
            prompt, gen = int(r["n_prompt"]), int(r["n_gen"])
            yield {
                "source": "roofline-webgpu-2026-11",
                "hardware_id": doc["catalog_match"],
                "gpu_count": 1,
                "backend": "vulkan",
                "model_id": r["model_type"].split(" ")[0],
                "quant": "Q4_K_M",
                "test": "pp" if prompt > 0 else "tg",
                "prompt_tokens": prompt,
                "gen_tokens": gen,
                "depth": int(r["n_depth"]),
                "tokens_per_s": r["avg_ts"],
                "variant": path.name,
                "engine": "roofline-webgpu",
                "flash_attention": "off",
            }


def main():
    rows = list(strix_rows()) + list(xiongjiedai_rows()) + list(webgpu_rows())
    with open(OUT, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{OUT}: {len(rows)} rows")


if __name__ == "__main__":
    main()
