#!/usr/bin/env bash
# Usage: tests/postgres/reconnect.sh PASSAGE (under tests/pg.sh)
# A server outlives its connections to PostgreSQL: every connection of
# the server is ended from the database's side (as a restart or a
# failover of the database ends them) between posts and again while one
# is under way, and the server answers each post 200 (the writer makes
# the group again on a new connection), each read 200, with every record
# stored once and the store verified.
set -uo pipefail
PASSAGE=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
[ -n "${PASSAGE_TEST_DB:-}" ] && [ -n "${PASSAGE_TEST_PG_URL:-}" ] ||
  { echo "skipped: no PostgreSQL"; exit 77; }
WORK=$(mktemp -d)
trap 'stop_server >/dev/null 2>&1; rm -rf "$WORK"' EXIT
. "$here/../http/lib.sh"
fail() { echo "FAIL: $*"; exit 1; }
# Its own application name: the cut ends this server's connections, not
# those of the tests running beside it on the same cluster.
app=passage_reconnect_$$
db="$(store_location reconnect)&application_name=$app"
setup_store "$db" || exit 1
start_server "$db" --quiet || exit 1
token=$(cat "$WORK/token.monitor")

# Ends every connection the server holds to the store.
cut_off() {
  psql -X -q -At "$PASSAGE_TEST_PG_URL" -c "SELECT count(pg_terminate_backend(pid))
    FROM pg_stat_activity WHERE application_name = '$app' AND pid <> pg_backend_pid()" >/dev/null
}
post() { # first, n: n records with ids r-first..
  local i sep=
  { printf '{"records": ['
    for i in $(seq "$1" $(($1 + $2 - 1))); do
      printf '%s{"kind":"flow","id":"r-%s","checkpoint":"a","direction":"in","start":"2023-01-02","vehicles":1}' "$sep" "$i"
      sep=,
    done
    printf ']}'; } >"$WORK/batch"
  curl -s -o "$WORK/answer" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data-binary "@$WORK/batch" "$BASE/api/v1/records"
}

[ "$(post 0 10)" = 200 ] || fail "the first post"
cut_off
[ "$(post 10 10)" = 200 ] || { cat "$WORK/answer"; fail "a post after the connections were cut"; }
cut_off
[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/status")" = 200 ] ||
  fail "a read after the connections were cut"
# Cut while posts are under way: each must still be answered 200.
for k in 1 2 3 4 5; do
  post $((1000 * k)) 200 >"$WORK/code.$k" &
  poster=$!
  sleep 0.0$k
  cut_off
  wait "$poster" # not a bare wait: the server is a child of this shell too
  [ "$(cat "$WORK/code.$k")" = 200 ] || { cat "$WORK/answer"; fail "post $k, cut under way"; }
done
size=$(curl -s "$BASE/healthz")
[ "$size" = '{"status":"ok","tree_size":1023}' ] || fail "healthz: $size, expected 1023 (3 + 20 + 5 x 200: init's rules and 2 checkpoints, then the posts)"
stop_server || fail "the server did not stop"
"$PASSAGE" --db "$db" verify >/dev/null || fail "verify"
n=$("$PASSAGE" --db "$db" export flow --format jsonl | grep -o '"id":"r-[0-9]*"' | sort -u | wc -l)
[ "$n" = 1020 ] || fail "$n distinct records, expected 1020"
echo "ok: connections cut 7 times, every post and read answered, 1,020 records once each, verified"
