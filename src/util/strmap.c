/*
 * A map from strings to strings that remembers insertion order, so that
 * lists built from it (unknown labels, missing checkpoints) read in the order
 * the user's file gave them.
 */
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

struct strmap {
  char **keys, **values;
  size_t count, cap;
  size_t *index; /* open addressing: 1 + position in keys, 0 = empty */
  size_t icap;
};

static uint64_t
hash_str(const char *s)
{
  uint64_t h = 1469598103934665603ull;

  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ull;
  }
  return h;
}

struct strmap *
strmap_new(void)
{
  struct strmap *m = xcalloc(1, sizeof *m);

  m->icap = 64;
  m->index = xcalloc(m->icap, sizeof *m->index);
  return m;
}

void
strmap_free(struct strmap *m)
{
  if (m == NULL)
    return;
  for (size_t i = 0; i < m->count; i++) {
    free(m->keys[i]);
    free(m->values[i]);
  }
  free(m->keys);
  free(m->values);
  free(m->index);
  free(m);
}

static size_t *
find_slot(const struct strmap *m, const char *key)
{
  size_t j = hash_str(key) & (m->icap - 1);

  while (m->index[j] && strcmp(m->keys[m->index[j] - 1], key) != 0)
    j = (j + 1) & (m->icap - 1);
  return &m->index[j];
}

const char *
strmap_get(const struct strmap *m, const char *key)
{
  size_t *slot = find_slot(m, key);

  return *slot ? m->values[*slot - 1] : NULL;
}

void
strmap_put(struct strmap *m, const char *key, const char *value)
{
  size_t *slot = find_slot(m, key);

  if (*slot) {
    free(m->values[*slot - 1]);
    m->values[*slot - 1] = xstrdup(value ? value : "");
    return;
  }
  if (m->count == m->cap) {
    m->cap = m->cap ? m->cap * 2 : 16;
    m->keys = xrealloc(m->keys, m->cap * sizeof(char *));
    m->values = xrealloc(m->values, m->cap * sizeof(char *));
  }
  m->keys[m->count] = xstrdup(key);
  m->values[m->count] = xstrdup(value ? value : "");
  m->count++;
  *slot = m->count;
  if (m->count * 2 > m->icap) {
    free(m->index);
    m->icap *= 2;
    m->index = xcalloc(m->icap, sizeof *m->index);
    for (size_t i = 0; i < m->count; i++)
      *find_slot(m, m->keys[i]) = i + 1;
  }
}

size_t
strmap_count(const struct strmap *m)
{
  return m->count;
}

const char *
strmap_key(const struct strmap *m, size_t i)
{
  return i < m->count ? m->keys[i] : NULL;
}

const char *
strmap_value(const struct strmap *m, size_t i)
{
  return i < m->count ? m->values[i] : NULL;
}
