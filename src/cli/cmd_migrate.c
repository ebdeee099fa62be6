/* passage migrate: a store's schema, or a copy of a store into another. */
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"

static const char *const migrate_help =
    N_("usage: passage [--db LOCATION] migrate [--grant ROLE]...\n"
       "       passage migrate --from LOCATION --to LOCATION\n"
       "\n"
       "The first form brings the store's schema to this Passage's version,\n"
       "creating it in an empty database (and the database itself, on a\n"
       "server where the user may create one). Run it as the owner of the\n"
       "store's tables: servers connect as a role that may not alter them.\n"
       "--grant ROLE gives a PostgreSQL role what a server needs and no more:\n"
       "to read and add to every table, to move the log's head, update the\n"
       "rollups, revoke tokens and replace what is derived from the log (day\n"
       "cells, saved state); never to update or delete an entry, a tree node\n"
       "or a row (see docs/scaling.md). Grant again after an upgrade.\n"
       "The second form copies the store at --from into a new store at --to\n"
       "(a SQLite file into PostgreSQL, or back): the corridor, the tokens,\n"
       "then every entry in order, each stored as if it arrived again, so the\n"
       "copy derives its own tables, rollups and tree. Then it proves the\n"
       "copy: the source verified before, the copy after, the same size and\n"
       "root, the same sitrep of every day with flows in md and JSON. Exit 4\n"
       "when the proof fails (the copy is left as it is: delete it before\n"
       "copying again).\n");

/* On a terminal, how far the copy got. */
static void
copy_progress(void *ctx, uint64_t done)
{
  if (*(int *)ctx) {
    fputc('\r', stderr);
    fprintf(stderr, _("copied %llu entries"), (unsigned long long)done);
  }
}

static int
copy(const struct cli_args *a)
{
  struct app_migrate_result res;
  struct app_error err = {0};
  int tty = isatty(2), code = EXIT_OK;
  char from[16], to[16];

  if (app_migrate_copy(a->v[OPT_migrate_from], a->v[OPT_migrate_to],
                       copy_progress, &tty, &res, &err) != OK) {
    if (tty)
      fputc('\n', stderr);
    code = cli_fail("migrate", &err);
    goto out;
  }
  if (tty)
    fputc('\n', stderr);
  printf(_("copied %llu entries into %s (%s, schema %d)\n"),
         (unsigned long long)res.entries, a->v[OPT_migrate_to], res.backend,
         res.version);
  printf(_("both verify; the same root at size %llu: %s\n"),
         (unsigned long long)res.entries, res.root);
  if (res.sitreps > 0) {
    util_format_day(res.from, from, sizeof from);
    util_format_day(res.to, to, sizeof to);
    printf(_("the same sitrep of %s to %s, byte for byte, in %zu formats\n"),
           from, to, res.sitreps);
  } else {
    printf(_("no flows: no sitrep to compare\n"));
  }
out:
  app_error_cleanup(&err);
  return code;
}

static int
schema(struct cli *cli, const struct cli_args *a)
{
  const char **roles = xcalloc(a->nvalues + 1, sizeof *roles);
  size_t nroles = cli_args_list(a, OPT_migrate_grant, roles);
  struct app_migrate_result res;
  struct app_error err = {0};
  struct app *app = app_new(cli->db);
  int code = EXIT_OK;

  if (app_migrate_schema(app, roles, nroles, &res, &err) != OK) {
    code = cli_fail("migrate", &err);
  } else {
    printf(_("schema %d (%s), %llu entries\n"), res.version, res.backend,
           (unsigned long long)res.entries);
    for (size_t i = 0; i < nroles; i++)
      printf(_("granted %s what a server needs: to read and add, and to "
               "replace what is derived from the log; never to rewrite it\n"),
             roles[i]);
  }
  app_error_cleanup(&err);
  app_free(app);
  free(roles);
  return code;
}

int
cmd_migrate(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "migrate", .help = migrate_help, .cli = cli};
  int rc, code;

  if ((rc = cli_parse(&a, "migrate", argc, argv, 1)) != OK) {
    code = cli_parse_exit(rc);
    goto out;
  }
  if ((code = cli_no_more("migrate", argc, argv)) != EXIT_OK)
    goto out;
  if (a.n[OPT_migrate_from] || a.n[OPT_migrate_to]) {
    if (!a.n[OPT_migrate_from] || !a.n[OPT_migrate_to])
      code = cli_usage_error("migrate", "--from and --to go together");
    else if (a.n[OPT_migrate_grant] || a.n[OPT_migrate_db])
      code = cli_usage_error("migrate",
                             "a copy takes --from and --to alone: grant on "
                             "the copy afterwards");
    else
      code = copy(&a);
  } else {
    code = schema(cli, &a);
  }
out:
  cli_args_cleanup(&a);
  return code;
}
