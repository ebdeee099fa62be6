#!/usr/bin/env bash
# Usage: tests/http/same-bytes.sh PASSAGE
# The read API gives the bytes the CLI prints for the same query: the
# analysis answers as JSON and CSV, the sitrep, the log's entries and
# proofs, over the report tests' fixture (two checkpoints, several
# sources, a month of flows).
set -uo pipefail
PASSAGE=$(realpath "$1")
top=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
trap 'stop_server >/dev/null 2>&1; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
export PASSAGE_DB=$(store_location r)
passage() { "$PASSAGE" "$@"; }
(cd "$top/tests/report/fixture" && . ./load.sh) ||
  { echo "cannot load the report fixture"; exit 1; }
"$PASSAGE" token create --role analyst --name analyst | tail -1 >"$WORK/token"
start_server "$PASSAGE_DB" --quiet || exit 1
auth="Authorization: Bearer $(cat "$WORK/token")"
fail=0
same() { # "CLI ARGS" "PATH"
  "$PASSAGE" $1 >"$WORK/cli" 2>&1
  curl -s -H "$auth" "$BASE$2" >"$WORK/http"
  cmp -s "$WORK/cli" "$WORK/http" ||
    { echo "passage $1 and GET $2 differ:"; diff "$WORK/cli" "$WORK/http" | head; fail=1; }
}
span=$("$PASSAGE" flow --format csv | sed -n '2p;$p' | cut -d, -f1 | tr '\n' ' ')
read -r from to <<<"$span"
same "flow --from $from --to $to --format json" "/api/v1/flows?from=$from&to=$to"
same "flow --from $from --to $to --by day,source --format json" "/api/v1/flows?from=$from&to=$to&by=day,source"
same "flow --from $from --to $to --by week,checkpoint --measure persons --format csv" "/api/v1/flows?from=$from&to=$to&by=week,checkpoint&measure=persons&format=csv"
same "index --from $from --to $to --format json" "/api/v1/index?from=$from&to=$to"
same "availability --from $from --to $to --format json" "/api/v1/availability?from=$from&to=$to"
same "compliance --from $from --to $to --format json" "/api/v1/compliance?from=$from&to=$to"
same "supply --date $to --format json" "/api/v1/supply?date=$to"
same "pipeline --from $from --to $to --format json" "/api/v1/pipeline?from=$from&to=$to"
same "pipeline --from $from --to $to --measure tonnes --format csv" "/api/v1/pipeline?from=$from&to=$to&measure=tonnes&format=csv"
same "report sitrep --date $to --period week --format json" "/api/v1/reports/sitrep?date=$to&period=week&format=json"
same "log entries --start 0 --end 5" "/log/entries?start=0&end=5"
same "proof inclusion --index 3 --size 5" "/log/proof/inclusion?index=3&size=5"
same "proof consistency --old 2 --new 5" "/log/proof/consistency?old=2&new=5"
stop_server || fail=1
[ $fail -eq 0 ] && echo "ok: the server answers the CLI's bytes"
exit $fail
