/*
 * Tiles (c2sp.org/tlog-tiles) and the witness protocol's bytes
 * (c2sp.org/tlog-witness): paths in the spec's encoding, the tile counts of
 * the spec's own example, tiles read from a stored tree against a naive
 * MTH written here, entry bundles, and the add-checkpoint body.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ledger/ledger.h"

static void
check_path(int level, uint64_t index, unsigned width, const char *want)
{
  struct ledger_tile t = {level, index, width}, back;
  struct buf b;

  buf_init(&b);
  ledger_tile_path(&t, &b);
  assert_string_equal(b.data, want);
  assert_int_equal(ledger_tile_parse(b.data, b.len, &back), OK);
  assert_int_equal(back.level, level);
  assert_true(back.index == index);
  assert_int_equal(back.width, width);
  buf_cleanup(&b);
}

/* The spec's encoding: groups of three digits, all but the last after an
 * 'x' (its own example: 1234067 is x001/x234/067). */
static void
test_paths(void **state)
{
  (void)state;
  check_path(0, 0, 256, "tile/0/000");
  check_path(0, 1234067, 256, "tile/0/x001/x234/067");
  check_path(2, 5, 17, "tile/2/005.p/17");
  check_path(1, 999, 255, "tile/1/999.p/255");
  check_path(1, 1000, 1, "tile/1/x001/000.p/1");
  check_path(LEDGER_TILE_ENTRIES, 1000, 3, "tile/entries/x001/000.p/3");
  check_path(LEDGER_TILE_ENTRIES, 7, 256, "tile/entries/007");
  check_path(63, 0, 1, "tile/63/000.p/1");
}

static void
test_bad_paths(void **state)
{
  static const char *const bad[] = {
      "tile/0/x000/005", /* not the canonical spelling of 5 */
      "tile/00/000",     /* a level with a leading zero */
      "tile/64/000",     /* levels are 0..63 */
      "tile/0/000.p/0",  /* widths are 1..255 */
      "tile/0/000.p/256",
      "tile/0/000.p/05",
      "tile/0/1234",
      "tile/0/12",
      "tile/0/x1/000",
      "tile/0/x001",
      "tile/0/x001/x234/x067",
      "tile/0/000/",
      "tile/data/000", /* sumdb's name, not C2SP's */
      "tile/8/0/000",  /* sumdb's height segment */
      "tile/0/-01",
      "tiles/0/000",
      "tile/0/000.p/",
      "tile/entries/000.p/1/",
      "tile/0/x018/x446/x744/x073/x709/x551/616", /* 2^64 */
      "",
  };
  struct ledger_tile t;

  (void)state;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(ledger_tile_parse(bad[i], strlen(bad[i]), &t),
                     ERR_INVALID);
}

/* The spec's example: a tree of 70,000 leaves is 273 full level-0 tiles
 * and one of width 112 (70,000 - 273 * 256), one full level-1 tile and one
 * of width 17 (70,000 >> 8 = 273 = 256 + 17), and a level-2 tile of width
 * 1 (273 >> 8); a tree of 256 is one full level-0 tile and a level-1 tile
 * of width 1. */
static void
test_counts(void **state)
{
  uint64_t full;
  unsigned partial;

  (void)state;
  ledger_tile_count(70000, 0, &full, &partial);
  assert_true(full == 273 && partial == 112);
  ledger_tile_count(70000, 1, &full, &partial);
  assert_true(full == 1 && partial == 17);
  ledger_tile_count(70000, 2, &full, &partial);
  assert_true(full == 0 && partial == 1);
  ledger_tile_count(70000, 3, &full, &partial);
  assert_true(full == 0 && partial == 0);
  ledger_tile_count(256, 0, &full, &partial);
  assert_true(full == 1 && partial == 0);
  ledger_tile_count(256, 1, &full, &partial);
  assert_true(full == 0 && partial == 1);
}

static void
test_in_tree(void **state)
{
  struct ledger_tile l1 = {1, 0, 1}, l0 = {0, 0, 256}, p = {0, 1, 5};
  struct ledger_tile huge = {7, UINT64_MAX >> 8, 256};

  (void)state;
  assert_true(ledger_tile_in_tree(&l1, 256));  /* hash 0 covers 0..255 */
  assert_false(ledger_tile_in_tree(&l1, 255)); /* not complete yet */
  assert_true(ledger_tile_in_tree(&l0, 256));
  assert_false(ledger_tile_in_tree(&l0, 255));
  assert_true(ledger_tile_in_tree(&p, 261)); /* 256 + 5 */
  assert_false(ledger_tile_in_tree(&p, 260));
  assert_false(ledger_tile_in_tree(&huge, UINT64_MAX));
}

/* A stored tree in memory: every leaf hash, and the nodes the frontier
 * emits at heights >= 6, in one array per height. */
#define LEAVES 70000
struct mem {
  uint8_t (*leaf)[LEDGER_HASH_SIZE];
  uint8_t (*node[64])[LEDGER_HASH_SIZE];
  uint64_t nnode[64];
};

static int
emit(void *ctx, unsigned level, uint64_t index,
     const uint8_t hash[LEDGER_HASH_SIZE])
{
  struct mem *m = ctx;

  assert_true(index == m->nnode[level]); /* each one, in order */
  m->node[level] =
      realloc(m->node[level], (index + 1) * sizeof *m->node[level]);
  memcpy(m->node[level][index], hash, LEDGER_HASH_SIZE);
  m->nnode[level]++;
  return OK;
}

static int
mem_leaves(void *ctx, uint64_t start, uint64_t n, uint8_t *out)
{
  struct mem *m = ctx;

  if (n < 1 || n > 64 || start + n > LEAVES)
    return ERR_NOTFOUND;
  memcpy(out, m->leaf[start], n * LEDGER_HASH_SIZE);
  return OK;
}

static int
mem_node(void *ctx, unsigned level, uint64_t index,
         uint8_t out[LEDGER_HASH_SIZE])
{
  struct mem *m = ctx;

  if (level < 6 || index >= m->nnode[level])
    return ERR_NOTFOUND;
  memcpy(out, m->node[level][index], LEDGER_HASH_SIZE);
  return OK;
}

/* MTH of n leaf hashes as RFC 6962 2.1 defines it, recursively. */
static void
mth(const uint8_t (*h)[LEDGER_HASH_SIZE], uint64_t n,
    uint8_t out[LEDGER_HASH_SIZE])
{
  uint8_t l[LEDGER_HASH_SIZE], r[LEDGER_HASH_SIZE];
  uint64_t k = 1;

  if (n == 1) {
    memcpy(out, h[0], LEDGER_HASH_SIZE);
    return;
  }
  while (k * 2 < n)
    k *= 2;
  mth(h, k, l);
  mth(h + k, n - k, r);
  ledger_node_hash(l, r, out);
}

static void
test_read(void **state)
{
  struct mem m;
  struct ledger_frontier *f = ledger_frontier_new();
  struct ledger_source src = {&m, mem_leaves, mem_node};
  struct ledger_tile t;
  uint8_t want[LEDGER_HASH_SIZE];
  struct buf b;

  (void)state;
  memset(&m, 0, sizeof m);
  m.leaf = malloc(LEAVES * sizeof *m.leaf);
  for (uint64_t i = 0; i < LEAVES; i++) {
    char e[32];
    int n = snprintf(e, sizeof e, "entry %llu", (unsigned long long)i);
    ledger_leaf_hash(e, (size_t)n, m.leaf[i]);
    assert_int_equal(ledger_frontier_append(f, m.leaf[i], emit, &m), OK);
  }
  buf_init(&b);
  /* Level 0: the leaf hashes themselves, 112 of them in the last tile. */
  t = (struct ledger_tile){0, 273, 112};
  assert_int_equal(ledger_tile_read(&src, &t, &b), OK);
  assert_int_equal(b.len, 112 * 32);
  assert_memory_equal(b.data, m.leaf[273 * 256], 112 * 32);
  /* Level 1, full: hash i is MTH of leaves [256 i, 256 i + 256). */
  buf_reset(&b);
  t = (struct ledger_tile){1, 0, 256};
  assert_int_equal(ledger_tile_read(&src, &t, &b), OK);
  assert_int_equal(b.len, 256 * 32);
  for (int i = 0; i < 256; i += 85) {
    mth(m.leaf + i * 256, 256, want);
    assert_memory_equal(b.data + i * 32, want, 32);
  }
  /* Level 1, partial 17: hash 16 covers leaves 272 * 256 .. 273 * 256. */
  buf_reset(&b);
  t = (struct ledger_tile){1, 1, 17};
  assert_int_equal(ledger_tile_read(&src, &t, &b), OK);
  mth(m.leaf + 272 * 256, 256, want);
  assert_memory_equal(b.data + 16 * 32, want, 32);
  /* Level 2, width 1: MTH of the first 65,536 leaves. */
  buf_reset(&b);
  t = (struct ledger_tile){2, 0, 1};
  assert_int_equal(ledger_tile_read(&src, &t, &b), OK);
  mth(m.leaf, 65536, want);
  assert_memory_equal(b.data, want, 32);
  /* An entry bundle is no hash tile; a tile past the tree fails cleanly. */
  t = (struct ledger_tile){LEDGER_TILE_ENTRIES, 0, 256};
  assert_int_equal(ledger_tile_read(&src, &t, &b), ERR_INVALID);
  t = (struct ledger_tile){1, 1, 18};
  assert_int_equal(ledger_tile_read(&src, &t, &b), ERR_NOTFOUND);
  buf_cleanup(&b);
  ledger_frontier_free(f);
  for (int i = 0; i < 64; i++)
    free(m.node[i]);
  free(m.leaf);
}

static void
test_bundle(void **state)
{
  /* "abc" and "" as a bundle: 00 03 a b c, 00 00 */
  static const uint8_t want[] = {0, 3, 'a', 'b', 'c', 0, 0};
  char *big = calloc(1, LEDGER_ENTRY_MAX + 1);
  const uint8_t *e;
  size_t pos = 0, len;
  struct buf b;

  (void)state;
  buf_init(&b);
  assert_int_equal(ledger_bundle_append(&b, "abc", 3), OK);
  assert_int_equal(ledger_bundle_append(&b, "", 0), OK);
  buf_append(&b, "\x01\x00", 2); /* 256 bytes announced, none there */
  assert_int_equal(b.len, 9);
  assert_memory_equal(b.data, want, 7);
  assert_int_equal(ledger_bundle_next(b.data, b.len, &pos, &e, &len), OK);
  assert_true(len == 3 && memcmp(e, "abc", 3) == 0);
  assert_int_equal(ledger_bundle_next(b.data, b.len, &pos, &e, &len), OK);
  assert_true(len == 0);
  assert_int_equal(ledger_bundle_next(b.data, b.len, &pos, &e, &len),
                   ERR_INVALID);
  pos = 5; /* at the second entry again: ends exactly */
  assert_int_equal(ledger_bundle_next(b.data, 7, &pos, &e, &len), OK);
  assert_int_equal(ledger_bundle_next(b.data, 7, &pos, &e, &len), ERR_NOTFOUND);
  /* 65,535 bytes fit a 16-bit length (0xffff); one more does not. */
  buf_reset(&b);
  assert_int_equal(ledger_bundle_append(&b, big, LEDGER_ENTRY_MAX), OK);
  assert_true((uint8_t)b.data[0] == 0xff && (uint8_t)b.data[1] == 0xff);
  assert_int_equal(ledger_bundle_append(&b, big, LEDGER_ENTRY_MAX + 1),
                   ERR_INVALID);
  assert_int_equal(b.len, 2 + LEDGER_ENTRY_MAX);
  buf_cleanup(&b);
  free(big);
}

/* The spec's example body, shortened to two proof lines. */
static void
test_witness_request(void **state)
{
  static const char body[] =
      "old 20852014\n"
      "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
      "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
      "\n"
      "example.com/behind-the-sofa\n"
      "20852163\n"
      "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
      "\n"
      "\xe2\x80\x94 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/"
      "5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
  struct ledger_witness_request r;
  struct buf err, again;

  (void)state;
  buf_init(&err);
  buf_init(&again);
  assert_int_equal(ledger_witness_parse_request(body, strlen(body), &r, &err),
                   OK);
  assert_true(r.old_size == 20852014);
  assert_int_equal(r.nproof, 2);
  /* 'P' 'l' 'R' 'N' decode to 0x3e 0x54 0x4d */
  assert_true(r.proof[0][0] == 0x3e && r.proof[0][1] == 0x54 &&
              r.proof[0][2] == 0x4d);
  assert_true(r.note == body + 13 + 45 + 45 + 1);
  assert_int_equal(r.note_len, strlen(body) - (13 + 45 + 45 + 1));
  ledger_witness_format_request(r.old_size, r.proof[0], r.nproof, r.note,
                                r.note_len, &again);
  assert_int_equal(again.len, strlen(body));
  assert_memory_equal(again.data, body, again.len);
  buf_cleanup(&err);
  buf_cleanup(&again);
}

static void
test_witness_bad_requests(void **state)
{
  static const char *const bad[] = {
      "old 01\n\nnote",   /* a leading zero */
      "old -1\n\nnote",   /* no sign */
      "old 1\nnote",      /* no empty line */
      "old 1\nAAAA\n\nn", /* a proof line of 3 bytes */
      "old 1",            /* no newline */
      "olde 1\n\nn",
      "old 18446744073709551616\n\nn", /* 2^64 */
  };
  struct ledger_witness_request r;
  struct buf err, body;

  (void)state;
  buf_init(&err);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    buf_reset(&err);
    assert_int_equal(
        ledger_witness_parse_request(bad[i], strlen(bad[i]), &r, &err),
        ERR_INVALID);
    assert_non_null(err.data);
  }
  /* 63 proof lines are allowed, 64 are not. */
  buf_init(&body);
  buf_puts(&body, "old 0\n");
  for (int i = 0; i < 63; i++)
    buf_puts(&body, "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n");
  buf_puts(&body, "\nnote");
  assert_int_equal(ledger_witness_parse_request(body.data, body.len, &r, &err),
                   OK);
  assert_int_equal(r.nproof, 63);
  buf_reset(&body);
  buf_puts(&body, "old 0\n");
  for (int i = 0; i < 64; i++)
    buf_puts(&body, "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n");
  buf_puts(&body, "\nnote");
  assert_int_equal(ledger_witness_parse_request(body.data, body.len, &r, &err),
                   ERR_INVALID);
  buf_cleanup(&body);
  buf_cleanup(&err);
}

static void
test_witness_size_and_origin(void **state)
{
  uint64_t n;
  char hex[65];

  (void)state;
  assert_int_equal(ledger_witness_parse_size("20852014\n", 9, &n), OK);
  assert_true(n == 20852014);
  assert_int_equal(ledger_witness_parse_size("0\n", 2, &n), OK);
  assert_true(n == 0);
  assert_int_equal(ledger_witness_parse_size("12", 2, &n), ERR_INVALID);
  assert_int_equal(ledger_witness_parse_size("012\n", 4, &n), ERR_INVALID);
  assert_int_equal(ledger_witness_parse_size("\n", 1, &n), ERR_INVALID);
  /* sha256("example.com/behind-the-sofa"), by Python's hashlib */
  ledger_origin_hash("example.com/behind-the-sofa", hex);
  assert_string_equal(
      hex, "5fd2dc0beb4ce54da5050cf6d5c75248b023abad441c3cecde3976fbe9da4fe4");
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_paths),
      cmocka_unit_test(test_bad_paths),
      cmocka_unit_test(test_counts),
      cmocka_unit_test(test_in_tree),
      cmocka_unit_test(test_read),
      cmocka_unit_test(test_bundle),
      cmocka_unit_test(test_witness_request),
      cmocka_unit_test(test_witness_bad_requests),
      cmocka_unit_test(test_witness_size_and_origin),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
