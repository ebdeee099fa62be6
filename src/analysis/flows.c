/*
 * The flow query. Each live flow record at a wanted checkpoint gives one
 * item per class it carries (persons, vehicles, each cargo line's tonnes,
 * and one record) to the stream of its checkpoint, direction, outcome and
 * class; the reconciler (reconcile.c) decides each stream; each output row
 * then adds what its records won of each day (or their own shares, for a
 * source's own account), and says which of its figures are known,
 * approximate or disputed.
 */
#include "analysis/analysis_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400

/* Where a stream's item comes from. */
struct origin {
  size_t rec;
  const char *category; /* the row's category: the line's for tonnes */
};

struct stream {
  int measure;
  struct recon_item *items;
  struct origin *from;
  size_t n, cap, capfrom;
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
  struct analysis_spread *spread;
  size_t *spread_rec;
  size_t nspread, capspread, capspread_rec;
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
  const char *passed, *stage;   /* "passed" and the counting stage */
  int own;                      /* each source's own figures */
  int every_stage;   /* records of every stage, each stage its own stream */
  int64_t r0, r1;    /* the query's days, local seconds */
  struct tmap *smap; /* stream key -> index */
  struct stream *streams;
  size_t nstreams, capstreams;
  struct groups gs;
  struct tmap *pmap; /* projection key -> index into pv */
  struct proj *pv;
  size_t pcap;
  size_t pieces; /* disputed pieces of the streams decided so far */
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

/* Whether a record takes part in the query: its outcome (records of
 * outcome passed only at the counting stage; those of other outcomes at
 * whatever stage they were recorded), checkpoint and time. */
static int
rec_wanted(const struct query *x, const struct frec *r)
{
  if (x->outcome && r->dim[DIM_OUTCOME] != x->outcome)
    return 0;
  if (!x->every_stage && r->dim[DIM_OUTCOME] == x->passed &&
      r->dim[DIM_STAGE] != x->stage)
    return 0;
  if (r->end > r->begin ? r->begin >= x->r1 || r->end <= x->r0
                        : r->begin < x->r0 || r->begin >= x->r1)
    return 0;
  return cp_wanted(x->q, r->dim[DIM_CHECKPOINT]);
}

static void
stream_add(struct query *x, size_t rec, int measure, const char *cls,
           const char *category, double value)
{
  const struct frec *r = &x->a->recs[rec];
  /* With every stage, what was counted at one stage never competes with
   * what was counted at another: they are different moments of a load. */
  uint64_t key[6] = {(uint64_t)(uintptr_t)r->dim[DIM_CHECKPOINT],
                     (uint64_t)(uintptr_t)r->dim[DIM_DIRECTION],
                     (uint64_t)(uintptr_t)r->dim[DIM_OUTCOME],
                     (uint64_t)measure,
                     (uint64_t)(uintptr_t)cls,
                     x->every_stage ? (uint64_t)(uintptr_t)r->dim[DIM_STAGE]
                                    : 0};
  int added;
  size_t i = tmap_put(x->smap, key, &added);
  struct stream *st;

  if (added) {
    x->streams =
        util_grow(x->streams, &x->capstreams, i + 1, sizeof *x->streams);
    memset(&x->streams[i], 0, sizeof x->streams[i]);
    x->streams[i].measure = measure;
    x->nstreams = i + 1;
  }
  st = &x->streams[i];
  st->items = util_grow(st->items, &st->cap, st->n + 1, sizeof *st->items);
  st->from = util_grow(st->from, &st->capfrom, st->n + 1, sizeof *st->from);
  st->items[st->n] = (struct recon_item){r->begin, r->end, r->dim[DIM_SOURCE],
                                         r->dim[DIM_GRADE], value};
  st->from[st->n] = (struct origin){rec, category};
  st->n++;
}

/* Each wanted record's items, into the streams of its classes. */
static void
build_streams(struct query *x)
{
  struct analysis *a = x->a;

  for (size_t i = 0; i < a->nrecs; i++) {
    const struct frec *r = &a->recs[i];
    if (!rec_wanted(x, r))
      continue;
    stream_add(x, i, AM_RECORDS, NULL, r->dim[DIM_CATEGORY], 1);
    if (r->has_persons)
      stream_add(x, i, AM_PERSONS, NULL, r->dim[DIM_CATEGORY], r->persons);
    if (r->has_vehicles)
      stream_add(x, i, AM_VEHICLES, NULL, r->dim[DIM_CATEGORY], r->vehicles);
    for (size_t k = 0; k < r->nlines; k++) {
      const struct fline *l = &a->lines[r->line + k];
      stream_add(x, i, AM_TONNES, l->category, l->category, l->tonnes);
    }
  }
}

/* Adds a disputed piece's claim to a row's sources: its value summed over
 * the pieces, its grade the worst. */
static void
source_add(struct group *g, const struct recon_claim *c, int measure)
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
spread_add(struct group *g, size_t rec, const struct frec *r, int m)
{
  for (size_t i = g->nspread; i > 0; i--)
    if (g->spread_rec[i - 1] == rec && g->spread[i - 1].measure == m)
      return;
  g->spread =
      util_grow(g->spread, &g->capspread, g->nspread + 1, sizeof *g->spread);
  g->spread_rec = util_grow(g->spread_rec, &g->capspread_rec, g->nspread + 1,
                            sizeof *g->spread_rec);
  g->spread[g->nspread] =
      (struct analysis_spread){r->id, r->start, r->finish, m};
  g->spread_rec[g->nspread] = rec;
  g->nspread++;
}

/* What one share adds to its row; the row's index, or SIZE_MAX when the
 * share is another source's than the one asked for. */
static size_t
take_share(struct query *x, const struct stream *st,
           const struct recon_share *sh)
{
  const struct origin *o = &st->from[sh->item];
  const struct frec *r = &x->a->recs[o->rec];
  const char *dims[DIM_COUNT], *vals[DIM_COUNT] = {0};
  struct group *g;
  size_t gi;
  int m = st->measure;

  if (x->source && r->dim[DIM_SOURCE] != x->source)
    return SIZE_MAX;
  memcpy(dims, r->dim, sizeof dims);
  dims[DIM_CATEGORY] = o->category;
  group_values(x->a, x->q, sh->day, dims, vals);
  gi = group_get(x, sh->day, vals);
  g = &x->gs.v[gi];
  g->m[m] += x->own ? sh->own : sh->won;
  g->has[m] = 1;
  if ((x->own || sh->counted) && r->end > r->begin &&
      (r->begin < g->p0 || r->end > g->p1)) {
    g->approx[m] = 1;
    spread_add(g, o->rec, r, m);
  }
  return gi;
}

/* Decides one stream and adds its shares and disputes to the rows. */
static void
take_stream(struct query *x, const struct stream *st, struct recon_out *out)
{
  size_t *share_group;

  analysis__reconcile(st->items, st->n, x->q->from, x->q->to,
                      x->a->c->dispute_tolerance, st->measure != AM_RECORDS,
                      out);
  share_group = xmalloc((out->nshares + 1) * sizeof *share_group);
  for (size_t i = 0; i < out->nshares; i++)
    share_group[i] = take_share(x, st, &out->shares[i]);
  /* The links of one piece come together: a row lists a piece once. */
  for (size_t i = 0; i < out->nlinks; i++) {
    const struct recon_link *l = &out->links[i];
    const struct recon_piece *p = &out->pieces[l->piece];
    size_t gi = share_group[l->share], id = x->pieces + l->piece + 1;
    struct group *g;
    if (gi == SIZE_MAX)
      continue;
    g = &x->gs.v[gi];
    if (g->last_piece == id)
      continue;
    g->last_piece = id;
    g->disputed = 1;
    for (size_t k = 0; k < p->nclaims; k++)
      source_add(g, &out->claims[p->claim + k], st->measure);
  }
  x->pieces += out->npieces;
  free(share_group);
}

/* Observation. */

/* 1 when a record gives class m. */
static int
gives(const struct analysis *a, const struct frec *r, int m)
{
  (void)a;
  switch (m) {
  case AM_PERSONS:
    return r->has_persons;
  case AM_VEHICLES:
    return r->has_vehicles;
  case AM_TONNES:
    return r->nlines > 0;
  default:
    return 1;
  }
}

/*
 * Per checkpoint, direction and class, the time observed: what coverage
 * says was observed, and the intervals of the flow records that give the
 * class there (whatever their outcome and stage: someone was watching),
 * merged. bucket[(c * AD_COUNT + d) * AM_COUNT + m] holds n[...] spans.
 */
struct observed {
  struct ival **v;
  size_t *n, *cap;
};

static void
observed_build(struct query *x, struct observed *o)
{
  struct analysis *a = x->a;
  size_t nb = (a->ncheckpoints + 1) * AD_COUNT * AM_COUNT;
  const char *in = analysis__intern(a, "in");

  o->v = xcalloc(nb, sizeof *o->v);
  o->n = xcalloc(nb, sizeof *o->n);
  o->cap = xcalloc(nb, sizeof *o->cap);
  for (size_t c = 0; c < a->ncheckpoints; c++)
    for (size_t b = c * AD_COUNT * AM_COUNT; b < (c + 1) * AD_COUNT * AM_COUNT;
         b++)
      for (size_t k = 0; k < a->cov_n[c]; k++) {
        o->v[b] = util_grow(o->v[b], &o->cap[b], o->n[b] + 1, sizeof **o->v);
        o->v[b][o->n[b]++] = a->cov[a->cov_first[c] + k];
      }
  for (size_t i = 0; i < a->nrecs; i++) {
    const struct frec *r = &a->recs[i];
    int c = analysis__cp(a, r->dim[DIM_CHECKPOINT]);
    int d = r->dim[DIM_DIRECTION] == in ? AD_IN : AD_OUT;
    if (c < 0 || r->end <= r->begin || r->begin >= x->r1 || r->end <= x->r0)
      continue;
    for (int m = 0; m < AM_COUNT; m++) {
      size_t b = ((size_t)c * AD_COUNT + (size_t)d) * AM_COUNT + (size_t)m;
      if (!gives(a, r, m))
        continue;
      o->v[b] = util_grow(o->v[b], &o->cap[b], o->n[b] + 1, sizeof **o->v);
      o->v[b][o->n[b]++] = (struct ival){r->begin, r->end};
    }
  }
  for (size_t b = 0; b < nb; b++)
    o->n[b] = analysis__merge(o->v[b], o->n[b]);
}

static void
observed_free(struct observed *o, size_t nb)
{
  for (size_t b = 0; b < nb; b++)
    free(o->v[b]);
  free(o->v);
  free(o->n);
  free(o->cap);
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
 * not observed throughout, per class. */
static void
recon_projections(struct query *x)
{
  struct analysis *a = x->a;
  const struct analysis_flow_query *q = x->q;
  size_t nb = (a->ncheckpoints + 1) * AD_COUNT * AM_COUNT;
  int by_dir = has_dim(q, DIM_DIRECTION), pre = precreate(q);
  const char *dirs[AD_COUNT] = {analysis__intern(a, "in"),
                                analysis__intern(a, "out")};
  struct observed o;

  observed_build(x, &o);
  for (int64_t day = q->from; day <= q->to; day++) {
    for (size_t c = 0; c < a->ncheckpoints; c++) {
      const char *vals[DIM_COUNT] = {0}, *dims[DIM_COUNT] = {0};
      int obs[AD_COUNT][AM_COUNT];
      size_t pi;
      if (!cp_wanted(q, a->checkpoints[c]))
        continue;
      for (int d = 0; d < AD_COUNT; d++)
        for (int m = 0; m < AM_COUNT; m++) {
          size_t b = (c * AD_COUNT + (size_t)d) * AM_COUNT + (size_t)m;
          obs[d][m] =
              analysis__covered(o.v[b], o.n[b], day * DAY, (day + 1) * DAY);
        }
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
  observed_free(&o, nb);
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
    out.spread = g->spread;
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
    free(x->gs.v[i].spread_rec);
  }
  free(x->gs.v);
  tmap_free(x->gs.index);
  for (size_t i = 0; i < x->nstreams; i++) {
    free(x->streams[i].items);
    free(x->streams[i].from);
  }
  free(x->streams);
  free(x->pv);
  tmap_free(x->smap);
  tmap_free(x->pmap);
}

int
analysis_flows(struct analysis *a, const struct analysis_flow_query *q,
               int (*fn)(void *ctx, const struct analysis_flow_row *row),
               void *ctx)
{
  return analysis__flows(a, q, 0, fn, ctx);
}

int
analysis__flows(struct analysis *a, const struct analysis_flow_query *q,
                int every_stage,
                int (*fn)(void *ctx, const struct analysis_flow_row *row),
                void *ctx)
{
  struct recon_out out;
  struct query x;
  int rc;

  if (q->to < q->from)
    return ERR_USAGE;
  memset(&x, 0, sizeof x);
  memset(&out, 0, sizeof out);
  x.a = a;
  x.q = q;
  x.outcome = q->outcome && !*q->outcome
                  ? NULL
                  : analysis__intern(a, q->outcome ? q->outcome : "passed");
  x.passed = analysis__intern(a, "passed");
  x.stage = analysis__intern(a, analysis__counting_stage(a));
  x.every_stage = every_stage;
  x.source = q->source ? analysis__intern(a, q->source) : NULL;
  x.r0 = q->from * DAY;
  x.r1 = (q->to + 1) * DAY;
  /* Grouped by source, each row is one source's: its own figures. */
  x.own = q->source != NULL || (q->own_figures && has_dim(q, DIM_SOURCE));
  x.smap = tmap_new(6);
  x.pmap = tmap_new(DIM_COUNT + 1);
  x.gs.index = tmap_new(q->ndims ? q->ndims : 1);
  rc = analysis__flows_load(a, q->from, q->to);
  if (rc == OK) {
    build_streams(&x);
    for (size_t i = 0; i < x.nstreams; i++)
      take_stream(&x, &x.streams[i], &out);
    recon_projections(&x);
    rc = recon_emit(&x, fn, ctx);
  }
  analysis__recon_cleanup(&out);
  query_cleanup(&x);
  return rc;
}
