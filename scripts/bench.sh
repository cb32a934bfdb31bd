#!/usr/bin/env bash
# Speed and memory of recsys, printed as one Markdown table on stdout
# (progress on stderr). Builds in Release, then for each data set: trains
# (--format json gives load, per-epoch and total seconds), lists every user's
# top 10 (`topn --all-users`) and computes `metrics`, each as its own process
# timed for wall seconds and peak RSS.
#   rows: MovieLens ml-latest-small (../shared/data, or data/movielens/ from
#         scripts/get-movielens.sh) with the default settings (the choice
#         objective), --objective rating and the notebook preset; the PyTorch
#         reference when Debian's
#         python3-torch is installed; a synthetic ML-25M-shaped file (`recsys
#         synth` defaults, generated once into $RECSYS_BENCH_DATA, default
#         build/bench-data): the rating objective for 20 epochs without early
#         stopping, and 5 epochs of the default (choice) settings.
#   columns: speed and memory, val RMSE (rating objective only), and ndcg@10
#         of `metrics` next to its popularity yardstick.
#   a second table: each ml-latest-small run's ranking figures, RMSE and
#         epoch time, with the popularity yardstick as its last row (the
#         README's objective table).
#   after the table: the kernel set that ran, and the issue's three ratios:
#         the notebook preset's speed-up over PyTorch (training time and whole
#         process), the cost of top-N for all users over the bare score matrix
#         product (OpenBLAS when installed; the benchmark command alone unsets
#         OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, so OpenBLAS picks its kernel
#         from the CPU), and the 25M rating run's time, RMSE and peak RSS;
#         then each kernel set's in-cache speed (recsys_bench_kernels).
#   --100m: also a 100M-rating synthetic file (650,000 users, 120,000 movies,
#         2.8 GB, generated once, 2-3 minutes), trained like the 25M one: load
#         MB/s, epoch time against the 25M epoch, bytes of peak RSS per rating.
#   --anchor BINARY: also runs BINARY (the recsys the speed issue measured, 676b91b,
#         built elsewhere) on the 25M file with its own defaults, so that target 3's
#         ratio is taken against the same machine the same hour.
#   scripts/bench.sh [--no-reference] [--no-25m] [--100m] [--threads N] [--anchor BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
reference=1 big=1 huge=0 threads=2 anchor=
while [ $# -gt 0 ]; do
  case "$1" in
    --no-reference) reference=0 ;;
    --no-25m) big=0 ;;
    --100m) huge=1 ;;
    --threads) threads="${2:?--threads needs a number}"; shift ;;
    --anchor) anchor="${2:?--anchor needs a recsys binary}"; shift ;;
    *) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
scripts/build.sh >/dev/null
recsys=./build/recsys
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run NAME CMD...: CMD's stdout to $work/NAME.out; wall seconds, peak RSS (MiB), exit code to NAME.time
run() {
  local name=$1
  shift
  echo "  $name: $*" >&2
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

# bench_set NAME BYTES DATA_ARGS...: train (extra train options in $train_opts),
# topn-all, metrics; BYTES = size of the ratings files read, for MB/s.
bench_set() {
  local name=$1
  echo "$2" >"$work/$name.bytes"
  shift 2
  # shellcheck disable=SC2086
  run "$name-train" "$recsys" train "$@" $train_opts --threads "$threads" --format json -q --model "$work/$name.model"
  run "$name-topn" "$recsys" topn --all-users --model "$work/$name.model"  # all cores
  run "$name-metrics" "$recsys" metrics --model "$work/$name.model" --threads "$threads" --format json
  echo "$name" >>"$work/sets"
}

ml=""
for d in ../shared/data/ml-latest-small data/movielens/ml-latest-small; do
  [ -f "$d/ratings.csv" ] && { ml=$d; break; }
done
if [ -n "$ml" ]; then
  echo "MovieLens ($ml) ..." >&2
  if [ -f "$ml/seed-split/train.csv" ]; then
    ml_args=("$ml/seed-split/train.csv" --val "$ml/seed-split/val.csv" --movies "$ml/movies.csv")
    ml_bytes=$(($(stat -c %s "$ml/seed-split/train.csv") + $(stat -c %s "$ml/seed-split/val.csv")))
  else
    ml_args=("$ml/ratings.csv")
    ml_bytes=$(stat -c %s "$ml/ratings.csv")
  fi
  train_opts="" bench_set ml-small-default "$ml_bytes" "${ml_args[@]}"
  train_opts="--objective rating" bench_set ml-small-rating "$ml_bytes" "${ml_args[@]}"
  train_opts="--preset notebook" bench_set ml-small-notebook "$ml_bytes" "${ml_args[@]}"
  train_opts="--preset notebook" run ml-small-notebook-1thread "$recsys" train "${ml_args[@]}" --preset notebook \
    --threads 1 --format json -q --model "$work/nb1.model"
  if [ $reference = 1 ] && /usr/bin/python3 -c "import torch, pandas, sklearn" 2>/dev/null; then
    echo "PyTorch reference (about a minute) ..." >&2
    run torch /usr/bin/python3 ../shared/reference/seed_pytorch.py --ratings "$ml/ratings.csv" \
      --movies "$ml/movies.csv" --epochs 10 --dim 16 --batch 64 --lr 0.01 --weight-decay 0 \
      --out "$work/torch" --no-png
  fi
else
  echo "no MovieLens copy (run scripts/get-movielens.sh): its rows are left out" >&2
fi

if [ $big = 1 ]; then
  synth_dir=${RECSYS_BENCH_DATA:-build/bench-data}/synth-25m
  if [ ! -f "$synth_dir/ratings.csv" ]; then
    echo "generating the synthetic ML-25M-shaped file in $synth_dir (about 20 s, 670 MB) ..." >&2
    "$recsys" synth --out "$synth_dir" --seed 1 >&2
  fi
  echo "synthetic 25M ..." >&2
  train_opts="--objective rating --epochs 20 --early-stopping 0" bench_set synth-25m-rating \
    "$(stat -c %s "$synth_dir/ratings.csv")" "$synth_dir/ratings.csv"
  run synth-25m-ratio env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    ./build/tests/recsys_bench_top_n "$work/synth-25m-rating.model" "$threads" 1
  train_opts="--epochs 5" bench_set synth-25m-default \
    "$(stat -c %s "$synth_dir/ratings.csv")" "$synth_dir/ratings.csv"
  # The issue's 25M figure: today's rating defaults (early stopping), whole process.
  run synth-25m-rating-defaults "$recsys" train "$synth_dir/ratings.csv" --objective rating \
    --threads "$threads" --format json -q --model "$work/r-defaults.model"
  if [ -n "$anchor" ]; then
    # 676b91b's default objective was the rating one: no --objective (it did not know it).
    run synth-25m-anchor "$anchor" train "$synth_dir/ratings.csv" --threads "$threads" \
      --format json -q --model "$work/anchor.model"
  fi
fi
if [ $huge = 1 ]; then
  huge_dir=${RECSYS_BENCH_DATA:-build/bench-data}/synth-100m
  if [ ! -f "$huge_dir/ratings.csv" ]; then
    echo "generating the 100M-rating synthetic file in $huge_dir (2-3 minutes, 2.8 GB) ..." >&2
    "$recsys" synth --out "$huge_dir" --seed 1 --n-users 650000 --n-movies 120000 \
      --n-ratings 100000000 >&2
  fi
  echo "synthetic 100M ..." >&2
  echo "$(stat -c %s "$huge_dir/ratings.csv")" >"$work/synth-100m.bytes"
  run synth-100m-rating "$recsys" train "$huge_dir/ratings.csv" --objective rating --epochs 5 \
    --early-stopping 0 --threads "$threads" --format json -q --model "$work/r100.model"
fi
run kernels ./build/tests/recsys_bench_kernels

python3 - "$work" "$threads" <<'PY'
import json, os, sys
work, threads = sys.argv[1], sys.argv[2]
def timing(name):
    wall, rss, rc = open(os.path.join(work, name + ".time")).read().split()
    if rc != "0":
        sys.exit(f"{name} failed:\n" + open(os.path.join(work, name + ".err")).read())
    return float(wall), float(rss)
def last_json(name):
    lines = [l for l in open(os.path.join(work, name + ".out")) if l.startswith("{")]
    return json.loads(lines[-1])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"recsys benchmark, {threads} threads; machine: {os.cpu_count()} cores, {cpu}")
print()
print("| data | run | ratings | load s | MB/s | epochs | epoch s | M ratings/s | total train s "
      "| end to end s | topn-all s | metrics s | peak RSS MiB: train | topn-all | metrics | val RMSE "
      "| ndcg@10 | popularity ndcg@10 |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
sets = open(os.path.join(work, "sets")).read().split() if os.path.exists(os.path.join(work, "sets")) else []
labels = {"ml-small-default": ("ml-latest-small", "default settings (choice)"),
          "ml-small-rating": ("ml-latest-small", "--objective rating"),
          "ml-small-notebook": ("ml-latest-small", "--preset notebook"),
          "synth-25m-rating": ("synthetic ML-25M shape", "--objective rating, 20 epochs"),
          "synth-25m-default": ("synthetic ML-25M shape", "default settings (choice), 5 epochs")}
def figure(x, digits):
    return "-" if x is None else f"{x:.{digits}f}"
train_s = {}
epoch_times = {}
ranking_rows = []
for name in sets:
    wall, rss = timing(name + "-train")
    d = last_json(name + "-train")
    topn_wall, topn_rss = timing(name + "-topn")
    met_wall, met_rss = timing(name + "-metrics")
    ratings = d["train_rows"] + d["val_rows"]
    epochs = len(d["history"])
    # An epoch's seconds include its validation pass, as the trainer reports them.
    epoch_s = sum(h["seconds"] for h in d["history"]) / max(epochs, 1)
    mb_s = int(open(os.path.join(work, name + ".bytes")).read()) / 1e6 / d["load_seconds"]
    data, run = labels.get(name, (name, ""))
    train_s[name] = d["train_seconds"]
    # End to end = the whole train process: load, split, train, validate, save.
    m = last_json(name + "-metrics")
    pop = m.get("baselines", {}).get("popularity", {}).get("ndcg_at_k")
    print(f"| {data} | {run} | {ratings:,} | {d['load_seconds']:.2f} | {mb_s:.0f} | {epochs} | {epoch_s:.3f} | {d['train_rows'] / epoch_s / 1e6:.1f} | {d['train_seconds']:.2f} | "
          f"{wall:.2f} | {topn_wall:.2f} | {met_wall:.2f} | {rss:.0f} | {topn_rss:.0f} | {met_rss:.0f} | {figure(d['val_rmse'], 4)} "
          f"| {figure(m.get('ndcg_at_k'), 4)} | {figure(pop, 4)} |")
    epoch_times[name] = sorted(h["seconds"] for h in d["history"])
    if name.startswith("ml-small"):
        ranking_rows.append((run, m, d["val_rmse"], epoch_s))
        popularity = m.get("baselines", {}).get("popularity")
if os.path.exists(os.path.join(work, "torch.time")):
    wall, rss = timing("torch")
    d = last_json("torch")
    print(f"| ml-latest-small | PyTorch reference (notebook) | 100,836 | - | - | {d['settings']['epochs']} "
          f"| {d['seconds_per_epoch']:.3f} | - | {d['train_seconds']:.2f} | {wall:.2f} | - | - | {rss:.0f} "
          f"| - | - | {d['val_rmse_stars']:.4f} | - | - |")
print()
if "synth-25m-rating" in epoch_times and "synth-25m-default" in epoch_times:
    r, c = epoch_times["synth-25m-rating"], epoch_times["synth-25m-default"]
    print(f"- synthetic 25M: a default (choice) epoch (median {c[len(c) // 2]:.2f} s) costs "
          f"{c[len(c) // 2] / r[len(r) // 2]:.2f}x a rating epoch (median {r[len(r) // 2]:.2f} s)")
print()
kernels = {last_json(n + "-train").get("kernels") for n in sets} - {None}
print(f"- kernel set that ran: {', '.join(sorted(kernels)) or '?'} (recsys info --cpu)")
if os.path.exists(os.path.join(work, "torch.time")) and "ml-small-notebook" in train_s:
    d = last_json("torch")
    torch_wall, _ = timing("torch")
    nb_wall, _ = timing("ml-small-notebook-train")
    one = last_json("ml-small-notebook-1thread")["train_seconds"]
    print(f"- target 1, notebook preset against PyTorch: whole process {torch_wall:.2f} s / "
          f"{nb_wall:.2f} s = {torch_wall / nb_wall:.1f}x; training alone {d['train_seconds']:.2f} s / "
          f"{train_s['ml-small-notebook']:.2f} s = {d['train_seconds'] / train_s['ml-small-notebook']:.1f}x "
          f"({d['train_seconds'] / one:.1f}x with 1 thread; target >= 30x)")
if os.path.exists(os.path.join(work, "synth-25m-ratio.time")):
    r = last_json("synth-25m-ratio")
    print(f"- target 2, top 10 of all {r['users']:,} users over {r['movies']:,} movies (rated ones "
          f"excluded) over the bare score product ({r.get('product', '?')}): "
          f"{r['topn_s']:.2f} s / {r['bare_s']:.2f} s = {r['ratio']:.2f}x (target <= 1.3x; "
          f"top-N with the {r.get('kernels', '?')} kernels)")
if os.path.exists(os.path.join(work, "synth-25m-rating-defaults.time")):
    wall, rss = timing("synth-25m-rating-defaults")
    d = last_json("synth-25m-rating-defaults")
    line = (f"- target 3, 25M train with the rating defaults (early stopping, {len(d['history'])} epochs): "
            f"{wall:.2f} s end to end, val RMSE {d['val_rmse']:.4f} (target <= 0.531), peak RSS "
            f"{rss:.0f} MiB (target <= 300 MB = 286 MiB); load {d['load_seconds']:.2f} s")
    if os.path.exists(os.path.join(work, "synth-25m-anchor.time")):
        a_wall, a_rss = timing("synth-25m-anchor")
        a = last_json("synth-25m-anchor")
        line += (f"; the issue's binary (--anchor) {a_wall:.2f} s ({len(a['history'])} epochs, RMSE "
                 f"{a['val_rmse']:.4f}, {a_rss:.0f} MiB): {wall / a_wall:.2f}x (target <= 0.68x)")
    else:
        line += " (target <= 0.68x of the issue's binary: give it with --anchor)"
    print(line)
if os.path.exists(os.path.join(work, "synth-100m-rating.time")):
    wall, rss = timing("synth-100m-rating")
    d = last_json("synth-100m-rating")
    size = int(open(os.path.join(work, "synth-100m.bytes")).read())
    t = sorted(h["seconds"] for h in d["history"])
    line = (f"- 100M ratings, 5 epochs: {wall:.1f} s end to end, load {d['load_seconds']:.1f} s "
            f"({size / 1e6 / d['load_seconds']:.0f} MB/s), median epoch {t[len(t) // 2]:.2f} s")
    if "synth-25m-rating" in epoch_times:
        e = epoch_times["synth-25m-rating"]
        line += f" = {t[len(t) // 2] / e[len(e) // 2]:.2f}x the 25M epoch (rows: 4x)"
    ratings = d["train_rows"] + d["val_rows"]
    print(line + f"; peak RSS {rss:.0f} MiB = {rss * 2**20 / ratings:.1f} bytes per rating")
if "synth-25m-rating" in epoch_times:
    t = epoch_times["synth-25m-rating"]
    print(f"- synthetic 25M, seconds per epoch (with its validation pass): fastest {t[0]:.2f}, "
          f"median {t[len(t) // 2]:.2f}, slowest {t[-1]:.2f}")
if ranking_rows:
    print()
    print("ml-latest-small, top 10, rated films excluded, relevant = held-out rating >= 4:")
    print()
    print("| run | ndcg@10 | precision@10 | recall@10 | hit rate | coverage | val RMSE | epoch s |")
    print("|---|---|---|---|---|---|---|---|")
    for run, m, rmse, epoch_s in ranking_rows + [("most popular (the yardstick)", popularity, None, None)]:
        print(f"| {run} | {figure(m.get('ndcg_at_k'), 4)} | {figure(m.get('precision_at_k'), 4)} "
              f"| {figure(m.get('recall_at_k'), 4)} | {figure(m.get('hit_rate_at_k'), 3)} "
              f"| {figure(m.get('coverage'), 3)} | {figure(rmse, 4)} | {figure(epoch_s, 3)} |")
if os.path.exists(os.path.join(work, "kernels.time")):
    print()
    print("Each kernel set on data in cache (the arithmetic limit):")
    print()
    print(open(os.path.join(work, "kernels.out")).read().rstrip())
PY
