/* passage flow: reconciled flows over a period, by dimensions. */
#include <stdlib.h>

#include "cli/cli.h"

static const char *const flow_help = N_(
    "usage: passage [--db PATH] flow [--from DATE] [--to DATE] [--by DIMS]\n"
    "                    [--measure MEASURES] [--source NAME] [--outcome X]\n"
    "                    [--as-of N] [--format table|csv|json]\n"
    "\n"
    "What crossed, per local day, grouped by the dimensions you name\n"
    "(comma-separated). An observation over an interval is spread evenly\n"
    "over its duration. Sources are reconciled in time: per checkpoint,\n"
    "direction and class (persons; vehicles, type a breakdown of the total;\n"
    "tonnes by category) time is cut at every record's start and end, and\n"
    "in each piece the best-graded source's claim counts (A1 best; equal\n"
    "grades: the shorter record, then the source id), so claims about the\n"
    "same time are never added and claims about different times are. Where\n"
    "another claim differs by more than the corridor's dispute_tolerance,\n"
    "the row is marked disputed and every source's figure is shown. Only\n"
    "what passed at the corridor's counting stage counts (see --outcome).\n"
    "With --by source, each row shows that source's own figures.\n"
    "What nobody observed is unknown, class by class (a head count says\n"
    "nothing of trucks): ? in tables, blank in CSV, null in JSON. A row that\n"
    "holds an even share of a record reaching outside its period is marked\n"
    "approximate (\"approximate\": true in JSON). docs/analysis.md states\n"
    "every rule.\n"
    "A week, month or year the period cuts is marked partial (\"2022-W52, 1\n"
    "of 7 days\" in tables; \"partial\": {\"week\": {\"days\", \"of\"}} in\n"
    "JSON). Tables show persons, vehicles and records whole, tonnes whole\n"
    "from 10 up; CSV and JSON keep every digit.\n"
    "\n"
    "  --from, --to   the period, inclusive (default: all of it)\n"
    "  --by           day (default), week (ISO, 2023-W07), month, year,\n"
    "                 checkpoint, direction, vehicle, category, operator,\n"
    "                 purpose, source, grade, stage, outcome\n"
    "  --measure      records, vehicles, persons, tonnes (default: all)\n"
    "  --source NAME  that source's own figures, not reconciled (an id or a\n"
    "                 name; an unknown one exits 2 listing the sources)\n"
    "  --outcome X    passed (default), turned_back, held, detained, or all\n"
    "  --as-of N      as the log stood at tree size N\n"
    "  --format       table (default), csv, json\n"
    "\n"
    "tonnes counts cargo in a mass unit (t, kg, lb, ...); other units are\n"
    "not tonnes. Records, vehicles and persons count under a flow's first\n"
    "cargo category; records are spread over days like the rest.\n");

/* The table: the answer's columns and a last one marking disputed and
 * approximate rows. */
static void
flow_head(struct cli_table *t, const struct app_table *a)
{
  cli_answer_head(t, a, 1);
}

/* A row: its cells, a week, month or year the period cuts marked as
 * partial ("2022-W52, 1 of 7 days"), then its marks: disputed, and
 * approximate (a figure holds a share of a record longer than the row's
 * period). */
static void
flow_row(struct cli_table *t, const struct app_table *a, const json_t *row)
{
  const json_t *partial = json_object_get(row, "partial");
  char(*cells)[96] = xcalloc(a->ncols + 1, sizeof *cells);
  const char **out = xcalloc(a->ncols + 1, sizeof *out);

  for (size_t c = 0; c < a->ncols; c++) {
    const json_t *v = app_table_value(a, row, c);
    const json_t *cut = json_object_get(partial, a->cols[c].name);
    out[c] = cells[c];
    if (json_is_string(v) && cut)
      snprintf(cells[c], sizeof cells[c], "%s, %lld of %lld days",
               json_string_value(v),
               (long long)json_integer_value(json_object_get(cut, "days")),
               (long long)json_integer_value(json_object_get(cut, "of")));
    else if (json_is_string(v))
      out[c] = json_string_value(v);
    else
      cli_cell(v, a->cols[c].type, cells[c], sizeof cells[c]);
  }
  {
    int disputed = json_is_true(json_object_get(row, "disputed"));
    int approximate = json_is_true(json_object_get(row, "approximate"));
    out[a->ncols] = disputed && approximate ? "disputed, approximate"
                    : disputed              ? "disputed"
                    : approximate           ? "approximate"
                                            : "";
  }
  cli_table_add(t, out);
  free(cells);
  free(out);
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
