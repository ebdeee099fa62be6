#!/usr/bin/env bash
# Usage: tests/reliability/crash-import.sh PASSAGE [KILLS] [ROWS]
# Issue 15, item 1: passage import killed with SIGKILL mid-file stores all
# of the file or none of it. A store holds 10 flows (14 entries with the
# corridor's rules, its 2 checkpoints and the import's entry); then, KILLS times (3 in make check, 20 in make
# torture), a file of ROWS flows (50,000; ids r<k>-<i>, its own each
# round) is imported and the import killed at a random moment from 10 ms
# to ROWS / 200 ms after it started (about the time a whole import takes
# in the plain build, so that kills fall in parsing and in the commit). Afterwards:
# - the file's flows stored are 0 or ROWS, never a part;
# - passage verify passes (the entries before are intact);
# - the same import run again to its end adds what was not stored (ROWS
#   or 0 added) and, when it added some, its import entry (an import
#   that adds nothing records none), so that the log's size is
#   14 + k * (ROWS + 1) after round k;
# - at the end the 10 first flows are there and every id is stored once.
# A kill that comes after the import ended is counted apart (it tests
# nothing), and the test says how many kills hit mid-file.
set -uo pipefail
PASSAGE=$(realpath "$1")
KILLS=${2:-3}
ROWS=${3:-50000}
WORK=$(mktemp -d)
job=
trap '[ -n "$job" ] && kill -KILL $job 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
echo "seed $SEED, $KILLS kills, $ROWS rows a file"
db=$(store_location t)
setup_store "$db" || exit 1
{ echo 'id,start,checkpoint,direction,vehicles'
  for i in $(seq 1 10); do echo "base-$i,2023-01-02,a,in,$i"; done; } >"$WORK/base.csv"
"$PASSAGE" --db "$db" import flow "$WORK/base.csv" >/dev/null || exit 1
echo base >"$WORK/prefixes"

size() { # the log's size, as the last passage verify counted it
  sed -n 's/^ok: \([0-9]*\) entries.*/\1/p' "$WORK/verify.out"
}

mid=0
for k in $(seq 1 "$KILLS"); do
  seq 1 "$ROWS" | awk -v k="$k" 'BEGIN { print "id,start,checkpoint,direction,vehicles" }
    { printf "r%d-%d,2023-01-0%d,%s,in,%d\n", k, $1, 1 + $1 % 7, ($1 % 2 ? "a" : "b"), $1 % 50 }' \
    >"$WORK/f.csv"
  "$PASSAGE" --db "$db" import flow "$WORK/f.csv" >"$WORK/import.out" 2>&1 &
  job=$!
  rand_sleep 10 $((ROWS / 200))
  kill -KILL $job 2>/dev/null
  { wait $job; } 2>/dev/null
  rc=$?
  job=
  [ $rc -eq 137 ] && mid=$((mid + 1))
  # The file's rows and its import entry are the last entries of the
  # log: the size says how many were stored (ROWS + 1 for the whole
  # file, 0 for none of it), and verify that the entries before are
  # intact.
  verify_store "$db" "kill $k" || continue
  before=$((14 + (k - 1) * (ROWS + 1)))
  grown=$(( $(size) - before ))
  if [ "$grown" -eq 0 ]; then
    n=0
  elif [ "$grown" -eq $((ROWS + 1)) ]; then
    n=$ROWS
  else
    bad "kill $k (exit $rc): the log grew by $grown entries, not 0 or $((ROWS + 1))"
    continue
  fi
  "$PASSAGE" --db "$db" import flow "$WORK/f.csv" >"$WORK/import.out" 2>&1 ||
    bad "kill $k: the import again: $(cat "$WORK/import.out")"
  # Run again, the import adds the rest and records itself as the entry
  # after its last row (index before + ROWS), or, with all stored, adds
  # nothing and records nothing.
  if [ "$n" -eq 0 ]; then
    want="$ROWS rows: $ROWS added, 0 already stored; recorded as import-$((before + ROWS)); log size $((before + ROWS + 1))"
  else
    want="$ROWS rows: 0 added, $ROWS already stored; log size $((before + ROWS + 1))"
  fi
  grep -qxF "$want" "$WORK/import.out" ||
    bad "kill $k: the import again said '$(cat "$WORK/import.out")', not '$want'"
  ok "kill $k (exit $rc): $n of $ROWS stored before, then the rest; verified"
done
verify_store "$db" "at the end"
stored_flow_ids "$db" "$WORK/ids"
[ "$(grep -c '^base-' "$WORK/ids")" -eq 10 ] || bad "the flows stored first are not all there"
[ "$(uniq -d "$WORK/ids" | wc -l)" -eq 0 ] || bad "ids stored twice"
[ "$(wc -l <"$WORK/ids")" -eq $((10 + KILLS * ROWS)) ] ||
  bad "$(wc -l <"$WORK/ids") flows stored, $((10 + KILLS * ROWS)) expected"
echo "$mid of $KILLS kills hit an import mid-file"
[ "$mid" -gt 0 ] || bad "no kill hit an import mid-file"
[ $fail -eq 0 ] && ok "$KILLS kills of passage import: each file all or nothing"
exit $fail
