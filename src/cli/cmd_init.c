/* passage init: a new store from a corridor file. */
#include "cli/cli.h"

static const char *const init_help = N_(
    "usage: passage [--db PATH] init --corridor FILE\n"
    "\n"
    "Creates a new store from a corridor file (an INI file naming the\n"
    "corridor, its time zone, checkpoints, baseline window, cargo categories\n"
    "with their needs, obligations and alert thresholds; see\n"
    "docs/corridor-file.md). Its checkpoints become the first records of\n"
    "the log. To start a corridor file:\n"
    "  passage corridor template > corridor.ini\n");

int
cmd_init(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "init", .help = init_help, .cli = cli};
  struct app_init_result res = {0};
  struct app_error err = {0};
  struct app *app = NULL;
  int rc, code;

  if ((rc = cli_parse(&a, "init", argc, argv, 1)) != OK) {
    code = cli_parse_exit(rc);
    goto out;
  }
  if ((code = cli_no_more("init", argc, argv)) != EXIT_OK)
    goto out;
  app = app_new(cli->db);
  if (app_init(app, a.v[OPT_init_corridor], &res, &err) != OK)
    code = cli_fail("init", &err);
  else
    printf(ngettext("initialised %s for %s (%zu checkpoint, time zone %s)\n",
                    "initialised %s for %s (%zu checkpoints, time zone %s)\n",
                    res.checkpoints),
           cli->db, res.corridor, res.checkpoints, res.timezone);
out:
  app_init_result_cleanup(&res);
  app_error_cleanup(&err);
  app_free(app);
  cli_args_cleanup(&a);
  return code;
}
