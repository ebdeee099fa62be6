/*
 * Answers as tables: one JSON document, handed over row by row and written
 * as JSON or, through its columns, as CSV, so that the CLI and the server
 * never build either.
 */
#include "app/app.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"

json_t *
app__figure(int known, double v)
{
  return known && isfinite(v) ? json_real(v) : json_null();
}

json_t *
app__day(int64_t day)
{
  char d[16];

  util_format_day(day, d, sizeof d);
  return json_string(d);
}

void
app__table(struct app_table *t, const char *rows)
{
  memset(t, 0, sizeof *t);
  t->json = json_object();
  t->rows = rows;
}

void
app__column(struct app_table *t, const char *name, const char *path,
            enum app_column_type type)
{
  t->cols = xrealloc(t->cols, (t->ncols + 1) * sizeof *t->cols);
  t->cols[t->ncols].name = xstrdup(name);
  t->cols[t->ncols].path = xstrdup(path);
  t->cols[t->ncols].type = type;
  t->ncols++;
}

void
app_table_cleanup(struct app_table *t)
{
  if (t == NULL)
    return;
  for (size_t i = 0; i < t->ncols; i++) {
    free(t->cols[i].name);
    free(t->cols[i].path);
  }
  free(t->cols);
  json_decref(t->json);
  memset(t, 0, sizeof *t);
}

/* A failure of where the rows go: out's code, said by out (or nobody). */
static int
sink_failed(struct app_error *err, int rc)
{
  return app__fail(err, rc, APP_ERROR_OPERATION, NULL, NULL);
}

int
app__begin(const struct app_rows *out, struct app_table *t,
           struct app_error *err)
{
  int rc;

  /* The rows member comes last and stays empty: rows are written as they
   * come. */
  json_object_set_new(t->json, t->rows, json_array());
  rc = out->begin ? out->begin(out->ctx, t) : OK;
  return rc == OK ? OK : sink_failed(err, rc);
}

int
app__row(const struct app_rows *out, const struct app_table *t, json_t *row,
         struct app_error *err)
{
  int rc = out->row ? out->row(out->ctx, t, row) : OK;

  json_decref(row);
  return rc == OK ? OK : sink_failed(err, rc);
}

int
app__end(const struct app_rows *out, const struct app_table *t,
         struct app_error *err)
{
  int rc = out->end ? out->end(out->ctx, t) : OK;

  return rc == OK ? OK : sink_failed(err, rc);
}

/* The value at path ("a.b") in row, or in root for "/a.b"; NULL when
 * absent. */
static const json_t *
lookup(const json_t *root, const json_t *row, const char *path)
{
  const json_t *v = row;
  char key[64];

  if (path[0] == '/') {
    v = root;
    path++;
  }
  while (v && *path) {
    size_t n = strcspn(path, ".");
    if (n >= sizeof key)
      return NULL;
    memcpy(key, path, n);
    key[n] = '\0';
    v = json_object_get(v, key);
    path += n + (path[n] == '.');
  }
  return v;
}

const json_t *
app_table_value(const struct app_table *t, const json_t *row, size_t col)
{
  return col < t->ncols ? lookup(t->json, row, t->cols[col].path) : NULL;
}
