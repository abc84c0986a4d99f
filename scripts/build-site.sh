#!/usr/bin/env bash
# Builds the static site into dist/ (release) with its first view prerendered, and prints
# the gzipped size of wasm + JS against the 450 KB budget.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-site.sh
export PATH="$PWD/e2e/node_modules/.bin:$PATH"
trunk build --release --cargo-profile wasm-release "$@"
# The first view, rendered natively by the same components and core (app/src/bin/prerender.rs).
mkdir -p target
cargo run --locked --quiet -p roofline-app --no-default-features --features ssr --bin prerender > target/prerender.html
# Start-up script out of index.html, the prerendered view into it, content security policy,
# offline service worker.
node scripts/finish-dist.mjs dist target/prerender.html
gz() { gzip -9 -c "$1" | wc -c; }
# What a visitor downloads before the first estimate: the app's wasm and JS loader.
wasm=$(ls dist/roofline-app-*_bg.wasm); js=$(ls dist/roofline-app-*.js)
wasm_gz=$(gz $wasm); js_gz=$(gz $js)
total=$((wasm_gz + js_gz))
printf 'site size: wasm %d B raw, %d B gzipped; JS %d B gzipped; total %.1f KB gzipped (budget 450 KB)\n' \
  "$(stat -c %s $wasm)" "$wasm_gz" "$js_gz" "$(echo "$total / 1000" | bc -l)"
# Loaded later: the measured chart points (LocalScore's and the other sources') and the
# catalog's citations after the first estimate, the device-test module and the planner's
# module when their pages open.
module() { echo $(( $(gz dist/$1_bg.wasm) + $(gz dist/$1.js) + $(gz dist/$1_loader.js) )); }
device=$(module roofline-device); planner=$(module roofline-planner)
kb() { echo "$(gz "$1") / 1000" | bc -l; }
printf 'deferred: reference_points.tsv %.1f KB, bench_runs.tsv %.1f KB, catalog-sources.json %.1f KB, device test module %.1f KB, planner module %.1f KB gzipped\n' \
  "$(kb dist/reference_points.tsv)" "$(kb dist/bench_runs.tsv)" "$(kb dist/catalog-sources.json)" "$(echo "$device / 1000" | bc -l)" "$(echo "$planner / 1000" | bc -l)"
if [ "$total" -gt 450000 ]; then
  echo "site size over budget" >&2
  exit 1
fi
