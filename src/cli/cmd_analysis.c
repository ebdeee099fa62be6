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
  app_answer_fn *run;
  const struct cli_layout *layout;
};

static int
answer(struct cli *cli, const struct answer *x, int argc, char **argv)
{
  struct cli_args a = {.cmd = x->cmd, .help = x->help, .cli = cli};
  struct app_query q = {0};
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
  if ((code = cli_answer_check(x->cmd, format, &q)) == EXIT_OK)
    code = cli_answer(cli, x->cmd, x->run, &q, format, x->layout);
out:
  cli_args_cleanup(&a);
  return code;
}

static const char *const index_help = N_(
    "usage: passage [--db PATH] index [--from D1] [--to D2] [--as-of N]\n"
    "                    [--format table|csv|json]\n"
    "\n"
    "The functioning index of each day: for persons, vehicles and tonnes in\n"
    "each direction, min(1, flow / baseline), the flow being the day's\n"
    "reconciled flow over the checkpoints of the corridor's free-movement\n"
    "obligation (or all), the baseline the mean daily flow over the\n"
    "corridor's baseline window; the index is the mean of the six parts.\n"
    "A part is unknown on a day when one of those checkpoints did not\n"
    "observe its class throughout the day in that direction (a head count\n"
    "says nothing of trucks); the day's index is then unknown (null), its\n"
    "known parts shown. A part whose baseline is 0 stays out of the index.\n"
    "JSON: {\"days\": [{\"day\", \"index\", \"parts\": {\"in\": {\"persons\",\n"
    "\"vehicles\", \"tonnes\"}, \"out\": {...}}}]}\n");

int
cmd_index(struct cli *cli, int argc, char **argv)
{
  static const struct answer x = {"index", index_help, app_index,
                                  &cli_plain_layout};

  return answer(cli, &x, argc, argv);
}

static const char *const availability_help = N_(
    "usage: passage [--db PATH] availability [--from D1] [--to D2]\n"
    "                    [--checkpoint ID] [--as-of N] [--format "
    "table|csv|json]\n"
    "\n"
    "The share of each local day each checkpoint was open in each direction,\n"
    "from its status timeline (a state holds until the next change for its\n"
    "direction; a status of direction both applies to each; restricted\n"
    "counts with the corridor's restricted_weight). A day is known when a\n"
    "status of that direction was recorded at or before its start. First,\n"
    "each day, the corridor's own figure (checkpoint \"corridor\"): the\n"
    "minimum over its route checkpoints, unknown when one of them is.\n"
    "--checkpoint takes an id or a name (corridor: the corridor's figure);\n"
    "an unknown one exits 2 listing the checkpoints.\n"
    "JSON: {\"days\": [{\"day\", \"checkpoint\", \"direction\",\n"
    "\"availability\"}]}\n");

int
cmd_availability(struct cli *cli, int argc, char **argv)
{
  static const struct answer x = {"availability", availability_help,
                                  app_availability, &cli_plain_layout};

  return answer(cli, &x, argc, argv);
}

static const char *const compliance_help = N_(
    "usage: passage [--db PATH] compliance [--from D1] [--to D2] [--as-of N]\n"
    "                    [--format table|csv|json]\n"
    "\n"
    "Each obligation of the corridor file, evaluated per day of its force\n"
    "(from = and until = in the corridor file; days outside count nowhere)\n"
    "as met, breached or unknown: min_ratio_of_baseline (every part named by\n"
    "measures x directions at or above the ratio of its baseline) and\n"
    "min_availability (every checkpoint of the obligation, in each of its\n"
    "directions, at or above it: an obligation over both directions is met\n"
    "only if both are). A run is a stretch of consecutive breached days; an\n"
    "unknown day ends a run; current_run is the run that ends on D2.\n"
    "JSON: {\"obligations\": [{\"id\", \"text\", \"in_force\": {\"from\",\n"
    "\"until\"}, \"days_met\", \"days_breached\", \"days_unknown\",\n"
    "\"longest_breach\", \"current_run\"}]}\n");

static void
compliance_head(struct cli_table *t, const struct app_table *a)
{
  static const char *const head[6] = {"obligation", "met",     "breached",
                                      "unknown",    "longest", "current run"};

  (void)a;
  cli_table_init(t, 6, 1);
  cli_table_add(t, head);
}

static void
compliance_row(struct cli_table *t, const struct app_table *a, const json_t *r)
{
  char v[5][24];
  const char *row[6] = {json_string_value(json_object_get(r, "id")),
                        v[0],
                        v[1],
                        v[2],
                        v[3],
                        v[4]};

  /* The answer's columns: id, text, then the five counts. */
  for (size_t k = 0; k < 5; k++)
    cli_cell(app_table_value(a, r, 2 + k), APP_COL_COUNT, v[k], sizeof v[k]);
  cli_table_add(t, row);
}

static void
compliance_foot(struct cli_table *t, const struct app_table *a, size_t rows)
{
  (void)a;
  cli_table_print(t, stdout);
  if (rows == 0)
    puts("(the corridor file names no obligations)");
}

int
cmd_compliance(struct cli *cli, int argc, char **argv)
{
  static const struct cli_layout layout = {compliance_head, compliance_row,
                                           compliance_foot};
  static const struct answer x = {"compliance", compliance_help, app_compliance,
                                  &layout};

  return answer(cli, &x, argc, argv);
}

static const char *const supply_help = N_(
    "usage: passage [--db PATH] supply --date D [--as-of N]\n"
    "                    [--format table|csv|json]\n"
    "\n"
    "The supply outlook at the start of day D for each category with a need\n"
    "(a need record, else the corridor file's need_per_person_per_day):\n"
    "stock = the latest stock record at or before D, walked day by day up\n"
    "to D-1 as stock + net inflow (tonnes in minus out, reconciled) + local\n"
    "production (production records, reconciled like flows) - population x\n"
    "need, the population and need those in force at the start of each day,\n"
    "and never below zero (a deficit is not carried into the next day).\n"
    "Days of cover = stock / daily need. The stock-out day of a scenario\n"
    "with constant net use u is D + floor(stock / u), none when u <= 0:\n"
    "no_inflow, recent_inflow (the inflow recorded in the 7 days before D,\n"
    "divided by 7), baseline_inflow (the baseline window's mean); the recent\n"
    "production counts in each. JSON gives inflow_7d_mean, baseline_inflow\n"
    "and production_7d_mean beside the stock and the cover.\n"
    "Alerts from the low end of cover: warning, severe, critical (the\n"
    "corridor file's [alerts], default 30, 14, 7 days).\n");

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

/* The stock-out days of each scenario, in the answer's order (no, recent,
 * baseline inflow): "low..high", or "-" for none. */
static void
stockout_cells(const json_t *r, char cells[][192], size_t n)
{
  const char *name;
  json_t *so;
  size_t sc = 0;

  json_object_foreach(json_object_get(r, "stockout"), name, so)
  {
    const json_t *lo = json_object_get(so, "low");
    if (sc == n)
      break;
    if (json_is_string(lo))
      snprintf(cells[sc], sizeof cells[sc], "%s..%s", json_string_value(lo),
               json_string_value(json_object_get(so, "high")));
    sc++;
  }
}

static void
supply_row(struct cli_table *t, const struct app_table *a, const json_t *r)
{
  const char *unit = json_string_value(json_object_get(r, "unit"));
  char cells[7][192] = {"", "", "", "-", "-", "-", ""};
  const char *row[8] = {json_string_value(json_object_get(r, "category")),
                        cells[0],
                        cells[1],
                        cells[2],
                        cells[3],
                        cells[4],
                        cells[5],
                        cells[6]};

  (void)a;
  range_cell(r, "stock", unit, cells[0], sizeof cells[0]);
  cli_cell(json_object_get(r, "need_per_day"), APP_COL_NUMBER, cells[1],
           sizeof cells[1]);
  range_cell(r, "days_of_cover", NULL, cells[2], sizeof cells[2]);
  stockout_cells(r, cells + 3, 3);
  snprintf(cells[6], sizeof cells[6], "%s",
           json_string_value(json_object_get(r, "alert")));
  cli_table_add(t, row);
}

static void
supply_head(struct cli_table *t, const struct app_table *a)
{
  static const char *const head[8] = {"category",     "stock",     "need/day",
                                      "cover (days)", "no inflow", "recent",
                                      "baseline",     "alert"};

  (void)a;
  cli_table_init(t, 8, 1);
  cli_table_add(t, head);
}

static void
supply_foot(struct cli_table *t, const struct app_table *a, size_t rows)
{
  printf(_("supply outlook at the start of %s\n"),
         json_string_value(json_object_get(a->json, "date")));
  cli_table_print(t, stdout);
  if (rows == 0)
    puts("(no category has a need: set need_per_person_per_day in the "
         "corridor file or add need records)");
}

int
cmd_supply(struct cli *cli, int argc, char **argv)
{
  static const struct cli_layout layout = {supply_head, supply_row,
                                           supply_foot};
  static const struct answer x = {"supply", supply_help, app_supply, &layout};

  return answer(cli, &x, argc, argv);
}
