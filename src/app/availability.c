/* The availability answer: the share of each day each checkpoint was
 * open. */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "app/app_int.h"

struct cp_list {
  char **ids;
  size_t n, cap;
};

static int
add_cp(void *ctx, const struct record *rec, uint64_t seq)
{
  struct cp_list *l = ctx;

  (void)seq;
  l->ids = util_grow(l->ids, &l->cap, l->n + 1, sizeof *l->ids);
  l->ids[l->n++] = xstrdup(record_get(rec, "id"));
  return OK;
}

/* The rows of days from..to, each day every checkpoint of l. */
static int
availability_rows(struct app *app, struct analysis *a, const struct cp_list *l,
                  int64_t from, int64_t to, const struct app_rows *out,
                  const struct app_table *t, struct app_error *err)
{
  for (int64_t day = from; day <= to; day++)
    for (size_t i = 0; i < l->n; i++) {
      json_t *o;
      double share;
      int known, rc;
      rc = analysis_availability(a, l->ids[i], day, &share, &known);
      if (rc != OK)
        return app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s",
                         store_errmsg(app->st));
      o = json_object();
      json_object_set_new(o, "day", app__day(day));
      json_object_set_new(o, "checkpoint", json_string(l->ids[i]));
      json_object_set_new(o, "availability", app__figure(known, share));
      if ((rc = app__row(out, t, o, err)) != OK)
        return rc;
    }
  return OK;
}

int
app_availability(struct app *app, const struct app_query *q,
                 const struct app_rows *out, struct app_error *err)
{
  struct cp_list cps = {0};
  struct analysis *a = NULL;
  struct app_table t;
  int64_t from, to;
  int rc;

  app__table(&t, "days");
  if ((rc = app_check_range(q, err)) != OK ||
      (rc = app__view(app, q->as_of, &a, err)) != OK ||
      (rc = app__period(a, q, &from, &to, err)) != OK)
    goto out;
  if (q->checkpoint) {
    cps.ids = xcalloc(1, sizeof *cps.ids);
    if ((rc = app__resolve(app, KIND_checkpoint, "checkpoint", q->checkpoint,
                           &cps.ids[0], err)) != OK)
      goto out;
    cps.n = cps.cap = 1;
  } else if ((rc = analysis_each_record(a, KIND_checkpoint, add_cp, &cps)) !=
             OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(app->st));
    goto out;
  }
  app__column(&t, "day", "day", APP_COL_DAY);
  app__column(&t, "checkpoint", "checkpoint", APP_COL_TEXT);
  app__column(&t, "availability", "availability", APP_COL_SHARE);
  if ((rc = app__begin(out, &t, err)) == OK &&
      (rc = availability_rows(app, a, &cps, from, to, out, &t, err)) == OK)
    rc = app__end(out, &t, err);
out:
  for (size_t i = 0; i < cps.n; i++)
    free(cps.ids[i]);
  free(cps.ids);
  app_table_cleanup(&t);
  analysis_free(a);
  return rc;
}
