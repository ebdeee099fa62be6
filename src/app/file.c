/* Reading small files and writing files atomically. */
#include "app/app.h"

#include <errno.h>
#include <fcntl.h>
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
cannot_write(struct app_error *err, const char *path)
{
  return app__fail(err, ERR_IO, APP_ERROR_PROGRAM, NULL, "cannot write %s: %s",
                   path, strerror(errno));
}

int
app_file_open(struct app_file *o, const char *path, struct app_error *err)
{
  int fd;

  memset(o, 0, sizeof *o);
  if (path == NULL || strcmp(path, "-") == 0) {
    o->f = stdout;
    return OK;
  }
  o->path = xstrdup(path);
  o->tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
  fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || (o->f = fdopen(fd, "w")) == NULL) {
    cannot_write(err, path);
    if (fd >= 0)
      close(fd);
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
    return ERR_IO;
  }
  return OK;
}

int
app_file_close(struct app_file *o, int keep, struct app_error *err)
{
  int rc = OK;

  if (o->f == stdout)
    return fflush(stdout) != 0 ? ERR_IO : OK;
  if (fflush(o->f) != 0 || fsync(fileno(o->f)) != 0)
    rc = ERR_IO;
  fclose(o->f);
  if (keep && rc == OK && rename(o->tmp, o->path) != 0)
    rc = ERR_IO;
  if (!keep || rc != OK)
    unlink(o->tmp);
  if (rc != OK)
    cannot_write(err, o->path);
  free(o->path);
  free(o->tmp);
  memset(o, 0, sizeof *o);
  return rc;
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
