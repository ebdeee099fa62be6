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
here=$(cd "$(dirname "$0")" && pwd)
# The files are imported by their names, from this folder: the log keeps the
# names an import was given ("files" in its entry), and the same names make
# the same bytes, hashes and tree heads wherever the scenario lies (the
# report goldens rely on it), with no path of this machine in the log.
case $passage in */*) passage=$(realpath "$passage") ;; esac
# A file's path is made absolute before the cd; a store on a server (a
# postgresql:// URL) is reached from anywhere as it is.
case $PASSAGE_DB in
*://*) ;;
*) PASSAGE_DB=$(realpath -m "$PASSAGE_DB") ;;
esac
export PASSAGE_DB
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
