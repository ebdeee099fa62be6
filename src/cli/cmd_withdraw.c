/* passage withdraw: an import taken back, every record of it corrected by
 * a withdrawal; nothing deleted. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static const char *const withdraw_help = N_(
    "usage: passage [--db PATH] withdraw IMPORT --reason TEXT [--yes]\n"
    "\n"
    "Withdraws an import (IMPORT is its id, import-N, as the import printed\n"
    "it and 'passage list imports' shows it): each record it added that\n"
    "is still live is superseded by a withdrawal record, with the record's\n"
    "own source and grade and the reason, then the import's own record is.\n"
    "Every analysis and report leaves them out from then on; --as-of an\n"
    "earlier tree size still shows them. Nothing is deleted: the log keeps\n"
    "the records and says who withdrew them, when and why. Records corrected\n"
    "since stay, and so do checkpoints, sources and actors that\n"
    "--create-missing made. The same file imported again after a withdrawal\n"
    "adds its records again (with the options corrected, say).\n"
    "\n"
    "It shows what it will do and asks (y/N) on a terminal; --yes answers\n"
    "yes, as a script must.\n"
    "\n"
    "  --reason TEXT  why (required; kept with each withdrawal)\n"
    "  --yes          do not ask\n");

/* What stays: records corrected since, references created. */
static void
show_kept(FILE *f, const struct app_withdraw_plan *p)
{
  if (p->corrected)
    fprintf(f,
            ngettext("; %llu corrected since stays as corrected",
                     "; %llu corrected since stay as corrected", p->corrected),
            (unsigned long long)p->corrected);
  if (p->created == 1)
    fprintf(f, _("; the checkpoint, source or actor it created stays"));
  else if (p->created)
    fprintf(f, _("; the %llu checkpoints, sources or actors it created stay"),
            (unsigned long long)p->created);
}

/* What the withdrawal will do. */
static void
show_plan(FILE *f, const struct app_withdraw_plan *p)
{
  fprintf(f, "%s (%s): ", p->import, p->at);
  for (const char *s = p->files; *s; s++)
    if (*s == '\n')
      fputs(", ", f);
    else
      fputc(*s, f);
  fprintf(f,
          ngettext(", %llu %s record, entries %llu to %llu\n",
                   ", %llu %s records, entries %llu to %llu\n", p->records),
          (unsigned long long)p->records, p->kind, (unsigned long long)p->first,
          (unsigned long long)(p->first + p->entries - 1));
  fprintf(f, _("  withdraws %llu"), (unsigned long long)p->live);
  show_kept(f, p);
  fputc('\n', f);
}

/* Asks on the terminal; 1 for yes. */
static int
confirm(const struct app_withdraw_plan *p, const char *reason)
{
  char line[64];

  show_plan(stderr, p);
  fprintf(stderr, _("Withdraw them, with the reason '%s'? [y/N] "), reason);
  fflush(stderr);
  if (fgets(line, sizeof line, stdin) == NULL)
    return 0;
  return strcmp(line, "y\n") == 0 || strcmp(line, "yes\n") == 0 ||
         strcmp(line, "Y\n") == 0;
}

/* Asks (or not), then withdraws. */
static int
withdraw_run(struct app *app, const struct cli_args *a, const char *import)
{
  struct app_withdraw_query q = {import, a->v[OPT_withdraw_reason]};
  struct app_withdraw_plan plan = {0};
  struct app_error err = {0};
  uint64_t size = 0;
  int code = EXIT_OK;

  if (q.reason == NULL || q.reason[0] == '\0')
    return cli_usage_error("withdraw", "--reason TEXT is needed: it is kept "
                                       "in the log with each withdrawal");
  if (a->n[OPT_withdraw_yes] == 0) {
    if (!isatty(0))
      return cli_usage_error("withdraw",
                             "not asked on a terminal: give --yes to withdraw");
    if (app_withdraw_plan(app, import, &plan, &err) != OK)
      code = cli_fail("withdraw", &err);
    else if (plan.withdrawn)
      code = EXIT_OK; /* app_withdraw says so */
    else if (!confirm(&plan, q.reason)) {
      fprintf(stderr, _("nothing withdrawn\n"));
      code = EXIT_ERROR;
    }
    app_withdraw_plan_cleanup(&plan);
  }
  if (code == EXIT_OK && app_withdraw(app, &q, &plan, &size, &err) != OK)
    code = cli_fail("withdraw", &err);
  else if (code == EXIT_OK) {
    printf(ngettext("withdrew %s: %llu %s record",
                    "withdrew %s: %llu %s records", plan.live),
           plan.import, (unsigned long long)plan.live, plan.kind);
    show_kept(stdout, &plan);
    printf(_("; log size %llu\n"), (unsigned long long)size);
  }
  app_withdraw_plan_cleanup(&plan);
  app_error_cleanup(&err);
  return code;
}

int
cmd_withdraw(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "withdraw", .help = withdraw_help, .cli = cli};
  struct app *app = NULL;
  int rc, code;

  if ((rc = cli_parse(&a, "withdraw", argc, argv, 1)) != OK) {
    code = cli_parse_exit(rc);
    goto out;
  }
  if (optind >= argc) {
    code = cli_usage("withdraw", withdraw_help,
                     "expected the import to withdraw (passage list imports "
                     "shows them)");
    goto out;
  }
  optind++;
  if ((code = cli_no_more("withdraw", argc, argv)) != EXIT_OK)
    goto out;
  app = app_new(cli->db);
  code = withdraw_run(app, &a, argv[optind - 1]);
out:
  app_free(app);
  cli_args_cleanup(&a);
  return code;
}
