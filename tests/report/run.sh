#!/usr/bin/env bash
# Golden-output tests of `passage report` (see tests/report/README.md).
#
# usage: run.sh [--update] PASSAGE [CASE...]
#
# Each CASE is a folder under tests/report/cases/ (a name or a path; all of
# them when none is given). Its `cmd` runs with bash in a fresh temporary
# folder holding a copy of tests/report/fixture/ and then of the case's own
# files, with a shell function `passage` that runs the binary,
# PASSAGE_DB=./passage.db, LC_ALL=C, TZ=UTC and no other PASSAGE_* variable
# (REPORT_LOCALEDIR names the build's compiled catalogues). What it prints
# (stdout and stderr together) is compared byte for byte with `expected`,
# its exit status with `expected.rc` (0 when absent). --update writes what
# the command printed instead: read the diff before committing it.
set -u

update=0
if [ "${1:-}" = --update ]; then
  update=1
  shift
fi
if [ $# -lt 1 ]; then
  echo "usage: run.sh [--update] PASSAGE [CASE...]" >&2
  exit 2
fi
passage=$1
shift
case $passage in
/*) ;;
*) passage=$PWD/$passage ;;
esac
if [ ! -x "$passage" ]; then
  echo "run.sh: $passage is not an executable" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)

cases=()
if [ $# -eq 0 ]; then
  for d in "$here"/cases/*/; do
    cases+=("${d%/}")
  done
else
  for c in "$@"; do
    if [ -d "$c" ]; then
      cases+=("$(cd "$c" && pwd)")
    else
      cases+=("$here/cases/$c")
    fi
  done
fi

# tmpfs when there is one: SQLite syncs every commit.
tmpbase=${TMPDIR:-/tmp}
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  tmpbase=/dev/shm
fi

run_case() {
  local dir=$1 name work f rc want_rc ok=0
  name=$(basename "$dir")
  work=$(mktemp -d "$tmpbase/passage-report-$name.XXXXXX") || return 1
  cp -R "$here/fixture/." "$work/"
  for f in "$dir"/*; do
    case $(basename "$f") in
    cmd | expected | expected.rc) continue ;;
    esac
    cp -R "$f" "$work/"
  done
  (
    cd "$work" || exit 125
    # shellcheck disable=SC2046
    unset $(compgen -e | grep '^PASSAGE') 2>/dev/null
    export PASSAGE="$passage" PASSAGE_DB=./passage.db LC_ALL=C TZ=UTC
    exec timeout 120 bash -c 'passage() { "$PASSAGE" "$@"; }; . "$1"' \
      cmd "$dir/cmd" >"$work/.out" 2>&1 </dev/null
  )
  rc=$?
  want_rc=0
  if [ -f "$dir/expected.rc" ]; then
    want_rc=$(tr -d ' \n' <"$dir/expected.rc")
  fi
  if [ $update = 1 ]; then
    cp "$work/.out" "$dir/expected"
    if [ "$rc" = 0 ]; then rm -f "$dir/expected.rc"; else echo "$rc" >"$dir/expected.rc"; fi
    echo "updated report/$name"
    rm -rf "$work"
    return 0
  fi
  if [ ! -f "$dir/expected" ]; then
    echo "report/$name: no expected file in $dir"
    ok=1
  elif ! cmp -s "$dir/expected" "$work/.out"; then
    echo "report/$name: output differs (- expected, + actual):"
    diff -u --label expected --label actual "$dir/expected" "$work/.out"
    ok=1
  fi
  if [ "$rc" != "$want_rc" ]; then
    echo "report/$name: exit status $rc, expected $want_rc"
    ok=1
  fi
  if [ $ok = 0 ] || [ -z "${PASSAGE_REPORT_KEEP:-}" ]; then
    rm -rf "$work"
  else
    echo "report/$name: kept $work"
  fi
  return $ok
}

failed=0
for c in "${cases[@]}"; do
  if run_case "$c"; then
    [ ${#cases[@]} -gt 1 ] && [ $update = 0 ] && echo "ok   report/$(basename "$c")"
  else
    echo "FAIL report/$(basename "$c")"
    failed=$((failed + 1))
  fi
done
[ $failed = 0 ]
