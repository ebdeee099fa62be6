/*
 * The SQLite store. Tables:
 *   meta(key, value)              corridor file, schema facts
 *   entry(seq, kind, id, hash, bytes)  the ledger; insert-only
 *   node(level, idx, hash)        Merkle perfect-subtree hashes (ledger.h)
 *   supersede(kind, id, by_seq)   which records a later one corrects
 *   <kind>(seq, id, fields...)    one query table per record kind
 *   flow_cargo(seq, line, ...)    the cargo lines of flows
 *   flow_day(day, dims..., sums)  daily rollups of live flows
 * Schema version in PRAGMA user_version; migrations run at open.
 */
#include "store/store_int.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "corridor/corridor.h"
#include "ledger/ledger.h"

struct store {
  sqlite3 *db;
  char *path;
  struct corridor *corridor;
  char **categories; /* the corridor's category ids, NULL-terminated */
  struct buf err;
  uint64_t size;
  int in_tx;
  struct ledger_frontier *frontier;
  struct rollup *rollup;
  sqlite3_stmt *ins_entry, *get_entry, *ins_node, *ins_cargo;
  sqlite3_stmt *ins_kind[KIND_COUNT];
  sqlite3_stmt *get_supersede, *ins_supersede;
  sqlite3_stmt *get_leaves, *get_node; /* the tree's reads, on first use */
  struct buf sql;
};

const char *const store_dim_names[DIM_COUNT] = {
    "day",       "week",    "month",    "year",     "checkpoint",
    "direction", "vehicle", "category", "operator", "purpose",
    "source",    "grade",   "stage",    "outcome"};
const char *const store_measure_names[M_COUNT] = {"records", "vehicles",
                                                  "persons", "tonnes"};
/* The rollup table's measure columns: the measures, then their counts. */
static const char *const measure_columns[M_ALL] = {
    "records",    "vehicles",  "persons", "tonnes",
    "vehicles_n", "persons_n", "tonnes_n"};

static int
fail(struct store *st, int code, const char *what)
{
  buf_reset(&st->err);
  buf_printf(&st->err, "%s: %s", what, st->db ? sqlite3_errmsg(st->db) : "");
  return code;
}

static int
exec(struct store *st, const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    buf_reset(&st->err);
    buf_printf(&st->err, "%s", msg ? msg : "sqlite error");
    sqlite3_free(msg);
    return ERR_STORE;
  }
  return OK;
}

static const char *
sql_type(const struct field_desc *f)
{
  switch (f->type) {
  case FT_COUNT:
  case FT_NUMBER:
    return "REAL";
  default:
    return "TEXT";
  }
}

/* The query table of a kind, generated from its field description. */
static void
kind_ddl(struct buf *b, const struct kind_desc *k)
{
  buf_printf(b, "CREATE TABLE %s (seq INTEGER PRIMARY KEY", k->name);
  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *f = &k->fields[i];
    if (f->flags & (FF_CARGO | FF_INPUT))
      continue;
    buf_printf(b, ", \"%s\" %s", f->name, sql_type(f));
    if (f->type == FT_TIME)
      buf_printf(b, ", \"%s_b\" INTEGER, \"%s_f\" INTEGER", f->name, f->name);
  }
  buf_puts(b, ");\n");
  if (k->kind == KIND_flow)
    buf_puts(b, "CREATE INDEX flow_cp_day ON flow(checkpoint, start_b);\n");
  else if (record_field_index(k, "checkpoint") >= 0 &&
           record_field_index(k, "at") >= 0)
    buf_printf(b, "CREATE INDEX %s_cp_at ON %s(checkpoint, at_b);\n", k->name,
               k->name);
}

static int
create_schema(struct store *st)
{
  struct buf b;
  int rc;

  buf_init(&b);
  buf_puts(&b,
           "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) STRICT;\n"
           "CREATE TABLE entry (seq INTEGER PRIMARY KEY, kind INTEGER NOT "
           "NULL, id TEXT NOT NULL, hash BLOB NOT NULL, bytes BLOB NOT NULL);\n"
           "CREATE UNIQUE INDEX entry_id ON entry(kind, id);\n"
           "CREATE TABLE node (level INTEGER, idx INTEGER, hash BLOB NOT NULL,"
           " PRIMARY KEY(level, idx)) WITHOUT ROWID;\n"
           "CREATE TABLE supersede (kind INTEGER, id TEXT, by_seq INTEGER,"
           " PRIMARY KEY(kind, id)) WITHOUT ROWID;\n"
           "CREATE TABLE flow_cargo (seq INTEGER, line INTEGER, category TEXT,"
           " quantity REAL, unit TEXT, tonnes REAL, PRIMARY KEY(seq, line))"
           " WITHOUT ROWID;\n");
  /* The rollups' key columns come from the rollup's own list. */
  buf_puts(&b, "CREATE TABLE flow_day (day INTEGER");
  for (int i = 0; i < ROLLUP_NKEY; i++)
    buf_printf(&b, ", %s TEXT", store_dim_names[rollup_key_dims[i]]);
  for (int m = 0; m < M_ALL; m++)
    buf_printf(&b, ", %s REAL", measure_columns[m]);
  buf_puts(&b, ", PRIMARY KEY(day");
  for (int i = 0; i < ROLLUP_NKEY; i++)
    buf_printf(&b, ", %s", store_dim_names[rollup_key_dims[i]]);
  buf_puts(&b, ")) WITHOUT ROWID;\n");
  for (int k = 0; k < KIND_COUNT; k++)
    kind_ddl(&b, record_kind_desc((enum record_kind)k));
  buf_printf(&b, "PRAGMA user_version = %d;\n", STORE_SCHEMA_VERSION);
  rc = exec(st, b.data);
  buf_cleanup(&b);
  return rc;
}

/*
 * Migrations from each older version to the next, run in order inside one
 * transaction. Version 1 is the first; later ones append here.
 */
static const char *const migrations[] = {
    NULL, /* 0 -> 1: a new store, created by create_schema */
};

static int
user_version(struct store *st, int *v)
{
  sqlite3_stmt *s = NULL;
  int rc = ERR_STORE;

  *v = 0;
  if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) ==
          SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW) {
    *v = sqlite3_column_int(s, 0);
    rc = OK;
  }
  sqlite3_finalize(s);
  return rc == OK ? OK : fail(st, ERR_STORE, "reading the schema version");
}

static int
migrate(struct store *st, int from)
{
  int rc = OK;

  if (from > STORE_SCHEMA_VERSION) {
    buf_reset(&st->err);
    buf_printf(&st->err,
               "%s was written by a newer Passage (schema %d, this one knows "
               "%d)",
               st->path, from, STORE_SCHEMA_VERSION);
    return ERR_STORE;
  }
  if (from == STORE_SCHEMA_VERSION)
    return OK;
  if ((rc = exec(st, "BEGIN IMMEDIATE")) != OK)
    return rc;
  for (int v = from; v < STORE_SCHEMA_VERSION && rc == OK; v++) {
    if (migrations[v]) {
      char pragma[64];
      rc = exec(st, migrations[v]);
      snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
      if (rc == OK)
        rc = exec(st, pragma);
    }
  }
  if (rc == OK)
    return exec(st, "COMMIT");
  exec(st, "ROLLBACK");
  return rc;
}

static int
get_meta(struct store *st, const char *key, char **out)
{
  sqlite3_stmt *s = NULL;
  int rc = ERR_NOTFOUND;

  *out = NULL;
  if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?", -1, &s,
                         NULL) != SQLITE_OK)
    return fail(st, ERR_STORE, "reading meta");
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
set_meta(struct store *st, const char *key, const char *value)
{
  sqlite3_stmt *s = NULL;
  int rc = OK;

  if (sqlite3_prepare_v2(st->db, "INSERT INTO meta(key, value) VALUES(?, ?)",
                         -1, &s, NULL) != SQLITE_OK)
    return fail(st, ERR_STORE, "writing meta");
  sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
  if (sqlite3_step(s) != SQLITE_DONE)
    rc = fail(st, ERR_STORE, "writing meta");
  sqlite3_finalize(s);
  return rc;
}

/* Days are local to the corridor: the process works in its time zone. */
static void
use_corridor(struct store *st, struct corridor *c)
{
  size_t n = c->ncategories;

  corridor_free(st->corridor);
  st->corridor = c;
  free(st->categories);
  st->categories = xcalloc(n + 1, sizeof(char *));
  for (size_t i = 0; i < n; i++)
    st->categories[i] = c->categories[i].id;
  setenv("TZ", c->timezone, 1);
  tzset();
}

static int
load_corridor(struct store *st)
{
  char *text = NULL, *name = NULL;
  struct corridor *c = NULL;
  struct buf e;
  int rc;

  buf_init(&e);
  rc = get_meta(st, "corridor", &text);
  if (rc == ERR_NOTFOUND) {
    buf_reset(&st->err);
    buf_printf(&st->err,
               "%s is not initialised: run 'passage init --corridor FILE'",
               st->path);
    rc = ERR_NOTFOUND;
    goto out;
  }
  if (rc != OK)
    goto out;
  get_meta(st, "corridor_file", &name);
  if (text[0] == '\0') {
    char *cname = NULL;
    get_meta(st, "corridor_name", &cname);
    c = corridor_new_default(cname ? cname : "corridor");
    free(cname);
  } else {
    rc = corridor_parse(name ? name : "corridor", text, strlen(text), &c, &e);
    if (rc != OK) {
      buf_reset(&st->err);
      buf_printf(&st->err, "the stored corridor file is invalid: %s",
                 e.data ? e.data : "");
      goto out;
    }
  }
  use_corridor(st, c);
out:
  free(text);
  free(name);
  buf_cleanup(&e);
  return rc;
}

static int
prepare(struct store *st, const char *sql, sqlite3_stmt **s)
{
  if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL) !=
      SQLITE_OK)
    return fail(st, ERR_STORE, "preparing a statement");
  return OK;
}

static int
prepare_all(struct store *st)
{
  int rc;

  if ((rc = prepare(st,
                    "INSERT INTO entry(seq, kind, id, hash, bytes) "
                    "VALUES(?,?,?,?,?)",
                    &st->ins_entry)) != OK ||
      (rc =
           prepare(st, "SELECT seq, bytes FROM entry WHERE kind = ? AND id = ?",
                   &st->get_entry)) != OK ||
      (rc = prepare(st, "INSERT INTO node(level, idx, hash) VALUES(?,?,?)",
                    &st->ins_node)) != OK ||
      (rc = prepare(st,
                    "INSERT INTO flow_cargo(seq, line, category, quantity, "
                    "unit, tonnes) VALUES(?,?,?,?,?,?)",
                    &st->ins_cargo)) != OK ||
      (rc =
           prepare(st, "SELECT by_seq FROM supersede WHERE kind = ? AND id = ?",
                   &st->get_supersede)) != OK ||
      (rc = prepare(st, "INSERT INTO supersede(kind, id, by_seq) VALUES(?,?,?)",
                    &st->ins_supersede)) != OK)
    return rc;
  for (int k = 0; k < KIND_COUNT; k++) {
    const struct kind_desc *kd = record_kind_desc((enum record_kind)k);
    struct buf b;
    int nparam = 1;
    buf_init(&b);
    buf_printf(&b, "INSERT INTO %s VALUES(?", kd->name);
    for (size_t i = 0; i < kd->nfields; i++) {
      const struct field_desc *f = &kd->fields[i];
      if (f->flags & (FF_CARGO | FF_INPUT))
        continue;
      nparam += f->type == FT_TIME ? 3 : 1;
      buf_puts(&b, f->type == FT_TIME ? ",?,?,?" : ",?");
    }
    buf_puts(&b, ")");
    rc = prepare(st, b.data, &st->ins_kind[k]);
    buf_cleanup(&b);
    if (rc != OK)
      return rc;
  }
  return OK;
}

static int
count_entries(struct store *st)
{
  sqlite3_stmt *s = NULL;

  st->size = 0;
  if (sqlite3_prepare_v2(st->db, "SELECT coalesce(max(seq) + 1, 0) FROM entry",
                         -1, &s, NULL) != SQLITE_OK)
    return fail(st, ERR_STORE, "counting entries");
  if (sqlite3_step(s) == SQLITE_ROW)
    st->size = (uint64_t)sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return OK;
}

int
store_open(const char *path, int create, struct store **out, struct buf *err)
{
  struct store *st = xcalloc(1, sizeof *st);
  /* A handle is used by one thread at a time (store.h), so SQLite's own
   * locking of it on every call is pure cost. */
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
              (create ? SQLITE_OPEN_CREATE : 0);
  int version = 0;
  int rc;

  *out = NULL;
  buf_init(&st->err);
  buf_init(&st->sql);
  st->path = xstrdup(path);
  st->rollup = rollup_new();
  if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
    if (!create && access(path, F_OK) != 0)
      buf_printf(err,
                 "there is no store at %s: create one with 'passage init "
                 "--corridor FILE', or name another with --db PATH or "
                 "PASSAGE_DB",
                 path);
    else
      buf_printf(err, "cannot open %s: %s", path,
                 st->db ? sqlite3_errmsg(st->db) : "out of memory");
    rc = ERR_IO;
    goto out;
  }
  sqlite3_busy_timeout(st->db, 5000);
  sqlite3_extended_result_codes(st->db, 1);
  /* The page size counts only for a new file, and must come before WAL.
   * Bulk imports append hundreds of bytes per record to several tables:
   * larger pages mean fewer page splits, frames and syncs (an import of
   * a million records takes a fifth less time than with 4096). */
  rc = exec(st, "PRAGMA page_size = 32768;"
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;");
  if (rc == OK)
    rc = user_version(st, &version);
  if (rc == OK && version == 0) {
    /* A file with tables but no version is not ours. */
    sqlite3_stmt *s = NULL;
    int tables = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_master", -1, &s,
                           NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
      tables = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (tables > 0) {
      buf_printf(err, "%s is not a Passage store", path);
      rc = ERR_STORE;
      goto out;
    }
    if (!create) {
      buf_printf(err, "%s is not initialised: run 'passage init'", path);
      rc = ERR_NOTFOUND;
      goto out;
    }
    rc = create_schema(st);
  } else if (rc == OK) {
    rc = migrate(st, version);
  }
  if (rc == OK)
    rc = prepare_all(st);
  if (rc == OK)
    rc = count_entries(st);
  if (rc == OK && !(create && version == 0)) {
    rc = load_corridor(st);
    if (rc == ERR_NOTFOUND && create)
      rc = OK; /* init will store it */
  }
  if (rc != OK) {
    if (err->len == 0)
      buf_puts(err, st->err.data ? st->err.data : util_strerror(rc));
    goto out;
  }
  *out = st;
  st = NULL;
out:
  store_close(st);
  return rc;
}

void
store_close(struct store *st)
{
  if (st == NULL)
    return;
  if (st->in_tx)
    store_rollback(st);
  sqlite3_finalize(st->ins_entry);
  sqlite3_finalize(st->get_entry);
  sqlite3_finalize(st->ins_node);
  sqlite3_finalize(st->ins_cargo);
  sqlite3_finalize(st->get_supersede);
  sqlite3_finalize(st->ins_supersede);
  sqlite3_finalize(st->get_leaves);
  sqlite3_finalize(st->get_node);
  for (int k = 0; k < KIND_COUNT; k++)
    sqlite3_finalize(st->ins_kind[k]);
  sqlite3_close(st->db);
  corridor_free(st->corridor);
  free(st->categories);
  ledger_frontier_free(st->frontier);
  rollup_free(st->rollup);
  buf_cleanup(&st->err);
  buf_cleanup(&st->sql);
  free(st->path);
  free(st);
}

struct sqlite3 *
store__db(struct store *st)
{
  return st->db;
}

void
store__set_error(struct store *st, const char *fmt, ...)
{
  va_list ap;

  buf_reset(&st->err);
  va_start(ap, fmt);
  buf_vprintf(&st->err, fmt, ap);
  va_end(ap);
}

const char *
store_errmsg(const struct store *st)
{
  return st->err.data ? st->err.data : "";
}

const struct corridor *
store_corridor(const struct store *st)
{
  return st->corridor;
}

const char *const *
store_categories(const struct store *st)
{
  return (const char *const *)st->categories;
}

int
store_init(struct store *st, const char *name, const char *text)
{
  struct corridor *c = NULL;
  char *existing = NULL;
  struct buf e;
  int rc;

  buf_init(&e);
  if (get_meta(st, "corridor", &existing) == OK) {
    free(existing);
    buf_reset(&st->err);
    buf_printf(&st->err, "%s is already initialised", st->path);
    return ERR_EXISTS;
  }
  if (text) {
    rc = corridor_parse(name, text, strlen(text), &c, &e);
    if (rc != OK) {
      buf_reset(&st->err);
      buf_puts(&st->err, e.data ? e.data : "invalid corridor file");
      buf_cleanup(&e);
      return rc;
    }
  } else {
    c = corridor_new_default("corridor");
  }
  buf_cleanup(&e);
  rc = exec(st, "BEGIN IMMEDIATE");
  if (rc == OK)
    rc = set_meta(st, "corridor", text ? text : "");
  if (rc == OK)
    rc = set_meta(st, "corridor_file", name ? name : "");
  if (rc == OK)
    rc = set_meta(st, "corridor_name", c->name);
  if (rc == OK)
    rc = exec(st, "COMMIT");
  else
    exec(st, "ROLLBACK");
  if (rc != OK) {
    corridor_free(c);
    return rc;
  }
  use_corridor(st, c);
  return OK;
}

/*
 * Reads leaf hashes for the Merkle tree from the entry table. This and
 * src_node prepare their statements on first use and keep them until
 * store_close: a proof makes a few dozen reads, and preparing a statement
 * for each cost about as much as the read itself (bench/ledger,
 * docs/BENCHMARKS.md). Each call resets its statement before returning,
 * which also ends the read transaction the statement opened.
 */
static int
src_leaves(void *ctx, uint64_t start, uint64_t n, uint8_t *out)
{
  struct store *st = ctx;
  sqlite3_stmt *s;
  uint64_t got = 0;

  if (st->get_leaves == NULL &&
      sqlite3_prepare_v3(st->db,
                         "SELECT hash FROM entry WHERE seq >= ? AND seq < ? "
                         "ORDER BY seq",
                         -1, SQLITE_PREPARE_PERSISTENT, &st->get_leaves,
                         NULL) != SQLITE_OK)
    return fail(st, ERR_STORE, "reading leaf hashes");
  s = st->get_leaves;
  sqlite3_bind_int64(s, 1, (sqlite3_int64)start);
  sqlite3_bind_int64(s, 2, (sqlite3_int64)(start + n));
  while (sqlite3_step(s) == SQLITE_ROW && got < n) {
    if (sqlite3_column_bytes(s, 0) != LEDGER_HASH_SIZE)
      break;
    memcpy(out + got * LEDGER_HASH_SIZE, sqlite3_column_blob(s, 0),
           LEDGER_HASH_SIZE);
    got++;
  }
  sqlite3_reset(s);
  return got == n ? OK : ERR_NOTFOUND;
}

static int
src_node(void *ctx, unsigned level, uint64_t index, uint8_t out[32])
{
  struct store *st = ctx;
  sqlite3_stmt *s;
  int rc = ERR_NOTFOUND;

  if (st->get_node == NULL &&
      sqlite3_prepare_v3(
          st->db, "SELECT hash FROM node WHERE level = ? AND idx = ?", -1,
          SQLITE_PREPARE_PERSISTENT, &st->get_node, NULL) != SQLITE_OK)
    return fail(st, ERR_STORE, "reading tree nodes");
  s = st->get_node;
  sqlite3_bind_int(s, 1, (int)level);
  sqlite3_bind_int64(s, 2, (sqlite3_int64)index);
  if (sqlite3_step(s) == SQLITE_ROW &&
      sqlite3_column_bytes(s, 0) == LEDGER_HASH_SIZE) {
    memcpy(out, sqlite3_column_blob(s, 0), LEDGER_HASH_SIZE);
    rc = OK;
  }
  sqlite3_reset(s);
  return rc;
}

void
store_ledger_source(struct store *st, struct ledger_source *src)
{
  src->ctx = st;
  src->leaves = src_leaves;
  src->node = src_node;
}

int
store_begin(struct store *st)
{
  struct ledger_source src;
  int rc;

  if ((rc = exec(st, "BEGIN IMMEDIATE")) != OK)
    return rc;
  if ((rc = count_entries(st)) != OK)
    goto fail;
  rollup_clear(st->rollup);
  ledger_frontier_free(st->frontier);
  st->frontier = ledger_frontier_new();
  store_ledger_source(st, &src);
  rc = ledger_frontier_load(st->frontier, &src, st->size);
  if (rc != OK) {
    buf_reset(&st->err);
    buf_puts(&st->err, "cannot resume the Merkle tree: the log is damaged "
                       "(run 'passage verify')");
    goto fail;
  }
  st->in_tx = 1;
  return OK;
fail:
  exec(st, "ROLLBACK");
  return rc;
}

static int
flush_row(void *ctx, const struct flow_row *row)
{
  const enum flow_dim *dims = rollup_key_dims;
  sqlite3_stmt *s = ctx;
  int p = 1;

  sqlite3_reset(s);
  sqlite3_bind_int64(s, p++, row->day);
  for (size_t i = 0; i < ROLLUP_NKEY; i++)
    sqlite3_bind_text(s, p++, row->dim[dims[i]], -1, SQLITE_STATIC);
  for (int m = 0; m < M_ALL; m++)
    sqlite3_bind_double(s, p++, row->m[m]);
  return sqlite3_step(s) == SQLITE_DONE ? OK : ERR_STORE;
}

int
store_commit(struct store *st)
{
  sqlite3_stmt *s = NULL;
  int rc;

  if (!st->in_tx)
    return ERR_USAGE;
  buf_reset(&st->sql);
  buf_puts(&st->sql, "INSERT INTO flow_day VALUES(?");
  for (int i = 0; i < ROLLUP_NKEY + M_ALL; i++)
    buf_puts(&st->sql, ",?");
  buf_puts(&st->sql, ") ON CONFLICT DO UPDATE SET ");
  for (int m = 0; m < M_ALL; m++)
    buf_printf(&st->sql, "%s%s = %s + excluded.%s", m ? ", " : "",
               measure_columns[m], measure_columns[m], measure_columns[m]);
  if (sqlite3_prepare_v2(st->db, st->sql.data, -1, &s, NULL) != SQLITE_OK) {
    rc = fail(st, ERR_STORE, "updating rollups");
    goto fail;
  }
  rc = rollup_each_sorted(st->rollup, flush_row, s);
  sqlite3_finalize(s);
  if (rc != OK) {
    rc = fail(st, ERR_STORE, "updating rollups");
    goto fail;
  }
  if ((rc = exec(st, "COMMIT")) != OK)
    goto fail;
  st->in_tx = 0;
  rollup_clear(st->rollup);
  return OK;
fail:
  store_rollback(st);
  return rc;
}

void
store_rollback(struct store *st)
{
  char *msg = NULL;

  sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, &msg);
  sqlite3_free(msg);
  st->in_tx = 0;
  rollup_clear(st->rollup);
  ledger_frontier_free(st->frontier);
  st->frontier = NULL;
  count_entries(st);
}

static int
emit_node(void *ctx, unsigned level, uint64_t index, const uint8_t hash[32])
{
  struct store *st = ctx;
  sqlite3_stmt *s = st->ins_node;

  sqlite3_reset(s);
  sqlite3_bind_int(s, 1, (int)level);
  sqlite3_bind_int64(s, 2, (sqlite3_int64)index);
  sqlite3_bind_blob(s, 3, hash, LEDGER_HASH_SIZE, SQLITE_STATIC);
  return sqlite3_step(s) == SQLITE_DONE ? OK : ERR_STORE;
}

/* Compares a record's bytes with the entry already stored under its id. */
static int
existing(struct store *st, const struct record *rec, const char *id,
         const char *bytes, size_t len, enum store_put_result *result)
{
  sqlite3_stmt *s = st->get_entry;
  int rc = ERR_STORE;

  sqlite3_reset(s);
  sqlite3_bind_int(s, 1, rec->kind->kind);
  sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
  if (sqlite3_step(s) == SQLITE_ROW) {
    size_t n = (size_t)sqlite3_column_bytes(s, 1);
    if (n == len && memcmp(sqlite3_column_blob(s, 1), bytes, len) == 0) {
      *result = STORE_UNCHANGED;
      rc = OK;
    } else {
      buf_reset(&st->err);
      buf_printf(&st->err,
                 "%s '%s' is already stored (entry %lld) with different "
                 "content; to correct it, add a record with a new id and "
                 "supersedes=%s",
                 rec->kind->name, id, (long long)sqlite3_column_int64(s, 0),
                 id);
      rc = ERR_CONFLICT;
    }
  } else {
    fail(st, ERR_STORE, "looking up an id");
  }
  sqlite3_reset(s);
  return rc;
}

static int
bind_query_row(struct store *st, const struct record *rec, uint64_t seq)
{
  const struct kind_desc *k = rec->kind;
  sqlite3_stmt *s = st->ins_kind[k->kind];
  const char *parsed = NULL; /* the time that b and e are the bounds of */
  int64_t b = 0, e = 0;
  int p = 1;

  /* Every parameter is bound below, NULL for a missing value: cheaper
   * than sqlite3_clear_bindings() first. */
  sqlite3_reset(s);
  sqlite3_bind_int64(s, p++, (sqlite3_int64)seq);
  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *f = &k->fields[i];
    const struct record_value *v = &rec->v[i];
    if (f->flags & (FF_CARGO | FF_INPUT))
      continue;
    if (!v->set) {
      for (int n = f->type == FT_TIME ? 3 : 1; n > 0; n--)
        sqlite3_bind_null(s, p++);
      continue;
    }
    if (f->type == FT_COUNT || f->type == FT_NUMBER) {
      sqlite3_bind_double(s, p++, v->num);
    } else {
      sqlite3_bind_text(s, p++, record_text(rec, v), (int)v->len,
                        SQLITE_STATIC);
      if (f->type == FT_TIME) {
        /* An end is most often its start again: parse that once. */
        if (parsed == NULL || strcmp(parsed, record_text(rec, v)) != 0) {
          parsed = record_text(rec, v);
          record_time_bounds(parsed, store__tz_offset, NULL, &b, &e);
        }
        sqlite3_bind_int64(s, p++, b);
        sqlite3_bind_int64(s, p++, e);
      }
    }
  }
  if (sqlite3_step(s) != SQLITE_DONE)
    return fail(st, ERR_STORE, "writing a query row");
  if (k->kind != KIND_flow)
    return OK;
  for (size_t i = 0; i < rec->ncargo; i++) {
    const struct cargo_line *c = &rec->cargo[i];
    double t = record_cargo_tonnes(rec, i);
    s = st->ins_cargo;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
    sqlite3_bind_int(s, 2, (int)i);
    sqlite3_bind_text(s, 3, record_text(rec, &c->category), -1, SQLITE_STATIC);
    if (c->quantity.set)
      sqlite3_bind_double(s, 4, c->quantity.num);
    if (c->unit.set)
      sqlite3_bind_text(s, 5, record_text(rec, &c->unit), -1, SQLITE_STATIC);
    if (t >= 0)
      sqlite3_bind_double(s, 6, t);
    if (sqlite3_step(s) != SQLITE_DONE)
      return fail(st, ERR_STORE, "writing a cargo line");
  }
  return OK;
}

/*
 * A correction: the superseded record must exist and not be superseded
 * already (corrections form a chain, never a fork). Its flows leave the
 * rollups.
 */
static int
supersede(struct store *st, const struct record *rec, const char *target,
          uint64_t seq)
{
  sqlite3_stmt *s = st->get_supersede;
  struct record old;
  struct buf e;
  int rc = OK;

  sqlite3_reset(s);
  sqlite3_bind_int(s, 1, rec->kind->kind);
  sqlite3_bind_text(s, 2, target, -1, SQLITE_STATIC);
  if (sqlite3_step(s) == SQLITE_ROW) {
    long long by = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    buf_reset(&st->err);
    buf_printf(&st->err,
               "supersedes: %s '%s' is already superseded (by entry %lld); "
               "supersede the newer record instead",
               rec->kind->name, target, by);
    return ERR_INVALID;
  }
  sqlite3_reset(s);

  s = st->get_entry;
  sqlite3_reset(s);
  sqlite3_bind_int(s, 1, rec->kind->kind);
  sqlite3_bind_text(s, 2, target, -1, SQLITE_STATIC);
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_reset(s);
    buf_reset(&st->err);
    buf_printf(&st->err, "supersedes: no %s with id '%s'", rec->kind->name,
               target);
    return ERR_INVALID;
  }
  record_init(&old, rec->kind->kind);
  buf_init(&e);
  if (rec->kind->kind == KIND_flow) {
    rc =
        record_from_json(&old, rec->kind->kind, NULL, sqlite3_column_blob(s, 1),
                         (size_t)sqlite3_column_bytes(s, 1), &e);
    if (rc == OK)
      rollup_add_record(st->rollup, &old, -1, store__tz_offset);
  }
  sqlite3_reset(s);
  record_cleanup(&old);
  buf_cleanup(&e);
  if (rc != OK) {
    buf_reset(&st->err);
    buf_printf(&st->err, "supersedes: the stored %s '%s' cannot be read",
               rec->kind->name, target);
    return ERR_STORE;
  }
  s = st->ins_supersede;
  sqlite3_reset(s);
  sqlite3_bind_int(s, 1, rec->kind->kind);
  sqlite3_bind_text(s, 2, target, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 3, (sqlite3_int64)seq);
  if (sqlite3_step(s) != SQLITE_DONE)
    return fail(st, ERR_STORE, "recording a correction");
  return OK;
}

int
store_put(struct store *st, const struct record *rec, const char *bytes,
          size_t len, enum store_put_result *result)
{
  uint8_t hash[LEDGER_HASH_SIZE];

  ledger_leaf_hash(bytes, len, hash);
  return store_put_hashed(st, rec, bytes, len, hash, result);
}

int
store_put_hashed(struct store *st, const struct record *rec, const char *bytes,
                 size_t len, const uint8_t hash[LEDGER_HASH_SIZE],
                 enum store_put_result *result)
{
  const char *id = record_get(rec, "id");
  const char *target = record_get(rec, "supersedes");
  sqlite3_stmt *s = st->ins_entry;
  uint64_t seq = st->size;
  int rc;

  *result = STORE_ADDED;
  if (!st->in_tx || id == NULL)
    return ERR_USAGE;
  /* A correction may be refused after its entry is written: only then is a
   * savepoint worth its cost. */
  if (target && (rc = exec(st, "SAVEPOINT correction")) != OK)
    return rc;
  sqlite3_reset(s);
  sqlite3_bind_int64(s, 1, (sqlite3_int64)seq);
  sqlite3_bind_int(s, 2, rec->kind->kind);
  sqlite3_bind_text(s, 3, id, -1, SQLITE_STATIC);
  sqlite3_bind_blob(s, 4, hash, LEDGER_HASH_SIZE, SQLITE_STATIC);
  sqlite3_bind_blob(s, 5, bytes, (int)len, SQLITE_STATIC);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    if (target)
      exec(st, "RELEASE correction");
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
      return existing(st, rec, id, bytes, len, result);
    return fail(st, ERR_STORE, "appending an entry");
  }
  if (target) {
    rc = supersede(st, rec, target, seq);
    if (rc != OK) {
      struct buf keep;
      buf_init(&keep);
      buf_puts(&keep, store_errmsg(st));
      exec(st, "ROLLBACK TO correction");
      exec(st, "RELEASE correction");
      buf_reset(&st->err);
      buf_puts(&st->err, keep.data ? keep.data : "");
      buf_cleanup(&keep);
      return rc;
    }
    if ((rc = exec(st, "RELEASE correction")) != OK)
      return rc;
  }
  if ((rc = bind_query_row(st, rec, seq)) != OK)
    return rc;
  if (rec->kind->kind == KIND_flow)
    rollup_add_record(st->rollup, rec, 1, store__tz_offset);
  rc = ledger_frontier_append(st->frontier, hash, emit_node, st);
  if (rc != OK)
    return fail(st, ERR_STORE, "writing tree nodes");
  st->size = seq + 1;
  return OK;
}

int
store_has(struct store *st, enum record_kind kind, const char *id)
{
  sqlite3_stmt *s = st->get_entry;
  int found;

  sqlite3_reset(s);
  sqlite3_bind_int(s, 1, kind);
  sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
  found = sqlite3_step(s) == SQLITE_ROW;
  sqlite3_reset(s);
  return found;
}

int
store_find_entry(struct store *st, int kind, const char *id, uint64_t *seq)
{
  sqlite3_stmt *s = st->get_entry;
  int found = 0, rc = OK;

  *seq = 0;
  for (int k = kind < 0 ? 0 : kind; k < (kind < 0 ? KIND_COUNT : kind + 1);
       k++) {
    int step;
    sqlite3_reset(s);
    sqlite3_bind_int(s, 1, k);
    sqlite3_bind_text(s, 2, id, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
      if (found++ == 0)
        *seq = (uint64_t)sqlite3_column_int64(s, 0);
    } else if (step != SQLITE_DONE) {
      rc = fail(st, ERR_STORE, "finding an entry");
      break;
    }
  }
  sqlite3_reset(s);
  if (rc != OK)
    return rc;
  if (found == 0)
    return ERR_NOTFOUND;
  if (found > 1) {
    *seq = 0;
    return ERR_CONFLICT;
  }
  return OK;
}

int
store_each_name(struct store *st, enum record_kind kind,
                void (*fn)(void *ctx, const char *id, const char *name),
                void *ctx)
{
  const struct kind_desc *k = record_kind_desc(kind);
  sqlite3_stmt *s = NULL;
  char sql[128];
  int has_name = record_field_index(k, "name") >= 0;

  snprintf(sql, sizeof sql, "SELECT id, %s FROM %s ORDER BY seq",
           has_name ? "name" : "NULL", k->name);
  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
    return fail(st, ERR_STORE, "reading names");
  while (sqlite3_step(s) == SQLITE_ROW)
    fn(ctx, (const char *)sqlite3_column_text(s, 0),
       (const char *)sqlite3_column_text(s, 1));
  sqlite3_finalize(s);
  return OK;
}

uint64_t
store_size(struct store *st)
{
  return st->size;
}

int
store_each_entry(struct store *st, int kind, uint64_t start, uint64_t end,
                 int (*fn)(void *ctx, const struct store_entry *e), void *ctx)
{
  sqlite3_stmt *s = NULL;
  int rc = OK;
  const char *sql =
      kind < 0 ? "SELECT seq, kind, id, bytes, hash FROM entry WHERE seq >= ? "
                 "AND seq < ? ORDER BY seq"
               : "SELECT seq, kind, id, bytes, hash FROM entry WHERE seq >= ? "
                 "AND seq < ? AND kind = ? ORDER BY seq";

  if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
    return fail(st, ERR_STORE, "reading entries");
  sqlite3_bind_int64(s, 1, (sqlite3_int64)start);
  sqlite3_bind_int64(
      s, 2, end > (uint64_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)end);
  if (kind >= 0)
    sqlite3_bind_int(s, 3, kind);
  while (rc == OK) {
    int step = sqlite3_step(s);
    struct store_entry e;
    if (step == SQLITE_DONE)
      break;
    if (step != SQLITE_ROW) {
      rc = fail(st, ERR_STORE, "reading entries");
      break;
    }
    e.seq = (uint64_t)sqlite3_column_int64(s, 0);
    e.kind = (enum record_kind)sqlite3_column_int(s, 1);
    e.id = (const char *)sqlite3_column_text(s, 2);
    e.bytes = sqlite3_column_blob(s, 3);
    e.len = (size_t)sqlite3_column_bytes(s, 3);
    e.hash = sqlite3_column_blob(s, 4);
    rc = fn(ctx, &e);
  }
  sqlite3_finalize(s);
  return rc;
}

int
store_each_flow_day(struct store *st, int64_t from_day, int64_t to_day,
                    int (*fn)(void *ctx, const struct flow_row *row), void *ctx)
{
  const enum flow_dim *dims = rollup_key_dims;
  sqlite3_stmt *s = NULL;
  int rc = OK;

  if (sqlite3_prepare_v2(st->db,
                         "SELECT * FROM flow_day WHERE day >= ? AND day <= ? "
                         "ORDER BY day",
                         -1, &s, NULL) != SQLITE_OK)
    return fail(st, ERR_STORE, "reading rollups");
  sqlite3_bind_int64(s, 1, from_day);
  sqlite3_bind_int64(s, 2, to_day);
  while (rc == OK && sqlite3_step(s) == SQLITE_ROW) {
    struct flow_row row;
    memset(&row, 0, sizeof row);
    row.day = sqlite3_column_int64(s, 0);
    for (size_t i = 0; i < ROLLUP_NKEY; i++)
      row.dim[dims[i]] = (const char *)sqlite3_column_text(s, (int)i + 1);
    for (int m = 0; m < M_ALL; m++)
      row.m[m] = sqlite3_column_double(s, 1 + ROLLUP_NKEY + m);
    rc = fn(ctx, &row);
  }
  sqlite3_finalize(s);
  return rc;
}
