#!/usr/bin/env bash
# Builds recsys and runs the whole test suite through ctest. Options add the
# hardening steps (CI runs them all: .ci/run passes --all):
#   --sanitize     also build everything with AddressSanitizer, LeakSanitizer
#                  and UndefinedBehaviorSanitizer (gcc, ./build-asan) and run
#                  the whole suite again there
#   --valgrind     install valgrind if missing, so that the suite's end-to-end
#                  Valgrind test runs instead of being skipped
#   --fuzz SECONDS build the libFuzzer targets with clang (./build-fuzz) and
#                  run each for SECONDS on the committed corpus
#   --all          all three, fuzzing 60 s per target
# As root, missing Debian packages are installed; otherwise the exact
# apt-get line is printed and the script stops.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=0 valgrind=0 fuzz_seconds=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize=1 ;;
    --valgrind) valgrind=1 ;;
    --fuzz) fuzz_seconds="${2:?--fuzz needs a number of seconds}"; shift ;;
    --all) sanitize=1 valgrind=1 fuzz_seconds=60 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

step() { echo "== $* ($(date +%T))" >&2; }

# The build's packages, and those only the hardening steps need.
extra=()
[ "$valgrind" -eq 1 ] && extra+=(valgrind)
[ "$fuzz_seconds" -gt 0 ] && extra+=(clang libclang-rt-14-dev clang-format)
scripts/install-deps.sh "${extra[@]}"

# The code style of .clang-format, checked where clang-format is installed
# (CI installs it: --all); `git ls-files '*.cpp' '*.hpp' | xargs clang-format -i` fixes it.
if command -v clang-format >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then
  step "clang-format check"
  git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
fi

step "Release build and tests (./build)"
scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"

if [ "$sanitize" -eq 1 ]; then
  step "AddressSanitizer + UndefinedBehaviorSanitizer build and tests (./build-asan)"
  # -O1 with line tables: readable reports, and about half the compile time
  # of -O2 -g; asserts (the parser's, Eigen's bounds checks) stay on.
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DRECSYS_SANITIZE=ON >/dev/null
  cmake --build build-asan -j "$(nproc)"
  # Any report fails its test: UBSan aborts, ASan and LeakSanitizer change
  # the exit code of the test binary or of the recsys process it runs.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$(nproc)"
fi

if [ "$fuzz_seconds" -gt 0 ]; then
  step "libFuzzer targets (./build-fuzz), ${fuzz_seconds} s each"
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRECSYS_FUZZ=ON \
    -DRECSYS_BUILD_TESTS=OFF >/dev/null
  cmake --build build-fuzz -j "$(nproc)" --target fuzz_ratings fuzz_model_file
  for target in ratings model_file; do
    # New inputs go to a scratch directory; the committed corpus and the
    # regressions are only read.
    work="build-fuzz/run-$target"
    rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
    step "fuzz_$target"
    # git keeps no empty directories, and libFuzzer exits on a missing one:
    # pass only the seed directories a clean clone actually has.
    seeds=()
    for dir in "fuzz/corpus/$target" "fuzz/regressions/$target"; do
      [ -d "$dir" ] && seeds+=("$dir")
    done
    if ! "build-fuzz/fuzz/fuzz_$target" -max_total_time="$fuzz_seconds" -timeout=20 -rss_limit_mb=3000 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
        "$work/corpus" "${seeds[@]}" >"$work/log.txt" 2>&1; then
      tail -n 60 "$work/log.txt" >&2
      if [ -n "$(ls -A "$work/artifacts")" ]; then
        echo "fuzz_$target found a failing input, kept in $work/artifacts/. Copy it into" >&2
        echo "fuzz/regressions/$target/, fix the bug, and tests/test_hardening_fuzz_corpus.cpp will replay it." >&2
      else
        echo "fuzz_$target stopped without a failing input: see $work/log.txt" >&2
      fi
      exit 1
    fi
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/log.txt" >&2 || true
  done
fi
step "all tests passed"
