#!/usr/bin/env bash
# Usage: tests/http/tiles.sh PASSAGE
# The log as C2SP tiles over HTTP (issue 12 item 1): every file `passage
# log tiles --out DIR` writes is served under the same path with the same
# bytes; the headers (types, caching, gzip of entry bundles); who may read
# entry bundles (they carry the raw records: issue 11 item 4); the 404s.
set -uo pipefail
PASSAGE=$(realpath "$1")
WORK=$(mktemp -d)
trap 'stop_server >/dev/null 2>&1; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }

# The stores: files in $WORK, or on the backend PASSAGE_TEST_DB names.
db=$(store_location t)
pdb=$(store_location p)
rdb=$(store_location r)
setup_store "$db" || exit 1
# A long interval: this test signs with `log tiles` itself, and the
# server's own first checkpoint (of the tree of 2) must not be taken for
# the one compared.
start_server "$db" --quiet --sign-interval 3600 || exit 1
party="Authorization: Bearer $(cat "$WORK/token.party")"

# 599 flows in one batch: the tree of 3 (the rules, two checkpoints) + 599
# = 602 entries.
python3 - >"$WORK/batch.json" <<'EOF'
import json
recs = [{"kind": "flow", "id": "t-%d" % i, "start": "2023-01-%02d" % (1 + i % 28),
         "checkpoint": "ab"[i % 2], "direction": "in", "vehicles": 1 + i % 7}
        for i in range(599)]
print(json.dumps({"records": recs}))
EOF
curl -s -o "$WORK/post" -w '%{http_code}' -H "Content-Type: application/json" \
  -H "Authorization: Bearer $(cat "$WORK/token.monitor")" \
  --data-binary "@$WORK/batch.json" "$BASE/api/v1/records" >"$WORK/code"
[ "$(cat "$WORK/code")" = 200 ] && grep -q '"tree_size":602' "$WORK/post" &&
  ok "599 records posted: 602 entries" || bad "post: $(cat "$WORK/code" "$WORK/post")"

# --key: beside a file the store's key is found as DB.key; a store on a
# server has no folder for it.
"$PASSAGE" --db "$db" log tiles --out "$WORK/m" --key "$(key_of "$db")" \
  >/dev/null 2>&1 ||
  bad "log tiles --out"
# By hand, for 602 leaves: level 0 has 602 / 256 = 2 full tiles and a
# partial one of 602 - 512 = 90 hashes; level 1 one partial tile of the 2
# full level-0 tiles (the partial one has no parent hash yet); the entry
# bundles follow level 0.
(cd "$WORK/m" && find . -type f | sed 's|^\./||' | sort) >"$WORK/files"
cat >"$WORK/want" <<'EOF'
checkpoint
tile/0/000
tile/0/001
tile/0/002.p/90
tile/1/000.p/2
tile/entries/000
tile/entries/001
tile/entries/002.p/90
EOF
cmp -s "$WORK/files" "$WORK/want" && ok "the mirror holds the 8 files worked out" ||
  bad "mirror files: $(diff "$WORK/want" "$WORK/files")"

# Each file, the same bytes over HTTP (bundles with a party's token).
while read -r f; do
  curl -s -H "$party" -o "$WORK/got" "$BASE/$f"
  cmp -s "$WORK/got" "$WORK/m/$f" && ok "GET /$f: the file's bytes" ||
    bad "GET /$f differs from the mirror's file"
done <"$WORK/want"
# Sizes by hand: a hash tile is 32 bytes a hash.
[ "$(stat -c %s "$WORK/m/tile/0/000")" = 8192 ] &&
  [ "$(stat -c %s "$WORK/m/tile/0/002.p/90")" = 2880 ] &&
  [ "$(stat -c %s "$WORK/m/tile/1/000.p/2")" = 64 ] &&
  ok "hash tiles of 256, 90 and 2 hashes: 8192, 2880, 64 bytes" ||
  bad "hash tile sizes"
grep -qx 602 "$WORK/m/checkpoint" && ok "the checkpoint is of 602 entries" ||
  bad "checkpoint: $(cat "$WORK/m/checkpoint")"

header() { # header PATH [CURL ARGS...]: the answer's headers
  local p=$1
  shift
  curl -s -o /dev/null -D - "$@" "$BASE$p" | tr -d '\r'
}
header /tile/0/000 | grep -qix 'cache-control: public, max-age=31536000, immutable' &&
  ok "a full tile is immutable, cached a year" || bad "full tile caching"
header /tile/0/000 | grep -qix 'content-type: application/octet-stream' &&
  ok "a tile is application/octet-stream" || bad "tile type"
header /tile/0/002.p/90 | grep -qix 'cache-control: public, max-age=60' &&
  ok "a partial tile is cached a minute" || bad "partial tile caching"
header /checkpoint | grep -qix 'cache-control: public, max-age=5' &&
  header /checkpoint | grep -qix 'content-type: text/plain; charset=utf-8' &&
  ok "the checkpoint: text/plain, cached 5 s" || bad "checkpoint headers"

# gzip for entry bundles when asked, the same bytes once unzipped.
header /tile/entries/000 -H "$party" -H 'Accept-Encoding: gzip' >"$WORK/h"
grep -qix 'content-encoding: gzip' "$WORK/h" && grep -qix 'vary: accept-encoding' "$WORK/h" &&
  ok "an entry bundle is gzipped for a client that accepts it" || bad "gzip: $(cat "$WORK/h")"
curl -s -H "$party" -H 'Accept-Encoding: gzip' "$BASE/tile/entries/000" | gunzip >"$WORK/gz"
cmp -s "$WORK/gz" "$WORK/m/tile/entries/000" && ok "gunzipped, the bundle's bytes" ||
  bad "gunzipped bundle differs"
header /tile/entries/000 -H "$party" -H 'Accept-Encoding: gzip;q=0, br' |
  grep -qi 'content-encoding' && bad "gzip sent though q=0" ||
  ok "no gzip for gzip;q=0"
header /tile/0/000 -H 'Accept-Encoding: gzip' | grep -qi 'content-encoding' &&
  bad "a hash tile gzipped" || ok "hash tiles are sent as they are"

status() { curl -s -o "$WORK/body" -w '%{http_code}' "$@"; }
# Who reads what: hash tiles and the checkpoint carry no count.
[ "$(status "$BASE/tile/0/000")" = 200 ] && [ "$(status "$BASE/checkpoint")" = 200 ] &&
  ok "hash tiles and the checkpoint are public" || bad "public hash tiles"
[ "$(status "$BASE/tile/entries/000")" = 401 ] && ok "a bundle without a token: 401" ||
  bad "public bundle: $(cat "$WORK/body")"
for role in monitor public; do
  [ "$(status -H "Authorization: Bearer $(cat "$WORK/token.$role")" "$BASE/tile/entries/000")" = 403 ] &&
    ok "a bundle for a $role token: 403" || bad "$role bundle: $(cat "$WORK/body")"
done
for role in party analyst admin; do
  [ "$(status -H "Authorization: Bearer $(cat "$WORK/token.$role")" "$BASE/tile/entries/000")" = 200 ] &&
    ok "a bundle for a $role token: 200" || bad "$role bundle: $(cat "$WORK/body")"
done

# A party checks the served log with its token (PASSAGE_TOKEN): the
# checkpoint of 602 entries, 3 bundles (256 + 256 + 90) and the hash tiles
# 0/000, 0/001, 0/002.p/90, 1/000.p/2 (4). Without a token, or with a
# monitor's, the first bundle is refused and verify says which token.
"$PASSAGE" --db "$db" key public --key "$(key_of "$db")" >"$WORK/log.vkey"
PASSAGE_TOKEN=$(cat "$WORK/token.party") "$PASSAGE" verify --tiles "$BASE" \
  --key "$WORK/log.vkey" >"$WORK/v" 2>&1 && grep -q 'the tree of 602 entries' "$WORK/v" &&
  grep -q '3 entry bundles and 4 hash tiles' "$WORK/v" &&
  ok "verify --tiles URL with a party's PASSAGE_TOKEN: 602 entries" || bad "verify: $(cat "$WORK/v")"
for t in none monitor; do
  tok=$([ $t = none ] || cat "$WORK/token.$t")
  PASSAGE_TOKEN=$tok "$PASSAGE" verify --tiles "$BASE" --key "$WORK/log.vkey" >"$WORK/v" 2>&1
  rc=$?
  [ $rc = 1 ] && grep -q 'tile/entries/000: HTTP 40[13]: .*a party.s: set PASSAGE_TOKEN' "$WORK/v" &&
    ok "verify --tiles URL with token $t: exit 1, names PASSAGE_TOKEN" || bad "verify ($t): $rc $(cat "$WORK/v")"
done
PASSAGE_TOKEN=$(cat "$WORK/token.party") "$PASSAGE" --db "$rdb" log replay \
  --tiles "$BASE" --key "$WORK/log.vkey" --corridor "$fixture/corridor.ini" >"$WORK/v" 2>&1 &&
  grep -q 'replayed the tree of 602 entries' "$WORK/v" &&
  ok "log replay --tiles URL with a party's PASSAGE_TOKEN" || bad "replay: $(cat "$WORK/v")"

# What names no tile of the tree.
for p in /tile/0/003 /tile/0/002.p/91 /tile/0/000.p/256 /tile/0/0 /tile/2/000.p/1 \
  /tile/entries/003 /tile/x /tile/0/x000/000; do
  [ "$(status -H "$party" "$BASE$p")" = 404 ] && ok "GET $p: 404" ||
    bad "GET $p: $(cat "$WORK/body")"
done
[ "$(status -X POST "$BASE/tile/0/000")" = 405 ] && ok "POST a tile: 405" || bad "POST tile"
stop_server || fail=1

# A corridor that publishes its log: bundles are public.
sed 's/^public = flows, events$/public = flows, events, log/' "$fixture/corridor.ini" \
  >"$WORK/pub.ini"
"$PASSAGE" --db "$pdb" init --corridor "$WORK/pub.ini" >/dev/null
cp "$fixture/test.key" "$(key_of "$pdb")"
chmod 600 "$(key_of "$pdb")"
start_server "$pdb" --quiet || exit 1
for _ in $(seq 50); do # the server signs its tree as it starts
  [ "$(status "$BASE/checkpoint")" = 200 ] && break
  sleep 0.1
done
[ "$(status "$BASE/tile/entries/000.p/2")" = 200 ] &&
  [ "$(status "$BASE/log/entries?start=0&end=2")" = 200 ] &&
  ok "[publish] public = ... log: bundles and entries without a token" ||
  bad "published log: $(cat "$WORK/body")"
stop_server || fail=1
[ $fail -eq 0 ] && echo "ok: tiles"
exit $fail
