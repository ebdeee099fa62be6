# What the HTTP cases share: a fresh store with the fixture corridor and a
# token per role, a server on a free loopback port, and stopping it.
# Sourced by run.sh and the scripted cases (burst.sh, full-disk.sh).
# Needs PASSAGE (the binary) and WORK (a scratch folder).

fixture=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fixture
server_pid=

# setup_store DB: the corridor, a signing key, and tokens: admin, monitor,
# analyst, party, public, limited (a monitor for checkpoint a only), revoked and
# expired; each token's text in $WORK/token.NAME.
setup_store() {
  local db=$1
  "$PASSAGE" --db "$db" init --corridor "$fixture/corridor.ini" >/dev/null
  # A fixed key (for tests only), so that signed answers are the same in
  # every run.
  cp "$fixture/test.key" "$db.key"
  chmod 600 "$db.key"
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
    "$@" 2>>"$WORK/serve.log" &
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
