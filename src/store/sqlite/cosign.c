/*
 * Signed checkpoints and witnesses' cosignatures (schema 4), in two
 * insert-only tables:
 *   checkpoint_note(size, note)                      one note per tree size
 *   cosignature(size, witness, key_hash, time, line) one per witness key
 * These are read and written a few times a minute at most, so their
 * statements are prepared per call rather than kept on the handle.
 */
#include "store/sqlite/sqlite_int.h"
#include "util/i18n.h"

#include <string.h>

#include <sqlite3.h>

/* IF NOT EXISTS: a store whose version was set back by hand (as the
 * migration tests do) still moves forward. */
const char store_sqlite__ddl_cosign[] =
    "CREATE TABLE IF NOT EXISTS checkpoint_note (size INTEGER PRIMARY KEY, "
    "note TEXT NOT NULL) STRICT;\n"
    "CREATE TABLE IF NOT EXISTS cosignature (size INTEGER NOT NULL, witness "
    "TEXT NOT NULL, key_hash INTEGER NOT NULL, time INTEGER NOT NULL, line "
    "TEXT NOT NULL, PRIMARY KEY(size, witness, key_hash)) STRICT, WITHOUT "
    "ROWID;\n"
    "CREATE INDEX IF NOT EXISTS cosignature_witness ON cosignature(witness, "
    "key_hash, size);\n";

/* Prepares sql for one call; a failure is named by what. */
static int
prepare(struct store_db *d, sqlite3_stmt **s, const char *sql, const char *what)
{
  *s = NULL;
  if (sqlite3_prepare_v2(d->db, sql, -1, s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, what);
  return OK;
}

/* Steps an insert: OK, ERR_EXISTS on a taken key, else the failure. */
static int
insert(struct store_db *d, sqlite3_stmt *s, const char *what)
{
  int rc = sqlite3_step(s);

  if (rc == SQLITE_DONE)
    rc = OK;
  else if (sqlite3_extended_errcode(d->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
    rc = ERR_EXISTS;
  else
    rc = store_sqlite__fail(d, what);
  sqlite3_finalize(s);
  return rc;
}

int
store_sqlite__put_checkpoint(struct store_db *d, uint64_t size,
                             const char *note)
{
  const char *what = _("storing a signed checkpoint");
  sqlite3_stmt *s;
  int rc;

  rc = prepare(d, &s, "INSERT INTO checkpoint_note(size, note) VALUES(?, ?)",
               what);
  if (rc != OK)
    return rc;
  sqlite3_bind_int64(s, 1, store_sqlite__i64(size));
  sqlite3_bind_text(s, 2, note, -1, SQLITE_STATIC);
  return insert(d, s, what);
}

int
store_sqlite__get_checkpoint(struct store_db *d, uint64_t size, int latest,
                             int (*fn)(void *ctx, uint64_t size,
                                       const char *note),
                             void *ctx)
{
  const char *what = _("reading a signed checkpoint");
  sqlite3_stmt *s;
  int rc;

  rc = prepare(
      d, &s,
      latest ? "SELECT size, note FROM checkpoint_note ORDER BY size DESC "
               "LIMIT 1"
             : "SELECT size, note FROM checkpoint_note WHERE size = ?",
      what);
  if (rc != OK)
    return rc;
  if (!latest)
    sqlite3_bind_int64(s, 1, store_sqlite__i64(size));
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    const char *note = (const char *)sqlite3_column_text(s, 1);
    rc = fn(ctx, (uint64_t)sqlite3_column_int64(s, 0), note ? note : "");
  } else if (rc == SQLITE_DONE) {
    rc = ERR_NOTFOUND;
  } else {
    rc = store_sqlite__fail(d, what);
  }
  sqlite3_finalize(s);
  return rc;
}

int
store_sqlite__put_cosignature(struct store_db *d,
                              const struct store_cosignature *c)
{
  const char *what = _("storing a cosignature");
  sqlite3_stmt *s;
  int rc;

  rc = prepare(d, &s,
               "INSERT INTO cosignature(size, witness, key_hash, time, line) "
               "VALUES(?, ?, ?, ?, ?)",
               what);
  if (rc != OK)
    return rc;
  sqlite3_bind_int64(s, 1, store_sqlite__i64(c->size));
  sqlite3_bind_text(s, 2, c->witness, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 3, (sqlite3_int64)c->key_hash);
  sqlite3_bind_int64(s, 4, store_sqlite__i64(c->time));
  sqlite3_bind_text(s, 5, c->line, -1, SQLITE_STATIC);
  return insert(d, s, what);
}

int
store_sqlite__each_cosignature(struct store_db *d, uint64_t size,
                               int (*fn)(void *ctx,
                                         const struct store_cosignature *c),
                               void *ctx)
{
  const char *what = _("reading cosignatures");
  sqlite3_stmt *s;
  int rc;

  rc = prepare(d, &s,
               "SELECT witness, key_hash, time, line FROM cosignature WHERE "
               "size = ? ORDER BY witness, key_hash",
               what);
  if (rc != OK)
    return rc;
  sqlite3_bind_int64(s, 1, store_sqlite__i64(size));
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const char *w = (const char *)sqlite3_column_text(s, 0);
    const char *line = (const char *)sqlite3_column_text(s, 3);
    struct store_cosignature c = {
        size, w ? w : "", (uint32_t)sqlite3_column_int64(s, 1),
        (uint64_t)sqlite3_column_int64(s, 2), line ? line : ""};
    int frc = fn(ctx, &c);
    if (frc != OK) {
      sqlite3_finalize(s);
      return frc;
    }
  }
  rc = rc == SQLITE_DONE ? OK : store_sqlite__fail(d, what);
  sqlite3_finalize(s);
  return rc;
}

/* One integer a query answers (NULL: ERR_NOTFOUND). */
static int
one_size(struct store_db *d, sqlite3_stmt *s, uint64_t *out, const char *what)
{
  int rc = sqlite3_step(s);

  *out = 0;
  if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
    *out = (uint64_t)sqlite3_column_int64(s, 0);
    rc = OK;
  } else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
    rc = ERR_NOTFOUND;
  } else {
    rc = store_sqlite__fail(d, what);
  }
  sqlite3_finalize(s);
  return rc;
}

int
store_sqlite__witness_size(struct store_db *d, const char *witness,
                           uint32_t key_hash, uint64_t *size)
{
  const char *what = _("reading cosignatures");
  sqlite3_stmt *s;
  int rc;

  rc = prepare(d, &s,
               "SELECT max(size) FROM cosignature WHERE witness = ? AND "
               "key_hash = ?",
               what);
  if (rc != OK)
    return rc;
  sqlite3_bind_text(s, 1, witness, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, (sqlite3_int64)key_hash);
  return one_size(d, s, size, what);
}

int
store_sqlite__next_cosigned(struct store_db *d, uint64_t from, uint64_t *size)
{
  const char *what = _("reading cosignatures");
  sqlite3_stmt *s;
  int rc;

  rc =
      prepare(d, &s, "SELECT min(size) FROM cosignature WHERE size >= ?", what);
  if (rc != OK)
    return rc;
  sqlite3_bind_int64(s, 1, store_sqlite__i64(from));
  return one_size(d, s, size, what);
}
