/*
 * Saved analysis state (store.h, store_get_saved): one table, in the
 * schema from version 8 and made on the first save before that (an older
 * build that ignores it loses nothing: the analysis checks every row
 * against what was appended after it):
 *   saved_state(key, day, size, bytes)
 */
#include "store/sqlite/sqlite_int.h"
#include "util/i18n.h"

#include <string.h>

#include <sqlite3.h>

const char store_sqlite__ddl_saved[] =
    "CREATE TABLE IF NOT EXISTS saved_state (key TEXT NOT NULL, day INTEGER "
    "NOT NULL, size INTEGER NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY(key, "
    "day)) WITHOUT ROWID, STRICT;\n";

/* SQLITE_ERROR on prepare: the table is not there yet (the only error a
 * well-formed statement can meet before it runs). */
static int
missing(struct store_db *d, int rc, const char *what)
{
  return rc == SQLITE_ERROR ? ERR_NOTFOUND : store_sqlite__fail(d, what);
}

int
store_sqlite__get_saved(struct store_db *d, const char *key, int64_t day,
                        uint64_t *size, struct buf *bytes)
{
  sqlite3_stmt *s = NULL;
  int rc, step;

  rc = sqlite3_prepare_v2(d->db,
                          "SELECT size, bytes FROM saved_state WHERE key = ? "
                          "AND day = ?",
                          -1, &s, NULL);
  if (rc != SQLITE_OK)
    return missing(d, rc, _("reading saved state"));
  sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, day);
  step = sqlite3_step(s);
  if (step == SQLITE_ROW) {
    sqlite3_int64 n = sqlite3_column_int64(s, 0);
    const void *b = sqlite3_column_blob(s, 1);
    size_t len = (size_t)sqlite3_column_bytes(s, 1);
    *size = n < 0 ? UINT64_MAX : (uint64_t)n; /* negative: never usable */
    buf_reset(bytes);
    buf_append(bytes, b ? b : "", len);
    rc = OK;
  } else if (step == SQLITE_DONE) {
    rc = ERR_NOTFOUND;
  } else {
    rc = store_sqlite__fail(d, _("reading saved state"));
  }
  sqlite3_finalize(s);
  return rc;
}

int
store_sqlite__put_saved(struct store_db *d, const struct store_saved *rows,
                        size_t n)
{
  sqlite3_stmt *s = NULL;
  int rc;

  /* Not worth waiting for: whoever has the lock is adding entries that
   * would make these rows old anyway. */
  sqlite3_busy_timeout(d->db, 0);
  rc = sqlite3_exec(d->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  sqlite3_busy_timeout(d->db, (int)d->busy_ms);
  if (rc != SQLITE_OK) {
    buf_reset(d->err);
    buf_printf(d->err, "%s: %s", _("saving state"), sqlite3_errmsg(d->db));
    return store_sqlite__code(rc);
  }
  rc = sqlite3_exec(d->db, store_sqlite__ddl_saved, NULL, NULL, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2(d->db,
                            "INSERT INTO saved_state(key, day, size, bytes) "
                            "VALUES(?, ?, ?, ?) ON CONFLICT(key, day) DO "
                            "UPDATE SET size = excluded.size, bytes = "
                            "excluded.bytes",
                            -1, &s, NULL);
  for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
    sqlite3_bind_text(s, 1, rows[i].key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, rows[i].day);
    sqlite3_bind_int64(s, 3, store_sqlite__i64(rows[i].size));
    sqlite3_bind_blob(s, 4, rows[i].len ? rows[i].bytes : "", (int)rows[i].len,
                      SQLITE_STATIC);
    rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(d->db);
    sqlite3_reset(s);
  }
  sqlite3_finalize(s);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(d->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    buf_reset(d->err);
    buf_printf(d->err, "%s: %s", _("saving state"), sqlite3_errmsg(d->db));
    if (!sqlite3_get_autocommit(d->db))
      sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
    return store_sqlite__code(rc);
  }
  return OK;
}

int
store_sqlite__each_saved(struct store_db *d,
                         int (*fn)(void *ctx, const struct store_saved *row),
                         void *ctx)
{
  sqlite3_stmt *s = NULL;
  int rc, step = SQLITE_DONE;

  rc = sqlite3_prepare_v2(d->db,
                          "SELECT key, day, size, bytes FROM saved_state "
                          "ORDER BY key, day",
                          -1, &s, NULL);
  if (rc != SQLITE_OK)
    return missing(d, rc, _("reading saved state")) == ERR_NOTFOUND ? OK
                                                                    : ERR_STORE;
  rc = OK;
  while (rc == OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
    struct store_saved row;
    sqlite3_int64 n = sqlite3_column_int64(s, 2);
    row.key = (const char *)sqlite3_column_text(s, 0);
    row.day = sqlite3_column_int64(s, 1);
    row.size = n < 0 ? UINT64_MAX : (uint64_t)n;
    row.bytes = sqlite3_column_blob(s, 3);
    row.len = (size_t)sqlite3_column_bytes(s, 3);
    if (row.key == NULL)
      continue;
    if (row.bytes == NULL)
      row.bytes = "";
    rc = fn(ctx, &row);
  }
  if (rc == OK && step != SQLITE_DONE)
    rc = store_sqlite__fail(d, _("reading saved state"));
  sqlite3_finalize(s);
  return rc;
}
