#!/usr/bin/env bash
# Usage: tests/http/openapi.sh PASSAGE
# docs/openapi.yaml and the route table (src/http/routes.def, printed by
# `passage serve --routes`) name the same routes, both ways: every route
# documented, every documented route served.
set -uo pipefail
PASSAGE=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
served=$("$PASSAGE" serve --routes | sort)
documented=$(awk '
  /^paths:/ { on = 1; next }
  on && /^[^ ]/ { on = 0 }
  on && /^  \/[^ ]*:$/ { path = $1; sub(/:$/, "", path) }
  on && path && /^    (get|post|put|delete|patch):$/ {
    m = $1; sub(/:$/, "", m); print toupper(m) " " path }
' "$top/docs/openapi.yaml" | sort)
if [ "$served" != "$documented" ]; then
  echo "routes served (<) and documented in docs/openapi.yaml (>) differ:"
  diff <(echo "$served") <(echo "$documented")
  exit 1
fi
echo "ok: $(echo "$served" | wc -l) routes, each documented"
