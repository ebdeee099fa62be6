#!/usr/bin/env bash
# Usage: tests/reliability/crash-database.sh PASSAGE [KILLS]   (under tests/pg.sh)
# Issue 15, item 1, the database's half: PostgreSQL itself killed under a
# running passage serve. The test runs on a cluster of its own (it kills
# it: the one make check shares is left alone), made by
# scripts/with-postgres as make check's is: fsync and synchronous_commit
# off on the server. fsync matters only when the machine dies; a commit
# with synchronous_commit off is answered before it is in the WAL, and
# lost when PostgreSQL is killed: Passage raises it to on in its own
# sessions (src/store/postgres/conn.c), and this test is what shows it
# (before, 100 of 37,440 acknowledged records were lost). PG_DURABLE=1
# runs it on a durable cluster instead. Two clients (poster.mjs) post
# batches of 20 flows without pause; KILLS times (3 in make check, 20 in make torture) the
# postmaster and every backend get SIGKILL at a random moment (0.2 to
# 1.5 s after an answer), and while the database is down:
# - a batch posted is answered 503 (the store is unavailable: try again),
#   and /healthz is not "ok";
# then the cluster is started again on the same data folder (it recovers
# from its WAL) 0.5 to 2 s later, and, with the same passage server
# (never restarted):
# - the clients' batches are answered 200 again within 30 s;
# - every id acknowledged before the kill is stored, none twice, and
#   passage verify passes.
# At the end the store holds exactly the acknowledged ids (and the probes
# answered 200), each once, and the log's size is 3 + their count.
set -uo pipefail
PASSAGE=$(realpath "$1")
KILLS=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
[ -n "${PASSAGE_TEST_PG:-}" ] ||
  { echo "skipped: no PostgreSQL cluster (run it under tests/pg.sh in scripts/with-postgres)"; exit 77; }
command -v node >/dev/null || { echo "skipped: no node"; exit 77; }
if [ -z "${CRASH_DATABASE_OWN:-}" ]; then
  CRASH_DATABASE_OWN=1 PG_SHARED_BUFFERS=32MB \
    exec "$here/../../scripts/with-postgres" "$0" "$@"
fi
export PASSAGE_TEST_DB=$PASSAGE_TEST_PG
WORK=$(mktemp -d)
poster=
trap '[ -n "$poster" ] && kill -KILL $poster 2>/dev/null; [ -n "$server_pid" ] && kill -KILL $server_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
. "$here/lib.sh"
echo "seed $SEED, $KILLS kills of the database"
db=$(store_location t)
setup_store "$db" || exit 1
start_server "$db" --quiet || exit 1
echo "$BASE" >"$WORK/base"
pid0=$server_pid
token=$(cat "$WORK/token.monitor")
: >"$WORK/acked" >"$WORK/probes"
node "$here/poster.mjs" "$WORK/base" "$WORK/token.monitor" "$WORK/acked" 2 20 \
  >"$WORK/poster.out" 2>"$WORK/poster.err" &
poster=$!
wait_ack() { # wait_ack N SECONDS: until acked has more than N lines
  for _ in $(seq 1 $(($2 * 20))); do
    [ "$(wc -l <"$WORK/acked")" -gt "$1" ] && return 0
    sleep 0.05
  done
  return 1
}
probe() { # probe ID: posts one flow, prints the status
  curl -s -m 30 -o "$WORK/probe.out" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data-binary "{\"records\":[{\"kind\":\"flow\",\"id\":\"$1\",\"checkpoint\":\"a\",\"direction\":\"in\",\"start\":\"2023-01-02\",\"vehicles\":1}]}" \
    "$BASE/api/v1/records"
}
statuses=
for k in $(seq 1 "$KILLS"); do
  wait_ack "$(wc -l <"$WORK/acked")" 10
  rand_sleep 200 1500
  $PASSAGE_TEST_PG_CTL kill || { bad "kill $k: the cluster did not die"; break; }
  sleep 0.3 # answers already received are written to acked
  cp "$WORK/acked" "$WORK/acked.$k"
  code=$(probe "down-$k")
  [ "$code" = 200 ] && echo "down-$k" >>"$WORK/probes"
  health=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$BASE/healthz")
  statuses="$statuses $code/$health"
  if [ "$code" != 503 ]; then
    bad "kill $k: a batch posted while the database is down: $code $(cat "$WORK/probe.out"), expected 503"
  fi
  [ "$health" != 200 ] || bad "kill $k: /healthz answered 200 while the database is down"
  # The database's host, port and user are the server's log's, not the
  # client's: the body says only that the store is unavailable.
  if grep -q -e "$PASSAGE_TEST_PG_PORT" -e 127.0.0.1 -e passage_server "$WORK/probe.out"; then
    bad "kill $k: the 503 tells the client about the database: $(cat "$WORK/probe.out")"
  fi
  rand_sleep 500 2000
  $PASSAGE_TEST_PG_CTL start || { bad "kill $k: the cluster did not start again"; break; }
  n=$(wc -l <"$WORK/acked")
  t0=$(date +%s%N)
  if ! wait_ack "$n" 30; then
    bad "kill $k: no batch answered 200 within 30 s of the restart"
    break
  fi
  back=$(( ($(date +%s%N) - t0) / 1000000 ))
  kill -0 $pid0 2>/dev/null || { bad "kill $k: the passage server died"; break; }
  # The clients wait while the store is read: else each check, longer
  # as the store grows, lets it grow more (the long form on PostgreSQL
  # reached 2.7 million records at its ninth kill).
  kill -STOP $poster
  check_acked "$db" "$WORK/acked.$k" "kill $k" &&
    verify_store "$db" "kill $k" &&
    ok "kill $k: while down, a post $code and /healthz $health; $back ms from the restart to the next answer 200; $(sort -u "$WORK/acked.$k" | wc -l) acknowledged records present once each, verified"
  kill -CONT $poster
done
kill -TERM $poster
wait $poster
rc=$?
poster=
echo "clients: $(cat "$WORK/poster.out")"
[ $rc -eq 0 ] || bad "the clients: exit $rc: $(head -3 "$WORK/poster.err")"
size=$(curl -s "$BASE/healthz")
stop_server || bad "SIGTERM"
sort -u "$WORK/acked" "$WORK/probes" >"$WORK/all"
check_acked "$db" "$WORK/all" "at the end"
acked=$(wc -l <"$WORK/all")
stored=$(wc -l <"$WORK/stored")
[ "$stored" -eq "$acked" ] || bad "$stored flows stored, $acked acknowledged"
[ "$size" = "{\"status\":\"ok\",\"tree_size\":$((acked + 3))}" ] ||
  bad "healthz: $size, expected tree_size $((acked + 3))"
verify_store "$db" "at the end"
[ $fail -eq 0 ] && ok "$KILLS kills of PostgreSQL under one server (while down: post/healthz$statuses), $acked records acknowledged, each stored once, verified"
exit $fail
