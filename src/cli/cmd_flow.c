/* passage flow: reconciled flows over a period, by dimensions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "cli/cli.h"

static const char flow_help[] =
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
    "cargo category; records are spread over days like the rest.\n";

static const int measure_map[M_COUNT] = {AM_RECORDS, AM_VEHICLES, AM_PERSONS,
                                         AM_TONNES};

struct out {
  const char *format;
  const int *dims;
  size_t ndims;
  const int *measures;
  size_t nmeasures;
  struct cli_table table;
  struct buf b;
  size_t rows;
};

static void
json_row(struct out *o, const struct analysis_flow_row *row)
{
  char num[40];

  buf_puts(&o->b, o->rows ? ",\n  {" : "\n  {");
  for (size_t i = 0; i < o->ndims; i++) {
    const char *v = row->dim[o->dims[i]];
    buf_printf(&o->b, "%s\"%s\": ", i ? ", " : "", store_dim_names[o->dims[i]]);
    if (v && *v)
      cli_json_string(&o->b, v);
    else
      buf_puts(&o->b, "null");
  }
  for (size_t i = 0; i < o->nmeasures; i++) {
    int m = measure_map[o->measures[i]];
    buf_printf(&o->b, "%s\"%s\": ", o->ndims || i ? ", " : "",
               store_measure_names[o->measures[i]]);
    if (row->known[m]) {
      util_format_figure(row->m[m], num, sizeof num);
      buf_puts(&o->b, num);
    } else {
      buf_puts(&o->b, "null");
    }
  }
  if (row->unknown_days)
    buf_printf(&o->b, ", \"unknown_days\": %zu", row->unknown_days);
  if (row->disputed) {
    buf_puts(&o->b, ", \"disputed\": true, \"sources\": [");
    for (size_t i = 0; i < row->nsources; i++) {
      const struct analysis_source_value *s = &row->sources[i];
      static const char *const names[AM_COUNT] = {"records", "vehicles",
                                                  "persons", "tonnes"};
      buf_puts(&o->b, i ? ", {\"source\": " : "{\"source\": ");
      cli_json_string(&o->b, s->source);
      buf_puts(&o->b, ", \"grade\": ");
      if (s->grade && *s->grade)
        cli_json_string(&o->b, s->grade);
      else
        buf_puts(&o->b, "null");
      util_format_figure(s->value, num, sizeof num);
      buf_printf(&o->b, ", \"measure\": \"%s\", \"value\": %s}",
                 names[s->measure], num);
    }
    buf_putc(&o->b, ']');
  }
  buf_putc(&o->b, '}');
}

static int
print_row(void *ctx, const struct analysis_flow_row *row)
{
  struct out *o = ctx;
  char num[64];

  if (strcmp(o->format, "json") == 0) {
    json_row(o, row);
  } else if (strcmp(o->format, "csv") == 0) {
    for (size_t i = 0; i < o->ndims; i++) {
      if (i)
        buf_putc(&o->b, ',');
      util_csv_text(&o->b, row->dim[o->dims[i]]);
    }
    for (size_t i = 0; i < o->nmeasures; i++) {
      int m = measure_map[o->measures[i]];
      if (o->ndims || i)
        buf_putc(&o->b, ',');
      if (row->known[m]) {
        util_format_figure(row->m[m], num, sizeof num);
        buf_puts(&o->b, num);
      }
    }
    buf_putc(&o->b, '\n');
  } else {
    const char *cells[DIM_COUNT + M_COUNT + 1];
    char nums[M_COUNT][64];
    size_t c = 0;
    for (size_t i = 0; i < o->ndims; i++) {
      const char *v = row->dim[o->dims[i]];
      cells[c++] = v && *v ? v : "-";
    }
    for (size_t i = 0; i < o->nmeasures; i++) {
      int m = measure_map[o->measures[i]];
      if (row->known[m])
        util_format_human(row->m[m], nums[i], sizeof nums[i]);
      else
        strcpy(nums[i], "?");
      cells[c++] = nums[i];
    }
    cells[c++] = row->disputed ? "disputed" : "";
    cli_table_add(&o->table, cells);
  }
  o->rows++;
  return OK;
}

static int
parse_list(const char *cmd, const char *opt, const char *text,
           const char *const *names, int count, int *out, size_t *n)
{
  char *copy = xstrdup(text), *save = NULL;
  int rc = OK;

  *n = 0;
  for (char *tok = strtok_r(copy, ",", &save); tok && rc == OK;
       tok = strtok_r(NULL, ",", &save)) {
    int found = -1;
    while (*tok == ' ')
      tok++;
    for (int i = 0; i < count; i++)
      if (strcmp(names[i], tok) == 0)
        found = i;
    if (found < 0) {
      struct buf b;
      buf_init(&b);
      for (int i = 0; i < count; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
      cli_usage_error(cmd, "%s: unknown '%s' (expected %s)", opt, tok, b.data);
      buf_cleanup(&b);
      rc = ERR_USAGE;
    } else if (*n < (size_t)count) {
      out[(*n)++] = found;
    }
  }
  free(copy);
  if (rc == OK && *n == 0) {
    cli_usage_error(cmd, "%s: empty list", opt);
    rc = ERR_USAGE;
  }
  return rc;
}

int
cmd_flow(struct cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"from", required_argument, 0, 'f'},
                                       {"to", required_argument, 0, 't'},
                                       {"by", required_argument, 0, 'b'},
                                       {"measure", required_argument, 0, 'm'},
                                       {"source", required_argument, 0, 's'},
                                       {"outcome", required_argument, 0, 'c'},
                                       {"as-of", required_argument, 0, 'a'},
                                       {"format", required_argument, 0, 'o'},
                                       {"db", required_argument, 0, 'd'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  int dims[DIM_COUNT] = {DIM_DAY};
  int measures[M_COUNT] = {M_RECORDS, M_VEHICLES, M_PERSONS, M_TONNES};
  size_t ndims = 1, nmeasures = M_COUNT;
  int64_t from = 0, to = 0;
  int has_from = 0, has_to = 0, ch, rc, code = EXIT_OK;
  uint64_t as_of = 0;
  struct analysis_flow_query q;
  struct analysis *a = NULL;
  struct store *st = NULL;
  struct out o;
  struct buf err;

  memset(&q, 0, sizeof q);
  memset(&o, 0, sizeof o);
  o.format = "table";
  optind = 1;
  while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (ch) {
    case 'f':
      if (cli_parse_day("flow", "--from", optarg, &from) != OK)
        return EXIT_USAGE;
      has_from = 1;
      break;
    case 't':
      if (cli_parse_day("flow", "--to", optarg, &to) != OK)
        return EXIT_USAGE;
      has_to = 1;
      break;
    case 'b':
      if (parse_list("flow", "--by", optarg, store_dim_names, DIM_COUNT, dims,
                     &ndims) != OK)
        return EXIT_USAGE;
      break;
    case 'm':
      if (parse_list("flow", "--measure", optarg, store_measure_names, M_COUNT,
                     measures, &nmeasures) != OK)
        return EXIT_USAGE;
      break;
    case 's':
      q.source = optarg;
      break;
    case 'c':
      q.outcome = strcmp(optarg, "all") == 0 ? "" : optarg;
      break;
    case 'a':
      if (cli_parse_as_of("flow", optarg, &as_of) != OK)
        return EXIT_USAGE;
      break;
    case 'o':
      o.format = optarg;
      break;
    case 'd':
      cli->db = optarg;
      break;
    case 'h':
      fputs(flow_help, stdout);
      return EXIT_OK;
    default:
      return cli_usage_error("flow", "%s", cli_bad_option(argv));
    }
  }
  if (optind < argc)
    return cli_usage_error("flow", "unexpected argument '%s'", argv[optind]);
  if (strcmp(o.format, "table") && strcmp(o.format, "csv") &&
      strcmp(o.format, "json"))
    return cli_usage_error(
        "flow", "--format: expected table, csv or json, got '%s'", o.format);
  if (has_from && has_to && from > to)
    return cli_usage_error("flow", "--from is after --to");
  if ((st = cli_open_store(cli, 0)) == NULL)
    return EXIT_ERROR;
  buf_init(&err);
  buf_init(&o.b);
  if ((rc = analysis_open(st, as_of, &a, &err)) != OK) {
    fprintf(stderr, "passage flow: %s\n", err.data);
    code = cli_exit_code(rc);
    goto out;
  }
  if (!has_from || !has_to) {
    int64_t first, last;
    if (analysis_span(a, &first, &last) != OK) {
      first = last = has_from ? from : has_to ? to : 0;
      if (!has_from && !has_to) {
        if (strcmp(o.format, "json") == 0)
          fputs("{\"rows\": []}\n", stdout);
        else if (strcmp(o.format, "table") == 0)
          puts("(no flows recorded)");
        goto out;
      }
    }
    if (!has_from)
      from = first;
    if (!has_to)
      to = last;
    if (from > to)
      to = from;
  }
  q.from = from;
  q.to = to;
  q.dims = dims;
  q.ndims = ndims;
  q.own_figures = 1; /* --by source: each source's own account */
  o.dims = dims;
  o.ndims = ndims;
  o.measures = measures;
  o.nmeasures = nmeasures;
  cli_table_init(&o.table, ndims + nmeasures + 1, ndims);
  if (strcmp(o.format, "table") == 0) {
    const char *cells[DIM_COUNT + M_COUNT + 1];
    size_t c = 0;
    for (size_t i = 0; i < ndims; i++)
      cells[c++] = store_dim_names[dims[i]];
    for (size_t i = 0; i < nmeasures; i++)
      cells[c++] = store_measure_names[measures[i]];
    cells[c++] = "";
    cli_table_add(&o.table, cells);
  } else if (strcmp(o.format, "csv") == 0) {
    for (size_t i = 0; i < ndims; i++)
      buf_printf(&o.b, "%s%s", i ? "," : "", store_dim_names[dims[i]]);
    for (size_t i = 0; i < nmeasures; i++)
      buf_printf(&o.b, "%s%s", ndims || i ? "," : "",
                 store_measure_names[measures[i]]);
    buf_putc(&o.b, '\n');
  } else {
    buf_puts(&o.b, "{\"rows\": [");
  }
  rc = analysis_flows(a, &q, print_row, &o);
  if (rc != OK) {
    fprintf(stderr, "passage flow: %s\n", store_errmsg(st));
    code = cli_exit_code(rc);
    goto out;
  }
  if (strcmp(o.format, "table") == 0) {
    cli_table_print(&o.table, stdout);
    if (o.rows == 0)
      puts("(no flows recorded in this period)");
  } else {
    if (strcmp(o.format, "json") == 0)
      buf_puts(&o.b, o.rows ? "\n]}\n" : "]}\n");
    fwrite(o.b.data, 1, o.b.len, stdout);
  }
out:
  cli_table_cleanup(&o.table);
  buf_cleanup(&o.b);
  buf_cleanup(&err);
  analysis_free(a);
  store_close(st);
  return code;
}
