#!/usr/bin/env bash
# Usage: tests/postgres/privileges.sh PASSAGE (under scripts/with-postgres)
# Least privilege (issue 14, item 3). The owner makes the schema and
# grants the server's role (passage migrate --grant); the server's role
# then does all a server does (tokens, records, verify) and nothing more:
# it may not UPDATE, DELETE or TRUNCATE entries, tree nodes, rows, the
# corridor or the day cells' dictionary, and a trigger refuses the owner
# too; it replaces the day cells its records touch (a correction that
# moves a flow to another day removes the old day's row). An older schema
# is not migrated by the server's role (it says to run passage migrate as
# the owner), and is by the owner, after which the server writes again;
# a store of schema 7 migrated by the owner without --grant gives the role
# granted before what it needs of schema 8's tables.
set -uo pipefail
PASSAGE=$(realpath "$1")
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -n "${PASSAGE_TEST_PG_PORT:-}" ] || { echo "skipped: no PostgreSQL"; exit 77; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
schema=priv_$$
at=127.0.0.1:$PASSAGE_TEST_PG_PORT/passage_test?options=-csearch_path%3D$schema
owner=postgresql://passage_owner@$at
server=postgresql://passage_server@$at
# sql WHO STATEMENT: psql as that role; prints the error's first line.
sql() {
  psql -X -q -At -v ON_ERROR_STOP=1 "$1" -c "$2" 2>&1 | grep -m1 'ERROR:' |
    sed 's/.*ERROR:  //'
}

"$PASSAGE" migrate --db "$owner" --grant passage_server >out 2>&1 || { cat out; fail "migrate as the owner"; }
[ "$(cat out)" = "schema 8 (PostgreSQL), 0 entries
granted passage_server what a server needs: to read and add, and to replace what is derived from the log; never to rewrite it" ] ||
  { cat out; fail "what migrate said"; }
"$PASSAGE" --db "$owner" init --corridor "$top/tests/http/fixture/corridor.ini" >/dev/null ||
  fail "init as the owner"

# The server's role does a server's work.
"$PASSAGE" --db "$server" token create --role monitor --name m >/dev/null || fail "token create"
"$PASSAGE" --db "$server" add flow --id f1 --start 2023-01-02 --checkpoint a \
  --direction in --vehicles 3 >/dev/null || fail "add as the server's role"
"$PASSAGE" --db "$server" add flow --id f1b --supersedes f1 --start 2023-01-04 \
  --checkpoint a --direction in --vehicles 4 >/dev/null || fail "correct as the server's role"
[ "$(psql -X -q -At "$owner" -c 'SELECT day - 19358 FROM cells ORDER BY day')" = 3 ] ||
  fail "the day cells: not only 2023-01-04's"
"$PASSAGE" --db "$server" token revoke m >/dev/null || fail "token revoke"
"$PASSAGE" --db "$server" verify >/dev/null || fail "verify as the server's role"

# ... and may rewrite nothing.
for s in "UPDATE entry SET id = id" "DELETE FROM entry" "TRUNCATE entry" \
  "DELETE FROM node" "UPDATE flow SET vehicles = 30" "DELETE FROM flow_cargo" \
  "UPDATE meta SET value = '' WHERE key = 'corridor'" "DELETE FROM token" \
  "DELETE FROM writer" "DELETE FROM log_head" "DELETE FROM checkpoint_note" \
  "UPDATE cosignature SET line = ''" "UPDATE cells_dict SET text = ''" \
  "DELETE FROM cells_meta" "DELETE FROM saved_state"; do
  e=$(sql "$server" "$s")
  case $e in "permission denied for table "*) ;; *) fail "the server's role: $s: ${e:-allowed}" ;; esac
done
# The owner may not either: the trigger refuses.
for s in "UPDATE entry SET id = id" "DELETE FROM entry" "TRUNCATE node" \
  "UPDATE flow SET vehicles = 30" "DELETE FROM supersede" "TRUNCATE flow_cargo" \
  "DELETE FROM writer" "UPDATE checkpoint_note SET note = ''" \
  "DELETE FROM cosignature" "DELETE FROM cells_dict"; do
  e=$(sql "$owner" "$s")
  case $e in "the "*" table of a Passage store is insert-only: "*" refused") ;;
  *) fail "the owner: $s: ${e:-allowed}" ;; esac
done
"$PASSAGE" --db "$server" verify >/dev/null || fail "verify after the attempts"

# Schema 7 (a PostgreSQL store kept no cells then), migrated by the owner
# without --grant: the role granted before replaces the new tables' rows.
sql "$owner" "DROP TABLE cells_dict; DROP TABLE cells; DROP TABLE cells_meta;
  DROP TABLE saved_state; UPDATE meta SET value = '7' WHERE key = 'schema_version'" >/dev/null
"$PASSAGE" migrate --db "$owner" >out 2>&1 && grep -q "^schema 8 " out || { cat out; fail "migrate from 7"; }
"$PASSAGE" --db "$server" add flow --id f3 --start 2023-01-04 --checkpoint a \
  --direction out --vehicles 2 >/dev/null || fail "add after the migration from 7"
"$PASSAGE" --db "$server" report sitrep --date 2023-01-04 >/dev/null || fail "sitrep after the migration from 7"
[ "$(psql -X -q -At "$owner" -c "SELECT count(*) FROM cells WHERE day = 19361")" = 1 ] ||
  fail "the day cells after the migration from 7"
# (an upsert needs UPDATE even for a new row: the sitrep saved its state)
[ "$(psql -X -q -At "$owner" -c "SELECT count(*) > 0 FROM saved_state")" = t ] ||
  fail "the saved state after the migration from 7"
"$PASSAGE" --db "$server" verify >/dev/null || fail "verify after the migration from 7"

# An older schema: the owner takes it back to version 1 (as tests/cli's
# migrate-2 does); the server's role cannot migrate it, the owner can.
sql "$owner" "ALTER TABLE flow DROP COLUMN consignment;
  ALTER TABLE status DROP COLUMN direction; ALTER TABLE checkpoint DROP COLUMN route;
  DROP TABLE production; DROP TABLE token; DROP TABLE writer;
  DROP TABLE checkpoint_note; DROP TABLE cosignature; DROP TABLE import;
  DROP TABLE withdrawal;
  UPDATE meta SET value = '1' WHERE key = 'schema_version'" >/dev/null
"$PASSAGE" --db "$server" export flow >out 2>&1
[ $? != 0 ] && grep -q "migrating the schema from version 1 to 2 (run 'passage migrate' as the owner of the store's tables): must be owner of table flow" out ||
  { cat out; fail "the server's role migrated, or said the wrong thing"; }
"$PASSAGE" migrate --db "$owner" --grant passage_server >/dev/null || fail "migrate after"
"$PASSAGE" --db "$server" add flow --id f2 --start 2023-01-03 --checkpoint b \
  --direction out --vehicles 1 >/dev/null || fail "add after the migration"
"$PASSAGE" --db "$server" token create --role monitor --name m2 >/dev/null ||
  fail "token create after the migration (the new tables granted)"
"$PASSAGE" --db "$server" verify >/dev/null || fail "verify after the migration"
echo "ok: the server's role reads and adds, never rewrites; the owner is refused by trigger; only the owner migrates"
