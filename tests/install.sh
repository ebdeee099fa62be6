#!/usr/bin/env bash
# Usage: install.sh BUILD_DIR
# make install as a packager runs it (PREFIX=/usr, DESTDIR a scratch
# folder): the binary, a manual page per command that groff reads without a
# warning, the bash completion, the translations, the scenarios and the
# guides land where Debian looks for them; the installed passage finds its
# own translations and loads the installed scenario; make uninstall removes
# every file again.
set -uo pipefail
build=$(realpath "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
manifest=$build/install_manifest.txt
# A real install's manifest (make uninstall reads it) is kept aside.
[ -f "$manifest" ] && cp "$manifest" "$work/manifest.kept"
trap '[ -f "$work/manifest.kept" ] && mv "$work/manifest.kept" "$manifest"; rm -rf "$work"' EXIT
dest=$work/dest
fail=0
say() { echo "FAIL: $*"; fail=1; }

DESTDIR=$dest cmake --install "$build" --prefix /usr >/dev/null || { echo "install failed"; exit 1; }
p=$dest/usr/bin/passage
[ -x "$p" ] || say "no $p"
for f in share/man/man1/passage.1 share/bash-completion/completions/passage \
  share/locale/ru/LC_MESSAGES/passage.mo \
  share/passage/scenarios/lachin-2022-2023/load.sh \
  share/doc/passage/README.md share/doc/passage/corridor-file.md; do
  [ -f "$dest/usr/$f" ] || say "no /usr/$f"
done
for c in $("$p" --help | awk '/^commands:/{on=1; next} /^$/{on=0} on {print $1}'); do
  page=$dest/usr/share/man/man1/passage-$c.1
  if [ ! -f "$page" ]; then
    say "no manual page for $c"
  elif out=$(groff -man -Tutf8 -ww -z "$page" 2>&1) && [ -n "$out" ]; then
    say "groff warns about passage-$c.1: $out"
  fi
done
if command -v man >/dev/null; then
  man -l "$dest/usr/share/man/man1/passage-withdraw.1" 2>/dev/null |
    grep -q -- '--reason TEXT' || say "man passage-withdraw lacks --reason"
fi

# The installed passage, with no PASSAGE_LOCALEDIR, reads the installed
# Russian catalogue (the build's own is elsewhere).
cd "$work" || exit 1
PASSAGE_DB=$work/s.db bash "$dest/usr/share/passage/scenarios/lachin-2022-2023/load.sh" "$p" >/dev/null ||
  say "the installed scenario does not load"
ru=$(unset PASSAGE_LOCALEDIR; LANGUAGE=ru LC_ALL=C.UTF-8 "$p" --db s.db report sitrep --date 2023-06-20 --format txt | head -1)
case $ru in
*День*) ;;
*) say "the installed passage speaks no Russian: '$ru'" ;;
esac

make -s -C "$top" uninstall BUILD="$build" DESTDIR="$dest" PREFIX=/usr >/dev/null ||
  say "make uninstall failed"
left=$(find "$dest" -type f | sed "s|^$dest||")
[ -z "$left" ] || say "make uninstall left: $left"
[ -d "$dest/usr/share/passage" ] && say "make uninstall left share/passage"
[ $fail -eq 0 ] && echo "ok: installed under DESTDIR/usr, speaks Russian, loads its scenario, uninstalled"
exit $fail
