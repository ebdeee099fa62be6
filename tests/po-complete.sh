#!/usr/bin/env bash
# Every text the reports and the command show people is translated, and
# every translation is current: the texts are extracted afresh from the
# sources (scripts/pot), merged with each po/<lang>.po, and any text
# without a translation, or whose English changed since it was translated
# (fuzzy), fails the test with its place in the sources. And no message of
# src/cli is printed without gettext: a printf, fprintf or fputs of a
# literal with words in it must wrap it in _() (or be one of the few
# texts that are no language: the program's name, option names).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in xgettext msgmerge msgfmt msgattrib; do
  command -v $t >/dev/null || { echo "skip: $t is missing (apt-get install gettext)"; exit 77; }
done
fail=0
"$top/scripts/pot" "$work/passage.pot" 2>"$work/xgettext.err" || { cat "$work/xgettext.err"; exit 1; }
if [ -s "$work/xgettext.err" ]; then
  echo "xgettext warns:"; cat "$work/xgettext.err"; fail=1
fi
for po in "$top"/po/*.po; do
  lang=$(basename "$po" .po)
  msgmerge -q --no-wrap -o "$work/$lang.po" "$po" "$work/passage.pot" || exit 1
  if ! msgfmt --check -o /dev/null "$work/$lang.po"; then
    echo "$lang: msgfmt --check fails"; fail=1
  fi
  untranslated=$(msgattrib --untranslated --no-obsolete --no-wrap "$work/$lang.po" | grep -c '^msgid ' || true)
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete --no-wrap "$work/$lang.po" | grep -c '^msgid ' || true)
  # The header counts as one untranslated/fuzzy msgid "" where present.
  [ "$untranslated" -gt 0 ] && untranslated=$((untranslated - 1))
  [ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1))
  if [ "$untranslated" -gt 0 ] || [ "$fuzzy" -gt 0 ]; then
    echo "$lang: $untranslated untranslated, $fuzzy fuzzy (po/$lang.po must translate them):"
    msgattrib --untranslated --no-obsolete --no-wrap "$work/$lang.po" | grep -E '^(#:|msgid)' | grep -v '^msgid ""$'
    msgattrib --only-fuzzy --no-obsolete --no-wrap "$work/$lang.po" | grep -E '^(#:|msgid)' | grep -v '^msgid ""$'
    fail=1
  else
    echo "ok: $lang translates all $(grep -c '^msgid ' "$work/passage.pot") texts"
  fi
done

python3 - "$top"/src/cli/*.c <<'PY' || fail=1
import re, sys
calls = re.compile(r'\b(?:printf\(|fprintf\(\s*\w+\s*,|fputs\()\s*"((?:[^"\\]|\\.)*)"')
not_language = {"passage %s: ", "passage: ", "passage %s: %s", "passage: %s\\n",
                "passage %s: %s\\n", "passage 0.1.0\\n", "--id ", " --name NAME",
                "--name "}
bad = 0
for path in sys.argv[1:]:
    for n, line in enumerate(open(path), 1):
        for m in calls.finditer(line):
            text = m.group(1)
            words = re.sub(r'%[-+ #0-9.*]*(?:hh|h|ll|l|z|j|t)?[a-zA-Z%]|\\.', ' ', text)
            if re.search(r'[A-Za-z]{2,}', words) and text not in not_language:
                print("%s:%d: printed without gettext: \"%s\"" % (path.split('/src/')[-1], n, text))
                bad = 1
sys.exit(bad)
PY
[ $fail -eq 0 ] && echo "ok: src/cli prints its messages through gettext"
exit $fail
