/*
 * Unit tests of store: entries are appended once, ids are idempotent,
 * corrections leave the rollups, rollups spread intervals over days, and the
 * stored Merkle nodes give the same root as a tree built from scratch.
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
#include "store/store.h"

struct fixture {
  char dir[64];
  char path[128];
  struct store *st;
};

static int
setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);
  struct buf err;

  snprintf(fx->dir, sizeof fx->dir, "/tmp/passage-test-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  snprintf(fx->path, sizeof fx->path, "%s/p.db", fx->dir);
  buf_init(&err);
  assert_int_equal(store_open(fx->path, 1, &fx->st, &err), OK);
  assert_int_equal(store_init(fx->st, NULL, NULL), OK);
  buf_cleanup(&err);
  *state = fx;
  return 0;
}

static int
teardown(void **state)
{
  struct fixture *fx = *state;
  char cmd[256];

  store_close(fx->st);
  snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
  assert_int_equal(system(cmd), 0);
  free(fx);
  return 0;
}

/* Builds a flow from field=value pairs and stores it; returns store_put's
 * code and the result in *res. */
static int
put_flow(struct store *st, enum store_put_result *res, ...)
{
  struct record r;
  struct buf err, bytes;
  va_list ap;
  const char *name;
  int rc;

  record_init(&r, KIND_flow);
  buf_init(&err);
  buf_init(&bytes);
  va_start(ap, res);
  while ((name = va_arg(ap, const char *)) != NULL) {
    const char *value = va_arg(ap, const char *);
    int fi = record_field_index(r.kind, name);
    assert_true(fi >= 0);
    assert_int_equal(record_set(&r, NULL, fi, 0, value, strlen(value), &err),
                     OK);
  }
  va_end(ap);
  assert_int_equal(record_finish(&r, &err), OK);
  record_canonical(&r, &bytes);
  rc = store_put(st, &r, bytes.data, bytes.len, res);
  record_cleanup(&r);
  buf_cleanup(&err);
  buf_cleanup(&bytes);
  return rc;
}

struct sums {
  int64_t day[8];
  double vehicles[8], tonnes[8];
  int n;
};

static int
collect(void *ctx, const struct flow_row *row)
{
  struct sums *s = ctx;
  int i;

  for (i = 0; i < s->n && s->day[i] != row->day; i++)
    ;
  if (i == s->n) {
    assert_true(s->n < 8);
    s->day[s->n++] = row->day;
  }
  s->vehicles[i] += row->m[M_VEHICLES];
  s->tonnes[i] += row->m[M_TONNES];
  return OK;
}

static void
test_idempotent_ids(void **state)
{
  struct fixture *fx = *state;
  enum store_put_result res;

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "a", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", NULL),
                   OK);
  assert_int_equal(res, STORE_ADDED);
  assert_int_equal(put_flow(fx->st, &res, "id", "a", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", NULL),
                   OK);
  assert_int_equal(res, STORE_UNCHANGED);
  assert_int_equal(put_flow(fx->st, &res, "id", "a", "start", "2024-01-02",
                            "checkpoint", "x", "direction", "in", NULL),
                   ERR_CONFLICT);
  assert_non_null(strstr(store_errmsg(fx->st), "supersedes=a"));
  assert_int_equal(store_commit(fx->st), OK);
  assert_int_equal(store_size(fx->st), 1);
}

static void
test_rollback_leaves_nothing(void **state)
{
  struct fixture *fx = *state;
  enum store_put_result res;
  struct sums s = {0};

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "a", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", "vehicles",
                            "5", NULL),
                   OK);
  store_rollback(fx->st);
  assert_int_equal(store_size(fx->st), 0);
  assert_int_equal(store_each_flow_day(fx->st, 0, 100000, collect, &s), OK);
  assert_int_equal(s.n, 0);
}

static void
test_rollups_spread_and_supersede(void **state)
{
  struct fixture *fx = *state;
  enum store_put_result res;
  struct sums s = {0};
  int64_t d1 = 19723; /* 2024-01-01 */

  assert_int_equal(store_begin(fx->st), OK);
  /* 48 hours from 10:00 on day 1: shares 14/48, 24/48, 10/48. */
  assert_int_equal(put_flow(fx->st, &res, "id", "a", "start",
                            "2024-01-01T10:00", "end", "2024-01-03T10:00",
                            "checkpoint", "x", "direction", "in", "vehicles",
                            "480", "category", "food", "quantity", "96", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);
  assert_int_equal(store_each_flow_day(fx->st, d1, d1 + 10, collect, &s), OK);
  assert_int_equal(s.n, 3);
  assert_true(s.day[0] == d1 && s.vehicles[0] == 140 && s.tonnes[0] == 28);
  assert_true(s.day[1] == d1 + 1 && s.vehicles[1] == 240 && s.tonnes[1] == 48);
  assert_true(s.day[2] == d1 + 2 && s.vehicles[2] == 100 && s.tonnes[2] == 20);

  /* A correction replaces the record in the rollups. */
  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "b", "start", "2024-01-02",
                            "checkpoint", "x", "direction", "in", "vehicles",
                            "7", "supersedes", "a", NULL),
                   OK);
  /* A second correction of the same record is refused. */
  assert_int_equal(put_flow(fx->st, &res, "id", "c", "start", "2024-01-02",
                            "checkpoint", "x", "direction", "in", "vehicles",
                            "8", "supersedes", "a", NULL),
                   ERR_INVALID);
  assert_int_equal(store_commit(fx->st), OK);
  memset(&s, 0, sizeof s);
  assert_int_equal(store_each_flow_day(fx->st, d1, d1 + 10, collect, &s), OK);
  for (int i = 0; i < s.n; i++) {
    double want = s.day[i] == d1 + 1 ? 7 : 0;
    assert_true(s.vehicles[i] > want - 1e-9 && s.vehicles[i] < want + 1e-9);
    assert_true(s.tonnes[i] > -1e-9 && s.tonnes[i] < 1e-9);
  }
  assert_int_equal(store_size(fx->st), 2);
}

/* The root from the stored nodes equals a naive RFC 9162 root over the
 * entries' bytes, at every size (crossing the stored-node level). */
static void
naive_root(uint8_t (*leaves)[32], uint64_t n, uint8_t out[32])
{
  uint64_t k = 1;

  if (n == 1) {
    memcpy(out, leaves[0], 32);
    return;
  }
  while (k * 2 < n)
    k *= 2;
  uint8_t l[32], r[32];
  naive_root(leaves, k, l);
  naive_root(leaves + k, n - k, r);
  ledger_node_hash(l, r, out);
}

struct leaves {
  uint8_t (*h)[32];
  uint64_t n;
};

static int
grab(void *ctx, const struct store_entry *e)
{
  struct leaves *lv = ctx;
  uint8_t h[32];

  ledger_leaf_hash(e->bytes, e->len, h);
  assert_memory_equal(h, e->hash, 32);
  memcpy(lv->h[lv->n++], h, 32);
  return OK;
}

static void
test_tree_matches_naive(void **state)
{
  struct fixture *fx = *state;
  enum store_put_result res;
  struct ledger_source src;
  struct leaves lv;
  const uint64_t n = 150;

  for (uint64_t i = 0; i < n; i++) {
    char id[16], v[16];
    /* Several transactions, so the tree resumes from the store. */
    if (i % 40 == 0)
      assert_int_equal(store_begin(fx->st), OK);
    snprintf(id, sizeof id, "f%llu", (unsigned long long)i);
    snprintf(v, sizeof v, "%llu", (unsigned long long)i);
    assert_int_equal(put_flow(fx->st, &res, "id", id, "start", "2024-01-01",
                              "checkpoint", "x", "direction", "in", "vehicles",
                              v, NULL),
                     OK);
    if (i % 40 == 39 || i == n - 1)
      assert_int_equal(store_commit(fx->st), OK);
  }
  lv.h = calloc(n, 32);
  lv.n = 0;
  assert_int_equal(store_each_entry(fx->st, -1, 0, n, grab, &lv), OK);
  assert_int_equal(lv.n, n);
  store_ledger_source(fx->st, &src);
  for (uint64_t size = 1; size <= n; size++) {
    uint8_t want[32], got[32];
    naive_root(lv.h, size, want);
    assert_int_equal(ledger_root(&src, size, got), OK);
    assert_memory_equal(want, got, 32);
  }
  free(lv.h);
}

static void
test_reopen_requires_init(void **state)
{
  struct fixture *fx = *state;
  struct store *st = NULL;
  struct buf err;
  char other[160];

  buf_init(&err);
  /* The fixture's store reopens; a missing file does not appear. */
  assert_int_equal(store_open(fx->path, 0, &st, &err), OK);
  store_close(st);
  snprintf(other, sizeof other, "%s/none.db", fx->dir);
  assert_int_not_equal(store_open(other, 0, &st, &err), OK);
  assert_null(st);
  assert_int_not_equal(access(other, F_OK), 0);
  buf_cleanup(&err);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_idempotent_ids, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rollback_leaves_nothing, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_rollups_spread_and_supersede, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_tree_matches_naive, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reopen_requires_init, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
