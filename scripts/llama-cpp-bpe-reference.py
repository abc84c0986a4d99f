#!/usr/bin/env python3
"""Writes llama.cpp's tokenization of strings with a small synthetic byte-level BPE vocabulary.

No Llama 3 / Qwen / SmolLM model file is at hand, so this checks the byte-level BPE
tokenizer (`tokenizer.ggml.model = "gpt2"`) against llama.cpp on a vocabulary trained here:
GPT-2's 256 byte characters, merges learnt from a small mixed corpus (English, code,
digits, accents, Cyrillic, CJK), one normal token no merge produces (" zzzq", for Llama 3's
ignore_merges), control tokens (<|endoftext|>, <|im_start|>, <|im_end|>) and user-defined
ones ("<tool>", two spaces). The vocabulary is written as vocab-only GGUF files, one per
pre-tokenizer in PRES, which llama.cpp loads (`vocab_only=True`) to tokenize STRINGS plus
N_RANDOM random strings (seeded) without BOS, and to detokenize the ids.

The JSON holds the vocabulary (tokens, token_type, merges, bos/eos id) and, per
pre-tokenizer, llama.cpp's resolved add_bos and end-of-generation ids, and per string its ids and, where llama.cpp's
detokenization differs from the string, the bytes it gives (`detok_hex`).

Usage (from the repository root; llama-cpp-python and gguf in the venv):
  .venv-llama/bin/pip install gguf==0.19.0
  .venv-llama/bin/python scripts/llama-cpp-bpe-reference.py \
      reference/tests/fixtures/llama_cpp/bpe-synthetic.json
"""

from __future__ import annotations

import collections
import ctypes
import json
import os
import random
import re
import sys
import tempfile
from importlib.metadata import version

import gguf
import llama_cpp

PRES = ["default", "llama-bpe", "qwen2", "smollm", "gpt-2"]
N_MERGES = 1500
N_RANDOM = 160
SEED = 11

CORPUS = """The quick brown fox jumps over the lazy dog. It's a truth universally acknowledged, that a single
man in possession of a good fortune, must be in want of a wife. I'm sure they're fine; we've seen what you'll do,
and he'd agree. THE END. Don't SHOUT, it's RUDE! The other thing is that there were three of them.
def fibonacci(n):
    if n < 2:
        return n
    return fibonacci(n - 1) + fibonacci(n - 2)
for (int i = 0; i < 10; ++i) { printf("%d\\n", i); }  // comment
In 2024, the price rose 3.5% to $1,234.56 -- about 12345678 units!!! Really??? Yes... 0.001 and 42.
Café crème, naïve façade — 東京 is the capital of 日本. Привет, мир! Ça va? Straße, Zürich, ñandú.
    indented lines    with   many    spaces	and	tabs\r\nWindows line\r\n
HTML <div class="x">hello</div> and https://example.com/path?q=1&r=2 #hashtag @user
"""

STRINGS = [
    "",
    " ",
    "   ",
    "\n",
    "\n\n \n",
    "Hello world",
    " Hello  world  ",
    "don't you'll we've I'm she'd they're IT'S 'tis",
    "1234567890 3.14159 -42 ١٢٣٤",
    "$1,234.56!!! ???...",
    "def f(x):\n    return x * 2\n",
    "a\tb\t\tc\r\nd\re",
    "Café crème, naïve façade — 東京 🚀",
    "Привет, мир!",
    "<|endoftext|><|im_start|>user hi<|im_end|>",
    "x<tool>y  z <tool>",
    "zzzq zzzq  zzzq",
    "`backtick` ~tilde~ ^caret^ |pipe|",
    "a\u00a0b\u3000c\u2028d",
    "e\u0301 ﬁ Ⅻ ½ ²",
    "😀😃 👍🏽 👨\u200d👩\u200d👧",
    "ALLCAPS WORDS AND lower words",
    "a , b . c ! d ? e 's f 're g ' h 'm i 've j 't k 'll",
    " ' ' x ' y",
]

POOL = (
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    + list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
    + [" ", " ", " ", "  ", "   ", "\n", "\n\n", "\t", "\r", "\r\n", "\u00a0", "\u3000", "\u200b", "\x0b", "\x85"]
    + ["<|endoftext|>", "<|im_start|>", "<tool>", "zzzq"]
    + list("éèêëàçñßÿøåæœ") + list("ДЖЯжяё") + list("東京日本語中文") + list("ひらがなカタカナ")
    + ["😀", "🚀", "👍🏽", "\u0301", "\ue000", "\U0001F9FF", "٣", "²", "½", "Ⅻ", "Ａ", "１"]
    + ["the", " the", "ing", "tion", " and", "'s", "'t", "'re", "'ll", "'ve", "'m", "'d", "'S", "'LL", "123", "1234567"]
)


def bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def train() -> tuple[list[str], list[int], list[str]]:
    b2u = bytes_to_unicode()
    words = re.findall(r"'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?[0-9]+| ?[^\s\w]+|\s+", CORPUS * 3)
    seqs = collections.Counter(tuple(b2u[b] for b in w.encode()) for w in words)
    vocab = [b2u[b] for b in range(256)]
    merges: list[str] = []
    for _ in range(N_MERGES):
        pairs: collections.Counter = collections.Counter()
        for s, c in seqs.items():
            for a, b in zip(s, s[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        (a, b), count = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        if count < 2:
            break
        merges.append(f"{a} {b}")
        vocab.append(a + b)
        merged: collections.Counter = collections.Counter()
        for s, c in seqs.items():
            out, i = [], 0
            while i < len(s):
                if i + 1 < len(s) and s[i] == a and s[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            merged[tuple(out)] += c
        seqs = merged
    types = [1] * len(vocab)
    extra = [("".join(b2u[b] for b in " zzzq".encode()), 1), ("<|endoftext|>", 3), ("<|im_start|>", 3),
             ("<|im_end|>", 3), ("<tool>", 4), ("  ", 4)]
    for text, ty in extra:
        vocab.append(text)
        types.append(ty)
    return vocab, types, merges


def write_gguf(path: str, pre: str, vocab: list[str], types: list[int], merges: list[str], bos: int) -> None:
    w = gguf.GGUFWriter(path, "llama")
    w.add_block_count(1)
    w.add_context_length(128)
    w.add_embedding_length(64)
    w.add_feed_forward_length(128)
    w.add_head_count(2)
    w.add_head_count_kv(2)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre(pre)
    w.add_token_list(vocab)
    w.add_token_types(types)
    w.add_token_merges(merges)
    w.add_bos_token_id(bos)
    w.add_eos_token_id(bos)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def detokenize(vocab, ids: list[int]) -> bytes:
    arr = (llama_cpp.llama_token * max(len(ids), 1))(*ids)
    size = 64 + 64 * len(ids)
    while True:
        buf = ctypes.create_string_buffer(size)
        n = llama_cpp.llama_detokenize(vocab, arr, len(ids), buf, size, False, False)
        if n >= 0:
            return buf.raw[:n]
        size = -n


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    rng = random.Random(SEED)
    strings = STRINGS + ["".join(rng.choice(POOL) for _ in range(rng.choice([1, 2, 3, 5, 8, 13, 21]))) for _ in range(N_RANDOM)]
    vocab, types, merges = train()
    bos = vocab.index("<|endoftext|>")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for pre in PRES:
            path = os.path.join(tmp, f"{pre}.gguf")
            write_gguf(path, pre, vocab, types, merges, bos)
            llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
            v = llama_cpp.llama_model_get_vocab(llm.model)
            cases = []
            for s in strings:
                ids = llm.tokenize(s.encode("utf-8"), add_bos=False, special=False)
                case = {"tokens": ids}
                detok = detokenize(v, ids)
                if detok != s.encode("utf-8"):
                    case["detok_hex"] = detok.hex()
                cases.append(case)
            eog = [i for i in range(len(vocab)) if llama_cpp.llama_vocab_is_eog(v, i)]
            results[pre] = {"add_bos": bool(llama_cpp.llama_vocab_get_add_bos(v)), "eog": eog, "cases": cases}
            llm.close()
    fixture = {
        "generator": "scripts/llama-cpp-bpe-reference.py",
        "llama_cpp_python": llama_cpp.__version__,
        "gguf_py": version("gguf"),
        "bos": bos,
        "tokens": vocab,
        "token_type": types,
        "merges": merges,
        "strings": strings,
        "pre": results,
    }
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
