#!/usr/bin/env bash
# bash-completion finds the installed script by itself: with PREFIX/share in
# XDG_DATA_DIRS (/usr/local/share and /usr/share by default), its on-demand
# loader sources share/bash-completion/completions/recsys the first time
# recsys is completed. Exit 77 (skipped) without bash-completion.
# Usage: check_completion_loader.sh PREFIX
set -uo pipefail
prefix=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
main=/usr/share/bash-completion/bash_completion
if [ ! -r "$main" ]; then
  echo "bash-completion not installed (Debian: bash-completion): skipped"
  exit 77
fi

empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT
export XDG_DATA_DIRS=$prefix/share BASH_COMPLETION_USER_DIR=$empty
# shellcheck source=/dev/null
source "$main"
complete -p recsys >/dev/null 2>&1 && fail "recsys has a completion before the loader ran"
# The loader's name changed in bash-completion 2.12.
if declare -F _comp_load >/dev/null; then
  _comp_load recsys
elif declare -F __load_completion >/dev/null; then
  __load_completion recsys
else
  fail "bash-completion has no loader function this test knows"
fi
spec=$(complete -p recsys 2>/dev/null) || fail "the loader found no completion in $prefix/share"
func=$(sed -n 's/.*-F \([^ ]*\) .*/\1/p' <<<"$spec")
COMP_WORDS=(recsys tr)
COMP_CWORD=1
COMPREPLY=()
"$func" recsys tr recsys
[ "${COMPREPLY[*]}" = train ] || fail "loaded completion offers [${COMPREPLY[*]}] for 'recsys tr'"
echo "bash-completion loads $prefix/share/bash-completion/completions/recsys on demand"
