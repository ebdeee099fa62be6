#!/usr/bin/env bash
# Usage: tests/reliability/crash-serve.sh PASSAGE [KILLS]
# Issue 15, item 1: passage serve killed with SIGKILL under concurrent
# batches loses no acknowledged record and doubles none. Four clients
# (poster.mjs) post batches of 20 flows without pause; KILLS times (3 in
# make check, 20 in make torture) the server is killed at a random moment
# (0.2 to 1.5 s after it answered its first request), started again on
# the same store, and then:
# - every id acknowledged before the kill is stored, and no id twice;
# - passage verify passes.
# The clients send each batch whose answer was lost again until it is
# answered (the first try may have been stored: then duplicates). At the
# end every batch sent was answered, so the store holds exactly the
# acknowledged ids, each once, and the log's size is 3 (the corridor's
# rules and its 2 checkpoints) plus their count.
set -uo pipefail
PASSAGE=$(realpath "$1")
KILLS=${2:-3}
command -v node >/dev/null || { echo "skipped: no node"; exit 77; }
WORK=$(mktemp -d)
poster=
trap '[ -n "$poster" ] && kill $poster 2>/dev/null; [ -n "$server_pid" ] && kill -KILL $server_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
echo "seed $SEED, $KILLS kills"
# The clients read the address before each try: written whole, by rename.
set_base() { echo "$BASE" >"$WORK/base.new" && mv "$WORK/base.new" "$WORK/base"; }
db=$(store_location t)
setup_store "$db" || exit 1
start_server "$db" --quiet || exit 1
set_base
: >"$WORK/acked"
node "$here/poster.mjs" "$WORK/base" "$WORK/token.monitor" "$WORK/acked" 4 20 \
  >"$WORK/poster.out" 2>"$WORK/poster.err" &
poster=$!

for k in $(seq 1 "$KILLS"); do
  # Killed while it works: wait for the first acknowledgement of this run.
  before=$(wc -l <"$WORK/acked")
  for _ in $(seq 1 200); do
    [ "$(wc -l <"$WORK/acked")" -gt "$before" ] && break
    sleep 0.05
  done
  rand_sleep 200 1500
  kill -KILL $server_pid
  wait $server_pid 2>/dev/null
  server_pid=
  sleep 0.2 # answers already received are written to acked
  cp "$WORK/acked" "$WORK/acked.$k"
  start_server "$db" --quiet || { bad "restart $k"; break; }
  set_base
  # The clients wait while the store is read: else each check, longer
  # as the store grows, lets it grow more (the long form on PostgreSQL
  # reached 2.7 million records at its ninth kill).
  kill -STOP $poster
  check_acked "$db" "$WORK/acked.$k" "kill $k" &&
    verify_store "$db" "kill $k" &&
    ok "kill $k: $(sort -u "$WORK/acked.$k" | wc -l) acknowledged records present once each, verified"
  kill -CONT $poster
done

kill -TERM $poster
wait $poster
rc=$?
poster=
[ $rc -eq 0 ] || bad "the clients: exit $rc: $(cat "$WORK/poster.err")"
stats=$(cat "$WORK/poster.out")
echo "clients: $stats"
size=$(curl -s "$BASE/healthz")
stop_server || bad "SIGTERM"
check_acked "$db" "$WORK/acked" "at the end"
acked=$(sort -u "$WORK/acked" | wc -l)
stored=$(wc -l <"$WORK/stored")
[ "$stored" -eq "$acked" ] || bad "$stored flows stored, $acked acknowledged"
[ "$size" = "{\"status\":\"ok\",\"tree_size\":$((acked + 3))}" ] ||
  bad "healthz: $size, expected tree_size $((acked + 3))"
verify_store "$db" "at the end"
[ $fail -eq 0 ] && ok "$KILLS kills, $acked records acknowledged, each stored once, verified"
exit $fail
