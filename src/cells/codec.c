/*
 * A day's cells as bytes. Integers are unsigned LEB128 (times zigzag),
 * figures IEEE doubles little-endian, so that a stored figure is the
 * computed one to the last bit and two encodings of the same cells are the
 * same bytes. Strings are dictionary codes.
 *
 *   u8 version (1), u8 observed in, u8 observed out, n streams, then each:
 *     direction, outcome, stage, class (codes), u8 measure, u8 family,
 *     n parts, each: 7 dimension codes (vehicle, category, operator,
 *       purpose, source, grade, stage), own, won, u8 flags (1 counted,
 *       2 linked), n spread records, each: seq, begin, end - begin,
 *       u8 counted;
 *     n pieces, each: n claims (source, grade, value), n links (the part's
 *       index within the stream).
 */
#include "cells/cells.h"

#include "util/bytes.h"

#include <string.h>

#define VERSION 1

static const int part_dims[] = {CD_VEHICLE, CD_CATEGORY, CD_OPERATOR,
                                CD_PURPOSE, CD_SOURCE,   CD_GRADE,
                                CD_STAGE};
#define NPART_DIMS (sizeof part_dims / sizeof *part_dims)

struct enc {
  uint32_t (*code)(void *ctx, const char *s);
  void *ctx;
  struct buf *out;
};

static void
put_text(struct enc *e, const char *s)
{
  util_bytes_put_uint(e->out, s ? e->code(e->ctx, s) : 0);
}

static void
put_part(struct enc *e, const struct cells_day *d, const struct cells_part *p)
{
  for (size_t k = 0; k < NPART_DIMS; k++)
    put_text(e, p->dim[part_dims[k]]);
  util_bytes_put_double(e->out, p->own);
  util_bytes_put_double(e->out, p->won);
  util_bytes_put_u8(e->out, (p->counted ? 1u : 0u) | (p->linked ? 2u : 0u));
  util_bytes_put_uint(e->out, p->nspread);
  for (size_t i = 0; i < p->nspread; i++) {
    const struct cells_spread *s = &d->spreads[p->spread + i];
    util_bytes_put_uint(e->out, s->seq);
    util_bytes_put_int(e->out, s->begin);
    util_bytes_put_int(e->out, s->end - s->begin);
    util_bytes_put_u8(e->out, s->counted ? 1u : 0u);
  }
}

void
cells_encode(const struct cells_day *d,
             uint32_t (*code)(void *ctx, const char *s), void *ctx,
             struct buf *out)
{
  struct enc e = {code, ctx, out};

  util_bytes_put_u8(out, VERSION);
  util_bytes_put_u8(out, d->observed[0]);
  util_bytes_put_u8(out, d->observed[1]);
  util_bytes_put_uint(out, d->nstreams);
  for (size_t i = 0; i < d->nstreams; i++) {
    const struct cells_stream *s = &d->streams[i];
    put_text(&e, s->direction);
    put_text(&e, s->outcome);
    put_text(&e, s->stage);
    put_text(&e, s->cls);
    util_bytes_put_u8(out, (unsigned)s->measure);
    util_bytes_put_u8(out, (unsigned)s->family);
    util_bytes_put_uint(out, s->nparts);
    for (size_t k = 0; k < s->nparts; k++)
      put_part(&e, d, &d->parts[s->part + k]);
    util_bytes_put_uint(out, s->npieces);
    for (size_t k = 0; k < s->npieces; k++) {
      const struct cells_piece *p = &d->pieces[s->piece + k];
      util_bytes_put_uint(out, p->nclaims);
      for (size_t c = 0; c < p->nclaims; c++) {
        put_text(&e, d->claims[p->claim + c].source);
        put_text(&e, d->claims[p->claim + c].grade);
        util_bytes_put_double(out, d->claims[p->claim + c].value);
      }
      util_bytes_put_uint(out, p->nlinks);
      for (size_t l = 0; l < p->nlinks; l++)
        util_bytes_put_uint(out, d->links[p->link + l] - s->part);
    }
  }
}

/* Decoding. */

struct dec {
  struct util_bytes r;
  const char *(*text)(void *ctx, uint32_t code);
  void *ctx;
};

static const char *
get_text(struct dec *x)
{
  uint64_t c = util_bytes_uint(&x->r);
  const char *s;

  if (c == 0)
    return NULL;
  if (c > UINT32_MAX || (s = x->text(x->ctx, (uint32_t)c)) == NULL) {
    x->r.bad = 1;
    return NULL;
  }
  return s;
}

static void
get_part(struct dec *x, struct cells_day *d, const struct cells_stream *s,
         struct cells_part *p)
{
  unsigned flags;
  size_t n;

  memset(p, 0, sizeof *p);
  p->dim[CD_CHECKPOINT] = d->checkpoint;
  p->dim[CD_DIRECTION] = s->direction;
  p->dim[CD_OUTCOME] = s->outcome;
  for (size_t k = 0; k < NPART_DIMS; k++)
    p->dim[part_dims[k]] = get_text(x);
  p->own = util_bytes_double(&x->r);
  p->won = util_bytes_double(&x->r);
  flags = util_bytes_u8(&x->r);
  p->counted = (flags & 1) != 0;
  p->linked = (flags & 2) != 0;
  n = util_bytes_count(&x->r, 4);
  p->spread = d->nspreads;
  p->nspread = n;
  d->spreads = util_grow(d->spreads, &d->capspreads, d->nspreads + n + 1,
                         sizeof *d->spreads);
  for (size_t i = 0; i < n && !x->r.bad; i++) {
    struct cells_spread *sp = &d->spreads[d->nspreads++];
    sp->seq = util_bytes_uint(&x->r);
    sp->begin = util_bytes_int(&x->r);
    sp->end = sp->begin + util_bytes_int(&x->r);
    sp->counted = util_bytes_u8(&x->r) != 0;
  }
}

static void
get_piece(struct dec *x, struct cells_day *d, const struct cells_stream *s,
          struct cells_piece *p)
{
  size_t n = util_bytes_count(&x->r, 10);

  p->claim = d->nclaims;
  p->nclaims = n;
  d->claims = util_grow(d->claims, &d->capclaims, d->nclaims + n + 1,
                        sizeof *d->claims);
  for (size_t c = 0; c < n && !x->r.bad; c++) {
    struct cells_claim *cl = &d->claims[d->nclaims++];
    cl->source = get_text(x);
    cl->grade = get_text(x);
    cl->value = util_bytes_double(&x->r);
  }
  n = util_bytes_count(&x->r, 1);
  p->link = d->nlinks;
  p->nlinks = n;
  d->links =
      util_grow(d->links, &d->caplinks, d->nlinks + n + 1, sizeof *d->links);
  for (size_t l = 0; l < n && !x->r.bad; l++) {
    uint64_t k = util_bytes_uint(&x->r);
    if (k >= s->nparts)
      x->r.bad = 1;
    d->links[d->nlinks++] = s->part + (size_t)k;
  }
}

static void
get_stream(struct dec *x, struct cells_day *d, struct cells_stream *s)
{
  memset(s, 0, sizeof *s);
  s->direction = get_text(x);
  s->outcome = get_text(x);
  s->stage = get_text(x);
  s->cls = get_text(x);
  s->measure = (int)util_bytes_u8(&x->r);
  s->family = (int)util_bytes_u8(&x->r);
  if (s->direction == NULL || s->outcome == NULL || s->measure >= CM_COUNT ||
      s->family == 0 || (s->family & ~(CELLS_FLOW | CELLS_STAGE)))
    x->r.bad = 1;
  s->nparts = util_bytes_count(&x->r, 20);
  s->part = d->nparts;
  d->parts = util_grow(d->parts, &d->capparts, d->nparts + s->nparts + 1,
                       sizeof *d->parts);
  for (size_t k = 0; k < s->nparts && !x->r.bad; k++)
    get_part(x, d, s, &d->parts[d->nparts++]);
  s->npieces = util_bytes_count(&x->r, 2);
  s->piece = d->npieces;
  d->pieces = util_grow(d->pieces, &d->cappieces, d->npieces + s->npieces + 1,
                        sizeof *d->pieces);
  for (size_t k = 0; k < s->npieces && !x->r.bad; k++)
    get_piece(x, d, s, &d->pieces[d->npieces++]);
}

int
cells_decode(struct cells_day *d, int64_t day, const char *checkpoint,
             const void *bytes, size_t len,
             const char *(*text)(void *ctx, uint32_t code), void *ctx)
{
  struct dec x = {{bytes, (const unsigned char *)bytes + len, 0}, text, ctx};
  size_t n;

  cells_day_reset(d);
  d->day = day;
  d->checkpoint = checkpoint;
  if (util_bytes_u8(&x.r) != VERSION)
    x.r.bad = 1;
  d->observed[0] = util_bytes_u8(&x.r);
  d->observed[1] = util_bytes_u8(&x.r);
  n = util_bytes_count(&x.r, 8);
  d->streams = util_grow(d->streams, &d->capstreams, n + 1, sizeof *d->streams);
  for (size_t i = 0; i < n && !x.r.bad; i++)
    get_stream(&x, d, &d->streams[d->nstreams++]);
  if (x.r.bad || x.r.p != x.r.end) {
    cells_day_reset(d);
    return ERR_INVALID;
  }
  return OK;
}
