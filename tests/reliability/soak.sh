#!/usr/bin/env bash
# Usage: tests/reliability/soak.sh PASSAGE [SECONDS] [WRITES/S] [READS/S] [FLOWS/S]
# Issue 15, item 7: a soak of passage serve at a fixed rate (soak.mjs): 20
# batches of 10 flows a second, 50 cheap reads (the status as the public
# reads it among them) and 1 flow answer and 1 analyst's status (with the
# index's baseline, an analysis over the baseline window) a second
# for SECONDS (45 in
# make check, 1800 in make torture), the server's RSS sampled each second.
# It must end with:
# - no error: every request answered 200, never more than 500 in flight;
# - every acknowledged record stored: the log's size is 3 (the rules, two checkpoints) + 10 x batches;
# - memory bounded: under 100 MiB at every sample (DESIGN.md section 9);
#   and, of what is left when the caches /metrics reports are taken off
#   (SQLite's page caches, capped per handle, and the writer's days, within
#   their budget, both of which fill as the store grows), the largest
#   sample of the last quarter at most 16 MiB above the largest of the
#   first (no growth beyond the warm-up: a leak, or freed memory kept);
#   not checked under ASan, whose quarantine holds freed memory by design;
# - SIGTERM stops the server with status 0, and the store verifies.
set -uo pipefail
PASSAGE=$(realpath "$1")
SECONDS_=${2:-45}
WPS=${3:-20}
RPS=${4:-50}
FPS=${5:-1}
command -v node >/dev/null || { echo "skipped: no node"; exit 77; }
WORK=$(mktemp -d)
trap 'stop_server >/dev/null 2>&1; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
db=$(store_location t)
setup_store "$db" || exit 1
start_server "$db" --quiet || exit 1
node "$here/soak.mjs" "$BASE" "$WORK" "$server_pid" "$SECONDS_" "$WPS" "$RPS" "$FPS" >"$WORK/soak.json" 2>"$WORK/soak.err"
rc=$?
cat "$WORK/soak.json"
[ -z "${SOAK_OUT:-}" ] || cp "$WORK/soak.json" "$SOAK_OUT"
[ $rc -eq 0 ] && ok "no error" || bad "errors: $(cat "$WORK/soak.err")"
read -r acked first_q last_q max < <(node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(s.acked, s.other_mib.first_quarter_max, s.other_mib.last_quarter_max, s.rss_mib.max)' "$WORK/soak.json")
size=$(curl -s "$BASE/healthz")
[ "$size" = "{\"status\":\"ok\",\"tree_size\":$((acked + 3))}" ] &&
  ok "$acked records acknowledged, all in the log" || bad "healthz: $size, $acked acknowledged"
# The binary's own symbols, not `ldd | grep -q`: under pipefail grep's
# early exit can kill ldd with SIGPIPE, and the pipeline then reads as no
# ASan (a make check once failed the bound under ASan that way).
if grep -qa __asan_init "$PASSAGE"; then
  echo "memory: not bounded under ASan (max $max MiB)"
else
  awk -v m="$max" 'BEGIN { exit !(m < 100) }' && ok "RSS at most $max MiB (< 100)" ||
    bad "RSS reached $max MiB"
  awk -v a="$first_q" -v b="$last_q" 'BEGIN { exit !(b - a <= 16) }' &&
    ok "RSS less the caches: first quarter's largest $first_q MiB, last quarter's $last_q MiB" ||
    bad "RSS less the caches grew from $first_q to $last_q MiB"
fi
stop_server || bad "SIGTERM"
verify_store "$db" "after the soak" && ok "the store verifies"
exit $fail
