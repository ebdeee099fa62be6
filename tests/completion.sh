#!/usr/bin/env bash
# The generated bash completion (scripts/completion) completes commands,
# subcommands, each command's options (those of options.def), add's fields
# and the kinds, as a user pressing TAB would see them.
set -uo pipefail
passage=$(realpath "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$top/scripts/completion" "$passage" >"$work/passage.bash" || exit 1
bash -n "$work/passage.bash" || exit 1
cd "$work" || exit 1
touch flows.csv
# shellcheck disable=SC1091
. "$work/passage.bash"
fail=0

# check WANT WORD...: completing the last word gives WANT (words, sorted).
check() {
  local want=$1
  shift
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _passage
  got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
  if [ "${got% }" != "$want" ]; then
    echo "FAIL: '$*': got '${got% }', want '$want'"; fail=1
  fi
}

check "import index init" passage i
check "withdraw witness" passage --db x.db wi
check "withdraw" passage --db x.db withd
check "init serve" passage witness ""
check "generate public" passage key ""
check "sources" passage list so
check "amend show template" passage corridor ""
check "--create-missing" passage import flow flows.csv --cr
check "--reason" passage withdraw import-4 --re
check "flow" passage import fl
check "withdrawal" passage export wi
check "" passage import wi
check "--stage --start" passage add flow --st
check "flows.csv" passage add flow --start fl
check "flows.csv" passage import flow fl
check "--as-of" passage report sitrep --as
check "coverage" passage show x --kind cov
[ $fail -eq 0 ] && echo "ok: completion of commands, subcommands, options, fields and kinds"
exit $fail
