#!/usr/bin/env bash
# Usage: concurrent.sh PASSAGE
# One snapshot per command (issue 9 item 2): while `passage add` appends
# records in a loop in the background, `verify` never reports a false
# failure, and each sitrep made meanwhile names the tree size it was
# computed at and equals, byte for byte, the sitrep made afterwards with
# --as-of that size. Before every read was one snapshot, a sitrep counted
# records appended after the size it named.
set -uo pipefail
passage=$(realpath "$1")
work=$(mktemp -d)
trap 'kill $adder 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
export PASSAGE_DB=$work/c.db
fail=0
rounds=${CONCURRENT_ROUNDS:-8}

cat >corridor.ini <<'INI'
[corridor]
name = Concurrent test
log = passage.example/concurrent
timezone = UTC
baseline = 2023-01-01..2023-01-31
[checkpoint north-gate]
name = North Gate
[checkpoint south-bridge]
name = South Bridge
[category food]
need_per_person_per_day = 0.5
[obligation free-movement]
measures = persons, vehicles
checkpoints = north-gate
min_ratio_of_baseline = 0.8
INI
printf 'id,name\ns1,Mission\ns2,Party A\ns3,Party B\n' >sources.csv
# 8,000 flows over half a year from three sources that overlap: a
# sitrep reads enough for appends to land in the middle of it.
awk 'BEGIN {
  srand(1)
  print "id,start,checkpoint,direction,vehicle,vehicles,persons,category,quantity,source,grade"
  for (i = 0; i < 8000; i++) {
    d = int(rand() * 181); m = 1; split("31 28 31 30 31 30", len)
    while (d >= len[m]) { d -= len[m]; m++ }
    printf "f%d,2023-%02d-%02dT%02d:00,%s,%s,truck,%d,%d,food,%d,s%d,B%d\n", i, m,
      d + 1, int(rand() * 24), rand() < 0.5 ? "north-gate" : "south-bridge",
      rand() < 0.5 ? "in" : "out", 1 + int(rand() * 30), int(rand() * 90),
      1 + int(rand() * 50), 1 + int(rand() * 3), 1 + int(rand() * 3)
  }
}' >flows.csv
"$passage" init --corridor corridor.ini >/dev/null
"$passage" import source sources.csv >/dev/null
"$passage" import flow flows.csv >/dev/null || { echo "FAIL: import"; exit 1; }

# The writer: one record a command, into the week the sitreps show.
(
  i=0
  while :; do
    i=$((i + 1))
    "$passage" add flow --start "2023-06-2$((i % 8 + 1))T$((i % 14 + 10)):00" \
      --checkpoint north-gate --direction in --vehicles $((i % 50 + 1)) \
      --persons $((i % 7)) --source s1 --grade A1 >/dev/null 2>&1
  done
) &
adder=$!

size_of() { grep -oE '"tree_size": [0-9]+|tree size \*\*[0-9]+\*\*' "$1" | head -1 | grep -oE '[0-9]+'; }
verified=0
for r in $(seq 1 "$rounds"); do
  for f in md json; do
    "$passage" report sitrep --date 2023-06-28 --period week --format $f >during-$r.$f 2>&1 ||
      { echo "FAIL: sitrep $r.$f: $(cat during-$r.$f)"; fail=1; }
  done
  if out=$("$passage" verify 2>&1); then
    verified=$((verified + 1))
  else
    echo "FAIL: verify under appends: $out"; fail=1
  fi
done
kill $adder 2>/dev/null
wait $adder 2>/dev/null
final=$("$passage" verify | head -1)
echo "after the appends: $final"

same=0
sizes=""
for r in $(seq 1 "$rounds"); do
  for f in md json; do
    n=$(size_of during-$r.$f)
    sizes="$sizes $n"
    "$passage" report sitrep --date 2023-06-28 --period week --format $f --as-of "$n" >later-$r.$f
    if cmp -s during-$r.$f later-$r.$f; then
      same=$((same + 1))
    else
      echo "FAIL: the $f sitrep made at tree size $n differs from --as-of $n:"
      diff during-$r.$f later-$r.$f | head -6
      fail=1
    fi
  done
done
distinct=$(tr ' ' '\n' <<<"$sizes" | sort -u | grep -c .)
echo "sitreps made during the appends: $((2 * rounds)), at $distinct distinct tree sizes; equal to --as-of: $same"
echo "verify during the appends: $verified of $rounds passed"
if [ "$distinct" -lt 3 ]; then
  echo "FAIL: the appends hardly ran (tree sizes:$sizes)"; fail=1
fi
exit $fail
