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
  int64_t day; /* the local day of its time */
  int64_t t;   /* its time, local seconds: in force from then */
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

/* The time a record's `at` begins (local seconds) and its day. */
static void
time_of(const struct analysis *a, const char *t, struct point *pt)
{
  int64_t b, f;

  if (t == NULL ||
      record_time_bounds(t, corridor_tz_offset, (void *)a->c, &b, &f) != OK) {
    pt->t = INT64_MIN / 4; /* undated: applies from the beginning */
    pt->day = INT64_MIN / 4 / 86400;
    return;
  }
  pt->t = b;
  pt->day = b >= 0 ? b / 86400 : -((-b + 86399) / 86400);
}

static int
load_stock(void *ctx, const struct record *rec, uint64_t seq)
{
  struct points *p = ctx;
  struct point pt = {0,
                     0,
                     record_value(rec, "low")->num,
                     record_value(rec, "high")->num,
                     analysis__intern(p->a, record_get(rec, "category")),
                     analysis__intern(p->a, record_get(rec, "unit"))};

  (void)seq;
  time_of(p->a, record_get(rec, "at"), &pt);
  push(p, &pt);
  return OK;
}

static int
load_population(void *ctx, const struct record *rec, uint64_t seq)
{
  struct points *p = ctx;
  struct point pt = {
      0,    0,   record_value(rec, "low")->num, record_value(rec, "high")->num,
      NULL, NULL};

  (void)seq;
  time_of(p->a, record_get(rec, "at"), &pt);
  push(p, &pt);
  return OK;
}

static int
load_need(void *ctx, const struct record *rec, uint64_t seq)
{
  struct points *p = ctx;
  double v = record_value(rec, "per_person_per_day")->num;
  struct point pt = {0,
                     0,
                     v,
                     v,
                     analysis__intern(p->a, record_get(rec, "category")),
                     analysis__intern(p->a, record_get(rec, "unit"))};

  (void)seq;
  time_of(p->a, record_get(rec, "at"), &pt);
  push(p, &pt);
  return OK;
}

/* The latest point of its day at or before day (of category, when given);
 * later records of the same day win, as they come later in the log. */
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

/* The point in force at the start of day: the latest whose time is at or
 * before the day's first second (a record later that day is not yet);
 * of several at one time the later in the log. */
static const struct point *
at_start(const struct points *p, int64_t day, const char *category)
{
  const struct point *best = NULL;

  for (size_t i = 0; i < p->n; i++) {
    const struct point *pt = &p->v[i];
    if (pt->t > day * 86400 ||
        (category && strcmp(pt->category, category) != 0))
      continue;
    if (best == NULL || pt->t >= best->t)
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

/* The reconciled tonnes of a range of days by day, direction and category,
 * and each day's known flag, read once per view: every category's outlook
 * asks for the same ranges (the baseline window, the 7 days before). */
struct inflow_cell {
  int64_t day;
  int in; /* 1: in, 0: out */
  const char *category;
  double tonnes;
};

struct inflow_range {
  int64_t from, to;
  struct inflow_cell *v;
  size_t n, cap;
  int *known; /* [day - from] */
};

#define INFLOW_RANGES 8

struct analysis__supply_cache {
  struct inflow_range r[INFLOW_RANGES];
  size_t n, next; /* ranges held; the one to replace when full */
};

struct inflow_ctx {
  struct analysis *a;
  struct inflow_range *r;
};

static int
inflow_row(void *ctx, const struct analysis_flow_row *row)
{
  struct inflow_ctx *c = ctx;
  struct inflow_range *r = c->r;
  struct inflow_cell *x;
  struct ptime t;
  int in;

  if (!row->known[AM_TONNES] ||
      util_parse_time(row->dim[DIM_DAY], strlen(row->dim[DIM_DAY]), &t) != OK)
    return OK;
  if (strcmp(row->dim[DIM_DIRECTION], "in") == 0)
    in = 1;
  else if (strcmp(row->dim[DIM_DIRECTION], "out") == 0)
    in = 0;
  else
    return OK;
  r->v = util_grow(r->v, &r->cap, r->n + 1, sizeof *r->v);
  x = &r->v[r->n++];
  x->day = util_days_from_civil(t.year, t.month, t.day);
  x->in = in;
  x->category = analysis__intern(c->a, row->dim[DIM_CATEGORY]);
  x->tonnes = row->m[AM_TONNES];
  return OK;
}

static int
known_row(void *ctx, const struct analysis_flow_row *row)
{
  struct inflow_ctx *c = ctx;
  struct ptime t;
  int64_t day;

  if (util_parse_time(row->dim[DIM_DAY], strlen(row->dim[DIM_DAY]), &t) != OK)
    return OK;
  day = util_days_from_civil(t.year, t.month, t.day);
  c->r->known[day - c->r->from] = row->known[AM_TONNES];
  return OK;
}

static void
range_cleanup(struct inflow_range *r)
{
  free(r->v);
  free(r->known);
  memset(r, 0, sizeof *r);
}

void
analysis__supply_free(struct analysis *a)
{
  if (a->supply == NULL)
    return;
  for (size_t i = 0; i < a->supply->n; i++)
    range_cleanup(&a->supply->r[i]);
  free(a->supply);
}

/* The rows of from..to, read now or by an earlier outlook of the view. */
static int
inflow_range(struct analysis *a, int64_t from, int64_t to,
             const struct inflow_range **out)
{
  static const int dims[] = {DIM_DAY, DIM_DIRECTION, DIM_CATEGORY};
  static const int days[] = {DIM_DAY};
  struct analysis__supply_cache *cache;
  struct analysis_flow_query q;
  struct inflow_range *r;
  struct inflow_ctx c;
  int rc;

  if (a->supply == NULL)
    a->supply = xcalloc(1, sizeof *a->supply);
  cache = a->supply;
  for (size_t i = 0; i < cache->n; i++)
    if (cache->r[i].from == from && cache->r[i].to == to) {
      *out = &cache->r[i];
      return OK;
    }
  if (cache->n < INFLOW_RANGES) {
    r = &cache->r[cache->n++];
  } else {
    r = &cache->r[cache->next];
    cache->next = (cache->next + 1) % INFLOW_RANGES;
    range_cleanup(r);
  }
  r->from = from;
  r->to = to;
  r->known = xcalloc((size_t)(to - from + 1), sizeof *r->known);
  c.a = a;
  c.r = r;
  memset(&q, 0, sizeof q);
  q.from = from;
  q.to = to;
  q.dims = dims;
  q.ndims = 3;
  rc = analysis_flows(a, &q, inflow_row, &c);
  if (rc == OK) {
    q.dims = days;
    q.ndims = 1;
    rc = analysis_flows(a, &q, known_row, &c);
  }
  if (rc != OK) { /* not kept: the next call reads again */
    range_cleanup(r);
    r->from = 1;
    r->to = 0;
    return rc;
  }
  *out = r;
  return OK;
}

/*
 * Net reconciled inflow of a category, in tonnes, for each day from..to;
 * known[i] is 1 when tonnes were observed that day at some checkpoint
 * (inflows come through whichever checkpoint is open).
 */
static int
net_inflow(struct analysis *a, const char *category, int64_t from, int64_t to,
           double *net, int *known)
{
  const struct inflow_range *r;
  int rc;

  memset(net, 0, (size_t)(to - from + 1) * sizeof *net);
  memset(known, 0, (size_t)(to - from + 1) * sizeof *known);
  if (to < from)
    return OK;
  if ((rc = inflow_range(a, from, to, &r)) != OK)
    return rc;
  /* In the query's order, as the sums always were. */
  for (size_t i = 0; i < r->n; i++) {
    const struct inflow_cell *x = &r->v[i];
    if (strcmp(x->category, category) != 0)
      continue;
    if (x->in)
      net[x->day - from] += x->tonnes;
    else
      net[x->day - from] -= x->tonnes;
  }
  memcpy(known, r->known, (size_t)(to - from + 1) * sizeof *known);
  return OK;
}

/* Production records, as the reconciler's items (tonnes) by category. */
struct prod {
  struct analysis *a;
  struct recon_item *items;
  const char **category;
  size_t n, cap, capcat;
};

static int
load_production(void *ctx, const struct record *rec, uint64_t seq)
{
  struct prod *p = ctx;
  const char *start = record_get(rec, "start"), *end = record_get(rec, "end");
  double per = record_unit_tonnes(record_get(rec, "unit"));
  int64_t b, f, eb, ef;

  (void)seq;
  if (per <= 0 || record_time_bounds(start, corridor_tz_offset, (void *)p->a->c,
                                     &b, &ef) != OK)
    return OK; /* only masses convert to a stock's unit */
  if (end == NULL || record_time_bounds(end, corridor_tz_offset,
                                        (void *)p->a->c, &eb, &f) != OK)
    f = ef;
  p->items = util_grow(p->items, &p->cap, p->n + 1, sizeof *p->items);
  p->category =
      util_grow(p->category, &p->capcat, p->n + 1, sizeof *p->category);
  p->items[p->n] = (struct recon_item){
      b, f, analysis__intern(p->a, record_get(rec, "source")),
      analysis__intern(p->a, record_get(rec, "grade")),
      record_value(rec, "quantity")->num * per};
  p->category[p->n] = analysis__intern(p->a, record_get(rec, "category"));
  p->n++;
  return OK;
}

/* Local production of a category in tonnes for each day from..to,
 * reconciled as flows are: sources of the same time are not added. */
static void
production(struct analysis *a, const struct prod *p, const char *category,
           int64_t from, int64_t to, double *out)
{
  struct recon_item *items = xmalloc((p->n + 1) * sizeof *items);
  struct recon_out o;
  size_t n = 0;

  memset(&o, 0, sizeof o);
  memset(out, 0, (size_t)(to - from + 1) * sizeof *out);
  for (size_t i = 0; i < p->n; i++)
    if (p->category[i] == category)
      items[n++] = p->items[i];
  analysis__reconcile(items, n, from, to, a->c->dispute_tolerance, 1, &o);
  for (size_t i = 0; i < o.ncells; i++)
    out[o.cells[i].day - from] = o.cells[i].value;
  analysis__recon_cleanup(&o);
  free(items);
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

/* The category's need per person per day in force at the start of day:
 * a need record's, else the corridor file's. */
static int
need_of(const struct points *needs, const struct corridor_category *cc,
        const char *category, int64_t day, struct need_src *out)
{
  const struct point *n = at_start(needs, day, category);

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

/* The population at the start of day: the middle of the range of the
 * count in force then. */
static int
population_on(const struct points *pop, int64_t day, double *out)
{
  const struct point *p = at_start(pop, day, NULL);

  *out = 0;
  if (p == NULL)
    return 0;
  *out = (p->low + p->high) / 2;
  return 1;
}

/* What a category's outlook reads: the records loaded once for all. */
struct supply_in {
  const struct points *stocks, *pops, *needs;
  const struct prod *prod;
  const char *category;
  const struct corridor_category *cc;
  const char *unit;
  double to_unit; /* one tonne in the stock's unit */
};

/* The need of day in the stock's unit: population x need per person. */
static double
need_on(const struct supply_in *in, int64_t day)
{
  struct need_src need;
  double pop, per_unit;

  if (!need_of(in->needs, in->cc, in->category, day, &need) ||
      !population_on(in->pops, day, &pop))
    return NAN;
  per_unit = convert(1, need.unit, in->unit);
  return pop * need.per_person * per_unit;
}

/* The baseline window's mean daily net inflow, over its known days. */
static int
baseline_inflow(struct analysis *a, const struct supply_in *in,
                struct analysis_supply *o)
{
  const struct corridor *c = a->c;
  int64_t n = c->baseline_to - c->baseline_from + 1;
  double *net, mean;
  int *known, have, rc;

  if (!c->has_baseline)
    return OK;
  net = xcalloc((size_t)n, sizeof *net);
  known = xcalloc((size_t)n, sizeof *known);
  rc =
      net_inflow(a, in->category, c->baseline_from, c->baseline_to, net, known);
  mean = mean_known(net, known, n, &have) * in->to_unit;
  o->baseline_inflow = mean;
  o->has_baseline_inflow = rc == OK && have && !isnan(mean);
  free(net);
  free(known);
  return rc;
}

/* The inflow and production recorded over the 7 days before day, / 7 (the
 * issue's "mean daily inflow of the 7 days before D"). */
static int
recent(struct analysis *a, const struct supply_in *in, int64_t day,
       struct analysis_supply *o)
{
  double net[7], made[7], sum = 0, psum = 0;
  int known[7];
  int rc = net_inflow(a, in->category, day - 7, day - 1, net, known);

  production(a, in->prod, in->category, day - 7, day - 1, made);
  for (int i = 0; i < 7; i++) {
    sum += net[i];
    psum += made[i];
  }
  o->inflow_7d_mean = sum / 7 * in->to_unit;
  o->has_inflow_7d = rc == OK && !isnan(o->inflow_7d_mean);
  o->production_7d_mean = psum / 7 * in->to_unit;
  return rc;
}

/* The stock at the start of day, walked from the record s: each day t,
 * stock(t+1) = max(0, stock(t) + inflow(t) + production(t) - need(t)),
 * so that a deficit is never carried into the next day. */
static int
walk_stock(struct analysis *a, const struct supply_in *in,
           const struct point *s, int64_t day, struct analysis_supply *o)
{
  int64_t n = day - s->day;
  double low = s->low, high = s->high;
  int rc = OK;

  if (n > 0) {
    double *net = xcalloc((size_t)n, sizeof *net);
    double *made = xcalloc((size_t)n, sizeof *made);
    int *known = xcalloc((size_t)n, sizeof *known);
    rc = net_inflow(a, in->category, s->day, day - 1, net, known);
    production(a, in->prod, in->category, s->day, day - 1, made);
    for (int64_t i = 0; rc == OK && i < n; i++) {
      double use = need_on(in, s->day + i);
      double add = (net[i] + made[i]) * in->to_unit - (isnan(use) ? 0 : use);
      /* Recorded inflows, as the formula says; days with none add none. */
      low = low + add > 0 ? low + add : 0;
      high = high + add > 0 ? high + add : 0;
    }
    free(net);
    free(made);
    free(known);
  }
  o->has_stock = 1;
  o->stock_low = low > 0 ? low : 0;
  o->stock_high = high > 0 ? high : 0;
  return rc;
}

/* Days of cover, the stock-out day of each scenario (production going on
 * at its recent rate in each), the alert. */
static void
scenarios(const struct corridor *c, int64_t day, struct analysis_supply *o)
{
  o->cover_low = o->stock_low / o->need_per_day;
  o->cover_high = o->stock_high / o->need_per_day;
  for (int sc = 0; sc < AS_COUNT; sc++) {
    double inflow = sc == AS_NO_INFLOW       ? 0
                    : sc == AS_RECENT_INFLOW ? o->inflow_7d_mean
                                             : o->baseline_inflow;
    int have = sc == AS_NO_INFLOW       ? 1
               : sc == AS_RECENT_INFLOW ? o->has_inflow_7d
                                        : o->has_baseline_inflow;
    double u = o->need_per_day - inflow - o->production_7d_mean;
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
}

static int
outlook(struct analysis *a, struct supply_in *in, int64_t day,
        struct analysis_supply *o)
{
  const struct point *s = latest(in->stocks, day, in->category);
  double need;
  int rc;

  memset(o, 0, sizeof *o);
  o->category = in->category;
  in->cc = corridor_find_category(a->c, in->category);
  in->unit = s && s->unit             ? s->unit
             : in->cc && in->cc->unit ? in->cc->unit
                                      : "t";
  o->unit = in->unit;
  in->to_unit = convert(1, "t", in->unit);
  need = need_on(in, day);
  if (isnan(need))
    return OK;
  o->need_per_day = need;
  rc = baseline_inflow(a, in, o);
  if (rc == OK)
    rc = recent(a, in, day, o);
  if (rc == OK && s)
    rc = walk_stock(a, in, s, day, o);
  if (rc == OK && o->has_stock && o->need_per_day > 0)
    scenarios(a->c, day, o);
  return rc;
}

int
analysis_supply(struct analysis *a, int64_t day, struct analysis_supply **out,
                size_t *n)
{
  struct points stocks = {0}, pops = {0}, needs = {0};
  struct prod prod = {a, NULL, NULL, 0, 0, 0};
  struct supply_in in;
  const char **cats = NULL;
  size_t ncats = 0;
  int rc;

  *out = NULL;
  *n = 0;
  stocks.a = pops.a = needs.a = a;
  if ((rc = analysis__load(a)) != OK)
    return rc;
  rc = analysis_each_record(a, KIND_stock, load_stock, &stocks);
  if (rc == OK)
    rc = analysis_each_record(a, KIND_population, load_population, &pops);
  if (rc == OK)
    rc = analysis_each_record(a, KIND_need, load_need, &needs);
  if (rc == OK)
    rc = analysis_each_record(a, KIND_production, load_production, &prod);
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
    for (size_t i = 0; i < ncats && rc == OK; i++) {
      in = (struct supply_in){&stocks, &pops, &needs, &prod,
                              cats[i], NULL,  NULL,   1};
      rc = outlook(a, &in, day, &(*out)[i]);
    }
    *n = ncats;
    if (rc != OK) {
      free(*out);
      *out = NULL;
      *n = 0;
    }
  }
  free(cats);
  free(prod.items);
  free(prod.category);
  free(stocks.v);
  free(pops.v);
  free(needs.v);
  return rc;
}
