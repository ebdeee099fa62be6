/*
 * The day cells a view reads (cells.h): the figures of each local day at
 * each checkpoint, built from the view's live records and coverage by the
 * same builder the store runs at ingest, so that a query reads days, and a
 * day decided once serves every query of the view.
 */
#include "analysis/analysis_int.h"

#include <stdlib.h>
#include <string.h>

#define DAY 86400
/* Days built for short ranges are kept for the view's later queries (a
 * report asks a dozen of the same period) up to this much memory; a long
 * range is built day by day and dropped. */
#define CACHE_BYTES ((size_t)64 << 20)
#define CACHE_DAYS 400

static int64_t
day_floor(int64_t seconds)
{
  return seconds >= 0 ? seconds / DAY : -((-seconds + DAY - 1) / DAY);
}

/* The records and coverage of one day at one checkpoint. */
struct bucket {
  int64_t day;
  const char *cp;
  size_t *recs, nrecs, caprecs;
  size_t *cov, ncov, capcov;
};

struct buckets {
  struct tmap *at;
  struct bucket *v;
  size_t n, cap;
};

static struct bucket *
bucket_for(struct buckets *bs, int64_t day, const char *cp)
{
  uint64_t key[2] = {(uint64_t)day, (uint64_t)(uintptr_t)cp};
  int added;
  size_t i = tmap_put(bs->at, key, &added);

  if (added) {
    bs->v = util_grow(bs->v, &bs->cap, i + 1, sizeof *bs->v);
    memset(&bs->v[i], 0, sizeof bs->v[i]);
    bs->v[i].day = day;
    bs->v[i].cp = cp;
    bs->n = i + 1;
  }
  return &bs->v[i];
}

/* The days a span reaches: [*d0, *d1]; an instant its own day. */
static void
days_of(int64_t begin, int64_t end, int64_t *d0, int64_t *d1)
{
  *d0 = day_floor(begin);
  *d1 = end > begin ? day_floor(end - 1) : *d0;
}

static int
cached_day(const struct analysis *a, int64_t day)
{
  uint64_t key[2] = {(uint64_t)day, 0};
  size_t i;

  return tmap_get(a->day_at, key, &i);
}

/* Every record and coverage record reaching a day of from..to not built
 * yet, by day and checkpoint. */
static void
gather(struct analysis *a, int64_t from, int64_t to, struct buckets *bs)
{
  for (size_t i = 0; i < a->nrecs; i++) {
    const struct frec *r = &a->recs[i];
    int64_t d0, d1;
    days_of(r->begin, r->end, &d0, &d1);
    for (int64_t d = d0 < from ? from : d0; d <= d1 && d <= to; d++) {
      struct bucket *b;
      if (cached_day(a, d))
        continue;
      b = bucket_for(bs, d, r->dim[DIM_CHECKPOINT]);
      b->recs = util_grow(b->recs, &b->caprecs, b->nrecs + 1, sizeof *b->recs);
      b->recs[b->nrecs++] = i;
    }
  }
  for (size_t i = 0; i < a->ncoverage; i++) {
    const struct span *s = &a->coverage[i];
    int64_t d0, d1;
    if (s->finish <= s->begin)
      continue; /* an instant covers no time */
    days_of(s->begin, s->finish, &d0, &d1);
    for (int64_t d = d0 < from ? from : d0; d <= d1 && d <= to; d++) {
      struct bucket *b;
      if (cached_day(a, d))
        continue;
      b = bucket_for(bs, d, s->checkpoint);
      b->cov = util_grow(b->cov, &b->capcov, b->ncov + 1, sizeof *b->cov);
      b->cov[b->ncov++] = i;
    }
  }
}

static int
by_day_cp(const void *x, const void *y)
{
  const struct bucket *p = *(const struct bucket *const *)x;
  const struct bucket *q = *(const struct bucket *const *)y;

  if (p->day != q->day)
    return p->day < q->day ? -1 : 1;
  return strcmp(p->cp, q->cp);
}

/* What the builder reads of the bucket's records and coverage. */
static void
build_bucket(struct analysis *a, const struct bucket *b, struct cells_day *out)
{
  struct cells_rec *recs = xmalloc((b->nrecs + 1) * sizeof *recs);
  struct cells_cover *cov = xmalloc((b->ncov + 1) * sizeof *cov);
  struct cells_rules rules;

  for (size_t i = 0; i < b->nrecs; i++) {
    const struct frec *r = &a->recs[b->recs[i]];
    struct cells_rec *c = &recs[i];
    c->seq = r->seq;
    c->begin = r->begin;
    c->end = r->end;
    for (int k = 0; k < CD_COUNT; k++)
      c->dim[k] = r->dim[DIM_CHECKPOINT + k];
    c->has_persons = r->has_persons;
    c->has_vehicles = r->has_vehicles;
    c->persons = r->persons;
    c->vehicles = r->vehicles;
    c->lines = &a->lines[r->line];
    c->nlines = r->nlines;
  }
  for (size_t i = 0; i < b->ncov; i++) {
    const struct span *s = &a->coverage[b->cov[i]];
    cov[i] = (struct cells_cover){s->begin, s->finish, s->state};
  }
  rules.tolerance = a->c->dispute_tolerance;
  rules.passed = analysis__intern(a, "passed");
  rules.counting = analysis__intern(a, analysis__counting_stage(a));
  if (a->builder == NULL)
    a->builder = cells_builder_new();
  cells_build(a->builder, b->day, b->cp, recs, b->nrecs, cov, b->ncov, &rules,
              out);
  free(recs);
  free(cov);
}

static size_t
day_size(const struct cells_day *d)
{
  return sizeof *d + d->nstreams * sizeof *d->streams +
         d->nparts * sizeof *d->parts + d->nspreads * sizeof *d->spreads +
         d->npieces * sizeof *d->pieces + d->nclaims * sizeof *d->claims +
         d->nlinks * sizeof *d->links;
}

/* Keeps a built day at its (day, checkpoint) key; a key with checkpoint 0
 * marks the whole day built. */
static void
keep(struct analysis *a, int64_t day, const char *cp, struct cells_day *d)
{
  uint64_t key[2] = {(uint64_t)day, (uint64_t)(uintptr_t)cp};
  size_t i = tmap_put(a->day_at, key, NULL);

  a->days = util_grow(a->days, &a->capdays, i + 1, sizeof *a->days);
  a->days[i] = d;
  a->ndays = i + 1;
  if (d)
    a->day_bytes += day_size(d);
}

/* The cached days of one day, by checkpoint. */
static int
emit_cached(struct analysis *a, int64_t day,
            int (*fn)(void *ctx, const struct cells_day *d), void *ctx)
{
  uint64_t key[2] = {(uint64_t)day, 0};
  size_t i, first, n;
  int rc = OK;

  if (!tmap_get(a->day_at, key, &i))
    return OK;
  /* The marker's cells pointer is NULL; its checkpoints follow it. */
  first = i + 1;
  for (n = 0; first + n < a->ndays && a->days[first + n] &&
              a->days[first + n]->day == day;
       n++)
    ;
  for (size_t k = 0; k < n && rc == OK; k++)
    rc = fn(ctx, a->days[first + k]);
  return rc;
}

/* Days read from the store's kept cells (store_kept_days), kept for the
 * view's later queries as built days are. */
struct kept_run {
  struct analysis *a;
  int cache;
  int64_t next; /* the first day of the run not marked yet */
  int (*fn)(void *ctx, const struct cells_day *d);
  void *ctx;
};

static const char *
kept_intern(void *ctx, const char *s)
{
  return analysis__intern(ctx, s);
}

static void
mark_to(struct kept_run *k, int64_t day)
{
  for (; k->next <= day; k->next++)
    keep(k->a, k->next, NULL, NULL);
}

static int
take_kept(void *ctx, struct cells_day *d)
{
  struct kept_run *k = ctx;
  struct cells_day *h;

  if (!k->cache)
    return k->fn(k->ctx, d);
  mark_to(k, d->day);
  h = cells_day_copy(d);
  keep(k->a, h->day, h->checkpoint, h);
  return k->fn(k->ctx, h);
}

/* The kept days of from..to, those the view has not read yet from the
 * store, in runs. ERR_NOTFOUND (before any fn) when the store keeps none
 * for the view's rules. */
static int
kept_days(struct analysis *a, int64_t from, int64_t to, int cache,
          int (*fn)(void *ctx, const struct cells_day *d), void *ctx)
{
  struct kept_run k = {a, cache, 0, fn, ctx};
  int rc = OK;

  for (int64_t day = from; day <= to && rc == OK;) {
    int64_t end = day;
    if (cached_day(a, day)) {
      rc = emit_cached(a, day, fn, ctx);
      day++;
      continue;
    }
    while (end < to && !cached_day(a, end + 1))
      end++;
    k.next = day;
    rc = store_kept_days(a->st, day, end, a->c, kept_intern, a, take_kept, &k);
    if (rc == OK && cache)
      mark_to(&k, end);
    day = end + 1;
  }
  return rc;
}

/* The days from..to built from the view's records: every flow reaching
 * them loaded into the view (whole), or read for them alone (changed days
 * of an older view: unless analysis_span read them all already). */
static int
built_days(struct analysis *a, int64_t from, int64_t to, int cache, int whole,
           int (*fn)(void *ctx, const struct cells_day *d), void *ctx)
{
  struct buckets bs = {NULL, NULL, 0, 0};
  struct bucket **order = NULL;
  struct cells_day scratch;
  size_t k = 0;
  int rc = OK;

  bs.at = tmap_new(2);
  cells_day_init(&scratch);
  if (whole)
    rc = analysis__flows_load(a, from, to);
  else if (!a->changed_read)
    rc = analysis__flows_read(a, from, to);
  if (rc != OK)
    goto out;
  gather(a, from, to, &bs);
  order = xmalloc((bs.n + 1) * sizeof *order);
  for (size_t i = 0; i < bs.n; i++)
    order[i] = &bs.v[i];
  qsort(order, bs.n, sizeof *order, by_day_cp);
  for (int64_t day = from; day <= to && rc == OK; day++) {
    if (cached_day(a, day)) {
      rc = emit_cached(a, day, fn, ctx);
      continue;
    }
    if (cache)
      keep(a, day, NULL, NULL);
    for (; k < bs.n && order[k]->day == day && rc == OK; k++) {
      struct cells_day *d = &scratch;
      if (cache) {
        d = xmalloc(sizeof *d);
        cells_day_init(d);
      }
      build_bucket(a, order[k], d);
      if (cache)
        keep(a, day, order[k]->cp, d);
      rc = fn(ctx, d);
    }
  }
out:
  for (size_t i = 0; i < bs.n; i++) {
    free(bs.v[i].recs);
    free(bs.v[i].cov);
  }
  free(bs.v);
  free(order);
  tmap_free(bs.at);
  cells_day_cleanup(&scratch);
  return rc;
}

static int
discard_day(void *ctx, struct cells_day *d)
{
  (void)ctx;
  (void)d;
  return OK;
}

/* A view of an older size (--as-of): the kept days where nothing appended
 * since changed them, the changed ones built (changed.c). ERR_NOTFOUND,
 * before any fn, when the kept days cannot serve the view. */
static int
older_days(struct analysis *a, int64_t from, int64_t to, int cache,
           int (*fn)(void *ctx, const struct cells_day *d), void *ctx)
{
  int rc;

  if ((rc = analysis__changed_load(a)) != OK)
    return rc;
  if (a->changed_state < 0)
    return ERR_NOTFOUND;
  if (a->kept == 0) {
    /* Kept for the view's rules at all: one day read to know. */
    rc = store_kept_days(a->st, from, from, a->c, kept_intern, a, discard_day,
                         NULL);
    if (rc != OK)
      return rc;
    a->kept = 1;
  }
  for (int64_t day = from; day <= to && rc == OK;) {
    int changed = analysis__day_changed(a, day);
    int64_t end = day;
    while (end < to && analysis__day_changed(a, end + 1) == changed)
      end++;
    rc = changed ? built_days(a, day, end, cache, 0, fn, ctx)
                 : kept_days(a, day, end, cache, fn, ctx);
    day = end + 1;
  }
  return rc;
}

int
analysis__days(struct analysis *a, int64_t from, int64_t to,
               int (*fn)(void *ctx, const struct cells_day *d), void *ctx)
{
  int cache = to - from + 1 <= CACHE_DAYS && a->day_bytes < CACHE_BYTES;
  int rc;

  if (a->day_at == NULL)
    a->day_at = tmap_new(2);
  /* The store's kept days serve a view of its current state built with
   * the rules in force, and the days an older one has in common with it. */
  if (a->kept >= 0) {
    rc = a->as_of >= store_size(a->st)
             ? kept_days(a, from, to, cache, fn, ctx)
             : older_days(a, from, to, cache, fn, ctx);
    if (rc != ERR_NOTFOUND) {
      if (rc == OK)
        a->kept = 1;
      return rc;
    }
    a->kept = -1;
  }
  return built_days(a, from, to, cache, 1, fn, ctx);
}

/* A flow the view has not read (named by a kept day): its texts from its
 * entry, read as the view reads flows. */
struct texts_of {
  struct analysis *a;
  const char *t[3];
  int found;
};

static int
read_texts(void *ctx, const struct store_entry *e)
{
  struct texts_of *x = ctx;
  struct record rec;
  struct record_ctx rctx;
  struct buf err;
  const char *start, *end;
  int rc;

  memset(&rctx, 0, sizeof rctx);
  rctx.categories = store_categories(x->a->st);
  record_init(&rec, KIND_flow);
  buf_init(&err);
  rc = record_from_json(&rec, KIND_flow, &rctx, e->bytes, e->len, &err);
  if (rc == OK) {
    start = record_get(&rec, "start");
    end = record_get(&rec, "end");
    x->t[0] = analysis__intern(x->a, record_get(&rec, "id"));
    x->t[1] = analysis__intern(x->a, start);
    x->t[2] = analysis__intern(x->a, end ? end : start);
    x->found = 1;
  }
  record_cleanup(&rec);
  buf_cleanup(&err);
  return rc == OK ? OK : ERR_STORE;
}

static int
stored_texts(struct analysis *a, uint64_t seq, const char **id,
             const char **start, const char **finish)
{
  struct texts_of x = {a, {NULL, NULL, NULL}, 0};
  uint64_t key = seq;
  size_t i;
  int added, rc;

  if (a->text_at == NULL)
    a->text_at = tmap_new(1);
  if (!tmap_get(a->text_at, &key, &i)) {
    rc = store_each_entry(a->st, KIND_flow, seq, seq + 1, read_texts, &x);
    if (rc != OK)
      return rc;
    if (!x.found)
      return ERR_NOTFOUND;
    i = tmap_put(a->text_at, &key, &added);
    a->texts = util_grow(a->texts, &a->captexts, 3 * (i + 1), sizeof *a->texts);
    memcpy(&a->texts[3 * i], x.t, sizeof x.t);
    a->ntexts = i + 1;
  }
  *id = a->texts[3 * i];
  *start = a->texts[3 * i + 1];
  *finish = a->texts[3 * i + 2];
  return OK;
}

int
analysis__flow_texts(struct analysis *a, uint64_t seq, const char **id,
                     const char **start, const char **finish)
{
  size_t lo = 0, hi = a->nrecs;

  /* The view's records are in log order. */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (a->recs[mid].seq < seq)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == a->nrecs || a->recs[lo].seq != seq)
    return stored_texts(a, seq, id, start, finish);
  *id = a->recs[lo].id;
  *start = a->recs[lo].start;
  *finish = a->recs[lo].finish;
  return OK;
}
