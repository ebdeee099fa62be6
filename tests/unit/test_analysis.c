/*
 * Unit tests of analysis: two stores in different time zones, open in one
 * process at once, each put a status change and a crossing at the same UTC
 * instants on its own local day, with its own share of the day open.
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

#include "analysis/analysis.h"

struct fixture {
  char dir[64];
  struct store *baku, *ny;
};

static int
have_zone(const char *name)
{
  char path[256];

  snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
  return getenv("TZDIR") == NULL && access(path, R_OK) == 0;
}

/* Stores a record of kind given as n field/value pairs. */
static void
put_fields(struct store *st, enum record_kind kind, const char *fields[][2],
           size_t n)
{
  enum store_put_result res;
  struct record r;
  struct buf err, bytes;

  record_init(&r, kind);
  buf_init(&err);
  buf_init(&bytes);
  for (size_t i = 0; i < n; i++) {
    int fi = record_field_index(r.kind, fields[i][0]);
    assert_true(fi >= 0);
    assert_int_equal(
        record_set(&r, NULL, fi, 0, fields[i][1], strlen(fields[i][1]), &err),
        OK);
  }
  assert_int_equal(record_finish(&r, &err), OK);
  record_canonical(&r, &bytes);
  assert_int_equal(store_begin(st), OK);
  assert_int_equal(store_put(st, &r, bytes.data, bytes.len, &res), OK);
  assert_int_equal(store_commit(st), OK);
  record_cleanup(&r);
  buf_cleanup(&err);
  buf_cleanup(&bytes);
}

static void
put_status(struct store *st, const char *id, const char *at, const char *state)
{
  const char *fields[][2] = {
      {"id", id}, {"at", at}, {"checkpoint", "a"}, {"state", state}};

  put_fields(st, KIND_status, fields, 4);
}

/* 12 persons out at one instant. */
static void
put_crossing(struct store *st, const char *at)
{
  const char *fields[][2] = {{"id", "f1"},        {"start", at},
                             {"checkpoint", "a"}, {"direction", "out"},
                             {"persons", "12"},   {"source", "m"}};

  put_fields(st, KIND_flow, fields, 6);
}

struct day_sum {
  int64_t day;
  double persons;
};

static int
persons_day(void *ctx, const struct flow_row *row)
{
  struct day_sum *d = ctx;

  if (row->m[M_PERSONS] != 0) {
    d->day = row->day;
    d->persons += row->m[M_PERSONS];
  }
  return OK;
}

/* A new store in dir whose corridor is in zone, with checkpoint a closed
 * from its local 2023-01-09 and open from 2023-01-10T00:00Z. */
static struct store *
open_store(const char *dir, const char *file, const char *zone)
{
  char path[128], text[128];
  struct store *st = NULL;
  struct buf err;

  buf_init(&err);
  snprintf(path, sizeof path, "%s/%s", dir, file);
  snprintf(text, sizeof text, "[corridor]\nname = %s\ntimezone = %s\n", file,
           zone);
  assert_int_equal(store_open(path, 1, &st, &err), OK);
  assert_int_equal(store_init(st, "corridor.ini", text), OK);
  put_status(st, "s1", "2023-01-09", "closed");
  put_status(st, "s2", "2023-01-10T00:00:00Z", "open");
  put_crossing(st, "2023-01-10T02:00:00Z");
  buf_cleanup(&err);
  return st;
}

static int
setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);

  snprintf(fx->dir, sizeof fx->dir, "/tmp/passage-test-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  *state = fx;
  return 0;
}

static int
teardown(void **state)
{
  struct fixture *fx = *state;
  char cmd[256];

  store_close(fx->baku);
  store_close(fx->ny);
  snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
  assert_int_equal(system(cmd), 0);
  free(fx);
  return 0;
}

static double
open_share(struct analysis *a, int y, int m, int d)
{
  double share;
  int known;

  assert_int_equal(analysis_availability(a, "a", util_days_from_civil(y, m, d),
                                         &share, &known),
                   OK);
  assert_true(known);
  return share;
}

static void
test_two_zones_at_once(void **state)
{
  struct fixture *fx = *state;
  struct analysis *baku = NULL, *ny = NULL;
  struct buf err;

  if (!have_zone("Asia/Baku") || !have_zone("America/New_York"))
    skip();
  buf_init(&err);
  /* Both open at once: whichever was opened last must not decide the
   * other's days. */
  fx->baku = open_store(fx->dir, "baku.db", "Asia/Baku");
  fx->ny = open_store(fx->dir, "ny.db", "America/New_York");
  assert_int_equal(analysis_open(fx->baku, 0, &baku, &err), OK);
  assert_int_equal(analysis_open(fx->ny, 0, &ny, &err), OK);
  for (int i = 0; i < 2; i++) {
    /* 00:00 UTC is 04:00 in Baku (+4): open 20 of Jan 10's 24 hours. */
    assert_float_equal(open_share(baku, 2023, 1, 10), 20.0 / 24, 1e-12);
    assert_float_equal(open_share(baku, 2023, 1, 9), 0, 1e-12);
    /* ... and 19:00 on Jan 9 in New York (-5): open 5 of Jan 9's hours,
     * all of Jan 10. */
    assert_float_equal(open_share(ny, 2023, 1, 9), 5.0 / 24, 1e-12);
    assert_float_equal(open_share(ny, 2023, 1, 10), 1, 1e-12);
  }
  /* The store's own daily rollups: 02:00 UTC on Jan 10 is 06:00 on Jan 10
   * in Baku and 21:00 on Jan 9 in New York. */
  {
    struct day_sum b = {0, 0}, n = {0, 0};
    int64_t jan1 = util_days_from_civil(2023, 1, 1);
    assert_int_equal(
        store_each_flow_day(fx->baku, jan1, jan1 + 30, persons_day, &b), OK);
    assert_int_equal(
        store_each_flow_day(fx->ny, jan1, jan1 + 30, persons_day, &n), OK);
    assert_int_equal(b.day, util_days_from_civil(2023, 1, 10));
    assert_int_equal(n.day, util_days_from_civil(2023, 1, 9));
    assert_float_equal(b.persons, 12, 1e-12);
    assert_float_equal(n.persons, 12, 1e-12);
  }
  analysis_free(baku);
  analysis_free(ny);
  buf_cleanup(&err);
}

/* The pipeline's dwell statistics (docs/analysis.md): the median is the
 * middle value, or the mean of the two middle ones; the 90th percentile is
 * the nearest rank, the ceil(0.9 n)-th smallest value. */
static void
test_percentiles(void **state)
{
  double three[] = {5, 1, 3}, ten[] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  double one[] = {2}, four[] = {24, 1, 24, 6};
  double median, p90;

  (void)state;
  analysis_percentiles(three, 3, &median, &p90);
  assert_true(median == 3 && p90 == 5); /* rank ceil(2.7) = 3 */
  analysis_percentiles(ten, 10, &median, &p90);
  assert_true(median == 5.5 && p90 == 9); /* rank 9 */
  analysis_percentiles(one, 1, &median, &p90);
  assert_true(median == 2 && p90 == 2);
  analysis_percentiles(four, 4, &median, &p90);
  assert_true(median == 15 && p90 == 24); /* (6 + 24) / 2; rank 4 */
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_two_zones_at_once, setup, teardown),
      cmocka_unit_test(test_percentiles),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
