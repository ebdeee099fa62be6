/*
 * The SQLite backend's connection and the Merkle tree's tables: the entry
 * table's leaf hashes and the node table, with the statements that write
 * and read them. Shared by the backend and bench/bench_ledger, which
 * measures these very statements on files of its own; nothing else
 * includes it.
 */
#ifndef PASSAGE_STORE_SQLITE_TREE_H
#define PASSAGE_STORE_SQLITE_TREE_H

#include <sqlite3.h>
#include <stdint.h>

#include "util/util.h"

/* The store's SQL that the benchmark issues too. */
extern const char store_sqlite__ddl_entry[];    /* CREATE TABLE entry */
extern const char store_sqlite__ddl_entry_id[]; /* its unique (kind, id) */
extern const char store_sqlite__ddl_node[];     /* CREATE TABLE node */
extern const char store_sqlite__ins_entry[];    /* 5 parameters, in order:
                                                   seq, kind, id, hash, bytes */

/*
 * Opens the SQLite file at path as the store does: read-write (created when
 * create is set), no mutex (a handle is used by one thread at a time), a
 * busy timeout, extended result codes, WAL with synchronous=FULL and the
 * store's cache. page_size applies to a new file only (0: SQLite's own).
 * Returns OK with the connection in *out, or ERR_IO (cannot open) or
 * ERR_STORE/ERR_RETRY (cannot set it up) with a message in err.
 */
int store_sqlite__connect(const char *path, int create, unsigned page_size,
                          sqlite3 **out, struct buf *err);

/*
 * The tree's statements over a connection, prepared on first use and kept:
 * a proof makes a few dozen reads, and preparing a statement for each cost
 * about as much as the read itself (docs/BENCHMARKS.md). Each read resets
 * its statement before returning, which also ends the read transaction the
 * statement opened.
 */
struct store_sqlite_tree {
  sqlite3 *db;
  sqlite3_stmt *ins_node, *get_node, *get_leaves;
};

void store_sqlite__tree_init(struct store_sqlite_tree *t, sqlite3 *db);
/* Finalizes the statements (they are prepared again on next use). */
void store_sqlite__tree_finalize(struct store_sqlite_tree *t);
/* Prepares the read statements now rather than on first use: OK or
 * ERR_STORE (sqlite3_errmsg tells why). */
int store_sqlite__tree_prepare(struct store_sqlite_tree *t);
/* Inserts node (level, index): OK or ERR_STORE (sqlite3_errmsg). */
int store_sqlite__tree_put(struct store_sqlite_tree *t, unsigned level,
                           uint64_t index, const uint8_t hash[32]);
/* Reads node (level, index) into out: OK, ERR_NOTFOUND or ERR_STORE. */
int store_sqlite__tree_node(struct store_sqlite_tree *t, unsigned level,
                            uint64_t index, uint8_t out[32]);
/* Reads the leaf hashes [start, start + n) into out: OK, ERR_NOTFOUND
 * when fewer are stored, or ERR_STORE. */
int store_sqlite__tree_leaves(struct store_sqlite_tree *t, uint64_t start,
                              uint64_t n, uint8_t *out);

#endif
