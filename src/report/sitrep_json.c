/*
 * The sitrep as one JSON object with every figure, serialised straight
 * from struct sitrep (not from the document: JSON is for programs, which
 * want the figures, not the wording). Field names are stable and
 * documented in docs/report.md. Unknown figures are null, never 0.
 */
#include "report/report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The containers written on one line (util_json_write's flat paths): the
 * small objects and the rows of tables, so that a day or a row reads as
 * one line. */
static const char *const flat[] = {
    "period",
    "previous_period",
    "headline.index_checkpoints",
    "headline.parts.*.*.sources.*",
    "headline.uncounted.*",
    "flows.by_checkpoint.*",
    "pipeline.stages",
    "pipeline.backlog.*",
    "flows.by_vehicle.*",
    "flows.by_category.*",
    "daily.*",
    "events.*.actors",
    "supply.categories.*.stock",
    "supply.categories.*.days_of_cover",
    "supply.categories.*.stockout.*",
    "supply.categories.*.records.*",
    "compliance.obligations.*.period",
    "data_quality.sources.*.used_for",
    "data_quality.disputed.*.sources.*",
    "data_quality.unknown_days.*",
    NULL,
};

/* A string, or null. Stored text is UTF-8; anything else becomes "". */
static json_t *
str(const char *s)
{
  json_t *j;

  if (s == NULL)
    return json_null();
  j = json_string(s);
  return j ? j : json_string("");
}

static json_t *
day(int64_t d)
{
  char b[16];

  util_format_day(d, b, sizeof b);
  return json_string(b);
}

/* A figure, or null when unknown. */
static json_t *
num(int known, double v)
{
  return known && isfinite(v) ? json_real(v) : json_null();
}

static json_t *
integer(long long v)
{
  return json_integer(v);
}

/* Sets key of o to v (which it takes). */
static void
set(json_t *o, const char *key, json_t *v)
{
  json_object_set_new(o, key, v);
}

static json_t *
sources(const struct sr_srcset *set_)
{
  json_t *a = json_array();

  for (size_t i = 0; i < set_->n; i++) {
    json_t *o = json_object();
    set(o, "source", str(set_->v[i].id));
    set(o, "grade", str(set_->v[i].grade));
    json_array_append_new(a, o);
  }
  return a;
}

/* How to check the tree head, in English. */
static json_t *
check_command(const struct sitrep *s)
{
  unsigned long long n = (unsigned long long)s->size;
  char *t = xasprintf("passage verify --checkpoint FILE (the signed "
                      "checkpoint of size %llu published with this "
                      "report); passage proof consistency --old %llu --new "
                      "SIZE, checked with passage verify-proof, shows that a "
                      "later checkpoint extends it; passage proof inclusion "
                      "--id RECORD --size %llu proves that a record named "
                      "here is in it",
                      n, n, n);
  json_t *j = json_string(t);

  free(t);
  return j;
}

/* [{id, name, key_hash, time}] of the checkpoint of cosigned_size. */
static json_t *
witnesses_of(const struct sitrep *s)
{
  json_t *a = json_array();

  for (size_t i = 0; i < s->nwitnesses; i++) {
    const struct report_witness *w = &s->witnesses[i];
    json_t *o = json_object();
    char hash[16], when[32];
    time_t t = (time_t)w->time;
    struct tm tm;

    snprintf(hash, sizeof hash, "%08lx", (unsigned long)w->key_hash);
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    set(o, "id", w->id ? str(w->id) : json_null());
    set(o, "name", str(w->name));
    set(o, "key_hash", str(hash));
    set(o, "time", str(when));
    json_array_append_new(a, o);
  }
  return a;
}

static json_t *
log_of(const struct sitrep *s)
{
  json_t *o = json_object();
  struct buf cmd;

  buf_init(&cmd);
  report__reproduce(s, "json", &cmd);
  set(o, "origin", str(s->c->log));
  set(o, "tree_size", integer((long long)s->size));
  set(o, "root", str(s->root));
  set(o, "witnesses", witnesses_of(s));
  set(o, "cosigned_size",
      s->cosigned_size ? integer((long long)s->cosigned_size) : json_null());
  set(o, "reproduce", str(cmd.data));
  set(o, "check", check_command(s));
  buf_cleanup(&cmd);
  return o;
}

/* The records spread over more than the period: [{"id", "start", "end"}]. */
static json_t *
spread_json(const struct sr_spread *v, size_t n)
{
  json_t *a = json_array();

  for (size_t i = 0; i < n; i++) {
    json_t *o = json_object();
    set(o, "id", str(v[i].id));
    set(o, "start", str(v[i].start));
    set(o, "end", str(v[i].end));
    json_array_append_new(a, o);
  }
  return a;
}

static json_t *
part(const struct sr_part *x)
{
  json_t *o = json_object();
  int known = x->known_days > 0;

  set(o, "flow", num(known, x->total));
  set(o, "flow_per_day", num(known, x->per_day));
  set(o, "baseline_per_day", num(x->base_known, x->baseline));
  set(o, "share", num(x->ratio_known, x->ratio));
  set(o, "known_days", integer((long long)x->known_days));
  set(o, "previous_per_day", num(x->prev_known, x->prev_per_day));
  set(o, "change", num(x->change_known, x->change));
  set(o, "same_record", json_boolean(x->same_record));
  set(o, "approximate", json_boolean(x->approximate));
  set(o, "spread", spread_json(x->spread, x->nspread));
  set(o, "sources", sources(&x->src));
  return o;
}

static json_t *
availability(const struct sitrep *s)
{
  json_t *a = json_array();

  /* The corridor first (the minimum over the route checkpoints), then each
   * checkpoint: availability is the lower of the two directions, each
   * direction's own beside it. */
  for (size_t i = 0; i <= s->ncps; i++) {
    const struct sr_checkpoint *cp = i ? &s->cps[i - 1] : &s->corridor;
    json_t *o = json_object();
    set(o, "checkpoint", str(cp->id));
    if (i) {
      set(o, "name", str(cp->name));
      set(o, "route", json_boolean(cp->route));
    }
    set(o, "availability", num(cp->avail_known, cp->avail));
    for (int d = 0; d < AD_COUNT; d++)
      set(o, analysis_direction_names[d],
          num(cp->avail_dir_known[d], cp->avail_dir[d]));
    if (i == 0) {
      json_array_append_new(a, o);
      continue;
    }
    set(o, "known_days", integer((long long)cp->avail_days));
    set(o, "previous", num(cp->prev_avail_known, cp->prev_avail));
    set(o, "state", str(cp->state));
    {
      json_t *states = json_object(), *since = json_object();
      for (int d = 0; d < AD_COUNT; d++) {
        set(states, analysis_direction_names[d], str(cp->state_dir[d]));
        set(since, analysis_direction_names[d], str(cp->since_dir[d]));
      }
      set(o, "states", states);
      set(o, "states_since", since);
    }
    set(o, "since", str(cp->since));
    set(o, "status_record", str(cp->state_id));
    json_array_append_new(a, o);
  }
  return a;
}

/* Flows at checkpoints the index does not count that exceed what it
 * counted. */
static json_t *
uncounted(const struct sitrep *s)
{
  json_t *a = json_array();

  for (size_t i = 0; i < s->nuncounted; i++) {
    const struct sr_uncounted *u = &s->uncounted[i];
    json_t *o = json_object();
    set(o, "checkpoint", str(u->checkpoint));
    set(o, "direction", str(analysis_direction_names[u->dir]));
    set(o, "measure", str(analysis_part_names[u->part]));
    set(o, "value", num(1, u->value));
    set(o, "approximate", json_boolean(u->approximate));
    set(o, "counted", num(u->counted_known, u->counted));
    json_array_append_new(a, o);
  }
  return a;
}

static json_t *
headline(const struct sitrep *s)
{
  json_t *o = json_object(), *parts = json_object();

  set(o, "index", num(s->index_known, s->index));
  set(o, "index_known_days", integer((long long)s->index_known_days));
  set(o, "index_previous", num(s->prev_index_known, s->prev_index));
  if (s->index_cps) {
    json_t *a = json_array();
    for (size_t i = 0; i < s->nindex_cps; i++)
      json_array_append_new(a, str(s->index_cps[i]));
    set(o, "index_checkpoints", a);
  } else {
    set(o, "index_checkpoints", json_null());
  }
  set(o, "baseline_window", json_boolean(s->has_baseline));
  for (int d = 0; d < AD_COUNT; d++) {
    json_t *dir = json_object();
    for (int p = 0; p < AP_COUNT; p++)
      set(dir, analysis_part_names[p], part(&s->part[d][p]));
    set(parts, analysis_direction_names[d], dir);
  }
  set(o, "parts", parts);
  set(o, "uncounted", uncounted(s));
  set(o, "availability", availability(s));
  return o;
}

/* Rows by two dimensions named ka and kb: every measure (measure < 0, the
 * checkpoint table) or one. */
static json_t *
flow_rows(const struct sr_flows *f, const char *ka, const char *kb, int measure)
{
  json_t *a = json_array();

  for (size_t i = 0; i < f->n; i++) {
    const struct sr_flow *r = &f->v[i];
    json_t *o = json_object();
    set(o, ka, str(r->a[0] ? r->a : NULL));
    set(o, kb, str(r->b[0] ? r->b : NULL));
    if (measure < 0) {
      set(o, "persons", num(r->known[AM_PERSONS], r->m[AM_PERSONS]));
      set(o, "vehicles", num(r->known[AM_VEHICLES], r->m[AM_VEHICLES]));
      set(o, "tonnes", num(r->known[AM_TONNES], r->m[AM_TONNES]));
      set(o, "unknown_days", integer((long long)r->unknown_days));
      {
        json_t *by = json_object();
        for (int p = 0; p < AP_COUNT; p++)
          set(by, analysis_part_names[p],
              integer((long long)r->unknown[report__part_measure[p]]));
        set(o, "unknown_days_by_class", by);
      }
      set(o, "approximate",
          json_boolean(r->approximate[AM_PERSONS] ||
                       r->approximate[AM_VEHICLES] ||
                       r->approximate[AM_TONNES]));
      set(o, "spread", spread_json(r->spread, r->nspread));
      set(o, "disputed", json_boolean(r->disputed));
      set(o, "sources", sources(&r->src));
    } else {
      set(o, report__measure_name(measure),
          num(r->known[measure], r->m[measure]));
    }
    json_array_append_new(a, o);
  }
  return a;
}

static json_t *
flows(const struct sitrep *s)
{
  json_t *o = json_object();

  /* No total over checkpoints: one route's traffic passes several. */
  set(o, "by_checkpoint", flow_rows(&s->by_cp, "checkpoint", "direction", -1));
  set(o, "by_vehicle",
      flow_rows(&s->by_vehicle, "direction", "vehicle", AM_VEHICLES));
  set(o, "by_category",
      flow_rows(&s->by_cat, "direction", "category", AM_TONNES));
  return o;
}

/* The corridor's stages and what waits between them at the end of the
 * date. */
static json_t *
pipeline(const struct sitrep *s)
{
  json_t *o = json_object(), *stages = json_array(), *a = json_array();

  for (size_t k = 0; k < s->c->nstages; k++)
    json_array_append_new(stages, str(s->c->stages[k]));
  set(o, "stages", stages);
  set(o, "counting_stage", str(s->c->counting_stage));
  for (size_t i = 0; i < s->nbacklog; i++) {
    const struct sr_backlog *b = &s->backlog[i];
    json_t *x = json_object();
    set(x, "checkpoint", str(b->checkpoint));
    set(x, "direction", str(analysis_direction_names[b->dir]));
    set(x, "persons", num(1, b->v[AM_PERSONS]));
    set(x, "vehicles", num(1, b->v[AM_VEHICLES]));
    set(x, "tonnes", num(1, b->v[AM_TONNES]));
    json_array_append_new(a, x);
  }
  set(o, "backlog", a);
  return o;
}

static json_t *
daily(const struct sitrep *s)
{
  json_t *a = json_array();

  /* The charts' days: the last REPORT_CHART_DAYS. */
  for (size_t i = s->chart_at; i < s->ndays; i++) {
    const struct analysis_index_day *x = &s->days[i];
    json_t *o = json_object(), *av = json_object();
    set(o, "day", day(x->day));
    set(o, "index", num(x->known, x->index));
    for (int d = 0; d < AD_COUNT; d++) {
      json_t *dir = json_object();
      for (int p = 0; p < AP_COUNT; p++)
        set(dir, analysis_part_names[p],
            num(x->flow_known[d][p], x->flow[d][p]));
      set(o, analysis_direction_names[d], dir);
    }
    /* The corridor first, as in the headline; each the lower of its two
     * directions. */
    set(av, "corridor",
        num(s->corridor.day_known[i], s->corridor.day_avail[i]));
    for (size_t c = 0; c < s->ncps; c++)
      set(av, s->cps[c].id,
          num(s->cps[c].day_known[i], s->cps[c].day_avail[i]));
    set(o, "availability", av);
    json_array_append_new(a, o);
  }
  return a;
}

static json_t *
status(const struct sitrep *s)
{
  json_t *a = json_array();

  for (size_t i = 0; i < s->nstatus; i++) {
    const struct sr_status *x = &s->status[i];
    json_t *o = json_object();
    set(o, "id", str(x->id));
    set(o, "at", str(x->at));
    set(o, "checkpoint", str(x->checkpoint));
    set(o, "state", str(x->state));
    set(o, "cause", str(x->cause));
    set(o, "actor", str(x->actor));
    set(o, "applies_to", str(x->applies_to));
    set(o, "direction", str(x->direction ? x->direction : "both"));
    set(o, "source", str(x->source));
    set(o, "grade", str(x->grade));
    set(o, "in_period", json_boolean(x->in_period));
    json_array_append_new(a, o);
  }
  return a;
}

/* A comma-separated list of ids as an array ([] when absent). */
static json_t *
strlist(const char *list)
{
  json_t *a = json_array();

  for (const char *p = list; p && *p;) {
    const char *e = strchr(p, ',');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    char *item = xstrndup(p, n);
    json_array_append_new(a, str(item));
    free(item);
    p = e ? e + 1 : p + n;
  }
  return a;
}

static json_t *
events(const struct sitrep *s)
{
  json_t *a = json_array();

  for (size_t i = 0; i < s->nevents; i++) {
    const struct sr_event *x = &s->events[i];
    json_t *o = json_object();
    set(o, "id", str(x->id));
    set(o, "at", str(x->at));
    set(o, "kind", str(x->kind));
    set(o, "actors", strlist(x->actors));
    set(o, "place", str(x->place));
    set(o, "summary", str(x->summary));
    set(o, "source", str(x->source));
    set(o, "grade", str(x->grade));
    json_array_append_new(a, o);
  }
  return a;
}

/* The record behind a figure; a need without one is the corridor file's. */
static json_t *
ref(const struct sr_ref *r, int corridor)
{
  json_t *o;

  if (r->id == NULL && !corridor)
    return json_null();
  o = json_object();
  if (r->id == NULL) {
    set(o, "id", json_null());
    set(o, "source", str("corridor file"));
    return o;
  }
  set(o, "id", str(r->id));
  set(o, "at", str(r->at));
  set(o, "source", str(r->source));
  set(o, "grade", str(r->grade));
  set(o, "basis", str(r->basis));
  return o;
}

/* {"low": .., "high": ..}, or null when unknown. */
static json_t *
low_high(int known, double low, double high)
{
  json_t *o;

  if (!known)
    return json_null();
  o = json_object();
  set(o, "low", num(1, low));
  set(o, "high", num(1, high));
  return o;
}

static json_t *
category(const struct analysis_supply *x, const struct sr_supply_refs *r)
{
  json_t *o = json_object(), *out = json_object(), *recs = json_object();
  int need = x->need_per_day > 0 || r->population.id;
  int cover = report__cover_known(x);

  set(o, "category", str(x->category));
  set(o, "unit", str(x->unit));
  set(o, "stock", low_high(x->has_stock, x->stock_low, x->stock_high));
  set(o, "need_per_day", num(need, x->need_per_day));
  set(o, "inflow_7d_mean", num(x->has_inflow_7d, x->inflow_7d_mean));
  set(o, "baseline_inflow", num(x->has_baseline_inflow, x->baseline_inflow));
  set(o, "days_of_cover", low_high(cover, x->cover_low, x->cover_high));
  for (int sc = 0; sc < AS_COUNT; sc++) {
    json_t *e = json_object();
    for (int k = 0; k < 2; k++)
      set(e, k ? "high" : "low",
          x->has_stockout[sc][k] ? day(x->stockout[sc][k]) : json_null());
    set(out, analysis_scenario_names[sc], e);
  }
  set(o, "stockout", out);
  set(o, "alert", cover ? str(analysis_alert_names[x->alert]) : json_null());
  set(recs, "stock", ref(&r->stock, 0));
  set(recs, "population", ref(&r->population, 0));
  set(recs, "need", ref(&r->need, 1));
  set(o, "records", recs);
  return o;
}

static json_t *
supply(const struct sitrep *s)
{
  json_t *o = json_object(), *a = json_array();

  set(o, "date", day(s->date));
  for (size_t i = 0; i < s->nsupply; i++)
    json_array_append_new(a, category(&s->supply[i], &s->supply_refs[i]));
  set(o, "categories", a);
  return o;
}

static json_t *
compliance(const struct sitrep *s)
{
  json_t *o = json_object(), *a = json_array();

  set(o, "from", day(s->comp_from));
  set(o, "to", day(s->to));
  for (size_t i = 0; i < s->ncomp; i++) {
    const struct analysis_compliance *x = &s->comp[i];
    const struct sr_verdicts *v = &s->comp_period[i];
    json_t *ob, *per, *force;
    if (!report__ob_shown(s, i))
      continue; /* in force only after the date */
    ob = json_object();
    per = json_object();
    force = json_object();
    set(ob, "id", str(x->ob->id));
    set(ob, "text", str(x->ob->text));
    set(force, "from", x->ob->has_from ? day(x->ob->from) : json_null());
    set(force, "until", x->ob->has_until ? day(x->ob->until) : json_null());
    set(ob, "in_force", force);
    set(ob, "since", day(report__ob_since(s, i)));
    set(ob, "days_met", integer((long long)x->days_met));
    set(ob, "days_breached", integer((long long)x->days_breached));
    set(ob, "days_unknown", integer((long long)x->days_unknown));
    set(ob, "longest_breach", integer((long long)x->longest_breach));
    set(ob, "current_run", integer((long long)x->current_run));
    set(per, "days_met", integer((long long)v->met));
    set(per, "days_breached", integer((long long)v->breached));
    set(per, "days_unknown", integer((long long)v->unknown));
    set(per, "days_not_in_force", integer((long long)v->not_in_force));
    set(ob, "period", per);
    json_array_append_new(a, ob);
  }
  set(o, "obligations", a);
  return o;
}

static json_t *
used_sources(const struct sitrep *s)
{
  static const char *const uses[SR_USE_COUNT] = {
      "flows", "status", "events", "supply", "coverage", "baseline"};
  json_t *a = json_array();

  for (size_t i = 0; i < s->nsources; i++) {
    const struct sr_source *x = &s->sources[i];
    json_t *o = json_object(), *used = json_array();
    set(o, "source", str(x->id));
    set(o, "name", str(x->name));
    set(o, "url", str(x->url));
    set(o, "grade", str(x->grade[0] ? x->grade : NULL));
    for (int u = 0; u < SR_USE_COUNT; u++)
      if (x->used & (1u << u))
        json_array_append_new(used, str(uses[u]));
    set(o, "used_for", used);
    json_array_append_new(a, o);
  }
  return a;
}

static json_t *
disputes(const struct sitrep *s)
{
  json_t *a = json_array();

  for (size_t i = 0; i < s->ndisputes; i++) {
    const struct sr_dispute *x = &s->disputes[i];
    json_t *o = json_object(), *vals = json_array();
    set(o, "day", str(x->day));
    set(o, "checkpoint", str(x->checkpoint));
    set(o, "direction", str(x->direction));
    set(o, "measure", str(report__measure_name(x->measure)));
    set(o, "value", num(x->known, x->value));
    for (size_t k = 0; k < x->nvalues; k++) {
      json_t *v = json_object();
      set(v, "source", str(x->values[k].source));
      set(v, "grade", str(x->values[k].grade));
      set(v, "value", num(1, x->values[k].value));
      json_array_append_new(vals, v);
    }
    set(o, "sources", vals);
    json_array_append_new(a, o);
  }
  return a;
}

static json_t *
quality(const struct sitrep *s)
{
  json_t *o = json_object(), *unknown = json_array();

  set(o, "sources", used_sources(s));
  set(o, "disputed", disputes(s));
  for (size_t i = 0; i < s->ncps; i++) {
    const struct sr_checkpoint *cp = &s->cps[i];
    json_t *u = json_object();
    set(u, "checkpoint", str(cp->id));
    set(u, "unknown_days", num(cp->observed_known, (double)cp->unknown_days));
    set(u, "days", integer(s->period_days));
    json_array_append_new(unknown, u);
  }
  set(o, "unknown_days", unknown);
  return o;
}

static json_t *
sitrep_json(const struct sitrep *s)
{
  json_t *o = json_object(), *period = json_object(), *prev = json_object();

  set(o, "report", str("sitrep"));
  set(o, "version", integer(1));
  set(o, "corridor", str(s->c->name));
  set(o, "timezone", str(s->c->timezone));
  set(o, "inside", str(s->c->inside));
  set(o, "date", day(s->date));
  set(period, "kind", str(report__period_names[s->kind]));
  set(period, "from", day(s->from));
  set(period, "to", day(s->to));
  set(period, "days", integer(s->period_days));
  /* A month not over yet is a partial period. */
  set(period, "partial",
      json_boolean(s->kind == REPORT_PERIOD_MONTH &&
                   s->period_days < s->month_days));
  if (s->kind == REPORT_PERIOD_MONTH)
    set(period, "month_days", integer(s->month_days));
  set(o, "period", period);
  set(prev, "from", day(s->prev_from));
  set(prev, "to", day(s->prev_to));
  set(o, "previous_period", prev);
  set(o, "log", log_of(s));
  set(o, "headline", headline(s));
  set(o, "flows", flows(s));
  set(o, "pipeline", pipeline(s));
  set(o, "daily", daily(s));
  set(o, "status", status(s));
  set(o, "events", events(s));
  set(o, "supply", supply(s));
  set(o, "compliance", compliance(s));
  set(o, "data_quality", quality(s));
  return o;
}

void
report__write_json(const struct sitrep *s, struct buf *out)
{
  json_t *v = sitrep_json(s);

  /* Every string is valid UTF-8 and the nesting is shallow: the writer
   * cannot fail on this value. */
  (void)util_json_write(v, UTIL_JSON_PRETTY, flat, out);
  json_decref(v);
}
