#!/usr/bin/env bash
# Usage: tests/http/full-disk.sh PASSAGE
# A full disk answers 507 and stores nothing: the store lies on a small
# tmpfs (in a mount namespace of its own: needs root and unshare, else the
# test is skipped), filled up but for a little, then a batch too big for
# what is left is posted. Afterwards, with room again, the same batch is
# accepted whole and the store verifies.
set -uo pipefail
PASSAGE=$(realpath "$1")
if [ "${IN_NS:-}" != 1 ]; then
  command -v unshare >/dev/null && [ "$(id -u)" = 0 ] || exit 77
  unshare -m true 2>/dev/null || exit 77
  IN_NS=1 exec unshare -m "$0" "$@"
fi
WORK=$(mktemp -d)
trap 'stop_server >/dev/null 2>&1; umount "$WORK/disk" 2>/dev/null; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
mkdir "$WORK/disk"
mount -t tmpfs -o size=4m tmpfs "$WORK/disk" || exit 77
setup_store "$WORK/disk/t.db" || exit 1
start_server "$WORK/disk/t.db" --quiet || exit 1
body=$WORK/batch
{ printf '{"records": ['
  for i in $(seq 0 999); do
    [ $i -gt 0 ] && printf ','
    printf '{"kind":"flow","id":"full-%s","checkpoint":"a","direction":"in","start":"2023-01-02","note":"%s"}' $i "$(head -c 400 /dev/zero | tr '\0' n)"
  done
  printf ']}'; } >"$body"
dd if=/dev/zero of="$WORK/disk/filler" bs=64k 2>/dev/null
rm -f "$WORK/disk/filler.keep"
truncate -s -256k "$WORK/disk/filler"
post() {
  curl -s -o "$WORK/out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $(cat "$WORK/token.monitor")" --data-binary "@$body" \
    "$BASE/api/v1/records"
}
fail=0
code=$(post)
[ "$code" = 507 ] || { echo "full disk: $code, expected 507"; cat "$WORK/out"; fail=1; }
grep -q '"insufficient_storage"' "$WORK/out" || { echo "no insufficient_storage code"; fail=1; }
[ "$(curl -s "$BASE/healthz")" = '{"status":"ok","tree_size":3}' ] ||
  { echo "something was stored"; fail=1; }
rm -f "$WORK/disk/filler"
code=$(post)
[ "$code" = 200 ] || { echo "with room again: $code"; cat "$WORK/out"; fail=1; }
stop_server || fail=1
"$PASSAGE" --db "$WORK/disk/t.db" verify >/dev/null || { echo "verify failed"; fail=1; }
[ $fail -eq 0 ] && echo "ok: 507 on a full disk, nothing stored; accepted once there is room"
exit $fail
