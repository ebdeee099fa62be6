/* The analysis answers and the sitrep: GET /api/v1/flows, /index, ... as
 * the CLI's commands give them (the same app calls, the same bytes). */
#include "http/http_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A day parameter ("2023-02-25"). */
static int
arg_day(struct request *r, const char *name, int64_t *day, int *has,
        struct app_error *err)
{
  const char *v = http_arg(r, name);
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
http_arg_count(struct request *r, const char *name, uint64_t *out, int *has,
               struct app_error *err)
{
  const char *v = http_arg(r, name);
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

static int
parse_query(struct request *r, struct app_query *q, struct app_error *err)
{
  int has;
  int rc;

  memset(q, 0, sizeof *q);
  if ((rc = arg_day(r, "from", &q->from, &q->has_from, err)) != OK ||
      (rc = arg_day(r, "to", &q->to, &q->has_to, err)) != OK ||
      (rc = arg_day(r, "date", &q->date, &q->has_date, err)) != OK ||
      (rc = http_arg_count(r, "as_of", &q->as_of, &has, err)) != OK)
    return rc;
  q->by = http_arg(r, "by");
  q->measure = http_arg(r, "measure");
  q->source = http_arg(r, "source");
  q->outcome = http_arg(r, "outcome");
  q->checkpoint = http_arg(r, "checkpoint");
  if (q->by && (rc = app_check_list("by", q->by, err)) != OK)
    return rc;
  if (q->measure && (rc = app_check_list("measure", q->measure, err)) != OK)
    return rc;
  return app_check_range(q, err);
}

/* format=json|csv|hxl, or what Accept asks for; json by default. */
static int
answer_form(struct request *r, enum app_form *form, struct app_error *err)
{
  const char *f = http_arg(r, "format");
  const char *accept =
      MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Accept");

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
  enum app_form form;
  enum MHD_Result mr;
  struct buf b;
  struct app_sink out = {to_buf, &b};
  int rc;

  if (http_auth(r, APP_ACT_ANSWER, name, &mr) != OK)
    return mr;
  buf_init(&b);
  if ((rc = parse_query(r, &q, &err)) == OK &&
      (rc = answer_form(r, &form, &err)) == OK &&
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

enum MHD_Result
route_sitrep(struct request *r)
{
  struct app_sitrep_query q = {0};
  struct app_error err = {0};
  const char *period = http_arg(r, "period");
  enum MHD_Result mr;
  struct buf b;
  int rc, has;

  if (http_auth(r, APP_ACT_REPORT, NULL, &mr) != OK)
    return mr;
  buf_init(&b);
  q.period_days = 1;
  q.format = http_arg(r, "format");
  if ((rc = arg_day(r, "date", &q.date, &q.has_date, &err)) == OK &&
      (rc = http_arg_count(r, "as_of", &q.as_of, &has, &err)) == OK &&
      (period == NULL ||
       (rc = app_check_period(period, &q.period_days, &err)) == OK) &&
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
