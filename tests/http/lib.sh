# What the HTTP cases share: a fresh store with the fixture corridor and a
# token per role, a server on a free loopback port, and stopping it.
# Sourced by run.sh and the scripted cases (burst.sh, full-disk.sh).
# Needs PASSAGE (the binary) and WORK (a scratch folder).

fixture=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fixture
server_pid=

# store_location NAME: where a new store of the backend under test lives:
# $WORK/NAME.db, or, when PASSAGE_TEST_DB is a location template (another
# backend: scripts/with-postgres gives one), that template with its "%s"
# replaced by a fresh name.
store_location() {
  if [ -n "${PASSAGE_TEST_DB:-}" ]; then
    printf '%s\n' "${PASSAGE_TEST_DB//%s/http_${1}_$$_$RANDOM}"
  else
    printf '%s\n' "$WORK/$1.db"
  fi
}

# key_of DB: the store's signing key: DB.key beside a file, a file in
# $WORK for a store on a server (which has no folder of its own).
key_of() {
  case $1 in
  *://*) printf '%s\n' "$WORK/$(printf '%s' "$1" | md5sum | cut -c1-12).key" ;;
  *) printf '%s\n' "$1.key" ;;
  esac
}

# setup_store DB: the corridor, a signing key, and tokens: admin, monitor,
# analyst, party, public, limited (a monitor for checkpoint a only), revoked and
# expired; each token's text in $WORK/token.NAME.
setup_store() {
  local db=$1
  "$PASSAGE" --db "$db" init --corridor "$fixture/corridor.ini" >/dev/null
  # A fixed key (for tests only), so that signed answers are the same in
  # every run.
  cp "$fixture/test.key" "$(key_of "$db")"
  chmod 600 "$(key_of "$db")"
  for role in admin monitor analyst party public; do
    "$PASSAGE" --db "$db" token create --role $role --name $role |
      tail -1 >"$WORK/token.$role"
  done
  "$PASSAGE" --db "$db" token create --role monitor --name limited \
    --checkpoint a | tail -1 >"$WORK/token.limited"
  "$PASSAGE" --db "$db" token create --role admin --name revoked |
    tail -1 >"$WORK/token.revoked"
  "$PASSAGE" --db "$db" token revoke revoked >/dev/null
  "$PASSAGE" --db "$db" token create --role admin --name expired \
    --expires 2001-01-01 | tail -1 >"$WORK/token.expired"
}

# start_server DB [OPTIONS...]: serves DB on a free port; sets BASE.
start_server() {
  local db=$1
  shift
  rm -f "$WORK/ready"
  "$PASSAGE" --db "$db" serve --listen 127.0.0.1:0 --ready "$WORK/ready" \
    --key "$(key_of "$db")" "$@" 2>>"$WORK/serve.log" &
  server_pid=$!
  for _ in $(seq 1 100); do
    [ -s "$WORK/ready" ] && break
    kill -0 $server_pid 2>/dev/null || break
    sleep 0.05
  done
  if [ ! -s "$WORK/ready" ]; then
    echo "the server did not start:"; cat "$WORK/serve.log"; return 1
  fi
  read -r _ port <"$WORK/ready"
  BASE=http://127.0.0.1:$port
}

# stop_server: SIGTERM, and the server must exit 0 within 15 s.
stop_server() {
  local rc
  [ -n "$server_pid" ] || return 0
  kill -TERM $server_pid
  for _ in $(seq 1 150); do
    kill -0 $server_pid 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 $server_pid 2>/dev/null; then
    echo "the server did not stop on SIGTERM"; kill -KILL $server_pid
    server_pid=; return 1
  fi
  wait $server_pid
  rc=$?
  server_pid=
  if [ $rc -ne 0 ]; then
    echo "the server exited $rc on SIGTERM"; cat "$WORK/serve.log"; return 1
  fi
}
