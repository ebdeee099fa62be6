#!/usr/bin/env bash
# Usage: tests/http/burst.sh PASSAGE
# A burst from several clients at once, each batch sent twice (a retry
# after a lost answer) and some ids sent by two clients: no record may be
# lost or doubled. 8 clients x 25 batches of 20 records, ids c<client>-<n>,
# plus the same 20 shared ids (s-0..s-19, the same bytes) from every
# client: 8 x 25 x 20 = 4,000 own records and 20 shared = 4,020 entries
# beside the 2 checkpoints, so the log's size must be 4,022. Then every id
# must be stored exactly once, `passage verify` must pass, and SIGTERM
# must stop the server with status 0.
set -uo pipefail
PASSAGE=$(realpath "$1")
WORK=$(mktemp -d)
trap 'stop_server >/dev/null 2>&1; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
db=$(store_location t)
setup_store "$db" || exit 1
start_server "$db" --quiet || exit 1
token=$(cat "$WORK/token.monitor")

batch() { # client n
  local c=$1 n=$2 i sep=
  printf '{"records": ['
  for i in $(seq 0 19); do
    printf '%s{"kind":"flow","id":"c%s-%s-%s","checkpoint":"a","direction":"in","start":"2023-01-02","persons":%s}' \
      "$sep" "$c" "$n" "$i" "$i"
    sep=,
  done
  for i in $(seq 0 19); do
    printf ',{"kind":"flow","id":"s-%s","checkpoint":"b","direction":"out","start":"2023-01-03","vehicles":1}' "$i"
  done
  printf ']}'
}

client() { # c
  local c=$1 n code
  for n in $(seq 1 25); do
    batch "$c" "$n" >"$WORK/b.$c"
    for try in 1 2; do
      code=$(curl -s -o "$WORK/r.$c.$n.$try" -w '%{http_code}' -X POST \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        --data-binary "@$WORK/b.$c" "$BASE/api/v1/records")
      [ "$code" = 200 ] || { echo "client $c batch $n: $code"; return 1; }
    done
  done
}

pids=()
for c in $(seq 1 8); do client "$c" & pids+=($!); done
fail=0
for p in "${pids[@]}"; do wait "$p" || fail=1; done
[ $fail -eq 0 ] || exit 1
size=$(curl -s "$BASE/healthz")
[ "$size" = '{"status":"ok","tree_size":4023}' ] ||
  { echo "healthz: $size, expected tree_size 4023"; exit 1; }
stop_server || exit 1
"$PASSAGE" --db "$db" export flow --format jsonl >"$WORK/all"
total=$(wc -l <"$WORK/all")
unique=$(grep -o '"id":"[^"]*"' "$WORK/all" | sort -u | wc -l)
[ "$total" = 4020 ] && [ "$unique" = 4020 ] ||
  { echo "flows stored: $total, distinct ids: $unique, expected 4020"; exit 1; }
# Every retry got the receipt of the first try.
for c in $(seq 1 8); do for n in $(seq 1 25); do
  a=$(grep -o '"receipts".*' "$WORK/r.$c.$n.1")
  b=$(grep -o '"receipts".*' "$WORK/r.$c.$n.2")
  [ "$a" = "$b" ] || { echo "client $c batch $n: the retry's receipts differ"; exit 1; }
done; done
"$PASSAGE" --db "$db" verify >/dev/null || { echo "verify failed"; exit 1; }
echo "ok: 8 clients, 400 posts, 4,020 records stored once each, verified"
