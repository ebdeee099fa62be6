/*
 * The view as of a tree size, and reconciled flows. Two sources reporting
 * the same checkpoint, direction, class and day are never added: the day's
 * figure is the best-graded source's, and a difference beyond the
 * corridor's tolerance marks it disputed with every source's value shown.
 */
#include "analysis/analysis_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"

const char *const analysis_direction_names[AD_COUNT] = {"in", "out"};
const char *const analysis_part_names[AP_COUNT] = {"persons", "vehicles",
                                                   "tonnes"};

int
analysis_open(struct store *st, uint64_t as_of, struct analysis **out,
              struct buf *err)
{
  struct analysis *a;

  *out = NULL;
  if (as_of > store_size(st)) {
    buf_printf(err, "--as-of %llu: the log holds only %llu entries",
               (unsigned long long)as_of,
               (unsigned long long)store_size(st));
    return ERR_USAGE;
  }
  a = xcalloc(1, sizeof *a);
  a->st = st;
  a->as_of = as_of ? as_of : store_size(st);
  a->c = store_corridor(st);
  a->strings = strmap_new();
  a->observed = strmap_new();
  buf_init(&a->err);
  *out = a;
  return OK;
}

void
analysis_free(struct analysis *a)
{
  if (a == NULL)
    return;
  strmap_free(a->strings);
  strmap_free(a->observed);
  free(a->checkpoints);
  free(a->status);
  free(a->coverage);
  buf_cleanup(&a->err);
  free(a);
}

uint64_t
analysis_as_of(const struct analysis *a)
{
  return a->as_of;
}

const struct corridor *
analysis_corridor(const struct analysis *a)
{
  return a->c;
}

int
analysis_root(struct analysis *a, uint8_t root[32])
{
  struct ledger_source src;

  store_ledger_source(a->st, &src);
  return ledger_root(&src, a->as_of, root);
}

const char *
analysis__intern(struct analysis *a, const char *s)
{
  const char *got;

  if (s == NULL)
    return NULL;
  if ((got = strmap_get(a->strings, s)) != NULL)
    return got;
  strmap_put(a->strings, s, s);
  return strmap_get(a->strings, s);
}

int
analysis_each_record(struct analysis *a, enum record_kind kind,
                     int (*fn)(void *ctx, const struct record *rec,
                               uint64_t seq),
                     void *ctx)
{
  return store_each_live(a->st, kind, a->as_of, fn, ctx);
}

struct collect {
  struct analysis *a;
  struct arows *rows;
};

static int
collect_row(void *ctx, const struct flow_row *row)
{
  struct collect *c = ctx;
  struct arows *r = c->rows;
  struct arow *o;

  if (r->n == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 256;
    r->v = xrealloc(r->v, r->cap * sizeof *r->v);
  }
  o = &r->v[r->n++];
  memset(o, 0, sizeof *o);
  o->day = row->day;
  for (int d = DIM_CHECKPOINT; d < DIM_COUNT; d++)
    o->dim[d] = analysis__intern(c->a, row->dim[d] ? row->dim[d] : "");
  o->m[AM_RECORDS] = row->m[M_RECORDS];
  o->m[AM_VEHICLES] = row->m[M_VEHICLES];
  o->m[AM_PERSONS] = row->m[M_PERSONS];
  o->m[AM_TONNES] = row->m[M_TONNES];
  o->n[AM_RECORDS] = row->m[M_RECORDS];
  o->n[AM_VEHICLES] = row->m[M_VEHICLES_N];
  o->n[AM_PERSONS] = row->m[M_PERSONS_N];
  o->n[AM_TONNES] = row->m[M_TONNES_N];
  return OK;
}

int
analysis__rows(struct analysis *a, int64_t from, int64_t to,
               struct arows *rows)
{
  struct collect c = {a, rows};

  memset(rows, 0, sizeof *rows);
  return store_each_flow_day_as_of(a->st, from, to, a->as_of, collect_row,
                                   &c);
}

void
analysis__rows_free(struct arows *rows)
{
  free(rows->v);
  memset(rows, 0, sizeof *rows);
}

static int
cmp_span(const void *x, const void *y)
{
  const struct span *p = x, *q = y;
  int c = strcmp(p->checkpoint, q->checkpoint);

  if (c)
    return c;
  return p->begin < q->begin ? -1 : p->begin > q->begin;
}

struct loader {
  struct analysis *a;
  size_t cap_cp, cap_st, cap_cov;
};

static int
load_checkpoint(void *ctx, const struct record *rec, uint64_t seq)
{
  struct loader *l = ctx;
  struct analysis *a = l->a;

  (void)seq;
  if (a->ncheckpoints + 1 >= l->cap_cp) {
    l->cap_cp = l->cap_cp ? l->cap_cp * 2 : 16;
    a->checkpoints = xrealloc(a->checkpoints, l->cap_cp * sizeof(char *));
  }
  a->checkpoints[a->ncheckpoints++] =
      analysis__intern(a, record_get(rec, "id"));
  a->checkpoints[a->ncheckpoints] = NULL;
  return OK;
}

static int
load_status(void *ctx, const struct record *rec, uint64_t seq)
{
  struct loader *l = ctx;
  struct analysis *a = l->a;
  const char *state = record_get(rec, "state");
  struct span *s;
  int64_t b, f;

  (void)seq;
  if (record_time_bounds(record_get(rec, "at"), NULL, NULL, &b, &f) != OK)
    return OK;
  if (a->nstatus == l->cap_st) {
    l->cap_st = l->cap_st ? l->cap_st * 2 : 16;
    a->status = xrealloc(a->status, l->cap_st * sizeof *a->status);
  }
  s = &a->status[a->nstatus++];
  s->checkpoint = analysis__intern(a, record_get(rec, "checkpoint"));
  s->begin = b;
  s->finish = b;
  s->state = strcmp(state, "open") == 0         ? 2
             : strcmp(state, "restricted") == 0 ? 1
                                                : 0;
  return OK;
}

static int
load_coverage(void *ctx, const struct record *rec, uint64_t seq)
{
  struct loader *l = ctx;
  struct analysis *a = l->a;
  struct span *s;
  int64_t b, f, eb, ef;

  (void)seq;
  if (record_time_bounds(record_get(rec, "start"), NULL, NULL, &b, &ef) !=
          OK ||
      record_time_bounds(record_get(rec, "end"), NULL, NULL, &eb, &f) != OK)
    return OK;
  if (a->ncoverage == l->cap_cov) {
    l->cap_cov = l->cap_cov ? l->cap_cov * 2 : 16;
    a->coverage = xrealloc(a->coverage, l->cap_cov * sizeof *a->coverage);
  }
  s = &a->coverage[a->ncoverage++];
  s->checkpoint = analysis__intern(a, record_get(rec, "checkpoint"));
  s->begin = b;
  s->finish = f > b ? f : b + 1;
  s->state = strcmp(record_get(rec, "state"), "observed") == 0;
  return OK;
}

int
analysis__load(struct analysis *a)
{
  struct loader l = {a, 0, 0, 0};
  int rc;

  if (a->loaded)
    return OK;
  a->loaded = 1;
  a->checkpoints = xcalloc(1, sizeof(char *));
  l.cap_cp = 1;
  rc = store_each_live(a->st, KIND_checkpoint, a->as_of, load_checkpoint, &l);
  if (rc == OK)
    rc = store_each_live(a->st, KIND_status, a->as_of, load_status, &l);
  if (rc == OK)
    rc = store_each_live(a->st, KIND_coverage, a->as_of, load_coverage, &l);
  if (a->nstatus)
    qsort(a->status, a->nstatus, sizeof *a->status, cmp_span);
  if (a->ncoverage)
    qsort(a->coverage, a->ncoverage, sizeof *a->coverage, cmp_span);
  return rc;
}

static void
obs_key(struct buf *b, int64_t day, const char *cp)
{
  buf_reset(b);
  buf_printf(b, "%lld\x1f%s", (long long)day, cp);
}

int
analysis__observe(struct analysis *a, int64_t from, int64_t to)
{
  struct arows rows;
  struct buf key;
  int rc;

  if (a->have_obs && from >= a->obs_from && to <= a->obs_to)
    return OK;
  if ((rc = analysis__load(a)) != OK)
    return rc;
  if (a->have_obs) {
    /* Widen to cover both ranges at once. */
    if (a->obs_from < from)
      from = a->obs_from;
    if (a->obs_to > to)
      to = a->obs_to;
  }
  buf_init(&key);
  /* A checkpoint-day is observed when coverage says so ... */
  for (size_t i = 0; i < a->ncoverage; i++) {
    const struct span *s = &a->coverage[i];
    int64_t d0 = s->begin >= 0 ? s->begin / 86400 : -((-s->begin + 86399) / 86400);
    if (!s->state)
      continue;
    for (int64_t d = d0; d * 86400 < s->finish; d++) {
      if (d < from || d > to)
        continue;
      obs_key(&key, d, s->checkpoint);
      strmap_put(a->observed, key.data, "");
    }
  }
  /* ... or a flow record covers it. */
  rc = analysis__rows(a, from, to, &rows);
  for (size_t i = 0; rc == OK && i < rows.n; i++) {
    if (fabs(rows.v[i].m[AM_RECORDS]) < 1e-12)
      continue; /* a correction left nothing here */
    obs_key(&key, rows.v[i].day, rows.v[i].dim[DIM_CHECKPOINT]);
    strmap_put(a->observed, key.data, "");
  }
  analysis__rows_free(&rows);
  buf_cleanup(&key);
  a->have_obs = 1;
  a->obs_from = from;
  a->obs_to = to;
  return rc;
}

int
analysis__observed(struct analysis *a, int64_t day, const char *cp)
{
  char key[256];

  snprintf(key, sizeof key, "%lld\x1f%s", (long long)day, cp);
  return strmap_get(a->observed, key) != NULL;
}

int
analysis_span(struct analysis *a, int64_t *first, int64_t *last)
{
  struct arows rows;
  int found = 0;
  int rc;

  *first = *last = 0;
  if ((rc = analysis__load(a)) != OK)
    return rc;
  rc = analysis__rows(a, INT64_MIN / 4, INT64_MAX / 4, &rows);
  for (size_t i = 0; rc == OK && i < rows.n; i++) {
    if (!found || rows.v[i].day < *first)
      *first = rows.v[i].day;
    if (!found || rows.v[i].day > *last)
      *last = rows.v[i].day;
    found = 1;
  }
  analysis__rows_free(&rows);
  for (size_t i = 0; i < a->nstatus + a->ncoverage; i++) {
    const struct span *s =
        i < a->nstatus ? &a->status[i] : &a->coverage[i - a->nstatus];
    int64_t d = s->begin >= 0 ? s->begin / 86400 : -((-s->begin + 86399) / 86400);
    if (!found || d < *first)
      *first = d;
    if (!found || d > *last)
      *last = d;
    found = 1;
  }
  if (rc != OK)
    return rc;
  return found ? OK : ERR_NOTFOUND;
}

/* --- reconciliation --------------------------------------------------- */

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
};

struct cells {
  struct strmap *index; /* key -> position */
  struct cell *v;
  size_t n, cap;
};

/* The class a measure reconciles within: vehicles by type, tonnes by
 * category, persons and records as a whole. */
static void
cell_key(struct buf *b, const struct arow *r, int measure)
{
  buf_reset(b);
  buf_printf(b, "%lld\x1f%s\x1f%s\x1f%d\x1f%s", (long long)r->day,
             r->dim[DIM_CHECKPOINT], r->dim[DIM_DIRECTION], measure,
             measure == AM_VEHICLES ? r->dim[DIM_VEHICLE]
             : measure == AM_TONNES ? r->dim[DIM_CATEGORY]
                                    : "");
}

static struct cell *
cell_get(struct cells *cs, const char *key)
{
  const char *pos = strmap_get(cs->index, key);
  char num[24];

  if (pos)
    return &cs->v[strtoull(pos, NULL, 10)];
  if (cs->n == cs->cap) {
    cs->cap = cs->cap ? cs->cap * 2 : 256;
    cs->v = xrealloc(cs->v, cs->cap * sizeof *cs->v);
  }
  memset(&cs->v[cs->n], 0, sizeof cs->v[0]);
  snprintf(num, sizeof num, "%zu", cs->n);
  strmap_put(cs->index, key, num);
  return &cs->v[cs->n++];
}

static void
cells_free(struct cells *cs)
{
  for (size_t i = 0; i < cs->n; i++)
    free(cs->v[i].claims);
  free(cs->v);
  strmap_free(cs->index);
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
decide(struct cell *c, int measure, double tolerance)
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
    if (cl != best && measure != AM_RECORDS && stands(cl) &&
        fabs(cl->value - best->value) > tolerance * fabs(best->value) + 1e-9)
      c->disputed = 1;
  }
}

/* An output row being summed. */
struct group {
  char *key;
  const char *dim[DIM_COUNT];
  double m[AM_COUNT];
  int any_observed;
  size_t unknown_days;
  struct analysis_source_value *sources;
  size_t nsources, capsources;
  int disputed;
  struct strmap *seen_cells; /* disputed cells already listed */
};

struct groups {
  struct strmap *index;
  struct group *v;
  size_t n, cap;
};

static int
is_time_dim(int d)
{
  return d == DIM_DAY || d == DIM_WEEK || d == DIM_MONTH || d == DIM_YEAR;
}

static void
time_label(int dim, int64_t day, char *out, size_t size)
{
  int y, m, d;

  util_civil_from_days(day, &y, &m, &d);
  if (dim == DIM_DAY) {
    util_format_day(day, out, size);
  } else if (dim == DIM_MONTH) {
    snprintf(out, size, "%04d-%02d", y, m);
  } else if (dim == DIM_YEAR) {
    snprintf(out, size, "%04d", y);
  } else {
    /* ISO week: the week belongs to the year of its Thursday. */
    int64_t wd = ((day % 7) + 7 + 3) % 7;
    int64_t thursday = day - wd + 3;
    int ty, tm, td;
    util_civil_from_days(thursday, &ty, &tm, &td);
    snprintf(out, size, "%04d-W%02d", ty,
             (int)((thursday - util_days_from_civil(ty, 1, 1)) / 7 + 1));
  }
}

/* The values of the asked dimensions for a row (or, with r->dim NULL
 * beyond checkpoint, for a checkpoint-day). */
static void
group_values(struct analysis *a, const struct analysis_flow_query *q,
             int64_t day, const char *const *dims, const char **out)
{
  for (size_t i = 0; i < q->ndims; i++) {
    int d = q->dims[i];
    if (is_time_dim(d)) {
      char label[16];
      time_label(d, day, label, sizeof label);
      out[d] = analysis__intern(a, label);
    } else {
      out[d] = dims[d] ? dims[d] : "";
    }
  }
}

static struct group *
group_get(struct groups *gs, const struct analysis_flow_query *q,
          const char **vals, struct buf *key)
{
  const char *pos;
  struct group *g;
  char num[24];

  buf_reset(key);
  for (size_t i = 0; i < q->ndims; i++) {
    buf_puts(key, vals[q->dims[i]]);
    buf_putc(key, '\x1f');
  }
  pos = strmap_get(gs->index, key->data ? key->data : "");
  if (pos)
    return &gs->v[strtoull(pos, NULL, 10)];
  if (gs->n == gs->cap) {
    gs->cap = gs->cap ? gs->cap * 2 : 256;
    gs->v = xrealloc(gs->v, gs->cap * sizeof *gs->v);
  }
  g = &gs->v[gs->n];
  memset(g, 0, sizeof *g);
  g->key = xstrdup(key->data ? key->data : "");
  for (size_t i = 0; i < q->ndims; i++)
    g->dim[q->dims[i]] = vals[q->dims[i]];
  snprintf(num, sizeof num, "%zu", gs->n);
  strmap_put(gs->index, g->key, num);
  gs->n++;
  return g;
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

static int
by_group_key(const void *x, const void *y)
{
  const struct group *p = x, *q = y;

  return strcmp(p->key, q->key);
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

static int
row_wanted(const struct analysis_flow_query *q, const struct arow *r)
{
  const char *outcome = q->outcome ? q->outcome : "passed";

  if (*outcome && strcmp(r->dim[DIM_OUTCOME], outcome) != 0)
    return 0;
  if (q->source && strcmp(r->dim[DIM_SOURCE], q->source) != 0)
    return 0;
  return cp_wanted(q, r->dim[DIM_CHECKPOINT]);
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
static void
proj_key(struct buf *b, const struct analysis_flow_query *q, const char **vals)
{
  buf_reset(b);
  for (size_t i = 0; i < q->ndims; i++) {
    int d = q->dims[i];
    if (is_time_dim(d) || d == DIM_CHECKPOINT)
      buf_printf(b, "%s\x1f", vals[d]);
  }
}

int
analysis_flows(struct analysis *a, const struct analysis_flow_query *q,
               int (*fn)(void *ctx, const struct analysis_flow_row *row),
               void *ctx)
{
  struct arows rows;
  struct cells cells = {strmap_new(), NULL, 0, 0};
  struct groups gs = {strmap_new(), NULL, 0, 0};
  struct strmap *proj_obs = strmap_new(), *proj_unknown = strmap_new();
  double tol = a->c->dispute_tolerance;
  struct buf key, pk;
  int rc;

  buf_init(&key);
  buf_init(&pk);
  rc = analysis__observe(a, q->from, q->to);
  if (rc == OK)
    rc = analysis__rows(a, q->from, q->to, &rows);
  if (rc != OK)
    goto out;

  /* Who says what of each cell, and whose figure counts. */
  for (size_t i = 0; i < rows.n; i++) {
    const struct arow *r = &rows.v[i];
    if (!row_wanted(q, r))
      continue;
    for (int m = 0; m < AM_COUNT; m++) {
      struct cell *c;
      cell_key(&key, r, m);
      c = cell_get(&cells, key.data);
      c->measure = m;
      claim_add(c, r, m);
    }
  }
  for (size_t i = 0; i < cells.n; i++)
    decide(&cells.v[i], cells.v[i].measure, tol);

  /* Which checkpoint-days each projection covers, and how many unknown. */
  for (int64_t day = q->from; day <= q->to; day++) {
    for (size_t c = 0; c < a->ncheckpoints; c++) {
      const char *cp = a->checkpoints[c];
      const char *vals[DIM_COUNT] = {0};
      const char *dims[DIM_COUNT] = {0};
      int obs;
      if (!cp_wanted(q, cp))
        continue;
      dims[DIM_CHECKPOINT] = cp;
      group_values(a, q, day, dims, vals);
      if (has_only_time_and_checkpoint(q))
        group_get(&gs, q, vals, &key);
      proj_key(&pk, q, vals);
      obs = analysis__observed(a, day, cp);
      if (obs)
        strmap_put(proj_obs, pk.data ? pk.data : "", "");
      else {
        const char *n = strmap_get(proj_unknown, pk.data ? pk.data : "");
        char num[24];
        snprintf(num, sizeof num, "%llu",
                 (unsigned long long)(n ? strtoull(n, NULL, 10) + 1 : 1));
        strmap_put(proj_unknown, pk.data ? pk.data : "", num);
      }
    }
  }

  /* Sum each measure of the rows whose source won their cell. */
  for (size_t i = 0; i < rows.n; i++) {
    const struct arow *r = &rows.v[i];
    const char *vals[DIM_COUNT] = {0};
    struct group *g;
    if (!row_wanted(q, r))
      continue;
    group_values(a, q, r->day, r->dim, vals);
    g = group_get(&gs, q, vals, &key);
    for (int m = 0; m < AM_COUNT; m++) {
      struct cell *c;
      cell_key(&key, r, m);
      c = cell_get(&cells, key.data);
      if (c->winner == NULL)
        continue;
      if (q->source || c->winner == r->dim[DIM_SOURCE])
        g->m[m] += r->m[m];
      if (c->disputed && !q->source) {
        /* List each disputed cell's claims once per group. */
        if (g->seen_cells == NULL)
          g->seen_cells = strmap_new();
        if (strmap_get(g->seen_cells, key.data) == NULL) {
          strmap_put(g->seen_cells, key.data, "");
          g->disputed = 1;
          for (size_t k = 0; k < c->n; k++)
            if (stands(&c->claims[k]))
              group_source(g, &c->claims[k], m);
        }
      }
    }
  }

  qsort(gs.v, gs.n, sizeof *gs.v, by_group_key);
  for (size_t i = 0; i < gs.n && rc == OK; i++) {
    struct group *g = &gs.v[i];
    struct analysis_flow_row out;
    const char *vals[DIM_COUNT];
    const char *n;
    memset(&out, 0, sizeof out);
    for (size_t k = 0; k < q->ndims; k++)
      vals[q->dims[k]] = g->dim[q->dims[k]];
    proj_key(&pk, q, vals);
    n = strmap_get(proj_unknown, pk.data ? pk.data : "");
    out.unknown_days = n ? (size_t)strtoull(n, NULL, 10) : 0;
    for (int d = 0; d < DIM_COUNT; d++)
      out.dim[d] = g->dim[d];
    /* Known when any checkpoint-day under it was observed; a row that
     * holds figures was observed by them. */
    g->any_observed = strmap_get(proj_obs, pk.data ? pk.data : "") != NULL;
    for (int m = 0; m < AM_COUNT; m++) {
      out.known[m] = g->any_observed;
      out.m[m] = out.known[m] ? g->m[m] : 0;
    }
    out.disputed = g->disputed;
    out.sources = g->sources;
    out.nsources = g->nsources;
    rc = fn(ctx, &out);
  }
out:
  for (size_t i = 0; i < gs.n; i++) {
    free(gs.v[i].key);
    free(gs.v[i].sources);
    strmap_free(gs.v[i].seen_cells);
  }
  free(gs.v);
  strmap_free(gs.index);
  strmap_free(proj_obs);
  strmap_free(proj_unknown);
  cells_free(&cells);
  if (rc == OK || rows.v)
    analysis__rows_free(&rows);
  buf_cleanup(&key);
  buf_cleanup(&pk);
  return rc;
}
