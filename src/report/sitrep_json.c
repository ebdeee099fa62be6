/*
 * The sitrep as one JSON object with every figure; field names are stable
 * and documented in docs/report.md. Unknown figures are null, never 0.
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

static void
day_str(struct jw *w, const char *key, int64_t day)
{
  char d[16];

  report__fmt_day(day, d, sizeof d);
  report__jw_str(w, key, d);
}

static void
sources(struct jw *w, const char *key, const struct sr_srcset *set)
{
  report__jw_open(w, key, '[');
  for (size_t i = 0; i < set->n; i++) {
    report__jw_open_flat(w, NULL, '{');
    report__jw_str(w, "source", set->v[i].id);
    report__jw_str(w, "grade", set->v[i].grade);
    report__jw_close(w, '}');
  }
  report__jw_close(w, ']');
}

static void
write_log(struct jw *w, const struct sitrep *s)
{
  struct buf cmd;

  buf_init(&cmd);
  report__jw_open(w, "log", '{');
  report__jw_str(w, "origin", s->c->log);
  report__jw_int(w, "tree_size", (long long)s->size);
  report__jw_str(w, "root", s->root);
  report__reproduce(s, "json", &cmd);
  report__jw_str(w, "reproduce", cmd.data);
  buf_reset(&cmd);
  report__check_command(s, &cmd);
  report__jw_str(w, "check", cmd.data);
  report__jw_close(w, '}');
  buf_cleanup(&cmd);
}

static void
write_headline(struct jw *w, const struct sitrep *s)
{
  report__jw_open(w, "headline", '{');
  report__jw_numk(w, "index", s->index_known, s->index);
  report__jw_int(w, "index_known_days", (long long)s->index_known_days);
  report__jw_numk(w, "index_previous", s->prev_index_known, s->prev_index);
  if (s->index_cps) {
    report__jw_open_flat(w, "index_checkpoints", '[');
    for (size_t i = 0; i < s->nindex_cps; i++)
      report__jw_str(w, NULL, s->index_cps[i]);
    report__jw_close(w, ']');
  } else {
    report__jw_null(w, "index_checkpoints");
  }
  report__jw_bool(w, "baseline_window", s->has_baseline);
  report__jw_open(w, "parts", '{');
  for (int d = 0; d < AD_COUNT; d++) {
    report__jw_open(w, analysis_direction_names[d], '{');
    for (int p = 0; p < AP_COUNT; p++) {
      const struct sr_part *x = &s->part[d][p];
      int known = x->known_days > 0;
      report__jw_open(w, analysis_part_names[p], '{');
      report__jw_numk(w, "flow", known, x->total);
      report__jw_numk(w, "flow_per_day", known, x->per_day);
      report__jw_numk(w, "baseline_per_day", x->base_known, x->baseline);
      report__jw_numk(w, "share", x->ratio_known, x->ratio);
      report__jw_int(w, "known_days", (long long)x->known_days);
      report__jw_numk(w, "previous_per_day", x->prev_known, x->prev_per_day);
      report__jw_numk(w, "change", x->change_known, x->change);
      sources(w, "sources", &x->src);
      report__jw_close(w, '}');
    }
    report__jw_close(w, '}');
  }
  report__jw_close(w, '}');
  report__jw_open(w, "availability", '[');
  for (size_t i = 0; i < s->ncps; i++) {
    const struct sr_checkpoint *cp = &s->cps[i];
    report__jw_open(w, NULL, '{');
    report__jw_str(w, "checkpoint", cp->id);
    report__jw_str(w, "name", cp->name);
    report__jw_numk(w, "availability", cp->avail_known, cp->avail);
    report__jw_int(w, "known_days", (long long)cp->avail_days);
    report__jw_numk(w, "previous", cp->prev_avail_known, cp->prev_avail);
    report__jw_str(w, "state", cp->state);
    report__jw_str(w, "since", cp->since);
    report__jw_str(w, "status_record", cp->state_id);
    report__jw_close(w, '}');
  }
  report__jw_close(w, ']');
  report__jw_close(w, '}');
}

static void
flow_rows(struct jw *w, const char *key, const struct sr_flows *f,
          const char *ka, const char *kb, int measure)
{
  report__jw_open(w, key, '[');
  for (size_t i = 0; i < f->n; i++) {
    const struct sr_flow *r = &f->v[i];
    report__jw_open_flat(w, NULL, '{');
    report__jw_str(w, ka, r->a[0] ? r->a : NULL);
    report__jw_str(w, kb, r->b[0] ? r->b : NULL);
    if (measure < 0) {
      report__jw_numk(w, "persons", r->known[AM_PERSONS], r->m[AM_PERSONS]);
      report__jw_numk(w, "vehicles", r->known[AM_VEHICLES], r->m[AM_VEHICLES]);
      report__jw_numk(w, "tonnes", r->known[AM_TONNES], r->m[AM_TONNES]);
      report__jw_int(w, "unknown_days", (long long)r->unknown_days);
      report__jw_bool(w, "disputed", r->disputed);
      report__jw_open_flat(w, "sources", '[');
      for (size_t k = 0; k < r->src.n; k++) {
        report__jw_open_flat(w, NULL, '{');
        report__jw_str(w, "source", r->src.v[k].id);
        report__jw_str(w, "grade", r->src.v[k].grade);
        report__jw_close(w, '}');
      }
      report__jw_close(w, ']');
    } else {
      report__jw_numk(w, measure == AM_VEHICLES ? "vehicles" : "tonnes",
                      r->known[measure], r->m[measure]);
    }
    report__jw_close(w, '}');
  }
  report__jw_close(w, ']');
}

static void
write_flows(struct jw *w, const struct sitrep *s)
{
  report__jw_open(w, "flows", '{');
  report__jw_open(w, "total", '{');
  for (int d = 0; d < AD_COUNT; d++) {
    report__jw_open_flat(w, analysis_direction_names[d], '{');
    for (int p = 0; p < AP_COUNT; p++)
      report__jw_numk(w, analysis_part_names[p], s->total_known[d][p],
                      s->total[d][p]);
    report__jw_bool(w, "partial", s->total_partial[d]);
    report__jw_close(w, '}');
  }
  report__jw_close(w, '}');
  flow_rows(w, "by_checkpoint", &s->by_cp, "checkpoint", "direction", -1);
  flow_rows(w, "by_vehicle", &s->by_vehicle, "direction", "vehicle",
            AM_VEHICLES);
  flow_rows(w, "by_category", &s->by_cat, "direction", "category", AM_TONNES);
  report__jw_close(w, '}');
}

static void
write_daily(struct jw *w, const struct sitrep *s)
{
  report__jw_open(w, "daily", '[');
  for (size_t i = 0; i < s->ndays; i++) {
    const struct analysis_index_day *x = &s->days[i];
    report__jw_open_flat(w, NULL, '{');
    day_str(w, "day", x->day);
    report__jw_numk(w, "index", x->known, x->index);
    for (int d = 0; d < AD_COUNT; d++) {
      report__jw_open_flat(w, analysis_direction_names[d], '{');
      for (int p = 0; p < AP_COUNT; p++)
        report__jw_numk(w, analysis_part_names[p], x->known, x->flow[d][p]);
      report__jw_close(w, '}');
    }
    report__jw_open_flat(w, "availability", '{');
    for (size_t c = 0; c < s->ncps; c++)
      report__jw_numk(w, s->cps[c].id, s->cps[c].day_known[i],
                      s->cps[c].day_avail[i]);
    report__jw_close(w, '}');
    report__jw_close(w, '}');
  }
  report__jw_close(w, ']');
}

static void
write_status(struct jw *w, const struct sitrep *s)
{
  report__jw_open(w, "status", '[');
  for (size_t i = 0; i < s->nstatus; i++) {
    const struct sr_status *x = &s->status[i];
    report__jw_open(w, NULL, '{');
    report__jw_str(w, "id", x->id);
    report__jw_str(w, "at", x->at);
    report__jw_str(w, "checkpoint", x->checkpoint);
    report__jw_str(w, "state", x->state);
    report__jw_str(w, "cause", x->cause);
    report__jw_str(w, "actor", x->actor);
    report__jw_str(w, "applies_to", x->applies_to);
    report__jw_str(w, "source", x->source);
    report__jw_str(w, "grade", x->grade);
    report__jw_bool(w, "in_period", x->in_period);
    report__jw_close(w, '}');
  }
  report__jw_close(w, ']');
}

/* A comma-separated list of ids as an array ([] when absent). */
static void
strlist(struct jw *w, const char *key, const char *list)
{
  report__jw_open_flat(w, key, '[');
  for (const char *p = list; p && *p;) {
    const char *e = strchr(p, ',');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    char *item = xstrndup(p, n);
    report__jw_str(w, NULL, item);
    free(item);
    p = e ? e + 1 : p + n;
  }
  report__jw_close(w, ']');
}

static void
write_events(struct jw *w, const struct sitrep *s)
{
  report__jw_open(w, "events", '[');
  for (size_t i = 0; i < s->nevents; i++) {
    const struct sr_event *x = &s->events[i];
    report__jw_open(w, NULL, '{');
    report__jw_str(w, "id", x->id);
    report__jw_str(w, "at", x->at);
    report__jw_str(w, "kind", x->kind);
    strlist(w, "actors", x->actors);
    report__jw_str(w, "place", x->place);
    report__jw_str(w, "summary", x->summary);
    report__jw_str(w, "source", x->source);
    report__jw_str(w, "grade", x->grade);
    report__jw_close(w, '}');
  }
  report__jw_close(w, ']');
}

static void
ref(struct jw *w, const char *key, const struct sr_ref *r, int corridor)
{
  if (r->id == NULL && !corridor) {
    report__jw_null(w, key);
    return;
  }
  report__jw_open_flat(w, key, '{');
  if (r->id == NULL) {
    report__jw_null(w, "id");
    report__jw_str(w, "source", "corridor file");
  } else {
    report__jw_str(w, "id", r->id);
    report__jw_str(w, "at", r->at);
    report__jw_str(w, "source", r->source);
    report__jw_str(w, "grade", r->grade);
    report__jw_str(w, "basis", r->basis);
  }
  report__jw_close(w, '}');
}

static void
write_supply(struct jw *w, const struct sitrep *s)
{
  report__jw_open(w, "supply", '{');
  day_str(w, "date", s->date);
  report__jw_open(w, "categories", '[');
  for (size_t i = 0; i < s->nsupply; i++) {
    const struct analysis_supply *x = &s->supply[i];
    const struct sr_supply_refs *r = &s->supply_refs[i];
    int need = x->need_per_day > 0 || r->population.id;
    int cover = x->has_stock && x->need_per_day > 0;
    report__jw_open(w, NULL, '{');
    report__jw_str(w, "category", x->category);
    report__jw_str(w, "unit", x->unit);
    if (x->has_stock) {
      report__jw_open_flat(w, "stock", '{');
      report__jw_num(w, "low", x->stock_low);
      report__jw_num(w, "high", x->stock_high);
      report__jw_close(w, '}');
    } else {
      report__jw_null(w, "stock");
    }
    report__jw_numk(w, "need_per_day", need, x->need_per_day);
    report__jw_numk(w, "inflow_7d_mean", x->has_inflow_7d, x->inflow_7d_mean);
    report__jw_numk(w, "baseline_inflow", x->has_baseline_inflow,
                    x->baseline_inflow);
    if (cover) {
      report__jw_open_flat(w, "days_of_cover", '{');
      report__jw_num(w, "low", x->cover_low);
      report__jw_num(w, "high", x->cover_high);
      report__jw_close(w, '}');
    } else {
      report__jw_null(w, "days_of_cover");
    }
    report__jw_open(w, "stockout", '{');
    for (int sc = 0; sc < AS_COUNT; sc++) {
      report__jw_open_flat(w, analysis_scenario_names[sc], '{');
      for (int e = 0; e < 2; e++) {
        if (x->has_stockout[sc][e])
          day_str(w, e ? "high" : "low", x->stockout[sc][e]);
        else
          report__jw_null(w, e ? "high" : "low");
      }
      report__jw_close(w, '}');
    }
    report__jw_close(w, '}');
    if (cover)
      report__jw_str(w, "alert", analysis_alert_names[x->alert]);
    else
      report__jw_null(w, "alert");
    report__jw_open(w, "records", '{');
    ref(w, "stock", &r->stock, 0);
    ref(w, "population", &r->population, 0);
    ref(w, "need", &r->need, 1);
    report__jw_close(w, '}');
    report__jw_close(w, '}');
  }
  report__jw_close(w, ']');
  report__jw_close(w, '}');
}

static void
write_compliance(struct jw *w, const struct sitrep *s)
{
  report__jw_open(w, "compliance", '{');
  day_str(w, "from", s->comp_from);
  day_str(w, "to", s->to);
  report__jw_open(w, "obligations", '[');
  for (size_t i = 0; i < s->ncomp; i++) {
    const struct analysis_compliance *x = &s->comp[i];
    size_t met, breached, unknown;
    report__period_verdicts(s, x, &met, &breached, &unknown);
    report__jw_open(w, NULL, '{');
    report__jw_str(w, "id", x->ob->id);
    report__jw_str(w, "text", x->ob->text);
    report__jw_int(w, "days_met", (long long)x->days_met);
    report__jw_int(w, "days_breached", (long long)x->days_breached);
    report__jw_int(w, "days_unknown", (long long)x->days_unknown);
    report__jw_int(w, "longest_breach", (long long)x->longest_breach);
    report__jw_int(w, "current_run", (long long)x->current_run);
    report__jw_open_flat(w, "period", '{');
    report__jw_int(w, "days_met", (long long)met);
    report__jw_int(w, "days_breached", (long long)breached);
    report__jw_int(w, "days_unknown", (long long)unknown);
    report__jw_close(w, '}');
    report__jw_close(w, '}');
  }
  report__jw_close(w, ']');
  report__jw_close(w, '}');
}

static void
write_quality(struct jw *w, const struct sitrep *s)
{
  static const char *const uses[SR_USE_COUNT] = {
      "flows", "status", "events", "supply", "coverage", "baseline"};

  report__jw_open(w, "data_quality", '{');
  report__jw_open(w, "sources", '[');
  for (size_t i = 0; i < s->nsources; i++) {
    const struct sr_source *x = &s->sources[i];
    report__jw_open(w, NULL, '{');
    report__jw_str(w, "source", x->id);
    report__jw_str(w, "name", x->name);
    report__jw_str(w, "url", x->url);
    report__jw_str(w, "grade", x->grade[0] ? x->grade : NULL);
    report__jw_open_flat(w, "used_for", '[');
    for (int u = 0; u < SR_USE_COUNT; u++)
      if (x->used & (1u << u))
        report__jw_str(w, NULL, uses[u]);
    report__jw_close(w, ']');
    report__jw_close(w, '}');
  }
  report__jw_close(w, ']');
  report__jw_open(w, "disputed", '[');
  for (size_t i = 0; i < s->ndisputes; i++) {
    const struct sr_dispute *x = &s->disputes[i];
    report__jw_open(w, NULL, '{');
    report__jw_str(w, "day", x->day);
    report__jw_str(w, "checkpoint", x->checkpoint);
    report__jw_str(w, "direction", x->direction);
    report__jw_str(w, "measure", report__measure_name(x->measure));
    report__jw_numk(w, "value", x->known, x->value);
    report__jw_open(w, "sources", '[');
    for (size_t k = 0; k < x->nvalues; k++) {
      report__jw_open_flat(w, NULL, '{');
      report__jw_str(w, "source", x->values[k].source);
      report__jw_str(w, "grade", x->values[k].grade);
      report__jw_num(w, "value", x->values[k].value);
      report__jw_close(w, '}');
    }
    report__jw_close(w, ']');
    report__jw_close(w, '}');
  }
  report__jw_close(w, ']');
  report__jw_open(w, "unknown_days", '[');
  for (size_t i = 0; i < s->ncps; i++) {
    const struct sr_checkpoint *cp = &s->cps[i];
    report__jw_open_flat(w, NULL, '{');
    report__jw_str(w, "checkpoint", cp->id);
    report__jw_numk(w, "unknown_days", cp->observed_known,
                    (double)cp->unknown_days);
    report__jw_int(w, "days", s->period_days);
    report__jw_close(w, '}');
  }
  report__jw_close(w, ']');
  report__jw_close(w, '}');
}

void
report__write_json(const struct sitrep *s, struct buf *out)
{
  struct jw w = {out, 0, 1, 0};

  report__jw_open(&w, NULL, '{');
  report__jw_str(&w, "report", "sitrep");
  report__jw_int(&w, "version", 1);
  report__jw_str(&w, "corridor", s->c->name);
  report__jw_str(&w, "timezone", s->c->timezone);
  report__jw_str(&w, "inside", s->c->inside);
  day_str(&w, "date", s->date);
  report__jw_open_flat(&w, "period", '{');
  report__jw_str(&w, "kind", s->period_days == 1 ? "day" : "week");
  day_str(&w, "from", s->from);
  day_str(&w, "to", s->to);
  report__jw_int(&w, "days", s->period_days);
  report__jw_close(&w, '}');
  report__jw_open_flat(&w, "previous_period", '{');
  day_str(&w, "from", s->prev_from);
  day_str(&w, "to", s->prev_to);
  report__jw_close(&w, '}');
  write_log(&w, s);
  write_headline(&w, s);
  write_flows(&w, s);
  write_daily(&w, s);
  write_status(&w, s);
  write_events(&w, s);
  write_supply(&w, s);
  write_compliance(&w, s);
  write_quality(&w, s);
  report__jw_close(&w, '}');
}
