#!/usr/bin/env bash
# Fuzzes the parsers and loaders of roofline-core, roofline-gguf and roofline-reference with
# cargo-fuzz (libFuzzer), one target after another:
#   share_link   share::decode, and decode(encode(decoded)) == decoded with no notices
#   gguf_header  gguf::parse_header (and its NeedMore protocol), gguf::model_from_header
#   custom_json  catalog::parse_hardware_json, catalog::parse_model_json
#   tokenizer    Tokenizer::from_gguf on a generated vocabulary (SentencePiece and byte-level
#                BPE under each pre-tokenizer), encode/decode, decode(encode(text)) == text
#   weights      Weights::load at once and part by part (ranges, load_globals, load_layer
#                over a Prefetched) on whole GGUF files: the same weights or the same refusal
#
# Usage: scripts/fuzz.sh [SECONDS]        SECONDS per target, default 60
#        FUZZ_TARGETS="gguf_header" scripts/fuzz.sh 600   (a subset, in that order)
#
# Bounds on every target (a breach counts as a crash):
#   -rss_limit_mb=512     the fuzzing process's resident memory stays under 512 MB
#   -malloc_limit_mb=256  no single allocation over 256 MB (ASan's malloc hooks see each one)
#   -timeout=10           no single input runs longer than 10 s
# Targets are built with AddressSanitizer, debug assertions and overflow checks (cargo
# fuzz's defaults), so an arithmetic overflow on input is a crash too. ASan's quarantine of
# freed memory is cut from 256 MB to 16 MB so that the RSS bound measures the parsers, not
# the sanitizer (the core has no unsafe code for the quarantine to guard).
#
# Corpus: the committed seeds in fuzz/corpus/<target>/ are only read; what the fuzzer finds
# goes to fuzz/corpus-work/<target>/ (gitignored) and is reused by the next run. Crash
# inputs land in fuzz/artifacts/<target>/, full logs in fuzz/artifacts/logs/<target>.log.
# Exits non-zero when any target crashed, leaked, ran out of memory or timed out.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS]   (a whole number of seconds per target)" >&2
  exit 2
fi
read -r -a targets <<<"${FUZZ_TARGETS:-share_link gguf_header custom_json tokenizer weights}"

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "cargo fuzz needs a nightly toolchain: rustup toolchain install nightly" >&2
  exit 2
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

fuzz_dir="$PWD/fuzz"
# The fuzz crate's own target directory, so the main workspace's stays unlocked.
export CARGO_TARGET_DIR="$fuzz_dir/target"
mkdir -p "$fuzz_dir/artifacts/logs"
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=16}"

features=()
[[ -n "${FUZZ_FEATURES:-}" ]] && features=(--features "$FUZZ_FEATURES")

echo "== building the fuzz targets (nightly, AddressSanitizer${FUZZ_FEATURES:+, features: $FUZZ_FEATURES})"
cargo +nightly fuzz build "${features[@]}"

# Longest input per target: share links a little past share::MAX_LINK_CHARS (8192) so the
# "too long" path is reached; GGUF headers, JSON entries and tokenizer inputs a few times the
# largest seed; whole model files (tensor data included) about twice the largest seed.
max_len() {
  case "$1" in
    share_link) echo 9000 ;;
    gguf_header) echo 16384 ;;
    tokenizer) echo 4096 ;;
    weights) echo 32768 ;;
    *) echo 8192 ;;
  esac
}

failed=()
summary=()
for target in "${targets[@]}"; do
  work="$fuzz_dir/corpus-work/$target"
  log="$fuzz_dir/artifacts/logs/$target.log"
  mkdir -p "$work" "$fuzz_dir/artifacts/$target"
  echo "== $target: ${seconds} s (log: fuzz/artifacts/logs/$target.log)"
  dict=()
  [[ -f "$fuzz_dir/dict/$target.dict" ]] && dict=("-dict=$fuzz_dir/dict/$target.dict")
  status=0
  # New inputs are written to the first corpus directory (the gitignored work copy).
  cargo +nightly fuzz run "${features[@]}" "$target" "$work" "$fuzz_dir/corpus/$target" -- \
    -max_total_time="$seconds" \
    -rss_limit_mb=512 -malloc_limit_mb=256 -timeout=10 \
    -max_len="$(max_len "$target")" "${dict[@]}" \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  # libFuzzer's final stats: "Done N runs in S second(s)" and the stat:: lines.
  grep -E '^(Done [0-9]+ runs|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|slowest_unit_time_sec|peak_rss_mb))' "$log" || true
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  if [[ $status -ne 0 ]] || grep -qE '^(==[0-9]+== ?ERROR|SUMMARY: libFuzzer)' "$log"; then
    failed+=("$target")
    echo "!! $target failed (exit $status):"
    grep -E -A2 'panicked at|ERROR: libFuzzer|^SUMMARY|Test unit written to' "$log" | head -n 20 || true
    summary+=("$(printf '%-12s %12s %8s %6s %8s  %s' "$target" "${runs:--}" "${rate:--}" "${secs:--}" "${rss:--}" "CRASH: fuzz/artifacts/$target/")")
  else
    summary+=("$(printf '%-12s %12s %8s %6s %8s  %s' "$target" "$runs" "$rate" "$secs" "$rss" "0")")
  fi
done

echo
echo "== summary"
printf '%-12s %12s %8s %6s %8s  %s\n' target executions exec/s secs rss_mb crashes
printf '%s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "crashed: ${failed[*]} (reproduce: cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>)" >&2
  exit 1
fi
