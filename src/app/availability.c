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

/* One row: a checkpoint's (or the corridor's) share of day open in dir. */
static int
availability_row(struct app *app, struct analysis *a, const char *cp, int dir,
                 int64_t day, const struct app_rows *out,
                 const struct app_table *t, struct app_error *err)
{
  json_t *o;
  double share;
  int known, rc;

  rc = strcmp(cp, "corridor") == 0
           ? analysis_corridor_availability(a, dir, day, &share, &known)
           : analysis_availability(a, cp, dir, day, &share, &known);
  if (rc != OK)
    return app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s",
                     store_errmsg(app->st));
  o = json_object();
  json_object_set_new(o, "day", app__day(day));
  json_object_set_new(o, "checkpoint", json_string(cp));
  json_object_set_new(o, "direction",
                      json_string(analysis_direction_names[dir]));
  json_object_set_new(o, "availability", app__figure(known, share));
  return app__row(out, t, o, err);
}

/* The rows of days from..to, each day every checkpoint of l in each
 * direction. */
static int
availability_rows(struct app *app, struct analysis *a, const struct cp_list *l,
                  int64_t from, int64_t to, const struct app_rows *out,
                  const struct app_table *t, struct app_error *err)
{
  for (int64_t day = from; day <= to; day++)
    for (size_t i = 0; i < l->n; i++)
      for (int dir = 0; dir < AD_COUNT; dir++) {
        int rc = availability_row(app, a, l->ids[i], dir, day, out, t, err);
        if (rc != OK)
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
    /* "corridor" is reserved (no checkpoint may take the id): the
     * corridor's own figure. */
    if (strcmp(q->checkpoint, "corridor") == 0)
      cps.ids[0] = xstrdup("corridor");
    else if ((rc = app__resolve(app, KIND_checkpoint, "checkpoint",
                                q->checkpoint, &cps.ids[0], err)) != OK)
      goto out;
    cps.n = cps.cap = 1;
  } else {
    /* The corridor first: a road is only as open as its most closed
     * route checkpoint. */
    cps.ids = util_grow(cps.ids, &cps.cap, 1, sizeof *cps.ids);
    cps.ids[cps.n++] = xstrdup("corridor");
    rc = analysis_each_record(a, KIND_checkpoint, add_cp, &cps);
    if (rc != OK) {
      app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s",
                store_errmsg(app->st));
      goto out;
    }
  }
  app__column(&t, "day", "day", APP_COL_DAY);
  app__column(&t, "checkpoint", "checkpoint", APP_COL_TEXT);
  app__column(&t, "direction", "direction", APP_COL_TEXT);
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
