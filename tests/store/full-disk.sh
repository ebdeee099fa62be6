#!/usr/bin/env bash
# Usage: full-disk.sh PASSAGE
# A full disk says where and how much (issue 9 item 6), and leaves nothing
# damaged: an import into a store on a 4 MiB file system (a tmpfs mounted
# in a namespace of our own, so no root is needed; skipped where that is
# not allowed) fails naming the store's path, the space left and what the
# transaction needed; the store verifies and holds what it held; an export
# to the full disk names the file and leaves none; the import succeeds
# once there is room.
set -uo pipefail
passage=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! unshare -rm true 2>/dev/null; then
  echo "skipped: cannot make a mount namespace here"; exit 77
fi
cat >"$work/c.ini" <<'INI'
[corridor]
name = Full disk test
log = passage.example/full
[checkpoint gate]
name = Gate
INI
awk 'BEGIN { print "id,start,checkpoint,direction,vehicles,category,quantity"
  for (i = 0; i < 40000; i++) printf "b%d,2023-03-%02d,gate,in,%d,food,%d\n", i, i % 28 + 1, i % 50 + 1, i % 7 + 1 }' >"$work/big.csv"
head -3 "$work/big.csv" >"$work/small.csv"
mkdir "$work/disk"
export passage work
unshare -rm bash -c '
  set -uo pipefail
  fail=0
  mount -t tmpfs -o size=4m tmpfs "$work/disk" || { echo "skipped: no tmpfs"; exit 77; }
  cd "$work/disk"
  export PASSAGE_DB=s.db
  "$passage" init --corridor "$work/c.ini" >/dev/null || { echo "FAIL: init"; exit 1; }
  "$passage" import flow "$work/small.csv" >/dev/null || { echo "FAIL: small import"; exit 1; }
  out=$("$passage" import flow "$work/big.csv" 2>&1)
  rc=$?
  if [ $rc -eq 0 ] ||
     ! grep -qE "the disk holding s.db is full, and nothing of this transaction was stored; it needed about [0-9.]+ MiB \([0-9]+ bytes of entries and what the store keeps beside them\), and [0-9.]+ MiB are free: free some space" <<<"$out"; then
    echo "FAIL: import onto a full disk: exit $rc: $out"; fail=1
  else
    echo "ok: import onto a full disk: exit $rc: $out"
  fi
  out=$("$passage" verify 2>&1 | head -1)
  # The rules, the checkpoint, the two flows of small.csv and their import.
  if [ "$out" != "ok: 5 entries, tree and tables verified; 0 checkpoints consistent" ]; then
    echo "FAIL: the store after a full disk: $out"; fail=1
  else
    echo "ok: the store after a full disk: $out"
  fi
  # 3,000 rows fit; then all but 100 KB is taken, and an export of them
  # (about 160 KB) is refused whole, naming the file.
  head -3001 "$work/big.csv" >mid.csv
  "$passage" import flow mid.csv >/dev/null || { echo "FAIL: 3,000 rows"; fail=1; }
  rm mid.csv
  avail=$(df --output=avail -B1 . | tail -1)
  head -c $((avail - 100000)) /dev/zero >filler
  out=$("$passage" export flow --output out.csv 2>&1)
  rc=$?
  if [ $rc -eq 0 ] || [ -e out.csv ] || compgen -G "out.csv.tmp.*" >/dev/null ||
     ! grep -qE "cannot write out.csv: No space left on device \(([0-9]+ bytes|[0-9.]+ [KM]iB) free on its file system\)" <<<"$out"; then
    echo "FAIL: export onto a full disk: exit $rc: $out"; ls; fail=1
  else
    echo "ok: export onto a full disk: $out"
  fi
  # Nothing left at all: even a reader cannot make the store'"'"'s log files.
  head -c 100000000 /dev/zero >>filler 2>/dev/null
  out=$("$passage" flow 2>&1)
  if ! grep -qE "cannot open s.db: the disk holding it is full \(0 bytes free\)" <<<"$out"; then
    echo "FAIL: a reader on a full disk: $out"; fail=1
  else
    echo "ok: a reader on a full disk: $out"
  fi
  rm filler
  "$passage" import flow "$work/small.csv" >/dev/null && "$passage" verify >/dev/null &&
    echo "ok: with room again, the store takes records and verifies" ||
    { echo "FAIL: after the disk was freed"; fail=1; }
  umount "$work/disk" 2>/dev/null
  exit $fail
'
rc=$?
[ $rc -eq 77 ] && exit 77
exit $rc
