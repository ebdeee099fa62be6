/*
 * The PostgreSQL backend's write path: every row written inside the write
 * transaction is gathered in memory, one buffer per table, and sent in one
 * go as a few INSERT ... SELECT * FROM unnest(arrays) statements in the
 * pipeline, so that a group commit of the server costs one round trip
 * whatever its size, and an import a few per megabytes of records. The
 * savepoint around a correction is a mark in the buffers; it reaches the
 * server only when a flush passes it.
 */
#include "store/postgres/pg_int.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

/* What is gathered before it is sent, mid-transaction (an import). */
#define FLUSH_BYTES (8u << 20)
/* The fewest rows of a table sent as a COPY rather than an INSERT: a
 * COPY waits for the answers before it (copy_range), which a group
 * commit of the server must not; an import's flushes are far larger. */
#define COPY_ROWS 2048
/* The array header: dimensions, flags, element type, length, bound. */
#define ARRAY_HEADER 20

static const char sp_set[] = "SAVEPOINT passage_correction";
static const char sp_undo[] = "ROLLBACK TO SAVEPOINT passage_correction";
static const char sp_release[] = "RELEASE SAVEPOINT passage_correction";

/* ---- The map by (kind, id) ---- */

static uint64_t
key_hash(int kind, const char *id)
{
  uint64_t h = 1469598103934665603ull ^ (uint64_t)(unsigned)kind;

  for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
    h ^= *p;
    h *= 1099511628211ull;
  }
  return h;
}

void
pg__idmap_init(struct pg_idmap *m)
{
  memset(m, 0, sizeof *m);
  buf_init(&m->keys);
  buf_init(&m->arena);
}

void
pg__idmap_cleanup(struct pg_idmap *m)
{
  free(m->heads);
  free(m->recs);
  buf_cleanup(&m->keys);
  buf_cleanup(&m->arena);
  memset(m, 0, sizeof *m);
}

void
pg__idmap_clear(struct pg_idmap *m)
{
  for (size_t i = 0; i < m->nheads; i++)
    m->heads[i] = UINT32_MAX;
  m->n = 0;
  buf_reset(&m->keys);
  buf_reset(&m->arena);
}

static void
rehash(struct pg_idmap *m, size_t nheads)
{
  free(m->heads);
  m->nheads = nheads;
  m->heads = xmalloc(nheads * sizeof *m->heads);
  for (size_t i = 0; i < nheads; i++)
    m->heads[i] = UINT32_MAX;
  for (size_t i = 0; i < m->n; i++) {
    size_t b = m->recs[i].hash & (nheads - 1);
    m->recs[i].next = m->heads[b];
    m->heads[b] = (uint32_t)i;
  }
}

struct pg_idrec *
pg__idmap_find(struct pg_idmap *m, int kind, const char *id)
{
  uint64_t h;

  if (m->n == 0)
    return NULL;
  h = key_hash(kind, id);
  for (uint32_t i = m->heads[h & (m->nheads - 1)]; i != UINT32_MAX;
       i = m->recs[i].next) {
    struct pg_idrec *r = &m->recs[i];
    if (r->hash == h && r->kind == kind &&
        strcmp(m->keys.data + r->key, id) == 0)
      return r;
  }
  return NULL;
}

struct pg_idrec *
pg__idmap_add(struct pg_idmap *m, int kind, const char *id, const void *bytes,
              size_t len, const uint8_t *hash)
{
  struct pg_idrec *r;
  size_t b;

  if (m->nheads == 0 || m->n + 1 > m->nheads)
    rehash(m, m->nheads ? m->nheads * 2 : 256);
  m->recs = util_grow(m->recs, &m->cap, m->n + 1, sizeof *m->recs);
  r = &m->recs[m->n];
  memset(r, 0, sizeof *r);
  r->hash = key_hash(kind, id);
  r->kind = kind;
  r->key = m->keys.len;
  buf_append(&m->keys, id, strlen(id) + 1);
  r->off = m->arena.len;
  r->len = len;
  if (len)
    buf_append(&m->arena, bytes, len);
  if (hash)
    buf_append(&m->arena, hash, 32);
  b = r->hash & (m->nheads - 1);
  r->next = m->heads[b];
  m->heads[b] = (uint32_t)m->n++;
  return r;
}

void
pg__idmap_truncate(struct pg_idmap *m, size_t n)
{
  while (m->n > n) {
    struct pg_idrec *r = &m->recs[--m->n];
    /* The newest record of a chain is its head. */
    m->heads[r->hash & (m->nheads - 1)] = r->next;
    m->keys.len = r->key;
    m->arena.len = r->off;
  }
  if (m->keys.data)
    m->keys.data[m->keys.len] = '\0';
  if (m->arena.data)
    m->arena.data[m->arena.len] = '\0';
}

/* ---- Rows ---- */

void
pg__rows_init(struct store_db *d)
{
  for (int tb = 0; tb < TB_COUNT; tb++) {
    memset(&d->rows[tb], 0, sizeof d->rows[tb]);
    d->rows[tb].t = &d->tables[tb];
    buf_init(&d->rows[tb].data);
  }
  pg__idmap_init(&d->pend_entries);
  pg__idmap_init(&d->pend_supersede);
  pg__idmap_init(&d->announced);
}

void
pg__rows_cleanup(struct store_db *d)
{
  for (int tb = 0; tb < TB_COUNT; tb++)
    buf_cleanup(&d->rows[tb].data);
  pg__idmap_cleanup(&d->pend_entries);
  pg__idmap_cleanup(&d->pend_supersede);
  pg__idmap_cleanup(&d->announced);
}

static void
put_len(struct buf *b, int32_t n)
{
  unsigned char p[4];

  pg__put32(p, (uint32_t)n);
  buf_append(b, p, 4);
}

struct pg_rows *
pg__row(struct store_db *d, int tb)
{
  struct pg_rows *r = &d->rows[tb];
  unsigned char n[2] = {(unsigned char)(r->t->ncols >> 8),
                        (unsigned char)r->t->ncols};

  buf_append(&r->data, n, 2);
  return r;
}

void
pg__col_null(struct pg_rows *r)
{
  put_len(&r->data, -1);
}

void
pg__col_int4(struct pg_rows *r, int32_t v)
{
  unsigned char p[4];

  put_len(&r->data, 4);
  pg__put32(p, (uint32_t)v);
  buf_append(&r->data, p, 4);
}

void
pg__col_int8(struct pg_rows *r, int64_t v)
{
  unsigned char p[8];

  put_len(&r->data, 8);
  pg__put64(p, (uint64_t)v);
  buf_append(&r->data, p, 8);
}

void
pg__col_float8(struct pg_rows *r, double v)
{
  unsigned char p[8];
  uint64_t bits;

  memcpy(&bits, &v, sizeof bits);
  put_len(&r->data, 8);
  pg__put64(p, bits);
  buf_append(&r->data, p, 8);
}

void
pg__col_text(struct pg_rows *r, const char *s, size_t n)
{
  if (s == NULL) {
    pg__col_null(r);
    return;
  }
  put_len(&r->data, (int32_t)n);
  buf_append(&r->data, s, n);
}

void
pg__col_bytea(struct pg_rows *r, const void *b, size_t n)
{
  put_len(&r->data, (int32_t)n);
  if (n)
    buf_append(&r->data, b, n);
}

static size_t
gathered(const struct store_db *d)
{
  size_t n = 0;

  for (int tb = 0; tb < TB_COUNT; tb++)
    n += d->rows[tb].data.len;
  return n;
}

int
pg__row_done(struct store_db *d, struct pg_rows *r)
{
  r->n++;
  d->dirty = 1;
  /* Checked now and then: a few hundred bytes a row. */
  if ((r->n & 255) == 0 && gathered(d) > FLUSH_BYTES)
    return pg__flush(d, 1);
  return OK;
}

/* ---- Flushing ---- */

static uint32_t
get32(const unsigned char *p)
{
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
         ((uint32_t)p[2] << 8) | p[3];
}

/*
 * Sends the rows of r between byte offsets from and to (n of them) as
 * one INSERT: each column becomes an array parameter.
 */
static int
send_range(struct store_db *d, struct pg_rows *r, size_t from, size_t to,
           size_t n)
{
  const struct pg_table *t = r->t;
  struct buf cols[PG_MAXP];
  int nulls[PG_MAXP] = {0};
  struct pg_params p;
  const unsigned char *q = (const unsigned char *)r->data.data + from;
  const unsigned char *end = (const unsigned char *)r->data.data + to;
  int rc;

  for (int c = 0; c < t->ncols; c++) {
    buf_init(&cols[c]);
    buf_reserve(&cols[c], ARRAY_HEADER + (to - from) / (size_t)t->ncols);
    cols[c].len = ARRAY_HEADER;
  }
  while (q < end) {
    q += 2; /* the field count */
    for (int c = 0; c < t->ncols; c++) {
      int32_t len = (int32_t)get32(q);
      size_t body = len < 0 ? 0 : (size_t)len;
      nulls[c] |= len < 0;
      buf_append(&cols[c], q, 4 + body);
      q += 4 + body;
    }
  }
  pg__params_init(&p);
  for (int c = 0; c < t->ncols; c++) {
    unsigned char *h = (unsigned char *)cols[c].data;
    pg__put32(h, 1);
    pg__put32(h + 4, (uint32_t)nulls[c]);
    pg__put32(h + 8, pg__oid(t->type[c]));
    pg__put32(h + 12, (uint32_t)n);
    pg__put32(h + 16, 1);
    pg__param_array(&p, t->type[c], cols[c].data, cols[c].len);
  }
  rc = pg__send(d, t->stmt, &p, PG_CHECK);
  for (int c = 0; c < t->ncols; c++)
    buf_cleanup(&cols[c]);
  return rc;
}

/*
 * COPY's binary file: a signature, flags and an empty header extension,
 * the tuples (as gathered), and a field count of -1 at the end.
 */
static const char copy_head[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
static const char copy_tail[2] = "\377\377";

/* The answers of a COPY, read to the end: OK or the first failure. */
static int
copy_result(struct store_db *d, const char *what)
{
  PGresult *r;
  int rc = OK;

  while ((r = PQgetResult(d->conn)) != NULL) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == OK) {
      const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
      const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
      char *m = detail ? xasprintf("%s (%s)", primary ? primary : "", detail)
                       : xstrdup(primary ? primary : PQresultErrorMessage(r));
      rc = pg__fail(d, pg__code(PQresultErrorField(r, PG_DIAG_SQLSTATE)), what,
                    m);
      free(m);
    }
    PQclear(r);
  }
  return rc;
}

/*
 * Sends the rows of r between byte offsets from and to as one COPY FROM
 * STDIN in binary: they are gathered as its tuples already, and the
 * server parses them without the arrays and the function scan of an
 * INSERT ... unnest (which spill to temporary files past work_mem).
 * libpq has no COPY in pipeline mode: every answer before is read, the
 * pipeline left for the COPY and entered again after it, so a COPY costs
 * round trips of its own, which only large batches (an import) repay.
 */
static int
copy_range(struct store_db *d, struct pg_rows *r, size_t from, size_t to)
{
  const char *what = r->t->what;
  PGresult *res;
  int rc, sent;

  if ((rc = pg__wait(d, NULL, _("writing to the store"))) != OK)
    return rc;
  if (!PQexitPipelineMode(d->conn))
    return pg__fail(d, ERR_STORE, what, PQerrorMessage(d->conn));
  res = PQexec(d->conn, r->t->copy);
  if (PQresultStatus(res) != PGRES_COPY_IN) {
    PQclear(res);
    rc = copy_result(d, what);
    if (rc == OK)
      rc = pg__fail(d, ERR_STORE, what, PQerrorMessage(d->conn));
  } else {
    PQclear(res);
    sent = PQputCopyData(d->conn, copy_head, sizeof copy_head) == 1 &&
           PQputCopyData(d->conn, r->data.data + from, (int)(to - from)) == 1 &&
           PQputCopyData(d->conn, copy_tail, sizeof copy_tail) == 1;
    if (PQputCopyEnd(d->conn, sent ? NULL : "the rows were not sent") != 1)
      sent = 0;
    rc = copy_result(d, what);
    if (rc == OK && !sent)
      rc = pg__fail(d, ERR_STORE, what, PQerrorMessage(d->conn));
  }
  if (PQstatus(d->conn) != CONNECTION_OK) {
    d->broken = 1;
    if (rc == OK)
      rc = pg__fail(d, ERR_RETRY, what, PQerrorMessage(d->conn));
  } else if (!PQenterPipelineMode(d->conn) && rc == OK) {
    rc = pg__fail(d, ERR_STORE, what, PQerrorMessage(d->conn));
  }
  return rc;
}

/* Sends every table's rows from its mark (first set: up to it). */
static int
send_part(struct store_db *d, int first)
{
  int rc = OK;

  for (int tb = 0; tb < TB_COUNT && rc == OK; tb++) {
    struct pg_rows *r = &d->rows[tb];
    size_t from = first ? 0 : r->mark_len,
           to = first ? r->mark_len : r->data.len;
    size_t n = first ? r->mark_n : r->n - r->mark_n;
    if (n >= COPY_ROWS && r->t->copy && to - from < INT32_MAX)
      rc = copy_range(d, r, from, to);
    else if (n > 0)
      rc = send_range(d, r, from, to, n);
  }
  return rc;
}

/* What was gathered is in the database now (or will be, in order): the
 * maps that stood in for it are cleared, and an id announced absent
 * before is to be looked up again. */
static void
sent(struct store_db *d)
{
  struct pg_idmap *pe = &d->pend_entries;

  for (size_t i = 0; i < pe->n; i++) {
    struct pg_idrec *a = pg__idmap_find(&d->announced, pe->recs[i].kind,
                                        pe->keys.data + pe->recs[i].key);
    if (a)
      a->state = ANN_STALE;
  }
  pg__idmap_clear(pe);
  pg__idmap_clear(&d->pend_supersede);
  for (int tb = 0; tb < TB_COUNT; tb++) {
    buf_reset(&d->rows[tb].data);
    d->rows[tb].n = d->rows[tb].mark_n = d->rows[tb].mark_len = 0;
  }
  d->mark_entries = d->mark_supersede = 0;
}

int
pg__flush(struct store_db *d, int wait)
{
  int rc = OK, any = 0;

  for (int tb = 0; tb < TB_COUNT; tb++)
    any |= d->rows[tb].n > 0;
  if (any) {
    if (d->sp_active && !d->sp_sent) {
      /* The savepoint goes where it was marked. */
      rc = send_part(d, 1);
      if (rc == OK)
        rc = pg__send_sql(d, sp_set, NULL, PG_CHECK);
      if (rc == OK)
        rc = send_part(d, 0);
      d->sp_sent = 1;
    } else {
      for (int tb = 0; tb < TB_COUNT; tb++)
        d->rows[tb].mark_len = d->rows[tb].mark_n = 0;
      rc = send_part(d, 0);
    }
    sent(d);
  }
  if (rc == OK && wait && (any || d->syncs > 0))
    rc = pg__wait(d, NULL, _("writing to the store"));
  return rc;
}

void
pg__discard(struct store_db *d)
{
  sent(d);
  pg__idmap_clear(&d->announced);
  d->sp_active = d->sp_sent = 0;
  d->nring_leaves = d->nring_nodes = 0;
  d->dirty = 0;
}

int
pg__savepoint(struct store_db *d)
{
  if (d->sp_active)
    return pg__fail(d, ERR_STORE, _("a savepoint"), _("one is marked already"));
  for (int tb = 0; tb < TB_COUNT; tb++) {
    d->rows[tb].mark_len = d->rows[tb].data.len;
    d->rows[tb].mark_n = d->rows[tb].n;
  }
  d->mark_entries = d->pend_entries.n;
  d->mark_supersede = d->pend_supersede.n;
  d->mark_announced = d->announced.n;
  d->mark_seq = d->next_seq;
  d->sp_active = 1;
  d->sp_sent = 0;
  return OK;
}

int
pg__release(struct store_db *d, int undo)
{
  int rc = OK;

  if (!d->sp_active)
    return OK;
  if (undo) {
    for (int tb = 0; tb < TB_COUNT; tb++) {
      struct pg_rows *r = &d->rows[tb];
      r->data.len = r->mark_len;
      r->n = r->mark_n;
      if (r->data.data)
        r->data.data[r->data.len] = '\0';
    }
    pg__idmap_truncate(&d->pend_entries, d->mark_entries);
    pg__idmap_truncate(&d->pend_supersede, d->mark_supersede);
    /* What was looked up since may have been this transaction's own
     * writes, undone now; what was looked up before can only have gone
     * stale, which is safe. */
    pg__idmap_truncate(&d->announced, d->mark_announced);
    d->next_seq = d->mark_seq;
    /* The tree's hashes written since are gone: cache none of this
     * transaction's. */
    d->nring_leaves = d->nring_nodes = 0;
    if (d->sp_sent) {
      rc = pg__send_sql(d, sp_undo, NULL, PG_CHECK);
      if (rc == OK)
        rc = pg__send_sql(d, sp_release, NULL, PG_CHECK);
    }
  } else if (d->sp_sent) {
    rc = pg__send_sql(d, sp_release, NULL, PG_CHECK);
  }
  for (int tb = 0; tb < TB_COUNT; tb++)
    d->rows[tb].mark_len = d->rows[tb].mark_n = 0;
  d->sp_active = d->sp_sent = 0;
  return rc;
}
