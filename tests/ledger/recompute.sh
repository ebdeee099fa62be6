#!/usr/bin/env bash
# Usage: recompute.sh PASSAGE
# A party recomputes compliance from the published log alone (issue 9
# item 1), as docs/verifying.md tells it to: the publisher gives out the
# log's entries, a signed checkpoint and the verifier key, nothing else.
# The party checks the entries against the checkpoint (the signature with
# passage verify-proof, the root with a few lines of Python written from
# RFC 9162), rebuilds a store from them (the corridor's rules, then the
# records, kind by kind) and gets the publisher's figures: compliance,
# index, availability and supply, byte for byte.
set -uo pipefail
passage=$(realpath "$1")
fixture=$(cd "$(dirname "$0")/../report/fixture" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# The publisher: the report fixture, with an amendment of its rules
# (restricted hours count 0.25) after the records.
mkdir "$work/publisher" "$work/party"
cd "$work/publisher"
cp "$fixture"/* .
export PASSAGE_DB=$PWD/p.db
passage() { "$passage" "$@"; }
. ./load.sh || { echo "FAIL: the fixture"; exit 1; }
sed 's/^restricted_weight = 0.5$/restricted_weight = 0.25/' corridor.ini >amended.ini
grep -q 'restricted_weight = 0.25' amended.ini || { echo "FAIL: amended.ini"; exit 1; }
"$passage" corridor amend amended.ini >/dev/null || { echo "FAIL: amend"; exit 1; }
"$passage" key generate >/dev/null
"$passage" log checkpoint >../party/cp.note
"$passage" key public >../party/log.vkey
n=$(sed -n 2p ../party/cp.note)
"$passage" log entries --start 0 --end "$n" >../party/entries.jsonl
answers() {
  "$passage" compliance --from 2024-02-01 --to 2024-02-07 --format json
  "$passage" index --from 2024-02-01 --to 2024-02-07 --format json
  "$passage" availability --from 2024-02-01 --to 2024-02-07 --format csv
  "$passage" supply --date 2024-02-07 --format json
}
answers >../published.txt

# The party: only cp.note, log.vkey and entries.jsonl.
cd "$work/party"
unset PASSAGE_DB
export PASSAGE_DB=$PWD/r.db
# 1. The checkpoint is signed by the log's key: a consistency proof from
#    the tree to itself is empty, and verify-proof checks the signature.
printf '{"old_size": %s, "new_size": %s, "hashes": []}\n' "$n" "$n" >self.json
if out=$("$passage" verify-proof --checkpoint cp.note --checkpoint cp.note --key log.vkey --proof self.json 2>&1); then
  echo "ok: the checkpoint is signed by the log's key: $out"
else
  echo "FAIL: the checkpoint's signature: $out"; fail=1
fi
# 2. The entries are the tree the checkpoint signed (RFC 9162 2.1.1).
root=$(python3 - entries.jsonl <<'PY'
import base64, hashlib, sys
leaves = [hashlib.sha256(b"\0" + l.rstrip(b"\n")).digest()
          for l in open(sys.argv[1], "rb")]
def mth(a):
    if len(a) == 1: return a[0]
    k = 1
    while 2 * k < len(a): k *= 2
    return hashlib.sha256(b"\1" + mth(a[:k]) + mth(a[k:])).digest()
print(base64.b64encode(mth(leaves)).decode())
PY
)
if [ "$root" = "$(sed -n 3p cp.note)" ] && [ "$(wc -l <entries.jsonl)" -eq "$n" ]; then
  echo "ok: the $n entries have the signed root $root"
else
  echo "FAIL: the entries' root $root is not the checkpoint's"; fail=1
fi
# 3. The rules in force at that size: the last corridor entry.
grep '"record":"corridor"' entries.jsonl | tail -1 >rules.json
"$passage" init --corridor rules.json >/dev/null || { echo "FAIL: init from the log's rules"; fail=1; }
# 4. The records, kind by kind, those named by others first, in log order.
for kind in checkpoint actor source flow status event coverage stock population need indicator production; do
  grep "\"record\":\"$kind\"" entries.jsonl >"$kind.jsonl" || continue
  "$passage" import "$kind" "$kind.jsonl" --format jsonl >/dev/null ||
    { echo "FAIL: importing the $kind entries"; fail=1; }
done
answers >../recomputed.txt
if cmp -s ../published.txt ../recomputed.txt; then
  echo "ok: compliance, index, availability and supply recomputed from the log alone are the publisher's ($(wc -l <../published.txt) lines)"
else
  echo "FAIL: the recomputed figures differ:"; diff ../published.txt ../recomputed.txt | head; fail=1
fi
# The amended rule is the one used: restricted hours count 0.25.
grep -q '"restricted_weight":0.25' rules.json || { echo "FAIL: not the amended rules"; fail=1; }
exit $fail
