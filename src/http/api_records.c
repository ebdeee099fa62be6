/* Records in and out: POST /api/v1/records (the devices' intake), POST
 * /api/v1/imports (a file's upload), GET /api/v1/records (pages). */
#include "http/http_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The media type of the body, without its parameters, or "". */
static void
content_type(struct request *r, char *out, size_t size)
{
  const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                               MHD_HTTP_HEADER_CONTENT_TYPE);
  size_t n = 0;

  while (ct && ct[n] && ct[n] != ';' && ct[n] != ' ' && n + 1 < size) {
    out[n] = ct[n];
    n++;
  }
  out[n] = '\0';
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
  const char *name;
  const char **v;
  size_t n, cap;
};

static enum MHD_Result
collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  struct multi *m = cls;

  (void)kind;
  if (strcmp(key, m->name) == 0 && value) {
    m->v = util_grow(m->v, &m->cap, m->n + 1, sizeof *m->v);
    m->v[m->n++] = value;
  }
  return MHD_YES;
}

/* Every value of a repeated query parameter. */
static void
arg_all(struct request *r, struct multi *m, const char *name)
{
  memset(m, 0, sizeof *m);
  m->name = name;
  MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect, m);
}

/* The upload's format from its media type, unless format= says it. */
static const char *
upload_format(struct request *r, const char *type)
{
  const char *f = http_arg(r, "format");

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

enum MHD_Result
route_imports(struct request *r)
{
  struct app_import_query q;
  struct multi maps, sets, values;
  const char *cm = http_arg(r, "create_missing");
  enum MHD_Result mr;
  char type[128];

  if (http_auth(r, APP_ACT_WRITE, NULL, &mr) != OK)
    return mr;
  content_type(r, type, sizeof type);
  memset(&q, 0, sizeof q);
  q.format = upload_format(r, type);
  if (q.format == NULL)
    return http_error(r, HTTP_E_MEDIA_TYPE, "content-type",
                      "expected Content-Type: text/csv or "
                      "application/x-ndjson (or format=), got '%s'",
                      type);
  q.kind = http_arg(r, "kind");
  if (q.kind == NULL)
    return http_error(r, HTTP_E_BAD_REQUEST, "kind",
                      "kind: the kind of the records uploaded is needed");
  q.name = http_arg(r, "name");
  if (q.name == NULL)
    q.name = "upload";
  q.create_missing = cm && strcmp(cm, "0") != 0 && strcmp(cm, "false") != 0;
  arg_all(r, &maps, "map");
  arg_all(r, &sets, "set");
  arg_all(r, &values, "values");
  q.maps = maps.v;
  q.nmaps = maps.n;
  q.sets = sets.v;
  q.nsets = sets.n;
  q.values = values.v;
  q.nvalues = values.n;
  mr = http_writer_import(r, &q);
  free(maps.v);
  free(sets.v);
  free(values.v);
  return mr;
}

static int
to_buf(void *ctx, const void *data, size_t len)
{
  buf_append(ctx, data, len);
  return OK;
}

static const char *
records_format(struct request *r)
{
  const char *f = http_arg(r, "format");
  const char *accept =
      MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Accept");

  if (f || accept == NULL)
    return f;
  if (strstr(accept, "text/csv"))
    return "csv";
  return NULL;
}

enum MHD_Result
route_records_get(struct request *r)
{
  struct app_records_query q;
  struct app_error err = {0};
  struct MHD_Response *resp;
  struct buf b;
  struct app_sink out = {to_buf, &b};
  enum MHD_Result mr;
  uint64_t next = 0;
  char cursor[32];
  size_t len;
  int rc, has;

  memset(&q, 0, sizeof q);
  q.kind = http_arg(r, "kind");
  if (http_auth(r, APP_ACT_RECORDS, q.kind, &mr) != OK)
    return mr;
  q.format = records_format(r);
  buf_init(&b);
  if ((rc = http_arg_count(r, "cursor", &q.cursor, &has, &err)) == OK &&
      (rc = http_arg_count(r, "limit", &q.limit, &has, &err)) == OK) {
    const char *from = http_arg(r, "from"), *to = http_arg(r, "to");
    struct ptime t;
    if (from && util_parse_time(from, strlen(from), &t) == OK &&
        t.prec == TIME_DAY) {
      q.from = util_days_from_civil(t.year, t.month, t.day);
      q.has_from = 1;
    } else if (from) {
      buf_cleanup(&b);
      return http_error(r, HTTP_E_BAD_REQUEST, "from",
                        "from: expected a date like 2023-02-25, got '%s'",
                        from);
    }
    if (to && util_parse_time(to, strlen(to), &t) == OK && t.prec == TIME_DAY) {
      q.to = util_days_from_civil(t.year, t.month, t.day);
      q.has_to = 1;
    } else if (to) {
      buf_cleanup(&b);
      return http_error(r, HTTP_E_BAD_REQUEST, "to",
                        "to: expected a date like 2023-02-25, got '%s'", to);
    }
    if ((rc = app_refresh(http_app(r), &err)) == OK)
      rc = app_records(http_app(r), &q, &out, &next, &err);
  }
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
