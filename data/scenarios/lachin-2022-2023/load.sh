#!/usr/bin/env bash
# Loads the Lachin corridor scenario into a new store.
#
# Usage: PASSAGE_DB=FILE bash load.sh PASSAGE
#
# PASSAGE is the passage binary; PASSAGE_DB names the store to create (it must
# not exist yet). Runs `passage init` with corridor.ini, then imports each
# CSV file in the order the records refer to each other. Stops with a
# non-zero exit code at the first failure.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: PASSAGE_DB=FILE bash $0 PASSAGE" >&2
  exit 2
fi
passage=$1
if [ -z "${PASSAGE_DB:-}" ]; then
  echo "$0: set PASSAGE_DB to the store to create" >&2
  exit 2
fi
# The imports run in this folder, so that each import's record in the log
# names its file as "flows.csv", wherever the scenario lies: the store (its
# root hash, the sitreps' goldens) is then the same from any checkout. A
# store given by a relative path is made absolute first.
case $PASSAGE_DB in
/* | *://* | sqlite:/*) ;;
sqlite:*) PASSAGE_DB=sqlite:$PWD/${PASSAGE_DB#sqlite:} ;;
*) PASSAGE_DB=$PWD/$PASSAGE_DB ;;
esac
export PASSAGE_DB
case $passage in
*/*) passage=$(cd "$(dirname "$passage")" && pwd)/$(basename "$passage") ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

"$passage" init --corridor corridor.ini

for step in source:sources actor:actors flow:flows status:status \
  event:events coverage:coverage population:population need:needs \
  stock:stocks indicator:indicators; do
  kind=${step%%:*}
  file=${step#*:}.csv
  printf '%-10s ' "$kind"
  "$passage" import "$kind" "$file"
done
