/*
 * The sitrep's figures, gathered from the analysis. This is the only file
 * of the report module that asks the analysis anything; the JSON writer
 * and the document read struct sitrep alone, so every format shows the
 * same figures.
 */
#include "report/report_int.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Sources. */

/* 1 when Admiralty grade a is better than b (A1 best; "" worst). */
static int
grade_better(const char *a, const char *b)
{
  if (a == NULL || a[0] == '\0')
    return 0;
  if (b == NULL || b[0] == '\0')
    return 1;
  /* Reliability first (A best), then credibility (1 best). */
  if (a[0] != b[0])
    return a[0] < b[0];
  return strcmp(a + 1, b + 1) < 0;
}

static void
srcset_add(struct sr_srcset *s, const char *id, const char *grade)
{
  if (id == NULL || id[0] == '\0')
    return;
  for (size_t i = 0; i < s->n; i++) {
    if (strcmp(s->v[i].id, id) == 0) {
      if (grade_better(grade, s->v[i].grade)) {
        free(s->v[i].grade);
        s->v[i].grade = xstrdup(grade);
      }
      return;
    }
  }
  s->v = util_grow(s->v, &s->cap, s->n + 1, sizeof *s->v);
  s->v[s->n].id = xstrdup(id);
  s->v[s->n].grade = xstrdup(grade ? grade : "");
  s->n++;
}

static void
srcset_cleanup(struct sr_srcset *s)
{
  for (size_t i = 0; i < s->n; i++) {
    free(s->v[i].id);
    free(s->v[i].grade);
  }
  free(s->v);
  memset(s, 0, sizeof *s);
}

static int
by_src_id(const void *x, const void *y)
{
  const struct sr_src *a = x, *b = y;

  return strcmp(a->id, b->id);
}

/* Sorts by id, for output that does not depend on the order of discovery. */
static void
srcset_sort(struct sr_srcset *s)
{
  if (s->n > 1)
    qsort(s->v, s->n, sizeof *s->v, by_src_id);
}

/* Time. */

static int64_t
floor_div(int64_t a, int64_t b)
{
  int64_t q = a / b;

  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

/* The local interval of a time field: OK, or ERR_MISSING/ERR_INVALID. */
static int
bounds(const struct analysis *a, const char *text, int64_t *begin,
       int64_t *first_day, int64_t *last_day)
{
  int64_t b, f;

  if (text == NULL)
    return ERR_MISSING;
  if (analysis_time_bounds(a, text, &b, &f) != OK)
    return ERR_INVALID;
  *begin = b;
  *first_day = floor_div(b, 86400);
  /* A date's interval ends where the next day begins. */
  *last_day = f > b ? floor_div(f - 1, 86400) : *first_day;
  return OK;
}

static char *
dup_field(const struct record *r, const char *name)
{
  const char *v = record_get(r, name);

  return v ? xstrdup(v) : NULL;
}

/* The text fields a list of records keeps: a record field's name and
 * where its copy goes in the list's struct. */
struct copied {
  const char *name;
  size_t at;
};

#define COPIED(type, field)                                                    \
  {                                                                            \
#field, offsetof(struct type, field)                                       \
  }

static const struct copied status_fields[] = {
    COPIED(sr_status, id),         COPIED(sr_status, at),
    COPIED(sr_status, checkpoint), COPIED(sr_status, state),
    COPIED(sr_status, cause),      COPIED(sr_status, actor),
    COPIED(sr_status, applies_to), COPIED(sr_status, direction),
    COPIED(sr_status, source),     COPIED(sr_status, grade),
};

static const struct copied event_fields[] = {
    COPIED(sr_event, id),     COPIED(sr_event, at),
    COPIED(sr_event, kind),   COPIED(sr_event, actors),
    COPIED(sr_event, place),  COPIED(sr_event, summary),
    COPIED(sr_event, source), COPIED(sr_event, grade),
};

#define NCOPIED(a) (sizeof(a) / sizeof *(a))

static void
copy_fields(void *x, const struct record *rec, const struct copied *f, size_t n)
{
  for (size_t i = 0; i < n; i++)
    *(char **)((char *)x + f[i].at) = dup_field(rec, f[i].name);
}

static void
free_fields(void *x, const struct copied *f, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(*(char **)((char *)x + f[i].at));
}

/* Gathering. */

struct gather {
  struct sitrep *s;
  struct analysis *a;
  struct strmap *names, *urls; /* source id -> name, url */
  int rc;
};

/* The entry of days[] for day, or NULL when outside. */
static const struct analysis_index_day *
day_of(const struct sitrep *s, int64_t day)
{
  if (s->days == NULL || day < s->days_from ||
      day >= s->days_from + (int64_t)s->ndays)
    return NULL;
  return &s->days[day - s->days_from];
}

static void
copy_spread(struct sr_part *part, const struct analysis_period_part *x)
{
  part->approximate = x->approximate;
  if (x->nspread == 0)
    return;
  part->spread = xcalloc(x->nspread, sizeof *part->spread);
  for (size_t i = 0; i < x->nspread; i++) {
    part->spread[i].id = xstrdup(x->spread[i].id ? x->spread[i].id : "");
    part->spread[i].start =
        xstrdup(x->spread[i].start ? x->spread[i].start : "");
    part->spread[i].end = xstrdup(x->spread[i].end ? x->spread[i].end : "");
  }
  part->nspread = x->nspread;
}

/* One part of the index over the period, against the previous one: the
 * period's mean daily flow over its known days (the analysis's period
 * figures, from which the index is computed too). */
static void
collect_part(struct sitrep *s, int dir, int p,
             const struct analysis_period *cur,
             const struct analysis_period *prev)
{
  struct sr_part *part = &s->part[dir][p];
  const struct analysis_period_part *c = &cur->part[dir][p];
  const struct analysis_period_part *pv = prev ? &prev->part[dir][p] : NULL;

  part->base_known = c->base_known && c->baseline > 0;
  part->baseline = c->baseline;
  part->known_days = c->known_days;
  part->total = c->total;
  part->per_day = c->per_day;
  part->ratio_known = c->ratio_known;
  part->ratio = c->ratio;
  part->prev_known = pv && pv->known;
  part->prev_per_day = pv && pv->known ? pv->per_day : 0;
  copy_spread(part, c);
  /* Two slices of one record spread over both periods differ only by the
   * spreading: no change is computed between them. */
  part->same_record = pv && analysis_same_record(c, pv);
  /* From nothing to nothing is no change; from nothing to something has no
   * percentage (change_known stays 0 though both are known). */
  part->change_known = !part->same_record && c->known && part->prev_known &&
                       (part->prev_per_day > 0 || part->per_day == 0);
  part->change = part->change_known && part->prev_per_day > 0
                     ? part->per_day / part->prev_per_day - 1
                     : 0;
  part->from_zero = !part->same_record && c->known && part->prev_known &&
                    part->prev_per_day == 0 && part->per_day > 0;
}

/* The days of from..to whose index is known. */
static size_t
index_days_known(const struct sitrep *s, int64_t from, int64_t to)
{
  size_t n = 0;

  for (int64_t d = from; d <= to; d++) {
    const struct analysis_index_day *x = day_of(s, d);
    n += x && x->known;
  }
  return n;
}

/*
 * Flows at checkpoints the index does not count that exceed what it
 * counted in the period (or that pass where the index knows nothing): a
 * report that says "index 0%" while 100,417 people left through another
 * checkpoint must say so in its headline. From the analysis's period
 * figures: each checkpoint's totals, those the index counts marked.
 */
static void
find_uncounted(struct sitrep *s, const struct analysis_period *cur)
{
  for (size_t i = 0; cur && i < cur->ncps; i++) {
    const struct analysis_period_cp *cp = &cur->cps[i];
    if (cp->counted)
      continue;
    for (int dir = 0; dir < AD_COUNT; dir++)
      for (int p = 0; p < AP_COUNT; p++) {
        const struct sr_part *x = &s->part[dir][p];
        struct sr_uncounted *u;
        if (!cp->known[dir][p] || cp->total[dir][p] <= 0 ||
            (x->known_days > 0 && cp->total[dir][p] <= x->total))
          continue;
        s->uncounted =
            xrealloc(s->uncounted, (s->nuncounted + 1) * sizeof *s->uncounted);
        u = &s->uncounted[s->nuncounted++];
        u->checkpoint = xstrdup(cp->checkpoint);
        u->dir = dir;
        u->part = p;
        u->value = cp->total[dir][p];
        u->approximate = cp->approximate[dir][p];
        u->counted_known = x->known_days > 0;
        u->counted = x->total;
      }
  }
}

static int
collect_index(struct gather *g)
{
  struct sitrep *s = g->s;
  struct analysis_period *cur = NULL, *prev = NULL;
  int rc;

  s->days_from = s->chart_from < s->prev_from ? s->chart_from : s->prev_from;
  s->ndays = (size_t)(s->to - s->days_from + 1);
  s->chart_at = (size_t)(s->chart_from - s->days_from);
  s->days = xcalloc(s->ndays, sizeof *s->days);
  rc = analysis_index(g->a, s->days_from, s->to, s->days);
  s->has_baseline = rc == OK;
  if (rc == ERR_NOTFOUND) {
    /* No baseline window: every part is unknown, which the report says. */
    memset(s->days, 0, s->ndays * sizeof *s->days);
    for (size_t i = 0; i < s->ndays; i++)
      s->days[i].day = s->days_from + (int64_t)i;
  } else if (rc != OK) {
    return rc;
  }
  /* Without a baseline the period's checkpoint totals are still known. */
  rc = analysis_period(g->a, s->from, s->to, &cur);
  if (rc == ERR_NOTFOUND && !s->has_baseline)
    rc = OK;
  if (rc == OK && s->has_baseline)
    rc = analysis_period(g->a, s->prev_from, s->prev_to, &prev);
  if (rc == OK && s->has_baseline) {
    s->index = cur->index;
    s->index_known = cur->index_known;
    s->index_known_days = index_days_known(s, s->from, s->to);
    s->prev_index = prev->index;
    s->prev_index_known = prev->index_known;
    for (int dir = 0; dir < AD_COUNT; dir++)
      for (int p = 0; p < AP_COUNT; p++)
        collect_part(s, dir, p, cur, prev);
  }
  if (rc == OK)
    find_uncounted(s, cur);
  analysis_period_free(cur);
  analysis_period_free(prev);
  return rc;
}

static int
direction_of(const char *name)
{
  for (int d = 0; d < AD_COUNT; d++)
    if (name && strcmp(name, analysis_direction_names[d]) == 0)
      return d;
  return -1;
}

const int report__part_measure[AP_COUNT] = {AM_PERSONS, AM_VEHICLES, AM_TONNES};

static int
add_part_source(void *ctx, const struct analysis_flow_row *row)
{
  struct gather *g = ctx;
  int dir = direction_of(row->dim[DIM_DIRECTION]);

  if (dir < 0)
    return OK;
  for (int p = 0; p < AP_COUNT; p++) {
    int m = report__part_measure[p];
    if (row->known[m] && row->m[m] != 0)
      srcset_add(&g->s->part[dir][p].src, row->dim[DIM_SOURCE],
                 row->dim[DIM_GRADE]);
  }
  return OK;
}

static int
collect_part_sources(struct gather *g)
{
  static const int dims[] = {DIM_DIRECTION, DIM_SOURCE, DIM_GRADE};
  struct analysis_flow_query q;
  int rc;

  memset(&q, 0, sizeof q);
  q.from = g->s->from;
  q.to = g->s->to;
  q.dims = dims;
  q.ndims = 3;
  q.checkpoints = g->s->index_cps;
  rc = analysis_flows(g->a, &q, add_part_source, g);
  for (int d = 0; d < AD_COUNT; d++)
    for (int p = 0; p < AP_COUNT; p++)
      srcset_sort(&g->s->part[d][p].src);
  return rc;
}

/* A checkpoint's availability per day: each direction's, and the lower of
 * the two (the corridor's when cp is s->corridor); the period's means. */
static int
checkpoint_availability(struct gather *g, struct sr_checkpoint *cp,
                        int corridor)
{
  struct sitrep *s = g->s;
  double sum = 0, psum = 0, dsum[AD_COUNT] = {0};
  size_t n = 0, pn = 0, dn[AD_COUNT] = {0};
  int rc;

  cp->day_avail = xcalloc(s->ndays, sizeof(double));
  cp->day_known = xcalloc(s->ndays, sizeof(int));
  for (size_t k = 0; k < s->ndays; k++) {
    int64_t day = s->days_from + (int64_t)k;
    double share[AD_COUNT];
    int known[AD_COUNT];
    for (int d = 0; d < AD_COUNT; d++) {
      rc = corridor ? analysis_corridor_availability(g->a, d, day, &share[d],
                                                     &known[d])
                    : analysis_availability(g->a, cp->id, d, day, &share[d],
                                            &known[d]);
      if (rc != OK)
        return rc;
      if (known[d] && day >= s->from && day <= s->to) {
        dsum[d] += share[d];
        dn[d]++;
      }
    }
    cp->day_known[k] = known[AD_IN] && known[AD_OUT];
    cp->day_avail[k] =
        share[AD_IN] < share[AD_OUT] ? share[AD_IN] : share[AD_OUT];
    if (!cp->day_known[k])
      continue;
    if (day >= s->from && day <= s->to) {
      sum += cp->day_avail[k];
      n++;
    } else if (day >= s->prev_from && day <= s->prev_to) {
      psum += cp->day_avail[k];
      pn++;
    }
  }
  for (int d = 0; d < AD_COUNT; d++) {
    cp->avail_dir_known[d] = dn[d] > 0;
    cp->avail_dir[d] = dn[d] ? dsum[d] / (double)dn[d] : 0;
  }
  cp->avail_known = n > 0;
  cp->avail = n ? sum / (double)n : 0;
  cp->avail_days = n;
  cp->prev_avail_known = pn > 0;
  cp->prev_avail = pn ? psum / (double)pn : 0;
  return OK;
}

static int
collect_availability(struct gather *g)
{
  struct sitrep *s = g->s;
  int rc;

  s->corridor.id = xstrdup("corridor");
  s->corridor.name = xstrdup("corridor");
  rc = checkpoint_availability(g, &s->corridor, 1);
  for (size_t i = 0; rc == OK && i < s->ncps; i++) {
    struct sr_checkpoint *cp = &s->cps[i];
    cp->in_index = s->index_cps == NULL;
    for (size_t k = 0; k < s->nindex_cps; k++)
      if (strcmp(s->index_cps[k], cp->id) == 0)
        cp->in_index = 1;
    cp->route = analysis_route(g->a, cp->id);
    rc = checkpoint_availability(g, cp, 0);
  }
  return rc;
}

static void
flows_add(struct sr_flows *f, const struct analysis_flow_row *row, int da,
          int db)
{
  struct sr_flow *r;

  f->v = util_grow(f->v, &f->cap, f->n + 1, sizeof *f->v);
  r = &f->v[f->n++];
  memset(r, 0, sizeof *r);
  r->a = xstrdup(row->dim[da] ? row->dim[da] : "");
  r->b = xstrdup(db >= 0 && row->dim[db] ? row->dim[db] : "");
  memcpy(r->m, row->m, sizeof r->m);
  memcpy(r->known, row->known, sizeof r->known);
  memcpy(r->approximate, row->approximate, sizeof r->approximate);
  for (size_t i = 0; i < row->nspread; i++) {
    const struct analysis_spread *x = &row->spread[i];
    int seen = 0;
    for (size_t k = 0; k < r->nspread; k++)
      seen |= strcmp(r->spread[k].id, x->id ? x->id : "") == 0;
    if (seen)
      continue;
    r->spread = xrealloc(r->spread, (r->nspread + 1) * sizeof *r->spread);
    r->spread[r->nspread].id = xstrdup(x->id ? x->id : "");
    r->spread[r->nspread].start = xstrdup(x->start ? x->start : "");
    r->spread[r->nspread].end = xstrdup(x->end ? x->end : "");
    r->nspread++;
  }
  r->unknown_days = row->unknown_days;
  memcpy(r->unknown, row->unknown, sizeof r->unknown);
  /* A difference in the number of records is no dispute of a figure. */
  for (size_t i = 0; i < row->nsources; i++)
    if (row->sources[i].measure != AM_RECORDS)
      r->disputed = 1;
}

struct flows_ctx {
  struct sr_flows *f;
  int da, db;
  int measure; /* AM_*: the class rows' measure, or -1 */
};

static int
add_flow(void *ctx, const struct analysis_flow_row *row)
{
  struct flows_ctx *fc = ctx;

  /* A class row with nothing in it only says that some record had that
   * class (pedestrians: vehicle "none") or none; the checkpoint table
   * gives the zeros. */
  if (fc->measure >= 0 && row->known[fc->measure] && row->m[fc->measure] == 0)
    return OK;
  flows_add(fc->f, row, fc->da, fc->db);
  return OK;
}

/* Rows by da and db; with complete (checkpoint and direction), a row for
 * every checkpoint in both directions, 0 where observed and nothing
 * passed, unknown class by class where not observed. */
static int
query_flows(struct gather *g, struct sr_flows *f, int da, int db, int measure,
            int complete)
{
  int dims[2] = {da, db};
  struct analysis_flow_query q;
  struct flows_ctx fc = {f, da, db, measure};

  memset(&q, 0, sizeof q);
  q.from = g->s->from;
  q.to = g->s->to;
  q.dims = dims;
  q.ndims = 2;
  q.complete = complete;
  return analysis_flows(g->a, &q, add_flow, &fc);
}

static struct sr_checkpoint *
find_cp(struct sitrep *s, const char *id)
{
  for (size_t i = 0; i < s->ncps; i++)
    if (id && strcmp(s->cps[i].id, id) == 0)
      return &s->cps[i];
  return NULL;
}

/* The sources whose figures make each row of the checkpoint table. */
static int
add_cp_source(void *ctx, const struct analysis_flow_row *row)
{
  struct sr_flows *f = ctx;
  int any = 0;

  for (int m = AM_VEHICLES; m < AM_COUNT; m++)
    if (row->known[m] && row->m[m] != 0)
      any = 1;
  for (size_t i = 0; any && i < f->n; i++)
    if (strcmp(f->v[i].a, row->dim[DIM_CHECKPOINT]) == 0 &&
        strcmp(f->v[i].b, row->dim[DIM_DIRECTION]) == 0)
      srcset_add(&f->v[i].src, row->dim[DIM_SOURCE], row->dim[DIM_GRADE]);
  return OK;
}

/* Unknown checkpoint-days: the analysis's row of each checkpoint says how
 * many of the period's days it did not observe. */
static int
add_unknown(void *ctx, const struct analysis_flow_row *row)
{
  struct gather *g = ctx;
  struct sr_checkpoint *cp = find_cp(g->s, row->dim[DIM_CHECKPOINT]);

  if (cp) {
    cp->observed_known = 1;
    cp->unknown_days = row->unknown_days;
  }
  return OK;
}

static int
collect_flows(struct gather *g)
{
  static const int dims[] = {DIM_CHECKPOINT};
  static const int src_dims[] = {DIM_CHECKPOINT, DIM_DIRECTION, DIM_SOURCE,
                                 DIM_GRADE};
  struct analysis_flow_query q;
  int rc;

  rc = query_flows(g, &g->s->by_cp, DIM_CHECKPOINT, DIM_DIRECTION, -1, 1);
  if (rc == OK)
    rc = query_flows(g, &g->s->by_vehicle, DIM_DIRECTION, DIM_VEHICLE,
                     AM_VEHICLES, 0);
  if (rc == OK)
    rc = query_flows(g, &g->s->by_cat, DIM_DIRECTION, DIM_CATEGORY, AM_TONNES,
                     0);
  if (rc != OK)
    return rc;
  memset(&q, 0, sizeof q);
  q.from = g->s->from;
  q.to = g->s->to;
  q.dims = dims;
  q.ndims = 1;
  q.outcome = ""; /* observation, whatever the outcome */
  rc = analysis_flows(g->a, &q, add_unknown, g);
  if (rc != OK)
    return rc;
  q.dims = src_dims;
  q.ndims = 4;
  q.outcome = NULL;
  rc = analysis_flows(g->a, &q, add_cp_source, &g->s->by_cp);
  for (size_t i = 0; i < g->s->by_cp.n; i++)
    srcset_sort(&g->s->by_cp.v[i].src);
  return rc;
}

/* Sources used. */

static struct sr_source *
use_source(struct gather *g, const char *id, const char *grade, unsigned use)
{
  struct sitrep *s = g->s;
  struct sr_source *src = NULL;

  if (id == NULL || id[0] == '\0')
    return NULL;
  for (size_t i = 0; i < s->nsources; i++)
    if (strcmp(s->sources[i].id, id) == 0)
      src = &s->sources[i];
  if (src == NULL) {
    const char *name = strmap_get(g->names, id), *url = strmap_get(g->urls, id);
    s->sources = util_grow(s->sources, &s->capsources, s->nsources + 1,
                           sizeof *s->sources);
    src = &s->sources[s->nsources++];
    memset(src, 0, sizeof *src);
    src->id = xstrdup(id);
    src->name = name ? xstrdup(name) : NULL;
    src->url = url && url[0] ? xstrdup(url) : NULL;
    src->grade = xstrdup("");
  }
  if (grade_better(grade, src->grade)) {
    free(src->grade);
    src->grade = xstrdup(grade);
  }
  src->used |= use;
  return src;
}

static int
add_source_name(void *ctx, const struct record *rec, uint64_t seq)
{
  struct gather *g = ctx;
  const char *id = record_get(rec, "id"), *name = record_get(rec, "name"),
             *url = record_get(rec, "url");

  (void)seq;
  if (id) {
    strmap_put(g->names, id, name ? name : id);
    strmap_put(g->urls, id, url ? url : "");
  }
  return OK;
}

struct use_ctx {
  struct gather *g;
  unsigned use;
};

static int
add_flow_source(void *ctx, const struct analysis_flow_row *row)
{
  struct use_ctx *u = ctx;
  int any = 0;

  for (int m = AM_VEHICLES; m < AM_COUNT; m++)
    if (row->known[m] && row->m[m] != 0)
      any = 1;
  if (any)
    use_source(u->g, row->dim[DIM_SOURCE], row->dim[DIM_GRADE], u->use);
  return OK;
}

/* Coverage says which days were observed: what makes a figure 0 rather
 * than unknown. */
static int
add_coverage_source(void *ctx, const struct record *rec, uint64_t seq)
{
  struct gather *g = ctx;
  int64_t b, f0, l0, b1, f1, l1;

  (void)seq;
  if (bounds(g->a, record_get(rec, "start"), &b, &f0, &l0) != OK)
    return OK;
  if (bounds(g->a,
             record_get(rec, "end") ? record_get(rec, "end")
                                    : record_get(rec, "start"),
             &b1, &f1, &l1) != OK)
    return OK;
  if (f0 <= g->s->to && l1 >= g->s->from)
    use_source(g, record_get(rec, "source"), record_get(rec, "grade"),
               SR_USE_COVERAGE);
  return OK;
}

static int
collect_flow_sources(struct gather *g)
{
  static const int dims[] = {DIM_SOURCE, DIM_GRADE};
  struct analysis_flow_query q;
  struct use_ctx u = {g, SR_USE_FLOWS};
  int rc;

  memset(&q, 0, sizeof q);
  q.from = g->s->from;
  q.to = g->s->to;
  q.dims = dims;
  q.ndims = 2;
  rc = analysis_flows(g->a, &q, add_flow_source, &u);
  /* The baseline's figures come from the flows of its window at the
   * index's checkpoints. */
  if (rc == OK && g->s->c->has_baseline) {
    q.from = g->s->c->baseline_from;
    q.to = g->s->c->baseline_to;
    q.checkpoints = g->s->index_cps;
    u.use = SR_USE_BASELINE;
    rc = analysis_flows(g->a, &q, add_flow_source, &u);
  }
  if (rc == OK)
    rc = analysis_each_record(g->a, KIND_coverage, add_coverage_source, g);
  return rc;
}

/* Status timeline. */

static int
add_status(void *ctx, const struct record *rec, uint64_t seq)
{
  struct gather *g = ctx;
  struct sitrep *s = g->s;
  struct sr_status *x;
  int64_t begin, first, last;

  if (bounds(g->a, record_get(rec, "at"), &begin, &first, &last) != OK ||
      first > s->to)
    return OK;
  s->status =
      util_grow(s->status, &s->capstatus, s->nstatus + 1, sizeof *s->status);
  x = &s->status[s->nstatus++];
  memset(x, 0, sizeof *x);
  x->t = begin;
  x->day = first;
  x->seq = seq;
  x->in_period = first >= s->from;
  copy_fields(x, rec, status_fields, NCOPIED(status_fields));
  return OK;
}

static int
by_time(int64_t ta, uint64_t sa, int64_t tb, uint64_t sb)
{
  if (ta != tb)
    return ta < tb ? -1 : 1;
  return sa < sb ? -1 : sa > sb;
}

static int
by_status_time(const void *x, const void *y)
{
  const struct sr_status *a = x, *b = y;

  return by_time(a->t, a->seq, b->t, b->seq);
}

/* 1 when record id gives a state of cp at the end of the date. */
static int
state_record(const struct sr_checkpoint *cp, const char *id)
{
  if (cp->state_id && strcmp(cp->state_id, id) == 0)
    return 1;
  for (int d = 0; d < AD_COUNT; d++)
    if (cp->state_dir_id[d] && strcmp(cp->state_dir_id[d], id) == 0)
      return 1;
  return 0;
}

/* Whether x applies to direction d (AD_IN, AD_OUT). */
static int
applies(const struct sr_status *x, int d)
{
  return x->direction == NULL || strcmp(x->direction, "both") == 0 ||
         strcmp(x->direction, analysis_direction_names[d]) == 0;
}

/* Keeps, of the timeline sorted by time, the period's changes and, before
 * them, the last change of each checkpoint and direction: the state each
 * was in when the period began. What came before says nothing of the
 * period, and a report of one day need not list years of it. */
static void
keep_from_period(struct sitrep *s)
{
  const char **seen[AD_COUNT]; /* per direction: checkpoints seen, latest
                                * first */
  size_t nseen[AD_COUNT] = {0}, n = 0;

  for (int d = 0; d < AD_COUNT; d++)
    seen[d] = xcalloc(s->nstatus + 1, sizeof *seen[d]);
  for (size_t i = s->nstatus; i-- > 0;) {
    struct sr_status *x = &s->status[i];
    const char *cp = x->checkpoint ? x->checkpoint : "";
    int keep = x->in_period;
    for (int d = 0; !x->in_period && d < AD_COUNT; d++) {
      size_t k = 0;
      if (!applies(x, d))
        continue;
      while (k < nseen[d] && strcmp(seen[d][k], cp) != 0)
        k++;
      if (k == nseen[d]) { /* the last change before the period there */
        seen[d][nseen[d]++] = cp;
        keep = 1;
      }
    }
    if (!keep) {
      free_fields(x, status_fields, NCOPIED(status_fields));
      x->seq = UINT64_MAX; /* dropped */
    }
  }
  for (int d = 0; d < AD_COUNT; d++)
    free(seen[d]);
  for (size_t i = 0; i < s->nstatus; i++)
    if (s->status[i].seq != UINT64_MAX)
      s->status[n++] = s->status[i];
  s->nstatus = n;
}

static int
collect_status(struct gather *g)
{
  struct sitrep *s = g->s;
  /* What the period needs (its changes, and the last one before it at
   * each checkpoint and direction) rather than every status of the
   * history: keep_from_period keeps no more. */
  int rc = analysis_each_status_for(g->a, s->from * 86400, (s->to + 1) * 86400,
                                    add_status, g);

  if (rc == ERR_NOTFOUND)
    rc = analysis_each_record(g->a, KIND_status, add_status, g);
  if (rc != OK)
    return rc;
  if (s->nstatus > 1)
    qsort(s->status, s->nstatus, sizeof *s->status, by_status_time);
  /* The state each checkpoint is in at the end of the date. */
  for (size_t i = 0; i < s->nstatus; i++) {
    struct sr_status *x = &s->status[i];
    struct sr_checkpoint *cp = find_cp(s, x->checkpoint);
    if (cp) {
      free(cp->state);
      free(cp->since);
      free(cp->state_id);
      cp->state = x->state ? xstrdup(x->state) : NULL;
      cp->since = x->at ? xstrdup(x->at) : NULL;
      cp->state_id = x->id ? xstrdup(x->id) : NULL;
      for (int d = 0; d < AD_COUNT; d++) {
        if (x->direction && strcmp(x->direction, "both") != 0 &&
            strcmp(x->direction, analysis_direction_names[d]) != 0)
          continue;
        free(cp->state_dir[d]);
        free(cp->state_dir_id[d]);
        free(cp->since_dir[d]);
        cp->state_dir[d] = x->state ? xstrdup(x->state) : NULL;
        cp->state_dir_id[d] = x->id ? xstrdup(x->id) : NULL;
        cp->since_dir[d] = x->at ? xstrdup(x->at) : NULL;
      }
    }
  }
  keep_from_period(s);
  /* The records behind the states and the period's changes. */
  for (size_t i = 0; i < s->nstatus; i++) {
    struct sr_status *x = &s->status[i];
    struct sr_checkpoint *cp = find_cp(s, x->checkpoint);
    if (x->in_period || (cp && x->id && state_record(cp, x->id)))
      use_source(g, x->source, x->grade, SR_USE_STATUS);
  }
  return OK;
}

/* Events. */

static int
add_event(void *ctx, const struct record *rec, uint64_t seq)
{
  struct gather *g = ctx;
  struct sitrep *s = g->s;
  struct sr_event *x;
  int64_t begin, first, last;

  if (bounds(g->a, record_get(rec, "at"), &begin, &first, &last) != OK ||
      first > s->to || last < s->from)
    return OK;
  s->events =
      util_grow(s->events, &s->capevents, s->nevents + 1, sizeof *s->events);
  x = &s->events[s->nevents++];
  memset(x, 0, sizeof *x);
  x->t = begin;
  x->seq = seq;
  copy_fields(x, rec, event_fields, NCOPIED(event_fields));
  use_source(g, x->source, x->grade, SR_USE_EVENTS);
  return OK;
}

static int
by_event_time(const void *x, const void *y)
{
  const struct sr_event *a = x, *b = y;

  return by_time(a->t, a->seq, b->t, b->seq);
}

static int
collect_events(struct gather *g)
{
  /* The events near the period only: add_event keeps those in it. */
  int rc = analysis_each_record_near(g->a, KIND_event, "at", g->s->from * 86400,
                                     (g->s->to + 1) * 86400, add_event, g);

  if (rc == OK && g->s->nevents > 1)
    qsort(g->s->events, g->s->nevents, sizeof *g->s->events, by_event_time);
  return rc;
}

/* Supply: the outlook and the records behind it. */

struct pick {
  const struct analysis *a;
  const char *category; /* NULL: any */
  int64_t limit;        /* the last local day */
  int64_t best_t;
  uint64_t best_seq;
  struct sr_ref *ref;
};

static void
ref_cleanup(struct sr_ref *r)
{
  free(r->id);
  free(r->at);
  free(r->source);
  free(r->grade);
  free(r->basis);
  memset(r, 0, sizeof *r);
}

static int
pick_latest(void *ctx, const struct record *rec, uint64_t seq)
{
  struct pick *p = ctx;
  const char *cat = record_get(rec, "category"), *at = record_get(rec, "at");
  int64_t begin = INT64_MIN, first, last;

  if (p->category && (cat == NULL || strcmp(cat, p->category) != 0))
    return OK;
  /* A need without a date applies from the beginning; of the records of
   * one day the later in the log wins, as in analysis_supply. */
  first = INT64_MIN;
  if (at && bounds(p->a, at, &begin, &first, &last) != OK)
    return OK;
  if (first > p->limit)
    return OK;
  if (p->ref->id && by_time(first, seq, p->best_t, p->best_seq) < 0)
    return OK;
  ref_cleanup(p->ref);
  p->ref->id = dup_field(rec, "id");
  p->ref->at = dup_field(rec, "at");
  p->ref->source = dup_field(rec, "source");
  p->ref->grade = dup_field(rec, "grade");
  p->ref->basis = dup_field(rec, "basis");
  p->best_t = first;
  p->best_seq = seq;
  return OK;
}

static int
find_ref(struct gather *g, enum record_kind kind, const char *category,
         struct sr_ref *ref)
{
  struct pick p;
  int rc;

  memset(&p, 0, sizeof p);
  p.a = g->a;
  p.category = category;
  p.limit = g->s->date;
  p.ref = ref;
  rc = analysis_each_record(g->a, kind, pick_latest, &p);
  if (rc == OK && ref->id)
    use_source(g, ref->source, ref->grade, SR_USE_SUPPLY);
  return rc;
}

static int
collect_supply(struct gather *g)
{
  struct sitrep *s = g->s;
  int rc = analysis_supply(g->a, s->date, &s->supply, &s->nsupply);

  if (rc != OK)
    return rc;
  s->supply_refs = xcalloc(s->nsupply ? s->nsupply : 1, sizeof *s->supply_refs);
  for (size_t i = 0; i < s->nsupply && rc == OK; i++) {
    struct sr_supply_refs *r = &s->supply_refs[i];
    rc = find_ref(g, KIND_stock, s->supply[i].category, &r->stock);
    if (rc == OK)
      rc = find_ref(g, KIND_population, NULL, &r->population);
    if (rc == OK)
      rc = find_ref(g, KIND_need, s->supply[i].category, &r->need);
  }
  return rc;
}

static int
collect_compliance(struct gather *g)
{
  struct sitrep *s = g->s;
  int64_t first, last;
  int rc;

  s->comp_from = s->from;
  if (s->c->has_baseline)
    s->comp_from = s->c->baseline_from;
  if (analysis_span(g->a, &first, &last) == OK &&
      (!s->c->has_baseline || first < s->comp_from))
    s->comp_from = first;
  /* The period itself is always evaluated. */
  if (s->comp_from > s->from)
    s->comp_from = s->from;
  rc = analysis_compliance_since(g->a, s->comp_from, s->from, s->to, &s->comp,
                                 &s->ncomp);
  if (rc != OK)
    return rc;
  s->comp_period = xcalloc(s->ncomp ? s->ncomp : 1, sizeof *s->comp_period);
  for (size_t i = 0; i < s->ncomp; i++) {
    struct sr_verdicts *v = &s->comp_period[i];
    for (int64_t d = s->from; d <= s->to; d++) {
      int x = s->comp[i].verdict[d - s->from];
      v->met += x == AC_MET;
      v->breached += x == AC_BREACHED;
      v->unknown += x == AC_UNKNOWN;
      v->not_in_force += x == AC_NOT_IN_FORCE;
    }
  }
  return OK;
}

/* Disputed figures, per day, checkpoint and direction. */

static int
add_dispute(void *ctx, const struct analysis_flow_row *row)
{
  struct gather *g = ctx;
  struct sitrep *s = g->s;

  if (!row->disputed)
    return OK;
  /* A difference in the number of records is no dispute of a figure. */
  for (int m = AM_VEHICLES; m < AM_COUNT; m++) {
    struct sr_dispute *d = NULL;
    for (size_t i = 0; i < row->nsources; i++) {
      const struct analysis_source_value *v = &row->sources[i];
      if (v->measure != m)
        continue;
      if (d == NULL) {
        s->disputes = util_grow(s->disputes, &s->capdisputes, s->ndisputes + 1,
                                sizeof *s->disputes);
        d = &s->disputes[s->ndisputes++];
        memset(d, 0, sizeof *d);
        d->day = xstrdup(row->dim[DIM_DAY] ? row->dim[DIM_DAY] : "");
        d->checkpoint =
            xstrdup(row->dim[DIM_CHECKPOINT] ? row->dim[DIM_CHECKPOINT] : "");
        d->direction =
            xstrdup(row->dim[DIM_DIRECTION] ? row->dim[DIM_DIRECTION] : "");
        d->measure = m;
        d->known = row->known[m];
        d->value = row->m[m];
      }
      d->values = xrealloc(d->values, (d->nvalues + 1) * sizeof *d->values);
      d->values[d->nvalues].source = xstrdup(v->source ? v->source : "");
      d->values[d->nvalues].grade = xstrdup(v->grade ? v->grade : "");
      d->values[d->nvalues].value = v->value;
      d->nvalues++;
      use_source(g, v->source, v->grade, SR_USE_FLOWS);
    }
  }
  return OK;
}

static int
by_value_grade(const void *x, const void *y)
{
  const struct sr_dispute_value *a = x, *b = y;

  if (grade_better(a->grade, b->grade))
    return -1;
  if (grade_better(b->grade, a->grade))
    return 1;
  return strcmp(a->source, b->source);
}

static int
collect_disputes(struct gather *g)
{
  static const int dims[] = {DIM_DAY, DIM_CHECKPOINT, DIM_DIRECTION};
  struct analysis_flow_query q;
  int rc;

  memset(&q, 0, sizeof q);
  q.from = g->s->from;
  q.to = g->s->to;
  q.dims = dims;
  q.ndims = 3;
  rc = analysis_flows(g->a, &q, add_dispute, g);
  /* Best grade first: the figure the report uses leads. */
  for (size_t i = 0; i < g->s->ndisputes; i++)
    qsort(g->s->disputes[i].values, g->s->disputes[i].nvalues,
          sizeof *g->s->disputes[i].values, by_value_grade);
  return rc;
}

static int
by_source_id(const void *x, const void *y)
{
  const struct sr_source *a = x, *b = y;

  return strcmp(a->id, b->id);
}

/* The backlog at the end of the date: what entered the corridor's first
 * stage and has neither passed the counting stage nor turned back. */
static int
add_backlog(void *ctx, const struct analysis_pipeline_row *row)
{
  struct sitrep *s = ctx;
  struct sr_backlog *b;
  int dir = direction_of(row->direction), any = 0;

  for (int m = AM_VEHICLES; m < AM_COUNT; m++)
    any |= row->backlog[m] > 0;
  if (!any || dir < 0)
    return OK;
  s->backlog = xrealloc(s->backlog, (s->nbacklog + 1) * sizeof *s->backlog);
  b = &s->backlog[s->nbacklog++];
  b->checkpoint = xstrdup(row->checkpoint);
  b->dir = dir;
  memcpy(b->v, row->backlog, sizeof b->v);
  return OK;
}

static int
collect_backlog(struct gather *g)
{
  struct analysis_pipeline_query q;

  memset(&q, 0, sizeof q);
  q.from = q.to = g->s->date;
  return analysis_pipeline(g->a, &q, add_backlog, g->s);
}

/* The checkpoints the functioning index counts (NULL: all). */
static void
index_checkpoints(struct sitrep *s, const struct analysis *a)
{
  s->index_cps = analysis_index_checkpoints(a, &s->nindex_cps);
}

/* The checkpoints: every live checkpoint record, in log order. */
static int
add_checkpoint(void *ctx, const struct record *rec, uint64_t seq)
{
  struct sitrep *s = ctx;
  struct sr_checkpoint *cp;
  const char *id = record_get(rec, "id"), *name = record_get(rec, "name");

  (void)seq;
  if (id == NULL)
    return OK;
  s->cps = xrealloc(s->cps, (s->ncps + 1) * sizeof *s->cps);
  cp = &s->cps[s->ncps++];
  memset(cp, 0, sizeof *cp);
  cp->id = xstrdup(id);
  cp->name = xstrdup(name ? name : id);
  return OK;
}

static int
collect_names(struct gather *g)
{
  return analysis_each_record(g->a, KIND_source, add_source_name, g);
}

static int
collect_checkpoints(struct gather *g)
{
  return analysis_each_record(g->a, KIND_checkpoint, add_checkpoint, g->s);
}

/* The tree the sitrep is computed from. */
static int
collect_root(struct gather *g)
{
  uint8_t root[32];
  struct buf b64;
  int rc = analysis_root(g->a, root);

  if (rc != OK)
    return rc;
  buf_init(&b64);
  util_base64_encode(&b64, root, sizeof root);
  snprintf(g->s->root, sizeof g->s->root, "%s", b64.data);
  buf_cleanup(&b64);
  return OK;
}

/* The days of the month that day d is in. */
static int
month_days(int64_t d)
{
  int y, m, dd;

  util_civil_from_days(d, &y, &m, &dd);
  return (
      int)(util_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) -
           util_days_from_civil(y, m, 1));
}

/* Whether q's period is what its kind says it is. */
static int
check_period(const struct report_sitrep_query *q, struct buf *err)
{
  int64_t n = q->to - q->from + 1;
  int y, m, d;

  util_civil_from_days(q->from, &y, &m, &d);
  if (n < 1 || n > REPORT_MAX_DAYS)
    buf_printf(err, "a report covers 1 to %d days, not %lld", REPORT_MAX_DAYS,
               (long long)n);
  else if (q->kind == REPORT_PERIOD_DAY && n != 1)
    buf_printf(err, "a day's report covers one day");
  else if (q->kind == REPORT_PERIOD_WEEK && n != 7)
    buf_printf(err, "a week's report covers 7 days");
  else if (q->kind == REPORT_PERIOD_MONTH &&
           (d != 1 || n > month_days(q->from)))
    buf_printf(err, "a month's report starts on the 1st and ends in the month");
  else if (q->kind < REPORT_PERIOD_DAY || q->kind > REPORT_PERIOD_RANGE)
    buf_printf(err, "unknown kind of period");
  else
    return OK;
  return ERR_USAGE;
}

/* A sitrep of q's period, nothing gathered yet. */
static struct sitrep *
sitrep_new(struct analysis *a, const struct report_sitrep_query *q)
{
  struct sitrep *s = xcalloc(1, sizeof *s);

  s->c = analysis_corridor(a);
  s->date = s->to = q->to;
  s->from = q->from;
  s->kind = q->kind;
  s->period_days = (int)(q->to - q->from + 1);
  s->month_days = month_days(q->from);
  /* The previous period is as long, just before. */
  s->prev_to = s->from - 1;
  s->prev_from = s->prev_to - (s->period_days - 1);
  s->chart_from = s->to - (REPORT_CHART_DAYS - 1);
  s->size = analysis_as_of(a);
  s->witnesses = q->witnesses;
  s->nwitnesses = q->nwitnesses;
  s->cosigned_size = q->cosigned_size;
  s->witnesses_listed = q->listed || q->nwitnesses > 0;
  index_checkpoints(s, a);
  if (s->index_cps) {
    /* NULL-terminated, as analysis_flow_query wants. */
    const char **cps = xcalloc(s->nindex_cps + 1, sizeof *cps);
    memcpy(cps, s->index_cps, s->nindex_cps * sizeof *cps);
    s->index_cps = cps;
  }
  return s;
}

/* The gathering, in order: names and checkpoints before what is per
 * checkpoint, the index before its sources. */
static int (*const collectors[])(struct gather *g) = {
    collect_root,     collect_names,        collect_checkpoints,
    collect_index,    collect_part_sources, collect_availability,
    collect_flows,    collect_flow_sources, collect_status,
    collect_events,   collect_supply,       collect_compliance,
    collect_disputes, collect_backlog,
};

int
report__sitrep_collect(struct analysis *a, const struct report_sitrep_query *q,
                       struct sitrep **out, struct buf *err)
{
  struct sitrep *s = NULL;
  struct gather g;
  int rc = OK;

  *out = NULL;
  memset(&g, 0, sizeof g);
  if ((rc = check_period(q, err)) != OK)
    return rc;
  s = sitrep_new(a, q);
  g.s = s;
  g.a = a;
  g.names = strmap_new();
  g.urls = strmap_new();
  for (size_t i = 0; rc == OK && i < sizeof collectors / sizeof *collectors;
       i++)
    rc = collectors[i](&g);
  if (rc != OK)
    goto out;
  if (s->nsources > 1)
    qsort(s->sources, s->nsources, sizeof *s->sources, by_source_id);
  *out = s;
  s = NULL;
out:
  if (rc != OK)
    buf_printf(err, "cannot compute the sitrep: %s", util_strerror(rc));
  strmap_free(g.names);
  strmap_free(g.urls);
  report__sitrep_free(s);
  return rc;
}

static void
spread_cleanup(struct sr_spread *v, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(v[i].id);
    free(v[i].start);
    free(v[i].end);
  }
  free(v);
}

static void
flows_cleanup(struct sr_flows *f)
{
  for (size_t i = 0; i < f->n; i++) {
    free(f->v[i].a);
    free(f->v[i].b);
    srcset_cleanup(&f->v[i].src);
    spread_cleanup(f->v[i].spread, f->v[i].nspread);
  }
  free(f->v);
}

static void
checkpoint_cleanup(struct sr_checkpoint *cp)
{
  free(cp->id);
  free(cp->name);
  free(cp->day_avail);
  free(cp->day_known);
  free(cp->state);
  free(cp->since);
  free(cp->state_id);
  for (int d = 0; d < AD_COUNT; d++) {
    free(cp->state_dir[d]);
    free(cp->state_dir_id[d]);
    free(cp->since_dir[d]);
  }
}

static void
dispute_cleanup(struct sr_dispute *d)
{
  free(d->day);
  free(d->checkpoint);
  free(d->direction);
  for (size_t k = 0; k < d->nvalues; k++) {
    free(d->values[k].source);
    free(d->values[k].grade);
  }
  free(d->values);
}

void
report__sitrep_free(struct sitrep *s)
{
  if (s == NULL)
    return;
  free(s->days);
  for (int d = 0; d < AD_COUNT; d++)
    for (int p = 0; p < AP_COUNT; p++) {
      struct sr_part *x = &s->part[d][p];
      srcset_cleanup(&x->src);
      spread_cleanup(x->spread, x->nspread);
    }
  checkpoint_cleanup(&s->corridor);
  free((void *)s->index_cps);
  for (size_t i = 0; i < s->ncps; i++)
    checkpoint_cleanup(&s->cps[i]);
  free(s->cps);
  flows_cleanup(&s->by_cp);
  for (size_t i = 0; i < s->nuncounted; i++)
    free(s->uncounted[i].checkpoint);
  free(s->uncounted);
  for (size_t i = 0; i < s->nbacklog; i++)
    free(s->backlog[i].checkpoint);
  free(s->backlog);
  flows_cleanup(&s->by_vehicle);
  flows_cleanup(&s->by_cat);
  for (size_t i = 0; i < s->nstatus; i++)
    free_fields(&s->status[i], status_fields, NCOPIED(status_fields));
  free(s->status);
  for (size_t i = 0; i < s->nevents; i++)
    free_fields(&s->events[i], event_fields, NCOPIED(event_fields));
  free(s->events);
  for (size_t i = 0; i < s->nsupply && s->supply_refs; i++) {
    ref_cleanup(&s->supply_refs[i].stock);
    ref_cleanup(&s->supply_refs[i].population);
    ref_cleanup(&s->supply_refs[i].need);
  }
  free(s->supply_refs);
  free(s->supply);
  analysis_compliance_free(s->comp, s->ncomp);
  free(s->comp_period);
  for (size_t i = 0; i < s->nsources; i++) {
    free(s->sources[i].id);
    free(s->sources[i].name);
    free(s->sources[i].url);
    free(s->sources[i].grade);
  }
  free(s->sources);
  for (size_t i = 0; i < s->ndisputes; i++)
    dispute_cleanup(&s->disputes[i]);
  free(s->disputes);
  free(s);
}

const char *const report__period_names[4] = {"day", "week", "month", "range"};

void
report__reproduce(const struct sitrep *s, const char *fmt, struct buf *out)
{
  char d[16], f[16];

  util_format_day(s->date, d, sizeof d);
  util_format_day(s->from, f, sizeof f);
  if (s->kind == REPORT_PERIOD_RANGE)
    buf_printf(out, "passage report sitrep --from %s --to %s", f, d);
  else
    buf_printf(out, "passage report sitrep --date %s --period %s", d,
               report__period_names[s->kind]);
  buf_printf(out, " --format %s --as-of %llu", fmt,
             (unsigned long long)s->size);
}

/* The measures' names, as the analysis numbers them (AM_*). */
static const char *const measure_names[AM_COUNT] = {"records", "vehicles",
                                                    "persons", "tonnes"};

const char *
report__measure_name(int measure)
{
  return measure >= 0 && measure < AM_COUNT ? measure_names[measure] : "";
}

int
report__cover_known(const struct analysis_supply *x)
{
  return x->has_stock && x->need_per_day > 0;
}

int
report__ob_shown(const struct sitrep *s, size_t i)
{
  const struct corridor_obligation *ob = s->comp[i].ob;

  return !ob->has_from || ob->from <= s->to;
}

int64_t
report__ob_since(const struct sitrep *s, size_t i)
{
  const struct corridor_obligation *ob = s->comp[i].ob;

  return ob->has_from && ob->from > s->comp_from ? ob->from : s->comp_from;
}
