/*
 * The functioning index, availability and compliance: how far the corridor
 * is from the baseline, how much of each day it was open, and whether each
 * obligation of the agreement held, day by day.
 */
#include "analysis/analysis_int.h"

#include <stdlib.h>
#include <string.h>

struct daily_ctx {
  int64_t from;
  double (*flow)[AD_COUNT][AP_COUNT];
};

static int
daily_row(void *ctx, const struct analysis_flow_row *row)
{
  struct daily_ctx *d = ctx;
  struct ptime t;
  int64_t day;
  int dir;

  if (util_parse_time(row->dim[DIM_DAY], strlen(row->dim[DIM_DAY]), &t) != OK)
    return OK;
  day = util_days_from_civil(t.year, t.month, t.day);
  dir = strcmp(row->dim[DIM_DIRECTION], "in") == 0    ? AD_IN
        : strcmp(row->dim[DIM_DIRECTION], "out") == 0 ? AD_OUT
                                                      : -1;
  if (dir < 0 || !row->known[AM_RECORDS])
    return OK;
  d->flow[day - d->from][dir][AP_PERSONS] += row->m[AM_PERSONS];
  d->flow[day - d->from][dir][AP_VEHICLES] += row->m[AM_VEHICLES];
  d->flow[day - d->from][dir][AP_TONNES] += row->m[AM_TONNES];
  return OK;
}

int
analysis__daily(struct analysis *a, const char *const *cps, int64_t from,
                int64_t to, double (*flow)[AD_COUNT][AP_COUNT], int *known)
{
  static const int dims[] = {DIM_DAY, DIM_DIRECTION};
  struct analysis_flow_query q;
  struct daily_ctx d = {from, flow};
  int rc;

  memset(&q, 0, sizeof q);
  q.from = from;
  q.to = to;
  q.dims = dims;
  q.ndims = 2;
  q.checkpoints = cps;
  memset(flow, 0, (size_t)(to - from + 1) * sizeof *flow);
  rc = analysis_flows(a, &q, daily_row, &d);
  if (rc != OK)
    return rc;
  for (int64_t day = from; day <= to; day++) {
    const char *const *list = cps ? cps : a->checkpoints;
    int all = list[0] != NULL;
    for (const char *const *c = list; *c; c++)
      if (!analysis__observed(a, day, *c))
        all = 0;
    known[day - from] = all;
  }
  return OK;
}

/* The checkpoints an obligation names as a NULL-terminated list (the
 * corridor keeps a counted one), or NULL for all. The caller frees it. */
static const char **
ob_checkpoints(const struct corridor_obligation *ob)
{
  const char **list;

  if (ob == NULL || ob->ncheckpoints == 0)
    return NULL;
  list = xcalloc(ob->ncheckpoints + 1, sizeof *list);
  for (size_t i = 0; i < ob->ncheckpoints; i++)
    list[i] = ob->checkpoints[i];
  return list;
}

/* The obligation whose checkpoints the index is taken over. */
static const struct corridor_obligation *
index_obligation(const struct corridor *c)
{
  for (size_t i = 0; i < c->nobligations; i++)
    if (c->obligations[i].has_min_ratio)
      return &c->obligations[i];
  for (size_t i = 0; i < c->nobligations; i++)
    if (c->obligations[i].ncheckpoints)
      return &c->obligations[i];
  return NULL;
}

/* Mean daily flow over the baseline window's known days. */
static int
baseline(struct analysis *a, const char *const *cps,
         double base[AD_COUNT][AP_COUNT], int *have)
{
  const struct corridor *c = a->c;
  int64_t n = c->baseline_to - c->baseline_from + 1, known_days = 0;
  double(*flow)[AD_COUNT][AP_COUNT];
  int *known;
  int rc;

  memset(base, 0, sizeof(double) * AD_COUNT * AP_COUNT);
  *have = 0;
  if (!c->has_baseline)
    return ERR_NOTFOUND;
  flow = xcalloc((size_t)n, sizeof *flow);
  known = xcalloc((size_t)n, sizeof *known);
  if ((rc = analysis__observe(a, c->baseline_from, c->baseline_to)) == OK)
    rc = analysis__daily(a, cps, c->baseline_from, c->baseline_to, flow, known);
  for (int64_t i = 0; rc == OK && i < n; i++) {
    if (!known[i])
      continue;
    known_days++;
    for (int d = 0; d < AD_COUNT; d++)
      for (int p = 0; p < AP_COUNT; p++)
        base[d][p] += flow[i][d][p];
  }
  if (known_days)
    for (int d = 0; d < AD_COUNT; d++)
      for (int p = 0; p < AP_COUNT; p++)
        base[d][p] /= (double)known_days;
  *have = known_days > 0;
  free(flow);
  free(known);
  return rc;
}

static int
index_days(struct analysis *a, const char *const *cps, int64_t from, int64_t to,
           struct analysis_index_day *days)
{
  int64_t n = to - from + 1;
  double base[AD_COUNT][AP_COUNT];
  double(*flow)[AD_COUNT][AP_COUNT];
  int *known, have;
  int rc;

  if ((rc = baseline(a, cps, base, &have)) != OK)
    return rc;
  flow = xcalloc((size_t)n, sizeof *flow);
  known = xcalloc((size_t)n, sizeof *known);
  if ((rc = analysis__observe(a, from, to)) == OK)
    rc = analysis__daily(a, cps, from, to, flow, known);
  for (int64_t i = 0; rc == OK && i < n; i++) {
    struct analysis_index_day *o = &days[i];
    int parts = 0;
    memset(o, 0, sizeof *o);
    o->day = from + i;
    o->known = known[i];
    for (int d = 0; d < AD_COUNT; d++)
      for (int p = 0; p < AP_COUNT; p++) {
        o->baseline[d][p] = base[d][p];
        o->flow[d][p] = flow[i][d][p];
        if (!known[i] || !have || base[d][p] <= 0)
          continue;
        o->part[d][p] =
            flow[i][d][p] / base[d][p] < 1 ? flow[i][d][p] / base[d][p] : 1;
        o->part_known[d][p] = 1;
        o->index += o->part[d][p];
        parts++;
      }
    if (parts)
      o->index /= parts;
    else
      o->known = 0;
  }
  free(flow);
  free(known);
  return rc;
}

int
analysis_index(struct analysis *a, int64_t from, int64_t to,
               struct analysis_index_day *days)
{
  const char **cps;
  int rc;

  if (to < from)
    return ERR_USAGE;
  if ((rc = analysis__load(a)) != OK)
    return rc;
  cps = ob_checkpoints(index_obligation(a->c));
  rc = index_days(a, cps, from, to, days);
  free(cps);
  return rc;
}

int
analysis_availability(struct analysis *a, const char *checkpoint, int64_t day,
                      double *out, int *known)
{
  int64_t start = day * 86400, end = start + 86400;
  double w = a->c->restricted_weight, open = 0;
  int state = -1;
  int64_t t = start;
  int rc;

  *out = 0;
  *known = 0;
  if ((rc = analysis__load(a)) != OK)
    return rc;
  /* Statuses are sorted by checkpoint and time: the state at the day's
   * start, then each change within the day. */
  for (size_t i = 0; i < a->nstatus; i++) {
    const struct span *s = &a->status[i];
    if (strcmp(s->checkpoint, checkpoint) != 0)
      continue;
    if (s->begin <= start) {
      state = s->state;
      continue;
    }
    if (s->begin >= end)
      break;
    if (state >= 0)
      open += (double)(s->begin - t) * (state == 2 ? 1 : state == 1 ? w : 0);
    t = s->begin;
    state = s->state;
    if (t == start)
      continue;
  }
  if (!(state >= 0 && (t > start || 1)))
    return OK;
  /* Known only when a status was recorded at or before the day's start. */
  for (size_t i = 0; i < a->nstatus; i++)
    if (strcmp(a->status[i].checkpoint, checkpoint) == 0 &&
        a->status[i].begin <= start)
      *known = 1;
  if (!*known)
    return OK;
  open += (double)(end - t) * (state == 2 ? 1 : state == 1 ? w : 0);
  *out = open / 86400.0;
  return OK;
}

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

static int
evaluate(struct analysis *a, const struct corridor_obligation *ob, int64_t from,
         int64_t to, struct analysis_compliance *out)
{
  int64_t n = to - from + 1;
  struct analysis_index_day *days = NULL;
  const char **cps = ob_checkpoints(ob);
  int rc = OK, first = 1;

  out->ob = ob;
  out->verdict = xcalloc((size_t)n, sizeof *out->verdict);
  for (int64_t i = 0; i < n; i++)
    out->verdict[i] = AC_MET;
  if (!ob->has_min_ratio && !ob->has_min_availability) {
    for (int64_t i = 0; i < n; i++)
      out->verdict[i] = AC_UNKNOWN;
  }
  if (ob->has_min_ratio) {
    days = xcalloc((size_t)n, sizeof *days);
    rc = index_days(a, cps, from, to, days);
    if (rc == ERR_NOTFOUND) {
      rc = OK; /* no baseline window: the test cannot be evaluated */
      for (int64_t i = 0; i < n; i++)
        days[i].known = 0;
    }
    for (int64_t i = 0; rc == OK && i < n; i++) {
      int v = AC_MET;
      for (size_t m = 0; m < ob->nmeasures; m++)
        for (size_t d = 0; d < ob->ndirections; d++) {
          int p = part_index(ob->measures[m]);
          int di = dir_index(ob->directions[d]);
          if (p < 0 || di < 0)
            continue;
          if (!days[i].part_known[di][p])
            v = combine(v, AC_UNKNOWN);
          else if (days[i].flow[di][p] <
                   ob->min_ratio_of_baseline * days[i].baseline[di][p])
            v = combine(v, AC_BREACHED);
        }
      out->verdict[i] = combine(out->verdict[i], v);
    }
    free(days);
    first = 0;
  }
  if (rc == OK && ob->has_min_availability) {
    const char *const *list = cps ? cps : a->checkpoints;
    for (int64_t i = 0; i < n; i++) {
      int v = list[0] ? AC_MET : AC_UNKNOWN;
      for (const char *const *c = list; *c; c++) {
        double share;
        int known;
        analysis_availability(a, *c, from + i, &share, &known);
        if (!known)
          v = combine(v, AC_UNKNOWN);
        else if (share < ob->min_availability - 1e-12)
          v = combine(v, AC_BREACHED);
      }
      out->verdict[i] = first ? v : combine(out->verdict[i], v);
    }
  }
  /* Runs of consecutive breached days; an unknown day ends a run. */
  {
    size_t run = 0;
    for (int64_t i = 0; i < n; i++) {
      switch (out->verdict[i]) {
      case AC_MET:
        out->days_met++;
        run = 0;
        break;
      case AC_BREACHED:
        out->days_breached++;
        run++;
        if (run > out->longest_breach)
          out->longest_breach = run;
        break;
      default:
        out->days_unknown++;
        run = 0;
      }
    }
    out->current_run = run;
  }
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
  if ((rc = analysis__load(a)) != OK)
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

void
analysis_compliance_free(struct analysis_compliance *c, size_t n)
{
  if (c == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    free(c[i].verdict);
  free(c);
}
