#!/usr/bin/env bash
# cmake/RecsysVersion.cmake, which writes the line `recsys --version` prints,
# on trees made here: a fresh commit, the same with a tracked file edited
# (-dirty), a directory that is no checkout (a tarball), one nested inside a
# checkout, a commit given by the builder, and no git at all. The file it
# writes is left untouched when its text has not changed, so that an
# unchanged commit rebuilds nothing. Exit 77 (skipped) without git.
# Usage: check_version_script.sh CMAKE SCRIPT
set -uo pipefail
cmake=$1 script=$2
git=$(command -v git) || { echo "git not installed: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# version_line SOURCE_DIR [COMMIT [GIT]]: the line the generated file returns.
version_line() {
  "$cmake" -DSOURCE_DIR="$1" -DOUTPUT="$work/version.cpp" -DVERSION=9.8.7 -DCOMMIT="${2:-}" \
    -DGIT_EXECUTABLE="${3-$git}" -P "$script" || return 1
  sed -n 's/.*return "\(.*\)";.*/\1/p' "$work/version.cpp"
}
expect() {  # expect LINE ARGS...
  local want=$1 got
  shift
  got=$(version_line "$@")
  [ "$got" = "$want" ] || fail "for $*: got '$got', expected '$want'"
}
unknown="recsys 9.8.7 (commit unknown: not built from a git checkout)"

mkdir "$work/tarball"
expect "$unknown" "$work/tarball"

repo=$work/repo
"$git" -c init.defaultBranch=main init -q "$repo"
echo one >"$repo/file"
"$git" -C "$repo" add file
"$git" -C "$repo" -c user.name=test -c user.email=test@example.com commit -qm one
short=$("$git" -C "$repo" rev-parse --short HEAD)
expect "recsys 9.8.7 (commit $short)" "$repo"
touch "$repo/untracked"
expect "recsys 9.8.7 (commit $short)" "$repo"
echo two >>"$repo/file"
expect "recsys 9.8.7 (commit $short-dirty)" "$repo"
mkdir "$repo/unpacked"
expect "$unknown" "$repo/unpacked"
expect "recsys 9.8.7 (commit 1a2b3c4)" "$work/tarball" 1a2b3c4
expect "$unknown" "$repo" "" ""

version_line "$repo" >/dev/null
before=$(stat -c %y "$work/version.cpp")
sleep 0.05
version_line "$repo" >/dev/null
[ "$(stat -c %y "$work/version.cpp")" = "$before" ] || fail "an unchanged version rewrote the file"

[ "$failures" -eq 0 ] || exit 1
echo "RecsysVersion.cmake: commit, -dirty, fallback, nesting, override, unchanged file"
