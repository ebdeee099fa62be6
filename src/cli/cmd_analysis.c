/*
 * passage index, availability, compliance, supply: is the corridor
 * functioning, was it open, is the agreement kept, when does food run out.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "cli/cli.h"

/* The options these commands share. */
struct common {
  const char *cmd;
  int64_t from, to, date;
  int has_from, has_to, has_date;
  uint64_t as_of;
  const char *format;
  const char *checkpoint;
};

static int
parse_common(struct cli *cli, struct common *c, int argc, char **argv,
             const char *help)
{
  static const struct option opts[] = {
      {"from", required_argument, 0, 'f'},
      {"to", required_argument, 0, 't'},
      {"date", required_argument, 0, 'D'},
      {"as-of", required_argument, 0, 'a'},
      {"format", required_argument, 0, 'o'},
      {"checkpoint", required_argument, 0, 'c'},
      {"db", required_argument, 0, 'd'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  int ch;

  c->format = "table";
  optind = 1;
  while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (ch) {
    case 'f':
      if (cli_parse_day(c->cmd, "--from", optarg, &c->from) != OK)
        return ERR_USAGE;
      c->has_from = 1;
      break;
    case 't':
      if (cli_parse_day(c->cmd, "--to", optarg, &c->to) != OK)
        return ERR_USAGE;
      c->has_to = 1;
      break;
    case 'D':
      if (cli_parse_day(c->cmd, "--date", optarg, &c->date) != OK)
        return ERR_USAGE;
      c->has_date = 1;
      break;
    case 'a':
      if (cli_parse_as_of(c->cmd, optarg, &c->as_of) != OK)
        return ERR_USAGE;
      break;
    case 'o':
      c->format = optarg;
      break;
    case 'c':
      c->checkpoint = optarg;
      break;
    case 'd':
      cli->db = optarg;
      break;
    case 'h':
      fputs(help, stdout);
      return ERR_EXISTS; /* help given: stop, successfully */
    default:
      cli_usage_error(c->cmd, "%s", cli_bad_option(argv));
      return ERR_USAGE;
    }
  }
  if (optind < argc) {
    cli_usage_error(c->cmd, "unexpected argument '%s'", argv[optind]);
    return ERR_USAGE;
  }
  if (strcmp(c->format, "table") && strcmp(c->format, "csv") &&
      strcmp(c->format, "json")) {
    cli_usage_error(c->cmd, "--format: expected table, csv or json, got '%s'",
                    c->format);
    return ERR_USAGE;
  }
  if (c->has_from && c->has_to && c->from > c->to) {
    cli_usage_error(c->cmd, "--from is after --to");
    return ERR_USAGE;
  }
  return OK;
}

/* Opens the store and the view; fills a missing --from/--to from the span
 * of the data. Returns an exit code (EXIT_OK to go on). */
static int
open_view(struct cli *cli, struct common *c, int need_range, struct store **st,
          struct analysis **a)
{
  struct buf err;
  int rc;

  *st = NULL;
  *a = NULL;
  if ((*st = cli_open_store(cli, 0)) == NULL)
    return EXIT_ERROR;
  buf_init(&err);
  rc = analysis_open(*st, c->as_of, a, &err);
  if (rc != OK) {
    fprintf(stderr, "passage %s: %s\n", c->cmd, err.data);
    buf_cleanup(&err);
    return cli_exit_code(rc);
  }
  buf_cleanup(&err);
  if (need_range && (!c->has_from || !c->has_to)) {
    int64_t first, last;
    if (analysis_span(*a, &first, &last) != OK) {
      fprintf(stderr, "passage %s: no records yet: give --from and --to\n",
              c->cmd);
      return EXIT_ERROR;
    }
    if (!c->has_from)
      c->from = first;
    if (!c->has_to)
      c->to = last;
    if (c->from > c->to)
      c->to = c->from;
  }
  return EXIT_OK;
}

static void
number_or_null(struct buf *b, int known, double v)
{
  char num[40];

  if (!known) {
    buf_puts(b, "null");
    return;
  }
  util_format_figure(v, num, sizeof num);
  buf_puts(b, num);
}

static void
human_or_unknown(char *out, size_t size, int known, double v, int percent)
{
  if (!known)
    snprintf(out, size, "?");
  else if (percent)
    snprintf(out, size, "%.1f%%", v * 100);
  else
    util_format_human(v, out, size);
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
  struct common c = {.cmd = "index"};
  struct analysis_index_day *days = NULL;
  struct analysis *a = NULL;
  struct store *st = NULL;
  struct buf b;
  int rc, code;

  rc = parse_common(cli, &c, argc, argv, index_help);
  if (rc != OK)
    return rc == ERR_EXISTS ? EXIT_OK : EXIT_USAGE;
  buf_init(&b);
  if ((code = open_view(cli, &c, 1, &st, &a)) != EXIT_OK)
    goto out;
  days = xcalloc((size_t)(c.to - c.from + 1), sizeof *days);
  rc = analysis_index(a, c.from, c.to, days);
  if (rc == ERR_NOTFOUND) {
    fprintf(stderr, "passage index: the corridor file sets no baseline "
                    "window (baseline = D1..D2 in [corridor])\n");
    code = EXIT_ERROR;
    goto out;
  }
  if (rc != OK) {
    fprintf(stderr, "passage index: %s\n", store_errmsg(st));
    code = cli_exit_code(rc);
    goto out;
  }
  if (strcmp(c.format, "json") == 0) {
    buf_puts(&b, "{\"days\": [");
    for (int64_t i = 0; i <= c.to - c.from; i++) {
      const struct analysis_index_day *d = &days[i];
      char day[16];
      util_format_day(d->day, day, sizeof day);
      buf_printf(&b, "%s\n  {\"day\": \"%s\", \"index\": ", i ? "," : "", day);
      number_or_null(&b, d->known, d->index);
      buf_puts(&b, ", \"parts\": {");
      for (int dir = 0; dir < AD_COUNT; dir++) {
        buf_printf(&b, "%s\"%s\": {", dir ? ", " : "",
                   analysis_direction_names[dir]);
        for (int p = 0; p < AP_COUNT; p++) {
          buf_printf(&b, "%s\"%s\": ", p ? ", " : "", analysis_part_names[p]);
          number_or_null(&b, d->part_known[dir][p], d->part[dir][p]);
        }
        buf_putc(&b, '}');
      }
      buf_puts(&b, "}}");
    }
    buf_puts(&b, c.to >= c.from ? "\n]}\n" : "]}\n");
  } else if (strcmp(c.format, "csv") == 0) {
    buf_puts(&b, "day,index");
    for (int dir = 0; dir < AD_COUNT; dir++)
      for (int p = 0; p < AP_COUNT; p++)
        buf_printf(&b, ",%s_%s", analysis_direction_names[dir],
                   analysis_part_names[p]);
    buf_putc(&b, '\n');
    for (int64_t i = 0; i <= c.to - c.from; i++) {
      const struct analysis_index_day *d = &days[i];
      char day[16], num[40];
      util_format_day(d->day, day, sizeof day);
      buf_puts(&b, day);
      buf_putc(&b, ',');
      if (d->known) {
        util_format_figure(d->index, num, sizeof num);
        buf_puts(&b, num);
      }
      for (int dir = 0; dir < AD_COUNT; dir++)
        for (int p = 0; p < AP_COUNT; p++) {
          buf_putc(&b, ',');
          if (d->part_known[dir][p]) {
            util_format_figure(d->part[dir][p], num, sizeof num);
            buf_puts(&b, num);
          }
        }
      buf_putc(&b, '\n');
    }
  } else {
    struct cli_table t;
    const char *head[8] = {"day", "index"};
    cli_table_init(&t, 8, 1);
    for (int dir = 0, k = 2; dir < AD_COUNT; dir++)
      for (int p = 0; p < AP_COUNT; p++)
        head[k++] = xasprintf("%s %s", analysis_direction_names[dir],
                              analysis_part_names[p]);
    cli_table_add(&t, head);
    for (int k = 2; k < 8; k++)
      free((char *)head[k]);
    for (int64_t i = 0; i <= c.to - c.from; i++) {
      const struct analysis_index_day *d = &days[i];
      char cells[8][40];
      const char *row[8];
      util_format_day(d->day, cells[0], sizeof cells[0]);
      human_or_unknown(cells[1], sizeof cells[1], d->known, d->index, 1);
      for (int dir = 0, k = 2; dir < AD_COUNT; dir++)
        for (int p = 0; p < AP_COUNT; p++, k++)
          human_or_unknown(cells[k], sizeof cells[k], d->part_known[dir][p],
                           d->part[dir][p], 1);
      for (int k = 0; k < 8; k++)
        row[k] = cells[k];
      cli_table_add(&t, row);
    }
    cli_table_print(&t, stdout);
    cli_table_cleanup(&t);
  }
  fwrite(b.data ? b.data : "", 1, b.len, stdout);
out:
  free(days);
  buf_cleanup(&b);
  analysis_free(a);
  store_close(st);
  return code;
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

struct cp_list {
  const char **ids;
  size_t n, cap;
};

static int
add_cp(void *ctx, const struct record *rec, uint64_t seq)
{
  struct cp_list *l = ctx;

  (void)seq;
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 8;
    l->ids = xrealloc(l->ids, l->cap * sizeof *l->ids);
  }
  l->ids[l->n++] = xstrdup(record_get(rec, "id"));
  return OK;
}

int
cmd_availability(struct cli *cli, int argc, char **argv)
{
  struct common c = {.cmd = "availability"};
  struct cp_list cps = {0};
  struct analysis *a = NULL;
  struct store *st = NULL;
  struct cli_table t;
  struct buf b;
  int rc, code;
  size_t rows = 0;

  rc = parse_common(cli, &c, argc, argv, availability_help);
  if (rc != OK)
    return rc == ERR_EXISTS ? EXIT_OK : EXIT_USAGE;
  buf_init(&b);
  cli_table_init(&t, 3, 2);
  if ((code = open_view(cli, &c, 1, &st, &a)) != EXIT_OK)
    goto out;
  if (c.checkpoint) {
    cps.ids = xcalloc(1, sizeof *cps.ids);
    cps.ids[0] = xstrdup(c.checkpoint);
    cps.n = cps.cap = 1;
  } else {
    analysis_each_record(a, KIND_checkpoint, add_cp, &cps);
  }
  if (strcmp(c.format, "json") == 0)
    buf_puts(&b, "{\"days\": [");
  else if (strcmp(c.format, "csv") == 0)
    buf_puts(&b, "day,checkpoint,availability\n");
  else {
    const char *head[3] = {"day", "checkpoint", "availability"};
    cli_table_add(&t, head);
  }
  for (int64_t day = c.from; day <= c.to; day++)
    for (size_t i = 0; i < cps.n; i++) {
      char d[16], num[40];
      double share;
      int known;
      rc = analysis_availability(a, cps.ids[i], day, &share, &known);
      if (rc != OK)
        break;
      util_format_day(day, d, sizeof d);
      if (strcmp(c.format, "json") == 0) {
        buf_printf(
            &b, "%s\n  {\"day\": \"%s\", \"checkpoint\": ", rows ? "," : "", d);
        cli_json_string(&b, cps.ids[i]);
        buf_puts(&b, ", \"availability\": ");
        number_or_null(&b, known, share);
        buf_putc(&b, '}');
      } else if (strcmp(c.format, "csv") == 0) {
        buf_printf(&b, "%s,", d);
        util_csv_text(&b, cps.ids[i]);
        buf_putc(&b, ',');
        if (known) {
          util_format_figure(share, num, sizeof num);
          buf_puts(&b, num);
        }
        buf_putc(&b, '\n');
      } else {
        const char *row[3] = {d, cps.ids[i], num};
        human_or_unknown(num, sizeof num, known, share, 1);
        cli_table_add(&t, row);
      }
      rows++;
    }
  if (strcmp(c.format, "json") == 0)
    buf_puts(&b, rows ? "\n]}\n" : "]}\n");
  if (strcmp(c.format, "table") == 0)
    cli_table_print(&t, stdout);
  fwrite(b.data ? b.data : "", 1, b.len, stdout);
out:
  for (size_t i = 0; i < cps.n; i++)
    free((char *)cps.ids[i]);
  free(cps.ids);
  cli_table_cleanup(&t);
  buf_cleanup(&b);
  analysis_free(a);
  store_close(st);
  return code;
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

int
cmd_compliance(struct cli *cli, int argc, char **argv)
{
  struct common c = {.cmd = "compliance"};
  struct analysis_compliance *res = NULL;
  struct analysis *a = NULL;
  struct store *st = NULL;
  size_t n = 0;
  struct buf b;
  int rc, code;

  rc = parse_common(cli, &c, argc, argv, compliance_help);
  if (rc != OK)
    return rc == ERR_EXISTS ? EXIT_OK : EXIT_USAGE;
  buf_init(&b);
  if ((code = open_view(cli, &c, 1, &st, &a)) != EXIT_OK)
    goto out;
  rc = analysis_compliance(a, c.from, c.to, &res, &n);
  if (rc != OK) {
    fprintf(stderr, "passage compliance: %s\n", store_errmsg(st));
    code = cli_exit_code(rc);
    goto out;
  }
  if (strcmp(c.format, "json") == 0) {
    buf_puts(&b, "{\"obligations\": [");
    for (size_t i = 0; i < n; i++) {
      const struct analysis_compliance *r = &res[i];
      buf_printf(&b, "%s\n  {\"id\": ", i ? "," : "");
      cli_json_string(&b, r->ob->id);
      buf_puts(&b, ", \"text\": ");
      cli_json_string(&b, r->ob->text ? r->ob->text : "");
      buf_printf(&b,
                 ", \"days_met\": %zu, \"days_breached\": %zu, "
                 "\"days_unknown\": %zu, \"longest_breach\": %zu, "
                 "\"current_run\": %zu}",
                 r->days_met, r->days_breached, r->days_unknown,
                 r->longest_breach, r->current_run);
    }
    buf_puts(&b, n ? "\n]}\n" : "]}\n");
  } else if (strcmp(c.format, "csv") == 0) {
    buf_puts(&b, "id,text,days_met,days_breached,days_unknown,"
                 "longest_breach,current_run\n");
    for (size_t i = 0; i < n; i++) {
      util_csv_text(&b, res[i].ob->id);
      buf_putc(&b, ',');
      util_csv_text(&b, res[i].ob->text ? res[i].ob->text : "");
      buf_printf(&b, ",%zu,%zu,%zu,%zu,%zu\n", res[i].days_met,
                 res[i].days_breached, res[i].days_unknown,
                 res[i].longest_breach, res[i].current_run);
    }
  } else {
    struct cli_table t;
    const char *head[6] = {"obligation", "met",     "breached",
                           "unknown",    "longest", "current run"};
    cli_table_init(&t, 6, 1);
    cli_table_add(&t, head);
    for (size_t i = 0; i < n; i++) {
      char v[5][24];
      const char *row[6] = {res[i].ob->id, v[0], v[1], v[2], v[3], v[4]};
      snprintf(v[0], sizeof v[0], "%zu", res[i].days_met);
      snprintf(v[1], sizeof v[1], "%zu", res[i].days_breached);
      snprintf(v[2], sizeof v[2], "%zu", res[i].days_unknown);
      snprintf(v[3], sizeof v[3], "%zu", res[i].longest_breach);
      snprintf(v[4], sizeof v[4], "%zu", res[i].current_run);
      cli_table_add(&t, row);
    }
    cli_table_print(&t, stdout);
    cli_table_cleanup(&t);
    if (n == 0)
      puts("(the corridor file names no obligations)");
  }
  fwrite(b.data ? b.data : "", 1, b.len, stdout);
out:
  analysis_compliance_free(res, n);
  buf_cleanup(&b);
  analysis_free(a);
  store_close(st);
  return code;
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

static void
day_or_null(struct buf *b, int has, int64_t day)
{
  char d[16];

  if (!has) {
    buf_puts(b, "null");
    return;
  }
  util_format_day(day, d, sizeof d);
  buf_printf(b, "\"%s\"", d);
}

int
cmd_supply(struct cli *cli, int argc, char **argv)
{
  struct common c = {.cmd = "supply"};
  struct analysis_supply *res = NULL;
  struct analysis *a = NULL;
  struct store *st = NULL;
  size_t n = 0;
  struct buf b;
  char date[16];
  int rc, code;

  rc = parse_common(cli, &c, argc, argv, supply_help);
  if (rc != OK)
    return rc == ERR_EXISTS ? EXIT_OK : EXIT_USAGE;
  if (!c.has_date)
    return cli_usage_error("supply", "--date D is required");
  buf_init(&b);
  if ((code = open_view(cli, &c, 0, &st, &a)) != EXIT_OK)
    goto out;
  rc = analysis_supply(a, c.date, &res, &n);
  if (rc != OK) {
    fprintf(stderr, "passage supply: %s\n", store_errmsg(st));
    code = cli_exit_code(rc);
    goto out;
  }
  util_format_day(c.date, date, sizeof date);
  if (strcmp(c.format, "json") == 0) {
    buf_printf(&b, "{\"date\": \"%s\", \"categories\": [", date);
    for (size_t i = 0; i < n; i++) {
      const struct analysis_supply *s = &res[i];
      int cover = s->has_stock && s->need_per_day > 0;
      buf_printf(&b, "%s\n  {\"category\": ", i ? "," : "");
      cli_json_string(&b, s->category);
      buf_puts(&b, ", \"unit\": ");
      cli_json_string(&b, s->unit);
      buf_puts(&b, ", \"stock\": {\"low\": ");
      number_or_null(&b, s->has_stock, s->stock_low);
      buf_puts(&b, ", \"high\": ");
      number_or_null(&b, s->has_stock, s->stock_high);
      buf_puts(&b, "}, \"need_per_day\": ");
      number_or_null(&b, s->need_per_day > 0, s->need_per_day);
      buf_puts(&b, ", \"inflow_7d_mean\": ");
      number_or_null(&b, s->has_inflow_7d, s->inflow_7d_mean);
      buf_puts(&b, ", \"days_of_cover\": {\"low\": ");
      number_or_null(&b, cover, s->cover_low);
      buf_puts(&b, ", \"high\": ");
      number_or_null(&b, cover, s->cover_high);
      buf_puts(&b, "}, \"stockout\": {");
      for (int sc = 0; sc < AS_COUNT; sc++) {
        buf_printf(&b, "%s\"%s\": {\"low\": ", sc ? ", " : "",
                   analysis_scenario_names[sc]);
        day_or_null(&b, s->has_stockout[sc][0], s->stockout[sc][0]);
        buf_puts(&b, ", \"high\": ");
        day_or_null(&b, s->has_stockout[sc][1], s->stockout[sc][1]);
        buf_putc(&b, '}');
      }
      buf_printf(&b, "}, \"alert\": \"%s\"}", analysis_alert_names[s->alert]);
    }
    buf_puts(&b, n ? "\n]}\n" : "]}\n");
  } else if (strcmp(c.format, "csv") == 0) {
    buf_puts(&b, "date,category,unit,stock_low,stock_high,need_per_day,"
                 "inflow_7d_mean,cover_low,cover_high");
    for (int sc = 0; sc < AS_COUNT; sc++)
      buf_printf(&b, ",stockout_%s_low,stockout_%s_high",
                 analysis_scenario_names[sc], analysis_scenario_names[sc]);
    buf_puts(&b, ",alert\n");
    for (size_t i = 0; i < n; i++) {
      const struct analysis_supply *s = &res[i];
      int cover = s->has_stock && s->need_per_day > 0;
      double v[6] = {s->stock_low,      s->stock_high, s->need_per_day,
                     s->inflow_7d_mean, s->cover_low,  s->cover_high};
      int k[6] = {s->has_stock,     s->has_stock, s->need_per_day > 0,
                  s->has_inflow_7d, cover,        cover};
      buf_printf(&b, "%s,", date);
      util_csv_text(&b, s->category);
      buf_putc(&b, ',');
      util_csv_text(&b, s->unit);
      for (int j = 0; j < 6; j++) {
        char num[40];
        buf_putc(&b, ',');
        if (k[j]) {
          util_format_figure(v[j], num, sizeof num);
          buf_puts(&b, num);
        }
      }
      for (int sc = 0; sc < AS_COUNT; sc++)
        for (int e = 0; e < 2; e++) {
          char d[16];
          buf_putc(&b, ',');
          if (s->has_stockout[sc][e]) {
            util_format_day(s->stockout[sc][e], d, sizeof d);
            buf_puts(&b, d);
          }
        }
      buf_printf(&b, ",%s\n", analysis_alert_names[s->alert]);
    }
  } else {
    struct cli_table t;
    const char *head[8] = {"category",  "stock",  "need/day", "cover (days)",
                           "no inflow", "recent", "baseline", "alert"};
    cli_table_init(&t, 8, 1);
    cli_table_add(&t, head);
    for (size_t i = 0; i < n; i++) {
      const struct analysis_supply *s = &res[i];
      char cells[7][96], lo[32], hi[32];
      const char *row[8] = {s->category, cells[0], cells[1], cells[2],
                            cells[3],    cells[4], cells[5], cells[6]};
      if (s->has_stock) {
        util_format_human(s->stock_low, lo, sizeof lo);
        util_format_human(s->stock_high, hi, sizeof hi);
        snprintf(cells[0], sizeof cells[0], "%s-%s %s", lo, hi, s->unit);
      } else {
        snprintf(cells[0], sizeof cells[0], "?");
      }
      human_or_unknown(cells[1], sizeof cells[1], s->need_per_day > 0,
                       s->need_per_day, 0);
      if (s->has_stock && s->need_per_day > 0) {
        util_format_human(s->cover_low, lo, sizeof lo);
        util_format_human(s->cover_high, hi, sizeof hi);
        snprintf(cells[2], sizeof cells[2], "%s-%s", lo, hi);
      } else {
        snprintf(cells[2], sizeof cells[2], "?");
      }
      for (int sc = 0; sc < AS_COUNT; sc++) {
        if (s->has_stockout[sc][0]) {
          util_format_day(s->stockout[sc][0], lo, sizeof lo);
          util_format_day(s->stockout[sc][1], hi, sizeof hi);
          snprintf(cells[3 + sc], sizeof cells[3 + sc], "%s..%s", lo, hi);
        } else {
          snprintf(cells[3 + sc], sizeof cells[3 + sc], "-");
        }
      }
      snprintf(cells[6], sizeof cells[6], "%s", analysis_alert_names[s->alert]);
      cli_table_add(&t, row);
    }
    printf("supply outlook at the start of %s\n", date);
    cli_table_print(&t, stdout);
    cli_table_cleanup(&t);
    if (n == 0)
      puts("(no category has a need: set need_per_person_per_day in the "
           "corridor file or add need records)");
  }
  fwrite(b.data ? b.data : "", 1, b.len, stdout);
out:
  free(res);
  buf_cleanup(&b);
  analysis_free(a);
  store_close(st);
  return code;
}
