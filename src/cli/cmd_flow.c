/* passage flow: sums of the daily rollups over a period, by dimensions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char flow_help[] =
    "usage: passage [--db PATH] flow [--from DATE] [--to DATE] [--by DIMS]\n"
    "                    [--measure MEASURES] [--format table|csv|json]\n"
    "\n"
    "What crossed, summed per local day and then grouped by the dimensions\n"
    "you name (comma-separated). An observation over an interval is spread\n"
    "over the days it covers in proportion to its overlap; a month's count\n"
    "gives each day its share. Corrected records count as corrected.\n"
    "\n"
    "  --from, --to   the period, inclusive (default: all of it)\n"
    "  --by           day (default), week (ISO, 2023-W07), month, year,\n"
    "                 checkpoint, direction, vehicle, category, operator,\n"
    "                 purpose, source, stage, outcome\n"
    "  --measure      records, vehicles, persons, tonnes (default: all)\n"
    "  --format       table (default), csv, json\n"
    "\n"
    "tonnes counts cargo in a mass unit (t, kg, lb, ...); other units are\n"
    "not tonnes. Records, vehicles and persons count under a flow's first\n"
    "cargo category.\n";

struct agg {
  int dims[DIM_COUNT];
  size_t ndims;
  struct strmap *index; /* key -> row number */
  double *sums;         /* M_COUNT per row */
  size_t nrows, cap;
  struct buf key;
};

static void
day_label(int dim, int64_t day, char *out, size_t size)
{
  int y, m, d;

  util_civil_from_days(day, &y, &m, &d);
  if (dim == DIM_DAY) {
    util_format_day(day, out, size);
  } else if (dim == DIM_MONTH) {
    snprintf(out, size, "%04d-%02d", y, m);
  } else if (dim == DIM_YEAR) {
    snprintf(out, size, "%04d", y);
  } else {
    /* ISO week: the week belongs to the year of its Thursday. */
    int64_t wd = ((day % 7) + 7 + 3) % 7; /* Monday = 0 */
    int64_t thursday = day - wd + 3;
    int ty, tm, td;
    util_civil_from_days(thursday, &ty, &tm, &td);
    int64_t jan1 = util_days_from_civil(ty, 1, 1);
    snprintf(out, size, "%04d-W%02d", ty, (int)((thursday - jan1) / 7 + 1));
  }
}

static int
add_row(void *ctx, const struct flow_row *row)
{
  struct agg *a = ctx;
  const char *idx;
  size_t r;

  buf_reset(&a->key);
  for (size_t i = 0; i < a->ndims; i++) {
    int d = a->dims[i];
    if (d <= DIM_YEAR) {
      char label[16];
      day_label(d, row->day, label, sizeof label);
      buf_puts(&a->key, label);
    } else {
      buf_puts(&a->key, row->dim[d] ? row->dim[d] : "");
    }
    buf_putc(&a->key, '\x1f');
  }
  idx = strmap_get(a->index, a->key.data ? a->key.data : "");
  if (idx) {
    r = (size_t)strtoull(idx, NULL, 10);
  } else {
    char num[24];
    if (a->nrows == a->cap) {
      a->cap = a->cap ? a->cap * 2 : 256;
      a->sums = xrealloc(a->sums, a->cap * M_COUNT * sizeof(double));
    }
    r = a->nrows++;
    memset(&a->sums[r * M_COUNT], 0, M_COUNT * sizeof(double));
    snprintf(num, sizeof num, "%zu", r);
    strmap_put(a->index, a->key.data ? a->key.data : "", num);
  }
  for (int m = 0; m < M_COUNT; m++)
    a->sums[r * M_COUNT + m] += row->m[m];
  return OK;
}

static int
by_key(const void *x, const void *y)
{
  const char *const *a = x, *const *b = y;

  return strcmp(a[0], b[0]);
}

/* Splits a key back into its dimension values. */
static void
key_parts(const char *key, const char **parts, char *scratch, size_t ndims)
{
  strcpy(scratch, key);
  for (size_t i = 0; i < ndims; i++) {
    char *sep = strchr(scratch, '\x1f');
    parts[i] = scratch;
    if (sep) {
      *sep = '\0';
      scratch = sep + 1;
    }
  }
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
      cli_usage_error(cmd, "%s: unknown '%s' (expected %s)", opt, tok,
                      b.data);
      buf_cleanup(&b);
      rc = ERR_USAGE;
    } else if (*n < (size_t)count) {
      out[(*n)++] = found;
    }
  }
  free(copy);
  if (rc == OK && *n == 0)
    { cli_usage_error(cmd, "%s: empty list", opt); rc = ERR_USAGE; }
  return rc;
}

/* Columns a text takes on a terminal: one per character, not per byte, so
 * that names in Armenian or Azerbaijani line up too. */
static size_t
text_width(const char *s)
{
  size_t n = 0;

  for (; *s; s++)
    if (((unsigned char)*s & 0xc0) != 0x80)
      n++;
  return n;
}

static void
print_table(struct agg *a, const char **keys, const int *measures,
            size_t nmeasures)
{
  size_t ncols = a->ndims + nmeasures;
  size_t *width = xcalloc(ncols, sizeof *width);
  char ***cells = xcalloc(a->nrows + 1, sizeof *cells);
  char *scratch;
  size_t maxkey = 1;

  for (size_t r = 0; r < a->nrows; r++)
    if (strlen(keys[2 * r]) + 1 > maxkey)
      maxkey = strlen(keys[2 * r]) + 1;
  scratch = xmalloc(maxkey);
  cells[0] = xcalloc(ncols, sizeof(char *));
  for (size_t i = 0; i < a->ndims; i++)
    cells[0][i] = xstrdup(store_dim_names[a->dims[i]]);
  for (size_t i = 0; i < nmeasures; i++)
    cells[0][a->ndims + i] = xstrdup(store_measure_names[measures[i]]);
  for (size_t r = 0; r < a->nrows; r++) {
    const char *parts[DIM_COUNT];
    size_t row = (size_t)strtoull(keys[2 * r + 1], NULL, 10);
    cells[r + 1] = xcalloc(ncols, sizeof(char *));
    key_parts(keys[2 * r], parts, scratch, a->ndims);
    for (size_t i = 0; i < a->ndims; i++)
      cells[r + 1][i] = xstrdup(parts[i][0] ? parts[i] : "-");
    for (size_t i = 0; i < nmeasures; i++) {
      char num[64];
      cli_format_human(a->sums[row * M_COUNT + measures[i]], num, sizeof num);
      cells[r + 1][a->ndims + i] = xstrdup(num);
    }
  }
  for (size_t r = 0; r <= a->nrows; r++)
    for (size_t c = 0; c < ncols; c++)
      if (text_width(cells[r][c]) > width[c])
        width[c] = text_width(cells[r][c]);
  for (size_t r = 0; r <= a->nrows; r++) {
    for (size_t c = 0; c < ncols; c++) {
      int left = c < a->ndims;
      printf("%s%*s%s", c ? "  " : "", left ? 0 : (int)width[c],
             left ? "" : cells[r][c], left ? cells[r][c] : "");
      if (left && c + 1 < ncols)
        printf("%*s", (int)(width[c] - text_width(cells[r][c])), "");
      free(cells[r][c]);
    }
    putchar('\n');
    free(cells[r]);
  }
  if (a->nrows == 0)
    printf("(no flows recorded in this period)\n");
  free(cells);
  free(width);
  free(scratch);
}

int
cmd_flow(struct cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"from", required_argument, 0, 'f'},
                                       {"to", required_argument, 0, 't'},
                                       {"by", required_argument, 0, 'b'},
                                       {"measure", required_argument, 0, 'm'},
                                       {"format", required_argument, 0, 'o'},
                                       {"db", required_argument, 0, 'd'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  struct agg a;
  int measures[M_COUNT] = {M_RECORDS, M_VEHICLES, M_PERSONS, M_TONNES};
  size_t nmeasures = M_COUNT;
  int64_t from = INT64_MIN / 2, to = INT64_MAX / 2;
  const char *format = "table";
  const char **keys = NULL;
  struct store *st = NULL;
  char *scratch = NULL;
  int ch, rc, code = EXIT_OK;

  memset(&a, 0, sizeof a);
  a.dims[0] = DIM_DAY;
  a.ndims = 1;
  optind = 1;
  while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (ch) {
    case 'f':
      if (cli_parse_day("flow", "--from", optarg, &from) != OK)
        return EXIT_USAGE;
      break;
    case 't':
      if (cli_parse_day("flow", "--to", optarg, &to) != OK)
        return EXIT_USAGE;
      break;
    case 'b':
      if (parse_list("flow", "--by", optarg, store_dim_names, DIM_COUNT,
                     a.dims, &a.ndims) != OK)
        return EXIT_USAGE;
      break;
    case 'm': {
      if (parse_list("flow", "--measure", optarg, store_measure_names,
                     M_COUNT, measures, &nmeasures) != OK)
        return EXIT_USAGE;
      break;
    }
    case 'o':
      format = optarg;
      break;
    case 'd':
      cli->db = optarg;
      break;
    case 'h':
      fputs(flow_help, stdout);
      return EXIT_OK;
    default:
      return cli_usage_error("flow", "unknown option");
    }
  }
  if (optind < argc)
    return cli_usage_error("flow", "unexpected argument '%s'", argv[optind]);
  if (strcmp(format, "table") && strcmp(format, "csv") &&
      strcmp(format, "json"))
    return cli_usage_error("flow",
                           "--format: expected table, csv or json, got '%s'",
                           format);
  if (from > to)
    return cli_usage_error("flow", "--from is after --to");
  if ((st = cli_open_store(cli, 0)) == NULL)
    return EXIT_ERROR;

  a.index = strmap_new();
  buf_init(&a.key);
  rc = store_each_flow_day(st, from, to, add_row, &a);
  if (rc != OK) {
    fprintf(stderr, "passage flow: %s\n", store_errmsg(st));
    code = EXIT_ERROR;
    goto out;
  }
  /* Rows sorted by their dimension values. */
  keys = xcalloc(a.nrows * 2 + 1, sizeof(char *));
  for (size_t r = 0; r < a.nrows; r++) {
    keys[2 * r] = strmap_key(a.index, r);
    keys[2 * r + 1] = strmap_value(a.index, r);
  }
  qsort(keys, a.nrows, 2 * sizeof(char *), by_key);

  if (strcmp(format, "table") == 0) {
    print_table(&a, keys, measures, nmeasures);
  } else {
    struct buf out;
    size_t maxkey = 1;
    buf_init(&out);
    for (size_t r = 0; r < a.nrows; r++)
      if (strlen(keys[2 * r]) + 1 > maxkey)
        maxkey = strlen(keys[2 * r]) + 1;
    scratch = xmalloc(maxkey);
    if (strcmp(format, "csv") == 0) {
      for (size_t i = 0; i < a.ndims; i++)
        buf_printf(&out, "%s%s", i ? "," : "", store_dim_names[a.dims[i]]);
      for (size_t i = 0; i < nmeasures; i++)
        buf_printf(&out, ",%s", store_measure_names[measures[i]]);
      buf_putc(&out, '\n');
    } else {
      buf_puts(&out, "{\"rows\": [");
    }
    for (size_t r = 0; r < a.nrows; r++) {
      const char *parts[DIM_COUNT];
      size_t row = (size_t)strtoull(keys[2 * r + 1], NULL, 10);
      key_parts(keys[2 * r], parts, scratch, a.ndims);
      if (strcmp(format, "csv") == 0) {
        for (size_t i = 0; i < a.ndims; i++) {
          const char *v = parts[i];
          if (i)
            buf_putc(&out, ',');
          if (strpbrk(v, ",\"\n")) {
            buf_putc(&out, '"');
            for (; *v; v++) {
              if (*v == '"')
                buf_putc(&out, '"');
              buf_putc(&out, *v);
            }
            buf_putc(&out, '"');
          } else {
            buf_puts(&out, v);
          }
        }
        for (size_t i = 0; i < nmeasures; i++) {
          char num[40];
          cli_format_number(a.sums[row * M_COUNT + measures[i]], num,
                            sizeof num);
          buf_printf(&out, ",%s", num);
        }
        buf_putc(&out, '\n');
      } else {
        buf_puts(&out, r ? ",\n  {" : "\n  {");
        for (size_t i = 0; i < a.ndims; i++) {
          buf_printf(&out, "%s\"%s\": ", i ? ", " : "",
                     store_dim_names[a.dims[i]]);
          if (parts[i][0])
            cli_json_string(&out, parts[i]);
          else
            buf_puts(&out, "null");
        }
        for (size_t i = 0; i < nmeasures; i++) {
          char num[40];
          cli_format_number(a.sums[row * M_COUNT + measures[i]], num,
                            sizeof num);
          buf_printf(&out, ", \"%s\": %s", store_measure_names[measures[i]],
                     num);
        }
        buf_putc(&out, '}');
      }
    }
    if (strcmp(format, "json") == 0)
      buf_puts(&out, a.nrows ? "\n]}\n" : "]}\n");
    fwrite(out.data, 1, out.len, stdout);
    buf_cleanup(&out);
  }
out:
  free(keys);
  free(scratch);
  free(a.sums);
  strmap_free(a.index);
  buf_cleanup(&a.key);
  store_close(st);
  return code;
}
