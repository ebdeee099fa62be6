/* Records listed page by page: the server's GET /api/v1/records. */
#include "app/app.h"

#include <string.h>

#include "app/app_int.h"
#include "corridor/corridor.h"

#define RECORDS_PAGE 1000
#define RECORDS_PAGE_MAX 10000

struct window {
  const struct corridor *c;
  int64_t from, to; /* local seconds: [from, to) */
};

/* The record's time (start..end, or at) overlaps the window; a record
 * with no time (a checkpoint, a source) always does. */
static int
in_window(void *ctx, const struct record *rec)
{
  struct window *w = ctx;
  const char *start = record_get(rec, "start"), *end = record_get(rec, "end");
  int64_t b0, e0, b1, e1;

  if (start == NULL)
    start = record_get(rec, "at");
  if (start == NULL)
    return 1;
  if (record_time_bounds(start, corridor_tz_offset, (void *)w->c, &b0, &e0) !=
      OK)
    return 1;
  if (end &&
      record_time_bounds(end, corridor_tz_offset, (void *)w->c, &b1, &e1) == OK)
    e0 = e1;
  return e0 >= w->from && b0 < w->to;
}

static int
format_of(const char *name, enum ingest_format *f)
{
  if (name == NULL || strcmp(name, "jsonl") == 0)
    *f = INGEST_JSONL;
  else if (strcmp(name, "csv") == 0)
    *f = INGEST_CSV;
  else if (strcmp(name, "hxl") == 0)
    *f = INGEST_HXL;
  else
    return ERR_USAGE;
  return OK;
}

static int
to_sink(void *ctx, const char *data, size_t len)
{
  const struct app_sink *out = ctx;

  return out->write(out->ctx, data, len);
}

int
app_records(struct app *app, const struct app_records_query *q,
            const struct app_sink *out, uint64_t *next, struct app_error *err)
{
  struct window w = {NULL, INT64_MIN, INT64_MAX};
  enum record_kind kind = KIND_flow;
  enum ingest_format f;
  struct store *st;
  struct buf msg;
  int rc;

  *next = 0;
  if (q->kind && (rc = app__kind(q->kind, &kind, err)) != OK)
    return rc;
  if (format_of(q->format, &f) != OK)
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "format",
                     "format: expected jsonl, csv or hxl, got '%s'", q->format);
  if (q->kind == NULL && f != INGEST_JSONL)
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "kind",
                     "kind: CSV and HXL need one kind of record");
  if (q->limit > RECORDS_PAGE_MAX)
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "limit",
                     "limit: at most %d records a page, got %llu",
                     RECORDS_PAGE_MAX, (unsigned long long)q->limit);
  if (q->has_from && q->has_to && q->from > q->to)
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "from",
                     "from: the period ends before it starts");
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  w.c = store_corridor(st);
  if (q->has_from)
    w.from = q->from * 86400;
  if (q->has_to)
    w.to = (q->to + 1) * 86400;
  buf_init(&msg);
  if ((rc = store_read_begin(st)) == OK) {
    rc = ingest_export_page(st, q->kind ? (int)kind : -1, f, q->cursor,
                            q->limit ? q->limit : RECORDS_PAGE,
                            q->has_from || q->has_to ? in_window : NULL, &w,
                            to_sink, (void *)out, next, &msg);
    store_read_end(st);
  } else {
    buf_puts(&msg, store_errmsg(st));
  }
  if (rc != OK && msg.len)
    app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", msg.data);
  else if (rc != OK)
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, NULL);
  buf_cleanup(&msg);
  return rc;
}
