#!/usr/bin/env bash
# Usage: tests/http/events.sh PASSAGE
# The event stream: on connect, the head as it is (tree_size 3: the
# corridor's rules and the two checkpoints); after a post that adds one
# record, the new head (4), its
# root the one /log/checkpoint signs. A stream open at SIGTERM does not
# keep the server from stopping.
set -uo pipefail
PASSAGE=$(realpath "$1")
WORK=$(mktemp -d)
trap 'stop_server >/dev/null 2>&1; kill $curl_pid 2>/dev/null; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
db=$(store_location t)
setup_store "$db" || exit 1
start_server "$db" --quiet || exit 1
curl -s -N "$BASE/api/v1/events/stream" >"$WORK/stream" &
curl_pid=$!
sleep 0.5
curl -s -o /dev/null -X POST -H "Authorization: Bearer $(cat "$WORK/token.monitor")" \
  -H 'Content-Type: application/json' "$BASE/api/v1/records" \
  -d '{"records":[{"kind":"flow","id":"ev-1","checkpoint":"a","direction":"in","start":"2023-01-02"}]}'
for _ in $(seq 1 40); do grep -q 'tree_size":4' "$WORK/stream" && break; sleep 0.1; done
root=$(curl -s "$BASE/log/checkpoint" | sed -n 3p)
fail=0
first=$(sed -n 1,2p "$WORK/stream")
case $first in
  $'event: tree\ndata: {"tree_size":3,"root":"'*'"}') ;;
  *) echo "first event: $first"; fail=1;;
esac
grep -qxF "data: {\"tree_size\":4,\"root\":\"$root\"}" "$WORK/stream" ||
  { echo "no event for tree_size 4 with root $root:"; cat "$WORK/stream"; fail=1; }
grep -q 'Content-Type: text/event-stream' <(curl -s -D - -o /dev/null -m 1 "$BASE/api/v1/events/stream") ||
  { echo "no text/event-stream"; fail=1; }
stop_server || fail=1
wait $curl_pid 2>/dev/null
[ $fail -eq 0 ] && echo "ok: the stream announces each new head"
exit $fail
