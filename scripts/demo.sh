#!/usr/bin/env bash
# A new user's first run: install what is missing, build, make the sample data
# if it is not there, train on it, show one user's recommendations and how
# well the model ranks next to the most-popular chart.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
[ -f data/ratings.csv ] || scripts/make-sample.sh
echo "== recsys train data/ratings.csv" >&2
./build/recsys train data/ratings.csv --model build/demo.model
echo "== recsys topn --user 1" >&2
./build/recsys topn --user 1 --model build/demo.model
echo "== recsys metrics --ranking  (the popularity column: the most-popular chart, for comparison)" >&2
./build/recsys metrics --ranking --model build/demo.model
