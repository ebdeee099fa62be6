/*
 * The PostgreSQL backend's derived data (schema 8), the same things the
 * SQLite backend keeps (src/store/sqlite/cells.c, saved.c):
 *   cells_dict(code, text)          the day cells' strings as codes
 *   cells(day, checkpoint, bytes)   one local day at one checkpoint
 *   cells_meta(key, value)          which rules the kept cells were built
 *                                   with, and the longest flow
 *   saved_state(key, day, size, bytes)  the analysis's saved state
 * and the reads an older view needs: the checkpoints the flows name, and
 * the spans the entries of a range of the log change (a checkpoint's
 * flows near a period are entries.c's, beside the overlap they bound).
 *
 * cells_meta is meta's counterpart for what is derived: a server's role
 * may update it, and not meta (schema_version, the corridor's rules), so
 * least privilege holds (postgres.c writes both, get_meta reads both). The
 * cells are written in the write transaction that holds the log's head, so
 * several servers build them one at a time, each from what the one before
 * committed.
 */
#include "store/postgres/pg_int.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

int
pg__is_cells_meta(const char *key)
{
  return strncmp(key, "cells.", 6) == 0;
}

int
pg__put_code(struct store_db *d, uint32_t code, const char *text)
{
  struct pg_params p;

  pg__params_init(&p);
  pg__param_int8(&p, (int64_t)code);
  pg__param_text(&p, text, strlen(text));
  d->dirty = 1;
  return pg__send(d, ST_PUT_CODE, &p, PG_CHECK);
}

struct code_walk {
  int (*fn)(void *ctx, uint32_t code, const char *text);
  void *ctx;
};

static int
code_row(void *ctx, const PGresult *r, int i)
{
  struct code_walk *w = ctx;
  int64_t code = pg__int8(r, i, 0);
  const char *text = pg__text(r, i, 1, NULL);

  if (code <= 0 || code > (int64_t)UINT32_MAX || text == NULL)
    return OK; /* no code the front writes: the auditor finds what is
                * missing */
  return w->fn(w->ctx, (uint32_t)code, text);
}

int
pg__each_code(struct store_db *d, uint32_t from,
              int (*fn)(void *ctx, uint32_t code, const char *text), void *ctx)
{
  struct code_walk w = {fn, ctx};
  struct pg_params p;

  pg__params_init(&p);
  pg__param_int8(&p, (int64_t)from);
  return pg__scan(d,
                  "SELECT code, text FROM cells_dict WHERE code >= $1 ORDER "
                  "BY code",
                  &p, code_row, &w, _("reading the cells' dictionary"));
}

int
pg__put_cells(struct store_db *d, int64_t day, uint32_t checkpoint,
              const void *bytes, size_t len)
{
  struct pg_params p;

  pg__params_init(&p);
  pg__param_int8(&p, day);
  pg__param_int8(&p, (int64_t)checkpoint);
  if (len)
    pg__param_bytea(&p, bytes, len);
  d->dirty = 1;
  return pg__send(d, len ? ST_PUT_CELLS : ST_DEL_CELLS, &p, PG_CHECK);
}

int
pg__clear_cells(struct store_db *d)
{
  d->dirty = 1;
  return pg__send_sql(d, "DELETE FROM cells", NULL, PG_CHECK);
}

struct cells_walk {
  int (*fn)(void *ctx, int64_t day, uint32_t checkpoint, const void *bytes,
            size_t len);
  void *ctx;
};

static int
cells_row(void *ctx, const PGresult *r, int i)
{
  struct cells_walk *w = ctx;
  int64_t cp = pg__int8(r, i, 1);
  size_t len;
  const char *bytes = pg__text(r, i, 2, &len);

  return w->fn(w->ctx, pg__int8(r, i, 0),
               cp < 0 || cp > (int64_t)UINT32_MAX ? 0 : (uint32_t)cp,
               bytes ? bytes : "", len);
}

int
pg__each_cells(struct store_db *d, int64_t from, int64_t to,
               int (*fn)(void *ctx, int64_t day, uint32_t checkpoint,
                         const void *bytes, size_t len),
               void *ctx)
{
  struct cells_walk w = {fn, ctx};
  struct pg_params p;

  pg__params_init(&p);
  pg__param_int8(&p, from);
  pg__param_int8(&p, to);
  return pg__scan(d,
                  "SELECT day, checkpoint, bytes FROM cells WHERE day >= $1 "
                  "AND day <= $2 ORDER BY day, checkpoint",
                  &p, cells_row, &w, _("reading day cells"));
}

/* ---- Reads for older views ---- */

struct cp_walk {
  int (*fn)(void *ctx, const char *cp);
  void *ctx;
  struct buf cp;
};

static int
cp_row(void *ctx, const PGresult *r, int i)
{
  struct cp_walk *w = ctx;
  const char *cp = pg__text(r, i, 0, NULL);

  if (cp == NULL)
    return OK;
  /* A copy: fn reads the store again while the batch is held. */
  buf_reset(&w->cp);
  buf_puts(&w->cp, cp);
  return w->fn(w->ctx, w->cp.data);
}

int
pg__each_flow_checkpoint(struct store_db *d,
                         int (*fn)(void *ctx, const char *cp), void *ctx)
{
  /* DISTINCT would read the whole index; each step here is one seek. */
  static const char sql[] =
      "WITH RECURSIVE c(cp) AS (SELECT min(checkpoint) FROM flow UNION ALL "
      "SELECT (SELECT min(checkpoint) FROM flow WHERE checkpoint > c.cp) FROM "
      "c WHERE c.cp IS NOT NULL) SELECT cp FROM c WHERE cp IS NOT NULL";
  struct cp_walk w = {fn, ctx, {0}};
  int rc;

  buf_init(&w.cp);
  rc = pg__scan(d, sql, NULL, cp_row, &w, _("reading flows"));
  buf_cleanup(&w.cp);
  return rc;
}

struct span_walk {
  int (*fn)(void *ctx, int target, int64_t begin, int64_t finish);
  void *ctx;
};

static int
span_row(void *ctx, const PGresult *r, int i)
{
  struct span_walk *w = ctx;

  if (pg__null(r, i, 1) || pg__null(r, i, 2))
    return OK; /* a time no day holds */
  return w->fn(w->ctx, pg__int4(r, i, 0), pg__int8(r, i, 1), pg__int8(r, i, 2));
}

/* A record's bounds in its query table, as SQLite's each_changed_span
 * reads them: start_b, and end_f or else start_f. The rows of [$1, $2),
 * then the records they supersede or withdraw, found by id through
 * entry_id and read from their own table. */
int
pg__each_changed_span(struct store_db *d, uint64_t from, uint64_t to,
                      int (*fn)(void *ctx, int target, int64_t begin,
                                int64_t finish),
                      void *ctx)
{
  static const char sql[] =
      "SELECT 0, start_b, coalesce(end_f, start_f) FROM flow WHERE seq >= $1 "
      "AND seq < $2 "
      "UNION ALL SELECT 0, start_b, coalesce(end_f, start_f) FROM coverage "
      "WHERE seq >= $1 AND seq < $2 "
      "UNION ALL SELECT 1, t.start_b, coalesce(t.end_f, t.start_f) FROM flow "
      "x JOIN entry e ON e.kind = $3 AND e.id = x.supersedes JOIN flow t ON "
      "t.seq = e.seq WHERE x.seq >= $1 AND x.seq < $2 AND x.supersedes IS "
      "NOT NULL "
      "UNION ALL SELECT 1, t.start_b, coalesce(t.end_f, t.start_f) FROM "
      "coverage x JOIN entry e ON e.kind = $4 AND e.id = x.supersedes JOIN "
      "coverage t ON t.seq = e.seq WHERE x.seq >= $1 AND x.seq < $2 AND "
      "x.supersedes IS NOT NULL "
      "UNION ALL SELECT 1, t.start_b, coalesce(t.end_f, t.start_f) FROM "
      "withdrawal x JOIN entry e ON e.kind = $3 AND e.id = x.supersedes JOIN "
      "flow t ON t.seq = e.seq WHERE x.seq >= $1 AND x.seq < $2 AND x.kind = "
      "'flow' "
      "UNION ALL SELECT 1, t.start_b, coalesce(t.end_f, t.start_f) FROM "
      "withdrawal x JOIN entry e ON e.kind = $4 AND e.id = x.supersedes JOIN "
      "coverage t ON t.seq = e.seq WHERE x.seq >= $1 AND x.seq < $2 AND "
      "x.kind = 'coverage'";
  struct span_walk w = {fn, ctx};
  struct pg_params p;

  pg__params_init(&p);
  pg__param_int8(&p, pg__i64(from));
  pg__param_int8(&p, pg__i64(to));
  pg__param_int4(&p, (int32_t)KIND_flow);
  pg__param_int4(&p, (int32_t)KIND_coverage);
  return pg__scan(d, sql, &p, span_row, &w, _("reading what changed"));
}

/* ---- Saved analysis state ---- */

int
pg__get_saved(struct store_db *d, const char *key, int64_t day, uint64_t *size,
              struct buf *bytes)
{
  struct pg_params p;
  PGresult *r = NULL;
  int rc;

  pg__params_init(&p);
  pg__param_text(&p, key, strlen(key));
  pg__param_int8(&p, day);
  if (d->in_tx && (rc = pg__flush(d, 0)) != OK)
    return rc;
  rc = pg__query_sql(d,
                     "SELECT size, bytes FROM saved_state WHERE key = $1 AND "
                     "day = $2",
                     &p, &r, _("reading saved state"));
  if (rc != OK)
    return rc;
  rc = ERR_NOTFOUND;
  if (PQntuples(r) == 1) {
    int64_t n = pg__int8(r, 0, 0);
    size_t len;
    const char *b = pg__text(r, 0, 1, &len);
    *size = n < 0 ? UINT64_MAX : (uint64_t)n; /* negative: never usable */
    buf_reset(bytes);
    buf_append(bytes, b ? b : "", len);
    rc = OK;
  }
  PQclear(r);
  return rc;
}

/*
 * In a transaction of its own, which waits for no lock for long: a row
 * another server is saving at the same moment is as good as this one.
 * On a standby the database refuses it, and nothing is lost: the state
 * is saved again by the next report on the primary.
 */
int
pg__put_saved(struct store_db *d, const struct store_saved *rows, size_t n)
{
  int rc;

  if ((rc = pg__usable(d)) != OK)
    return rc;
  rc = pg__send_sql(d, "BEGIN", NULL, PG_CHECK);
  if (rc == OK)
    rc = pg__send_sql(d, "SET LOCAL lock_timeout = 100", NULL, PG_CHECK);
  for (size_t i = 0; rc == OK && i < n; i++) {
    struct pg_params p;
    pg__params_init(&p);
    pg__param_text(&p, rows[i].key, strlen(rows[i].key));
    pg__param_int8(&p, rows[i].day);
    pg__param_int8(&p, pg__i64(rows[i].size));
    pg__param_bytea(&p, rows[i].len ? rows[i].bytes : "", rows[i].len);
    rc = pg__send(d, ST_PUT_SAVED, &p, PG_CHECK);
  }
  if (rc == OK)
    rc = pg__send_sql(d, "COMMIT", NULL, PG_CHECK);
  if (rc == OK)
    rc = pg__wait(d, NULL, _("saving state"));
  if (rc != OK)
    pg__rollback_keeping(d);
  return rc;
}

struct saved_walk {
  int (*fn)(void *ctx, const struct store_saved *row);
  void *ctx;
};

static int
saved_row(void *ctx, const PGresult *r, int i)
{
  struct saved_walk *w = ctx;
  struct store_saved row;
  int64_t n = pg__int8(r, i, 2);

  row.key = pg__text(r, i, 0, NULL);
  row.day = pg__int8(r, i, 1);
  row.size = n < 0 ? UINT64_MAX : (uint64_t)n;
  row.bytes = pg__text(r, i, 3, &row.len);
  if (row.key == NULL)
    return OK;
  if (row.bytes == NULL)
    row.bytes = "";
  return w->fn(w->ctx, &row);
}

int
pg__each_saved(struct store_db *d,
               int (*fn)(void *ctx, const struct store_saved *row), void *ctx)
{
  struct saved_walk w = {fn, ctx};

  /* key is COLLATE "C": in the order of its bytes, as SQLite's. */
  return pg__scan(d,
                  "SELECT key, day, size, bytes FROM saved_state ORDER BY "
                  "key, day",
                  NULL, saved_row, &w, _("reading saved state"));
}
