#!/usr/bin/env bash
# Usage: locked.sh PASSAGE
# A locked store says who holds it and how long it waited (issue 9 item
# 6): a writer waits up to --busy-timeout SECONDS for another process to
# let go, then gives up naming it, from the lock itself (an sqlite3 shell,
# another passage import), and writes once the holder is done.
set -uo pipefail
passage=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export PASSAGE_DB=s.db
fail=0

cat >c1.ini <<'INI'
[corridor]
name = Lock test
log = passage.example/lock
[checkpoint gate]
name = Gate
INI
sed 's/name = Gate/name = The gate/' c1.ini >c2.ini
"$passage" init --corridor c1.ini >/dev/null

# An sqlite3 shell in a write transaction for 3 s.
(echo "BEGIN IMMEDIATE; INSERT INTO meta VALUES('x', 'y');"; sleep 3; echo "ROLLBACK;") |
  sqlite3 s.db &
shell=$!
sleep 0.5
start=$(date +%s%N)
out=$("$passage" --busy-timeout 0.5 corridor amend c2.ini 2>&1)
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
# $! of a pipeline is its last command's: the sqlite3 shell.
if [ $rc -ne 1 ] || ! grep -qF "the store s.db is locked by another program (pid $shell: sqlite3 s.db); waited 0.5 s for it to let go (wait longer with --busy-timeout SECONDS" <<<"$out"; then
  echo "FAIL: held by sqlite3: exit $rc: $out"; fail=1
fi
if [ $ms -lt 450 ] || [ $ms -gt 2500 ]; then
  echo "FAIL: waited $ms ms for --busy-timeout 0.5"; fail=1
fi
[ $fail -eq 0 ] && echo "ok: held by sqlite3, gave up after $ms ms: $out"
wait $shell
"$passage" corridor amend c2.ini >/dev/null && echo "ok: written once it let go" ||
  { echo "FAIL: amend after the lock"; fail=1; }

# Another passage import, holding the lock while it writes 150,000 rows.
awk 'BEGIN { print "id,start,checkpoint,direction,vehicles"
  for (i = 0; i < 150000; i++) printf "b%d,2023-03-%02d,gate,in,%d\n", i, i % 28 + 1, i % 50 + 1 }' >big.csv
"$passage" import flow big.csv >/dev/null &
importer=$!
seen=0
for _ in $(seq 1 100); do
  out=$("$passage" --busy-timeout 0.2 corridor amend c1.ini 2>&1)
  if grep -q "is locked by" <<<"$out"; then seen=1; break; fi
  sleep 0.02
done
if [ $seen -eq 0 ]; then
  echo "FAIL: never found the store locked by the import: $out"; fail=1
elif ! grep -qE "locked by another import \(pid $importer: passage import flow big.csv\); waited 0.2 s" <<<"$out"; then
  echo "FAIL: held by an import: $out"; fail=1
else
  echo "ok: held by an import: $out"
fi
wait $importer || { echo "FAIL: the import"; fail=1; }
"$passage" --busy-timeout 0.2 corridor amend c1.ini >/dev/null && echo "ok: written once the import was done" ||
  { echo "FAIL: amend after the import"; fail=1; }
"$passage" verify >/dev/null || { echo "FAIL: verify"; fail=1; }

# A bad value is a usage error.
out=$("$passage" --busy-timeout soon verify 2>&1)
rc=$?
if [ $rc -ne 2 ] || ! grep -q "expected seconds between 0 and 86400" <<<"$out"; then
  echo "FAIL: --busy-timeout soon: exit $rc: $out"; fail=1
fi
exit $fail
