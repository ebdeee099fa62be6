/*
 * An input's bytes, read as a stream so that memory stays bounded
 * whatever its size (the readers keep a window of about the line cap).
 *
 * Rows without an id get one from the input's content hash, which must be
 * known before the first row is read, so an input is read twice: a file
 * once for its hash and once for its rows; standard input and other pipes,
 * which cannot be read twice, are copied to an unnamed temporary file
 * while their hash is taken, and the rows read from the copy. The copy
 * stops at an endless line (more than the line cap without a line end, as
 * /dev/zero gives): the readers then stop there too, with the cap's error,
 * having seen everything before it.
 */
#include "ingest/ingest_int.h"
#include "util/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes read at a time while hashing and copying. */
#define CHUNK (1u << 20)

static void
hex_digest(EVP_MD_CTX *md, char out[65])
{
  unsigned char h[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  static const char hex[] = "0123456789abcdef";

  EVP_DigestFinal_ex(md, h, &n);
  for (int i = 0; i < 32; i++) {
    out[2 * i] = hex[h[i] >> 4];
    out[2 * i + 1] = hex[h[i] & 15];
  }
  out[64] = '\0';
}

static long
read_some(int fd, char *buf, size_t cap)
{
  ssize_t got;

  do
    got = read(fd, buf, cap);
  while (got < 0 && errno == EINTR);
  return (long)got;
}

static int
write_all(int fd, const char *p, size_t n)
{
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Hashes a file from its current offset to its end, then goes back. */
static int
hash_file(struct source *src, EVP_MD_CTX *md, char *buf)
{
  off_t start = lseek(src->fd, 0, SEEK_CUR);
  long got;

  if (start < 0)
    return -1;
  while ((got = read_some(src->fd, buf, CHUNK)) > 0) {
    EVP_DigestUpdate(md, buf, (size_t)got);
    src->total += (size_t)got;
  }
  if (got < 0 || lseek(src->fd, start, SEEK_SET) < 0)
    return -1;
  return 0;
}

/* A temporary file no other process can see, removed when closed. */
static int
temp_file(void)
{
  const char *dir = getenv("TMPDIR");
  char *path;
  int fd;

  if (dir == NULL || dir[0] == '\0')
    dir = "/tmp";
  fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
    return fd;
  /* A file system without O_TMPFILE: a named file, unlinked at once. */
  path = xasprintf("%s/passage-import-XXXXXX", dir);
  fd = mkostemp(path, O_CLOEXEC);
  if (fd >= 0)
    unlink(path);
  free(path);
  return fd;
}

/*
 * Copies a pipe to a temporary file while hashing it, up to an endless
 * line: a run of more than max_line + 2 bytes without a line end (for
 * CSV a CR or LF, for JSON Lines an LF), which the readers refuse having
 * read max_line + 2 of its bytes, so what follows it is never needed.
 */
static int
spool(struct source *src, EVP_MD_CTX *md, char *buf)
{
  int out = temp_file();
  size_t run = 0;
  long got;

  if (out < 0)
    return -1;
  while ((got = read_some(src->fd, buf, CHUNK)) > 0) {
    size_t n = (size_t)got, keep = n;
    for (size_t i = 0; i < n; i++) {
      char c = buf[i];
      if (c == '\n' || (c == '\r' && !src->lf_only))
        run = 0;
      else if (++run > src->max_line + 2) {
        keep = i + 1;
        break;
      }
    }
    EVP_DigestUpdate(md, buf, keep);
    if (write_all(out, buf, keep) != 0) {
      close(out);
      return -1;
    }
    src->total += keep;
    if (keep < n)
      break;
  }
  if (got < 0 || lseek(out, 0, SEEK_SET) < 0) {
    close(out);
    return -1;
  }
  if (src->fd != 0)
    close(src->fd);
  src->fd = out;
  return 0;
}

int
ingest__source_open(struct source *src, const struct input *in, size_t max_line,
                    int lf_only)
{
  EVP_MD_CTX *md;
  struct stat sb;
  char *buf;
  int rc = OK, err;

  memset(src, 0, sizeof *src);
  src->fd = -1;
  src->max_line = max_line;
  src->lf_only = lf_only;
  if (in->path == NULL) {
    src->data = in->data ? in->data : "";
    src->len = src->total = in->data ? in->len : 0;
    ingest__digest(src->data, src->len, src->sha256);
    return OK;
  }
  src->fd =
      strcmp(in->path, "-") == 0 ? 0 : open(in->path, O_RDONLY | O_CLOEXEC);
  if (src->fd < 0)
    return ERR_IO;
  md = EVP_MD_CTX_new();
  buf = xmalloc(CHUNK);
  if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
    fprintf(stderr, _("passage: cannot compute SHA-256 (OpenSSL)\n"));
    abort(); /* as ledger_leaf_hash: no working installation lacks it */
  }
  if (fstat(src->fd, &sb) != 0)
    rc = ERR_IO;
  else if (S_ISREG(sb.st_mode))
    rc = hash_file(src, md, buf) == 0 ? OK : ERR_IO;
  else
    rc = spool(src, md, buf) == 0 ? OK : ERR_IO;
  err = errno;
  src->left = src->total;
  hex_digest(md, src->sha256);
  EVP_MD_CTX_free(md);
  free(buf);
  if (rc != OK) {
    ingest__source_close(src);
    errno = err;
  }
  return rc;
}

long
ingest__source_read(void *ctx, char *buf, size_t cap)
{
  struct source *src = ctx;
  long got;

  /* Only the bytes hashed are read, should the file grow meanwhile. */
  if (cap > src->left)
    cap = src->left;
  if (cap == 0)
    return 0;
  got = read_some(src->fd, buf, cap);
  if (got > 0)
    src->left -= (size_t)got;
  return got;
}

void
ingest__source_close(struct source *src)
{
  if (src->fd > 0)
    close(src->fd);
  src->fd = -1;
}
