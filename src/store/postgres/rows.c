/*
 * The PostgreSQL backend's query tables (one per record kind, their
 * columns generated from its field description in schema.c), the cargo
 * lines of flows, the daily rollups and the auditor's counts.
 */
#include "store/postgres/pg_int.h"
#include "util/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the transaction wrote is sent before a read that may need it. */
static int
sent_first(struct store_db *d)
{
  return d->in_tx ? pg__flush(d, 0) : OK;
}

static int
is_number(const struct field_desc *f)
{
  return f->type == FT_COUNT || f->type == FT_NUMBER;
}

static int
put_cargo(struct store_db *d, const struct store_row *row)
{
  int rc = OK;

  for (size_t i = 0; i < row->ncargo && rc == OK; i++) {
    const struct store_cargo *c = &row->cargo[i];
    struct pg_rows *r = pg__row(d, TB_CARGO);
    pg__col_int8(r, (int64_t)row->seq);
    pg__col_int4(r, (int32_t)i);
    pg__col_text(r, c->category, c->category ? strlen(c->category) : 0);
    if (c->quantity_set)
      pg__col_float8(r, c->quantity);
    else
      pg__col_null(r);
    pg__col_text(r, c->unit, c->unit ? strlen(c->unit) : 0);
    if (c->tonnes_set)
      pg__col_float8(r, c->tonnes);
    else
      pg__col_null(r);
    rc = pg__row_done(d, r);
  }
  return rc;
}

int
pg__put_row(struct store_db *d, const struct store_row *row)
{
  const struct kind_desc *k = record_kind_desc(row->kind);
  struct pg_rows *r = pg__row(d, TB_KIND0 + (int)row->kind);
  int rc;

  pg__col_int8(r, (int64_t)row->seq);
  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *f = &k->fields[i];
    const struct store_value *v = &row->v[i];
    if (!pg__stored(f))
      continue;
    if (!v->set) {
      for (int n = f->type == FT_TIME ? 3 : 1; n > 0; n--)
        pg__col_null(r);
    } else if (is_number(f)) {
      pg__col_float8(r, v->num);
    } else {
      pg__col_text(r, v->text, v->len);
      if (f->type == FT_TIME) {
        pg__col_int8(r, v->begin);
        pg__col_int8(r, v->end);
      }
    }
  }
  if ((rc = pg__row_done(d, r)) != OK)
    return rc;
  return row->kind == KIND_flow ? put_cargo(d, row) : OK;
}

/* The texts are copied into the row buffer first and pointed to after,
 * since the buffer may move while it grows. */
static void
read_row(struct store_db *d, const PGresult *res, int at,
         const struct kind_desc *k, struct store_row *out)
{
  long off[RECORD_MAX_FIELDS];
  int col = 1;

  buf_reset(&d->row_copy);
  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *f = &k->fields[i];
    struct store_value *v = &out->v[i];
    off[i] = -1;
    if (!pg__stored(f))
      continue;
    memset(v, 0, sizeof *v);
    v->set = !pg__null(res, at, col);
    if (is_number(f)) {
      v->num = v->set ? pg__float8(res, at, col) : 0;
      col++;
      continue;
    }
    if (v->set) {
      size_t n;
      const char *t = pg__text(res, at, col, &n);
      off[i] = (long)d->row_copy.len;
      buf_append(&d->row_copy, t, n);
      buf_putc(&d->row_copy, '\0');
    }
    col++;
    if (f->type == FT_TIME) {
      v->bounds_set = !pg__null(res, at, col);
      v->begin = pg__int8(res, at, col);
      v->end = pg__int8(res, at, col + 1);
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
pg__get_row(struct store_db *d, enum record_kind kind, uint64_t seq,
            struct store_row *out)
{
  struct pg_params p;
  PGresult *r = NULL;
  int rc;

  if ((rc = sent_first(d)) != OK)
    return rc;
  pg__params_init(&p);
  pg__param_int8(&p, (int64_t)seq);
  if ((rc = pg__query(d, ST_KIND_GET(kind), &p, &r, _("reading a row"))) != OK)
    return rc;
  rc = ERR_NOTFOUND;
  if (PQntuples(r) == 1) {
    read_row(d, r, 0, record_kind_desc(kind), out);
    rc = OK;
  }
  PQclear(r);
  return rc;
}

struct live_rows {
  struct store_db *d;
  const struct kind_desc *k;
  struct store_row *row;
  int (*fn)(void *ctx, const struct store_row *row);
  void *ctx;
};

static int
live_row(void *ctx, const PGresult *r, int i)
{
  struct live_rows *l = ctx;

  l->row->seq = (uint64_t)pg__int8(r, i, 0);
  read_row(l->d, r, i, l->k, l->row);
  return l->fn(l->ctx, l->row);
}

int
pg__each_live_row(struct store_db *d, enum record_kind kind, uint64_t as_of,
                  const struct store_row_filter *f,
                  int (*fn)(void *ctx, const struct store_row *row), void *ctx)
{
  struct live_rows l = {d, record_kind_desc(kind), NULL, fn, ctx};
  struct pg_params p;
  struct buf sql;
  int rc, n = 3;

  l.row = xcalloc(1, sizeof *l.row);
  l.row->kind = kind;
  buf_init(&sql);
  buf_puts(&sql, "SELECT ");
  pg__kind_columns(l.k, &sql, NULL, NULL);
  /* The supersede table's key is (kind, id): one probe per row. */
  buf_printf(&sql,
             " FROM \"%s\" q WHERE seq < $2 AND NOT EXISTS (SELECT 1 FROM "
             "supersede s WHERE s.kind = $1 AND s.id = q.id AND s.by_seq < $2)",
             l.k->name);
  pg__params_init(&p);
  pg__param_int4(&p, (int32_t)kind);
  pg__param_int8(&p, pg__i64(as_of));
  if (f && f->time) {
    buf_printf(&sql, " AND \"%s_b\" <= $%d AND \"%s_f\" >= $%d", f->time, n,
               f->time, n + 1);
    n += 2;
    pg__param_int8(&p, f->hi);
    pg__param_int8(&p, f->lo);
  }
  if (f && f->match) {
    buf_printf(&sql, " AND \"%s\" = $%d", f->match, n++);
    pg__param_text(&p, f->value, strlen(f->value));
  }
  if (f && f->time && f->newest_first)
    buf_printf(&sql, " ORDER BY \"%s_b\" DESC, seq DESC", f->time);
  else
    buf_puts(&sql, " ORDER BY seq");
  rc = pg__scan(d, sql.data, &p, live_row, &l, _("reading records"));
  buf_cleanup(&sql);
  free(l.row);
  return rc;
}

struct values {
  int (*fn)(void *ctx, const char *value);
  void *ctx;
};

static int
value_row(void *ctx, const PGresult *r, int i)
{
  struct values *v = ctx;

  return v->fn(v->ctx, pg__text(r, i, 0, NULL));
}

int
pg__each_value(struct store_db *d, enum record_kind kind, const char *field,
               int (*fn)(void *ctx, const char *value), void *ctx)
{
  struct values v = {fn, ctx};
  char *sql = xasprintf("SELECT DISTINCT \"%s\" FROM \"%s\" WHERE \"%s\" "
                        "IS NOT NULL",
                        field, record_kind_desc(kind)->name, field);
  int rc = pg__scan(d, sql, NULL, value_row, &v, _("reading records"));

  free(sql);
  return rc;
}

int
pg__each_cargo(struct store_db *d, uint64_t seq,
               int (*fn)(void *ctx, uint64_t line, const struct store_cargo *c),
               void *ctx)
{
  struct pg_params p;
  PGresult *r = NULL;
  int rc;

  if ((rc = sent_first(d)) != OK)
    return rc;
  pg__params_init(&p);
  pg__param_int8(&p, (int64_t)seq);
  if ((rc = pg__query(d, ST_GET_CARGO, &p, &r, _("reading cargo lines"))) != OK)
    return rc;
  for (int i = 0; i < PQntuples(r) && rc == OK; i++) {
    struct store_cargo c;
    c.category = pg__text(r, i, 1, NULL);
    c.quantity_set = !pg__null(r, i, 2);
    c.quantity = pg__float8(r, i, 2);
    c.unit = pg__text(r, i, 3, NULL);
    c.tonnes_set = !pg__null(r, i, 4);
    c.tonnes = pg__float8(r, i, 4);
    rc = fn(ctx, (uint64_t)pg__int4(r, i, 0), &c);
  }
  PQclear(r);
  return rc;
}

struct names {
  int (*fn)(void *ctx, const char *id, const char *name);
  void *ctx;
};

static int
name_row(void *ctx, const PGresult *r, int i)
{
  struct names *n = ctx;

  return n->fn(n->ctx, pg__text(r, i, 0, NULL), pg__text(r, i, 1, NULL));
}

int
pg__each_name(struct store_db *d, enum record_kind kind,
              int (*fn)(void *ctx, const char *id, const char *name), void *ctx)
{
  struct names n = {fn, ctx};

  return pg__scan(d, d->st[ST_KIND_NAMES(kind)].sql, NULL, name_row, &n,
                  _("reading names"));
}

/* ---- Rollups ---- */

/* Row's key as bytes that compare as the rollups order their rows: the
 * day (big-endian, its sign flipped), then each dimension's text and a
 * NUL. */
static void
flow_day_key(const struct flow_row *row, struct buf *out)
{
  uint64_t day = (uint64_t)row->day ^ (UINT64_C(1) << 63);
  unsigned char b[8];

  for (int i = 0; i < 8; i++)
    b[i] = (unsigned char)(day >> (56 - 8 * i));
  buf_reset(out);
  buf_append(out, b, sizeof b);
  for (int i = 0; i < ROLLUP_NKEY; i++) {
    const char *v = row->dim[rollup_key_dims[i]];
    buf_append(out, v ? v : "", v ? strlen(v) + 1 : 1);
  }
}

/*
 * The rows of one pass over the rollups come in strictly increasing key
 * order. A key not past the last one gathered begins another pass (a long
 * import writes its rollups as it goes, store__tx_spill) and may be one
 * gathered already, which one upsert cannot take twice (PostgreSQL: "ON
 * CONFLICT DO UPDATE command cannot affect row a second time"): what was
 * gathered is sent first.
 */
int
pg__add_flow_day(struct store_db *d, const struct flow_row *row)
{
  struct buf *key = &d->flow_day_key, *last = &d->flow_day_last, swap;
  struct pg_rows *r;
  int rc;

  flow_day_key(row, key);
  if (d->rows[TB_FLOW_DAY].n > 0) {
    size_t n = key->len < last->len ? key->len : last->len;
    int c = memcmp(key->data, last->data, n);
    if ((c < 0 || (c == 0 && key->len <= last->len)) &&
        (rc = pg__flush(d, 0)) != OK)
      return rc;
  }
  swap = *last;
  *last = *key;
  *key = swap;
  r = pg__row(d, TB_FLOW_DAY);

  pg__col_int8(r, row->day);
  for (int i = 0; i < ROLLUP_NKEY; i++) {
    const char *v = row->dim[rollup_key_dims[i]];
    pg__col_text(r, v ? v : "", v ? strlen(v) : 0);
  }
  for (int m = 0; m < M_ALL; m++)
    pg__col_float8(r, row->m[m]);
  return pg__row_done(d, r);
}

struct days {
  int (*fn)(void *ctx, const struct flow_row *row);
  void *ctx;
};

static int
day_row(void *ctx, const PGresult *r, int i)
{
  struct days *dd = ctx;
  struct flow_row row;

  memset(&row, 0, sizeof row);
  row.day = pg__int8(r, i, 0);
  for (int k = 0; k < ROLLUP_NKEY; k++)
    row.dim[rollup_key_dims[k]] = pg__text(r, i, 1 + k, NULL);
  for (int m = 0; m < M_ALL; m++)
    row.m[m] = pg__float8(r, i, 1 + ROLLUP_NKEY + m);
  return dd->fn(dd->ctx, &row);
}

/* "SELECT day, dims..., measures FROM flow_day WHERE ... ORDER BY day,
 * dims...", the dimensions in key order (bytes: COLLATE "C"). */
static char *
flow_day_sql(void)
{
  static const char *const measures[M_ALL] = {
      "records",    "vehicles",  "persons", "tonnes",
      "vehicles_n", "persons_n", "tonnes_n"};
  struct buf b, order;

  buf_init(&b);
  buf_init(&order);
  buf_puts(&b, "SELECT day");
  buf_puts(&order, " ORDER BY day");
  for (int i = 0; i < ROLLUP_NKEY; i++) {
    buf_printf(&b, ", %s", store_dim_names[rollup_key_dims[i]]);
    buf_printf(&order, ", %s", store_dim_names[rollup_key_dims[i]]);
  }
  for (int m = 0; m < M_ALL; m++)
    buf_printf(&b, ", %s", measures[m]);
  buf_printf(&b, " FROM flow_day WHERE day >= $1 AND day <= $2%s", order.data);
  buf_cleanup(&order);
  return buf_take(&b);
}

int
pg__each_flow_day(struct store_db *d, int64_t from_day, int64_t to_day,
                  int (*fn)(void *ctx, const struct flow_row *row), void *ctx)
{
  struct days dd = {fn, ctx};
  struct pg_params p;
  char *sql = flow_day_sql();
  int rc;

  pg__params_init(&p);
  pg__param_int8(&p, from_day);
  pg__param_int8(&p, to_day);
  rc = pg__scan(d, sql, &p, day_row, &dd, _("reading rollups"));
  free(sql);
  return rc;
}

/* SQL that answers one row of numbers, read as int8. */
static int
one_row(struct store_db *d, const char *sql, PGresult **r, const char *what)
{
  int rc;

  *r = NULL;
  if ((rc = sent_first(d)) != OK)
    return rc;
  return pg__query_sql(d, sql, NULL, r, what);
}

int
pg__flow_day_span(struct store_db *d, int64_t *first, int64_t *last)
{
  PGresult *r = NULL;
  int rc;

  rc = one_row(d, "SELECT min(day), max(day) FROM flow_day", &r,
               _("reading rollups"));
  if (rc != OK)
    return rc;
  rc = ERR_NOTFOUND;
  if (PQntuples(r) == 1 && !pg__null(r, 0, 0)) {
    *first = pg__int8(r, 0, 0);
    *last = pg__int8(r, 0, 1);
    rc = OK;
  }
  PQclear(r);
  return rc;
}

int
pg__uses(struct store_db *d, enum record_kind kind, size_t fi,
         const char *value, uint64_t *seq)
{
  const struct kind_desc *k = record_kind_desc(kind);
  const struct field_desc *f = &k->fields[fi];
  const char *what = _("looking for records that name an id");
  PGresult *r = NULL;
  struct pg_params p;
  char sql[256];
  int rc;

  *seq = 0;
  if (f->flags & FF_CARGO)
    snprintf(sql, sizeof sql,
             "SELECT seq FROM flow_cargo WHERE \"%s\" = $1 LIMIT 1", f->name);
  else if (f->type == FT_REFLIST) /* stored as "a,b,c" */
    snprintf(sql, sizeof sql,
             "SELECT seq FROM \"%s\" WHERE strpos(',' || \"%s\" || ',', "
             "',' || $1 || ',') > 0 LIMIT 1",
             k->name, f->name);
  else
    snprintf(sql, sizeof sql,
             "SELECT seq FROM \"%s\" WHERE \"%s\" = $1 LIMIT 1", k->name,
             f->name);
  if ((rc = sent_first(d)) != OK)
    return rc;
  pg__params_init(&p);
  pg__param_text(&p, value, strlen(value));
  if ((rc = pg__query_sql(d, sql, &p, &r, what)) != OK)
    return rc;
  rc = ERR_NOTFOUND;
  if (PQntuples(r) == 1) {
    *seq = (uint64_t)pg__int8(r, 0, 0);
    rc = OK;
  }
  PQclear(r);
  return rc;
}

int
pg__count(struct store_db *d, enum store_table table, enum record_kind kind,
          uint64_t *n)
{
  static const char *const tables[] = {NULL, "flow_cargo", "supersede", "node"};
  PGresult *r = NULL;
  char sql[128];
  int rc;

  *n = 0;
  if (table == STORE_TABLE_ROWS)
    snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"",
             record_kind_desc(kind)->name);
  else
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[table]);
  if ((rc = one_row(d, sql, &r, _("counting rows"))) != OK)
    return rc;
  *n = (uint64_t)pg__int8(r, 0, 0);
  PQclear(r);
  return OK;
}
