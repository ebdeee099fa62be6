#!/usr/bin/env bash
# Usage: tests/reliability/powercut-shim.sh DIR (build/tests/reliability:
# libpowercut.so, powercut-rollback, powercut-probe)
# The power-cut shim's own test (issue 15, item 2): that it drops what was
# not synced and keeps what was, by POSIX's rules (a file's fsync makes its
# bytes durable; its name needs a sync of its folder). Each case starts
# from files made without the shim (durable), runs powercut-probe under
# it, "cuts the power" when the probe exits (powercut-rollback: the same
# as a SIGKILL there) and reads what is left, worked out by hand.
set -uo pipefail
B=$(realpath "$1")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
D=$WORK/d J=$WORK/j
fail=0
mkdir -p "$J"

# cut CASE EXPECTED OPS...: fresh D holding old (text "old-data") and
# sub/, the ops under the shim, the roll-back, then EXPECTED: a list of
# NAME=CONTENT (or NAME=- for absent), checked one by one.
cut() {
  local name=$1 want=$2
  shift 2
  rm -rf "$D" "$J"/*
  mkdir -p "$D/sub"
  printf 'old-data' >"$D/old"
  sync
  if ! POWERCUT_DIR=$D POWERCUT_JOURNAL=$J LD_PRELOAD=$B/libpowercut.so \
    "$B/powercut-probe" "$@"; then
    echo "FAIL: $name: the probe failed"; fail=1; return
  fi
  "$B/powercut-rollback" "$D" "$J" >"$WORK/rb" || { echo "FAIL: $name: rollback"; fail=1; return; }
  local e f c got
  for e in $want; do
    f=${e%%=*} c=${e#*=}
    if [ -e "$D/$f" ]; then got=$(cat "$D/$f"); else got=-; fi
    if [ "$got" != "$c" ]; then
      echo "FAIL: $name: $f holds '$got', expected '$c' ($(cat "$WORK/rb"))"; fail=1; return
    fi
  done
  echo "ok: $name ($(cat "$WORK/rb"))"
}

# The shim journals only below POWERCUT_DIR: the same ops elsewhere are
# passed through (and nothing is journalled for them).
POWERCUT_DIR=$WORK/none POWERCUT_JOURNAL=$J LD_PRELOAD=$B/libpowercut.so \
  "$B/powercut-probe" create "$WORK/outside" x
[ ! -s "$J/journal" ] && [ "$(cat "$WORK/outside")" = x ] &&
  echo "ok: a write outside the folder is not journalled" ||
  { echo "FAIL: a write outside the folder was journalled"; fail=1; }

cut "a new file, never synced, is gone" "new=- old=old-data" \
  create "$D/new" hello
cut "a new file synced, its folder not: gone (the name is not durable)" "new=-" \
  create "$D/new" hello , fsync "$D/new"
cut "a new file and its folder synced: kept" "new=hello" \
  create "$D/new" hello , fsync "$D/new" , fsync "$D"
cut "its folder synced, the file not: the name stays, empty" "new=" \
  create "$D/new" hello , fsync "$D"
cut "an overwrite not synced: the old bytes" "old=old-data" \
  pwrite "$D/old" 0 NEW!
cut "an overwrite synced: the new bytes" "old=NEW!data" \
  pwrite "$D/old" 0 NEW! , fsync "$D/old"
cut "an append not synced: the old length" "old=old-data" \
  append "$D/old" +more
cut "synced, then written again: the synced bytes" "old=old-data+1" \
  append "$D/old" +1 , fsync "$D/old" , append "$D/old" +2 , pwrite "$D/old" 0 XXX
cut "a truncation not synced: undone" "old=old-data" trunc "$D/old" 3
cut "a truncation synced: kept" "old=old" trunc "$D/old" 3 , fsync "$D/old"
cut "stdio (fopen w) not synced: the old content" "old=old-data" \
  fputs "$D/old" replaced
cut "a rename over a file, its folder not synced: the old file, no temporary" \
  "old=old-data tmp=-" create "$D/tmp" new , fsync "$D/tmp" , rename "$D/tmp" "$D/old"
cut "a rename over a file, its folder synced: the new file" "old=new tmp=-" \
  create "$D/tmp" new , fsync "$D/tmp" , rename "$D/tmp" "$D/old" , fsync "$D"
cut "a rename of a file not synced, its folder synced: the name, empty" "old=" \
  create "$D/tmp" new , rename "$D/tmp" "$D/old" , fsync "$D"
cut "an unlink, its folder not synced: back" "old=old-data" unlink "$D/old"
cut "an unlink, its folder synced: gone" "old=-" unlink "$D/old" , fsync "$D"
cut "a file synced in a new folder synced, its parent not: all gone" \
  "new=- new/f=-" mkdir "$D/new" , create "$D/new/f" x , fsync "$D/new/f" , fsync "$D/new"
cut "the same with the parent synced: kept" "new/f=x" \
  mkdir "$D/new" , create "$D/new/f" x , fsync "$D/new/f" , fsync "$D/new" , fsync "$D"
cut "a file moved between folders, only the source synced: back" "old=old-data sub/old=-" \
  rename "$D/old" "$D/sub/old" , fsync "$D"
cut "a file moved between folders, the folder it went into synced: moved" \
  "sub/old=old-data" rename "$D/old" "$D/sub/old" , fsync "$D/sub"
exit $fail
