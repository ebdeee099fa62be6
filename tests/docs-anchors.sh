#!/usr/bin/env bash
# Every section of docs/ that a message names (docs/importing.md#dates)
# exists: as <a id="dates"></a> in that page.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
fail=0
for ref in $(grep -rhoE 'docs/[a-z-]+\.md#[a-z-]+' src | sort -u); do
  page=${ref%%#*}
  anchor=${ref#*#}
  if [ ! -f "$page" ]; then
    echo "$ref: no page $page"; fail=1
  elif ! grep -qF "<a id=\"$anchor\"></a>" "$page"; then
    echo "$ref: $page has no <a id=\"$anchor\"></a>"; fail=1
  fi
done
[ $fail -eq 0 ] && echo "ok: every section the messages name exists"
exit $fail
