/*
 * The log as C2SP tiles (c2sp.org/tlog-tiles): one resource for a server
 * (app_log_tile), the whole tree of files for a static mirror
 * (app_log_tiles). Both read the store's stored leaves and nodes; a tile
 * is made the same way whoever asks, so a mirror and the server hand out
 * the same bytes under the same path.
 */
#include "app/app.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app_int.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"

static const char type_tile[] = "application/octet-stream";
static const char type_checkpoint[] = "text/plain; charset=utf-8";
/* Tiles never change; the checkpoint does, so it is cached briefly. */
static const char cache_tile[] = "public, max-age=31536000, immutable";
static const char cache_checkpoint[] = "public, max-age=5";
/* A partial tile's bytes never change either, but c2sp.org/tlog-tiles lets
 * a log drop it once the full tile is there: a cache keeps it briefly. */
static const char cache_partial[] = "public, max-age=60";

void
app_tile_cleanup(struct app_tile *t)
{
  if (t == NULL)
    return;
  free(t->data);
  memset(t, 0, sizeof *t);
}

struct bundle_ctx {
  struct buf *out;
  uint64_t seq; /* the entry the walk is at */
};

static int
add_entry(void *ctx, const struct store_entry *e)
{
  struct bundle_ctx *x = ctx;

  /* Gap-free numbering is the auditor's to check; a bundle with a hole
   * would hash to another tile, so refuse to make one. */
  if (e->seq != x->seq++)
    return ERR_VERIFY;
  return ledger_bundle_append(x->out, e->bytes, e->len) == OK ? OK
                                                              : ERR_INVALID;
}

int
app__tile_bytes(struct store *st, const struct ledger_tile *t, struct buf *out)
{
  struct ledger_source src;
  struct bundle_ctx x;
  uint64_t start = t->index * LEDGER_TILE_WIDTH;
  int rc;

  if (t->level != LEDGER_TILE_ENTRIES) {
    store_ledger_source(st, &src);
    return ledger_tile_read(&src, t, out);
  }
  x.out = out;
  x.seq = start;
  rc = store_each_entry(st, -1, start, start + t->width, add_entry, &x);
  if (rc == OK && x.seq != start + t->width)
    rc = ERR_VERIFY;
  return rc;
}

struct cosig_ctx {
  struct buf *note;
  size_t n;
};

static int
add_cosig(void *ctx, const struct store_cosignature *c)
{
  struct cosig_ctx *x = ctx;

  buf_puts(x->note, c->line);
  x->n++;
  return OK;
}

int
app__cosigned(struct store *st, struct buf *note, uint64_t *size,
              size_t *ncosig)
{
  struct cosig_ctx x = {note, 0};
  int rc;

  rc = store_get_checkpoint(st, 0, 1, size, note);
  if (rc == OK)
    rc = store_each_cosignature(st, *size, add_cosig, &x);
  if (ncosig)
    *ncosig = x.n;
  return rc;
}

int
app_log_cosigned(struct app *app, char **note, uint64_t *size,
                 struct app_error *err)
{
  struct store *st;
  struct buf b;
  int rc;

  *note = NULL;
  *size = 0;
  if ((rc = app__snapshot(app, &st, err)) != OK)
    return rc;
  buf_init(&b);
  rc = app__cosigned(st, &b, size, NULL);
  if (rc == ERR_NOTFOUND)
    app__fail(err, rc, APP_ERROR_OPERATION, "checkpoint",
              "no checkpoint is kept yet (passage log witness or passage "
              "log tiles signs one)");
  else if (rc != OK)
    app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
  else
    *note = buf_take(&b);
  buf_cleanup(&b);
  app__snapshot_end(app);
  return rc;
}

int
app_log_tile(struct app *app, const char *path, struct app_tile *out,
             struct app_error *err)
{
  struct ledger_tile t;
  struct store *st;
  uint64_t size;
  struct buf b;
  int rc;

  memset(out, 0, sizeof *out);
  if (path == NULL)
    path = "";
  if (*path == '/')
    path++;
  /* One snapshot: the tile and the size it is checked against. */
  if ((rc = app__snapshot(app, &st, err)) != OK)
    return rc;
  buf_init(&b);
  if (strcmp(path, "checkpoint") == 0) {
    rc = app__cosigned(st, &b, &size, NULL);
    out->content_type = type_checkpoint;
    out->cache_control = cache_checkpoint;
  } else if (ledger_tile_parse(path, strlen(path), &t) == OK &&
             ledger_tile_in_tree(&t, store_size(st))) {
    rc = app__tile_bytes(st, &t, &b);
    out->content_type = type_tile;
    out->cache_control =
        t.width < LEDGER_TILE_WIDTH ? cache_partial : cache_tile;
  } else {
    rc = ERR_NOTFOUND;
  }
  if (rc == ERR_NOTFOUND && out->content_type == type_checkpoint)
    app__fail(err, rc, APP_ERROR_REQUEST, "path",
              "no checkpoint is kept yet (passage serve keeps one when it "
              "has the log's key; passage log witness or log tiles does)");
  else if (rc == ERR_NOTFOUND)
    app__fail(err, rc, APP_ERROR_REQUEST, "path",
              "%s: no such tile in the log of %llu entries", path,
              (unsigned long long)store_size(st));
  else if (rc != OK)
    app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s: %s", path,
              store_errmsg(st));
  if (rc == OK) {
    out->len = b.len;
    out->data = buf_take(&b);
    if (out->data == NULL)
      out->data = xstrdup("");
  } else {
    out->content_type = out->cache_control = NULL;
  }
  buf_cleanup(&b);
  app__snapshot_end(app);
  return rc;
}

int
app__sign_tree(struct app *app, const char *key, char **note,
               struct app_error *err)
{
  struct app_checkpoint cp;
  struct store *st;
  int rc;

  /* The signer's own rules (its state, the key's name) are
   * app_log_checkpoint's; the store keeps what was signed. */

  if ((rc = app_log_checkpoint(app, key, &cp, err)) != OK)
    return rc;
  *note = cp.note;
  cp.note = NULL;
  app_checkpoint_cleanup(&cp);
  if ((rc = app__store(app, 0, &st, err)) != OK)
    goto fail;
  rc = store_add_cosigned(st, *note, strlen(*note), NULL, 0);
  if (rc != OK) {
    app__fail(err, rc, APP_ERROR_PROGRAM, NULL,
              "cannot keep the signed checkpoint: %s", store_errmsg(st));
    goto fail;
  }
  return OK;
fail:
  free(*note);
  *note = NULL;
  return rc;
}
