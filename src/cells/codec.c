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

#include <string.h>

#define VERSION 1

static const int part_dims[] = {CD_VEHICLE, CD_CATEGORY, CD_OPERATOR,
                                CD_PURPOSE, CD_SOURCE,   CD_GRADE,
                                CD_STAGE};
#define NPART_DIMS (sizeof part_dims / sizeof *part_dims)

static void
put_u8(struct buf *b, unsigned v)
{
  char c = (char)(v & 0xff);

  buf_append(b, &c, 1);
}

static void
put_uint(struct buf *b, uint64_t v)
{
  char tmp[10];
  size_t n = 0;

  do {
    tmp[n] = (char)(v & 0x7f);
    v >>= 7;
    if (v)
      tmp[n] = (char)(tmp[n] | 0x80);
    n++;
  } while (v);
  buf_append(b, tmp, n);
}

static void
put_int(struct buf *b, int64_t v)
{
  put_uint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void
put_double(struct buf *b, double v)
{
  uint64_t u;
  char tmp[8];

  memcpy(&u, &v, sizeof u);
  for (int i = 0; i < 8; i++)
    tmp[i] = (char)((u >> (8 * i)) & 0xff);
  buf_append(b, tmp, 8);
}

struct enc {
  uint32_t (*code)(void *ctx, const char *s);
  void *ctx;
  struct buf *out;
};

static void
put_text(struct enc *e, const char *s)
{
  put_uint(e->out, s ? e->code(e->ctx, s) : 0);
}

static void
put_part(struct enc *e, const struct cells_day *d, const struct cells_part *p)
{
  for (size_t k = 0; k < NPART_DIMS; k++)
    put_text(e, p->dim[part_dims[k]]);
  put_double(e->out, p->own);
  put_double(e->out, p->won);
  put_u8(e->out, (p->counted ? 1u : 0u) | (p->linked ? 2u : 0u));
  put_uint(e->out, p->nspread);
  for (size_t i = 0; i < p->nspread; i++) {
    const struct cells_spread *s = &d->spreads[p->spread + i];
    put_uint(e->out, s->seq);
    put_int(e->out, s->begin);
    put_int(e->out, s->end - s->begin);
    put_u8(e->out, s->counted ? 1u : 0u);
  }
}

void
cells_encode(const struct cells_day *d,
             uint32_t (*code)(void *ctx, const char *s), void *ctx,
             struct buf *out)
{
  struct enc e = {code, ctx, out};

  put_u8(out, VERSION);
  put_u8(out, d->observed[0]);
  put_u8(out, d->observed[1]);
  put_uint(out, d->nstreams);
  for (size_t i = 0; i < d->nstreams; i++) {
    const struct cells_stream *s = &d->streams[i];
    put_text(&e, s->direction);
    put_text(&e, s->outcome);
    put_text(&e, s->stage);
    put_text(&e, s->cls);
    put_u8(out, (unsigned)s->measure);
    put_u8(out, (unsigned)s->family);
    put_uint(out, s->nparts);
    for (size_t k = 0; k < s->nparts; k++)
      put_part(&e, d, &d->parts[s->part + k]);
    put_uint(out, s->npieces);
    for (size_t k = 0; k < s->npieces; k++) {
      const struct cells_piece *p = &d->pieces[s->piece + k];
      put_uint(out, p->nclaims);
      for (size_t c = 0; c < p->nclaims; c++) {
        put_text(&e, d->claims[p->claim + c].source);
        put_text(&e, d->claims[p->claim + c].grade);
        put_double(out, d->claims[p->claim + c].value);
      }
      put_uint(out, p->nlinks);
      for (size_t l = 0; l < p->nlinks; l++)
        put_uint(out, d->links[p->link + l] - s->part);
    }
  }
}

/* Decoding. */

struct dec {
  const unsigned char *p, *end;
  const char *(*text)(void *ctx, uint32_t code);
  void *ctx;
  int bad;
};

static unsigned
get_u8(struct dec *x)
{
  if (x->p >= x->end) {
    x->bad = 1;
    return 0;
  }
  return *x->p++;
}

static uint64_t
get_uint(struct dec *x)
{
  uint64_t v = 0;

  for (int shift = 0; shift < 64; shift += 7) {
    unsigned c = get_u8(x);
    v |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80))
      return v;
  }
  x->bad = 1;
  return 0;
}

static int64_t
get_int(struct dec *x)
{
  uint64_t u = get_uint(x);

  return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static double
get_double(struct dec *x)
{
  uint64_t u = 0;
  double v;

  if (x->end - x->p < 8) {
    x->bad = 1;
    return 0;
  }
  for (int i = 0; i < 8; i++)
    u |= (uint64_t)x->p[i] << (8 * i);
  x->p += 8;
  memcpy(&v, &u, sizeof v);
  return v;
}

/* A count of things that each take at least min bytes: more than the
 * bytes left can hold is not cells. */
static size_t
get_count(struct dec *x, size_t min)
{
  uint64_t n = get_uint(x);

  if (n > (uint64_t)(x->end - x->p) / min) {
    x->bad = 1;
    return 0;
  }
  return (size_t)n;
}

static const char *
get_text(struct dec *x)
{
  uint64_t c = get_uint(x);
  const char *s;

  if (c == 0)
    return NULL;
  if (c > UINT32_MAX || (s = x->text(x->ctx, (uint32_t)c)) == NULL) {
    x->bad = 1;
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
  p->own = get_double(x);
  p->won = get_double(x);
  flags = get_u8(x);
  p->counted = (flags & 1) != 0;
  p->linked = (flags & 2) != 0;
  n = get_count(x, 4);
  p->spread = d->nspreads;
  p->nspread = n;
  d->spreads = util_grow(d->spreads, &d->capspreads, d->nspreads + n + 1,
                         sizeof *d->spreads);
  for (size_t i = 0; i < n && !x->bad; i++) {
    struct cells_spread *sp = &d->spreads[d->nspreads++];
    sp->seq = get_uint(x);
    sp->begin = get_int(x);
    sp->end = sp->begin + get_int(x);
    sp->counted = get_u8(x) != 0;
  }
}

static void
get_piece(struct dec *x, struct cells_day *d, const struct cells_stream *s,
          struct cells_piece *p)
{
  size_t n = get_count(x, 10);

  p->claim = d->nclaims;
  p->nclaims = n;
  d->claims = util_grow(d->claims, &d->capclaims, d->nclaims + n + 1,
                        sizeof *d->claims);
  for (size_t c = 0; c < n && !x->bad; c++) {
    struct cells_claim *cl = &d->claims[d->nclaims++];
    cl->source = get_text(x);
    cl->grade = get_text(x);
    cl->value = get_double(x);
  }
  n = get_count(x, 1);
  p->link = d->nlinks;
  p->nlinks = n;
  d->links =
      util_grow(d->links, &d->caplinks, d->nlinks + n + 1, sizeof *d->links);
  for (size_t l = 0; l < n && !x->bad; l++) {
    uint64_t k = get_uint(x);
    if (k >= s->nparts)
      x->bad = 1;
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
  s->measure = (int)get_u8(x);
  s->family = (int)get_u8(x);
  if (s->direction == NULL || s->outcome == NULL || s->measure >= CM_COUNT ||
      s->family == 0 || (s->family & ~(CELLS_FLOW | CELLS_STAGE)))
    x->bad = 1;
  s->nparts = get_count(x, 20);
  s->part = d->nparts;
  d->parts = util_grow(d->parts, &d->capparts, d->nparts + s->nparts + 1,
                       sizeof *d->parts);
  for (size_t k = 0; k < s->nparts && !x->bad; k++)
    get_part(x, d, s, &d->parts[d->nparts++]);
  s->npieces = get_count(x, 2);
  s->piece = d->npieces;
  d->pieces = util_grow(d->pieces, &d->cappieces, d->npieces + s->npieces + 1,
                        sizeof *d->pieces);
  for (size_t k = 0; k < s->npieces && !x->bad; k++)
    get_piece(x, d, s, &d->pieces[d->npieces++]);
}

int
cells_decode(struct cells_day *d, int64_t day, const char *checkpoint,
             const void *bytes, size_t len,
             const char *(*text)(void *ctx, uint32_t code), void *ctx)
{
  struct dec x = {bytes, (const unsigned char *)bytes + len, text, ctx, 0};
  size_t n;

  cells_day_reset(d);
  d->day = day;
  d->checkpoint = checkpoint;
  if (get_u8(&x) != VERSION)
    x.bad = 1;
  d->observed[0] = get_u8(&x);
  d->observed[1] = get_u8(&x);
  n = get_count(&x, 8);
  d->streams = util_grow(d->streams, &d->capstreams, n + 1, sizeof *d->streams);
  for (size_t i = 0; i < n && !x.bad; i++)
    get_stream(&x, d, &d->streams[d->nstreams++]);
  if (x.bad || x.p != x.end) {
    cells_day_reset(d);
    return ERR_INVALID;
  }
  return OK;
}
