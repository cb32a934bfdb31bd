#!/usr/bin/env bash
# The installed man page holds every command's help: a subsection per command
# listed by `recsys --help`, holding every long option that `recsys COMMAND
# --help` shows; its title names the version the binary prints; groff reads
# it without a warning. Exit 77 (skipped) when the build made no man page.
# Usage: check_man_page.sh PREFIX MAN_PAGE_BUILT(ON|OFF)
set -euo pipefail
prefix=$1 built=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
if [ "$built" != ON ]; then
  echo "no man page in this build (help2man not found, or RECSYS_MAN_PAGE=OFF): skipped"
  exit 77
fi
recsys=$prefix/bin/recsys
page=$prefix/share/man/man1/recsys.1
[ -s "$page" ] || fail "$page missing"

# roff to plain words: \- is a hyphen, \fB \fI \fR \fP switch fonts, \, \/ \&
# adjust spacing.
text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\[,/&]//g' "$page")

commands=$("$recsys" --help | awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
for c in train topn metrics project; do
  grep -qx "$c" <<<"$commands" || fail "reading recsys --help found no '$c' among: $commands"
done

section_of() {  # the lines of command $1's subsection
  awk -v heading=".SS \"recsys $1\"" '$0 == heading { on = 1; next } on && /^\.S[HS] / { exit } on' \
    <<<"$text"
}
for c in $commands; do
  section=$(section_of "$c")
  [ -n "$section" ] || fail "no subsection for recsys $c"
  options=$("$recsys" "$c" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
  [ -n "$options" ] || fail "recsys $c --help shows no option"
  for opt in $options; do
    grep -qF -- "$opt" <<<"$section" || fail "recsys $c: $opt, in its --help, is not in the man page"
  done
done
# Not `section_of train | grep -q`: under pipefail, grep -q leaving at the first
# match can end awk with SIGPIPE while it still writes, and fail the pipeline.
grep -q -- '^--epochs' <<<"$(section_of train)" || fail "train's subsection has no --epochs item"

version=$("$recsys" --version)
grep -q '^\.TH ' <<<"$text" || fail "no .TH title line"
grep '^\.TH ' <<<"$text" | grep -qF "\"$version\"" || fail "title does not name '$version'"

if command -v groff >/dev/null; then
  warnings=$(groff -man -ww -z "$page" 2>&1)
  [ -z "$warnings" ] || fail "groff warns: $warnings"
fi
echo "man page: $(wc -w <<<"$commands") commands, each with every option of its --help"
