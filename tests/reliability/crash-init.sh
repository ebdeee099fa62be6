#!/usr/bin/env bash
# Usage: tests/reliability/crash-init.sh PASSAGE [KILLS]
# Issue 15, item 1: passage init killed with SIGKILL at any moment leaves
# either no store or one that `passage init` finishes. KILLS times (10 in
# make check, 100 in make torture) init of the fixture corridor (2
# checkpoints) is killed at a random moment within the time a whole init
# took (timed first: 20 to 100 ms here, most of it in fsync), then init is run again with
# the same corridor file, and then the store must verify with exactly the
# corridor's 2 checkpoints ("ok: 2 entries"), whichever moment the kill
# hit. Before the fix a store killed after its file was made answered
# "is not initialised: run 'passage init'" while init answered "exists
# already", and one killed mid-schema was "not a Passage store": a dead
# end both ways.
set -uo pipefail
PASSAGE=$(realpath "$1")
KILLS=${2:-10}
WORK=$(mktemp -d)
job=
trap '[ -n "$job" ] && kill -KILL $job 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
echo "seed $SEED, $KILLS kills"
corridor=$fixture/corridor.ini
# The states a kill can leave, made on purpose: an empty file; a store
# whose init did not end (its init_done mark taken away); and what init
# must leave alone: a whole store, and a database of another kind.
: >"$WORK/empty.db"
"$PASSAGE" --db "$WORK/empty.db" init --corridor "$corridor" >/dev/null 2>&1 &&
  "$PASSAGE" --db "$WORK/empty.db" verify 2>&1 | grep -q '^ok: 2 entries, ' &&
  ok "an empty file: init makes the store" || bad "an empty file: init failed"
"$PASSAGE" --db "$WORK/half.db" init --corridor "$corridor" >/dev/null || exit 1
sqlite3 "$WORK/half.db" "DELETE FROM meta WHERE key = 'init_done'"
"$PASSAGE" --db "$WORK/half.db" verify >"$WORK/v" 2>&1
[ $? -eq 1 ] && grep -q 'is not fully initialised (init was interrupted)' "$WORK/v" &&
  ok "an init that did not end: the store is not used" || bad "half: $(cat "$WORK/v")"
"$PASSAGE" --db "$WORK/half.db" init --corridor "$corridor" >/dev/null 2>&1 &&
  "$PASSAGE" --db "$WORK/half.db" verify 2>&1 | grep -q '^ok: 2 entries, ' &&
  ok "an init that did not end: init again finishes it" || bad "half: init again failed"
"$PASSAGE" --db "$WORK/half.db" init --corridor "$corridor" >"$WORK/v" 2>&1
[ $? -eq 1 ] && grep -q 'exists already; a store is initialised once' "$WORK/v" &&
  ok "a whole store: init refuses it" || bad "whole: $(cat "$WORK/v")"
sqlite3 "$WORK/other.db" "CREATE TABLE t (x); INSERT INTO t VALUES (42)"
"$PASSAGE" --db "$WORK/other.db" init --corridor "$corridor" >"$WORK/v" 2>&1
[ $? -eq 1 ] && grep -q 'exists already' "$WORK/v" &&
  [ "$(sqlite3 "$WORK/other.db" "SELECT group_concat(name) FROM sqlite_master")" = t ] &&
  ok "another database: init refuses it and leaves it as it was" || bad "other: $(cat "$WORK/v")"

# A whole init, timed, bounds the moments of the kills.
t0=$(date +%s%N)
"$PASSAGE" --db "$WORK/timed.db" init --corridor "$corridor" >/dev/null || exit 1
span=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "a whole init takes $span ms"
mid=0
for k in $(seq 1 "$KILLS"); do
  db=$WORK/i$k.db
  "$PASSAGE" --db "$db" init --corridor "$corridor" >/dev/null 2>&1 &
  job=$!
  rand_sleep 0 "$span"
  kill -KILL $job 2>/dev/null
  { wait $job; } 2>/dev/null
  rc=$?
  job=
  [ $rc -eq 137 ] && mid=$((mid + 1))
  "$PASSAGE" --db "$db" init --corridor "$corridor" >"$WORK/again" 2>&1
  again=$?
  if "$PASSAGE" --db "$db" verify >"$WORK/v" 2>&1 &&
    grep -q '^ok: 2 entries, ' "$WORK/v"; then
    ok "kill $k (exit $rc), init again (exit $again): 2 entries, verified"
  else
    bad "kill $k (exit $rc), init again (exit $again): $(cat "$WORK/again")" \
      "; verify: $(cat "$WORK/v")"
  fi
done
echo "$mid of $KILLS kills hit init before its end"
[ $fail -eq 0 ] && ok "$KILLS kills of passage init: each store finished by init again"
exit $fail
