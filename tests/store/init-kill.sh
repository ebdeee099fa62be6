#!/usr/bin/env bash
# Usage: init-kill.sh PASSAGE
# A killed init leaves no store (issue 9 item 5): init builds the store
# under a temporary name beside it and renames it into place whole. A
# corridor of 200 checkpoints makes init take a while (one transaction per
# checkpoint, each synced); it is killed with SIGKILL at nine points of its
# progress, told by the size of the temporary store's write-ahead log (5% to
# 90% of the size it reaches in an init left alone), so that the kills land
# in the middle however fast the machine is. After each kill there is
# nothing at the store's path, the hint that commands give is right
# ("create one with 'passage init'"), and init then succeeds. The previous
# build left a half-made store at the path.
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

# Runs init on DB and, when FRACTION is given, kills it with SIGKILL once
# the write-ahead log of its store (temporary or not) is that fraction of
# MAX bytes; prints the largest size seen and init's exit code. Python
# holds the child unreaped until it has waited for it, so the signal never
# reaches a pid that another process has taken since.
run_init() {
  python3 - "$passage" "$1" "${2:-}" "${3:-0}" <<'PY'
import glob, os, subprocess, sys, time
passage, db, fraction, most = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
p = subprocess.Popen([passage, "--db", db, "init", "--corridor", "corridor.ini"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
seen = 0
while p.poll() is None:
    for wal in glob.glob(db + ".init-*-wal") + [db + "-wal"]:
        try:
            seen = max(seen, os.path.getsize(wal))
        except OSError:
            pass
    if fraction and seen >= float(fraction) * most:
        p.kill()
        break
    time.sleep(0.001)
print(seen, p.wait())
PY
}

read -r most rc <<<"$(run_init timed.db)"
[ "$rc" = 0 ] || { echo "FAIL: an init left alone: exit $rc"; exit 1; }
echo "an init left alone: its write-ahead log grew to $most bytes"

midway=0
for pct in 5 15 25 35 45 55 65 75 90; do
  db=k$pct.db
  read -r seen rc <<<"$(run_init "$db" "0.$(printf %02d "$pct")" "$most")"
  if [ "$rc" = 0 ]; then
    if out=$("$passage" --db "$db" verify 2>&1); then
      echo "ok: at $pct% init had finished first: $(head -1 <<<"$out")"
    else
      echo "FAIL: init finished but the store does not verify: $out"; fail=1
    fi
    continue
  fi
  tmp_left=0
  compgen -G "$db.init-*" >/dev/null && tmp_left=1
  [ $tmp_left -eq 1 ] && midway=$((midway + 1))
  if [ -e "$db" ]; then
    echo "FAIL: killed at $pct% ($seen bytes of log, exit $rc): $db exists"; fail=1
    continue
  fi
  hint=$("$passage" --db "$db" flow 2>&1)
  if ! grep -q "there is no store at $db: create one with 'passage init --corridor FILE'" <<<"$hint"; then
    echo "FAIL: the hint after a killed init: $hint"; fail=1
  elif ! "$passage" --db "$db" init --corridor corridor.ini >/dev/null; then
    echo "FAIL: init after a killed one"; fail=1
  elif ! "$passage" --db "$db" verify >/dev/null; then
    echo "FAIL: the store made after a killed init does not verify"; fail=1
  else
    echo "ok: killed at $pct% of its log ($seen bytes; its temporary store left: $tmp_left): nothing at $db, the hint is right, init then works"
  fi
done
if [ $midway -lt 7 ]; then
  echo "FAIL: only $midway of 9 kills came while the store was half made"; fail=1
fi
exit $fail
