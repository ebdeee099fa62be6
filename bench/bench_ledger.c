/*
 * bench_ledger: how fast the ledger appends and proves (issue 3).
 *
 *   bench_ledger append N
 *       Hashes N synthetic 200-byte entries and appends them to a frontier
 *       in memory, keeping the emitted nodes in an array; prints the rate
 *       of hashing alone and of hashing plus appending.
 *   bench_ledger build FILE N [--full] [--batch B] [--page-size P]
 *       The same appends written to a new SQLite file with the store's
 *       entry and node tables, B entries per transaction (default 1000000),
 *       in pages of P bytes (default SQLite's, 4096).
 *       Without --full only the hash column holds data (kind 0, id '',
 *       bytes an empty blob, no id index); with --full every row holds its
 *       id and 200 bytes and the unique (kind, id) index is kept, as in a
 *       real store. The size and root go in a table bench_meta.
 *   bench_ledger prove FILE [--count C] [--cold K] [--per-call] [--read-tx]
 *                           [--seed S]
 *       Inclusion and consistency proofs against a file made by build,
 *       read through a ledger_source over the SQLite backend's own tree
 *       statements (src/store/sqlite/tree.c), of random leaves of the whole
 *       tree (C defaults to 10000):
 *         - K inclusion proofs, each from a cold cache (default 200);
 *         - the node table read whole into a cold cache, then C proofs
 *           whose leaf pages still come from the disk;
 *         - C starting from a cold cache, which fills as they go;
 *         - C more of new leaves ("warmed": the upper levels are cached,
 *           most leaf pages are not), then the same C again ("hot");
 *         - C consistency proofs from a random older size to the whole
 *           tree, and the root of that older size;
 *         - when the file takes at most half the available memory, the
 *           whole file is read into the page cache and, with a new
 *           connection, C inclusion and C consistency proofs are timed
 *           again: a server with the RAM to keep its file cached.
 *       Every proof is verified against the root the build recorded, with
 *       the leaf hash recomputed from the synthetic entry, and in each run
 *       the first 100 inclusion proofs must fail once a bit is flipped; a
 *       failure makes the exit status 1.
 *       --per-call finalizes the statements after each read, so that each
 *       read prepares its own, as the store used to; --read-tx wraps each
 *       proof in one read transaction.
 *
 * "Cold" means the file's pages were dropped from the kernel's page cache
 * (fdatasync, then posix_fadvise DONTNEED, checked with mincore) and the
 * SQLite connection, with its own page cache, was reopened. What a virtual
 * disk's host caches beneath us we cannot drop.
 *
 * The tables' DDL, the connection's flags and pragmas, the entry insert and
 * every node write and tree read are the store's own code
 * (store/sqlite/sqlite_tree.h); what only the benchmark does (its side
 * table, hash-only rows, read transactions, dropping caches) it does with
 * SQLite itself, here.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ledger/ledger.h"
#include "store/sqlite/sqlite_tree.h"
#include "util/util.h"

#define ENTRY_LEN 200
#define ID_OFF 23 /* where the 16 hex digits of the sequence number go */

static void
die(const char *fmt, const char *arg)
{
  fprintf(stderr, "bench_ledger: ");
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  exit(2);
}

static double
now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* splitmix64: a small, good, seedable generator. */
static uint64_t
rnd(uint64_t *state)
{
  uint64_t z = (*state += 0x9e3779b97f4a7c15u);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

/*
 * Synthetic entry seq: 200 bytes of record-like JSON whose id carries seq
 * in hex, so every entry differs and a verifier can rebuild any of them.
 */
static void
entry_make(uint64_t seq, char out[ENTRY_LEN])
{
  static const char tmpl[] =
      "{\"kind\":\"flow\",\"id\":\"b-0000000000000000\",\"start\":"
      "\"2024-01-01T00:00:00Z\",\"checkpoint\":\"kornidzor\",\"direction\":"
      "\"in\",\"vehicle\":\"truck\",\"vehicles\":1,\"cargo\":"
      "[{\"category\":\"food\",\"quantity\":20,\"unit\":\"t\"}]}";
  static const char hex[] = "0123456789abcdef";

  _Static_assert(sizeof tmpl - 1 == ENTRY_LEN, "the template is 200 bytes");
  memcpy(out, tmpl, ENTRY_LEN);
  for (int i = 15; i >= 0; i--) {
    out[ID_OFF + i] = hex[seq & 15];
    seq >>= 4;
  }
}

static void
entry_hash(uint64_t seq, uint8_t out[LEDGER_HASH_SIZE])
{
  char e[ENTRY_LEN];

  entry_make(seq, e);
  ledger_leaf_hash(e, ENTRY_LEN, out);
}

static void
hex_encode(const uint8_t *h, char out[2 * LEDGER_HASH_SIZE + 1])
{
  for (int i = 0; i < LEDGER_HASH_SIZE; i++)
    snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static uint64_t
parse_u64(const char *s)
{
  char *end;
  unsigned long long v;

  errno = 0;
  v = strtoull(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0')
    die("not a number: %s", s);
  return (uint64_t)v;
}

static void
exec(sqlite3 *db, const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
    die("sqlite: %s", msg ? msg : sqlite3_errmsg(db));
}

static sqlite3_stmt *
prepare(sqlite3 *db, const char *sql)
{
  sqlite3_stmt *s = NULL;

  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) !=
      SQLITE_OK)
    die("sqlite: %s", sqlite3_errmsg(db));
  return s;
}

/* The page size of a new file (build --page-size); 0 for SQLite's. */
static unsigned long page_size;

/* Opens a file as the store does: same flags and pragmas. */
static sqlite3 *
db_open(const char *path, int create)
{
  sqlite3 *db = NULL;
  struct buf err;

  buf_init(&err);
  if (store_sqlite__connect(path, create, create ? (unsigned)page_size : 0, &db,
                            &err) != OK)
    die("%s", err.data ? err.data : path);
  buf_cleanup(&err);
  return db;
}

static void
report_rate(const char *what, uint64_t n, double secs)
{
  printf("%-34s %12" PRIu64 " entries %9.2f s %12.0f /s\n", what, n, secs,
         (double)n / secs);
}

/* Appending in memory: emitted nodes go to an array. */
struct mem_nodes {
  uint8_t *hash;
  size_t n, cap;
};

static int
mem_emit(void *ctx, unsigned level, uint64_t index,
         const uint8_t hash[LEDGER_HASH_SIZE])
{
  struct mem_nodes *m = ctx;

  (void)level;
  (void)index;
  if (m->n == m->cap) {
    m->cap = m->cap ? 2 * m->cap : 4096;
    m->hash = xrealloc(m->hash, m->cap * LEDGER_HASH_SIZE);
  }
  memcpy(m->hash + m->n++ * LEDGER_HASH_SIZE, hash, LEDGER_HASH_SIZE);
  return OK;
}

static int
cmd_append(uint64_t n)
{
  struct ledger_frontier *f = ledger_frontier_new();
  struct mem_nodes m = {0};
  uint8_t h[LEDGER_HASH_SIZE], acc[LEDGER_HASH_SIZE] = {0};
  char e[ENTRY_LEN], hx[2 * LEDGER_HASH_SIZE + 1];
  double t0, t1, t2;

  printf("append in memory: N = %" PRIu64 ", %d-byte entries\n", n, ENTRY_LEN);
  t0 = now();
  for (uint64_t i = 0; i < n; i++) {
    entry_make(i, e);
    ledger_leaf_hash(e, ENTRY_LEN, h);
    acc[i & 31] ^= h[0]; /* keeps the hashing from being optimised away */
  }
  t1 = now();
  for (uint64_t i = 0; i < n; i++) {
    entry_make(i, e);
    ledger_leaf_hash(e, ENTRY_LEN, h);
    if (ledger_frontier_append(f, h, mem_emit, &m) != OK)
      die("%s", "append failed");
  }
  t2 = now();
  ledger_frontier_root(f, h);
  hex_encode(h, hx);
  report_rate("leaf hash only", n, t1 - t0);
  report_rate("leaf hash + frontier append", n, t2 - t1);
  printf("nodes emitted: %zu (level >= %d)\nroot: %s\n", m.n, LEDGER_NODE_LEVEL,
         hx);
  printf("(checksum of the hash-only loop: %02x)\n", acc[0] ^ acc[31]);
  free(m.hash);
  ledger_frontier_free(f);
  return 0;
}

/* Appending to SQLite: nodes go to the node table through the store's own
 * statement. */
static int
db_emit(void *ctx, unsigned level, uint64_t index,
        const uint8_t hash[LEDGER_HASH_SIZE])
{
  return store_sqlite__tree_put(ctx, level, index, hash);
}

static void
meta_put(sqlite3 *db, const char *key, const char *value)
{
  sqlite3_stmt *s = prepare(db, "INSERT OR REPLACE INTO bench_meta "
                                "VALUES(?, ?)");

  sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
  if (sqlite3_step(s) != SQLITE_DONE)
    die("sqlite: %s", sqlite3_errmsg(db));
  sqlite3_finalize(s);
}

static int
cmd_build(const char *path, uint64_t n, int full, uint64_t batch)
{
  struct ledger_frontier *f = ledger_frontier_new();
  struct store_sqlite_tree tree;
  sqlite3 *db;
  sqlite3_stmt *ins_entry;
  uint8_t h[LEDGER_HASH_SIZE];
  char e[ENTRY_LEN], hx[2 * LEDGER_HASH_SIZE + 1], num[32];
  struct stat sb;
  double t0, t1, t2, tb = 0;
  sqlite3_int64 pgsize = 0;

  if (stat(path, &sb) == 0)
    die("%s exists: remove it first", path);
  db = db_open(path, 1);
  exec(db, store_sqlite__ddl_entry);
  if (full)
    exec(db, store_sqlite__ddl_entry_id);
  exec(db, store_sqlite__ddl_node);
  exec(db, "CREATE TABLE bench_meta (key TEXT PRIMARY KEY, value TEXT)");
  ins_entry = prepare(db, store_sqlite__ins_entry);
  store_sqlite__tree_init(&tree, db);
  printf("build %s: N = %" PRIu64 ", %s, %" PRIu64 " entries per transaction\n",
         path, n,
         full ? "full rows (id, 200 bytes, id index)" : "hash column only",
         batch);
  fflush(stdout);
  t0 = now();
  for (uint64_t i = 0; i < n; i++) {
    if (i % batch == 0) {
      exec(db, "BEGIN IMMEDIATE");
      tb = now();
    }
    entry_make(i, e);
    ledger_leaf_hash(e, ENTRY_LEN, h);
    sqlite3_reset(ins_entry);
    sqlite3_bind_int64(ins_entry, 1, (sqlite3_int64)i);
    sqlite3_bind_int(ins_entry, 2, 0);
    if (full) {
      sqlite3_bind_text(ins_entry, 3, e + ID_OFF - 2, 18, SQLITE_STATIC);
      sqlite3_bind_blob(ins_entry, 5, e, ENTRY_LEN, SQLITE_STATIC);
    } else {
      sqlite3_bind_text(ins_entry, 3, "", 0, SQLITE_STATIC);
      sqlite3_bind_zeroblob(ins_entry, 5, 0);
    }
    sqlite3_bind_blob(ins_entry, 4, h, LEDGER_HASH_SIZE, SQLITE_STATIC);
    if (sqlite3_step(ins_entry) != SQLITE_DONE)
      die("inserting an entry: %s", sqlite3_errmsg(db));
    if (ledger_frontier_append(f, h, db_emit, &tree) != OK)
      die("inserting a node: %s", sqlite3_errmsg(db));
    if ((i + 1) % batch == 0 || i + 1 == n) {
      exec(db, "COMMIT");
      fprintf(stderr, "  %" PRIu64 " entries, %.0f /s in the last batch\n",
              i + 1, (double)((i % batch) + 1) / (now() - tb));
    }
  }
  t1 = now();
  ledger_frontier_root(f, h);
  hex_encode(h, hx);
  exec(db, "BEGIN");
  snprintf(num, sizeof num, "%" PRIu64, n);
  meta_put(db, "size", num);
  meta_put(db, "root", hx);
  meta_put(db, "full", full ? "1" : "0");
  exec(db, "COMMIT");
  sqlite3_finalize(ins_entry);
  store_sqlite__tree_finalize(&tree);
  ins_entry = prepare(db, "PRAGMA page_size");
  if (sqlite3_step(ins_entry) == SQLITE_ROW)
    pgsize = sqlite3_column_int64(ins_entry, 0);
  sqlite3_finalize(ins_entry);
  exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close(db);
  t2 = now();
  report_rate("appends to SQLite (loop)", n, t1 - t0);
  report_rate("appends to SQLite (+ checkpoint)", n, t2 - t0);
  if (stat(path, &sb) == 0)
    printf("file: %.2f GB (%.1f bytes per entry), pages of %lu bytes\n",
           (double)sb.st_size / 1e9, (double)sb.st_size / (double)n,
           (unsigned long)pgsize);
  printf("root: %s\n", hx);
  ledger_frontier_free(f);
  return 0;
}

/*
 * The ledger source over the bench file: the store's own tree reads
 * (store_sqlite__tree_*), counted. With per_call set the statements are
 * finalized after each read, so that every read prepares its own (the
 * store's code before the statements were kept); otherwise they are
 * prepared once and reset after each read, which also ends the read
 * transaction each one opens.
 */
struct src_db {
  sqlite3 *db;
  struct store_sqlite_tree tree;
  int per_call;
  uint64_t nleaves, nnode;
};

static int
src_leaves(void *ctx, uint64_t start, uint64_t n, uint8_t *out)
{
  struct src_db *d = ctx;
  int rc;

  d->nleaves++;
  rc = store_sqlite__tree_leaves(&d->tree, start, n, out);
  if (d->per_call)
    store_sqlite__tree_finalize(&d->tree);
  return rc;
}

static int
src_node(void *ctx, unsigned level, uint64_t index,
         uint8_t out[LEDGER_HASH_SIZE])
{
  struct src_db *d = ctx;
  int rc;

  d->nnode++;
  rc = store_sqlite__tree_node(&d->tree, level, index, out);
  if (d->per_call)
    store_sqlite__tree_finalize(&d->tree);
  return rc;
}

static void
src_open(struct src_db *d, const char *path)
{
  d->db = db_open(path, 0);
  store_sqlite__tree_init(&d->tree, d->db);
  /* Load the schema now, as a long-lived store connection has it. */
  if (store_sqlite__tree_prepare(&d->tree) != OK)
    die("sqlite: %s", sqlite3_errmsg(d->db));
  if (d->per_call)
    store_sqlite__tree_finalize(&d->tree);
}

static void
src_close(struct src_db *d)
{
  store_sqlite__tree_finalize(&d->tree);
  sqlite3_close(d->db);
  d->db = NULL;
}

/* The fraction of path's pages in the page cache (0 for no file). */
static double
resident(const char *path)
{
  struct stat sb;
  long page = sysconf(_SC_PAGESIZE);
  size_t npages, in = 0;
  unsigned char *vec;
  void *map;
  int fd = open(path, O_RDONLY);

  if (fd < 0)
    return 0;
  if (fstat(fd, &sb) != 0 || sb.st_size == 0) {
    close(fd);
    return 0;
  }
  map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (map == MAP_FAILED)
    return -1;
  npages = ((size_t)sb.st_size + (size_t)page - 1) / (size_t)page;
  vec = xmalloc(npages);
  if (mincore(map, (size_t)sb.st_size, vec) == 0) {
    for (size_t i = 0; i < npages; i++)
      in += vec[i] & 1;
  }
  free(vec);
  munmap(map, (size_t)sb.st_size);
  return (double)in / (double)npages;
}

/* Drops path and its WAL from the page cache; returns the resident
 * fraction of path afterwards. */
static double
drop_cache(const char *path)
{
  char *wal = xasprintf("%s-wal", path);
  const char *files[2] = {path, wal};

  for (int i = 0; i < 2; i++) {
    int fd = open(files[i], O_RDONLY);
    if (fd < 0)
      continue;
    fdatasync(fd);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
  }
  free(wal);
  return resident(path);
}

/*
 * Reads the whole file so that the kernel caches it, when it takes at most
 * half the available memory. Returns OK, or ERR_NOMEM when it would not
 * fit, ERR_IO when it cannot be read.
 */
static int
preload(const char *path)
{
  static char chunk[1 << 20];
  unsigned long long avail_kb = 0;
  char line[256];
  struct stat sb;
  FILE *fp = fopen("/proc/meminfo", "r");
  int fd;

  while (fp != NULL && fgets(line, sizeof line, fp) != NULL) {
    if (sscanf(line, "MemAvailable: %llu kB", &avail_kb) == 1)
      break;
  }
  if (fp != NULL)
    fclose(fp);
  if (stat(path, &sb) != 0)
    return ERR_IO;
  if ((double)sb.st_size > 0.5 * 1024.0 * (double)avail_kb)
    return ERR_NOMEM;
  fd = open(path, O_RDONLY);
  if (fd < 0)
    return ERR_IO;
  while (read(fd, chunk, sizeof chunk) > 0)
    ;
  close(fd);
  return OK;
}

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

/*
 * One timed operation: wall-clock seconds, and the CPU seconds of this
 * thread, which leave out waiting for the disk and for other processes
 * (the machine is shared).
 */
struct sample {
  double wall, cpu;
};

static struct sample
clock_now(void)
{
  struct timespec ts;
  struct sample s = {now(), 0};

  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  s.cpu = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
  return s;
}

static struct sample
clock_since(struct sample t0)
{
  struct sample t1 = clock_now();

  t1.wall -= t0.wall;
  t1.cpu -= t0.cpu;
  return t1;
}

/* Sorts t and returns its mean; p50, p99 and max go in q[0..2]. */
static double
summarise(double *t, size_t n, double q[3])
{
  double sum = 0;

  for (size_t i = 0; i < n; i++)
    sum += t[i];
  qsort(t, n, sizeof *t, cmp_double);
  q[0] = t[(n - 1) / 2];
  q[1] = t[(size_t)((double)n * 0.99 + 0.999) - 1]; /* nearest rank */
  q[2] = t[n - 1];
  return sum / (double)n;
}

/* Prints mean, p50, p99 and max of n samples in microseconds: wall-clock
 * time, then CPU time. */
static void
report_times(const char *what, const struct sample *t, size_t n, uint64_t reads)
{
  double *v = xmalloc(n * sizeof *v), qw[3], qc[3], mw, mc;

  if (n == 0)
    return;
  for (size_t i = 0; i < n; i++)
    v[i] = 1e6 * t[i].wall;
  mw = summarise(v, n, qw);
  for (size_t i = 0; i < n; i++)
    v[i] = 1e6 * t[i].cpu;
  mc = summarise(v, n, qc);
  printf("%-30s n=%-5zu wall mean %7.1f p50 %7.1f p99 %7.1f max %8.1f | "
         "cpu mean %6.1f p99 %6.1f us | %.1f reads\n",
         what, n, mw, qw[0], qw[1], qw[2], mc, qc[1],
         (double)reads / (double)n);
  free(v);
}

struct prove_opts {
  size_t count, cold;
  int per_call, read_tx;
  uint64_t seed;
};

struct bench_tree {
  const char *path;
  uint64_t size;
  uint8_t root[LEDGER_HASH_SIZE];
  int full;
};

static void
meta_read(struct bench_tree *t)
{
  sqlite3 *db = db_open(t->path, 0);
  sqlite3_stmt *s = prepare(db, "SELECT key, value FROM bench_meta");
  int have = 0;

  while (sqlite3_step(s) == SQLITE_ROW) {
    const char *k = (const char *)sqlite3_column_text(s, 0);
    const char *v = (const char *)sqlite3_column_text(s, 1);
    if (strcmp(k, "size") == 0) {
      t->size = parse_u64(v);
      have |= 1;
    } else if (strcmp(k, "root") == 0 && strlen(v) == 64) {
      for (int i = 0; i < LEDGER_HASH_SIZE; i++)
        sscanf(v + 2 * i, "%2hhx", &t->root[i]);
      have |= 2;
    } else if (strcmp(k, "full") == 0) {
      t->full = strcmp(v, "1") == 0;
    }
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  if (have != 3)
    die("%s was not made by bench_ledger build", t->path);
}

/*
 * One timed inclusion proof of leaf index in the whole tree; verifies it
 * (untimed) and, when tamper is set, checks that a flipped bit breaks it.
 * Returns 1 when it verified, with the time taken in *out; else 0.
 */
static int
prove_one(struct src_db *d, const struct ledger_source *src,
          const struct bench_tree *t, uint64_t index, int read_tx, int tamper,
          struct sample *out)
{
  uint8_t *proof = NULL, leaf[LEDGER_HASH_SIZE];
  size_t n = 0;
  struct sample t0;
  int r, ok;

  t0 = clock_now();
  if (read_tx)
    exec(d->db, "BEGIN");
  r = ledger_prove_inclusion(src, index, t->size, &proof, &n);
  if (read_tx)
    exec(d->db, "COMMIT");
  *out = clock_since(t0);
  if (r != OK)
    die("proving: %s", util_strerror(r));
  entry_hash(index, leaf);
  ok = ledger_verify_inclusion(leaf, index, t->size, proof, n, t->root) == OK;
  if (ok && tamper && n > 0) {
    proof[(index % n) * LEDGER_HASH_SIZE + index % 32] ^= 1;
    ok = ledger_verify_inclusion(leaf, index, t->size, proof, n, t->root) ==
         ERR_VERIFY;
  }
  free(proof);
  return ok;
}

/* How many proofs were verified, and tampered copies rejected. */
static size_t nverified, ntampered, nconsistency;

/*
 * Times n inclusion proofs of random leaves drawn from seed (the same seed
 * gives the same leaves), each from a cold cache when cold_each is set.
 */
static int
run_inclusion(struct src_db *d, const struct ledger_source *src,
              const struct bench_tree *t, const struct prove_opts *o, size_t n,
              uint64_t seed, int cold_each, const char *what)
{
  struct sample *times = xmalloc((n ? n : 1) * sizeof *times);
  uint64_t reads = 0, rng = seed;
  int bad = 0;

  for (size_t i = 0; i < n; i++) {
    uint64_t index = rnd(&rng) % t->size, before;
    if (cold_each) {
      src_close(d);
      drop_cache(t->path);
      src_open(d, t->path);
    }
    before = d->nleaves + d->nnode;
    if (!prove_one(d, src, t, index, o->read_tx, i < 100, &times[i])) {
      fprintf(stderr, "inclusion proof of %" PRIu64 " does not verify\n",
              index);
      bad++;
    }
    reads += d->nleaves + d->nnode - before;
    nverified++;
    ntampered += i < 100;
  }
  report_times(what, times, n, reads);
  free(times);
  return bad;
}

static int
run_consistency(struct src_db *d, const struct ledger_source *src,
                const struct bench_tree *t, const struct prove_opts *o,
                uint64_t *rng)
{
  struct sample *tp = xmalloc((o->count ? o->count : 1) * sizeof *tp);
  struct sample *tr = xmalloc((o->count ? o->count : 1) * sizeof *tr);
  uint64_t reads_p = 0, reads_r = 0;
  int bad = 0;

  for (size_t i = 0; i < o->count; i++) {
    uint64_t old = 1 + rnd(rng) % (t->size - 1), before;
    uint8_t *proof = NULL, old_root[LEDGER_HASH_SIZE];
    size_t n = 0;
    struct sample t0;
    int r;

    before = d->nleaves + d->nnode;
    t0 = clock_now();
    if (o->read_tx)
      exec(d->db, "BEGIN");
    r = ledger_prove_consistency(src, old, t->size, &proof, &n);
    if (o->read_tx)
      exec(d->db, "COMMIT");
    tp[i] = clock_since(t0);
    reads_p += d->nleaves + d->nnode - before;
    t0 = clock_now();
    if (r == OK)
      r = ledger_root(src, old, old_root);
    tr[i] = clock_since(t0);
    reads_r += d->nleaves + d->nnode - before;
    if (r != OK)
      die("consistency: %s", util_strerror(r));
    if (ledger_verify_consistency(old, t->size, old_root, t->root, proof, n) !=
        OK) {
      fprintf(stderr, "consistency proof %" PRIu64 " does not verify\n", old);
      bad++;
    }
    nconsistency++;
    free(proof);
  }
  report_times("consistency proof", tp, o->count, reads_p);
  report_times("root of an older size", tr, o->count, reads_r - reads_p);
  free(tp);
  free(tr);
  return bad;
}

static int
cmd_prove(const char *path, const struct prove_opts *o)
{
  struct bench_tree t = {.path = path};
  struct src_db d = {.per_call = o->per_call};
  struct ledger_source src = {&d, src_leaves, src_node};
  uint8_t root[LEDGER_HASH_SIZE];
  uint64_t rng = o->seed, seed;
  double t0, t1, res_before, res_after;
  int bad = 0, r;

  meta_read(&t);
  if (t.size < 2)
    die("%s", "the tree needs at least 2 leaves");
  printf("prove %s: N = %" PRIu64 " (%s), statements %s%s, seed %" PRIu64 "\n",
         path, t.size, t.full ? "full rows" : "hash column only",
         o->per_call ? "prepared per call (store.c before)" : "prepared once",
         o->read_tx ? ", one read transaction per proof" : "", o->seed);
  res_before = resident(path);
  res_after = drop_cache(path);
  printf("page cache: %.1f%% of the file resident, %.1f%% after dropping\n",
         100 * res_before, 100 * res_after);
  src_open(&d, path);
  t0 = now();
  r = ledger_root(&src, t.size, root);
  t1 = now();
  if (r != OK)
    die("root: %s", util_strerror(r));
  if (memcmp(root, t.root, sizeof root) != 0) {
    fprintf(stderr, "the root read from the file differs from the build's\n");
    bad++;
  }
  printf("%-30s %.1f us (%" PRIu64 " reads), matches the build's root: %s\n",
         "root, cold", 1e6 * (t1 - t0), d.nleaves + d.nnode,
         bad ? "NO" : "yes");
  bad += run_inclusion(&d, &src, &t, o, o->cold, rnd(&rng), 1,
                       "inclusion, each cold");
  /* The node table is about 3% of the file and fits in the store's cache:
   * read it whole first, and only leaf pages come from the disk. */
  src_close(&d);
  drop_cache(path);
  src_open(&d, path);
  t0 = now();
  exec(d.db, "SELECT count(hash) FROM node");
  t1 = now();
  printf("node table read whole in %.2f s; the leaves stay cold\n", t1 - t0);
  bad += run_inclusion(&d, &src, &t, o, o->count, rnd(&rng), 0,
                       "inclusion, nodes read first");
  src_close(&d);
  drop_cache(path);
  src_open(&d, path);
  bad += run_inclusion(&d, &src, &t, o, o->count, rnd(&rng), 0,
                       "inclusion, from cold");
  seed = rnd(&rng);
  bad += run_inclusion(&d, &src, &t, o, o->count, seed, 0,
                       "inclusion, warmed, new leaves");
  bad += run_inclusion(&d, &src, &t, o, o->count, seed, 0,
                       "inclusion, hot (same leaves)");
  bad += run_consistency(&d, &src, &t, o, &rng);
  printf("page cache afterwards: %.1f%% of the file resident\n",
         100 * resident(path));
  /* A server with the RAM keeps the whole file in the page cache. */
  src_close(&d);
  if (preload(path) == OK) {
    printf("page cache: whole file read, %.1f%% resident; SQLite's own "
           "cache empty\n",
           100 * resident(path));
    src_open(&d, path);
    bad += run_inclusion(&d, &src, &t, o, o->count, rnd(&rng), 0,
                         "inclusion, file in page cache");
    bad += run_consistency(&d, &src, &t, o, &rng);
    src_close(&d);
    printf("page cache afterwards: %.1f%% of the file resident\n",
           100 * resident(path));
  } else {
    printf("page cache: file larger than half the available memory, not "
           "preloaded\n");
  }
  printf("verified against the root: %zu inclusion proofs (%zu tampered "
         "copies rejected), %zu consistency proofs: %s\n",
         nverified, ntampered, nconsistency, bad ? "FAILURES" : "all good");
  return bad ? 1 : 0;
}

static void
usage(void)
{
  fprintf(stderr, "usage: bench_ledger append N\n"
                  "       bench_ledger build FILE N [--full] [--batch B] "
                  "[--page-size P]\n"
                  "       bench_ledger prove FILE [--count C] [--cold K] "
                  "[--per-call] [--read-tx] [--seed S]\n");
  exit(2);
}

int
main(int argc, char **argv)
{
  struct prove_opts po = {.count = 10000, .cold = 200, .seed = 1};
  uint64_t batch = 1000000;
  int full = 0;

  if (argc < 3)
    usage();
  if (strcmp(argv[1], "append") == 0 && argc == 3)
    return cmd_append(parse_u64(argv[2]));
  if (strcmp(argv[1], "build") == 0 && argc >= 4) {
    for (int i = 4; i < argc; i++) {
      if (strcmp(argv[i], "--full") == 0)
        full = 1;
      else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc)
        batch = parse_u64(argv[++i]);
      else if (strcmp(argv[i], "--page-size") == 0 && i + 1 < argc)
        page_size = (unsigned long)parse_u64(argv[++i]);
      else
        usage();
    }
    if (batch == 0)
      usage();
    return cmd_build(argv[2], parse_u64(argv[3]), full, batch);
  }
  if (strcmp(argv[1], "prove") == 0) {
    for (int i = 3; i < argc; i++) {
      if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
        po.count = parse_u64(argv[++i]);
      else if (strcmp(argv[i], "--cold") == 0 && i + 1 < argc)
        po.cold = parse_u64(argv[++i]);
      else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
        po.seed = parse_u64(argv[++i]);
      else if (strcmp(argv[i], "--per-call") == 0)
        po.per_call = 1;
      else if (strcmp(argv[i], "--read-tx") == 0)
        po.read_tx = 1;
      else
        usage();
    }
    return cmd_prove(argv[2], &po);
  }
  usage();
  return 2;
}
