/*
 * The SQLite backend's connection set-up and the Merkle tree's statements,
 * shared with bench/bench_ledger (sqlite_tree.h).
 */
#include "store/sqlite/sqlite_tree.h"
#include "util/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HASH_SIZE 32

const char store_sqlite__ddl_entry[] =
    "CREATE TABLE entry (seq INTEGER PRIMARY KEY, kind INTEGER NOT "
    "NULL, id TEXT NOT NULL, hash BLOB NOT NULL, bytes BLOB NOT NULL);\n";
const char store_sqlite__ddl_entry_id[] =
    "CREATE UNIQUE INDEX entry_id ON entry(kind, id);\n";
const char store_sqlite__ddl_node[] =
    "CREATE TABLE node (level INTEGER, idx INTEGER, hash BLOB NOT NULL,"
    " PRIMARY KEY(level, idx)) WITHOUT ROWID;\n";
const char store_sqlite__ins_entry[] =
    "INSERT INTO entry(seq, kind, id, hash, bytes) VALUES(?,?,?,?,?)";

static const char sql_pragmas[] =
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
    "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;";
static const char sql_ins_node[] =
    "INSERT INTO node(level, idx, hash) VALUES(?,?,?)";
static const char sql_leaves[] =
    "SELECT hash FROM entry WHERE seq >= ? AND seq < ? ORDER BY seq";
static const char sql_node[] =
    "SELECT hash FROM node WHERE level = ? AND idx = ?";

static int
setup(sqlite3 *db, const char *path, unsigned page_size, struct buf *err)
{
  char sql[sizeof sql_pragmas + 64];
  char *msg = NULL;
  int rc;

  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 1);
  /* The page size counts only for a new file, and must come before WAL. */
  if (page_size != 0)
    snprintf(sql, sizeof sql, "PRAGMA page_size = %u;%s", page_size,
             sql_pragmas);
  else
    snprintf(sql, sizeof sql, "%s", sql_pragmas);
  rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
  if (rc == SQLITE_OK)
    return OK;
  buf_reset(err);
  rc &= 0xff;
  if (rc == SQLITE_FULL ||
      (rc == SQLITE_IOERR && sqlite3_system_errno(db) == ENOSPC)) {
    /* Even a reader makes the WAL's files beside the store. */
    uint64_t left = 0;
    char text[32];
    util_free_space(path, &left);
    util_format_bytes(left, text, sizeof text);
    buf_printf(err,
               _("cannot open %s: the disk holding it is full (%s free), and "
                 "the store needs room for its log files beside it: free some "
                 "space and run the command again"),
               path, text);
    sqlite3_free(msg);
    return ERR_NOSPACE;
  }
  buf_printf(err, "%s", msg ? msg : _("sqlite error"));
  sqlite3_free(msg);
  return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? ERR_RETRY : ERR_STORE;
}

int
store_sqlite__connect(const char *path, int create, unsigned page_size,
                      sqlite3 **out, struct buf *err)
{
  /* A handle is used by one thread at a time (store.h), so SQLite's own
   * locking of it on every call is pure cost. */
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
              (create ? SQLITE_OPEN_CREATE : 0);
  sqlite3 *db = NULL;
  int rc;

  *out = NULL;
  if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
    buf_reset(err);
    if (!create && access(path, F_OK) != 0)
      buf_printf(err,
                 _("there is no store at %s: create one with 'passage init "
                   "--corridor FILE', or name another with --db PATH or "
                   "PASSAGE_DB"),
                 path);
    else
      buf_printf(err, _("cannot open %s: %s"), path,
                 db ? sqlite3_errmsg(db) : _("out of memory"));
    sqlite3_close(db);
    return ERR_IO;
  }
  if ((rc = setup(db, path, page_size, err)) != OK) {
    sqlite3_close(db);
    return rc;
  }
  *out = db;
  return OK;
}

void
store_sqlite__tree_init(struct store_sqlite_tree *t, sqlite3 *db)
{
  memset(t, 0, sizeof *t);
  t->db = db;
}

void
store_sqlite__tree_finalize(struct store_sqlite_tree *t)
{
  sqlite3_finalize(t->ins_node);
  sqlite3_finalize(t->get_node);
  sqlite3_finalize(t->get_leaves);
  t->ins_node = t->get_node = t->get_leaves = NULL;
}

static int
prepare(struct store_sqlite_tree *t, const char *sql, sqlite3_stmt **s)
{
  if (*s != NULL)
    return OK;
  if (sqlite3_prepare_v3(t->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) !=
      SQLITE_OK)
    return ERR_STORE;
  return OK;
}

int
store_sqlite__tree_prepare(struct store_sqlite_tree *t)
{
  int rc = prepare(t, sql_node, &t->get_node);

  return rc == OK ? prepare(t, sql_leaves, &t->get_leaves) : rc;
}

int
store_sqlite__tree_put(struct store_sqlite_tree *t, unsigned level,
                       uint64_t index, const uint8_t hash[HASH_SIZE])
{
  sqlite3_stmt *s;
  int rc;

  if (prepare(t, sql_ins_node, &t->ins_node) != OK)
    return ERR_STORE;
  s = t->ins_node;
  sqlite3_bind_int(s, 1, (int)level);
  sqlite3_bind_int64(s, 2, (sqlite3_int64)index);
  sqlite3_bind_blob(s, 3, hash, HASH_SIZE, SQLITE_STATIC);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE ? OK : ERR_STORE;
}

int
store_sqlite__tree_node(struct store_sqlite_tree *t, unsigned level,
                        uint64_t index, uint8_t out[HASH_SIZE])
{
  sqlite3_stmt *s;
  int rc = ERR_NOTFOUND;

  if (prepare(t, sql_node, &t->get_node) != OK)
    return ERR_STORE;
  s = t->get_node;
  sqlite3_bind_int(s, 1, (int)level);
  sqlite3_bind_int64(s, 2, (sqlite3_int64)index);
  if (sqlite3_step(s) == SQLITE_ROW &&
      sqlite3_column_bytes(s, 0) == HASH_SIZE) {
    memcpy(out, sqlite3_column_blob(s, 0), HASH_SIZE);
    rc = OK;
  }
  sqlite3_reset(s);
  return rc;
}

int
store_sqlite__tree_leaves(struct store_sqlite_tree *t, uint64_t start,
                          uint64_t n, uint8_t *out)
{
  sqlite3_stmt *s;
  uint64_t got = 0;

  if (prepare(t, sql_leaves, &t->get_leaves) != OK)
    return ERR_STORE;
  s = t->get_leaves;
  sqlite3_bind_int64(s, 1, (sqlite3_int64)start);
  sqlite3_bind_int64(s, 2, (sqlite3_int64)(start + n));
  while (sqlite3_step(s) == SQLITE_ROW && got < n) {
    if (sqlite3_column_bytes(s, 0) != HASH_SIZE)
      break;
    memcpy(out + got * HASH_SIZE, sqlite3_column_blob(s, 0), HASH_SIZE);
    got++;
  }
  sqlite3_reset(s);
  return got == n ? OK : ERR_NOTFOUND;
}
