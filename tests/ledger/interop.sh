#!/usr/bin/env bash
# Usage: interop.sh PASSAGE
# Our checkpoint, entries and proofs, checked by tests/ledger/verifier.mjs:
# a verifier written from RFC 9162 and the C2SP texts in JavaScript, with
# Node's own SHA-256 and Ed25519, sharing no code with Passage; then the
# same log as C2SP tiles (passage log tiles), with a witness's cosignature.
set -euo pipefail
passage=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
if ! command -v node >/dev/null; then
  echo "skipped: node is not installed"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export PASSAGE_DB=$work/p.db
bash "$top/data/scenarios/lachin-2022-2023/load.sh" "$passage" >/dev/null
"$passage" key generate >/dev/null
"$passage" key public >log.vkey
size=$("$passage" log checkpoint | sed -n 2p)
"$passage" log checkpoint >cp.note
"$passage" log entries --start 0 --end "$size" >entries.jsonl
proofs=()
for i in 0 1 63 64 100 $((size - 1)); do
  "$passage" proof inclusion --index "$i" >"incl-$i.json"
  proofs+=("incl-$i.json")
done
"$passage" proof inclusion --index 5 --size 64 >incl-5-64.json
proofs+=(incl-5-64.json)
for old in 1 7 64 100 $((size - 1)); do
  "$passage" proof consistency --old "$old" --new "$size" >"cons-$old.json"
  proofs+=("cons-$old.json")
done
node "$here/verifier.mjs" log.vkey cp.note entries.jsonl "${proofs[@]}"
"$passage" log tiles --out tiles >/dev/null
"$passage" key generate --key w.key --name witness.example/interop >/dev/null
"$passage" key public --key w.key --cosignature >w.vkey
"$passage" log cosign --key w.key --log-key log.vkey --checkpoint tiles/checkpoint \
  --output cosigned >/dev/null
mv cosigned tiles/checkpoint
node "$here/verifier.mjs" --tiles log.vkey tiles w.vkey
