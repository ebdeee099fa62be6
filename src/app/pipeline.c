/* The pipeline answer: counts at each of the corridor's stages, the
 * backlog, and the dwell between stages, per day, checkpoint and
 * direction. */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "app/app_int.h"
#include "corridor/corridor.h"

/* The measures a pipeline counts, as --measure names them. */
static const char *const measures[AM_COUNT] = {"records", "vehicles", "persons",
                                               "tonnes"};

static int
pipeline_measure(const char *text, int *m, struct app_error *err)
{
  *m = AM_VEHICLES;
  if (text == NULL)
    return OK;
  for (int i = 0; i < AM_COUNT; i++)
    if (strcmp(text, measures[i]) == 0) {
      *m = i;
      return OK;
    }
  return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "measure",
                   "--measure: expected one of vehicles, persons, tonnes, "
                   "records, got '%s'",
                   text);
}

struct pipe_out {
  const struct corridor *c;
  int measure;
  const struct app_rows *out;
  const struct app_table *t;
  struct app_error *err;
  int failed;
};

/* "queued_to_inspected": the member and column name of a step. */
static char *
step_name(const struct corridor *c, size_t k)
{
  return xasprintf("%s_to_%s", c->stages[k], c->stages[k + 1]);
}

static void
pipeline_table(const struct corridor *c, int measure, struct app_table *t)
{
  enum app_column_type type =
      measure == AM_TONNES ? APP_COL_NUMBER : APP_COL_TALLY;
  json_t *order = json_array(), *stages = json_object();

  app__table(t, "rows");
  for (size_t k = 0; k < c->nstages; k++)
    json_array_append_new(order, json_string(c->stages[k]));
  /* In an object, so that the rows form keeps the list on one line. */
  json_object_set_new(stages, "order", order);
  json_object_set_new(stages, "counting", json_string(c->counting_stage));
  json_object_set_new(t->json, "stages", stages);
  json_object_set_new(t->json, "measure", json_string(measures[measure]));
  app__column(t, "day", "day", APP_COL_DAY);
  app__column(t, "checkpoint", "checkpoint", APP_COL_TEXT);
  app__column(t, "direction", "direction", APP_COL_TEXT);
  for (size_t k = 0; k < c->nstages; k++) {
    char *path = xasprintf("stages.%s", c->stages[k]);
    app__column(t, c->stages[k], path, type);
    free(path);
  }
  app__column(t, "backlog", "backlog", type);
  for (size_t k = 0; k + 1 < c->nstages; k++) {
    char *step = step_name(c, k);
    char *name = xasprintf("%s_median_h", step);
    char *path = xasprintf("dwell.%s.median_hours", step);
    app__column(t, name, path, APP_COL_NUMBER);
    free(name);
    free(path);
    name = xasprintf("%s_p90_h", step);
    path = xasprintf("dwell.%s.p90_hours", step);
    app__column(t, name, path, APP_COL_NUMBER);
    free(name);
    free(path);
    free(step);
  }
}

/* Whether the row says anything of the measure asked: a count, a backlog
 * or a step made (the analysis gives rows busy in any measure). */
static int
says_something(const struct pipe_out *o,
               const struct analysis_pipeline_row *row)
{
  if (row->backlog[o->measure] > 0)
    return 1;
  for (size_t k = 0; k < row->nstages; k++)
    if (row->count[k * AM_COUNT + (size_t)o->measure] != 0 ||
        (k + 1 < row->nstages && row->dwell[k].n))
      return 1;
  return 0;
}

static int
add_row(void *ctx, const struct analysis_pipeline_row *row)
{
  struct pipe_out *o = ctx;
  json_t *r, *stages, *dwell;
  int rc;

  if (!says_something(o, row))
    return OK;
  r = json_object();
  stages = json_object();
  dwell = json_object();
  json_object_set_new(r, "day", app__day(row->day));
  json_object_set_new(r, "checkpoint", json_string(row->checkpoint));
  json_object_set_new(r, "direction", json_string(row->direction));
  /* Counts of a day nobody observed are unknown; the backlog carries. */
  for (size_t k = 0; k < row->nstages; k++)
    json_object_set_new(
        stages, o->c->stages[k],
        app__figure(row->observed[o->measure],
                    row->count[k * AM_COUNT + (size_t)o->measure]));
  json_object_set_new(r, "stages", stages);
  json_object_set_new(r, "backlog", app__figure(1, row->backlog[o->measure]));
  for (size_t k = 0; k + 1 < row->nstages; k++) {
    const struct analysis_dwell *d = &row->dwell[k];
    json_t *x;
    char *step;
    if (d->n == 0)
      continue;
    x = json_object();
    json_object_set_new(x, "consignments", json_integer((json_int_t)d->n));
    json_object_set_new(x, "median_hours", app__figure(1, d->median));
    json_object_set_new(x, "p90_hours", app__figure(1, d->p90));
    step = step_name(o->c, k);
    json_object_set_new(dwell, step, x);
    free(step);
  }
  json_object_set_new(r, "dwell", dwell);
  rc = app__row(o->out, o->t, r, o->err);
  o->failed = rc != OK;
  return rc;
}

int
app_pipeline(struct app *app, const struct app_query *q,
             const struct app_rows *out, struct app_error *err)
{
  struct analysis_pipeline_query pq;
  struct analysis *a = NULL;
  struct app_table t;
  struct pipe_out o;
  char *cp = NULL;
  int measure, rc;

  memset(&t, 0, sizeof t);
  if ((rc = pipeline_measure(q->measure, &measure, err)) != OK ||
      (rc = app_check_range(q, err)) != OK)
    return rc;
  if (q->checkpoint && (rc = app__resolve(app, KIND_checkpoint, "checkpoint",
                                          q->checkpoint, &cp, err)) != OK)
    return rc;
  memset(&pq, 0, sizeof pq);
  pq.checkpoint = cp;
  pq.dwell = 1;
  if ((rc = app__view(app, q->as_of, &a, err)) != OK ||
      (rc = app__period(a, q, &pq.from, &pq.to, err)) != OK)
    goto out;
  memset(&o, 0, sizeof o);
  o.c = analysis_corridor(a);
  o.measure = measure;
  o.out = out;
  o.t = &t;
  o.err = err;
  pipeline_table(o.c, measure, &t);
  if ((rc = app__begin(out, &t, err)) != OK)
    goto out;
  rc = analysis_pipeline(a, &pq, add_row, &o);
  if (rc != OK && !o.failed)
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(app->st));
  if (rc == OK)
    rc = app__end(out, &t, err);
out:
  app_table_cleanup(&t);
  analysis_free(a);
  free(cp);
  return rc;
}
