#!/usr/bin/env bash
# Usage: tests/postgres/standby.sh PASSAGE (under tests/pg.sh)
# A standby, as docs/scaling.md has one for reads and failover: a
# streaming replica of the throwaway cluster (pg_basebackup -R, started
# on another loopback port), a store written through the primary, the
# replica waited for until it has replayed the primary's WAL; then
# `passage verify`, `passage flow` and `passage status` on the replica
# give the primary's answers (each worked out below), and a write to the
# replica fails with a clear error (a read-only transaction) and leaves
# both as they were. Also report, export and log checkpoint (which
# writes the signer's state file, not the store) on the replica.
set -uo pipefail
PASSAGE=$(realpath "$1")
[ -n "${PASSAGE_TEST_DB:-}" ] && [ -n "${PASSAGE_TEST_PG_URL:-}" ] &&
  [ -n "${PASSAGE_TEST_PG_BIN:-}" ] || { echo "skipped: no PostgreSQL"; exit 77; }
bin=$PASSAGE_TEST_PG_BIN
WORK=$(mktemp -d)
as=()
if [ "$(id -u)" -eq 0 ]; then # PostgreSQL refuses to run as root
  chown nobody: "$WORK"
  as=(runuser -u nobody --)
fi
chmod 700 "$WORK"
replica=$WORK/replica
cleanup() {
  [ -f "$replica/postmaster.pid" ] &&
    "${as[@]}" "$bin/pg_ctl" -D "$replica" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
die() { echo "FAIL: $1"; exit 1; }

# The primary's store: init (the rules, checkpoints a and b: 3 entries),
# 4 flows imported (and the import's record: 5 more), a status added (1):
# the tree of 9.
db=${PASSAGE_TEST_DB//%s/standby_$$}
fixture=$(cd "$(dirname "$0")/../http/fixture" && pwd)
"$PASSAGE" --db "$db" init --corridor "$fixture/corridor.ini" >/dev/null ||
  die "init on the primary"
cat >"$WORK/flows.csv" <<'EOF'
id,start,checkpoint,direction,vehicles,persons
s-1,2023-01-02,a,in,4,2
s-2,2023-01-02,b,in,6,3
s-3,2023-01-03,a,out,5,1
s-4,2023-01-03,a,in,1,9
EOF
"$PASSAGE" --db "$db" import flow "$WORK/flows.csv" >/dev/null ||
  die "import on the primary"
"$PASSAGE" --db "$db" add status --id st-1 --at 2023-01-03 --checkpoint a \
  --state open >/dev/null || die "add status on the primary"

# The replica, made from the running primary; -R writes standby.signal
# and the primary's address, so it starts as a streaming standby.
"${as[@]}" "$bin/pg_basebackup" -h 127.0.0.1 -p "$PASSAGE_TEST_PG_PORT" \
  -U passage -D "$replica" -R -X stream -c fast >"$WORK/basebackup.log" 2>&1 ||
  die "pg_basebackup: $(cat "$WORK/basebackup.log")"
port=
for _ in 1 2 3 4 5; do
  port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
  "${as[@]}" "$bin/pg_ctl" -D "$replica" -l "$WORK/replica.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$WORK" \
    start >/dev/null 2>&1 && break
  port=
done
[ -n "$port" ] || die "the replica did not start: $(cat "$WORK/replica.log")"
rurl=${PASSAGE_TEST_PG_URL/:$PASSAGE_TEST_PG_PORT\//:$port/}
rdb=${db/:$PASSAGE_TEST_PG_PORT\//:$port/}
[ "$(psql -X -At "$rurl" -c 'SELECT pg_is_in_recovery()')" = t ] &&
  ok "the replica is a standby (in recovery)" || bad "the replica is not in recovery"

# A write after the base backup, so that the replica shows it streams:
# flow s-5 (the tree of 10).
printf 'id,start,checkpoint,direction,vehicles,persons\ns-5,2023-01-03,b,out,2,4\n' \
  >"$WORK/more.csv"
"$PASSAGE" --db "$db" import flow "$WORK/more.csv" >/dev/null ||
  die "the second import on the primary"
# 10 + its import record: the tree of 11.
lsn=$(psql -X -At "$PASSAGE_TEST_PG_URL" -c 'SELECT pg_current_wal_lsn()')
replayed=
for _ in $(seq 300); do
  [ "$(psql -X -At "$rurl" -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] &&
    { replayed=1; break; }
  sleep 0.1
done
[ -n "$replayed" ] && ok "the replica replayed the primary's WAL up to $lsn" ||
  die "the replica did not replay up to $lsn in 30 s"

# verify: the tree of 11 (3 + 4 + 1 + 1 + 1 + 1), the same answer on both.
"$PASSAGE" --db "$db" verify >"$WORK/verify.p" 2>&1 || bad "verify on the primary: $(cat "$WORK/verify.p")"
"$PASSAGE" --db "$rdb" verify >"$WORK/verify.r" 2>&1 || bad "verify on the replica: $(cat "$WORK/verify.r")"
sed "s|$rdb|DB|g" "$WORK/verify.r" >"$WORK/verify.r2"
sed "s|$db|DB|g" "$WORK/verify.p" >"$WORK/verify.p2"
grep -q '11 entries' "$WORK/verify.r" && cmp -s "$WORK/verify.p2" "$WORK/verify.r2" &&
  ok "verify on the replica: 11 entries, the primary's answer" ||
  bad "verify: primary $(cat "$WORK/verify.p"), replica $(cat "$WORK/verify.r")"

# flow by day, by hand: 2023-01-02 s-1 and s-2: 2 records, 10 vehicles,
# 5 persons; 2023-01-03 s-3, s-4, s-5: 3 records, 8 vehicles, 14 persons.
for w in p r; do
  d=$db
  [ $w = r ] && d=$rdb
  "$PASSAGE" --db "$d" flow --by day --measure records,vehicles,persons \
    --format csv >"$WORK/flow.$w" 2>&1 || bad "flow ($w): $(cat "$WORK/flow.$w")"
done
cat >"$WORK/flow.want" <<'EOF'
day,records,vehicles,persons
2023-01-02,2,10,5
2023-01-03,3,8,14
EOF
cmp -s "$WORK/flow.want" "$WORK/flow.r" && cmp -s "$WORK/flow.p" "$WORK/flow.r" &&
  ok "flow --by day on the replica: the primary's figures, as worked out" ||
  bad "flow: want $(cat "$WORK/flow.want"), primary $(cat "$WORK/flow.p"), replica $(cat "$WORK/flow.r")"

# status: the same, the location aside; records: 2 checkpoints, 5 flows,
# 1 status; 2 imports.
"$PASSAGE" --db "$db" status 2>&1 | sed "s|$db|DB|g" >"$WORK/status.p"
"$PASSAGE" --db "$rdb" status 2>&1 | sed "s|$rdb|DB|g" >"$WORK/status.r"
grep -q '^records *checkpoint 2, flow 5, status 1$' "$WORK/status.r" &&
  grep -q '^store *DB, tree size 11$' "$WORK/status.r" &&
  grep -q '^imports *2 (0 withdrawn)' "$WORK/status.r" &&
  cmp -s "$WORK/status.p" "$WORK/status.r" &&
  ok "status on the replica: the primary's" ||
  bad "status: $(diff "$WORK/status.p" "$WORK/status.r"; cat "$WORK/status.r")"

# The other read commands: a day's sitrep (JSON, which names the tree it
# was made of: 11) and the flows' export, byte for byte the primary's;
# and a checkpoint of the tree of 11 signed from the replica (the signer
# keeps its state in KEY.state, a file: nothing is written to the store).
for w in p r; do
  d=$db
  [ $w = r ] && d=$rdb
  "$PASSAGE" --db "$d" report sitrep --date 2023-01-03 --period day \
    --format json >"$WORK/sitrep.$w" 2>&1 || bad "sitrep ($w): $(cat "$WORK/sitrep.$w")"
  "$PASSAGE" --db "$d" export flow --format jsonl >"$WORK/export.$w" 2>&1 ||
    bad "export ($w): $(cat "$WORK/export.$w")"
done
grep -q '"tree_size": *11' "$WORK/sitrep.r" && cmp -s "$WORK/sitrep.p" "$WORK/sitrep.r" &&
  ok "report sitrep on the replica: the primary's, of the tree of 11" ||
  bad "sitrep: $(diff "$WORK/sitrep.p" "$WORK/sitrep.r" | head; head -c 300 "$WORK/sitrep.r")"
[ "$(wc -l <"$WORK/export.r")" = 5 ] && cmp -s "$WORK/export.p" "$WORK/export.r" &&
  ok "export flow on the replica: the primary's 5 flows" ||
  bad "export: $(diff "$WORK/export.p" "$WORK/export.r" | head)"
"$PASSAGE" key generate --key "$WORK/log.key" --name example.org/test-corridor \
  >/dev/null 2>&1 || bad "key generate"
"$PASSAGE" --db "$rdb" log checkpoint --key "$WORK/log.key" >"$WORK/cp" 2>&1 &&
  sed -n 2p "$WORK/cp" | grep -qx 11 &&
  ok "log checkpoint on the replica signs the tree of 11" ||
  bad "log checkpoint on the replica: $(cat "$WORK/cp")"

# A write to the replica: refused, clearly, and nothing changes.
"$PASSAGE" --db "$rdb" add flow --id s-6 --start 2023-01-04 --checkpoint a \
  --direction in --vehicles 1 >"$WORK/write" 2>&1
rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q 'read-only transaction.*write through the primary' "$WORK/write" &&
  ok "a write to the replica: exit $rc, $(head -1 "$WORK/write")" ||
  bad "write to the replica: exit $rc: $(cat "$WORK/write")"
"$PASSAGE" --db "$rdb" import flow "$WORK/more.csv" >"$WORK/write2" 2>&1
rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q 'read-only transaction' "$WORK/write2" &&
  ok "an import into the replica: exit $rc, refused" ||
  bad "import into the replica: exit $rc: $(cat "$WORK/write2")"
for d in "$db" "$rdb"; do
  "$PASSAGE" --db "$d" status 2>&1 | grep -q '^store .*, tree size 11$' ||
    bad "after the refused writes the tree is not of 11 at $d"
done
[ $fail = 0 ] && ok "after the refused writes both still hold the tree of 11"
[ $fail -eq 0 ] && echo "ok: standby"
exit $fail
