/*
 * The server's status (GET /api/v1/status): `passage status`'s answer and
 * what a dashboard or entry page needs before it may ask anything else,
 * whoever asks: the corridor's categories and stages (the entry page's
 * choices), the checkpoints the index counts, the baseline per day (the
 * line the dashboard draws the flows against, which a public dashboard
 * cannot take from the sitrep, an analyst's), and the keys that the
 * log's checkpoints and the witnesses' cosignatures verify with.
 */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "app/app_int.h"
#include "corridor/corridor.h"
#include "util/util.h"

static json_t *
categories_json(const struct corridor *c)
{
  json_t *a = json_array();

  for (size_t i = 0; i < c->ncategories; i++) {
    const struct corridor_category *k = &c->categories[i];
    json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "id", k->id, "name",
                                       k->name ? k->name : k->id, "unit",
                                       k->unit ? k->unit : "t"));
  }
  return a;
}

static json_t *
stages_json(const struct corridor *c)
{
  json_t *order = json_array();

  for (size_t i = 0; i < c->nstages; i++)
    json_array_append_new(order, json_string(c->stages[i]));
  return json_pack("{s:o,s:s?}", "order", order, "counting", c->counting_stage);
}

/* The log's verifier key (null when the server holds no key) and each
 * witness's, as the corridor file gives them. */
static json_t *
keys_json(struct app *app, const struct corridor *c, const char *key)
{
  struct app_error kerr = {0};
  struct app_key k = {0};
  json_t *w = json_array();

  for (size_t i = 0; i < c->nwitnesses; i++)
    json_array_append_new(w, json_pack("{s:s,s:s}", "name", c->witnesses[i].id,
                                       "key", c->witnesses[i].key));
  app_key_public(app, key, 0, &k, &kerr);
  app_error_cleanup(&kerr);
  json_t *o = json_pack("{s:o,s:o}", "log",
                        k.verifier ? json_string(k.verifier) : json_null(),
                        "witnesses", w);
  app_key_cleanup(&k);
  return o;
}

/* The checkpoints the index counts, or null when it counts every one. */
static json_t *
counted_json(struct analysis *a)
{
  size_t n = 0;
  const char *const *ids = analysis_index_checkpoints(a, &n);
  json_t *arr;

  if (ids == NULL || n == 0)
    return json_null();
  arr = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(arr, json_string(ids[i]));
  return arr;
}

/*
 * The baseline per day, per direction and measure. For whom may not read
 * every count, a person figure under the corridor's min_public_count is
 * null, and the object says "suppressed", as app_flow_public does.
 */
static json_t *
per_day_json(const struct analysis_index_day *d, double min, int suppress,
             int *suppressed)
{
  json_t *o = json_object();

  for (int dir = 0; dir < AD_COUNT; dir++) {
    json_t *p = json_object();
    for (int k = 0; k < AP_COUNT; k++) {
      double v = d->baseline[dir][k];
      int known = d->base_known[dir][k];
      if (suppress && known && k == AP_PERSONS && v > 0 && v < min) {
        known = 0;
        *suppressed = 1;
      }
      json_object_set_new(p, analysis_part_names[k], app__figure(known, v));
    }
    json_object_set_new(o, analysis_direction_names[dir], p);
  }
  return o;
}

struct app_status_cache {
  uint64_t size;
  struct analysis_index_day day;
};

/* The baseline as of size: computed once per tree size (it reads every
 * flow of the window, which made each status request cost as much as an
 * index over the whole window). */
static int
baseline_at(struct app *app, struct analysis *a, uint64_t size,
            const struct corridor *c, struct analysis_index_day *d)
{
  struct app_status_cache *k = app->status_cache;
  int rc;

  if (k != NULL && k->size == size) {
    *d = k->day;
    return OK;
  }
  memset(d, 0, sizeof *d);
  if ((rc = analysis_index(a, c->baseline_from, c->baseline_from, d)) != OK)
    return rc;
  if (k == NULL)
    k = app->status_cache = xcalloc(1, sizeof *k);
  k->size = size;
  k->day = *d;
  return OK;
}

static int
baseline_json(struct app *app, const struct app_principal *who, uint64_t size,
              json_t *o, struct app_error *err)
{
  struct analysis_index_day d;
  struct app_error perr = {0};
  const struct corridor *c;
  struct analysis *a = NULL;
  int suppressed = 0, rc;
  json_t *b;

  if ((rc = app__view(app, size, &a, err)) != OK)
    return rc;
  c = store_corridor(app->st);
  json_object_set_new(json_object_get(o, "corridor"), "index_checkpoints",
                      counted_json(a));
  /* The baseline is the index's: who may not read the index gets none. */
  if (app_allow(app, who, APP_ACT_ANSWER, "index", &perr) != OK ||
      !c->has_baseline) {
    json_object_set_new(o, "baseline", json_null());
    goto out;
  }
  rc = baseline_at(app, a, size, c, &d);
  if (rc != OK) {
    app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(app->st));
    goto out;
  }
  b = json_object();
  json_object_set_new(b, "window",
                      json_pack("{s:o,s:o}", "from", app__day(c->baseline_from),
                                "to", app__day(c->baseline_to)));
  json_object_set_new(b, "per_day",
                      per_day_json(&d, (double)c->min_public_count,
                                   who->role < APP_ROLE_ANALYST, &suppressed));
  json_object_set_new(b, "suppressed", json_boolean(suppressed));
  json_object_set_new(o, "baseline", b);
out:
  app_error_cleanup(&perr);
  analysis_free(a);
  return rc;
}

static int
status_in_snapshot(struct app *app, const struct app_principal *who,
                   const char *key, json_t **out, struct app_error *err)
{
  const struct corridor *c;
  json_t *o = NULL, *cor;
  int rc;

  *out = NULL;
  if ((rc = app_overview(app, key, &o, err)) != OK)
    return rc;
  c = store_corridor(app->st);
  cor = json_object_get(o, "corridor");
  json_object_set_new(cor, "categories", categories_json(c));
  json_object_set_new(cor, "stages", stages_json(c));
  json_object_set_new(o, "keys", keys_json(app, c, key));
  rc = baseline_json(
      app, who, (uint64_t)json_integer_value(json_object_get(o, "tree_size")),
      o, err);
  if (rc != OK) {
    json_decref(o);
    return rc;
  }
  *out = o;
  return OK;
}

int
app_status_serve(struct app *app, const struct app_principal *who,
                 const char *key, json_t **out, struct app_error *err)
{
  json_t *o = NULL;
  struct store *st;
  int rc;

  *out = NULL;
  /* One snapshot for the overview and the baseline: the baseline's view is
   * of the overview's tree size, and a view of a size older than the
   * store's builds its days from every flow record of the window rather
   * than from the kept cells (a write landing between the two did that
   * to a share of the status requests under load: seconds and 166 MB
   * each at 390,000 flows, the soak's heap profile). */
  if ((rc = app__snapshot(app, &st, err)) != OK)
    return rc;
  rc = status_in_snapshot(app, who, key, &o, err);
  app__snapshot_end(app);
  if (rc == OK)
    *out = o;
  return rc;
}
