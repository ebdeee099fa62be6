/*
 * Reading the store as it was at a tree size: what a report published with
 * that size saw, whatever was recorded since. Only entries below the size
 * count, and only the corrections among them.
 */
#include "store/store_int.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

void
store__stored_ctx(const struct store *st, struct record_ctx *ctx)
{
  memset(ctx, 0, sizeof *ctx);
  ctx->categories = store_categories(st);
  ctx->stored = 1;
}

struct live {
  struct store *st;
  struct record rec;
  struct buf err;
  struct record_ctx rctx;
  int (*fn)(void *ctx, const struct record *rec, uint64_t seq);
  void *ctx;
};

static int
each_live(void *ctx, const struct store_entry *e)
{
  struct live *l = ctx;

  record_reset(&l->rec);
  buf_reset(&l->err);
  if (record_from_json(&l->rec, (int)e->kind, &l->rctx, e->bytes, e->len,
                       &l->err) != OK) {
    store__set_error(l->st, _("entry %llu cannot be read: %s"),
                     (unsigned long long)e->seq,
                     l->err.data ? l->err.data : "");
    return ERR_STORE;
  }
  return l->fn(l->ctx, &l->rec, e->seq);
}

/* A record as its query row has it: what parsing its entry gives (the
 * auditor compares the two, field by field). */
static int
each_live_row(void *ctx, const struct store_row *row)
{
  struct live *l = ctx;
  const struct kind_desc *k = l->rec.kind;

  record_reset(&l->rec);
  for (size_t i = 0; i < k->nfields; i++) {
    const struct store_value *v = &row->v[i];
    if ((k->fields[i].flags & (FF_CARGO | FF_INPUT)) || !v->set)
      continue;
    record_put_stored(&l->rec, (int)i, v->text, v->len, v->num);
  }
  return l->fn(l->ctx, &l->rec, row->seq);
}

int
store_each_live(struct store *st, enum record_kind kind, uint64_t as_of,
                int (*fn)(void *ctx, const struct record *rec, uint64_t seq),
                void *ctx)
{
  struct live l = {.st = st, .fn = fn, .ctx = ctx};
  int rc;

  store__stored_ctx(st, &l.rctx);
  record_init(&l.rec, kind);
  buf_init(&l.err);
  if (kind != KIND_flow && st->be->each_live_row)
    rc = st->be->each_live_row(st->db, kind, as_of, NULL, each_live_row, &l);
  else
    rc = st->be->each_live(st->db, kind, as_of, each_live, &l);
  record_cleanup(&l.rec);
  buf_cleanup(&l.err);
  return rc;
}

/* The slack around a period: a time's stored bounds were worked out when
 * it was stored, by the time zone data of that machine, which may have
 * moved an offset since; two days is more than any offset moves. */
#define NEAR_SLACK (2 * 86400)

/* The field of kind called name, if it is a time; else NULL. */
static const char *
time_field(enum record_kind kind, const char *name)
{
  const struct kind_desc *k = record_kind_desc(kind);
  int fi = record_field_index(k, name);

  return fi >= 0 && k->fields[fi].type == FT_TIME ? k->fields[fi].name : NULL;
}

static int
live_rows(struct store *st, enum record_kind kind, uint64_t as_of,
          const struct store_row_filter *f,
          int (*fn)(void *ctx, const struct record *rec, uint64_t seq),
          void *ctx)
{
  struct live l = {.st = st, .fn = fn, .ctx = ctx};
  int rc;

  store__stored_ctx(st, &l.rctx);
  record_init(&l.rec, kind);
  buf_init(&l.err);
  rc = st->be->each_live_row(st->db, kind, as_of, f, each_live_row, &l);
  record_cleanup(&l.rec);
  buf_cleanup(&l.err);
  return rc;
}

int
store_each_live_near(struct store *st, enum record_kind kind, const char *field,
                     int64_t from, int64_t to, uint64_t as_of,
                     int (*fn)(void *ctx, const struct record *rec,
                               uint64_t seq),
                     void *ctx)
{
  struct store_row_filter f = {time_field(kind, field),
                               from - NEAR_SLACK,
                               to + NEAR_SLACK,
                               NULL,
                               NULL,
                               0};

  if (kind == KIND_flow || st->be->each_live_row == NULL || f.time == NULL ||
      from < INT64_MIN / 4 || to > INT64_MAX / 4)
    return store_each_live(st, kind, as_of, fn, ctx);
  return live_rows(st, kind, as_of, &f, fn, ctx);
}

int
store_each_live_back(
    struct store *st, enum record_kind kind, const char *field,
    const char *match, const char *value, int64_t before, uint64_t as_of,
    int (*fn)(void *ctx, const struct record *rec, uint64_t seq), void *ctx)
{
  struct store_row_filter f = {
      time_field(kind, field), INT64_MIN, before + NEAR_SLACK, match, value, 1};

  if (kind == KIND_flow || st->be->each_live_row == NULL || f.time == NULL ||
      before < INT64_MIN / 4 || before > INT64_MAX / 4 ||
      record_field_index(record_kind_desc(kind), match) < 0)
    return ERR_NOTFOUND;
  return live_rows(st, kind, as_of, &f, fn, ctx);
}

int
store_each_value(struct store *st, enum record_kind kind, const char *field,
                 int (*fn)(void *ctx, const char *value), void *ctx)
{
  const struct kind_desc *k = record_kind_desc(kind);
  int fi = record_field_index(k, field);

  if (st->be->each_value == NULL || fi < 0 ||
      (k->fields[fi].flags & (FF_CARGO | FF_INPUT)) ||
      k->fields[fi].type == FT_COUNT || k->fields[fi].type == FT_NUMBER ||
      k->fields[fi].type == FT_TIME)
    return ERR_NOTFOUND;
  return st->be->each_value(st->db, kind, k->fields[fi].name, fn, ctx);
}

struct derive {
  struct rollup *ru;
  const struct corridor *c;
  int64_t from, to;
  int (*fn)(void *ctx, const struct flow_row *row);
  void *ctx;
};

static int
add_flow(void *ctx, const struct record *rec, uint64_t seq)
{
  struct derive *d = ctx;

  (void)seq;
  rollup_add_record(d->ru, rec, 1, d->c);
  return OK;
}

static int
in_range(void *ctx, const struct flow_row *row)
{
  struct derive *d = ctx;

  if (row->day < d->from || row->day > d->to)
    return OK;
  return d->fn(d->ctx, row);
}

int
store_each_flow_day_as_of(struct store *st, int64_t from_day, int64_t to_day,
                          uint64_t as_of,
                          int (*fn)(void *ctx, const struct flow_row *row),
                          void *ctx)
{
  struct derive d = {rollup_new(), store_corridor(st), from_day, to_day, fn,
                     ctx};
  int rc;

  if (as_of >= store_size(st)) {
    rollup_free(d.ru);
    return store_each_flow_day(st, from_day, to_day, fn, ctx);
  }
  /* Every live flow of that time; those outside the period add rows that
   * in_range skips. Reports ask for recent sizes of small logs, or accept
   * the wait. */
  rc = store_each_live(st, KIND_flow, as_of, add_flow, &d);
  if (rc == OK)
    rc = rollup_each(d.ru, in_range, &d);
  rollup_free(d.ru);
  return rc;
}

struct overlap {
  struct live l;
  int64_t from, to;
  int f_start, f_end;
};

/* Keeps the flows whose interval meets [from, to): the backend's bounds
 * also let through those that end where the period begins. */
static int
each_overlap(void *ctx, const struct store_entry *e)
{
  struct overlap *o = ctx;
  struct live *l = &o->l;
  const struct corridor *c = store_corridor(l->st);
  int64_t b, f, eb, ef;

  record_reset(&l->rec);
  buf_reset(&l->err);
  if (record_from_json(&l->rec, KIND_flow, &l->rctx, e->bytes, e->len,
                       &l->err) != OK) {
    store__set_error(l->st, _("entry %llu cannot be read: %s"),
                     (unsigned long long)e->seq,
                     l->err.data ? l->err.data : "");
    return ERR_STORE;
  }
  if (record_time_bounds(record_text(&l->rec, &l->rec.v[o->f_start]),
                         corridor_tz_offset, (void *)c, &b, &ef) != OK)
    return OK;
  if (record_time_bounds(record_text(&l->rec, &l->rec.v[o->f_end]),
                         corridor_tz_offset, (void *)c, &eb, &f) != OK)
    f = ef;
  if (f > b ? (b >= o->to || f <= o->from) : (b < o->from || b >= o->to))
    return OK;
  return l->fn(l->ctx, &l->rec, e->seq);
}

static void
overlap_init(struct overlap *o, struct store *st, int64_t from, int64_t to,
             int (*fn)(void *ctx, const struct record *rec, uint64_t seq),
             void *ctx)
{
  const struct kind_desc *k = record_kind_desc(KIND_flow);

  memset(o, 0, sizeof *o);
  o->l.st = st;
  o->l.fn = fn;
  o->l.ctx = ctx;
  o->from = from;
  o->to = to;
  o->f_start = record_field_index(k, "start");
  o->f_end = record_field_index(k, "end");
  o->l.rctx.categories = store_categories(st);
  record_init(&o->l.rec, KIND_flow);
  buf_init(&o->l.err);
}

static void
overlap_cleanup(struct overlap *o)
{
  record_cleanup(&o->l.rec);
  buf_cleanup(&o->l.err);
}

int
store_each_flow_overlapping(struct store *st, int64_t from, int64_t to,
                            const char *const *checkpoints, uint64_t as_of,
                            int (*fn)(void *ctx, const struct record *rec,
                                      uint64_t seq),
                            void *ctx)
{
  struct overlap o;
  int rc = OK;

  overlap_init(&o, st, from, to, fn, ctx);
  if (checkpoints == NULL)
    rc = st->be->each_flow_overlap(st->db, NULL, from, to, as_of, each_overlap,
                                   &o);
  for (size_t i = 0; checkpoints && checkpoints[i] && rc == OK; i++)
    rc = st->be->each_flow_overlap(st->db, checkpoints[i], from, to, as_of,
                                   each_overlap, &o);
  overlap_cleanup(&o);
  return rc;
}

int
store_each_changed_span(struct store *st, uint64_t from, uint64_t to,
                        int (*fn)(void *ctx, int target, int64_t begin,
                                  int64_t finish),
                        void *ctx)
{
  if (st->be->each_changed_span == NULL)
    return ERR_NOTFOUND;
  return st->be->each_changed_span(st->db, from, to, fn, ctx);
}

struct near {
  struct overlap *o;
  struct store *st;
  int64_t lo;
  uint64_t as_of;
};

static int
near_checkpoint(void *ctx, const char *cp)
{
  struct near *n = ctx;

  return n->st->be->each_flow_near(n->st->db, cp, n->lo, n->o->from, n->o->to,
                                   n->as_of, each_overlap, n->o);
}

int
store_each_flow_from(
    struct store *st, int64_t lo, int64_t from, int64_t to, uint64_t as_of,
    int (*fn)(void *ctx, const struct record *rec, uint64_t seq), void *ctx)
{
  struct overlap o;
  struct near n = {&o, st, lo, as_of};
  int rc;

  if (st->be->each_flow_near == NULL || st->be->each_flow_checkpoint == NULL)
    return ERR_NOTFOUND;
  overlap_init(&o, st, from, to, fn, ctx);
  rc = st->be->each_flow_checkpoint(st->db, near_checkpoint, &n);
  overlap_cleanup(&o);
  return rc;
}
