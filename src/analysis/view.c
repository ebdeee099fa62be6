/*
 * The view as of a tree size: what every analysis reads through. It copies
 * the daily rollup rows of the days asked for out of the store once (their
 * strings interned, so equal strings are one pointer), keeps them grouped by
 * day, builds the observed set of (day, checkpoint) from coverage and
 * flows, and loads the live checkpoints, statuses and coverage once.
 */
#include "analysis/analysis_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"

int
analysis_open(struct store *st, uint64_t as_of, struct analysis **out,
              struct buf *err)
{
  struct analysis *a;

  *out = NULL;
  if (as_of > store_size(st)) {
    buf_printf(err, "--as-of %llu: the log holds only %llu entries",
               (unsigned long long)as_of, (unsigned long long)store_size(st));
    return ERR_USAGE;
  }
  a = xcalloc(1, sizeof *a);
  a->st = st;
  a->as_of = as_of ? as_of : store_size(st);
  a->c = store_corridor(st);
  a->strings = strmap_new();
  a->observed = tmap_new(2);
  a->labels = tmap_new(2);
  a->days = tmap_new(1);
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
  tmap_free(a->observed);
  tmap_free(a->labels);
  tmap_free(a->days);
  free(a->cache.v);
  free(a->day_first);
  free(a->day_count);
  free(a->label_of);
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
  /* Rows come in key order, so a column's value mostly repeats the last
   * row's: compare with it before hashing. */
  const char *last[DIM_COUNT];
};

static int
collect_row(void *ctx, const struct flow_row *row)
{
  struct collect *c = ctx;
  struct arows *r = c->rows;
  struct arow *o;

  /* A row whose records corrections or withdrawals took back is no claim:
   * kept, it would make a group of zeros (an "in 0" where no live record
   * counted inbound). */
  if (fabs(row->m[M_RECORDS]) < 1e-9 && fabs(row->m[M_VEHICLES_N]) < 1e-9 &&
      fabs(row->m[M_PERSONS_N]) < 1e-9 && fabs(row->m[M_TONNES_N]) < 1e-9)
    return OK;
  if (r->n == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 256;
    r->v = xrealloc(r->v, r->cap * sizeof *r->v);
  }
  o = &r->v[r->n++];
  memset(o, 0, sizeof *o);
  o->day = row->day;
  for (int d = DIM_CHECKPOINT; d < DIM_COUNT; d++) {
    const char *v = row->dim[d] ? row->dim[d] : "";
    if (c->last[d] == NULL || strcmp(c->last[d], v) != 0)
      c->last[d] = analysis__intern(c->a, v);
    o->dim[d] = c->last[d];
  }
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

static int
by_day(const void *x, const void *y)
{
  const struct arow *p = x, *q = y;

  return p->day < q->day ? -1 : p->day > q->day;
}

static int64_t
day_floor(int64_t seconds)
{
  return seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
}

static void
mark(struct analysis *a, int64_t day, const char *cp)
{
  uint64_t key[2] = {(uint64_t)day, (uint64_t)(uintptr_t)cp};

  tmap_put(a->observed, key, NULL);
}

/* Registers the days first..last as read, with the rows of fresh (sorted
 * by day) appended to the cache. */
static void
cache_days(struct analysis *a, int64_t first, int64_t last,
           const struct arows *fresh)
{
  size_t k = 0;

  for (int64_t d = first; d <= last; d++) {
    uint64_t key = (uint64_t)d;
    int added;
    size_t i = tmap_put(a->days, &key, &added);
    if (!added)
      continue;
    if (i == a->capdays) {
      a->capdays = a->capdays ? a->capdays * 2 : 256;
      a->day_first = xrealloc(a->day_first, a->capdays * sizeof(size_t));
      a->day_count = xrealloc(a->day_count, a->capdays * sizeof(size_t));
    }
    while (k < fresh->n && fresh->v[k].day < d)
      k++;
    a->day_first[i] = a->cache.n;
    a->day_count[i] = 0;
    for (; k < fresh->n && fresh->v[k].day == d; k++) {
      const struct arow *r = &fresh->v[k];
      if (a->cache.n == a->cache.cap) {
        a->cache.cap = a->cache.cap ? a->cache.cap * 2 : 1024;
        a->cache.v = xrealloc(a->cache.v, a->cache.cap * sizeof *r);
      }
      a->cache.v[a->cache.n++] = *r;
      a->day_count[i]++;
      if (fabs(r->m[AM_RECORDS]) >= 1e-12) /* not a corrected-away row */
        mark(a, r->day, r->dim[DIM_CHECKPOINT]);
    }
    a->ndays++;
  }
}

/* Reads from the store the days of from..to not read yet, in runs. */
static int
ensure_days(struct analysis *a, int64_t from, int64_t to)
{
  int64_t d = from;
  int rc = OK;

  if (a->all_loaded)
    return OK;
  if (a->as_of < store_size(a->st)) {
    /* An older size derives every flow again: do it once for all days. */
    struct arows fresh = {0};
    struct collect c = {a, &fresh, {0}};
    int64_t first = INT64_MAX, last = INT64_MIN;
    rc = store_each_flow_day_as_of(a->st, INT64_MIN / 4, INT64_MAX / 4,
                                   a->as_of, collect_row, &c);
    if (rc == OK && fresh.n) {
      qsort(fresh.v, fresh.n, sizeof *fresh.v, by_day);
      first = fresh.v[0].day;
      last = fresh.v[fresh.n - 1].day;
      cache_days(a, first, last, &fresh);
    }
    free(fresh.v);
    a->all_loaded = rc == OK;
    return rc;
  }
  while (d <= to && rc == OK) {
    uint64_t key = (uint64_t)d;
    size_t i;
    int64_t end = d;
    if (tmap_get(a->days, &key, &i)) {
      d++;
      continue;
    }
    for (;;) {
      uint64_t next = (uint64_t)(end + 1);
      if (end + 1 > to || tmap_get(a->days, &next, &i))
        break;
      end++;
    }
    {
      struct arows fresh = {0};
      struct collect c = {a, &fresh, {0}};
      rc = store_each_flow_day(a->st, d, end, collect_row, &c);
      if (rc == OK)
        cache_days(a, d, end, &fresh); /* the store sorts by day */
      free(fresh.v);
    }
    d = end + 1;
  }
  return rc;
}

int
analysis__rows(struct analysis *a, int64_t from, int64_t to, struct arows *rows)
{
  size_t n = 0;
  int rc;

  memset(rows, 0, sizeof *rows);
  if ((rc = analysis__load(a)) != OK || (rc = ensure_days(a, from, to)) != OK)
    return rc;
  if (to - from > (int64_t)a->ndays) {
    /* A wide range over few read days: walk the days read. */
    for (size_t i = 0; i < tmap_count(a->days); i++) {
      int64_t d = (int64_t)tmap_key(a->days, i)[0];
      if (d >= from && d <= to)
        n += a->day_count[i];
    }
  } else {
    for (int64_t d = from; d <= to; d++) {
      uint64_t key = (uint64_t)d;
      size_t i;
      if (tmap_get(a->days, &key, &i))
        n += a->day_count[i];
    }
  }
  rows->v = xmalloc((n ? n : 1) * sizeof *rows->v);
  rows->cap = n;
  for (size_t i = 0; i < tmap_count(a->days); i++) {
    int64_t d = (int64_t)tmap_key(a->days, i)[0];
    if (d < from || d > to || a->day_count[i] == 0)
      continue;
    memcpy(&rows->v[rows->n], &a->cache.v[a->day_first[i]],
           a->day_count[i] * sizeof *rows->v);
    rows->n += a->day_count[i];
  }
  return OK;
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
  if (record_time_bounds(record_get(rec, "at"), corridor_tz_offset,
                         (void *)a->c, &b, &f) != OK)
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
  /* A checkpoint-day is observed when coverage says so (or, as days are
   * read, a flow record covers it). */
  for (size_t i = 0; i < a->ncoverage; i++) {
    const struct span *sp = &a->coverage[i];
    if (!sp->state)
      continue;
    for (int64_t d = day_floor(sp->begin); d * 86400 < sp->finish; d++)
      mark(a, d, sp->checkpoint);
  }
  return rc;
}

int
analysis__observe(struct analysis *a, int64_t from, int64_t to)
{
  int rc;

  /* Coverage is marked when loaded; flows as their days are read. */
  if ((rc = analysis__load(a)) != OK)
    return rc;
  return ensure_days(a, from, to);
}

int
analysis__observed(struct analysis *a, int64_t day, const char *cp)
{
  uint64_t key[2] = {(uint64_t)day,
                     (uint64_t)(uintptr_t)analysis__intern(a, cp)};
  size_t i;

  return tmap_get(a->observed, key, &i);
}

int
analysis_span(struct analysis *a, int64_t *first, int64_t *last)
{
  int found = 0;
  int rc;

  *first = *last = 0;
  if ((rc = analysis__load(a)) != OK)
    return rc;
  if (a->as_of >= store_size(a->st)) {
    rc = store_flow_day_span(a->st, first, last);
    found = rc == OK;
    if (rc == ERR_NOTFOUND)
      rc = OK;
  } else {
    rc = ensure_days(a, 0, 0);
    for (size_t i = 0; rc == OK && i < tmap_count(a->days); i++) {
      int64_t d = (int64_t)tmap_key(a->days, i)[0];
      if (!found || d < *first)
        *first = d;
      if (!found || d > *last)
        *last = d;
      found = 1;
    }
  }
  for (size_t i = 0; i < a->nstatus + a->ncoverage; i++) {
    const struct span *s =
        i < a->nstatus ? &a->status[i] : &a->coverage[i - a->nstatus];
    int64_t d = day_floor(s->begin);
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
