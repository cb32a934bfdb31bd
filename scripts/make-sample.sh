#!/usr/bin/env bash
# Regenerates the sample data in data/ (ratings.csv, movies.csv, users.csv):
# synthetic, small enough to commit (under 1 MB), and the same bytes on every
# run. Builds (or brings up to date) recsys in ./build first.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f build/CMakeCache.txt ]; then
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
# Only the CLI: the sample must not wait for (or fail on) the test suite.
cmake --build build --target recsys -j "$(nproc)" >/dev/null

# Keep this command in step with data/README.md.
./build/recsys synth --n-users 300 --n-movies 400 --n-ratings 20000 --genres 6 --dim 16 --noise 0.5 --seed 42 --out data
ls -l data/ratings.csv data/movies.csv data/users.csv >&2
