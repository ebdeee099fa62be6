/* export: every record of a kind, streamed to the caller's sink. */
#include "app/app.h"

#include <string.h>

#include "app/app_int.h"

static int
export_format(const char *name, enum ingest_format *format,
              struct app_error *err)
{
  if (name == NULL || strcmp(name, "csv") == 0)
    *format = INGEST_CSV;
  else if (strcmp(name, "hxl") == 0)
    *format = INGEST_HXL;
  else if (strcmp(name, "jsonl") == 0)
    *format = INGEST_JSONL;
  else
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "format",
                     "--format: expected csv, hxl or jsonl, got '%s'", name);
  return OK;
}

/* `export corridor`: the rules in force, as the log's JSON entry (one
 * line, so jsonl is its only format). */
static int
is_corridor(const struct app_export_query *q)
{
  return q->kind != NULL && strcmp(q->kind, "corridor") == 0;
}

static int
check_corridor(const struct app_export_query *q, struct app_error *err)
{
  if (q->format == NULL || strcmp(q->format, "jsonl") == 0)
    return OK;
  return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "format",
                   "--format: the corridor's rules are exported as their "
                   "log entry, one JSON line: expected jsonl, got '%s'",
                   q->format);
}

int
app_check_export(const struct app_export_query *q, struct app_error *err)
{
  enum ingest_format format;
  enum record_kind kind;

  if (is_corridor(q))
    return check_corridor(q, err);
  if (app__kind(q->kind, &kind, err) != OK)
    return ERR_USAGE;
  return export_format(q->format, &format, err);
}

/* ingest's pieces to the caller's sink. */
static int
to_sink(void *ctx, const char *data, size_t len)
{
  const struct app_sink *out = ctx;

  return out->write(out->ctx, data, len);
}

int
app_export(struct app *app, const struct app_export_query *q,
           const struct app_sink *out, struct app_error *err)
{
  struct app_sink sink = *out;
  enum ingest_format format = INGEST_CSV; /* export_format sets it */
  enum record_kind kind;
  struct store *st;
  struct buf msg;
  int rc;

  if (is_corridor(q))
    return (rc = check_corridor(q, err)) != OK
               ? rc
               : app_corridor_export(app, out, err);
  app__page_cache(app, APP_SCAN_PAGE_CACHE);
  if ((rc = app__kind(q->kind, &kind, err)) != OK ||
      (rc = export_format(q->format, &format, err)) != OK ||
      (rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  buf_init(&msg);
  rc = ingest_export(st, kind, format, to_sink, &sink, &msg);
  if (rc != OK && msg.len)
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", msg.data);
  else if (rc != OK) /* out stopped it */
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, NULL);
  buf_cleanup(&msg);
  return rc;
}
