#!/usr/bin/env bash
# Usage: tests/postgres/migrate.sh PASSAGE (under tests/pg.sh)
# passage migrate copies a store from SQLite to PostgreSQL and back and
# proves each copy: the Lachin scenario (200 entries: the rules, corrections,
# multi-day flows, four sources) and a server's token go in, both verify,
# the roots and the sitreps of the whole history agree, and the SQLite
# file that comes back is the same as the one that went in, table for
# table (sqlite3 .dump). A copy into a store that holds something is
# refused, as is a source that does not verify.
set -uo pipefail
PASSAGE=$(realpath "$1")
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -n "${PASSAGE_TEST_DB:-}" ] || { echo "skipped: no PostgreSQL"; exit 77; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
pg=${PASSAGE_TEST_DB//%s/migrate_$$}

PASSAGE_DB=$WORK/src.db bash "$top/data/scenarios/lachin-2022-2023/load.sh" \
  "$PASSAGE" >/dev/null || fail "cannot load the scenario"
"$PASSAGE" --db src.db token create --role monitor --name m1 >/dev/null
"$PASSAGE" migrate --from src.db --to "$pg" >out 2>&1 || { cat out; fail "copy into PostgreSQL"; }
grep -q '^copied 200 entries into .* (PostgreSQL, schema 8)$' out || { cat out; fail "what the copy said"; }
grep -q '^the same sitrep of 2022-11-01 to 2023-10-01, byte for byte, in 2 formats$' out ||
  { cat out; fail "the sitreps were not compared"; }
"$PASSAGE" --db "$pg" verify >/dev/null || fail "the copy does not verify"
[ "$("$PASSAGE" --db "$pg" token list --format csv | cut -d, -f1,2 | tail -1)" = m1,monitor ] ||
  fail "the token was not copied"
"$PASSAGE" migrate --from "$pg" --to back.db >out 2>&1 || { cat out; fail "copy back into SQLite"; }
sqlite3 src.db .dump >src.sql
sqlite3 back.db .dump >back.sql
cmp -s src.sql back.sql || { diff src.sql back.sql | head; fail "the file that came back differs"; }

# Into a store that holds something: refused, nothing changed.
"$PASSAGE" migrate --from src.db --to "$pg" >out 2>&1
[ $? = 1 ] && grep -q 'holds a store already: copy into a new one' out ||
  { cat out; fail "a copy into a full store was not refused"; }
[ "$("$PASSAGE" --db "$pg" export flow --format jsonl | wc -l)" = \
  "$("$PASSAGE" --db src.db export flow --format jsonl | wc -l)" ] ||
  fail "the refused copy changed the store"

# A source that does not verify is not copied. Entry 1 (a checkpoint): entry
# 0 is the rules, and a store whose rules cannot be read does not open.
sqlite3 back.db "UPDATE entry SET bytes = CAST(replace(CAST(bytes AS TEXT), '\"id\":', '\"id\": ') AS BLOB) WHERE seq = 1"
"$PASSAGE" migrate --from back.db --to "${PASSAGE_TEST_DB//%s/migrate_bad_$$}" >out 2>&1
[ $? = 4 ] && grep -q 'the source (back.db) does not verify: entry 1' out ||
  { cat out; fail "a source that does not verify was copied"; }

# A store made before the rules were logged (their only copy in meta, the
# dump of tests/cli/cases/schema1-store: 5 entries, none of them the
# rules) is copied with its meta copy: the same 5 entries and root, and
# the rules in force the same, still not in the log.
sqlite3 old.db <"$top/tests/cli/cases/schema1-store/schema1.sql"
old_pg=${PASSAGE_TEST_DB//%s/migrate_old_$$}
"$PASSAGE" migrate --from old.db --to "$old_pg" >out 2>&1 || { cat out; fail "copy of an older store"; }
grep -q '^copied 5 entries into .* (PostgreSQL, schema 8)$' out || { cat out; fail "what the copy of an older store said"; }
"$PASSAGE" --db "$old_pg" corridor show >pg.ini || fail "the older store's copy has no rules"
"$PASSAGE" --db old.db corridor show | cmp -s - pg.ini || fail "the older store's rules differ in the copy"
"$PASSAGE" --db "$old_pg" verify 2>&1 | grep -q "the corridor's rules are not in the log" ||
  fail "the older store's copy does not say its rules are not in the log"
echo "ok: SQLite -> PostgreSQL -> SQLite, 200 entries, the same root, sitreps and file; an older store's 5 entries and meta rules"
