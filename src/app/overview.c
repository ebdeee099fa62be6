/*
 * The corridor at a glance, for a dashboard's map and filters (the
 * server's /api/v1/status; `passage status` is status.c's): the corridor, its
 * checkpoints, the log's head, the sources with their grades and how many flows
 * cite each, the period the flows cover. Every figure comes from the kept
 * rollups and the corridor, never from a scan of the records, so it costs the
 * same over any history.
 */
#include "app/app.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"

static json_t *
opt_number(int has, double v)
{
  return has ? json_real(v) : json_null();
}

static json_t *
corridor_json(const struct corridor *c)
{
  json_t *o = json_object(), *cps = json_array(), *pub = json_array();

  json_object_set_new(o, "name", json_string(c->name));
  json_object_set_new(o, "log", json_string(c->log ? c->log : ""));
  json_object_set_new(o, "timezone",
                      json_string(c->timezone ? c->timezone : "UTC"));
  json_object_set_new(o, "inside",
                      c->inside ? json_string(c->inside) : json_null());
  for (size_t i = 0; i < c->ncheckpoints; i++) {
    const struct corridor_checkpoint *k = &c->checkpoints[i];
    json_t *cp = json_object();
    json_object_set_new(cp, "id", json_string(k->id));
    json_object_set_new(cp, "name", json_string(k->name ? k->name : k->id));
    json_object_set_new(cp, "lat", opt_number(k->has_lat, k->lat));
    json_object_set_new(cp, "lon", opt_number(k->has_lon, k->lon));
    json_object_set_new(cp, "km", opt_number(k->has_km, k->km));
    /* Whether a checkpoint lies on the route the index counts is the
     * corridor file's to say (issue 8); until it can, none is marked. */
    json_object_set_new(cp, "route", json_null());
    json_array_append_new(cps, cp);
  }
  json_object_set_new(o, "checkpoints", cps);
  for (size_t i = 0; i < c->npublish; i++)
    json_array_append_new(pub, json_string(c->publish[i]));
  json_object_set_new(o, "publish", pub);
  json_object_set_new(o, "min_public_count",
                      json_integer((json_int_t)c->min_public_count));
  return o;
}

struct sources {
  json_t *list;        /* [{id, name, grade, records}] */
  json_t *index;       /* id -> its object in list */
  int64_t first, last; /* the days of rows that hold a record */
  int any;
};

static int
source_one(void *ctx, const struct record *rec, uint64_t seq)
{
  struct sources *s = ctx;
  const char *id = record_get(rec, "id"), *grade = record_get(rec, "grade");
  json_t *o = json_object();

  (void)seq;
  json_object_set_new(o, "id", json_string(id));
  json_object_set_new(o, "name", json_string(record_get(rec, "name")));
  json_object_set_new(o, "grade", grade ? json_string(grade) : json_null());
  json_object_set_new(o, "records", json_integer(0));
  json_array_append_new(s->list, o);
  json_object_set(s->index, id, o);
  return OK;
}

static int
source_count(void *ctx, const struct flow_row *row)
{
  struct sources *s = ctx;
  const char *id = row->dim[DIM_SOURCE];
  json_t *o = id ? json_object_get(s->index, id) : NULL;

  /* A row whose records were corrected or withdrawn since holds none: its
   * day is no day of the flows. */
  if (fabs(row->m[M_RECORDS]) < 1e-9)
    return OK;
  if (!s->any || row->day < s->first)
    s->first = row->day;
  if (!s->any || row->day > s->last)
    s->last = row->day;
  s->any = 1;
  /* A record spread over days gives each its share: summed, they make it
   * whole again. */
  if (o)
    json_object_set_new(
        o, "records",
        json_real(json_number_value(json_object_get(o, "records")) +
                  row->m[M_RECORDS]));
  return OK;
}

/* The record counts, whole again after the shares were summed. */
static void
round_counts(json_t *list)
{
  json_t *o;
  size_t i;

  json_array_foreach(list, i, o)
  {
    double v = json_number_value(json_object_get(o, "records"));
    json_object_set_new(o, "records", json_integer((json_int_t)llround(v)));
  }
}

static int
overview_sources(struct store *st, json_t *root, json_t **span)
{
  struct sources s = {json_array(), json_object(), 0, 0, 0};
  int64_t first, last;
  int rc;

  *span = json_null();
  rc = store_each_live(st, KIND_source, store_size(st), source_one, &s);
  if (rc == OK && (rc = store_flow_day_span(st, &first, &last)) == OK)
    rc = store_each_flow_day(st, first, last, source_count, &s);
  else if (rc == ERR_NOTFOUND)
    rc = OK;
  /* The span of the live flows: the rollups keep the rows of days whose
   * records were all taken back, at zero. */
  if (rc == OK && s.any) {
    json_decref(*span);
    *span = json_pack("{s:o,s:o}", "from", app__day(s.first), "to",
                      app__day(s.last));
  }
  round_counts(s.list);
  json_object_set_new(root, "sources", s.list);
  json_decref(s.index);
  return rc;
}

int
app_tree_head(struct app *app, uint64_t *size, uint8_t root[32],
              struct app_error *err)
{
  struct ledger_source src;
  struct store *st;
  int rc;

  *size = 0;
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  if ((rc = store_refresh(st)) != OK)
    return app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
  store_ledger_source(st, &src);
  if ((rc = ledger_root(&src, store_size(st), root)) != OK)
    return app__fail(err, rc, APP_ERROR_PROGRAM, NULL,
                     "cannot compute the root of the log (run 'passage "
                     "verify')");
  *size = store_size(st);
  return OK;
}

int
app_overview(struct app *app, const char *key, json_t **out,
             struct app_error *err)
{
  uint8_t root[LEDGER_HASH_SIZE];
  struct app_error kerr = {0};
  json_t *o = NULL, *span = NULL;
  struct store *st;
  char *note = NULL;
  struct app_checkpoint cp;
  uint64_t size;
  struct buf b;
  int rc;

  *out = NULL;
  buf_init(&b);
  if ((rc = app__store(app, 0, &st, err)) != OK ||
      (rc = store_read_begin(st)) != OK) {
    if (rc != OK && err->code == OK)
      app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
    goto out;
  }
  o = json_object();
  json_object_set_new(o, "corridor", corridor_json(store_corridor(st)));
  if ((rc = app_tree_head(app, &size, root, err)) != OK)
    goto end;
  util_base64_encode(&b, root, sizeof root);
  json_object_set_new(o, "tree_size", json_integer((json_int_t)size));
  json_object_set_new(o, "root", json_string(b.data));
  /* Without a signing key the log has no signed checkpoint to show. */
  if (app_log_checkpoint(app, key, &cp, &kerr) == OK) {
    note = cp.note;
    cp.note = NULL;
  }
  app_checkpoint_cleanup(&cp);
  json_object_set_new(o, "checkpoint", note ? json_string(note) : json_null());
  if ((rc = overview_sources(st, o, &span)) != OK) {
    app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
    goto end;
  }
  json_object_set_new(o, "span", span);
  span = NULL;
  *out = o;
  o = NULL;
end:
  store_read_end(st);
out:
  json_decref(o);
  json_decref(span);
  free(note);
  app_error_cleanup(&kerr);
  buf_cleanup(&b);
  return rc;
}
