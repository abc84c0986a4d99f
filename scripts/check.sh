#!/usr/bin/env bash
# The one check developers and CI run: format, lints (native and wasm32), tests, and the
# validation table against LocalScore's published runs.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt"
cargo fmt --all -- --check

echo "== clippy (native)"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== clippy (wasm32: the core must build for the browser)"
cargo clippy -p roofline-core --target wasm32-unknown-unknown --locked -- -D warnings

echo "== tests"
cargo test --workspace --release --locked

echo "== validation against LocalScore (in-sample and 5-fold cross-validated by device)"
cargo run --release --locked -q -p roofline-cli -- validate --folds 5
