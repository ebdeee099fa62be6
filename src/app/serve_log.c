/*
 * What `passage serve` does with the log beside answering requests: it
 * signs new tree heads itself (when it holds the key) and hands out the
 * checkpoint of the current tree with every cosignature kept for it. The
 * signer's own rules (never a smaller tree, nor one inconsistent with the
 * last signed) are app_log_checkpoint's; this file only decides when.
 */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "corridor/corridor.h"

int
app_log_sign_new(struct app *app, const char *key, int *ran, uint64_t *size,
                 struct app_error *err)
{
  struct store *st;
  struct buf kept;
  uint64_t kept_size = 0;
  char *note = NULL;
  int rc;

  *ran = 0;
  *size = 0;
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  if ((rc = store_refresh(st)) != OK)
    return app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
  buf_init(&kept);
  rc = store_get_checkpoint(st, 0, 1, &kept_size, &kept);
  buf_cleanup(&kept);
  if (rc != OK && rc != ERR_NOTFOUND)
    return app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
  if (rc == OK)
    *size = kept_size;
  /* A tree signed already is not signed again: the checkpoint kept for it
   * is the one its cosignatures are of. With witnesses, a tree is signed
   * as they are asked (app_log_witness_due), so that the checkpoint a
   * server hands out is the one they were shown, with their cosignatures,
   * and never a newer one none of them has seen. */
  if ((rc == OK && kept_size >= store_size(st)) ||
      store_corridor(st)->nwitnesses > 0)
    return OK;
  if ((rc = app__sign_tree(app, key, &note, err)) != OK)
    return rc;
  free(note);
  *ran = 1;
  *size = store_size(st);
  return OK;
}

int
app_log_checkpoint_now(struct app *app, const char *key, char **note,
                       struct app_error *err)
{
  struct store *st;
  struct buf kept;
  uint64_t size = 0;
  int rc;

  *note = NULL;
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  buf_init(&kept);
  rc = app__cosigned(st, &kept, &size, NULL);
  if (rc == OK && size == store_size(st)) {
    *note = buf_take(&kept);
    return OK;
  }
  buf_cleanup(&kept);
  if (rc != OK && rc != ERR_NOTFOUND)
    return app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
  /* The tree grew past what was kept: no cosignature can be of it yet. */
  struct app_checkpoint cp;

  if ((rc = app_log_checkpoint(app, key, &cp, err)) != OK)
    return rc;
  *note = cp.note;
  cp.note = NULL;
  app_checkpoint_cleanup(&cp);
  return OK;
}
