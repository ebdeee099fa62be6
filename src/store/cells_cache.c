/*
 * The writer's cache of the records its kept days are built from
 * (cells_cache.h). Days are found through a tmap keyed (day, checkpoint);
 * a dropped day keeps its slot, empty, until the cache is cleared, so that
 * indexes stay stable (a writer meets a few slots a day: they are small).
 */
#include "store/cells_cache.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* A record as held: its ten dimensions one index into the day's distinct
 * tuples of them (a busy day's records share a few), so that a server can
 * hold a few hundred thousand in its budget. */
struct held_rec {
  uint64_t seq;
  int64_t begin, end;
  double persons, vehicles;
  uint32_t dims;
  uint32_t nlines : 30, has_persons : 1, has_vehicles : 1;
};

struct held_day {
  struct held_rec *v;
  struct cells_line *lines;
  const char *(*dims)[CD_COUNT];
  size_t n, nlines, ndims;
  size_t bytes;
  uint64_t used; /* the clock when last read or put */
  int held;
};

struct cells_cache {
  size_t budget, bytes;
  uint64_t dropped; /* held days dropped, by a clear or for room */
  uint64_t clock;
  struct tmap *at;
  struct held_day *days;
  size_t capdays;
  struct cells_cover *cover;
  const char **cover_cp;
  size_t ncover, cover_bytes;
  int cover_held;
};

static const struct cells_cover no_cover;

struct cells_cache *
cells_cache_new(size_t bytes)
{
  struct cells_cache *c;

  if (bytes == 0)
    return NULL;
  c = xcalloc(1, sizeof *c);
  c->budget = bytes;
  c->at = tmap_new(2);
  return c;
}

static void
drop_day(struct cells_cache *c, struct held_day *d)
{
  if (!d->held)
    return;
  free(d->v);
  free(d->lines);
  free(d->dims);
  c->bytes -= d->bytes;
  memset(d, 0, sizeof *d);
}

static void
drop_cover(struct cells_cache *c)
{
  free(c->cover);
  free(c->cover_cp);
  c->cover = NULL;
  c->cover_cp = NULL;
  c->bytes -= c->cover_bytes;
  c->ncover = c->cover_bytes = 0;
  c->cover_held = 0;
}

void
cells_cache_clear(struct cells_cache *c)
{
  if (c == NULL)
    return;
  for (size_t i = 0; i < tmap_count(c->at); i++) {
    c->dropped += c->days[i].held != 0;
    drop_day(c, &c->days[i]);
  }
  tmap_clear(c->at);
  drop_cover(c);
}

size_t
cells_cache_bytes(const struct cells_cache *c)
{
  return c ? c->bytes : 0;
}

uint64_t
cells_cache_dropped(const struct cells_cache *c)
{
  return c ? c->dropped : 0;
}

void
cells_cache_free(struct cells_cache *c)
{
  if (c == NULL)
    return;
  cells_cache_clear(c);
  tmap_free(c->at);
  free(c->days);
  free(c);
}

static struct held_day *
held(struct cells_cache *c, int64_t day, const char *cp)
{
  uint64_t key[2] = {(uint64_t)day, (uint64_t)(uintptr_t)cp};
  size_t i;

  if (c == NULL || !tmap_get(c->at, key, &i) || !c->days[i].held)
    return NULL;
  return &c->days[i];
}

int
cells_cache_holds(struct cells_cache *c, int64_t day, const char *cp)
{
  return held(c, day, cp) != NULL;
}

int
cells_cache_each(struct cells_cache *c, int64_t day, const char *cp,
                 int (*fn)(void *ctx, const struct cells_rec *rec), void *ctx)
{
  struct held_day *d = held(c, day, cp);
  size_t line = 0;
  int rc = 0;

  if (d == NULL)
    return 0;
  d->used = ++c->clock;
  for (size_t i = 0; i < d->n && rc == 0; i++) {
    const struct held_rec *h = &d->v[i];
    struct cells_rec r;
    memset(&r, 0, sizeof r);
    r.seq = h->seq;
    r.begin = h->begin;
    r.end = h->end;
    memcpy(r.dim, d->dims[h->dims], sizeof r.dim);
    r.has_persons = h->has_persons;
    r.has_vehicles = h->has_vehicles;
    r.persons = h->persons;
    r.vehicles = h->vehicles;
    r.nlines = h->nlines;
    r.lines = h->nlines ? &d->lines[line] : NULL;
    line += h->nlines;
    rc = fn(ctx, &r);
  }
  return rc;
}

/* Drops the least recently used days (never keep) until what is held
 * and need fit the budget. */
static void
make_room(struct cells_cache *c, size_t need, size_t keep)
{
  size_t count = tmap_count(c->at);

  while (c->bytes + need > c->budget) {
    size_t old = SIZE_MAX;
    for (size_t i = 0; i < count; i++)
      if (i != keep && c->days[i].held &&
          (old == SIZE_MAX || c->days[i].used < c->days[old].used))
        old = i;
    if (old == SIZE_MAX)
      return;
    c->dropped++;
    drop_day(c, &c->days[old]);
  }
}

void
cells_cache_put_day(struct cells_cache *c, int64_t day, const char *cp,
                    const struct cells_rec *v, const size_t *idx, size_t n)
{
  uint64_t key[2] = {(uint64_t)day, (uint64_t)(uintptr_t)cp};
  struct held_day *d;
  struct tmap *tuples;
  size_t i, nlines = 0, bytes, at = 0, capdims = 0;
  int added;

  if (c == NULL)
    return;
  i = tmap_put(c->at, key, &added);
  if (added) {
    c->days = util_grow(c->days, &c->capdays, i + 1, sizeof *c->days);
    memset(&c->days[i], 0, sizeof c->days[i]);
  }
  d = &c->days[i];
  drop_day(c, d);
  for (size_t k = 0; k < n; k++)
    nlines += v[idx[k]].nlines;
  bytes = n * sizeof *d->v + nlines * sizeof *d->lines + sizeof *d;
  if (bytes > c->budget)
    return;
  d->v = n ? xmalloc(n * sizeof *d->v) : NULL;
  d->lines = nlines ? xmalloc(nlines * sizeof *d->lines) : NULL;
  tuples = tmap_new(CD_COUNT);
  for (size_t k = 0; k < n; k++) {
    const struct cells_rec *r = &v[idx[k]];
    struct held_rec *h = &d->v[k];
    uint64_t t[CD_COUNT];
    size_t ti;
    for (int j = 0; j < CD_COUNT; j++)
      t[j] = (uint64_t)(uintptr_t)r->dim[j];
    ti = tmap_put(tuples, t, &added);
    if (added) {
      d->dims = util_grow(d->dims, &capdims, ti + 1, sizeof *d->dims);
      memcpy(d->dims[ti], r->dim, sizeof d->dims[ti]);
      d->ndims = ti + 1;
    }
    h->seq = r->seq;
    h->begin = r->begin;
    h->end = r->end;
    h->persons = r->persons;
    h->vehicles = r->vehicles;
    h->dims = (uint32_t)ti;
    h->nlines = (uint32_t)r->nlines;
    h->has_persons = r->has_persons != 0;
    h->has_vehicles = r->has_vehicles != 0;
    if (r->nlines)
      memcpy(&d->lines[at], r->lines, r->nlines * sizeof *d->lines);
    at += r->nlines;
  }
  tmap_free(tuples);
  bytes += d->ndims * sizeof *d->dims;
  make_room(c, bytes, i);
  if (bytes > c->budget || c->bytes + bytes > c->budget) {
    free(d->v);
    free(d->lines);
    free(d->dims);
    memset(d, 0, sizeof *d);
    return;
  }
  d->n = n;
  d->nlines = nlines;
  d->bytes = bytes;
  d->used = ++c->clock;
  d->held = 1;
  c->bytes += bytes;
}

const struct cells_cover *
cells_cache_cover(const struct cells_cache *c, const char *const **cp,
                  size_t *n)
{
  *n = 0;
  *cp = NULL;
  if (c == NULL || !c->cover_held)
    return NULL;
  *n = c->ncover;
  *cp = c->cover_cp;
  return c->cover ? c->cover : &no_cover;
}

void
cells_cache_put_cover(struct cells_cache *c, const struct cells_cover *cover,
                      const char *const *cp, size_t n)
{
  size_t bytes;

  if (c == NULL)
    return;
  drop_cover(c);
  bytes = n * (sizeof *cover + sizeof *cp);
  if (bytes > c->budget / 2)
    return;
  make_room(c, bytes, SIZE_MAX);
  if (n) {
    c->cover = xmalloc(n * sizeof *cover);
    c->cover_cp = xmalloc(n * sizeof *cp);
    memcpy(c->cover, cover, n * sizeof *cover);
    memcpy(c->cover_cp, cp, n * sizeof *cp);
  }
  c->ncover = n;
  c->cover_bytes = bytes;
  c->cover_held = 1;
  c->bytes += bytes;
}
