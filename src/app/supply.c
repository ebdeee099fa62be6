/* The supply answer: days of cover and stock-out dates per category. */
#include "app/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "app/app_int.h"
#include "util/i18n.h"

/* {"low": a, "high": b} */
static json_t *
range_json(json_t *low, json_t *high)
{
  json_t *o = json_object();

  json_object_set_new(o, "low", low);
  json_object_set_new(o, "high", high);
  return o;
}

static json_t *
stockout_day(int has, int64_t day)
{
  return has ? app__day(day) : json_null();
}

static json_t *
category_json(const struct analysis_supply *s)
{
  int cover = s->has_stock && s->need_per_day > 0;
  json_t *o = json_object(), *so = json_object();

  json_object_set_new(o, "category", json_string(s->category));
  json_object_set_new(o, "unit", json_string(s->unit));
  json_object_set_new(o, "stock",
                      range_json(app__figure(s->has_stock, s->stock_low),
                                 app__figure(s->has_stock, s->stock_high)));
  json_object_set_new(o, "need_per_day",
                      app__figure(s->need_per_day > 0, s->need_per_day));
  json_object_set_new(o, "inflow_7d_mean",
                      app__figure(s->has_inflow_7d, s->inflow_7d_mean));
  json_object_set_new(o, "baseline_inflow",
                      app__figure(s->has_baseline_inflow, s->baseline_inflow));
  json_object_set_new(o, "production_7d_mean",
                      app__figure(1, s->production_7d_mean));
  json_object_set_new(o, "days_of_cover",
                      range_json(app__figure(cover, s->cover_low),
                                 app__figure(cover, s->cover_high)));
  for (int sc = 0; sc < AS_COUNT; sc++)
    json_object_set_new(
        so, analysis_scenario_names[sc],
        range_json(stockout_day(s->has_stockout[sc][0], s->stockout[sc][0]),
                   stockout_day(s->has_stockout[sc][1], s->stockout[sc][1])));
  json_object_set_new(o, "stockout", so);
  json_object_set_new(o, "alert", json_string(analysis_alert_names[s->alert]));
  return o;
}

static void
supply_columns(struct app_table *t)
{
  static const char *const figures[][2] = {
      {"stock_low", "stock.low"},
      {"stock_high", "stock.high"},
      {"need_per_day", "need_per_day"},
      {"inflow_7d_mean", "inflow_7d_mean"},
      {"baseline_inflow", "baseline_inflow"},
      {"production_7d_mean", "production_7d_mean"},
      {"cover_low", "days_of_cover.low"},
      {"cover_high", "days_of_cover.high"}};
  char name[64], path[64];

  app__column(t, "date", "/date", APP_COL_DAY);
  app__column(t, "category", "category", APP_COL_TEXT);
  app__column(t, "unit", "unit", APP_COL_TEXT);
  for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
    app__column(t, figures[i][0], figures[i][1], APP_COL_NUMBER);
  for (int sc = 0; sc < AS_COUNT; sc++)
    for (int end = 0; end < 2; end++) {
      const char *e = end ? "high" : "low";
      snprintf(name, sizeof name, "stockout_%s_%s", analysis_scenario_names[sc],
               e);
      snprintf(path, sizeof path, "stockout.%s.%s", analysis_scenario_names[sc],
               e);
      app__column(t, name, path, APP_COL_DAY);
    }
  app__column(t, "alert", "alert", APP_COL_TEXT);
}

int
app_supply(struct app *app, const struct app_query *q,
           const struct app_rows *out, struct app_error *err)
{
  struct analysis_supply *res = NULL;
  struct analysis *a = NULL;
  struct app_table t;
  size_t n = 0;
  int rc;

  if (!q->has_date)
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "date",
                     "--date D is required");
  app__table(&t, "categories");
  if ((rc = app__no_checkpoint(_("the supply outlook"), q, err)) != OK ||
      (rc = app__view(app, q->as_of, &a, err)) != OK)
    goto out;
  rc = analysis_supply(a, q->date, &res, &n);
  if (rc != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(app->st));
    goto out;
  }
  json_object_set_new(t.json, "date", app__day(q->date));
  supply_columns(&t);
  rc = app__begin(out, &t, err);
  for (size_t i = 0; rc == OK && i < n; i++)
    rc = app__row(out, &t, category_json(&res[i]), err);
  if (rc == OK)
    rc = app__end(out, &t, err);
out:
  free(res);
  app_table_cleanup(&t);
  analysis_free(a);
  return rc;
}
