/*
 * record_pack / record_unpack: a record as bytes that point nowhere, for
 * handing it from one thread to another (the import's reader and writer).
 *
 * The form, integers as LEB128 varints, numbers as the 8 bytes of their
 * IEEE double, least significant first:
 *
 *   kind, count of set fields,
 *   per set field:  field index, value
 *   count of cargo lines,
 *   per cargo line: a mask of its set parts (1 category, 2 quantity, 4 unit),
 *                   then a value for each set part, in that order
 *   value:          (text length << 1 | has a number), text, [number]
 *
 * Only set values travel, so a record of a few fields packs into little
 * more than its texts, whatever RECORD_MAX_FIELDS and RECORD_MAX_CARGO are.
 */
#include "record/record.h"

#include <string.h>

/* The most bytes a varint of a size_t takes. */
#define VARINT_MAX 10

static unsigned char *
put_varint(unsigned char *p, uint64_t v)
{
  while (v >= 0x80) {
    *p++ = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  *p++ = (unsigned char)v;
  return p;
}

static unsigned char *
put_value(unsigned char *p, const struct record *r,
          const struct record_value *v)
{
  uint64_t bits;

  /* The bits, not the value, decide: -0.0 comes back as -0.0. */
  memcpy(&bits, &v->num, sizeof bits);
  p = put_varint(p, (uint64_t)v->len << 1 | (uint64_t)(bits != 0));
  memcpy(p, r->pool.data + v->off, v->len);
  p += v->len;
  if (bits != 0) {
    for (int i = 0; i < 8; i++)
      *p++ = (unsigned char)(bits >> (8 * i));
  }
  return p;
}

/* The most bytes a value packs into. */
static size_t
value_max(const struct record_value *v)
{
  return v->set ? VARINT_MAX + v->len + 8 : 0;
}

void
record_pack(const struct record *r, struct buf *out)
{
  const struct kind_desc *k = r->kind;
  size_t max = 3 * VARINT_MAX, nset = 0;
  unsigned char *start, *p;

  for (size_t i = 0; i < k->nfields; i++)
    if (r->v[i].set) {
      max += 1 + value_max(&r->v[i]);
      nset++;
    }
  for (size_t i = 0; i < r->ncargo; i++)
    max += 1 + value_max(&r->cargo[i].category) +
           value_max(&r->cargo[i].quantity) + value_max(&r->cargo[i].unit);
  buf_reserve(out, max);
  start = p = (unsigned char *)out->data + out->len;
  p = put_varint(p, (uint64_t)k->kind);
  p = put_varint(p, nset);
  for (size_t i = 0; i < k->nfields; i++)
    if (r->v[i].set) {
      p = put_varint(p, i);
      p = put_value(p, r, &r->v[i]);
    }
  p = put_varint(p, r->ncargo);
  for (size_t i = 0; i < r->ncargo; i++) {
    const struct cargo_line *c = &r->cargo[i];
    const struct record_value *parts[3] = {&c->category, &c->quantity,
                                           &c->unit};
    unsigned char mask = 0;
    for (int j = 0; j < 3; j++)
      if (parts[j]->set)
        mask |= (unsigned char)(1 << j);
    *p++ = mask;
    for (int j = 0; j < 3; j++)
      if (parts[j]->set)
        p = put_value(p, r, parts[j]);
  }
  out->len += (size_t)(p - start);
  out->data[out->len] = '\0';
}

/* A cursor over packed bytes; every read checks the end. */
struct reader {
  const unsigned char *p, *end;
};

static int
get_varint(struct reader *rd, uint64_t *v)
{
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    unsigned char c;
    if (rd->p == rd->end)
      return ERR_INVALID;
    c = *rd->p++;
    *v |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80))
      return OK;
  }
  return ERR_INVALID;
}

static int
get_value(struct reader *rd, struct record *r, struct record_value *v)
{
  uint64_t head, len;

  if (get_varint(rd, &head) != OK)
    return ERR_INVALID;
  len = head >> 1;
  if (len > (uint64_t)(rd->end - rd->p))
    return ERR_INVALID;
  /* record_unpack reserved room: each value's header, at least a byte,
   * is more than the NUL it becomes in the pool. */
  v->set = 1;
  v->off = r->pool.len;
  v->len = (size_t)len;
  memcpy(r->pool.data + r->pool.len, rd->p, (size_t)len);
  r->pool.len += (size_t)len;
  r->pool.data[r->pool.len++] = '\0';
  rd->p += len;
  if (head & 1) {
    uint64_t bits = 0;
    if (rd->end - rd->p < 8)
      return ERR_INVALID;
    for (int i = 0; i < 8; i++)
      bits |= (uint64_t)rd->p[i] << (8 * i);
    rd->p += 8;
    memcpy(&v->num, &bits, sizeof bits);
  }
  return OK;
}

static int
unpack(struct reader *rd, struct record *r)
{
  uint64_t n, fi, ncargo;

  if (get_varint(rd, &n) != OK || n > r->kind->nfields)
    return ERR_INVALID;
  for (uint64_t i = 0; i < n; i++) {
    if (get_varint(rd, &fi) != OK || fi >= r->kind->nfields ||
        get_value(rd, r, &r->v[fi]) != OK)
      return ERR_INVALID;
  }
  if (get_varint(rd, &ncargo) != OK || ncargo > RECORD_MAX_CARGO)
    return ERR_INVALID;
  r->ncargo = (size_t)ncargo;
  for (size_t i = 0; i < r->ncargo; i++) {
    struct cargo_line *c = &r->cargo[i];
    struct record_value *parts[3] = {&c->category, &c->quantity, &c->unit};
    unsigned mask;
    if (rd->p == rd->end || (mask = *rd->p++) > 7)
      return ERR_INVALID;
    for (int j = 0; j < 3; j++)
      if ((mask & (1u << j)) && get_value(rd, r, parts[j]) != OK)
        return ERR_INVALID;
  }
  return rd->p == rd->end ? OK : ERR_INVALID;
}

int
record_unpack(struct record *r, const void *data, size_t len)
{
  struct reader rd = {data, (const unsigned char *)data + len};
  uint64_t kind;
  int rc;

  if (get_varint(&rd, &kind) != OK || kind >= KIND_COUNT) {
    record_reset(r);
    return ERR_INVALID;
  }
  if (r->kind->kind != (enum record_kind)kind) {
    record_cleanup(r);
    record_init(r, (enum record_kind)kind);
  } else {
    record_reset(r);
  }
  buf_reserve(&r->pool, len); /* all the texts fit: see get_value */
  rc = unpack(&rd, r);
  if (rc != OK)
    record_reset(r);
  else
    r->pool.data[r->pool.len] = '\0'; /* as a buf always is */
  return rc;
}
