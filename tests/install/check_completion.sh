#!/usr/bin/env bash
# The installed bash completion, sourced as bash-completion or a ~/.bashrc
# would, completes as a user typing TAB expects: the commands, each command's
# options (every non-deprecated one its --help lists, none it does not), the
# values of --format, and files elsewhere. Each case sets COMP_WORDS and
# COMP_CWORD the way bash does before calling the completion function.
# Usage: check_completion.sh PREFIX
set -uo pipefail
prefix=$1
recsys=$prefix/bin/recsys
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# shellcheck source=/dev/null
source "$prefix/share/bash-completion/completions/recsys" ||
  { echo "FAIL: sourcing the script failed" >&2; exit 1; }
spec=$(complete -p recsys 2>/dev/null) || { echo "FAIL: no completion registered for recsys" >&2; exit 1; }
func=$(sed -n 's/.*-F \([^ ]*\) .*/\1/p' <<<"$spec")
declare -F "$func" >/dev/null || { echo "FAIL: '$spec' names no function" >&2; exit 1; }

# What TAB offers when the line holds the words given, the last one (maybe
# empty) being the word under the cursor; one per line, sorted.
offers() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  "$func" recsys "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
  if ((${#COMPREPLY[@]})); then printf '%s\n' "${COMPREPLY[@]}" | sort; fi
}
# expect "WANTED WORDS" WORD...: TAB after WORD... offers exactly the wanted words.
expect() {
  local want got
  want=$(tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort)
  shift
  got=$(offers "$@")
  [ "$got" = "$want" ] || fail "'$*<TAB>' offers [${got//$'\n'/ }], expected [${want//$'\n'/ }]"
}

expect "train" recsys tr
expect "--epochs" recsys train --ep
expect "table csv json" recsys topn --format ''
expect "csv" recsys topn --format = c
expect "items users" recsys export --what ''
expect "--version" recsys --ver
expect "--format" recsys topn --all-users --fo  # a flag takes no value: options follow
expect "--format" recsys topn -n 5 --fo
expect "" recsys metrics -k  # deprecated alias of -n, accepted but not offered
expect "" recsys completion ''  # hidden, as in --help

commands=$("$recsys" --help | awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ -n "$commands" ] || { echo "FAIL: no commands read from recsys --help" >&2; exit 1; }
expect "$(tr '\n' ' ' <<<"$commands")" recsys ''

# Each command's options: those its --help lists above the Deprecated block.
for c in $commands; do
  listed=$("$recsys" "$c" --help |
    awk '/^Deprecated/ { exit } /^  -/ { print $1 }' | tr ',' '\n' | grep -- '^-' | sort -u)
  expect "$(tr '\n' ' ' <<<"$listed")" recsys "$c" -
done

# A value that is a file, and a command's positional argument: file names.
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
touch "$dir/ratings.csv" "$dir/other.model"
expect "$dir/ratings.csv" recsys train "$dir/rat"
expect "$dir/other.model" recsys topn --model "$dir/oth"
expect "$dir/other.model" recsys topn --model = "$dir/oth"

[ "$failures" -eq 0 ] || exit 1
echo "completion: $(wc -w <<<"$commands") commands and their options offered as --help lists them"
