/*
 * The SQLite backend: one file, WAL mode, synchronous=FULL. This file holds
 * the connection, the schema, transactions and meta; entries.c the ledger's
 * entries, corrections and tree; rows.c the query tables, cargo lines and
 * rollups; tree.c the connection's set-up and the tree's statements.
 */
#include "store/sqlite/sqlite_int.h"
#include "util/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bulk imports append hundreds of bytes per record to several tables:
 * larger pages mean fewer page splits, frames and syncs (an import of a
 * million records takes a fifth less time than with 4096). */
#define PAGE_SIZE 32768

int
store_sqlite__fail(struct store_db *d, const char *what)
{
  int code = sqlite3_errcode(d->db) & 0xff;
  int rc = store_sqlite__trouble(d, what, code);

  if (rc != 0)
    return rc;
  buf_reset(d->err);
  buf_printf(d->err, "%s: %s", what, d->db ? sqlite3_errmsg(d->db) : "");
  return store_sqlite__code(code);
}

int
store_sqlite__code(int code)
{
  code &= 0xff;
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    return ERR_RETRY;
  return code == SQLITE_FULL ? ERR_NOSPACE : ERR_STORE;
}

int
store_sqlite__exec(struct store_db *d, const char *sql)
{
  char *msg = NULL;
  int rc = sqlite3_exec(d->db, sql, NULL, NULL, &msg);
  int trouble;

  if (rc == SQLITE_OK)
    return OK;
  trouble = store_sqlite__trouble(
      d, strncmp(sql, "BEGIN", 5) == 0 ? _("starting to write") : _("writing"),
      rc & 0xff);
  if (trouble == 0) {
    buf_reset(d->err);
    buf_printf(d->err, "%s", msg ? msg : _("sqlite error"));
  }
  sqlite3_free(msg);
  return trouble != 0 ? trouble : store_sqlite__code(rc);
}

int
store_sqlite__prepare(struct store_db *d, sqlite3_stmt **s, const char *sql,
                      const char *what)
{
  if (*s != NULL)
    return OK;
  if (sqlite3_prepare_v3(d->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) !=
      SQLITE_OK)
    return store_sqlite__fail(d, _(what));
  return OK;
}

sqlite3_int64
store_sqlite__i64(uint64_t v)
{
  return v > (uint64_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)v;
}

/* Runs sql; ignores a failure and leaves the error buffer alone. */
static void
quietly(struct store_db *d, const char *sql)
{
  char *msg = NULL;

  sqlite3_exec(d->db, sql, NULL, NULL, &msg);
  sqlite3_free(msg);
}

static size_t
sq_engine_memory(void)
{
  sqlite3_int64 n = sqlite3_memory_used();

  return n > 0 ? (size_t)n : 0;
}

static void
sq_page_cache(struct store_db *d, unsigned kib)
{
  char sql[64];

  snprintf(sql, sizeof sql, "PRAGMA cache_size = -%u", kib);
  sqlite3_exec(d->db, sql, NULL, NULL, NULL);
}

static int
sq_open(const char *location, const struct store_options *o, struct buf *err,
        struct store_db **out)
{
  struct store_db *d;
  sqlite3 *db = NULL;
  int rc;

  *out = NULL;
  rc = store_sqlite__connect(location, o->create, PAGE_SIZE, &db, err);
  if (rc != OK)
    return rc;
  d = xcalloc(1, sizeof *d);
  d->db = db;
  d->err = err;
  d->path = xstrdup(location);
  d->busy_ms = o->busy_timeout_ms ? o->busy_timeout_ms : STORE_BUSY_TIMEOUT_MS;
  sqlite3_busy_timeout(db, (int)d->busy_ms);
  /* Smaller than the one-shot commands' 256 MiB: a server's handles live
   * as long as it does, and each fills its cache as the store grows. */
  if (o->page_cache_kib)
    sq_page_cache(d, o->page_cache_kib);
  store_sqlite__tree_init(&d->tree, db);
  buf_init(&d->entry_copy);
  buf_init(&d->row_copy);
  *out = d;
  return OK;
}

static void
sq_close(struct store_db *d)
{
  if (d == NULL)
    return;
  if (!sqlite3_get_autocommit(d->db))
    quietly(d, "ROLLBACK");
  store_sqlite__finalize(d);
  sqlite3_finalize(d->ins_writer);
  store_sqlite__tree_finalize(&d->tree);
  sqlite3_close(d->db);
  buf_cleanup(&d->entry_copy);
  buf_cleanup(&d->row_copy);
  free(d->path);
  free(d);
}

static int
sq_schema_version(struct store_db *d, int *version, int *empty)
{
  sqlite3_stmt *s = NULL;
  int rc = ERR_STORE;

  *version = 0;
  *empty = 0;
  if (sqlite3_prepare_v2(d->db, "PRAGMA user_version", -1, &s, NULL) ==
          SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW) {
    *version = sqlite3_column_int(s, 0);
    rc = OK;
  }
  sqlite3_finalize(s);
  if (rc != OK)
    return store_sqlite__fail(d, _("reading the schema version"));
  s = NULL;
  if (sqlite3_prepare_v2(d->db, "SELECT count(*) FROM sqlite_master", -1, &s,
                         NULL) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    *empty = sqlite3_column_int(s, 0) == 0;
  sqlite3_finalize(s);
  return OK;
}

/*
 * Migrations from each version to the next, by the version they start
 * from. Version 1 is the first (made by sq_create_schema); later ones
 * append here.
 */
static const char *const migrations[] = {
    NULL, /* 0 -> 1: a new store, created by sq_create_schema */
    /* 1 -> 2: flows carry a consignment id, checkpoints a route, statuses
     * a direction, and production records have their table. The new
     * columns are appended to old tables (rows.c names its columns, so a
     * column is found wherever its field stands in the kind); old rows
     * leave them NULL, as records without the fields are. */
    "ALTER TABLE flow ADD COLUMN \"consignment\" TEXT;\n"
    "ALTER TABLE checkpoint ADD COLUMN \"route\" TEXT;\n"
    "ALTER TABLE status ADD COLUMN \"direction\" TEXT;\n"
    "CREATE TABLE production (seq INTEGER PRIMARY KEY, \"id\" TEXT, "
    "\"start\" TEXT, \"start_b\" INTEGER, \"start_f\" INTEGER, \"end\" TEXT, "
    "\"end_b\" INTEGER, \"end_f\" INTEGER, \"category\" TEXT, \"quantity\" "
    "REAL, \"unit\" TEXT, \"scope\" TEXT, \"basis\" TEXT, \"source\" TEXT, "
    "\"grade\" TEXT, \"note\" TEXT, \"supersedes\" TEXT);\n",
    store_sqlite__ddl_tokens, /* 2 -> 3: the server's tokens, writers */
    /* 3 -> 4: the signed checkpoints and witnesses' cosignatures (issue
     * 12), two new tables beside the log. */
    store_sqlite__ddl_cosign,
    /* 4 -> 5: the query tables of the kinds import and withdrawal (as
     * store_sqlite__kind_ddl makes them for their fields today; written
     * out, so that a later change of those fields is a step of its own). */
    "CREATE TABLE import (seq INTEGER PRIMARY KEY, \"id\" TEXT, \"at\" TEXT, "
    "\"at_b\" INTEGER, \"at_f\" INTEGER, \"kind\" TEXT, \"files\" TEXT, "
    "\"sha256\" TEXT, \"options\" TEXT, \"first\" REAL, \"entries\" REAL, "
    "\"rows\" REAL, \"added\" REAL, \"unchanged\" REAL, \"created\" REAL, "
    "\"rejected\" REAL, \"source\" TEXT, \"grade\" TEXT, \"note\" TEXT, "
    "\"supersedes\" TEXT);\n"
    "CREATE TABLE withdrawal (seq INTEGER PRIMARY KEY, \"id\" TEXT, \"at\" "
    "TEXT, \"at_b\" INTEGER, \"at_f\" INTEGER, \"kind\" TEXT, \"reason\" "
    "TEXT, \"import\" TEXT, \"source\" TEXT, \"grade\" TEXT, \"note\" "
    "TEXT, \"supersedes\" TEXT);\n",
    /* 5 -> 6: the corridor's rules go in the log (entries of kind
     * STORE_KIND_CORRIDOR, which the entry table holds as it is). No
     * table changes, and nothing is appended to the log, which is not
     * ours to rewrite: the meta copy stays in force until the first
     * amendment (docs/operating.md). */
    "",
    /* 6 -> 7: reconciled day cells (issue 13), the cells and their
     * strings' dictionary, beside the log. The front builds the cells of
     * every day once the step is committed (store.c). */
    store_sqlite__ddl_cells,
    /* 7 -> 8: the saved state's table, made until then on the first save
     * (saved.c), in the schema as PostgreSQL's step makes it with the day
     * cells that backend keeps from this version on. */
    store_sqlite__ddl_saved,
};

static int
sq_create_schema(struct store_db *d)
{
  struct buf b;
  int rc;

  buf_init(&b);
  buf_puts(&b,
           "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) STRICT;\n");
  buf_puts(&b, store_sqlite__ddl_entry);
  buf_puts(&b, store_sqlite__ddl_entry_id);
  buf_puts(&b, store_sqlite__ddl_node);
  buf_puts(&b, "CREATE TABLE supersede (kind INTEGER, id TEXT, by_seq INTEGER,"
               " PRIMARY KEY(kind, id)) WITHOUT ROWID;\n"
               "CREATE TABLE flow_cargo (seq INTEGER, line INTEGER, category "
               "TEXT, quantity REAL, unit TEXT, tonnes REAL, PRIMARY KEY(seq, "
               "line)) WITHOUT ROWID;\n");
  store_sqlite__flow_day_ddl(&b);
  for (int k = 0; k < KIND_COUNT; k++)
    store_sqlite__kind_ddl(&b, record_kind_desc((enum record_kind)k));
  /* A new store has what every later step adds: the query tables above
   * come from today's field tables; the tables no field table describes: */
  buf_puts(&b, store_sqlite__ddl_tokens);
  buf_puts(&b, store_sqlite__ddl_cosign);
  buf_puts(&b, store_sqlite__ddl_cells);
  buf_puts(&b, store_sqlite__ddl_saved);
  buf_printf(&b, "PRAGMA user_version = %d;\n", STORE_SCHEMA_VERSION);
  /* One transaction: a process killed midway leaves an empty file, which
   * the next open makes a store in, not half a schema ("not a Passage
   * store"). */
  rc = store_sqlite__exec(d, "BEGIN IMMEDIATE");
  if (rc == OK)
    rc = store_sqlite__exec(d, b.data);
  if (rc == OK)
    rc = store_sqlite__exec(d, "COMMIT");
  if (rc != OK)
    sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
  buf_cleanup(&b);
  return rc;
}

static int
sq_upgrade(struct store_db *d, int from)
{
  char pragma[64];
  int rc;

  if (from < 0 || (size_t)from >= sizeof migrations / sizeof migrations[0] ||
      migrations[from] == NULL)
    return OK;
  if ((rc = store_sqlite__exec(d, migrations[from])) != OK)
    return rc;
  snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", from + 1);
  return store_sqlite__exec(d, pragma);
}

/* IMMEDIATE: the write lock is taken now, before the front reads the size
 * it numbers entries from; a writer that cannot have it within the busy
 * timeout gets ERR_RETRY. */
static int
sq_begin(struct store_db *d)
{
  return store_sqlite__exec(d, "BEGIN IMMEDIATE");
}

static int
sq_commit(struct store_db *d)
{
  return store_sqlite__exec(d, "COMMIT");
}

static void
sq_rollback(struct store_db *d)
{
  quietly(d, "ROLLBACK");
  if (d->full) {
    /* The frames of a transaction rolled back stay in the WAL file, and
     * the disk stays full: fold in what was committed and cut the file to
     * nothing, so that the space is free again (as far as the checkpoint
     * can finish). */
    d->full = 0;
    quietly(d, "PRAGMA wal_checkpoint(TRUNCATE)");
  }
}

static int
sq_savepoint(struct store_db *d)
{
  return store_sqlite__exec(d, "SAVEPOINT correction");
}

static int
sq_release(struct store_db *d, int undo)
{
  int rc = OK;

  if (undo)
    rc = store_sqlite__exec(d, "ROLLBACK TO correction");
  if (rc == OK)
    rc = store_sqlite__exec(d, "RELEASE correction");
  return rc;
}

/* A deferred transaction: its first read (the front's size) fixes the WAL
 * snapshot that every later read of it sees. */
static int
sq_read_begin(struct store_db *d)
{
  return store_sqlite__exec(d, "BEGIN");
}

static void
sq_read_end(struct store_db *d)
{
  quietly(d, "COMMIT");
}

static int
sq_get_meta(struct store_db *d, const char *key, char **out)
{
  sqlite3_stmt *s = NULL;
  int rc = ERR_NOTFOUND;

  *out = NULL;
  if (sqlite3_prepare_v2(d->db, "SELECT value FROM meta WHERE key = ?", -1, &s,
                         NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("reading meta"));
  sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step(s) == SQLITE_ROW) {
    const char *v = (const char *)sqlite3_column_text(s, 0);
    *out = xstrdup(v ? v : "");
    rc = OK;
  }
  sqlite3_finalize(s);
  return rc;
}

static int
sq_set_meta(struct store_db *d, const char *key, const char *value)
{
  sqlite3_stmt *s = NULL;
  int rc = OK;

  if (sqlite3_prepare_v2(d->db, "INSERT INTO meta(key, value) VALUES(?, ?)", -1,
                         &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("writing meta"));
  sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
  if (sqlite3_step(s) != SQLITE_DONE)
    rc = store_sqlite__fail(d, _("writing meta"));
  sqlite3_finalize(s);
  return rc;
}

const struct store_backend store__sqlite_backend = {
    .name = "SQLite",
    .open = sq_open,
    .close = sq_close,
    .page_cache = sq_page_cache,
    .engine_memory = sq_engine_memory,
    .schema_version = sq_schema_version,
    .create_schema = sq_create_schema,
    .upgrade = sq_upgrade,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .get_meta = sq_get_meta,
    .set_meta = sq_set_meta,
    .size = store_sqlite__size,
    .put_entry = store_sqlite__put_entry,
    .get_entry = store_sqlite__get_entry,
    .each_entry = store_sqlite__each_entry,
    .each_live = store_sqlite__each_live,
    .each_live_row = store_sqlite__each_live_row,
    .each_value = store_sqlite__each_value,
    .each_flow_overlap = store_sqlite__each_flow_overlap,
    .each_changed_span = store_sqlite__each_changed_span,
    .each_flow_checkpoint = store_sqlite__each_flow_checkpoint,
    .replace_meta = store_sqlite__replace_meta,
    .put_code = store_sqlite__put_code,
    .each_code = store_sqlite__each_code,
    .put_cells = store_sqlite__put_cells,
    .clear_cells = store_sqlite__clear_cells,
    .each_cells = store_sqlite__each_cells,
    .each_flow_near = store_sqlite__each_flow_near,
    .get_saved = store_sqlite__get_saved,
    .put_saved = store_sqlite__put_saved,
    .each_saved = store_sqlite__each_saved,
    .leaves = store_sqlite__leaves,
    .put_node = store_sqlite__put_node,
    .get_node = store_sqlite__get_node,
    .put_row = store_sqlite__put_row,
    .get_row = store_sqlite__get_row,
    .each_cargo = store_sqlite__each_cargo,
    .each_name = store_sqlite__each_name,
    .put_supersede = store_sqlite__put_supersede,
    .get_supersede = store_sqlite__get_supersede,
    .add_flow_day = store_sqlite__add_flow_day,
    .each_flow_day = store_sqlite__each_flow_day,
    .flow_day_span = store_sqlite__flow_day_span,
    .count = store_sqlite__count,
    .put_token = store_sqlite__put_token,
    .find_token = store_sqlite__find_token,
    .each_token = store_sqlite__each_token,
    .revoke_token = store_sqlite__revoke_token,
    .put_writer = store_sqlite__put_writer,
    .get_writer = store_sqlite__get_writer,
    .each_writer = store_sqlite__each_writer,
    .put_checkpoint = store_sqlite__put_checkpoint,
    .get_checkpoint = store_sqlite__get_checkpoint,
    .put_cosignature = store_sqlite__put_cosignature,
    .each_cosignature = store_sqlite__each_cosignature,
    .witness_size = store_sqlite__witness_size,
    .next_cosigned = store_sqlite__next_cosigned,
    .uses = store_sqlite__uses,
};
