#!/usr/bin/env bash
# The folder list and the internals pages match the tree:
# - docs/internals/README.md names every folder of src/, and README.md's
#   "Where things are" every module (subfolders as store/sqlite);
# - every file of src/<module>/ (and its subfolders) is named in
#   docs/internals/<module>.md, or in docs/internals/README.md for the
#   modules without a page of their own (util, cli);
# - every source file a page names (`x.c`, `x.h`, `x.def`, or a path to
#   one) exists.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
index=docs/internals/README.md
fail=0

where=$(awk '/^## Where things are/{on=1; next} /^## /{on=0} on' README.md)
for d in $(cd src && find . -mindepth 1 -type d | sed 's|^\./||' | sort); do
  if ! grep -qF "\`src/$d/\`" "$index"; then
    echo "$index does not name src/$d/"; fail=1
  fi
  if ! grep -qF "\`$d\`" <<<"$where"; then
    echo "README.md's 'Where things are' does not name $d"; fail=1
  fi
done

for f in $(cd src && find . -type f | sed 's|^\./||' | sort); do
  module=${f%%/*}
  page=docs/internals/$module.md
  [ -f "$page" ] || page=$index
  b=$(basename "$f")
  if ! grep -qF -e "\`$b\`" -e "/$b\`" "$page"; then
    echo "$page does not name src/$f"; fail=1
  fi
done

for page in docs/internals/*.md; do
  for name in $(grep -oE '`[A-Za-z0-9_./-]+\.(c|h|def)`' "$page" | tr -d '`' |
                sort -u); do
    case $name in
    */*) [ -e "$name" ] || [ -e "src/$name" ] ||
           { echo "$page names $name, which does not exist"; fail=1; } ;;
    *) [ -n "$(find src tests bench -name "$name" -print -quit)" ] ||
         { echo "$page names $name, which does not exist"; fail=1; } ;;
    esac
  done
done

[ $fail -eq 0 ] && echo "ok: the folder list and docs/internals match the tree"
exit $fail
