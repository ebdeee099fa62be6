/*
 * passage index, availability, compliance, supply: is the corridor
 * functioning, was it open, is the agreement kept, when does food run out.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* One of these commands: its answer, and how it prints as a table. */
struct answer {
  const char *cmd, *help;
  int (*run)(struct app *app, const struct app_query *q, struct app_table *out,
             struct app_error *err);
  void (*table)(const struct app_table *t);
};

static int
answer(struct cli *cli, const struct answer *x, int argc, char **argv)
{
  struct cli_args a = {.cmd = x->cmd, .help = x->help, .cli = cli};
  struct app_error err = {0};
  struct app_table t = {0};
  struct app_query q = {0};
  struct app *app = NULL;
  const char *format;
  int rc, code;

  if ((rc = cli_parse(&a, "analysis", argc, argv, 1)) != OK) {
    code = cli_parse_exit(rc);
    goto out;
  }
  if ((code = cli_no_more(x->cmd, argc, argv)) != EXIT_OK)
    goto out;
  format = a.v[OPT_analysis_format] ? a.v[OPT_analysis_format] : "table";
  q.from = a.day[OPT_analysis_from];
  q.to = a.day[OPT_analysis_to];
  q.date = a.day[OPT_analysis_date];
  q.has_from = a.n[OPT_analysis_from] > 0;
  q.has_to = a.n[OPT_analysis_to] > 0;
  q.has_date = a.n[OPT_analysis_date] > 0;
  q.as_of = a.num[OPT_analysis_as_of];
  q.checkpoint = a.v[OPT_analysis_checkpoint];
  if ((code = cli_answer_check(x->cmd, format, &q)) != EXIT_OK)
    goto out;
  app = app_new(cli->db);
  if (x->run(app, &q, &t, &err) != OK)
    code = cli_fail(x->cmd, &err);
  else
    code = cli_answer_print(&t, format, x->table);
out:
  app_table_cleanup(&t);
  app_error_cleanup(&err);
  app_free(app);
  cli_args_cleanup(&a);
  return code;
}

static void
plain_table(const struct app_table *t)
{
  cli_print_answer(t, 0, stdout);
}

static const char index_help[] =
    "usage: passage [--db PATH] index [--from D1] [--to D2] [--as-of N]\n"
    "                    [--format table|csv|json]\n"
    "\n"
    "The functioning index of each day: for persons, vehicles and tonnes in\n"
    "each direction, min(1, flow / baseline), the flow being the day's\n"
    "reconciled flow over the checkpoints of the corridor's free-movement\n"
    "obligation (or all), the baseline the mean daily flow over the\n"
    "corridor's baseline window; the index is the mean of the six parts.\n"
    "A day on which one of those checkpoints was not observed is unknown.\n"
    "JSON: {\"days\": [{\"day\", \"index\", \"parts\": {\"in\": {\"persons\",\n"
    "\"vehicles\", \"tonnes\"}, \"out\": {...}}}]}\n";

int
cmd_index(struct cli *cli, int argc, char **argv)
{
  static const struct answer x = {"index", index_help, app_index, plain_table};

  return answer(cli, &x, argc, argv);
}

static const char availability_help[] =
    "usage: passage [--db PATH] availability [--from D1] [--to D2]\n"
    "                    [--checkpoint ID] [--as-of N] [--format "
    "table|csv|json]\n"
    "\n"
    "The share of each local day each checkpoint was open, from its status\n"
    "timeline (a state holds until the next change; restricted counts with\n"
    "the corridor's restricted_weight). A day is known when a status was\n"
    "recorded at or before its start.\n"
    "JSON: {\"days\": [{\"day\", \"checkpoint\", \"availability\"}]}\n";

int
cmd_availability(struct cli *cli, int argc, char **argv)
{
  static const struct answer x = {"availability", availability_help,
                                  app_availability, plain_table};

  return answer(cli, &x, argc, argv);
}

static const char compliance_help[] =
    "usage: passage [--db PATH] compliance [--from D1] [--to D2] [--as-of N]\n"
    "                    [--format table|csv|json]\n"
    "\n"
    "Each obligation of the corridor file, evaluated per day as met,\n"
    "breached or unknown: min_ratio_of_baseline (every part named by\n"
    "measures x directions at or above the ratio of its baseline) and\n"
    "min_availability (every checkpoint of the obligation at or above it).\n"
    "A run is a stretch of consecutive breached days; an unknown day ends a\n"
    "run; current_run is the run that ends on D2.\n"
    "JSON: {\"obligations\": [{\"id\", \"text\", \"days_met\",\n"
    "\"days_breached\", \"days_unknown\", \"longest_breach\", "
    "\"current_run\"}]}\n";

static void
compliance_table(const struct app_table *t)
{
  static const char *const head[6] = {"obligation", "met",     "breached",
                                      "unknown",    "longest", "current run"};
  static const char *const counts[5] = {"days_met", "days_breached",
                                        "days_unknown", "longest_breach",
                                        "current_run"};
  const json_t *rows = app_table_rows(t), *r;
  struct cli_table tab;
  size_t i;

  cli_table_init(&tab, 6, 1);
  cli_table_add(&tab, head);
  json_array_foreach(rows, i, r)
  {
    char v[5][24];
    const char *row[6] = {json_string_value(json_object_get(r, "id")),
                          v[0],
                          v[1],
                          v[2],
                          v[3],
                          v[4]};
    for (int k = 0; k < 5; k++)
      cli_cell(json_object_get(r, counts[k]), APP_COL_COUNT, v[k], sizeof v[k]);
    cli_table_add(&tab, row);
  }
  cli_table_print(&tab, stdout);
  cli_table_cleanup(&tab);
  if (json_array_size(rows) == 0)
    puts("(the corridor file names no obligations)");
}

int
cmd_compliance(struct cli *cli, int argc, char **argv)
{
  static const struct answer x = {"compliance", compliance_help, app_compliance,
                                  compliance_table};

  return answer(cli, &x, argc, argv);
}

static const char supply_help[] =
    "usage: passage [--db PATH] supply --date D [--as-of N]\n"
    "                    [--format table|csv|json]\n"
    "\n"
    "The supply outlook at the start of day D for each category with a need\n"
    "(a need record, else the corridor file's need_per_person_per_day):\n"
    "stock = the latest stock record at or before D, plus recorded net\n"
    "inflows (tonnes in minus out) and minus consumption (population x need)\n"
    "for the days from that record up to D-1. Days of cover = stock / daily\n"
    "need. The stock-out day of a scenario with constant net use u is\n"
    "D + floor(stock / u), none when u <= 0: no_inflow, recent_inflow (the\n"
    "inflow recorded in the 7 days before D, divided by 7), baseline_inflow\n"
    "(the baseline window's mean).\n"
    "Alerts from the low end of cover: warning, severe, critical (the\n"
    "corridor file's [alerts], default 30, 14, 7 days).\n";

/* "low-high" of the range at member name of r, with a unit; "?" when
 * unknown. */
static void
range_cell(const json_t *r, const char *name, const char *unit, char *out,
           size_t size)
{
  const json_t *range = json_object_get(r, name);
  const json_t *lo = json_object_get(range, "low");
  const json_t *hi = json_object_get(range, "high");
  char l[32], h[32];

  if (json_is_null(lo) || lo == NULL) {
    snprintf(out, size, "?");
    return;
  }
  cli_cell(lo, APP_COL_NUMBER, l, sizeof l);
  cli_cell(hi, APP_COL_NUMBER, h, sizeof h);
  snprintf(out, size, "%s-%s%s%s", l, h, unit ? " " : "", unit ? unit : "");
}

static void
supply_row(struct cli_table *tab, const json_t *r)
{
  const char *unit = json_string_value(json_object_get(r, "unit"));
  char cells[7][192] = {"", "", "", "-", "-", "-", ""};
  const char *name;
  json_t *so;
  int sc = 0;
  const char *row[8] = {json_string_value(json_object_get(r, "category")),
                        cells[0],
                        cells[1],
                        cells[2],
                        cells[3],
                        cells[4],
                        cells[5],
                        cells[6]};

  range_cell(r, "stock", unit, cells[0], sizeof cells[0]);
  cli_cell(json_object_get(r, "need_per_day"), APP_COL_NUMBER, cells[1],
           sizeof cells[1]);
  range_cell(r, "days_of_cover", NULL, cells[2], sizeof cells[2]);
  /* The scenarios, in the answer's order: no, recent, baseline inflow. */
  json_object_foreach(json_object_get(r, "stockout"), name, so)
  {
    const json_t *lo = json_object_get(so, "low");
    if (sc == 3)
      break;
    if (json_is_string(lo))
      snprintf(cells[3 + sc], sizeof cells[3 + sc], "%s..%s",
               json_string_value(lo),
               json_string_value(json_object_get(so, "high")));
    else
      snprintf(cells[3 + sc], sizeof cells[3 + sc], "-");
    sc++;
  }
  snprintf(cells[6], sizeof cells[6], "%s",
           json_string_value(json_object_get(r, "alert")));
  cli_table_add(tab, row);
}

static void
supply_table(const struct app_table *t)
{
  static const char *const head[8] = {"category",     "stock",     "need/day",
                                      "cover (days)", "no inflow", "recent",
                                      "baseline",     "alert"};
  const json_t *rows = app_table_rows(t), *r;
  struct cli_table tab;
  size_t i;

  cli_table_init(&tab, 8, 1);
  cli_table_add(&tab, head);
  json_array_foreach(rows, i, r) supply_row(&tab, r);
  printf("supply outlook at the start of %s\n",
         json_string_value(json_object_get(t->json, "date")));
  cli_table_print(&tab, stdout);
  cli_table_cleanup(&tab);
  if (json_array_size(rows) == 0)
    puts("(no category has a need: set need_per_person_per_day in the "
         "corridor file or add need records)");
}

int
cmd_supply(struct cli *cli, int argc, char **argv)
{
  static const struct answer x = {"supply", supply_help, app_supply,
                                  supply_table};

  return answer(cli, &x, argc, argv);
}
