/*
 * Reconciled flows. Two sources reporting the same checkpoint, direction,
 * class and day are never added: the day's figure is the best-graded
 * source's, and a difference beyond the corridor's tolerance marks it
 * disputed with every source's value shown.
 */
#include "analysis/analysis_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one source says of one cell (day, checkpoint, direction, class). */
struct claim {
  const char *source;
  const char *grade;
  double value, records;
  double present; /* records that gave this measure: missing is not 0 */
};

struct cell {
  struct claim *claims;
  size_t n, cap;
  int measure;
  const char *winner;
  int disputed;
  int listed; /* its claims were added to the current group's sources */
};

/* The class a measure reconciles within: vehicles by type, tonnes by
 * category, persons and records as a whole. */
static void
cell_key(uint64_t key[5], const struct arow *r, int measure)
{
  key[0] = (uint64_t)r->day;
  key[1] = (uint64_t)(uintptr_t)r->dim[DIM_CHECKPOINT];
  key[2] = (uint64_t)(uintptr_t)r->dim[DIM_DIRECTION];
  key[3] = (uint64_t)measure;
  key[4] = (uint64_t)(uintptr_t)(measure == AM_VEHICLES ? r->dim[DIM_VEHICLE]
                                 : measure == AM_TONNES ? r->dim[DIM_CATEGORY]
                                                        : NULL);
}

/* Admiralty grades compare as text: "A1" is best; ungraded is worst. */
static int
grade_cmp(const char *x, const char *y)
{
  const char *gx = x && *x ? x : "Z9", *gy = y && *y ? y : "Z9";

  return strcmp(gx, gy);
}

static void
claim_add(struct cell *c, const struct arow *r, int measure)
{
  struct claim *cl = NULL;

  for (size_t i = 0; i < c->n; i++)
    if (c->claims[i].source == r->dim[DIM_SOURCE])
      cl = &c->claims[i];
  if (cl == NULL) {
    if (c->n == c->cap) {
      c->cap = c->cap ? c->cap * 2 : 2;
      c->claims = xrealloc(c->claims, c->cap * sizeof *c->claims);
    }
    cl = &c->claims[c->n++];
    memset(cl, 0, sizeof *cl);
    cl->source = r->dim[DIM_SOURCE];
    cl->grade = r->dim[DIM_GRADE];
  }
  if (grade_cmp(r->dim[DIM_GRADE], cl->grade) < 0)
    cl->grade = r->dim[DIM_GRADE];
  cl->value += r->m[measure];
  cl->records += r->m[AM_RECORDS];
  cl->present += r->n[measure];
}

/* A claim stands when some record of the source gave the measure there
 * (and no correction took it back). */
static int
stands(const struct claim *cl)
{
  return fabs(cl->present) >= 1e-12;
}

static void
decide(struct cell *c, double tolerance)
{
  const struct claim *best = NULL;

  for (size_t i = 0; i < c->n; i++) {
    const struct claim *cl = &c->claims[i];
    int g;
    if (!stands(cl))
      continue;
    if (best == NULL) {
      best = cl;
      continue;
    }
    g = grade_cmp(cl->grade, best->grade);
    if (g < 0 || (g == 0 && (cl->records > best->records + 1e-9 ||
                             (fabs(cl->records - best->records) <= 1e-9 &&
                              strcmp(cl->source, best->source) < 0))))
      best = cl;
  }
  c->winner = best ? best->source : NULL;
  c->disputed = 0;
  for (size_t i = 0; best && i < c->n; i++) {
    const struct claim *cl = &c->claims[i];
    /* Sources count at different paces: only figures are disputed. */
    if (cl != best && c->measure != AM_RECORDS && stands(cl) &&
        fabs(cl->value - best->value) > tolerance * fabs(best->value) + 1e-9)
      c->disputed = 1;
  }
}

/* An output row being summed. */
struct group {
  const char *dim[DIM_COUNT];
  double m[AM_COUNT];
  size_t proj; /* its time/checkpoint projection */
  struct analysis_source_value *sources;
  size_t nsources, capsources;
  int disputed;
  size_t *cells; /* disputed cells already listed */
  size_t ncells, capcells;
};

static int
is_time_dim(int d)
{
  return d == DIM_DAY || d == DIM_WEEK || d == DIM_MONTH || d == DIM_YEAR;
}

/* The label of a day in a time dimension, interned and cached. */
static const char *
time_label(struct analysis *a, int dim, int64_t day)
{
  uint64_t key[2] = {(uint64_t)dim, (uint64_t)day};
  char out[16];
  int added, y, m, d;
  size_t i = tmap_put(a->labels, key, &added);

  if (!added)
    return a->label_of[i];
  util_civil_from_days(day, &y, &m, &d);
  if (dim == DIM_DAY) {
    util_format_day(day, out, sizeof out);
  } else if (dim == DIM_MONTH) {
    snprintf(out, sizeof out, "%04d-%02d", y, m);
  } else if (dim == DIM_YEAR) {
    snprintf(out, sizeof out, "%04d", y);
  } else {
    /* ISO week: the week belongs to the year of its Thursday. */
    int64_t wd = ((day % 7) + 7 + 3) % 7;
    int64_t thursday = day - wd + 3;
    int ty, tm, td;
    util_civil_from_days(thursday, &ty, &tm, &td);
    snprintf(out, sizeof out, "%04d-W%02d", ty,
             (int)((thursday - util_days_from_civil(ty, 1, 1)) / 7 + 1));
  }
  a->label_of = xrealloc(a->label_of, (i + 1) * sizeof *a->label_of);
  a->label_of[i] = analysis__intern(a, out);
  return a->label_of[i];
}

/* The values of the asked dimensions for a day and a row's dimensions. */
static void
group_values(struct analysis *a, const struct analysis_flow_query *q,
             int64_t day, const char *const *dims, const char **out)
{
  for (size_t i = 0; i < q->ndims; i++) {
    int d = q->dims[i];
    out[d] = is_time_dim(d) ? time_label(a, d, day) : dims[d] ? dims[d] : "";
  }
}

struct groups {
  struct tmap *index;
  struct group *v;
  size_t cap;
};

static struct group *
group_get(struct groups *gs, const struct analysis_flow_query *q,
          const char **vals)
{
  uint64_t key[DIM_COUNT];
  int added;
  size_t i;

  for (size_t k = 0; k < q->ndims; k++)
    key[k] = (uint64_t)(uintptr_t)vals[q->dims[k]];
  i = tmap_put(gs->index, key, &added);
  if (added) {
    if (i == gs->cap) {
      gs->cap = gs->cap ? gs->cap * 2 : 256;
      gs->v = xrealloc(gs->v, gs->cap * sizeof *gs->v);
    }
    memset(&gs->v[i], 0, sizeof gs->v[i]);
    for (size_t k = 0; k < q->ndims; k++)
      gs->v[i].dim[q->dims[k]] = vals[q->dims[k]];
    gs->v[i].proj = SIZE_MAX;
  }
  return &gs->v[i];
}

static void
group_source(struct group *g, const struct claim *cl, int measure)
{
  for (size_t i = 0; i < g->nsources; i++) {
    struct analysis_source_value *sv = &g->sources[i];
    if (sv->source == cl->source && sv->measure == measure) {
      sv->value += cl->value;
      if (grade_cmp(cl->grade, sv->grade) < 0)
        sv->grade = cl->grade;
      return;
    }
  }
  if (g->nsources == g->capsources) {
    g->capsources = g->capsources ? g->capsources * 2 : 4;
    g->sources = xrealloc(g->sources, g->capsources * sizeof *g->sources);
  }
  g->sources[g->nsources].source = cl->source;
  g->sources[g->nsources].grade = cl->grade;
  g->sources[g->nsources].measure = measure;
  g->sources[g->nsources].value = cl->value;
  g->nsources++;
}

/* Lists a disputed cell's claims in a group, once. */
static void
group_dispute(struct group *g, struct cell *c, size_t ci)
{
  for (size_t i = 0; i < g->ncells; i++)
    if (g->cells[i] == ci)
      return;
  if (g->ncells == g->capcells) {
    g->capcells = g->capcells ? g->capcells * 2 : 4;
    g->cells = xrealloc(g->cells, g->capcells * sizeof *g->cells);
  }
  g->cells[g->ncells++] = ci;
  g->disputed = 1;
  for (size_t k = 0; k < c->n; k++)
    if (stands(&c->claims[k]))
      group_source(g, &c->claims[k], c->measure);
}

static int
cp_wanted(const struct analysis_flow_query *q, const char *cp)
{
  if (q->checkpoints == NULL)
    return 1;
  for (const char *const *c = q->checkpoints; *c; c++)
    if (strcmp(*c, cp) == 0)
      return 1;
  return 0;
}

/* outcome and source are interned (or NULL for any): pointers compare. */
static int
row_wanted(const struct analysis_flow_query *q, const char *outcome,
           const char *source, const struct arow *r)
{
  if (outcome && r->dim[DIM_OUTCOME] != outcome)
    return 0;
  if (source && r->dim[DIM_SOURCE] != source)
    return 0;
  return q->checkpoints == NULL || cp_wanted(q, r->dim[DIM_CHECKPOINT]);
}

static int
has_only_time_and_checkpoint(const struct analysis_flow_query *q)
{
  for (size_t i = 0; i < q->ndims; i++)
    if (!is_time_dim(q->dims[i]) && q->dims[i] != DIM_CHECKPOINT)
      return 0;
  return 1;
}

/* The projection of a group on its time and checkpoint dimensions: what
 * decides whether its figures are known. */
struct proj {
  int observed;
  size_t unknown_days;
};

static size_t
proj_of(struct tmap *pm, struct proj **pv, size_t *pcap,
        const struct analysis_flow_query *q, const char **vals)
{
  uint64_t key[DIM_COUNT + 1];
  size_t n = 0, i;
  int added;

  key[n++] = 0; /* so that no projection at all is still one key */
  for (size_t k = 0; k < q->ndims; k++)
    if (is_time_dim(q->dims[k]) || q->dims[k] == DIM_CHECKPOINT)
      key[n++] = (uint64_t)(uintptr_t)vals[q->dims[k]];
  while (n < DIM_COUNT + 1)
    key[n++] = 0;
  i = tmap_put(pm, key, &added);
  if (added) {
    if (i == *pcap) {
      *pcap = *pcap ? *pcap * 2 : 64;
      *pv = xrealloc(*pv, *pcap * sizeof **pv);
    }
    memset(&(*pv)[i], 0, sizeof **pv);
  }
  return i;
}

/* A group to sort, with the query whose dimensions order it (so that no
 * state is shared between threads running queries at once). */
struct sort_item {
  const struct group *g;
  const struct analysis_flow_query *q;
};

static int
by_dims(const void *x, const void *y)
{
  const struct sort_item *p = x, *r = y;

  for (size_t k = 0; k < p->q->ndims; k++) {
    int d = p->q->dims[k];
    int c = strcmp(p->g->dim[d], r->g->dim[d]);
    if (c)
      return c;
  }
  return 0;
}

/* The working state of one flow query. */
struct recon {
  struct analysis *a;
  const struct analysis_flow_query *q;
  const char *outcome, *source; /* interned; NULL for any */
  int own;                      /* each source's own figures */
  struct arows rows;
  struct tmap *cmap; /* cell key -> index into cells */
  struct cell *cells;
  size_t ncells, capcells;
  size_t *row_cell; /* rows.n x AM_COUNT cell indexes; SIZE_MAX: unwanted */
  struct groups gs;
  struct tmap *pmap; /* projection key -> index into pv */
  struct proj *pv;
  size_t pcap;
};

/* Who says what of each cell, and whose figure counts. */
static void
recon_claims(struct recon *x)
{
  const struct arows *rows = &x->rows;

  x->row_cell = xmalloc((rows->n ? rows->n : 1) * AM_COUNT * sizeof(size_t));
  for (size_t i = 0; i < rows->n; i++) {
    const struct arow *r = &rows->v[i];
    if (!row_wanted(x->q, x->outcome, x->source, r)) {
      x->row_cell[i * AM_COUNT] = SIZE_MAX;
      continue;
    }
    for (int m = 0; m < AM_COUNT; m++) {
      uint64_t key[5];
      int added;
      size_t ci;
      cell_key(key, r, m);
      ci = tmap_put(x->cmap, key, &added);
      if (added) {
        if (ci == x->capcells) {
          x->capcells = x->capcells ? x->capcells * 2 : 256;
          x->cells = xrealloc(x->cells, x->capcells * sizeof *x->cells);
        }
        memset(&x->cells[ci], 0, sizeof *x->cells);
        x->cells[ci].measure = m;
        x->ncells++;
      }
      claim_add(&x->cells[ci], r, m);
      x->row_cell[i * AM_COUNT + m] = ci;
    }
  }
  for (size_t i = 0; i < x->ncells; i++)
    decide(&x->cells[i], x->a->c->dispute_tolerance);
}

/* Which checkpoint-days each projection covers, and how many unknown. */
static void
recon_projections(struct recon *x)
{
  struct analysis *a = x->a;
  const struct analysis_flow_query *q = x->q;

  for (int64_t day = q->from; day <= q->to; day++) {
    for (size_t c = 0; c < a->ncheckpoints; c++) {
      const char *cp = a->checkpoints[c];
      const char *vals[DIM_COUNT] = {0};
      const char *dims[DIM_COUNT] = {0};
      struct proj *p;
      size_t pi;
      if (!cp_wanted(q, cp))
        continue;
      dims[DIM_CHECKPOINT] = cp;
      group_values(a, q, day, dims, vals);
      if (has_only_time_and_checkpoint(q))
        group_get(&x->gs, q, vals);
      pi = proj_of(x->pmap, &x->pv, &x->pcap, q, vals); /* may move pv */
      p = &x->pv[pi];
      if (analysis__observed(a, day, cp))
        p->observed = 1;
      else
        p->unknown_days++;
    }
  }
}

/* Sums each measure of the rows whose source won their cell. */
static void
recon_sums(struct recon *x)
{
  for (size_t i = 0; i < x->rows.n; i++) {
    const struct arow *r = &x->rows.v[i];
    const char *vals[DIM_COUNT] = {0};
    struct group *g;
    if (x->row_cell[i * AM_COUNT] == SIZE_MAX)
      continue;
    group_values(x->a, x->q, r->day, r->dim, vals);
    g = group_get(&x->gs, x->q, vals);
    for (int m = 0; m < AM_COUNT; m++) {
      size_t ci = x->row_cell[i * AM_COUNT + m];
      struct cell *c = &x->cells[ci];
      if (c->winner == NULL)
        continue;
      if (x->own || c->winner == r->dim[DIM_SOURCE])
        g->m[m] += r->m[m];
      if (c->disputed && !x->q->source)
        group_dispute(g, c, ci);
    }
  }
}

/* Hands fn the rows, sorted by their dimension values. */
static int
recon_emit(struct recon *x,
           int (*fn)(void *ctx, const struct analysis_flow_row *row), void *ctx)
{
  const struct analysis_flow_query *q = x->q;
  size_t ngroups = tmap_count(x->gs.index);
  struct sort_item *order = xmalloc((ngroups ? ngroups : 1) * sizeof *order);
  int rc = OK;

  for (size_t i = 0; i < ngroups; i++) {
    order[i].g = &x->gs.v[i];
    order[i].q = q;
  }
  qsort(order, ngroups, sizeof *order, by_dims);
  for (size_t k = 0; k < ngroups && rc == OK; k++) {
    const struct group *g = order[k].g;
    struct analysis_flow_row out;
    const char *vals[DIM_COUNT];
    const struct proj *p;
    size_t pi;
    memset(&out, 0, sizeof out);
    for (size_t d = 0; d < q->ndims; d++)
      vals[q->dims[d]] = g->dim[q->dims[d]];
    pi = proj_of(x->pmap, &x->pv, &x->pcap, q, vals); /* may move pv */
    p = &x->pv[pi];
    out.unknown_days = p->unknown_days;
    for (int d = 0; d < DIM_COUNT; d++)
      out.dim[d] = g->dim[d];
    /* Known when any checkpoint-day under it was observed. */
    for (int m = 0; m < AM_COUNT; m++) {
      out.known[m] = p->observed;
      out.m[m] = p->observed ? g->m[m] : 0;
    }
    out.disputed = g->disputed;
    out.sources = g->sources;
    out.nsources = g->nsources;
    rc = fn(ctx, &out);
  }
  free(order);
  return rc;
}

static void
recon_cleanup(struct recon *x)
{
  for (size_t i = 0; i < tmap_count(x->gs.index) && x->gs.v; i++) {
    free(x->gs.v[i].sources);
    free(x->gs.v[i].cells);
  }
  free(x->gs.v);
  tmap_free(x->gs.index);
  for (size_t i = 0; i < x->ncells; i++)
    free(x->cells[i].claims);
  free(x->cells);
  free(x->row_cell);
  free(x->pv);
  tmap_free(x->cmap);
  tmap_free(x->pmap);
  analysis__rows_free(&x->rows);
}

int
analysis_flows(struct analysis *a, const struct analysis_flow_query *q,
               int (*fn)(void *ctx, const struct analysis_flow_row *row),
               void *ctx)
{
  struct recon x;
  int rc;

  memset(&x, 0, sizeof x);
  x.a = a;
  x.q = q;
  x.outcome = q->outcome && !*q->outcome
                  ? NULL
                  : analysis__intern(a, q->outcome ? q->outcome : "passed");
  x.source = q->source ? analysis__intern(a, q->source) : NULL;
  /* Grouped by source, each row is one source's: its own figures. */
  x.own = q->source != NULL;
  for (size_t k = 0; k < q->ndims && q->own_figures; k++)
    x.own |= q->dims[k] == DIM_SOURCE;
  x.cmap = tmap_new(5);
  x.pmap = tmap_new(DIM_COUNT + 1);
  x.gs.index = tmap_new(q->ndims ? q->ndims : 1);
  rc = analysis__observe(a, q->from, q->to);
  if (rc == OK)
    rc = analysis__rows(a, q->from, q->to, &x.rows);
  if (rc == OK) {
    recon_claims(&x);
    recon_projections(&x);
    recon_sums(&x);
    rc = recon_emit(&x, fn, ctx);
  }
  recon_cleanup(&x);
  return rc;
}
