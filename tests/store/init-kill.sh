#!/usr/bin/env bash
# Usage: init-kill.sh PASSAGE
# A killed init leaves no store (issue 9 item 5): init builds the store
# under a temporary name beside it and renames it into place whole. A
# corridor of 200 checkpoints makes init take long enough (one transaction
# per checkpoint, each synced) to kill it with SIGKILL at 10% to 90% of
# its time; after each kill there is nothing at the store's path, the hint
# that commands give is right ("create one with 'passage init'"), and init
# then succeeds. An init that finished before its kill (or was killed just
# after its last step, the rename) left a whole store. The previous build
# left a half-made store at the path.
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

midway=0
# At 10% to 90% of the time an init takes. timeout delivers the SIGKILL to
# its own child only: a pid freed by an init that finished first is never
# signalled.
for pct in 10 20 30 40 50 60 70 80 90; do
  delay=$(awk -v ms="$ms" -v p="$pct" 'BEGIN { printf "%.3f", ms * p / 100000 }')
  db=k$pct.db
  timeout --foreground -s KILL "$delay" "$passage" --db "$db" init --corridor corridor.ini >/dev/null 2>&1
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
  # A kill in the middle leaves the temporary store beside the path.
  tmp_seen=0
  compgen -G "$db.init-*" >/dev/null && tmp_seen=1
  [ $tmp_seen -eq 1 ] && midway=$((midway + 1))
  if [ -e "$db" ]; then
    # Killed after the rename, its last step: the store there is whole.
    if [ $tmp_seen -eq 0 ] && out=$("$passage" --db "$db" verify 2>&1); then
      echo "ok: killed after $delay s, just after the store was in place: $(head -1 <<<"$out")"
    else
      echo "FAIL: killed after $delay s (exit $rc): $db exists and is not whole: $out"; fail=1
    fi
    continue
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
    echo "ok: killed after $delay s (exit $rc, its temporary store left: $tmp_seen): nothing at $db, the hint is right, init then works"
  fi
done
if [ $midway -lt 5 ]; then
  echo "FAIL: only $midway kills came while the store was half made"; fail=1
fi
exit $fail
