#!/usr/bin/env bash
# Installs the Debian packages recsys builds and tests with, if any is missing,
# plus any packages named as arguments (scripts/test.sh adds valgrind, clang).
# As root it runs apt-get; otherwise it prints the exact command to run and fails.
# python3-numpy: the metrics reference check recomputes `recsys metrics` in numpy.
set -euo pipefail
packages=(g++ cmake make libeigen3-dev libcli11-dev libfccp-dev libspdlog-dev zlib1g-dev catch2 python3-numpy "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Optional: OpenBLAS makes topn --all-users and metrics several times faster on
# large models; the build works without it. Installed where apt can, as root.
optional=(libopenblas-dev)
if [ "$(id -u)" -eq 0 ]; then
  for p in "${optional[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && continue
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >&2 2>/dev/null ||
      echo "optional $p not installed: the build goes on without it (see docs/dependencies.md)" >&2
  done
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "installing: ${missing[*]}" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
else
  echo "missing packages; run this, then try again:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
