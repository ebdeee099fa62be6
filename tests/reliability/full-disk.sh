#!/usr/bin/env bash
# Usage: tests/reliability/full-disk.sh PASSAGE [ROWS]
# Issue 15, item 3, beside tests/http/full-disk.sh (a batch POSTed to a
# full disk is 507): passage import and POST /api/v1/imports on a full
# disk fail clearly, store nothing, and work again once there is room.
# The store lies on a tmpfs of 16 MiB in a mount namespace of its own
# (needs root and unshare; else skipped, exit 77), filled but for 256 KiB;
# a file of ROWS flows (20,000: about 10 MiB stored) is then imported:
# - passage import exits 1 and names the reason (the disk is full);
# - POST /api/v1/imports of the same file answers 507 with the import's
#   summary: 0 added, the tree size 3, the reason in its errors;
# - the store still opens and verifies, with its 3 entries (the
#   corridor's rules and its 2 checkpoints);
# - with the filler gone, the same import adds the ROWS flows and its
#   import entry (import-N, N = 3 + ROWS), and the store verifies with
#   3 + ROWS + 1 entries.
set -uo pipefail
PASSAGE=$(realpath "$1")
ROWS=${2:-20000}
if [ "${IN_NS:-}" != 1 ]; then
  command -v unshare >/dev/null && [ "$(id -u)" = 0 ] ||
    { echo "skipped: needs root and unshare for a tmpfs of its own"; exit 77; }
  unshare -m true 2>/dev/null || { echo "skipped: unshare -m refused"; exit 77; }
  IN_NS=1 exec unshare -m "$0" "$@"
fi
WORK=$(mktemp -d)
trap 'stop_server >/dev/null 2>&1; umount "$WORK/disk" 2>/dev/null; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
mkdir "$WORK/disk"
mount -t tmpfs -o size=16m tmpfs "$WORK/disk" ||
  { echo "skipped: cannot mount a tmpfs"; exit 77; }
db=$WORK/disk/t.db
setup_store "$db" || exit 1
seq 1 "$ROWS" | awk 'BEGIN { print "id,start,checkpoint,direction,vehicles,note" }
  { printf "d%d,2023-01-02,a,in,%d,a note of some length to fill pages %d\n", $1, $1 % 9, $1 }' \
  >"$WORK/f.csv"
dd if=/dev/zero of="$WORK/disk/filler" bs=64k 2>/dev/null
truncate -s -256k "$WORK/disk/filler"

"$PASSAGE" --db "$db" import flow "$WORK/f.csv" >"$WORK/out" 2>&1
rc=$?
[ $rc -eq 1 ] && ok "import on a full disk: exit 1" || bad "import on a full disk: exit $rc: $(cat "$WORK/out")"
grep -qi 'full\|no space' "$WORK/out" && ok "it says why: $(head -1 "$WORK/out")" ||
  bad "the reason is not named: $(cat "$WORK/out")"
verify_store "$db" "after the full disk" &&
  grep -q '^ok: 3 entries' "$WORK/verify.out" && ok "the store verifies with its 3 entries" ||
  bad "after the full disk: $(cat "$WORK/verify.out")"

start_server "$db" --quiet || exit 1
code=$(curl -s -o "$WORK/body" -w '%{http_code}' -X POST -H 'Content-Type: text/csv' \
  -H "Authorization: Bearer $(cat "$WORK/token.monitor")" --data-binary "@$WORK/f.csv" \
  "$BASE/api/v1/imports?kind=flow")
# The import's summary, as a 422's: nothing counted as added (before the
# fix it said "added":20000 beside "tree_size":2), no import entry, the
# reason in errors: main's own words for a full disk (the disk's path, and
# that nothing of the transaction was stored), not SQLite's; at the commit
# ("writing: ...") or, since the server's writer caps its page cache and
# SQLite spills to the WAL before the end, at the row being appended
# ("appending an entry: ...").
[ "$code" = 507 ] && grep -q '"added":0,"unchanged":0,' "$WORK/body" &&
  grep -q '"import":null,"tree_size":3,' "$WORK/body" &&
  grep -Eq '"message":"(writing|appending an entry): the disk holding [^"]* is full, and nothing of this transaction was stored' "$WORK/body" &&
  ok "POST /api/v1/imports on a full disk: 507, nothing added, the reason named" ||
  bad "POST /api/v1/imports on a full disk: $code $(head -c 300 "$WORK/body")"
[ "$(curl -s "$BASE/healthz")" = '{"status":"ok","tree_size":3}' ] ||
  bad "the server stored something: $(curl -s "$BASE/healthz")"
stop_server || bad "SIGTERM"

rm -f "$WORK/disk/filler"
"$PASSAGE" --db "$db" import flow "$WORK/f.csv" >"$WORK/out" 2>&1 &&
  grep -qxF "$ROWS rows: $ROWS added, 0 already stored; recorded as import-$((ROWS + 3)); log size $((ROWS + 4))" "$WORK/out" &&
  ok "with room again the import adds $ROWS" || bad "with room again: $(cat "$WORK/out")"
verify_store "$db" "with room again" && ok "the store verifies"
exit $fail
