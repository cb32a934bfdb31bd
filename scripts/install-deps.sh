#!/usr/bin/env bash
# Installs the Debian packages recsys builds and tests with, if any is missing,
# plus any packages named as arguments (scripts/test.sh adds valgrind, clang).
# As root it runs apt-get; otherwise it prints the exact command to run and fails.
# python3-numpy: the metrics reference check recomputes `recsys metrics` in numpy.
#
# Optional packages are installed too, where apt can get them; without them the
# build and the tests go on, each skipping what it needs (docs/dependencies.md):
#   libopenblas-dev  the top-N benchmark's yardstick product (scripts/bench.sh)
#   librsvg2-bin     rsvg-convert, which `recsys project --png` runs to write PNG
#   help2man         the man page recsys.1, made at build time from the --help texts
#   bash-completion  loads the installed completion of recsys on demand (and its test)
#   libopenmpi-dev openmpi-bin  mpirun -np N recsys train (docs/distributed.md) and its test
# --no-optional (first argument) leaves them out.
set -euo pipefail
optional=(libopenblas-dev librsvg2-bin help2man bash-completion libopenmpi-dev openmpi-bin)
if [ "${1:-}" = --no-optional ]; then
  optional=()
  shift
fi
packages=(g++ cmake make libeigen3-dev libcli11-dev libfccp-dev libspdlog-dev zlib1g-dev catch2 python3-numpy "$@")

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=() missing_optional=()
for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
for p in "${optional[@]}"; do installed "$p" || missing_optional+=("$p"); done

if [ "$(id -u)" -ne 0 ]; then
  if [ ${#missing_optional[@]} -gt 0 ]; then
    echo "optional, not installed (see docs/dependencies.md): sudo apt-get install -y ${missing_optional[*]}" >&2
  fi
  [ ${#missing[@]} -eq 0 ] && exit 0
  echo "missing packages; run this, then try again:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2; }
updated=0
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  apt-get update -qq >&2
  updated=1
  apt_install "${missing[@]}"
fi
for p in "${missing_optional[@]}"; do
  # A machine that never ran apt-get update knows no package yet.
  apt_install "$p" 2>/dev/null && continue
  if [ "$updated" -eq 0 ]; then
    apt-get update -qq >&2 || true
    updated=1
    apt_install "$p" 2>/dev/null && continue
  fi
  echo "optional $p not installed: the build goes on without it (see docs/dependencies.md)" >&2
done
exit 0
