#!/usr/bin/env bash
# Usage: tests/postgres/bulk.sh PASSAGE (under tests/pg.sh)
# An import large enough that the PostgreSQL backend sends its gathered
# rows as COPY ... FROM STDIN (FORMAT binary) rather than INSERT ...
# unnest (write.c: from 2,048 rows of a table in one flush), with rows
# past its 8 MB flush too, stores what SQLite stores: the same counts, the
# same flows by day, the same export byte for byte, and a store that
# verifies; the same file again adds nothing (each id found stored).
set -uo pipefail
PASSAGE=$(realpath "$1")
[ -n "${PASSAGE_TEST_DB:-}" ] || { echo "skipped: no PostgreSQL"; exit 77; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
fixture=$(cd "$(dirname "$0")/../http/fixture" && pwd)

# 30,000 flows over 10 days, 3,000 a day: flow i on day 1 + i % 10, at
# checkpoint a when i is even, b when odd, with 1 + i % 4 vehicles and
# cargo of i % 3 tonnes of food. By hand, a day d (i = d - 1 + 10 k, k =
# 0..2999): i % 4 runs through (d - 1 + 2k) % 4, so for even d - 1 the
# vehicles are 1 and 3 alternately (sum 1,500 x 1 + 1,500 x 3 = 6,000),
# for odd d - 1 they are 2 and 4 (1,500 x 2 + 1,500 x 4 = 9,000).
awk 'BEGIN {
  print "id,start,checkpoint,direction,vehicles,vehicle,category,quantity,unit";
  for (i = 0; i < 30000; i++)
    printf "b-%d,2023-01-%02d,%s,in,%d,truck,food,%d,t\n", i, 1 + i % 10,
      (i % 2 ? "b" : "a"), 1 + i % 4, i % 3;
}' >"$WORK/flows.csv"
pg=${PASSAGE_TEST_DB//%s/bulk_$$}
lite=$WORK/lite.db
for d in "$pg" "$lite"; do
  "$PASSAGE" --db "$d" init --corridor "$fixture/corridor.ini" >/dev/null ||
    { echo "FAIL: init $d"; exit 1; }
  "$PASSAGE" --db "$d" import flow "$WORK/flows.csv" >"$WORK/import" 2>&1 ||
    bad "import into $d: $(cat "$WORK/import")"
done
# The rules and 2 checkpoints (3), 30,000 flows, the import's record.
grep -q '^30000 rows: 30000 added, 0 already stored' "$WORK/import" &&
  ok "30,000 flows imported" || bad "import: $(cat "$WORK/import")"
"$PASSAGE" --db "$pg" verify >"$WORK/verify" 2>&1 &&
  grep -q '30004 entries' "$WORK/verify" &&
  ok "verify on PostgreSQL: 30,004 entries" || bad "verify: $(cat "$WORK/verify")"

for w in pg lite; do
  d=$pg
  [ $w = lite ] && d=$lite
  "$PASSAGE" --db "$d" flow --by day --measure records,vehicles,tonnes \
    --format csv >"$WORK/flow.$w" 2>&1
  "$PASSAGE" --db "$d" export flow --format jsonl >"$WORK/export.$w" 2>&1
done
# Each day 3,000 records, 6,000 or 9,000 vehicles as above, and tonnes:
# i % 3 over 3,000 consecutive k (i = d - 1 + 10k) takes 0, 1, 2 1,000
# times each: 3,000 t a day.
{
  echo "day,records,vehicles,tonnes"
  for d in 1 2 3 4 5 6 7 8 9 10; do
    v=6000
    [ $(((d - 1) % 2)) = 1 ] && v=9000
    printf '2023-01-%02d,3000,%d,3000\n' $d $v
  done
} >"$WORK/flow.want"
cmp -s "$WORK/flow.want" "$WORK/flow.pg" &&
  ok "flow --by day on PostgreSQL: 3,000 records, 6,000 or 9,000 vehicles, 3,000 t a day" ||
  bad "flow: $(diff "$WORK/flow.want" "$WORK/flow.pg" | head)"
cmp -s "$WORK/flow.lite" "$WORK/flow.pg" && ok "the same figures as SQLite's" ||
  bad "flow differs from SQLite's: $(diff "$WORK/flow.lite" "$WORK/flow.pg" | head)"
[ "$(wc -l <"$WORK/export.pg")" = 30000 ] && cmp -s "$WORK/export.lite" "$WORK/export.pg" &&
  ok "export flow: SQLite's 30,000 lines byte for byte" ||
  bad "export differs from SQLite's: $(diff "$WORK/export.lite" "$WORK/export.pg" | head -4)"

# Again: every id is stored, nothing added (the tree stays at 30,004 and
# a second import record makes it 30,005).
"$PASSAGE" --db "$pg" import flow "$WORK/flows.csv" >"$WORK/again" 2>&1
grep -q '^30000 rows: 0 added, 30000 already stored' "$WORK/again" &&
  ok "the same file again: 0 added, 30,000 already stored" || bad "again: $(cat "$WORK/again")"
# A COPY that fails: a row planted by hand in the flow table at seq 1,000
# (an owner may insert there), so that the COPY of the flows' query rows
# meets it in the primary key. The import fails, says why, and stores
# nothing: the tree stays at init's 3.
bad_db=${PASSAGE_TEST_DB//%s/bulk_bad_$$}
"$PASSAGE" --db "$bad_db" init --corridor "$fixture/corridor.ini" >/dev/null
psql -X -q "${PASSAGE_TEST_PG_URL}" -c "INSERT INTO bulk_bad_$$.flow (seq) VALUES (1000)" ||
  bad "planting a row"
"$PASSAGE" --db "$bad_db" import flow "$WORK/flows.csv" >"$WORK/bad" 2>&1
rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q 'query rows: duplicate key value' "$WORK/bad" &&
  ok "a COPY that fails: exit $rc, $(head -c 160 "$WORK/bad")" || bad "failed COPY: exit $rc: $(cat "$WORK/bad")"
"$PASSAGE" --db "$bad_db" status >"$WORK/bad.status" 2>&1
grep -q '^store .*, tree size 3$' "$WORK/bad.status" &&
  ok "and nothing of the import is stored: the tree of 3" || bad "after: $(cat "$WORK/bad.status")"
[ $fail -eq 0 ] && echo "ok: bulk"
exit $fail
