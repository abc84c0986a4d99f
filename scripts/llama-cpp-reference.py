#!/usr/bin/env python3
"""Writes llama.cpp's reference tokenization and greedy generation for one GGUF model.

The fixture lets the Rust tokenizer (`roofline_reference::tokenizer`) be checked id for id
against llama.cpp, and the GPU model runner be checked against llama.cpp's first-step
logits and its greedy continuations.

For every prompt in PROMPTS:
  prompt_tokens  llama.cpp's tokenize(prompt, add_special=<add_bos>, parse_special=False)
                 where <add_bos> is what llama.cpp resolves from the metadata
                 (`llama_vocab_get_add_bos`: tokenizer.ggml.add_bos_token, else the
                 tokenizer type's default)
  tokens         the first N_GENERATE greedily generated ids (argmax of the logits at each
                 step: temperature 0, no repetition penalty, no chat template; generation
                 does not stop at end-of-generation tokens, `first_eog_index` says where the
                 first one is)
  text           llama.cpp's detokenization of `tokens` (remove_special=False,
                 unparse_special=False), bytes decoded as UTF-8 with replacement
  top_logits     the TOP_LOGITS highest logits of the first generated step, [id, value]
Each prompt gets a fresh context (n_ctx 512, n_batch 512, 2 threads, CPU only, seed fixed).

`tokenize_only` holds more strings, tokenized without and with BOS, and llama.cpp's
detokenization of the ids without BOS (`detok_hex` are its exact bytes, `round_trips` says
whether they equal the input). `tokenize_random` holds N_RANDOM random strings (seeded,
drawn from RANDOM_POOL: letters, digits, punctuation, whitespace runs, special-token and
HTML-tag text, accents, Cyrillic, CJK, Arabic, Devanagari, emoji, marks, rare code points)
with their ids without BOS, and `detok_hex` only where llama.cpp's detokenization is not
the string itself.

Usage (from the repository root):
  python3 -m venv .venv-llama
  CMAKE_ARGS=-DGGML_NATIVE=OFF CMAKE_BUILD_PARALLEL_LEVEL=2 \
      .venv-llama/bin/pip install llama-cpp-python==0.3.36
  .venv-llama/bin/python scripts/llama-cpp-reference.py MODEL.gguf OUT.json
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import platform
import random
import sys

import llama_cpp
import numpy as np

N_CTX = 512
N_THREADS = 2
SEED = 1234
N_GENERATE = 32
TOP_LOGITS = 10
N_RANDOM = 200

PROMPTS = [
    "The capital of France is",
    "Once upon a time",
    "def fibonacci(n):",
    "In 2024, the price rose 3.5% to $1,234.",
    "Café crème, naïve façade — 東京 🚀",
    "  two  spaces ",
    "Question: What is 2+2?\nAnswer:",
    " ",
]

TOKENIZE_ONLY = [
    "",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\n\n\n hello",
    "\t",
    "a\tb\t\tc",
    "<start_of_turn>",
    "<start_of_turn>user\nHi<end_of_turn>\n",
    "<s>x</s>",
    "<bos><eos><pad><unk>",
    "<table><tr><td>1</td></tr></table>",
    "antidisestablishmentarianism",
    "Pneumonoultramicroscopicsilicovolcanoconiosis",
    "1234567890",
    "3.14159 -42 +7e10",
    "aaaaaaaaaaaaaaaa",
    "!!!???...,,,;;;",
    "Hello, World!",
    "HELLO world HeLLo",
    "don't you'll we've I'm she'd they're IT'S",
    "Привет, мир!",
    "こんにちは世界",
    "مرحبا بالعالم",
    "नमस्ते दुनिया",
    "😀😃 👍🏽 👨‍👩‍👧",
    "Zürich Straße ÿ",
    "ＡＢＣ１２３",
    "line1\r\nline2\rline3",
    "   leading",
    "trailing   ",
    "▁literal ▁marker",
    "zero\u200bwidth\u00a0nbsp",
    "private \ue000 use 𠀋 rare",
    "a\u0000b",
    "abc123def456",
    "    def f(x):\n        return x * 2\n",
]

RANDOM_POOL = (
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    + list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
    + [" ", " ", " ", "  ", "   ", "\n", "\n\n", "\t", "\r", "\r\n", "\u00a0", "\u3000", "\u2581", "\u200b", "\x00", "\x0b", "\x85"]
    + ["<s>", "</s>", "<table>", "</td>", "<start_of_turn>", "<eos>", "<bos>", "<unk>", "<pad>", "<mask>", "[multimodal]"]
    + ["<start_of_image>", "<|endoftext|>", "<|im_start|>"]
    + list("éèêëàâäôöûüçñßÿøåæœ") + list("ДЖЯжяёЁ") + list("東京日本語中文字") + list("ひらがなカタカナ") + list("مرحبا")
    + list("नमस्ते") + ["😀", "🚀", "👍🏽", "👨\u200d👩\u200d👧", "\u0301", "\u0308", "\ue000", "\U0001F9FF", "\U00020000"]
    + ["\U0010FFFD", "٣", "²", "½", "Ⅻ", "ﬁ", "Ａ", "１", "the", " the", "ing", "tion", " and", "'s", "'t", "'re", "'ll"]
    + ["'ve", "'m", "'d", "'S", "'LL", "don", "123", "1234567", " 42"]
)


def random_strings() -> list[str]:
    rng = random.Random(SEED)
    return ["".join(rng.choice(RANDOM_POOL) for _ in range(rng.choice([1, 2, 3, 5, 8, 13, 21, 40]))) for _ in range(N_RANDOM)]


def file_digest(path: str) -> tuple[int, str]:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return os.path.getsize(path), h.hexdigest()


def load(path: str) -> llama_cpp.Llama:
    return llama_cpp.Llama(
        model_path=path,
        n_ctx=N_CTX,
        n_batch=N_CTX,
        n_threads=N_THREADS,
        n_threads_batch=N_THREADS,
        n_gpu_layers=0,
        seed=SEED,
        logits_all=False,
        verbose=False,
    )


def detokenize(llm: llama_cpp.Llama, ids: list[int]) -> bytes:
    """llama_detokenize with remove_special=False, unparse_special=False."""
    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    arr = (llama_cpp.llama_token * max(len(ids), 1))(*ids)
    size = 64 + 64 * len(ids)
    while True:
        buf = ctypes.create_string_buffer(size)
        n = llama_cpp.llama_detokenize(vocab, arr, len(ids), buf, size, False, False)
        if n >= 0:
            return buf.raw[:n]
        size = -n


def last_logits(llm: llama_cpp.Llama) -> np.ndarray:
    n_vocab = llm.n_vocab()
    ptr = llama_cpp.llama_get_logits_ith(llm.ctx, -1)
    return np.ctypeslib.as_array(ptr, shape=(n_vocab,)).astype(np.float32).copy()


def generate(path: str, prompt: str, add_bos: bool) -> dict:
    llm = load(path)
    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    prompt_tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=add_bos, special=False)
    llm.eval(prompt_tokens)
    logits = last_logits(llm)
    top = np.argsort(-logits, kind="stable")[:TOP_LOGITS]
    top_logits = [[int(i), float(logits[i])] for i in top]
    tokens: list[int] = []
    for _ in range(N_GENERATE):
        nxt = int(np.argmax(logits))
        tokens.append(nxt)
        llm.eval([nxt])
        logits = last_logits(llm)
    first_eog = next((i for i, t in enumerate(tokens) if llama_cpp.llama_vocab_is_eog(vocab, t)), None)
    text = detokenize(llm, tokens)
    llm.close()
    return {
        "prompt": prompt,
        "prompt_tokens": prompt_tokens,
        "tokens": tokens,
        "text": text.decode("utf-8", errors="replace"),
        "first_eog_index": first_eog,
        "top_logits": top_logits,
    }


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    path, out = sys.argv[1], sys.argv[2]
    size, sha = file_digest(path)

    llm = load(path)
    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    add_bos = bool(llama_cpp.llama_vocab_get_add_bos(vocab))
    meta = {k: v for k, v in llm.metadata.items() if k.startswith("tokenizer.") or k.startswith("general.")}
    tokenize_only = []
    for s in TOKENIZE_ONLY:
        data = s.encode("utf-8")
        plain = llm.tokenize(data, add_bos=False, special=False)
        detok = detokenize(llm, plain)
        tokenize_only.append(
            {
                "text": s,
                "tokens": plain,
                "tokens_with_bos": llm.tokenize(data, add_bos=add_bos, special=False),
                "detok": detok.decode("utf-8", errors="replace"),
                "detok_hex": detok.hex(),
                "round_trips": detok == data,
            }
        )
    tokenize_random = []
    for s in random_strings():
        data = s.encode("utf-8")
        ids = llm.tokenize(data, add_bos=False, special=False)
        case = {"text": s, "tokens": ids}
        detok = detokenize(llm, ids)
        if detok != data:
            case["detok_hex"] = detok.hex()
        tokenize_random.append(case)
    info = {
        "n_vocab": llm.n_vocab(),
        "bos": llama_cpp.llama_vocab_bos(vocab),
        "eos": llama_cpp.llama_vocab_eos(vocab),
        "add_bos": add_bos,
        "add_eos": bool(llama_cpp.llama_vocab_get_add_eos(vocab)),
        "eog": [i for i in range(llm.n_vocab()) if llama_cpp.llama_vocab_is_eog(vocab, i)],
        "metadata": meta,
    }
    llm.close()

    prompts = [generate(path, p, add_bos) for p in PROMPTS]
    fixture = {
        "generator": "scripts/llama-cpp-reference.py",
        "llama_cpp_python": llama_cpp.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "system_info": llama_cpp.llama_print_system_info().decode(),
        "model_file": os.path.basename(path),
        "model_size_bytes": size,
        "model_sha256": sha,
        "settings": {
            "n_ctx": N_CTX,
            "n_threads": N_THREADS,
            "seed": SEED,
            "n_generate": N_GENERATE,
            "sampling": "argmax of the logits (temperature 0), no penalties, raw completion",
            "tokenize": "add_special=<vocab add_bos>, parse_special=False",
        },
        "vocab": info,
        "prompts": prompts,
        "tokenize_only": tokenize_only,
        "tokenize_random": tokenize_random,
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
