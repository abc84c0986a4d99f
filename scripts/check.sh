#!/usr/bin/env bash
# The one check developers and CI run: format, lints (native and wasm32), tests, and the
# validation table against LocalScore's published runs.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt"
cargo fmt --all -- --check

echo "== clippy (native)"
cargo clippy --workspace --exclude roofline-app --exclude roofline-device --all-targets --locked -- -D warnings

echo "== clippy (wasm32: the core, the GPU probes, the site, its device-test and planner modules)"
cargo clippy -p roofline-core -p roofline-gpu -p roofline-app -p roofline-device -p roofline-planner --target wasm32-unknown-unknown --locked -- -D warnings

echo "== clippy (native: the site's prerendering of its first view)"
cargo clippy -p roofline-app --no-default-features --features ssr --all-targets --locked -- -D warnings

echo "== tests (the GPU probes run on lavapipe where no GPU is present)"
# The real model for the tokenizer, CPU-reference and GPU tests against llama.cpp.
ROOFLINE_GEMMA_GGUF="${ROOFLINE_GEMMA_GGUF:-$(scripts/fetch-test-model.sh)}"
export ROOFLINE_GEMMA_GGUF
# ROOFLINE_REQUIRE_GPU=1: a missing Vulkan adapter fails the GPU tests instead of skipping
# them (export ROOFLINE_REQUIRE_GPU=0 on a machine without Vulkan).
ROOFLINE_REQUIRE_GPU="${ROOFLINE_REQUIRE_GPU:-1}" \
  cargo test --workspace --exclude roofline-app --exclude roofline-device --exclude roofline-planner --release --locked

echo "== site: release build into dist/ and its gzipped size"
./scripts/build-site.sh

echo "== site: browser tests (headless Chromium, desktop and phone viewports)"
(cd e2e && node run.mjs)

echo "== site: Lighthouse, mobile and desktop presets (a benchmark: figures, no threshold)"
(cd e2e && node lighthouse.mjs 3) || echo "WARNING: Lighthouse could not run (the figures above are missing)" >&2

echo "== fuzzing smoke: 60 s per target (share links, GGUF headers, custom JSON, tokenizer, model weights)"
if rustup toolchain list | grep -q '^nightly'; then
  scripts/fuzz.sh 60
else
  echo "SKIPPED: cargo fuzz needs the nightly toolchain, which this machine lacks" >&2
fi

echo "== validation against LocalScore (in-sample and 5-fold cross-validated by device)"
cargo run --release --locked -q -p roofline-cli -- validate --folds 5
