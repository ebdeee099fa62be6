/*
 * Files written atomically. A file that a crash, a full disk or a kill can
 * leave half written is worse than none: a key that does not load, an
 * export that stops mid-row and reads as complete. So the bytes go to a
 * temporary file beside the final one (the same folder is the same file
 * system, where rename is atomic), which is flushed and synced, renamed
 * into place, and then the folder is synced, so that the rename itself
 * survives a power cut. The path then holds the old file or the whole new
 * one, never a part.
 */
#include "util.h"
#include "util/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* How often to draw another temporary name when one is taken. */
#define TMP_TRIES 16

/* The folder of path: "." for a bare name. A new string. */
static char *
folder_of(const char *path)
{
  const char *slash = strrchr(path, '/');

  if (slash == NULL)
    return xstrdup(".");
  if (slash == path)
    return xstrdup("/");
  return xstrndup(path, (size_t)(slash - path));
}

int
util_free_space(const char *path, uint64_t *bytes)
{
  struct statvfs sv;
  char *dir;
  int rc;

  *bytes = 0;
  if (statvfs(path, &sv) != 0) {
    /* A file not made yet: its folder's file system. */
    dir = folder_of(path);
    rc = statvfs(dir, &sv);
    free(dir);
    if (rc != 0)
      return ERR_IO;
  }
  *bytes = (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
  return OK;
}

void
util_format_bytes(uint64_t n, char *buf, size_t size)
{
  static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = (double)n;
  int u = 0;

  while (v >= 1024 && u < 4) {
    v /= 1024;
    u++;
  }
  if (u == 0)
    snprintf(buf, size, ngettext("%llu bytes", "%llu bytes", (unsigned long)n),
             (unsigned long long)n);
  else
    snprintf(buf, size, "%.1f %s", v, units[u]);
}

/* "cannot write PATH: why", and on a full disk the space left. */
static void
fail(struct buf *err, const char *path, int e)
{
  char free_text[32];
  uint64_t left;

  if (err == NULL)
    return;
  buf_reset(err);
  buf_printf(err, _("cannot write %s: %s"), path, strerror(e));
  if (e == ENOSPC && util_free_space(path, &left) == OK) {
    util_format_bytes(left, free_text, sizeof free_text);
    buf_printf(err, _(" (%s free on its file system)"), free_text);
  }
}

int
util_sync_folder(const char *path, struct buf *err)
{
  char *dir = folder_of(path);
  int fd, rc = OK, e = 0;

  fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    e = errno;
  } else {
    /* Some file systems cannot sync a folder (EINVAL): their renames
     * are as durable as they get. */
    if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
      e = errno;
    close(fd);
  }
  if (e != 0) {
    if (err != NULL) {
      buf_reset(err);
      buf_printf(err, _("cannot sync the folder %s: %s"), dir, strerror(e));
    }
    rc = ERR_IO;
  }
  free(dir);
  return rc;
}

/* Creates the temporary file beside path: "PATH.tmp.PID.N", mode 0644
 * (0600 when private), honouring the umask; never an existing file nor
 * the target of a planted link (O_EXCL). */
static int
create_tmp(const char *path, unsigned flags, char **tmp, int *fd,
           struct buf *err)
{
  static _Atomic unsigned counter; /* threads may write files at once */
  mode_t mode = (flags & UTIL_FILE_PRIVATE) ? 0600 : 0644;
  struct timespec ts;

  *tmp = NULL;
  *fd = -1;
  clock_gettime(CLOCK_REALTIME, &ts);
  for (int i = 0; i < TMP_TRIES; i++) {
    char *name = xasprintf("%s.tmp.%ld.%lx", path, (long)getpid(),
                           (unsigned long)ts.tv_nsec ^ (counter++ * 7919u));
    int f = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (f >= 0) {
      /* The umask may have taken bits away from a key: make it exactly
       * 0600. */
      if ((flags & UTIL_FILE_PRIVATE) && fchmod(f, 0600) != 0) {
        int e = errno;
        close(f);
        unlink(name);
        free(name);
        fail(err, path, e);
        return ERR_IO;
      }
      *tmp = name;
      *fd = f;
      return OK;
    }
    free(name);
    if (errno != EEXIST) {
      fail(err, path, errno);
      return ERR_IO;
    }
  }
  fail(err, path, EEXIST);
  return ERR_IO;
}

int
util_rename_noreplace(const char *from, const char *to)
{
  if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
    return OK;
  if (errno == EEXIST)
    return ERR_EXISTS;
  if (errno != EINVAL && errno != ENOSYS)
    return ERR_IO;
  /* A file system without RENAME_NOREPLACE: a hard link is refused just
   * as atomically when the name is taken. */
  if (link(from, to) != 0)
    return errno == EEXIST ? ERR_EXISTS : ERR_IO;
  unlink(from);
  return OK;
}

/* Syncs and closes fd, puts tmp at path, syncs the folder. Removes tmp on
 * failure. */
static int
finish(int fd, const char *tmp, const char *path, unsigned flags,
       struct buf *err)
{
  int rc;

  if (fsync(fd) != 0) {
    fail(err, path, errno);
    close(fd);
    unlink(tmp);
    return ERR_IO;
  }
  if (close(fd) != 0) {
    fail(err, path, errno);
    unlink(tmp);
    return ERR_IO;
  }
  if (flags & UTIL_FILE_NOREPLACE) {
    rc = util_rename_noreplace(tmp, path);
    if (rc == ERR_EXISTS && err != NULL) {
      buf_reset(err);
      buf_printf(err, _("%s: already exists; refusing to replace it"), path);
    } else if (rc != OK) {
      fail(err, path, errno);
    }
  } else {
    rc = rename(tmp, path) == 0 ? OK : ERR_IO;
    if (rc != OK)
      fail(err, path, errno);
  }
  if (rc != OK) {
    unlink(tmp);
    return rc;
  }
  return util_sync_folder(path, err);
}

int
util_file_open(struct util_file *o, const char *path, unsigned flags,
               struct buf *err)
{
  int fd, rc;

  memset(o, 0, sizeof *o);
  if ((flags & UTIL_FILE_NOREPLACE) && access(path, F_OK) == 0) {
    /* Said now rather than after the whole file is written; the rename
     * checks again. */
    if (err != NULL) {
      buf_reset(err);
      buf_printf(err, _("%s: already exists; refusing to replace it"), path);
    }
    return ERR_EXISTS;
  }
  if ((rc = create_tmp(path, flags, &o->tmp, &fd, err)) != OK)
    return rc;
  o->f = fdopen(fd, "w");
  if (o->f == NULL) {
    fail(err, path, errno);
    close(fd);
    unlink(o->tmp);
    free(o->tmp);
    o->tmp = NULL;
    return ERR_IO;
  }
  o->path = xstrdup(path);
  o->flags = flags;
  return OK;
}

int
util_file_commit(struct util_file *o, struct buf *err)
{
  int rc = OK, fd;

  if (o->f == NULL)
    return ERR_USAGE;
  if (fflush(o->f) != 0 || ferror(o->f)) {
    fail(err, o->path, errno ? errno : EIO);
    fclose(o->f);
    unlink(o->tmp);
    rc = ERR_IO;
  } else {
    /* finish closes the descriptor; the FILE goes without closing it
     * twice. */
    fd = dup(fileno(o->f));
    fclose(o->f);
    if (fd < 0) {
      fail(err, o->path, errno);
      unlink(o->tmp);
      rc = ERR_IO;
    } else {
      rc = finish(fd, o->tmp, o->path, o->flags, err);
    }
  }
  free(o->path);
  free(o->tmp);
  memset(o, 0, sizeof *o);
  return rc;
}

void
util_file_discard(struct util_file *o)
{
  if (o == NULL || o->f == NULL)
    return;
  fclose(o->f);
  unlink(o->tmp);
  free(o->path);
  free(o->tmp);
  memset(o, 0, sizeof *o);
}

static int
write_all(int fd, const void *data, size_t len)
{
  const char *p = data;

  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int
util_file_write(const char *path, const void *data, size_t len, unsigned flags,
                struct buf *err)
{
  char *tmp = NULL;
  int fd, rc;

  if ((flags & UTIL_FILE_NOREPLACE) && access(path, F_OK) == 0) {
    if (err != NULL) {
      buf_reset(err);
      buf_printf(err, _("%s: already exists; refusing to replace it"), path);
    }
    return ERR_EXISTS;
  }
  if ((rc = create_tmp(path, flags, &tmp, &fd, err)) != OK)
    return rc;
  /* Straight to the descriptor: no stdio buffer keeps a copy of what
   * may be a secret. */
  if (write_all(fd, data, len) != 0) {
    fail(err, path, errno);
    close(fd);
    unlink(tmp);
    free(tmp);
    return ERR_IO;
  }
  rc = finish(fd, tmp, path, flags, err);
  free(tmp);
  return rc;
}
