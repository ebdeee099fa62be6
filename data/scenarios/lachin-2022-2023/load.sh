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
export PASSAGE_DB
here=$(cd "$(dirname "$0")" && pwd)

"$passage" init --corridor "$here/corridor.ini"

for step in source:sources actor:actors flow:flows status:status \
  event:events coverage:coverage population:population need:needs \
  stock:stocks indicator:indicators; do
  kind=${step%%:*}
  file=$here/${step#*:}.csv
  printf '%-10s ' "$kind"
  "$passage" import "$kind" "$file"
done
