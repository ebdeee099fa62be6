#!/usr/bin/env bash
# Usage: tests/reliability/crash-witness.sh PASSAGE [KILLS]
# Issue 15, item 1: a witness (passage witness serve) killed with SIGKILL
# while the log asks it to cosign never forgets a tree it cosigned. KILLS
# times (10 in make check, 100 in make torture) one more flow is added, the
# log asks the witness (log witness), and the witness is killed at a
# random moment within the time a whole request took the round before;
# then it is started again on its state file, and:
# - it starts (its state is whole), and the tree it holds is at least the
#   largest the log was told it cosigned (an answer the witness gave is
#   never taken back), and no larger than the log;
# - log witness again gets the current tree cosigned, from the size held.
set -uo pipefail
PASSAGE=$(realpath "$1")
KILLS=${2:-10}
WORK=$(mktemp -d)
wpid=
job=
trap '[ -n "$job" ] && kill -KILL $job 2>/dev/null; [ -n "$wpid" ] && kill -KILL $wpid 2>/dev/null; { wait; } 2>/dev/null; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
echo "seed $SEED, $KILLS kills"
cd "$WORK" || exit 1
export PASSAGE_DB=$WORK/p.db
port=0
start_witness() {
  local before
  touch w.log
  before=$(grep -c 'listening on port' w.log)
  "$PASSAGE" witness serve --listen "127.0.0.1:$port" --state w.state 2>>w.log &
  wpid=$!
  for _ in $(seq 200); do
    if [ "$(grep -c 'listening on port' w.log)" -gt "$before" ]; then
      port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' w.log | tail -1)
      return 0
    fi
    kill -0 $wpid 2>/dev/null || break
    sleep 0.05
  done
  bad "the witness did not start: $(tail -3 w.log)"
  return 1
}
"$PASSAGE" key generate --key log.key --name passage.example/crash >/dev/null
"$PASSAGE" key public --key log.key >log.vkey
"$PASSAGE" key generate --key w.key --name witness.example/w >/dev/null
"$PASSAGE" key public --key w.key --cosignature >w.vkey
"$PASSAGE" witness init --origin passage.example/crash --log-key log.vkey \
  --key w.key --state w.state >/dev/null || exit 1
start_witness || exit 1
printf '[corridor]\nname = Crash\nlog = passage.example/crash\n[checkpoint gate]\nname = Gate\n[witness w]\nurl = http://127.0.0.1:%s/\nkey = %s\n' \
  "$port" "$(cat w.vkey)" >corridor.ini
"$PASSAGE" init --corridor corridor.ini >/dev/null || exit 1
cp log.key p.db.key
hash=$(printf '%s' passage.example/crash | sha256sum | cut -d' ' -f1)
acked=0
span=50
mid=0
for k in $(seq 1 "$KILLS"); do
  "$PASSAGE" add flow --id "w$k" --start 2023-01-02 --checkpoint gate \
    --direction in --vehicles "$k" >/dev/null || exit 1
  size=$((2 + k)) # the rules, the checkpoint gate and k flows
  t0=$(date +%s%N)
  "$PASSAGE" log witness >lw.out 2>lw.err &
  job=$!
  rand_sleep 0 "$span"
  kill -KILL $wpid
  { wait $wpid; } 2>/dev/null
  wpid=
  wait $job
  job=
  s=$(sed -n 's/^witness w: cosigned the tree of \([0-9]*\) entries.*/\1/p' lw.err)
  if [ -n "$s" ]; then
    acked=$s
    span=$(( ($(date +%s%N) - t0) / 1000000 ))
  else
    mid=$((mid + 1))
  fi
  start_witness || break
  # 404 before its first cosignature: it holds the empty tree.
  code=$(curl -s -o held -w '%{http_code}' "http://127.0.0.1:$port/$hash/checkpoint")
  held=$(sed -n 2p held)
  [ "$code" = 404 ] && [ "$acked" = 0 ] && held=0
  if [ -n "$held" ] && [ "$held" -ge "$acked" ] && [ "$held" -le "$size" ]; then
    ok "kill $k: the witness holds $held (it answered $acked cosigned; the log has $size)"
  else
    bad "kill $k: the witness holds '$held', it answered $acked cosigned, the log has $size"
  fi
  "$PASSAGE" log witness >lw.out 2>lw.err
  grep -q "^witness w: cosigned the tree of $size entries (from $held)" lw.err &&
    acked=$size || bad "kill $k: log witness again: $(cat lw.err)"
done
echo "$mid of $KILLS kills came before the witness answered"
[ $fail -eq 0 ] && ok "$KILLS kills of a witness: no cosigned tree forgotten"
exit $fail
