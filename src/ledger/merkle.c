/*
 * The Merkle tree of RFC 9162 section 2.1 over a storage-agnostic source:
 * hashing, roots, inclusion and consistency proofs, their verification, and
 * the append-only frontier. docs/internals/ledger.md describes the layout.
 */
#include "ledger/ledger.h"
#include "ledger/ledger_int.h"
#include "util/i18n.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* Leaves below LEDGER_NODE_LEVEL are read in one range of at most this. */
#define SMALL_RANGE ((uint64_t)1 << LEDGER_NODE_LEVEL)

/* A proof has at most one hash per level (64) plus, for consistency, one
 * for the old tree's own subtree. */
#define PROOF_MAX 72

/*
 * Hashing. EVP_sha256() would make OpenSSL 3 look the algorithm up on every
 * call, and a fresh EVP_MD_CTX per call costs two allocations; at ten
 * million leaves per import both show. So the algorithm is fetched once
 * and each thread keeps one context, freed when the thread exits.
 */
static pthread_once_t sha_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha_md;
static pthread_key_t sha_key;

static void
die_crypto(const char *what)
{
  fprintf(stderr, _("passage: OpenSSL cannot %s\n"), what);
  abort();
}

static void
sha_ctx_destroy(void *p)
{
  EVP_MD_CTX_free(p);
}

static void
sha_init(void)
{
  sha_md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
  if (sha_md == NULL)
    die_crypto(_("find SHA-256"));
  if (pthread_key_create(&sha_key, sha_ctx_destroy) != 0)
    die_crypto(_("keep a SHA-256 context per thread"));
}

static EVP_MD_CTX *
sha_ctx(void)
{
  EVP_MD_CTX *c;

  if (pthread_once(&sha_once, sha_init) != 0)
    die_crypto(_("initialise SHA-256"));
  c = pthread_getspecific(sha_key);
  if (c == NULL) {
    c = EVP_MD_CTX_new();
    if (c == NULL || pthread_setspecific(sha_key, c) != 0)
      die_crypto(_("allocate a SHA-256 context"));
  }
  return c;
}

void
ledger__sha256(const struct ledger__part *parts, size_t nparts,
               uint8_t out[LEDGER_HASH_SIZE])
{
  EVP_MD_CTX *c = sha_ctx();
  unsigned int n = 0;

  if (EVP_DigestInit_ex2(c, sha_md, NULL) != 1)
    die_crypto(_("start SHA-256"));
  for (size_t i = 0; i < nparts; i++) {
    if (parts[i].len > 0 &&
        EVP_DigestUpdate(c, parts[i].data, parts[i].len) != 1)
      die_crypto(_("compute SHA-256"));
  }
  /* Final writes out only after every part was read, so out may alias
   * a part (ledger_node_hash promises that). */
  if (EVP_DigestFinal_ex(c, out, &n) != 1 || n != LEDGER_HASH_SIZE)
    die_crypto(_("finish SHA-256"));
}

void
ledger_leaf_hash(const void *data, size_t len, uint8_t out[LEDGER_HASH_SIZE])
{
  static const uint8_t prefix = 0x00;
  struct ledger__part parts[2] = {{&prefix, 1}, {data, len}};

  ledger__sha256(parts, 2, out);
}

void
ledger_node_hash(const uint8_t left[LEDGER_HASH_SIZE],
                 const uint8_t right[LEDGER_HASH_SIZE],
                 uint8_t out[LEDGER_HASH_SIZE])
{
  static const uint8_t prefix = 0x01;
  struct ledger__part parts[3] = {
      {&prefix, 1}, {left, LEDGER_HASH_SIZE}, {right, LEDGER_HASH_SIZE}};

  ledger__sha256(parts, 3, out);
}

void
ledger_empty_root(uint8_t out[LEDGER_HASH_SIZE])
{
  ledger__sha256(NULL, 0, out);
}

/* The largest power of two smaller than n, for n >= 2: RFC 9162's k. */
static uint64_t
split_point(uint64_t n)
{
  return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

static int
is_pow2(uint64_t n)
{
  return n != 0 && (n & (n - 1)) == 0;
}

/*
 * In-memory versions of MTH, PATH and SUBPROOF (RFC 9162 2.1.1, 2.1.3.1,
 * 2.1.4.1) over n leaf hashes at h, used once a range is small enough to
 * have been read whole. Recursion depth is at most LEDGER_NODE_LEVEL here.
 */
struct proof {
  uint8_t h[PROOF_MAX][LEDGER_HASH_SIZE];
  size_t n;
};

static uint8_t *
proof_push(struct proof *p)
{
  assert(p->n < PROOF_MAX);
  return p->h[p->n++];
}

static void
mth_mem(const uint8_t *h, uint64_t n, uint8_t out[LEDGER_HASH_SIZE])
{
  uint8_t left[LEDGER_HASH_SIZE], right[LEDGER_HASH_SIZE];
  uint64_t k;

  if (n == 1) {
    memcpy(out, h, LEDGER_HASH_SIZE);
    return;
  }
  k = split_point(n);
  mth_mem(h, k, left);
  mth_mem(h + k * LEDGER_HASH_SIZE, n - k, right);
  ledger_node_hash(left, right, out);
}

static void
path_mem(const uint8_t *h, uint64_t n, uint64_t m, struct proof *p)
{
  uint64_t k;

  if (n == 1)
    return;
  k = split_point(n);
  if (m < k) {
    path_mem(h, k, m, p);
    mth_mem(h + k * LEDGER_HASH_SIZE, n - k, proof_push(p));
  } else {
    path_mem(h + k * LEDGER_HASH_SIZE, n - k, m - k, p);
    mth_mem(h, k, proof_push(p));
  }
}

static void
subproof_mem(const uint8_t *h, uint64_t n, uint64_t m, int whole,
             struct proof *p)
{
  uint64_t k;

  if (m == n) {
    if (!whole)
      mth_mem(h, n, proof_push(p));
    return;
  }
  k = split_point(n);
  if (m <= k) {
    subproof_mem(h, k, m, whole, p);
    mth_mem(h + k * LEDGER_HASH_SIZE, n - k, proof_push(p));
  } else {
    subproof_mem(h + k * LEDGER_HASH_SIZE, n - k, m - k, 0, p);
    mth_mem(h, k, proof_push(p));
  }
}

/*
 * Reading through the source. A small range is read whole (one call) and
 * handled in memory; the 2 KiB buffer lives only in these leaf functions so
 * that the recursion above them keeps small frames.
 */
static int
small_hash(const struct ledger_source *src, uint64_t start, uint64_t n,
           uint8_t out[LEDGER_HASH_SIZE])
{
  uint8_t buf[SMALL_RANGE * LEDGER_HASH_SIZE];
  int r = src->leaves(src->ctx, start, n, buf);

  if (r == OK)
    mth_mem(buf, n, out);
  return r;
}

static int
small_path(const struct ledger_source *src, uint64_t start, uint64_t n,
           uint64_t m, struct proof *p)
{
  uint8_t buf[SMALL_RANGE * LEDGER_HASH_SIZE];
  int r = src->leaves(src->ctx, start, n, buf);

  if (r == OK)
    path_mem(buf, n, m, p);
  return r;
}

static int
small_subproof(const struct ledger_source *src, uint64_t start, uint64_t n,
               uint64_t m, int whole, struct proof *p)
{
  uint8_t buf[SMALL_RANGE * LEDGER_HASH_SIZE];
  int r = src->leaves(src->ctx, start, n, buf);

  if (r == OK)
    subproof_mem(buf, n, m, whole, p);
  return r;
}

/*
 * MTH(D[start:end]). In RFC 9162's recursion every perfect range starts at
 * a multiple of its size, so it is a stored node once large enough; a
 * ragged range splits into a perfect left part and a smaller right part,
 * which gives one node read per level and one small leaf read at most.
 */
static int
range_hash(const struct ledger_source *src, uint64_t start, uint64_t end,
           uint8_t out[LEDGER_HASH_SIZE])
{
  uint8_t left[LEDGER_HASH_SIZE], right[LEDGER_HASH_SIZE];
  uint64_t n = end - start, k;
  int r;

  if (is_pow2(n) && n >= SMALL_RANGE) {
    unsigned level = (unsigned)__builtin_ctzll(n);

    assert((start & (n - 1)) == 0);
    return src->node(src->ctx, level, start >> level, out);
  }
  if (n <= SMALL_RANGE)
    return small_hash(src, start, n, out);
  k = split_point(n);
  r = range_hash(src, start, start + k, left);
  if (r != OK)
    return r;
  r = range_hash(src, start + k, end, right);
  if (r != OK)
    return r;
  ledger_node_hash(left, right, out);
  return OK;
}

int
ledger_root(const struct ledger_source *src, uint64_t size,
            uint8_t out[LEDGER_HASH_SIZE])
{
  uint8_t h[LEDGER_HASH_SIZE];
  int r;

  memset(out, 0, LEDGER_HASH_SIZE);
  if (size == 0) {
    ledger_empty_root(out);
    return OK;
  }
  r = range_hash(src, 0, size, h);
  if (r == OK)
    memcpy(out, h, LEDGER_HASH_SIZE);
  return r;
}

/* PATH(m, D[start:end]), siblings appended deepest first as the RFC lists
 * them: the recursion's result comes before this level's sibling. */
static int
path(const struct ledger_source *src, uint64_t m, uint64_t start, uint64_t end,
     struct proof *p)
{
  uint64_t n = end - start, k;
  int r;

  if (n == 1)
    return OK;
  if (n <= SMALL_RANGE)
    return small_path(src, start, n, m, p);
  k = split_point(n);
  if (m < k) {
    r = path(src, m, start, start + k, p);
    if (r == OK)
      r = range_hash(src, start + k, end, proof_push(p));
  } else {
    r = path(src, m - k, start + k, end, p);
    if (r == OK)
      r = range_hash(src, start, start + k, proof_push(p));
  }
  return r;
}

/* SUBPROOF(m, D[start:end], whole) of RFC 9162 2.1.4.1. */
static int
subproof(const struct ledger_source *src, uint64_t m, uint64_t start,
         uint64_t end, int whole, struct proof *p)
{
  uint64_t n = end - start, k;
  int r;

  if (m == n)
    return whole ? OK : range_hash(src, start, end, proof_push(p));
  if (n <= SMALL_RANGE)
    return small_subproof(src, start, n, m, whole, p);
  k = split_point(n);
  if (m <= k) {
    r = subproof(src, m, start, start + k, whole, p);
    if (r == OK)
      r = range_hash(src, start + k, end, proof_push(p));
  } else {
    r = subproof(src, m - k, start + k, end, 0, p);
    if (r == OK)
      r = range_hash(src, start, start + k, proof_push(p));
  }
  return r;
}

/* Hands a finished proof to the caller as one array of 32-byte hashes. */
static void
proof_take(const struct proof *p, uint8_t **out_hashes, size_t *out_n)
{
  size_t bytes = p->n * LEDGER_HASH_SIZE;
  uint8_t *h = xmalloc(bytes > 0 ? bytes : 1);

  if (bytes > 0)
    memcpy(h, p->h, bytes);
  *out_hashes = h;
  *out_n = p->n;
}

int
ledger_prove_inclusion(const struct ledger_source *src, uint64_t index,
                       uint64_t size, uint8_t **out_hashes, size_t *out_n)
{
  struct proof *p = NULL;
  int r;

  *out_hashes = NULL;
  *out_n = 0;
  if (index >= size) {
    r = ERR_INVALID;
    goto out;
  }
  p = xmalloc(sizeof *p);
  p->n = 0;
  r = path(src, index, 0, size, p);
  if (r != OK)
    goto out;
  proof_take(p, out_hashes, out_n);
out:
  free(p);
  return r;
}

int
ledger_prove_consistency(const struct ledger_source *src, uint64_t old_size,
                         uint64_t new_size, uint8_t **out_hashes, size_t *out_n)
{
  struct proof *p = NULL;
  int r = OK;

  *out_hashes = NULL;
  *out_n = 0;
  if (old_size > new_size) {
    r = ERR_INVALID;
    goto out;
  }
  p = xmalloc(sizeof *p);
  p->n = 0;
  /* The RFC defines proofs for 0 < old < new only; the other cases are
   * proved by an empty proof (see ledger_verify_consistency). */
  if (old_size > 0 && old_size < new_size) {
    r = subproof(src, old_size, 0, new_size, 1, p);
    if (r != OK)
      goto out;
  }
  proof_take(p, out_hashes, out_n);
out:
  free(p);
  return r;
}

static int
hash_eq(const uint8_t *a, const uint8_t *b)
{
  return memcmp(a, b, LEDGER_HASH_SIZE) == 0;
}

/* The steps below are RFC 9162 2.1.3.2, numbered as there. */
int
ledger_verify_inclusion(const uint8_t leaf_hash[LEDGER_HASH_SIZE],
                        uint64_t index, uint64_t size, const uint8_t *hashes,
                        size_t n, const uint8_t root[LEDGER_HASH_SIZE])
{
  uint8_t r[LEDGER_HASH_SIZE];
  uint64_t fn, sn;

  /* 1. */
  if (index >= size)
    return ERR_VERIFY;
  /* 2., 3. */
  fn = index;
  sn = size - 1;
  memcpy(r, leaf_hash, LEDGER_HASH_SIZE);
  /* 4. */
  for (size_t i = 0; i < n; i++) {
    const uint8_t *p = hashes + i * LEDGER_HASH_SIZE;

    if (sn == 0)
      return ERR_VERIFY;
    if ((fn & 1) || fn == sn) {
      ledger_node_hash(p, r, r);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      ledger_node_hash(r, p, r);
    }
    fn >>= 1;
    sn >>= 1;
  }
  /* 5. */
  return sn == 0 && hash_eq(r, root) ? OK : ERR_VERIFY;
}

/* The steps below are RFC 9162 2.1.4.2, numbered as there. */
int
ledger_verify_consistency(uint64_t old_size, uint64_t new_size,
                          const uint8_t old_root[LEDGER_HASH_SIZE],
                          const uint8_t new_root[LEDGER_HASH_SIZE],
                          const uint8_t *hashes, size_t n)
{
  uint8_t fr[LEDGER_HASH_SIZE], sr[LEDGER_HASH_SIZE];
  uint8_t empty[LEDGER_HASH_SIZE];
  uint64_t fn, sn;
  size_t i;

  if (old_size > new_size)
    return ERR_VERIFY;
  if (old_size == new_size)
    return n == 0 && hash_eq(old_root, new_root) ? OK : ERR_VERIFY;
  if (old_size == 0) {
    ledger_empty_root(empty);
    return n == 0 && hash_eq(old_root, empty) ? OK : ERR_VERIFY;
  }
  /* 1. */
  if (n == 0)
    return ERR_VERIFY;
  /* 2. and 5.: prepending old_root means starting from it and consuming
   * the proof from its first hash. */
  if (is_pow2(old_size)) {
    memcpy(fr, old_root, LEDGER_HASH_SIZE);
    i = 0;
  } else {
    memcpy(fr, hashes, LEDGER_HASH_SIZE);
    i = 1;
  }
  memcpy(sr, fr, LEDGER_HASH_SIZE);
  /* 3. */
  fn = old_size - 1;
  sn = new_size - 1;
  /* 4. */
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  /* 6. */
  for (; i < n; i++) {
    const uint8_t *c = hashes + i * LEDGER_HASH_SIZE;

    if (sn == 0)
      return ERR_VERIFY;
    if ((fn & 1) || fn == sn) {
      ledger_node_hash(c, fr, fr);
      ledger_node_hash(c, sr, sr);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      ledger_node_hash(sr, c, sr);
    }
    fn >>= 1;
    sn >>= 1;
  }
  /* 7. */
  return hash_eq(fr, old_root) && hash_eq(sr, new_root) && sn == 0 ? OK
                                                                   : ERR_VERIFY;
}

/*
 * The frontier: hash[L] holds the perfect subtree of 2^L leaves on the
 * right edge when bit L of size is set, and is meaningless otherwise.
 */
struct ledger_frontier {
  uint64_t size;
  uint8_t hash[64][LEDGER_HASH_SIZE];
};

struct ledger_frontier *
ledger_frontier_new(void)
{
  return xcalloc(1, sizeof(struct ledger_frontier));
}

void
ledger_frontier_free(struct ledger_frontier *f)
{
  free(f);
}

uint64_t
ledger_frontier_size(const struct ledger_frontier *f)
{
  return f->size;
}

int
ledger_frontier_append(struct ledger_frontier *f,
                       const uint8_t leaf_hash[LEDGER_HASH_SIZE],
                       int (*emit)(void *ctx, unsigned level, uint64_t index,
                                   const uint8_t hash[LEDGER_HASH_SIZE]),
                       void *ctx)
{
  uint8_t h[LEDGER_HASH_SIZE];
  uint64_t size = f->size;
  unsigned level = 0;
  int r;

  if (size == UINT64_MAX)
    return ERR_INVALID;
  memcpy(h, leaf_hash, LEDGER_HASH_SIZE);
  /* Like incrementing a binary counter: each carry merges two subtrees.
   * Nothing in f changes until the end, so a failing emit leaves f as it
   * was. level stays below 64 because size < 2^64 - 1. */
  while ((size >> level) & 1) {
    ledger_node_hash(f->hash[level], h, h);
    level++;
    if (level >= LEDGER_NODE_LEVEL && emit != NULL) {
      r = emit(ctx, level, ((size + 1) >> level) - 1, h);
      if (r != OK)
        return r;
    }
  }
  memcpy(f->hash[level], h, LEDGER_HASH_SIZE);
  f->size = size + 1;
  return OK;
}

void
ledger_frontier_root(const struct ledger_frontier *f,
                     uint8_t out[LEDGER_HASH_SIZE])
{
  unsigned level;

  if (f->size == 0) {
    ledger_empty_root(out);
    return;
  }
  /* The root folds the right-edge subtrees from the smallest up. */
  level = (unsigned)__builtin_ctzll(f->size);
  memcpy(out, f->hash[level], LEDGER_HASH_SIZE);
  for (level++; level < 64; level++) {
    if ((f->size >> level) & 1)
      ledger_node_hash(f->hash[level], out, out);
  }
}

int
ledger_frontier_load(struct ledger_frontier *f, const struct ledger_source *src,
                     uint64_t size)
{
  struct ledger_frontier *t = ledger_frontier_new();
  uint8_t buf[SMALL_RANGE * LEDGER_HASH_SIZE];
  uint64_t start = 0, tail = size & (SMALL_RANGE - 1), off = 0;
  int r = OK;

  t->size = size;
  /* Large subtrees are stored nodes, read from the left. */
  for (unsigned level = 63; level >= LEDGER_NODE_LEVEL; level--) {
    if ((size >> level) & 1) {
      r = src->node(src->ctx, level, start >> level, t->hash[level]);
      if (r != OK)
        goto out;
      start += (uint64_t)1 << level;
    }
  }
  /* The small ones all lie in the last < 64 leaves: one read. */
  if (tail > 0) {
    r = src->leaves(src->ctx, start, tail, buf);
    if (r != OK)
      goto out;
    for (int level = LEDGER_NODE_LEVEL - 1; level >= 0; level--) {
      if ((tail >> level) & 1) {
        mth_mem(buf + off * LEDGER_HASH_SIZE, (uint64_t)1 << level,
                t->hash[level]);
        off += (uint64_t)1 << level;
      }
    }
  }
  memcpy(f, t, sizeof *t);
out:
  ledger_frontier_free(t);
  return r;
}
