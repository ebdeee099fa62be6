#!/usr/bin/env bash
# Usage: signer.sh PASSAGE
# The signer's state (issue 9 item 3): `log checkpoint` never signs a tree
# smaller than, or not consistent with, the last one its key signed. The
# store is truncated and then forked behind the program's back, in SQLite,
# the tree's nodes recomputed as a careful forger would (so that verify
# alone passes); the signer refuses both, exit 4, naming both trees. And
# the key itself: one readable by others is refused, one named for another
# log is refused, a state signed by another key is refused.
set -uo pipefail
passage=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export PASSAGE_DB=$work/s.db
fail=0

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# expect RC PATTERN CMD...: CMD exits RC and says PATTERN.
expect() {
  local want=$1 pattern=$2
  shift 2
  out=$("$@" 2>&1)
  rc=$?
  if [ "$rc" -ne "$want" ]; then
    bad "$*: exit $rc, want $want: $out"
  elif ! grep -qF -- "$pattern" <<<"$out"; then
    bad "$*: '$out' lacks '$pattern'"
  else
    ok "$*: $out"
  fi
}

"$passage" init --corridor "$here/corridor.ini" >/dev/null
# 79 flows: entries 0 (rules), 1 (checkpoint), 2..80, and 81 the record of
# their import; a completed block of 64 leaves has a stored tree node.
for i in $(seq 1 79); do echo "f-$i,2023-01-$(( i % 28 + 1 )),kornidzor,in,truck,$i"; done |
  sed '1i id,start,checkpoint,direction,vehicle,vehicles' >flows.csv
"$passage" import flow flows.csv >/dev/null
"$passage" key generate >/dev/null
key=$PASSAGE_DB.key
state=$key.state

# A new key's state: the checkpoint of the empty tree, signed by it.
if [ "$(sed -n 2p "$state")" = 0 ]; then ok "key generate writes a state of size 0"; else bad "state: $(cat "$state")"; fi
"$passage" log checkpoint >cp82.note || bad "first checkpoint"
if cmp -s cp82.note "$state"; then ok "the state holds the checkpoint handed out"; else bad "state differs from cp82.note"; fi
root82=$(sed -n 3p cp82.note)
"$passage" log checkpoint >again.note && cmp -s cp82.note again.note &&
  ok "the same tree signs again, the same note" || bad "signing the same tree again"
cp s.db kept.db

# truncate DB N: keeps entries [0, N) and the nodes that lie within them.
truncate_to() {
  python3 - "$1" "$2" <<'PY'
import sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db)
for t in ("entry", "flow", "flow_cargo"):
    c.execute(f"DELETE FROM {t} WHERE seq >= ?", (n,))
c.execute("DELETE FROM node WHERE (idx + 1) << level > ?", (n,))
c.commit()
PY
}

# Truncated to 70 entries: the stored node of leaves 0-63 stays, which
# it may (all those leaves are there). The flows' rollups are left alone:
# verify would name them, the signer goes by the tree.
truncate_to s.db 70
expect 4 "refusing to sign the tree of 70 entries (root " "$passage" log checkpoint
expect 4 "this key last signed the tree of 82 entries (root $root82)" "$passage" log checkpoint
if cmp -s cp82.note "$state"; then ok "a refusal leaves the state alone"; else bad "state moved"; fi

# Truncated below the stored node, the node removed: the same.
cp kept.db s.db
truncate_to s.db 60
expect 4 "refusing to sign the tree of 60 entries" "$passage" log checkpoint

# A fork: after the truncation, 29 other flows and their import's record
# make the log longer than the one signed, but its first 82 entries are
# not those signed.
for i in $(seq 1 29); do echo "g-$i,2023-02-$(( i % 28 + 1 )),kornidzor,out,car,$i"; done |
  sed '1i id,start,checkpoint,direction,vehicle,vehicles' >fork.csv
"$passage" import flow fork.csv >/dev/null || bad "importing the fork"
expect 4 "refusing to sign the tree of 90 entries (root " "$passage" log checkpoint
expect 4 "it does not extend the tree of 82 entries (root $root82), which this key last signed" "$passage" log checkpoint
# (verify names the rollups the forger left; with those rebuilt too, only
# the checkpoint kept, which the signer's state is, would tell.)
expect 4 "FAILED" "$passage" verify --checkpoint cp82.note

# The log as it should be: grows, and signs; the state follows.
cp kept.db s.db
# 4 flows and their import: 82 + 5 = 87.
for i in $(seq 1 4); do echo "h-$i,2023-03-0$i,kornidzor,in,bus,$i"; done |
  sed '1i id,start,checkpoint,direction,vehicle,vehicles' >more.csv
"$passage" import flow more.csv >/dev/null
"$passage" log checkpoint >cp87.note && ok "a grown log signs" || bad "a grown log"
if [ "$(sed -n 2p "$state")" = 87 ]; then ok "the state is at 87"; else bad "state: $(sed -n 2p "$state")"; fi

# A key readable by others is refused, as ssh refuses it.
chmod 644 "$key"
expect 3 "permissions 0644 are too open" "$passage" log checkpoint
expect 3 "(run: chmod 600 $key)" "$passage" log checkpoint
chmod 600 "$key"

# A key named for another log.
"$passage" key generate --key other.key --name example.org/other >/dev/null
expect 3 "other.key is the key of 'example.org/other', not of this log ('passage.example/tamper'" \
  "$passage" log checkpoint --key other.key
# Its state beside the key of this log: not signed by it, refused.
cp other.key.state "$state.bak" && cp "$state" keep.state && cp other.key.state "$state"
expect 4 "should hold the last checkpoint this key signed, and does not" "$passage" log checkpoint
cp keep.state "$state"

# A key made before signers kept state: it signs, and starts one.
rm "$state"
expect 0 "did not exist (a key made before signers kept state)" "$passage" log checkpoint --output cp-new.note
if cmp -s cp-new.note "$state"; then ok "the state started"; else bad "no state after signing"; fi

exit $fail
