/*
 * Reconciled day cells (schema 7, issue 13): derived data the front keeps
 * beside the log (src/store/cells.c), in two tables:
 *   cells_dict(code, text)             the cells' strings as integer codes
 *   cells(day, checkpoint, bytes)      one local day at one checkpoint
 *                                      (src/cells/codec.c), checkpoint a
 *                                      code of cells_dict
 * and the read that rebuilds a checkpoint's days: its live flows near a
 * period, through the (checkpoint, start_b) index bounded at both ends.
 */
#include "store/sqlite/sqlite_int.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

/* IF NOT EXISTS: a store whose version was set back by hand (as the
 * migration tests do) still moves forward. */
const char store_sqlite__ddl_cells[] =
    "CREATE TABLE IF NOT EXISTS cells_dict (code INTEGER PRIMARY KEY, text "
    "TEXT NOT NULL "
    "UNIQUE) STRICT;\n"
    "CREATE TABLE IF NOT EXISTS cells (day INTEGER NOT NULL, checkpoint "
    "INTEGER NOT NULL, "
    "bytes BLOB NOT NULL, PRIMARY KEY(day, checkpoint)) WITHOUT ROWID, "
    "STRICT;\n";

/* The statements of this file, by use. */
enum { S_META, S_CODE, S_PUT, S_DEL, S_EACH, S_NEAR };

int
store_sqlite__replace_meta(struct store_db *d, const char *key,
                           const char *value)
{
  sqlite3_stmt *s;
  int rc;

  rc = store_sqlite__prepare(d, &d->cells_stmt[S_META],
                             "INSERT INTO meta(key, value) VALUES(?, ?) ON "
                             "CONFLICT(key) DO UPDATE SET value = "
                             "excluded.value",
                             N_("writing meta"));
  if (rc != OK)
    return rc;
  s = d->cells_stmt[S_META];
  sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE ? OK : store_sqlite__fail(d, _("writing meta"));
}

int
store_sqlite__put_code(struct store_db *d, uint32_t code, const char *text)
{
  sqlite3_stmt *s;
  int rc;

  rc = store_sqlite__prepare(d, &d->cells_stmt[S_CODE],
                             "INSERT INTO cells_dict(code, text) VALUES(?, ?)",
                             N_("writing the cells' dictionary"));
  if (rc != OK)
    return rc;
  s = d->cells_stmt[S_CODE];
  sqlite3_bind_int64(s, 1, (sqlite3_int64)code);
  sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE
             ? OK
             : store_sqlite__fail(d, _("writing the cells' dictionary"));
}

int
store_sqlite__each_code(struct store_db *d, uint32_t from,
                        int (*fn)(void *ctx, uint32_t code, const char *text),
                        void *ctx)
{
  sqlite3_stmt *s = NULL;
  int rc = OK, step = SQLITE_DONE;

  if (sqlite3_prepare_v2(d->db,
                         "SELECT code, text FROM cells_dict WHERE code >= ? "
                         "ORDER BY code",
                         -1, &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("reading the cells' dictionary"));
  sqlite3_bind_int64(s, 1, (sqlite3_int64)from);
  while (rc == OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
    sqlite3_int64 code = sqlite3_column_int64(s, 0);
    const char *text = (const char *)sqlite3_column_text(s, 1);
    if (code <= 0 || code > UINT32_MAX || text == NULL)
      continue; /* no code the front writes: the auditor finds what is
                 * missing */
    rc = fn(ctx, (uint32_t)code, text);
  }
  if (rc == OK && step != SQLITE_DONE)
    rc = store_sqlite__fail(d, _("reading the cells' dictionary"));
  sqlite3_finalize(s);
  return rc;
}

int
store_sqlite__put_cells(struct store_db *d, int64_t day, uint32_t checkpoint,
                        const void *bytes, size_t len)
{
  int which = len == 0 ? S_DEL : S_PUT;
  sqlite3_stmt *s;
  int rc;

  rc = store_sqlite__prepare(
      d, &d->cells_stmt[which],
      len == 0 ? "DELETE FROM cells WHERE day = ? AND checkpoint = ?"
               : "INSERT INTO cells(day, checkpoint, bytes) VALUES(?, ?, ?) "
                 "ON CONFLICT(day, checkpoint) DO UPDATE SET bytes = "
                 "excluded.bytes",
      N_("writing day cells"));
  if (rc != OK)
    return rc;
  s = d->cells_stmt[which];
  sqlite3_bind_int64(s, 1, day);
  sqlite3_bind_int64(s, 2, (sqlite3_int64)checkpoint);
  if (len)
    sqlite3_bind_blob(s, 3, bytes, (int)len, SQLITE_STATIC);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE ? OK : store_sqlite__fail(d, _("writing day cells"));
}

int
store_sqlite__clear_cells(struct store_db *d)
{
  return store_sqlite__exec(d, "DELETE FROM cells");
}

int
store_sqlite__each_cells(struct store_db *d, int64_t from, int64_t to,
                         int (*fn)(void *ctx, int64_t day, uint32_t checkpoint,
                                   const void *bytes, size_t len),
                         void *ctx)
{
  sqlite3_stmt *s = NULL;
  int rc = OK, step = SQLITE_DONE;

  /* Not kept prepared: a caller may read cells inside another walk. */
  if (sqlite3_prepare_v2(d->db,
                         "SELECT day, checkpoint, bytes FROM cells WHERE day "
                         ">= ? AND day <= ? ORDER BY day, checkpoint",
                         -1, &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("reading day cells"));
  sqlite3_bind_int64(s, 1, from);
  sqlite3_bind_int64(s, 2, to);
  while (rc == OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
    sqlite3_int64 cp = sqlite3_column_int64(s, 1);
    const void *bytes = sqlite3_column_blob(s, 2);
    size_t len = (size_t)sqlite3_column_bytes(s, 2);
    rc = fn(ctx, sqlite3_column_int64(s, 0),
            cp < 0 || cp > UINT32_MAX ? 0 : (uint32_t)cp, bytes ? bytes : "",
            len);
  }
  if (rc == OK && step != SQLITE_DONE)
    rc = store_sqlite__fail(d, _("reading day cells"));
  sqlite3_finalize(s);
  return rc;
}

int
store_sqlite__each_flow_near(struct store_db *d, const char *checkpoint,
                             int64_t lo, int64_t from, int64_t to,
                             uint64_t as_of,
                             int (*fn)(void *ctx, const struct store_entry *e),
                             void *ctx)
{
  sqlite3_stmt *s = NULL;
  int rc = OK, step = SQLITE_DONE;

  if (sqlite3_prepare_v2(
          d->db,
          "SELECT e.seq, e.kind, e.id, e.bytes, e.hash FROM flow f JOIN entry "
          "e ON e.seq = f.seq WHERE f.checkpoint = ?5 AND f.start_b >= ?6 AND "
          "f.start_b < ?1 AND f.end_f >= ?2 AND f.seq < ?3 AND NOT EXISTS "
          "(SELECT 1 FROM supersede s WHERE s.kind = ?4 AND s.id = e.id AND "
          "s.by_seq < ?3) ORDER BY f.seq",
          -1, &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("reading flows"));
  sqlite3_bind_int64(s, 1, to);
  sqlite3_bind_int64(s, 2, from);
  sqlite3_bind_int64(s, 3, store_sqlite__i64(as_of));
  sqlite3_bind_int(s, 4, (int)KIND_flow);
  sqlite3_bind_text(s, 5, checkpoint, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 6, lo);
  while (rc == OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
    struct store_entry e;
    e.seq = (uint64_t)sqlite3_column_int64(s, 0);
    e.kind = (enum record_kind)sqlite3_column_int(s, 1);
    e.id = (const char *)sqlite3_column_text(s, 2);
    e.bytes = sqlite3_column_blob(s, 3);
    e.len = (size_t)sqlite3_column_bytes(s, 3);
    e.hash =
        sqlite3_column_bytes(s, 4) == 32 ? sqlite3_column_blob(s, 4) : NULL;
    rc = fn(ctx, &e);
  }
  if (rc == OK && step != SQLITE_DONE)
    rc = store_sqlite__fail(d, _("reading flows"));
  sqlite3_finalize(s);
  return rc;
}

int
store_sqlite__each_flow_checkpoint(struct store_db *d,
                                   int (*fn)(void *ctx, const char *cp),
                                   void *ctx)
{
  /* DISTINCT would read the whole index; each step here is one seek. */
  static const char sql[] =
      "WITH RECURSIVE c(cp) AS (SELECT min(checkpoint) FROM flow UNION ALL "
      "SELECT (SELECT min(checkpoint) FROM flow WHERE checkpoint > c.cp) FROM "
      "c WHERE c.cp IS NOT NULL) SELECT cp FROM c WHERE cp IS NOT NULL";
  struct buf cp;
  sqlite3_stmt *s = NULL;
  int rc = OK, step = SQLITE_DONE;

  if (sqlite3_prepare_v2(d->db, sql, -1, &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("reading flows"));
  buf_init(&cp);
  while (rc == OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
    /* A copy: fn reads the store again before the next step. */
    buf_reset(&cp);
    buf_puts(&cp, (const char *)sqlite3_column_text(s, 0));
    rc = fn(ctx, cp.data);
  }
  if (rc == OK && step != SQLITE_DONE)
    rc = store_sqlite__fail(d, _("reading flows"));
  sqlite3_finalize(s);
  buf_cleanup(&cp);
  return rc;
}
