#!/usr/bin/env bash
# mpirun -np N recsys train, checked from outside as a user runs it:
#   1. the choice objective (the default) across 2 and 3 ranks writes the
#      model one process writes (--threads 1), up to the order in which the
#      movies' gradient shares are added: the same ids, rows and figures,
#      weights within 1e-4; with a random holdout, a --val file and a time
#      split; and the same bytes again for the same seed;
#   2. every command reads that model;
#   3. a bad line in the part of the last rank, and of rank 0, fails every
#      rank: exit 2, one recsys line naming the file and the file's line, no
#      model file, nothing on stdout;
#   4. a rank killed during training leaves no model file, or a whole one;
#   5. the rating objective, trained across 2 and 3 ranks, is within 0.01
#      val RMSE of one process (sample, and the seed split of ml-latest-small
#      where ../shared has it), the same bytes again for the same seed, and
#      read by every command;
#   6. dense Adam (the notebook preset) is refused: exit 2, no model;
#   7. a rank killed while the ring trains leaves no half-written model;
#   8. a rank that cannot see the file, or sees another size, stops every rank.
# Usage: check_ranks.sh RECSYS MPIEXEC SOURCE_DIR
set -euo pipefail
recsys=$1 mpiexec=$2 src=$3
recsys=$(cd "$(dirname "$recsys")" && pwd)/$(basename "$recsys")  # ranks below run in other directories
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

launch=("$mpiexec" --oversubscribe)
[ "$(id -u)" -eq 0 ] && launch+=(--allow-run-as-root)
ranks() { local n=$1; shift; "${launch[@]}" -np "$n" "$recsys" "$@"; }

data=$src/data/ratings.csv
cp "$src/data/movies.csv" "$work/movies.csv"
head -n 1 "$data" > "$work/train.csv"
head -n 1 "$data" > "$work/val.csv"
tail -n +2 "$data" | awk 'NR % 10 == 0 { print >> "'"$work/val.csv"'"; next } { print }' \
  >> "$work/train.csv"

# 1. The model one process trains.
# Two models' exported tables: the same ids in the same order, the numbers
# within 1e-4; and their info and metrics alike but for the seconds.
same_model() {  # model model label
  local what
  for what in items users; do
    "$recsys" export --what "$what" --model "$1" > "$work/a.csv"
    "$recsys" export --what "$what" --model "$2" > "$work/b.csv"
    python3 - "$work/a.csv" "$work/b.csv" <<'PY' || fail "$3: $what differ: $(cat "$work/gap")"
import csv, sys
a, b = (list(csv.reader(open(p))) for p in sys.argv[1:])
gap = 0.0
assert len(a) == len(b) and a[0] == b[0], "other columns or rows"
for x, y in zip(a[1:], b[1:]):
    assert x[0] == y[0], f"ids {x[0]} and {y[0]} in one place"
    gap = max([gap] + [abs(float(p) - float(q)) for p, q in zip(x[2:], y[2:])])
open(sys.argv[1].rsplit("/", 1)[0] + "/gap", "w").write(f"largest gap {gap}")
assert gap < 1e-4, f"largest gap {gap}"
PY
  done
  "$recsys" info --format json --model "$1" > "$work/a.json"
  "$recsys" info --format json --model "$2" > "$work/b.json"
  cmp -s "$work/a.json" "$work/b.json" || fail "$3: info differs: $(diff "$work/a.json" "$work/b.json")"
  "$recsys" metrics --format json --model "$1" > "$work/a.json" 2> /dev/null
  "$recsys" metrics --format json --model "$2" > "$work/b.json" 2> /dev/null
  python3 - "$work/a.json" "$work/b.json" <<'PY' || fail "$3: metrics differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
def walk(x, y, at):
    if isinstance(x, dict):
        assert x.keys() == y.keys(), at
        for k in x:
            if "seconds" not in k: walk(x[k], y[k], at + "." + k)
    elif isinstance(x, float) and isinstance(y, float):
        assert abs(x - y) <= 1e-3, f"{at}: {x} against {y}"
    else:
        assert x == y, f"{at}: {x} against {y}"
walk(a, b, "")
PY
}
for args in "" "--val $work/val.csv" "--split user-time"; do
  # shellcheck disable=SC2086
  "$recsys" train "$work/train.csv" $args --epochs 5 --threads 1 -q --model "$work/one.model"
  for n in 2 3; do
    # shellcheck disable=SC2086
    ranks "$n" train "$work/train.csv" $args --epochs 5 --threads 1 -q \
      --model "$work/ranks.model" > "$work/out" 2> "$work/err" || fail "$n ranks ($args): $(cat "$work/err")"
    same_model "$work/one.model" "$work/ranks.model" "$n ranks ($args)"
    [ -s "$work/out" ] && fail "$n ranks ($args): stdout is not empty"
  done
done
ranks 3 train "$work/train.csv" --split user-time --epochs 5 --threads 1 -q --model "$work/again.model"
cmp -s "$work/ranks.model" "$work/again.model" || fail "choice, 3 ranks, same seed: a different model"
# The JSON says how many ranks read the data.
ranks 3 train "$work/train.csv" --epochs 2 -q --format json --model "$work/ranks.model" \
  > "$work/out" 2> /dev/null
grep -q '"ranks":3' "$work/out" || fail "the JSON does not say \"ranks\":3"
# --threads 0 (the default) shares this machine's cores between its ranks.
cores=$(nproc)
want=$((cores / 3 > 0 ? cores / 3 : 1))
grep -q "\"threads\":$want[,}]" "$work/out" \
  || fail "3 ranks on $cores cores: not $want threads each: $(grep -o '"threads":[0-9]*' "$work/out")"

# 2. Every command reads it.
for cmd in "info" "topn --user 1" "metrics" "similar --movie 1 --min-ratings 0" "export --what items" \
  "project --top 10 --min-ratings 1"; do
  # shellcheck disable=SC2086
  "$recsys" $cmd --model "$work/ranks.model" > /dev/null 2> "$work/err" \
    || fail "$cmd on the ranks' model: $(cat "$work/err")"
done

# 3. A bad line in one rank's part.
lines=$(wc -l < "$work/train.csv")
for line in $((lines - 3)) 5; do
  awk -F, -v OFS=, -v bad="$line" 'NR == bad { $3 = "abc" } { print }' "$work/train.csv" \
    > "$work/bad.csv"
  rm -f "$work/bad.model"
  set +e
  ranks 3 train "$work/bad.csv" -q --model "$work/bad.model" > "$work/out" 2> "$work/err"
  code=$?
  set -e
  [ "$code" -eq 2 ] || fail "bad line $line: exit $code, not 2"
  [ -e "$work/bad.model" ] && fail "bad line $line: a model file was written"
  [ -s "$work/out" ] && fail "bad line $line: stdout is not empty"
  said=$(grep -c '^recsys: ' "$work/err" || true)
  [ "$said" -eq 1 ] || fail "bad line $line: $said recsys lines on stderr: $(cat "$work/err")"
  grep -q "^recsys: $work/bad.csv:$line: rating 'abc' is not a number" "$work/err" \
    || fail "bad line $line: the error does not name the file and line: $(cat "$work/err")"
done

# 4. Kill rank 1 of 2 while they train: mpirun ends the job; what is left
# of the model file is nothing, or a model that loads.
kill_rank_1() {  # label, then the train options after the ratings file
  local label=$1
  shift
  rm -f "$work/long.model"
  ranks 2 train "$work/train.csv" "$@" --threads 1 -q --model "$work/long.model" \
    > /dev/null 2>&1 &
  local job=$! victim="" pid code
  for _ in $(seq 100); do
    for pid in $(pgrep -f "$recsys train $work/train.csv $*" || true); do
      # Read whole before grep -q (which may leave early: SIGPIPE under pipefail).
      if grep -qx 'OMPI_COMM_WORLD_RANK=1' <<<"$(tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null)"; then
        victim=$pid
      fi
    done
    [ -n "$victim" ] && break
    sleep 0.1
  done
  [ -n "$victim" ] || fail "$label: rank 1 was never seen running"
  sleep 1
  kill -9 "$victim"
  set +e
  wait "$job"
  code=$?
  set -e
  [ "$code" -ne 0 ] || fail "$label: the job ended 0 although a rank was killed"
  if [ -e "$work/long.model" ]; then
    "$recsys" info --model "$work/long.model" > /dev/null 2>&1 || fail "$label: a half-written model was left"
  fi
  if ls "$work" | grep -q '\.tmp'; then fail "$label: a temporary file was left: $(ls "$work")"; fi
}
kill_rank_1 "choice across ranks" --epochs 100000

# 5. The rating objective trains across the ranks: each rank a user group,
# movie groups passed along a ring. Not the same bytes as one process (the
# order of the updates differs), but the same accuracy; and the same bytes
# again for the same seed and ranks.
# The top-level figure (the kept epoch's), not the history's last.
val_rmse() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["val_rmse"])' "$1"; }
near() { awk -v a="$1" -v b="$2" 'BEGIN { if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/) exit 1
  d = a - b; if (d < 0) d = -d; exit !(d <= 0.01) }'; }
across() {  # ratings val ranks model
  local ratings=$1 val=$2 n=$3 model=$4 out=$5
  if [ "$n" -eq 1 ]; then
    "$recsys" train "$ratings" --val "$val" --objective rating --threads 1 -q --format json \
      --model "$model" > "$out"
  else
    ranks "$n" train "$ratings" --val "$val" --objective rating --threads 1 -q --format json \
      --model "$model" > "$out" 2> "$work/err" || fail "rating, $n ranks: $(cat "$work/err")"
  fi
}
check_across() {  # ratings val label
  across "$1" "$2" 1 "$work/r1.model" "$work/r1.json"
  one=$(val_rmse "$work/r1.json")
  for n in 2 3; do
    across "$1" "$2" "$n" "$work/rn.model" "$work/rn.json"
    got=$(val_rmse "$work/rn.json")
    near "$one" "$got" || fail "$3, $n ranks: val RMSE $got, one process $one"
    echo "$3: val RMSE one process $one, $n ranks $got"
  done
}
check_across "$work/train.csv" "$work/val.csv" "sample"
across "$work/train.csv" "$work/val.csv" 3 "$work/again.model" "$work/again.json"
cmp -s "$work/rn.model" "$work/again.model" || fail "3 ranks, same seed: a different model"
for cmd in "info" "topn --user 1" "metrics" "similar --movie 1 --min-ratings 0" "export --what items"; do
  # shellcheck disable=SC2086
  "$recsys" $cmd --model "$work/rn.model" > /dev/null 2> "$work/err" \
    || fail "$cmd on the ring-trained model: $(cat "$work/err")"
done
seed_split=$src/../shared/data/ml-latest-small/seed-split
if [ -f "$seed_split/train.csv" ]; then
  check_across "$seed_split/train.csv" "$seed_split/val.csv" "seed split"
else
  echo "seed split not found at $seed_split: its check is skipped"
fi

# 6. Dense Adam cannot be split: refused on every rank, before any work.
rm -f "$work/nb.model"
set +e
ranks 2 train "$work/train.csv" --preset notebook -q --model "$work/nb.model" > "$work/out" 2> "$work/err"
code=$?
set -e
[ "$code" -eq 2 ] || fail "the notebook preset under mpirun: exit $code, not 2"
grep -q "cannot be split across MPI ranks" "$work/err" || fail "no reason given: $(cat "$work/err")"
[ -e "$work/nb.model" ] && fail "the notebook preset under mpirun wrote a model"

# 7. A rank killed while the ring trains: no model file, or a whole one.
kill_rank_1 "the ring" --objective rating --epochs 100000 --early-stopping 0
# 8. Ranks that do not see the same file (no shared filesystem): every rank
# stops with the reason, exit 2, instead of waiting for the one that failed.
mkdir -p "$work/a" "$work/b" "$work/c"
cp "$work/train.csv" "$work/a/r.csv"
head -n 100 "$work/train.csv" > "$work/c/r.csv"
for other in b c; do
  set +e
  timeout 120 "${launch[@]}" -np 1 --wdir "$work/a" "$recsys" train r.csv -q --model "$work/a/m.model" \
    : -np 1 --wdir "$work/$other" "$recsys" train r.csv -q --model "$work/a/m.model" \
    > "$work/out" 2> "$work/err"
  code=$?
  set -e
  [ "$code" -eq 2 ] || fail "rank 1 in $other: exit $code, not 2: $(cat "$work/err")"
  grep -q "MPI rank 1" "$work/err" || fail "rank 1 in $other: no reason given: $(cat "$work/err")"
  [ -e "$work/a/m.model" ] && fail "rank 1 in $other: a model was written"
done

echo "ok: 1-3 ranks give one process's model; the rating objective trains across ranks within"
echo "0.01 RMSE; bad lines fail every rank; dense Adam is refused; a killed rank leaves no half model"
