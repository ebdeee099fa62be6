/*
 * Saved analysis state (store.h, store_get_saved): the front only checks
 * that a write may start now; what a row means is the analysis's
 * (src/analysis/saved.c).
 */
#include "store/store_int.h"
#include "util/i18n.h"

int
store_get_saved(struct store *st, const char *key, int64_t day, uint64_t *size,
                struct buf *bytes)
{
  if (st->be->get_saved == NULL)
    return ERR_NOTFOUND;
  return st->be->get_saved(st->db, key, day, size, bytes);
}

int
store_put_saved(struct store *st, const struct store_saved *rows, size_t n)
{
  if (st->be->put_saved == NULL)
    return ERR_NOTFOUND;
  if (st->in_tx || st->reading > 0) {
    store__set_error(st, _("saved state: not inside a transaction or a read"));
    return ERR_USAGE;
  }
  if (n == 0)
    return OK;
  return st->be->put_saved(st->db, rows, n);
}

int
store_each_saved(struct store *st,
                 int (*fn)(void *ctx, const struct store_saved *row), void *ctx)
{
  if (st->be->each_saved == NULL)
    return OK;
  return st->be->each_saved(st->db, fn, ctx);
}
