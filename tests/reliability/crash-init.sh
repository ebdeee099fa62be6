#!/usr/bin/env bash
# Usage: tests/reliability/crash-init.sh PASSAGE [KILLS]
# Issue 15, item 1: passage init killed with SIGKILL at any moment leaves
# either nothing at the store's path or a whole store, and init then
# works. Init makes the store under a temporary name (PATH.init-PID) and
# renames it into place whole, so a kill before the rename leaves nothing
# at PATH, and one after it the whole store. KILLS times (10 in make
# check, 100 in make torture) init of the fixture corridor is killed at a
# random moment within 1.5 times the time a whole init took (timed first:
# 20 to 100 ms here, most of it in fsync), and then:
# - PATH is absent, or it is a whole store that verifies with exactly the
#   corridor's rules and its 2 checkpoints ("ok: 3 entries");
# - init again with the same corridor file makes the store (when PATH was
#   absent) or refuses it ("exists already", when the kill came after the
#   rename), and either way the store verifies with its 3 entries.
# What a kill leaves beside PATH (PATH.init-PID and SQLite's -wal and -shm
# beside it) is counted and printed: it is never opened as the store.
# Before main's temporary name (the previous helper's init_begun and
# init_done marks), a store killed after its file was made answered "is
# not initialised: run 'passage init'" while init answered "exists
# already": a dead end both ways.
set -uo pipefail
PASSAGE=$(realpath "$1")
KILLS=${2:-10}
WORK=$(mktemp -d)
job=
trap '[ -n "$job" ] && kill -KILL $job 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
echo "seed $SEED, $KILLS kills"
corridor=$fixture/corridor.ini
# What init must leave alone: a file already at PATH of any kind (an
# empty file, a whole store, a database of another kind) is refused, as it
# was (a kill of main's init never leaves an empty file or a half store at
# PATH, so nothing there is init's to finish).
: >"$WORK/empty.db"
"$PASSAGE" --db "$WORK/empty.db" init --corridor "$corridor" >"$WORK/v" 2>&1
[ $? -eq 1 ] && grep -q 'exists already; a store is initialised once' "$WORK/v" &&
  [ ! -s "$WORK/empty.db" ] &&
  ok "an empty file: init refuses it and leaves it empty" || bad "empty: $(cat "$WORK/v")"
"$PASSAGE" --db "$WORK/whole.db" init --corridor "$corridor" >/dev/null || exit 1
"$PASSAGE" --db "$WORK/whole.db" init --corridor "$corridor" >"$WORK/v" 2>&1
[ $? -eq 1 ] && grep -q 'exists already; a store is initialised once' "$WORK/v" &&
  "$PASSAGE" --db "$WORK/whole.db" verify 2>&1 | grep -q '^ok: 3 entries, ' &&
  ok "a whole store: init refuses it, and it still verifies with its 3 entries" ||
  bad "whole: $(cat "$WORK/v")"
sqlite3 "$WORK/other.db" "CREATE TABLE t (x); INSERT INTO t VALUES (42)"
"$PASSAGE" --db "$WORK/other.db" init --corridor "$corridor" >"$WORK/v" 2>&1
[ $? -eq 1 ] && grep -q 'exists already' "$WORK/v" &&
  [ "$(sqlite3 "$WORK/other.db" "SELECT group_concat(name) FROM sqlite_master")" = t ] &&
  ok "another database: init refuses it and leaves it as it was" || bad "other: $(cat "$WORK/v")"
# A failed init (a corridor file that does not parse) leaves nothing at
# PATH nor beside it.
printf '[corridor]\nname = Broken\n[checkpoint a]\nname =\n' >"$WORK/broken.ini"
"$PASSAGE" --db "$WORK/failed.db" init --corridor "$WORK/broken.ini" >"$WORK/v" 2>&1
[ $? -ne 0 ] && [ -z "$(ls "$WORK" | grep '^failed\.db')" ] &&
  ok "a failed init: nothing at the path nor beside it" ||
  bad "failed init: exit, left $(ls "$WORK" | grep '^failed\.db' | tr '\n' ' '): $(cat "$WORK/v")"

# A whole init, timed, bounds the moments of the kills.
t0=$(date +%s%N)
"$PASSAGE" --db "$WORK/timed.db" init --corridor "$corridor" >/dev/null || exit 1
span=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "a whole init takes $span ms"
mid=0
absent=0
left=0
for k in $(seq 1 "$KILLS"); do
  db=$WORK/i$k.db
  "$PASSAGE" --db "$db" init --corridor "$corridor" >/dev/null 2>&1 &
  job=$!
  # Past the whole init's time by half, so that some kills come after the
  # rename (a whole store at the path) and some after the end.
  rand_sleep 0 $((span * 3 / 2))
  kill -KILL $job 2>/dev/null
  { wait $job; } 2>/dev/null
  rc=$?
  job=
  [ $rc -eq 137 ] && mid=$((mid + 1))
  left=$((left + $(ls "$WORK" | grep -c "^i$k\.db\.init-")))
  if [ ! -e "$db" ]; then
    absent=$((absent + 1))
    was="nothing at the path"
    "$PASSAGE" --db "$db" init --corridor "$corridor" >"$WORK/again" 2>&1
    again=$?
    want=0
  elif "$PASSAGE" --db "$db" verify >"$WORK/v" 2>&1 && grep -q '^ok: 3 entries, ' "$WORK/v"; then
    was="a whole store"
    "$PASSAGE" --db "$db" init --corridor "$corridor" >"$WORK/again" 2>&1
    again=$?
    want=1
    grep -q 'exists already' "$WORK/again" || again="$again (not 'exists already')"
  else
    bad "kill $k (exit $rc): the path holds neither nothing nor a whole store: $(cat "$WORK/v")"
    continue
  fi
  if [ "$again" = "$want" ] && "$PASSAGE" --db "$db" verify >"$WORK/v" 2>&1 &&
    grep -q '^ok: 3 entries, ' "$WORK/v"; then
    ok "kill $k (exit $rc): $was; init again (exit $again): 3 entries, verified"
  else
    bad "kill $k (exit $rc): $was; init again (exit $again, want $want): $(cat "$WORK/again")" \
      "; verify: $(cat "$WORK/v")"
  fi
done
echo "$mid of $KILLS kills hit init before its end; $absent left nothing at the path;" \
  "$left temporary files left beside (PATH.init-PID)"
[ $fail -eq 0 ] && ok "$KILLS kills of passage init: each left nothing or a whole store, and init then worked"
exit $fail
