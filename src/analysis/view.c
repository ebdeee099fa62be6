/*
 * The view as of a tree size: what every analysis reads through. It reads
 * the live flow records of the days asked for out of the store once (their
 * strings interned, so equal strings are one pointer), and loads the live
 * checkpoints, statuses and coverage once, with the time coverage says was
 * observed merged per checkpoint.
 */
#include "analysis/analysis_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"
#include "util/i18n.h"

#define DAY 86400

int
analysis_open(struct store *st, uint64_t as_of, struct analysis **out,
              struct buf *err)
{
  const struct corridor *c = NULL;
  struct analysis *a;
  int rc;

  *out = NULL;
  /* One snapshot from open to free: every figure of the view comes from
   * one tree size, whatever other processes append meanwhile. */
  if ((rc = store_read_begin(st)) != OK) {
    buf_printf(err, "%s", store_errmsg(st));
    return rc;
  }
  if (as_of > store_size(st)) {
    buf_printf(err, _("--as-of %llu: the log holds only %llu entries"),
               (unsigned long long)as_of, (unsigned long long)store_size(st));
    store_read_end(st);
    return ERR_USAGE;
  }
  /* The rules in force at that size, as the log has them then. */
  rc = store_corridor_at(st, as_of ? as_of : store_size(st), &c);
  if (rc != OK) {
    buf_printf(err, "%s", store_errmsg(st));
    store_read_end(st);
    return rc;
  }
  a = xcalloc(1, sizeof *a);
  a->st = st;
  a->as_of = as_of ? as_of : store_size(st);
  a->c = c;
  a->strings = strmap_new();
  a->labels = tmap_new(2);
  a->rec_seen = tmap_new(1);
  a->cp_index = tmap_new(1);
  buf_init(&a->err);
  *out = a;
  return OK;
}

void
analysis_free(struct analysis *a)
{
  if (a == NULL)
    return;
  store_read_end(a->st);
  analysis__saved_flush(a);
  analysis__saved_free(a);
  analysis__supply_free(a);
  analysis__index_free(a);
  analysis__live_free(a);
  strmap_free(a->strings);
  tmap_free(a->labels);
  tmap_free(a->rec_seen);
  tmap_free(a->cp_index);
  free(a->label_of);
  free(a->recs);
  free(a->lines);
  free(a->checkpoints);
  free(a->route);
  free(a->status);
  free(a->coverage);
  free(a->cov);
  free(a->cov_first);
  free(a->cov_n);
  for (size_t i = 0; i < a->ndays; i++) {
    cells_day_cleanup(a->days[i]);
    free(a->days[i]);
  }
  free(a->days);
  tmap_free(a->day_at);
  tmap_free(a->changed);
  cells_builder_free(a->builder);
  tmap_free(a->text_at);
  free(a->texts);
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

const char *
analysis__counting_stage(const struct analysis *a)
{
  /* The corridor's [stages] counting key; a corridor always has one
   * (crossed by default), but a view over a bare corridor counts there
   * too. */
  return a->c->counting_stage ? a->c->counting_stage : "crossed";
}

static int64_t
day_floor(int64_t seconds)
{
  return seconds >= 0 ? seconds / DAY : -((-seconds + DAY - 1) / DAY);
}

/* Spans. */

int
analysis__covered(const struct cells_span *v, size_t n, int64_t d0, int64_t d1)
{
  /* Merged spans are disjoint: one of them must hold all of [d0, d1). */
  size_t lo = 0, hi = n;

  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v[mid].end <= d0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && v[lo].begin <= d0 && v[lo].end >= d1;
}

/* Checkpoints, statuses, coverage. */

static int
cmp_span(const void *x, const void *y)
{
  const struct span *p = x, *q = y;
  int c = strcmp(p->checkpoint, q->checkpoint);

  if (c)
    return c;
  /* Equal times keep the log's order (the sort is stable through the
   * index kept in finish). */
  if (p->begin != q->begin)
    return p->begin < q->begin ? -1 : 1;
  return p->finish < q->finish ? -1 : p->finish > q->finish;
}

struct loader {
  struct analysis *a;
  size_t cap_cp, cap_cov;
};

static int
load_checkpoint(void *ctx, const struct record *rec, uint64_t seq)
{
  struct loader *l = ctx;
  struct analysis *a = l->a;
  const char *route = record_get(rec, "route");
  uint64_t key;

  (void)seq;
  if (a->ncheckpoints + 1 >= l->cap_cp) {
    l->cap_cp = l->cap_cp ? l->cap_cp * 2 : 16;
    a->checkpoints = xrealloc(a->checkpoints, l->cap_cp * sizeof(char *));
    a->route = xrealloc(a->route, l->cap_cp * sizeof(int));
  }
  a->route[a->ncheckpoints] = route == NULL || strcmp(route, "no") != 0;
  a->checkpoints[a->ncheckpoints] = analysis__intern(a, record_get(rec, "id"));
  key = (uint64_t)(uintptr_t)a->checkpoints[a->ncheckpoints];
  tmap_put(a->cp_index, &key, NULL);
  a->ncheckpoints++;
  a->checkpoints[a->ncheckpoints] = NULL;
  return OK;
}

static int
load_status(void *ctx, const struct record *rec, uint64_t seq)
{
  struct analysis *a = ctx;
  const char *state = record_get(rec, "state");
  const char *dir = record_get(rec, "direction");
  struct span *s;
  int64_t b, f;

  if (record_time_bounds(record_get(rec, "at"), corridor_tz_offset,
                         (void *)a->c, &b, &f) != OK)
    return OK;
  a->status =
      util_grow(a->status, &a->capstatus, a->nstatus + 1, sizeof *a->status);
  s = &a->status[a->nstatus++];
  s->checkpoint = analysis__intern(a, record_get(rec, "checkpoint"));
  s->begin = b;
  s->finish = (int64_t)seq; /* statuses are instants: keeps the log order */
  s->state = strcmp(state, "open") == 0         ? 2
             : strcmp(state, "restricted") == 0 ? 1
                                                : 0;
  s->dir = dir == NULL || strcmp(dir, "both") == 0 ? -1
           : strcmp(dir, "in") == 0                ? AD_IN
                                                   : AD_OUT;
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
  if (record_time_bounds(record_get(rec, "start"), corridor_tz_offset,
                         (void *)a->c, &b, &ef) != OK ||
      record_time_bounds(record_get(rec, "end"), corridor_tz_offset,
                         (void *)a->c, &eb, &f) != OK)
    return OK;
  if (a->ncoverage == l->cap_cov) {
    l->cap_cov = l->cap_cov ? l->cap_cov * 2 : 16;
    a->coverage = xrealloc(a->coverage, l->cap_cov * sizeof *a->coverage);
  }
  s = &a->coverage[a->ncoverage++];
  s->checkpoint = analysis__intern(a, record_get(rec, "checkpoint"));
  s->begin = b;
  s->finish = f > b ? f : b; /* an instant covers no time */
  s->state = strcmp(record_get(rec, "state"), "observed") == 0;
  s->dir = -1;
  return OK;
}

/* Per checkpoint, the time an `observed` coverage record covers and no
 * `not_observed` or `denied` one does: when coverage records disagree
 * about the same time, it was not observed. */
static void
merge_coverage(struct analysis *a)
{
  size_t n = a->ncoverage;
  struct cells_span *obs = xmalloc((n + 1) * sizeof *obs);
  struct cells_span *not = xmalloc((n + 1) * sizeof *not );

  a->cov = xmalloc((2 * n + 1) * sizeof *a->cov);
  a->cov_first = xcalloc(a->ncheckpoints + 1, sizeof *a->cov_first);
  a->cov_n = xcalloc(a->ncheckpoints + 1, sizeof *a->cov_n);
  for (size_t c = 0, total = 0; c < a->ncheckpoints; c++) {
    size_t no = 0, nn = 0;
    for (size_t i = 0; i < n; i++) {
      const struct span *s = &a->coverage[i];
      if (s->checkpoint != a->checkpoints[c] || s->finish <= s->begin)
        continue;
      if (s->state)
        obs[no++] = (struct cells_span){s->begin, s->finish};
      else
        not [nn++] = (struct cells_span){s->begin, s->finish};
    }
    no = cells_span_merge(obs, no);
    nn = cells_span_merge(not, nn);
    a->cov_first[c] = total;
    a->cov_n[c] = cells_span_subtract(obs, no, not, nn, a->cov + total);
    total += a->cov_n[c];
  }
  free(obs);
  free(not );
}

int
analysis__load(struct analysis *a)
{
  struct loader l = {a, 0, 0};
  int rc;

  if (a->loaded)
    return OK;
  a->loaded = 1;
  a->checkpoints = xcalloc(1, sizeof(char *));
  a->route = xcalloc(1, sizeof(int));
  l.cap_cp = 1;
  rc = analysis_each_record(a, KIND_checkpoint, load_checkpoint, &l);
  if (rc == OK)
    rc = analysis_each_record(a, KIND_coverage, load_coverage, &l);
  if (a->ncoverage)
    qsort(a->coverage, a->ncoverage, sizeof *a->coverage, cmp_span);
  merge_coverage(a);
  return rc;
}

/*
 * The statuses a period needs. Of each checkpoint's history before the
 * period only its last state in each direction counts, and a history of
 * years need not be read for it: the statuses near the period come from
 * the query rows' bounds, and each checkpoint's before it from a walk
 * back through its (checkpoint, time) index that stops once both
 * directions have a state and the walk is past what the rows' slack
 * could still bring (two days of it each way: SLACK).
 */
#define SLACK (2 * 86400)
#define STOP 1 /* the walk's own code: not an error */

struct each_status {
  struct analysis *a;
  int (*fn)(void *ctx, const struct record *rec, uint64_t seq);
  void *ctx;
  struct tmap *seen; /* seqs handed to fn */
  int64_t from;
  /* The walk back through one checkpoint: whether each direction has a
   * status before from, and where to stop once both have. */
  int found[AD_COUNT], stopping;
  int64_t stop;
};

static int
once(struct each_status *e, const struct record *rec, uint64_t seq)
{
  int added;

  tmap_put(e->seen, &seq, &added);
  return added ? e->fn(e->ctx, rec, seq) : OK;
}

static int
near_status(void *ctx, const struct record *rec, uint64_t seq)
{
  return once(ctx, rec, seq);
}

static int
back_status(void *ctx, const struct record *rec, uint64_t seq)
{
  struct each_status *e = ctx;
  const char *dir = record_get(rec, "direction");
  int64_t b, f;

  if (record_time_bounds(record_get(rec, "at"), corridor_tz_offset,
                         (void *)e->a->c, &b, &f) != OK)
    return OK; /* no time: no state at any time */
  /* The rows come by their stored beginning, within SLACK of b: once a
   * status begins SLACK * 2 before the earliest state found, none after
   * it can begin later than that one. */
  if (e->stopping && b < e->stop)
    return STOP;
  if (b < e->from) {
    for (int d = 0; d < AD_COUNT; d++)
      if (dir == NULL || strcmp(dir, "both") == 0 ||
          strcmp(dir, analysis_direction_names[d]) == 0)
        e->found[d] = 1;
    if (!e->stopping && e->found[AD_IN] && e->found[AD_OUT]) {
      e->stopping = 1;
      e->stop = b - 2 * SLACK;
    }
  }
  return once(e, rec, seq);
}

static int
back_checkpoint(void *ctx, const char *cp)
{
  struct each_status *e = ctx;
  int rc;

  memset(e->found, 0, sizeof e->found);
  e->stopping = 0;
  rc = store_each_live_back(e->a->st, KIND_status, "at", "checkpoint", cp,
                            e->from, e->a->as_of, back_status, e);
  return rc == STOP ? OK : rc;
}

/* Values one after another, each with its NUL. */
static int
collect_value(void *ctx, const char *value)
{
  struct buf *b = ctx;

  buf_append(b, value, strlen(value) + 1);
  return OK;
}

int
analysis_each_status_for(struct analysis *a, int64_t from, int64_t to,
                         int (*fn)(void *ctx, const struct record *rec,
                                   uint64_t seq),
                         void *ctx)
{
  struct each_status e = {a, fn, ctx, tmap_new(1), from, {0}, 0, 0};
  struct buf cps;
  int rc;

  /* Every checkpoint any status names, whether a record holds it or not:
   * first, so that a store that cannot walk them says so before any fn. */
  buf_init(&cps);
  rc = store_each_value(a->st, KIND_status, "checkpoint", collect_value, &cps);
  if (rc == OK)
    rc = store_each_live_near(a->st, KIND_status, "at", from, to, a->as_of,
                              near_status, &e);
  for (size_t at = 0; rc == OK && at < cps.len; at += strlen(cps.data + at) + 1)
    rc = back_checkpoint(&e, cps.data + at);
  buf_cleanup(&cps);
  tmap_free(e.seen);
  return rc;
}

static int
read_statuses(struct analysis *a, int64_t from, int64_t to)
{
  int rc;

  a->nstatus = 0;
  if (from == INT64_MIN || ++a->st_windows > 3) {
    /* Every status: what a whole history asks, or a walk from day to day
     * (compliance counted from the first day) that would read a window a
     * day. */
    rc = analysis_each_record(a, KIND_status, load_status, a);
    a->st_mode = 2;
  } else {
    rc = analysis_each_status_for(a, from, to, load_status, a);
    if (rc == ERR_NOTFOUND) { /* the store cannot walk them: read all */
      a->nstatus = 0;
      rc = analysis_each_record(a, KIND_status, load_status, a);
      a->st_mode = 2;
    } else {
      a->st_mode = 1;
      a->st_from = from;
      a->st_to = to;
    }
  }
  if (rc != OK) {
    a->st_mode = 0;
    a->nstatus = 0;
    return rc;
  }
  if (a->nstatus)
    qsort(a->status, a->nstatus, sizeof *a->status, cmp_span);
  return OK;
}

int
analysis__statuses(struct analysis *a, int64_t from, int64_t to)
{
  int rc = analysis__load(a);

  if (rc != OK || a->st_mode == 2)
    return rc;
  if (a->st_mode == 1 && from >= a->st_from && to <= a->st_to)
    return OK;
  if (a->st_mode == 1 && from != INT64_MIN) {
    /* One window that holds the old one and the new. */
    from = from < a->st_from ? from : a->st_from;
    to = to > a->st_to ? to : a->st_to;
  }
  return read_statuses(a, from, to);
}

int
analysis__cp(struct analysis *a, const char *cp)
{
  uint64_t key = (uint64_t)(uintptr_t)analysis__intern(a, cp);
  size_t i;

  return tmap_get(a->cp_index, &key, &i) ? (int)i : -1;
}

/* Flow records. */

static const int rec_dims[] = {DIM_CHECKPOINT, DIM_DIRECTION, DIM_VEHICLE,
                               DIM_OPERATOR,   DIM_PURPOSE,   DIM_SOURCE,
                               DIM_GRADE,      DIM_STAGE,     DIM_OUTCOME};

static int
keep_flow(void *ctx, const struct record *rec, uint64_t seq)
{
  struct analysis *a = ctx;
  uint64_t key = seq;
  int added;
  struct frec *r;
  const struct record_value *v;
  int64_t b, f, eb, ef;
  const char *start = record_get(rec, "start"), *end = record_get(rec, "end");

  tmap_put(a->rec_seen, &key, &added);
  if (!added)
    return OK;
  if (record_time_bounds(start, corridor_tz_offset, (void *)a->c, &b, &ef) !=
      OK)
    return OK;
  if (end == NULL ||
      record_time_bounds(end, corridor_tz_offset, (void *)a->c, &eb, &f) != OK)
    f = ef;
  a->recs = util_grow(a->recs, &a->caprecs, a->nrecs + 1, sizeof *a->recs);
  r = &a->recs[a->nrecs++];
  memset(r, 0, sizeof *r);
  r->seq = seq;
  r->begin = b;
  r->end = f;
  for (size_t i = 0; i < sizeof rec_dims / sizeof *rec_dims; i++) {
    const char *t = record_get(rec, store_dim_names[rec_dims[i]]);
    r->dim[rec_dims[i]] = analysis__intern(a, t ? t : "");
  }
  r->dim[DIM_CATEGORY] = analysis__intern(
      a, rec->ncargo ? record_text(rec, &rec->cargo[0].category) : "");
  r->id = analysis__intern(a, record_get(rec, "id"));
  r->start = analysis__intern(a, start);
  r->finish = analysis__intern(a, end ? end : start);
  r->consignment = analysis__intern(a, record_get(rec, "consignment"));
  v = record_value(rec, "persons");
  r->has_persons = v->set;
  r->persons = v->set ? v->num : 0;
  v = record_value(rec, "vehicles");
  r->has_vehicles = v->set;
  r->vehicles = v->set ? v->num : 0;
  r->line = a->nlines;
  for (size_t i = 0; i < rec->ncargo; i++) {
    double t = record_cargo_tonnes(rec, i);
    if (t < 0)
      continue;
    a->lines =
        util_grow(a->lines, &a->caplines, a->nlines + 1, sizeof *a->lines);
    a->lines[a->nlines].category =
        analysis__intern(a, record_text(rec, &rec->cargo[i].category));
    a->lines[a->nlines].tonnes = t;
    a->nlines++;
  }
  r->nlines = a->nlines - r->line;
  return OK;
}

static int
by_key_day(const void *x, const void *y)
{
  int64_t p = (int64_t) * *(const uint64_t *const *)x;
  int64_t q = (int64_t) * *(const uint64_t *const *)y;

  return p < q ? -1 : p > q;
}

static int
by_seq(const void *x, const void *y)
{
  const struct frec *p = x, *q = y;

  return p->seq < q->seq ? -1 : p->seq > q->seq;
}

static int
read_days(struct analysis *a, int64_t from, int64_t to)
{
  return store_each_flow_overlapping(a->st, from * DAY, (to + 1) * DAY, NULL,
                                     a->as_of, keep_flow, a);
}

/*
 * The flows of the days from..to for a view of an older size whose
 * changed days are known: through each checkpoint's index from the
 * earliest start that could reach them (the longest flow as the kept
 * cells know it, or one superseded since, if longer), not a scan of every
 * flow; else read_days. Not in log order: the caller sorts.
 */
static int
read_changed(struct analysis *a, int64_t from, int64_t to)
{
  int64_t span;
  int rc;

  if (a->changed_state > 0 && store_longest_flow(a->st, &span) == OK) {
    if (a->changed_span > span)
      span = a->changed_span;
    rc = store_each_flow_from(a->st, from * DAY - span, from * DAY,
                              (to + 1) * DAY, a->as_of, keep_flow, a);
    if (rc != ERR_NOTFOUND)
      return rc;
  }
  return read_days(a, from, to);
}

int
analysis__flows_read(struct analysis *a, int64_t from, int64_t to)
{
  size_t before = a->nrecs;
  int rc;

  if ((rc = analysis__load(a)) != OK || (rc = read_changed(a, from, to)) != OK)
    return rc;
  if (a->nrecs > before)
    qsort(a->recs, a->nrecs, sizeof *a->recs, by_seq);
  return OK;
}

int
analysis__flows_load(struct analysis *a, int64_t from, int64_t to)
{
  size_t before = a->nrecs;
  int rc;

  if ((rc = analysis__load(a)) != OK)
    return rc;
  if (!a->rec_loaded) {
    rc = read_days(a, from, to);
    a->rec_from = from;
    a->rec_to = to;
    a->rec_loaded = rc == OK;
  } else {
    if (from < a->rec_from && (rc = read_days(a, from, a->rec_from - 1)) == OK)
      a->rec_from = from;
    if (rc == OK && to > a->rec_to &&
        (rc = read_days(a, a->rec_to + 1, to)) == OK)
      a->rec_to = to;
  }
  /* Records in log order whatever the order of reading, so that sums over
   * them never depend on which query came first. */
  if (a->nrecs > before && before > 0)
    qsort(a->recs, a->nrecs, sizeof *a->recs, by_seq);
  return rc;
}

/* The span of days with flows, as of the view: from the records. */
struct span_ctx {
  const struct analysis *a;
  int64_t first, last;
  int found;
};

/* Takes in the days of an interval [b, f) (an instant: its day). */
static void
span_add(struct span_ctx *s, int64_t b, int64_t f)
{
  int64_t d0 = day_floor(b), d1 = f > b ? day_floor(f - 1) : d0;

  if (!s->found || d0 < s->first)
    s->first = d0;
  if (!s->found || d1 > s->last)
    s->last = d1;
  s->found = 1;
}

static int
span_flow(void *ctx, const struct record *rec, uint64_t seq)
{
  struct span_ctx *s = ctx;
  const char *start = record_get(rec, "start"), *end = record_get(rec, "end");
  int64_t b, f, eb, ef;

  (void)seq;
  if (record_time_bounds(start, corridor_tz_offset, (void *)s->a->c, &b, &ef) !=
      OK)
    return OK;
  if (end == NULL || record_time_bounds(end, corridor_tz_offset,
                                        (void *)s->a->c, &eb, &f) != OK)
    f = ef;
  span_add(s, b, f);
  return OK;
}

/* A day of the rollups not changed since the view's size (its flows are
 * the same then): the first of the rows read, or the last. */
struct clean_day {
  const struct analysis *a;
  int64_t day;
  int found, last; /* last: go on to the last such day */
};

static int
clean_row(void *ctx, const struct flow_row *row)
{
  struct clean_day *c = ctx;

  if (analysis__day_changed(c->a, row->day))
    return OK;
  c->day = row->day;
  c->found = 1;
  return c->last ? OK : ERR_EXISTS; /* the first: enough */
}

/*
 * The span of a view of an older size whose changed days are known
 * (changed.c): the days with flows then are the rollups' days that did
 * not change since, and the days of the flows live then that reach a
 * changed one, which are read (and kept for the days' cells).
 */
static int
older_span(struct analysis *a, struct span_ctx *sc)
{
  struct clean_day lo = {a, 0, 0, 0}, hi = {a, 0, 0, 1};
  const uint64_t **days;
  size_t n = tmap_count(a->changed), before = a->nrecs;
  int64_t first, last;
  int rc;

  rc = store_flow_day_span(a->st, &first, &last);
  if (rc == OK) {
    rc = store_each_flow_day(a->st, first, last, clean_row, &lo);
    if (rc == ERR_EXISTS && lo.found)
      rc = OK;
    /* From the end back, a window at a time, to the last clean day. */
    for (int64_t w = 32; rc == OK && lo.found && !hi.found; w *= 2) {
      int64_t from = last - w + 1 < lo.day ? lo.day : last - w + 1;
      rc = store_each_flow_day(a->st, from, last, clean_row, &hi);
      if (from == lo.day)
        break;
    }
  } else if (rc == ERR_NOTFOUND) {
    rc = OK;
  }
  if (rc != OK)
    return rc;
  if (lo.found) {
    sc->first = lo.day;
    sc->last = hi.found ? hi.day : lo.day;
    sc->found = 1;
  }
  days = xmalloc((n + 1) * sizeof *days);
  for (size_t i = 0; i < n; i++)
    days[i] = tmap_key(a->changed, i);
  qsort(days, n, sizeof *days, by_key_day);
  for (size_t i = 0; i < n && rc == OK;) {
    size_t j = i + 1;
    while (j < n && *days[j] == *days[j - 1] + 1)
      j++;
    rc = read_changed(a, (int64_t)*days[i], (int64_t)*days[j - 1]);
    i = j;
  }
  free(days);
  a->changed_read = rc == OK;
  if (a->nrecs > before)
    qsort(a->recs, a->nrecs, sizeof *a->recs, by_seq);
  /* Every flow the view has read was live then, whatever day it reaches. */
  for (size_t i = 0; rc == OK && i < a->nrecs; i++)
    span_add(sc, a->recs[i].begin, a->recs[i].end);
  return rc;
}

int
analysis_span(struct analysis *a, int64_t *first, int64_t *last)
{
  struct span_ctx sc = {a, 0, 0, 0};
  int rc;

  *first = *last = 0;
  if ((rc = analysis__statuses(a, INT64_MIN, INT64_MAX)) != OK)
    return rc;
  if (a->as_of >= store_size(a->st)) {
    /* The rollups hold exactly the current flows' days. */
    rc = store_flow_day_span(a->st, &sc.first, &sc.last);
    sc.found = rc == OK;
    if (rc == ERR_NOTFOUND)
      rc = OK;
  } else if ((rc = analysis__changed_load(a)) == OK && a->changed_state > 0) {
    rc = older_span(a, &sc);
  } else if (rc == OK) {
    rc = store_each_flow_overlapping(a->st, INT64_MIN / 4, INT64_MAX / 4, NULL,
                                     a->as_of, span_flow, &sc);
  }
  for (size_t i = 0; i < a->nstatus + a->ncoverage; i++) {
    const struct span *s =
        i < a->nstatus ? &a->status[i] : &a->coverage[i - a->nstatus];
    int64_t d = day_floor(s->begin);
    if (!sc.found || d < sc.first)
      sc.first = d;
    if (!sc.found || d > sc.last)
      sc.last = d;
    sc.found = 1;
  }
  if (rc != OK)
    return rc;
  *first = sc.first;
  *last = sc.last;
  return sc.found ? OK : ERR_NOTFOUND;
}
