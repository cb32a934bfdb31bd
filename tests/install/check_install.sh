#!/usr/bin/env bash
# `cmake --install BUILD --prefix PREFIX` installs exactly bin/recsys, the
# bash completion and, when the build made one, the man page. The man page and
# completion tests then read what was installed in PREFIX, as a user gets it.
# Usage: check_install.sh CMAKE BUILD_DIR PREFIX MAN_PAGE_BUILT(ON|OFF)
set -euo pipefail
cmake=$1 build=$2 prefix=$3 man_page=$4
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$prefix"
"$cmake" --install "$build" --prefix "$prefix" >/dev/null

expected=(bin/recsys share/bash-completion/completions/recsys)
[ "$man_page" = ON ] && expected+=(share/man/man1/recsys.1)
want=$(printf '%s\n' "${expected[@]}" | sort)
got=$(cd "$prefix" && find . -type f | sed 's|^\./||' | sort)
[ "$got" = "$want" ] || fail "installed:"$'\n'"$got"$'\n'"expected:"$'\n'"$want"

[ -x "$prefix/bin/recsys" ] || fail "bin/recsys is not executable"
"$prefix/bin/recsys" --version | grep -q '^recsys ' || fail "the installed recsys does not run"
for f in "${expected[@]}"; do
  [ -s "$prefix/$f" ] || fail "$f is empty"
done
echo "installed: ${expected[*]}"
