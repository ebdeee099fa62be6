#!/usr/bin/env bash
# Usage: tests/reliability/access.sh PASSAGE
# Issue 15, item 5: the access matrix (access.mjs: every route of
# docs/openapi.yaml x every principal, the log's size after each request,
# no person count below min_public_count to the public), then what lies
# outside the server:
# - tokens are stored only as hashes: no token's text is anywhere in the
#   store's file or its WAL, nor in sqlite3's dump of it, and the token
#   table holds 32-byte SHA-256 values (each token's own, recomputed here);
# - the signing key file made by passage key generate is mode 0600, even
#   under umask 000.
set -uo pipefail
PASSAGE=$(realpath "$1")
command -v node >/dev/null || { echo "skipped: no node"; exit 77; }
WORK=$(mktemp -d)
trap 'stop_server >/dev/null 2>&1; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
db=$(store_location t)
setup_store "$db" || exit 1
start_server "$db" --quiet || exit 1
# Persons 3 (under min_public_count 10) and 40, and an event.
code=$(curl -s -o "$WORK/out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $(cat "$WORK/token.monitor")" \
  --data-binary '{"records": [{"kind": "flow", "id": "few", "checkpoint": "a", "direction": "in", "start": "2023-01-02", "persons": 3}, {"kind": "flow", "id": "many", "checkpoint": "a", "direction": "in", "start": "2023-01-03", "persons": 40}, {"record": "event", "id": "ev-1", "kind": "incident", "at": "2023-01-02", "place": "Alpha", "summary": "a note"}]}' \
  "$BASE/api/v1/records")
[ "$code" = 200 ] || { echo "the records: $code $(cat "$WORK/out")"; exit 1; }
node "$here/access.mjs" "$BASE" "$WORK" "$here/../../docs/openapi.yaml" | tee "$WORK/matrix" |
  grep -v '^ok: .*(a route this table' || true
grep -q '^FAIL' "$WORK/matrix" && fail=1
stop_server || bad "SIGTERM"

# Tokens only as hashes.
sqlite3 "$db" .dump >"$WORK/dump"
leaked=0
for t in "$WORK"/token.*; do
  text=$(cat "$t")
  grep -qF "$text" "$WORK/dump" && leaked=1
  for f in "$db" "$db-wal"; do
    [ -f "$f" ] && grep -qaF "$text" "$f" && leaked=1
  done
  h=$(printf '%s' "$text" | sha256sum | cut -d' ' -f1)
  [ "$(sqlite3 "$db" "SELECT count(*) FROM token WHERE lower(hex(hash)) = '$h' AND length(hash) = 32")" = 1 ] ||
    { bad "token ${t##*.}: no row holds its SHA-256"; }
done
[ $leaked -eq 0 ] && ok "no token's text in the store (file, WAL, dump); each token's SHA-256 is" ||
  bad "a token's text is in the store"

# The key file, even under umask 000.
(umask 000 && "$PASSAGE" --db "$db" key generate --key "$WORK/new.key" >/dev/null) ||
  bad "key generate"
[ "$(stat -c %a "$WORK/new.key")" = 600 ] && ok "a new key file is 0600 under umask 000" ||
  bad "the key file is $(stat -c %a "$WORK/new.key")"
exit $fail
