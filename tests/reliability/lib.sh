# What the reliability tests share, beside tests/http/lib.sh (a store with
# the fixture corridor and a token per role, a server on a loopback port).
# Needs PASSAGE and WORK. Every random choice comes from SEED (printed, so
# that a failing run can be repeated: SEED=N tests/reliability/X.sh ...).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../http/lib.sh"
SEED=${SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$SEED
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# The store's location: PASSAGE_TEST_STORE, or else the location template
# PASSAGE_TEST_DB that tests/pg.sh gives (a PostgreSQL cluster's), each
# "%s" in either replaced by a fresh name; unset, a SQLite file in WORK.
store_location() { # store_location NAME
  local t=${PASSAGE_TEST_STORE:-${PASSAGE_TEST_DB:-}}
  if [ -n "$t" ]; then
    printf '%s\n' "${t//%s/rel_${1}_$$_$RANDOM}"
  else
    echo "$WORK/$1.db"
  fi
}

# rand_ms LO HI: a random whole number of milliseconds in [LO, HI], as
# seconds for sleep.
rand_sleep() {
  local ms=$(( $1 + RANDOM % ($2 - $1 + 1) ))
  sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
}

# stored_flow_ids DB OUT: the id of every stored flow, one a line, sorted
# (duplicates kept, so that a doubled record shows).
stored_flow_ids() {
  "$PASSAGE" --db "$1" export flow --format jsonl |
    grep -o '"id":"[^"]*"' | sed 's/"id":"\(.*\)"/\1/' | sort >"$2"
}

# check_acked DB ACKED WHAT: every id in the file ACKED is stored, and no
# id is stored twice. Prints what is missing or doubled.
check_acked() {
  local db=$1 acked=$2 what=$3 missing doubled
  stored_flow_ids "$db" "$WORK/stored"
  sort -u "$acked" >"$WORK/want"
  missing=$(comm -23 "$WORK/want" "$WORK/stored" | wc -l)
  doubled=$(uniq -d "$WORK/stored" | wc -l)
  if [ "$missing" -ne 0 ] || [ "$doubled" -ne 0 ]; then
    bad "$what: $missing acknowledged records missing, $doubled stored twice" \
      "($(comm -23 "$WORK/want" "$WORK/stored" | head -3 | tr '\n' ' '))"
    return 1
  fi
  return 0
}

# verify_store DB WHAT: passage verify passes.
verify_store() {
  if ! "$PASSAGE" --db "$1" verify >"$WORK/verify.out" 2>&1; then
    bad "$2: passage verify: $(cat "$WORK/verify.out")"
    return 1
  fi
  return 0
}
