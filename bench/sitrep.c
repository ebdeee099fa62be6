/*
 * bench_sitrep: what a day's sitrep costs inside the process (issue 4,
 * item 11), without process start, so that bench/analysis can tell the
 * analysis from the rest of `passage report sitrep`.
 *
 *   bench_sitrep DB DATE [RUNS]
 *
 * Opens the store at DB once (timed), then, RUNS times each (default 50),
 * with a new analysis view every run (as each command makes one):
 *   - the sitrep of DATE, --period day and week, as JSON;
 *   - the same with the store opened and closed every run;
 *   - its parts on their own: the flows of the day by checkpoint and
 *     direction, the flows of the corridor's baseline window by day,
 *     checkpoint and direction (what the baseline means cost when read
 *     from the rollups), the functioning index of the day (which needs the
 *     baseline), compliance on the day, the supply outlook at the day, the
 *     availability of every checkpoint on the day.
 * Prints min, median and mean in ms for each. A part stops after 20 s of
 * runs (at least 3) on a large store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis/analysis.h"
#include "report/report.h"
#include "store/store.h"
#include "util/util.h"

static double
now_ms(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *x, const void *y)
{
  double a = *(const double *)x, b = *(const double *)y;

  return a < b ? -1 : a > b;
}

static void
print_stats(const char *name, double *t, int runs)
{
  double sum = 0;

  for (int i = 0; i < runs; i++)
    sum += t[i];
  qsort(t, (size_t)runs, sizeof *t, cmp_double);
  printf("  %-44s min %8.3f  median %8.3f  mean %8.3f ms (%d runs)\n", name,
         t[0], t[runs / 2], sum / runs, runs);
}

static const char *db_path;
static int64_t day;

enum part {
  P_SITREP_DAY,
  P_SITREP_WEEK,
  P_OPEN_SITREP_DAY,
  P_FLOWS,
  P_BASELINE,
  P_INDEX,
  P_COMPLIANCE,
  P_SUPPLY,
  P_AVAILABILITY,
  P_COUNT
};

static const char *const part_names[P_COUNT] = {
    "sitrep day, json",
    "sitrep week, json",
    "store_open + sitrep day, json + store_close",
    "flows of the day by checkpoint, direction",
    "flows of the baseline by day, cp, direction",
    "index of the day (with its baseline)",
    "compliance on the day",
    "supply outlook at the day",
    "availability of each checkpoint on the day",
};

static int
count_row(void *ctx, const struct analysis_flow_row *row)
{
  (void)row;
  (*(size_t *)ctx)++;
  return OK;
}

static int
sitrep(struct store *st, int period_days, size_t *len)
{
  struct report_sitrep_query q = {
      .from = day - (period_days - 1),
      .to = day,
      .kind = period_days == 1 ? REPORT_PERIOD_DAY : REPORT_PERIOD_WEEK};
  struct analysis *a = NULL;
  struct buf out, err;
  int rc;

  buf_init(&out);
  buf_init(&err);
  rc = analysis_open(st, 0, &a, &err);
  if (rc == OK)
    rc = report_sitrep(a, &q, REPORT_JSON, &out, &err);
  if (rc != OK)
    fprintf(stderr, "bench_sitrep: %s\n", err.data ? err.data : "failed");
  *len = out.len;
  analysis_free(a);
  buf_cleanup(&out);
  buf_cleanup(&err);
  return rc;
}

static int
run_part(struct store *st, enum part p)
{
  struct analysis *a = NULL;
  struct buf err;
  size_t len = 0;
  int rc = OK;

  if (p == P_SITREP_DAY)
    return sitrep(st, 1, &len);
  if (p == P_SITREP_WEEK)
    return sitrep(st, 7, &len);
  if (p == P_OPEN_SITREP_DAY) {
    struct store *st2 = NULL;
    buf_init(&err);
    rc = store_open(db_path, 0, &st2, &err);
    buf_cleanup(&err);
    if (rc == OK)
      rc = sitrep(st2, 1, &len);
    store_close(st2);
    return rc;
  }
  buf_init(&err);
  if ((rc = analysis_open(st, 0, &a, &err)) != OK)
    goto out;
  if (p == P_FLOWS || p == P_BASELINE) {
    static const int dims[] = {DIM_DAY, DIM_CHECKPOINT, DIM_DIRECTION};
    const struct corridor *c = analysis_corridor(a);
    struct analysis_flow_query q;
    size_t rows = 0;
    memset(&q, 0, sizeof q);
    q.from = q.to = day;
    q.dims = dims + 1;
    q.ndims = 2;
    if (p == P_BASELINE) {
      if (!c->has_baseline)
        goto out;
      q.from = c->baseline_from;
      q.to = c->baseline_to;
      q.dims = dims;
      q.ndims = 3;
    }
    rc = analysis_flows(a, &q, count_row, &rows);
  } else if (p == P_INDEX) {
    struct analysis_index_day d;
    rc = analysis_index(a, day, day, &d);
    if (rc == ERR_NOTFOUND)
      rc = OK; /* no baseline window: nothing to time */
  } else if (p == P_COMPLIANCE) {
    struct analysis_compliance *c = NULL;
    size_t n = 0;
    rc = analysis_compliance(a, day, day, &c, &n);
    if (rc == OK)
      analysis_compliance_free(c, n);
  } else if (p == P_SUPPLY) {
    struct analysis_supply *s = NULL;
    size_t n = 0;
    rc = analysis_supply(a, day, &s, &n);
    free(s);
  } else if (p == P_AVAILABILITY) {
    const struct corridor *c = analysis_corridor(a);
    for (size_t i = 0; rc == OK && i < c->ncheckpoints; i++)
      for (int dir = 0; rc == OK && dir < AD_COUNT; dir++) {
        double share;
        int known;
        rc = analysis_availability(a, c->checkpoints[i].id, dir, day, &share,
                                   &known);
      }
  }
out:
  if (rc != OK)
    fprintf(stderr, "bench_sitrep: %s failed (%d) %s\n", part_names[p], rc,
            err.data ? err.data : "");
  analysis_free(a);
  buf_cleanup(&err);
  return rc;
}

int
main(int argc, char **argv)
{
  struct store *st = NULL;
  struct buf err;
  int y, m, d, runs = argc > 3 ? atoi(argv[3]) : 50;
  double t0, *t;
  size_t len = 0;

  if (argc < 3 || sscanf(argv[2], "%d-%d-%d", &y, &m, &d) != 3 || runs < 1) {
    fprintf(stderr, "usage: bench_sitrep DB YYYY-MM-DD [RUNS]\n");
    return 2;
  }
  db_path = argv[1];
  day = util_days_from_civil(y, m, d);
  buf_init(&err);
  t0 = now_ms();
  if (store_open(db_path, 0, &st, &err) != OK) {
    fprintf(stderr, "bench_sitrep: %s\n", err.data ? err.data : db_path);
    return 1;
  }
  printf("  %-44s %8.3f ms\n", "store_open (first)", now_ms() - t0);
  t0 = now_ms();
  if (sitrep(st, 1, &len) != OK)
    return 1;
  printf("  %-44s %8.3f ms (%zu bytes of JSON)\n", "sitrep day, json (first)",
         now_ms() - t0, len);
  t = xcalloc((size_t)runs, sizeof *t);
  for (int p = 0; p < P_COUNT; p++) {
    double spent = 0;
    int done = 0;
    while (done < runs && (done < 3 || spent < 20000)) {
      t0 = now_ms();
      if (run_part(st, (enum part)p) != OK)
        return 1;
      t[done] = now_ms() - t0;
      spent += t[done++];
    }
    print_stats(part_names[p], t, done);
  }
  free(t);
  store_close(st);
  buf_cleanup(&err);
  return 0;
}
