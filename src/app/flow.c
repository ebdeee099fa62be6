/* The flow answer: reconciled flows per day, checkpoint, direction, ... */
#include "app/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "app/app_int.h"

/* What each of the store's measures is in the analysis. */
static const int measure_map[M_COUNT] = {AM_RECORDS, AM_VEHICLES, AM_PERSONS,
                                         AM_TONNES};
static const char *const source_measure[AM_COUNT] = {"records", "vehicles",
                                                     "persons", "tonnes"};

/* Reads a comma-separated list of names (blanks before a name are
 * skipped, empty items ignored) into out, at most count of them. */
static int
parse_list(const char *field, const char *text, const char *const *names,
           int count, int *out, size_t *n, struct app_error *err)
{
  char *copy = xstrdup(text), *save = NULL;
  int rc = OK;

  *n = 0;
  for (char *tok = strtok_r(copy, ",", &save); tok && rc == OK;
       tok = strtok_r(NULL, ",", &save)) {
    int found = -1;
    while (*tok == ' ')
      tok++;
    for (int i = 0; i < count; i++)
      if (strcmp(names[i], tok) == 0)
        found = i;
    if (found < 0) {
      struct buf b;
      buf_init(&b);
      for (int i = 0; i < count; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
      rc = app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, field,
                     "--%s: unknown '%s' (expected %s)", field, tok, b.data);
      buf_cleanup(&b);
    } else if (*n < (size_t)count) {
      out[(*n)++] = found;
    }
  }
  free(copy);
  if (rc == OK && *n == 0)
    rc = app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, field, "--%s: empty list",
                   field);
  return rc;
}

static int
parse_field(const char *field, const char *text, int *out, size_t *n,
            struct app_error *err)
{
  if (strcmp(field, "by") == 0)
    return parse_list(field, text, store_dim_names, DIM_COUNT, out, n, err);
  if (strcmp(field, "measure") == 0)
    return parse_list(field, text, store_measure_names, M_COUNT, out, n, err);
  return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, field,
                   "no list called '%s'", field);
}

int
app_check_list(const char *field, const char *text, struct app_error *err)
{
  int items[(int)DIM_COUNT + (int)M_COUNT];
  size_t n;

  return parse_field(field, text, items, &n, err);
}

/* How rows become JSON: the dimensions and measures asked for, and where
 * they go. */
struct flow_out {
  int dims[DIM_COUNT], measures[M_COUNT];
  size_t ndims, nmeasures;
  int64_t from, to; /* the period: a week, month or year it cuts is partial */
  const struct app_rows *out;
  const struct app_table *t;
  struct app_error *err;
  int failed; /* out refused a row */
};

static json_t *
sources_json(const struct analysis_flow_row *row)
{
  json_t *arr = json_array();

  for (size_t i = 0; i < row->nsources; i++) {
    const struct analysis_source_value *s = &row->sources[i];
    json_t *o = json_object();
    json_object_set_new(o, "source", json_string(s->source));
    json_object_set_new(o, "grade",
                        s->grade && *s->grade ? json_string(s->grade)
                                              : json_null());
    json_object_set_new(o, "measure", json_string(source_measure[s->measure]));
    json_object_set_new(o, "value", app__figure(1, s->value));
    json_array_append_new(arr, o);
  }
  return arr;
}

/* The first day and the length of the period a label of a time dimension
 * names ("2022-W52", an ISO week; "2023-02"; "2023"); 0 for a day. */
static int
label_period(int dim, const char *label, int64_t *first, int *len)
{
  int y, m, w;

  if (dim == DIM_WEEK && sscanf(label, "%d-W%d", &y, &w) == 2) {
    /* Week 1 holds the year's first Thursday; weeks start on Monday. */
    int64_t jan1 = util_days_from_civil(y, 1, 1);
    int64_t wd = ((jan1 % 7) + 7 + 3) % 7; /* Monday 0 */
    *first = jan1 + (3 - wd + 7) % 7 - 3 + 7 * (int64_t)(w - 1);
    *len = 7;
    return 1;
  }
  if (dim == DIM_MONTH && sscanf(label, "%d-%d", &y, &m) == 2) {
    *first = util_days_from_civil(y, m, 1);
    *len = (int)(util_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1,
                                      1) -
                 *first);
    return 1;
  }
  if (dim == DIM_YEAR && sscanf(label, "%d", &y) == 1) {
    *first = util_days_from_civil(y, 1, 1);
    *len = (int)(util_days_from_civil(y + 1, 1, 1) - *first);
    return 1;
  }
  return 0;
}

/* A row's weeks, months or years that the period cuts: {"week": {"days":
 * 1, "of": 7}}, or NULL when none is cut. */
static json_t *
partial_json(const struct flow_out *o, const struct analysis_flow_row *row)
{
  json_t *p = NULL;

  for (size_t i = 0; i < o->ndims; i++) {
    int d = o->dims[i], len;
    const char *v = row->dim[d];
    int64_t first, a, b;
    json_t *x;
    if (v == NULL || !label_period(d, v, &first, &len))
      continue;
    a = first > o->from ? first : o->from;
    b = first + len - 1 < o->to ? first + len - 1 : o->to;
    if (b - a + 1 >= len)
      continue;
    x = json_object();
    json_object_set_new(x, "days", json_integer(b >= a ? b - a + 1 : 0));
    json_object_set_new(x, "of", json_integer(len));
    if (p == NULL)
      p = json_object();
    json_object_set_new(p, store_dim_names[d], x);
  }
  return p;
}

static int
add_row(void *ctx, const struct analysis_flow_row *row)
{
  struct flow_out *o = ctx;
  json_t *r = json_object(), *partial;
  int rc;

  for (size_t i = 0; i < o->ndims; i++) {
    const char *v = row->dim[o->dims[i]];
    json_object_set_new(r, store_dim_names[o->dims[i]],
                        v && *v ? json_string(v) : json_null());
  }
  for (size_t i = 0; i < o->nmeasures; i++) {
    int m = measure_map[o->measures[i]];
    json_object_set_new(r, store_measure_names[o->measures[i]],
                        app__figure(row->known[m], row->m[m]));
  }
  {
    /* Per measure shown: the checkpoint-days not observed throughout, and
     * whether a figure holds shares of records longer than its row's
     * period. */
    json_t *unknown = json_object();
    int approximate = 0;
    for (size_t i = 0; i < o->nmeasures; i++) {
      int m = measure_map[o->measures[i]];
      if (row->unknown[m])
        json_object_set_new(unknown, store_measure_names[o->measures[i]],
                            json_integer((json_int_t)row->unknown[m]));
      approximate |= row->approximate[m];
    }
    if (json_object_size(unknown))
      json_object_set_new(r, "unknown_days", unknown);
    else
      json_decref(unknown);
    if (approximate)
      json_object_set_new(r, "approximate", json_true());
  }
  if ((partial = partial_json(o, row)) != NULL)
    json_object_set_new(r, "partial", partial);
  if (row->disputed) {
    json_object_set_new(r, "disputed", json_true());
    if (o->out->detail)
      json_object_set_new(r, "sources", sources_json(row));
  }
  rc = app__row(o->out, o->t, r, o->err);
  o->failed = rc != OK;
  return rc;
}

/* The answer's shape: rows under "rows", a column per dimension and
 * measure. */
static void
flow_table(const struct flow_out *o, struct app_table *t)
{
  app__table(t, "rows");
  for (size_t i = 0; i < o->ndims; i++)
    app__column(t, store_dim_names[o->dims[i]], store_dim_names[o->dims[i]],
                APP_COL_TEXT);
  /* Persons, vehicles and records read as whole numbers, tonnes not. */
  for (size_t i = 0; i < o->nmeasures; i++)
    app__column(t, store_measure_names[o->measures[i]],
                store_measure_names[o->measures[i]],
                o->measures[i] == M_TONNES ? APP_COL_NUMBER : APP_COL_TALLY);
}

static int
flow_query(const struct app_query *q, struct flow_out *o, struct app_error *err)
{
  memset(o, 0, sizeof *o);
  o->ndims = 1; /* by day */
  o->nmeasures = M_COUNT;
  for (int i = 0; i < M_COUNT; i++)
    o->measures[i] = i;
  if (q->by && parse_field("by", q->by, o->dims, &o->ndims, err) != OK)
    return ERR_USAGE;
  if (q->measure &&
      parse_field("measure", q->measure, o->measures, &o->nmeasures, err) != OK)
    return ERR_USAGE;
  if (app__check_outcome(q->outcome, err) != OK)
    return ERR_USAGE;
  return app_check_range(q, err);
}

/* The period: q's, or the data's span; *none when there is neither. */
static void
flow_period(struct analysis *a, const struct app_query *q, int64_t *from,
            int64_t *to, int *none)
{
  int64_t first, last;

  *from = q->from;
  *to = q->to;
  *none = 0;
  if (q->has_from && q->has_to)
    return;
  if (analysis_span(a, &first, &last) != OK) {
    first = last = q->has_from ? q->from : q->has_to ? q->to : 0;
    *none = !q->has_from && !q->has_to;
  }
  if (!q->has_from)
    *from = first;
  if (!q->has_to)
    *to = last;
  if (*from > *to)
    *to = *from;
}

/* The reconciled rows of q's period, to o->out. */
static int
flow_rows(struct app *app, struct analysis *a, const struct app_query *q,
          const char *source, struct flow_out *o, int64_t from, int64_t to)
{
  struct analysis_flow_query fq;
  int rc;

  memset(&fq, 0, sizeof fq);
  fq.from = from;
  fq.to = to;
  fq.dims = o->dims;
  fq.ndims = o->ndims;
  fq.source = source;
  fq.outcome = q->outcome && strcmp(q->outcome, "all") == 0 ? "" : q->outcome;
  fq.own_figures = 1; /* by source: each source's own account */
  rc = analysis_flows(a, &fq, add_row, o);
  if (rc != OK && !o->failed)
    app__fail(o->err, rc, APP_ERROR_OPERATION, NULL, "%s",
              store_errmsg(app->st));
  return rc;
}

int
app_flow(struct app *app, const struct app_query *q, const struct app_rows *out,
         struct app_error *err)
{
  struct analysis *a = NULL;
  struct app_table t;
  struct flow_out o;
  char *source = NULL;
  int64_t from, to;
  int rc;

  if ((rc = flow_query(q, &o, err)) != OK)
    return rc;
  if (q->source && (rc = app__resolve(app, KIND_source, "source", q->source,
                                      &source, err)) != OK)
    return rc;
  if ((rc = app__view(app, q->as_of, &a, err)) != OK) {
    free(source);
    return rc;
  }
  o.out = out;
  o.t = &t;
  o.err = err;
  flow_table(&o, &t);
  flow_period(a, q, &from, &to, &t.no_data);
  o.from = from;
  o.to = to;
  rc = app__begin(out, &t, err);
  if (rc == OK && !t.no_data)
    rc = flow_rows(app, a, q, source, &o, from, to);
  if (rc == OK)
    rc = app__end(out, &t, err);
  app_table_cleanup(&t);
  analysis_free(a);
  free(source);
  return rc;
}
