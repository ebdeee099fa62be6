/*
 * Tokens and writers: who may write through the server, and which token
 * wrote each entry. They are kept beside the log (schema 3), never in it:
 * an entry's bytes are the device's alone.
 */
#include "store/store_int.h"
#include "util/i18n.h"

/* A write of its own: tokens change rarely and never with records. */
static int
own_transaction(struct store *st, int rc_of_write, int began)
{
  if (!began)
    return rc_of_write;
  if (rc_of_write != OK) {
    st->be->rollback(st->db);
    return rc_of_write;
  }
  if ((rc_of_write = st->be->commit(st->db)) != OK)
    st->be->rollback(st->db);
  return rc_of_write;
}

static int
begin_own(struct store *st)
{
  if (st->in_tx || st->read_tx) {
    store__set_error(st, _("a transaction is open already on this handle"));
    return ERR_USAGE;
  }
  return st->be->begin(st->db);
}

int
store_put_token(struct store *st, const struct store_token *t)
{
  int rc;

  if ((rc = begin_own(st)) != OK)
    return rc;
  rc = st->be->put_token(st->db, t);
  if (rc == ERR_EXISTS)
    store__set_error(st,
                     _("a token called '%s' exists already (names are "
                       "never reused, even revoked)"),
                     t->name);
  return own_transaction(st, rc, 1);
}

int
store_find_token(struct store *st, const uint8_t hash[32],
                 struct store_token *out)
{
  return st->be->find_token(st->db, hash, out);
}

int
store_each_token(struct store *st,
                 int (*fn)(void *ctx, const struct store_token *t), void *ctx)
{
  return st->be->each_token(st->db, fn, ctx);
}

int
store_revoke_token(struct store *st, const char *name, int64_t when)
{
  int rc;

  if ((rc = begin_own(st)) != OK)
    return rc;
  rc = st->be->revoke_token(st->db, name, when);
  if (rc == ERR_NOTFOUND)
    store__set_error(st, _("no token called '%s'"), name);
  return own_transaction(st, rc, 1);
}

int
store_put_writer(struct store *st, uint64_t seq, const char *name)
{
  if (!st->in_tx)
    return ERR_USAGE;
  if (st->tx_failed != OK)
    return st->tx_failed;
  return store__tx_error(st, st->be->put_writer(st->db, seq, name));
}

void
store_set_writer(struct store *st, const char *name)
{
  free(st->writer);
  st->writer = name ? xstrdup(name) : NULL;
}

int
store_get_writer(struct store *st, uint64_t seq, char **name)
{
  *name = NULL;
  return st->be->get_writer(st->db, seq, name);
}

int
store_each_writer(struct store *st,
                  int (*fn)(void *ctx, uint64_t seq, const char *name),
                  void *ctx)
{
  return st->be->each_writer(st->db, fn, ctx);
}
