#!/usr/bin/env bash
# Usage: tests/http/qr.sh PASSAGE
# `passage token create --qr --qr-png FILE --url URL` (issue 11 item 2):
# the PNG and the terminal's half blocks both decode (Debian's zbarimg) to
# the entry page's address with the token in its fragment, the token
# printed last, and the token is one the server takes.
set -uo pipefail
PASSAGE=$(realpath "$1")
command -v zbarimg >/dev/null || { echo "skip: no zbarimg (zbar-tools)"; exit 77; }
WORK=$(mktemp -d)
trap 'stop_server >/dev/null 2>&1; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/lib.sh"
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
db=$(store_location t) # a file, or on the backend PASSAGE_TEST_DB names
setup_store "$db" || exit 1
start_server "$db" --quiet || exit 1

"$PASSAGE" --db "$db" token create --role monitor --name phone-1 \
  --checkpoint a --url "$BASE/" --qr --qr-png "$WORK/q.png" >"$WORK/out" ||
  bad "token create --qr: $(cat "$WORK/out")"
token=$(tail -1 "$WORK/out")
want="$BASE/entry#token=$token"
[[ $token == pst_* ]] && ok "the token is the last line" || bad "last line: $token"
grep -qxF "$want" "$WORK/out" && ok "the address is printed under the code" ||
  bad "no line $want"
got=$(zbarimg -q --raw "$WORK/q.png" 2>/dev/null)
[ "$got" = "$want" ] && ok "the PNG decodes to URL/entry#token=TOKEN" ||
  bad "the PNG decodes to '$got'"
# The terminal's code: each character two modules, the light ones drawn;
# made back into a PBM (1 dark) 8 pixels a module and decoded.
python3 - "$WORK/out" "$WORK/t.pbm" <<'PY'
import sys
lines = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
code = [l for l in lines if l and set(l) <= set("█▀▄ ")]
light = {"█": (1, 1), "▀": (1, 0), "▄": (0, 1), " ": (0, 0)}
rows = []
for l in code:
    top = [1 - light[c][0] for c in l]
    bottom = [1 - light[c][1] for c in l]
    rows += [top, bottom]
s = 8
with open(sys.argv[2], "w") as f:
    f.write("P1\n%d %d\n" % (len(rows[0]) * s, len(rows) * s))
    for r in rows:
        line = " ".join(str(v) for v in r for _ in range(s))
        for _ in range(s):
            f.write(line + "\n")
PY
got=$(zbarimg -q --raw "$WORK/t.pbm" 2>/dev/null)
[ "$got" = "$want" ] && ok "the terminal's half blocks decode to the same address" ||
  bad "the terminal's code decodes to '$got'"
# The token works: a monitor's write for its checkpoint.
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' --data '{"records":[]}' "$BASE/api/v1/records")
[ "$code" != 401 ] && ok "the server takes the token ($code)" || bad "401 for the QR's token"
# Without --url there is no address to encode.
"$PASSAGE" --db "$db" token create --role monitor --name phone-2 --qr \
  >"$WORK/out2" 2>&1
[ $? = 2 ] && grep -q -- '--qr and --qr-png need --url' "$WORK/out2" &&
  ok "--qr without --url: a usage error, no token made" || bad "$(cat "$WORK/out2")"
"$PASSAGE" --db "$db" token list --format csv | grep -q '^phone-2,' &&
  bad "phone-2 was made" || ok "phone-2 was not made"
stop_server || fail=1
[ $fail -eq 0 ] && echo "ok: qr"
exit $fail
