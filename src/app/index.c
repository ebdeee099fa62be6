/* The functioning index answer: flows against the baseline, day by day. */
#include "app/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "app/app_int.h"
#include "util/i18n.h"

static json_t *
day_json(const struct analysis_index_day *d)
{
  json_t *o = json_object(), *parts = json_object();

  json_object_set_new(o, "day", app__day(d->day));
  json_object_set_new(o, "index", app__figure(d->known, d->index));
  for (int dir = 0; dir < AD_COUNT; dir++) {
    json_t *p = json_object();
    for (int k = 0; k < AP_COUNT; k++)
      json_object_set_new(p, analysis_part_names[k],
                          app__figure(d->part_known[dir][k], d->part[dir][k]));
    json_object_set_new(parts, analysis_direction_names[dir], p);
  }
  json_object_set_new(o, "parts", parts);
  return o;
}

static void
index_columns(struct app_table *t)
{
  app__column(t, "day", "day", APP_COL_DAY);
  app__column(t, "index", "index", APP_COL_SHARE);
  for (int dir = 0; dir < AD_COUNT; dir++)
    for (int k = 0; k < AP_COUNT; k++) {
      char name[64], path[64];
      snprintf(name, sizeof name, "%s_%s", analysis_direction_names[dir],
               analysis_part_names[k]);
      snprintf(path, sizeof path, "parts.%s.%s", analysis_direction_names[dir],
               analysis_part_names[k]);
      app__column(t, name, path, APP_COL_SHARE);
    }
}

int
app_index(struct app *app, const struct app_query *q,
          const struct app_rows *out, struct app_error *err)
{
  struct analysis_index_day *days = NULL;
  struct analysis *a = NULL;
  struct app_table t;
  int64_t from, to;
  int rc;

  app__table(&t, "days");
  if ((rc = app_check_range(q, err)) != OK ||
      (rc = app__no_checkpoint(_("the index"), q, err)) != OK ||
      (rc = app__view(app, q->as_of, &a, err)) != OK ||
      (rc = app__period(a, q, &from, &to, err)) != OK)
    goto out;
  days = xcalloc((size_t)(to - from + 1), sizeof *days);
  rc = analysis_index(a, from, to, days);
  if (rc == ERR_NOTFOUND) {
    app__fail(err, rc, APP_ERROR_OPERATION, NULL,
              "the corridor file sets no baseline window (baseline = D1..D2 "
              "in [corridor])");
    goto out;
  }
  if (rc != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(app->st));
    goto out;
  }
  index_columns(&t);
  rc = app__begin(out, &t, err);
  for (int64_t i = 0; rc == OK && i <= to - from; i++)
    rc = app__row(out, &t, day_json(&days[i]), err);
  if (rc == OK)
    rc = app__end(out, &t, err);
out:
  free(days);
  app_table_cleanup(&t);
  analysis_free(a);
  return rc;
}
