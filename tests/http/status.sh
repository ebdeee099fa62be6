#!/usr/bin/env bash
# Usage: tests/http/status.sh PASSAGE
# What /api/v1/status gives a dashboard and an entry page that hold no
# analyst's token: the corridor's categories and stages, the checkpoints
# the index counts, the baseline per day (suppressed as the public's flows
# are), and the keys that checkpoints and cosignatures verify with.
set -uo pipefail
PASSAGE=$(realpath "$1")
WORK=$(mktemp -d)
trap 'stop_server >/dev/null 2>&1; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }

# The fixture's corridor, publishing the index, with two categories, the
# stages of a crossing, an obligation counting checkpoint a alone, and a
# witness.
sed 's/^public = flows, events$/public = flows, events, index/' \
  "$fixture/corridor.ini" >"$WORK/c.ini"
cat >>"$WORK/c.ini" <<'EOF2'

[category food]
name = Food
unit = t

[category fuel]
unit = m3

[stages]
order = queued, inspected, crossed
counting = crossed

[obligation vehicles-in]
text = Vehicles in at Alpha at half the baseline
measures = vehicles
directions = in
checkpoints = a
min_ratio_of_baseline = 0.5

[witness w1]
url = http://127.0.0.1:9/
key = witness.example/w1+1b5ab3c9+BIJpvn2tmqd4cC53dfvR8SOu5DyXXEYEMG9Mb7nl1wWe
EOF2
# The stores: files in $WORK, or on the backend PASSAGE_TEST_DB names.
db=$(store_location t)
udb=$(store_location u)
"$PASSAGE" --db "$db" init --corridor "$WORK/c.ini" >/dev/null || exit 1
cp "$fixture/test.key" "$(key_of "$db")"
chmod 600 "$(key_of "$db")"
for role in monitor analyst; do
  "$PASSAGE" --db "$db" token create --role $role --name $role |
    tail -1 >"$WORK/token.$role"
done
start_server "$db" --quiet || exit 1
# Every day of the baseline window (2023-01-01..07): 10 vehicles and 5
# persons in at a, 4 and 2 at b.
python3 - >"$WORK/b.json" <<'EOF2'
import json
r = []
for d in range(1, 8):
    for cp, v, p in (("a", 10, 5), ("b", 4, 2)):
        r.append({"kind": "flow", "id": "s-%s-%d" % (cp, d), "start": "2023-01-%02d" % d,
                  "checkpoint": cp, "direction": "in", "vehicles": v, "persons": p})
print(json.dumps({"records": r}))
EOF2
curl -s -o /dev/null -H "Authorization: Bearer $(cat "$WORK/token.monitor")" \
  -H 'Content-Type: application/json' --data-binary "@$WORK/b.json" "$BASE/api/v1/records"

get() { # get FIELD [TOKEN-ROLE]: a member of the status, as compact JSON
  local h=()
  [ -n "${2:-}" ] && h=(-H "Authorization: Bearer $(cat "$WORK/token.$2")")
  curl -s "${h[@]}" "$BASE/api/v1/status" |
    python3 -c "import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split('.'): v=v[k]
print(json.dumps(v, separators=(',', ':')))" "$1"
}
want() { # want NAME GOT EXPECTED
  [ "$2" = "$3" ] && ok "$1" || bad "$1: got $2, expected $3"
}
want "categories, the unit defaulting to t" "$(get corridor.categories)" \
  '[{"id":"food","name":"Food","unit":"t"},{"id":"fuel","name":"fuel","unit":"m3"}]'
want "stages" "$(get corridor.stages)" \
  '{"order":["queued","inspected","crossed"],"counting":"crossed"}'
want "the index counts the obligation's checkpoint" \
  "$(get corridor.index_checkpoints)" '["a"]'
want "the witnesses' keys, as the corridor gives them" "$(get keys.witnesses)" \
  '[{"name":"w1","key":"witness.example/w1+1b5ab3c9+BIJpvn2tmqd4cC53dfvR8SOu5DyXXEYEMG9Mb7nl1wWe"}]'
want "the log's verifier key" "$(get keys.log)" "\"$("$PASSAGE" key public --key "$(key_of "$db")")\""
# By hand: the index counts a alone, so the baseline is a's mean day: 10
# vehicles and 5 persons in; nothing out (unknown); no tonnes recorded.
want "the baseline for an analyst" "$(get baseline analyst)" \
  '{"window":{"from":"2023-01-01","to":"2023-01-07"},"per_day":{"in":{"persons":5.0,"vehicles":10.0,"tonnes":null},"out":{"persons":null,"vehicles":null,"tonnes":null}},"suppressed":false}'
# The public: 5 persons a day is under min_public_count (10): null.
want "the baseline for the public, persons suppressed" "$(get baseline)" \
  '{"window":{"from":"2023-01-01","to":"2023-01-07"},"per_day":{"in":{"persons":null,"vehicles":10.0,"tonnes":null},"out":{"persons":null,"vehicles":null,"tonnes":null}},"suppressed":true}'
stop_server || fail=1

# A corridor that does not publish the index: no baseline for the public.
"$PASSAGE" --db "$udb" init --corridor "$fixture/corridor.ini" >/dev/null
"$PASSAGE" --db "$udb" token create --role analyst --name analyst |
  tail -1 >"$WORK/token.analyst"
start_server "$udb" --quiet || exit 1
want "no published index: no baseline for the public" "$(get baseline)" null
want "no key: the log's key is null" "$(get keys.log)" null
want "an analyst gets the window" "$(get baseline.window analyst)" \
  '{"from":"2023-01-01","to":"2023-01-07"}'
stop_server || fail=1
[ $fail -eq 0 ] && echo "ok: status"
exit $fail
