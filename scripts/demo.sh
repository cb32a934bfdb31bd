#!/usr/bin/env bash
# A new user's first run: install what is missing, build, make the sample data
# if it is not there, train on it and show one user's recommendations.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh >/dev/null
[ -f data/ratings.csv ] || scripts/make-sample.sh
echo "== recsys train data/ratings.csv" >&2
./build/recsys train data/ratings.csv --model build/demo.model
user=1
favourite=$(awk -F, -v u="$user" '$1 == u { print $2 }' data/users.csv 2>/dev/null || true)
echo "== recsys topn --user $user  (its planted favourite genre: ${favourite:-unknown})" >&2
./build/recsys topn --user "$user" --model build/demo.model
