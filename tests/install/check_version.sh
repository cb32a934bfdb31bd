#!/usr/bin/env bash
# `recsys --version` prints one line, the version and the commit: the source
# tree's `git describe` when it is a git checkout, RECSYS_COMMIT when the build
# was given one, else the documented "commit unknown" fallback. Whether the
# tree was dirty is not compared here, as files may have changed since the
# build; check_version_script.sh covers it.
# Usage: check_version.sh RECSYS SOURCE_DIR VERSION RECSYS_COMMIT GIT
set -euo pipefail
recsys=$1 source_dir=$2 version=$3 override=$4 git=${5:-}
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$recsys" --version)
[ "$(wc -l <<<"$out")" -eq 1 ] || fail "--version printed several lines: $out"
if [ -n "$override" ]; then
  [ "$out" = "recsys $version (commit $override)" ] || fail "'$out' does not name RECSYS_COMMIT $override"
elif [ -n "$git" ] && toplevel=$("$git" -C "$source_dir" rev-parse --show-toplevel 2>/dev/null) &&
     [ "$(realpath "$toplevel")" = "$(realpath "$source_dir")" ]; then
  prefix="recsys $version (commit "
  [[ $out == "$prefix"*")" ]] || fail "'$out' is not '$prefix...)'"
  named=${out#"$prefix"}
  named=${named%)}
  described=$("$git" -C "$source_dir" describe --always)
  [ "${named%-dirty}" = "$described" ] ||
    fail "'$out' names $named, but the source tree is at $described (rebuild after committing)"
else
  [ "$out" = "recsys $version (commit unknown: not built from a git checkout)" ] ||
    fail "outside a git checkout '$out' is not the documented fallback"
fi
echo "$out"
