/* What the analysis commands share: their formats and how an answer is
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

int
cli_answer_print(const struct app_table *t, const char *format,
                 void (*table)(const struct app_table *t))
{
  struct buf b;
  int rc = OK;

  if (strcmp(format, "table") == 0) {
    table(t);
    return EXIT_OK;
  }
  buf_init(&b);
  if (strcmp(format, "json") == 0)
    rc = app_table_json(t, &b);
  else
    rc = app_table_csv(t, &b);
  fwrite(b.data ? b.data : "", 1, b.len, stdout);
  buf_cleanup(&b);
  return cli_exit_code(rc);
}
