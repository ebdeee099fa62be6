/*
 * passage corridor: the corridor file. Each subcommand is a line of
 * subs[] below with its own function, so that others (show, amend) join
 * by adding theirs.
 */
#include <string.h>

#include "cli/cli.h"

static const char *const corridor_help =
    N_("usage: passage corridor template > corridor.ini\n"
       "\n"
       "template prints a starter corridor file: every key with its meaning\n"
       "and default, an example checkpoint, cargo category and obligation.\n"
       "It is valid as it stands; edit it (docs/corridor-file.md), then\n"
       "create a store with 'passage init --corridor corridor.ini'.\n");

static int
template_cmd(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "corridor", .help = corridor_help, .cli = cli};
  int rc, code;

  if ((rc = cli_parse(&a, "corridor_template", argc, argv, 2)) != OK)
    code = cli_parse_exit(rc);
  else if ((code = cli_no_more("corridor", argc, argv)) == EXIT_OK)
    fputs(app_corridor_template(), stdout);
  cli_args_cleanup(&a);
  return code;
}

static const struct {
  const char *name;
  int (*fn)(struct cli *cli, int argc, char **argv);
} subs[] = {
    {"template", template_cmd},
};

int
cmd_corridor(struct cli *cli, int argc, char **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;

  if (cli_is_help(sub)) {
    fputs(_(corridor_help), stdout);
    return EXIT_OK;
  }
  if (sub == NULL || sub[0] == '-')
    return cli_usage("corridor", corridor_help,
                     "expected a subcommand: template");
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
    if (strcmp(sub, subs[i].name) == 0)
      return subs[i].fn(cli, argc, argv);
  return cli_usage_error("corridor",
                         "unknown subcommand '%s' (expected template)", sub);
}
