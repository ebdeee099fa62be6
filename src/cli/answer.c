/* What the analysis commands share: their formats, and how an answer is
 * printed in each. */
#include <string.h>

#include "cli/cli.h"

int
cli_answer_check(const char *cmd, const char *format, const struct app_query *q)
{
  struct app_error err = {0};
  int code = EXIT_OK;

  if (strcmp(format, "table") && strcmp(format, "csv") &&
      strcmp(format, "json"))
    return cli_usage_error(
        cmd, "--format: expected table, csv or json, got '%s'", format);
  if (app_check_range(q, &err) != OK)
    code = cli_fail(cmd, &err);
  app_error_cleanup(&err);
  return code;
}

/* A text table being filled as the answer's rows come. */
struct tabler {
  const struct cli_layout *layout;
  struct cli_table t;
  size_t rows;
};

static int
table_begin(void *ctx, const struct app_table *a)
{
  struct tabler *x = ctx;

  x->layout->head(&x->t, a);
  return OK;
}

static int
table_row(void *ctx, const struct app_table *a, const json_t *row)
{
  struct tabler *x = ctx;

  x->layout->row(&x->t, a, row);
  x->rows++;
  return OK;
}

static int
table_end(void *ctx, const struct app_table *a)
{
  struct tabler *x = ctx;

  x->layout->foot(&x->t, a, x->rows);
  return OK;
}

/* The answer's JSON or CSV form, kept until it is whole. */
static int
to_buf(void *ctx, const void *data, size_t len)
{
  buf_append(ctx, data, len);
  return OK;
}

int
cli_answer(struct cli *cli, const char *cmd, app_answer_fn *answer,
           const struct app_query *q, const char *format,
           const struct cli_layout *layout)
{
  struct tabler x = {layout, {0}, 0};
  struct app_rows rows = {table_begin, table_row, table_end, &x, 0};
  struct buf b;
  struct app_sink out = {to_buf, &b};
  struct app_error err = {0};
  struct app *app = app_new(cli->db);
  int rc, code = EXIT_OK;

  buf_init(&b);
  if (strcmp(format, "table") == 0)
    rc = answer(app, q, &rows, &err);
  else
    rc = app_write_answer(
        app, answer, q,
        strcmp(format, "json") == 0 ? APP_FORM_JSON : APP_FORM_CSV, &out, &err);
  if (rc != OK)
    code = cli_fail(cmd, &err);
  else
    fwrite(b.data ? b.data : "", 1, b.len, stdout);
  cli_table_cleanup(&x.t);
  buf_cleanup(&b);
  app_error_cleanup(&err);
  app_free(app);
  return code;
}

static void
plain_head(struct cli_table *t, const struct app_table *a)
{
  cli_answer_head(t, a, 0);
}

static void
plain_row(struct cli_table *t, const struct app_table *a, const json_t *row)
{
  cli_answer_row(t, a, row, NULL);
}

static void
plain_foot(struct cli_table *t, const struct app_table *a, size_t rows)
{
  (void)a, (void)rows;
  cli_table_print(t, stdout);
}

const struct cli_layout cli_plain_layout = {plain_head, plain_row, plain_foot};
