/*
 * The PostgreSQL backend's ledger: entries, corrections and the Merkle
 * tree's nodes, all insert-only. Inside the write transaction an entry is
 * gathered (write.c) and its id answered from what is gathered, from what
 * store_expect looked up, or by one look-up; committed entries of the
 * kinds records refer to, and committed leaf and node hashes, are kept in
 * memory, since they never change once committed: a group commit then
 * reads nothing to resume the tree it extended last.
 */
#include "store/postgres/pg_int.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

#define HASH_SIZE 32
/* The entries of referenced kinds kept: a corridor's checkpoints, actors,
 * sources. */
#define CACHE_MAX 4096
#define CACHE_BYTES (4u << 20)

/* Cached values may be read outside a read transaction (which sees what
 * its snapshot holds, and the auditor must read what is stored). */
static int
cache_readable(const struct store_db *d)
{
  return !d->in_read;
}

/* What is read may be cached when it is committed: not this write
 * transaction's own. */
static int
cache_writable(const struct store_db *d)
{
  return !d->in_read && !(d->in_tx && d->dirty);
}

int
pg__size(struct store_db *d, uint64_t *size)
{
  PGresult *r = NULL;
  int rc;

  *size = 0;
  if (d->in_tx) {
    *size = d->next_seq > d->tx_size ? d->next_seq : d->tx_size;
    return OK;
  }
  if ((rc = pg__query(d, ST_SIZE, NULL, &r, _("counting entries"))) != OK)
    return rc;
  *size = (uint64_t)pg__int8(r, 0, 0);
  PQclear(r);
  return OK;
}

/* Hands out an entry, copied into the handle. */
static void
copy_out(struct store_db *d, uint64_t seq, int kind, const char *id,
         const char *bytes, size_t len, const uint8_t *hash,
         struct store_entry *out)
{
  size_t idlen = strlen(id);

  buf_reset(&d->entry_copy);
  buf_append(&d->entry_copy, id, idlen + 1);
  if (len)
    buf_append(&d->entry_copy, bytes, len);
  out->seq = seq;
  out->kind = (enum record_kind)kind;
  out->id = d->entry_copy.data;
  out->bytes = d->entry_copy.data + idlen + 1;
  out->len = len;
  out->hash = NULL;
  if (hash) {
    memcpy(d->entry_hash, hash, HASH_SIZE);
    out->hash = d->entry_hash;
  }
}

static void
copy_rec(struct store_db *d, const struct pg_idmap *m, const struct pg_idrec *r,
         struct store_entry *out)
{
  const char *b = m->arena.data + r->off;

  copy_out(d, r->seq, r->kind, m->keys.data + r->key, b, r->len,
           (const uint8_t *)b + r->len, out);
}

/* Keeps an entry of a kind records refer to. */
static void
cache_entry(struct store_db *d, uint64_t seq, int kind, const char *id,
            const char *bytes, size_t len, const uint8_t *hash)
{
  struct pg_idrec *r;

  if (kind == KIND_flow || hash == NULL || !cache_writable(d))
    return;
  if (d->cache.n >= CACHE_MAX || d->cache.arena.len > CACHE_BYTES)
    pg__idmap_clear(&d->cache);
  if (pg__idmap_find(&d->cache, kind, id) == NULL) {
    r = pg__idmap_add(&d->cache, kind, id, bytes, len, hash);
    r->seq = seq;
  }
}

/* The entry of kind and id as the database holds it (committed, or
 * written by this transaction and sent): OK and *res (one row), or
 * ERR_NOTFOUND. */
static int
lookup(struct store_db *d, int kind, const char *id, PGresult **res)
{
  struct pg_params p;
  int rc;

  *res = NULL;
  pg__params_init(&p);
  pg__param_int4(&p, kind);
  pg__param_text(&p, id, strlen(id));
  if ((rc = pg__query(d, ST_GET_ENTRY, &p, res, _("looking up an id"))) != OK)
    return rc;
  if (PQntuples(*res) == 1)
    return OK;
  PQclear(*res);
  *res = NULL;
  return ERR_NOTFOUND;
}

static const uint8_t *
hash_of(const PGresult *r, int row, int col)
{
  if (PQgetlength(r, row, col) != HASH_SIZE)
    return NULL;
  return (const uint8_t *)PQgetvalue(r, row, col);
}

/* Keeps the row of a look-up as what expect said: the front reads the
 * entry of a duplicate right after put_entry refused it. */
static void
announce_present(struct store_db *d, const PGresult *r, int row)
{
  size_t len;
  const char *id = pg__text(r, row, 2, NULL);
  const char *bytes = pg__text(r, row, 3, &len);
  const uint8_t *hash = hash_of(r, row, 4);
  struct pg_idrec *rec;
  uint8_t zero[HASH_SIZE] = {0};

  rec = pg__idmap_add(&d->announced, pg__int4(r, row, 1), id, bytes, len,
                      hash ? hash : zero);
  rec->state = hash ? ANN_PRESENT : ANN_STALE;
  rec->seq = (uint64_t)pg__int8(r, row, 0);
}

/* 1 when an entry of kind with this id is stored or written, 0 when not,
 * or the failure's code. */
static int
taken(struct store_db *d, int kind, const char *id)
{
  struct pg_idrec *a;
  PGresult *r = NULL;
  int rc;

  if (pg__idmap_find(&d->pend_entries, kind, id))
    return 1;
  a = pg__idmap_find(&d->announced, kind, id);
  if (a && a->state != ANN_STALE)
    return a->state == ANN_PRESENT;
  if (pg__idmap_find(&d->cache, kind, id))
    return 1;
  /* Once per id: what was gathered but not sent is in pend_entries, what
   * was sent is in the database, and no other writer appends meanwhile
   * (the head is locked). The unique index still decides when the rows
   * are sent. */
  rc = lookup(d, kind, id, &r);
  if (rc == ERR_NOTFOUND)
    return 0;
  if (rc != OK)
    return rc;
  announce_present(d, r, 0);
  PQclear(r);
  return 1;
}

int
pg__put_entry(struct store_db *d, const struct store_entry *e)
{
  struct pg_rows *row;
  struct pg_idrec *rec;
  struct pg_leaf *l;
  int rc = taken(d, (int)e->kind, e->id);

  if (rc == 1)
    return ERR_EXISTS;
  if (rc != 0)
    return rc;
  row = pg__row(d, TB_ENTRY);
  pg__col_int8(row, (int64_t)e->seq);
  pg__col_int4(row, (int32_t)e->kind);
  pg__col_text(row, e->id, strlen(e->id));
  pg__col_bytea(row, e->hash, HASH_SIZE);
  pg__col_bytea(row, e->bytes, e->len);
  rec = pg__idmap_add(&d->pend_entries, (int)e->kind, e->id, e->bytes, e->len,
                      e->hash);
  rec->seq = e->seq;
  if (e->seq + 1 > d->next_seq)
    d->next_seq = e->seq + 1;
  l = &d->ring_leaves[d->nring_leaves++ % PG_RING];
  l->seq1 = e->seq + 1;
  memcpy(l->hash, e->hash, HASH_SIZE);
  return pg__row_done(d, row);
}

int
pg__get_entry(struct store_db *d, enum record_kind kind, const char *id,
              struct store_entry *out)
{
  struct pg_idrec *rec;
  PGresult *r = NULL;
  size_t len;
  int rc;

  memset(out, 0, sizeof *out);
  if ((rec = pg__idmap_find(&d->pend_entries, (int)kind, id)) != NULL) {
    copy_rec(d, &d->pend_entries, rec, out);
    return OK;
  }
  rec = pg__idmap_find(&d->announced, (int)kind, id);
  if (rec && rec->state == ANN_PRESENT) {
    copy_rec(d, &d->announced, rec, out);
    return OK;
  }
  if (rec && rec->state == ANN_ABSENT)
    return ERR_NOTFOUND;
  if (cache_readable(d) &&
      (rec = pg__idmap_find(&d->cache, (int)kind, id)) != NULL) {
    copy_rec(d, &d->cache, rec, out);
    return OK;
  }
  if ((rc = lookup(d, (int)kind, id, &r)) != OK)
    return rc;
  {
    const char *bytes = pg__text(r, 0, 3, &len);
    copy_out(d, (uint64_t)pg__int8(r, 0, 0), pg__int4(r, 0, 1),
             pg__text(r, 0, 2, NULL), bytes, len, hash_of(r, 0, 4), out);
    cache_entry(d, out->seq, (int)out->kind, out->id, bytes, len,
                hash_of(r, 0, 4));
  }
  PQclear(r);
  return OK;
}

struct walk {
  int (*fn)(void *ctx, const struct store_entry *e);
  void *ctx;
};

static int
walk_row(void *ctx, const PGresult *r, int i)
{
  struct walk *w = ctx;
  struct store_entry e;

  e.seq = (uint64_t)pg__int8(r, i, 0);
  e.kind = (enum record_kind)pg__int4(r, i, 1);
  e.id = pg__text(r, i, 2, NULL);
  e.bytes = pg__text(r, i, 3, &e.len);
  e.hash = hash_of(r, i, 4);
  return w->fn(w->ctx, &e);
}

int
pg__each_entry(struct store_db *d, int kind, uint64_t start, uint64_t end,
               int (*fn)(void *ctx, const struct store_entry *e), void *ctx)
{
  struct walk w = {fn, ctx};
  struct pg_params p;

  pg__params_init(&p);
  pg__param_int8(&p, pg__i64(start));
  pg__param_int8(&p, pg__i64(end));
  if (kind >= 0)
    pg__param_int4(&p, kind);
  return pg__scan(d,
                  kind < 0 ? "SELECT seq, kind, id, bytes, hash FROM entry "
                             "WHERE seq >= $1 AND seq < $2 ORDER BY seq"
                           : "SELECT seq, kind, id, bytes, hash FROM entry "
                             "WHERE seq >= $1 AND seq < $2 AND kind = $3 "
                             "ORDER BY seq",
                  &p, walk_row, &w, _("reading entries"));
}

int
pg__each_live(struct store_db *d, enum record_kind kind, uint64_t as_of,
              int (*fn)(void *ctx, const struct store_entry *e), void *ctx)
{
  struct walk w = {fn, ctx};
  struct pg_params p;

  pg__params_init(&p);
  pg__param_int4(&p, (int32_t)kind);
  pg__param_int8(&p, pg__i64(as_of));
  /* The supersede table's key is (kind, id): one probe per entry. */
  return pg__scan(d,
                  "SELECT seq, kind, id, bytes, hash FROM entry e WHERE kind "
                  "= $1 AND seq < $2 AND NOT EXISTS (SELECT 1 FROM supersede "
                  "s WHERE s.kind = $1 AND s.id = e.id AND s.by_seq < $2) "
                  "ORDER BY seq",
                  &p, walk_row, &w, _("reading records"));
}

/* Flows at one checkpoint whose row starts at lo or later: the
 * (checkpoint, start_b) index bounds the scan at both ends. Without a
 * checkpoint (each_flow_overlap's), every flow. */
static int
flows_between(struct store_db *d, const char *checkpoint, int64_t lo,
              int64_t from, int64_t to, uint64_t as_of,
              int (*fn)(void *ctx, const struct store_entry *e), void *ctx)
{
  struct walk w = {fn, ctx};
  struct pg_params p;

  pg__params_init(&p);
  pg__param_int8(&p, to);
  pg__param_int8(&p, from);
  pg__param_int8(&p, pg__i64(as_of));
  pg__param_int4(&p, (int32_t)KIND_flow);
  if (checkpoint) {
    pg__param_text(&p, checkpoint, strlen(checkpoint));
    pg__param_int8(&p, lo);
  }
  return pg__scan(d,
                  checkpoint
                      ? "SELECT e.seq, e.kind, e.id, e.bytes, e.hash FROM flow "
                        "f JOIN entry e ON e.seq = f.seq WHERE f.checkpoint = "
                        "$5 AND f.start_b >= $6 AND f.start_b < $1 AND "
                        "f.end_f >= $2 AND f.seq < $3 AND NOT EXISTS (SELECT "
                        "1 FROM supersede s WHERE s.kind = $4 AND s.id = e.id "
                        "AND s.by_seq < $3) ORDER BY f.seq"
                      : "SELECT e.seq, e.kind, e.id, e.bytes, e.hash FROM flow "
                        "f JOIN entry e ON e.seq = f.seq WHERE f.start_b < $1 "
                        "AND f.end_f >= $2 AND f.seq < $3 AND NOT EXISTS "
                        "(SELECT 1 FROM supersede s WHERE s.kind = $4 AND s.id "
                        "= e.id AND s.by_seq < $3) ORDER BY f.seq",
                  &p, walk_row, &w, _("reading flows"));
}

int
pg__each_flow_overlap(struct store_db *d, const char *checkpoint, int64_t from,
                      int64_t to, uint64_t as_of,
                      int (*fn)(void *ctx, const struct store_entry *e),
                      void *ctx)
{
  return flows_between(d, checkpoint, INT64_MIN, from, to, as_of, fn, ctx);
}

int
pg__each_flow_near(struct store_db *d, const char *checkpoint, int64_t lo,
                   int64_t from, int64_t to, uint64_t as_of,
                   int (*fn)(void *ctx, const struct store_entry *e), void *ctx)
{
  return flows_between(d, checkpoint, lo, from, to, as_of, fn, ctx);
}

/* ---- The tree's hashes ---- */

static struct pg_leaf *
leaf_slot(struct store_db *d, uint64_t seq)
{
  return &d->leaves[seq % PG_LEAF_SLOTS];
}

static struct pg_node *
node_slot(struct store_db *d, unsigned level, uint64_t index)
{
  return &d->nodes[(index * 64 + level) % PG_NODE_SLOTS];
}

static void
cache_leaf(struct store_db *d, uint64_t seq, const uint8_t hash[HASH_SIZE])
{
  struct pg_leaf *l = leaf_slot(d, seq);

  l->seq1 = seq + 1;
  memcpy(l->hash, hash, HASH_SIZE);
}

static void
cache_node(struct store_db *d, unsigned level, uint64_t index,
           const uint8_t hash[HASH_SIZE])
{
  struct pg_node *c = node_slot(d, level, index);

  c->level1 = level + 1;
  c->idx = index;
  memcpy(c->hash, hash, HASH_SIZE);
}

/* All n leaves from start in the cache: copied to out. */
static int
cached_leaves(struct store_db *d, uint64_t start, uint64_t n, uint8_t *out)
{
  if (!cache_readable(d))
    return 0;
  for (uint64_t i = 0; i < n; i++)
    if (leaf_slot(d, start + i)->seq1 != start + i + 1)
      return 0;
  for (uint64_t i = 0; i < n; i++)
    memcpy(out + i * HASH_SIZE, leaf_slot(d, start + i)->hash, HASH_SIZE);
  return 1;
}

int
pg__leaves(struct store_db *d, uint64_t start, uint64_t n, uint8_t *out)
{
  struct pg_params p;
  PGresult *r = NULL;
  uint64_t got = 0;
  int rc;

  if (cached_leaves(d, start, n, out))
    return OK;
  if (d->in_tx && (rc = pg__flush(d, 0)) != OK)
    return rc;
  pg__params_init(&p);
  pg__param_int8(&p, pg__i64(start));
  pg__param_int8(&p, pg__i64(start + n));
  if ((rc = pg__query(d, ST_LEAVES, &p, &r, _("reading leaf hashes"))) != OK)
    return rc;
  for (int i = 0; i < PQntuples(r) && got < n; i++) {
    const uint8_t *h = hash_of(r, i, 0);
    if (h == NULL)
      break;
    memcpy(out + got * HASH_SIZE, h, HASH_SIZE);
    if (cache_writable(d))
      cache_leaf(d, start + got, h);
    got++;
  }
  PQclear(r);
  return got == n ? OK : ERR_NOTFOUND;
}

int
pg__put_node(struct store_db *d, unsigned level, uint64_t index,
             const uint8_t hash[HASH_SIZE])
{
  struct pg_rows *row = pg__row(d, TB_NODE);
  struct pg_node *c = &d->ring_nodes[d->nring_nodes++ % PG_RING];

  pg__col_int4(row, (int32_t)level);
  pg__col_int8(row, (int64_t)index);
  pg__col_bytea(row, hash, HASH_SIZE);
  c->level1 = level + 1;
  c->idx = index;
  memcpy(c->hash, hash, HASH_SIZE);
  return pg__row_done(d, row);
}

int
pg__get_node(struct store_db *d, unsigned level, uint64_t index,
             uint8_t out[HASH_SIZE])
{
  struct pg_node *c = node_slot(d, level, index);
  struct pg_params p;
  PGresult *r = NULL;
  int rc;

  if (cache_readable(d) && c->level1 == level + 1 && c->idx == index) {
    memcpy(out, c->hash, HASH_SIZE);
    return OK;
  }
  if (d->in_tx && (rc = pg__flush(d, 0)) != OK)
    return rc;
  pg__params_init(&p);
  pg__param_int4(&p, (int32_t)level);
  pg__param_int8(&p, pg__i64(index));
  if ((rc = pg__query(d, ST_GET_NODE, &p, &r, _("reading tree nodes"))) != OK)
    return rc;
  rc = ERR_NOTFOUND;
  if (PQntuples(r) == 1 && hash_of(r, 0, 0)) {
    memcpy(out, hash_of(r, 0, 0), HASH_SIZE);
    if (cache_writable(d))
      cache_node(d, level, index, out);
    rc = OK;
  }
  PQclear(r);
  return rc;
}

void
pg__tx_cache(struct store_db *d, int committed)
{
  if (committed) {
    size_t from = d->nring_leaves > PG_RING ? d->nring_leaves - PG_RING : 0;
    for (size_t i = from; i < d->nring_leaves; i++) {
      struct pg_leaf *l = &d->ring_leaves[i % PG_RING];
      cache_leaf(d, l->seq1 - 1, l->hash);
    }
    from = d->nring_nodes > PG_RING ? d->nring_nodes - PG_RING : 0;
    for (size_t i = from; i < d->nring_nodes; i++) {
      struct pg_node *c = &d->ring_nodes[i % PG_RING];
      cache_node(d, c->level1 - 1, c->idx, c->hash);
    }
  }
  d->nring_leaves = d->nring_nodes = 0;
}

/* ---- Corrections ---- */

int
pg__put_supersede(struct store_db *d, enum record_kind kind, const char *id,
                  uint64_t by_seq)
{
  struct pg_rows *row = pg__row(d, TB_SUPERSEDE);
  struct pg_idrec *rec;

  pg__col_int4(row, (int32_t)kind);
  pg__col_text(row, id, strlen(id));
  pg__col_int8(row, (int64_t)by_seq);
  rec = pg__idmap_add(&d->pend_supersede, (int)kind, id, NULL, 0, NULL);
  rec->seq = by_seq;
  return pg__row_done(d, row);
}

int
pg__get_supersede(struct store_db *d, enum record_kind kind, const char *id,
                  uint64_t *by_seq)
{
  struct pg_idrec *rec = pg__idmap_find(&d->pend_supersede, (int)kind, id);
  struct pg_params p;
  PGresult *r = NULL;
  int rc;

  *by_seq = 0;
  if (rec) {
    *by_seq = rec->seq;
    return OK;
  }
  pg__params_init(&p);
  pg__param_int4(&p, (int32_t)kind);
  pg__param_text(&p, id, strlen(id));
  if ((rc = pg__query(d, ST_GET_SUPERSEDE, &p, &r, _("reading corrections"))) !=
      OK)
    return rc;
  rc = ERR_NOTFOUND;
  if (PQntuples(r) == 1) {
    *by_seq = (uint64_t)pg__int8(r, 0, 0);
    rc = OK;
  }
  PQclear(r);
  return rc;
}

/* ---- Looking ids up in one go ---- */

/* A one-dimensional binary array being built: elements after a header
 * that array_end fills in. */
static void
array_begin(struct buf *b)
{
  buf_reset(b);
  buf_reserve(b, 20);
  b->len = 20;
}

static void
array_elem(struct buf *b, const void *p, size_t n)
{
  unsigned char len[4];

  pg__put32(len, (uint32_t)n);
  buf_append(b, len, 4);
  buf_append(b, p, n);
}

static void
array_end(struct buf *b, enum pg_type t, size_t n)
{
  unsigned char *h = (unsigned char *)b->data;

  pg__put32(h, 1);
  pg__put32(h + 4, 0);
  pg__put32(h + 8, pg__oid(t));
  pg__put32(h + 12, (uint32_t)n);
  pg__put32(h + 16, 1);
}

int
pg__expect(struct store_db *d, size_t n, const enum record_kind *kinds,
           const char *const *ids)
{
  struct buf ka, ia;
  struct pg_params p;
  PGresult *r = NULL;
  size_t asked = 0;
  int rc = OK;

  if (!d->in_tx || n == 0)
    return OK;
  buf_init(&ka);
  buf_init(&ia);
  array_begin(&ka);
  array_begin(&ia);
  for (size_t i = 0; i < n; i++) {
    unsigned char k[4];
    if (pg__idmap_find(&d->pend_entries, (int)kinds[i], ids[i]) ||
        pg__idmap_find(&d->announced, (int)kinds[i], ids[i]))
      continue;
    pg__put32(k, (uint32_t)kinds[i]);
    array_elem(&ka, k, 4);
    array_elem(&ia, ids[i], strlen(ids[i]));
    asked++;
  }
  if (asked > 0) {
    array_end(&ka, PT_INT4, asked);
    array_end(&ia, PT_TEXT, asked);
    pg__params_init(&p);
    pg__param_array(&p, PT_INT4, ka.data, ka.len);
    pg__param_array(&p, PT_TEXT, ia.data, ia.len);
    rc = pg__query(d, ST_EXPECT, &p, &r, _("looking up ids"));
  }
  if (rc == OK && r) {
    for (int i = 0; i < PQntuples(r); i++)
      if (!pg__idmap_find(&d->announced, pg__int4(r, i, 1),
                          pg__text(r, i, 2, NULL)))
        announce_present(d, r, i);
    for (size_t i = 0; i < n; i++)
      if (!pg__idmap_find(&d->pend_entries, (int)kinds[i], ids[i]) &&
          !pg__idmap_find(&d->announced, (int)kinds[i], ids[i]))
        pg__idmap_add(&d->announced, (int)kinds[i], ids[i], NULL, 0, NULL)
            ->state = ANN_ABSENT;
  }
  PQclear(r);
  buf_cleanup(&ka);
  buf_cleanup(&ia);
  return rc;
}
