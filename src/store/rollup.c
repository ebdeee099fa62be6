/*
 * Daily flow rollups. A record's interval [begin, finish) in local seconds is
 * spread over the local days it covers in proportion to its overlap; a
 * zero-length interval (one crossing) falls wholly on its day. Records,
 * vehicles and persons count under the record's first cargo category (a
 * truck of food and medicine is one truck, not two); tonnes count under each
 * cargo line's own category.
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

struct slot {
  char *key; /* NUL-separated dimension values after an 8-byte day */
  size_t keylen;
  uint64_t hash;
  double m[M_ALL];
};

/* The flow fields a record contributes, in the order of the key's
 * dimensions (DIM_CATEGORY comes from the cargo lines instead). */
static const char *const key_fields[] = {
    "checkpoint", "direction", "vehicle", NULL,    "operator",
    "purpose",    "source",    "grade",   "stage", "outcome"};

struct rollup {
  struct slot *slots;
  size_t cap, count;
  struct buf key;
  /* Indexes of flow fields, looked up once rather than for every record
   * (-1 for none). */
  int f_start, f_end, f_vehicles, f_persons;
  int f_key[ROLLUP_NKEY];
};

const enum flow_dim rollup_key_dims[ROLLUP_NKEY] = {
    DIM_CHECKPOINT, DIM_DIRECTION, DIM_VEHICLE, DIM_CATEGORY, DIM_OPERATOR,
    DIM_PURPOSE,    DIM_SOURCE,    DIM_GRADE,   DIM_STAGE,    DIM_OUTCOME};
#define NKEY ROLLUP_NKEY
#define key_dims rollup_key_dims

struct rollup *
rollup_new(void)
{
  struct rollup *ru = xcalloc(1, sizeof *ru);
  const struct kind_desc *k = record_kind_desc(KIND_flow);

  ru->cap = 1024;
  ru->slots = xcalloc(ru->cap, sizeof *ru->slots);
  buf_init(&ru->key);
  ru->f_start = record_field_index(k, "start");
  ru->f_end = record_field_index(k, "end");
  ru->f_vehicles = record_field_index(k, "vehicles");
  ru->f_persons = record_field_index(k, "persons");
  for (size_t i = 0; i < NKEY; i++)
    ru->f_key[i] = key_fields[i] ? record_field_index(k, key_fields[i]) : -1;
  return ru;
}

void
rollup_clear(struct rollup *ru)
{
  for (size_t i = 0; i < ru->cap; i++) {
    free(ru->slots[i].key);
    ru->slots[i].key = NULL;
  }
  ru->count = 0;
}

void
rollup_free(struct rollup *ru)
{
  if (ru == NULL)
    return;
  rollup_clear(ru);
  free(ru->slots);
  buf_cleanup(&ru->key);
  free(ru);
}

size_t
rollup_count(const struct rollup *ru)
{
  return ru->count;
}

static uint64_t
fnv1a(const char *p, size_t n)
{
  uint64_t h = 1469598103934665603ull;

  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)p[i];
    h *= 1099511628211ull;
  }
  return h;
}

static void
grow(struct rollup *ru)
{
  struct slot *old = ru->slots;
  size_t oldcap = ru->cap;

  ru->cap *= 2;
  ru->slots = xcalloc(ru->cap, sizeof *ru->slots);
  for (size_t i = 0; i < oldcap; i++) {
    if (old[i].key == NULL)
      continue;
    size_t j = old[i].hash & (ru->cap - 1);
    while (ru->slots[j].key)
      j = (j + 1) & (ru->cap - 1);
    ru->slots[j] = old[i];
  }
  free(old);
}

static struct slot *
lookup(struct rollup *ru, const char *key, size_t len)
{
  uint64_t h = fnv1a(key, len);
  size_t j = h & (ru->cap - 1);

  while (ru->slots[j].key) {
    struct slot *s = &ru->slots[j];
    if (s->hash == h && s->keylen == len && memcmp(s->key, key, len) == 0)
      return s;
    j = (j + 1) & (ru->cap - 1);
  }
  if ((ru->count + 1) * 2 > ru->cap) {
    grow(ru);
    return lookup(ru, key, len);
  }
  ru->slots[j].key = xmalloc(len);
  memcpy(ru->slots[j].key, key, len);
  ru->slots[j].keylen = len;
  ru->slots[j].hash = h;
  memset(ru->slots[j].m, 0, sizeof ru->slots[j].m);
  ru->count++;
  return &ru->slots[j];
}

static void
add(struct rollup *ru, int64_t day, const char *dims[NKEY], const double m[])
{
  struct slot *s;

  buf_reset(&ru->key);
  buf_append(&ru->key, &day, sizeof day);
  for (size_t i = 0; i < NKEY; i++) {
    const char *d = dims[i] ? dims[i] : "";
    buf_append(&ru->key, d, strlen(d) + 1); /* with its NUL */
  }
  s = lookup(ru, ru->key.data, ru->key.len);
  for (int i = 0; i < M_ALL; i++)
    s->m[i] += m[i];
}

static int64_t
floor_div(int64_t a, int64_t b)
{
  int64_t q = a / b;

  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Calls add() for each local day of [b, f) with share of m. */
static void
spread(struct rollup *ru, int64_t b, int64_t f, const char *dims[NKEY],
       const double m[M_ALL])
{
  double part[M_ALL];
  int64_t d0 = floor_div(b, 86400);

  if (f <= b) {
    add(ru, d0, dims, m);
    return;
  }
  for (int64_t d = d0; d * 86400 < f; d++) {
    int64_t lo = d * 86400 > b ? d * 86400 : b;
    int64_t hi = (d + 1) * 86400 < f ? (d + 1) * 86400 : f;
    double share = (double)(hi - lo) / (double)(f - b);
    for (int i = 0; i < M_ALL; i++)
      part[i] = m[i] * share;
    add(ru, d, dims, part);
  }
}

void
rollup_add_row(struct rollup *ru, const struct flow_row *row, int sign)
{
  const char *dims[NKEY];
  double m[M_ALL];

  for (size_t i = 0; i < NKEY; i++)
    dims[i] = row->dim[key_dims[i]];
  for (int i = 0; i < M_ALL; i++)
    m[i] = sign * row->m[i];
  add(ru, row->day, dims, m);
}

void
rollup_add_record(struct rollup *ru, const struct record *rec, int sign,
                  const struct corridor *c)
{
  const char *dims[NKEY];
  double m[M_ALL] = {0};
  int64_t b, f, eb, ef;
  const struct record_value *v;
  const char *start = record_text(rec, &rec->v[ru->f_start]);
  const char *end = record_text(rec, &rec->v[ru->f_end]);

  if (record_time_bounds(start, corridor_tz_offset, (void *)c, &b, &ef) != OK)
    return;
  if (end && strcmp(end, start) == 0) /* most often: parse it once */
    f = ef;
  else if (record_time_bounds(end, corridor_tz_offset, (void *)c, &eb, &f) !=
           OK)
    f = ef;
  for (size_t i = 0; i < NKEY; i++)
    dims[i] =
        ru->f_key[i] >= 0 ? record_text(rec, &rec->v[ru->f_key[i]]) : NULL;
  dims[3] = rec->ncargo ? record_text(rec, &rec->cargo[0].category) : NULL;

  m[M_RECORDS] = sign;
  v = &rec->v[ru->f_vehicles];
  m[M_VEHICLES] = v->set ? sign * v->num : 0;
  m[M_VEHICLES_N] = v->set ? sign : 0;
  v = &rec->v[ru->f_persons];
  m[M_PERSONS] = v->set ? sign * v->num : 0;
  m[M_PERSONS_N] = v->set ? sign : 0;
  {
    double t = record_cargo_tonnes(rec, 0);
    m[M_TONNES] = t > 0 ? sign * t : 0;
    m[M_TONNES_N] = t >= 0 ? sign : 0;
  }
  spread(ru, b, f, dims, m);
  for (size_t i = 1; i < rec->ncargo; i++) {
    double t = record_cargo_tonnes(rec, i);
    double mt[M_ALL] = {0};
    if (t < 0)
      continue;
    mt[M_TONNES] = sign * t;
    mt[M_TONNES_N] = sign;
    dims[3] = record_text(rec, &rec->cargo[i].category);
    spread(ru, b, f, dims, mt);
  }
}

/* Calls fn with the row a slot holds. */
static int
each_slot(const struct slot *s,
          int (*fn)(void *ctx, const struct flow_row *row), void *ctx)
{
  struct flow_row row;
  const char *p;

  memset(&row, 0, sizeof row);
  memcpy(&row.day, s->key, sizeof row.day);
  p = s->key + sizeof row.day;
  for (size_t k = 0; k < NKEY; k++) {
    row.dim[key_dims[k]] = p;
    p += strlen(p) + 1;
  }
  memcpy(row.m, s->m, sizeof row.m);
  return fn(ctx, &row);
}

int
rollup_each(struct rollup *ru, int (*fn)(void *ctx, const struct flow_row *row),
            void *ctx)
{
  for (size_t i = 0; i < ru->cap; i++) {
    int rc;
    if (ru->slots[i].key == NULL)
      continue;
    if ((rc = each_slot(&ru->slots[i], fn, ctx)) != OK)
      return rc;
  }
  return OK;
}

/* The rollup table's key order: the day, then each dimension's text as
 * SQLite's BINARY collation compares it. The texts hold no NUL, so
 * comparing them NUL-separated compares them one by one. */
static int
by_key(const void *a, const void *b)
{
  const struct slot *x = *(const struct slot *const *)a;
  const struct slot *y = *(const struct slot *const *)b;
  size_t hd = sizeof(int64_t), n;
  int64_t dx, dy;
  int c;

  memcpy(&dx, x->key, hd);
  memcpy(&dy, y->key, hd);
  if (dx != dy)
    return dx < dy ? -1 : 1;
  n = x->keylen < y->keylen ? x->keylen : y->keylen;
  c = memcmp(x->key + hd, y->key + hd, n - hd);
  if (c != 0)
    return c;
  return x->keylen < y->keylen ? -1 : x->keylen > y->keylen;
}

int
rollup_each_sorted(struct rollup *ru,
                   int (*fn)(void *ctx, const struct flow_row *row), void *ctx)
{
  const struct slot **order = xcalloc(ru->count, sizeof *order);
  size_t n = 0;
  int rc = OK;

  for (size_t i = 0; i < ru->cap; i++)
    if (ru->slots[i].key)
      order[n++] = &ru->slots[i];
  qsort(order, n, sizeof *order, by_key);
  for (size_t i = 0; i < n && rc == OK; i++)
    rc = each_slot(order[i], fn, ctx);
  free(order);
  return rc;
}
