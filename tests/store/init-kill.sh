#!/usr/bin/env bash
# Usage: init-kill.sh PASSAGE
# A killed init leaves no store (issue 9 item 5): init builds the store
# under a temporary name beside it and renames it into place whole. A
# corridor of 200 checkpoints makes init take long enough (one transaction
# per checkpoint, each synced) to kill it with SIGKILL at several moments
# after its temporary file appears; after each kill there is nothing at the
# store's path, the hint that commands give is right ("create one with
# 'passage init'"), and init then succeeds. An init that finished before
# its kill left a whole store.
set -uo pipefail
passage=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail=0

{
  printf '[corridor]\nname = Kill test\nlog = passage.example/kill\n'
  for i in $(seq 1 200); do printf '[checkpoint cp-%d]\nname = Checkpoint %d\n' "$i" "$i"; done
} >corridor.ini

start=$(date +%s%N)
"$passage" --db timed.db init --corridor corridor.ini >/dev/null || { echo "FAIL: init"; exit 1; }
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "an uninterrupted init takes $ms ms"

# made DB: the store or its temporary file exists.
made() { [ -e "$1" ] || compgen -G "$1.init-*" >/dev/null; }

midway=0
for delay in 0 0.01 0.03 0.06 0.1 0.15 0.2 0.3 0.5; do
  db=k$delay.db
  "$passage" --db "$db" init --corridor corridor.ini >/dev/null 2>&1 &
  pid=$!
  # From the moment the store (or its temporary file) exists.
  for _ in $(seq 1 500); do
    made "$db" && break
    sleep 0.002
  done
  sleep "$delay"
  tmp_seen=0
  made "$db" && tmp_seen=1
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  rc=$?
  if [ $rc -eq 0 ]; then
    # Finished before the kill: a whole store.
    if out=$("$passage" --db "$db" verify 2>&1); then
      echo "ok: killed after $delay s, init had finished: $(head -1 <<<"$out")"
    else
      echo "FAIL: init finished but the store does not verify: $out"; fail=1
    fi
    continue
  fi
  [ $tmp_seen -eq 1 ] && midway=$((midway + 1))
  if [ -e "$db" ]; then
    echo "FAIL: killed after $delay s (exit $rc): $db exists"; fail=1; continue
  fi
  hint=$("$passage" --db "$db" flow 2>&1)
  if ! grep -q "there is no store at $db: create one with 'passage init --corridor FILE'" <<<"$hint"; then
    echo "FAIL: the hint after a killed init: $hint"; fail=1
  fi
  if ! "$passage" --db "$db" init --corridor corridor.ini >/dev/null; then
    echo "FAIL: init after a killed one"; fail=1
  elif ! "$passage" --db "$db" verify >/dev/null; then
    echo "FAIL: the store made after a killed init does not verify"; fail=1
  else
    echo "ok: killed $delay s into making it (half made: $tmp_seen): nothing at $db, the hint is right, init then works"
  fi
done
if [ $midway -lt 5 ]; then
  echo "FAIL: only $midway kills came while the store was half made"; fail=1
fi
exit $fail
