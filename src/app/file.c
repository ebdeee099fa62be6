/* Reading small files and writing files atomically. */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

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
