/*
 * The flow query, over the day cells of its days (days.c, cells.h): each
 * day at each wanted checkpoint holds its streams (checkpoint, direction,
 * outcome and class) reconciled, and each stream what its records of one
 * set of dimensions ("a part") own and won of the day. Each output row
 * adds what its parts won (or own, for a source's own account), and says
 * which of its figures are known (from the day's observation), approximate
 * (a record of the part reaches outside the row's period) or disputed (a
 * part is in a disputed piece, whose claims the row lists).
 */
#include "analysis/analysis_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

/* A record spread over more than a row's period, by sequence number. */
struct spread_ref {
  uint64_t seq;
  int measure;
};

/* An output row being summed. */
struct group {
  const char *dim[DIM_COUNT];
  double m[AM_COUNT];
  int has[AM_COUNT];    /* a record of the class adds to it */
  int approx[AM_COUNT]; /* a share of a record outside its period */
  int64_t p0, p1;       /* its period, local seconds */
  int disputed;
  size_t last_piece; /* the disputed piece listed last (+1; 0: none) */
  struct analysis_source_value *sources;
  size_t nsources, capsources;
  struct spread_ref *spread; /* resolved into out_spread when emitted */
  size_t nspread, capspread;
  struct analysis_spread *out_spread;
};

struct groups {
  struct tmap *index;
  struct group *v;
  size_t cap;
};

/* The projection of a row on its time, checkpoint and direction
 * dimensions: what decides whether its figures are known. */
struct proj {
  int observed[AM_COUNT]; /* some checkpoint-day under it was, throughout,
                           * in some direction */
  size_t unknown[AM_COUNT];
  size_t unknown_any;
};

/* The working state of one flow query. */
struct query {
  struct analysis *a;
  const struct analysis_flow_query *q;
  const char *outcome, *source; /* interned; NULL for any */
  int own;                      /* each source's own figures */
  int family;         /* CELLS_FLOW, or CELLS_STAGE with every stage */
  int64_t r0, r1;     /* the query's days, local seconds */
  size_t *part_group; /* per part of the day being taken: its row */
  size_t cappart_group;
  /* Per day and live checkpoint: the classes observed all day, per
   * direction (cells_day.observed). */
  unsigned char *obs;
  struct groups gs;
  struct tmap *pmap; /* projection key -> index into pv */
  struct proj *pv;
  size_t pcap;
  size_t pieces; /* disputed pieces of the streams decided so far */
  /* The dimensions asked that differ between the parts of a stream (all
   * but time, checkpoint, direction and outcome), as indexes of a part's
   * dim: a part whose values of these are its predecessor's falls in the
   * same row, found without a lookup. */
  int part_dims[DIM_COUNT];
  size_t npart_dims;
};

static int
is_time_dim(int d)
{
  return d == DIM_DAY || d == DIM_WEEK || d == DIM_MONTH || d == DIM_YEAR;
}

static int64_t
iso_monday(int64_t day)
{
  return day - (((day % 7) + 7 + 3) % 7);
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
    int64_t thursday = iso_monday(day) + 3;
    int ty, tm, td;
    util_civil_from_days(thursday, &ty, &tm, &td);
    snprintf(out, sizeof out, "%04d-W%02d", ty,
             (int)((thursday - util_days_from_civil(ty, 1, 1)) / 7 + 1));
  }
  a->label_of = xrealloc(a->label_of, (i + 1) * sizeof *a->label_of);
  a->label_of[i] = analysis__intern(a, out);
  return a->label_of[i];
}

/* The span of days of dim that holds day: [*d0, *d1). */
static void
time_span(int dim, int64_t day, int64_t *d0, int64_t *d1)
{
  int y, m, d;

  util_civil_from_days(day, &y, &m, &d);
  switch (dim) {
  case DIM_DAY:
    *d0 = day, *d1 = day + 1;
    break;
  case DIM_WEEK:
    *d0 = iso_monday(day), *d1 = *d0 + 7;
    break;
  case DIM_MONTH:
    *d0 = util_days_from_civil(y, m, 1);
    *d1 = m == 12 ? util_days_from_civil(y + 1, 1, 1)
                  : util_days_from_civil(y, m + 1, 1);
    break;
  default:
    *d0 = util_days_from_civil(y, 1, 1);
    *d1 = util_days_from_civil(y + 1, 1, 1);
  }
}

/* The period a row of day shows: every time dimension's span holding day,
 * within the query's days. */
static void
period_of(const struct query *x, int64_t day, int64_t *p0, int64_t *p1)
{
  *p0 = x->r0;
  *p1 = x->r1;
  for (size_t i = 0; i < x->q->ndims; i++) {
    int64_t d0, d1;
    if (!is_time_dim(x->q->dims[i]))
      continue;
    time_span(x->q->dims[i], day, &d0, &d1);
    if (d0 * DAY > *p0)
      *p0 = d0 * DAY;
    if (d1 * DAY < *p1)
      *p1 = d1 * DAY;
  }
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

static size_t
group_get(struct query *x, int64_t day, const char **vals)
{
  const struct analysis_flow_query *q = x->q;
  struct groups *gs = &x->gs;
  uint64_t key[DIM_COUNT];
  int added;
  size_t i;

  for (size_t k = 0; k < q->ndims; k++)
    key[k] = (uint64_t)(uintptr_t)vals[q->dims[k]];
  i = tmap_put(gs->index, key, &added);
  if (added) {
    gs->v = util_grow(gs->v, &gs->cap, i + 1, sizeof *gs->v);
    memset(&gs->v[i], 0, sizeof gs->v[i]);
    for (size_t k = 0; k < q->ndims; k++)
      gs->v[i].dim[q->dims[k]] = vals[q->dims[k]];
    period_of(x, day, &gs->v[i].p0, &gs->v[i].p1);
  }
  return i;
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

/* Adds a disputed piece's claim to a row's sources: its value summed over
 * the pieces, its grade the worst. */
static void
source_add(struct group *g, const struct cells_claim *c, int measure)
{
  struct analysis_source_value *sv;

  for (size_t i = 0; i < g->nsources; i++) {
    sv = &g->sources[i];
    if (sv->source == c->source && sv->measure == measure) {
      sv->value += c->value;
      if (analysis__grade_cmp(c->grade, sv->grade) > 0)
        sv->grade = c->grade;
      return;
    }
  }
  g->sources = util_grow(g->sources, &g->capsources, g->nsources + 1,
                         sizeof *g->sources);
  sv = &g->sources[g->nsources++];
  sv->source = c->source;
  sv->grade = c->grade;
  sv->measure = measure;
  sv->value = c->value;
}

static void
spread_add(struct group *g, uint64_t seq, int m)
{
  for (size_t i = g->nspread; i > 0; i--)
    if (g->spread[i - 1].seq == seq && g->spread[i - 1].measure == m)
      return;
  g->spread =
      util_grow(g->spread, &g->capspread, g->nspread + 1, sizeof *g->spread);
  g->spread[g->nspread++] = (struct spread_ref){seq, m};
}

/* What one part of a day adds to its row; the row's index, or SIZE_MAX
 * when the part is another source's than the one asked for. */
static size_t
take_part(struct query *x, const struct cells_day *d,
          const struct cells_stream *s, const struct cells_part *p, size_t same)
{
  const char *dims[DIM_COUNT] = {0}, *vals[DIM_COUNT] = {0};
  struct group *g;
  size_t gi = same;
  int m = s->measure;

  if (x->source && p->dim[CD_SOURCE] != x->source)
    return SIZE_MAX;
  if (gi == SIZE_MAX) {
    for (int k = 0; k < CD_COUNT; k++)
      dims[DIM_CHECKPOINT + k] = p->dim[k];
    group_values(x->a, x->q, d->day, dims, vals);
    gi = group_get(x, d->day, vals);
  }
  g = &x->gs.v[gi];
  g->m[m] += x->own ? p->own : p->won;
  g->has[m] = 1;
  for (size_t i = 0; i < p->nspread; i++) {
    const struct cells_spread *sp = &d->spreads[p->spread + i];
    if ((x->own || sp->counted) && (sp->begin < g->p0 || sp->end > g->p1)) {
      g->approx[m] = 1;
      spread_add(g, sp->seq, m);
    }
  }
  return gi;
}

/* Adds one stream of a day to the rows: its parts, and the claims of each
 * disputed piece to each row that has a part in it (once). */
static void
take_stream(struct query *x, const struct cells_day *d,
            const struct cells_stream *s)
{
  x->part_group = util_grow(x->part_group, &x->cappart_group, s->nparts + 1,
                            sizeof *x->part_group);
  for (size_t k = 0; k < s->nparts; k++) {
    const struct cells_part *p = &d->parts[s->part + k];
    size_t same = SIZE_MAX;
    if (k && x->part_group[k - 1] != SIZE_MAX) {
      const struct cells_part *prev = p - 1;
      size_t i = 0;
      while (i < x->npart_dims &&
             prev->dim[x->part_dims[i]] == p->dim[x->part_dims[i]])
        i++;
      if (i == x->npart_dims)
        same = x->part_group[k - 1];
    }
    x->part_group[k] = take_part(x, d, s, p, same);
  }
  for (size_t k = 0; k < s->npieces; k++) {
    const struct cells_piece *p = &d->pieces[s->piece + k];
    size_t id = ++x->pieces;
    for (size_t l = 0; l < p->nlinks; l++) {
      size_t gi = x->part_group[d->links[p->link + l] - s->part];
      struct group *g;
      if (gi == SIZE_MAX)
        continue;
      g = &x->gs.v[gi];
      if (g->last_piece == id)
        continue;
      g->last_piece = id;
      g->disputed = 1;
      for (size_t c = 0; c < p->nclaims; c++)
        source_add(g, &d->claims[p->claim + c], s->measure);
    }
  }
}

/* One day at one checkpoint: its wanted streams, and what it observed. */
static int
take_day(void *ctx, const struct cells_day *d)
{
  struct query *x = ctx;
  int c;

  if (!cp_wanted(x->q, d->checkpoint))
    return OK;
  for (size_t i = 0; i < d->nstreams; i++) {
    const struct cells_stream *s = &d->streams[i];
    if (!(s->family & x->family) || (x->outcome && s->outcome != x->outcome))
      continue;
    take_stream(x, d, s);
  }
  if ((c = analysis__cp(x->a, d->checkpoint)) >= 0) {
    unsigned char *o =
        &x->obs[((size_t)(d->day - x->q->from) * x->a->ncheckpoints +
                 (size_t)c) *
                AD_COUNT];
    o[AD_IN] = (unsigned char)d->observed[0];
    o[AD_OUT] = (unsigned char)d->observed[1];
  }
  return OK;
}

static size_t
proj_of(struct query *x, const char **vals)
{
  const struct analysis_flow_query *q = x->q;
  uint64_t key[DIM_COUNT + 1];
  size_t n = 0, i;
  int added;

  key[n++] = 0; /* so that no projection at all is still one key */
  for (size_t k = 0; k < q->ndims; k++)
    if (is_time_dim(q->dims[k]) || q->dims[k] == DIM_CHECKPOINT ||
        q->dims[k] == DIM_DIRECTION)
      key[n++] = (uint64_t)(uintptr_t)vals[q->dims[k]];
  while (n < DIM_COUNT + 1)
    key[n++] = 0;
  i = tmap_put(x->pmap, key, &added);
  if (added) {
    x->pv = util_grow(x->pv, &x->pcap, i + 1, sizeof *x->pv);
    memset(&x->pv[i], 0, sizeof *x->pv);
  }
  return i;
}

static int
has_dim(const struct analysis_flow_query *q, int dim)
{
  for (size_t i = 0; i < q->ndims; i++)
    if (q->dims[i] == dim)
      return 1;
  return 0;
}

/* Rows made for every day, checkpoint (and direction) even without a
 * record: when the query groups by nothing else. */
static int
precreate(const struct analysis_flow_query *q)
{
  for (size_t i = 0; i < q->ndims; i++) {
    int d = q->dims[i];
    if (!is_time_dim(d) && d != DIM_CHECKPOINT &&
        !(q->complete && d == DIM_DIRECTION))
      return 0;
  }
  return 1;
}

/* Counts one checkpoint-day into a projection: some[m] when class m was
 * observed throughout the day in some direction the row covers (its
 * figure is then known), all[m] when in every one (else the day is an
 * unknown day of the row). */
static void
proj_count(struct proj *p, const int some[AM_COUNT], const int all[AM_COUNT])
{
  for (int m = 0; m < AM_COUNT; m++) {
    if (some[m])
      p->observed[m] = 1;
    if (!all[m])
      p->unknown[m]++;
  }
  if (!all[AM_PERSONS] || !all[AM_VEHICLES] || !all[AM_TONNES])
    p->unknown_any++;
}

/* Which checkpoint-days each projection covers, and how many of them were
 * not observed throughout, per class (from what the days' cells say they
 * observed; a day without cells at a checkpoint observed nothing). */
static void
recon_projections(struct query *x)
{
  struct analysis *a = x->a;
  const struct analysis_flow_query *q = x->q;
  int by_dir = has_dim(q, DIM_DIRECTION), pre = precreate(q);
  const char *dirs[AD_COUNT] = {analysis__intern(a, "in"),
                                analysis__intern(a, "out")};

  for (int64_t day = q->from; day <= q->to; day++) {
    for (size_t c = 0; c < a->ncheckpoints; c++) {
      const char *vals[DIM_COUNT] = {0}, *dims[DIM_COUNT] = {0};
      const unsigned char *bits =
          &x->obs[((size_t)(day - q->from) * a->ncheckpoints + c) * AD_COUNT];
      int obs[AD_COUNT][AM_COUNT];
      size_t pi;
      if (!cp_wanted(q, a->checkpoints[c]))
        continue;
      for (int d = 0; d < AD_COUNT; d++)
        for (int m = 0; m < AM_COUNT; m++)
          obs[d][m] = (bits[d] >> m) & 1;
      dims[DIM_CHECKPOINT] = a->checkpoints[c];
      if (by_dir) {
        for (int d = 0; d < AD_COUNT; d++) {
          dims[DIM_DIRECTION] = dirs[d];
          group_values(a, q, day, dims, vals);
          if (pre)
            group_get(x, day, vals);
          pi = proj_of(x, vals); /* may move x->pv */
          proj_count(&x->pv[pi], obs[d], obs[d]);
        }
      } else {
        int both[AM_COUNT], either[AM_COUNT];
        for (int m = 0; m < AM_COUNT; m++) {
          both[m] = obs[AD_IN][m] && obs[AD_OUT][m];
          either[m] = obs[AD_IN][m] || obs[AD_OUT][m];
        }
        group_values(a, q, day, dims, vals);
        if (pre)
          group_get(x, day, vals);
        pi = proj_of(x, vals);
        proj_count(&x->pv[pi], either, both);
      }
    }
  }
}

/* Output. */

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

/* Measure, then grade, then source id: never the order of the log. */
static int
by_measure_grade(const void *x, const void *y)
{
  const struct analysis_source_value *a = x, *b = y;
  int g;

  if (a->measure != b->measure)
    return a->measure < b->measure ? -1 : 1;
  g = analysis__grade_cmp(a->grade, b->grade);
  return g ? g : strcmp(a->source, b->source);
}

static int
by_seq_measure(const void *x, const void *y)
{
  const struct spread_ref *a = x, *b = y;

  if (a->seq != b->seq)
    return a->seq < b->seq ? -1 : 1;
  return (a->measure > b->measure) - (a->measure < b->measure);
}

/* A row's spread records by sequence number (the log's order), with
 * their ids and times. */
static int
resolve_spread(struct query *x, struct group *g)
{
  if (g->nspread == 0)
    return OK;
  qsort(g->spread, g->nspread, sizeof *g->spread, by_seq_measure);
  free(g->out_spread);
  g->out_spread = xcalloc(g->nspread, sizeof *g->out_spread);
  for (size_t i = 0; i < g->nspread; i++) {
    struct analysis_spread *o = &g->out_spread[i];
    int rc = analysis__flow_texts(x->a, g->spread[i].seq, &o->id, &o->start,
                                  &o->end);
    if (rc != OK)
      return rc;
    o->measure = g->spread[i].measure;
  }
  return OK;
}

/* Hands fn the rows, sorted by their dimension values. */
static int
recon_emit(struct query *x,
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
    struct group *g = (struct group *)order[k].g;
    struct analysis_flow_row out;
    const char *vals[DIM_COUNT];
    const struct proj *p;
    size_t pi;
    memset(&out, 0, sizeof out);
    for (size_t d = 0; d < q->ndims; d++)
      vals[q->dims[d]] = g->dim[q->dims[d]];
    pi = proj_of(x, vals); /* may move x->pv */
    p = &x->pv[pi];
    memcpy(out.dim, g->dim, sizeof out.dim);
    for (int m = 0; m < AM_COUNT; m++) {
      out.known[m] = p->observed[m] || g->has[m];
      out.m[m] = out.known[m] ? g->m[m] : 0;
      out.approximate[m] = out.known[m] && g->approx[m];
      out.unknown[m] = p->unknown[m];
    }
    out.unknown_days = p->unknown_any;
    if (g->nsources > 1)
      qsort(g->sources, g->nsources, sizeof *g->sources, by_measure_grade);
    out.disputed = g->disputed;
    out.sources = g->sources;
    out.nsources = g->nsources;
    if ((rc = resolve_spread(x, g)) != OK)
      break;
    out.spread = g->out_spread;
    out.nspread = g->nspread;
    rc = fn(ctx, &out);
  }
  free(order);
  return rc;
}

static void
query_cleanup(struct query *x)
{
  for (size_t i = 0; i < tmap_count(x->gs.index) && x->gs.v; i++) {
    free(x->gs.v[i].sources);
    free(x->gs.v[i].spread);
    free(x->gs.v[i].out_spread);
  }
  free(x->gs.v);
  tmap_free(x->gs.index);
  free(x->part_group);
  free(x->obs);
  free(x->pv);
  tmap_free(x->pmap);
}

int
analysis_flows(struct analysis *a, const struct analysis_flow_query *q,
               int (*fn)(void *ctx, const struct analysis_flow_row *row),
               void *ctx)
{
  return analysis__flows(a, q, 0, fn, ctx);
}

static int
reckon(struct analysis *a, const struct analysis_flow_query *q, int every_stage,
       int (*fn)(void *ctx, const struct analysis_flow_row *row), void *ctx)
{
  struct query x;
  int rc;

  memset(&x, 0, sizeof x);
  x.a = a;
  x.q = q;
  x.outcome = q->outcome && !*q->outcome
                  ? NULL
                  : analysis__intern(a, q->outcome ? q->outcome : "passed");
  x.family = every_stage ? CELLS_STAGE : CELLS_FLOW;
  x.source = q->source ? analysis__intern(a, q->source) : NULL;
  x.r0 = q->from * DAY;
  x.r1 = (q->to + 1) * DAY;
  /* Grouped by source, each row is one source's: its own figures. */
  x.own = q->source != NULL || (q->own_figures && has_dim(q, DIM_SOURCE));
  for (size_t i = 0; i < q->ndims; i++)
    if (!is_time_dim(q->dims[i]) && q->dims[i] != DIM_CHECKPOINT &&
        q->dims[i] != DIM_DIRECTION && q->dims[i] != DIM_OUTCOME)
      x.part_dims[x.npart_dims++] = q->dims[i] - DIM_CHECKPOINT;
  x.obs = xcalloc(
      (size_t)(q->to - q->from + 1) * (a->ncheckpoints + 1) * AD_COUNT, 1);
  x.pmap = tmap_new(DIM_COUNT + 1);
  x.gs.index = tmap_new(q->ndims ? q->ndims : 1);
  rc = analysis__days(a, q->from, q->to, take_day, &x);
  if (rc == OK) {
    recon_projections(&x);
    rc = recon_emit(&x, fn, ctx);
  }
  query_cleanup(&x);
  return rc;
}

int
analysis__flows(struct analysis *a, const struct analysis_flow_query *q,
                int every_stage,
                int (*fn)(void *ctx, const struct analysis_flow_row *row),
                void *ctx)
{
  struct analysis__flows_rec rec;
  int rc;

  if (q->to < q->from)
    return ERR_USAGE;
  if ((rc = analysis__load(a)) != OK)
    return rc;
  if (analysis__flows_from_saved(a, q, every_stage, fn, ctx, &rec, &rc))
    return rc;
  if (!rec.on)
    return reckon(a, q, every_stage, fn, ctx);
  rc = reckon(a, q, every_stage, analysis__flows_record, &rec);
  analysis__flows_keep(&rec, rc);
  return rc;
}
