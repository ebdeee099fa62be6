/*
 * Fuzzes proofs: the JSON a verify-proof reads (app__proof_parse, through
 * util_json_load) and the checks themselves (RFC 9162 inclusion and
 * consistency), against a real tree of 1 to 300 leaves whose size comes
 * from the input's first two bytes.
 *
 * - Whatever proof the bytes hold (after the first 6), one that verifies
 *   against the tree's own root must be the tree's own proof: no other
 *   hashes may pass (that would be a forgery).
 * - The tree's own proofs for a leaf and an older size taken from bytes 2
 *   to 5 verify; with any one bit flipped, or for another leaf or size,
 *   they do not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "ledger/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LEAVES 300

struct tree {
  uint64_t n;
  uint8_t leaf[MAX_LEAVES][LEDGER_HASH_SIZE];
};

static void
fail(const char *what)
{
  fprintf(stderr, "fuzz_app_proof: %s\n", what);
  abort();
}

/* The hash of leaves [start, start + n), n a power of two. */
static void
subtree(const struct tree *t, uint64_t start, uint64_t n,
        uint8_t out[LEDGER_HASH_SIZE])
{
  uint8_t l[LEDGER_HASH_SIZE], r[LEDGER_HASH_SIZE];

  if (n == 1) {
    memcpy(out, t->leaf[start], LEDGER_HASH_SIZE);
    return;
  }
  subtree(t, start, n / 2, l);
  subtree(t, start + n / 2, n / 2, r);
  ledger_node_hash(l, r, out);
}

static int
src_leaves(void *ctx, uint64_t start, uint64_t n, uint8_t *out)
{
  const struct tree *t = ctx;

  if (start + n > t->n)
    return ERR_NOTFOUND;
  memcpy(out, t->leaf[start], (size_t)n * LEDGER_HASH_SIZE);
  return OK;
}

static int
src_node(void *ctx, unsigned level, uint64_t index,
         uint8_t out[LEDGER_HASH_SIZE])
{
  const struct tree *t = ctx;
  uint64_t n = (uint64_t)1 << level;

  if ((index + 1) * n > t->n)
    return ERR_NOTFOUND;
  subtree(t, index * n, n, out);
  return OK;
}

static uint64_t
get_size(json_t *o, const char *name)
{
  json_t *j = json_object_get(o, name);

  return json_is_integer(j) && json_integer_value(j) >= 0
             ? (uint64_t)json_integer_value(j)
             : UINT64_MAX;
}

/* A parsed proof that verifies against the tree must be the tree's own. */
static void
check_parsed(const struct ledger_source *src, const struct tree *t,
             const struct app__proof *p)
{
  uint64_t index = get_size(p->json, "leaf_index");
  uint64_t size = get_size(p->json, "tree_size");
  uint64_t old = get_size(p->json, "old_size");
  uint64_t new_size = get_size(p->json, "new_size");
  uint8_t root[LEDGER_HASH_SIZE], old_root[LEDGER_HASH_SIZE], *own = NULL;
  size_t n = 0;

  if (size <= t->n && size > 0 && index < size) {
    if (ledger_root(src, size, root) != OK)
      fail("no root");
    if (ledger_verify_inclusion(t->leaf[index], index, size, p->hashes, p->n,
                                root) == OK) {
      if (ledger_prove_inclusion(src, index, size, &own, &n) != OK ||
          n != p->n || memcmp(own, p->hashes, n * LEDGER_HASH_SIZE) != 0)
        fail("another inclusion proof verifies");
      free(own);
    }
  }
  if (new_size <= t->n && old <= new_size) {
    if (ledger_root(src, old, old_root) != OK ||
        ledger_root(src, new_size, root) != OK)
      fail("no root");
    if (ledger_verify_consistency(old, new_size, old_root, root, p->hashes,
                                  p->n) == OK) {
      if (ledger_prove_consistency(src, old, new_size, &own, &n) != OK ||
          n != p->n || memcmp(own, p->hashes, n * LEDGER_HASH_SIZE) != 0)
        fail("another consistency proof verifies");
      free(own);
    }
  }
}

/* The tree's own proofs verify; changed in one bit, or moved, they fail. */
static void
check_own(const struct ledger_source *src, const struct tree *t, uint64_t index,
          uint64_t old, uint32_t bit)
{
  uint8_t root[LEDGER_HASH_SIZE], old_root[LEDGER_HASH_SIZE], *h = NULL;
  size_t n = 0;

  if (ledger_root(src, t->n, root) != OK)
    fail("no root");
  if (ledger_prove_inclusion(src, index, t->n, &h, &n) != OK)
    fail("no inclusion proof");
  if (ledger_verify_inclusion(t->leaf[index], index, t->n, h, n, root) != OK)
    fail("an inclusion proof does not verify");
  if (t->n > 1 &&
      ledger_verify_inclusion(t->leaf[index], (index + 1) % t->n, t->n, h, n,
                              root) == OK &&
      memcmp(t->leaf[index], t->leaf[(index + 1) % t->n], LEDGER_HASH_SIZE))
    fail("an inclusion proof verifies for another leaf");
  if (n > 0) {
    h[(bit / 8) % (n * LEDGER_HASH_SIZE)] ^= (uint8_t)(1u << (bit % 8));
    if (ledger_verify_inclusion(t->leaf[index], index, t->n, h, n, root) == OK)
      fail("a changed inclusion proof verifies");
  }
  free(h);

  if (ledger_root(src, old, old_root) != OK ||
      ledger_prove_consistency(src, old, t->n, &h, &n) != OK)
    fail("no consistency proof");
  if (ledger_verify_consistency(old, t->n, old_root, root, h, n) != OK)
    fail("a consistency proof does not verify");
  if (n > 0) {
    h[(bit / 8) % (n * LEDGER_HASH_SIZE)] ^= (uint8_t)(1u << (bit % 8));
    if (ledger_verify_consistency(old, t->n, old_root, root, h, n) == OK)
      fail("a changed consistency proof verifies");
  }
  if (old > 0 && old < t->n &&
      ledger_verify_consistency(old - 1, t->n, old_root, root, h, n) == OK)
    fail("a consistency proof verifies for another size");
  free(h);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static struct tree t;
  struct ledger_source src = {&t, src_leaves, src_node};
  struct app__proof p = {0};
  struct app_error err;
  uint8_t head[6] = {0};
  uint16_t a, b, c;

  memcpy(head, data, size < sizeof head ? size : sizeof head);
  a = (uint16_t)(head[0] | head[1] << 8);
  b = (uint16_t)(head[2] | head[3] << 8);
  c = (uint16_t)(head[4] | head[5] << 8);
  t.n = 1 + a % MAX_LEAVES;
  for (uint64_t i = 0; i < t.n; i++)
    ledger_leaf_hash(&i, sizeof i, t.leaf[i]);

  app_error_init(&err);
  if (size > sizeof head &&
      app__proof_parse((const char *)data + sizeof head, size - sizeof head,
                       "fuzz.json", &p, &err) == OK)
    check_parsed(&src, &t, &p);
  app__proof_cleanup(&p);
  app_error_cleanup(&err);
  check_own(&src, &t, b % t.n, c % (t.n + 1), (uint32_t)b << 16 | c);
  return 0;
}
