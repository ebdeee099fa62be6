/* passage report: situation reports (sitreps) computed from the analysis. */
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "cli/cli.h"
#include "report/report.h"

static const char report_help[] =
    "usage: passage [--db PATH] report sitrep --date D [--period day|week]\n"
    "                 [--format md|html|json|txt] [--as-of N] [--output "
    "FILE]\n"
    "\n"
    "A situation report for day D, or the week ending on D: the functioning\n"
    "index and flows against the baseline with the change on the previous\n"
    "period, availability of each checkpoint, flows by direction and class,\n"
    "the status timeline, events, the supply outlook with stock-out dates,\n"
    "compliance with each obligation, the quality of the data (sources,\n"
    "disputed figures, unknown checkpoint-days) and the tree size and root\n"
    "hash it was computed from. Unknown figures are shown as unknown, never\n"
    "as zero.\n"
    "\n"
    "  --date D       the report's last day (local to the corridor)\n"
    "  --period       day (default) or week (the 7 days ending on D)\n"
    "  --format       md (default), html (one self-contained file with\n"
    "                 charts), json (every figure; see docs/report.md) or\n"
    "                 txt (at most 1,600 characters, for one message)\n"
    "  --as-of N      as the log stood at tree size N: reproduces a\n"
    "                 published report exactly, whatever was added since\n"
    "  --output FILE  write to FILE (atomically) instead of standard output\n"
    "\n"
    "Headings follow the language of the environment (LANGUAGE, LC_ALL,\n"
    "LC_MESSAGES, LANG) where a translation exists; numbers do not change.\n";

int
cmd_report(struct cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"date", required_argument, 0, 'D'},
                                       {"period", required_argument, 0, 'p'},
                                       {"format", required_argument, 0, 'o'},
                                       {"as-of", required_argument, 0, 'a'},
                                       {"output", required_argument, 0, 'w'},
                                       {"db", required_argument, 0, 'd'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *sub = argc > 1 ? argv[1] : NULL;
  const char *format = "md", *output = NULL;
  struct report_sitrep_query q = {0, 1};
  struct analysis *a = NULL;
  struct store *st = NULL;
  struct cli_output o;
  struct buf out, err;
  uint64_t as_of = 0;
  int has_date = 0, fmt, ch, rc, code = EXIT_OK;

  if (sub && (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)) {
    fputs(report_help, stdout);
    return EXIT_OK;
  }
  if (sub == NULL || sub[0] == '-')
    return cli_usage_error("report", "expected a report: sitrep");
  if (strcmp(sub, "sitrep") != 0)
    return cli_usage_error("report", "unknown report '%s' (expected sitrep)",
                           sub);
  optind = 2;
  while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (ch) {
    case 'D':
      if (cli_parse_day("report", "--date", optarg, &q.date) != OK)
        return EXIT_USAGE;
      has_date = 1;
      break;
    case 'p':
      if (strcmp(optarg, "day") == 0)
        q.period_days = 1;
      else if (strcmp(optarg, "week") == 0)
        q.period_days = 7;
      else
        return cli_usage_error(
            "report", "--period: expected day or week, got '%s'", optarg);
      break;
    case 'o':
      format = optarg;
      break;
    case 'a':
      if (cli_parse_as_of("report", optarg, &as_of) != OK)
        return EXIT_USAGE;
      break;
    case 'w':
      output = optarg;
      break;
    case 'd':
      cli->db = optarg;
      break;
    case 'h':
      fputs(report_help, stdout);
      return EXIT_OK;
    default:
      return cli_usage_error("report", "%s", cli_bad_option(argv));
    }
  }
  if (optind < argc)
    return cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
  if (!has_date)
    return cli_usage_error("report", "sitrep needs --date D");
  if ((fmt = report_format_by_name(format)) < 0)
    return cli_usage_error("report",
                           "--format: expected md, html, json or txt, got "
                           "'%s'",
                           format);
  if ((st = cli_open_store(cli, 0)) == NULL)
    return EXIT_ERROR;
  buf_init(&out);
  buf_init(&err);
  rc = analysis_open(st, as_of, &a, &err);
  if (rc == OK)
    rc = report_sitrep(a, &q, (enum report_format)fmt, &out, &err);
  if (rc != OK) {
    fprintf(stderr, "passage report: %s\n",
            err.data ? err.data : util_strerror(rc));
    code = cli_exit_code(rc);
    goto out;
  }
  if (cli_output_open(&o, output) != OK) {
    code = EXIT_ERROR;
    goto out;
  }
  if (out.len)
    fwrite(out.data, 1, out.len, o.f);
  if (cli_output_close(&o, 1) != OK)
    code = EXIT_ERROR;
out:
  buf_cleanup(&out);
  buf_cleanup(&err);
  analysis_free(a);
  store_close(st);
  return code;
}
