#!/usr/bin/env python3
"""Writes llama.cpp's greedy generations for a GGUF model run in f32: every tensor
dequantized exactly to F32 first, and an F32 KV cache.

llama.cpp's CPU backend normally quantizes the activations to 8 bits before each product
with quantized weights (Q8_0 or Q8_K blocks) and keeps the KV cache in f16. For Gemma 3,
whose residual stream carries a few channels hundreds of times larger than the rest, that
rounding moves the logits by up to ~1 (llama.cpp's own batched and token-by-token prompt
evaluations disagree by 0.6 on the first-step logits of "The capital of France is"), so
greedy continuations part ways after a few tokens. Run on the dequantized weights with an
f32 cache, llama.cpp computes what the f32 reference (`roofline_reference::transformer`)
computes, and the two agree to a few thousandths.

Reads the prompts' token ids from the main fixture (`llama-cpp-reference.py`'s output), so
no tokenizer is involved, and writes for each: prompt, prompt_tokens, tokens (the first
N_GENERATE greedy ids; ties to the lowest id), and top_logits (the TOP_LOGITS highest logits
of the first generated step, [id, value]). Settings as the main fixture (fresh context per
prompt, n_ctx 512, n_batch 512, 2 threads, CPU only, seed 1234), plus type_k = type_v = F32
and no flash attention. The dequantized model is a temporary file (4 bytes per weight).

Usage (from the repository root; needs `pip install gguf==0.19.0` in the venv):
  .venv-llama/bin/python scripts/llama-cpp-f32-reference.py MODEL.gguf \\
      reference/tests/fixtures/llama_cpp/gemma-3-270m-q4_k_m.json \\
      reference/tests/fixtures/llama_cpp/gemma-3-270m-q4_k_m.f32.json
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import platform
import struct
import sys
import tempfile

import gguf
import llama_cpp
import numpy as np

N_CTX = 512
N_THREADS = 2
SEED = 1234
N_GENERATE = 32
TOP_LOGITS = 10
GGML_TYPE_F32 = 0

# GGUF value types with a fixed size: struct format of each.
SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}


def kv_section(path: str) -> tuple[int, int, int, bytes]:
    """(version, tensor count, key-value count, the raw key-value bytes) of a v2/v3 file."""
    with open(path, "rb") as f:
        if f.read(4) != b"GGUF":
            sys.exit(f"{path}: not a GGUF file")
        version, n_tensors, n_kv = struct.unpack("<IQQ", f.read(20))
        start = f.tell()

        def skip(ty: int) -> None:
            if ty == 8:
                (n,) = struct.unpack("<Q", f.read(8))
                f.seek(n, 1)
            elif ty == 9:
                elem, n = struct.unpack("<IQ", f.read(12))
                if elem in SCALARS:
                    f.seek(struct.calcsize(SCALARS[elem]) * n, 1)
                else:
                    for _ in range(n):
                        skip(elem)
            else:
                f.seek(struct.calcsize(SCALARS[ty]), 1)

        for _ in range(n_kv):
            (n,) = struct.unpack("<Q", f.read(8))
            f.seek(n, 1)
            (ty,) = struct.unpack("<I", f.read(4))
            skip(ty)
        end = f.tell()
        f.seek(start)
        return version, n_tensors, n_kv, f.read(end - start)


def dequantized_copy(path: str, out_path: str) -> None:
    """`path` with every tensor dequantized to F32 (gguf-py's exact dequantization), the
    metadata copied byte for byte, alignment 32 (the file must not set another)."""
    reader = gguf.GGUFReader(path)
    if "general.alignment" in reader.fields:
        sys.exit("files with general.alignment are not handled")
    version, n_tensors, n_kv, kv = kv_section(path)
    tensors = []
    for t in reader.tensors:
        values = gguf.quants.dequantize(t.data, t.tensor_type).astype("<f4").reshape(-1)
        dims = [int(d) for d in t.shape]  # innermost first, as in the file
        tensors.append((t.name.encode(), dims, values))
    with open(out_path, "wb") as f:
        f.write(b"GGUF" + struct.pack("<IQQ", version, n_tensors, n_kv) + kv)
        offset = 0
        for name, dims, values in tensors:
            f.write(struct.pack("<Q", len(name)) + name + struct.pack("<I", len(dims)))
            f.write(struct.pack(f"<{len(dims)}Q", *dims) + struct.pack("<IQ", GGML_TYPE_F32, offset))
            offset += -(-values.nbytes // 32) * 32
        f.write(b"\0" * (-f.tell() % 32))
        for _, _, values in tensors:
            f.write(values.tobytes())
            f.write(b"\0" * (-values.nbytes % 32))


def generate(path: str, prompt: str, prompt_tokens: list[int]) -> dict:
    llm = llama_cpp.Llama(
        model_path=path,
        n_ctx=N_CTX,
        n_batch=N_CTX,
        n_threads=N_THREADS,
        n_threads_batch=N_THREADS,
        n_gpu_layers=0,
        seed=SEED,
        logits_all=False,
        flash_attn=False,
        type_k=GGML_TYPE_F32,
        type_v=GGML_TYPE_F32,
        verbose=False,
    )
    n_vocab = llm.n_vocab()

    def last_logits() -> np.ndarray:
        ptr = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
        return np.ctypeslib.as_array(ptr, shape=(n_vocab,)).astype(np.float32).copy()

    llm.eval(prompt_tokens)
    logits = last_logits()
    top = np.argsort(-logits, kind="stable")[:TOP_LOGITS]
    top_logits = [[int(i), float(logits[i])] for i in top]
    tokens: list[int] = []
    for _ in range(N_GENERATE):
        nxt = int(np.argmax(logits))
        tokens.append(nxt)
        llm.eval([nxt])
        logits = last_logits()
    llm.close()
    return {"prompt": prompt, "prompt_tokens": prompt_tokens, "tokens": tokens, "top_logits": top_logits}


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    model, prompts_from, out = sys.argv[1:]
    with open(prompts_from, encoding="utf-8") as f:
        cases = json.load(f)["prompts"]
    h = hashlib.sha256()
    with open(model, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    with tempfile.TemporaryDirectory() as tmp:
        f32_path = os.path.join(tmp, "model-f32.gguf")
        dequantized_copy(model, f32_path)
        prompts = [generate(f32_path, c["prompt"], c["prompt_tokens"]) for c in cases]
    fixture = {
        "generator": "scripts/llama-cpp-f32-reference.py",
        "llama_cpp_python": llama_cpp.__version__,
        "gguf_py": importlib.metadata.version("gguf"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "system_info": llama_cpp.llama_print_system_info().decode(),
        "model_file": os.path.basename(model),
        "model_size_bytes": os.path.getsize(model),
        "model_sha256": h.hexdigest(),
        "settings": {
            "weights": "every tensor dequantized to F32 (gguf.quants.dequantize) before loading",
            "kv_cache": "F32 keys and values, no flash attention",
            "n_ctx": N_CTX,
            "n_threads": N_THREADS,
            "seed": SEED,
            "n_generate": N_GENERATE,
            "sampling": "argmax of the logits (temperature 0), no penalties, raw completion",
            "prompt_tokens": f"from {os.path.basename(prompts_from)}",
        },
        "prompts": prompts,
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
