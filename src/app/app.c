/* The handle, its store, and errors. */
#include "app/app.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "util/i18n.h"

void
app_error_init(struct app_error *e)
{
  memset(e, 0, sizeof *e);
}

void
app_error_cleanup(struct app_error *e)
{
  if (e == NULL)
    return;
  free(e->message);
  free(e->field);
  memset(e, 0, sizeof *e);
}

int
app__fail(struct app_error *err, int code, enum app_error_kind kind,
          const char *field, const char *fmt, ...)
{
  va_list ap;
  struct buf b;

  app_error_cleanup(err);
  err->code = code;
  err->kind = kind;
  err->field = field ? xstrdup(field) : NULL;
  if (fmt) {
    buf_init(&b);
    va_start(ap, fmt);
    /* Messages are for people, in their language (xgettext:
     * --keyword=app__fail:5); the server's run in the C locale. */
    buf_vprintf(&b, _(fmt), ap);
    va_end(ap);
    err->message = buf_take(&b);
  }
  return code;
}

static struct app_options defaults;

void
app_set_defaults(const struct app_options *o)
{
  defaults = *o;
}

struct app *
app_new_with(const char *db, const struct app_options *o)
{
  struct app *app = xcalloc(1, sizeof *app);

  app->db = xstrdup(db);
  app->opts = *o;
  return app;
}

struct app *
app_new(const char *db)
{
  return app_new_with(db, &defaults);
}

struct app *
app_new_server(const char *db)
{
  struct app_options o = defaults;

  o.page_cache_kib = APP_SERVER_PAGE_CACHE;
  return app_new_with(db, &o);
}

struct app *
app_new_writer(const char *db)
{
  struct app_options o = defaults;

  o.page_cache_kib = APP_WRITER_PAGE_CACHE;
  o.day_cache_bytes = APP_WRITER_DAY_CACHE;
  return app_new_with(db, &o);
}

void
app_free(struct app *app)
{
  if (app == NULL)
    return;
  store_close(app->st);
  free(app->db);
  free(app->status_cache);
  free(app);
}

void
app_memory(struct app *app, struct app_memory *m)
{
  m->engine = app->st ? store_engine_memory(app->st) : 0;
  m->day_cache = app->st ? store_day_cache_bytes(app->st) : 0;
  m->day_cache_dropped = app->st ? store_day_cache_dropped(app->st) : 0;
}

const char *
app_db(const struct app *app)
{
  return app->db;
}

void
app__page_cache(struct app *app, unsigned kib)
{
  if (app->opts.page_cache_kib == 0) {
    app->opts.page_cache_kib = kib;
    if (app->st)
      store_page_cache(app->st, kib);
  }
}

int
app__store(struct app *app, int create, struct store **st,
           struct app_error *err)
{
  struct buf msg;
  int rc = OK;

  *st = NULL;
  if (app->st == NULL) {
    struct store_options o = {create, app->opts.busy_timeout_ms,
                              app->opts.day_cache_bytes,
                              app->opts.page_cache_kib, 0};
    buf_init(&msg);
    rc = store_open_with(app->db, &o, &app->st, &msg);
    if (rc != OK)
      app__fail(err, rc, APP_ERROR_PROGRAM, "db", "%s",
                msg.data ? msg.data : app->db);
    buf_cleanup(&msg);
  }
  *st = app->st;
  return rc;
}

int
app__snapshot(struct app *app, struct store **st, struct app_error *err)
{
  int rc;

  if ((rc = app__store(app, 0, st, err)) != OK)
    return rc;
  if ((rc = store_read_begin(*st)) != OK) {
    app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(*st));
    *st = NULL;
  }
  return rc;
}

void
app__snapshot_end(struct app *app)
{
  if (app->st != NULL)
    store_read_end(app->st);
}

int
app_open(struct app *app, struct app_error *err)
{
  struct store *st;

  return app__store(app, 0, &st, err);
}

int
app_sink_file(void *ctx, const void *data, size_t len)
{
  return fwrite(data, 1, len, ctx) == len ? OK : ERR_IO;
}

/* The key beside a store's file; a store on a server has none, so its
 * key is passage.key in the current folder. */
char *
app__key_path(const struct app *app, const char *path)
{
  char *file, *key;

  if (path)
    return xstrdup(path);
  if ((file = store_file_path(app->db)) == NULL)
    return xstrdup("passage.key");
  key = xasprintf("%s.key", file);
  free(file);
  return key;
}
