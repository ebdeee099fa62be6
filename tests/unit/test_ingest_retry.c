/*
 * An import ends when the store asks for the transaction again (ERR_RETRY),
 * as when it fails (ERR_STORE): the row it met is not rejected, no later
 * row is offered to the store, nothing is stored, and the caller hears
 * ERR_RETRY so that it may run the import again. The PostgreSQL backend
 * answers ERR_RETRY for a serialization failure in the middle of a
 * transaction; SQLite, whose write lock is taken at store_begin, never
 * does there. So this test stands in for the store's store_put_hashed
 * (linked with -Wl,--wrap=store_put_hashed, tests/CMakeLists.txt): the
 * call numbered fail_at answers ERR_RETRY, every other one is the real
 * store's.
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

#include "ingest/ingest.h"
#include "store/store.h"

int __real_store_put_hashed(struct store *st, const struct record *rec,
                            const char *bytes, size_t len,
                            const uint8_t hash[32],
                            enum store_put_result *result);
int __wrap_store_put_hashed(struct store *st, const struct record *rec,
                            const char *bytes, size_t len,
                            const uint8_t hash[32],
                            enum store_put_result *result);

static unsigned calls, fail_at;

int
__wrap_store_put_hashed(struct store *st, const struct record *rec,
                        const char *bytes, size_t len, const uint8_t hash[32],
                        enum store_put_result *result)
{
  if (++calls == fail_at) {
    *result = STORE_ADDED;
    return ERR_RETRY;
  }
  return __real_store_put_hashed(st, rec, bytes, len, hash, result);
}

static const char corridor[] = "[corridor]\n"
                               "name = Test corridor\n"
                               "timezone = UTC\n";
static const char checkpoints[] = "id,name\nnorth-gate,North Gate\n";

/* Three valid rows. */
static const char flows[] = "start,checkpoint,direction,vehicles\n"
                            "2023-03-01,north-gate,in,1\n"
                            "2023-03-02,north-gate,in,2\n"
                            "2023-03-03,north-gate,in,3\n";

struct fixture {
  char dir[64];
  struct store *st;
  struct buf log; /* what the sink heard, a line each */
};

static int
setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);
  struct ingest_stats stats;
  struct ingest_opts o;
  char path[128];
  struct buf err;

  snprintf(fx->dir, sizeof fx->dir, "/tmp/passage-retry-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  snprintf(path, sizeof path, "%s/s.db", fx->dir);
  buf_init(&err);
  assert_int_equal(store_open(path, 1, &fx->st, &err), OK);
  assert_int_equal(store_init(fx->st, "corridor.ini", corridor), OK);
  ingest_opts_init(&o);
  o.kind = KIND_checkpoint;
  assert_int_equal(ingest_buffer(fx->st, &o, NULL, "checkpoints.csv",
                                 checkpoints, strlen(checkpoints), &stats),
                   OK);
  buf_cleanup(&err);
  buf_init(&fx->log);
  calls = fail_at = 0;
  *state = fx;
  return 0;
}

static int
teardown(void **state)
{
  struct fixture *fx = *state;
  char cmd[128];

  store_close(fx->st);
  buf_cleanup(&fx->log);
  snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
  assert_int_equal(system(cmd), 0);
  free(fx);
  return 0;
}

static void
on_error(void *ctx, const struct ingest_error *e)
{
  struct buf *log = ctx;

  buf_printf(log, "E%d %s:%lu\n", (int)e->kind, e->file ? e->file : "-",
             e->line);
}

/* The import of flows with the store failing at call n of store_put. */
static int
import_failing_at(struct fixture *fx, unsigned n, const char *rejects,
                  struct ingest_stats *stats)
{
  struct ingest_sink sink = {on_error, NULL, NULL, &fx->log};
  struct ingest_opts o;
  int rc;

  ingest_opts_init(&o);
  o.kind = KIND_flow;
  o.rejects = rejects;
  calls = 0;
  fail_at = n;
  rc = ingest_buffer(fx->st, &o, &sink, "flows.csv", flows, strlen(flows),
                     stats);
  fail_at = 0;
  ingest_opts_cleanup(&o);
  return rc;
}

/* The store gives up at the second row: the import ends there, with
 * ERR_RETRY, the first row rolled back; run again, it stores all three. */
static void
test_retry_ends_the_import(void **state)
{
  struct fixture *fx = *state;
  uint64_t size = store_size(fx->st);
  struct ingest_stats stats;

  assert_int_equal(import_failing_at(fx, 2, NULL, &stats), ERR_RETRY);
  assert_int_equal(calls, 2); /* the third row never reached the store */
  assert_string_equal(fx->log.data, "E10 flows.csv:3\n");
  assert_int_equal(stats.rejected, 0);
  assert_int_equal(stats.added, 0);
  assert_int_equal(store_size(fx->st), size);
  assert_int_equal(import_failing_at(fx, 0, NULL, &stats), OK);
  assert_int_equal(stats.added, 3);
  assert_int_equal(store_size(fx->st), size + 3);
}

/* With rejects a row's own problem is written there and the import goes
 * on; the store's ERR_RETRY is no row's problem: the import still ends,
 * and no rejects file is left. */
static void
test_retry_is_no_reject(void **state)
{
  struct fixture *fx = *state;
  uint64_t size = store_size(fx->st);
  struct ingest_stats stats;
  char rejects[128];

  snprintf(rejects, sizeof rejects, "%s/rejects.csv", fx->dir);
  assert_int_equal(import_failing_at(fx, 1, rejects, &stats), ERR_RETRY);
  assert_int_equal(calls, 1);
  assert_string_equal(fx->log.data, "E10 flows.csv:2\n");
  assert_int_equal(stats.rejected, 0);
  assert_int_equal(store_size(fx->st), size);
  assert_int_equal(access(rejects, F_OK), -1);
}

/* A record --create-missing makes meets ERR_RETRY: the row naming it is
 * not stored either, and the caller hears ERR_RETRY, not ERR_STORE. */
static void
test_retry_when_creating(void **state)
{
  struct fixture *fx = *state;
  static const char west[] = "start,checkpoint,direction\n"
                             "2023-03-01,West Post,in\n"
                             "2023-03-02,north-gate,in\n";
  struct ingest_sink sink = {on_error, NULL, NULL, &fx->log};
  uint64_t size = store_size(fx->st);
  struct ingest_stats stats;
  struct ingest_opts o;

  ingest_opts_init(&o);
  o.kind = KIND_flow;
  o.create_missing = 1;
  calls = 0;
  fail_at = 1;
  assert_int_equal(
      ingest_buffer(fx->st, &o, &sink, "west.csv", west, strlen(west), &stats),
      ERR_RETRY);
  fail_at = 0;
  assert_int_equal(calls, 1);
  assert_int_equal(stats.created, 0);
  assert_int_equal(store_size(fx->st), size);
  ingest_opts_cleanup(&o);
}

/* passage add: the same. */
static void
test_retry_in_fields(void **state)
{
  struct fixture *fx = *state;
  const char *names[] = {"start", "checkpoint", "direction"};
  const char *values[] = {"2023-03-01", "north-gate", "in"};
  struct ingest_sink sink = {on_error, NULL, NULL, &fx->log};
  uint64_t size = store_size(fx->st);
  struct ingest_stats stats;
  struct ingest_opts o;

  ingest_opts_init(&o);
  o.kind = KIND_flow;
  calls = 0;
  fail_at = 1;
  assert_int_equal(ingest_fields(fx->st, &o, &sink, names, values, 3, &stats),
                   ERR_RETRY);
  fail_at = 0;
  assert_string_equal(fx->log.data, "E10 command line:0\n");
  assert_int_equal(stats.added, 0);
  assert_int_equal(store_size(fx->st), size);
  ingest_opts_cleanup(&o);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_retry_ends_the_import, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_retry_is_no_reject, setup, teardown),
      cmocka_unit_test_setup_teardown(test_retry_when_creating, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_retry_in_fields, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
