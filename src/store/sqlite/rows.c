/*
 * The SQLite backend's query tables (one per record kind, generated from
 * its field description), the cargo lines of flows and the daily rollups.
 */
#include "store/sqlite/sqlite_int.h"
#include "util/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const store_sqlite__measure_columns[M_ALL] = {
    "records",    "vehicles",  "persons", "tonnes",
    "vehicles_n", "persons_n", "tonnes_n"};
#define measure_columns store_sqlite__measure_columns

static int
stored(const struct field_desc *f)
{
  return !(f->flags & (FF_CARGO | FF_INPUT));
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

void
store_sqlite__kind_ddl(struct buf *b, const struct kind_desc *k)
{
  buf_printf(b, "CREATE TABLE %s (seq INTEGER PRIMARY KEY", k->name);
  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *f = &k->fields[i];
    if (!stored(f))
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

void
store_sqlite__flow_day_ddl(struct buf *b)
{
  /* The key columns come from the rollup's own list. */
  buf_puts(b, "CREATE TABLE flow_day (day INTEGER");
  for (int i = 0; i < ROLLUP_NKEY; i++)
    buf_printf(b, ", %s TEXT", store_dim_names[rollup_key_dims[i]]);
  for (int m = 0; m < M_ALL; m++)
    buf_printf(b, ", %s REAL", measure_columns[m]);
  buf_puts(b, ", PRIMARY KEY(day");
  for (int i = 0; i < ROLLUP_NKEY; i++)
    buf_printf(b, ", %s", store_dim_names[rollup_key_dims[i]]);
  buf_puts(b, ")) WITHOUT ROWID;\n");
}

void
store_sqlite__finalize(struct store_db *d)
{
  sqlite3_finalize(d->size);
  sqlite3_finalize(d->ins_entry);
  sqlite3_finalize(d->get_entry);
  sqlite3_finalize(d->ins_cargo);
  sqlite3_finalize(d->get_cargo);
  sqlite3_finalize(d->ins_supersede);
  sqlite3_finalize(d->get_supersede);
  sqlite3_finalize(d->add_flow_day);
  for (size_t i = 0; i < sizeof d->cells_stmt / sizeof *d->cells_stmt; i++)
    sqlite3_finalize(d->cells_stmt[i]);
  for (int k = 0; k < KIND_COUNT; k++) {
    sqlite3_finalize(d->ins_kind[k]);
    sqlite3_finalize(d->get_kind[k]);
  }
}

/*
 * The query table's columns by name, in the order rows are written and
 * read: a migration adds a new field's column at the end of an old store's
 * table, wherever the field stands in its kind.
 */
static void
column_list(struct buf *b, const struct kind_desc *k)
{
  buf_puts(b, "seq");
  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *f = &k->fields[i];
    if (!stored(f))
      continue;
    buf_printf(b, ", \"%s\"", f->name);
    if (f->type == FT_TIME)
      buf_printf(b, ", \"%s_b\", \"%s_f\"", f->name, f->name);
  }
}

static int
prepare_insert(struct store_db *d, enum record_kind kind)
{
  const struct kind_desc *k = record_kind_desc(kind);
  struct buf b;
  int rc;

  if (d->ins_kind[kind] != NULL)
    return OK;
  buf_init(&b);
  buf_printf(&b, "INSERT INTO %s(", k->name);
  column_list(&b, k);
  buf_puts(&b, ") VALUES(?");
  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *f = &k->fields[i];
    if (stored(f))
      buf_puts(&b, f->type == FT_TIME ? ",?,?,?" : ",?");
  }
  buf_puts(&b, ")");
  rc = store_sqlite__prepare(d, &d->ins_kind[kind], b.data,
                             N_("preparing a statement"));
  buf_cleanup(&b);
  return rc;
}

static int
put_cargo(struct store_db *d, const struct store_row *row)
{
  sqlite3_stmt *s;
  int rc;

  rc = store_sqlite__prepare(d, &d->ins_cargo,
                             "INSERT INTO flow_cargo(seq, line, category, "
                             "quantity, unit, tonnes) VALUES(?,?,?,?,?,?)",
                             N_("preparing a statement"));
  if (rc != OK)
    return rc;
  s = d->ins_cargo;
  for (size_t i = 0; i < row->ncargo; i++) {
    const struct store_cargo *c = &row->cargo[i];
    sqlite3_clear_bindings(s);
    sqlite3_bind_int64(s, 1, store_sqlite__i64(row->seq));
    sqlite3_bind_int(s, 2, (int)i);
    sqlite3_bind_text(s, 3, c->category, -1, SQLITE_STATIC);
    if (c->quantity_set)
      sqlite3_bind_double(s, 4, c->quantity);
    if (c->unit)
      sqlite3_bind_text(s, 5, c->unit, -1, SQLITE_STATIC);
    if (c->tonnes_set)
      sqlite3_bind_double(s, 6, c->tonnes);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
      return store_sqlite__fail(d, _("writing a cargo line"));
  }
  return OK;
}

int
store_sqlite__put_row(struct store_db *d, const struct store_row *row)
{
  const struct kind_desc *k = record_kind_desc(row->kind);
  sqlite3_stmt *s;
  int p = 1, rc;

  if ((rc = prepare_insert(d, row->kind)) != OK)
    return rc;
  s = d->ins_kind[row->kind];
  /* Every parameter is bound below, NULL for a missing value: cheaper than
   * sqlite3_clear_bindings() first. */
  sqlite3_bind_int64(s, p++, store_sqlite__i64(row->seq));
  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *f = &k->fields[i];
    const struct store_value *v = &row->v[i];
    if (!stored(f))
      continue;
    if (!v->set) {
      for (int n = f->type == FT_TIME ? 3 : 1; n > 0; n--)
        sqlite3_bind_null(s, p++);
      continue;
    }
    if (f->type == FT_COUNT || f->type == FT_NUMBER) {
      sqlite3_bind_double(s, p++, v->num);
      continue;
    }
    sqlite3_bind_text(s, p++, v->text, (int)v->len, SQLITE_STATIC);
    if (f->type == FT_TIME) {
      sqlite3_bind_int64(s, p++, v->begin);
      sqlite3_bind_int64(s, p++, v->end);
    }
  }
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return store_sqlite__fail(d, _("writing a query row"));
  return row->kind == KIND_flow ? put_cargo(d, row) : OK;
}

/* A text column, copied into the row's buffer: its offset there, or -1 for
 * NULL (the pointers are set once every copy is made). */
static long
copy_text(struct store_db *d, sqlite3_stmt *s, int col)
{
  const unsigned char *t = sqlite3_column_text(s, col);
  long off = (long)d->row_copy.len;

  if (t == NULL)
    return -1;
  buf_append(&d->row_copy, t, (size_t)sqlite3_column_bytes(s, col));
  buf_putc(&d->row_copy, '\0');
  return off;
}

static void
read_row(struct store_db *d, sqlite3_stmt *s, const struct kind_desc *k,
         struct store_row *out)
{
  long off[RECORD_MAX_FIELDS];
  int col = 1;

  buf_reset(&d->row_copy);
  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *f = &k->fields[i];
    struct store_value *v = &out->v[i];
    off[i] = -1;
    if (!stored(f))
      continue;
    memset(v, 0, sizeof *v);
    v->set = sqlite3_column_type(s, col) != SQLITE_NULL;
    if (f->type == FT_COUNT || f->type == FT_NUMBER) {
      v->num = v->set ? sqlite3_column_double(s, col) : 0;
      col++;
      continue;
    }
    off[i] = copy_text(d, s, col);
    v->set = off[i] >= 0;
    col++;
    if (f->type == FT_TIME) {
      v->bounds_set = sqlite3_column_type(s, col) != SQLITE_NULL;
      v->begin = sqlite3_column_int64(s, col);
      v->end = sqlite3_column_int64(s, col + 1);
      col += 2;
    }
  }
  for (size_t i = 0; i < k->nfields; i++) {
    if (off[i] >= 0) {
      out->v[i].text = d->row_copy.data + off[i];
      out->v[i].len = strlen(out->v[i].text);
    }
  }
}

int
store_sqlite__get_row(struct store_db *d, enum record_kind kind, uint64_t seq,
                      struct store_row *out)
{
  const struct kind_desc *k = record_kind_desc(kind);
  sqlite3_stmt *s;
  int rc;

  if (d->get_kind[kind] == NULL) {
    struct buf sql;
    buf_init(&sql);
    buf_puts(&sql, "SELECT ");
    column_list(&sql, k);
    buf_printf(&sql, " FROM %s WHERE seq = ?", k->name);
    rc = store_sqlite__prepare(d, &d->get_kind[kind], sql.data,
                               N_("reading a row"));
    buf_cleanup(&sql);
    if (rc != OK)
      return rc;
  }
  s = d->get_kind[kind];
  sqlite3_bind_int64(s, 1, store_sqlite__i64(seq));
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    read_row(d, s, k, out);
    rc = OK;
  } else {
    rc = rc == SQLITE_DONE ? ERR_NOTFOUND
                           : store_sqlite__fail(d, _("reading a row"));
  }
  sqlite3_reset(s);
  return rc;
}

int
store_sqlite__each_live_row(struct store_db *d, enum record_kind kind,
                            uint64_t as_of, const struct store_row_filter *f,
                            int (*fn)(void *ctx, const struct store_row *row),
                            void *ctx)
{
  const struct kind_desc *k = record_kind_desc(kind);
  struct store_row *row = xcalloc(1, sizeof *row);
  sqlite3_stmt *s = NULL;
  struct buf sql;
  int rc = OK;

  /* In rowid order, which is seq's: no sort. The supersede table's key is
   * (kind, id): one seek per row, as each_live. Newest first, through an
   * index on (match, time_b) where there is one (a status's checkpoint):
   * its entries end with the rowid, so that a backward walk of it is in
   * the order asked. */
  buf_init(&sql);
  buf_puts(&sql, "SELECT ");
  column_list(&sql, k);
  buf_printf(&sql,
             " FROM %s q WHERE seq < ?2 AND NOT EXISTS (SELECT 1 FROM "
             "supersede s WHERE s.kind = ?1 AND s.id = q.id AND s.by_seq < ?2)",
             k->name);
  if (f && f->time)
    buf_printf(&sql, " AND \"%s_b\" <= ?3 AND \"%s_f\" >= ?4", f->time,
               f->time);
  if (f && f->match)
    buf_printf(&sql, " AND \"%s\" = ?5", f->match);
  if (f && f->time && f->newest_first)
    buf_printf(&sql, " ORDER BY \"%s_b\" DESC, seq DESC", f->time);
  else
    buf_puts(&sql, " ORDER BY seq");
  if (sqlite3_prepare_v2(d->db, sql.data, -1, &s, NULL) != SQLITE_OK)
    rc = store_sqlite__fail(d, _("reading records"));
  buf_cleanup(&sql);
  if (rc != OK) {
    free(row);
    return rc;
  }
  sqlite3_bind_int(s, 1, (int)kind);
  sqlite3_bind_int64(s, 2, store_sqlite__i64(as_of));
  if (f && f->time) {
    sqlite3_bind_int64(s, 3, f->hi);
    sqlite3_bind_int64(s, 4, f->lo);
  }
  if (f && f->match)
    sqlite3_bind_text(s, 5, f->value, -1, SQLITE_STATIC);
  row->kind = kind;
  row->ncargo = 0;
  while (rc == OK) {
    int step = sqlite3_step(s);
    if (step == SQLITE_DONE)
      break;
    if (step != SQLITE_ROW) {
      rc = store_sqlite__fail(d, _("reading records"));
      break;
    }
    row->seq = (uint64_t)sqlite3_column_int64(s, 0);
    read_row(d, s, k, row);
    rc = fn(ctx, row);
  }
  sqlite3_finalize(s);
  free(row);
  return rc;
}

int
store_sqlite__each_value(struct store_db *d, enum record_kind kind,
                         const char *field,
                         int (*fn)(void *ctx, const char *value), void *ctx)
{
  sqlite3_stmt *s = NULL;
  char *sql = xasprintf("SELECT DISTINCT \"%s\" FROM %s WHERE \"%s\" IS "
                        "NOT NULL",
                        field, record_kind_desc(kind)->name, field);
  int rc = OK;

  if (sqlite3_prepare_v2(d->db, sql, -1, &s, NULL) != SQLITE_OK)
    rc = store_sqlite__fail(d, _("reading records"));
  free(sql);
  while (rc == OK) {
    int step = sqlite3_step(s);
    if (step == SQLITE_DONE)
      break;
    if (step != SQLITE_ROW) {
      rc = store_sqlite__fail(d, _("reading records"));
      break;
    }
    rc = fn(ctx, (const char *)sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  return rc;
}

int
store_sqlite__each_cargo(struct store_db *d, uint64_t seq,
                         int (*fn)(void *ctx, uint64_t line,
                                   const struct store_cargo *c),
                         void *ctx)
{
  sqlite3_stmt *s;
  int rc;

  rc = store_sqlite__prepare(d, &d->get_cargo,
                             "SELECT line, category, quantity, unit, tonnes "
                             "FROM flow_cargo WHERE seq = ? ORDER BY line",
                             N_("reading cargo lines"));
  if (rc != OK)
    return rc;
  s = d->get_cargo;
  sqlite3_bind_int64(s, 1, store_sqlite__i64(seq));
  for (rc = OK; rc == OK;) {
    struct store_cargo c;
    int step = sqlite3_step(s);
    if (step == SQLITE_DONE)
      break;
    if (step != SQLITE_ROW) {
      rc = store_sqlite__fail(d, _("reading cargo lines"));
      break;
    }
    c.category = (const char *)sqlite3_column_text(s, 1);
    c.quantity_set = sqlite3_column_type(s, 2) != SQLITE_NULL;
    c.quantity = sqlite3_column_double(s, 2);
    c.unit = (const char *)sqlite3_column_text(s, 3);
    c.tonnes_set = sqlite3_column_type(s, 4) != SQLITE_NULL;
    c.tonnes = sqlite3_column_double(s, 4);
    rc = fn(ctx, (uint64_t)sqlite3_column_int64(s, 0), &c);
  }
  sqlite3_reset(s);
  return rc;
}

int
store_sqlite__each_name(struct store_db *d, enum record_kind kind,
                        int (*fn)(void *ctx, const char *id, const char *name),
                        void *ctx)
{
  const struct kind_desc *k = record_kind_desc(kind);
  sqlite3_stmt *s = NULL;
  char sql[128];
  int has_name = record_field_index(k, "name") >= 0;
  int rc = OK;

  snprintf(sql, sizeof sql, "SELECT id, %s FROM %s ORDER BY seq",
           has_name ? "name" : "NULL", k->name);
  if (sqlite3_prepare_v2(d->db, sql, -1, &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("reading names"));
  while (rc == OK && sqlite3_step(s) == SQLITE_ROW)
    rc = fn(ctx, (const char *)sqlite3_column_text(s, 0),
            (const char *)sqlite3_column_text(s, 1));
  sqlite3_finalize(s);
  return rc;
}

static int
prepare_flow_day(struct store_db *d)
{
  struct buf b;
  int rc;

  if (d->add_flow_day != NULL)
    return OK;
  buf_init(&b);
  buf_puts(&b, "INSERT INTO flow_day VALUES(?");
  for (int i = 0; i < ROLLUP_NKEY + M_ALL; i++)
    buf_puts(&b, ",?");
  buf_puts(&b, ") ON CONFLICT DO UPDATE SET ");
  for (int m = 0; m < M_ALL; m++)
    buf_printf(&b, "%s%s = %s + excluded.%s", m ? ", " : "", measure_columns[m],
               measure_columns[m], measure_columns[m]);
  rc = store_sqlite__prepare(d, &d->add_flow_day, b.data,
                             N_("updating rollups"));
  buf_cleanup(&b);
  return rc;
}

int
store_sqlite__add_flow_day(struct store_db *d, const struct flow_row *row)
{
  const enum flow_dim *dims = rollup_key_dims;
  sqlite3_stmt *s;
  int p = 1, rc;

  if ((rc = prepare_flow_day(d)) != OK)
    return rc;
  s = d->add_flow_day;
  sqlite3_bind_int64(s, p++, row->day);
  for (size_t i = 0; i < ROLLUP_NKEY; i++)
    sqlite3_bind_text(s, p++, row->dim[dims[i]], -1, SQLITE_STATIC);
  for (int m = 0; m < M_ALL; m++)
    sqlite3_bind_double(s, p++, row->m[m]);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE ? OK : store_sqlite__fail(d, _("updating rollups"));
}

int
store_sqlite__each_flow_day(struct store_db *d, int64_t from_day,
                            int64_t to_day,
                            int (*fn)(void *ctx, const struct flow_row *row),
                            void *ctx)
{
  const enum flow_dim *dims = rollup_key_dims;
  sqlite3_stmt *s = NULL;
  int rc = OK;

  /* The primary key's order: by day, then by the dimensions. */
  if (sqlite3_prepare_v2(d->db,
                         "SELECT * FROM flow_day WHERE day >= ? AND day <= ? "
                         "ORDER BY day",
                         -1, &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("reading rollups"));
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

int
store_sqlite__flow_day_span(struct store_db *d, int64_t *first, int64_t *last)
{
  sqlite3_stmt *s = NULL;
  int rc = ERR_NOTFOUND;

  /* Both ends come from the primary key's first column: two seeks. */
  if (sqlite3_prepare_v2(d->db,
                         "SELECT (SELECT min(day) FROM flow_day), "
                         "(SELECT max(day) FROM flow_day)",
                         -1, &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("reading rollups"));
  if (sqlite3_step(s) == SQLITE_ROW &&
      sqlite3_column_type(s, 0) != SQLITE_NULL) {
    *first = sqlite3_column_int64(s, 0);
    *last = sqlite3_column_int64(s, 1);
    rc = OK;
  }
  sqlite3_finalize(s);
  return rc;
}

int
store_sqlite__count(struct store_db *d, enum store_table table,
                    enum record_kind kind, uint64_t *n)
{
  static const char *const tables[] = {NULL, "flow_cargo", "supersede", "node"};
  sqlite3_stmt *s = NULL;
  char sql[128];
  int rc = ERR_STORE;

  *n = 0;
  snprintf(sql, sizeof sql, "SELECT count(*) FROM %s",
           table == STORE_TABLE_ROWS ? record_kind_desc(kind)->name
                                     : tables[table]);
  if (sqlite3_prepare_v2(d->db, sql, -1, &s, NULL) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW) {
    *n = (uint64_t)sqlite3_column_int64(s, 0);
    rc = OK;
  }
  if (rc != OK)
    rc = store_sqlite__fail(d, _("counting rows"));
  sqlite3_finalize(s);
  return rc;
}

int
store_sqlite__uses(struct store_db *d, enum record_kind kind, size_t fi,
                   const char *value, uint64_t *seq)
{
  const struct kind_desc *k = record_kind_desc(kind);
  const struct field_desc *f = &k->fields[fi];
  sqlite3_stmt *s = NULL;
  char sql[256];
  int rc;

  *seq = 0;
  if (f->flags & FF_CARGO)
    snprintf(sql, sizeof sql,
             "SELECT seq FROM flow_cargo WHERE \"%s\" = ?1 LIMIT 1", f->name);
  else if (f->type == FT_REFLIST) /* stored as "a,b,c" */
    snprintf(sql, sizeof sql,
             "SELECT seq FROM %s WHERE instr(',' || \"%s\" || ',', ',' || "
             "?1 || ',') > 0 LIMIT 1",
             k->name, f->name);
  else
    snprintf(sql, sizeof sql, "SELECT seq FROM %s WHERE \"%s\" = ?1 LIMIT 1",
             k->name, f->name);
  if (sqlite3_prepare_v2(d->db, sql, -1, &s, NULL) != SQLITE_OK)
    return store_sqlite__fail(d, _("looking for records that name an id"));
  sqlite3_bind_text(s, 1, value, -1, SQLITE_STATIC);
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *seq = (uint64_t)sqlite3_column_int64(s, 0);
    rc = OK;
  } else if (rc == SQLITE_DONE) {
    rc = ERR_NOTFOUND;
  } else {
    rc = store_sqlite__fail(d, _("looking for records that name an id"));
  }
  sqlite3_finalize(s);
  return rc;
}
