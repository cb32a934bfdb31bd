#!/usr/bin/env bash
# Speed and memory of recsys, printed as one Markdown table on stdout.
# Builds in Release, then times `recsys train` on the MovieLens seed split
# (../shared/data/ml-latest-small, or data/movielens/ from get-movielens.sh)
# with the notebook preset and the default settings, and - when Debian's
# python3-torch is installed - the PyTorch reference in the same run.
#   scripts/bench.sh [--no-reference]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
reference=1
[ "${1:-}" = "--no-reference" ] && reference=0

ml=""
for d in ../shared/data/ml-latest-small data/movielens/ml-latest-small; do
  [ -f "$d/ratings.csv" ] && { ml=$d; break; }
done
[ -n "$ml" ] || { echo "no MovieLens copy: run scripts/get-movielens.sh" >&2; exit 1; }
split=$ml/seed-split
if [ ! -f "$split/train.csv" ]; then
  echo "no seed split beside $ml; using a random 10% holdout" >&2
  split=""
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run NAME CMD...: wall seconds and peak RSS (MiB) of CMD, its stdout kept in $work/NAME.out
run() {
  local name=$1
  shift
  python3 - "$work/$name" "$@" <<'PY'
import resource, subprocess, sys, time
out = sys.argv[1]
start = time.perf_counter()
with open(out + ".out", "w") as o, open(out + ".err", "w") as e:
    rc = subprocess.call(sys.argv[2:], stdout=o, stderr=e)
wall = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
open(out + ".time", "w").write(f"{wall} {rss} {rc}\n")
PY
}

if [ -n "$split" ]; then
  data_args=("$split/train.csv" --val "$split/val.csv" --movies "$ml/movies.csv")
else
  data_args=("$ml/ratings.csv")
fi
echo "timing recsys (notebook preset, default settings) ..." >&2
run notebook ./build/recsys train "${data_args[@]}" --preset notebook --threads 2 --format json -q --model "$work/nb.model"
run notebook1 ./build/recsys train "${data_args[@]}" --preset notebook --threads 1 --format json -q --model "$work/nb1.model"
run default ./build/recsys train "${data_args[@]}" --format json -q --model "$work/def.model"
have_torch=0
if [ $reference = 1 ] && /usr/bin/python3 -c "import torch, pandas, sklearn" 2>/dev/null; then
  echo "timing the PyTorch reference (about 40 s) ..." >&2
  run torch /usr/bin/python3 ../shared/reference/seed_pytorch.py --ratings "$ml/ratings.csv" \
    --movies "$ml/movies.csv" --epochs 10 --dim 16 --batch 64 --lr 0.01 --weight-decay 0 \
    --out "$work/torch" --no-png
  have_torch=1
fi

python3 - "$work" "$have_torch" <<'PY'
import json, os, platform, sys
work, have_torch = sys.argv[1], sys.argv[2] == "1"
def timing(name):
    wall, rss, rc = open(os.path.join(work, name + ".time")).read().split()
    if rc != "0":
        sys.exit(f"{name} failed:\n" + open(os.path.join(work, name + ".err")).read())
    return float(wall), float(rss)
def last_json(name):
    lines = [l for l in open(os.path.join(work, name + ".out")) if l.startswith("{")]
    return json.loads(lines[-1])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"recsys train on MovieLens ml-latest-small seed split; {os.cpu_count()} cores, {cpu}")
print()
print("| run | epochs | train s | s/epoch | wall s | peak RSS MiB | val RMSE | val MAE |")
print("|---|---|---|---|---|---|---|---|")
rows = {}
for name, label in (("notebook", "recsys --preset notebook, 2 threads"),
                    ("notebook1", "recsys --preset notebook, 1 thread"),
                    ("default", "recsys default settings")):
    wall, rss = timing(name)
    d = last_json(name)
    n = len(d["history"])
    rows[name] = d["train_seconds"]
    print(f"| {label} | {n} | {d['train_seconds']:.2f} | {d['train_seconds']/max(n,1):.3f} | {wall:.2f} "
          f"| {rss:.0f} | {d['val_rmse']:.4f} | {d['val_mae']:.4f} |")
if have_torch:
    wall, rss = timing("torch")
    d = last_json("torch")
    print(f"| PyTorch reference (notebook) | {d['settings']['epochs']} | {d['train_seconds']:.2f} "
          f"| {d['seconds_per_epoch']:.3f} | {wall:.2f} | {rss:.0f} | {d['val_rmse_stars']:.4f} "
          f"| {d['val_mae_stars']:.4f} |")
    print()
    print(f"notebook preset speed-up over PyTorch, training time: "
          f"{d['train_seconds']/rows['notebook']:.1f}x (2 threads), "
          f"{d['train_seconds']/rows['notebook1']:.1f}x (1 thread)")
PY
