#!/usr/bin/env bash
# Usage: tests/http/caps.sh PASSAGE
# The caps that a declarative case cannot carry: a 64 KiB header (over the
# 32 KiB a request's headers may take), a body streamed without a length
# past --max-body, a connection that sends nothing (closed by --timeout),
# and /metrics counting what happened.
set -uo pipefail
PASSAGE=$(realpath "$1")
WORK=$(mktemp -d)
trap 'stop_server >/dev/null 2>&1; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
db=$(store_location t)
setup_store "$db" || exit 1
start_server "$db" --max-body 1000 --timeout 2 || exit 1
fail=0
big=$(head -c 65536 /dev/zero | tr '\0' x)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$BASE/healthz")
case $code in 413|431) ;; *) echo "64 KiB header: $code, expected 431 or 413"; fail=1;; esac
head -c 5000 /dev/zero | tr '\0' ' ' >"$WORK/big"
code=$(curl -s -o "$WORK/out" -w '%{http_code}' -X POST -H 'Transfer-Encoding: chunked' \
  -H "Authorization: Bearer $(cat "$WORK/token.monitor")" \
  -H 'Content-Type: application/json' --data-binary "@$WORK/big" "$BASE/api/v1/records")
[ "$code" = 413 ] || { echo "chunked body past the cap: $code"; cat "$WORK/out"; fail=1; }
# A client that opens a connection and says nothing is closed by the
# timeout (2 s here), not kept for ever.
start=$(date +%s)
exec 3<>"/dev/tcp/127.0.0.1/${BASE##*:}"
timeout 10 cat <&3 >/dev/null
took=$(( $(date +%s) - start ))
exec 3<&-
[ $took -le 6 ] || { echo "an idle connection lasted ${took}s"; fail=1; }
curl -s "$BASE/metrics" >"$WORK/metrics"
grep -q '^passage_http_requests_total{route="records_post",status="413"} 1$' "$WORK/metrics" ||
  { echo "metrics lack the 413:"; cat "$WORK/metrics"; fail=1; }
grep -q '^passage_tree_size 3$' "$WORK/metrics" || { echo "metrics: no tree size 3"; fail=1; }
grep -q '^passage_writer_queue_depth 0$' "$WORK/metrics" || { echo "metrics: no queue depth"; fail=1; }
grep -q 'passage_http_request_duration_seconds_bucket{route="records_post",le="+Inf"}' "$WORK/metrics" ||
  { echo "metrics: no histogram"; fail=1; }
stop_server || fail=1
[ $fail -eq 0 ] && echo "ok: header, body and time caps; metrics"
exit $fail
