#!/usr/bin/env bash
# The starter corridor file (passage corridor template) is accepted by init
# as it is, and names every key docs/corridor-file.md lists (set, or
# commented out with its default), so that it keeps up with the docs.
set -uo pipefail
passage=$(realpath "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail=0

"$passage" corridor template >corridor.ini || { echo "template failed"; exit 1; }
if ! out=$("$passage" --db t.db init --corridor corridor.ini 2>&1); then
  echo "init refuses the template:"; echo "$out"; fail=1
fi
case $out in
"initialised t.db for Example corridor (1 checkpoint, time zone UTC)") ;;
*) echo "unexpected: $out"; fail=1 ;;
esac

keys=$(grep -oE '^\| `[a-z_]+` \|' "$top/docs/corridor-file.md" |
  sed -E 's/^\| `([a-z_]+)` \|/\1/' | sort -u)
[ -n "$keys" ] || { echo "no keys found in docs/corridor-file.md"; exit 1; }
for k in $keys; do
  if ! grep -qE "^(; )?$k = " corridor.ini; then
    echo "the template lacks the key '$k' (docs/corridor-file.md lists it)"
    fail=1
  fi
done
[ $fail -eq 0 ] && echo "ok: the template inits a store and names $(echo "$keys" | wc -l) keys"
exit $fail
