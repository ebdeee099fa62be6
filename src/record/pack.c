/*
 * record_pack / record_unpack: a record as bytes that point nowhere, for
 * handing it from one thread to another (the import's reader and writer).
 *
 * The form, integers as LEB128 varints, numbers as the 8 bytes of their
 * IEEE double, least significant first:
 *
 *   kind, count of set fields, count of cargo lines, bytes of text
 *   per set field:  field index, value
 *   per cargo line: a mask of its set parts (1 category, 2 quantity, 4 unit),
 *                   then a value for each set part, in that order
 *   the text:       the record's pool as it is (each value's text and a NUL)
 *   the numbers:    one for each value that says it has one, in order
 *   value:          offset of its text, text length << 1 | has a number
 *
 * Only set values have a place in it, whatever RECORD_MAX_FIELDS and
 * RECORD_MAX_CARGO are, and the text travels in one copy each way: both
 * threads of an import have other work to do.
 */
#include "record/record.h"

#include <string.h>

/* The most bytes a varint of a size_t takes. */
#define VARINT_MAX 10
/* The most values a record holds. */
#define MAX_VALUES (RECORD_MAX_FIELDS + 3 * RECORD_MAX_CARGO)

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

static uint64_t
num_bits(const struct record_value *v)
{
  uint64_t bits;

  /* The bits, not the value, decide: -0.0 comes back as -0.0. */
  memcpy(&bits, &v->num, sizeof bits);
  return bits;
}

static unsigned char *
put_value(unsigned char *p, const struct record_value *v)
{
  p = put_varint(p, v->off);
  return put_varint(p, (uint64_t)v->len << 1 | (num_bits(v) != 0));
}

static unsigned char *
put_num(unsigned char *p, const struct record_value *v)
{
  uint64_t bits = num_bits(v);

  if (v->set && bits != 0)
    for (int b = 0; b < 8; b++)
      *p++ = (unsigned char)(bits >> (8 * b));
  return p;
}

void
record_pack(const struct record *r, struct buf *out)
{
  const struct kind_desc *k = r->kind;
  size_t nset = 0;
  unsigned char *start, *p;

  for (size_t i = 0; i < k->nfields; i++)
    nset += r->v[i].set ? 1 : 0;
  buf_reserve(out, 4 * VARINT_MAX + r->pool.len +
                       (nset + 3 * r->ncargo) * (1 + 2 * VARINT_MAX + 8) +
                       r->ncargo);
  start = p = (unsigned char *)out->data + out->len;
  p = put_varint(p, (uint64_t)k->kind);
  p = put_varint(p, nset);
  p = put_varint(p, r->ncargo);
  p = put_varint(p, r->pool.len);
  for (size_t i = 0; i < k->nfields; i++)
    if (r->v[i].set) {
      p = put_varint(p, i);
      p = put_value(p, &r->v[i]);
    }
  for (size_t i = 0; i < r->ncargo; i++) {
    const struct cargo_line *c = &r->cargo[i];
    *p++ = (unsigned char)(c->category.set | c->quantity.set << 1 |
                           c->unit.set << 2);
    if (c->category.set)
      p = put_value(p, &c->category);
    if (c->quantity.set)
      p = put_value(p, &c->quantity);
    if (c->unit.set)
      p = put_value(p, &c->unit);
  }
  if (r->pool.len)
    memcpy(p, r->pool.data, r->pool.len);
  p += r->pool.len;
  for (size_t i = 0; i < k->nfields; i++)
    p = put_num(p, &r->v[i]);
  for (size_t i = 0; i < r->ncargo; i++) {
    p = put_num(p, &r->cargo[i].category);
    p = put_num(p, &r->cargo[i].quantity);
    p = put_num(p, &r->cargo[i].unit);
  }
  out->len += (size_t)(p - start);
  out->data[out->len] = '\0';
}

/* A cursor over packed bytes; every read checks the end. */
struct reader {
  const unsigned char *p, *end;
};

static int
get_varint_long(struct reader *rd, uint64_t *v)
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

/* Most varints here are one byte: that case inline. */
static inline int
get_varint(struct reader *rd, uint64_t *v)
{
  if (rd->p < rd->end && *rd->p < 0x80) {
    *v = *rd->p++;
    return OK;
  }
  return get_varint_long(rd, v);
}

/* The values read, for the checks and numbers that follow the text. */
struct heads {
  struct record_value *v[MAX_VALUES];
  size_t n, text; /* values; bytes of text */
  struct record_value *num[MAX_VALUES];
  size_t nnum;
};

static int
get_value(struct reader *rd, struct heads *h, struct record_value *v)
{
  uint64_t off, head;

  if (get_varint(rd, &off) != OK || get_varint(rd, &head) != OK ||
      off >= h->text || (head >> 1) >= h->text - off)
    return ERR_INVALID; /* its text and NUL must lie in the text */
  v->set = 1;
  v->off = (size_t)off;
  v->len = (size_t)(head >> 1);
  h->v[h->n++] = v;
  if (head & 1)
    h->num[h->nnum++] = v;
  return OK;
}

static int
get_values(struct reader *rd, struct record *r, struct heads *h)
{
  uint64_t nset, ncargo, text, fi;

  if (get_varint(rd, &nset) != OK || nset > r->kind->nfields ||
      get_varint(rd, &ncargo) != OK || ncargo > RECORD_MAX_CARGO ||
      get_varint(rd, &text) != OK || text > (uint64_t)(rd->end - rd->p))
    return ERR_INVALID;
  h->text = (size_t)text;
  for (uint64_t i = 0; i < nset; i++)
    if (get_varint(rd, &fi) != OK || fi >= r->kind->nfields || r->v[fi].set ||
        get_value(rd, h, &r->v[fi]) != OK)
      return ERR_INVALID;
  r->ncargo = (size_t)ncargo;
  for (size_t i = 0; i < r->ncargo; i++) {
    struct cargo_line *c = &r->cargo[i];
    struct record_value *parts[3] = {&c->category, &c->quantity, &c->unit};
    unsigned mask;
    if (rd->p == rd->end || (mask = *rd->p++) > 7)
      return ERR_INVALID;
    for (int j = 0; j < 3; j++)
      if ((mask & (1u << j)) && get_value(rd, h, parts[j]) != OK)
        return ERR_INVALID;
  }
  return OK;
}

static int
unpack(struct reader *rd, struct record *r)
{
  struct heads h;

  h.n = h.text = h.nnum = 0;
  if (get_values(rd, r, &h) != OK ||
      (size_t)(rd->end - rd->p) != h.text + 8 * h.nnum)
    return ERR_INVALID;
  buf_reserve(&r->pool, h.text);
  if (h.text)
    memcpy(r->pool.data, rd->p, h.text);
  r->pool.len = h.text;
  r->pool.data[h.text] = '\0';
  /* Each text ends where its value says, so record_text() stops there. */
  for (size_t i = 0; i < h.n; i++)
    if (r->pool.data[h.v[i]->off + h.v[i]->len] != '\0')
      return ERR_INVALID;
  rd->p += h.text;
  for (size_t i = 0; i < h.nnum; i++) {
    uint64_t bits = 0;
    for (int b = 0; b < 8; b++)
      bits |= (uint64_t)rd->p[b] << (8 * b);
    rd->p += 8;
    memcpy(&h.num[i]->num, &bits, sizeof bits);
  }
  return OK;
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
  rc = unpack(&rd, r);
  if (rc != OK)
    record_reset(r);
  return rc;
}
