#!/usr/bin/env bash
# Usage: tests/http/two-servers.sh PASSAGE
# Two `passage serve` processes on one store (on PostgreSQL under
# tests/pg.sh, on one SQLite file otherwise), fed at once by 8 clients as
# a load balancer would: each batch of 20 records goes to one server and
# its retry (as after a lost answer) to the other, and every batch also
# carries the same 20 shared ids (s-0..s-19, the same bytes), so both
# servers receive them again and again at the same moments. 8 x 25 x 20 =
# 4,000 own records and 20 shared = 4,020 entries beside init's 3 (the
# rules, entry 0, and 2 checkpoints): the log's size must be 4,023 on both
# servers, every id
# stored once, every retry answered with the first try's receipt
# (sequence number and leaf hash) whichever server answered it, `passage
# verify` must pass, and the log as the two servers serve it (the
# checkpoint signed by one, the entries and proofs from the other) must
# satisfy the independent verifier, tests/ledger/verifier.mjs.
set -uo pipefail
PASSAGE=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null; then
  echo "skipped: node is not installed (the verifier is JavaScript)"
  exit 77
fi
WORK=$(mktemp -d)
pid_a= pid_b=
stop_both() {
  server_pid=$pid_a; stop_server >/dev/null 2>&1
  server_pid=$pid_b; stop_server >/dev/null 2>&1
}
trap 'stop_both; rm -rf "$WORK"' EXIT
. "$here/lib.sh"
db=$(store_location t)
setup_store "$db" || exit 1
start_server "$db" --quiet || exit 1
pid_a=$server_pid base_a=$BASE
start_server "$db" --quiet || exit 1
pid_b=$server_pid base_b=$BASE
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

client() { # c: batch n to one server, its retry to the other
  local c=$1 n code try base
  for n in $(seq 1 25); do
    batch "$c" "$n" >"$WORK/b.$c"
    for try in 1 2; do
      if [ $(((c + n + try) % 2)) = 0 ]; then base=$base_a; else base=$base_b; fi
      code=$(curl -s -o "$WORK/r.$c.$n.$try" -w '%{http_code}' -X POST \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        --data-binary "@$WORK/b.$c" "$base/api/v1/records")
      [ "$code" = 200 ] || { echo "client $c batch $n try $try: $code"; cat "$WORK/r.$c.$n.$try"; return 1; }
    done
  done
}

pids=()
for c in $(seq 1 8); do client "$c" & pids+=($!); done
fail=0
for p in "${pids[@]}"; do wait "$p" || fail=1; done
[ $fail -eq 0 ] || exit 1
for base in "$base_a" "$base_b"; do
  size=$(curl -s "$base/healthz")
  [ "$size" = '{"status":"ok","tree_size":4023}' ] ||
    { echo "$base/healthz: $size, expected tree_size 4023"; exit 1; }
done
# Every retry got the receipts of the first try, from the other server.
for c in $(seq 1 8); do for n in $(seq 1 25); do
  a=$(grep -o '"receipts".*' "$WORK/r.$c.$n.1")
  b=$(grep -o '"receipts".*' "$WORK/r.$c.$n.2")
  [ -n "$a" ] && [ "$a" = "$b" ] ||
    { echo "client $c batch $n: the retry's receipts differ"; exit 1; }
done; done

# The log as the servers serve it: checkpoint from b, entries and proofs
# from a, checked by a verifier that shares no code with Passage.
key=$(key_of "$db")
"$PASSAGE" --db "$db" key public --key "$key" >"$WORK/log.vkey" || exit 1
curl -sf "$base_b/log/checkpoint" >"$WORK/cp.note" ||
  { echo "no checkpoint from $base_b"; exit 1; }
[ "$(sed -n 2p "$WORK/cp.note")" = 4023 ] ||
  { echo "the checkpoint is not of size 4023:"; cat "$WORK/cp.note"; exit 1; }
# The raw entries are for a party, an analyst or an admin.
curl -sf -H "Authorization: Bearer $(cat "$WORK/token.party")" \
  "$base_a/log/entries?start=0&end=4023" >"$WORK/entries.jsonl" ||
  { echo "no entries from $base_a"; exit 1; }
proofs=()
for i in 0 1 63 64 2011 4022; do
  curl -sf "$base_a/log/proof/inclusion?index=$i&size=4023" >"$WORK/incl-$i.json" ||
    { echo "no inclusion proof of $i"; exit 1; }
  proofs+=("$WORK/incl-$i.json")
done
for old in 3 64 1000 4022; do
  curl -sf "$base_b/log/proof/consistency?old=$old&new=4023" >"$WORK/cons-$old.json" ||
    { echo "no consistency proof from $old"; exit 1; }
  proofs+=("$WORK/cons-$old.json")
done
node "$here/../ledger/verifier.mjs" "$WORK/log.vkey" "$WORK/cp.note" \
  "$WORK/entries.jsonl" "${proofs[@]}" >"$WORK/verifier.out" ||
  { echo "the independent verifier refuses the log:"; cat "$WORK/verifier.out"; exit 1; }
[ -n "${VERBOSE:-}" ] && cat "$WORK/verifier.out"

stop_both
pid_a= pid_b=
total=$(grep -c '"record":"flow"' "$WORK/entries.jsonl")
unique=$(grep '"record":"flow"' "$WORK/entries.jsonl" | grep -o '"id":"[^"]*"' | sort -u | wc -l)
[ "$total" = 4020 ] && [ "$unique" = 4020 ] ||
  { echo "flows in the log: $total, distinct ids: $unique, expected 4020"; exit 1; }
"$PASSAGE" --db "$db" verify >/dev/null || { echo "verify failed"; exit 1; }
echo "ok: 2 servers, 8 clients, 400 posts, 4,020 records stored once each in one log, verified (and by tests/ledger/verifier.mjs)"
