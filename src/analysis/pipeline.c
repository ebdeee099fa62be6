/*
 * The pipeline: what was counted at each of the corridor's stages, what
 * waits between the first stage and the counting stage (the backlog), and
 * how long consignments dwell between stages. Counts come from the daily
 * rollups, which keep each flow's stage and outcome; dwell from the flow
 * records that carry a consignment id.
 */
#include "analysis/analysis_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One day of one checkpoint and direction. */
struct pcell {
  int64_t day;
  const char *cp, *dir; /* interned */
  double *count;        /* [stage * AM_COUNT + measure] */
  double enter[AM_COUNT], leave[AM_COUNT];
  double **hours; /* [stage]: the dwells to the next stage ending that day */
  size_t *nhours, *caphours;
  struct analysis_dwell *dwell; /* [stage] */
};

struct pipe {
  struct analysis *a;
  const struct analysis_pipeline_query *q;
  size_t ns;       /* stages */
  int counting;    /* the counting stage's index */
  struct tmap *at; /* (day, cp, dir) -> cell */
  struct pcell *cells;
  size_t ncells, capcells;
  /* Consignments: (id, checkpoint) -> the direction and, per stage, the
   * earliest start of its records there (INT64_MAX: none). */
  struct tmap *cons;
  const char **cons_dir;
  int64_t *cons_t; /* [consignment * ns + stage] */
  size_t capcons;
};

static int64_t
day_of(int64_t seconds)
{
  return seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
}

static struct pcell *
cell(struct pipe *p, int64_t day, const char *cp, const char *dir)
{
  uint64_t key[3] = {(uint64_t)day, (uint64_t)(uintptr_t)cp,
                     (uint64_t)(uintptr_t)dir};
  int added;
  size_t i = tmap_put(p->at, key, &added);
  struct pcell *c;

  if (!added)
    return &p->cells[i];
  p->cells = util_grow(p->cells, &p->capcells, i + 1, sizeof *p->cells);
  p->ncells = i + 1;
  c = &p->cells[i];
  memset(c, 0, sizeof *c);
  c->day = day;
  c->cp = cp;
  c->dir = dir;
  c->count = xcalloc(p->ns * AM_COUNT, sizeof *c->count);
  c->hours = xcalloc(p->ns, sizeof *c->hours);
  c->nhours = xcalloc(p->ns, sizeof *c->nhours);
  c->caphours = xcalloc(p->ns, sizeof *c->caphours);
  c->dwell = xcalloc(p->ns, sizeof *c->dwell);
  return c;
}

/* Admiralty grades compare as text: "A1" is best; ungraded is worst. */
static int
grade_cmp(const char *x, const char *y)
{
  return strcmp(x && *x ? x : "Z9", y && *y ? y : "Z9");
}

static int
text_cmp(const char *x, const char *y)
{
  return strcmp(x ? x : "", y ? y : "");
}

/* Rows in the order the counts are reconciled in: checkpoint, direction,
 * day, stage, outcome, then source. */
static int
by_group(const void *x, const void *y)
{
  const struct arow *a = *(const struct arow *const *)x;
  const struct arow *b = *(const struct arow *const *)y;
  static const int dims[] = {DIM_CHECKPOINT, DIM_DIRECTION, -1,
                             DIM_STAGE,      DIM_OUTCOME,   DIM_SOURCE};
  int c;

  for (size_t i = 0; i < sizeof dims / sizeof *dims; i++) {
    if (dims[i] < 0)
      c = a->day < b->day ? -1 : a->day > b->day;
    else
      c = text_cmp(a->dim[dims[i]], b->dim[dims[i]]);
    if (c)
      return c;
  }
  return 0;
}

static int
same(const struct arow *a, const struct arow *b, int through_source)
{
  return a->day == b->day && a->dim[DIM_CHECKPOINT] == b->dim[DIM_CHECKPOINT] &&
         a->dim[DIM_DIRECTION] == b->dim[DIM_DIRECTION] &&
         a->dim[DIM_STAGE] == b->dim[DIM_STAGE] &&
         a->dim[DIM_OUTCOME] == b->dim[DIM_OUTCOME] &&
         (!through_source || a->dim[DIM_SOURCE] == b->dim[DIM_SOURCE]);
}

/* One source's figures in a group: the sum of its rows, its best grade. */
struct claim {
  const char *source, *grade;
  double m[AM_COUNT], n[AM_COUNT];
};

/* The group v[0..n) (one day, checkpoint, direction, stage and outcome):
 * per measure the best-graded source that gave it (then the lower id), as
 * the stage's count; what entered the first stage and what left the
 * queue. */
static void
reconcile(struct pipe *p, struct arow *const *v, size_t n)
{
  const struct arow *r = v[0];
  int si = corridor_stage_index(p->a->c, r->dim[DIM_STAGE]);
  const char *outcome = r->dim[DIM_OUTCOME];
  struct claim best[AM_COUNT];
  int have[AM_COUNT] = {0};
  struct pcell *c;

  if (si < 0)
    return; /* a stage the corridor no longer names */
  for (size_t i = 0; i < n;) {
    struct claim cl;
    memset(&cl, 0, sizeof cl);
    cl.source = v[i]->dim[DIM_SOURCE];
    cl.grade = v[i]->dim[DIM_GRADE];
    for (; i < n && v[i]->dim[DIM_SOURCE] == cl.source; i++) {
      if (grade_cmp(v[i]->dim[DIM_GRADE], cl.grade) < 0)
        cl.grade = v[i]->dim[DIM_GRADE];
      for (int m = 0; m < AM_COUNT; m++) {
        cl.m[m] += v[i]->m[m];
        cl.n[m] += v[i]->n[m];
      }
    }
    for (int m = 0; m < AM_COUNT; m++) {
      if (cl.n[m] < 1e-9) /* it did not give this measure */
        continue;
      /* Sources come in id order: a later one wins only on grade. */
      if (!have[m] || grade_cmp(cl.grade, best[m].grade) < 0) {
        best[m] = cl;
        have[m] = 1;
      }
    }
  }
  c = cell(p, r->day, r->dim[DIM_CHECKPOINT], r->dim[DIM_DIRECTION]);
  for (int m = 0; m < AM_COUNT; m++) {
    double x = have[m] ? best[m].m[m] : 0;
    c->count[(size_t)si * AM_COUNT + (size_t)m] += x;
    if (si == 0)
      c->enter[m] += x;
    if ((si == p->counting && strcmp(outcome, "passed") == 0) ||
        (si <= p->counting && strcmp(outcome, "turned_back") == 0))
      c->leave[m] += x;
  }
}

/* Calls fn for each cached rollup row of the days from..to, in place: the
 * rows of all history are not copied (the view has read them, for
 * compliance too). */
static void
each_cached(struct analysis *a, int64_t from, int64_t to,
            void (*fn)(void *ctx, struct arow *r), void *ctx)
{
  for (size_t i = 0; i < tmap_count(a->days); i++) {
    int64_t d = (int64_t)tmap_key(a->days, i)[0];
    if (d < from || d > to)
      continue;
    for (size_t k = 0; k < a->day_count[i]; k++)
      fn(ctx, &a->cache.v[a->day_first[i] + k]);
  }
}

/* The rows a pipeline reads: those of the period, and before it those of
 * the checkpoints and directions where something entered the first stage
 * (only they can have a backlog). */
struct pick {
  struct pipe *p;
  struct tmap *queues; /* (cp, dir) with a row at the first stage */
  struct arow **v;
  size_t n, cap;
};

static int
wanted_cp(const struct pipe *p, const struct arow *r)
{
  return p->q->checkpoint == NULL ||
         text_cmp(r->dim[DIM_CHECKPOINT], p->q->checkpoint) == 0;
}

static void
find_queue(void *ctx, struct arow *r)
{
  struct pick *k = ctx;
  uint64_t key[2] = {(uint64_t)(uintptr_t)r->dim[DIM_CHECKPOINT],
                     (uint64_t)(uintptr_t)r->dim[DIM_DIRECTION]};

  if (wanted_cp(k->p, r) &&
      corridor_stage_index(k->p->a->c, r->dim[DIM_STAGE]) == 0)
    tmap_put(k->queues, key, NULL);
}

static void
pick_row(void *ctx, struct arow *r)
{
  struct pick *k = ctx;
  uint64_t key[2] = {(uint64_t)(uintptr_t)r->dim[DIM_CHECKPOINT],
                     (uint64_t)(uintptr_t)r->dim[DIM_DIRECTION]};
  size_t i;

  if (!wanted_cp(k->p, r) ||
      (r->day < k->p->q->from && !tmap_get(k->queues, key, &i)))
    return;
  k->v = util_grow(k->v, &k->cap, k->n + 1, sizeof *k->v);
  k->v[k->n++] = r;
}

static int
count_stages(struct pipe *p, int64_t from)
{
  struct pick k = {p, tmap_new(2), NULL, 0, 0};
  struct arow **v;
  size_t n;
  int rc;

  /* Read (once per view) and mark observed; the rows stay in the view. */
  if ((rc = analysis__observe(p->a, from, p->q->to)) != OK) {
    tmap_free(k.queues);
    return rc;
  }
  each_cached(p->a, from, p->q->to, find_queue, &k);
  each_cached(p->a, from, p->q->to, pick_row, &k);
  tmap_free(k.queues);
  v = k.v;
  n = k.n;
  if (n > 1)
    qsort(v, n, sizeof *v, by_group);
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && same(v[i], v[j], 0))
      j++;
    reconcile(p, v + i, j - i);
    i = j;
  }
  free(v);
  return OK;
}

/* A flow with a consignment id: the earliest start of its records at each
 * stage, per checkpoint. */
static int
add_consignment(void *ctx, const struct record *rec, uint64_t seq)
{
  struct pipe *p = ctx;
  const char *id = record_get(rec, "consignment");
  const char *cp = record_get(rec, "checkpoint");
  int si = corridor_stage_index(p->a->c, record_get(rec, "stage"));
  uint64_t key[2];
  int64_t b, f;
  int added;
  size_t i;

  (void)seq;
  if (id == NULL || cp == NULL || si < 0 ||
      (p->q->checkpoint && strcmp(cp, p->q->checkpoint) != 0))
    return OK;
  if (record_time_bounds(record_get(rec, "start"), corridor_tz_offset,
                         (void *)p->a->c, &b, &f) != OK)
    return OK;
  key[0] = (uint64_t)(uintptr_t)analysis__intern(p->a, id);
  key[1] = (uint64_t)(uintptr_t)analysis__intern(p->a, cp);
  i = tmap_put(p->cons, key, &added);
  if (added) {
    size_t cap = p->capcons;
    p->cons_dir = util_grow(p->cons_dir, &cap, i + 1, sizeof *p->cons_dir);
    p->cons_t = xrealloc(p->cons_t, cap * p->ns * sizeof *p->cons_t);
    p->capcons = cap;
    p->cons_dir[i] = analysis__intern(p->a, record_get(rec, "direction"));
    for (size_t k = 0; k < p->ns; k++)
      p->cons_t[i * p->ns + k] = INT64_MAX;
  }
  if (b < p->cons_t[i * p->ns + (size_t)si])
    p->cons_t[i * p->ns + (size_t)si] = b;
  return OK;
}

static void
add_hours(struct pcell *c, size_t k, double h)
{
  c->hours[k] = util_grow(c->hours[k], &c->caphours[k], c->nhours[k] + 1,
                          sizeof **c->hours);
  c->hours[k][c->nhours[k]++] = h;
}

static int
measure_dwell(struct pipe *p)
{
  int rc = analysis_each_record(p->a, KIND_flow, add_consignment, p);

  for (size_t i = 0; rc == OK && i < tmap_count(p->cons); i++) {
    const char *cp = (const char *)(uintptr_t)tmap_key(p->cons, i)[1];
    const int64_t *t = &p->cons_t[i * p->ns];
    for (size_t k = 0; k + 1 < p->ns; k++) {
      int64_t day;
      if (t[k] == INT64_MAX || t[k + 1] == INT64_MAX || t[k + 1] < t[k])
        continue;
      day = day_of(t[k + 1]);
      if (day < p->q->from || day > p->q->to)
        continue;
      add_hours(cell(p, day, cp, p->cons_dir[i]), k,
                (double)(t[k + 1] - t[k]) / 3600.0);
    }
  }
  for (size_t i = 0; i < p->ncells; i++)
    for (size_t k = 0; k < p->ns; k++) {
      struct analysis_dwell *d = &p->cells[i].dwell[k];
      d->n = p->cells[i].nhours[k];
      if (d->n)
        analysis_percentiles(p->cells[i].hours[k], d->n, &d->median, &d->p90);
    }
  return rc;
}

void
analysis_percentiles(double *v, size_t n, double *median, double *p90)
{
  size_t rank;

  for (size_t i = 1; i < n; i++) { /* a day's few dwells: insertion sort */
    double x = v[i];
    size_t j = i;
    for (; j > 0 && v[j - 1] > x; j--)
      v[j] = v[j - 1];
    v[j] = x;
  }
  *median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  /* Nearest rank: the smallest value with at least 90% at or below it. */
  rank = (size_t)ceil(0.9 * (double)n);
  *p90 = v[(rank ? rank : 1) - 1];
}

/* A row to hand over: its cell (NULL on a day with only a backlog). */
struct out {
  int64_t day;
  const char *cp, *dir;
  const struct pcell *c;
  double backlog[AM_COUNT];
};

static int
by_out(const void *x, const void *y)
{
  const struct out *a = x, *b = y;
  int c;

  if (a->day != b->day)
    return a->day < b->day ? -1 : 1;
  if ((c = text_cmp(a->cp, b->cp)) != 0)
    return c;
  return text_cmp(a->dir, b->dir);
}

static int
by_lane_day(const void *x, const void *y)
{
  const struct pcell *a = *(const struct pcell *const *)x;
  const struct pcell *b = *(const struct pcell *const *)y;
  int c;

  if ((c = text_cmp(a->cp, b->cp)) != 0 || (c = text_cmp(a->dir, b->dir)))
    return c;
  return a->day < b->day ? -1 : a->day > b->day;
}

static int
busy(const struct pipe *p, const struct pcell *c, const double *backlog)
{
  for (size_t i = 0; i < p->ns * AM_COUNT; i++)
    if (c && fabs(c->count[i]) >= 1e-9)
      return 1;
  for (size_t k = 0; c && k < p->ns; k++)
    if (c->dwell[k].n)
      return 1;
  for (int m = 0; m < AM_COUNT; m++)
    if (backlog[m] >= 1e-9)
      return 1;
  return 0;
}

static void
add_out(struct out **v, size_t *n, size_t *cap, int64_t day,
        const struct pcell *lane, const struct pcell *c, const double *backlog)
{
  struct out *o;

  *v = util_grow(*v, cap, *n + 1, sizeof **v);
  o = &(*v)[(*n)++];
  o->day = day;
  o->cp = lane->cp;
  o->dir = lane->dir;
  o->c = c;
  memcpy(o->backlog, backlog, sizeof o->backlog);
}

/* Runs each checkpoint and direction's backlog through its days and
 * collects the rows of the period. */
static void
backlogs(struct pipe *p, struct out **v, size_t *n)
{
  struct pcell **lane = xmalloc((p->ncells ? p->ncells : 1) * sizeof *lane);
  size_t cap = 0;

  *v = NULL;
  *n = 0;
  for (size_t i = 0; i < p->ncells; i++)
    lane[i] = &p->cells[i];
  qsort(lane, p->ncells, sizeof *lane, by_lane_day);
  for (size_t i = 0; i < p->ncells;) {
    double b[AM_COUNT] = {0};
    size_t j = i;
    for (int64_t day = lane[i]->day; day <= p->q->to; day++) {
      const struct pcell *c = NULL;
      if (j < p->ncells && lane[j]->cp == lane[i]->cp &&
          lane[j]->dir == lane[i]->dir && lane[j]->day == day)
        c = lane[j++];
      for (int m = 0; c && m < AM_COUNT; m++) {
        b[m] += c->enter[m] - c->leave[m];
        if (b[m] < 1e-9) /* what left without entering takes nothing */
          b[m] = 0;
      }
      if (day >= p->q->from && busy(p, c, b))
        add_out(v, n, &cap, day, lane[i], c, b);
    }
    while (j < p->ncells && lane[j]->cp == lane[i]->cp &&
           lane[j]->dir == lane[i]->dir)
      j++;
    i = j;
  }
  free(lane);
  if (*n > 1)
    qsort(*v, *n, sizeof **v, by_out);
}

static int
hand_over(struct pipe *p,
          int (*fn)(void *, const struct analysis_pipeline_row *), void *ctx)
{
  double *zero = xcalloc(p->ns * AM_COUNT, sizeof *zero);
  struct analysis_dwell *none = xcalloc(p->ns, sizeof *none);
  struct out *v;
  size_t n;
  int rc = OK;

  backlogs(p, &v, &n);
  for (size_t i = 0; rc == OK && i < n; i++) {
    struct analysis_pipeline_row row;
    memset(&row, 0, sizeof row);
    row.day = v[i].day;
    row.checkpoint = v[i].cp;
    row.direction = v[i].dir;
    row.observed = analysis__observed(p->a, v[i].day, v[i].cp);
    row.count = v[i].c ? v[i].c->count : zero;
    row.dwell = v[i].c ? v[i].c->dwell : none;
    row.nstages = p->ns;
    memcpy(row.backlog, v[i].backlog, sizeof row.backlog);
    rc = fn(ctx, &row);
  }
  free(v);
  free(zero);
  free(none);
  return rc;
}

static void
pipe_cleanup(struct pipe *p)
{
  for (size_t i = 0; i < p->ncells; i++) {
    struct pcell *c = &p->cells[i];
    for (size_t k = 0; k < p->ns; k++)
      free(c->hours[k]);
    free(c->hours);
    free(c->nhours);
    free(c->caphours);
    free(c->dwell);
    free(c->count);
  }
  free(p->cells);
  tmap_free(p->at);
  tmap_free(p->cons);
  free(p->cons_dir);
  free(p->cons_t);
}

int
analysis_pipeline(struct analysis *a, const struct analysis_pipeline_query *q,
                  int (*fn)(void *ctx, const struct analysis_pipeline_row *row),
                  void *ctx)
{
  struct pipe p;
  int64_t first, last;
  int rc;

  memset(&p, 0, sizeof p);
  p.a = a;
  p.q = q;
  p.ns = a->c->nstages;
  p.counting = corridor_stage_index(a->c, a->c->counting_stage);
  if (p.ns == 0 || p.counting < 0 || q->from > q->to)
    return OK;
  rc = analysis_span(a, &first, &last);
  if (rc == ERR_NOTFOUND)
    return OK;
  if (rc != OK)
    return rc;
  p.at = tmap_new(3);
  p.cons = tmap_new(2);
  /* The backlog runs from the first day of data. */
  rc = count_stages(&p, first < q->from ? first : q->from);
  if (rc == OK && q->dwell)
    rc = measure_dwell(&p);
  if (rc == OK)
    rc = hand_over(&p, fn, ctx);
  pipe_cleanup(&p);
  return rc;
}
