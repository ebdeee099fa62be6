/* passage flow: reconciled flows over a period, by dimensions. */
#include "cli/cli.h"

static const char *const flow_help = N_(
    "usage: passage [--db PATH] flow [--from DATE] [--to DATE] [--by DIMS]\n"
    "                    [--measure MEASURES] [--source NAME] [--outcome X]\n"
    "                    [--as-of N] [--format table|csv|json]\n"
    "\n"
    "What crossed, per local day, grouped by the dimensions you name\n"
    "(comma-separated). An observation over an interval is spread over the\n"
    "days it covers in proportion to its overlap. Sources are never added\n"
    "together: for each day, checkpoint, direction and class (persons;\n"
    "vehicles by type; tonnes by category) the figure is the best-graded\n"
    "source's (A1 best; ties go to the source with more records). Where\n"
    "another source differs by more than the corridor's dispute_tolerance,\n"
    "the row is marked disputed and every source's figure is shown.\n"
    "With --by source, each row shows that source's own figures.\n"
    "A checkpoint-day with no flow record and no coverage record saying it\n"
    "was observed is unknown: ? in tables, blank in CSV, null in JSON.\n"
    "\n"
    "  --from, --to   the period, inclusive (default: all of it)\n"
    "  --by           day (default), week (ISO, 2023-W07), month, year,\n"
    "                 checkpoint, direction, vehicle, category, operator,\n"
    "                 purpose, source, grade, stage, outcome\n"
    "  --measure      records, vehicles, persons, tonnes (default: all)\n"
    "  --source NAME  that source's own figures, not reconciled\n"
    "  --outcome X    passed (default), turned_back, held, detained, or all\n"
    "  --as-of N      as the log stood at tree size N\n"
    "  --format       table (default), csv, json\n"
    "\n"
    "tonnes counts cargo in a mass unit (t, kg, lb, ...); other units are\n"
    "not tonnes. Records, vehicles and persons count under a flow's first\n"
    "cargo category; records are spread over days like the rest.\n");

/* The table: the answer's columns and a last one marking disputed rows. */
static void
flow_head(struct cli_table *t, const struct app_table *a)
{
  cli_answer_head(t, a, 1);
}

static void
flow_row(struct cli_table *t, const struct app_table *a, const json_t *row)
{
  const char *disputed[1] = {
      json_is_true(json_object_get(row, "disputed")) ? "disputed" : ""};

  cli_answer_row(t, a, row, disputed);
}

static void
flow_foot(struct cli_table *t, const struct app_table *a, size_t rows)
{
  if (a->no_data) {
    puts("(no flows recorded)");
    return;
  }
  cli_table_print(t, stdout);
  if (rows == 0)
    puts("(no flows recorded in this period)");
}

int
cmd_flow(struct cli *cli, int argc, char **argv)
{
  static const struct cli_layout layout = {flow_head, flow_row, flow_foot};
  struct cli_args a = {.cmd = "flow", .help = flow_help, .cli = cli};
  struct app_query q = {0};
  const char *format;
  int rc, code;

  if ((rc = cli_parse(&a, "flow", argc, argv, 1)) != OK) {
    code = cli_parse_exit(rc);
    goto out;
  }
  if ((code = cli_no_more("flow", argc, argv)) != EXIT_OK)
    goto out;
  format = a.v[OPT_flow_format] ? a.v[OPT_flow_format] : "table";
  q.from = a.day[OPT_flow_from];
  q.to = a.day[OPT_flow_to];
  q.has_from = a.n[OPT_flow_from] > 0;
  q.has_to = a.n[OPT_flow_to] > 0;
  q.as_of = a.num[OPT_flow_as_of];
  q.by = a.v[OPT_flow_by];
  q.measure = a.v[OPT_flow_measure];
  q.source = a.v[OPT_flow_source];
  q.outcome = a.v[OPT_flow_outcome];
  if ((code = cli_answer_check("flow", format, &q)) == EXIT_OK)
    code = cli_answer(cli, "flow", app_flow, &q, format, &layout);
out:
  cli_args_cleanup(&a);
  return code;
}
