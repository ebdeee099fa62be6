#!/usr/bin/env bash
# Usage: tests/reliability/powercut.sh PASSAGE SHIM-DIR [CUTS] [ROWS]
# Issue 15, item 2: what was acknowledged survives a power cut, that is a
# SIGKILL after which every write not yet synced is dropped. The process
# under test runs with the power-cut shim (SHIM-DIR: libpowercut.so and
# powercut-rollback, tests/reliability/powercut/), which journals what each
# write, truncation and change of a name under the store's folder
# overwrote; a cut is SIGKILL then powercut-rollback, which undoes, newest
# first, whatever no later fsync (of the file, or of the folder for a name)
# covered. CUTS times each (3 in make check, 20 in make torture):
# - serve: four clients (poster.mjs) post batches of 20 flows; the power is
#   cut 0.2 to 1.5 s after the first answer; restarted, every id answered
#   200 before the cut is stored exactly once and passage verify passes;
#   at the end the log holds 3 (the rules and 2 checkpoints) + the ids;
# - import of ROWS flows (20,000), cut at a random moment up to twice
#   the time an import takes: none of the file or all of it (its rows and
#   its import entry), all of it when the import had exited 0 before the
#   cut; run again, it adds the rest;
# - log tiles into a folder beside the store, cut within twice its time:
#   the folder's checkpoint, if any, verifies with its tiles (none
#   published before its tiles are durable), at the size published
#   before or the new one, the new one when log tiles had exited 0;
# - init, cut within twice its time: the path holds nothing, or a whole
#   store of 3 entries (whole when init had exited 0) that verifies.
# Every check reads the store after the roll-back, without the shim.
set -uo pipefail
PASSAGE=$(realpath "$1")
SHIM=$(realpath "$2")
CUTS=${3:-3}
ROWS=${4:-20000}
command -v node >/dev/null || { echo "skipped: no node"; exit 77; }
WORK=$(mktemp -d)
poster= job=
trap '[ -n "$poster" ] && kill -KILL $poster 2>/dev/null; [ -n "$job" ] && kill -KILL $job 2>/dev/null; [ -n "$server_pid" ] && kill -KILL $server_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
echo "seed $SEED, $CUTS cuts each, $ROWS rows a file"
S=$WORK/store J=$WORK/journal
mkdir -p "$S" "$J"
real=$PASSAGE
# passage under the shim: the same process (exec), so that its pid is
# the one killed. ASan must accept a library loaded before its own.
cat >"$WORK/passage-cut" <<EOF
#!/bin/sh
POWERCUT_DIR=$S POWERCUT_JOURNAL=$J LD_PRELOAD=$SHIM/libpowercut.so \
ASAN_OPTIONS=\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}verify_asan_link_order=0 \
exec "$real" "\$@"
EOF
chmod +x "$WORK/passage-cut"
cut=$WORK/passage-cut
undone=$WORK/undone
# power_cut PID: SIGKILL, then every unsynced write dropped.
power_cut() {
  kill -KILL "$1" 2>/dev/null
  { wait "$1"; } 2>/dev/null
  local rc=$?
  "$SHIM/powercut-rollback" "$S" "$J" >>"$undone" || { bad "the roll-back failed"; exit 1; }
  return $rc
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# ---- serve ----
set_base() { echo "$BASE" >"$WORK/base.new" && mv "$WORK/base.new" "$WORK/base"; }
db=$S/t.db
setup_store "$db" || exit 1
PASSAGE=$cut start_server "$db" --quiet || exit 1
set_base
: >"$WORK/acked"
node "$here/poster.mjs" "$WORK/base" "$WORK/token.monitor" "$WORK/acked" 4 20 \
  >"$WORK/poster.out" 2>"$WORK/poster.err" &
poster=$!
for k in $(seq 1 "$CUTS"); do
  before=$(wc -l <"$WORK/acked")
  for _ in $(seq 1 200); do
    [ "$(wc -l <"$WORK/acked")" -gt "$before" ] && break
    sleep 0.05
  done
  rand_sleep 200 1500
  # The answers the clients have are written to acked before the cut's
  # roll-back (SIGKILL first: no answer after it).
  kill -KILL $server_pid
  sleep 0.2
  power_cut $server_pid
  server_pid=
  cp "$WORK/acked" "$WORK/acked.$k"
  check_acked "$db" "$WORK/acked.$k" "serve cut $k" &&
    verify_store "$db" "serve cut $k" &&
    ok "serve cut $k: $(sort -u "$WORK/acked.$k" | wc -l) acknowledged records present once each, verified ($(tail -1 "$undone"))"
  PASSAGE=$cut start_server "$db" --quiet || { bad "restart $k"; break; }
  set_base
done
kill -TERM $poster
wait $poster
rc=$?
poster=
[ $rc -eq 0 ] || bad "the clients: exit $rc: $(cat "$WORK/poster.err")"
echo "clients: $(cat "$WORK/poster.out")"
PASSAGE=$cut stop_server || bad "SIGTERM"
"$SHIM/powercut-rollback" "$S" "$J" >/dev/null # a clean stop syncs all it keeps
check_acked "$db" "$WORK/acked" "serve at the end"
acked=$(sort -u "$WORK/acked" | wc -l)
"$PASSAGE" --db "$db" verify >"$WORK/verify.out" 2>&1 &&
  grep -q "^ok: $((acked + 3)) entries" "$WORK/verify.out" &&
  ok "serve: $CUTS cuts, $acked records acknowledged, each stored once, the log $((acked + 3)) entries, verified" ||
  bad "serve at the end: $(cat "$WORK/verify.out"), expected $((acked + 3)) entries"

# ---- import ----
size() { sed -n 's/^ok: \([0-9]*\) entries.*/\1/p' "$WORK/verify.out"; }
"$PASSAGE" --db "$db" verify >"$WORK/verify.out" 2>&1
base=$(size)
span=$((ROWS / 100))
mid=0 after=0
for k in $(seq 1 "$CUTS"); do
  seq 1 "$ROWS" | awk -v k="$k" 'BEGIN { print "id,start,checkpoint,direction,vehicles" }
    { printf "c%d-%d,2023-01-0%d,%s,in,%d\n", k, $1, 1 + $1 % 7, ($1 % 2 ? "a" : "b"), $1 % 50 }' \
    >"$WORK/f.csv"
  "$cut" --db "$db" import flow "$WORK/f.csv" >"$WORK/import.out" 2>&1 &
  job=$!
  rand_sleep 10 $((2 * span))
  power_cut $job
  rc=$?
  job=
  [ $rc -eq 0 ] && after=$((after + 1)) || mid=$((mid + 1))
  verify_store "$db" "import cut $k" || continue
  grown=$(( $(size) - base ))
  if [ "$grown" -eq 0 ] && [ $rc -ne 0 ]; then n=0
  elif [ "$grown" -eq $((ROWS + 1)) ]; then n=$ROWS
  else
    bad "import cut $k (exit $rc): the log grew by $grown entries, not $([ $rc -eq 0 ] || echo '0 or ')$((ROWS + 1))"
    continue
  fi
  t0=$(date +%s%N)
  "$PASSAGE" --db "$db" import flow "$WORK/f.csv" >"$WORK/import.out" 2>&1 ||
    bad "import cut $k: the import again: $(cat "$WORK/import.out")"
  if [ "$n" -eq 0 ]; then
    want="$ROWS rows: $ROWS added, 0 already stored; recorded as import-$((base + ROWS)); log size $((base + ROWS + 1))"
  else
    want="$ROWS rows: 0 added, $ROWS already stored; log size $((base + ROWS + 1))"
  fi
  grep -qxF "$want" "$WORK/import.out" ||
    bad "import cut $k: the import again said '$(cat "$WORK/import.out")', not '$want'"
  [ "$n" -eq 0 ] && span=$(ms_since "$t0")
  ok "import cut $k (exit $rc): $n of $ROWS stored, then the rest ($(tail -1 "$undone"))"
  base=$((base + ROWS + 1))
done
echo "import: $mid cuts before the import's end, $after after it"

# ---- log tiles ----
"$PASSAGE" --db "$db" key public >"$WORK/log.vkey" || exit 1
pub=$S/pub
published=0 span=300 mid=0 after=0
held() { # the size verify --tiles finds in pub (0: none, -1: it failed)
  [ -f "$pub/checkpoint" ] || { echo 0; return; }
  "$PASSAGE" verify --tiles "$pub" --key "$WORK/log.vkey" >"$WORK/vt" 2>&1 ||
    { echo -1; return; }
  sed -n 's/^ok: .*, the tree of \([0-9]*\) entries.*/\1/p' "$WORK/vt"
}
for k in $(seq 1 "$CUTS"); do
  seq 1 2000 | awk -v k="$k" 'BEGIN { print "id,start,checkpoint,direction,vehicles" }
    { printf "t%d-%d,2023-01-02,a,in,%d\n", k, $1, $1 % 40 }' >"$WORK/t.csv"
  "$PASSAGE" --db "$db" import flow "$WORK/t.csv" >/dev/null || exit 1
  base=$((base + 2001))
  t0=$(date +%s%N)
  "$cut" --db "$db" log tiles --out "$pub" >/dev/null 2>&1 &
  job=$!
  rand_sleep 0 $((2 * span))
  power_cut $job
  rc=$?
  job=
  [ $rc -eq 0 ] && after=$((after + 1)) || mid=$((mid + 1))
  h=$(held)
  if { [ $rc -ne 0 ] && [ "$h" = "$published" ]; } || [ "$h" = "$base" ]; then
    ok "tiles cut $k (exit $rc): the folder holds the tree of $h, which verifies ($(tail -1 "$undone"))"
  else
    bad "tiles cut $k (exit $rc): the folder's checkpoint: $h (published $published, now $base): $(cat "$WORK/vt" 2>/dev/null)"
  fi
  t0=$(date +%s%N)
  "$PASSAGE" --db "$db" log tiles --out "$pub" >"$WORK/tiles.out" 2>&1 ||
    bad "tiles cut $k: log tiles again: $(cat "$WORK/tiles.out")"
  span=$(ms_since "$t0")
  [ "$(held)" = "$base" ] || bad "tiles cut $k: after log tiles again: $(cat "$WORK/vt")"
  published=$base
done
echo "tiles: $mid cuts before the end, $after after it"
verify_store "$db" "at the end"

# ---- init ----
t0=$(date +%s%N)
"$PASSAGE" --db "$S/probe.db" init --corridor "$fixture/corridor.ini" >/dev/null || exit 1
span=$(ms_since "$t0")
mid=0 after=0
for k in $(seq 1 "$CUTS"); do
  i=$S/i$k.db
  "$cut" --db "$i" init --corridor "$fixture/corridor.ini" >/dev/null 2>&1 &
  job=$!
  rand_sleep 0 $((2 * span))
  power_cut $job
  rc=$?
  job=
  [ $rc -eq 0 ] && after=$((after + 1)) || mid=$((mid + 1))
  if [ -e "$i" ]; then
    "$PASSAGE" --db "$i" verify >"$WORK/verify.out" 2>&1 && grep -q '^ok: 3 entries' "$WORK/verify.out" &&
      ok "init cut $k (exit $rc): a whole store of 3 entries, verified" ||
      bad "init cut $k (exit $rc): the store left: $(cat "$WORK/verify.out")"
  elif [ $rc -eq 0 ]; then
    bad "init cut $k: init had exited 0, and the cut left nothing at the path"
  else
    "$PASSAGE" --db "$i" init --corridor "$fixture/corridor.ini" >"$WORK/v" 2>&1 &&
      "$PASSAGE" --db "$i" verify >/dev/null 2>&1 &&
      ok "init cut $k (exit $rc): nothing at the path; init again made it" ||
      bad "init cut $k: init again: $(cat "$WORK/v")"
  fi
done
echo "init: $mid cuts before the end, $after after it"
[ $fail -eq 0 ] && ok "$CUTS power cuts each of serve, import, log tiles and init: nothing acknowledged lost"
exit $fail
