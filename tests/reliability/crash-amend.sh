#!/usr/bin/env bash
# Usage: tests/reliability/crash-amend.sh PASSAGE [KILLS] [ROWS]
# Issue 15, item 1: passage corridor amend killed with SIGKILL leaves the
# rules as they were or as amended, never half. The store holds ROWS flows
# (20,000) spread over 200 days at two checkpoints, two sources claiming
# each day at a, so that a change of dispute_tolerance changes derived
# figures and the amend rebuilds every kept day in its transaction. KILLS
# times (3 in make check, 20 in make torture) the amend that flips the
# tolerance (0.10 <-> 0.05) is killed at a random moment within the time a
# whole amend took. Then:
# - the log is its old size (nothing of the amend) or one more (the new
#   version), and `corridor show` says the tolerance that size implies;
# - the store verifies (verify rebuilds every kept day from the records
#   and the rules in force, so a half-rebuilt day fails it);
# - the amend run again to its end appends the new version (or, if the
#   killed one had committed, appends nothing), and the store verifies.
set -uo pipefail
PASSAGE=$(realpath "$1")
KILLS=${2:-3}
ROWS=${3:-20000}
WORK=$(mktemp -d)
job=
trap '[ -n "$job" ] && kill -KILL $job 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
echo "seed $SEED, $KILLS kills, $ROWS rows"
db=$(store_location t)
setup_store "$db" || exit 1
# Half the rows at a from source s1, the same days at a from s2 with 7%
# more (disputed at 0.05, not at 0.10), the rest at b.
seq 1 "$ROWS" | awk '
  BEGIN { print "id,start,checkpoint,direction,vehicles,source" }
  { d = $1 % 200; day = sprintf("2023-%02d-%02d", 1 + int(d / 28), 1 + d % 28)
    if ($1 % 4 == 0) printf "r%d,%s,b,in,%d,s1\n", $1, day, 10
    else if ($1 % 4 == 1) printf "r%d,%s,a,in,%d,s1\n", $1, day, 100
    else if ($1 % 4 == 2) printf "r%d,%s,a,in,%d,s2\n", $1, day, 107
    else printf "r%d,%s,a,out,%d,s1\n", $1, day, 5 }' >"$WORK/f.csv"
"$PASSAGE" --db "$db" import flow "$WORK/f.csv" --create-missing >"$WORK/import.out" 2>&1 ||
  { bad "import: $(cat "$WORK/import.out")"; exit 1; }
rules() { # rules TOL: the fixture's corridor with dispute_tolerance TOL
  sed "s/^min_public_count = 10$/min_public_count = 10\ndispute_tolerance = $1/" \
    "$fixture/corridor.ini" >"$WORK/c-$1.ini"
  echo "$WORK/c-$1.ini"
}
size() { "$PASSAGE" --db "$db" log checkpoint --key "$(key_of "$db")" 2>/dev/null | sed -n 2p; }
tolerance() { "$PASSAGE" --db "$db" corridor show --format json | grep -o '"dispute_tolerance":[0-9.]*' | cut -d: -f2; }
# The first amend, timed: it states 0.1 explicitly, which the store may
# take as the rules in force already (nothing appended) or as a new
# version; either way the next flips it.
t0=$(date +%s%N)
"$PASSAGE" --db "$db" corridor amend "$(rules 0.10)" >"$WORK/amend.out" 2>&1 ||
  { bad "the first amend: $(cat "$WORK/amend.out")"; exit 1; }
span=$(( ($(date +%s%N) - t0) / 1000000 ))
cur=0.1
mid=0
for k in $(seq 1 "$KILLS"); do
  [ "$cur" = 0.1 ] && next=0.05 || next=0.1
  before=$(size)
  "$PASSAGE" --db "$db" corridor amend "$(rules $next)" >/dev/null 2>&1 &
  job=$!
  rand_sleep 0 "$span"
  kill -KILL $job 2>/dev/null
  { wait $job; } 2>/dev/null
  rc=$?
  job=
  [ $rc -eq 137 ] && mid=$((mid + 1))
  after=$(size)
  tol=$(tolerance)
  if [ "$after" = "$before" ] && [ "$tol" = "$cur" ]; then
    ok "kill $k (exit $rc): nothing of the amend, tolerance $tol"
  elif [ "$after" = "$((before + 1))" ] && [ "$tol" = "$next" ]; then
    ok "kill $k (exit $rc): the whole amend, tolerance $tol"
  else
    bad "kill $k (exit $rc): log $before -> $after, tolerance $tol (was $cur, amending to $next)"
  fi
  verify_store "$db" "kill $k" && ok "kill $k: the store verifies"
  t0=$(date +%s%N)
  "$PASSAGE" --db "$db" corridor amend "$(rules $next)" >"$WORK/amend.out" 2>&1 ||
    bad "kill $k: amend again: $(cat "$WORK/amend.out")"
  span=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ "$span" -lt 50 ] && span=50
  if [ "$(size)" = "$((before + 1))" ] && [ "$(tolerance)" = "$next" ]; then
    ok "kill $k: amend again leaves the new version, a log of $((before + 1))"
  else
    bad "kill $k: after amend again: a log of $(size), tolerance $(tolerance)"
  fi
  verify_store "$db" "kill $k, amended again"
  cur=$next
done
echo "$mid of $KILLS kills hit corridor amend before its end"
[ $fail -eq 0 ] && ok "$KILLS kills of corridor amend: the rules old or new, never half; verified"
exit $fail
