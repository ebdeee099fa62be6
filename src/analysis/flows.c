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

struct sorter {
  const struct analysis_flow_query *q;
  const struct group *v;
};

static const struct sorter *sort_ctx;

static int
by_dims(const void *x, const void *y)
{
  const struct group *p = &sort_ctx->v[*(const size_t *)x];
  const struct group *r = &sort_ctx->v[*(const size_t *)y];

  for (size_t k = 0; k < sort_ctx->q->ndims; k++) {
    int d = sort_ctx->q->dims[k];
    int c = strcmp(p->dim[d], r->dim[d]);
    if (c)
      return c;
  }
  return 0;
}

int
analysis_flows(struct analysis *a, const struct analysis_flow_query *q,
               int (*fn)(void *ctx, const struct analysis_flow_row *row),
               void *ctx)
{
  const char *outcome =
      q->outcome && !*q->outcome
          ? NULL
          : analysis__intern(a, q->outcome ? q->outcome : "passed");
  const char *source = q->source ? analysis__intern(a, q->source) : NULL;
  /* Grouped by source, each row is one source's: its own figures. */
  int own = q->source != NULL;
  struct arows rows = {0};
  struct tmap *cmap = tmap_new(5), *pmap = tmap_new(DIM_COUNT + 1);
  struct cell *cells = NULL;
  size_t ncells = 0, capcells = 0, pcap = 0, *order = NULL, ngroups;
  struct groups gs = {tmap_new(q->ndims ? q->ndims : 1), NULL, 0};
  struct proj *pv = NULL;
  size_t *row_cell = NULL;
  struct sorter sorter;
  int rc;

  for (size_t k = 0; k < q->ndims && q->own_figures; k++)
    own |= q->dims[k] == DIM_SOURCE;
  rc = analysis__observe(a, q->from, q->to);
  if (rc == OK)
    rc = analysis__rows(a, q->from, q->to, &rows);
  if (rc != OK)
    goto out;

  /* Who says what of each cell, and whose figure counts. */
  row_cell = xmalloc((rows.n ? rows.n : 1) * AM_COUNT * sizeof *row_cell);
  for (size_t i = 0; i < rows.n; i++) {
    const struct arow *r = &rows.v[i];
    if (!row_wanted(q, outcome, source, r)) {
      row_cell[i * AM_COUNT] = SIZE_MAX;
      continue;
    }
    for (int m = 0; m < AM_COUNT; m++) {
      uint64_t key[5];
      int added;
      size_t ci;
      cell_key(key, r, m);
      ci = tmap_put(cmap, key, &added);
      if (added) {
        if (ci == capcells) {
          capcells = capcells ? capcells * 2 : 256;
          cells = xrealloc(cells, capcells * sizeof *cells);
        }
        memset(&cells[ci], 0, sizeof *cells);
        cells[ci].measure = m;
        ncells++;
      }
      claim_add(&cells[ci], r, m);
      row_cell[i * AM_COUNT + m] = ci;
    }
  }
  for (size_t i = 0; i < ncells; i++)
    decide(&cells[i], a->c->dispute_tolerance);

  /* Which checkpoint-days each projection covers, and how many unknown. */
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
        group_get(&gs, q, vals);
      pi = proj_of(pmap, &pv, &pcap, q, vals); /* may move pv */
      p = &pv[pi];
      if (analysis__observed(a, day, cp))
        p->observed = 1;
      else
        p->unknown_days++;
    }
  }

  /* Sum each measure of the rows whose source won their cell. */
  for (size_t i = 0; i < rows.n; i++) {
    const struct arow *r = &rows.v[i];
    const char *vals[DIM_COUNT] = {0};
    struct group *g;
    if (row_cell[i * AM_COUNT] == SIZE_MAX)
      continue;
    group_values(a, q, r->day, r->dim, vals);
    g = group_get(&gs, q, vals);
    for (int m = 0; m < AM_COUNT; m++) {
      size_t ci = row_cell[i * AM_COUNT + m];
      struct cell *c = &cells[ci];
      if (c->winner == NULL)
        continue;
      if (own || c->winner == r->dim[DIM_SOURCE])
        g->m[m] += r->m[m];
      if (c->disputed && !q->source)
        group_dispute(g, c, ci);
    }
  }

  /* Rows sorted by their dimension values. */
  ngroups = tmap_count(gs.index);
  order = xmalloc((ngroups ? ngroups : 1) * sizeof *order);
  for (size_t i = 0; i < ngroups; i++)
    order[i] = i;
  sorter.q = q;
  sorter.v = gs.v;
  sort_ctx = &sorter;
  qsort(order, ngroups, sizeof *order, by_dims);
  for (size_t k = 0; k < ngroups && rc == OK; k++) {
    struct group *g = &gs.v[order[k]];
    struct analysis_flow_row out;
    const char *vals[DIM_COUNT];
    const struct proj *p;
    size_t k2;
    memset(&out, 0, sizeof out);
    for (size_t d = 0; d < q->ndims; d++)
      vals[q->dims[d]] = g->dim[q->dims[d]];
    k2 = proj_of(pmap, &pv, &pcap, q, vals); /* may move pv */
    p = &pv[k2];
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
out:
  for (size_t i = 0; i < tmap_count(gs.index) && gs.v; i++) {
    free(gs.v[i].sources);
    free(gs.v[i].cells);
  }
  free(gs.v);
  tmap_free(gs.index);
  for (size_t i = 0; i < ncells; i++)
    free(cells[i].claims);
  free(cells);
  free(row_cell);
  free(order);
  free(pv);
  tmap_free(cmap);
  tmap_free(pmap);
  analysis__rows_free(&rows);
  return rc;
}
