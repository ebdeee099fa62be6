#!/usr/bin/env bash
# Golden-output tests for the passage command (see tests/cli/README.md).
#
# usage: run.sh [--update] PASSAGE [CASE...]
#
# Each CASE is a folder under tests/cli/cases/ (a name or a path; all of them
# when none is given). Its `cmd` runs with bash in a fresh temporary folder
# holding a copy of tests/cli/common/ and of the case's own input files, with
# PASSAGE set to the binary, a shell function `passage` that runs it, and
# PASSAGE_DB=./passage.db. What it prints is compared byte for byte with
# `expected` (stdout and stderr together, as a terminal shows them) or with
# `expected.out` and `expected.err`; its exit status (that of its last
# command) with `expected.rc` (0 when absent).
#
# PASSAGE_TEST_DB, when set, is a location template for another backend
# (scripts/with-postgres gives one in PASSAGE_TEST_PG): each case then runs
# on a store of its own at that location, its "%s" replaced by a fresh
# name, instead of ./passage.db; where that location appears in what a
# command prints, it is compared as ./passage.db, so that one expected
# output holds for every backend. Likewise the store's default signing
# key: beside a file it is ./passage.db.key, and a store on a server,
# which has no folder, keeps it as passage.key in the current folder
# (app__key_path): that name is compared as ./passage.db.key. A case
# whose folder holds a file `backends` runs only on the backends it lists
# (sqlite, postgresql), each line saying why.
#
# --update writes what the command printed into the expected files instead
# of comparing. Read the diff before committing it: an expected file states
# what is right, not what the program happens to do.
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
# Other golden suites (tests/report) run through this script with their own
# name, folder of cases and folder of shared input files.
suite=${GOLDEN_SUITE:-cli}
root=${GOLDEN_ROOT:-$here}
common=${GOLDEN_COMMON:-common}

cases=()
if [ $# -eq 0 ]; then
  for d in "$root"/cases/*/; do
    cases+=("${d%/}")
  done
else
  for c in "$@"; do
    if [ -d "$c" ]; then
      cases+=("$(cd "$c" && pwd)")
    else
      cases+=("$root/cases/$c")
    fi
  done
fi

# tmpfs when there is one: SQLite syncs every commit, which costs
# milliseconds each on a disk and nothing in memory.
tmpbase=${PASSAGE_CLI_TMPDIR:-}
if [ -z "$tmpbase" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    tmpbase=/dev/shm
  else
    tmpbase=${TMPDIR:-/tmp}
  fi
fi

template=${PASSAGE_TEST_DB:-}
# What a case's cmd may call: passage, and store_at NAME, which prints the
# location of another new store of this backend (NAME.db for SQLite).
# shellcheck disable=SC2016
preamble='passage() { "$PASSAGE" "$@"; }
store_at() {
  if [ -n "${PASSAGE_TEST_DB_TEMPLATE:-}" ]; then
    printf "%s\n" "${PASSAGE_TEST_DB_TEMPLATE//%s/${1}_$$_$RANDOM}"
  else
    printf "%s\n" "$1.db"
  fi
}
'

backend=sqlite
case $template in
postgres*) backend=postgresql ;;
esac

# Runs one case; returns 0 when it passes, 77 when it is not for this
# backend.
run_case() {
  local dir=$1 name work f base sep rc want_rc ok=0 db=./passage.db
  name=$(basename "$dir")
  if [ ! -f "$dir/cmd" ]; then
    echo "$suite/$name: no cmd file in $dir" >&2
    return 1
  fi
  if [ -f "$dir/backends" ] && ! grep -q "^$backend\b" "$dir/backends"; then
    echo "skip $suite/$name: not for $backend ($(head -1 "$dir/backends"))"
    return 77
  fi
  if [ -n "$template" ]; then
    db=${template//%s/${suite}_${name//-/_}_$$_$RANDOM}
  fi
  work=$(mktemp -d "$tmpbase/passage-$suite-$name.XXXXXX") || return 1
  if [ -d "$root/$common" ]; then
    cp -R "$root/$common/." "$work/"
  fi
  for f in "$dir"/* "$dir"/.[!.]*; do
    [ -e "$f" ] || continue
    base=$(basename "$f")
    case $base in
    cmd | expected | expected.out | expected.err | expected.rc) continue ;;
    esac
    cp -R "$f" "$work/"
  done
  sep=0
  if [ -f "$dir/expected.out" ] || [ -f "$dir/expected.err" ]; then
    sep=1
  fi
  # A clean, fixed environment: the case sees only what it sets itself.
  (
    cd "$work" || exit 125
    # shellcheck disable=SC2046
    unset $(compgen -e | grep '^PASSAGE') 2>/dev/null
    # SOURCE_DATE_EPOCH pins the time the log records imports and
    # withdrawals at (2024-02-08T00:00:00Z), so that hashes and tree heads
    # come out the same on every run.
    export PASSAGE="$passage" PASSAGE_DB="$db" LC_ALL=C TZ=UTC \
      SOURCE_DATE_EPOCH=1707350400
    [ -n "$template" ] && export PASSAGE_TEST_DB_TEMPLATE="$template"
    if [ $sep = 1 ]; then
      exec timeout 120 bash -c "$preamble"' . "$1"' \
        cmd "$dir/cmd" >"$work/.out" 2>"$work/.err" </dev/null
    else
      exec timeout 120 bash -c "$preamble"' . "$1"' \
        cmd "$dir/cmd" >"$work/.out" 2>&1 </dev/null
    fi
  )
  rc=$?
  if [ "$db" != ./passage.db ]; then
    for f in "$work/.out" "$work/.err"; do
      [ -f "$f" ] || continue
      DB=$db perl -pi -e 's/\Q$ENV{DB}\E/.\/passage.db/g;
        s/(?<![\w.\/-])passage\.key\b/.\/passage.db.key/g' "$f"
    done
  fi
  want_rc=0
  if [ -f "$dir/expected.rc" ]; then
    want_rc=$(tr -d ' \n' <"$dir/expected.rc")
  fi

  if [ $update = 1 ]; then
    if [ $sep = 1 ]; then
      cp "$work/.out" "$dir/expected.out"
      cp "$work/.err" "$dir/expected.err"
    else
      cp "$work/.out" "$dir/expected"
    fi
    if [ "$rc" = 0 ]; then
      rm -f "$dir/expected.rc"
    else
      echo "$rc" >"$dir/expected.rc"
    fi
    echo "updated $suite/$name"
    rm -rf "$work"
    return 0
  fi

  if [ $sep = 1 ]; then
    for f in out err; do
      if [ ! -f "$dir/expected.$f" ]; then
        : >"$work/.want.$f"
      else
        cp "$dir/expected.$f" "$work/.want.$f"
      fi
      if ! cmp -s "$work/.want.$f" "$work/.$f"; then
        echo "$suite/$name: std$f differs (- expected, + actual):"
        diff -u --label expected.$f --label actual "$work/.want.$f" \
          "$work/.$f"
        ok=1
      fi
    done
  else
    if [ ! -f "$dir/expected" ]; then
      echo "$suite/$name: no expected file in $dir"
      ok=1
    elif ! cmp -s "$dir/expected" "$work/.out"; then
      echo "$suite/$name: output differs (- expected, + actual):"
      diff -u --label expected --label actual "$dir/expected" "$work/.out"
      ok=1
    fi
  fi
  if [ "$rc" != "$want_rc" ]; then
    echo "$suite/$name: exit status $rc, expected $want_rc"
    ok=1
  fi
  if [ $ok = 0 ] || [ -z "${PASSAGE_CLI_KEEP:-}" ]; then
    rm -rf "$work"
  else
    echo "$suite/$name: kept $work"
  fi
  return $ok
}

failed=0
skipped=0
for c in "${cases[@]}"; do
  run_case "$c"
  case $? in
  0) [ ${#cases[@]} -gt 1 ] && [ $update = 0 ] && echo "ok   $suite/$(basename "$c")" ;;
  77) skipped=$((skipped + 1)) ;;
  *)
    echo "FAIL $suite/$(basename "$c")"
    failed=$((failed + 1))
    ;;
  esac
done
if [ ${#cases[@]} -gt 1 ] && [ $update = 0 ]; then
  echo "$((${#cases[@]} - failed - skipped)) of ${#cases[@]} cases passed, $skipped not for $backend"
fi
[ $failed = 0 ] || exit 1
# One case, not for this backend: the skip code.
[ ${#cases[@]} -eq 1 ] && [ $skipped = 1 ] && exit 77
exit 0
