/*
 * Fuzzes the server's query parameters: the input is a query string (what
 * follows '?'), split at '&' and '=' and percent-decoded by
 * libmicrohttpd's own MHD_http_unescape as the server's requests are, then
 * read by the very functions the routes call (http_int.h): the analysis
 * answers' query (http_parse_query: days, as_of, by and measure lists, the
 * range), their format (http_parse_form, with the parameter "accept"
 * standing for the Accept header), the sitrep's (http_sitrep_query:
 * period), GET /api/v1/records' (http_records_query: cursor, limit),
 * an upload's (http_import_query: format or the parameter
 * "content-type" standing for the media type, kind, name, create_missing,
 * map, set, values), and the whole numbers of the log's routes and
 * proofs (http_parse_count: start, end, index, size, old, new).
 *
 * Besides crashes, leaks and UB it checks what their contracts say:
 * an error is ERR_USAGE of the request, naming a field, with a message;
 * a number taken is all digits; a range taken is in order; a period is a
 * day, a week or a month; an upload's query has a format and a kind, and
 * every map, set and values given, in order.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
  fprintf(stderr, "fuzz_http_query: %s\n", what);
  abort();
}

static size_t
count(const struct pairs *p, const char *name)
{
  size_t n = 0;

  for (size_t i = 0; i < p->n; i++)
    n += strcmp(p->key[i], name) == 0 && p->value[i] != NULL;
  return n;
}

/* An error as the routes answer it (http_fail: 400 and the field). */
static void
check_error(int rc, struct app_error *err)
{
  if (rc == OK)
    return;
  if (rc != ERR_USAGE || err->kind != APP_ERROR_REQUEST ||
      err->message == NULL || err->field == NULL)
    fail("a bad query answered otherwise than ERR_USAGE of a field, "
         "with a message");
  app_error_cleanup(err);
}

static void
check_count(const struct pairs *p, const char *name)
{
  struct app_error err = {0};
  const char *v = get((void *)p, name);
  uint64_t n = 0;
  int has = 0;
  int rc = http_parse_count(name, v, &n, &has, &err);

  if (rc == OK && has != (v != NULL))
    fail("a number given and not taken, or taken and not given");
  if (rc == OK && v)
    for (const char *c = v; *c; c++)
      if (*c < '0' || *c > '9')
        fail("a whole number taken with other than digits");
  check_error(rc, &err);
}

static void
check_answers(const struct http_args *a)
{
  struct app_error err = {0};
  struct app_query q;
  enum app_form form;
  int rc = http_parse_query(a, &q, &err);

  if (rc == OK && q.has_from && q.has_to && q.from > q.to)
    fail("a range taken out of order");
  check_error(rc, &err);
  rc = http_parse_form(get(a->ctx, "format"), get(a->ctx, "accept"), &form,
                       &err);
  if (rc == OK && form != APP_FORM_JSON && form != APP_FORM_CSV &&
      form != APP_FORM_HXL)
    fail("an answer's form that is none of json, csv, hxl");
  check_error(rc, &err);
}

static void
check_sitrep(const struct http_args *a)
{
  struct app_error err = {0};
  struct app_sitrep_query q;
  int rc = http_sitrep_query(a, &q, &err);

  if (rc == OK && q.period_days != 1 && q.period_days != 7 &&
      q.period_days != APP_PERIOD_MONTH)
    fail("a sitrep's period that is none of a day, week, month");
  check_error(rc, &err);
}

static void
check_records(const struct http_args *a)
{
  struct app_error err = {0};
  struct app_records_query q;
  int rc = http_records_query(a, get(a->ctx, "accept"), &q, &err);

  check_error(rc, &err);
}

static void
check_import(const struct pairs *p, const struct http_args *a)
{
  struct app_error err = {0};
  struct app_import_query q;
  enum http_error_id id = HTTP_E_COUNT;
  const char *ct = get(a->ctx, "content-type");
  char type[128];
  int rc;

  http_media_type(ct, type, sizeof type);
  rc = http_import_query(a, type, &q, &id, &err);
  if (rc == OK) {
    if (q.format == NULL || q.kind == NULL || q.name == NULL)
      fail("an upload's query without a format, kind or name");
    if (q.nmaps != count(p, "map") || q.nsets != count(p, "set") ||
        q.nvalues != count(p, "values"))
      fail("an upload's map, set or values lost");
    for (size_t i = 0, k = 0; i < p->n; i++)
      if (strcmp(p->key[i], "map") == 0 && p->value[i] &&
          q.maps[k++] != p->value[i])
        fail("an upload's maps out of order");
  } else {
    if (rc != ERR_USAGE || err.message == NULL || err.field == NULL ||
        (id != HTTP_E_MEDIA_TYPE && id != HTTP_E_BAD_REQUEST))
      fail("an upload's query refused without its status, field, message");
    app_error_cleanup(&err);
  }
  free((void *)q.maps);
  free((void *)q.sets);
  free((void *)q.values);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const counts[] = {"start", "end", "index",
                                       "size",  "old", "new"};
  char *text = xstrndup((const char *)data, size);
  struct pairs p;
  struct http_args a = {get, each, &p};

  split(text, &p);
  check_answers(&a);
  check_sitrep(&a);
  check_records(&a);
  check_import(&p, &a);
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
    check_count(&p, counts[i]);
  free(text);
  return 0;
}
