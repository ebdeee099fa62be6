/*
 * passage corridor: the corridor's rules, which are entries of the log.
 * Each subcommand is a line of subs[] below and a function; a subcommand
 * with options of its own takes a set of its own in options.def.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *const corridor_help = N_(
    "usage: passage [--db PATH] corridor show [--format ini|json] [--as-of N]\n"
    "       passage [--db PATH] corridor amend FILE\n"
    "       passage corridor template > corridor.ini\n"
    "\n"
    "The corridor's rules (checkpoints, time zone, baseline window,\n"
    "categories and needs, obligations, thresholds) are entries of the log:\n"
    "init makes the first version, amend appends the next, and every\n"
    "analysis and report uses the version in force at its tree size, so\n"
    "--as-of reproduces old rules too.\n"
    "\n"
    "show prints the version in force: ini (default) as a corridor file,\n"
    "after a comment naming the version and its entry; json as the entry's\n"
    "canonical bytes, exactly as the log holds and publishes them (see\n"
    "docs/corridor-file.md). --as-of N: the version in force at tree size N.\n"
    "amend appends FILE as the next version, with a checkpoint record for\n"
    "each checkpoint new to the log. It is refused (exit 3) when FILE drops\n"
    "or renames a checkpoint or category that records name, or changes the\n"
    "log origin once the log holds records, or the time zone once records\n"
    "with times are stored, or drops a stage that flows name; the message\n"
    "says why. A FILE with the rules in force already appends nothing.\n"
    "template prints a starter corridor file: every key with its meaning\n"
    "and default, an example checkpoint, cargo category and obligation.\n"
    "It is valid as it stands; edit it (docs/corridor-file.md), then\n"
    "create a store with 'passage init --corridor corridor.ini'.\n");

static int
show_rules(struct app *app, const struct cli_args *a, int argc, char **argv)
{
  struct app_corridor_query q = {a->v[OPT_corridor_show_format],
                                 a->num[OPT_corridor_show_as_of]};
  struct app_corridor_result res;
  struct app_error err = {0};
  int code;
  struct buf out;

  if ((code = cli_no_more("corridor", argc, argv)) != EXIT_OK)
    return code;
  buf_init(&out);
  if (app_corridor_show(app, &q, &out, &res, &err) != OK)
    code = cli_fail("corridor show", &err);
  else
    fwrite(out.data, 1, out.len, stdout);
  app_corridor_result_cleanup(&res);
  app_error_cleanup(&err);
  buf_cleanup(&out);
  return code;
}

/* "2 new checkpoints (a, b)". */
static void
say_added(const struct app_corridor_result *res)
{
  if (res->nadded == 0)
    return;
  printf(ngettext(", with %zu new checkpoint (", ", with %zu new checkpoints (",
                  res->nadded),
         res->nadded);
  for (size_t i = 0; i < res->nadded; i++)
    printf("%s%s", i ? ", " : "", res->added[i]);
  printf(")");
}

static int
amend_rules(struct app *app, const struct cli_args *a, int argc, char **argv)
{
  struct app_corridor_result res;
  struct app_error err = {0};
  const char *file = optind < argc ? argv[optind] : NULL;
  int code = EXIT_OK;

  (void)a;
  if (file == NULL)
    return cli_usage_error("corridor", "amend needs the corridor FILE");
  optind++;
  if ((code = cli_no_more("corridor", argc, argv)) != EXIT_OK)
    return code;
  if (app_corridor_amend(app, file, &res, &err) != OK) {
    code = cli_fail("corridor amend", &err);
  } else if (res.unchanged) {
    printf(_("unchanged: %s holds the rules in force already (version %u); "
             "nothing added\n"),
           file, res.version);
  } else {
    printf(_("amended: version %u of the rules is entry %llu of the log"),
           res.version, (unsigned long long)res.entry);
    say_added(&res);
    printf(_("; log size %llu\n"), (unsigned long long)res.size);
  }
  app_corridor_result_cleanup(&res);
  app_error_cleanup(&err);
  return code;
}

static int
template_cmd(struct app *app, const struct cli_args *a, int argc, char **argv)
{
  int code;

  (void)app;
  (void)a;
  if ((code = cli_no_more("corridor", argc, argv)) == EXIT_OK)
    fputs(app_corridor_template(), stdout);
  return code;
}

/* The subcommands: name, option set (options.def), function. */
static const struct sub {
  const char *name, *set;
  int (*fn)(struct app *app, const struct cli_args *a, int argc, char **argv);
} subs[] = {
    {"show", "corridor_show", show_rules},
    {"amend", "corridor_amend", amend_rules},
    {"template", "corridor_template", template_cmd},
};

int
cmd_corridor(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "corridor", .help = corridor_help, .cli = cli};
  const char *name = argc > 1 ? argv[1] : NULL;
  const struct sub *sub = NULL;
  struct app *app = NULL;
  int rc, code;

  if (cli_is_help(name)) {
    fputs(_(corridor_help), stdout);
    return EXIT_OK;
  }
  if (name == NULL || name[0] == '-')
    return cli_usage("corridor", corridor_help,
                     "expected a subcommand: show, amend or template");
  for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
    if (strcmp(subs[i].name, name) == 0)
      sub = &subs[i];
  if (sub == NULL)
    return cli_usage_error(
        "corridor",
        "unknown subcommand '%s' (expected show, amend or template)", name);
  if ((rc = cli_parse(&a, sub->set, argc, argv, 2)) != OK) {
    code = cli_parse_exit(rc);
  } else {
    app = app_new(cli->db);
    code = sub->fn(app, &a, argc, argv);
  }
  app_free(app);
  cli_args_cleanup(&a);
  return code;
}
