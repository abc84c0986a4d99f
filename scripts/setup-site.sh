#!/usr/bin/env bash
# Installs what building the site needs, skipping what is already there: the wasm32 target,
# Trunk 0.21.14, wasm-bindgen-cli 0.2.130 (matching the app's pinned wasm-bindgen) and
# wasm-opt 132 from npm (Debian's binaryen 108 emits a wasm that fails at start-up).
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target add wasm32-unknown-unknown >/dev/null
if ! trunk --version 2>/dev/null | grep -q "0.21.14"; then
  echo "== installing trunk 0.21.14 (about 8 minutes)"
  cargo install trunk --version 0.21.14 --locked
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q "0.2.130"; then
  echo "== installing wasm-bindgen-cli 0.2.130"
  cargo install wasm-bindgen-cli --version 0.2.130
fi
if [ ! -x e2e/node_modules/.bin/wasm-opt ] || [ ! -d e2e/node_modules/playwright-core ] \
  || [ ! -d e2e/node_modules/lighthouse ]; then
  echo "== installing wasm-opt (npm binaryen 132), playwright-core and lighthouse 12"
  (cd e2e && npm ci --no-audit --no-fund)
fi
