#!/usr/bin/env bash
# Usage: run.sh SET PASSAGE. Imports ../shared/data/SET with the mapping in
# tests/data/SET/import.sh (the one docs/importing.md shows) and compares
# passage flow with totals that tests/data/SET/expected.py computes from
# the raw file.
set -euo pipefail
set_name=$1
passage=$2
here=$(cd "$(dirname "$0")" && pwd)
data=${PASSAGE_SOURCE_DIR:-$here/../..}/../shared/data/$set_name
if [ ! -d "$data" ]; then
  echo "skipped: $data is not there"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PASSAGE_DB=$work/passage.db
"$passage" init --corridor "$here/$set_name/corridor.ini" >/dev/null
# import.sh defines FILE, IMPORT (the import arguments) and FLOW (the
# passage flow arguments that give the totals to compare).
source "$here/$set_name/import.sh"
# A set of several imports (a workbook's sheets) defines import_all
# instead of IMPORT, and may define check_more for what flow does not sum.
if declare -F import_all >/dev/null; then
  import_all "$passage" "$data/$FILE" >"$work/import.out" 2>"$work/import.err" || {
    cat "$work/import.err"; exit 1; }
else
  "$passage" import flow "$data/$FILE" "${IMPORT[@]}" >"$work/import.out" 2>"$work/import.err" || {
    cat "$work/import.err"; exit 1; }
fi
"$passage" flow "${FLOW[@]}" --format csv >"$work/got.csv"
python3 "$here/$set_name/expected.py" "$data/$FILE" >"$work/want.csv"
python3 "$here/compare.py" "$work/want.csv" "$work/got.csv"
if declare -F check_more >/dev/null; then
  check_more "$passage" "$data/$FILE" "$work"
fi
