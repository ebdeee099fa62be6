#!/usr/bin/env bash
# Usage: witness.sh PASSAGE
# A witness cosigns checkpoints only when each extends the last it signed;
# verify --witness accepts a cosigned checkpoint and refuses a bare one.
set -uo pipefail
passage=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export PASSAGE_DB=$work/p.db
fail=0
check() { # check NAME WANT-RC COMMAND...
  local name=$1 want=$2
  shift 2
  "$@" >out 2>&1
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL: $name: exit $rc, want $want: $(cat out)"; fail=1
  else
    echo "ok: $name"
  fi
}
"$passage" init --corridor "$here/corridor.ini" >/dev/null
"$passage" import flow "$here/flows.csv" >/dev/null
"$passage" key generate >/dev/null
"$passage" key public >log.vkey
"$passage" log checkpoint >cp1
"$passage" add flow --start 2023-01-02 --checkpoint kornidzor --direction out --vehicles 3 >/dev/null
"$passage" log checkpoint >cp2
"$passage" key generate --key w.key --name witness.example/ngo >/dev/null
"$passage" key public --key w.key --cosignature >w.vkey

check "key refuses to overwrite" 1 "$passage" key generate --key w.key --name x
check "cosign the first" 0 "$passage" log cosign --key w.key --log-key log.vkey --checkpoint cp1 --state last --output cp1.c
check "cosign an extension" 0 "$passage" log cosign --key w.key --log-key log.vkey --checkpoint cp2 --state last --output cp2.c
check "refuse to go back" 4 "$passage" log cosign --key w.key --log-key log.vkey --checkpoint cp1 --state last --output x
check "cosigned checkpoint verifies" 0 "$passage" verify --checkpoint cp2.c --key log.vkey --witness w.vkey
check "bare checkpoint lacks the witness" 4 "$passage" verify --checkpoint cp2 --key log.vkey --witness w.vkey
check "witness key is not the log key" 2 "$passage" verify --checkpoint cp2.c --key w.vkey
exit $fail
