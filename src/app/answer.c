/* An answer's two forms, JSON and CSV, written as its rows come. */
#include "app/app.h"

#include <string.h>

#include "app/app_int.h"

struct writer {
  const struct app_sink *out;
  struct buf b;
  size_t rows;
  int (*row)(struct writer *w, const struct app_table *t, const json_t *row);
  int hxl; /* APP_FORM_HXL: a row of hashtags under the header */
};

/* Hands what is buffered to the sink. */
static int
flush(struct writer *w)
{
  int rc = w->b.len ? w->out->write(w->out->ctx, w->b.data, w->b.len) : OK;

  buf_reset(&w->b);
  return rc;
}

/* The head: the root with its empty rows member last, written in the rows
 * style, up to and including the '[' that opens the rows. */
static int
json_begin(void *ctx, const struct app_table *t)
{
  struct writer *w = ctx;
  int rc = util_json_write(t->json, UTIL_JSON_ROWS, NULL, &w->b);

  if (rc != OK || w->b.len < 4 || strcmp(w->b.data + w->b.len - 4, "[]}\n"))
    return ERR_INVALID;
  w->b.len -= 3;
  w->b.data[w->b.len] = '\0';
  return OK;
}

/* A row a line, as util_json_write's rows style lays them out. */
static int
json_row(struct writer *w, const struct app_table *t, const json_t *row)
{
  static const char *const flat[] = {"", NULL};
  int rc;

  (void)t;
  buf_puts(&w->b, w->rows ? ",\n  " : "\n  ");
  if ((rc = util_json_write(row, UTIL_JSON_PRETTY, flat, &w->b)) != OK)
    return rc;
  w->b.data[--w->b.len] = '\0'; /* its newline */
  return OK;
}

static int
json_end(void *ctx, const struct app_table *t)
{
  struct writer *w = ctx;

  (void)t;
  buf_puts(&w->b, w->rows ? "\n]}\n" : "]}\n");
  return flush(w);
}

static int
csv_begin(void *ctx, const struct app_table *t)
{
  struct writer *w = ctx;

  if (t->no_data)
    return OK;
  for (size_t c = 0; c < t->ncols; c++) {
    if (c)
      buf_putc(&w->b, ',');
    util_csv_text(&w->b, t->cols[c].name);
  }
  buf_putc(&w->b, '\n');
  for (size_t c = 0; w->hxl && c < t->ncols; c++) {
    if (c)
      buf_putc(&w->b, ',');
    app__hxl_tag(&t->cols[c], &w->b);
  }
  if (w->hxl)
    buf_putc(&w->b, '\n');
  return OK;
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
  default: /* null, or absent: unknown, an empty cell */
    break;
  }
}

static int
csv_row(struct writer *w, const struct app_table *t, const json_t *row)
{
  for (size_t c = 0; c < t->ncols; c++) {
    if (c)
      buf_putc(&w->b, ',');
    csv_value(&w->b, app_table_value(t, row, c));
  }
  buf_putc(&w->b, '\n');
  return OK;
}

static int
csv_end(void *ctx, const struct app_table *t)
{
  (void)t;
  return flush(ctx);
}

/* Buffers rows and hands them on in pieces of about 64 KiB. */
static int
any_row(void *ctx, const struct app_table *t, const json_t *row)
{
  struct writer *w = ctx;
  int rc = w->row(w, t, row);

  w->rows++;
  return rc == OK && w->b.len >= 65536 ? flush(w) : rc;
}

int
app_write_answer(struct app *app, app_answer_fn *answer,
                 const struct app_query *q, enum app_form form,
                 const struct app_sink *out, struct app_error *err)
{
  struct writer w = {out,
                     {0},
                     0,
                     form == APP_FORM_JSON ? json_row : csv_row,
                     form == APP_FORM_HXL};
  struct app_rows rows = {form == APP_FORM_JSON ? json_begin : csv_begin,
                          any_row, form == APP_FORM_JSON ? json_end : csv_end,
                          &w, form == APP_FORM_JSON};
  int rc;

  buf_init(&w.b);
  rc = answer(app, q, &rows, err);
  buf_cleanup(&w.b);
  return rc;
}
