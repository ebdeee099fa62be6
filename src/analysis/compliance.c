/*
 * Compliance: each obligation of the agreement evaluated per day of the
 * period as met, breached or unknown, with the runs of breached days.
 */
#include "analysis/analysis_int.h"

#include <stdlib.h>
#include <string.h>

static int
part_index(const char *measure)
{
  for (int p = 0; p < AP_COUNT; p++)
    if (strcmp(analysis_part_names[p], measure) == 0)
      return p;
  return -1;
}

static int
dir_index(const char *dir)
{
  return strcmp(dir, "in") == 0 ? AD_IN : strcmp(dir, "out") == 0 ? AD_OUT : -1;
}

/* Combines a test's verdict into the day's: breached wins, then unknown. */
static int
combine(int day, int test)
{
  if (day == AC_BREACHED || test == AC_BREACHED)
    return AC_BREACHED;
  if (day == AC_UNKNOWN || test == AC_UNKNOWN)
    return AC_UNKNOWN;
  return AC_MET;
}

/* The min_ratio_of_baseline test: each part the obligation names by
 * measures x directions at or above the ratio of its baseline (not
 * capped); unknown when the day's flow or the baseline is. */
static int
ratio_verdict(const struct corridor_obligation *ob,
              const struct analysis_index_day *day)
{
  int v = AC_MET;

  for (size_t m = 0; m < ob->nmeasures; m++)
    for (size_t d = 0; d < ob->ndirections; d++) {
      int p = part_index(ob->measures[m]);
      int di = dir_index(ob->directions[d]);
      if (p < 0 || di < 0)
        continue;
      if (!day->flow_known[di][p] || !day->base_known[di][p])
        v = combine(v, AC_UNKNOWN);
      else if (day->flow[di][p] <
               ob->min_ratio_of_baseline * day->baseline[di][p])
        v = combine(v, AC_BREACHED);
    }
  return v;
}

/* Combines the ratio test of each day from..to into verdict. */
static int
test_ratio(struct analysis *a, const struct corridor_obligation *ob,
           const char *const *cps, int64_t from, int64_t to, int *verdict)
{
  int64_t n = to - from + 1;
  struct analysis_index_day *days = xcalloc((size_t)n, sizeof *days);
  int rc = analysis__index_days(a, cps, from, to, days);

  if (rc == ERR_NOTFOUND) {
    rc = OK; /* no baseline window: the test cannot be evaluated */
    memset(days, 0, (size_t)n * sizeof *days);
  }
  for (int64_t i = 0; rc == OK && i < n; i++)
    if (verdict[i] != AC_NOT_IN_FORCE)
      verdict[i] = combine(verdict[i], ratio_verdict(ob, &days[i]));
  free(days);
  return rc;
}

/* Combines the min_availability test of each day from..to into verdict:
 * every checkpoint of the obligation (cps, or all) open enough in each of
 * its directions: an obligation over both directions is met only when
 * both are. */
static void
test_availability(struct analysis *a, const struct corridor_obligation *ob,
                  const char *const *cps, int64_t from, int64_t to,
                  int *verdict)
{
  const char *const *list = cps ? cps : a->checkpoints;

  for (int64_t i = 0; i < to - from + 1; i++) {
    int v = list[0] ? AC_MET : AC_UNKNOWN;
    for (const char *const *c = list; *c; c++)
      for (size_t d = 0; d < ob->ndirections; d++) {
        int di = dir_index(ob->directions[d]);
        double share;
        int known;
        if (di < 0)
          continue;
        analysis_availability(a, *c, di, from + i, &share, &known);
        if (!known)
          v = combine(v, AC_UNKNOWN);
        else if (share < ob->min_availability - 1e-12)
          v = combine(v, AC_BREACHED);
      }
    if (verdict[i] != AC_NOT_IN_FORCE)
      verdict[i] = combine(verdict[i], v);
  }
}

/* Counts one more day's verdict into out: the day counts and the runs of
 * consecutive breached days, carried on from what out holds (a state saved
 * at the day before, or nothing). An unknown day ends a run. */
static void
tally(struct analysis_compliance *out, int verdict)
{
  switch (verdict) {
  case AC_MET:
    out->days_met++;
    out->current_run = 0;
    break;
  case AC_BREACHED:
    out->days_breached++;
    out->current_run++;
    if (out->current_run > out->longest_breach)
      out->longest_breach = out->current_run;
    break;
  case AC_NOT_IN_FORCE:
    out->current_run = 0; /* counts nowhere; a run cannot cross it */
    break;
  default:
    out->days_unknown++;
    out->current_run = 0;
  }
}

/* A day in force is met when every test of the obligation is met,
 * breached when one is breached, unknown otherwise (and when the
 * obligation has no test); a day outside its force is not evaluated. */
static int
evaluate(struct analysis *a, const struct corridor_obligation *ob, int64_t from,
         int64_t to, struct analysis_compliance *out)
{
  int64_t n = to - from + 1;
  const char **cps = analysis__ob_checkpoints(ob);
  int untested = !ob->has_min_ratio && !ob->has_min_availability;
  int rc = OK;

  out->ob = ob;
  out->verdict = xcalloc((size_t)n, sizeof *out->verdict);
  for (int64_t i = 0; i < n; i++) {
    int64_t day = from + i;
    int in_force = (!ob->has_from || day >= ob->from) &&
                   (!ob->has_until || day <= ob->until);
    out->verdict[i] = !in_force  ? AC_NOT_IN_FORCE
                      : untested ? AC_UNKNOWN
                                 : AC_MET;
  }
  if (ob->has_min_ratio)
    rc = test_ratio(a, ob, cps, from, to, out->verdict);
  if (rc == OK && ob->has_min_availability)
    test_availability(a, ob, cps, from, to, out->verdict);
  for (int64_t i = 0; i < n; i++)
    tally(out, out->verdict[i]);
  free(cps);
  return rc;
}

int
analysis_compliance(struct analysis *a, int64_t from, int64_t to,
                    struct analysis_compliance **out, size_t *n)
{
  const struct corridor *c = a->c;
  struct analysis_compliance *res;
  int rc = OK;

  *out = NULL;
  *n = 0;
  if (to < from)
    return ERR_USAGE;
  rc = analysis__load(a);
  if (rc != OK)
    return rc;
  res = xcalloc(c->nobligations + 1, sizeof *res);
  for (size_t i = 0; i < c->nobligations && rc == OK; i++)
    rc = evaluate(a, &c->obligations[i], from, to, &res[i]);
  if (rc != OK) {
    analysis_compliance_free(res, c->nobligations);
    return rc;
  }
  *out = res;
  *n = c->nobligations;
  return OK;
}

/* The saved state of every obligation at the end of a day: a line of its
 * five counts each, in the corridor's order. */
#define SAVED_WHAT "compliance/1"

static int
read_state(const struct buf *b, struct analysis_compliance *res, size_t n)
{
  const char *p = b->data ? b->data : "";

  for (size_t i = 0; i < n; i++) {
    struct analysis_compliance *x = &res[i];
    int used = 0;
    if (sscanf(p, "%zu %zu %zu %zu %zu\n%n", &x->days_met, &x->days_breached,
               &x->days_unknown, &x->longest_breach, &x->current_run,
               &used) != 5 ||
        used == 0)
      return ERR_NOTFOUND;
    p += used;
  }
  return (size_t)(p - (b->data ? b->data : "")) == b->len ? OK : ERR_NOTFOUND;
}

/* Keeps the state at the end of each day start..to, as the verdicts of
 * res (from start) count it. */
static void
keep_states(struct analysis *a, int64_t start, int64_t to,
            const struct analysis_compliance *res, size_t n)
{
  struct analysis_compliance *run = xcalloc(n ? n : 1, sizeof *run);
  struct buf b;

  buf_init(&b);
  for (int64_t d = start; d <= to; d++) {
    buf_reset(&b);
    for (size_t i = 0; i < n; i++) {
      tally(&run[i], res[i].verdict[d - start]);
      buf_printf(&b, "%zu %zu %zu %zu %zu\n", run[i].days_met,
                 run[i].days_breached, run[i].days_unknown,
                 run[i].longest_breach, run[i].current_run);
    }
    analysis__saved_keep(a, SAVED_WHAT, start, d, b.data ? b.data : "", b.len);
  }
  buf_cleanup(&b);
  free(run);
}

int
analysis_compliance_since(struct analysis *a, int64_t start, int64_t from,
                          int64_t to, struct analysis_compliance **out,
                          size_t *n)
{
  const struct corridor *c = a->c;
  struct analysis_compliance *res;
  struct buf b;
  int saved, rc;

  *out = NULL;
  *n = 0;
  if (to < from || start > from)
    return ERR_USAGE;
  if (start == from)
    return analysis_compliance(a, from, to, out, n);
  if ((rc = analysis__load(a)) != OK)
    return rc;
  res = xcalloc(c->nobligations + 1, sizeof *res);
  buf_init(&b);
  /* The baseline window is read for every day's ratio. */
  saved = analysis__saved_get(a, SAVED_WHAT, start, from - 1,
                              c->has_baseline ? c->baseline_to : from - 1,
                              &b) == OK &&
          read_state(&b, res, c->nobligations) == OK;
  buf_cleanup(&b);
  if (!saved)
    memset(res, 0, (c->nobligations + 1) * sizeof *res);
  for (size_t i = 0; i < c->nobligations && rc == OK; i++)
    rc = evaluate(a, &c->obligations[i], saved ? from : start, to, &res[i]);
  if (rc == OK && !saved) {
    keep_states(a, start, to, res, c->nobligations);
    for (size_t i = 0; i < c->nobligations; i++)
      memmove(res[i].verdict, res[i].verdict + (from - start),
              (size_t)(to - from + 1) * sizeof *res[i].verdict);
  }
  if (rc != OK) {
    analysis_compliance_free(res, c->nobligations);
    return rc;
  }
  *out = res;
  *n = c->nobligations;
  return OK;
}

void
analysis_compliance_free(struct analysis_compliance *c, size_t n)
{
  if (c == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    free(c[i].verdict);
  free(c);
}
