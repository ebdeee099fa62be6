#!/usr/bin/env bash
# Usage: tamper.sh PASSAGE
# Builds a small signed log in a real SQLite file, then edits it behind the
# program's back in each way a party might, and checks that passage verify
# fails with exit 4 and names what was changed.
set -uo pipefail
passage=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export PASSAGE_DB=$work/good.db
fail=0

"$passage" init --corridor "$here/corridor.ini" >/dev/null
"$passage" import flow "$here/flows.csv" --create-missing >/dev/null
"$passage" key generate >/dev/null
"$passage" log checkpoint >cp.note
"$passage" key public >log.vkey
# 70 more records: a completed block of 64 leaves gets a stored tree node.
for i in $(seq 1 70); do echo "2023-01-$(( i % 28 + 1 )),kornidzor,in,truck,$i"; done |
  sed '1i start,checkpoint,direction,vehicle,vehicles' >more.csv
"$passage" import flow more.csv >/dev/null
"$passage" log checkpoint >cp2.note
sqlite3 good.db 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null

expect_ok() {
  if ! out=$("$passage" --db "$1" verify "${@:2}" 2>&1); then
    echo "FAIL: verify of an untouched store failed: $out"; fail=1
  fi
}

# expect_caught NAME SQL PATTERN [verify args...]
expect_caught() {
  local name=$1 sql=$2 pattern=$3
  shift 3
  cp good.db t.db
  if [ -n "$sql" ] && ! sqlite3 t.db "$sql"; then
    echo "FAIL: $name: the edit itself failed"; fail=1; return
  fi
  out=$("$passage" --db t.db verify "$@" 2>&1)
  rc=$?
  if [ $rc -ne 4 ]; then
    echo "FAIL: $name: exit $rc, want 4: $out"; fail=1
  elif ! grep -q -- "$pattern" <<<"$out"; then
    echo "FAIL: $name: message '$out' lacks '$pattern'"; fail=1
  else
    echo "ok: $name: $out"
  fi
}

expect_ok good.db --checkpoint cp.note --checkpoint cp2.note --key log.vkey

# rewrite SEQ OLD NEW: the SQL that replaces OLD by NEW in an entry's bytes
# and gives it the matching leaf hash, as a careful forger would.
rewrite() {
  python3 - "$1" "$2" "$3" <<'PY'
import hashlib, sqlite3, sys
seq, old, new = int(sys.argv[1]), sys.argv[2], sys.argv[3]
db = sqlite3.connect("good.db")
(b,) = db.execute("SELECT bytes FROM entry WHERE seq = ?", (seq,)).fetchone()
b = bytes(b).replace(old.encode(), new.encode())
h = hashlib.sha256(b"\0" + b).hexdigest()
print(f"UPDATE entry SET bytes = X'{b.hex()}', hash = X'{h}' WHERE seq = {seq};")
PY
}

# Entry 0 is the corridor's rules, 1 its checkpoint; f-1 and f-2 are
# entries 2 and 3.
expect_caught "edited bytes" \
  "UPDATE entry SET bytes = replace(bytes, 'truck', 'bus') WHERE seq = 3" \
  "entry 3 (flow 'f-2'): its bytes do not match its leaf hash"
expect_caught "edited query table" \
  "UPDATE flow SET vehicles = 99 WHERE seq = 2" \
  "entry 2 (flow 'f-1'): the flow table differs from the entry in field 'vehicles'"
expect_caught "edited cargo line" \
  "UPDATE flow_cargo SET quantity = 1 WHERE seq = 2" \
  "entry 2 (flow 'f-1'): its cargo line 0 differs"
# Bytes, hash and query row forged together: the stored node of the first
# 64 leaves no longer matches.
expect_caught "forged bytes, hash and table" \
  "$(rewrite 3 '"vehicles":12' '"vehicles":99') UPDATE flow SET vehicles = 99 WHERE seq = 3;" \
  "tree node (level 6, index 0)"
# The same forgery past the last stored node: only a checkpoint tells.
# (the last flow: the log's last entry is its import's record)
last=$(sqlite3 good.db 'SELECT max(seq) FROM flow')
vlast=$(sqlite3 good.db "SELECT vehicles FROM flow WHERE seq = $last" | cut -d. -f1)
day=$(sqlite3 good.db "SELECT start_b / 86400 FROM flow WHERE seq = $last")
# The forger also takes the kept day cells out of use (meta's rules they
# were built with): the cells would say what the forged day held before.
expect_caught "forged tail, checkpoint given" \
  "$(rewrite "$last" "\"vehicles\":$vlast" '"vehicles":1') UPDATE flow SET vehicles = 1 WHERE seq = $last;
   UPDATE flow_day SET vehicles = vehicles - $vlast + 1 WHERE day = $day AND vehicle = 'truck';
   DELETE FROM meta WHERE key = 'cells.rules';" \
  "do not have the root that cp2.note signed" --checkpoint cp2.note --key log.vkey
expect_caught "extra query row" \
  "INSERT INTO flow(seq, id) VALUES (999, 'ghost')" \
  "the flow table has"
expect_caught "edited rollup" \
  "UPDATE flow_day SET vehicles = vehicles + 1 WHERE day = (SELECT min(day) FROM flow_day)" \
  "the daily rollup of"
# Kept day cells (schema 7): derived like the rollups, each day built
# again from its records and compared byte for byte. 2022-12-01 holds f-1
# (10 trucks, 200 t food) and f-2 (12 trucks, 20 t medicine): the
# bytes of its cells zeroed, or its row gone, or a day no record reaches.
first=$(sqlite3 good.db 'SELECT min(day) FROM cells')
expect_caught "edited kept cells" \
  "UPDATE cells SET bytes = zeroblob(length(bytes)) WHERE day = $first" \
  "the kept cells of checkpoint 'kornidzor' on 2022-12-01 differ from the cells its records give"
expect_caught "deleted kept cells" \
  "DELETE FROM cells WHERE day = $first" \
  "the kept cells of checkpoint 'kornidzor' on 2022-12-01 are missing"
expect_caught "kept cells of a day without records" \
  "INSERT INTO cells SELECT day - 1, checkpoint, bytes FROM cells WHERE day = $first" \
  "the kept cells of checkpoint 'kornidzor' on 2022-11-30 are kept, and no live record reaches that day"
expect_caught "deleted entry" \
  "DELETE FROM entry WHERE seq = 3" \
  "entry 3 is missing"
expect_caught "deleted last entry" \
  "DELETE FROM entry WHERE seq = (SELECT max(seq) FROM entry); DELETE FROM flow WHERE seq = (SELECT max(seq) FROM flow)" \
  "" --checkpoint cp2.note --key log.vkey
expect_caught "reordered entries" \
  "UPDATE entry SET seq = -1 WHERE seq = 10; UPDATE entry SET seq = 10 WHERE seq = 11; UPDATE entry SET seq = 11 WHERE seq = -1;" \
  "entry 10"
expect_caught "edited tree node" \
  "UPDATE node SET hash = zeroblob(32)" \
  "tree node"
# The corridor's rules are entry 0 (issue 9): the rules that decide
# compliance are evidence like the records. An edit of them is caught like
# an edit of a record; a forged copy in meta, where stores before schema 6 kept
# them, is never read, changes no figure, and is caught too.
expect_caught "edited rules" \
  "UPDATE entry SET bytes = replace(bytes, '\"restricted_weight\":0.5', '\"restricted_weight\":1') WHERE seq = 0" \
  "entry 0 (corridor '1'): its bytes do not match its leaf hash: the corridor's rules were edited"
expect_caught "forged rules, hash recomputed" \
  "$(rewrite 0 '"restricted_weight":0.5' '"restricted_weight":1')" \
  "tree node (level 6, index 0)"
expect_caught "rules renumbered" \
  "$(rewrite 0 '"version":1' '"version":2')" \
  "entry 0 (corridor '1'): it is version 2 of the rules (id '1') where version 1 comes next"
# The forged copy renames the corridor and moves it to UTC: a report that
# read it would say so in its first lines.
before=$("$passage" --db good.db report sitrep --date 2022-12-01 --format md)
cp good.db meta.db
sqlite3 meta.db "INSERT INTO meta VALUES('corridor', '[corridor]
name = Forged corridor
log = passage.example/tamper
timezone = UTC
[checkpoint kornidzor]
name = Kornidzor')"
after=$("$passage" --db meta.db report sitrep --date 2022-12-01 --format md)
grep -q "Tamper test corridor" <<<"$after" || { echo "FAIL: the report lost the corridor's name"; fail=1; }
if [ "$before" != "$after" ]; then
  echo "FAIL: a corridor forged in meta changed a figure: $before / $after"; fail=1
else
  echo "ok: a corridor forged in meta changes no figure"
fi
cp meta.db t.db
out=$("$passage" --db t.db verify 2>&1)
if [ $? -ne 4 ] || ! grep -q "meta table holds 'corridor'" <<<"$out"; then
  echo "FAIL: forged meta corridor: $out"; fail=1
else
  echo "ok: forged meta corridor: $out"
fi

# A checkpoint signed by another log's key, presented with that key.
mkdir other && (cd other && printf '[corridor]\nname = other\nlog = example.org/other\n' >c.ini &&
  "$passage" --db o.db init --corridor c.ini >/dev/null &&
  "$passage" --db o.db key generate >/dev/null &&
  "$passage" --db o.db log checkpoint >../other.note &&
  "$passage" --db o.db key public >../other.vkey)
expect_caught "checkpoint of another log" "" \
  "is a checkpoint of 'example.org/other'" --checkpoint other.note --key other.vkey

expect_caught "checkpoint of another key" "" \
  "no signature by example.org/other" --checkpoint cp.note --key other.vkey

exit $fail
