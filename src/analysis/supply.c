/*
 * The supply outlook: how many days of each category the enclosed
 * population has left, and when it runs out under three scenarios. Ranges
 * in, ranges out: a stock of 800-1,200 t gives a range of dates.
 */
#include "analysis/analysis_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const analysis_scenario_names[AS_COUNT] = {
    "no_inflow", "recent_inflow", "baseline_inflow"};
const char *const analysis_alert_names[4] = {"none", "warning", "severe",
                                             "critical"};

/* A dated value: a stock, a population, a need. */
struct point {
  int64_t day;
  double low, high;
  const char *category, *unit;
};

struct points {
  struct point *v;
  size_t n, cap;
  struct analysis *a;
};

static void
push(struct points *p, const struct point *pt)
{
  if (p->n == p->cap) {
    p->cap = p->cap ? p->cap * 2 : 16;
    p->v = xrealloc(p->v, p->cap * sizeof *p->v);
  }
  p->v[p->n++] = *pt;
}

static int64_t
day_of(const struct analysis *a, const char *t)
{
  int64_t b, f;

  if (t == NULL ||
      record_time_bounds(t, corridor_tz_offset, (void *)a->c, &b, &f) != OK)
    return INT64_MIN / 4; /* undated: applies from the beginning */
  return b >= 0 ? b / 86400 : -((-b + 86399) / 86400);
}

static int
load_stock(void *ctx, const struct record *rec, uint64_t seq)
{
  struct points *p = ctx;
  struct point pt = {day_of(p->a, record_get(rec, "at")),
                     record_value(rec, "low")->num,
                     record_value(rec, "high")->num,
                     analysis__intern(p->a, record_get(rec, "category")),
                     analysis__intern(p->a, record_get(rec, "unit"))};

  (void)seq;
  push(p, &pt);
  return OK;
}

static int
load_population(void *ctx, const struct record *rec, uint64_t seq)
{
  struct points *p = ctx;
  struct point pt = {day_of(p->a, record_get(rec, "at")),
                     record_value(rec, "low")->num,
                     record_value(rec, "high")->num, NULL, NULL};

  (void)seq;
  push(p, &pt);
  return OK;
}

static int
load_need(void *ctx, const struct record *rec, uint64_t seq)
{
  struct points *p = ctx;
  double v = record_value(rec, "per_person_per_day")->num;
  struct point pt = {day_of(p->a, record_get(rec, "at")), v, v,
                     analysis__intern(p->a, record_get(rec, "category")),
                     analysis__intern(p->a, record_get(rec, "unit"))};

  (void)seq;
  push(p, &pt);
  return OK;
}

/* The latest point at or before day (of category, when given); later
 * records of the same day win, as they come later in the log. */
static const struct point *
latest(const struct points *p, int64_t day, const char *category)
{
  const struct point *best = NULL;

  for (size_t i = 0; i < p->n; i++) {
    const struct point *pt = &p->v[i];
    if (pt->day > day || (category && strcmp(pt->category, category) != 0))
      continue;
    if (best == NULL || pt->day >= best->day)
      best = pt;
  }
  return best;
}

/* Converts amount in unit `from` to unit `to`; NAN when they do not mix. */
static double
convert(double amount, const char *from, const char *to)
{
  double f = record_unit_tonnes(from), t = record_unit_tonnes(to);

  if (from && to && strcasecmp(from, to) == 0)
    return amount;
  if (f > 0 && t > 0)
    return amount * f / t;
  return NAN;
}

struct inflow_ctx {
  int64_t from;
  const char *category;
  double *net;
};

static int
inflow_row(void *ctx, const struct analysis_flow_row *row)
{
  struct inflow_ctx *c = ctx;
  struct ptime t;
  int64_t day;

  if (strcmp(row->dim[DIM_CATEGORY], c->category) != 0 ||
      !row->known[AM_TONNES] ||
      util_parse_time(row->dim[DIM_DAY], strlen(row->dim[DIM_DAY]), &t) != OK)
    return OK;
  day = util_days_from_civil(t.year, t.month, t.day);
  if (strcmp(row->dim[DIM_DIRECTION], "in") == 0)
    c->net[day - c->from] += row->m[AM_TONNES];
  else if (strcmp(row->dim[DIM_DIRECTION], "out") == 0)
    c->net[day - c->from] -= row->m[AM_TONNES];
  return OK;
}

/*
 * Net reconciled inflow of a category, in tonnes, for each day from..to;
 * known[i] is 1 when any checkpoint was observed that day (inflows come
 * through whichever checkpoint is open).
 */
static int
net_inflow(struct analysis *a, const char *category, int64_t from, int64_t to,
           double *net, int *known)
{
  static const int dims[] = {DIM_DAY, DIM_DIRECTION, DIM_CATEGORY};
  struct analysis_flow_query q;
  struct inflow_ctx c = {from, category, net};
  int rc;

  memset(&q, 0, sizeof q);
  q.from = from;
  q.to = to;
  q.dims = dims;
  q.ndims = 3;
  memset(net, 0, (size_t)(to - from + 1) * sizeof *net);
  if ((rc = analysis_flows(a, &q, inflow_row, &c)) != OK)
    return rc;
  for (int64_t d = from; d <= to; d++) {
    known[d - from] = 0;
    for (size_t i = 0; i < a->ncheckpoints; i++)
      if (analysis__observed(a, d, a->checkpoints[i]))
        known[d - from] = 1;
  }
  return OK;
}

/* Mean of the known days' net inflow; *have 0 when none is known. */
static double
mean_known(const double *net, const int *known, int64_t n, int *have)
{
  double sum = 0;
  int64_t k = 0;

  for (int64_t i = 0; i < n; i++)
    if (known[i]) {
      sum += net[i];
      k++;
    }
  *have = k > 0;
  return k ? sum / (double)k : 0;
}

static int64_t
floor_div_days(double stock, double use)
{
  return (int64_t)floor(stock / use);
}

struct need_src {
  double per_person; /* in need_unit */
  const char *unit;
};

/* The category's need per person per day: a need record at or before the
 * day, else the corridor file's. */
static int
need_of(const struct points *needs, const struct corridor_category *cc,
        const char *category, int64_t day, struct need_src *out)
{
  const struct point *n = latest(needs, day, category);

  if (n) {
    out->per_person = n->low;
    out->unit = n->unit ? n->unit : "kg";
    return 1;
  }
  if (cc && cc->has_need) {
    out->per_person = cc->need_per_person_per_day;
    out->unit = cc->need_unit ? cc->need_unit : "kg";
    return 1;
  }
  return 0;
}

/* Population on a day: the middle of the latest count's range. */
static int
population_on(const struct points *pop, int64_t day, double *out)
{
  const struct point *p = latest(pop, day, NULL);

  if (p == NULL)
    return 0;
  *out = (p->low + p->high) / 2;
  return 1;
}

static int
outlook(struct analysis *a, const struct points *stocks,
        const struct points *pops, const struct points *needs,
        const char *category, int64_t day, struct analysis_supply *o)
{
  const struct corridor *c = a->c;
  const struct corridor_category *cc = corridor_find_category(c, category);
  const struct point *s = latest(stocks, day, category);
  struct need_src need;
  double per_unit, pop, base_mean = 0;
  int have_base = 0, rc = OK;
  const char *unit;

  memset(o, 0, sizeof *o);
  o->category = category;
  unit = s && s->unit ? s->unit : cc && cc->unit ? cc->unit : "t";
  o->unit = unit;
  if (!need_of(needs, cc, category, day, &need))
    return OK;
  per_unit = convert(1, need.unit, unit); /* one need unit in stock units */
  if (isnan(per_unit) || !population_on(pops, day, &pop))
    return OK;
  o->need_per_day = pop * need.per_person * per_unit;

  /* Net inflows in the stock's unit: over the baseline window, the 7 days
   * before, and from the stock record to the day before. */
  if (c->has_baseline) {
    int64_t n = c->baseline_to - c->baseline_from + 1;
    double *net = xcalloc((size_t)n, sizeof *net);
    int *known = xcalloc((size_t)n, sizeof *known);
    rc = analysis__observe(a, c->baseline_from, c->baseline_to);
    if (rc == OK)
      rc =
          net_inflow(a, category, c->baseline_from, c->baseline_to, net, known);
    base_mean = mean_known(net, known, n, &have_base) * convert(1, "t", unit);
    free(net);
    free(known);
    o->baseline_inflow = base_mean;
    o->has_baseline_inflow = have_base && !isnan(base_mean);
  }
  if (rc == OK) {
    double net[7];
    int known[7];
    rc = analysis__observe(a, day - 7, day - 1);
    if (rc == OK)
      rc = net_inflow(a, category, day - 7, day - 1, net, known);
    /* The "mean daily inflow of the 7 days before D": what was
     * recorded over those days, divided by 7. */
    double sum = 0;
    for (int i = 0; i < 7; i++)
      sum += net[i];
    o->inflow_7d_mean = sum / 7 * convert(1, "t", unit);
    o->has_inflow_7d = !isnan(o->inflow_7d_mean);
  }
  if (rc == OK && s) {
    int64_t n = day - s->day;
    double low = s->low, high = s->high;
    if (n > 0) {
      double *net = xcalloc((size_t)n, sizeof *net);
      int *known = xcalloc((size_t)n, sizeof *known);
      double to_unit = convert(1, "t", unit);
      rc = analysis__observe(a, s->day, day - 1);
      if (rc == OK)
        rc = net_inflow(a, category, s->day, day - 1, net, known);
      for (int64_t i = 0; rc == OK && i < n; i++) {
        double p = 0, use;
        population_on(pops, s->day + i, &p);
        use = p * need.per_person * per_unit;
        /* Recorded inflows, as the formula says; days with none add none. */
        low += net[i] * to_unit - use;
        high += net[i] * to_unit - use;
      }
      free(net);
      free(known);
    }
    o->has_stock = 1;
    o->stock_low = low > 0 ? low : 0;
    o->stock_high = high > 0 ? high : 0;
  }
  if (rc != OK || !o->has_stock || o->need_per_day <= 0)
    return rc;

  o->cover_low = o->stock_low / o->need_per_day;
  o->cover_high = o->stock_high / o->need_per_day;
  for (int sc = 0; sc < AS_COUNT; sc++) {
    double inflow = sc == AS_NO_INFLOW       ? 0
                    : sc == AS_RECENT_INFLOW ? o->inflow_7d_mean
                                             : o->baseline_inflow;
    int have = sc == AS_NO_INFLOW       ? 1
               : sc == AS_RECENT_INFLOW ? o->has_inflow_7d
                                        : o->has_baseline_inflow;
    double u = o->need_per_day - inflow;
    if (!have || u <= 0)
      continue;
    o->stockout[sc][0] = day + floor_div_days(o->stock_low, u);
    o->stockout[sc][1] = day + floor_div_days(o->stock_high, u);
    o->has_stockout[sc][0] = o->has_stockout[sc][1] = 1;
  }
  o->alert = o->cover_low < c->critical_days  ? AA_CRITICAL
             : o->cover_low < c->severe_days  ? AA_SEVERE
             : o->cover_low < c->warning_days ? AA_WARNING
                                              : AA_NONE;
  return OK;
}

int
analysis_supply(struct analysis *a, int64_t day, struct analysis_supply **out,
                size_t *n)
{
  struct points stocks = {0}, pops = {0}, needs = {0};
  const char **cats = NULL;
  size_t ncats = 0;
  int rc;

  *out = NULL;
  *n = 0;
  stocks.a = pops.a = needs.a = a;
  if ((rc = analysis__load(a)) != OK)
    return rc;
  rc = store_each_live(a->st, KIND_stock, a->as_of, load_stock, &stocks);
  if (rc == OK)
    rc = store_each_live(a->st, KIND_population, a->as_of, load_population,
                         &pops);
  if (rc == OK)
    rc = store_each_live(a->st, KIND_need, a->as_of, load_need, &needs);
  /* The categories with a need: the corridor file's, then need records'. */
  cats = xcalloc(a->c->ncategories + needs.n + 1, sizeof *cats);
  for (size_t i = 0; i < a->c->ncategories; i++)
    if (a->c->categories[i].has_need)
      cats[ncats++] = analysis__intern(a, a->c->categories[i].id);
  for (size_t i = 0; i < needs.n; i++) {
    int seen = 0;
    for (size_t k = 0; k < ncats; k++)
      seen |= strcmp(cats[k], needs.v[i].category) == 0;
    if (!seen && needs.v[i].day <= day)
      cats[ncats++] = needs.v[i].category;
  }
  if (rc == OK) {
    *out = xcalloc(ncats + 1, sizeof **out);
    for (size_t i = 0; i < ncats && rc == OK; i++)
      rc = outlook(a, &stocks, &pops, &needs, cats[i], day, &(*out)[i]);
    *n = ncats;
    if (rc != OK) {
      free(*out);
      *out = NULL;
      *n = 0;
    }
  }
  free(cats);
  free(stocks.v);
  free(pops.v);
  free(needs.v);
  return rc;
}
