/*
 * Each kind's live records, read once a view. A sitrep asks for the same
 * kinds many times over (the statuses for the view and for the timeline,
 * the stocks for the outlook and once more per category for the figures'
 * sources, the checkpoints, the coverage): each time the store read every
 * entry of the kind again, scattered through the log's file, and parsed
 * its JSON. The first reading keeps the records packed (record_pack); the
 * next ones unpack them. Flows are never kept (there are millions: the
 * view reads them by day), nor a kind past LIVE_MAX bytes, which is then
 * read from the store each time as before.
 */
#include "analysis/analysis_int.h"

#include <stdlib.h>
#include <string.h>

#define LIVE_MAX (32u << 20)

struct analysis__live {
  struct buf bytes;
  size_t *off, *len;
  uint64_t *seq;
  size_t n, cap;
  int state; /* 0 not read yet, 1 kept, -1 too big to keep */
};

struct first {
  struct analysis__live *l;
  int (*fn)(void *ctx, const struct record *rec, uint64_t seq);
  void *ctx;
};

static void
drop(struct analysis__live *l)
{
  buf_cleanup(&l->bytes);
  free(l->off);
  free(l->len);
  free(l->seq);
  l->off = l->len = NULL;
  l->seq = NULL;
  l->n = l->cap = 0;
}

static int
keep(void *ctx, const struct record *rec, uint64_t seq)
{
  struct first *f = ctx;
  struct analysis__live *l = f->l;

  if (l->state == 0) {
    size_t at = l->bytes.len;
    record_pack(rec, &l->bytes);
    if (l->bytes.len > LIVE_MAX) {
      drop(l);
      l->state = -1;
    } else {
      if (l->n == l->cap) {
        size_t cap = l->cap;
        l->off = util_grow(l->off, &cap, l->n + 1, sizeof *l->off);
        cap = l->cap;
        l->len = util_grow(l->len, &cap, l->n + 1, sizeof *l->len);
        cap = l->cap;
        l->seq = util_grow(l->seq, &cap, l->n + 1, sizeof *l->seq);
        l->cap = cap;
      }
      l->off[l->n] = at;
      l->len[l->n] = l->bytes.len - at;
      l->seq[l->n++] = seq;
    }
  }
  return f->fn(f->ctx, rec, seq);
}

int
analysis_each_record(struct analysis *a, enum record_kind kind,
                     int (*fn)(void *ctx, const struct record *rec,
                               uint64_t seq),
                     void *ctx)
{
  struct analysis__live *l;
  struct record rec;
  int rc = OK;

  if (kind == KIND_flow || (unsigned)kind >= KIND_COUNT)
    return store_each_live(a->st, kind, a->as_of, fn, ctx);
  if (a->live == NULL)
    a->live = xcalloc(KIND_COUNT, sizeof *a->live);
  l = &a->live[kind];
  if (l->state == -1)
    return store_each_live(a->st, kind, a->as_of, fn, ctx);
  if (l->state == 0) {
    struct first f = {l, fn, ctx};
    rc = store_each_live(a->st, kind, a->as_of, keep, &f);
    if (rc != OK || l->state == -1) {
      /* Cut short (by fn or the store): what was kept is not all. */
      drop(l);
      l->state = l->state == -1 ? -1 : 0;
      return rc;
    }
    l->state = 1;
    return OK;
  }
  record_init(&rec, kind);
  for (size_t i = 0; i < l->n && rc == OK; i++) {
    if (record_unpack(&rec, l->bytes.data + l->off[i], l->len[i]) != OK)
      abort(); /* packed by this view a moment ago: a bug */
    rc = fn(ctx, &rec, l->seq[i]);
  }
  record_cleanup(&rec);
  return rc;
}

int
analysis_each_record_near(struct analysis *a, enum record_kind kind,
                          const char *field, int64_t from, int64_t to,
                          int (*fn)(void *ctx, const struct record *rec,
                                    uint64_t seq),
                          void *ctx)
{
  /* Kept whole already: those are at hand. */
  if (kind != KIND_flow && (unsigned)kind < KIND_COUNT && a->live &&
      a->live[kind].state == 1)
    return analysis_each_record(a, kind, fn, ctx);
  return store_each_live_near(a->st, kind, field, from, to, a->as_of, fn, ctx);
}

void
analysis__live_free(struct analysis *a)
{
  if (a->live == NULL)
    return;
  for (int k = 0; k < KIND_COUNT; k++)
    drop(&a->live[k]);
  free(a->live);
  a->live = NULL;
}
