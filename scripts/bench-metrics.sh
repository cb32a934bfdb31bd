#!/usr/bin/env bash
# Speed of `recsys metrics` (every figure, every user's top 10) on the
# MovieLens seed split, for a notebook-preset and a default model side by
# side: one Markdown table of the figures and the wall time of the whole
# command (model load included), median and best of RUNS runs.
#   scripts/bench-metrics.sh [RUNS]          (RECSYS=path/to/recsys to skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
if [ -z "${RECSYS:-}" ]; then
  scripts/build.sh >/dev/null
  RECSYS=./build/recsys
fi
ml=""
for d in ../shared/data/ml-latest-small data/movielens/ml-latest-small; do
  [ -f "$d/seed-split/train.csv" ] && { ml=$d; break; }
done
[ -n "$ml" ] || { echo "no MovieLens seed split (../shared/data/ml-latest-small/seed-split)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "training a notebook-preset and a default model ..." >&2
for preset in notebook default; do
  "$RECSYS" train "$ml/seed-split/train.csv" --val "$ml/seed-split/val.csv" --movies "$ml/movies.csv" \
    --preset "$preset" -q --model "$work/$preset.model" 2>/dev/null
done

python3 - "$RECSYS" "$work" "$runs" <<'PY'
import json, os, statistics, subprocess, sys, time
recsys, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

def timed(args):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
        times.append(time.perf_counter() - start)
    return out, statistics.median(times), min(times)

figures, timing = {}, {}
for preset in ("notebook", "default"):
    model = os.path.join(work, preset + ".model")
    out, median, best = timed([recsys, "metrics", "--model", model, "--format", "json"])
    figures[preset] = json.loads(out)
    timing[preset] = (median, best)
    _, median1, best1 = timed([recsys, "metrics", "--model", model, "--format", "json", "--threads", "1"])
    timing[preset + "1"] = (median1, best1)
    _, median_i, best_i = timed([recsys, "info", "--model", model, "--format", "json"])
    timing[preset + "info"] = (median_i, best_i)

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"recsys metrics on MovieLens ml-latest-small seed split, {figures['notebook']['users']} users, "
      f"top {figures['notebook']['k']}; {os.cpu_count()} cores, {cpu}; {runs} runs each")
print()
print("| figure | notebook preset | default settings |")
print("|---|---|---|")
for name, value in figures["notebook"].items():
    other = figures["default"].get(name)
    decimal = any(isinstance(v, float) for v in (value, other))
    fmt = (lambda v: f"{v:.4f}") if decimal else str
    print(f"| {name} | {fmt(value)} | {fmt(other)} |")
print()
print("| wall time of the whole command, s | notebook preset | default settings |")
print("|---|---|---|")
for label, suffix in (("metrics, all cores (median / best)", ""), ("metrics --threads 1 (median / best)", "1"),
                      ("info (loading the model file alone)", "info")):
    cells = [f"{timing[p + suffix][0]:.3f} / {timing[p + suffix][1]:.3f}" for p in ("notebook", "default")]
    print(f"| {label} | {cells[0]} | {cells[1]} |")
PY
