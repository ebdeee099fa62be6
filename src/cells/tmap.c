/*
 * A hash map from fixed-length tuples of 64-bit words (day numbers and
 * interned string pointers) to dense indexes 0..n-1, so that reconciliation
 * costs a few word compares per row instead of building text keys.
 */
#include "cells/cells.h"

#include <stdlib.h>
#include <string.h>

struct tmap {
  size_t words;
  uint64_t *keys; /* count * words, in insertion order */
  size_t count, kcap;
  uint32_t *slots; /* 0 empty, else index + 1 */
  size_t cap;
};

struct tmap *
tmap_new(size_t words)
{
  struct tmap *m = xcalloc(1, sizeof *m);

  m->words = words ? words : 1;
  m->cap = 256;
  m->slots = xcalloc(m->cap, sizeof *m->slots);
  return m;
}

void
tmap_free(struct tmap *m)
{
  if (m == NULL)
    return;
  free(m->keys);
  free(m->slots);
  free(m);
}

static uint64_t
hash_key(const uint64_t *k, size_t words)
{
  uint64_t h = 0x9e3779b97f4a7c15ull;

  for (size_t i = 0; i < words; i++) {
    h ^= k[i] + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
  }
  return h ^ (h >> 33);
}

static uint32_t *
find(const struct tmap *m, const uint64_t *key)
{
  size_t j = hash_key(key, m->words) & (m->cap - 1);

  while (m->slots[j] && memcmp(&m->keys[(m->slots[j] - 1) * m->words], key,
                               m->words * sizeof *key) != 0)
    j = (j + 1) & (m->cap - 1);
  return &m->slots[j];
}

int
tmap_get(const struct tmap *m, const uint64_t *key, size_t *index)
{
  uint32_t *s = find(m, key);

  if (*s == 0)
    return 0;
  *index = *s - 1;
  return 1;
}

size_t
tmap_put(struct tmap *m, const uint64_t *key, int *added)
{
  uint32_t *s = find(m, key);

  if (added)
    *added = *s == 0;
  if (*s)
    return *s - 1;
  if (m->count == m->kcap) {
    m->kcap = m->kcap ? m->kcap * 2 : 64;
    m->keys = xrealloc(m->keys, m->kcap * m->words * sizeof *m->keys);
  }
  memcpy(&m->keys[m->count * m->words], key, m->words * sizeof *key);
  *s = (uint32_t)++m->count;
  if (m->count * 2 > m->cap) {
    free(m->slots);
    m->cap *= 2;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < m->count; i++)
      *find(m, &m->keys[i * m->words]) = (uint32_t)(i + 1);
  }
  return m->count - 1;
}

void
tmap_clear(struct tmap *m)
{
  m->count = 0;
  memset(m->slots, 0, m->cap * sizeof *m->slots);
}

size_t
tmap_count(const struct tmap *m)
{
  return m->count;
}

const uint64_t *
tmap_key(const struct tmap *m, size_t index)
{
  return &m->keys[index * m->words];
}
