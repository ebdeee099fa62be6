#!/usr/bin/env bash
# Usage: tests/http/access-log.sh PASSAGE
# The access log's line per request names the bytes of the answer sent:
# for the answers the writer makes (POST /api/v1/records, /imports) as
# for the others (they were logged as 0 bytes).
set -uo pipefail
PASSAGE=$(realpath "$1")
WORK=$(mktemp -d)
trap 'stop_server >/dev/null 2>&1; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
fail=0
db=$(store_location t) # a file, or on the backend PASSAGE_TEST_DB names
setup_store "$db" || exit 1
start_server "$db" || exit 1
auth="Authorization: Bearer $(cat "$WORK/token.monitor")"
n=0
# req WANT-STATUS CURL-ARGS...: the request, then its log line must give
# the status and the size curl received.
req() {
  local want=$1 got size line
  shift
  n=$((n + 1))
  read -r got size < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "$@")
  for _ in $(seq 50); do # the line is written once the answer is sent
    [ "$(grep -c '"method"' "$WORK/serve.log")" -ge $n ] && break
    sleep 0.05
  done
  line=$(grep '"method"' "$WORK/serve.log" | sed -n "${n}p")
  if [ "$got" != "$want" ] || [ "$size" = 0 ] ||
    ! grep -q "\"status\":$want,\"bytes\":$size," <<<"$line"; then
    echo "FAIL: $*: got $got, $size bytes; logged $line"
    fail=1
  else
    echo "ok: $want of $size bytes logged as such"
  fi
}
flow='{"records":[{"kind":"flow","id":"l-1","start":"2023-01-01","checkpoint":"a","direction":"in","vehicles":3}]}'
req 200 -H "$auth" -H 'Content-Type: application/json' --data "$flow" "$BASE/api/v1/records"
req 200 -H "$auth" -H 'Content-Type: application/json' --data "$flow" "$BASE/api/v1/records"
req 422 -H "$auth" -H 'Content-Type: application/json' \
  --data '{"records":[{"kind":"flow","id":"l-2","start":"2023-01-01","checkpoint":"a","direction":"up"}]}' \
  "$BASE/api/v1/records"
printf 'id,start,checkpoint,direction,vehicles\nl-3,2023-01-02,a,in,4\n' >"$WORK/f.csv"
req 200 -H "$auth" -H 'Content-Type: text/csv' --data-binary "@$WORK/f.csv" \
  "$BASE/api/v1/imports?kind=flow"
req 200 "$BASE/api/v1/status"
stop_server || fail=1
[ $fail -eq 0 ] && echo "ok: access-log"
exit $fail
