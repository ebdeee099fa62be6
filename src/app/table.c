/*
 * Answers as tables: one JSON document, written as JSON or, through its
 * columns, as CSV, so that the CLI and the server never build either.
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

json_t *
app_table_rows(const struct app_table *t)
{
  return json_object_get(t->json, t->rows);
}

int
app_table_json(const struct app_table *t, struct buf *out)
{
  return util_json_write(t->json, UTIL_JSON_ROWS, NULL, out);
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

static void
csv_value(struct buf *b, const json_t *v)
{
  char num[40];

  switch (v ? json_typeof(v) : JSON_NULL) {
  case JSON_STRING:
    util_csv_cell(b, json_string_value(v), json_string_length(v));
    break;
  case JSON_INTEGER:
    buf_printf(b, "%lld", (long long)json_integer_value(v));
    break;
  case JSON_REAL:
    util_format_figure(json_real_value(v), num, sizeof num);
    buf_puts(b, num);
    break;
  case JSON_TRUE:
    buf_puts(b, "true");
    break;
  case JSON_FALSE:
    buf_puts(b, "false");
    break;
  default: /* null, unknown: an empty cell */
    break;
  }
}

int
app_table_csv(const struct app_table *t, struct buf *out)
{
  const json_t *rows = app_table_rows(t), *row;
  size_t i;

  if (t->no_data)
    return OK;
  for (size_t c = 0; c < t->ncols; c++) {
    if (c)
      buf_putc(out, ',');
    util_csv_text(out, t->cols[c].name);
  }
  buf_putc(out, '\n');
  json_array_foreach(rows, i, row)
  {
    for (size_t c = 0; c < t->ncols; c++) {
      if (c)
        buf_putc(out, ',');
      csv_value(out, app_table_value(t, row, c));
    }
    buf_putc(out, '\n');
  }
  return OK;
}
