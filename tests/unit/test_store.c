/*
 * The store's contract, written once and run against every backend:
 * entries are appended once, ids are idempotent, corrections leave the
 * rollups, rollups spread intervals over days, the stored Merkle nodes give
 * the same root as a tree built from scratch, a rollback leaves nothing, a
 * handle sees what another committed once refreshed, and a read
 * transaction sees one snapshot.
 *
 * Which stores: PASSAGE_TEST_STORES, a space-separated list of location
 * templates, each run as one group of the contract tests (default
 * "sqlite:%s %s": SQLite named by URL and by plain path). Every "%s" is
 * replaced by a fresh name for each test: a new file in a temporary folder
 * for SQLite (a template starting with sqlite: or without a scheme), a new
 * identifier (passage_test_<pid>_<n>) for a server, which that backend
 * creates on store_open with create set. So a PostgreSQL run is
 *   PASSAGE_TEST_STORES='postgresql://127.0.0.1:5433/%s' test_store
 * Tests that concern SQLite's files or the choice of backend run once, in
 * their own group.
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

#include "cells/cells.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"
#include "store/store.h"

/* The location template of the group being run. */
static const char *target = "%s";

struct fixture {
  char dir[64];
  char path[256]; /* the store's location */
  struct store *st;
};

/* Locations made so far in this process: one counter for every fixture,
 * since a server's names outlive a fixture (a folder does not). */
static unsigned made;

/* A template names a file when it is SQLite's: sqlite: or no scheme. */
static int
target_is_file(void)
{
  return strncmp(target, "sqlite:", 7) == 0 || strstr(target, "://") == NULL;
}

/*
 * A location for a new store, from the group's template; the file's path
 * in file (when not NULL) for a file backend, "" otherwise.
 */
static void
fresh_location(struct fixture *fx, char *out, size_t n, char *file,
               size_t nfile)
{
  char name[160];
  const char *pct = strstr(target, "%s");

  if (target_is_file())
    snprintf(name, sizeof name, "%s/p%u.db", fx->dir, made++);
  else
    snprintf(name, sizeof name, "passage_test_%ld_%u", (long)getpid(), made++);
  assert_non_null(pct);
  snprintf(out, n, "%.*s%s%s", (int)(pct - target), target, name, pct + 2);
  if (file)
    snprintf(file, nfile, "%s", target_is_file() ? name : "");
}

/* store_init makes entry 0, the corridor's rules: a store's records
 * begin at entry R, and its size counts that entry too. */
#define R 1

/* The writer's day cache of the handles open_store opens (0: none), set
 * by the setups of the groups that run with it. */
static size_t cache_bytes;
/* What the handles hold of a write transaction before writing it out (0:
 * the default), set by the groups that run with little. */
static size_t hold_bytes;

static struct store *
open_store(const char *location, int create)
{
  struct store_options o = {create, 0, cache_bytes, 0, hold_bytes};
  struct store *st = NULL;
  struct buf err;

  buf_init(&err);
  if (store_open_with(location, &o, &st, &err) != OK)
    fail_msg("store_open %s: %s", location, err.data ? err.data : "");
  buf_cleanup(&err);
  return st;
}

static int
setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);

  snprintf(fx->dir, sizeof fx->dir, "/tmp/passage-test-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  fresh_location(fx, fx->path, sizeof fx->path, NULL, 0);
  fx->st = open_store(fx->path, 1);
  assert_int_equal(store_init(fx->st, NULL, NULL), OK);
  *state = fx;
  return 0;
}

/* The same with a server writer's day cache (APP_WRITER_DAY_CACHE's
 * size), and with one so small (600 bytes: about three records) that it
 * drops days and refuses to hold most. */
static int
setup_cached(void **state)
{
  cache_bytes = (size_t)32 << 20;
  return setup(state);
}

static int
setup_tiny_cache(void **state)
{
  cache_bytes = 600;
  return setup(state);
}

static int
teardown(void **state)
{
  struct fixture *fx = *state;
  char cmd[256];

  store_close(fx->st);
  cache_bytes = 0;
  snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
  assert_int_equal(system(cmd), 0);
  free(fx);
  return 0;
}

/* Builds a record of kind from field=value pairs and stores it; returns
 * store_put's code and the result in *res. */
static int
vput(struct store *st, enum record_kind kind, enum store_put_result *res,
     va_list ap)
{
  struct record r;
  struct buf err, bytes;
  const char *name;
  int rc;

  record_init(&r, kind);
  buf_init(&err);
  buf_init(&bytes);
  while ((name = va_arg(ap, const char *)) != NULL) {
    const char *value = va_arg(ap, const char *);
    int fi = record_field_index(r.kind, name);
    assert_true(fi >= 0);
    assert_int_equal(record_set(&r, NULL, fi, 0, value, strlen(value), &err),
                     OK);
  }
  if (record_finish(&r, &err) != OK)
    fail_msg("%s: %s", r.kind->name, err.data);
  record_canonical(&r, &bytes);
  rc = store_put(st, &r, bytes.data, bytes.len, res);
  record_cleanup(&r);
  buf_cleanup(&err);
  buf_cleanup(&bytes);
  return rc;
}

static int
put_flow(struct store *st, enum store_put_result *res, ...)
{
  va_list ap;
  int rc;

  va_start(ap, res);
  rc = vput(st, KIND_flow, res, ap);
  va_end(ap);
  return rc;
}

static int
put_record(struct store *st, enum record_kind kind, enum store_put_result *res,
           ...)
{
  va_list ap;
  int rc;

  va_start(ap, res);
  rc = vput(st, kind, res, ap);
  va_end(ap);
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
  assert_int_equal(store_size(fx->st), R + 1);
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
  assert_int_equal(store_size(fx->st), R);
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
  assert_int_equal(store_size(fx->st), R + 2);
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
  lv.h = calloc(R + n, 32);
  lv.n = 0;
  assert_int_equal(store_each_entry(fx->st, -1, 0, R + n, grab, &lv), OK);
  assert_int_equal(lv.n, R + n);
  store_ledger_source(fx->st, &src);
  for (uint64_t size = 1; size <= R + n; size++) {
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
  char other[256], file[256];

  buf_init(&err);
  /* The fixture's store reopens; a missing file does not appear. */
  assert_int_equal(store_open(fx->path, 0, &st, &err), OK);
  store_close(st);
  fresh_location(fx, other, sizeof other, file, sizeof file);
  assert_int_not_equal(store_open(other, 0, &st, &err), OK);
  assert_null(st);
  if (file[0])
    assert_int_not_equal(access(file, F_OK), 0);
  buf_cleanup(&err);
}

static int
count_entry(void *ctx, const struct store_entry *e)
{
  (void)e;
  (*(uint64_t *)ctx)++;
  return OK;
}

static uint64_t
entries(struct store *st)
{
  uint64_t n = 0;

  assert_int_equal(store_each_entry(st, -1, 0, UINT64_MAX, count_entry, &n),
                   OK);
  return n;
}

static void
assert_audit_ok(struct store *st)
{
  uint64_t bad = 0;

  if (store_audit(st, &bad, NULL, NULL) != OK)
    fail_msg("audit: %s", store_errmsg(st));
  assert_true(bad == UINT64_MAX);
}

/* A rollback leaves no entry, id, row, cargo line, correction, tree node
 * or rollup: the audit, which counts every table, finds the store empty,
 * and the ids are free again. */
static void
test_rollback_leaves_nothing_at_all(void **state)
{
  struct fixture *fx = *state;
  enum store_put_result res;
  struct sums s = {0};
  uint64_t seq = 1;

  assert_int_equal(store_begin(fx->st), OK);
  /* 70 flows: a completed block of 64 leaves writes a tree node. */
  for (int i = 0; i < 70; i++) {
    char id[16];
    snprintf(id, sizeof id, "f%d", i);
    assert_int_equal(put_flow(fx->st, &res, "id", id, "start", "2024-01-01",
                              "checkpoint", "x", "direction", "in", "vehicles",
                              "1", "category", "food", "quantity", "2", NULL),
                     OK);
  }
  assert_int_equal(put_flow(fx->st, &res, "id", "g", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", "vehicles",
                            "5", "supersedes", "f0", NULL),
                   OK);
  assert_int_equal(store_size(fx->st), R + 71);
  store_rollback(fx->st);
  assert_int_equal(store_size(fx->st), R);
  assert_int_equal(entries(fx->st), R);
  assert_int_equal(store_has(fx->st, KIND_flow, "f0"), 0);
  assert_int_equal(store_find_entry(fx->st, KIND_flow, "g", &seq),
                   ERR_NOTFOUND);
  assert_int_equal(seq, 0);
  assert_int_equal(store_each_flow_day(fx->st, 0, 100000, collect, &s), OK);
  assert_int_equal(s.n, 0);
  assert_audit_ok(fx->st);

  /* The ids are free: other bytes under f0 are a new entry, no conflict. */
  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "f0", "start", "2024-01-02",
                            "checkpoint", "x", "direction", "out", NULL),
                   OK);
  assert_int_equal(res, STORE_ADDED);
  assert_int_equal(store_commit(fx->st), OK);
  assert_int_equal(store_size(fx->st), R + 1);
  assert_audit_ok(fx->st);
}

/* A correction refused after its entry was written leaves no trace of it,
 * and the transaction goes on. */
static void
test_refused_correction_leaves_nothing(void **state)
{
  struct fixture *fx = *state;
  enum store_put_result res;

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "a", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", NULL),
                   OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "b", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", "supersedes",
                            "nothing", NULL),
                   ERR_INVALID);
  assert_non_null(strstr(store_errmsg(fx->st), "no flow with id 'nothing'"));
  assert_int_equal(put_flow(fx->st, &res, "id", "c", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);
  assert_int_equal(store_size(fx->st), R + 2);
  assert_int_equal(store_has(fx->st, KIND_flow, "b"), 0);
  assert_audit_ok(fx->st);
}

/* Duplicates are decided across transactions and handles alike. */
static void
test_duplicates_across_handles(void **state)
{
  struct fixture *fx = *state;
  struct store *other = open_store(fx->path, 0);
  enum store_put_result res;

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "a", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);
  assert_int_equal(store_begin(other), OK);
  assert_int_equal(put_flow(other, &res, "id", "a", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", NULL),
                   OK);
  assert_int_equal(res, STORE_UNCHANGED);
  assert_int_equal(put_flow(other, &res, "id", "a", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "out", NULL),
                   ERR_CONFLICT);
  assert_non_null(strstr(store_errmsg(other), "(entry 1)"));
  assert_int_equal(store_commit(other), OK);
  assert_int_equal(store_size(other), R + 1);
  store_close(other);
}

static void
test_find_entry(void **state)
{
  struct fixture *fx = *state;
  enum store_put_result res;
  uint64_t seq = 99;

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(
      put_record(fx->st, KIND_checkpoint, &res, "id", "x", "name", "X", NULL),
      OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "x", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", NULL),
                   OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "y", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);

  /* Found, by its kind or by any kind. */
  assert_int_equal(store_find_entry(fx->st, KIND_flow, "y", &seq), OK);
  assert_int_equal(seq, R + 2);
  seq = 99;
  assert_int_equal(store_find_entry(fx->st, -1, "y", &seq), OK);
  assert_int_equal(seq, R + 2);
  assert_int_equal(store_find_entry(fx->st, KIND_flow, "x", &seq), OK);
  assert_int_equal(seq, R + 1);
  assert_int_equal(store_find_entry(fx->st, KIND_checkpoint, "x", &seq), OK);
  assert_int_equal(seq, R);
  /* Not found: no such id, or not of that kind. */
  seq = 99;
  assert_int_equal(store_find_entry(fx->st, -1, "none", &seq), ERR_NOTFOUND);
  assert_int_equal(seq, 0);
  assert_int_equal(store_find_entry(fx->st, KIND_checkpoint, "y", &seq),
                   ERR_NOTFOUND);
  /* Ambiguous: two kinds hold the id. */
  seq = 99;
  assert_int_equal(store_find_entry(fx->st, -1, "x", &seq), ERR_CONFLICT);
  assert_int_equal(seq, 0);
}

/* What a reader opened before sees once refreshed: the size, the entries,
 * the same tree; and its writes continue that tree. */
static void
test_refresh_sees_other_handle(void **state)
{
  struct fixture *fx = *state;
  struct store *reader = open_store(fx->path, 0);
  struct ledger_source src_w, src_r;
  enum store_put_result res;
  uint8_t want[32], got[32];
  uint64_t seq = 0;

  assert_int_equal(store_size(reader), R);
  assert_int_equal(store_begin(fx->st), OK);
  for (int i = 0; i < 3; i++) {
    char id[16];
    snprintf(id, sizeof id, "w%d", i);
    assert_int_equal(put_flow(fx->st, &res, "id", id, "start", "2024-01-01",
                              "checkpoint", "x", "direction", "in", NULL),
                     OK);
  }
  assert_int_equal(store_commit(fx->st), OK);

  /* A handle keeps the size it read until it refreshes. */
  assert_int_equal(store_size(reader), R);
  assert_int_equal(store_refresh(reader), OK);
  assert_int_equal(store_size(reader), R + 3);
  assert_int_equal(entries(reader), R + 3);
  assert_int_equal(store_find_entry(reader, KIND_flow, "w2", &seq), OK);
  assert_int_equal(seq, R + 2);
  store_ledger_source(fx->st, &src_w);
  store_ledger_source(reader, &src_r);
  assert_int_equal(ledger_root(&src_w, R + 3, want), OK);
  assert_int_equal(ledger_root(&src_r, R + 3, got), OK);
  assert_memory_equal(want, got, 32);

  /* The reader writes; the first handle refreshes and goes on from there. */
  assert_int_equal(store_begin(reader), OK);
  assert_int_equal(put_flow(reader, &res, "id", "r0", "start", "2024-01-02",
                            "checkpoint", "x", "direction", "in", NULL),
                   OK);
  assert_int_equal(store_commit(reader), OK);
  assert_int_equal(store_refresh(fx->st), OK);
  assert_int_equal(store_size(fx->st), R + 4);
  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "w3", "start", "2024-01-02",
                            "checkpoint", "x", "direction", "out", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);
  assert_int_equal(store_refresh(reader), OK);
  assert_int_equal(store_size(reader), R + 5);
  assert_int_equal(ledger_root(&src_w, R + 5, want), OK);
  assert_int_equal(ledger_root(&src_r, R + 5, got), OK);
  assert_memory_equal(want, got, 32);
  assert_audit_ok(reader);
  store_close(reader);
}

/* A handle opened before the store was initialised finds its corridor. */
static void
test_refresh_loads_corridor(void **state)
{
  struct fixture *fx = *state;
  struct store *a, *b;
  char location[256];

  fresh_location(fx, location, sizeof location, NULL, 0);
  a = open_store(location, 1);
  b = open_store(location, 1);
  assert_null(store_corridor(b));
  assert_int_equal(store_init(a, NULL, NULL), OK);
  assert_int_equal(store_refresh(b), OK);
  assert_non_null(store_corridor(b));
  assert_string_equal(store_corridor(b)->name, "corridor");
  store_close(a);
  store_close(b);
}

/* A read transaction sees one snapshot, whatever is committed meanwhile. */
static void
test_read_transaction_is_a_snapshot(void **state)
{
  struct fixture *fx = *state;
  struct store *reader = open_store(fx->path, 0);
  enum store_put_result res;

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "a", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);

  assert_int_equal(store_read_begin(reader), OK);
  assert_int_equal(store_size(reader), R + 1);
  /* Nested: only the outermost pair counts. */
  assert_int_equal(store_read_begin(reader), OK);
  store_read_end(reader);
  /* No write transaction inside a read transaction. */
  assert_int_equal(store_begin(reader), ERR_USAGE);

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "b", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);

  assert_int_equal(store_refresh(reader), OK); /* changes nothing here */
  assert_int_equal(store_size(reader), R + 1);
  assert_int_equal(entries(reader), R + 1);
  assert_int_equal(store_has(reader, KIND_flow, "b"), 0);
  assert_audit_ok(reader);
  store_read_end(reader);

  assert_int_equal(store_has(reader, KIND_flow, "b"), 1);
  assert_int_equal(store_refresh(reader), OK);
  assert_int_equal(store_size(reader), R + 2);
  store_close(reader);
}

static int
live_ids(void *ctx, const struct record *rec, uint64_t seq)
{
  struct buf *b = ctx;

  buf_printf(b, "%s@%llu ", record_get(rec, "id"), (unsigned long long)seq);
  return OK;
}

/* Live records as of a size: later entries and later corrections do not
 * count. */
static void
test_each_live_as_of(void **state)
{
  struct fixture *fx = *state;
  enum store_put_result res;
  struct buf b;

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "a", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", NULL),
                   OK);
  assert_int_equal(
      put_record(fx->st, KIND_checkpoint, &res, "id", "x", "name", "X", NULL),
      OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "b", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", "supersedes",
                            "a", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);
  buf_init(&b);
  assert_int_equal(store_each_live(fx->st, KIND_flow, R + 1, live_ids, &b), OK);
  assert_string_equal(b.data ? b.data : "", "a@1 ");
  buf_reset(&b);
  assert_int_equal(store_each_live(fx->st, KIND_flow, R + 2, live_ids, &b), OK);
  assert_string_equal(b.data ? b.data : "", "a@1 ");
  buf_reset(&b);
  assert_int_equal(store_each_live(fx->st, KIND_flow, R + 3, live_ids, &b), OK);
  assert_string_equal(b.data ? b.data : "", "b@3 ");
  buf_cleanup(&b);
}

/* The canonical bytes of each live record, "id<TAB>bytes" a line. */
static int
live_canonical(void *ctx, const struct record *rec, uint64_t seq)
{
  struct buf *b = ctx;

  buf_printf(b, "%s@%llu\t", record_get(rec, "id"), (unsigned long long)seq);
  record_canonical(rec, b);
  buf_putc(b, '\n');
  return OK;
}

/* Each line of live_canonical's against the entry of that id. */
static void
assert_same_as_entries(struct store *st, enum record_kind kind,
                       const char *text)
{
  const char *line = text;

  while (line && *line) {
    const char *at = strchr(line, '@'), *tab = strchr(line, '\t');
    const char *end = strchr(line, '\n');
    char id[64];
    struct store_entry e;
    assert_non_null(at);
    assert_true(at < tab && tab < end && (size_t)(at - line) < sizeof id);
    snprintf(id, sizeof id, "%.*s", (int)(at - line), line);
    assert_int_equal(store_get_entry(st, kind, id, &e), OK);
    assert_int_equal(e.seq, strtoull(at + 1, NULL, 10));
    assert_int_equal(e.len, (size_t)(end - tab - 1));
    assert_memory_equal(e.bytes, tab + 1, e.len);
    line = end + 1;
  }
}

/* The live records of kind as of size as_of, each checked against its
 * entry: live_canonical's lines, in b. */
static const char *
live_as_entries(struct store *st, enum record_kind kind, uint64_t as_of,
                struct buf *b)
{
  buf_reset(b);
  assert_int_equal(store_each_live(st, kind, as_of, live_canonical, b), OK);
  assert_non_null(b->data);
  assert_same_as_entries(st, kind, b->data);
  return b->data;
}

/* The records of the kinds other than flows are read back from their
 * query tables where the backend keeps them (SQLite): each is the record
 * its entry holds, byte for byte once made canonical again, whatever its
 * numbers (12.50 kept as 12.5, 1e3 as 1000, a negative value), times
 * (an offset, a date, a month), lists, and text (quotes, a line break,
 * Cyrillic); and a correction leaves the corrected record out from its
 * size on, as the entries say. */
static void
test_each_live_as_entries(void **state)
{
  struct fixture *fx = *state;
  enum store_put_result res;
  struct buf b;

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_record(fx->st, KIND_checkpoint, &res, "id", "x", "name",
                              "Корнидзор \"north\"", "lat", "39.50", "lon",
                              "46.0", "km", "0", NULL),
                   OK);
  assert_int_equal(put_record(fx->st, KIND_actor, &res, "id", "a1", "name",
                              "Peacekeepers", NULL),
                   OK);
  assert_int_equal(put_record(fx->st, KIND_actor, &res, "id", "a2", "name",
                              "Protesters", NULL),
                   OK);
  assert_int_equal(put_record(fx->st, KIND_status, &res, "id", "s1", "at",
                              "2022-12-12T10:30:00+04:00", "checkpoint", "x",
                              "state", "closed", "cause", "blockade", "actor",
                              "a2", NULL),
                   OK);
  assert_int_equal(put_record(fx->st, KIND_event, &res, "id", "e1", "at",
                              "2022-12", "kind", "incident", "actors", "a1,a2",
                              "summary", "road blocked\nsecond line", NULL),
                   OK);
  assert_int_equal(put_record(fx->st, KIND_stock, &res, "id", "k1", "at",
                              "2022-12-20", "category", "food", "low", "1e3",
                              "high", "1200.50", "unit", "t", NULL),
                   OK);
  assert_int_equal(put_record(fx->st, KIND_indicator, &res, "id", "i1", "at",
                              "2022-12-21", "name", "price of bread", "value",
                              "-3.25", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);
  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_record(fx->st, KIND_stock, &res, "id", "k2", "at",
                              "2022-12-20", "category", "food", "low", "900",
                              "high", "1100", "unit", "t", "supersedes", "k1",
                              NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);
  buf_init(&b);
  assert_non_null(strstr(live_as_entries(fx->st, KIND_checkpoint, R + 8, &b),
                         "\"lat\":39.5,"));
  assert_int_equal(
      strncmp(live_as_entries(fx->st, KIND_actor, R + 8, &b), "a1@2\t", 5), 0);
  assert_non_null(strstr(b.data, "\na2@3\t"));
  assert_int_equal(
      strncmp(live_as_entries(fx->st, KIND_status, R + 8, &b), "s1@4\t", 5), 0);
  assert_non_null(strstr(live_as_entries(fx->st, KIND_event, R + 8, &b),
                         "\"actors\":[\"a1\",\"a2\"]"));
  assert_non_null(strstr(live_as_entries(fx->st, KIND_indicator, R + 8, &b),
                         "\"value\":-3.25"));
  /* Before the correction (size R + 7) k1 is live; from R + 8 on, k2. */
  assert_int_equal(
      strncmp(live_as_entries(fx->st, KIND_stock, R + 7, &b), "k1@6\t", 5), 0);
  assert_null(strchr(b.data, '\n')[1] ? "more than k1" : NULL);
  assert_non_null(strstr(b.data, "\"high\":1200.5,"));
  assert_non_null(strstr(b.data, "\"low\":1000,"));
  assert_int_equal(
      strncmp(live_as_entries(fx->st, KIND_stock, R + 8, &b), "k2@8\t", 5), 0);
  assert_null(strchr(b.data, '\n')[1] ? "more than k2" : NULL);
  buf_cleanup(&b);
}

/* The events that may reach a period (store_each_live_near): in UTC (no
 * corridor), the period 2022-12-10T00:00 to 12-11T00:00 is
 * [1670630400, 1670716800]. e1 on 12-01 is far from it; e2 on 12-10 and
 * e3, the whole of December, reach it; e4 in March is far; e5 at
 * 12-08T12:00 is within the two days' slack, so it comes too (the
 * caller's own bounds leave it out); e6 on 12-10 was corrected by e7,
 * 12-12, within the slack too, so that e6 comes as of the size before
 * e7 only. */
static void
test_each_live_near(void **state)
{
  struct fixture *fx = *state;
  static const char *const at[][2] = {{"e1", "2022-12-01"},
                                      {"e2", "2022-12-10"},
                                      {"e3", "2022-12"},
                                      {"e4", "2023-03-01"},
                                      {"e5", "2022-12-08T12:00:00Z"},
                                      {"e6", "2022-12-10T08:00:00Z"}};
  enum store_put_result res;
  struct buf b;

  assert_int_equal(store_begin(fx->st), OK);
  for (size_t i = 0; i < sizeof at / sizeof *at; i++)
    assert_int_equal(put_record(fx->st, KIND_event, &res, "id", at[i][0], "at",
                                at[i][1], "kind", "incident", "summary",
                                "a road blocked", NULL),
                     OK);
  assert_int_equal(put_record(fx->st, KIND_event, &res, "id", "e7", "at",
                              "2022-12-12", "kind", "incident", "summary",
                              "a road blocked", "supersedes", "e6", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);
  buf_init(&b);
  assert_int_equal(store_each_live_near(fx->st, KIND_event, "at", 1670630400,
                                        1670716800, R + 7, live_ids, &b),
                   OK);
  assert_string_equal(b.data ? b.data : "", "e2@2 e3@3 e5@5 e7@7 ");
  buf_reset(&b);
  assert_int_equal(store_each_live_near(fx->st, KIND_event, "at", 1670630400,
                                        1670716800, R + 6, live_ids, &b),
                   OK);
  assert_string_equal(b.data ? b.data : "", "e2@2 e3@3 e5@5 e6@6 ");
  /* A field that is not a time: every live record, as store_each_live. */
  buf_reset(&b);
  assert_int_equal(store_each_live_near(fx->st, KIND_event, "summary",
                                        1670630400, 1670716800, R + 7, live_ids,
                                        &b),
                   OK);
  assert_string_equal(b.data ? b.data : "", "e1@1 e2@2 e3@3 e4@4 e5@5 e7@7 ");
  buf_cleanup(&b);
}

/* live_ids, stopping with ERR_EXISTS after two. */
static int
two_ids(void *ctx, const struct record *rec, uint64_t seq)
{
  struct buf *b = ctx;

  live_ids(ctx, rec, seq);
  return strchr(strchr(b->data, ' ') + 1, ' ') ? ERR_EXISTS : OK;
}

static int
value_list(void *ctx, const char *value)
{
  buf_printf(ctx, "%s ", value);
  return OK;
}

/* A checkpoint's statuses newest first from before a time
 * (store_each_live_back), in UTC: before 2022-12-10T00:00 (1670630400)
 * at x come s3 and s2 (one instant, the later entry first), s1 (12-01),
 * s7 (11-30), which corrected s6; s4 (12-20) is after it and s5 is at y.
 * A walk stops with fn's code. The checkpoints statuses name:
 * store_each_value. */
static void
test_each_live_back(void **state)
{
  struct fixture *fx = *state;
  static const char *const st[][3] = {
      {"s1", "2022-12-01", "x"},           {"s2", "2022-12-05T10:00:00Z", "x"},
      {"s3", "2022-12-05T10:00:00Z", "x"}, {"s4", "2022-12-20", "x"},
      {"s5", "2022-12-03", "y"},           {"s6", "2022-12-02", "x"}};
  enum store_put_result res;
  struct buf b;
  int rc;

  assert_int_equal(store_begin(fx->st), OK);
  for (size_t i = 0; i < sizeof st / sizeof *st; i++)
    assert_int_equal(put_record(fx->st, KIND_status, &res, "id", st[i][0], "at",
                                st[i][1], "checkpoint", st[i][2], "state",
                                "open", NULL),
                     OK);
  assert_int_equal(put_record(fx->st, KIND_status, &res, "id", "s7", "at",
                              "2022-11-30", "checkpoint", "x", "state",
                              "closed", "supersedes", "s6", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);
  buf_init(&b);
  rc = store_each_live_back(fx->st, KIND_status, "at", "checkpoint", "x",
                            1670630400, R + 7, live_ids, &b);
  if (rc == ERR_NOTFOUND) /* a backend without query rows to walk */
    goto out;
  assert_int_equal(rc, OK);
  assert_string_equal(b.data, "s3@3 s2@2 s1@1 s7@7 ");
  buf_reset(&b);
  assert_int_equal(store_each_live_back(fx->st, KIND_status, "at", "checkpoint",
                                        "x", 1670630400, R + 7, two_ids, &b),
                   ERR_EXISTS);
  assert_string_equal(b.data, "s3@3 s2@2 ");
  buf_reset(&b);
  /* As of the size before s7: s6 is live, s7 not yet. */
  assert_int_equal(store_each_live_back(fx->st, KIND_status, "at", "checkpoint",
                                        "x", 1670630400, R + 6, live_ids, &b),
                   OK);
  assert_string_equal(b.data, "s3@3 s2@2 s6@6 s1@1 ");
  buf_reset(&b);
  assert_int_equal(
      store_each_value(fx->st, KIND_status, "checkpoint", value_list, &b), OK);
  assert_true(strcmp(b.data, "x y ") == 0 || strcmp(b.data, "y x ") == 0);
  assert_int_equal(store_each_value(fx->st, KIND_status, "at", value_list, &b),
                   ERR_NOTFOUND);
out:
  buf_cleanup(&b);
}

/* The live flows of a period (store_each_flow_overlapping). In UTC (no
 * corridor), T = 2024-01-01T00:00 = 1704067200: a [10:00, 12:00) at x,
 * b the instant 12:00 at x, c the day 01-02 at x, d the instant 11:00 at
 * y, e [09:00, 11:30) at x, corrected by f, the instant 13:00. So
 * [11:00, 12:00) holds a and d (b begins where it ends; e is corrected),
 * and e too as of size 6, before f; [12:00, 13:00) holds b only (a ends
 * where it begins, f begins where it ends); 01-02 holds c. Entry 0 is
 * init's rules, so a-f are entries 1-6 and the whole log is of size 7. */
static void
test_each_flow_overlapping(void **state)
{
  struct fixture *fx = *state;
  const int64_t t = 1704067200, h = 3600;
  const char *const x[] = {"x", NULL}, *const yx[] = {"y", "x", NULL};
  const char *const flows[][4] = {
      {"a", "2024-01-01T10:00:00", "2024-01-01T12:00:00", "x"},
      {"b", "2024-01-01T12:00:00", NULL, "x"},
      {"c", "2024-01-02", NULL, "x"},
      {"d", "2024-01-01T11:00:00", NULL, "y"},
      {"e", "2024-01-01T09:00:00", "2024-01-01T11:30:00", "x"},
  };
  enum store_put_result res;
  struct buf b;

  assert_int_equal(store_begin(fx->st), OK);
  for (size_t i = 0; i < 5; i++)
    assert_int_equal(
        flows[i][2]
            ? put_flow(fx->st, &res, "id", flows[i][0], "start", flows[i][1],
                       "end", flows[i][2], "checkpoint", flows[i][3],
                       "direction", "in", NULL)
            : put_flow(fx->st, &res, "id", flows[i][0], "start", flows[i][1],
                       "checkpoint", flows[i][3], "direction", "in", NULL),
        OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "f", "start",
                            "2024-01-01T13:00:00", "checkpoint", "x",
                            "direction", "in", "supersedes", "e", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);
  buf_init(&b);
#define OVERLAP(from, to, cps, as_of, want)                                    \
  do {                                                                         \
    buf_reset(&b);                                                             \
    assert_int_equal(store_each_flow_overlapping(fx->st, from, to, cps, as_of, \
                                                 live_ids, &b),                \
                     OK);                                                      \
    assert_string_equal(b.data ? b.data : "", want);                           \
  } while (0)
  OVERLAP(t + 11 * h, t + 12 * h, NULL, 7, "a@1 d@4 ");
  OVERLAP(t + 11 * h, t + 12 * h, x, 7, "a@1 ");
  OVERLAP(t + 11 * h, t + 12 * h, yx, 7, "d@4 a@1 ");
  OVERLAP(t + 11 * h, t + 12 * h, NULL, 6, "a@1 d@4 e@5 ");
  OVERLAP(t + 12 * h, t + 13 * h, NULL, 7, "b@2 ");
  OVERLAP(t + 24 * h, t + 48 * h, NULL, 7, "c@3 ");
#undef OVERLAP
  buf_cleanup(&b);
}

#define assert_near(x, want, eps)                                              \
  assert_true((x) > (want) - (eps) && (x) < (want) + (eps))

/* What a kept day says, for the hand-worked figures below. */
struct kept_day {
  int64_t day;
  char cp[16];
  double vehicles; /* won by the in/passed vehicles stream's parts */
  size_t nspreads; /* their records reaching outside the day */
  size_t npieces;  /* the stream's disputed pieces */
  uint64_t spread_seq;
  unsigned observed[2];
};

struct kept {
  struct kept_day d[8];
  int n;
};

static const char *
same_text(void *ctx, const char *s)
{
  (void)ctx;
  return s;
}

static int
take_kept_day(void *ctx, struct cells_day *d)
{
  struct kept *k = ctx;
  struct kept_day *o;

  assert_true(k->n < 8);
  o = &k->d[k->n++];
  memset(o, 0, sizeof *o);
  o->day = d->day;
  snprintf(o->cp, sizeof o->cp, "%s", d->checkpoint);
  for (size_t i = 0; i < d->nstreams; i++) {
    const struct cells_stream *s = &d->streams[i];
    if (s->measure != CM_VEHICLES || strcmp(s->direction, "in") != 0 ||
        strcmp(s->outcome, "passed") != 0 || !(s->family & CELLS_FLOW))
      continue;
    o->npieces += s->npieces;
    for (size_t p = 0; p < s->nparts; p++) {
      const struct cells_part *pt = &d->parts[s->part + p];
      o->vehicles += pt->won;
      if (pt->nspread && o->nspreads == 0)
        o->spread_seq = d->spreads[pt->spread].seq;
      o->nspreads += pt->nspread;
    }
  }
  o->observed[0] = d->observed[0];
  o->observed[1] = d->observed[1];
  return OK;
}

/* Reads the kept days of 2023-12-31..2024-01-04 into k (both backends
 * keep them, schema 8). */
static void
read_kept(struct store *st, struct kept *k)
{
  const int64_t from = 19722, to = 19726;

  k->n = 0;
  assert_int_equal(store_kept_days(st, from, to, store_corridor(st), same_text,
                                   NULL, take_kept_day, k),
                   OK);
}

static void
verified(struct store *st)
{
  uint64_t bad;

  if (store_audit(st, &bad, NULL, NULL) != OK)
    fail_msg("verify: %s", store_errmsg(st));
}

/* Withdraws coverage record c1 by withdrawal id, in a transaction of its
 * own. */
static void
withdraw_c1(struct store *st, const char *id)
{
  enum store_put_result res;

  assert_int_equal(store_begin(st), OK);
  assert_int_equal(put_record(st, KIND_withdrawal, &res, "id", id, "at",
                              "2024-01-05T00:00:00Z", "kind", "coverage",
                              "reason", "a test", "supersedes", "c1", NULL),
                   OK);
  assert_int_equal(store_commit(st), OK);
}

/*
 * The day cells kept at ingest (issue 13): the days a transaction's flows
 * and coverage reach (new, corrected, withdrawn) are built again in it.
 * Default corridor: UTC, counting stage crossed. At checkpoint x, in:
 *   f1 2024-01-01 06:00-12:00, 6 vehicles (day 19723 only);
 *   f2 2024-01-01 12:00 to 2024-01-03 12:00 (48 h), 48 vehicles: 12 on
 *      19723 (12 h), 24 on 19724, 12 on 19725, and reaches outside each;
 *   c1 coverage of x observed 2024-01-02 (the whole of 19724).
 * 19723: 6 + 12 = 18, f2 spread; nothing observed all day (00:00-06:00
 *        has no record and no coverage).
 * 19724: 24, f2 spread; coverage observes every class (bits 0-3: 15) in
 *        both directions.
 * 19725: 12, f2 spread; nothing observed.
 * Then f3 corrects f2: 2024-01-02 00:00 to 2024-01-03 00:00, 30 vehicles:
 * 19723: 6, no spread; 19724: 30, f3 within the day; 19725: no record and
 * no coverage, so no kept day. Then c1 is withdrawn: 19724 keeps 30, but
 * observed is now only what f3's interval covers, all of 19724 in: records
 * and vehicles (bits 0 and 1: 3), nothing out.
 */
static void
test_kept_cells(void **state)
{
  struct fixture *fx = *state;
  enum store_put_result res;
  struct kept k;
  uint64_t f2;

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "f1", "start",
                            "2024-01-01T06:00:00", "end", "2024-01-01T12:00:00",
                            "checkpoint", "x", "direction", "in", "vehicles",
                            "6", NULL),
                   OK);
  f2 = store_size(fx->st);
  assert_int_equal(put_flow(fx->st, &res, "id", "f2", "start",
                            "2024-01-01T12:00:00", "end", "2024-01-03T12:00:00",
                            "checkpoint", "x", "direction", "in", "vehicles",
                            "48", NULL),
                   OK);
  assert_int_equal(put_record(fx->st, KIND_coverage, &res, "id", "c1", "start",
                              "2024-01-02", "end", "2024-01-02", "checkpoint",
                              "x", "state", "observed", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);
  read_kept(fx->st, &k);
  assert_int_equal(k.n, 3);
  assert_int_equal(k.d[0].day, 19723);
  assert_string_equal(k.d[0].cp, "x");
  assert_near(k.d[0].vehicles, 18, 1e-9);
  assert_int_equal(k.d[0].nspreads, 1);
  assert_int_equal(k.d[0].spread_seq, f2);
  assert_int_equal(k.d[0].observed[0], 0);
  assert_int_equal(k.d[1].day, 19724);
  assert_near(k.d[1].vehicles, 24, 1e-9);
  assert_int_equal(k.d[1].nspreads, 1);
  assert_int_equal(k.d[1].observed[0], 15);
  assert_int_equal(k.d[1].observed[1], 15);
  assert_int_equal(k.d[2].day, 19725);
  assert_near(k.d[2].vehicles, 12, 1e-9);
  assert_int_equal(k.d[2].observed[0], 0);
  verified(fx->st);

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "f3", "start",
                            "2024-01-02T00:00:00", "end", "2024-01-03T00:00:00",
                            "checkpoint", "x", "direction", "in", "vehicles",
                            "30", "supersedes", "f2", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);
  read_kept(fx->st, &k);
  assert_int_equal(k.n, 2);
  assert_int_equal(k.d[0].day, 19723);
  assert_near(k.d[0].vehicles, 6, 1e-9);
  assert_int_equal(k.d[0].nspreads, 0);
  assert_int_equal(k.d[1].day, 19724);
  assert_near(k.d[1].vehicles, 30, 1e-9);
  assert_int_equal(k.d[1].nspreads, 0);
  assert_int_equal(k.d[1].observed[0], 15);
  verified(fx->st);

  withdraw_c1(fx->st, "withdrawal-3");
  read_kept(fx->st, &k);
  assert_int_equal(k.n, 2);
  assert_int_equal(k.d[1].day, 19724);
  assert_near(k.d[1].vehicles, 30, 1e-9);
  assert_int_equal(k.d[1].observed[0], 3);
  assert_int_equal(k.d[1].observed[1], 0);
  verified(fx->st);
}

/*
 * An amendment of a rule the cells depend on builds every kept day again
 * in its transaction. Two ungraded sources count x in on 2024-01-01: a 10
 * vehicles, b 11. Equal grades and lengths: a's claim counts (source id),
 * 10. Under the default tolerance 0.10 the piece is not disputed (|11 -
 * 10| = 1 is not more than 0.10 x 10); with dispute_tolerance = 0.05 it is
 * (1 > 0.5): one disputed piece. The kept days then serve the new rules
 * and no longer the old ones (store_kept_days: ERR_NOTFOUND).
 */
static int amend(struct store *st, const char *text,
                 enum store_put_result *res);

static void
test_kept_cells_amended(void **state)
{
  static const char v2[] = "[corridor]\nname = corridor\n"
                           "dispute_tolerance = 0.05\n";
  struct fixture *fx = *state;
  enum store_put_result res;
  const struct corridor *old = NULL;
  struct kept k;
  uint64_t size;

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "a1", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", "vehicles",
                            "10", "source", "a", NULL),
                   OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "b1", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", "vehicles",
                            "11", "source", "b", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);
  read_kept(fx->st, &k);
  assert_int_equal(k.n, 1);
  assert_near(k.d[0].vehicles, 10, 1e-9);
  assert_int_equal(k.d[0].npieces, 0);
  size = store_size(fx->st);
  assert_int_equal(amend(fx->st, v2, &res), OK);
  assert_int_equal(res, STORE_ADDED);
  read_kept(fx->st, &k);
  assert_int_equal(k.n, 1);
  assert_near(k.d[0].vehicles, 10, 1e-9);
  assert_int_equal(k.d[0].npieces, 1);
  assert_int_equal(store_corridor_at(fx->st, size, &old), OK);
  assert_int_equal(store_kept_days(fx->st, 19723, 19723, old, same_text, NULL,
                                   take_kept_day, &k),
                   ERR_NOTFOUND);
  verified(fx->st);
}

/* A rolled-back transaction leaves the kept cells and their dictionary as
 * they were: a flow of 2024-01-01 (5 vehicles) put and rolled back, then
 * one of 7 committed: the day holds 7, and verify (which encodes the day
 * again with the stored dictionary) passes. */
static void
test_kept_cells_rollback(void **state)
{
  struct fixture *fx = *state;
  enum store_put_result res;
  struct kept k;

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "r1", "start", "2024-01-01",
                            "checkpoint", "gone", "direction", "in", "vehicle",
                            "truck", "vehicles", "5", NULL),
                   OK);
  store_rollback(fx->st);
  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "r2", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", "vehicles",
                            "7", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);
  read_kept(fx->st, &k);
  assert_int_equal(k.n, 1);
  assert_string_equal(k.d[0].cp, "x");
  assert_near(k.d[0].vehicles, 7, 1e-9);
  verified(fx->st);
}

/* -- A long transaction written out as it goes (store_options' hold_bytes) --
 */

/* Appends what each row of the rollups says, as text, to ctx (a buf). */
static int
rollup_text(void *ctx, const struct flow_row *row)
{
  struct buf *b = ctx;

  buf_printf(b, "%lld", (long long)row->day);
  for (int i = 0; i < DIM_COUNT; i++)
    buf_printf(b, " %s", row->dim[i] ? row->dim[i] : "-");
  for (int m = 0; m < M_ALL; m++)
    buf_printf(b, " %.6f", row->m[m]);
  buf_puts(b, "\n");
  return OK;
}

/* Appends what a kept day says, as text, to ctx (a buf): every stream's
 * parts with the shares their sources won and the records reaching
 * outside the day, its disputed pieces, and what was observed. */
static int
day_text(void *ctx, struct cells_day *d)
{
  struct buf *b = ctx;

  buf_printf(b, "%lld %s observed %u %u\n", (long long)d->day, d->checkpoint,
             d->observed[0], d->observed[1]);
  for (size_t i = 0; i < d->nstreams; i++) {
    const struct cells_stream *s = &d->streams[i];
    buf_printf(b, " %d %s %s %s %d pieces %zu:", s->measure, s->direction,
               s->outcome, s->cls ? s->cls : "-", s->family, s->npieces);
    for (size_t p = 0; p < s->nparts; p++) {
      const struct cells_part *pt = &d->parts[s->part + p];
      buf_printf(b, " [%s %.6f %.6f", pt->dim[CD_SOURCE], pt->own, pt->won);
      for (size_t k = 0; k < pt->nspread; k++)
        buf_printf(b, " s%llu",
                   (unsigned long long)d->spreads[pt->spread + k].seq);
      buf_puts(b, "]");
    }
    buf_puts(b, "\n");
  }
  return OK;
}

/* What st holds of 2023-12-30..2024-01-09: its rollups and its day
 * cells; and verify's word on both. */
static char *
held_text(struct store *st)
{
  struct buf b;

  buf_init(&b);
  assert_int_equal(store_each_flow_day(st, 19721, 19731, rollup_text, &b), OK);
  assert_int_equal(store_kept_days(st, 19721, 19731, store_corridor(st),
                                   same_text, NULL, day_text, &b),
                   OK);
  verified(st);
  return buf_take(&b);
}

/* Stores the n-th record of the held test's sequence in st: a flow of
 * 2024-01-01..05 at x or y, in or out, of source a or b (which disagree),
 * a quarter of them over two days, with tonnes of food in quarters (sums
 * exact in binary whatever their order); every 7th corrects the oldest
 * flow still live (*live: ids, [*first, *n)), of the same source as it
 * must be (src: by record, 'a' or 'b'), and one coverage record. */
static void
held_record(struct store *st, unsigned i, char live[][16], char *src,
            size_t *first, size_t *nlive)
{
  enum store_put_result res;
  char id[16], start[32], end[32], veh[16], qty[16];
  const char *fixes = NULL;
  unsigned day = 1 + (i * 7) % 5, hour = (i * 5) % 20;

  snprintf(id, sizeof id, "h%u", i);
  snprintf(start, sizeof start, "2024-01-0%uT%02u:00:00", day, hour);
  snprintf(end, sizeof end, "2024-01-0%uT%02u:00:00",
           i % 4 == 0 ? day + 1 : day, i % 4 == 0 ? hour : hour + 3);
  snprintf(veh, sizeof veh, "%u", 1 + (i * 13) % 9);
  snprintf(qty, sizeof qty, "%.2f", (double)((i * 3) % 17) / 4);
  src[i] = i % 5 ? 'a' : 'b';
  if (i % 7 == 6 && *first < *nlive) {
    fixes = live[(*first)++];
    src[i] = src[atoi(fixes + 1)];
  }
  if (i == 20) {
    assert_int_equal(put_record(st, KIND_coverage, &res, "id", "hc", "start",
                                "2024-01-03", "end", "2024-01-03", "checkpoint",
                                "y", "state", "observed", NULL),
                     OK);
  }
  if (put_flow(st, &res, "id", id, "start", start, "end", end, "checkpoint",
               i % 3 ? "x" : "y", "direction", i % 2 ? "in" : "out", "source",
               src[i] == 'a' ? "a" : "b", "vehicles", veh, "category", "food",
               "quantity", qty, fixes ? "supersedes" : NULL, fixes, NULL) != OK)
    fail_msg("%s: %s", id, store_errmsg(st));
  assert_int_equal(res, STORE_ADDED);
  snprintf(live[(*nlive)++], 16, "%s", id);
}

/*
 * A write transaction that holds at most a byte writes its rollups and
 * builds its touched days before every record (store__tx_spill), reading
 * back from the store what it wrote so far; one that holds the default
 * writes all at commit. The same 150 records in two transactions (the
 * second correcting records of both and withdrawing one) must leave the
 * same rollups and day cells in both stores, and both must pass verify,
 * which builds every day again from the log.
 */
static void
test_held_written_out(void **state)
{
  struct fixture *fx = *state;
  struct store *little;
  char path[256], *want, *got, live[160][16], src[160];
  enum store_put_result res;
  size_t first, nlive;
  struct store *both[2];

  hold_bytes = 1;
  fresh_location(fx, path, sizeof path, NULL, 0);
  little = open_store(path, 1);
  hold_bytes = 0;
  assert_int_equal(store_init(little, NULL, NULL), OK);
  both[0] = fx->st;
  both[1] = little;
  for (int s = 0; s < 2; s++) {
    struct store *st = both[s];
    first = nlive = 0;
    assert_int_equal(store_begin(st), OK);
    for (unsigned i = 0; i < 90; i++)
      held_record(st, i, live, src, &first, &nlive);
    assert_int_equal(store_commit(st), OK);
    assert_int_equal(store_begin(st), OK);
    for (unsigned i = 90; i < 150; i++)
      held_record(st, i, live, src, &first, &nlive);
    if (put_record(st, KIND_withdrawal, &res, "id", "hw", "at",
                   "2024-01-06T00:00:00Z", "kind", "flow", "reason", "a test",
                   "source", src[149] == 'a' ? "a" : "b", "supersedes",
                   live[nlive - 1], NULL) != OK)
      fail_msg("withdrawal: %s", store_errmsg(st));
    assert_int_equal(store_commit(st), OK);
  }
  want = held_text(fx->st);
  got = held_text(little);
  assert_true(strlen(want) > 1000);
  assert_string_equal(got, want);
  free(want);
  free(got);
  store_close(little);
}

/* Commits one flow at x, in, of vehicles vehicles over [start, end)
 * (end NULL: start's day), superseding supersedes unless NULL. */
static void
commit_flow(struct store *st, const char *id, const char *start,
            const char *end, const char *vehicles, const char *supersedes)
{
  enum store_put_result res;
  const char *f[16] = {"id", id,          "start", start,      "checkpoint",
                       "x",  "direction", "in",    "vehicles", vehicles};
  size_t n = 10;

  if (end) {
    f[n++] = "end";
    f[n++] = end;
  }
  if (supersedes) {
    f[n++] = "supersedes";
    f[n++] = supersedes;
  }
  assert_int_equal(store_begin(st), OK);
  assert_int_equal(put_flow(st, &res, f[0], f[1], f[2], f[3], f[4], f[5], f[6],
                            f[7], f[8], f[9], n > 10 ? f[10] : NULL,
                            n > 10 ? f[11] : NULL, n > 12 ? f[12] : NULL,
                            n > 12 ? f[13] : NULL, NULL),
                   OK);
  assert_int_equal(res, STORE_ADDED);
  assert_int_equal(store_commit(st), OK);
}

/* The kept day 2024-01-01 (19723) at x: its in vehicles and observed. */
static void
assert_day(struct store *st, double vehicles, unsigned observed_in)
{
  struct kept k;

  read_kept(st, &k);
  assert_true(k.n >= 1);
  assert_int_equal(k.d[0].day, 19723);
  assert_near(k.d[0].vehicles, vehicles, 1e-9);
  assert_int_equal(k.d[0].observed[0], observed_in);
  verified(st);
}

/*
 * A writer that keeps the records of the days it built (the server's)
 * builds each day from them, the records the transaction superseded left
 * out and its own added; it trusts them only while nothing else wrote and
 * nothing was rolled back. One source, whole-day flows at x on
 * 2024-01-01, so each day's in vehicles are the live flows' sum:
 *   f1 5: 5; f2 7: 12; f3 4 supersedes f1: 7 + 4 = 11;
 *   another handle (no cache) adds f4 20: 31; f5 1: 32 (a writer that
 *   trusted its cache would say 12);
 *   f6 100 rolled back, then f7 2: 34 (not 134);
 *   c1 observes the whole day: observed in 15 (every class); f8 3: 37,
 *   observed still 15; c1 withdrawn: observed only what the flows' own
 *   intervals cover, records and vehicles (bits 0 and 1: 3); f9 1: 38, 3;
 *   f10 2024-01-01T12:00 to 2024-01-02T12:00, 10: 5 on each day: 43, and
 *   19724 holds 5; f11 over both days once both are held (below).
 * Every step's days verified: the audit builds each day from the log.
 */
static void
test_kept_cells_cached(void **state)
{
  struct fixture *fx = *state;
  enum store_put_result res;
  struct store *other;
  struct kept k;

  commit_flow(fx->st, "f1", "2024-01-01", NULL, "5", NULL);
  assert_day(fx->st, 5, 3);
  commit_flow(fx->st, "f2", "2024-01-01", NULL, "7", NULL);
  assert_day(fx->st, 12, 3);
  commit_flow(fx->st, "f3", "2024-01-01", NULL, "4", "f1");
  assert_day(fx->st, 11, 3);

  other = open_store(fx->path, 0);
  commit_flow(other, "f4", "2024-01-01", NULL, "20", NULL);
  store_close(other);
  commit_flow(fx->st, "f5", "2024-01-01", NULL, "1", NULL);
  assert_day(fx->st, 32, 3);

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "f6", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", "vehicles",
                            "100", NULL),
                   OK);
  store_rollback(fx->st);
  commit_flow(fx->st, "f7", "2024-01-01", NULL, "2", NULL);
  assert_day(fx->st, 34, 3);

  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(put_record(fx->st, KIND_coverage, &res, "id", "c1", "start",
                              "2024-01-01", "end", "2024-01-01", "checkpoint",
                              "x", "state", "observed", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK);
  assert_day(fx->st, 34, 15);
  commit_flow(fx->st, "f8", "2024-01-01", NULL, "3", NULL);
  assert_day(fx->st, 37, 15);
  withdraw_c1(fx->st, "withdrawal-c1");
  assert_day(fx->st, 37, 3);
  commit_flow(fx->st, "f9", "2024-01-01", NULL, "1", NULL);
  assert_day(fx->st, 38, 3);

  commit_flow(fx->st, "f10", "2024-01-01T12:00:00", "2024-01-02T12:00:00", "10",
              NULL);
  assert_day(fx->st, 43, 3);
  read_kept(fx->st, &k);
  assert_int_equal(k.n, 2);
  assert_int_equal(k.d[1].day, 19724);
  assert_near(k.d[1].vehicles, 5, 1e-9);

  /* Both days held now: f11 2024-01-01T18:00 to 2024-01-02T06:00, 4,
   * is 2 on each: 45 and 7. */
  commit_flow(fx->st, "f11", "2024-01-01T18:00:00", "2024-01-02T06:00:00", "4",
              NULL);
  assert_day(fx->st, 45, 3);
  read_kept(fx->st, &k);
  assert_int_equal(k.n, 2);
  assert_near(k.d[1].vehicles, 7, 1e-9);
}

/*
 * A writer whose cache another handle wrote past (another server on the
 * same database) takes what that handle appended as its own rather than
 * drop every day it holds, unless the range holds what the cells read
 * otherwise (coverage). Whole-day flows at x on 2024-01-01, in vehicles
 * summed: f1 5, f2 7 by this handle: 12; the other adds f3 20 and f4 3
 * correcting f2 (so f2 goes): 5 + 20 + 3 = 28, then this handle's f5 1:
 * 29, with no held day dropped; the other corrects f3 again (f6 2) and
 * adds f7 4: 5 + 3 + 2 + 4 + 1 = 15, this handle's f8 10: 25, still none
 * dropped; then the other writes coverage c1 (the whole day observed: 15),
 * and this handle's f9 1 (26, observed 15) drops the cache, once. Each
 * step's days verified against days built from the log.
 */
static void
test_kept_cells_caught_up(void **state)
{
  struct fixture *fx = *state;
  enum store_put_result res;
  struct store *other;

  commit_flow(fx->st, "f1", "2024-01-01", NULL, "5", NULL);
  commit_flow(fx->st, "f2", "2024-01-01", NULL, "7", NULL);
  assert_day(fx->st, 12, 3);
  other = open_store(fx->path, 0);
  commit_flow(other, "f3", "2024-01-01", NULL, "20", NULL);
  commit_flow(other, "f4", "2024-01-01", NULL, "3", "f2");
  commit_flow(fx->st, "f5", "2024-01-01", NULL, "1", NULL);
  assert_day(fx->st, 29, 3);
  assert_int_equal(store_day_cache_dropped(fx->st), 0);
  commit_flow(other, "f6", "2024-01-01", NULL, "2", "f3");
  commit_flow(other, "f7", "2024-01-01", NULL, "4", NULL);
  commit_flow(fx->st, "f8", "2024-01-01", NULL, "10", NULL);
  assert_day(fx->st, 25, 3);
  assert_int_equal(store_day_cache_dropped(fx->st), 0);
  assert_int_equal(store_begin(other), OK);
  assert_int_equal(put_record(other, KIND_coverage, &res, "id", "c1", "start",
                              "2024-01-01", "end", "2024-01-01", "checkpoint",
                              "x", "state", "observed", NULL),
                   OK);
  assert_int_equal(store_commit(other), OK);
  store_close(other);
  commit_flow(fx->st, "f9", "2024-01-01", NULL, "1", NULL);
  assert_day(fx->st, 26, 15);
  assert_true(store_day_cache_dropped(fx->st) > 0);
}

/* Amends the rules with a corridor file's text, in a transaction of its
 * own; returns store_put_corridor's code (the transaction rolled back when
 * refused). */
static int
amend(struct store *st, const char *text, enum store_put_result *res)
{
  struct corridor *c = NULL;
  struct buf err;
  int rc;

  buf_init(&err);
  if (corridor_parse("t.ini", text, strlen(text), &c, &err) != OK)
    fail_msg("bad test corridor: %s", err.data);
  assert_int_equal(store_begin(st), OK);
  rc = store_put_corridor(st, c, res);
  if (rc == OK)
    assert_int_equal(store_commit(st), OK);
  else
    store_rollback(st);
  corridor_free(c);
  buf_cleanup(&err);
  return rc;
}

/* The corridor's rules are versions in the log: the one in force at a
 * size is the latest entry below it; an amendment may not take away what
 * records name; the same rules append nothing; another handle sees a new
 * version once refreshed. */
static void
test_corridor_versions(void **state)
{
  static const char v2[] = "[corridor]\nname = T\n[checkpoint x]\nname = X\n"
                           "[category fuel]\nneed_per_person_per_day = 0.1\n";
  static const char no_fuel[] = "[corridor]\nname = T\n[checkpoint x]\n"
                                "name = X\n";
  static const char no_x[] = "[corridor]\nname = T\n[category fuel]\n";
  static const char v3[] = "[corridor]\nname = T\nrestricted_weight = 0.25\n"
                           "[checkpoint x]\nname = X\n[category fuel]\n"
                           "need_per_person_per_day = 0.1\n";
  struct fixture *fx = *state;
  struct store *other = open_store(fx->path, 0);
  struct store_corridor_info in;
  const struct corridor *c = NULL;
  enum store_put_result res;
  uint64_t before;

  /* init's rules: version 1, entry 0. */
  assert_int_equal(store_corridor_version(fx->st, store_size(fx->st), &in), OK);
  assert_int_equal(in.version, 1);
  assert_true(in.logged && in.seq == 0);
  /* No records yet: even the log origin may change ("corridor" -> "t"). */
  assert_int_equal(amend(fx->st, v2, &res), OK);
  assert_int_equal(res, STORE_ADDED);
  assert_string_equal(store_corridor(fx->st)->log, "t");
  assert_int_equal(store_begin(fx->st), OK);
  assert_int_equal(
      put_record(fx->st, KIND_checkpoint, &res, "id", "x", "name", "X", NULL),
      OK);
  assert_int_equal(put_flow(fx->st, &res, "id", "f", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", "category",
                            "fuel", "quantity", "3", NULL),
                   OK);
  assert_int_equal(put_record(fx->st, KIND_stock, &res, "id", "s", "at",
                              "2024-01-01", "category", "fuel", "low", "1",
                              "high", "2", NULL),
                   OK);
  assert_int_equal(store_commit(fx->st), OK); /* entries 2, 3, 4 */

  /* What records name stays: the flow's cargo names fuel, the flow x. */
  assert_int_equal(amend(fx->st, no_fuel, &res), ERR_INVALID);
  assert_non_null(strstr(store_errmsg(fx->st),
                         "drops category 'fuel', which records name (the "
                         "first is a flow observation, entry 3)"));
  assert_int_equal(amend(fx->st, no_x, &res), ERR_INVALID);
  assert_non_null(strstr(store_errmsg(fx->st),
                         "drops checkpoint 'x', which records name (the "
                         "first is a flow observation, entry 3)"));
  assert_int_equal(store_size(fx->st), 5);

  /* A weight may change; the old size keeps the old rules. */
  before = store_size(fx->st);
  assert_int_equal(amend(fx->st, v3, &res), OK);
  assert_int_equal(res, STORE_ADDED);
  assert_int_equal(store_size(fx->st), before + 1);
  assert_int_equal(store_corridor_at(fx->st, before, &c), OK);
  assert_true(c->restricted_weight == 0.5);
  assert_int_equal(store_corridor_at(fx->st, before + 1, &c), OK);
  assert_true(c->restricted_weight == 0.25);
  assert_true(store_corridor(fx->st)->restricted_weight == 0.25);
  assert_int_equal(store_corridor_version(fx->st, before + 1, &in), OK);
  assert_int_equal(in.version, 3);
  assert_int_equal(in.seq, before);
  assert_int_equal(amend(fx->st, v3, &res), OK);
  assert_int_equal(res, STORE_UNCHANGED);
  assert_int_equal(store_size(fx->st), before + 1);

  /* A handle opened before sees version 3 once refreshed. */
  assert_true(store_corridor(other)->restricted_weight == 0.5);
  assert_int_equal(store_refresh(other), OK);
  assert_true(store_corridor(other)->restricted_weight == 0.25);
  assert_audit_ok(other);
  store_close(other);
}

/* -- SQLite's files and the choice of backend: run once. -- */

static int
setup_dir(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);

  snprintf(fx->dir, sizeof fx->dir, "/tmp/passage-test-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  *state = fx;
  return 0;
}

static void
test_open_by_scheme(void **state)
{
  struct fixture *fx = *state;
  const char *forms[] = {"%s/s.db", "sqlite:%s/s.db", "sqlite://%s/s.db"};
  enum store_put_result res;
  struct store *st;
  char location[256];

  /* Made through one form, it is the same store through every other. */
  snprintf(location, sizeof location, "sqlite:%s/s.db", fx->dir);
  st = open_store(location, 1);
  assert_int_equal(store_init(st, NULL, NULL), OK);
  assert_int_equal(store_begin(st), OK);
  assert_int_equal(put_flow(st, &res, "id", "a", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", NULL),
                   OK);
  assert_int_equal(store_commit(st), OK);
  store_close(st);
  snprintf(location, sizeof location, "%s/s.db", fx->dir);
  assert_int_equal(access(location, F_OK), 0);
  for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
    snprintf(location, sizeof location, forms[i], fx->dir);
    st = open_store(location, 0);
    assert_int_equal(store_size(st), R + 1);
    assert_int_equal(store_has(st, KIND_flow, "a"), 1);
    store_close(st);
  }
  /* A colon in a plain path is no scheme. */
  snprintf(location, sizeof location, "%s/a:b.db", fx->dir);
  st = open_store(location, 1);
  store_close(st);
  assert_int_equal(access(location, F_OK), 0);
}

static void
test_open_refuses_other_schemes(void **state)
{
  const char *refused[] = {"mysql://host/db", "sqlite:"};
  const char *says[] = {"unknown kind of store 'mysql://'", "names no store"};

  (void)state;
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    struct store *st = (struct store *)1;
    struct buf err;
    buf_init(&err);
    assert_int_equal(store_open(refused[i], 1, &st, &err), ERR_USAGE);
    assert_null(st);
    assert_non_null(err.data);
    if (strstr(err.data, says[i]) == NULL)
      fail_msg("%s: '%s' lacks '%s'", refused[i], err.data, says[i]);
    buf_cleanup(&err);
  }
}

/* postgresql:// and postgres:// are PostgreSQL's: a server that does not
 * answer (nothing listens on port 1) is a store that cannot be opened, and
 * the message names it without its password. */
static void
test_open_postgres_urls(void **state)
{
  const char *urls[] = {
      "postgresql://u:secret@127.0.0.1:1/db?connect_timeout=2",
      "postgres://u:secret@127.0.0.1:1/db?connect_timeout=2"};
  const char *says[] = {"cannot connect to postgresql://u:***@127.0.0.1:1/db",
                        "cannot connect to postgres://u:***@127.0.0.1:1/db"};

  (void)state;
  for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
    struct store *st = (struct store *)1;
    struct buf err;
    buf_init(&err);
    assert_int_equal(store_open(urls[i], 0, &st, &err), ERR_IO);
    assert_null(st);
    assert_non_null(err.data);
    if (strstr(err.data, says[i]) == NULL || strstr(err.data, "secret"))
      fail_msg("%s: '%s' lacks '%s' or shows the password", urls[i], err.data,
               says[i]);
    buf_cleanup(&err);
  }
}

/* A writer that cannot have the store within its busy timeout (0.2 s
 * here) is told to retry, with the store's path and how long it waited,
 * and nothing of its transaction is open. (Who holds the lock is not
 * known within one process: tests/cli/cases/locked shows it across
 * processes.) */
static void
test_locked_store_asks_to_retry(void **state)
{
  struct fixture *fx = *state;
  struct store_options o = {0, 200, 0, 0, 0};
  struct store *a, *b = NULL;
  enum store_put_result res;
  char location[256], want[300];
  struct buf err;

  buf_init(&err);
  snprintf(location, sizeof location, "%s/l.db", fx->dir);
  a = open_store(location, 1);
  assert_int_equal(store_init(a, NULL, NULL), OK);
  assert_int_equal(store_open_with(location, &o, &b, &err), OK);
  assert_int_equal(store_begin(a), OK);
  assert_int_equal(store_begin(b), ERR_RETRY);
  snprintf(want, sizeof want, "the store %s is locked by", location);
  assert_non_null(strstr(store_errmsg(b), want));
  assert_non_null(strstr(store_errmsg(b), "waited 0.2 s"));
  assert_non_null(strstr(store_errmsg(b), "--busy-timeout"));
  buf_cleanup(&err);
  assert_int_equal(put_flow(b, &res, "id", "b", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", NULL),
                   ERR_USAGE);
  assert_int_equal(store_commit(a), OK);
  assert_int_equal(store_begin(b), OK);
  assert_int_equal(put_flow(b, &res, "id", "b", "start", "2024-01-01",
                            "checkpoint", "x", "direction", "in", NULL),
                   OK);
  assert_int_equal(store_commit(b), OK);
  store_close(a);
  store_close(b);
}

int
main(void)
{
  const struct CMUnitTest contract[] = {
      cmocka_unit_test_setup_teardown(test_idempotent_ids, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rollback_leaves_nothing, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_rollups_spread_and_supersede, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_tree_matches_naive, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reopen_requires_init, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_rollback_leaves_nothing_at_all,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_refused_correction_leaves_nothing,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_duplicates_across_handles, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_find_entry, setup, teardown),
      cmocka_unit_test_setup_teardown(test_refresh_sees_other_handle, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_refresh_loads_corridor, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_read_transaction_is_a_snapshot,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_each_live_as_of, setup, teardown),
      cmocka_unit_test_setup_teardown(test_each_live_as_entries, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_each_live_near, setup, teardown),
      cmocka_unit_test_setup_teardown(test_each_live_back, setup, teardown),
      cmocka_unit_test_setup_teardown(test_each_flow_overlapping, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_corridor_versions, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kept_cells, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kept_cells_amended, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kept_cells_rollback, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_kept_cells_cached, setup, teardown),
      cmocka_unit_test_setup_teardown(test_held_written_out, setup, teardown),
      /* The kept days again, written by a handle with the day cache. */
      cmocka_unit_test_setup_teardown(test_kept_cells, setup_cached, teardown),
      cmocka_unit_test_setup_teardown(test_kept_cells_amended, setup_cached,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_kept_cells_rollback, setup_cached,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_kept_cells_caught_up, setup_cached,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_kept_cells_cached, setup_cached,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_kept_cells_cached, setup_tiny_cache,
                                      teardown),
  };
  const struct CMUnitTest once[] = {
      cmocka_unit_test_setup_teardown(test_open_by_scheme, setup_dir, teardown),
      cmocka_unit_test(test_open_refuses_other_schemes),
      cmocka_unit_test(test_open_postgres_urls),
      cmocka_unit_test_setup_teardown(test_locked_store_asks_to_retry,
                                      setup_dir, teardown),
  };
  const char *env = getenv("PASSAGE_TEST_STORES");
  char *list = strdup(env && *env ? env : "sqlite:%s %s");
  char *save = NULL;
  int failed = 0;

  for (char *t = strtok_r(list, " ", &save); t;
       t = strtok_r(NULL, " ", &save)) {
    target = t;
    failed += cmocka_run_group_tests_name(t, contract, NULL, NULL);
  }
  failed +=
      cmocka_run_group_tests_name("sqlite files and schemes", once, NULL, NULL);
  free(list);
  return failed;
}
