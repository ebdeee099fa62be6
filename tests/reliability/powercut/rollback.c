/*
 * Usage: powercut-rollback DIR JOURNAL
 * After the processes that ran with the power-cut shim (shim.c) are
 * killed, puts DIR back to what a disk that drops every write not yet
 * synced would hold: it reads JOURNAL/journal from its end and undoes,
 * newest first, every change that no later sync covered (a write, a
 * truncation: until a sync of that file; a new or removed name: until a
 * sync of its folder; a rename: until a sync of the folder it went into;
 * anything:
 * until a sync or syncfs). Then it empties the journal and the links kept
 * aside, so that the next run starts from this state. Prints what it
 * undid: "undone: W writes (B bytes), N names; kept: K records".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "powercut.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct id {
  uint64_t dev, ino;
};

/* The files and folders synced later than the record being read. */
static struct id *synced;
static size_t nsynced, capsynced;

static int
is_synced(uint64_t dev, uint64_t ino)
{
  for (size_t i = 0; i < nsynced; i++)
    if (synced[i].dev == dev && synced[i].ino == ino)
      return 1;
  return 0;
}

static void
add_synced(uint64_t dev, uint64_t ino)
{
  if (is_synced(dev, ino))
    return;
  if (nsynced == capsynced) {
    capsynced = capsynced ? 2 * capsynced : 64;
    synced = realloc(synced, capsynced * sizeof *synced);
    if (synced == NULL)
      abort();
  }
  synced[nsynced].dev = dev;
  synced[nsynced++].ino = ino;
}

/* Finding a file by its inode: under DIR or among the links kept aside. */
static uint64_t want_dev, want_ino;
static char found[PATH_MAX];

static int
look(const char *path, const struct stat *st, int type, struct FTW *f)
{
  (void)f;
  if (type == FTW_F && (uint64_t)st->st_dev == want_dev &&
      (uint64_t)st->st_ino == want_ino) {
    snprintf(found, sizeof found, "%s", path);
    return 1;
  }
  return 0;
}

static const char *dir, *attic;

static const char *
path_of(uint64_t dev, uint64_t ino)
{
  struct stat st;

  if (found[0] && stat(found, &st) == 0 && (uint64_t)st.st_dev == dev &&
      (uint64_t)st.st_ino == ino)
    return found;
  want_dev = dev;
  want_ino = ino;
  found[0] = '\0';
  if (nftw(dir, look, 32, FTW_PHYS) == 1 ||
      nftw(attic, look, 32, FTW_PHYS) == 1)
    return found;
  return NULL;
}

static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
  (void)st;
  (void)f;
  return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void
rm_rf(const char *path)
{
  nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

static unsigned long writes, names, kept;
static unsigned long long bytes;

static void
undo_data(const struct pc_record *r, const char *data)
{
  const char *p = path_of(r->dev, r->ino);
  int fd;

  if (p == NULL)
    return; /* removed for good, by a synced removal */
  fd = open(p, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    fprintf(stderr, "powercut-rollback: %s: %s\n", p, strerror(errno));
    exit(1);
  }
  if (r->type == PC_FULL && ftruncate(fd, 0) != 0)
    goto fail;
  if (r->data_len > 0 &&
      pwrite(fd, data, r->data_len, (off_t)r->off) != (ssize_t)r->data_len)
    goto fail;
  if (ftruncate(fd, (off_t)r->size) != 0)
    goto fail;
  close(fd);
  writes++;
  bytes += r->data_len;
  return;
fail:
  fprintf(stderr, "powercut-rollback: undoing a write to %s: %s\n", p,
          strerror(errno));
  exit(1);
}

static void
undo_name(const struct pc_record *r, const char *path, const char *path2,
          const char *data)
{
  char aside[PATH_MAX];

  names++;
  switch (r->type) {
  case PC_CREATE:
    if (r->off)
      rm_rf(path);
    else
      unlink(path);
    break;
  case PC_UNLINK:
    if (rename(path2, path) != 0)
      fprintf(stderr, "powercut-rollback: restoring %s: %s\n", path,
              strerror(errno));
    break;
  case PC_RENAME:
    if (rename(path2, path) != 0)
      fprintf(stderr, "powercut-rollback: renaming %s back: %s\n", path2,
              strerror(errno));
    if (r->data_len > 0) {
      snprintf(aside, sizeof aside, "%.*s", (int)r->data_len, data);
      if (rename(aside, path2) != 0)
        fprintf(stderr, "powercut-rollback: restoring %s: %s\n", path2,
                strerror(errno));
    }
    break;
  case PC_RMDIR:
    mkdir(path, 0755);
    break;
  }
}

int
main(int argc, char **argv)
{
  char jpath[PATH_MAX], apath[PATH_MAX];
  struct stat st;
  int fd;

  if (argc != 3) {
    fprintf(stderr, "usage: powercut-rollback DIR JOURNAL\n");
    return 2;
  }
  dir = argv[1];
  snprintf(jpath, sizeof jpath, "%s/journal", argv[2]);
  snprintf(apath, sizeof apath, "%s/attic", argv[2]);
  attic = apath;
  fd = open(jpath, O_RDWR | O_CLOEXEC);
  if (fd < 0 || fstat(fd, &st) != 0) {
    printf("undone: nothing (no journal)\n");
    return 0;
  }
  size_t len = (size_t)st.st_size, n = 0, cap = 0;
  char *map = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
  size_t *at = NULL;
  if (len && map == MAP_FAILED)
    return perror("mmap"), 1;
  /* Each record's place, to read them newest first. */
  for (size_t o = 0; o + sizeof(struct pc_record) <= len;) {
    struct pc_record r;
    memcpy(&r, map + o, sizeof r);
    size_t sz = sizeof r + r.path_len + r.path2_len + r.data_len;
    if (r.magic != PC_MAGIC) {
      fprintf(stderr, "powercut-rollback: the journal is damaged at %zu\n", o);
      return 1;
    }
    /* The last record cut short: a SIGKILL ends a write to a file midway.
     * A write's record goes before the write, which then never happened;
     * a name's goes after its change, which (in the rare kill between
     * the two) is then left as it is. */
    if (o + sz > len)
      break;
    if (n == cap) {
      cap = cap ? 2 * cap : 1024;
      at = realloc(at, cap * sizeof *at);
      if (at == NULL)
        abort();
    }
    at[n++] = o;
    o += sz;
  }
  for (size_t i = n; i-- > 0;) {
    struct pc_record r;
    memcpy(&r, map + at[i], sizeof r);
    const char *p = map + at[i] + sizeof r;
    char path[PATH_MAX], path2[PATH_MAX];
    snprintf(path, sizeof path, "%.*s", (int)r.path_len, p);
    snprintf(path2, sizeof path2, "%.*s", (int)r.path2_len, p + r.path_len);
    const char *data = p + r.path_len + r.path2_len;
    if (r.type == PC_SYNC_ALL) {
      kept += i;
      break;
    }
    switch (r.type) {
    case PC_SYNC_FILE:
      add_synced(r.dev, r.ino);
      break;
    case PC_WRITE:
    case PC_FULL:
      if (is_synced(r.dev, r.ino))
        kept++;
      else
        undo_data(&r, data);
      break;
    default:
      /* A rename's new name is durable once the folder it went into is
       * synced (its old name may linger until its own folder is). */
      if (r.type == PC_RENAME ? is_synced(r.dev2, r.ino2)
                              : is_synced(r.dev, r.ino))
        kept++;
      else
        undo_name(&r, path, path2, data);
    }
  }
  if (len)
    munmap(map, len);
  if (ftruncate(fd, 0) != 0)
    return perror("truncating the journal"), 1;
  close(fd);
  rm_rf(apath);
  mkdir(apath, 0755);
  printf("undone: %lu writes (%llu bytes), %lu names; kept: %lu records\n",
         writes, bytes, names, kept);
  free(at);
  free(synced);
  return 0;
}
