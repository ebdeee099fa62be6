/*
 * Reading the store as it was at a tree size: what a report published with
 * that size saw, whatever was recorded since. Only entries below the size
 * count, and only the corrections among them.
 */
#include "store/store_int.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* 1 when the record (kind, id) was superseded by an entry below as_of. */
static int
superseded(sqlite3_stmt *s, enum record_kind kind, const char *id,
           uint64_t as_of)
{
  int yes;

  sqlite3_reset(s);
  sqlite3_bind_int(s, 1, kind);
  sqlite3_bind_text(s, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 3, (sqlite3_int64)as_of);
  yes = sqlite3_step(s) == SQLITE_ROW;
  sqlite3_reset(s);
  return yes;
}

int
store_each_live(struct store *st, enum record_kind kind, uint64_t as_of,
                int (*fn)(void *ctx, const struct record *rec, uint64_t seq),
                void *ctx)
{
  sqlite3 *db = store__db(st);
  sqlite3_stmt *s = NULL, *sup = NULL;
  struct record rec;
  struct buf err;
  struct record_ctx rctx = {store_categories(st)};
  int rc = OK;

  if (sqlite3_prepare_v2(db,
                         "SELECT seq, id, bytes FROM entry WHERE kind = ? "
                         "AND seq < ? ORDER BY seq",
                         -1, &s, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db,
                         "SELECT 1 FROM supersede WHERE kind = ? AND id = ? "
                         "AND by_seq < ?",
                         -1, &sup, NULL) != SQLITE_OK) {
    store__set_error(st, "reading records: %s", sqlite3_errmsg(db));
    sqlite3_finalize(s);
    return ERR_STORE;
  }
  sqlite3_bind_int(s, 1, kind);
  sqlite3_bind_int64(s, 2,
                     (sqlite3_int64)(as_of > INT64_MAX ? INT64_MAX : as_of));
  record_init(&rec, kind);
  buf_init(&err);
  while (rc == OK && sqlite3_step(s) == SQLITE_ROW) {
    uint64_t seq = (uint64_t)sqlite3_column_int64(s, 0);
    const char *id = (const char *)sqlite3_column_text(s, 1);
    if (superseded(sup, kind, id, as_of))
      continue;
    record_reset(&rec);
    buf_reset(&err);
    if (record_from_json(&rec, (int)kind, &rctx, sqlite3_column_blob(s, 2),
                         (size_t)sqlite3_column_bytes(s, 2), &err) != OK) {
      store__set_error(st, "entry %llu cannot be read: %s",
                       (unsigned long long)seq, err.data ? err.data : "");
      rc = ERR_STORE;
      break;
    }
    rc = fn(ctx, &rec, seq);
  }
  record_cleanup(&rec);
  buf_cleanup(&err);
  sqlite3_finalize(s);
  sqlite3_finalize(sup);
  return rc;
}

struct derive {
  struct rollup *ru;
  int64_t from, to;
  int (*fn)(void *ctx, const struct flow_row *row);
  void *ctx;
};

static int
add_flow(void *ctx, const struct record *rec, uint64_t seq)
{
  (void)seq;
  rollup_add_record(ctx, rec, 1, store__tz_offset);
  return OK;
}

static int
in_range(void *ctx, const struct flow_row *row)
{
  struct derive *d = ctx;

  if (row->day < d->from || row->day > d->to)
    return OK;
  return d->fn(d->ctx, row);
}

int
store_each_flow_day_as_of(struct store *st, int64_t from_day, int64_t to_day,
                          uint64_t as_of,
                          int (*fn)(void *ctx, const struct flow_row *row),
                          void *ctx)
{
  struct derive d = {rollup_new(), from_day, to_day, fn, ctx};
  int rc;

  if (as_of >= store_size(st)) {
    rollup_free(d.ru);
    return store_each_flow_day(st, from_day, to_day, fn, ctx);
  }
  /* Every live flow of that time; those outside the period add rows that
   * in_range skips. Reports ask for recent sizes of small logs, or accept
   * the wait. */
  rc = store_each_live(st, KIND_flow, as_of, add_flow, d.ru);
  if (rc == OK)
    rc = rollup_each(d.ru, in_range, &d);
  rollup_free(d.ru);
  return rc;
}

int
store_flow_day_span(struct store *st, int64_t *first, int64_t *last)
{
  sqlite3 *db = store__db(st);
  sqlite3_stmt *s = NULL;
  int rc = ERR_NOTFOUND;

  *first = *last = 0;
  /* Both ends come from the primary key's first column: two seeks. */
  if (sqlite3_prepare_v2(db,
                         "SELECT (SELECT min(day) FROM flow_day), "
                         "(SELECT max(day) FROM flow_day)",
                         -1, &s, NULL) != SQLITE_OK) {
    store__set_error(st, "reading rollups: %s", sqlite3_errmsg(db));
    return ERR_STORE;
  }
  if (sqlite3_step(s) == SQLITE_ROW &&
      sqlite3_column_type(s, 0) != SQLITE_NULL) {
    *first = sqlite3_column_int64(s, 0);
    *last = sqlite3_column_int64(s, 1);
    rc = OK;
  }
  sqlite3_finalize(s);
  return rc;
}
