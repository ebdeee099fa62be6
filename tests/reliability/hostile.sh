#!/usr/bin/env bash
# Usage: tests/reliability/hostile.sh PASSAGE
# Issue 15, item 4: the table of hostile HTTP requests (hostile.mjs, which
# says what each must get) against a server with --timeout 2 and a web
# folder of its own; then SIGTERM must stop it with status 0 and the store
# must verify with the entries it had (7: the corridor's rules, its 2
# checkpoints and 4 flows posted before the table; a POST of records adds
# no import entry).
set -uo pipefail
PASSAGE=$(realpath "$1")
command -v node >/dev/null || { echo "skipped: no node"; exit 77; }
WORK=$(mktemp -d)
trap 'stop_server >/dev/null 2>&1; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
db=$(store_location t)
setup_store "$db" || exit 1
mkdir -p "$WORK/web/assets"
echo '<!doctype html><title>t</title>' >"$WORK/web/index.html"
echo 'x' >"$WORK/web/assets/a.js"
start_server "$db" --quiet --timeout 2 --web "$WORK/web" || exit 1
code=$(curl -s -o "$WORK/out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $(cat "$WORK/token.monitor")" \
  --data-binary '{"records": [{"kind": "flow", "id": "h-1", "checkpoint": "a", "direction": "in", "start": "2023-01-02", "persons": 3}, {"kind": "flow", "id": "h-2", "checkpoint": "b", "direction": "out", "start": "2023-01-02", "vehicles": 2}, {"kind": "flow", "id": "h-3", "checkpoint": "a", "direction": "in", "start": "2023-01-03", "persons": 40}, {"kind": "flow", "id": "h-4", "checkpoint": "b", "direction": "in", "start": "2023-01-03", "vehicles": 5}]}' \
  "$BASE/api/v1/records")
[ "$code" = 200 ] || { echo "the 4 flows: $code $(cat "$WORK/out")"; exit 1; }
node "$here/hostile.mjs" "$BASE" "$WORK" "$here/../../docs/openapi.yaml" || fail=1
stop_server || bad "SIGTERM after the table"
verify_store "$db" "after the table" && grep -q '^ok: 7 entries' "$WORK/verify.out" &&
  ok "the store verifies with its 7 entries" || bad "$(cat "$WORK/verify.out")"
exit $fail
