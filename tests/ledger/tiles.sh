#!/usr/bin/env bash
# Usage: tiles.sh PASSAGE
# passage log tiles writes the C2SP tlog-tiles tree of files, incrementally,
# and passage verify --tiles checks it with no store, from a folder and
# over HTTP:
# - 301 entries (a checkpoint, 299 flows and the entry that records their
#   import) are one full level-0 tile and one of width 45 (301 - 256), the
#   same two entry bundles, and a level-1 tile of width 1 (301 >> 8);
# - 300 more (299 flows and their import's entry: 601 = 2 * 256 + 89)
#   write 5 files: tile/0/001, 0/002.p/89,
#   entries/001, entries/002.p/89, 1/000.p/2 (601 >> 8 = 2); tile/0/000
#   is not rewritten (same inode) and the old partial tiles stay;
# - a folder published from another history of the same log is refused,
#   and nothing is written into it;
# - verify --tiles names what it finds wrong: a flipped byte of a hash
#   tile, an entry edited in its bundle, an entry edited with its leaf
#   hash in tile/0 made to match (then the level-1 hash gives it away).
set -uo pipefail
passage=$(realpath "$1")
work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
export PASSAGE_DB=$work/p.db
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
check() { # check NAME WANT-RC COMMAND...
  local name=$1 want=$2
  shift 2
  "$@" >out 2>err
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$name: exit $rc, want $want: $(cat err out)"
  else
    ok "$name"
  fi
}
flows() { # flows FIRST LAST
  echo 'id,start,checkpoint,direction,vehicles'
  for i in $(seq "$1" "$2"); do echo "f$i,2023-01-01,gate,in,$i"; done
}

printf '[corridor]\nname = Tiles\nlog = passage.example/tiles\n[checkpoint gate]\nname = Gate\n' >corridor.ini
"$passage" init --corridor corridor.ini >/dev/null
"$passage" key generate >/dev/null
"$passage" key public >log.vkey
# Entry 0 is the corridor's rules, 1 the checkpoint, f1 entry 2: 298 flows
# and the entry that records their import make the tree of 301 entries, f6
# entry 7.
flows 1 298 >a.csv
"$passage" import flow a.csv >/dev/null

check "log tiles writes 301 entries" 0 "$passage" log tiles --out m
grep -q 'published the tree of 301 entries in m (it held 0): 5 files written' out &&
  ok "5 files" || bad "$(cat out)"
(cd m && find . -type f | sort) >files
printf '%s\n' ./checkpoint ./tile/0/000 ./tile/0/001.p/45 ./tile/1/000.p/1 \
  ./tile/entries/000 ./tile/entries/001.p/45 | diff - files >/dev/null &&
  ok "the tree of files" || bad "files: $(cat files)"
[ "$(stat -c %s m/tile/0/000)" = 8192 ] && [ "$(stat -c %s m/tile/0/001.p/45)" = 1440 ] &&
  ok "a full tile is 8,192 bytes, one of width 45 1,440" || bad "tile sizes"
sed -n 2p m/checkpoint | grep -qx 301 && ok "the checkpoint is of 301" ||
  bad "$(cat m/checkpoint)"
check "verify --tiles DIR" 0 "$passage" verify --tiles m --key log.vkey
grep -q 'ok: passage.example/tiles, the tree of 301 entries' out &&
  grep -q '2 entry bundles and 3 hash tiles' out &&
  grep -q "entries: 1 version of the corridor's rules, 1 checkpoint, 298 flow, 1 import" out &&
  ok "it says what it checked" ||
  bad "$(cat out)"
before=$(stat -c %i m/tile/0/000)

flows 299 597 >b.csv
"$passage" import flow b.csv >/dev/null
check "log tiles again, 601 entries" 0 "$passage" log tiles --out m
grep -q 'published the tree of 601 entries in m (it held 301): 5 files written' out &&
  ok "only the 5 new files" || bad "$(cat out)"
[ "$(stat -c %i m/tile/0/000)" = "$before" ] && ok "tile/0/000 not rewritten" ||
  bad "tile/0/000 was replaced"
for f in tile/0/001 tile/0/002.p/89 tile/entries/001 tile/entries/002.p/89 \
  tile/1/000.p/2 tile/0/001.p/45 tile/1/000.p/1; do
  [ -f "m/$f" ] || bad "m/$f missing"
done
[ ! -e m/.passage-tmp ] && ok "no temporary folder left" || bad ".passage-tmp left"
check "log tiles with nothing new" 0 "$passage" log tiles --out m
grep -q '0 files written' out && ok "0 files" || bad "$(cat out)"
check "verify --tiles DIR at 601" 0 "$passage" verify --tiles m --key log.vkey

# Over HTTP: any static web server publishes the folder.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory m "$port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/checkpoint" && break
  sleep 0.05
done
check "verify --tiles URL" 0 "$passage" verify --tiles "http://127.0.0.1:$port/" --key log.vkey
"$passage" key generate --key other.key --name passage.example/tiles >/dev/null
"$passage" key public --key other.key >other.vkey
check "verify --tiles URL with another key of the same name" 4 "$passage" verify \
  --tiles "http://127.0.0.1:$port" --key other.vkey

# Another history of the same log: its folder is refused.
mkdir other
(
  cd other
  export PASSAGE_DB=$work/other/p.db
  "$passage" init --corridor ../corridor.ini >/dev/null
  cp ../p.db.key p.db.key
  flows 1 10 | sed 's/,in,/,out,/' >c.csv
  "$passage" import flow c.csv >/dev/null
  "$passage" log tiles --out ../o >/dev/null
)
check "a folder of another history is refused" 4 "$passage" log tiles --out o
grep -q 'published from another history; nothing written' err && ok "it says why" ||
  bad "$(cat err)"
[ ! -e o/tile/0/000 ] && ok "nothing written into it" || bad "o/tile/0/000 written"

# Tampering that verify --tiles names.
cp -r m t1
printf '\x01' | dd of=t1/tile/1/000.p/2 bs=1 seek=40 conv=notrunc 2>/dev/null
check "a flipped byte of a level-1 tile" 4 "$passage" verify --tiles t1 --key log.vkey
grep -q 'hash 1 of tile/1/000.p/2 is not the tree' err && ok "named: tile/1/000.p/2" ||
  bad "$(cat err)"
cp -r m t2
python3 - t2/tile/entries/000 <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.index(b'"vehicles":6}')
b[i + 11] = ord('8')
open(p, 'wb').write(b)
EOF
check "an entry edited in its bundle" 4 "$passage" verify --tiles t2 --key log.vkey
grep -q 'entry 7 does not hash to its leaf' err && ok "named: entry 7" || bad "$(cat err)"
cp -r t2 t3
python3 - t3 <<'EOF'
import hashlib, sys
d = sys.argv[1]
b = open(d + '/tile/entries/000', 'rb').read()
pos, n = 0, 0
leaves = bytearray(open(d + '/tile/0/000', 'rb').read())
while pos < len(b):
    ln = b[pos] << 8 | b[pos + 1]
    e = b[pos + 2:pos + 2 + ln]
    leaves[32 * n:32 * n + 32] = hashlib.sha256(b'\0' + e).digest()
    pos += 2 + ln
    n += 1
open(d + '/tile/0/000', 'wb').write(leaves)
EOF
check "an entry edited with its leaf made to match" 4 "$passage" verify --tiles t3 --key log.vkey
grep -q 'hash 0 of tile/1/000.p/2 is not the tree' err && ok "named: tile/1/000.p/2" ||
  bad "$(cat err)"
rm t1/tile/0/001
check "a missing tile (exit 1: nothing to check it with)" 1 "$passage" verify \
  --tiles t1 --key log.vkey
grep -q 't1/tile/0/001: cannot be read' err && ok "named: tile/0/001" || bad "$(cat err)"
exit $fail
