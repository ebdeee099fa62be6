/*
 * The PostgreSQL backend's signed checkpoints and witnesses' cosignatures
 * (schema 4), in two insert-only tables beside the log:
 *   checkpoint_note(size, note)                      one note per tree size
 *   cosignature(size, witness, key_hash, time, line) one per witness key
 * They are read and written a few times a minute at most: each statement
 * is sent as text, after what the write transaction gathered (so that a
 * checkpoint is stored after the entries it covers, in the same
 * transaction).
 */
#include "store/postgres/pg_int.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

/* SQL with parameters, its result kept in *r. */
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

/* An insert that ON CONFLICT DO NOTHING skipped: the key was taken. A
 * unique violation would abort the whole transaction, and the front goes
 * on after ERR_EXISTS (store_add_cosigned). */
static int
inserted(struct store_db *d, int rc, PGresult *r)
{
  const char *n = rc == OK ? PQcmdTuples(r) : NULL; /* r's own */

  d->dirty = 1;
  if (rc == OK)
    rc = n && strcmp(n, "1") == 0 ? OK : ERR_EXISTS;
  PQclear(r);
  return rc;
}

int
pg__put_checkpoint(struct store_db *d, uint64_t size, const char *note)
{
  struct pg_params p;
  PGresult *r = NULL;
  int rc;

  pg__params_init(&p);
  pg__param_int8(&p, (int64_t)size);
  pg__param_text(&p, note, strlen(note));
  rc = run(d,
           "INSERT INTO checkpoint_note (size, note) VALUES ($1, $2) ON "
           "CONFLICT DO NOTHING",
           &p, &r, _("storing a signed checkpoint"));
  return inserted(d, rc, r);
}

int
pg__get_checkpoint(struct store_db *d, uint64_t size, int latest,
                   int (*fn)(void *ctx, uint64_t size, const char *note),
                   void *ctx)
{
  struct pg_params p;
  PGresult *r = NULL;
  int rc;

  pg__params_init(&p);
  if (!latest)
    pg__param_int8(&p, (int64_t)size);
  rc = run(d,
           latest ? "SELECT size, note FROM checkpoint_note ORDER BY size "
                    "DESC LIMIT 1"
                  : "SELECT size, note FROM checkpoint_note WHERE size = $1",
           &p, &r, _("reading a signed checkpoint"));
  if (rc != OK)
    return rc;
  rc = ERR_NOTFOUND;
  if (PQntuples(r) == 1) {
    const char *note = pg__text(r, 0, 1, NULL);
    rc = fn(ctx, (uint64_t)pg__int8(r, 0, 0), note ? note : "");
  }
  PQclear(r);
  return rc;
}

int
pg__put_cosignature(struct store_db *d, const struct store_cosignature *c)
{
  struct pg_params p;
  PGresult *r = NULL;
  int rc;

  pg__params_init(&p);
  pg__param_int8(&p, (int64_t)c->size);
  pg__param_text(&p, c->witness, strlen(c->witness));
  pg__param_int8(&p, (int64_t)c->key_hash);
  pg__param_int8(&p, (int64_t)c->time);
  pg__param_text(&p, c->line, strlen(c->line));
  rc = run(d,
           "INSERT INTO cosignature (size, witness, key_hash, time, line) "
           "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
           &p, &r, _("storing a cosignature"));
  return inserted(d, rc, r);
}

int
pg__each_cosignature(struct store_db *d, uint64_t size,
                     int (*fn)(void *ctx, const struct store_cosignature *c),
                     void *ctx)
{
  struct pg_params p;
  PGresult *r = NULL;
  int rc;

  pg__params_init(&p);
  pg__param_int8(&p, (int64_t)size);
  /* witness is COLLATE "C": by name as bytes, as SQLite orders it. */
  rc = run(d,
           "SELECT witness, key_hash, time, line FROM cosignature WHERE size "
           "= $1 ORDER BY witness, key_hash",
           &p, &r, _("reading cosignatures"));
  for (int i = 0; rc == OK && i < PQntuples(r); i++) {
    const char *w = pg__text(r, i, 0, NULL);
    const char *line = pg__text(r, i, 3, NULL);
    struct store_cosignature c = {size, w ? w : "", (uint32_t)pg__int8(r, i, 1),
                                  (uint64_t)pg__int8(r, i, 2),
                                  line ? line : ""};
    rc = fn(ctx, &c);
  }
  PQclear(r);
  return rc;
}

/* One size a query answers (NULL: ERR_NOTFOUND). */
static int
one_size(struct store_db *d, const char *sql, const struct pg_params *p,
         uint64_t *size)
{
  PGresult *r = NULL;
  int rc;

  *size = 0;
  if ((rc = run(d, sql, p, &r, _("reading cosignatures"))) != OK)
    return rc;
  rc = ERR_NOTFOUND;
  if (PQntuples(r) == 1 && !pg__null(r, 0, 0)) {
    *size = (uint64_t)pg__int8(r, 0, 0);
    rc = OK;
  }
  PQclear(r);
  return rc;
}

int
pg__witness_size(struct store_db *d, const char *witness, uint32_t key_hash,
                 uint64_t *size)
{
  struct pg_params p;

  pg__params_init(&p);
  pg__param_text(&p, witness, strlen(witness));
  pg__param_int8(&p, (int64_t)key_hash);
  return one_size(d,
                  "SELECT max(size) FROM cosignature WHERE witness = $1 AND "
                  "key_hash = $2",
                  &p, size);
}

int
pg__next_cosigned(struct store_db *d, uint64_t from, uint64_t *size)
{
  struct pg_params p;

  pg__params_init(&p);
  pg__param_int8(&p, from > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)from);
  return one_size(d, "SELECT min(size) FROM cosignature WHERE size >= $1", &p,
                  size);
}
