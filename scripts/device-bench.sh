#!/usr/bin/env bash
# Runs on a lent GPU machine (the `device` tool), with a `roofline` binary built here
# (release) in .devbin/ and the Vulkan loader's .deb files in .gl/ (see
# /work/.library/device/README.md): the probes, then the generated-weights model shapes
# given as arguments (default: the 1B and 8B shapes), each as JSON under $OUT, and a
# PyTorch read-bandwidth reference (TORCH_REF=1). Arguments are shapes, each optionally
# with ":kernel" for roofline bench --decode-kernel. Prints a short table last.
set -uo pipefail
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,memory.total --format=csv | tee "$OUT/smi.txt"
[ -n "${TORCH_REF:-}" ] && python3 - <<'PY' 2>&1 | tee "$OUT/torch.txt"
import torch
x = torch.empty(2 << 30, dtype=torch.uint8, device="cuda").random_(0, 255).view(torch.float32)
for _ in range(3): x.sum()
s, e = torch.cuda.Event(True), torch.cuda.Event(True)
times = []
for _ in range(20):
    s.record(); x.sum(); e.record(); e.synchronize(); times.append(s.elapsed_time(e))
times.sort()
print(f"torch read (sum of 2 GiB f32): {x.numel()*4/times[len(times)//2]/1e6:.0f} GB/s median")
PY
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,utilization.gpu --format=csv -lms 500 >"$OUT/clocks.csv" 2>&1 &
smi=$!
if [ -n "${BENCH_MATMUL:-}" ] && [ -x .devbin/bench_matmul ]; then
  timeout 120 .devbin/bench_matmul 2>&1 | tee "$OUT/bench_matmul.txt" | tail -22
fi
if [ -x .devbin/bench_matvec ] && [ -z "${NO_MATVEC:-}" ]; then
  timeout 120 .devbin/bench_matvec 2>&1 | tee "$OUT/bench_matvec.txt" | tail -48
  timeout 120 .devbin/bench_matvec --norm 2>&1 | tee "$OUT/bench_matvec_norm.txt" | tail -48
fi
shapes=("$@")
[ ${#shapes[@]} -eq 0 ] && shapes=(llama-3-2-1b llama-3-1-8b)
for run in "${shapes[@]}"; do
  # A run is a shape, optionally with ":kernel" (roofline bench --decode-kernel).
  shape=${run%%:*}
  extra=()
  [ "$shape" = llama-3-2-1b ] && extra=(--localscore)
  [ "$run" != "$shape" ] && extra+=(--decode-kernel "${run#*:}")
  timeout 200 "${BIN:-.devbin/roofline}" bench --max-mib 2048 --model-shape "$shape" "${extra[@]}" ${BENCH_ARGS:-} --json \
    >"$OUT/$shape.json" 2>"$OUT/$shape.log"
  echo "$run: rc=$?"
  grep -v "generating\|LocalScore test\|(.*/.*)$" "$OUT/$shape.log" | tail -32
  python3 - "$OUT/$shape.json" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("  no JSON:", e); sys.exit()
m = d.get("model", {})
def ms(v): return f"{v['mean']:.1f} ± {v['stddev']:.1f}" if isinstance(v, dict) else v
for k in ("name", "pp_tokens_per_s", "tg_tokens_per_s", "ttft_ms", "bytes_per_token", "generation_gb_per_s",
          "bandwidth_ratio", "prefill_tflops", "compute_ratio", "probed_read_gb_per_s", "probed_fma_tflops"):
    if k in m: print(f"  {k}: {ms(m[k])}")
ls = m.get("localscore")
if ls: print("  localscore:", {k: ls[k] for k in ls if k.startswith("avg") or k == "score"})
PY
  [ "$run" != "$shape" ] && mv "$OUT/$shape.json" "$OUT/${shape}_${run#*:}.json" && mv "$OUT/$shape.log" "$OUT/${shape}_${run#*:}.log"
done
kill $smi 2>/dev/null
echo "SM clock (MHz) over the run: $(awk -F', ' 'NR>1 {print $2}' "$OUT/clocks.csv" | sort -n | uniq -c | sort -rn | head -5 | tr '\n' ' ')"
