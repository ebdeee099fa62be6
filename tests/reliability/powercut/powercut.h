/*
 * The journal that the power-cut shim (shim.c) appends to and the
 * roll-back tool (rollback.c) reads: what each write, truncation and
 * change of a folder under the watched folder overwrote, and which syncs
 * made them durable. A power cut is simulated by SIGKILL and then undoing,
 * newest first, every change that no later sync covered: what is left is
 * what a disk that drops every unsynced write would hold.
 *
 * Each record is one write(2) to a file opened O_APPEND (atomic among the
 * threads and processes that share the journal): a header, then path,
 * then path2, then data.
 */
#ifndef POWERCUT_H
#define POWERCUT_H

#include <stdint.h>

#define PC_MAGIC 0x50435554u /* "PCUT" */

enum pc_type {
  /* Data of a file (dev, ino): undone by writing data back at off and
   * truncating to size; forgotten by a sync of that file. */
  PC_WRITE = 1, /* data: the bytes [off, off + len) held, within size */
  PC_FULL,      /* data: the whole file as it was (size bytes) */
  /* A folder's entries (dev, ino: the folder; dev2, ino2: the second
   * folder of a rename, where it went); forgotten by a sync of the
   * folder (the second, for a rename). */
  PC_CREATE, /* path was made (a file, or a folder when off is 1) */
  PC_UNLINK, /* path was removed; path2 is a link to it kept aside */
  PC_RENAME, /* path was renamed to path2; data: the name kept aside of
                what path2 was, if anything */
  PC_RMDIR,  /* the empty folder path was removed */
  /* Syncs. */
  PC_SYNC_FILE, /* fsync, fdatasync of (dev, ino): a file or a folder */
  PC_SYNC_ALL,  /* sync, syncfs */
};

struct pc_record {
  uint32_t magic;
  uint32_t type;
  uint64_t dev, ino;   /* the file, or the folder of path */
  uint64_t dev2, ino2; /* a rename's second folder */
  uint64_t off;        /* PC_WRITE: where; PC_CREATE: 1 for a folder */
  uint64_t size;       /* the file's size before the change */
  uint32_t path_len, path2_len;
  uint64_t data_len;
};

#endif
