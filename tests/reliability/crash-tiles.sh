#!/usr/bin/env bash
# Usage: tests/reliability/crash-tiles.sh PASSAGE [KILLS] [ROWS]
# Issue 15, item 1: passage log tiles killed with SIGKILL never publishes a
# checkpoint before its tiles. KILLS times (3 in make check, 20 in make
# torture) ROWS more flows (30,000) are imported, the tree is published
# into one folder with log tiles, and log tiles is killed at a random
# moment within the time a whole run took the round before. Then:
# - the folder's checkpoint (if there is one yet) passes verify --tiles:
#   every tile and entry bundle it needs is there and its root is theirs,
#   and its size is the size published before or the new one;
# - log tiles run again to its end publishes the new size, which passes
#   verify --tiles, and so does the store.
set -uo pipefail
PASSAGE=$(realpath "$1")
KILLS=${2:-3}
ROWS=${3:-30000}
WORK=$(mktemp -d)
job=
trap '[ -n "$job" ] && kill -KILL $job 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
echo "seed $SEED, $KILLS kills, $ROWS rows a round"
db=$(store_location t)
setup_store "$db" || exit 1
"$PASSAGE" --db "$db" key public >"$WORK/log.vkey" || exit 1
pub=$WORK/pub
published=0
span=300
mid=0
held() { # the size verify --tiles finds in pub (0: none, -1: it failed)
  [ -f "$pub/checkpoint" ] || { echo 0; return; }
  "$PASSAGE" verify --tiles "$pub" --key "$WORK/log.vkey" >"$WORK/vt" 2>&1 ||
    { echo -1; return; }
  sed -n 's/^ok: .*, the tree of \([0-9]*\) entries.*/\1/p' "$WORK/vt"
}
for k in $(seq 1 "$KILLS"); do
  seq 1 "$ROWS" | awk -v k="$k" 'BEGIN { print "id,start,checkpoint,direction,vehicles" }
    { printf "t%d-%d,2023-01-02,a,in,%d\n", k, $1, $1 % 40 }' >"$WORK/f.csv"
  "$PASSAGE" --db "$db" import flow "$WORK/f.csv" >/dev/null || exit 1
  # The rules, the 2 checkpoints, and each round its flows and its import
  # entry.
  size=$((3 + k * (ROWS + 1)))
  "$PASSAGE" --db "$db" log tiles --out "$pub" >/dev/null 2>&1 &
  job=$!
  rand_sleep 0 "$span"
  kill -KILL $job 2>/dev/null
  { wait $job; } 2>/dev/null
  rc=$?
  job=
  [ $rc -eq 137 ] && mid=$((mid + 1))
  h=$(held)
  if [ "$h" = "$published" ] || [ "$h" = "$size" ]; then
    ok "kill $k (exit $rc): the folder holds the tree of $h, which verifies"
  else
    bad "kill $k (exit $rc): the folder's checkpoint: $h (published $published, now $size): $(cat "$WORK/vt")"
  fi
  t0=$(date +%s%N)
  "$PASSAGE" --db "$db" log tiles --out "$pub" >"$WORK/tiles.out" 2>&1 ||
    bad "kill $k: log tiles again: $(cat "$WORK/tiles.out")"
  span=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ "$(held)" = "$size" ] && ok "kill $k: log tiles again publishes $size" ||
    bad "kill $k: after log tiles again: $(cat "$WORK/vt")"
  published=$size
done
verify_store "$db" "at the end"
echo "$mid of $KILLS kills hit log tiles before its end"
[ $fail -eq 0 ] && ok "$KILLS kills of log tiles: no checkpoint before its tiles"
exit $fail
