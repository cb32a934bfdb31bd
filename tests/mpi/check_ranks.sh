#!/usr/bin/env bash
# mpirun -np N recsys train, checked from outside as a user runs it:
#   1. 2 and 3 ranks write the same model file, byte for byte, as one process
#      (--threads 1): with a random holdout, a --val file and a time split;
#   2. every command reads that model;
#   3. a bad line in the part of the last rank, and of rank 0, fails every
#      rank: exit 2, one recsys line naming the file and the file's line, no
#      model file, nothing on stdout;
#   4. a rank killed during training leaves no model file, or a whole one.
# Usage: check_ranks.sh RECSYS MPIEXEC SOURCE_DIR
set -euo pipefail
recsys=$1 mpiexec=$2 src=$3
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

# 1. The same bytes as one process.
for args in "" "--val $work/val.csv" "--split user-time"; do
  # shellcheck disable=SC2086
  "$recsys" train "$work/train.csv" $args --epochs 5 --threads 1 -q --model "$work/one.model"
  for n in 2 3; do
    # shellcheck disable=SC2086
    ranks "$n" train "$work/train.csv" $args --epochs 5 --threads 1 -q \
      --model "$work/ranks.model" > "$work/out" 2> "$work/err" || fail "$n ranks ($args): $(cat "$work/err")"
    cmp -s "$work/one.model" "$work/ranks.model" || fail "$n ranks ($args): the model differs from one process's"
    [ -s "$work/out" ] && fail "$n ranks ($args): stdout is not empty"
  done
done
# The JSON says how many ranks read the data.
ranks 3 train "$work/train.csv" --epochs 2 -q --format json --model "$work/ranks.model" \
  > "$work/out" 2> /dev/null
grep -q '"ranks":3' "$work/out" || fail "the JSON does not say \"ranks\":3"

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

# 4. Kill the last rank while rank 0 trains: mpirun ends the job; what is
# left of the model file is nothing, or a model that loads.
rm -f "$work/long.model"
ranks 2 train "$work/train.csv" --epochs 100000 --threads 1 -q --model "$work/long.model" \
  > /dev/null 2>&1 &
job=$!
victim=""
for _ in $(seq 100); do
  for pid in $(pgrep -f "$recsys train $work/train.csv" || true); do
    if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then
      victim=$pid
    fi
  done
  [ -n "$victim" ] && break
  sleep 0.1
done
[ -n "$victim" ] || fail "rank 1 was never seen running"
sleep 1
kill -9 "$victim"
set +e
wait "$job"
code=$?
set -e
[ "$code" -ne 0 ] || fail "the job ended 0 although a rank was killed"
if [ -e "$work/long.model" ]; then
  "$recsys" info --model "$work/long.model" > /dev/null 2>&1 || fail "a half-written model was left"
fi
ls "$work" | grep -q '\.tmp' && fail "a temporary file was left: $(ls "$work")"
echo "ok: 1-3 ranks give one process's model; bad lines fail every rank; a killed rank leaves no half model"
