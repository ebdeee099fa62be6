/*
 * Tiles (c2sp.org/tlog-tiles): the tree as static files. A hash tile at
 * level L holds up to 256 consecutive hashes of perfect subtrees of
 * 256^L leaves; an entry bundle holds the entries of a level-0 tile, each
 * after a big-endian 16-bit length. Paths, the reading of a tile from a
 * stored tree, and the bundle's encoding live here; where files go and
 * what serves them is the caller's.
 */
#include "ledger/ledger.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The leaves read at once for a level-0 tile (the source's limit). */
#define LEAF_CHUNK ((uint64_t)1 << LEDGER_NODE_LEVEL)

/* The highest tile level whose hashes a uint64_t tree can hold: a level-7
 * hash covers 2^56 leaves; one of level 8 would cover 2^64. */
#define TILE_LEVEL_MAX 7

static void
put_index(struct buf *out, uint64_t n)
{
  /* Three digits a path element, all but the last with an 'x': 1234067 is
   * x001/x234/067. Built from the lowest group up. */
  char groups[8][5];
  size_t ng = 0;

  do {
    snprintf(groups[ng++], sizeof groups[0], "%03u", (unsigned)(n % 1000));
    n /= 1000;
  } while (n > 0);
  while (ng-- > 0)
    buf_printf(out, "%s%s%s", ng > 0 ? "x" : "", groups[ng], ng > 0 ? "/" : "");
}

void
ledger_tile_path(const struct ledger_tile *t, struct buf *out)
{
  if (t->level == LEDGER_TILE_ENTRIES)
    buf_puts(out, "tile/entries/");
  else
    buf_printf(out, "tile/%d/", t->level);
  put_index(out, t->index);
  if (t->width < LEDGER_TILE_WIDTH)
    buf_printf(out, ".p/%u", t->width);
}

/* A decimal of at most max_digits digits, no leading zero: OK and *out. */
static int
parse_decimal(const char *s, size_t len, unsigned max_digits, uint64_t *out)
{
  uint64_t v = 0;

  if (len == 0 || len > max_digits || (len > 1 && s[0] == '0'))
    return ERR_INVALID;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return ERR_INVALID;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  *out = v;
  return OK;
}

/* The <N> of a path: groups "xDDD/" then "DDD", exactly to end. */
static int
parse_index(const char *p, const char *end, uint64_t *out)
{
  uint64_t n = 0;
  size_t groups = 0;

  for (;;) {
    int more = p < end && *p == 'x';
    const char *d = p + more;

    if (end - d < 3 || d[0] < '0' || d[0] > '9' || d[1] < '0' || d[1] > '9' ||
        d[2] < '0' || d[2] > '9')
      return ERR_INVALID;
    /* 7 groups reach 10^21 > 2^64: refuse before overflowing. */
    if (++groups > 7 || n > (UINT64_MAX - 999) / 1000)
      return ERR_INVALID;
    n = n * 1000 + (uint64_t)(d[0] - '0') * 100 + (uint64_t)(d[1] - '0') * 10 +
        (uint64_t)(d[2] - '0');
    p = d + 3;
    if (!more)
      break;
    if (p >= end || *p != '/')
      return ERR_INVALID;
    p++;
  }
  if (p != end)
    return ERR_INVALID;
  *out = n;
  return OK;
}

int
ledger_tile_parse(const char *path, size_t len, struct ledger_tile *out)
{
  const char *p = path, *end = path + len, *slash, *dot;
  struct ledger_tile t = {0, 0, LEDGER_TILE_WIDTH};
  uint64_t v;
  struct buf again;
  int r;

  memset(out, 0, sizeof *out);
  if (len < 5 || memcmp(p, "tile/", 5) != 0)
    return ERR_INVALID;
  p += 5;
  slash = memchr(p, '/', (size_t)(end - p));
  if (slash == NULL)
    return ERR_INVALID;
  if (slash - p == 7 && memcmp(p, "entries", 7) == 0)
    t.level = LEDGER_TILE_ENTRIES;
  else if (parse_decimal(p, (size_t)(slash - p), 2, &v) == OK && v <= 63)
    t.level = (int)v;
  else
    return ERR_INVALID;
  p = slash + 1;
  /* A partial tile ends in ".p/<W>", W in 1..255. */
  dot = NULL;
  for (const char *q = p; q + 3 <= end; q++)
    if (q[0] == '.' && q[1] == 'p' && q[2] == '/') {
      dot = q;
      break;
    }
  if (dot) {
    if (parse_decimal(dot + 3, (size_t)(end - dot - 3), 3, &v) != OK || v < 1 ||
        v >= LEDGER_TILE_WIDTH)
      return ERR_INVALID;
    t.width = (unsigned)v;
    end = dot;
  }
  if (parse_index(p, end, &t.index) != OK)
    return ERR_INVALID;
  /* Only the one canonical spelling names a tile (no "x000/" in front):
   * a cache or a mirror must never hold one tile under two names. */
  buf_init(&again);
  ledger_tile_path(&t, &again);
  r = again.len == len && memcmp(again.data, path, len) == 0 ? OK : ERR_INVALID;
  buf_cleanup(&again);
  if (r == OK)
    *out = t;
  return r;
}

/* The leaves a tile's hashes cover, (index * 256 + width) * 256^level,
 * or UINT64_MAX when that does not fit. */
static uint64_t
tile_end(const struct ledger_tile *t)
{
  int level = t->level == LEDGER_TILE_ENTRIES ? 0 : t->level;
  uint64_t hashes;

  if (level > TILE_LEVEL_MAX || t->index > (UINT64_MAX >> 8) - 1)
    return UINT64_MAX;
  hashes = t->index * LEDGER_TILE_WIDTH + t->width;
  if (hashes > (UINT64_MAX >> (8 * level)))
    return UINT64_MAX;
  return hashes << (8 * level);
}

int
ledger_tile_in_tree(const struct ledger_tile *t, uint64_t size)
{
  uint64_t end = tile_end(t);

  return t->width >= 1 && t->width <= LEDGER_TILE_WIDTH && end != UINT64_MAX &&
         end <= size;
}

void
ledger_tile_count(uint64_t size, int level, uint64_t *full, unsigned *partial)
{
  uint64_t hashes =
      level < 0 || level > TILE_LEVEL_MAX ? 0 : size >> (8 * level);

  *full = hashes / LEDGER_TILE_WIDTH;
  *partial = (unsigned)(hashes % LEDGER_TILE_WIDTH);
}

int
ledger_tile_read(const struct ledger_source *src, const struct ledger_tile *t,
                 struct buf *out)
{
  uint64_t first = t->index * LEDGER_TILE_WIDTH;
  uint8_t *dst;
  int r = OK;

  if (t->level < 0 || t->level > TILE_LEVEL_MAX || t->width < 1 ||
      t->width > LEDGER_TILE_WIDTH || tile_end(t) == UINT64_MAX)
    return ERR_INVALID;
  buf_reserve(out, (size_t)t->width * LEDGER_HASH_SIZE);
  dst = (uint8_t *)out->data + out->len;
  if (t->level == 0) {
    /* Leaf hashes, in ranges the source reads at once. */
    for (uint64_t i = 0; i < t->width && r == OK; i += LEAF_CHUNK) {
      uint64_t n = t->width - i < LEAF_CHUNK ? t->width - i : LEAF_CHUNK;

      r = src->leaves(src->ctx, first + i, n, dst + i * LEDGER_HASH_SIZE);
    }
  } else {
    /* Hash i of a level-L tile is the perfect subtree of 2^(8L) leaves
     * numbered first + i at that height: a stored node (8L >= 8). */
    for (unsigned i = 0; i < t->width && r == OK; i++)
      r = src->node(src->ctx, (unsigned)(8 * t->level), first + i,
                    dst + (size_t)i * LEDGER_HASH_SIZE);
  }
  if (r == OK)
    out->len += (size_t)t->width * LEDGER_HASH_SIZE;
  return r;
}

int
ledger_bundle_append(struct buf *out, const void *entry, size_t len)
{
  uint8_t be[2];

  if (len > LEDGER_ENTRY_MAX)
    return ERR_INVALID;
  be[0] = (uint8_t)(len >> 8);
  be[1] = (uint8_t)len;
  buf_append(out, be, 2);
  buf_append(out, entry, len);
  return OK;
}

int
ledger_bundle_next(const void *data, size_t size, size_t *pos,
                   const uint8_t **entry, size_t *len)
{
  const uint8_t *d = data;
  size_t n;

  *entry = NULL;
  *len = 0;
  if (*pos >= size)
    return ERR_NOTFOUND;
  if (size - *pos < 2)
    return ERR_INVALID;
  n = (size_t)d[*pos] << 8 | d[*pos + 1];
  if (size - *pos - 2 < n)
    return ERR_INVALID;
  *entry = d + *pos + 2;
  *len = n;
  *pos += 2 + n;
  return OK;
}
