/*
 * The functioning index: daily reconciled totals by direction and part over
 * the checkpoints it counts, their mean over the baseline window, each
 * day's parts as min(1, flow / baseline), and a period's index from its
 * mean daily flows.
 */
#include "analysis/analysis_int.h"

#include <stdlib.h>
#include <string.h>

const char *const analysis_direction_names[AD_COUNT] = {"in", "out"};
const char *const analysis_part_names[AP_COUNT] = {"persons", "vehicles",
                                                   "tonnes"};
static const int part_measure[AP_COUNT] = {AM_PERSONS, AM_VEHICLES, AM_TONNES};

static int
dir_of(const char *name)
{
  return strcmp(name, "in") == 0    ? AD_IN
         : strcmp(name, "out") == 0 ? AD_OUT
                                    : -1;
}

struct daily_ctx {
  int64_t from;
  struct aday *days;
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
  if ((dir = dir_of(row->dim[DIM_DIRECTION])) < 0)
    return OK;
  for (int p = 0; p < AP_COUNT; p++) {
    int m = part_measure[p];
    struct aday *x = &d->days[day - d->from];
    x->flow[dir][p] = row->m[m];
    /* Known when every counted checkpoint observed the class that whole
     * day in this direction. */
    x->known[dir][p] = row->known[m] && row->unknown[m] == 0;
    x->approximate[dir][p] = row->approximate[m];
  }
  return OK;
}

int
analysis__daily(struct analysis *a, const char *const *cps, int64_t from,
                int64_t to, struct aday *days)
{
  static const int dims[] = {DIM_DAY, DIM_DIRECTION};
  struct analysis_flow_query q;
  struct daily_ctx d = {from, days};

  memset(&q, 0, sizeof q);
  q.from = from;
  q.to = to;
  q.dims = dims;
  q.ndims = 2;
  q.checkpoints = cps;
  q.complete = 1;
  memset(days, 0, (size_t)(to - from + 1) * sizeof *days);
  return analysis_flows(a, &q, daily_row, &d);
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

const char *const *
analysis_index_checkpoints(const struct analysis *a, size_t *n)
{
  const struct corridor_obligation *ob = index_obligation(a->c);

  *n = ob ? ob->ncheckpoints : 0;
  return *n ? (const char *const *)ob->checkpoints : NULL;
}

/* A baseline the view has computed, for the checkpoints named by key
 * (their ids, each ended by a newline; "" for all): the index, compliance
 * and the period's parts each ask for it. */
struct analysis__baseline {
  char *key;
  double base[AD_COUNT][AP_COUNT];
  int have[AD_COUNT][AP_COUNT];
};

static char *
baseline_key(const char *const *cps)
{
  struct buf b;

  buf_init(&b);
  buf_puts(&b, ""); /* "" for all: never NULL */
  for (const char *const *c = cps; c && *c; c++) {
    buf_puts(&b, *c);
    buf_putc(&b, '\n');
  }
  return b.data;
}

void
analysis__index_free(struct analysis *a)
{
  for (size_t i = 0; i < a->nbaselines; i++)
    free(a->baselines[i].key);
  free(a->baselines);
}

/* Mean daily flow of each part over the baseline window's days on which
 * the part was known. */
static int
baseline(struct analysis *a, const char *const *cps,
         double base[AD_COUNT][AP_COUNT], int have[AD_COUNT][AP_COUNT])
{
  const struct corridor *c = a->c;
  int64_t n = c->baseline_to - c->baseline_from + 1;
  size_t known_days[AD_COUNT][AP_COUNT] = {{0}};
  struct aday *days;
  struct analysis__baseline *x;
  char *key;
  int rc;

  memset(base, 0, sizeof(double) * AD_COUNT * AP_COUNT);
  memset(have, 0, sizeof(int) * AD_COUNT * AP_COUNT);
  if (!c->has_baseline)
    return ERR_NOTFOUND;
  key = baseline_key(cps);
  for (size_t i = 0; i < a->nbaselines; i++)
    if (strcmp(a->baselines[i].key, key) == 0) {
      memcpy(base, a->baselines[i].base, sizeof a->baselines[i].base);
      memcpy(have, a->baselines[i].have, sizeof a->baselines[i].have);
      free(key);
      return OK;
    }
  days = xcalloc((size_t)n, sizeof *days);
  rc = analysis__daily(a, cps, c->baseline_from, c->baseline_to, days);
  for (int64_t i = 0; rc == OK && i < n; i++)
    for (int d = 0; d < AD_COUNT; d++)
      for (int p = 0; p < AP_COUNT; p++)
        if (days[i].known[d][p]) {
          base[d][p] += days[i].flow[d][p];
          known_days[d][p]++;
        }
  for (int d = 0; d < AD_COUNT; d++)
    for (int p = 0; p < AP_COUNT; p++) {
      have[d][p] = known_days[d][p] > 0;
      if (have[d][p])
        base[d][p] /= (double)known_days[d][p];
    }
  free(days);
  if (rc != OK) {
    free(key);
    return rc;
  }
  a->baselines = util_grow(a->baselines, &a->capbaselines, a->nbaselines + 1,
                           sizeof *a->baselines);
  x = &a->baselines[a->nbaselines++];
  x->key = key;
  memcpy(x->base, base, sizeof x->base);
  memcpy(x->have, have, sizeof x->have);
  return OK;
}

/* The index of the parts' ratios: the mean of those with a baseline above
 * 0, unknown when one of them is unknown. */
static void
combine_parts(const double ratio[AD_COUNT][AP_COUNT],
              const int ratio_known[AD_COUNT][AP_COUNT],
              const double base[AD_COUNT][AP_COUNT],
              const int base_known[AD_COUNT][AP_COUNT], double *index,
              int *known)
{
  int parts = 0, unknown = 0;

  *index = 0;
  for (int d = 0; d < AD_COUNT; d++)
    for (int p = 0; p < AP_COUNT; p++) {
      if (base_known[d][p] && base[d][p] <= 0)
        continue; /* nothing passed in the baseline: nothing to measure */
      if (!ratio_known[d][p]) {
        unknown = 1;
        continue;
      }
      *index += ratio[d][p];
      parts++;
    }
  *known = parts > 0 && !unknown;
  if (*known)
    *index /= parts;
  else
    *index = 0;
}

static double
ratio_of(double flow, double base)
{
  return flow / base < 1 ? flow / base : 1;
}

int
analysis__index_days(struct analysis *a, const char *const *cps, int64_t from,
                     int64_t to, struct analysis_index_day *days)
{
  int64_t n = to - from + 1;
  double base[AD_COUNT][AP_COUNT];
  int have[AD_COUNT][AP_COUNT];
  struct aday *daily;
  int rc;

  if ((rc = baseline(a, cps, base, have)) != OK)
    return rc;
  daily = xcalloc((size_t)n, sizeof *daily);
  rc = analysis__daily(a, cps, from, to, daily);
  for (int64_t i = 0; rc == OK && i < n; i++) {
    struct analysis_index_day *o = &days[i];
    memset(o, 0, sizeof *o);
    o->day = from + i;
    for (int d = 0; d < AD_COUNT; d++)
      for (int p = 0; p < AP_COUNT; p++) {
        o->baseline[d][p] = base[d][p];
        o->base_known[d][p] = have[d][p];
        o->flow[d][p] = daily[i].flow[d][p];
        o->flow_known[d][p] = daily[i].known[d][p];
        o->approximate[d][p] = daily[i].approximate[d][p];
        if (!o->flow_known[d][p] || !have[d][p] || base[d][p] <= 0)
          continue;
        o->part[d][p] = ratio_of(o->flow[d][p], base[d][p]);
        o->part_known[d][p] = 1;
      }
    combine_parts(o->part, o->part_known, o->baseline, o->base_known, &o->index,
                  &o->known);
  }
  free(daily);
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

/* A period. */

struct period_ctx {
  struct analysis *a;
  struct analysis_period *p;
};

/* Copies a row's spread records of measure m into a part (the row's
 * pointers live only during the callback; the strings are the view's). */
static void
keep_spread(struct analysis_period_part *x, const struct analysis_flow_row *row,
            int m)
{
  struct analysis_spread *v = xmalloc((row->nspread + 1) * sizeof *v);

  x->nspread = 0;
  for (size_t i = 0; i < row->nspread; i++)
    if (row->spread[i].measure == m)
      v[x->nspread++] = row->spread[i];
  x->spread = v;
}

static int
period_dir_row(void *ctx, const struct analysis_flow_row *row)
{
  struct period_ctx *c = ctx;
  int dir = dir_of(row->dim[DIM_DIRECTION]);

  if (dir < 0)
    return OK;
  for (int p = 0; p < AP_COUNT; p++) {
    struct analysis_period_part *x = &c->p->part[dir][p];
    x->approximate = row->approximate[part_measure[p]];
    keep_spread(x, row, part_measure[p]);
  }
  return OK;
}

static int
period_cp_row(void *ctx, const struct analysis_flow_row *row)
{
  struct period_ctx *c = ctx;
  int dir = dir_of(row->dim[DIM_DIRECTION]);
  struct analysis_period_cp *cp = NULL;

  for (size_t i = 0; i < c->p->ncps; i++)
    if (strcmp(c->p->cps[i].checkpoint, row->dim[DIM_CHECKPOINT]) == 0)
      cp = &c->p->cps[i];
  if (dir < 0 || cp == NULL)
    return OK;
  for (int p = 0; p < AP_COUNT; p++) {
    int m = part_measure[p];
    cp->total[dir][p] = row->m[m];
    cp->known[dir][p] = row->known[m];
    cp->unknown_days[dir][p] = row->unknown[m];
    cp->approximate[dir][p] = row->approximate[m];
  }
  return OK;
}

/* Each checkpoint's totals over the period, by direction and part. */
static int
period_checkpoints(struct analysis *a, struct analysis_period *p)
{
  static const int dims[] = {DIM_CHECKPOINT, DIM_DIRECTION};
  struct period_ctx c = {a, p};
  struct analysis_flow_query q;
  size_t n;
  const char *const *counted = analysis_index_checkpoints(a, &n);

  p->ncps = a->ncheckpoints;
  p->cps = xcalloc(p->ncps + 1, sizeof *p->cps);
  for (size_t i = 0; i < p->ncps; i++) {
    struct analysis_period_cp *cp = &p->cps[i];
    cp->checkpoint = a->checkpoints[i];
    cp->route = a->route[i];
    cp->counted = counted == NULL;
    for (size_t k = 0; k < n; k++)
      cp->counted |= strcmp(counted[k], cp->checkpoint) == 0;
  }
  memset(&q, 0, sizeof q);
  q.from = p->from;
  q.to = p->to;
  q.dims = dims;
  q.ndims = 2;
  q.complete = 1;
  return analysis_flows(a, &q, period_cp_row, &c);
}

/* Each part's mean daily flow over the period's known days, against the
 * baseline; which records are spread over more than the period. */
static int
period_parts(struct analysis *a, struct analysis_period *p)
{
  static const int dims[] = {DIM_DIRECTION};
  int64_t n = p->to - p->from + 1;
  struct aday *days = xcalloc((size_t)n, sizeof *days);
  double ratio[AD_COUNT][AP_COUNT] = {{0}}, base[AD_COUNT][AP_COUNT];
  int rk[AD_COUNT][AP_COUNT] = {{0}}, bk[AD_COUNT][AP_COUNT];
  struct period_ctx c = {a, p};
  struct analysis_flow_query q;
  const char **cps = analysis__ob_checkpoints(index_obligation(a->c));
  int rc, brc;

  memset(&q, 0, sizeof q);
  q.checkpoints = cps;
  brc = baseline(a, q.checkpoints, base, bk);
  if (brc != OK && brc != ERR_NOTFOUND) {
    free(days);
    free(cps);
    return brc;
  }
  rc = analysis__daily(a, q.checkpoints, p->from, p->to, days);
  for (int d = 0; rc == OK && d < AD_COUNT; d++)
    for (int k = 0; k < AP_COUNT; k++) {
      struct analysis_period_part *x = &p->part[d][k];
      for (int64_t i = 0; i < n; i++)
        if (days[i].known[d][k]) {
          x->total += days[i].flow[d][k];
          x->known_days++;
        }
      x->known = x->known_days > 0;
      x->per_day = x->known ? x->total / (double)x->known_days : 0;
      x->baseline = base[d][k];
      x->base_known = bk[d][k];
      x->ratio_known = rk[d][k] = x->known && bk[d][k] && base[d][k] > 0;
      x->ratio = ratio[d][k] = rk[d][k] ? ratio_of(x->per_day, base[d][k]) : 0;
    }
  if (rc == OK && brc == OK)
    combine_parts(ratio, rk, base, bk, &p->index, &p->index_known);
  free(days);
  if (rc == OK) {
    q.from = p->from;
    q.to = p->to;
    q.dims = dims;
    q.ndims = 1;
    q.complete = 1;
    rc = analysis_flows(a, &q, period_dir_row, &c);
  }
  free(cps);
  return rc == OK ? brc : rc;
}

int
analysis_period(struct analysis *a, int64_t from, int64_t to,
                struct analysis_period **out)
{
  struct analysis_period *p;
  int rc;

  *out = NULL;
  if (to < from)
    return ERR_USAGE;
  if ((rc = analysis__load(a)) != OK)
    return rc;
  p = xcalloc(1, sizeof *p);
  p->from = from;
  p->to = to;
  rc = period_checkpoints(a, p);
  if (rc == OK)
    rc = period_parts(a, p);
  if (rc != OK && rc != ERR_NOTFOUND) {
    analysis_period_free(p);
    return rc;
  }
  *out = p;
  return rc;
}

void
analysis_period_free(struct analysis_period *p)
{
  if (p == NULL)
    return;
  for (int d = 0; d < AD_COUNT; d++)
    for (int k = 0; k < AP_COUNT; k++)
      free((void *)p->part[d][k].spread);
  free(p->cps);
  free(p);
}

int
analysis_same_record(const struct analysis_period_part *x,
                     const struct analysis_period_part *y)
{
  for (size_t i = 0; i < x->nspread; i++)
    for (size_t k = 0; k < y->nspread; k++)
      if (strcmp(x->spread[i].id, y->spread[k].id) == 0)
        return 1;
  return 0;
}
