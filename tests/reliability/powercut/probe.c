/*
 * Usage: powercut-probe OP ARG... [, OP ARG...]...
 * File operations for the shim's own test (tests/reliability/powercut-shim.sh),
 * one after another, each on a descriptor or stream of its own:
 *   create PATH TEXT    open(O_CREAT | O_TRUNC) and write(2) TEXT
 *   pwrite PATH OFF TEXT
 *   append PATH TEXT    open(O_APPEND) and write(2)
 *   fputs PATH TEXT     fopen("w"), fputs, fclose (stdio, unseen writes)
 *   trunc PATH LEN      ftruncate
 *   fsync PATH          fsync of the file or folder PATH
 *   rename FROM TO, unlink PATH, mkdir PATH
 * Exits 1 naming the first operation that failed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
put(const char *path, int flags, const char *text, long off)
{
  int fd = open(path, flags, 0644);
  size_t n = strlen(text);
  int ok = fd >= 0 && (off < 0 ? write(fd, text, n)
                               : pwrite(fd, text, n, (off_t)off)) == (ssize_t)n;
  if (fd >= 0)
    close(fd);
  return ok ? 0 : -1;
}

static int
op(char **a, int n)
{
  const char *o = a[0];
  int fd, rc;

  if (strcmp(o, "create") == 0 && n == 3)
    return put(a[1], O_WRONLY | O_CREAT | O_TRUNC, a[2], -1);
  if (strcmp(o, "pwrite") == 0 && n == 4)
    return put(a[1], O_WRONLY, a[3], atol(a[2]));
  if (strcmp(o, "append") == 0 && n == 3)
    return put(a[1], O_WRONLY | O_APPEND, a[2], -1);
  if (strcmp(o, "fputs") == 0 && n == 3) {
    FILE *f = fopen(a[1], "w");
    if (f == NULL || fputs(a[2], f) < 0)
      return -1;
    return fclose(f) == 0 ? 0 : -1;
  }
  if (strcmp(o, "trunc") == 0 && n == 3) {
    fd = open(a[1], O_WRONLY);
    rc = fd >= 0 ? ftruncate(fd, atol(a[2])) : -1;
    if (fd >= 0)
      close(fd);
    return rc;
  }
  if (strcmp(o, "fsync") == 0 && n == 2) {
    fd = open(a[1], O_RDONLY);
    rc = fd >= 0 ? fsync(fd) : -1;
    if (fd >= 0)
      close(fd);
    return rc;
  }
  if (strcmp(o, "rename") == 0 && n == 3)
    return rename(a[1], a[2]);
  if (strcmp(o, "unlink") == 0 && n == 2)
    return unlink(a[1]);
  if (strcmp(o, "mkdir") == 0 && n == 2)
    return mkdir(a[1], 0755);
  return -2;
}

int
main(int argc, char **argv)
{
  for (int i = 1; i < argc;) {
    int j = i;
    while (j < argc && strcmp(argv[j], ",") != 0)
      j++;
    int rc = op(argv + i, j - i);
    if (rc != 0) {
      fprintf(stderr, "powercut-probe: %s %s: %s\n", argv[i],
              j - i > 1 ? argv[i + 1] : "",
              rc == -2 ? "unknown operation" : "failed");
      return 1;
    }
    i = j + 1;
  }
  return 0;
}
