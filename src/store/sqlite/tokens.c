/*
 * The SQLite backend's tokens and writers (schema 3):
 *   token(name, hash, role, checkpoints, created, expires, revoked)
 *   writer(seq, name)
 * Statements are prepared per call: tokens are read once a request at
 * most, by hash through a unique index.
 */
#include "store/sqlite/sqlite_int.h"
#include "util/i18n.h"

#include <string.h>

const char store_sqlite__ddl_tokens[] =
    "CREATE TABLE token (name TEXT PRIMARY KEY, hash BLOB NOT NULL UNIQUE, "
    "role TEXT NOT NULL, checkpoints TEXT NOT NULL, created INTEGER NOT "
    "NULL, expires INTEGER, revoked INTEGER) STRICT;\n"
    "CREATE TABLE writer (seq INTEGER PRIMARY KEY, name TEXT NOT NULL) "
    "STRICT;\n";

int
store_sqlite__put_token(struct store_db *d, const struct store_token *t)
{
  sqlite3_stmt *s = NULL;
  int rc = OK, step;

  if (sqlite3_prepare_v2(d->db,
                         "INSERT INTO token(name, hash, role, checkpoints, "
                         "created, expires, revoked) VALUES(?,?,?,?,?,?,?)",
                         -1, &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("storing a token"));
  sqlite3_bind_text(s, 1, t->name, -1, SQLITE_STATIC);
  sqlite3_bind_blob(s, 2, t->hash, 32, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, t->role, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 4, t->checkpoints ? t->checkpoints : "", -1,
                    SQLITE_STATIC);
  sqlite3_bind_int64(s, 5, t->created);
  if (t->expires)
    sqlite3_bind_int64(s, 6, t->expires);
  if (t->revoked)
    sqlite3_bind_int64(s, 7, t->revoked);
  step = sqlite3_step(s);
  if (step == SQLITE_CONSTRAINT ||
      sqlite3_extended_errcode(d->db) == SQLITE_CONSTRAINT_UNIQUE ||
      sqlite3_extended_errcode(d->db) == SQLITE_CONSTRAINT_PRIMARYKEY)
    rc = ERR_EXISTS;
  else if (step != SQLITE_DONE)
    rc = store_sqlite__fail(d, _("storing a token"));
  sqlite3_finalize(s);
  return rc;
}

/* Copies a row of token into out, its texts into d->row_copy. */
static void
token_row(struct store_db *d, sqlite3_stmt *s, struct store_token *out)
{
  size_t off[3];
  const void *h;

  memset(out, 0, sizeof *out);
  buf_reset(&d->row_copy);
  for (int i = 0; i < 3; i++) {
    const char *t = (const char *)sqlite3_column_text(s, i == 0 ? 0 : i + 1);
    off[i] = d->row_copy.len;
    buf_puts(&d->row_copy, t ? t : "");
    buf_putc(&d->row_copy, '\0');
  }
  out->name = d->row_copy.data + off[0];
  out->role = d->row_copy.data + off[1];
  out->checkpoints = d->row_copy.data + off[2];
  h = sqlite3_column_blob(s, 1);
  if (h && sqlite3_column_bytes(s, 1) == 32)
    memcpy(out->hash, h, 32);
  out->created = sqlite3_column_int64(s, 4);
  out->expires = sqlite3_column_int64(s, 5);
  out->revoked = sqlite3_column_int64(s, 6);
}

#define TOKEN_COLUMNS                                                          \
  "SELECT name, hash, role, checkpoints, created, coalesce(expires, 0), "      \
  "coalesce(revoked, 0) FROM token"

int
store_sqlite__find_token(struct store_db *d, const uint8_t hash[32],
                         struct store_token *out)
{
  sqlite3_stmt *s = NULL;
  int rc = ERR_NOTFOUND, step;

  if (sqlite3_prepare_v2(d->db, TOKEN_COLUMNS " WHERE hash = ?", -1, &s,
                         NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("reading a token"));
  sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
  step = sqlite3_step(s);
  if (step == SQLITE_ROW) {
    token_row(d, s, out);
    rc = OK;
  } else if (step != SQLITE_DONE) {
    rc = store_sqlite__fail(d, _("reading a token"));
  }
  sqlite3_finalize(s);
  return rc;
}

int
store_sqlite__each_token(struct store_db *d,
                         int (*fn)(void *ctx, const struct store_token *t),
                         void *ctx)
{
  struct store_token t;
  sqlite3_stmt *s = NULL;
  int rc = OK, step;

  if (sqlite3_prepare_v2(d->db, TOKEN_COLUMNS " ORDER BY name", -1, &s, NULL) !=
      SQLITE_OK)
    return store_sqlite__fail(d, _("reading tokens"));
  while (rc == OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
    token_row(d, s, &t);
    rc = fn(ctx, &t);
  }
  if (rc == OK && step != SQLITE_DONE)
    rc = store_sqlite__fail(d, _("reading tokens"));
  sqlite3_finalize(s);
  return rc;
}

int
store_sqlite__revoke_token(struct store_db *d, const char *name, int64_t when)
{
  sqlite3_stmt *s = NULL;
  int rc = OK;

  if (sqlite3_prepare_v2(d->db,
                         "UPDATE token SET revoked = coalesce(revoked, ?) "
                         "WHERE name = ?",
                         -1, &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("revoking a token"));
  sqlite3_bind_int64(s, 1, when);
  sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
  if (sqlite3_step(s) != SQLITE_DONE)
    rc = store_sqlite__fail(d, _("revoking a token"));
  else if (sqlite3_changes(d->db) == 0)
    rc = ERR_NOTFOUND;
  sqlite3_finalize(s);
  return rc;
}

int
store_sqlite__put_writer(struct store_db *d, uint64_t seq, const char *name)
{
  if (store_sqlite__prepare(d, &d->ins_writer,
                            "INSERT INTO writer(seq, name) VALUES(?, ?)",
                            N_("recording a writer")) != OK)
    return ERR_STORE;
  sqlite3_bind_int64(d->ins_writer, 1, store_sqlite__i64(seq));
  sqlite3_bind_text(d->ins_writer, 2, name, -1, SQLITE_STATIC);
  if (sqlite3_step(d->ins_writer) != SQLITE_DONE) {
    int rc = store_sqlite__fail(d, _("recording a writer"));
    sqlite3_reset(d->ins_writer);
    return rc;
  }
  sqlite3_reset(d->ins_writer);
  return OK;
}

int
store_sqlite__get_writer(struct store_db *d, uint64_t seq, char **out)
{
  sqlite3_stmt *s = NULL;
  int rc = ERR_NOTFOUND, step;

  *out = NULL;
  if (sqlite3_prepare_v2(d->db, "SELECT name FROM writer WHERE seq = ?", -1, &s,
                         NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("reading a writer"));
  sqlite3_bind_int64(s, 1, store_sqlite__i64(seq));
  step = sqlite3_step(s);
  if (step == SQLITE_ROW) {
    const char *t = (const char *)sqlite3_column_text(s, 0);
    *out = xstrdup(t ? t : "");
    rc = OK;
  } else if (step != SQLITE_DONE) {
    rc = store_sqlite__fail(d, _("reading a writer"));
  }
  sqlite3_finalize(s);
  return rc;
}

int
store_sqlite__each_writer(struct store_db *d,
                          int (*fn)(void *ctx, uint64_t seq, const char *name),
                          void *ctx)
{
  sqlite3_stmt *s = NULL;
  int rc = OK, step = SQLITE_DONE;

  if (sqlite3_prepare_v2(d->db, "SELECT seq, name FROM writer ORDER BY seq", -1,
                         &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("reading writers"));
  while (rc == OK && (step = sqlite3_step(s)) == SQLITE_ROW)
    rc = fn(ctx, (uint64_t)sqlite3_column_int64(s, 0),
            (const char *)sqlite3_column_text(s, 1));
  if (rc == OK && step != SQLITE_DONE)
    rc = store_sqlite__fail(d, _("reading writers"));
  sqlite3_finalize(s);
  return rc;
}
