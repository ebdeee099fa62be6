/*
 * The PostgreSQL backend's schema: the tables of STORE_SCHEMA_VERSION made
 * from the record kinds' field tables, the migrations between versions
 * (the same numbers as SQLite's), the triggers that keep the log's tables
 * insert-only, the privileges of a server's role, and the statements the
 * backend prepares, generated from the same tables.
 *
 * Every text column is COLLATE "C": ids compare as bytes, and the rollups
 * are read in the order of their bytes, as SQLite's BINARY collation
 * orders them (backend.h: each_flow_day).
 */
#include "store/postgres/pg_int.h"
#include "util/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const measure_columns[M_ALL] = {
    "records",    "vehicles",  "persons", "tonnes",
    "vehicles_n", "persons_n", "tonnes_n"};

int
pg__stored(const struct field_desc *f)
{
  return !(f->flags & (FF_CARGO | FF_INPUT));
}

static int
is_number(const struct field_desc *f)
{
  return f->type == FT_COUNT || f->type == FT_NUMBER;
}

/* ---- Statements ---- */

static const char *const array_casts[] = {"bool[]",   "int4[]", "int8[]",
                                          "float8[]", "text[]", "bytea[]"};

/* "INSERT INTO table (columns) SELECT * FROM unnest($1::type[], ...)";
 * a plain insert (no tail) may also be a COPY, whose statement t keeps. */
static char *
insert_sql(struct pg_table *t, const char *table, const char *columns,
           const char *tail)
{
  struct buf b;

  free(t->copy);
  t->copy = tail ? NULL
                 : xasprintf("COPY %s (%s) FROM STDIN (FORMAT binary)", table,
                             columns);
  buf_init(&b);
  buf_printf(&b, "INSERT INTO %s (%s) SELECT * FROM unnest(", table, columns);
  for (int c = 0; c < t->ncols; c++)
    buf_printf(&b, "%s$%d::%s", c ? ", " : "", c + 1, array_casts[t->type[c]]);
  buf_printf(&b, ")%s", tail ? tail : "");
  return buf_take(&b);
}

static void
table(struct store_db *d, int tb, int st, const char *what, int ncols,
      const enum pg_type *types)
{
  struct pg_table *t = &d->tables[tb];

  t->what = what;
  t->ncols = ncols;
  t->stmt = st;
  memcpy(t->type, types, (size_t)ncols * sizeof *types);
}

static void
define_fixed(struct store_db *d)
{
  static const char *const fixed[ST_FIXED] = {
      [ST_SIZE] = "SELECT greatest((SELECT size FROM log_head), (SELECT "
                  "coalesce(max(seq) + 1, 0) FROM entry))",
      [ST_HEAD_LOCK] = "SELECT size FROM log_head FOR UPDATE",
      [ST_MAX_SEQ] = "SELECT coalesce(max(seq) + 1, 0) FROM entry",
      [ST_MOVE_HEAD] = "UPDATE log_head SET size = $1",
      [ST_GET_ENTRY] = "SELECT seq, kind, id, bytes, hash FROM entry WHERE "
                       "kind = $1 AND id = $2",
      [ST_LEAVES] = "SELECT hash FROM entry WHERE seq >= $1 AND seq < $2 "
                    "ORDER BY seq",
      [ST_GET_NODE] = "SELECT hash FROM node WHERE level = $1 AND idx = $2",
      [ST_GET_CARGO] = "SELECT line, category, quantity, unit, tonnes FROM "
                       "flow_cargo WHERE seq = $1 ORDER BY line",
      [ST_GET_SUPERSEDE] = "SELECT by_seq FROM supersede WHERE kind = $1 "
                           "AND id = $2",
      /* One probe of entry_id per id, whatever the planner believes of
       * entry: a plain join was planned once as a hash join over a seq
       * scan of entry, from the statistics of the empty table, and that
       * generic plan was kept, so an import read every row it had
       * written per batch of ids (quadratic: 188,410 rows read per batch
       * at 200,000 rows). The LIMIT keeps the subquery from being pulled
       * up into a join, so it stays a nested loop over the ids. */
      [ST_EXPECT] = "SELECT e.seq, e.kind, e.id, e.bytes, e.hash FROM "
                    "unnest($1::int4[], $2::text[]) AS u(kind, id) CROSS "
                    "JOIN LATERAL (SELECT seq, kind, id, bytes, hash FROM "
                    "entry WHERE kind = u.kind AND id = u.id LIMIT 1) e",
      [ST_GET_META] = "SELECT value FROM meta WHERE key = $1",
      [ST_SET_META] = "INSERT INTO meta (key, value) VALUES ($1, $2)",
      [ST_GET_CELLS_META] = "SELECT value FROM cells_meta WHERE key = $1",
      [ST_PUT_CELLS_META] = "INSERT INTO cells_meta (key, value) VALUES ($1, "
                            "$2) ON CONFLICT (key) DO UPDATE SET value = "
                            "excluded.value",
      [ST_PUT_CODE] = "INSERT INTO cells_dict (code, text) VALUES ($1, $2)",
      [ST_PUT_CELLS] = "INSERT INTO cells (day, checkpoint, bytes) VALUES "
                       "($1, $2, $3) ON CONFLICT (day, checkpoint) DO UPDATE "
                       "SET bytes = excluded.bytes",
      [ST_DEL_CELLS] = "DELETE FROM cells WHERE day = $1 AND checkpoint = $2",
      [ST_PUT_SAVED] = "INSERT INTO saved_state (key, day, size, bytes) "
                       "VALUES ($1, $2, $3, $4) ON CONFLICT (key, day) DO "
                       "UPDATE SET size = excluded.size, bytes = "
                       "excluded.bytes",
  };
  static const enum pg_type entry[] = {PT_INT8, PT_INT4, PT_TEXT, PT_BYTEA,
                                       PT_BYTEA};
  static const enum pg_type node[] = {PT_INT4, PT_INT8, PT_BYTEA};
  static const enum pg_type cargo[] = {PT_INT8,   PT_INT4, PT_TEXT,
                                       PT_FLOAT8, PT_TEXT, PT_FLOAT8};
  static const enum pg_type sup[] = {PT_INT4, PT_TEXT, PT_INT8};
  static const enum pg_type writer[] = {PT_INT8, PT_TEXT};

  for (int i = 0; i < ST_FIXED; i++)
    if (fixed[i])
      pg__stmt(d, i, xstrdup(fixed[i]));
  table(d, TB_ENTRY, ST_INS_ENTRY, "entries", 5, entry);
  pg__stmt(d, ST_INS_ENTRY,
           insert_sql(&d->tables[TB_ENTRY], "entry",
                      "seq, kind, id, hash, bytes", NULL));
  table(d, TB_NODE, ST_INS_NODE, "tree nodes", 3, node);
  pg__stmt(d, ST_INS_NODE,
           insert_sql(&d->tables[TB_NODE], "node", "level, idx, hash", NULL));
  table(d, TB_CARGO, ST_INS_CARGO, "cargo lines", 6, cargo);
  pg__stmt(d, ST_INS_CARGO,
           insert_sql(&d->tables[TB_CARGO], "flow_cargo",
                      "seq, line, category, quantity, unit, tonnes", NULL));
  table(d, TB_SUPERSEDE, ST_INS_SUPERSEDE, "corrections", 3, sup);
  pg__stmt(d, ST_INS_SUPERSEDE,
           insert_sql(&d->tables[TB_SUPERSEDE], "supersede", "kind, id, by_seq",
                      NULL));
  table(d, TB_WRITER, ST_INS_WRITER, "writers", 2, writer);
  pg__stmt(d, ST_INS_WRITER,
           insert_sql(&d->tables[TB_WRITER], "writer", "seq, name", NULL));
}

/* The rollups' upsert: each measure added to what is stored. */
static void
define_flow_day(struct store_db *d)
{
  enum pg_type types[1 + ROLLUP_NKEY + M_ALL];
  struct buf cols, tail;
  int n = 0;

  buf_init(&cols);
  buf_init(&tail);
  types[n++] = PT_INT8;
  buf_puts(&cols, "day");
  buf_puts(&tail, " ON CONFLICT (day");
  for (int i = 0; i < ROLLUP_NKEY; i++) {
    const char *dim = store_dim_names[rollup_key_dims[i]];
    types[n++] = PT_TEXT;
    buf_printf(&cols, ", %s", dim);
    buf_printf(&tail, ", %s", dim);
  }
  buf_puts(&tail, ") DO UPDATE SET ");
  for (int m = 0; m < M_ALL; m++) {
    types[n++] = PT_FLOAT8;
    buf_printf(&cols, ", %s", measure_columns[m]);
    buf_printf(&tail, "%s%s = flow_day.%s + excluded.%s", m ? ", " : "",
               measure_columns[m], measure_columns[m], measure_columns[m]);
  }
  table(d, TB_FLOW_DAY, ST_ADD_FLOW_DAY, "rollups", n, types);
  pg__stmt(
      d, ST_ADD_FLOW_DAY,
      insert_sql(&d->tables[TB_FLOW_DAY], "flow_day", cols.data, tail.data));
  buf_cleanup(&cols);
  buf_cleanup(&tail);
}

/* A kind's stored columns, in the order of its fields, and their types
 * (when types is not NULL). */
void
pg__kind_columns(const struct kind_desc *k, struct buf *b, enum pg_type *types,
                 int *n)
{
  buf_puts(b, "seq");
  if (types)
    types[(*n)++] = PT_INT8;
  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *f = &k->fields[i];
    if (!pg__stored(f))
      continue;
    buf_printf(b, ", \"%s\"", f->name);
    if (types)
      types[(*n)++] = is_number(f) ? PT_FLOAT8 : PT_TEXT;
    if (f->type == FT_TIME) {
      buf_printf(b, ", \"%s_b\", \"%s_f\"", f->name, f->name);
      if (types) {
        types[(*n)++] = PT_INT8;
        types[(*n)++] = PT_INT8;
      }
    }
  }
}

static void
define_kind(struct store_db *d, enum record_kind kind)
{
  const struct kind_desc *k = record_kind_desc(kind);
  enum pg_type types[PG_MAXP];
  struct buf cols;
  char table_name[80];
  int n = 0;

  buf_init(&cols);
  pg__kind_columns(k, &cols, types, &n);
  snprintf(table_name, sizeof table_name, "\"%s\"", k->name);
  table(d, TB_KIND0 + (int)kind, ST_KIND_INS(kind), "query rows", n, types);
  pg__stmt(d, ST_KIND_INS(kind),
           insert_sql(&d->tables[TB_KIND0 + (int)kind], table_name, cols.data,
                      NULL));
  pg__stmt(
      d, ST_KIND_GET(kind),
      xasprintf("SELECT %s FROM %s WHERE seq = $1", cols.data, table_name));
  pg__stmt(d, ST_KIND_NAMES(kind),
           xasprintf("SELECT id, %s FROM %s ORDER BY seq",
                     record_field_index(k, "name") >= 0 ? "name" : "NULL::text",
                     table_name));
  buf_cleanup(&cols);
}

void
pg__define(struct store_db *d)
{
  define_fixed(d);
  define_flow_day(d);
  for (int k = 0; k < KIND_COUNT; k++)
    define_kind(d, (enum record_kind)k);
}

void
pg__undefine(struct store_db *d)
{
  for (int i = 0; i < ST_COUNT; i++) {
    free(d->st[i].name);
    free(d->st[i].sql);
    d->st[i].name = d->st[i].sql = NULL;
  }
  for (int tb = 0; tb < TB_COUNT; tb++) {
    free(d->tables[tb].copy);
    d->tables[tb].copy = NULL;
  }
}

/* ---- Tables ---- */

/* A statement of the schema, kept in a list run in order. */
struct ddl {
  char **sql;
  size_t n, cap;
};

static void
add(struct ddl *l, char *sql)
{
  l->sql = util_grow(l->sql, &l->cap, l->n + 1, sizeof *l->sql);
  l->sql[l->n++] = sql;
}

static void
ddl_free(struct ddl *l)
{
  for (size_t i = 0; i < l->n; i++)
    free(l->sql[i]);
  free(l->sql);
}

/* Refuses UPDATE, DELETE and TRUNCATE on an insert-only table, whoever
 * asks: the owner too, who would have to drop the trigger first. */
static void
insert_only(struct ddl *l, const char *table_name)
{
  add(l, xasprintf("CREATE TRIGGER insert_only BEFORE UPDATE OR DELETE OR "
                   "TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION "
                   "passage_refuse()",
                   table_name));
}

static const char refuse_fn[] =
    "CREATE FUNCTION passage_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    "$$BEGIN RAISE EXCEPTION 'the % table of a Passage store is "
    "insert-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = "
    "'insufficient_privilege'; END$$";

/* A kind's query table, with today's fields, and its index. */
static void
kind_ddl(struct ddl *l, const struct kind_desc *k)
{
  struct buf b;

  buf_init(&b);
  buf_printf(&b, "CREATE TABLE \"%s\" (seq bigint PRIMARY KEY", k->name);
  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *f = &k->fields[i];
    if (!pg__stored(f))
      continue;
    buf_printf(&b, ", \"%s\" %s", f->name,
               is_number(f) ? "double precision" : "text COLLATE \"C\"");
    if (f->type == FT_TIME)
      buf_printf(&b, ", \"%s_b\" bigint, \"%s_f\" bigint", f->name, f->name);
  }
  buf_puts(&b, ")");
  add(l, buf_take(&b));
  if (k->kind == KIND_flow)
    add(l, xstrdup("CREATE INDEX flow_cp_day ON flow (checkpoint, start_b)"));
  else if (record_field_index(k, "checkpoint") >= 0 &&
           record_field_index(k, "at") >= 0)
    add(l, xasprintf("CREATE INDEX %s_cp_at ON \"%s\" (checkpoint, at_b)",
                     k->name, k->name));
  buf_printf(&b, "\"%s\"", k->name); /* b was taken above: empty */
  insert_only(l, b.data);
  buf_cleanup(&b);
}

static void
flow_day_ddl(struct ddl *l)
{
  struct buf b;

  buf_init(&b);
  buf_puts(&b, "CREATE TABLE flow_day (day bigint");
  for (int i = 0; i < ROLLUP_NKEY; i++)
    buf_printf(&b, ", %s text COLLATE \"C\"",
               store_dim_names[rollup_key_dims[i]]);
  for (int m = 0; m < M_ALL; m++)
    buf_printf(&b, ", %s double precision NOT NULL", measure_columns[m]);
  buf_puts(&b, ", PRIMARY KEY (day");
  for (int i = 0; i < ROLLUP_NKEY; i++)
    buf_printf(&b, ", %s", store_dim_names[rollup_key_dims[i]]);
  buf_puts(&b, "))");
  add(l, buf_take(&b));
}

/* Schema 3's tables: the server's tokens, and who wrote each entry. */
static void
tokens_ddl(struct ddl *l)
{
  add(l, xstrdup("CREATE TABLE token (name text COLLATE \"C\" PRIMARY KEY, "
                 "hash bytea NOT NULL UNIQUE, role text NOT NULL, "
                 "checkpoints text NOT NULL, created bigint NOT NULL, "
                 "expires bigint, revoked bigint)"));
  add(l, xstrdup("CREATE TABLE writer (seq bigint PRIMARY KEY, name text "
                 "COLLATE \"C\" NOT NULL)"));
  insert_only(l, "writer");
}

/* Schema 4's tables: signed checkpoints and witnesses' cosignatures, by
 * size, and by witness for the largest size a witness cosigned. */
static void
cosign_ddl(struct ddl *l)
{
  add(l, xstrdup("CREATE TABLE checkpoint_note (size bigint PRIMARY KEY, "
                 "note text NOT NULL)"));
  insert_only(l, "checkpoint_note");
  add(l, xstrdup("CREATE TABLE cosignature (size bigint NOT NULL, witness "
                 "text COLLATE \"C\" NOT NULL, key_hash bigint NOT NULL, "
                 "time bigint NOT NULL, line text NOT NULL, PRIMARY KEY "
                 "(size, witness, key_hash))"));
  add(l, xstrdup("CREATE INDEX cosignature_witness ON cosignature (witness, "
                 "key_hash, size)"));
  insert_only(l, "cosignature");
}

/* Schema 8's tables: what the front derives from the log and keeps beside
 * it (cells.c), which a server's role may replace, unlike the log. IF NOT
 * EXISTS: a store whose version was set back by hand (as the migration
 * tests do) still moves forward. */
static void
cells_ddl(struct ddl *l)
{
  add(l, xstrdup("CREATE TABLE IF NOT EXISTS cells_dict (code bigint PRIMARY "
                 "KEY, text text COLLATE \"C\" NOT NULL UNIQUE)"));
  /* PostgreSQL 12 and 13 have no CREATE OR REPLACE TRIGGER. */
  add(l, xstrdup("DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE "
                 "tgname = 'insert_only' AND tgrelid = 'cells_dict'::regclass) "
                 "THEN CREATE TRIGGER insert_only BEFORE UPDATE OR DELETE OR "
                 "TRUNCATE ON cells_dict FOR EACH STATEMENT EXECUTE FUNCTION "
                 "passage_refuse(); END IF; END$$"));
  add(l, xstrdup("CREATE TABLE IF NOT EXISTS cells (day bigint, checkpoint "
                 "bigint, bytes bytea NOT NULL, PRIMARY KEY (day, "
                 "checkpoint))"));
  add(l, xstrdup("CREATE TABLE IF NOT EXISTS cells_meta (key text COLLATE "
                 "\"C\" PRIMARY KEY, value text NOT NULL)"));
  add(l, xstrdup("CREATE TABLE IF NOT EXISTS saved_state (key text COLLATE "
                 "\"C\", day bigint, size bigint NOT NULL, bytes bytea NOT "
                 "NULL, PRIMARY KEY (key, day))"));
}

/* Every table of STORE_SCHEMA_VERSION in an empty schema. */
static void
schema_ddl(struct ddl *l)
{
  add(l, xstrdup("CREATE TABLE meta (key text COLLATE \"C\" PRIMARY KEY, "
                 "value text NOT NULL)"));
  add(l, xstrdup("CREATE TABLE log_head (one boolean PRIMARY KEY DEFAULT "
                 "true CHECK (one), size bigint NOT NULL)"));
  add(l, xstrdup("INSERT INTO log_head (one, size) VALUES (true, 0)"));
  add(l, xstrdup(refuse_fn));
  add(l, xstrdup("CREATE TABLE entry (seq bigint PRIMARY KEY, kind integer "
                 "NOT NULL, id text COLLATE \"C\" NOT NULL, hash bytea NOT "
                 "NULL, bytes bytea NOT NULL)"));
  add(l, xstrdup("CREATE UNIQUE INDEX entry_id ON entry (kind, id)"));
  insert_only(l, "entry");
  add(l, xstrdup("CREATE TABLE node (level integer, idx bigint, hash bytea "
                 "NOT NULL, PRIMARY KEY (level, idx))"));
  insert_only(l, "node");
  add(l, xstrdup("CREATE TABLE supersede (kind integer, id text COLLATE "
                 "\"C\", by_seq bigint NOT NULL, PRIMARY KEY (kind, id))"));
  insert_only(l, "supersede");
  add(l, xstrdup("CREATE TABLE flow_cargo (seq bigint, line integer, "
                 "category text COLLATE \"C\", quantity double precision, "
                 "unit text COLLATE \"C\", tonnes double precision, PRIMARY "
                 "KEY (seq, line))"));
  insert_only(l, "flow_cargo");
  flow_day_ddl(l);
  for (int k = 0; k < KIND_COUNT; k++)
    kind_ddl(l, record_kind_desc((enum record_kind)k));
  tokens_ddl(l);
  cosign_ddl(l);
  cells_ddl(l);
  add(l, xasprintf("INSERT INTO meta (key, value) VALUES ('schema_version', "
                   "'%d')",
                   STORE_SCHEMA_VERSION));
}

/* ---- Versions ---- */

/* The relations of the current schema, and whether it has a meta table:
 * "SELECT count, has_meta" for the schema the store lives in. */
static const char sql_inventory[] =
    "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid "
    "= c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN "
    "('r', 'p', 'v', 'm', 'f', 'S'))::int8, EXISTS (SELECT 1 FROM "
    "pg_tables WHERE schemaname = current_schema() AND tablename = 'meta')";

int
pg__schema_version(struct store_db *d, int *version, int *empty)
{
  PGresult *r = NULL;
  struct pg_params p;
  int rc, has_meta;

  *version = 0;
  *empty = 0;
  if ((rc = pg__usable(d)) != OK ||
      (rc = pg__send_sql(d, sql_inventory, NULL, PG_KEEP)) != OK ||
      (rc = pg__wait(d, &r, _("reading the schema version"))) != OK)
    return rc;
  *empty = pg__int8(r, 0, 0) == 0;
  has_meta = PQgetlength(r, 0, 1) == 1 && PQgetvalue(r, 0, 1)[0] != 0;
  PQclear(r);
  if (!has_meta)
    return OK;
  pg__params_init(&p);
  pg__param_text(&p, "schema_version", 14);
  if ((rc = pg__query(d, ST_GET_META, &p, &r,
                      _("reading the schema version"))) != OK)
    return rc;
  if (PQntuples(r) == 1)
    *version = atoi(pg__text(r, 0, 0, NULL));
  PQclear(r);
  return OK;
}

static int
run(struct store_db *d, const struct ddl *l, const char *what)
{
  int rc = OK;

  for (size_t i = 0; i < l->n && rc == OK; i++)
    rc = pg__send_sql(d, l->sql[i], NULL, PG_CHECK);
  return rc == OK ? pg__wait(d, NULL, what) : rc;
}

static void
rollback_quietly(struct store_db *d)
{
  if (pg__send_sql(d, "ROLLBACK", NULL, PG_QUIET) == OK)
    pg__wait(d, NULL, _("rolling back"));
}

/*
 * Made in one transaction, under a lock of the schema's name: two servers
 * started at once on an empty database do not both make it (the second
 * finds it made).
 */
int
pg__create_schema(struct store_db *d)
{
  static const char lock[] =
      "SELECT pg_advisory_xact_lock(1885434739, hashtext(current_schema()))";
  struct ddl l = {0};
  PGresult *r = NULL;
  int rc, made;

  if ((rc = pg__usable(d)) != OK)
    return rc;
  rc = pg__send_sql(d, "BEGIN", NULL, PG_CHECK);
  if (rc == OK)
    rc = pg__send_sql(d, lock, NULL, PG_CHECK);
  if (rc == OK)
    rc = pg__send_sql(d, sql_inventory, NULL, PG_KEEP);
  if (rc == OK)
    rc = pg__wait(d, &r, _("creating the store's tables"));
  if (rc != OK)
    goto fail;
  made = PQgetlength(r, 0, 1) == 1 && PQgetvalue(r, 0, 1)[0] != 0;
  PQclear(r);
  if (!made) {
    schema_ddl(&l);
    rc = run(d, &l, _("creating the store's tables"));
    ddl_free(&l);
    if (rc != OK)
      goto fail;
  }
  rc = pg__send_sql(d, "COMMIT", NULL, PG_CHECK);
  if (rc == OK)
    rc = pg__wait(d, NULL, _("creating the store's tables"));
  if (rc == OK)
    return OK;
fail:
  rollback_quietly(d);
  return rc;
}

/*
 * Migrations from each version to the next, by the version they start
 * from, as SQLite's (sqlite.c): the flow table's consignment column, the
 * checkpoint table's route, the status table's direction and the
 * production table (1 -> 2: the columns appended, old rows NULL, as
 * records without the fields are; rows.c names its columns), the server's
 * tokens and writers (2 -> 3), the signed checkpoints and cosignatures
 * (3 -> 4), the query tables of the kinds import and withdrawal (4 -> 5:
 * made from today's fields, as SQLite's step writes them out), the
 * corridor's rules in the log (5 -> 6: no table, only the version), the
 * day cells (6 -> 7 on SQLite; here 7 -> 8, with the saved state). Run inside
 * the front's write transaction, by the tables' owner.
 */
int
pg__upgrade(struct store_db *d, int from)
{
  struct ddl l = {0};
  char what[160];
  int rc;

  switch (from) {
  case 1:
    add(&l, xstrdup("ALTER TABLE flow ADD COLUMN consignment text COLLATE "
                    "\"C\""));
    add(&l, xstrdup("ALTER TABLE checkpoint ADD COLUMN route text COLLATE "
                    "\"C\""));
    add(&l, xstrdup("ALTER TABLE status ADD COLUMN direction text COLLATE "
                    "\"C\""));
    kind_ddl(&l, record_kind_desc(KIND_production));
    break;
  case 2:
    tokens_ddl(&l);
    break;
  case 3:
    cosign_ddl(&l);
    break;
  case 4:
    kind_ddl(&l, record_kind_desc(KIND_import));
    kind_ddl(&l, record_kind_desc(KIND_withdrawal));
    break;
  case 5:
    /* The corridor's rules go in the log (entries of kind
     * STORE_KIND_CORRIDOR, which the entry table holds as it is): no table
     * changes, and nothing is appended to the log, as on SQLite; the meta
     * copy stays in force until the first amendment. */
    break;
  case 6:
    /* Reconciled day cells (issue 13): kept on SQLite from schema 7; this
     * backend kept none at 7, and only the version moved. */
    break;
  case 7:
    /* Its day cells and saved state, the tables SQLite has (SQLite's step
     * adds the saved state's, made until then on the first save). The
     * front builds every day's cells once the step is committed
     * (store.c). */
    cells_ddl(&l);
    /* A server's role granted before (pg__grant: it may move the log's
     * head) may replace them too, or its next write would be refused. */
    add(&l,
        xstrdup("DO $$DECLARE r record; BEGIN FOR r IN SELECT DISTINCT "
                "grantee FROM information_schema.role_table_grants WHERE "
                "table_schema = current_schema() AND table_name = 'log_head' "
                "AND privilege_type = 'UPDATE' AND grantee <> current_user "
                "LOOP EXECUTE format('GRANT UPDATE ON cells_meta, saved_state "
                "TO %I', r.grantee); EXECUTE format('GRANT UPDATE, DELETE ON "
                "cells TO %I', r.grantee); END LOOP; END$$"));
    break;
  default:
    return OK;
  }
  add(&l, xasprintf("UPDATE meta SET value = '%d' WHERE key = "
                    "'schema_version'",
                    from + 1));
  snprintf(what, sizeof what,
           _("migrating the schema from version %d to %d (run 'passage "
             "migrate' as the owner of the store's tables)"),
           from, from + 1);
  rc = run(d, &l, what);
  ddl_free(&l);
  return rc;
}

/* An identifier quoted for SQL, a new string. */
static char *
ident(struct store_db *d, const char *s)
{
  char *q = PQescapeIdentifier(d->conn, s, strlen(s));
  char *out = xstrdup(q ? q : "\"\"");

  PQfreemem(q);
  return out;
}

/*
 * What a server's role needs and no more: to read everything, to add to
 * everything, to update the log's head, the rollups and a token's
 * revocation, and to replace what is derived from the log (the day cells,
 * cells_meta, the saved state); never to delete anything else. The
 * triggers refuse updates of the insert-only tables even to roles that
 * could.
 */
int
pg__grant(struct store_db *d, const char *role)
{
  struct ddl l = {0};
  PGresult *r = NULL;
  char *who, *schema;
  int rc;

  if ((rc = pg__usable(d)) != OK ||
      (rc = pg__send_sql(d, "SELECT current_schema()", NULL, PG_KEEP)) != OK ||
      (rc = pg__wait(d, &r, _("granting privileges"))) != OK)
    return rc;
  if (pg__null(r, 0, 0)) {
    PQclear(r);
    return pg__fail(d, ERR_STORE, _("granting privileges"),
                    _("no schema of the search path exists"));
  }
  schema = ident(d, pg__text(r, 0, 0, NULL));
  PQclear(r);
  who = ident(d, role);
  add(&l, xasprintf("GRANT USAGE ON SCHEMA %s TO %s", schema, who));
  add(&l, xasprintf("GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA %s TO %s",
                    schema, who));
  add(&l, xasprintf("GRANT UPDATE ON log_head, flow_day, token, cells_meta, "
                    "saved_state TO %s",
                    who));
  add(&l, xasprintf("GRANT UPDATE, DELETE ON cells TO %s", who));
  add(&l, xasprintf("ALTER DEFAULT PRIVILEGES IN SCHEMA %s GRANT SELECT, "
                    "INSERT ON TABLES TO %s",
                    schema, who));
  rc = run(d, &l, _("granting privileges"));
  ddl_free(&l);
  free(who);
  free(schema);
  return rc;
}
