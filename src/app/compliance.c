/* The compliance answer: each obligation of the agreement, day by day. */
#include "app/app.h"

#include <string.h>

#include "analysis/analysis.h"
#include "app/app_int.h"

static json_t *
obligation_json(const struct analysis_compliance *r)
{
  json_t *o = json_object();

  json_t *force = json_object();

  json_object_set_new(o, "id", json_string(r->ob->id));
  json_object_set_new(o, "text", json_string(r->ob->text ? r->ob->text : ""));
  json_object_set_new(force, "from",
                      r->ob->has_from ? app__day(r->ob->from) : json_null());
  json_object_set_new(force, "until",
                      r->ob->has_until ? app__day(r->ob->until) : json_null());
  json_object_set_new(o, "in_force", force);
  json_object_set_new(o, "days_met", json_integer((json_int_t)r->days_met));
  json_object_set_new(o, "days_breached",
                      json_integer((json_int_t)r->days_breached));
  json_object_set_new(o, "days_unknown",
                      json_integer((json_int_t)r->days_unknown));
  json_object_set_new(o, "longest_breach",
                      json_integer((json_int_t)r->longest_breach));
  json_object_set_new(o, "current_run",
                      json_integer((json_int_t)r->current_run));
  return o;
}

int
app_compliance(struct app *app, const struct app_query *q,
               const struct app_rows *out, struct app_error *err)
{
  static const char *const counts[] = {"days_met", "days_breached",
                                       "days_unknown", "longest_breach",
                                       "current_run"};
  struct analysis_compliance *res = NULL;
  struct analysis *a = NULL;
  struct app_table t;
  int64_t from, to;
  size_t n = 0;
  int rc;

  app__table(&t, "obligations");
  if ((rc = app_check_range(q, err)) != OK ||
      (rc = app__no_checkpoint("compliance", q, err)) != OK ||
      (rc = app__view(app, q->as_of, &a, err)) != OK ||
      (rc = app__period(a, q, &from, &to, err)) != OK)
    goto out;
  rc = analysis_compliance(a, from, to, &res, &n);
  if (rc != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(app->st));
    goto out;
  }
  app__column(&t, "id", "id", APP_COL_TEXT);
  app__column(&t, "text", "text", APP_COL_TEXT);
  app__column(&t, "in_force_from", "in_force.from", APP_COL_DAY);
  app__column(&t, "in_force_until", "in_force.until", APP_COL_DAY);
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
    app__column(&t, counts[i], counts[i], APP_COL_COUNT);
  rc = app__begin(out, &t, err);
  for (size_t i = 0; rc == OK && i < n; i++)
    rc = app__row(out, &t, obligation_json(&res[i]), err);
  if (rc == OK)
    rc = app__end(out, &t, err);
out:
  analysis_compliance_free(res, n);
  app_table_cleanup(&t);
  analysis_free(a);
  return rc;
}
