/*
 * What only the PostgreSQL backend does, tested on the cluster that
 * scripts/with-postgres starts (PASSAGE_TEST_PG; skipped, 77, without
 * one): writes gathered and sent in one go, with a savepoint that a flush
 * passes and that is then undone or released; the ids store_expect looked
 * up, and those looked up again after a flush; the log's head locked by
 * one writer, the other told to retry after the lock timeout (5 s); a
 * connection killed under a reader and under a writer, and the store used
 * again without a restart; and killed again while it is being made anew
 * (PQreset is wrapped for that: tests/CMakeLists.txt).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ledger/ledger.h"
#include "store/postgres/pg_int.h"
#include "store/store_int.h"

static const char *template_;
static unsigned made;

struct fixture {
  char location[512];
  struct store *st;
};

static struct store *
open_store(const char *location, int create)
{
  struct store *st = NULL;
  struct buf err;

  buf_init(&err);
  if (store_open(location, create, &st, &err) != OK)
    fail_msg("store_open %s: %s", location, err.data ? err.data : "");
  buf_cleanup(&err);
  return st;
}

/* A new store with an empty log, for the tests that write the backend's
 * entries themselves from seq 0 (store_init would put the rules there). */
static int
setup_raw(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);
  char name[64];
  const char *pct = strstr(template_, "%s");

  snprintf(name, sizeof name, "unit_pg_%ld_%u", (long)getpid(), made++);
  snprintf(fx->location, sizeof fx->location, "%.*s%s%s",
           (int)(pct - template_), template_, name, pct + 2);
  fx->st = open_store(fx->location, 1);
  *state = fx;
  return 0;
}

/* A new store, initialised: the rules are entry 0. */
static int
setup(void **state)
{
  struct fixture *fx;

  setup_raw(state);
  fx = *state;
  assert_int_equal(store_init(fx->st, NULL, NULL), OK);
  return 0;
}

static int
teardown(void **state)
{
  struct fixture *fx = *state;

  store_close(fx->st);
  free(fx);
  return 0;
}

/* An entry of kind flow with this id and seq, written by the backend
 * directly (the bytes need not be a record here). */
static int
raw_put(struct store *st, uint64_t seq, const char *id)
{
  struct store_entry e = {seq, KIND_flow, id, id, strlen(id), NULL};
  uint8_t hash[32];

  ledger_leaf_hash(id, strlen(id), hash);
  e.hash = hash;
  return st->be->put_entry(st->db, &e);
}

static int
list_ids(void *ctx, const struct store_entry *e)
{
  buf_printf(ctx, "%s@%llu ", e->id, (unsigned long long)e->seq);
  return OK;
}

static void
assert_log(struct store *st, const char *want)
{
  struct buf b;

  buf_init(&b);
  assert_int_equal(st->be->each_entry(st->db, -1, 0, UINT64_MAX, list_ids, &b),
                   OK);
  assert_string_equal(b.data ? b.data : "", want);
  buf_cleanup(&b);
}

/* A savepoint marked before gathered writes; a flush sends what came
 * before it, then SAVEPOINT, then the rest; undoing it takes back both
 * what was sent after it (ROLLBACK TO) and what is still gathered. */
static void
test_savepoint_across_flush(void **state)
{
  struct fixture *fx = *state;
  struct store *st = fx->st;
  struct store_db *d = st->db;
  struct store_entry e;

  assert_int_equal(st->be->begin(d), OK);
  assert_int_equal(raw_put(st, 0, "a"), OK);
  assert_int_equal(raw_put(st, 1, "b"), OK);
  assert_int_equal(st->be->savepoint(d), OK);
  assert_int_equal(raw_put(st, 2, "c"), OK);
  assert_int_equal(pg__flush(d, 1), OK); /* a, b, SAVEPOINT, c sent */
  assert_true(d->sp_sent);
  assert_int_equal(raw_put(st, 3, "d"), OK); /* gathered */
  /* c is in the database now, d in the buffers: both are found. */
  assert_int_equal(raw_put(st, 4, "c"), ERR_EXISTS);
  assert_int_equal(raw_put(st, 4, "d"), ERR_EXISTS);
  assert_int_equal(st->be->release(d, 1), OK);
  assert_int_equal(st->be->get_entry(d, KIND_flow, "c", &e), ERR_NOTFOUND);
  assert_int_equal(st->be->get_entry(d, KIND_flow, "d", &e), ERR_NOTFOUND);
  assert_int_equal(st->be->get_entry(d, KIND_flow, "b", &e), OK);
  assert_int_equal(e.seq, 1);
  /* The ids are free again, and the numbers. */
  assert_int_equal(raw_put(st, 2, "d"), OK);
  /* A second mark, passed by a flush and released: it all stays. */
  assert_int_equal(st->be->savepoint(d), OK);
  assert_int_equal(raw_put(st, 3, "e"), OK);
  assert_int_equal(pg__flush(d, 1), OK);
  assert_int_equal(raw_put(st, 4, "f"), OK);
  assert_int_equal(st->be->release(d, 0), OK);
  /* Not passed by a flush and undone: only the buffers are cut back. */
  assert_int_equal(st->be->savepoint(d), OK);
  assert_int_equal(raw_put(st, 5, "g"), OK);
  assert_false(d->sp_sent);
  assert_int_equal(st->be->release(d, 1), OK);
  assert_int_equal(st->be->commit(d), OK);
  assert_log(st, "a@0 b@1 d@2 e@3 f@4 ");
  {
    uint64_t size;
    assert_int_equal(st->be->size(d, &size), OK);
    assert_int_equal(size, 5);
  }
}

/* store_expect's answers stand in for a look-up per id: present ones are
 * refused without asking and read back from what it fetched, absent ones
 * written once, and once sent an id is looked up again. */
static void
test_expect(void **state)
{
  struct fixture *fx = *state;
  struct store *st = fx->st;
  struct store_db *d = st->db;
  const enum record_kind kinds[] = {KIND_flow, KIND_flow, KIND_flow,
                                    KIND_checkpoint};
  const char *ids[] = {"a", "b", "b", "a"};
  struct store_entry e;

  assert_int_equal(st->be->begin(d), OK);
  assert_int_equal(raw_put(st, 0, "a"), OK);
  assert_int_equal(st->be->commit(d), OK);
  assert_int_equal(st->be->begin(d), OK);
  assert_int_equal(st->be->expect(d, 4, kinds, ids), OK);
  assert_non_null(pg__idmap_find(&d->announced, KIND_flow, "a"));
  assert_int_equal(pg__idmap_find(&d->announced, KIND_flow, "a")->state,
                   ANN_PRESENT);
  assert_int_equal(pg__idmap_find(&d->announced, KIND_flow, "b")->state,
                   ANN_ABSENT);
  assert_int_equal(pg__idmap_find(&d->announced, KIND_checkpoint, "a")->state,
                   ANN_ABSENT);
  assert_int_equal(raw_put(st, 1, "a"), ERR_EXISTS);
  assert_int_equal(st->be->get_entry(d, KIND_flow, "a", &e), OK);
  assert_int_equal(e.seq, 0);
  assert_memory_equal(e.bytes, "a", 1);
  assert_int_equal(raw_put(st, 1, "b"), OK);
  assert_int_equal(raw_put(st, 2, "b"), ERR_EXISTS);
  assert_int_equal(pg__flush(d, 1), OK);
  assert_int_equal(pg__idmap_find(&d->announced, KIND_flow, "b")->state,
                   ANN_STALE);
  assert_int_equal(raw_put(st, 2, "b"), ERR_EXISTS);
  assert_int_equal(st->be->get_entry(d, KIND_flow, "b", &e), OK);
  assert_int_equal(e.seq, 1);
  assert_int_equal(st->be->commit(d), OK);
  assert_log(st, "a@0 b@1 ");
}

/* The log's head is one writer's at a time: a second waits the lock
 * timeout and is told to retry, with nothing of its own open. */
static void
test_head_lock(void **state)
{
  struct fixture *fx = *state;
  struct store *other = open_store(fx->location, 0);

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(store_begin(other), ERR_RETRY);
  assert_non_null(strstr(store_errmsg(other), "locked by another writer"));
  assert_int_equal(other->db->in_tx, 0);
  assert_int_equal(store_commit(fx->st), OK);
  assert_int_equal(store_begin(other), OK);
  assert_int_equal(store_commit(other), OK);
  store_close(other);
}

/* Ends the backend of st's connection from another connection, as a
 * restart or failover of the database would. */
static void
kill_backend(struct store *st)
{
  PGconn *admin = PQconnectdb(getenv("PASSAGE_TEST_PG_URL"));
  char sql[64];
  PGresult *r;

  assert_int_equal(PQstatus(admin), CONNECTION_OK);
  snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)",
           PQbackendPID(st->db->conn));
  r = PQexec(admin, sql);
  assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
  PQclear(r);
  PQfinish(admin);
  usleep(100 * 1000);
}

/* Set: the next PQreset of the store's connection ends the new backend
 * at once, as a database going down (or a cut of every session, repeated)
 * ends a connection just made. */
static struct store *kill_on_reset_;
/* The table's own slot, replaced in main: not the name that calls it. */
#undef PQreset
static void (*real_reset)(PGconn *conn);

/* The store's PQreset, in libpq's table (store/postgres/pq_lib.h) once the
 * library is loaded (main). */
static void
reset_then_kill(PGconn *conn)
{
  real_reset(conn);
  if (kill_on_reset_ && kill_on_reset_->db->conn == conn &&
      PQstatus(conn) == CONNECTION_OK) {
    struct store *st = kill_on_reset_;
    kill_on_reset_ = NULL;
    kill_backend(st);
  }
}

static int
put_flow(struct store *st, const char *id, enum store_put_result *res)
{
  struct record r;
  struct buf err, bytes;
  const char *f[][2] = {{"id", id},
                        {"start", "2024-01-01"},
                        {"checkpoint", "x"},
                        {"direction", "in"}};
  int rc;

  record_init(&r, KIND_flow);
  buf_init(&err);
  buf_init(&bytes);
  for (size_t i = 0; i < 4; i++)
    assert_int_equal(record_set(&r, NULL, record_field_index(r.kind, f[i][0]),
                                0, f[i][1], strlen(f[i][1]), &err),
                     OK);
  assert_int_equal(record_finish(&r, &err), OK);
  record_canonical(&r, &bytes);
  rc = store_put(st, &r, bytes.data, bytes.len, res);
  record_cleanup(&r);
  buf_cleanup(&err);
  buf_cleanup(&bytes);
  return rc;
}

/* A lost connection: a read outside a transaction reconnects and
 * answers; a write transaction that loses it is told to retry, and the
 * retry stores the record once. */
static void
test_connection_lost(void **state)
{
  struct fixture *fx = *state;
  enum store_put_result res;

  /* init's rules are entry 0: the flow is entry 1. */
  kill_backend(fx->st);
  assert_int_equal(store_refresh(fx->st), OK);
  assert_int_equal(store_size(fx->st), 1);
  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, "f1", &res), OK);
  kill_backend(fx->st);
  assert_int_equal(store_commit(fx->st), ERR_RETRY);
  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, "f1", &res), OK);
  assert_int_equal(res, STORE_ADDED);
  assert_int_equal(store_commit(fx->st), OK);
  assert_int_equal(store_size(fx->st), 2);
  {
    uint64_t bad;
    assert_int_equal(store_audit(fx->st, &bad, NULL, NULL), OK);
  }
}

/* A connection lost, then lost again as it is made anew: no write is
 * under way, so the writer is told to retry (503 on a server, which
 * app_batch_commit makes again after a pause), never a failure of the
 * store (500); the retry writes once. The same for a reader. */
static void
test_lost_while_reconnecting(void **state)
{
  struct fixture *fx = *state;
  enum store_put_result res;

  kill_backend(fx->st);
  kill_on_reset_ = fx->st;
  assert_int_equal(store_begin(fx->st), ERR_RETRY);
  assert_null(kill_on_reset_); /* the new connection was made and ended */
  assert_int_equal(fx->st->db->in_tx, 0);
  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, "f1", &res), OK);
  assert_int_equal(res, STORE_ADDED);
  assert_int_equal(store_commit(fx->st), OK);
  assert_int_equal(store_size(fx->st), 2);

  kill_backend(fx->st);
  kill_on_reset_ = fx->st;
  assert_int_equal(store_read_begin(fx->st), ERR_RETRY);
  assert_null(kill_on_reset_);
  assert_int_equal(store_read_begin(fx->st), OK);
  store_read_end(fx->st);
  assert_int_equal(store_size(fx->st), 2);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_savepoint_across_flush, setup_raw,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_expect, setup_raw, teardown),
      cmocka_unit_test_setup_teardown(test_head_lock, setup, teardown),
      cmocka_unit_test_setup_teardown(test_connection_lost, setup, teardown),
      cmocka_unit_test_setup_teardown(test_lost_while_reconnecting, setup,
                                      teardown),
  };

  template_ = getenv("PASSAGE_TEST_PG");
  if (template_ == NULL || strstr(template_, "%s") == NULL ||
      getenv("PASSAGE_TEST_PG_URL") == NULL) {
    printf("skipped: no PostgreSQL cluster (scripts/with-postgres)\n");
    return 77;
  }
  if (pq__load(NULL) != OK) {
    printf("libpq cannot be loaded\n");
    return 1;
  }
  real_reset = pq__lib.PQreset;
  pq__lib.PQreset = reset_then_kill;
  return cmocka_run_group_tests_name("postgres", tests, NULL, NULL);
}
