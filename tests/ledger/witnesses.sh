#!/usr/bin/env bash
# Usage: witnesses.sh PASSAGE
# Three witnesses (C2SP tlog-witness) on loopback ports, each with its own
# key and state, as the mission, two governments and the ICRC would run
# them:
# - a checkpoint gathers three cosignatures, and verify --quorum 3 takes it;
# - the next one is sent with a proof from the size each last cosigned;
# - a fork (another store of the same log, with the same key, and another
#   history) is refused by each witness (409, then 422 on the retry) and
#   never cosigned, and the witnesses still hold the true tree;
# - a witness killed with SIGKILL and started again holds the tree it last
#   cosigned; one that is down leaves 2 of 3, which --quorum 2 accepts
#   and --quorum 3 (or every witness) refuses;
# - a party replaying the published log (with import entries, and then a
#   withdrawal) makes the publisher's sitreps byte for byte.
set -uo pipefail
passage=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
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

# start N: witness N serves on a port of its own choosing; its port in
# port.N once it listens.
start() {
  local n=$1 port=${2:-0} before
  touch "w$n.log"
  before=$(grep -c 'listening on port' "w$n.log")
  "$passage" witness serve --listen "127.0.0.1:$port" --state "w$n.state" \
    2>>"w$n.log" &
  pids[$n]=$!
  for _ in $(seq 200); do
    # This start's line, not an earlier one's (a restart appends).
    if [ "$(grep -c 'listening on port' "w$n.log")" -gt "$before" ]; then
      sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "w$n.log" | tail -1 >"port.$n"
      return 0
    fi
    sleep 0.05
  done
  echo "witness $n did not start: $(cat "w$n.log")"
  exit 1
}

"$passage" key generate --key log.key --name passage.example/witnessed >/dev/null
"$passage" key public --key log.key >log.vkey
for n in 1 2 3; do
  "$passage" key generate --key "w$n.key" --name "witness.example/w$n" >/dev/null
  "$passage" key public --key "w$n.key" --cosignature >"w$n.vkey"
  "$passage" witness init --origin passage.example/witnessed \
    --log-key log.vkey --key "w$n.key" --state "w$n.state" >/dev/null ||
    { echo "witness init $n failed"; exit 1; }
  start "$n"
done

{
  printf '[corridor]\nname = Witnessed corridor\nlog = passage.example/witnessed\n'
  printf '[checkpoint kornidzor]\nname = Kornidzor\n'
  for n in 1 2 3; do
    printf '[witness w%s]\nurl = http://127.0.0.1:%s/\nkey = %s\n' \
      "$n" "$(cat "port.$n")" "$(cat "w$n.vkey")"
  done
} >corridor.ini
"$passage" init --corridor corridor.ini >/dev/null
cp log.key p.db.key
# One flow of flows.csv: entry 0 is the corridor's rules, 1 the checkpoint,
# so the flow (2) and its import (import-3) make the tree of 4.
head -2 "$here/flows.csv" >one.csv
"$passage" import flow one.csv >/dev/null # 4: the rules, 1 flow, import-3

check "three witnesses cosign the tree of 4" 0 "$passage" log witness
cp out cp4.note
grep -c '^— witness.example/w' cp4.note | grep -qx 3 &&
  ok "the checkpoint carries three cosignatures" ||
  bad "cosignatures in cp4.note: $(cat cp4.note)"
grep -q 'cosigned the tree of 4 entries (from 0)' err &&
  ok "the first request is from size 0" || bad "$(cat err)"
check "verify --quorum 3" 0 "$passage" verify --checkpoint cp4.note \
  --key log.vkey --witness w1.vkey --witness w2.vkey --witness w3.vkey \
  --quorum 3

"$passage" add flow --start 2023-01-02 --checkpoint kornidzor --direction out \
  --vehicles 3 >/dev/null # 5 entries
check "the tree of 5, from the size each cosigned" 0 "$passage" log witness
[ "$(grep -c 'cosigned the tree of 5 entries (from 4)' err)" = 3 ] &&
  ok "each request is from 4" || bad "$(cat err)"
cp out cp5.note

# A fork: the same log's key signs another history of it.
mkdir fork
(
  cd fork
  export PASSAGE_DB=$work/fork/p.db
  "$passage" init --corridor ../corridor.ini >/dev/null
  cp ../log.key p.db.key
  "$passage" import flow ../one.csv >/dev/null
  for i in 1 2 3; do
    "$passage" add flow --start 2023-01-0$i --checkpoint kornidzor \
      --direction in --vehicles "9$i" >/dev/null
  done # 7 entries: the first 3 as the log's (its import-3 names the file
  # as ../one.csv), then others
  "$passage" log witness >../fork.out 2>../fork.err
  echo $? >../fork.rc
)
[ "$(cat fork.rc)" = 4 ] && ok "the fork is not cosigned (exit 4)" ||
  bad "fork exit $(cat fork.rc): $(cat fork.err)"
[ "$(grep -c 'FAILED: refused (HTTP 422)' fork.err)" = 3 ] &&
  ok "each witness answers the fork 409, then 422" || bad "$(cat fork.err)"
grep -q '^— witness.example' fork.out && bad "a cosignature of the fork" ||
  ok "the fork's checkpoint has no cosignature"
for n in 1 2 3; do
  grep -q '"status":409' "w$n.log" && grep -q '"status":422' "w$n.log" ||
    bad "witness $n's log: $(cat "w$n.log")"
done
hash=$(printf '%s' passage.example/witnessed | sha256sum | cut -d' ' -f1)
curl -s "http://127.0.0.1:$(cat port.1)/$hash/checkpoint" >held.1
sed -n 2p held.1 | grep -qx 5 && ok "witness 1 still holds the tree of 5" ||
  bad "witness 1 holds $(cat held.1)"

# The spec's 409 and 404 as raw HTTP.
curl -s -o body -w '%{http_code} %{content_type}\n' \
  --data-binary @<(printf 'old 0\n\n'; sed '/^$/q' cp5.note; grep '^— passage' cp5.note) \
  "http://127.0.0.1:$(cat port.2)/add-checkpoint" >status
[ "$(cat status)" = "409 text/x.tlog.size" ] && [ "$(cat body)" = 5 ] &&
  ok "409 with its size, text/x.tlog.size" || bad "409: $(cat status body)"

# Killed with SIGKILL and started again: the state is what it cosigned.
kill -9 "${pids[2]}"
{ wait "${pids[2]}"; } 2>/dev/null
start 2 "$(cat port.2)"
curl -s "http://127.0.0.1:$(cat port.2)/$hash/checkpoint" >held.2
sed -n 2p held.2 | grep -qx 5 && ok "witness 2 killed and restarted holds 5" ||
  bad "witness 2 holds $(cat held.2)"

# Witness 3 down: 2 of 3.
kill "${pids[3]}"
wait "${pids[3]}" 2>/dev/null
"$passage" add flow --start 2023-01-03 --checkpoint kornidzor --direction out \
  --vehicles 4 >/dev/null # 6 entries
check "two of three witnesses cosign (exit 4)" 4 "$passage" log witness
cp out cp6.note
grep -q '2 of 3 witnesses cosigned' err && ok "2 of 3" || bad "$(cat err)"
grep -q 'witness w3: FAILED' err && ok "the one down is named" ||
  bad "$(cat err)"
W=(--witness w1.vkey --witness w2.vkey --witness w3.vkey)
check "verify --quorum 2 takes 2 of 3" 0 "$passage" verify \
  --checkpoint cp6.note --key log.vkey "${W[@]}" --quorum 2
check "verify --quorum 3 refuses 2 of 3" 4 "$passage" verify \
  --checkpoint cp6.note --key log.vkey "${W[@]}" --quorum 3
grep -q 'carries 2 valid cosignatures of the witnesses given, 3 needed' err &&
  ok "its message counts" || bad "$(cat err)"
check "verify without --quorum needs every witness" 4 "$passage" verify \
  --checkpoint cp6.note --key log.vkey "${W[@]}"
check "a quorum larger than the witnesses given" 2 "$passage" verify \
  --checkpoint cp6.note --key log.vkey --witness w1.vkey --quorum 2

# Witness 3 back: it is asked from the size it holds (5), not 0.
start 3 "$(cat port.3)"
check "witness 3 back, all three cosign 6" 0 "$passage" log witness
grep -q 'witness w3: cosigned the tree of 6 entries (from 5)' err &&
  ok "witness 3 from 5" || bad "$(cat err)"

# Sitreps name the witnesses of their tree (issue 12, item 5).
"$passage" report sitrep --date 2023-01-02 --format json >s6.json
python3 - s6.json <<'EOF2' && ok "the JSON sitrep names 3 witnesses of 6" || bad "$(cat s6.json)"
import json, sys
log = json.load(open(sys.argv[1]))["log"]
assert log["tree_size"] == 6 and log["cosigned_size"] == 6, log
assert [w["id"] for w in log["witnesses"]] == ["w1", "w2", "w3"], log
assert [w["name"] for w in log["witnesses"]] == [
    "witness.example/w1", "witness.example/w2", "witness.example/w3"], log
assert all(len(w["key_hash"]) == 8 and w["time"].endswith("Z")
           for w in log["witnesses"]), log
EOF2
"$passage" report sitrep --date 2023-01-02 --format md >s6.md
grep -q 'Cosigned by 3 witnesses (C2SP tlog-witness)' s6.md &&
  grep -q 'w1 (`witness.example/w1`, ' s6.md && ok "the md sitrep names them" ||
  bad "$(grep -i witness s6.md)"
"$passage" report sitrep --date 2023-01-02 --format txt | grep -q '^Witnesses 3 at size 6: w1, w2, w3$' &&
  ok "the txt sitrep names them" || bad "txt: $("$passage" report sitrep --date 2023-01-02 --format txt)"
"$passage" report sitrep --date 2023-01-02 --format json --as-of 4 >s4.json
python3 -c 'import json,sys; l=json.load(open(sys.argv[1]))["log"]; assert l["cosigned_size"] == 4 and len(l["witnesses"]) == 3, l' s4.json &&
  ok "--as-of 4 names the witnesses of 4" || bad "$(cat s4.json)"
"$passage" add flow --start 2023-01-02 --checkpoint kornidzor --direction in \
  --vehicles 5 >/dev/null # 7 entries, not cosigned
"$passage" report sitrep --date 2023-01-02 --format md >s7.md
grep -q 'No witness has cosigned a checkpoint that contains this tree yet' s7.md &&
  ok "a tree no witness cosigned says so" || bad "$(grep -i witness s7.md)"
"$passage" report sitrep --date 2023-01-02 --format json --as-of 5 >s5.json
python3 -c 'import json,sys; l=json.load(open(sys.argv[1]))["log"]; assert l["tree_size"] == 5 and l["cosigned_size"] == 5, l' s5.json &&
  ok "--as-of 5: the checkpoint of 5" || bad "$(cat s5.json)"
"$passage" report sitrep --date 2023-01-02 --format md --as-of 2 >s2.md
grep -q 'Not cosigned at this size; the checkpoint of size 4, which contains the first 2 entries, is cosigned by witnesses (C2SP tlog-witness), 3 of them: w1' s2.md &&
  ok "--as-of 2: the smallest cosigned tree that contains it, 4" ||
  bad "$(grep -i cosign s2.md)"

# A party with only the published tiles, the log's key and the witnesses'
# keys rebuilds the log and computes the report again: the same bytes. The
# corridor's rules come from the log itself (entry 0): no corridor file.
check "the tree of 7 cosigned" 0 "$passage" log witness
check "published as tiles" 0 "$passage" log tiles --out pub
grep -q 'the checkpoint carries 3 cosignatures' out && ok "with 3 cosignatures" ||
  bad "$(cat out)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory pub "$port" >/dev/null 2>&1 &
pids[4]=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/checkpoint" && break
  sleep 0.05
done
check "a party replays the published log" 0 "$passage" --db party.db log replay \
  --tiles "http://127.0.0.1:$port" --key log.vkey "${W[@]}" --quorum 2
grep -q 'replayed the tree of 7 entries of passage.example/witnessed into party.db: root .*; 3 of 3 witnesses cosigned' out &&
  ok "7 entries, 3 of 3 witnesses" || bad "$(cat out)"
for f in json md txt; do
  "$passage" report sitrep --date 2023-01-02 --format $f --as-of 7 >pub.$f
  "$passage" --db party.db report sitrep --date 2023-01-02 --format $f --as-of 7 >party.$f
  cmp -s pub.$f party.$f && ok "the party's $f sitrep is the publisher's, byte for byte" ||
    bad "$f sitreps differ: $(diff pub.$f party.$f | head -5)"
done
check "the party's store verifies against the checkpoint" 0 "$passage" --db party.db \
  verify --checkpoint pub/checkpoint --key log.vkey "${W[@]}" --quorum 3
check "replay refuses a store that exists" 1 "$passage" --db party.db log replay \
  --tiles pub --key log.vkey --corridor corridor.ini

# A withdrawal replays too: import-3 withdrawn (entries 7-8: one
# withdrawal for its flow, one of the import), published and replayed, the
# party's sitrep of the day its flow crossed is again the publisher's, and
# both are no longer the sitrep before it (--as-of 7).
"$passage" withdraw import-3 --reason "entered twice" --yes >/dev/null
check "the withdrawal published" 0 "$passage" log tiles --out pub8
check "a party replays it" 0 "$passage" --db party8.db log replay \
  --tiles pub8 --key log.vkey --corridor corridor.ini
for f in json txt; do
  "$passage" report sitrep --date 2022-12-01 --format $f >pub8.$f
  "$passage" --db party8.db report sitrep --date 2022-12-01 --format $f >party8.$f
  "$passage" report sitrep --date 2022-12-01 --format $f --as-of 7 >pub7.$f
  cmp -s pub8.$f party8.$f && ok "after the withdrawal, the party's $f sitrep is the publisher's" ||
    bad "$f sitreps differ: $(diff pub8.$f party8.$f | head -5)"
  cmp -s pub7.$f pub8.$f && bad "the withdrawal changed nothing in the $f sitrep" ||
    ok "the withdrawal shows in the $f sitrep"
done

# verify checks the kept cosignatures: 3 witnesses at 4, 5, 6 (the second
# gathering at 6 added w3's) and 7, 12 in all; one edited is caught.
check "verify checks the kept cosignatures" 0 "$passage" verify
grep -q '; 12 kept cosignatures verified$' out && ok "12 of them" || bad "$(cat out)"
sqlite3 p.db "UPDATE cosignature SET line = (SELECT line FROM cosignature WHERE size = 4 AND witness = 'witness.example/w1') WHERE size = 5 AND witness = 'witness.example/w1'"
check "an edited cosignature fails verify" 4 "$passage" verify
grep -q 'cosignature kept for the tree of 5 entries by witness.example/w1 does not verify' err &&
  ok "it names the tree and the witness" || bad "$(cat err)"
exit $fail
