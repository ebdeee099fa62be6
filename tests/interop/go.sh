#!/usr/bin/env bash
# Usage: go.sh PASSAGE
# An independent client from another ecosystem: tests/interop/go, built on
# the Go checksum database's golang.org/x/mod/sumdb/note and .../tlog
# (Debian's golang-golang-x-mod-dev, built offline in GOPATH mode), reads
# the tiles `passage log tiles` writes for a tree of 70,000 entries (three
# levels of tiles: 273 full level-0 tiles and one of width 112, a full
# level-1 tile and one of width 17, a level-2 tile of width 1), verifies
# the checkpoint's signature beside a witness's cosignature it does not
# know, proves and checks the inclusion of entries at the tiles' edges and
# the consistency of the tree of 300 with it; its proofs are byte for byte
# Passage's own (passage proof). A tile or an entry changed makes it fail.
# The JavaScript verifier reads the same tiles. Skipped (77) without Go.
set -uo pipefail
passage=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
gopath=/usr/share/gocode
if ! command -v go >/dev/null || [ ! -d "$gopath/src/golang.org/x/mod/sumdb/tlog" ]; then
  echo "skipped: go or golang-golang-x-mod-dev is not installed (scripts/deps)"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export PASSAGE_DB=$work/p.db
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }

(cd "$here/go" && GOPATH=$gopath GO111MODULE=off GOFLAGS= GOCACHE=$work/gocache \
  GOTOOLCHAIN=local go build -o "$work/interop" .) || { echo "go build failed"; exit 1; }

printf '[corridor]\nname = Go interop\nlog = passage.example/go-interop\n[checkpoint gate]\nname = Gate\n' >c.ini
"$passage" init --corridor c.ini >/dev/null # entries 0-1: the rules, the checkpoint
# Entries 2-69998 the flows, 69999 the entry that records their import.
awk 'BEGIN { print "id,start,checkpoint,direction,vehicles"
             for (i = 1; i < 69998; i++) printf "f%d,2023-01-01,gate,in,%d\n", i, i % 50 + 1 }' >f.csv
"$passage" import flow f.csv >/dev/null
"$passage" key generate >/dev/null
"$passage" key public >log.vkey
"$passage" log tiles --out m >/dev/null
"$passage" key generate --key w.key --name witness.example/go >/dev/null
"$passage" key public --key w.key --cosignature >w.vkey
"$passage" log cosign --key w.key --log-key log.vkey --checkpoint m/checkpoint \
  --output cosigned >/dev/null && mv cosigned m/checkpoint
for f in tile/0/272 tile/0/273.p/112 tile/1/000 tile/1/001.p/17 tile/2/000.p/1 \
  tile/entries/273.p/112; do
  [ -f "m/$f" ] || bad "m/$f missing"
done

idx=(0 1 255 256 65535 65536 69999)
if "$work/interop" m "$(cat log.vkey)" 300 "${idx[@]}" >go.out 2>&1; then
  ok "the Go client accepts the checkpoint, tiles and proofs"
else
  bad "the Go client: $(cat go.out)"
fi
grep -q '^checkpoint: passage.example/go-interop, 70000 entries, signed by passage.example/go-interop (1 other signatures)$' go.out &&
  ok "it verifies the log's signature beside the cosignature" || bad "$(head -1 go.out)"
grep -q '^inclusion: entry 65536 (flow f65535) is in the tree' go.out &&
  ok "it reads the entries from the bundles" || bad "$(cat go.out)"
# Its proofs are Passage's.
hashes() { python3 -c 'import json, sys; print(",".join(json.load(sys.stdin)["hashes"]))'; }
for i in "${idx[@]}"; do
  want=$("$passage" proof inclusion --index "$i" | hashes)
  got=$(sed -n "s/^inclusion proof $i 70000: //p" go.out)
  [ "$got" = "$want" ] || bad "inclusion proof of $i: Go's $got, Passage's $want"
done
want=$("$passage" proof consistency --old 300 --new 70000 | hashes)
[ "$(sed -n 's/^consistency proof 300 70000: //p' go.out)" = "$want" ] &&
  ok "its proofs are byte for byte Passage's" || bad "consistency proof differs"

cp -r m t1
printf '\x55' | dd of=t1/tile/1/000 bs=1 seek=100 conv=notrunc 2>/dev/null
"$work/interop" t1 "$(cat log.vkey)" 300 1000 >t1.out 2>&1 &&
  bad "the Go client took a changed level-1 tile" ||
  ok "the Go client refuses a changed tile: $(tail -1 t1.out)"
cp -r m t2
python3 - t2/tile/entries/003 <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.index(b'"id":"f799"')  # entry 800
b[i + 7] = ord('8')  # f799 -> f899, same length
open(p, 'wb').write(b)
PY
"$work/interop" t2 "$(cat log.vkey)" 300 800 >t2.out 2>&1 &&
  bad "the Go client took a changed entry" ||
  ok "the Go client refuses a changed entry: $(tail -1 t2.out)"

if command -v node >/dev/null; then
  node "$here/../ledger/verifier.mjs" --tiles log.vkey m w.vkey >js.out 2>&1 &&
    grep -q '70000 entries and 277 hash tiles give the signed root' js.out &&
    ok "the JavaScript verifier reads the same tiles" || bad "node: $(cat js.out)"
fi
exit $fail
