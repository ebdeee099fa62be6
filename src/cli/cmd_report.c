/* passage report: situation reports (sitreps) computed from the analysis. */
#include <string.h>

#include "cli/cli.h"

static const char *const report_help = N_(
    "usage: passage [--db PATH] report sitrep --date D\n"
    "                 [--period day|week|month] | --from D1 --to D2\n"
    "                 [--format md|html|json|txt] [--as-of N] [--output "
    "FILE]\n"
    "\n"
    "A situation report for day D, the week ending on D, the month of D, or\n"
    "the days D1 to D2: the functioning index and flows against the\n"
    "baseline with the change on the previous period (as long, just\n"
    "before), availability of the corridor (first) and of each checkpoint,\n"
    "per direction where they differ, flows per checkpoint by direction\n"
    "and class, the backlog between stages, the status timeline, events,\n"
    "the supply outlook with stock-out dates, compliance with each\n"
    "obligation in force, the quality of the data (sources, disputed\n"
    "figures, the records behind approximate figures, unknown\n"
    "checkpoint-days) and the tree size and root hash it was computed from.\n"
    "Unknown figures are shown as unknown, never as zero; a figure holding\n"
    "a share of a record longer than the period is marked with ≈.\n"
    "\n"
    "  --date D       the report's last day (local to the corridor)\n"
    "  --period       day (default), week (the 7 days ending on D) or month\n"
    "                 (the calendar month containing D, from its 1st to D:\n"
    "                 the whole month when D is its last day)\n"
    "  --from D1 --to D2  the days D1 to D2 instead (at most 366)\n"
    "  --format       md (default), html (one self-contained file with\n"
    "                 charts), json (every figure; see docs/report.md) or\n"
    "                 txt (at most 1,600 characters, for one message)\n"
    "  --as-of N      as the log stood at tree size N: reproduces a\n"
    "                 published report exactly, whatever was added since\n"
    "  --output FILE  write to FILE (atomically) instead of standard output\n"
    "\n"
    "Headings follow the language of the environment (LANGUAGE, LC_ALL,\n"
    "LC_MESSAGES, LANG) where a translation exists; numbers do not change.\n");

/* Writes the report to --output (or standard output). */
static int
write_report(const struct buf *out, const char *output)
{
  struct cli_output o;

  if (cli_output_open(&o, output) != OK)
    return EXIT_ERROR;
  if (out->len)
    fwrite(out->data, 1, out->len, o.f);
  return cli_output_close(&o, 1) == OK ? EXIT_OK : EXIT_ERROR;
}

int
cmd_report(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "report", .help = report_help, .cli = cli};
  const char *sub = argc > 1 ? argv[1] : NULL;
  struct app_sitrep_query q = {0};
  struct app_error err = {0};
  struct app *app = NULL;
  struct buf out;
  int rc, code;

  if (cli_is_help(sub)) {
    fputs(_(report_help), stdout);
    return EXIT_OK;
  }
  if (sub == NULL || sub[0] == '-')
    return cli_usage("report", report_help, "expected a report: sitrep");
  if (strcmp(sub, "sitrep") != 0)
    return cli_usage_error("report", "unknown report '%s' (expected sitrep)",
                           sub);
  buf_init(&out);
  if ((rc = cli_parse(&a, "report", argc, argv, 2)) != OK) {
    code = cli_parse_exit(rc);
    goto out;
  }
  if ((code = cli_no_more("report", argc, argv)) != EXIT_OK)
    goto out;
  q.date = a.day[OPT_report_date];
  q.has_date = a.n[OPT_report_date] > 0;
  q.period_days = a.n[OPT_report_period] ? (int)a.num[OPT_report_period] : 1;
  q.has_period = a.n[OPT_report_period] > 0;
  q.from = a.day[OPT_report_from];
  q.to = a.day[OPT_report_to];
  q.has_from = a.n[OPT_report_from] > 0;
  q.has_to = a.n[OPT_report_to] > 0;
  q.format = a.v[OPT_report_format];
  q.as_of = a.num[OPT_report_as_of];
  app = app_new(cli->db);
  if (app_report_sitrep(app, &q, &out, &err) != OK)
    code = cli_fail("report", &err);
  else
    code = write_report(&out, a.v[OPT_report_output]);
out:
  buf_cleanup(&out);
  app_error_cleanup(&err);
  app_free(app);
  cli_args_cleanup(&a);
  return code;
}
