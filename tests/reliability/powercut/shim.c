/*
 * The power-cut shim, loaded with LD_PRELOAD (tests/reliability/powercut.sh).
 * For files and folders under POWERCUT_DIR it journals, before each change,
 * what the change overwrote (powercut.h): a write's old bytes and the
 * file's old size, a truncation's cut tail, a new name, a removed or
 * replaced name (a hard link to it kept aside in POWERCUT_JOURNAL/attic),
 * and after each fsync or fdatasync the file or folder it made durable.
 * After a SIGKILL, powercut-rollback undoes, newest first, every change no
 * later sync covered: the folder is then what a disk that drops every
 * unsynced write would hold. POSIX's rule is followed strictly: a file's
 * fsync makes its bytes durable, not its name; a new, removed or renamed
 * name is durable once its folder is synced.
 *
 * What it cannot see: writes through stdio (glibc's FILE calls its own
 * write), so a stream opened on a watched file for writing is journalled
 * whole when opened (and, after each fsync of its descriptor, treated as
 * appending); writes through mmap (SQLite maps only its -shm, which it
 * rebuilds after a crash); copy_file_range and sendfile. Passage writes
 * none of its durable files those ways.
 *
 * Without POWERCUT_DIR and POWERCUT_JOURNAL in the environment it passes
 * every call through untouched. POWERCUT_FORGET_SYNCS, for the tests'
 * own controls, leaves out of the journal every sync ("all") or those of
 * folders ("folders"), as a disk that ignores them would: then what a
 * test said survived must be lost, or the test proves nothing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "powercut.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FD 65536

enum { FD_UNKNOWN = 0, FD_NO, FD_YES };

struct fd_state {
  _Atomic int state;
  int stdio; /* a stream's descriptor: its writes are not seen */
  int sync;  /* opened O_SYNC or O_DSYNC: each write is durable */
  dev_t dev;
  ino_t ino;
};

static struct fd_state fds[MAX_FD];
static char root[PATH_MAX];
static size_t root_len;
static char attic[PATH_MAX];
static int journal_fd = -1;
static _Atomic unsigned long attic_seq;
static int
    forget_syncs; /* 1: every sync, 2: folders' (POWERCUT_FORGET_SYNCS) */

#define REAL(ret, name, args)                                                  \
  static ret(*real_##name) args;                                               \
  static void load_##name(void)                                                \
  {                                                                            \
    if (real_##name == NULL)                                                   \
      *(void **)&real_##name = dlsym(RTLD_NEXT, #name);                        \
  }

REAL(int, open, (const char *, int, ...))
REAL(int, openat, (int, const char *, int, ...))
REAL(FILE *, fopen, (const char *, const char *))
REAL(FILE *, fopen64, (const char *, const char *))
REAL(FILE *, fdopen, (int, const char *))
REAL(int, fclose, (FILE *))
REAL(int, close, (int))
REAL(int, dup2, (int, int))
REAL(int, dup3, (int, int, int))
REAL(ssize_t, write, (int, const void *, size_t))
REAL(ssize_t, pwrite, (int, const void *, size_t, off_t))
REAL(ssize_t, pwrite64, (int, const void *, size_t, off_t))
REAL(ssize_t, writev, (int, const struct iovec *, int))
REAL(ssize_t, pwritev, (int, const struct iovec *, int, off_t))
REAL(int, ftruncate, (int, off_t))
REAL(int, ftruncate64, (int, off_t))
REAL(int, truncate, (const char *, off_t))
REAL(int, fallocate, (int, int, off_t, off_t))
REAL(int, posix_fallocate, (int, off_t, off_t))
REAL(int, renameat2, (int, const char *, int, const char *, unsigned))
REAL(int, link, (const char *, const char *))
REAL(int, linkat, (int, const char *, int, const char *, int))
REAL(int, unlink, (const char *))
REAL(int, unlinkat, (int, const char *, int))
REAL(int, mkdir, (const char *, mode_t))
REAL(int, mkdirat, (int, const char *, mode_t))
REAL(int, fsync, (int))
REAL(int, fdatasync, (int))
REAL(int, syncfs, (int))
REAL(void, sync, (void))

__attribute__((constructor)) static void
shim_init(void)
{
  const char *dir = getenv("POWERCUT_DIR");
  const char *j = getenv("POWERCUT_JOURNAL");
  char path[PATH_MAX];

  /* Every real function now, before any thread: the wrappers use them
   * from one another. */
  load_open();
  load_openat();
  load_fopen();
  load_fopen64();
  load_fdopen();
  load_fclose();
  load_close();
  load_dup2();
  load_dup3();
  load_write();
  load_pwrite();
  load_pwrite64();
  load_writev();
  load_pwritev();
  load_ftruncate();
  load_ftruncate64();
  load_truncate();
  load_fallocate();
  load_posix_fallocate();
  load_renameat2();
  load_link();
  load_linkat();
  load_unlink();
  load_unlinkat();
  load_mkdir();
  load_mkdirat();
  load_fsync();
  load_fdatasync();
  load_syncfs();
  load_sync();
  if (dir == NULL || j == NULL || realpath(dir, root) == NULL)
    return;
  const char *forget = getenv("POWERCUT_FORGET_SYNCS");
  if (forget != NULL)
    forget_syncs = strcmp(forget, "folders") == 0 ? 2 : 1;
  root_len = strlen(root);
  snprintf(path, sizeof path, "%s/journal", j);
  journal_fd = real_open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  snprintf(attic, sizeof attic, "%s/attic", j);
  real_mkdir(attic, 0755);
  if (journal_fd < 0)
    root_len = 0; /* nothing watched */
}

static int
watched(const char *abs)
{
  return root_len > 0 && strncmp(abs, root, root_len) == 0 &&
         (abs[root_len] == '/' || abs[root_len] == '\0');
}

/* The absolute path of path as seen from dirfd (not following links). */
static int
abs_path(int dirfd, const char *path, char *out, size_t size)
{
  char base[PATH_MAX], link[64];
  ssize_t n;

  if (path[0] == '/') {
    snprintf(out, size, "%s", path);
    return 0;
  }
  if (dirfd == AT_FDCWD) {
    if (getcwd(base, sizeof base) == NULL)
      return -1;
  } else {
    snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
    n = readlink(link, base, sizeof base - 1);
    if (n < 0)
      return -1;
    base[n] = '\0';
  }
  return snprintf(out, size, "%s/%s", base, path) < (int)size ? 0 : -1;
}

/* The folder holding abs, stat'ed. */
static int
parent_of(const char *abs, struct stat *st)
{
  char d[PATH_MAX];
  char *slash;

  if (snprintf(d, sizeof d, "%s", abs) >= (int)sizeof d)
    return -1;
  slash = strrchr(d, '/');
  if (slash == NULL)
    return -1;
  if (slash == d)
    slash[1] = '\0';
  else
    *slash = '\0';
  return stat(d, st);
}

static void
journal(uint32_t type, const struct stat *a, const struct stat *b, uint64_t off,
        uint64_t size, const char *path, const char *path2, const void *data,
        uint64_t data_len)
{
  struct pc_record r = {PC_MAGIC, type, 0, 0, 0, 0, off, size, 0, 0, 0};
  size_t pl = path ? strlen(path) : 0, p2l = path2 ? strlen(path2) : 0;
  size_t total = sizeof r + pl + p2l + data_len;
  char *buf;

  if (a != NULL) {
    r.dev = a->st_dev;
    r.ino = a->st_ino;
  }
  if (b != NULL) {
    r.dev2 = b->st_dev;
    r.ino2 = b->st_ino;
  }
  r.path_len = (uint32_t)pl;
  r.path2_len = (uint32_t)p2l;
  r.data_len = data_len;
  buf = malloc(total);
  if (buf == NULL)
    abort(); /* a journal with a hole would prove nothing */
  memcpy(buf, &r, sizeof r);
  memcpy(buf + sizeof r, path, pl);
  memcpy(buf + sizeof r + pl, path2, p2l);
  if (data_len)
    memcpy(buf + sizeof r + pl + p2l, data, data_len);
  load_write();
  if (real_write(journal_fd, buf, total) != (ssize_t)total)
    abort();
  free(buf);
}

/* Whether fd is a watched file or folder; fills its state. */
static struct fd_state *
fd_of(int fd)
{
  char link[64], abs[PATH_MAX];
  struct stat st;
  ssize_t n;

  if (fd < 0 || fd >= MAX_FD || root_len == 0)
    return NULL;
  struct fd_state *s = &fds[fd];
  if (s->state == FD_UNKNOWN) {
    int yes = 0;
    if (fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
      snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
      n = readlink(link, abs, sizeof abs - 1);
      if (n > 0) {
        abs[n] = '\0';
        yes = watched(abs);
      }
    }
    if (yes) {
      int fl = fcntl(fd, F_GETFL);
      s->dev = st.st_dev;
      s->ino = st.st_ino;
      s->stdio = 0;
      s->sync = fl >= 0 && (fl & (O_SYNC | O_DSYNC)) != 0;
    }
    s->state = yes ? FD_YES : FD_NO;
  }
  return s->state == FD_YES ? s : NULL;
}

static void
forget_fd(int fd)
{
  if (fd >= 0 && fd < MAX_FD)
    fds[fd].state = FD_UNKNOWN;
}

/* Reads [off, off + len) of fd into a new buffer (len shortened at the
 * end of the file), through a descriptor of its own if fd is write-only. */
static char *
read_range(int fd, uint64_t off, uint64_t *len)
{
  char *b = malloc(*len ? *len : 1);
  uint64_t got = 0;
  int rfd = fd, own = 0;

  if (b == NULL)
    abort();
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0 && (fl & O_ACCMODE) == O_WRONLY) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    rfd = real_open(link, O_RDONLY | O_CLOEXEC);
    own = 1;
    if (rfd < 0)
      abort();
  }
  while (got < *len) {
    ssize_t r = pread(rfd, b + got, *len - got, (off_t)(off + got));
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    got += (uint64_t)r;
  }
  if (own)
    real_close(rfd);
  *len = got;
  return b;
}

/* Journals what a change of fd's bytes [off, off + len) overwrites. */
static void
before_write(int fd, int64_t off, uint64_t len)
{
  struct fd_state *s = fd_of(fd);
  struct stat st;
  int e = errno;

  if (s == NULL || s->sync || fstat(fd, &st) != 0)
    goto out;
  if (off < 0) { /* the file's offset, or its end when appending */
    int fl = fcntl(fd, F_GETFL);
    off = fl >= 0 && (fl & O_APPEND) ? st.st_size : lseek(fd, 0, SEEK_CUR);
    if (off < 0)
      goto out;
  }
  uint64_t n = (uint64_t)off < (uint64_t)st.st_size
                   ? (uint64_t)st.st_size - (uint64_t)off
                   : 0;
  if (n > len)
    n = len;
  char *old = read_range(fd, (uint64_t)off, &n);
  journal(PC_WRITE, &st, NULL, (uint64_t)off, (uint64_t)st.st_size, NULL, NULL,
          old, n);
  free(old);
out:
  errno = e;
}

/* Journals the whole of the open fd (a stream's file). */
static void
journal_whole(int fd)
{
  struct stat st;

  if (fstat(fd, &st) != 0)
    return;
  uint64_t n = (uint64_t)st.st_size;
  char *old = read_range(fd, 0, &n);
  journal(PC_FULL, &st, NULL, 0, n, NULL, NULL, old, n);
  free(old);
}

/* ---- Opening and closing ---- */

static int
open_common(int dirfd, const char *path, int flags, mode_t mode,
            int (*fn)(int, const char *, int, ...))
{
  char abs[PATH_MAX];
  struct stat st, par;
  int existed, fd, e;

  if (root_len == 0 || (flags & (O_CREAT | O_TRUNC)) == 0 ||
      abs_path(dirfd, path, abs, sizeof abs) != 0 || !watched(abs))
    return fn(dirfd, path, flags, mode);
  existed = lstat(abs, &st) == 0;
  if (existed && (flags & O_TRUNC) && S_ISREG(st.st_mode) && st.st_size > 0 &&
      (flags & O_ACCMODE) != O_RDONLY) {
    int rfd = real_open(abs, O_RDONLY | O_CLOEXEC);
    if (rfd >= 0) {
      journal_whole(rfd);
      real_close(rfd);
    }
  }
  fd = fn(dirfd, path, flags, mode);
  e = errno;
  if (fd >= 0) {
    forget_fd(fd);
    if (!existed && parent_of(abs, &par) == 0)
      journal(PC_CREATE, &par, NULL, 0, 0, abs, NULL, NULL, 0);
  }
  errno = e;
  return fd;
}

static int
openat_plain(int dirfd, const char *path, int flags, ...)
{
  va_list ap;
  mode_t mode;

  va_start(ap, flags);
  mode = (mode_t)va_arg(ap, int);
  va_end(ap);
  load_openat();
  return real_openat(dirfd, path, flags, mode);
}

static mode_t
mode_arg(int flags, va_list ap)
{
  return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int
open(const char *path, int flags, ...)
{
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  int fd = open_common(AT_FDCWD, path, flags, mode, openat_plain);
  forget_fd(fd);
  return fd;
}

int
open64(const char *path, int flags, ...)
{
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  int fd = open_common(AT_FDCWD, path, flags, mode, openat_plain);
  forget_fd(fd);
  return fd;
}

int
openat(int dirfd, const char *path, int flags, ...)
{
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  int fd = open_common(dirfd, path, flags, mode, openat_plain);
  forget_fd(fd);
  return fd;
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
  va_list ap;
  va_start(ap, flags);
  mode_t mode = mode_arg(flags, ap);
  va_end(ap);
  int fd = open_common(dirfd, path, flags, mode, openat_plain);
  forget_fd(fd);
  return fd;
}

int
creat(const char *path, mode_t mode)
{
  return open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

int
creat64(const char *path, mode_t mode)
{
  return open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

/* A stream writes unseen: its file is journalled whole now. */
static void
stream_opened(FILE *f, const char *mode)
{
  int fd;

  if (f == NULL || strpbrk(mode, "wa+") == NULL)
    return;
  fd = fileno(f);
  forget_fd(fd);
  struct fd_state *s = fd_of(fd);
  if (s == NULL)
    return;
  s->stdio = 1;
  journal_whole(fd);
}

static FILE *
fopen_common(const char *path, const char *mode,
             FILE *(*fn)(const char *, const char *))
{
  char abs[PATH_MAX];
  struct stat st, par;
  int existed, e;
  FILE *f;

  if (root_len == 0 || strpbrk(mode, "wa+") == NULL ||
      abs_path(AT_FDCWD, path, abs, sizeof abs) != 0 || !watched(abs))
    return fn(path, mode);
  existed = lstat(abs, &st) == 0;
  if (existed && strchr(mode, 'w') && S_ISREG(st.st_mode) && st.st_size > 0) {
    int rfd = real_open(abs, O_RDONLY | O_CLOEXEC);
    if (rfd >= 0) {
      journal_whole(rfd);
      real_close(rfd);
    }
  }
  f = fn(path, mode);
  e = errno;
  if (f != NULL) {
    if (!existed && parent_of(abs, &par) == 0)
      journal(PC_CREATE, &par, NULL, 0, 0, abs, NULL, NULL, 0);
    stream_opened(f, mode);
  }
  errno = e;
  return f;
}

FILE *
fopen(const char *path, const char *mode)
{
  load_fopen();
  return fopen_common(path, mode, real_fopen);
}

FILE *
fopen64(const char *path, const char *mode)
{
  load_fopen64();
  return fopen_common(path, mode, real_fopen64);
}

FILE *
fdopen(int fd, const char *mode)
{
  load_fdopen();
  FILE *f = real_fdopen(fd, mode);
  int e = errno;
  stream_opened(f, mode);
  errno = e;
  return f;
}

int
fclose(FILE *f)
{
  load_fclose();
  if (f != NULL)
    forget_fd(fileno(f));
  return real_fclose(f);
}

int
close(int fd)
{
  load_close();
  forget_fd(fd);
  return real_close(fd);
}

int
dup2(int old, int fd)
{
  load_dup2();
  forget_fd(fd);
  return real_dup2(old, fd);
}

int
dup3(int old, int fd, int flags)
{
  load_dup3();
  forget_fd(fd);
  return real_dup3(old, fd, flags);
}

/* ---- Writes ---- */

ssize_t
write(int fd, const void *b, size_t n)
{
  load_write();
  before_write(fd, -1, n);
  return real_write(fd, b, n);
}

ssize_t
pwrite(int fd, const void *b, size_t n, off_t off)
{
  load_pwrite();
  before_write(fd, off, n);
  return real_pwrite(fd, b, n, off);
}

ssize_t
pwrite64(int fd, const void *b, size_t n, off_t off)
{
  load_pwrite64();
  before_write(fd, off, n);
  return real_pwrite64(fd, b, n, off);
}

static size_t
iov_len(const struct iovec *v, int n)
{
  size_t t = 0;
  for (int i = 0; i < n; i++)
    t += v[i].iov_len;
  return t;
}

ssize_t
writev(int fd, const struct iovec *v, int n)
{
  load_writev();
  before_write(fd, -1, iov_len(v, n));
  return real_writev(fd, v, n);
}

ssize_t
pwritev(int fd, const struct iovec *v, int n, off_t off)
{
  load_pwritev();
  before_write(fd, off, iov_len(v, n));
  return real_pwritev(fd, v, n, off);
}

/* A truncation: what is cut off, or (growing) the old size. */
static void
before_truncate(int fd, off_t len)
{
  struct fd_state *s = fd_of(fd);
  struct stat st;
  int e = errno;

  if (s != NULL && fstat(fd, &st) == 0) {
    uint64_t n = len < st.st_size ? (uint64_t)(st.st_size - len) : 0;
    char *old = read_range(fd, (uint64_t)len, &n);
    journal(PC_WRITE, &st, NULL, (uint64_t)len, (uint64_t)st.st_size, NULL,
            NULL, old, n);
    free(old);
  }
  errno = e;
}

int
ftruncate(int fd, off_t len)
{
  load_ftruncate();
  before_truncate(fd, len);
  return real_ftruncate(fd, len);
}

int
ftruncate64(int fd, off_t len)
{
  load_ftruncate64();
  before_truncate(fd, len);
  return real_ftruncate64(fd, len);
}

int
truncate(const char *path, off_t len)
{
  load_truncate();
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return real_truncate(path, len);
  int rc = ftruncate(fd, len);
  int e = errno;
  close(fd);
  errno = e;
  return rc;
}

int
fallocate(int fd, int mode, off_t off, off_t len)
{
  load_fallocate();
  before_write(fd, off, (uint64_t)len);
  return real_fallocate(fd, mode, off, len);
}

int
posix_fallocate(int fd, off_t off, off_t len)
{
  load_posix_fallocate();
  before_write(fd, off, (uint64_t)len);
  return real_posix_fallocate(fd, off, len);
}

/* ---- Names ---- */

/* A hard link to abs kept aside, its name in out; 0 if made. */
static int
keep_aside(const char *abs, char *out, size_t size)
{
  struct stat st;

  if (lstat(abs, &st) != 0 || S_ISDIR(st.st_mode))
    return -1;
  if (snprintf(out, size, "%s/%ld-%lu", attic, (long)getpid(),
               atomic_fetch_add(&attic_seq, 1)) >= (int)size)
    return -1;
  load_link();
  return real_link(abs, out);
}

static int
rename_common(int od, const char *from, int nd, const char *to, unsigned flags)
{
  char a[PATH_MAX], b[PATH_MAX], kept[PATH_MAX] = "";
  struct stat pa, pb;
  int rc, e;

  load_renameat2();
  if (root_len == 0 || abs_path(od, from, a, sizeof a) != 0 ||
      abs_path(nd, to, b, sizeof b) != 0 || (!watched(a) && !watched(b)))
    return real_renameat2(od, from, nd, to, flags);
  if (!(flags & RENAME_NOREPLACE) && keep_aside(b, kept, sizeof kept) != 0)
    kept[0] = '\0';
  rc = real_renameat2(od, from, nd, to, flags);
  e = errno;
  if (rc == 0 && parent_of(a, &pa) == 0 && parent_of(b, &pb) == 0)
    journal(PC_RENAME, &pa, &pb, 0, 0, a, b, kept, strlen(kept));
  else if (rc != 0 && kept[0]) {
    load_unlink();
    real_unlink(kept);
  }
  errno = e;
  return rc;
}

int
rename(const char *from, const char *to)
{
  return rename_common(AT_FDCWD, from, AT_FDCWD, to, 0);
}

int
renameat(int od, const char *from, int nd, const char *to)
{
  return rename_common(od, from, nd, to, 0);
}

int
renameat2(int od, const char *from, int nd, const char *to, unsigned flags)
{
  return rename_common(od, from, nd, to, flags);
}

static void
created(int dirfd, const char *path, int dir)
{
  char abs[PATH_MAX];
  struct stat par;

  if (root_len > 0 && abs_path(dirfd, path, abs, sizeof abs) == 0 &&
      watched(abs) && parent_of(abs, &par) == 0)
    journal(PC_CREATE, &par, NULL, (uint64_t)dir, 0, abs, NULL, NULL, 0);
}

int
link(const char *from, const char *to)
{
  load_link();
  int rc = real_link(from, to), e = errno;
  if (rc == 0)
    created(AT_FDCWD, to, 0);
  errno = e;
  return rc;
}

int
linkat(int od, const char *from, int nd, const char *to, int flags)
{
  load_linkat();
  int rc = real_linkat(od, from, nd, to, flags), e = errno;
  if (rc == 0)
    created(nd, to, 0);
  errno = e;
  return rc;
}

int
mkdir(const char *path, mode_t mode)
{
  load_mkdir();
  int rc = real_mkdir(path, mode), e = errno;
  if (rc == 0)
    created(AT_FDCWD, path, 1);
  errno = e;
  return rc;
}

int
mkdirat(int dirfd, const char *path, mode_t mode)
{
  load_mkdirat();
  int rc = real_mkdirat(dirfd, path, mode), e = errno;
  if (rc == 0)
    created(dirfd, path, 1);
  errno = e;
  return rc;
}

static int
remove_common(int dirfd, const char *path, int flags)
{
  char abs[PATH_MAX], kept[PATH_MAX] = "";
  struct stat par;
  int rc, e;

  load_unlinkat();
  if (root_len == 0 || abs_path(dirfd, path, abs, sizeof abs) != 0 ||
      !watched(abs))
    return real_unlinkat(dirfd, path, flags);
  if (!(flags & AT_REMOVEDIR) && keep_aside(abs, kept, sizeof kept) != 0)
    kept[0] = '\0';
  rc = real_unlinkat(dirfd, path, flags);
  e = errno;
  if (rc == 0 && parent_of(abs, &par) == 0) {
    if (flags & AT_REMOVEDIR)
      journal(PC_RMDIR, &par, NULL, 0, 0, abs, NULL, NULL, 0);
    else if (kept[0])
      journal(PC_UNLINK, &par, NULL, 0, 0, abs, kept, NULL, 0);
  } else if (rc != 0 && kept[0]) {
    load_unlink();
    real_unlink(kept);
  }
  errno = e;
  return rc;
}

int
unlink(const char *path)
{
  return remove_common(AT_FDCWD, path, 0);
}

int
unlinkat(int dirfd, const char *path, int flags)
{
  return remove_common(dirfd, path, flags);
}

int
rmdir(const char *path)
{
  return remove_common(AT_FDCWD, path, AT_REMOVEDIR);
}

/* ---- Syncs ---- */

static void
synced(int fd)
{
  struct fd_state *s = fd_of(fd);
  struct stat st;

  if (s == NULL || fstat(fd, &st) != 0 || forget_syncs == 1 ||
      (forget_syncs == 2 && S_ISDIR(st.st_mode)))
    return;
  journal(PC_SYNC_FILE, &st, NULL, 0, 0, NULL, NULL, NULL, 0);
  /* A stream's later writes are unseen: taken to append from here. */
  if (s->stdio)
    journal(PC_WRITE, &st, NULL, (uint64_t)st.st_size, (uint64_t)st.st_size,
            NULL, NULL, NULL, 0);
}

int
fsync(int fd)
{
  load_fsync();
  int rc = real_fsync(fd), e = errno;
  if (rc == 0)
    synced(fd);
  errno = e;
  return rc;
}

int
fdatasync(int fd)
{
  load_fdatasync();
  int rc = real_fdatasync(fd), e = errno;
  if (rc == 0)
    synced(fd);
  errno = e;
  return rc;
}

int
syncfs(int fd)
{
  load_syncfs();
  int rc = real_syncfs(fd), e = errno;
  if (rc == 0 && root_len > 0 && !forget_syncs)
    journal(PC_SYNC_ALL, NULL, NULL, 0, 0, NULL, NULL, NULL, 0);
  errno = e;
  return rc;
}

void
sync(void)
{
  load_sync();
  real_sync();
  if (root_len > 0 && !forget_syncs)
    journal(PC_SYNC_ALL, NULL, NULL, 0, 0, NULL, NULL, NULL, 0);
}
