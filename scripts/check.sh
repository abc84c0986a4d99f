#!/usr/bin/env bash
# The one check developers and CI run: format, lints (native and wasm32), tests, and the
# validation table against LocalScore's published runs.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt"
cargo fmt --all -- --check

echo "== clippy (native)"
cargo clippy --workspace --exclude roofline-app --all-targets --locked -- -D warnings

echo "== clippy (wasm32: the core and the site)"
cargo clippy -p roofline-core -p roofline-app --target wasm32-unknown-unknown --locked -- -D warnings

echo "== tests"
cargo test --workspace --exclude roofline-app --release --locked

echo "== site: release build into dist/ and its gzipped size"
./scripts/build-site.sh

echo "== site: browser tests (headless Chromium, desktop and phone viewports)"
(cd e2e && node run.mjs)

echo "== validation against LocalScore (in-sample and 5-fold cross-validated by device)"
cargo run --release --locked -q -p roofline-cli -- validate --folds 5
