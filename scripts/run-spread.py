#!/usr/bin/env python3
"""How far LocalScore's runs of one device and model sit from each other.

For every device x model with at least two runs of the three reference models (Q4_K_M),
each run is compared with the median of the others; the median of those absolute
percentage differences says how much of `roofline validate`'s error no estimate from the
device's name can remove (host, memory configuration, drivers, background load). With two
runs the difference holds both runs' spread, so a single run sits roughly 1/sqrt(2) of it
from the device's typical speed.

Usage: python3 scripts/run-spread.py [core/data/measured/localscore_results.tsv]
"""
import csv
import statistics
import sys
from collections import defaultdict

REFERENCE = {"Llama 3.2 1B Instruct", "Meta Llama 3.1 8B Instruct", "Qwen2.5 14B Instruct"}


def main(path: str) -> None:
    groups = defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["model_name"] not in REFERENCE or row["model_quant"] != "Q4_K - Medium":
                continue
            try:
                tps = float(row["gen_tps"])
            except ValueError:
                continue
            if tps > 0:
                groups[(row["accel_type"], row["accel_name"], row["model_name"])].append(tps)
    print("accel  groups  multi-run  runs compared  median |run / median of others - 1|  within 12 %")
    for accel in ("CPU", "GPU"):
        mine = {k: v for k, v in groups.items() if k[0] == accel}
        diffs = []
        for runs in mine.values():
            if len(runs) < 2:
                continue
            for i, x in enumerate(runs):
                others = runs[:i] + runs[i + 1 :]
                diffs.append(abs(x / statistics.median(others) - 1) * 100)
        multi = sum(len(v) > 1 for v in mine.values())
        within = sum(d <= 12 for d in diffs) / len(diffs) * 100
        print(f"{accel:5}  {len(mine):6}  {multi:9}  {len(diffs):13}  {statistics.median(diffs):33.1f} %  {within:9.0f} %")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "core/data/measured/localscore_results.tsv")
