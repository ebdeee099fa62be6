#!/usr/bin/env bash
# The CLI is a front end: it parses options, calls app and formats what app
# returns (docs/internals/app.md). This checks the rules that say so:
# - no function in src/cli is over 60 lines;
# - src/cli includes headers of app/, util/ and record/ (and its own) only,
#   and http/http.h, the other front end, which `serve` starts;
# - no file of src/cli calls the store, ledger, analysis, report, ingest or
#   corridor modules, or builds JSON (jansson setters, the JSON and base64
#   writers): that is app's work.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top/src/cli" || exit 1
fail=0
files=(*.c *.h)

# A definition starts with its name at the start of a line (the return type
# stands on the line before) and ends with the brace at the start of a line.
long=$(awk '/^[A-Za-z_][A-Za-z0-9_]*\(/ && !/;[ \t]*$/ {
              name = $0; sub(/\(.*/, "", name); start = FNR }
            start && /^}/ { n = FNR - start + 1
              if (n > 60) print FILENAME ":" start ": " name " has " n " lines"
              start = 0 }' "${files[@]}")
if [ -n "$long" ]; then
  echo "functions over 60 lines:"; echo "$long"; fail=1
fi

bad=$(grep -nE '^#include "' "${files[@]}" |
  grep -vE '#include "(app|util|record|cli)/[a-z_0-9]+\.(h|def)"' |
  grep -v '#include "http/http.h"')
if [ -n "$bad" ]; then
  echo "headers src/cli may not include:"; echo "$bad"; fail=1
fi

logic=$(grep -nE '\b(store|ledger|analysis|report|ingest|corridor)_[a-z_]+\(|\bjson_(object_set|array_append|array_insert|pack)|\butil_(json_write|jcs_|base64_)' \
  "${files[@]}")
if [ -n "$logic" ]; then
  echo "domain logic or JSON building in src/cli (it belongs in app):"
  echo "$logic"; fail=1
fi
[ $fail -eq 0 ] && echo "ok: src/cli parses, calls app and formats (${#files[@]} files checked)"
exit $fail
