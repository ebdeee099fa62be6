#!/usr/bin/env bash
# Usage: tests/http/run.sh PASSAGE CASE
# Replays the case folder tests/http/cases/CASE against a real server on a
# loopback port, started for it on a fresh store (lib.sh) and stopped with
# SIGTERM, which must end it with status 0.
#
# A case is one or more requests, replayed in order: N.request (the first
# line "METHOD PATH", header lines, a blank line, the body; {admin},
# {monitor}, ... stand for that role's token) and N.expected (the first
# line the status, then header lines that must be in the answer, a blank
# line, the exact body, or @any to leave it unchecked). A body line
# "@FILE" in a request sends the case's FILE. A
# file serve.args holds more options for `passage serve`; a folder web/
# is served as the static folder. Paths are sent as written
# (--path-as-is), so that traversal attempts reach the server.
set -uo pipefail
PASSAGE=$(realpath "$1")
case_dir=$(cd "$(dirname "$0")" && pwd)/cases/$2
WORK=$(mktemp -d)
trap 'stop_server >/dev/null 2>&1; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
db=$(store_location t)

setup_store "$db" || exit 1
args=()
[ -f "$case_dir/serve.args" ] && read -ra args <"$case_dir/serve.args"
[ -d "$case_dir/web" ] && args+=(--web "$case_dir/web")
start_server "$db" "${args[@]}" || exit 1

# Replaces {role} by the role's token.
tokens() {
  local line=$1
  for t in "$WORK"/token.*; do
    line=${line//\{${t##*.}\}/$(cat "$t")}
  done
  printf '%s' "$line"
}

fail=0
for req in "$case_dir"/*.request; do
  n=$(basename "$req" .request)
  exp=$case_dir/$n.expected
  read -r method path <"$req"
  curl_args=(-s --path-as-is -X "$method" -o "$WORK/body" -D "$WORK/head"
             -w '%{http_code}')
  body=0
  : >"$WORK/send"
  while IFS= read -r line; do
    if [ $body -eq 0 ]; then
      if [ -z "$line" ]; then body=1; continue; fi
      curl_args+=(-H "$(tokens "$line")")
    elif [[ $line == @* ]]; then
      cat "$case_dir/${line#@}" >>"$WORK/send"
    else
      printf '%s\n' "$line" >>"$WORK/send"
    fi
  done < <(tail -n +2 "$req")
  [ $body -eq 1 ] && curl_args+=(--data-binary "@$WORK/send")
  status=$(curl "${curl_args[@]}" "$BASE$(tokens "$path")")
  if [ -n "${BLESS:-}" ]; then # writes what was answered as expected
    { echo "$status"; echo; cat "$WORK/body"; } >"$exp"
  fi
  want_status=$(head -1 "$exp")
  if [ "$status" != "$want_status" ]; then
    echo "$n: $method $path: status $status, expected $want_status"
    cat "$WORK/body"; echo; fail=1; continue
  fi
  # Headers expected, then the body after the blank line.
  awk 'NR>1 && /^$/{exit} NR>1' "$exp" | while IFS= read -r h; do
    grep -qiF "$h" "$WORK/head" || { echo "$n: no header '$h'"; exit 1; }
  done || fail=1
  awk 'f; NR>1 && /^$/ && !f{f=1}' "$exp" >"$WORK/want"
  # A body of "@any" is not compared (an answer another module words).
  if [ "$(cat "$WORK/want")" = "@any" ]; then
    :
  elif ! cmp -s "$WORK/want" "$WORK/body"; then
    echo "$n: $method $path: the body differs (expected, got):"
    diff "$WORK/want" "$WORK/body" | head -20; fail=1
  fi
done
stop_server || fail=1
[ $fail -eq 0 ] && echo "ok: $2"
exit $fail
