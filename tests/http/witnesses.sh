#!/usr/bin/env bash
# Usage: tests/http/witnesses.sh PASSAGE
# Witnessing from serve (issue 12 item 3): a server with three witnesses
# in its corridor (C2SP tlog-witness servers on loopback, as
# tests/ledger/witnesses.sh runs them) signs its new tree heads and
# gathers their cosignatures without anyone running `passage log
# witness`; /checkpoint and /log/checkpoint carry them; a witness that was
# down is asked again once it is back.
set -uo pipefail
PASSAGE=$(realpath "$1")
WORK=$(mktemp -d)
wpids=()
cleanup() {
  stop_server >/dev/null 2>&1
  for p in "${wpids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }

# witness N [PORT]: witness N listening; its port in port.N.
witness() {
  local n=$1 port=${2:-0} before
  touch "w$n.log"
  before=$(grep -c 'listening on port' "w$n.log")
  "$PASSAGE" witness serve --listen "127.0.0.1:$port" --state "w$n.state" \
    2>>"w$n.log" &
  wpids[$n]=$!
  for _ in $(seq 200); do
    if [ "$(grep -c 'listening on port' "w$n.log")" -gt "$before" ]; then
      sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "w$n.log" | tail -1 >"port.$n"
      return 0
    fi
    sleep 0.05
  done
  echo "witness $n did not start: $(cat "w$n.log")"
  exit 1
}

"$PASSAGE" key generate --key log.key --name example.org/witnessed >/dev/null
"$PASSAGE" key public --key log.key >log.vkey
for n in 1 2 3; do
  "$PASSAGE" key generate --key "w$n.key" --name "witness.example/w$n" >/dev/null
  "$PASSAGE" key public --key "w$n.key" --cosignature >"w$n.vkey"
  "$PASSAGE" witness init --origin example.org/witnessed --log-key log.vkey \
    --key "w$n.key" --state "w$n.state" >/dev/null || { echo "witness init $n"; exit 1; }
  witness "$n"
done
{
  printf '[corridor]\nname = Witnessed\nlog = example.org/witnessed\ntimezone = UTC\n'
  printf '[checkpoint a]\nname = Alpha\n'
  for n in 1 2 3; do
    printf '[witness w%s]\nurl = http://127.0.0.1:%s/\nkey = %s\n' \
      "$n" "$(cat "port.$n")" "$(cat "w$n.vkey")"
  done
} >corridor.ini
# The stores: files here, or on the backend PASSAGE_TEST_DB names.
sdb=$(store_location s)
pdb=$(store_location p)
"$PASSAGE" --db "$sdb" init --corridor corridor.ini >/dev/null # 2 entries
cp log.key "$(key_of "$sdb")"
"$PASSAGE" --db "$sdb" token create --role monitor --name m | tail -1 >token.m
start_server "$sdb" --witness-interval 1 --sign-interval 1 || exit 1

post() { # post ID...: one flow per id, in one batch
  local recs="" id
  for id in "$@"; do
    recs+="${recs:+,}{\"kind\":\"flow\",\"id\":\"$id\",\"start\":\"2023-01-01\",\"checkpoint\":\"a\",\"direction\":\"in\",\"vehicles\":2}"
  done
  curl -s -o /dev/null -w '%{http_code}' -H "Content-Type: application/json" \
    -H "Authorization: Bearer $(cat token.m)" --data "{\"records\":[$recs]}" \
    "$BASE/api/v1/records"
}
# wait_cosigned SIZE K: until /checkpoint is of SIZE with K cosignatures
# (20 s at most); the note in cp.note.
wait_cosigned() {
  for _ in $(seq 200); do
    curl -s "$BASE/checkpoint" >cp.note
    if [ "$(sed -n 2p cp.note)" = "$1" ] &&
      [ "$(grep -c '^— witness.example/' cp.note)" = "$2" ]; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# As it starts, the server shows the witnesses the tree it has: the
# corridor's rules and its checkpoint, 2 entries.
wait_cosigned 2 3 && ok "the tree of 2 is cosigned as the server starts" ||
  bad "no three cosignatures of 2: $(cat cp.note; cat serve.log)"
[ "$(post f-1 f-2)" = 200 ] || bad "post f-1 f-2"
# the rules, 1 checkpoint entry + 2 flows: the tree of 4.
wait_cosigned 4 3 && ok "the tree of 4 gathers three cosignatures by itself" ||
  bad "no three cosignatures of 4: $(cat cp.note; cat serve.log)"
"$PASSAGE" --db "$sdb" verify --checkpoint cp.note --key log.vkey --witness w1.vkey \
  --witness w2.vkey --witness w3.vkey --quorum 3 >out 2>&1 &&
  ok "verify --quorum 3 takes the served checkpoint" || bad "verify: $(cat out)"
curl -s "$BASE/log/checkpoint" >log.note
cmp -s log.note cp.note && ok "/log/checkpoint is the same note, cosignatures and all" ||
  bad "/log/checkpoint: $(cat log.note)"
grep -c 'cosigned the tree of 4 entries (from 2)' serve.log | grep -qx 3 &&
  ok "each witness was asked from the 2 it held" || bad "serve.log: $(cat serve.log)"

# Witness 3 down: the next tree gets two; once it is back, the third.
kill "${wpids[3]}"
wait "${wpids[3]}" 2>/dev/null
[ "$(post f-3)" = 200 ] || bad "post f-3"
wait_cosigned 5 2 && ok "witness 3 down: the tree of 5 has two cosignatures" ||
  bad "tree of 5: $(cat cp.note)"
grep -q 'witness w3 did not cosign the tree of 5 entries' serve.log &&
  ok "the server says witness 3 did not cosign" || bad "$(cat serve.log)"
witness 3 "$(cat port.3)"
wait_cosigned 5 3 && ok "witness 3 back: asked again, the tree of 5 has three" ||
  bad "tree of 5 after the restart: $(cat cp.note; cat serve.log)"
grep -c 'cosigned the tree of 5 entries (from 4)' serve.log | grep -qx 3 &&
  ok "each witness cosigned 5 from the 4 it held" || bad "$(cat serve.log)"
"$PASSAGE" --db "$sdb" verify --checkpoint cp.note --key log.vkey --witness w1.vkey \
  --witness w2.vkey --witness w3.vkey --quorum 3 >out 2>&1 &&
  ok "verify --quorum 3 takes the tree of 5" || bad "verify 5: $(cat out)"
stop_server || fail=1

# Without witnesses the server signs on its own, a few seconds after a
# commit (--sign-interval), and the checkpoint has no cosignature line.
grep -v '^\[witness\|^url\|^key' corridor.ini >plain.ini
"$PASSAGE" --db "$pdb" init --corridor plain.ini >/dev/null
cp log.key "$(key_of "$pdb")"
"$PASSAGE" --db "$pdb" token create --role monitor --name m | tail -1 >token.m
: >serve.log
start_server "$pdb" --sign-interval 1 || exit 1
[ "$(post g-1)" = 200 ] || bad "post g-1"
wait_cosigned 3 0 && ok "no witness: the tree of 3 (rules, checkpoint, g-1) is signed by the server" ||
  bad "unwitnessed: $(cat cp.note; cat serve.log)"
"$PASSAGE" --db "$pdb" verify --checkpoint cp.note --key log.vkey >out 2>&1 &&
  ok "its signature verifies" || bad "verify plain: $(cat out)"
stop_server || fail=1

# Without the key the server signs nothing and says so.
rm "$(key_of "$pdb")"
: >serve.log
start_server "$pdb" || exit 1
grep -q 'the server signs no checkpoint and asks no witness' serve.log &&
  ok "no key: the server says it signs nothing" || bad "$(cat serve.log)"
stop_server || fail=1
[ $fail -eq 0 ] && echo "ok: witnesses"
exit $fail
