/*
 * The functioning index: daily reconciled totals by direction and part over
 * a set of checkpoints, their mean over the baseline window, and each day's
 * parts as min(1, flow / baseline).
 */
#include "analysis/analysis_int.h"

#include <stdlib.h>
#include <string.h>

const char *const analysis_direction_names[AD_COUNT] = {"in", "out"};
const char *const analysis_part_names[AP_COUNT] = {"persons", "vehicles",
                                                   "tonnes"};

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

const char **
analysis__ob_checkpoints(const struct corridor_obligation *ob)
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

int
analysis__index_days(struct analysis *a, const char *const *cps, int64_t from,
                     int64_t to, struct analysis_index_day *days)
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
  cps = analysis__ob_checkpoints(index_obligation(a->c));
  rc = analysis__index_days(a, cps, from, to, days);
  free(cps);
  return rc;
}
