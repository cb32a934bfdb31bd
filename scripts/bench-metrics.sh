#!/usr/bin/env bash
# Speed of `recsys metrics` (every figure, every user's top 10) on the
# MovieLens seed split, for a notebook-preset, a rating-objective and a
# default (choice) model side by side: one Markdown table of the figures and
# the wall time of the whole command (model load included), median and best
# of RUNS runs.
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

echo "training a notebook-preset, a rating and a default model ..." >&2
train() {
  local name=$1
  shift
  "$RECSYS" train "$ml/seed-split/train.csv" --val "$ml/seed-split/val.csv" --movies "$ml/movies.csv" \
    "$@" -q --model "$work/$name.model" 2>/dev/null
}
train notebook --preset notebook
train rating --objective rating
train default

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
models = ("notebook", "rating", "default")
for preset in models:
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
heads = "| notebook preset | --objective rating | default settings (choice) |"
print("| figure " + heads)
print("|---|---|---|---|")
for name, value in figures["notebook"].items():
    if isinstance(value, dict):
        continue  # the popularity yardstick: `recsys metrics` prints it
    values = [figures[m].get(name) for m in models]
    decimal = any(isinstance(v, float) for v in values)
    fmt = lambda v: "-" if v is None else (f"{v:.4f}" if decimal else str(v))
    print(f"| {name} | " + " | ".join(fmt(v) for v in values) + " |")
print()
print("| wall time of the whole command, s " + heads)
print("|---|---|---|---|")
for label, suffix in (("metrics, all cores (median / best)", ""), ("metrics --threads 1 (median / best)", "1"),
                      ("info (loading the model file alone)", "info")):
    cells = [f"{timing[p + suffix][0]:.3f} / {timing[p + suffix][1]:.3f}" for p in models]
    print(f"| {label} | " + " | ".join(cells) + " |")
PY
