#!/usr/bin/env bash
# Builds the static site into dist/ (release) and prints the gzipped size of wasm + JS
# against the 400 KB budget.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-site.sh
export PATH="$PWD/e2e/node_modules/.bin:$PATH"
trunk build --release --cargo-profile wasm-release "$@"
wasm=$(ls dist/*.wasm); js=$(ls dist/*.js)
wasm_gz=$(gzip -9 -c $wasm | wc -c); js_gz=$(gzip -9 -c $js | wc -c)
total=$((wasm_gz + js_gz))
printf 'site size: wasm %d B raw, %d B gzipped; JS %d B gzipped; total %.1f KB gzipped (budget 400 KB)\n' \
  "$(stat -c %s $wasm)" "$wasm_gz" "$js_gz" "$(echo "$total / 1000" | bc -l)"
if [ "$total" -gt 400000 ]; then
  echo "site size over budget" >&2
  exit 1
fi
