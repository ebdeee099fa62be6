/*
 * The PostgreSQL backend's tokens and writers (schema 3):
 *   token(name, hash, role, checkpoints, created, expires, revoked)
 *   writer(seq, name)
 * Tokens are written in a transaction of their own and looked up once a
 * request, by hash through a unique index; writers go with the entries.
 */
#include "store/postgres/pg_int.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

static int
changed(const PGresult *r)
{
  const char *n = PQcmdTuples((PGresult *)r);

  return n && n[0] && strcmp(n, "0") != 0;
}

/* SQL with parameters, its result kept. */
static int
run(struct store_db *d, const char *sql, const struct pg_params *p,
    PGresult **r, const char *what)
{
  int rc;

  *r = NULL;
  if (d->in_tx && (rc = pg__flush(d, 0)) != OK)
    return rc;
  return pg__query_sql(d, sql, p, r, what);
}

int
pg__put_token(struct store_db *d, const struct store_token *t)
{
  struct pg_params p;
  PGresult *r = NULL;
  const char *cps = t->checkpoints ? t->checkpoints : "";
  int rc;

  pg__params_init(&p);
  pg__param_text(&p, t->name, strlen(t->name));
  pg__param_bytea(&p, t->hash, 32);
  pg__param_text(&p, t->role, strlen(t->role));
  pg__param_text(&p, cps, strlen(cps));
  pg__param_int8(&p, t->created);
  if (t->expires)
    pg__param_int8(&p, t->expires);
  else
    pg__param_null(&p, PT_INT8);
  if (t->revoked)
    pg__param_int8(&p, t->revoked);
  else
    pg__param_null(&p, PT_INT8);
  /* Either unique index (the name, the hash) refuses it, and the
   * transaction goes on. */
  rc = run(d,
           "INSERT INTO token (name, hash, role, checkpoints, created, "
           "expires, revoked) VALUES ($1, $2, $3, $4, $5, $6, $7) ON "
           "CONFLICT DO NOTHING",
           &p, &r, _("storing a token"));
  if (rc == OK && !changed(r))
    rc = ERR_EXISTS;
  d->dirty = 1;
  PQclear(r);
  return rc;
}

#define TOKEN_COLUMNS                                                          \
  "SELECT name, hash, role, checkpoints, created, coalesce(expires, 0), "      \
  "coalesce(revoked, 0) FROM token"

/* Copies a token row into out, its texts into d->row_copy. */
static void
token_row(struct store_db *d, const PGresult *r, int i, struct store_token *out)
{
  static const int cols[3] = {0, 2, 3};
  size_t off[3];

  memset(out, 0, sizeof *out);
  buf_reset(&d->row_copy);
  for (int c = 0; c < 3; c++) {
    const char *t = pg__text(r, i, cols[c], NULL);
    off[c] = d->row_copy.len;
    buf_puts(&d->row_copy, t ? t : "");
    buf_putc(&d->row_copy, '\0');
  }
  out->name = d->row_copy.data + off[0];
  out->role = d->row_copy.data + off[1];
  out->checkpoints = d->row_copy.data + off[2];
  if (PQgetlength(r, i, 1) == 32)
    memcpy(out->hash, PQgetvalue(r, i, 1), 32);
  out->created = pg__int8(r, i, 4);
  out->expires = pg__int8(r, i, 5);
  out->revoked = pg__int8(r, i, 6);
}

int
pg__find_token(struct store_db *d, const uint8_t hash[32],
               struct store_token *out)
{
  struct pg_params p;
  PGresult *r = NULL;
  int rc;

  pg__params_init(&p);
  pg__param_bytea(&p, hash, 32);
  if ((rc = run(d, TOKEN_COLUMNS " WHERE hash = $1", &p, &r,
                _("reading a token"))) != OK)
    return rc;
  rc = ERR_NOTFOUND;
  if (PQntuples(r) == 1) {
    token_row(d, r, 0, out);
    rc = OK;
  }
  PQclear(r);
  return rc;
}

int
pg__each_token(struct store_db *d,
               int (*fn)(void *ctx, const struct store_token *t), void *ctx)
{
  PGresult *r = NULL;
  int rc;

  if ((rc = run(d, TOKEN_COLUMNS " ORDER BY name", NULL, &r,
                _("reading tokens"))) != OK)
    return rc;
  for (int i = 0; i < PQntuples(r) && rc == OK; i++) {
    struct store_token t;
    token_row(d, r, i, &t);
    rc = fn(ctx, &t);
  }
  PQclear(r);
  return rc;
}

int
pg__revoke_token(struct store_db *d, const char *name, int64_t when)
{
  struct pg_params p;
  PGresult *r = NULL;
  int rc;

  pg__params_init(&p);
  pg__param_int8(&p, when);
  pg__param_text(&p, name, strlen(name));
  rc =
      run(d, "UPDATE token SET revoked = coalesce(revoked, $1) WHERE name = $2",
          &p, &r, _("revoking a token"));
  if (rc == OK && !changed(r))
    rc = ERR_NOTFOUND;
  d->dirty = 1;
  PQclear(r);
  return rc;
}

int
pg__put_writer(struct store_db *d, uint64_t seq, const char *name)
{
  struct pg_rows *r = pg__row(d, TB_WRITER);

  pg__col_int8(r, (int64_t)seq);
  pg__col_text(r, name, strlen(name));
  return pg__row_done(d, r);
}

int
pg__get_writer(struct store_db *d, uint64_t seq, char **out)
{
  struct pg_params p;
  PGresult *r = NULL;
  int rc;

  *out = NULL;
  pg__params_init(&p);
  pg__param_int8(&p, (int64_t)seq);
  if ((rc = run(d, "SELECT name FROM writer WHERE seq = $1", &p, &r,
                _("reading a writer"))) != OK)
    return rc;
  rc = ERR_NOTFOUND;
  if (PQntuples(r) == 1) {
    const char *t = pg__text(r, 0, 0, NULL);
    *out = xstrdup(t ? t : "");
    rc = OK;
  }
  PQclear(r);
  return rc;
}

struct writers {
  int (*fn)(void *ctx, uint64_t seq, const char *name);
  void *ctx;
};

static int
writer_row(void *ctx, const PGresult *r, int i)
{
  struct writers *w = ctx;

  return w->fn(w->ctx, (uint64_t)pg__int8(r, i, 0), pg__text(r, i, 1, NULL));
}

int
pg__each_writer(struct store_db *d,
                int (*fn)(void *ctx, uint64_t seq, const char *name), void *ctx)
{
  struct writers w = {fn, ctx};

  return pg__scan(d, "SELECT seq, name FROM writer ORDER BY seq", NULL,
                  writer_row, &w, _("reading writers"));
}
