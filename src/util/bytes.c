#include "util/bytes.h"

#include <string.h>

void
util_bytes_put_u8(struct buf *b, unsigned v)
{
  char c = (char)(v & 0xff);

  buf_append(b, &c, 1);
}

void
util_bytes_put_uint(struct buf *b, uint64_t v)
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

void
util_bytes_put_int(struct buf *b, int64_t v)
{
  util_bytes_put_uint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void
util_bytes_put_double(struct buf *b, double v)
{
  uint64_t u;
  char tmp[8];

  memcpy(&u, &v, sizeof u);
  for (int i = 0; i < 8; i++)
    tmp[i] = (char)((u >> (8 * i)) & 0xff);
  buf_append(b, tmp, 8);
}

unsigned
util_bytes_u8(struct util_bytes *r)
{
  if (r->p >= r->end) {
    r->bad = 1;
    return 0;
  }
  return *r->p++;
}

uint64_t
util_bytes_uint(struct util_bytes *r)
{
  uint64_t v = 0;

  for (int shift = 0; shift < 64; shift += 7) {
    unsigned c = util_bytes_u8(r);
    v |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80))
      return v;
  }
  r->bad = 1;
  return 0;
}

int64_t
util_bytes_int(struct util_bytes *r)
{
  uint64_t u = util_bytes_uint(r);

  return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

double
util_bytes_double(struct util_bytes *r)
{
  uint64_t u = 0;
  double v;

  if (r->end - r->p < 8) {
    r->bad = 1;
    return 0;
  }
  for (int i = 0; i < 8; i++)
    u |= (uint64_t)r->p[i] << (8 * i);
  r->p += 8;
  memcpy(&v, &u, sizeof v);
  return v;
}

size_t
util_bytes_count(struct util_bytes *r, size_t min)
{
  uint64_t n = util_bytes_uint(r);

  if (n > (uint64_t)(r->end - r->p) / min) {
    r->bad = 1;
    return 0;
  }
  return (size_t)n;
}
