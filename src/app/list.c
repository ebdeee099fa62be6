/*
 * passage list: sources, checkpoints, actors, categories and imports, as
 * answers (a table, CSV or JSON), each read from one snapshot as of a tree
 * size.
 */
#include "app/app.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "corridor/corridor.h"

/* What a list is made from: the store read as of a size, the answer's
 * shape and where its rows go. */
struct lister {
  struct store *st;
  uint64_t as_of;
  struct app_table t;
  const struct app_rows *out;
  struct app_error *err;
  struct app__census census;
  struct buf text;
};

static json_t *
text_or_null(const char *s)
{
  return s ? json_string(s) : json_null();
}

static json_t *
number_or_null(const struct record *r, const char *name)
{
  const struct record_value *v = record_value(r, name);

  return v && v->set ? json_real(v->num) : json_null();
}

/* The sources' records and grades, as "A2 12, B3 1". */
static void
grades_text(const struct app__census *c, const char *id, struct buf *b)
{
  size_t len = strlen(id);

  buf_reset(b);
  for (size_t j = 0; j < c->grades.n; j++) {
    const char *key = c->grades.v[j].key;
    if (strncmp(key, id, len) != 0 || key[len] != '\x1f')
      continue;
    buf_printf(b, "%s%s %.0f", b->len ? ", " : "",
               key[len + 1] ? key + len + 1 : "ungraded", c->grades.v[j].n);
  }
}

static int
source_row(void *ctx, const struct record *rec, uint64_t seq)
{
  struct lister *l = ctx;
  const char *id = record_get(rec, "id");
  json_t *row = json_object();

  (void)seq;
  grades_text(&l->census, id, &l->text);
  json_object_set_new(row, "id", json_string(id));
  json_object_set_new(row, "name", text_or_null(record_get(rec, "name")));
  json_object_set_new(row, "url", text_or_null(record_get(rec, "url")));
  json_object_set_new(row, "grades",
                      json_string(l->text.data ? l->text.data : ""));
  json_object_set_new(
      row, "records",
      json_integer((json_int_t)round(app__tally_get(&l->census.sources, id))));
  return app__row(l->out, &l->t, row, l->err);
}

static int
checkpoint_row(void *ctx, const struct record *rec, uint64_t seq)
{
  struct lister *l = ctx;
  const char *id = record_get(rec, "id");
  json_t *row = json_object();

  (void)seq;
  json_object_set_new(row, "id", json_string(id));
  json_object_set_new(row, "name", text_or_null(record_get(rec, "name")));
  json_object_set_new(row, "km", number_or_null(rec, "km"));
  json_object_set_new(row, "lat", number_or_null(rec, "lat"));
  json_object_set_new(row, "lon", number_or_null(rec, "lon"));
  json_object_set_new(row, "flows",
                      json_integer((json_int_t)round(
                          app__tally_get(&l->census.checkpoints, id))));
  return app__row(l->out, &l->t, row, l->err);
}

static int
actor_row(void *ctx, const struct record *rec, uint64_t seq)
{
  struct lister *l = ctx;
  json_t *row = json_object();

  (void)seq;
  json_object_set_new(row, "id", json_string(record_get(rec, "id")));
  json_object_set_new(row, "name", text_or_null(record_get(rec, "name")));
  json_object_set_new(row, "role", text_or_null(record_get(rec, "role")));
  return app__row(l->out, &l->t, row, l->err);
}

/* Opens the store, one snapshot, and the answer's shape: rows is the
 * member that holds the rows, cols its columns as name:type (t text, n
 * number, c count). */
static int
list_begin(struct app *app, const struct app_query *q, const char *rows,
           const char *const *cols, const struct app_rows *out,
           struct app_error *err, struct lister *l)
{
  int rc;

  memset(l, 0, sizeof *l);
  l->out = out;
  l->err = err;
  buf_init(&l->text);
  app__table(&l->t, rows);
  for (size_t i = 0; cols[i]; i++) {
    char name[64];
    size_t n = strcspn(cols[i], ":");
    char type = cols[i][n + 1];
    snprintf(name, sizeof name, "%.*s", (int)n, cols[i]);
    app__column(&l->t, name, name,
                type == 'n'   ? APP_COL_NUMBER
                : type == 'c' ? APP_COL_COUNT
                              : APP_COL_TEXT);
  }
  if ((rc = app__store(app, 0, &l->st, err)) != OK)
    return rc;
  if ((rc = store_read_begin(l->st)) != OK)
    return app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s",
                     store_errmsg(l->st));
  if ((rc = app__as_of(l->st, q->as_of, &l->as_of, err)) != OK) {
    store_read_end(l->st);
    l->st = NULL;
  }
  return rc;
}

/* Hands the rows of kind's live records, made by fn, to out between the
 * answer's begin and end. */
static int
list_records(struct lister *l, enum record_kind kind,
             int (*fn)(void *ctx, const struct record *rec, uint64_t seq))
{
  int rc = app__begin(l->out, &l->t, l->err);

  if (rc == OK) {
    rc = store_each_live(l->st, kind, l->as_of, fn, l);
    if (rc != OK && l->err->code == OK)
      app__fail(l->err, rc, APP_ERROR_OPERATION, NULL, "%s",
                store_errmsg(l->st));
  }
  if (rc == OK)
    rc = app__end(l->out, &l->t, l->err);
  return rc;
}

static void
list_end(struct lister *l)
{
  if (l->st)
    store_read_end(l->st);
  app__census_cleanup(&l->census);
  app_table_cleanup(&l->t);
  buf_cleanup(&l->text);
}

int
app_list_sources(struct app *app, const struct app_query *q,
                 const struct app_rows *out, struct app_error *err)
{
  static const char *const cols[] = {"id:t", "name:t", "grades:t", "records:c",
                                     NULL};
  struct lister l;
  int rc = list_begin(app, q, "sources", cols, out, err, &l);

  if (rc == OK && (rc = app__census(l.st, l.as_of, &l.census)) != OK)
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(l.st));
  if (rc == OK)
    rc = list_records(&l, KIND_source, source_row);
  list_end(&l);
  return rc;
}

int
app_list_checkpoints(struct app *app, const struct app_query *q,
                     const struct app_rows *out, struct app_error *err)
{
  static const char *const cols[] = {"id:t",  "name:t",  "km:n", "lat:n",
                                     "lon:n", "flows:c", NULL};
  struct lister l;
  int rc = list_begin(app, q, "checkpoints", cols, out, err, &l);

  if (rc == OK && (rc = app__census(l.st, l.as_of, &l.census)) != OK)
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(l.st));
  if (rc == OK)
    rc = list_records(&l, KIND_checkpoint, checkpoint_row);
  list_end(&l);
  return rc;
}

int
app_list_actors(struct app *app, const struct app_query *q,
                const struct app_rows *out, struct app_error *err)
{
  static const char *const cols[] = {"id:t", "name:t", "role:t", NULL};
  struct lister l;
  int rc = list_begin(app, q, "actors", cols, out, err, &l);

  if (rc == OK)
    rc = list_records(&l, KIND_actor, actor_row);
  list_end(&l);
  return rc;
}

/* A category: the corridor's section when it has one (c), else a
 * built-in one by its id alone. */
static json_t *
category_row(const char *id, const struct corridor_category *c)
{
  json_t *row = json_object();

  json_object_set_new(row, "id", json_string(id));
  json_object_set_new(row, "name", json_string(c && c->name ? c->name : id));
  json_object_set_new(row, "unit", json_string(c && c->unit ? c->unit : "t"));
  json_object_set_new(row, "need_per_person_per_day",
                      c && c->has_need ? json_real(c->need_per_person_per_day)
                                       : json_null());
  json_object_set_new(row, "need_unit",
                      c && c->has_need && c->need_unit
                          ? json_string(c->need_unit)
                          : json_null());
  return row;
}

int
app_list_categories(struct app *app, const struct app_query *q,
                    const struct app_rows *out, struct app_error *err)
{
  static const char *const cols[] = {"id:t",        "name:t",
                                     "unit:t",      "need_per_person_per_day:n",
                                     "need_unit:t", NULL};
  const struct corridor *c;
  struct lister l;
  int rc = list_begin(app, q, "categories", cols, out, err, &l);

  if (rc == OK)
    rc = app__begin(out, &l.t, err);
  if (rc != OK)
    goto out;
  c = store_corridor(l.st);
  for (const char *const *d = record_default_categories; *d && rc == OK; d++)
    rc = app__row(out, &l.t, category_row(*d, corridor_find_category(c, *d)),
                  err);
  for (size_t i = 0; i < c->ncategories && rc == OK; i++) {
    const char *id = c->categories[i].id;
    int builtin = 0;
    for (const char *const *d = record_default_categories; *d; d++)
      builtin |= strcmp(*d, id) == 0;
    if (!builtin)
      rc = app__row(out, &l.t, category_row(id, &c->categories[i]), err);
  }
  if (rc == OK)
    rc = app__end(out, &l.t, err);
out:
  list_end(&l);
  return rc;
}

/* An import's row, files joined by ", ". */
static int
import_row(void *ctx, const struct store_entry *e)
{
  struct lister *l = ctx;
  struct app__import im;
  json_t *row;
  int rc;

  if ((rc = app__import_from_entry(l->st, e, &im)) != OK)
    return app__fail(l->err, ERR_STORE, APP_ERROR_OPERATION, NULL,
                     "entry %llu cannot be read (run passage verify)",
                     (unsigned long long)e->seq);
  buf_reset(&l->text);
  for (const char *s = im.files ? im.files : ""; *s; s++)
    if (*s == '\n')
      buf_puts(&l->text, ", ");
    else
      buf_putc(&l->text, *s);
  row = json_object();
  json_object_set_new(row, "id", json_string(im.id));
  json_object_set_new(row, "at", text_or_null(im.at));
  json_object_set_new(row, "kind", text_or_null(im.kind));
  json_object_set_new(row, "files",
                      json_string(l->text.data ? l->text.data : ""));
  json_object_set_new(row, "added", json_integer((json_int_t)im.added));
  json_object_set_new(row, "created", json_integer((json_int_t)im.created));
  json_object_set_new(row, "rejected", json_integer((json_int_t)im.rejected));
  json_object_set_new(row, "first", json_integer((json_int_t)im.first));
  json_object_set_new(row, "entries", json_integer((json_int_t)im.entries));
  /* A withdrawal after the size asked for had not happened yet. */
  if (im.withdrawn && im.withdrawn_by < l->as_of) {
    char by[48];
    snprintf(by, sizeof by, "entry %llu", (unsigned long long)im.withdrawn_by);
    json_object_set_new(row, "withdrawn", json_string(by));
    json_object_set_new(row, "withdrawn_by",
                        json_integer((json_int_t)im.withdrawn_by));
  } else {
    json_object_set_new(row, "withdrawn", json_string("no"));
    json_object_set_new(row, "withdrawn_by", json_null());
  }
  json_object_set_new(row, "options", text_or_null(im.options));
  app__import_cleanup(&im);
  return app__row(l->out, &l->t, row, l->err);
}

int
app_list_imports(struct app *app, const struct app_query *q,
                 const struct app_rows *out, struct app_error *err)
{
  static const char *const cols[] = {"id:t",      "at:t",        "kind:t",
                                     "files:t",   "withdrawn:t", "added:c",
                                     "created:c", "rejected:c",  "first:c",
                                     "entries:c", NULL};
  struct lister l;
  int rc = list_begin(app, q, "imports", cols, out, err, &l);

  if (rc == OK)
    rc = app__begin(out, &l.t, err);
  if (rc == OK) {
    rc = store_each_entry(l.st, KIND_import, 0, l.as_of, import_row, &l);
    if (rc != OK && err->code == OK)
      app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(l.st));
  }
  if (rc == OK)
    rc = app__end(out, &l.t, err);
  list_end(&l);
  return rc;
}
