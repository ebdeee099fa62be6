/*
 * What the public sees of the flows: person counts aggregated as asked,
 * each small one suppressed (DESIGN.md section 10), so that no one person's
 * crossing can be read from a public figure.
 */
#include "app/app.h"

#include <string.h>

#include "app/app_int.h"
#include "corridor/corridor.h"

struct suppressor {
  const struct app_rows *out;
  double min;
};

static int
small(const json_t *v, double min)
{
  double d;

  if (!json_is_number(v))
    return 0;
  d = json_number_value(v);
  return d > 0 && d < min;
}

static int
sup_begin(void *ctx, const struct app_table *t)
{
  struct suppressor *s = ctx;

  return s->out->begin ? s->out->begin(s->out->ctx, t) : OK;
}

static int
sup_end(void *ctx, const struct app_table *t)
{
  struct suppressor *s = ctx;

  return s->out->end ? s->out->end(s->out->ctx, t) : OK;
}

/* A disputing source's person figure that is small. */
static int
small_source(const json_t *src, double min)
{
  const char *m = json_string_value(json_object_get(src, "measure"));

  return m && strcmp(m, "persons") == 0 &&
         small(json_object_get(src, "value"), min);
}

/* 1 when the row shows a small person count anywhere. */
static int
needs_suppression(const json_t *row, double min)
{
  const json_t *src;
  size_t i;

  if (small(json_object_get(row, "persons"), min))
    return 1;
  for (i = 0; i < json_array_size(json_object_get(row, "sources")); i++) {
    src = json_array_get(json_object_get(row, "sources"), i);
    if (small_source(src, min))
      return 1;
  }
  return 0;
}

static int
sup_row(void *ctx, const struct app_table *t, const json_t *row)
{
  struct suppressor *s = ctx;
  json_t *copy, *sources;
  int rc;

  if (!needs_suppression(row, s->min))
    return s->out->row(s->out->ctx, t, row);
  copy = json_deep_copy(row);
  if (small(json_object_get(copy, "persons"), s->min))
    json_object_set_new(copy, "persons", json_null());
  sources = json_object_get(copy, "sources");
  for (size_t i = 0; i < json_array_size(sources); i++) {
    json_t *src = json_array_get(sources, i);
    if (small_source(src, s->min))
      json_object_set_new(src, "value", json_null());
  }
  json_object_set_new(copy, "suppressed", json_true());
  rc = s->out->row(s->out->ctx, t, copy);
  json_decref(copy);
  return rc;
}

int
app_flow_public(struct app *app, const struct app_query *q,
                const struct app_rows *out, struct app_error *err)
{
  struct suppressor s = {out, 10};
  struct app_rows wrap = {sup_begin, sup_row, sup_end, &s, out->detail};
  const struct corridor *c;
  struct store *st;
  int rc;

  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  /* The threshold of the rules in force at the answer's size. */
  c = store_corridor(st);
  if (q->as_of > 0 && (rc = store_corridor_at(st, q->as_of, &c)) != OK)
    return app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
  s.min = (double)c->min_public_count;
  return app_flow(app, q, &wrap, err);
}
