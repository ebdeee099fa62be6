/*
 * The pipeline: what was counted at each of the corridor's stages, what
 * waits between the first stage and the counting stage (the backlog), and
 * how long consignments dwell between stages. Counts are the flow query's
 * (reconciled in time, each stage and outcome on its own); dwell comes
 * from the flow records that carry a consignment id.
 */
#include "analysis/analysis_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One day of one checkpoint and direction. */
struct pcell {
  int64_t day;
  const char *cp, *dir; /* interned */
  double *count;        /* [stage * AM_COUNT + measure] */
  double enter[AM_COUNT], leave[AM_COUNT];
  int observed[AM_COUNT]; /* the class was observed that day (the period's
                           * days only) */
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
  /* The backlogs of every lane at the end of each day save_from..to, to
   * save (save: 1), from a count that began at the first day. */
  int save;
  int64_t save_from;
};

/* The saved backlogs at the end of a day: a line per lane with one,
 * "checkpoint TAB direction TAB" and its AM_COUNT values. */
#define SAVED_WHAT "backlog/1"

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

static int
text_cmp(const char *x, const char *y)
{
  return strcmp(x ? x : "", y ? y : "");
}

/* The local day number of a day row's label ("2023-03-01"). */
static int64_t
label_day(const char *label)
{
  int y = 0, m = 0, d = 0;

  if (label == NULL || sscanf(label, "%d-%d-%d", &y, &m, &d) != 3)
    return INT64_MIN;
  return util_days_from_civil(y, m, d);
}

/* One reconciled row of a day, checkpoint, direction, stage and outcome:
 * the stage's count, what entered the first stage and what left the
 * queue (passed the counting stage, or turned back at or before it). */
static int
add_count(void *ctx, const struct analysis_flow_row *row)
{
  struct pipe *p = ctx;
  int si = corridor_stage_index(p->a->c, row->dim[DIM_STAGE]);
  const char *outcome = row->dim[DIM_OUTCOME];
  int64_t day = label_day(row->dim[DIM_DAY]);
  struct pcell *c;

  if (si < 0 || day == INT64_MIN)
    return OK; /* a stage the corridor no longer names */
  c = cell(p, day, row->dim[DIM_CHECKPOINT], row->dim[DIM_DIRECTION]);
  for (int m = 0; m < AM_COUNT; m++) {
    double x = row->known[m] ? row->m[m] : 0;
    c->count[(size_t)si * AM_COUNT + (size_t)m] += x;
    if (si == 0)
      c->enter[m] += x;
    if ((si == p->counting && strcmp(outcome, "passed") == 0) ||
        (si <= p->counting && strcmp(outcome, "turned_back") == 0))
      c->leave[m] += x;
  }
  return OK;
}

/* Whether each class was observed on a day of the period, per checkpoint
 * and direction, as flow has it (coverage, or records giving the class). */
static int
add_observed(void *ctx, const struct analysis_flow_row *row)
{
  struct pipe *p = ctx;
  int64_t day = label_day(row->dim[DIM_DAY]);
  struct pcell *c;

  if (day == INT64_MIN)
    return OK;
  c = cell(p, day, row->dim[DIM_CHECKPOINT], row->dim[DIM_DIRECTION]);
  for (int m = 0; m < AM_COUNT; m++)
    c->observed[m] = row->known[m];
  return OK;
}

/* Reconciles each stage and outcome of the days from..to at the
 * checkpoints cps (NULL: all) into the cells; with observe, only which
 * classes each day saw. */
static int
query_days(struct pipe *p, int64_t from, int64_t to, const char *const *cps,
           int observe)
{
  static const int dims[] = {DIM_DAY, DIM_CHECKPOINT, DIM_DIRECTION, DIM_STAGE,
                             DIM_OUTCOME};
  struct analysis_flow_query fq;

  memset(&fq, 0, sizeof fq);
  fq.from = from;
  fq.to = to;
  fq.dims = dims;
  fq.ndims = observe ? 3 : sizeof dims / sizeof *dims;
  fq.outcome = ""; /* every outcome: turning back leaves the queue */
  fq.checkpoints = cps;
  fq.complete = observe;
  return analysis__flows(p->a, &fq, 1, observe ? add_observed : add_count, p);
}

/* The backlogs of every lane at the end of the day before the period, from
 * the state saved there, as one day of cells that enters them: 1 when a
 * saved state holds. */
static int
seed(struct pipe *p, int64_t first)
{
  struct {
    const char *cp, *dir;
    double b[AM_COUNT];
  } *v = NULL;
  size_t n = 0, cap = 0;
  struct buf b;
  int ok;
  const char *s;

  buf_init(&b);
  ok = analysis__saved_get(p->a, SAVED_WHAT, first, p->q->from - 1,
                           p->q->from - 1, &b) == OK;
  for (s = b.data ? b.data : ""; ok && *s;) {
    const char *tab = strchr(s, '\t'),
               *tab2 = tab ? strchr(tab + 1, '\t') : NULL;
    char *cp, *dir, *end;
    if (tab2 == NULL) {
      ok = 0;
      break;
    }
    v = util_grow(v, &cap, n + 1, sizeof *v);
    cp = xstrndup(s, (size_t)(tab - s));
    dir = xstrndup(tab + 1, (size_t)(tab2 - tab - 1));
    v[n].cp = analysis__intern(p->a, cp);
    v[n].dir = analysis__intern(p->a, dir);
    free(cp);
    free(dir);
    s = tab2 + 1;
    for (int m = 0; ok && m < AM_COUNT; m++) {
      v[n].b[m] = strtod(s, &end);
      ok = end != s && *end == (m + 1 < AM_COUNT ? ' ' : '\n');
      s = end + 1;
    }
    n++;
  }
  for (size_t i = 0; ok && i < n; i++)
    memcpy(cell(p, p->q->from - 1, v[i].cp, v[i].dir)->enter, v[i].b,
           sizeof v[i].b);
  free(v);
  buf_cleanup(&b);
  return ok;
}

/*
 * The counts of the period and, before it, for the backlog, those of every
 * lane (checkpoint and direction) from the first day of data, all from the
 * reconciled days (the store's kept cells when it keeps them). A lane where
 * nothing entered the first stage before the period has a backlog of 0 up
 * to it whatever left (what leaves without entering takes nothing), so
 * reading every lane from the first day gives the backlog that reading only
 * the lanes with an entry, from the first entry, gives; and no flow record
 * is read.
 */
static int
count_stages(struct pipe *p, int64_t first)
{
  const char *one[2] = {p->q->checkpoint, NULL};
  const char *const *cps = p->q->checkpoint ? one : NULL;
  int rc = OK;

  /* Every lane's backlog before the period: saved, or counted from the
   * first day and saved for the next view. */
  if (first < p->q->from && (cps != NULL || !seed(p, first))) {
    rc = query_days(p, first, p->q->from - 1, cps, 0);
    p->save = cps == NULL;
    p->save_from = first;
  }
  if (rc == OK)
    rc = query_days(p, p->q->from, p->q->to, cps, 0);
  if (rc == OK)
    rc = query_days(p, p->q->from, p->q->to, cps, 1);
  return rc;
}

/* A flow with a consignment id: the earliest start of its records at each
 * stage, per checkpoint. */
static void
add_consignment(struct pipe *p, const struct frec *r)
{
  int si = corridor_stage_index(p->a->c, r->dim[DIM_STAGE]);
  uint64_t key[2];
  int added;
  size_t i;

  if (r->consignment == NULL || si < 0 ||
      (p->q->checkpoint &&
       text_cmp(r->dim[DIM_CHECKPOINT], p->q->checkpoint) != 0))
    return;
  key[0] = (uint64_t)(uintptr_t)r->consignment;
  key[1] = (uint64_t)(uintptr_t)r->dim[DIM_CHECKPOINT];
  i = tmap_put(p->cons, key, &added);
  if (added) {
    size_t cap = p->capcons;
    p->cons_dir = util_grow(p->cons_dir, &cap, i + 1, sizeof *p->cons_dir);
    p->cons_t = xrealloc(p->cons_t, cap * p->ns * sizeof *p->cons_t);
    p->capcons = cap;
    p->cons_dir[i] = r->dim[DIM_DIRECTION];
    for (size_t k = 0; k < p->ns; k++)
      p->cons_t[i * p->ns + k] = INT64_MAX;
  }
  if (r->begin < p->cons_t[i * p->ns + (size_t)si])
    p->cons_t[i * p->ns + (size_t)si] = r->begin;
}

static void
add_hours(struct pcell *c, size_t k, double h)
{
  c->hours[k] = util_grow(c->hours[k], &c->caphours[k], c->nhours[k] + 1,
                          sizeof **c->hours);
  c->hours[k][c->nhours[k]++] = h;
}

/* From the view's flows of the first day of data to the period's end: a
 * consignment's earlier stages are among them, and nothing later ends a
 * step in the period. */
static int
measure_dwell(struct pipe *p, int64_t first)
{
  int rc = analysis__flows_load(p->a, first, p->q->to);

  for (size_t i = 0; rc == OK && i < p->a->nrecs; i++)
    add_consignment(p, &p->a->recs[i]);
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

/* Adds a lane's backlog b at the end of day to what is saved there. */
static void
save_lane(struct pipe *p, struct buf *days, int *clean, int64_t day,
          const struct pcell *lane, const double *b)
{
  struct buf *d = &days[day - p->save_from];
  int any = 0;

  for (int m = 0; m < AM_COUNT; m++)
    any |= b[m] != 0;
  if (!any)
    return; /* a lane with nothing queued is one the state leaves out */
  if (strpbrk(lane->cp, "\t\n") || strpbrk(lane->dir, "\t\n"))
    *clean = 0;
  buf_printf(d, "%s\t%s\t", lane->cp, lane->dir);
  for (int m = 0; m < AM_COUNT; m++)
    buf_printf(d, "%.17g%c", b[m], m + 1 < AM_COUNT ? ' ' : '\n');
}

/* Runs each checkpoint and direction's backlog through its days and
 * collects the rows of the period. */
static void
backlogs(struct pipe *p, struct out **v, size_t *n)
{
  struct pcell **lane = xmalloc((p->ncells ? p->ncells : 1) * sizeof *lane);
  size_t cap = 0, ndays = p->save ? (size_t)(p->q->to - p->save_from + 1) : 0;
  struct buf *days = xcalloc(ndays ? ndays : 1, sizeof *days);
  int clean = 1;

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
      if (p->save && day >= p->save_from)
        save_lane(p, days, &clean, day, lane[i], b);
    }
    while (j < p->ncells && lane[j]->cp == lane[i]->cp &&
           lane[j]->dir == lane[i]->dir)
      j++;
    i = j;
  }
  for (size_t d = 0; d < ndays; d++) {
    if (clean)
      analysis__saved_keep(p->a, SAVED_WHAT, p->save_from,
                           p->save_from + (int64_t)d,
                           days[d].data ? days[d].data : "", days[d].len);
    buf_cleanup(&days[d]);
  }
  free(days);
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
  static const int unseen[AM_COUNT] = {0};
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
    memcpy(row.observed, v[i].c ? v[i].c->observed : unseen,
           sizeof row.observed);
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
  if (first > q->from)
    first = q->from;
  rc = count_stages(&p, first);
  if (rc == OK && q->dwell)
    rc = measure_dwell(&p, first);
  if (rc == OK)
    rc = hand_over(&p, fn, ctx);
  pipe_cleanup(&p);
  return rc;
}
