/* Reading small files and writing files atomically, a new store too. */
#include "app/app.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_int.h"

int
app__read_file(const char *path, size_t max, struct buf *out)
{
  FILE *f = fopen(path, "rb");
  char chunk[4096];
  size_t n;

  if (f == NULL)
    return ERR_IO;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    buf_append(out, chunk, n);
    if (out->len > max) {
      fclose(f);
      return ERR_NOMEM;
    }
  }
  fclose(f);
  return OK;
}

static int
cannot_write(struct app_error *err, const struct buf *why)
{
  return app__fail(err, ERR_IO, APP_ERROR_PROGRAM, NULL, "%s",
                   why->data ? why->data : "cannot write");
}

int
app_file_open(struct app_file *o, const char *path, struct app_error *err)
{
  struct buf why;
  int rc;

  memset(o, 0, sizeof *o);
  if (path == NULL || strcmp(path, "-") == 0) {
    o->f = stdout;
    return OK;
  }
  buf_init(&why);
  o->file = xcalloc(1, sizeof *o->file);
  rc = util_file_open(o->file, path, 0, &why);
  if (rc != OK) {
    cannot_write(err, &why);
    free(o->file);
    memset(o, 0, sizeof *o);
  } else {
    o->f = o->file->f;
  }
  buf_cleanup(&why);
  return rc == OK ? OK : ERR_IO;
}

int
app_file_close(struct app_file *o, int keep, struct app_error *err)
{
  struct buf why;
  int rc = OK;

  if (o->f == stdout) {
    o->f = NULL;
    return fflush(stdout) != 0 ? ERR_IO : OK;
  }
  if (o->file == NULL)
    return OK;
  buf_init(&why);
  if (keep) {
    rc = util_file_commit(o->file, &why);
    if (rc != OK)
      cannot_write(err, &why);
  } else {
    util_file_discard(o->file);
  }
  buf_cleanup(&why);
  free(o->file);
  memset(o, 0, sizeof *o);
  return rc == OK ? OK : ERR_IO;
}

int
app__write_file(const char *path, const char *text, struct app_error *err)
{
  struct app_file o;

  if (app_file_open(&o, path, err) != OK)
    return ERR_IO;
  fputs(text, o.f);
  return app_file_close(&o, 1, err);
}

int
app__init_begin(struct app *app, struct app_error *err)
{
  char *file = store_file_path(app->db);

  (void)err;
  /* A store on a server has no file to make aside: store_init's one
   * transaction is what keeps a failed init from leaving rules behind. */
  if (file == NULL)
    return OK;
  /* The temporary store is named by its file, so that a location such
   * as sqlite:PATH is made aside as PATH.init-PID and renamed to PATH. */
  app->init_db = app->db;
  app->db = xasprintf("%s.init-%ld", file, (long)getpid());
  free(file);
  return OK;
}

/* The store's file and what SQLite keeps beside it. */
static void
remove_store(const char *path)
{
  static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};

  for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
    char *p = xasprintf("%s%s", path, suffixes[i]);
    unlink(p);
    free(p);
  }
}

int
app__init_end(struct app *app, int rc, struct app_error *err)
{
  char *tmp, *wal, *path;
  struct buf why;
  int r;

  if (app->init_db == NULL) { /* a store on a server (app__init_begin) */
    store_close(app->st);
    app->st = NULL;
    return rc;
  }
  tmp = app->db;
  wal = xasprintf("%s-wal", app->db);
  /* Closing the last connection moves the WAL into the file and removes
   * it: the file alone is then the whole store. */
  store_close(app->st);
  app->st = NULL;
  app->db = app->init_db;
  app->init_db = NULL;
  buf_init(&why);
  if (rc == OK && access(wal, F_OK) == 0)
    rc = app__fail(err, ERR_IO, APP_ERROR_PROGRAM, "db",
                   "cannot finish %s: the new store's log (%s) was not "
                   "folded into it",
                   app->db, wal);
  path = store_file_path(app->db);
  if (rc == OK && (r = util_rename_noreplace(tmp, path)) != OK) {
    if (r == ERR_EXISTS)
      rc = app__fail(err, ERR_EXISTS, APP_ERROR_PROGRAM, "db",
                     "%s appeared while this init made it; a store is "
                     "initialised once",
                     app->db);
    else
      rc = app__fail(err, ERR_IO, APP_ERROR_PROGRAM, "db",
                     "cannot write %s: %s", app->db, strerror(errno));
  }
  if (rc == OK && util_sync_folder(path, &why) != OK)
    rc = app__fail(err, ERR_IO, APP_ERROR_PROGRAM, "db", "%s", why.data);
  if (rc != OK)
    remove_store(tmp);
  buf_cleanup(&why);
  free(path);
  free(wal);
  free(tmp);
  return rc;
}
