/* The analysis answers and the sitrep: GET /api/v1/flows, /index, ... as
 * the CLI's commands give them (the same app calls, the same bytes). */
#include "http/http_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
http_parse_day(const char *name, const char *v, int64_t *day, int *has,
               struct app_error *err)
{
  struct ptime t;

  *has = 0;
  if (v == NULL)
    return OK;
  if (util_parse_time(v, strlen(v), &t) != OK || t.prec != TIME_DAY) {
    app_error_cleanup(err);
    err->code = ERR_USAGE;
    err->kind = APP_ERROR_REQUEST;
    err->field = xstrdup(name);
    err->message =
        xasprintf("%s: expected a date like 2023-02-25, got '%s'", name, v);
    return ERR_USAGE;
  }
  *day = util_days_from_civil(t.year, t.month, t.day);
  *has = 1;
  return OK;
}

int
http_parse_count(const char *name, const char *v, uint64_t *out, int *has,
                 struct app_error *err)
{
  char *end;

  *has = 0;
  if (v == NULL)
    return OK;
  errno = 0;
  if (v[0] >= '0' && v[0] <= '9') {
    *out = strtoull(v, &end, 10);
    if (errno == 0 && *end == '\0') {
      *has = 1;
      return OK;
    }
  }
  app_error_cleanup(err);
  err->code = ERR_USAGE;
  err->kind = APP_ERROR_REQUEST;
  err->field = xstrdup(name);
  err->message = xasprintf("%s: expected a whole number, got '%s'", name, v);
  return ERR_USAGE;
}

int
http_arg_count(struct request *r, const char *name, uint64_t *out, int *has,
               struct app_error *err)
{
  return http_parse_count(name, http_arg(r, name), out, has, err);
}

static const char *
get(const struct http_args *a, const char *name)
{
  return a->get(a->ctx, name);
}

int
http_parse_query(const struct http_args *a, struct app_query *q,
                 struct app_error *err)
{
  int has;
  int rc;

  memset(q, 0, sizeof *q);
  if ((rc = http_parse_day("from", get(a, "from"), &q->from, &q->has_from,
                           err)) != OK ||
      (rc = http_parse_day("to", get(a, "to"), &q->to, &q->has_to, err)) !=
          OK ||
      (rc = http_parse_day("date", get(a, "date"), &q->date, &q->has_date,
                           err)) != OK ||
      (rc = http_parse_count("as_of", get(a, "as_of"), &q->as_of, &has, err)) !=
          OK)
    return rc;
  q->by = get(a, "by");
  q->measure = get(a, "measure");
  q->source = get(a, "source");
  q->outcome = get(a, "outcome");
  q->checkpoint = get(a, "checkpoint");
  if (q->by && (rc = app_check_list("by", q->by, err)) != OK)
    return rc;
  if (q->measure && (rc = app_check_list("measure", q->measure, err)) != OK)
    return rc;
  return app_check_range(q, err);
}

int
http_parse_form(const char *f, const char *accept, enum app_form *form,
                struct app_error *err)
{
  *form = APP_FORM_JSON;
  if (f == NULL && accept && strstr(accept, "text/csv"))
    f = "csv";
  if (f == NULL || strcmp(f, "json") == 0)
    return OK;
  if (strcmp(f, "csv") == 0) {
    *form = APP_FORM_CSV;
    return OK;
  }
  if (strcmp(f, "hxl") == 0) {
    *form = APP_FORM_HXL;
    return OK;
  }
  app_error_cleanup(err);
  err->code = ERR_USAGE;
  err->kind = APP_ERROR_REQUEST;
  err->field = xstrdup("format");
  err->message = xasprintf("format: expected json, csv or hxl, got '%s'", f);
  return ERR_USAGE;
}

static int
to_buf(void *ctx, const void *data, size_t len)
{
  buf_append(ctx, data, len);
  return OK;
}

static enum MHD_Result
answer(struct request *r, app_answer_fn *fn, const char *name)
{
  struct app_error err = {0};
  struct app_query q;
  struct http_args args;
  enum app_form form;
  enum MHD_Result mr;
  struct buf b;
  struct app_sink out = {to_buf, &b};
  int rc;

  if (http_auth(r, APP_ACT_ANSWER, name, &mr) != OK)
    return mr;
  buf_init(&b);
  http_request_args(r, &args);
  if ((rc = http_parse_query(&args, &q, &err)) == OK &&
      (rc = http_parse_form(
           http_arg(r, "format"),
           MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Accept"),
           &form, &err)) == OK &&
      (rc = app_refresh(http_app(r), &err)) == OK) {
    /* The public's flows hide small person counts; a pipeline of persons
     * would show them per consignment, so the public gets none. */
    if (fn == app_flow && r->who.role < APP_ROLE_ANALYST)
      fn = app_flow_public;
    if (fn == app_pipeline && r->who.role < APP_ROLE_ANALYST && q.measure &&
        strstr(q.measure, "persons") != NULL) {
      buf_cleanup(&b);
      return http_error(r, HTTP_E_FORBIDDEN, "measure",
                        "the public sees the pipeline of vehicles and "
                        "tonnes, not of persons");
    }
    rc = app_write_answer(http_app(r), fn, &q, form, &out, &err);
  }
  if (rc != OK) {
    buf_cleanup(&b);
    mr = http_fail(r, &err);
  } else {
    size_t len = b.len;
    mr = http_reply(r, 200,
                    form == APP_FORM_JSON ? "application/json"
                                          : "text/csv; charset=utf-8",
                    buf_take(&b), len);
  }
  app_error_cleanup(&err);
  return mr;
}

enum MHD_Result
route_flows(struct request *r)
{
  return answer(r, app_flow, "flows");
}

enum MHD_Result
route_index(struct request *r)
{
  return answer(r, app_index, "index");
}

enum MHD_Result
route_availability(struct request *r)
{
  return answer(r, app_availability, "availability");
}

enum MHD_Result
route_compliance(struct request *r)
{
  return answer(r, app_compliance, "compliance");
}

enum MHD_Result
route_supply(struct request *r)
{
  return answer(r, app_supply, "supply");
}

enum MHD_Result
route_pipeline(struct request *r)
{
  return answer(r, app_pipeline, "pipeline");
}

static const char *
sitrep_type(const char *format)
{
  if (format == NULL || strcmp(format, "md") == 0)
    return "text/markdown; charset=utf-8";
  if (strcmp(format, "html") == 0)
    return "text/html; charset=utf-8";
  if (strcmp(format, "json") == 0)
    return "application/json";
  return "text/plain; charset=utf-8";
}

int
http_sitrep_query(const struct http_args *a, struct app_sitrep_query *q,
                  struct app_error *err)
{
  const char *period = get(a, "period");
  int rc, has;

  memset(q, 0, sizeof *q);
  q->period_days = 1;
  q->format = get(a, "format");
  if ((rc = http_parse_day("date", get(a, "date"), &q->date, &q->has_date,
                           err)) != OK ||
      (rc = http_parse_count("as_of", get(a, "as_of"), &q->as_of, &has, err)) !=
          OK)
    return rc;
  return period ? app_check_period(period, &q->period_days, err) : OK;
}

enum MHD_Result
route_sitrep(struct request *r)
{
  struct app_sitrep_query q = {0};
  struct app_error err = {0};
  struct http_args args;
  enum MHD_Result mr;
  struct buf b;
  int rc;

  if (http_auth(r, APP_ACT_REPORT, NULL, &mr) != OK)
    return mr;
  buf_init(&b);
  http_request_args(r, &args);
  if ((rc = http_sitrep_query(&args, &q, &err)) == OK &&
      (rc = app_refresh(http_app(r), &err)) == OK)
    rc = app_report_sitrep(http_app(r), &q, &b, &err);
  if (rc != OK) {
    buf_cleanup(&b);
    mr = http_fail(r, &err);
  } else {
    size_t len = b.len;
    mr = http_reply(r, 200, sitrep_type(q.format), buf_take(&b), len);
  }
  app_error_cleanup(&err);
  return mr;
}
