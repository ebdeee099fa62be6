#!/usr/bin/env bash
# Usage: tests/reliability/partition.sh PASSAGE [CUTS]   (under tests/pg.sh)
# Issue 15, item 6, the PostgreSQL half: two passage servers on one store,
# server B reaching the database through a TCP proxy on loopback
# (proxy.py), cut off from it mid-batch CUTS times (3 in make check, 20 in
# make torture) while two clients post to each server (poster.mjs, ids
# a<c>-.. and b<c>-..). The cuts alternate:
# - odd cuts reset: every connection of B's closed with a reset, and its
#   new ones refused, for 1 to 3 s (a partition that ends connections);
# - even cuts drop: nothing relayed either way for 1 to 3 s, then relayed
#   again (a partition that TCP rides out: what was sent arrives late).
# After each cut is healed, B answers 200 again within 30 s, every id
# acknowledged by either server so far is stored exactly once and
# passage verify passes; the clients of A are counted during the cut
# (A must go on acknowledging during a reset; a drop may hold the log's
# head lock that B took, until it heals or PostgreSQL ends B's idle
# transaction); then one drop of LONG (8) s, in whose second half A must
# acknowledge again. At the end: both servers' log
# is of size 3 + the ids acknowledged, each stored once, and the log
# (the checkpoint as B serves it, every entry) satisfies the independent
# verifier tests/ledger/verifier.mjs: no gap, no entry twice, its root.
set -uo pipefail
PASSAGE=$(realpath "$1")
CUTS=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
[ -n "${PASSAGE_TEST_DB:-}" ] && [ -n "${PASSAGE_TEST_PG_PORT:-}" ] ||
  { echo "skipped: no PostgreSQL cluster (run it under tests/pg.sh in scripts/with-postgres)"; exit 77; }
command -v node >/dev/null || { echo "skipped: no node"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
WORK=$(mktemp -d)
proxy= pa= pb= pid_a= pid_b=
cleanup() {
  for p in $pa $pb; do kill -KILL $p 2>/dev/null; done
  for p in $pid_a $pid_b $proxy; do kill -KILL $p 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
. "$here/lib.sh"
echo "seed $SEED, $CUTS cuts of server B from the database"
db=$(store_location t)
setup_store "$db" || exit 1
python3 "$here/proxy.py" "$WORK/proxy.port" 127.0.0.1 "$PASSAGE_TEST_PG_PORT" &
proxy=$!
for _ in $(seq 1 100); do [ -s "$WORK/proxy.port" ] && break; sleep 0.05; done
pport=$(cat "$WORK/proxy.port")
# B's sessions end when idle inside a transaction for 2 s
# (idle_in_transaction_session_timeout, as docs/RELIABILITY.md advises
# for several servers): a transaction of B's cut off mid-way then lets go
# of the log's head instead of holding every server's writes until the
# network heals (the long drop below).
db_b=${db/127.0.0.1:$PASSAGE_TEST_PG_PORT\//127.0.0.1:$pport/}%20-cidle_in_transaction_session_timeout%3D2000
[ "$db_b" != "$db" ] && [[ $db == *options=* ]] ||
  { bad "cannot route $db through the proxy"; exit 1; }
cp "$(key_of "$db")" "$(key_of "$db_b")"
start_server "$db" --quiet || exit 1
pid_a=$server_pid base_a=$BASE
start_server "$db_b" --quiet || exit 1
pid_b=$server_pid base_b=$BASE
echo "$base_a" >"$WORK/base.a"
echo "$base_b" >"$WORK/base.b"
: >"$WORK/acked.a" >"$WORK/acked.b"
node "$here/poster.mjs" "$WORK/base.a" "$WORK/token.monitor" "$WORK/acked.a" 2 20 a \
  >"$WORK/pa.out" 2>"$WORK/pa.err" &
pa=$!
node "$here/poster.mjs" "$WORK/base.b" "$WORK/token.monitor" "$WORK/acked.b" 2 20 b \
  >"$WORK/pb.out" 2>"$WORK/pb.err" &
pb=$!
lines() { wc -l <"$1"; }
wait_ack() { # wait_ack FILE N SECONDS: until FILE has more than N lines
  for _ in $(seq 1 $(($3 * 20))); do
    [ "$(lines "$1")" -gt "$2" ] && return 0
    sleep 0.05
  done
  return 1
}

for k in $(seq 1 "$CUTS"); do
  wait_ack "$WORK/acked.b" "$(lines "$WORK/acked.b")" 10 ||
    { bad "cut $k: server B acknowledged nothing for 10 s before the cut"; break; }
  rand_sleep 200 1500
  if [ $((k % 2)) = 1 ]; then mode=reset sig=HUP; else mode=drop sig=USR1; fi
  a0=$(lines "$WORK/acked.a") b0=$(lines "$WORK/acked.b")
  kill -$sig $proxy
  rand_sleep 1000 3000
  a1=$(lines "$WORK/acked.a") b1=$(lines "$WORK/acked.b")
  kill -USR2 $proxy
  t0=$(date +%s%N)
  wait_ack "$WORK/acked.b" "$b1" 30 ||
    { bad "cut $k ($mode): server B answered no batch within 30 s of the heal"; break; }
  back=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ $mode = drop ] || [ "$a1" -gt "$a0" ] ||
    bad "cut $k ($mode): server A acknowledged nothing while B was cut off"
  sort -u "$WORK/acked.a" "$WORK/acked.b" >"$WORK/acked.$k"
  # The clients wait while the store is read: else each check, longer
  # as the store grows, lets it grow more (the long form on PostgreSQL
  # reached 2.7 million records at its ninth kill).
  kill -STOP $pa $pb
  check_acked "$db" "$WORK/acked.$k" "cut $k" &&
    verify_store "$db" "cut $k" &&
    ok "cut $k ($mode): during it A acknowledged $((a1 - a0)) records, B $((b1 - b0)); B answered again $back ms after the heal; $(lines "$WORK/acked.$k") acknowledged records present once each, verified"
  kill -CONT $pa $pb
done

# A long drop (LONG seconds, 8; no heal before it ends): B's transaction
# is ended by PostgreSQL after 2 s idle, and A acknowledges again within
# the drop's second half.
if [ $fail -eq 0 ]; then
  LONG=${LONG:-8}
  kill -USR1 $proxy
  sleep $((LONG / 2))
  a0=$(lines "$WORK/acked.a") b0=$(lines "$WORK/acked.b")
  sleep $((LONG - LONG / 2))
  a1=$(lines "$WORK/acked.a") b1=$(lines "$WORK/acked.b")
  kill -USR2 $proxy
  [ "$a1" -gt "$a0" ] &&
    ok "a drop of $LONG s: in its second half A acknowledged $((a1 - a0)) records, B $((b1 - b0))" ||
    bad "a drop of $LONG s: A acknowledged nothing in its second half (B's transaction held the log's head)"
  wait_ack "$WORK/acked.b" "$(lines "$WORK/acked.b")" 30 ||
    bad "after the long drop: server B answered no batch within 30 s of the heal"
fi

kill -TERM $pa $pb
wait $pa; ra=$?
wait $pb; rb=$?
pa= pb=
echo "clients of A: $(cat "$WORK/pa.out")"
echo "clients of B: $(cat "$WORK/pb.out")"
[ $ra -eq 0 ] || bad "the clients of A: exit $ra: $(head -3 "$WORK/pa.err")"
[ $rb -eq 0 ] || bad "the clients of B: exit $rb: $(head -3 "$WORK/pb.err")"
sort -u "$WORK/acked.a" "$WORK/acked.b" >"$WORK/all"
n=$(lines "$WORK/all")
for base in "$base_a" "$base_b"; do
  h=$(curl -s "$base/healthz")
  [ "$h" = "{\"status\":\"ok\",\"tree_size\":$((n + 3))}" ] ||
    bad "$base/healthz: $h, expected tree_size $((n + 3))"
done
"$PASSAGE" --db "$db" key public --key "$(key_of "$db")" >"$WORK/log.vkey" || exit 1
curl -sf "$base_b/log/checkpoint" >"$WORK/cp.note" || bad "no checkpoint from B"
[ "$(sed -n 2p "$WORK/cp.note")" = $((n + 3)) ] || bad "B's checkpoint is not of size $((n + 3))"
"$PASSAGE" --db "$db" log entries --start 0 --end $((n + 3)) >"$WORK/entries.jsonl" || bad "passage log entries"
node "$here/../ledger/verifier.mjs" "$WORK/log.vkey" "$WORK/cp.note" \
  "$WORK/entries.jsonl" >"$WORK/verifier.out" ||
  bad "the independent verifier refuses the log: $(cat "$WORK/verifier.out")"
server_pid=$pid_a; stop_server || bad "A did not stop"
server_pid=$pid_b; stop_server || bad "B did not stop"
pid_a= pid_b=
check_acked "$db" "$WORK/all" "at the end"
[ "$(lines "$WORK/stored")" -eq "$n" ] || bad "$(lines "$WORK/stored") flows stored, $n acknowledged"
verify_store "$db" "at the end"
[ $fail -eq 0 ] && ok "$CUTS cuts of B from the database: $n records acknowledged by A or B, each stored once in a log of $((n + 3)) entries without a gap, verified (and by tests/ledger/verifier.mjs)"
exit $fail
