/*
 * What the SQLite backend says when the store is locked or the disk is
 * full: errors that say what to do.
 *
 * Who holds the lock. In WAL mode a writer holds SQLite's WAL write lock,
 * a POSIX advisory lock on byte 120 of the -shm file (UNIX_SHM_BASE in
 * SQLite's os_unix.c: lock 0, WAL_WRITE_LOCK, of the eight it places
 * there). F_GETLK on that byte names the process that holds it, whatever
 * program it is (another passage import, a server, an sqlite3 shell), and
 * /proc/PID/cmdline says what it runs. Nothing is written on the write
 * path for this: the answer is read only when a writer gives up. A process
 * in another PID namespace shows as pid 0; a lock held by another
 * connection of this very process is not reported by F_GETLK.
 */
#include "store/sqlite/sqlite_int.h"
#include "util/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The byte of the -shm file that the WAL write lock covers. */
#define WAL_WRITE_LOCK_BYTE 120
/* How much of a command line a message quotes. */
#define CMDLINE_MAX 160

/* The command line of pid, arguments joined by spaces, into out. */
static void
cmdline(long pid, struct buf *out)
{
  char path[64], data[CMDLINE_MAX + 1];
  size_t n = 0;
  ssize_t got;
  int fd;

  snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  while (n < CMDLINE_MAX && ((got = read(fd, data + n, CMDLINE_MAX - n)) > 0 ||
                             (got < 0 && errno == EINTR)))
    if (got > 0)
      n += (size_t)got;
  close(fd);
  while (n > 0 && data[n - 1] == '\0')
    n--;
  for (size_t i = 0; i < n; i++)
    if (data[i] == '\0' || (unsigned char)data[i] < 0x20)
      data[i] = ' ';
  buf_append(out, data, n);
  if (n == CMDLINE_MAX)
    buf_puts(out, "...");
}

/* "another import", "a server", ...: what a passage command line is, by
 * its command (the first word after the global options). */
static const char *
passage_kind(const char *line)
{
  static const struct {
    const char *cmd, *what;
  } kinds[] = {
      {"import", N_("another import")},
      {"add", N_("an add")},
      {"serve", N_("a server")},
      {"init", N_("an init")},
      {"corridor", N_("a corridor amendment")},
      {"withdraw", N_("a withdrawal")},
      {"migrate", N_("a migration")},
      {"verify", N_("a verify")},
  };
  const char *p = strchr(line, ' ');

  while (p != NULL && *p == ' ') {
    const char *w = p + 1;
    size_t n = strcspn(w, " ");
    if (w[0] == '-') {
      /* A global option, not the command; --db and --busy-timeout take
       * the next word unless written with '='. */
      p = w + n;
      if ((n == 4 && strncmp(w, "--db", 4) == 0) ||
          (n == 14 && strncmp(w, "--busy-timeout", 14) == 0))
        p = *p ? strchr(p + 1, ' ') : NULL;
      continue;
    }
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
      if (strlen(kinds[i].cmd) == n && strncmp(w, kinds[i].cmd, n) == 0)
        return _(kinds[i].what);
    return _("another passage command");
  }
  return _("another passage command");
}

void
store_sqlite__holder(const char *path, struct buf *out)
{
  char *shm = xasprintf("%s-shm", path);
  struct flock fl;
  struct buf line;
  const char *base;
  int fd;

  buf_init(&line);
  memset(&fl, 0, sizeof fl);
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = WAL_WRITE_LOCK_BYTE;
  fl.l_len = 1;
  fd = open(shm, O_RDWR | O_CLOEXEC);
  if (fd < 0 || fcntl(fd, F_GETLK, &fl) != 0) {
    buf_puts(out, _("another process"));
  } else if (fl.l_type == F_UNLCK) {
    /* POSIX locks never conflict with their own process: the holder is
     * a handle of this very process, or has let go since. */
    buf_puts(out, _("another writer (a handle of this process, or one that "
                    "has let go since)"));
  } else if (fl.l_pid <= 0) {
    buf_puts(out, _("a process whose pid this one cannot see (another "
                    "container?)"));
  } else {
    cmdline((long)fl.l_pid, &line);
    base = line.data ? line.data : "";
    /* The program's own name, without its folder. */
    for (const char *c = base; *c && *c != ' '; c++)
      if (*c == '/')
        base = c + 1;
    if (strncmp(base, "passage ", 8) == 0 || strcmp(base, "passage") == 0)
      buf_printf(out, "%s (pid %ld: %s)", passage_kind(base), (long)fl.l_pid,
                 base);
    else if (base[0] != '\0')
      buf_printf(out, _("another program (pid %ld: %s)"), (long)fl.l_pid, base);
    else
      buf_printf(out, _("process %ld"), (long)fl.l_pid);
  }
  if (fd >= 0)
    close(fd);
  buf_cleanup(&line);
  free(shm);
}

int
store_sqlite__trouble(struct store_db *d, const char *what, int code)
{
  struct buf who;

  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
    buf_init(&who);
    store_sqlite__holder(d->path, &who);
    buf_reset(d->err);
    buf_printf(d->err,
               _("%s: the store %s is locked by %s; waited %g s for it to let "
                 "go (wait longer with --busy-timeout SECONDS, or try again "
                 "when it is done)"),
               what, d->path, who.data, d->busy_ms / 1000.0);
    buf_cleanup(&who);
    return ERR_RETRY;
  }
  if (code == SQLITE_FULL ||
      (code == SQLITE_IOERR && sqlite3_system_errno(d->db) == ENOSPC)) {
    /* The front says what was needed and what is free, once the rollback
     * has given back what the WAL held (sq_rollback). */
    d->full = 1;
    buf_reset(d->err);
    buf_printf(d->err,
               _("%s: the disk holding %s is full, and nothing of this "
                 "transaction was stored"),
               what, d->path);
    return ERR_NOSPACE;
  }
  return 0;
}
