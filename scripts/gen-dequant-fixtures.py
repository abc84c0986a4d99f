#!/usr/bin/env python3
"""Writes the dequantization fixtures under gguf/tests/fixtures/dequant/.

For every ggml type that `roofline_gguf::dequant` reads, this makes a few blocks of
raw tensor data with a fixed seed and dequantizes them with the reference implementation in
the `gguf` Python package (`gguf.quants.dequantize`, numpy, the same arithmetic as ggml's
`dequantize_row_*`). Two kinds of blocks:

- random floats quantized with `gguf.quants.quantize`, where the package can quantize that
  type (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1), so that the data looks like weights;
- random raw bytes (every bit pattern of the quant fields) whose f16 scale fields are
  overwritten with finite values (mostly moderate, a few extremes: ±0, subnormal, 65504),
  so that every expected output is finite.

The float types' raw blocks are random bits, so they include infinities, NaNs and
subnormals (the Rust test compares all 32 bits of every output, NaN payloads included).
One adjustment: numpy converts a signalling f16 NaN to a signalling f32 NaN, while ggml's
`GGML_FP16_TO_FP32` (its F16C path and its portable bit-trick path alike) returns it quiet,
so the F16 expectations get the quiet bit set on every NaN, as ggml does.

Files, for each type (lower-case name, `q4_k`):
  <type>.bin  the raw blocks, as they would sit in a GGUF file
  <type>.f32  the expected output, little-endian f32, one per element
and README.md saying how they were made.

Usage (from the repository root):
  python3 -m venv /tmp/gguf-venv && /tmp/gguf-venv/bin/pip install gguf==0.19.0
  /tmp/gguf-venv/bin/python scripts/gen-dequant-fixtures.py
"""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf.quants import dequantize, quantize

SEED = 20240917
OUT = Path(__file__).resolve().parent.parent / "core" / "tests" / "fixtures" / "dequant"

# type -> (blocks quantized from random floats, raw random blocks, byte offsets of f16 scale
# fields). A float type's block is one element.
# Block layouts (ggml-common.h): Q8_0 {d, qs[32]}; Q4_0 {d, qs[16]}; Q4_1 {d, m, qs[16]};
# Q5_0 {d, qh[4], qs[16]}; Q5_1 {d, m, qh[4], qs[16]}; Q4_K {d, dmin, scales[12], qs[128]};
# Q5_K {d, dmin, scales[12], qh[32], qs[128]}; Q6_K {ql[128], qh[64], scales[16] (i8), d}.
TYPES: dict[T, tuple[int, int, tuple[int, ...]]] = {
    T.F32: (128, 128, ()),
    T.F16: (128, 128, ()),
    T.BF16: (128, 128, ()),
    T.Q8_0: (8, 8, (0,)),
    T.Q4_0: (8, 8, (0,)),
    T.Q4_1: (8, 8, (0, 2)),
    T.Q5_0: (8, 8, (0,)),
    T.Q5_1: (8, 8, (0, 2)),
    T.Q4_K: (0, 6, (0, 2)),
    T.Q5_K: (0, 6, (0, 2)),
    T.Q6_K: (0, 6, (208,)),
}

# Finite f16 scales outside the moderate range, used for a few blocks of every type.
EXTREME_F16 = np.array([0.0, -0.0, 2.0**-24, -(2.0**-20), 65504.0, -65504.0], dtype=np.float16)


def sane_f16(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` finite f16 values: magnitudes 1e-4 .. 3, either sign, a few extremes mixed in."""
    mag = 10.0 ** rng.uniform(-4.0, 0.5, n)
    sign = np.where(rng.integers(0, 2, n) == 1, -1.0, 1.0)
    vals = (sign * mag).astype(np.float16)
    k = min(len(EXTREME_F16), n // 3)
    if k:
        vals[rng.choice(n, size=k, replace=False)] = rng.choice(EXTREME_F16, size=k, replace=False)
    assert np.all(np.isfinite(vals))
    return vals


def random_floats(rng: np.random.Generator, n_blocks: int, block: int) -> np.ndarray:
    """Weight-like data: normal values with one scale per block; one all-zero and one constant block."""
    scale = 10.0 ** rng.uniform(-3.0, 1.0, (n_blocks, 1))
    data = (rng.standard_normal((n_blocks, block)) * scale).astype(np.float32)
    if n_blocks >= 4:
        data[1, :] = 0.0
        data[2, :] = np.float32(0.75)
    return data.reshape(1, -1)


def quantized_blocks(rng: np.random.Generator, qtype: T, n_blocks: int, block: int) -> np.ndarray:
    if n_blocks == 0:
        return np.zeros((1, 0), dtype=np.uint8)
    data = random_floats(rng, n_blocks, block)
    if qtype == T.F32:
        data[0, :4] = [np.inf, -np.inf, -0.0, np.float32(1e-42)]
    q = quantize(data, qtype)
    return np.ascontiguousarray(q).view(np.uint8).reshape(1, -1)


def raw_blocks(rng: np.random.Generator, qtype: T, n_blocks: int, type_size: int, scale_at: tuple[int, ...]) -> np.ndarray:
    raw = rng.integers(0, 256, (n_blocks, type_size), dtype=np.uint8)
    for at in scale_at:
        raw[:, at : at + 2] = sane_f16(rng, n_blocks).view(np.uint8).reshape(n_blocks, 2)
    return raw.reshape(1, -1)


def quiet_nans(values: np.ndarray) -> None:
    """Sets the quiet bit of every NaN in place (ggml's f16 -> f32 conversion does)."""
    bits = values.view(np.uint32)
    nan = (bits & np.uint32(0x7FFFFFFF)) > np.uint32(0x7F800000)
    bits[nan] |= np.uint32(0x00400000)


def main() -> int:
    from gguf.constants import GGML_QUANT_SIZES

    rng = np.random.default_rng(SEED)
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    total = 0
    for qtype, (n_quantized, n_raw, scale_at) in TYPES.items():
        block, type_size = GGML_QUANT_SIZES[qtype]
        data = np.concatenate(
            [
                quantized_blocks(rng, qtype, n_quantized, block),
                raw_blocks(rng, qtype, n_raw, type_size, scale_at),
            ],
            axis=1,
        )
        assert data.shape[1] % type_size == 0
        expected = np.asarray(dequantize(data, qtype), dtype=np.float32).reshape(-1).copy()
        if qtype == T.F16:
            quiet_nans(expected)
        n_blocks = data.shape[1] // type_size
        assert expected.size == n_blocks * block
        if qtype not in (T.F32, T.F16, T.BF16):
            assert np.all(np.isfinite(expected)), qtype.name
        name = qtype.name.lower()
        (OUT / f"{name}.bin").write_bytes(data.tobytes())
        (OUT / f"{name}.f32").write_bytes(expected.view(np.uint32).astype("<u4").tobytes())
        total += data.nbytes + expected.nbytes
        rows.append(f"| {qtype.name} | {int(qtype)} | {n_blocks} | {expected.size} | {data.nbytes} |")

    readme = f"""# Dequantization fixtures

Raw GGUF tensor data and what ggml's reference dequantization makes of it, for
`gguf/tests/dequant.rs`.

- `<type>.bin`: whole blocks, laid out as in a GGUF file (ggml-common.h).
- `<type>.f32`: the expected output, little-endian f32, one per element; compared bit for bit.

| type | ggml id | blocks | elements | bytes |
|---|---|---|---|---|
{chr(10).join(rows)}

Made by `scripts/gen-dequant-fixtures.py` (seed {SEED}) with gguf {version("gguf")} and
numpy {version("numpy")}: blocks quantized from random floats with `gguf.quants.quantize`
where the package can (F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1), then random raw bytes
with finite f16 scale fields (mostly 1e-4 to 3 in magnitude, some ±0, subnormal and ±65504),
all dequantized with `gguf.quants.dequantize`. The float types' raw blocks are random bits,
so they hold infinities, NaNs and subnormals; F16 NaNs get the quiet bit set, as ggml's
`GGML_FP16_TO_FP32` returns them (numpy keeps a signalling NaN signalling).

To regenerate (from the repository root):

```
python3 -m venv /tmp/gguf-venv && /tmp/gguf-venv/bin/pip install gguf=={version("gguf")}
/tmp/gguf-venv/bin/python scripts/gen-dequant-fixtures.py
```
"""
    (OUT / "README.md").write_text(readme)
    print(f"wrote {len(rows)} types, {total} bytes, to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
