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
#include <time.h>
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

  assert_int_equal(analysis_availability(a, "a", AD_IN,
                                         util_days_from_civil(y, m, d), &share,
                                         &known),
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

static void
put_flow(struct store *st, const char *id, const char *start, const char *end,
         const char *cp, const char *dir, const char *persons)
{
  const char *fields[][2] = {{"id", id},         {"start", start},
                             {"end", end},       {"checkpoint", cp},
                             {"direction", dir}, {"persons", persons},
                             {"source", "mon"},  {"grade", "A1"}};

  put_fields(st, KIND_flow, fields, 8);
}

/* A baseline day at the counted checkpoint: in 100 persons, 10 vehicles,
 * 20 t of food; out 50 persons, 5 vehicles, 10 t. */
static void
put_baseline_day(struct store *st, const char *day)
{
  char in[32], out[32];
  const char *fin[][2] = {
      {"id", in},           {"start", day},     {"checkpoint", "gate"},
      {"direction", "in"},  {"vehicles", "10"}, {"persons", "100"},
      {"category", "food"}, {"quantity", "20"}};
  const char *fout[][2] = {
      {"id", out},           {"start", day},    {"checkpoint", "gate"},
      {"direction", "out"},  {"vehicles", "5"}, {"persons", "50"},
      {"category", "other"}, {"quantity", "10"}};

  snprintf(in, sizeof in, "base-in-%s", day);
  snprintf(out, sizeof out, "base-out-%s", day);
  put_fields(st, KIND_flow, fin, 8);
  put_fields(st, KIND_flow, fout, 8);
}

/*
 * The index of a week from its mean daily flows (issue 8 item 5), by hand.
 * Baseline (09-01..02): in 100 persons, 10 vehicles, 20 t; out 50, 5, 10.
 * The week 10-09..15 at the gate, observed throughout: 200 persons in on
 * 10-09 alone; out, 10 persons a day as shares of one record of 140 over
 * 10-02..15 (two weeks). Parts: in persons 200 / 7 = 28.571429 a day,
 * 0.285714 of the baseline; out persons 10 / 50 = 0.2; the rest 0. Index
 * (0.285714 + 0.2) / 6 = 0.080952 (the mean of the daily indexes would be
 * (1.2 / 6 + 6 x 0.2 / 6) / 7 = 0.057143). The out persons figure is
 * approximate and the same record's slice as the week before. Off the
 * index, 700 persons left through the east post.
 */
static void
test_period_index(void **state)
{
  struct fixture *fx = *state;
  const char *text = "[corridor]\nname = p\ntimezone = UTC\n"
                     "baseline = 2023-09-01..2023-09-02\n"
                     "[checkpoint gate]\nname = Gate\n"
                     "[checkpoint east]\nname = East post\n"
                     "[obligation fm]\ncheckpoints = gate\n"
                     "min_ratio_of_baseline = 0.8\n";
  const char *cp_gate[][2] = {{"id", "gate"}, {"name", "Gate"}};
  const char *cp_east[][2] = {{"id", "east"}, {"name", "East post"}};
  const char *cov1[][2] = {{"id", "c1"},
                           {"start", "2023-09-01"},
                           {"end", "2023-09-02"},
                           {"checkpoint", "gate"},
                           {"state", "observed"}};
  const char *cov2[][2] = {{"id", "c2"},
                           {"start", "2023-10-02"},
                           {"end", "2023-10-15"},
                           {"checkpoint", "gate"},
                           {"state", "observed"}};
  struct analysis_period *cur = NULL, *prev = NULL;
  struct analysis *a = NULL;
  char path[128];
  struct buf err;
  size_t n;

  buf_init(&err);
  snprintf(path, sizeof path, "%s/period.db", fx->dir);
  assert_int_equal(store_open(path, 1, &fx->baku, &err), OK);
  assert_int_equal(store_init(fx->baku, "corridor.ini", text), OK);
  put_fields(fx->baku, KIND_checkpoint, cp_gate, 2);
  put_fields(fx->baku, KIND_checkpoint, cp_east, 2);
  put_fields(fx->baku, KIND_coverage, cov1, 5);
  put_fields(fx->baku, KIND_coverage, cov2, 5);
  put_baseline_day(fx->baku, "2023-09-01");
  put_baseline_day(fx->baku, "2023-09-02");
  put_flow(fx->baku, "in-09", "2023-10-09", "2023-10-09", "gate", "in", "200");
  put_flow(fx->baku, "long", "2023-10-02", "2023-10-15", "gate", "out", "140");
  put_flow(fx->baku, "exodus", "2023-10-09", "2023-10-15", "east", "out",
           "700");
  assert_int_equal(analysis_open(fx->baku, 0, &a, &err), OK);
  assert_non_null(analysis_index_checkpoints(a, &n));
  assert_int_equal(n, 1);
  assert_string_equal(analysis_index_checkpoints(a, &n)[0], "gate");
  assert_int_equal(analysis_period(a, util_days_from_civil(2023, 10, 9),
                                   util_days_from_civil(2023, 10, 15), &cur),
                   OK);
  assert_int_equal(analysis_period(a, util_days_from_civil(2023, 10, 2),
                                   util_days_from_civil(2023, 10, 8), &prev),
                   OK);
  assert_int_equal(cur->part[AD_IN][AP_PERSONS].known_days, 7);
  assert_float_equal(cur->part[AD_IN][AP_PERSONS].per_day, 200.0 / 7, 1e-9);
  assert_float_equal(cur->part[AD_IN][AP_PERSONS].ratio, 2.0 / 7, 1e-9);
  assert_float_equal(cur->part[AD_OUT][AP_PERSONS].ratio, 0.2, 1e-9);
  assert_float_equal(cur->part[AD_OUT][AP_TONNES].baseline, 10, 1e-9);
  assert_true(cur->index_known);
  assert_float_equal(cur->index, (2.0 / 7 + 0.2) / 6, 1e-9);
  assert_float_equal(cur->index, 0.080952, 1e-6);
  assert_true(cur->part[AD_OUT][AP_PERSONS].approximate);
  assert_false(cur->part[AD_IN][AP_PERSONS].approximate);
  assert_int_equal(cur->part[AD_OUT][AP_PERSONS].nspread, 1);
  assert_string_equal(cur->part[AD_OUT][AP_PERSONS].spread[0].id, "long");
  assert_true(analysis_same_record(&cur->part[AD_OUT][AP_PERSONS],
                                   &prev->part[AD_OUT][AP_PERSONS]));
  assert_false(analysis_same_record(&cur->part[AD_IN][AP_PERSONS],
                                    &prev->part[AD_IN][AP_PERSONS]));
  assert_int_equal(cur->ncps, 2);
  assert_string_equal(cur->cps[0].checkpoint, "gate");
  assert_true(cur->cps[0].counted);
  assert_float_equal(cur->cps[0].total[AD_OUT][AP_PERSONS], 70, 1e-9);
  assert_string_equal(cur->cps[1].checkpoint, "east");
  assert_false(cur->cps[1].counted);
  assert_true(cur->cps[1].route);
  assert_true(cur->cps[1].known[AD_OUT][AP_PERSONS]);
  assert_float_equal(cur->cps[1].total[AD_OUT][AP_PERSONS], 700, 1e-9);
  assert_int_equal(cur->cps[1].unknown_days[AD_OUT][AP_PERSONS], 0);
  assert_int_equal(cur->cps[1].unknown_days[AD_OUT][AP_VEHICLES], 7);
  analysis_period_free(cur);
  analysis_period_free(prev);
  analysis_free(a);
  buf_cleanup(&err);
}

/* A status of the random timeline below. */
struct rstatus {
  int cp, dir, state; /* dir: 0 in, 1 out, 2 both; state: 0 closed, 1
                         restricted, 2 open */
  int64_t t;          /* UTC seconds: the corridor is in UTC */
};

/*
 * The share of day of checkpoint cp open for direction dir, worked out
 * apart from analysis_availability: the statuses that apply (the
 * checkpoint's, for dir or both) in time order, ties in log order; the
 * state at the day's start is the last at or before it (unknown without
 * one); then each change within the day, restricted counting 0.5.
 */
static int
reference_share(const struct rstatus *v, size_t n, int cp, int dir, int64_t day,
                double *share)
{
  int64_t start = day * 86400, end = start + 86400, t = start;
  double w[3] = {0, 0.5, 1}, open = 0;
  int state = -1;
  size_t *order = calloc(n, sizeof *order), m = 0;

  for (size_t i = 0; i < n; i++)
    if (v[i].cp == cp && (v[i].dir == 2 || v[i].dir == dir))
      order[m++] = i;
  /* Insertion sort by time: stable, so equal times keep the log's order. */
  for (size_t i = 1; i < m; i++)
    for (size_t j = i; j > 0 && v[order[j - 1]].t > v[order[j]].t; j--) {
      size_t x = order[j];
      order[j] = order[j - 1];
      order[j - 1] = x;
    }
  for (size_t i = 0; i < m && v[order[i]].t <= start; i++)
    state = v[order[i]].state;
  for (size_t i = 0; state >= 0 && i < m; i++) {
    const struct rstatus *x = &v[order[i]];
    if (x->t <= start || x->t >= end)
      continue;
    open += (double)(x->t - t) * w[state];
    t = x->t;
    state = x->state;
  }
  free(order);
  if (state < 0)
    return 0;
  *share = (open + (double)(end - t) * w[state]) / 86400.0;
  return 1;
}

/* 400 status changes at random times over 40 days at three checkpoints,
 * for one direction or both, some at midnight and some at the same
 * instant as another, and at a fourth, d, one for the way out at noon of
 * the first day and then only ways in, one a day: each day's share open
 * of each checkpoint and direction is the one reference_share works out,
 * asked of one view day after day (which reads every status after a few
 * days) and of a new view each day (which reads only what that day
 * needs: d's way out from 39 days before). */
static void
test_availability_random(void **state)
{
  struct fixture *fx = *state;
  static const char *const cps[] = {"a", "b", "c", "d"};
  static const char *const dirs[] = {"in", "out", "both"};
  static const char *const states[] = {"closed", "restricted", "open"};
  enum { N = 440, RANDOM = 400, DAYS = 40 };
  struct rstatus *v = calloc(N, sizeof *v);
  int64_t day0 = util_days_from_civil(2023, 1, 1);
  uint32_t seed = 20261204;
  struct analysis *a = NULL;
  struct buf err, bytes;
  char path[128];
  size_t checked = 0, unknown = 0;

  buf_init(&err);
  buf_init(&bytes);
  snprintf(path, sizeof path, "%s/random.db", fx->dir);
  assert_int_equal(store_open(path, 1, &fx->baku, &err), OK);
  assert_int_equal(store_init(fx->baku, "corridor.ini",
                              "[corridor]\nname = random\n"
                              "restricted_weight = 0.5\n"),
                   OK);
  assert_int_equal(store_begin(fx->baku), OK);
  for (int i = 0; i < N; i++) {
    enum store_put_result res;
    struct record r;
    char id[16], at[32];
    struct tm tm;
    time_t t;
    const char *fields[5][2];
    seed = seed * 1103515245u + 12345u;
    v[i].cp = i < RANDOM ? (int)(seed >> 16) % 3 : 3;
    seed = seed * 1103515245u + 12345u;
    v[i].dir = (int)(seed >> 16) % 3;
    seed = seed * 1103515245u + 12345u;
    v[i].state = (int)(seed >> 16) % 3;
    seed = seed * 1103515245u + 12345u;
    /* A minute of the 40 days; one in eight at a midnight, one in eight at
     * the time of the status before. */
    v[i].t = (day0 + (int64_t)((seed >> 8) % DAYS)) * 86400 +
             (int64_t)((seed >> 4) % 1440) * 60;
    if (seed % 8 == 0)
      v[i].t -= v[i].t % 86400;
    else if (seed % 8 == 1 && i > 0)
      v[i].t = v[i - 1].t;
    if (i >= RANDOM) { /* d: out at noon of day 0, then in, a day each */
      v[i].dir = i == RANDOM ? 1 : 0;
      v[i].t = (day0 + (i - RANDOM)) * 86400 + 12 * 3600;
    }
    t = (time_t)v[i].t;
    gmtime_r(&t, &tm);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(id, sizeof id, "s%d", i);
    fields[0][0] = "id", fields[0][1] = id;
    fields[1][0] = "at", fields[1][1] = at;
    fields[2][0] = "checkpoint", fields[2][1] = cps[v[i].cp];
    fields[3][0] = "state", fields[3][1] = states[v[i].state];
    fields[4][0] = "direction", fields[4][1] = dirs[v[i].dir];
    record_init(&r, KIND_status);
    for (size_t f = 0; f < 5; f++) {
      int fi = record_field_index(r.kind, fields[f][0]);
      assert_true(fi >= 0);
      assert_int_equal(
          record_set(&r, NULL, fi, 0, fields[f][1], strlen(fields[f][1]), &err),
          OK);
    }
    assert_int_equal(record_finish(&r, &err), OK);
    buf_reset(&bytes);
    record_canonical(&r, &bytes);
    assert_int_equal(store_put(fx->baku, &r, bytes.data, bytes.len, &res), OK);
    record_cleanup(&r);
  }
  assert_int_equal(store_commit(fx->baku), OK);
  for (int fresh = 0; fresh < 2; fresh++) {
    if (!fresh)
      assert_int_equal(analysis_open(fx->baku, 0, &a, &err), OK);
    for (int64_t d = day0 - 1; d <= day0 + DAYS; d++) {
      if (fresh)
        assert_int_equal(analysis_open(fx->baku, 0, &a, &err), OK);
      for (int c = 0; c < 4; c++)
        for (int dir = 0; dir < 2; dir++) {
          double got = -1, want = -1;
          int known = -1;
          int have = reference_share(v, N, c, dir, d, &want);
          assert_int_equal(analysis_availability(a, cps[c],
                                                 dir == 0 ? AD_IN : AD_OUT, d,
                                                 &got, &known),
                           OK);
          assert_int_equal(known, have);
          if (have)
            assert_float_equal(got, want, 1e-12);
          else
            assert_float_equal(got, 0, 0);
          checked++;
          unknown += !have;
        }
      if (fresh) {
        analysis_free(a);
        a = NULL;
      }
    }
    if (!fresh) {
      analysis_free(a);
      a = NULL;
    }
  }
  /* Every day, checkpoint and direction asked, twice: 42 days x 4 x 2 x
   * 2. Some unknown (before the first status of each), most known. */
  assert_int_equal(checked, 2 * 42 * 4 * 2);
  assert_true(unknown >= 16 && unknown < checked / 2);
  analysis_free(a);
  free(v);
  buf_cleanup(&err);
  buf_cleanup(&bytes);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_two_zones_at_once, setup, teardown),
      cmocka_unit_test(test_percentiles),
      cmocka_unit_test_setup_teardown(test_period_index, setup, teardown),
      cmocka_unit_test_setup_teardown(test_availability_random, setup,
                                      teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
