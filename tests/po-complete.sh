#!/usr/bin/env bash
# Every text the reports and the command show people is translated, and
# every translation is current: the texts are extracted afresh from the
# sources (scripts/pot), merged with each po/<lang>.po, and any text
# without a translation, or whose English changed since it was translated
# (fuzzy), fails the test with its place in the sources. And no message of
# src/cli is printed without gettext: a printf, fprintf or fputs of a
# literal with words in it must wrap it in _() (or be one of the few
# texts that are no language: the program's name, option names). Nor is
# any message the libraries word for the command to print (the struct buf
# *err texts, store_errmsg, the ingest errors and notes, app's errors):
# in src/ingest, app, corridor, store (and its backends), record, ledger,
# util, analysis and the witness's state (witness/state.c; the witness's
# answers to logs stay English, as the server's do), every string literal
# with words in it is marked for gettext,
# or compared with data, or SQL, or one of the short list below of texts
# that are no language.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in xgettext msgmerge msgfmt msgattrib; do
  command -v $t >/dev/null || { echo "skip: $t is missing (apt-get install gettext)"; exit 77; }
done
fail=0
# A file whose texts are marked but that po/POTFILES does not list would
# never be extracted, and so never found untranslated.
listed=$(grep -v '^#' "$top/po/POTFILES")
for f in $(cd "$top" && grep -rlE '(^|[^A-Za-z0-9_])(_|N_|C_|ngettext|app__fail|cli_usage_error|cli_usage)\(' src --include='*.c'); do
  if ! grep -qx "$f" <<<"$listed"; then
    echo "po/POTFILES does not list $f, which has translatable texts"; fail=1
  fi
done
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
cli_fail=$fail

python3 - "$top"/src/{ingest,app,corridor,store,store/sqlite,store/postgres,record,ledger,util}/*.c "$top"/src/analysis/*.c "$top"/src/witness/state.c <<'PY' || fail=1
import re, sys
# A literal is language when, its printf directives and escapes taken out,
# it holds a word of two letters or more and two words with a space between
# ("expected %s, got " is; "--map", "#loc+%s", "%s_rels/%s.rels" are not,
# nor, by this measure, "entry %llu": a text of one word is not checked).
fmt = re.compile(r'%[-+ #0-9.*]*(?:hh|h|ll|l|z|j|t|L)?[a-zA-Z%]|\\.')
def language(s):
    words = fmt.sub('', s)
    return (re.search(r'[A-Za-z]{2,}', words) and
            re.search(r'[A-Za-z]\W*\s+\W*[A-Za-z]', words))
# Marked for translation: gettext's own macros, and the functions and table
# macros scripts/pot extracts the arguments of.
marked = {'_', 'N_', 'C_', 'ngettext', 'app__fail', 'CMD', 'KIND',
          'F', 'FE', 'FR', 'FN', 'FNR'}
# Arguments that are data, not messages: comparisons with what was read,
# SQL column lists, HTTP headers, and fmt_match's English form that
# problems.c reads a message back by (it tries the translated one too).
data = {'strcmp', 'strncmp', 'strcasecmp', 'strncasecmp', 'memcmp', 'strstr',
        'getenv', '_Static_assert', 'insert_sql', 'curl_easy_setopt',
        'curl_slist_append', 'fmt_match'}
sql = re.compile(r'^[\s,();]*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|'
                 r'PRAGMA|GRANT|DECLARE|FETCH|SET|SAVEPOINT|ROLLBACK|RELEASE|'
                 r'BEGIN|COMMIT|WITH|LOCK|FROM|WHERE|ORDER|GROUP|LIMIT|VALUES|'
                 r'ON|DO|AND|OR|PRIMARY|CLOSE|COPY|coalesce)\b|\b(COLLATE|NOT NULL|'
                 r'PRIMARY KEY|WITHOUT ROWID|double precision|INTEGER|bigint)\b')
# Texts that are no language, each with why (file: text, or file: * for a
# whole file).
not_language = {
    # Printed when memory or the C locale cannot be had: gettext itself
    # allocates, so these stay as they are.
    'ingest/book.c: passage: out of memory (an XML parser)\\n',
    'util/util.c: passage: out of memory (allocating %zu bytes)\\n',
    'util/util.c: passage: out of memory (an array of %zu)\\n',
    'util/number.c: passage: out of memory (creating the C locale)\\n',
    'util/numfmt.c: passage: cannot create the C locale\\n',
    # What KoboToolbox writes in _validation_status, matched as read.
    'ingest/presets.c: Not Approved',
    # Stored in the note of a record imported from KoboToolbox: data, in
    # the one language of the log.
    'ingest/presets.c: submitted %s',
    # The English header words a column is matched to a field by.
    'ingest/teach.c: date,day,time,when,as of,period,month,year',
    'ingest/teach.c: per person,ration,need',
    # Units a cargo line may be written in, matched as read.
    'record/record.c: metric ton',
    'record/record.c: metric tons',
    # HTTP headers of the tiles (app/tiles.c) and the Authorization header.
    'app/tiles.c: text/plain; charset=utf-8',
    'app/tiles.c: public, max-age=31536000, immutable',
    'app/tiles.c: public, max-age=5',
    'app/tiles.c: public, max-age=60',
    'app/fetch.c: Authorization: Bearer %s',
    # The starter corridor file `passage corridor template` writes: a file
    # of keys and comments, one text in one language (docs/corridor.md).
    'corridor/template.c: *',
    # SQL of the PostgreSQL backend that the pattern above does not know,
    # and the names of its tables, which no message shows.
    'store/postgres/schema.c: %s%s = flow_day.%s + excluded.%s',
    'store/postgres/schema.c: tree nodes',
    'store/postgres/schema.c: cargo lines',
    'store/postgres/schema.c: query rows',
    # The stamp of the rules the kept day cells were built with, kept in
    # the store's meta and compared as written.
    'store/cells.c: 1 tolerance=%.17g counting=%s timezone=%s',
    # The reason a COPY is ended with, sent to the server (which logs it),
    # never printed by Passage.
    'store/postgres/write.c: the rows were not sent',
}
tok = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
                 r'|^[ \t]*#[^\n]*|[A-Za-z_]\w*|\n|.', re.S | re.M)
def literals(path):
    """Each string literal (adjacent ones and PRI macros joined) with its
    line and the name of the call or macro it is an argument of."""
    toks, line = [], 1
    for m in tok.finditer(open(path).read()):
        t = m.group(0)
        if not (t.isspace() or t.startswith(('/*', '//')) or t.lstrip().startswith('#')):
            toks.append((t, line))
        line += t.count('\n')
    stack, k = [], 0
    while k < len(toks):
        t, n = toks[k]
        if t in '([{':
            p = toks[k - 1][0] if k and t == '(' else ''
            stack.append(p if re.match(r'[A-Za-z_]\w*$', p) else '')
        elif t in ')]}':
            if stack:
                stack.pop()
        elif t.startswith('"'):
            s, j = '', k
            while j < len(toks) and (toks[j][0].startswith('"') or re.match(r'PRI\w+$', toks[j][0])):
                if toks[j][0].startswith('"'):
                    s += toks[j][0][1:-1]
                j += 1
            yield n, (stack[-1] if stack else ''), s
            k = j
            continue
        k += 1
bad = 0
for path in sys.argv[1:]:
    rel = path.split('/src/')[-1]
    for n, call, s in literals(path):
        if call in marked or call in data or not language(s) or sql.search(s):
            continue
        if rel + ': ' + s in not_language or rel + ': *' in not_language:
            continue
        print('%s:%d: a message without gettext: "%s"' % (rel, n, s))
        bad = 1
sys.exit(bad)
PY
[ $cli_fail -eq 0 ] && echo "ok: src/cli prints its messages through gettext"
[ $fail -eq 0 ] && echo "ok: the libraries word their messages through gettext"
exit $fail
