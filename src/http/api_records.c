/* Records in and out: POST /api/v1/records (the devices' intake), POST
 * /api/v1/imports (a file's upload), GET /api/v1/records (pages). */
#include "http/http_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
http_media_type(const char *ct, char *out, size_t size)
{
  size_t n = 0;

  while (ct && ct[n] && ct[n] != ';' && ct[n] != ' ' && n + 1 < size) {
    out[n] = ct[n];
    n++;
  }
  out[n] = '\0';
}

/* The media type of the body, without its parameters, or "". */
static void
content_type(struct request *r, char *out, size_t size)
{
  http_media_type(MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                              MHD_HTTP_HEADER_CONTENT_TYPE),
                  out, size);
}

enum MHD_Result
route_records_post(struct request *r)
{
  struct app_error err = {0};
  struct app_batch *b = NULL;
  json_t *problems = NULL;
  enum MHD_Result mr;
  char type[128];
  int rc;

  if (http_auth(r, APP_ACT_WRITE, NULL, &mr) != OK)
    return mr;
  content_type(r, type, sizeof type);
  if (strcasecmp(type, "application/json") != 0)
    return http_error(r, HTTP_E_MEDIA_TYPE, "content-type",
                      "expected Content-Type: application/json, got '%s'",
                      type);
  rc = app_batch_parse(http_app(r), &r->who, r->body.data ? r->body.data : "",
                       r->body.len, &b, &problems, &err);
  if (rc == OK) {
    app_error_cleanup(&err);
    return http_writer_post(r, b);
  }
  if (problems) {
    mr = http_reply_json(r, 422, problems);
    http_metrics_records(r->srv->metrics, 0, 1);
  } else {
    mr = http_fail(r, &err);
  }
  json_decref(problems);
  app_error_cleanup(&err);
  return mr;
}

struct multi {
  const char **v;
  size_t n, cap;
};

static void
collect(void *fctx, const char *value)
{
  struct multi *m = fctx;

  m->v = util_grow(m->v, &m->cap, m->n + 1, sizeof *m->v);
  m->v[m->n++] = value;
}

/* Every value of a repeated query parameter. */
static const char *const *
arg_all(const struct http_args *a, const char *name, size_t *n)
{
  struct multi m = {0};

  a->each(a->ctx, name, collect, &m);
  *n = m.n;
  return m.v;
}

/* The upload's format from its media type, unless format= says it. */
static const char *
upload_format(const char *f, const char *type)
{
  if (f)
    return f;
  if (strcasecmp(type, "text/csv") == 0)
    return "csv";
  if (strcasecmp(type, "application/x-ndjson") == 0 ||
      strcasecmp(type, "application/jsonl") == 0 ||
      strcasecmp(type, "application/json-lines") == 0)
    return "jsonl";
  return NULL;
}

int
http_import_query(const struct http_args *a, const char *type,
                  struct app_import_query *q, enum http_error_id *id,
                  struct app_error *err)
{
  const char *cm = a->get(a->ctx, "create_missing");

  memset(q, 0, sizeof *q);
  app_error_cleanup(err);
  err->code = ERR_USAGE;
  err->kind = APP_ERROR_REQUEST;
  q->format = upload_format(a->get(a->ctx, "format"), type);
  if (q->format == NULL) {
    *id = HTTP_E_MEDIA_TYPE;
    err->field = xstrdup("content-type");
    err->message = xasprintf("expected Content-Type: text/csv or "
                             "application/x-ndjson (or format=), got '%s'",
                             type);
    return ERR_USAGE;
  }
  q->kind = a->get(a->ctx, "kind");
  if (q->kind == NULL) {
    *id = HTTP_E_BAD_REQUEST;
    err->field = xstrdup("kind");
    err->message = xstrdup("kind: the kind of the records uploaded is needed");
    return ERR_USAGE;
  }
  err->code = OK;
  q->name = a->get(a->ctx, "name");
  if (q->name == NULL)
    q->name = "upload";
  q->create_missing = cm && strcmp(cm, "0") != 0 && strcmp(cm, "false") != 0;
  q->maps = arg_all(a, "map", &q->nmaps);
  q->sets = arg_all(a, "set", &q->nsets);
  q->values = arg_all(a, "values", &q->nvalues);
  return OK;
}

enum MHD_Result
route_imports(struct request *r)
{
  struct app_import_query q;
  struct app_error err = {0};
  struct http_args args;
  enum http_error_id id;
  enum MHD_Result mr;
  char type[128];

  if (http_auth(r, APP_ACT_WRITE, NULL, &mr) != OK)
    return mr;
  content_type(r, type, sizeof type);
  http_request_args(r, &args);
  if (http_import_query(&args, type, &q, &id, &err) != OK) {
    mr = http_error(r, id, err.field, "%s", err.message);
    app_error_cleanup(&err);
    return mr;
  }
  mr = http_writer_import(r, &q);
  free((void *)q.maps);
  free((void *)q.sets);
  free((void *)q.values);
  return mr;
}

static int
to_buf(void *ctx, const void *data, size_t len)
{
  buf_append(ctx, data, len);
  return OK;
}

int
http_records_query(const struct http_args *a, const char *accept,
                   struct app_records_query *q, struct app_error *err)
{
  int rc, has;

  memset(q, 0, sizeof *q);
  q->kind = a->get(a->ctx, "kind");
  q->format = a->get(a->ctx, "format");
  if (q->format == NULL && accept && strstr(accept, "text/csv"))
    q->format = "csv";
  if ((rc = http_parse_count("cursor", a->get(a->ctx, "cursor"), &q->cursor,
                             &has, err)) != OK ||
      (rc = http_parse_count("limit", a->get(a->ctx, "limit"), &q->limit, &has,
                             err)) != OK ||
      (rc = http_parse_day("from", a->get(a->ctx, "from"), &q->from,
                           &q->has_from, err)) != OK)
    return rc;
  return http_parse_day("to", a->get(a->ctx, "to"), &q->to, &q->has_to, err);
}

enum MHD_Result
route_records_get(struct request *r)
{
  struct app_records_query q;
  struct app_error err = {0};
  struct http_args args;
  struct MHD_Response *resp;
  struct buf b;
  struct app_sink out = {to_buf, &b};
  enum MHD_Result mr;
  uint64_t next = 0;
  char cursor[32];
  size_t len;
  int rc;

  if (http_auth(r, APP_ACT_RECORDS, http_arg(r, "kind"), &mr) != OK)
    return mr;
  buf_init(&b);
  http_request_args(r, &args);
  if ((rc = http_records_query(
           &args,
           MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Accept"), &q,
           &err)) == OK &&
      (rc = app_refresh(http_app(r), &err)) == OK)
    rc = app_records(http_app(r), &q, &out, &next, &err);
  if (rc != OK) {
    buf_cleanup(&b);
    mr = http_fail(r, &err);
    app_error_cleanup(&err);
    return mr;
  }
  len = b.len;
  resp =
      MHD_create_response_from_buffer(len, buf_take(&b), MHD_RESPMEM_MUST_FREE);
  if (resp == NULL)
    return MHD_NO;
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                          q.format && strcmp(q.format, "jsonl") != 0
                              ? "text/csv; charset=utf-8"
                              : "application/x-ndjson");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  if (next) {
    snprintf(cursor, sizeof cursor, "%llu", (unsigned long long)next);
    MHD_add_response_header(resp, "X-Next-Cursor", cursor);
  }
  return http_queue(r, 200, resp, len);
}
