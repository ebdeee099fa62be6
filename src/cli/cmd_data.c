/* passage import, add, export: records in and out. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ingest/ingest.h"

static void
list_kinds(FILE *f)
{
  fprintf(f, "kinds:");
  for (int k = 0; k < KIND_COUNT; k++)
    fprintf(f, " %s", record_kind_desc((enum record_kind)k)->name);
  fputc('\n', f);
}

static int
kind_arg(const char *cmd, const char *name, enum record_kind *kind)
{
  int k = name ? record_kind_by_name(name) : -1;

  if (k < 0) {
    fprintf(stderr, "passage %s: %s '%s'\n", cmd,
            name ? "unknown kind" : "missing the kind of record",
            name ? name : "");
    list_kinds(stderr);
    return ERR_USAGE;
  }
  *kind = (enum record_kind)k;
  return OK;
}

/* Lists a kind's fields for --help texts. */
static void
list_fields(FILE *f, enum record_kind kind)
{
  const struct kind_desc *k = record_kind_desc(kind);

  fprintf(f, "\nfields of %s (%s):\n", k->name, k->title);
  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *fd = &k->fields[i];
    fprintf(f, "  %-20s %s%s", fd->name, fd->help,
            fd->flags & FF_REQUIRED ? " (required)" : "");
    if (fd->allowed) {
      fprintf(f, "; one of:");
      for (const char *const *a = fd->allowed; *a; a++)
        fprintf(f, " %s", *a);
    }
    fputc('\n', f);
  }
}

/* What an import reports, on stderr as the CLI has always said it: one line
 * per problem, "FILE:LINE: ..." with a row's problems joined by "; ". */
static void
show_error(void *ctx, const struct ingest_error *e)
{
  (void)ctx;
  if (e->part > 0)
    fputs("; ", stderr);
  else if (e->file == NULL)
    fputs("passage: ", stderr);
  else if (e->line)
    fprintf(stderr, "%s:%lu: ", e->file, e->line);
  else
    fprintf(stderr, "%s: ", e->file);
  fputs(e->message, stderr);
  if (e->part + 1 == e->nparts)
    fputc('\n', stderr);
}

static void
show_names(const struct ingest_note *n)
{
  for (size_t i = 0; i < n->nnames; i++)
    fprintf(stderr, "%s'%s'", i ? ", " : "", n->names[i]);
}

static void
show_note(void *ctx, const struct ingest_note *n)
{
  (void)ctx;
  switch (n->kind) {
  case INGEST_NOTE_IGNORED_COLUMNS:
    fprintf(stderr, "%s: ignoring columns that map to no %s field: ", n->file,
            n->subject);
    show_names(n);
    fputc('\n', stderr);
    break;
  case INGEST_NOTE_MORE_ERRORS:
    fprintf(stderr, "... and %zu more errors\n", n->count);
    break;
  case INGEST_NOTE_UNKNOWN:
    fprintf(stderr, "unknown %s%s: ", n->subject, n->nnames > 1 ? "s" : "");
    show_names(n);
    fprintf(stderr, " (add %s first, or import with --create-missing)\n",
            n->nnames > 1 ? "them" : "it");
    break;
  case INGEST_NOTE_UNLABELLED:
    fprintf(stderr,
            "field '%s': labels with no --values mapping: ", n->subject);
    show_names(n);
    fputc('\n', stderr);
    break;
  }
}

/* The progress bar, redrawn in place. */
static void
show_progress(void *ctx, const struct ingest_progress *p)
{
  (void)ctx;
  if (p->total == 0)
    return;
  fprintf(stderr, "\r%s: %3d%% %zu rows", p->file,
          (int)(100.0 * (double)p->done / (double)p->total), p->rows);
  if (p->final)
    fputc('\n', stderr);
  fflush(stderr);
}

/* The CLI's sink; with a progress bar when asked (stderr is a terminal). */
static struct ingest_sink
cli_sink(int progress)
{
  struct ingest_sink s = {show_error, show_note, NULL, NULL};

  if (progress)
    s.progress = show_progress;
  return s;
}

static const char import_help[] =
    "usage: passage [--db PATH] import KIND FILE... [OPTIONS]\n"
    "\n"
    "Imports records of one kind from CSV files (a header row, then an\n"
    "optional HXL hashtag row) or JSON Lines files, validated as a whole:\n"
    "an invalid file is rejected and nothing is stored. Re-importing a file\n"
    "adds nothing. Use - for standard input.\n"
    "\n"
    "options:\n"
    "  --format csv|jsonl        the files' format (default csv; HXL is "
    "csv)\n"
    "  --map 'field=Column,...'  read field from Column; a template like\n"
    "                            'start={Year}-{Month}' joins columns\n"
    "  --set 'field=value,...'   the same value for every record\n"
    "  --values 'field:Label=value,Label2=value2'\n"
    "                            translate a publisher's labels (repeatable,\n"
    "                            one field each); an unmapped label is an "
    "error\n"
    "  --create-missing          create checkpoints, sources and actors that\n"
    "                            records name but that do not exist yet\n"
    "  --skip-invalid REJECTS.csv  store the valid rows; write the others,\n"
    "                            with their reasons, to REJECTS.csv\n"
    "  --max-errors N            errors to print (default 20)\n"
    "\n"
    "A column whose header is a field's name maps by itself; other columns\n"
    "are ignored (and listed). Dates: 2024-02-25, 2024-02 (a month),\n"
    "25 Feb 2024, 9 Sept 2024, 17-Mar-23, 2024-02-25T10:30+02:00. A date\n"
    "without a time is the whole local day. Empty cells and - are missing,\n"
    "never zero. See docs/importing.md for worked examples.\n";

static int
parse_import_opts(const char *cmd, struct cli *cli, int argc, char **argv,
                  struct ingest_opts *o, const char **format, int *help)
{
  static const struct option opts[] = {
      {"format", required_argument, 0, 'f'},
      {"map", required_argument, 0, 'm'},
      {"set", required_argument, 0, 's'},
      {"values", required_argument, 0, 'v'},
      {"create-missing", no_argument, 0, 'c'},
      {"skip-invalid", required_argument, 0, 'k'},
      {"max-errors", required_argument, 0, 'x'},
      {"db", required_argument, 0, 'd'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  struct buf err;
  int ch, rc = OK;

  buf_init(&err);
  *help = 0;
  /* "-" returns positionals in place, so options may stand anywhere. */
  while ((ch = getopt_long(argc, argv, "-h", opts, NULL)) != -1 && rc == OK) {
    switch (ch) {
    case 1: /* a positional argument: positionals() collects them */
      break;
    case 'f':
      *format = optarg;
      break;
    case 'm':
      rc = ingest_add_maps(o, optarg, &err);
      break;
    case 's':
      rc = ingest_add_sets(o, optarg, &err);
      break;
    case 'v':
      rc = ingest_add_labels(o, optarg, &err);
      break;
    case 'c':
      o->create_missing = 1;
      break;
    case 'k':
      o->rejects = optarg;
      break;
    case 'x': {
      char *end = NULL;
      unsigned long n = strtoul(optarg, &end, 10);
      if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0') {
        buf_printf(&err, "--max-errors: expected a whole number, got '%s'",
                   optarg);
        rc = ERR_USAGE;
      } else {
        o->max_errors = (size_t)n;
      }
      break;
    }
    case 'd':
      cli->db = optarg;
      break;
    case 'h':
      *help = 1;
      break;
    default:
      rc = ERR_USAGE;
    }
  }
  if (rc != OK && err.len)
    cli_usage_error(cmd, "%s", err.data);
  else if (rc != OK)
    cli_usage_error(cmd, "%s", cli_bad_option(argv));
  buf_cleanup(&err);
  return rc;
}

/* Collects positional arguments, wherever they stand among the options. */
static size_t
positionals(int argc, char **argv, char ***out)
{
  static const char *with_arg[] = {
      "--format",  "--map",        "--set",      "--values", "--skip-invalid",
      "--db",      "--max-errors", "--from",     "--to",     "--by",
      "--measure", "--output",     "--corridor", NULL};
  size_t n = 0;

  *out = xcalloc((size_t)argc + 1, sizeof(char *));
  for (int i = 1; i < argc; i++) {
    int takes = 0;
    if (strcmp(argv[i], "--") == 0) {
      for (i++; i < argc; i++)
        (*out)[n++] = argv[i];
      break;
    }
    if (argv[i][0] == '-' && argv[i][1] != '\0') {
      for (const char **w = with_arg; *w; w++)
        if (strcmp(argv[i], *w) == 0)
          takes = 1;
      i += takes;
      continue;
    }
    (*out)[n++] = argv[i];
  }
  return n;
}

int
cmd_import(struct cli *cli, int argc, char **argv)
{
  struct ingest_opts o;
  struct ingest_stats stats;
  struct ingest_sink sink;
  struct store *st = NULL;
  const char *format = "csv";
  char **pos = NULL;
  size_t npos;
  int help, rc, code = EXIT_OK;

  ingest_opts_init(&o);
  npos = positionals(argc, argv, &pos);
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(import_help, stdout);
      if (npos > 0 && record_kind_by_name(pos[0]) >= 0)
        list_fields(stdout, (enum record_kind)record_kind_by_name(pos[0]));
      else
        list_kinds(stdout);
      free(pos);
      return EXIT_OK;
    }
  if (npos < 1 || kind_arg("import", pos[0], &o.kind) != OK) {
    free(pos);
    return EXIT_USAGE;
  }
  if (npos < 2) {
    free(pos);
    return cli_usage_error("import", "no file to import");
  }
  optind = 1;
  if (parse_import_opts("import", cli, argc, argv, &o, &format, &help) != OK) {
    code = EXIT_USAGE;
    goto out;
  }
  if (strcmp(format, "jsonl") == 0) {
    o.format = INGEST_JSONL;
  } else if (strcmp(format, "csv") != 0 && strcmp(format, "hxl") != 0) {
    code = cli_usage_error("import",
                           "--format: expected csv or jsonl, got '%s'", format);
    goto out;
  }
  sink = cli_sink(isatty(2));
  if ((st = cli_open_store(cli, 0)) == NULL) {
    code = EXIT_ERROR;
    goto out;
  }
  rc = ingest_files(st, &o, &sink, pos + 1, npos - 1, &stats);
  if (rc == OK) {
    printf("%zu row%s: %zu added, %zu already stored", stats.rows,
           stats.rows == 1 ? "" : "s", stats.added, stats.unchanged);
    if (stats.created)
      printf(", %zu checkpoints/sources/actors created", stats.created);
    if (stats.rejected)
      printf(", %zu rejected (written to %s)", stats.rejected, o.rejects);
    printf("; log size %llu\n", (unsigned long long)store_size(st));
  } else if (rc == ERR_INVALID && stats.rejected == 0) {
    /* The file as a whole was unreadable (no header row, say). */
    fprintf(stderr, "passage import: nothing was stored\n");
  } else if (rc == ERR_INVALID) {
    fprintf(stderr,
            "passage import: %zu invalid row%s; nothing was stored (fix the "
            "file, or use --skip-invalid REJECTS.csv)\n",
            stats.rejected, stats.rejected == 1 ? "" : "s");
  }
  code = cli_exit_code(rc);
out:
  store_close(st);
  ingest_opts_cleanup(&o);
  free(pos);
  return code;
}

static const char add_help[] =
    "usage: passage [--db PATH] add KIND --FIELD VALUE...\n"
    "\n"
    "Adds one record, validated as an imported row is. Without --id the id\n"
    "is derived from the content, so running the same command twice adds\n"
    "nothing. Example:\n"
    "  passage add flow --start 2023-04-23T09:15 --checkpoint hakari-bridge "
    "\\\n"
    "      --direction in --vehicle truck --vehicles 1 --category food \\\n"
    "      --quantity 20 --source icrc --grade A2\n";

int
cmd_add(struct cli *cli, int argc, char **argv)
{
  struct ingest_opts o;
  struct ingest_stats stats;
  struct ingest_sink sink = cli_sink(0);
  struct store *st = NULL;
  char **names = NULL, **values = NULL;
  size_t n = 0;
  int rc, code = EXIT_OK, i;

  ingest_opts_init(&o);
  for (i = 1; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(add_help, stdout);
      if (argc > 1 && record_kind_by_name(argv[1]) >= 0)
        list_fields(stdout, (enum record_kind)record_kind_by_name(argv[1]));
      else
        list_kinds(stdout);
      return EXIT_OK;
    }
  if (argc < 2 || kind_arg("add", argv[1], &o.kind) != OK)
    return EXIT_USAGE;
  names = xcalloc((size_t)argc, sizeof(char *));
  values = xcalloc((size_t)argc, sizeof(char *));
  for (i = 2; i < argc; i++) {
    const char *a = argv[i];
    const char *eq;
    if (strncmp(a, "--", 2) != 0) {
      code = cli_usage_error("add", "expected --field value, got '%s'", a);
      goto out;
    }
    a += 2;
    if (strcmp(a, "db") == 0 && i + 1 < argc) {
      cli->db = argv[++i];
      continue;
    }
    if (strcmp(a, "create-missing") == 0) {
      o.create_missing = 1;
      continue;
    }
    eq = strchr(a, '=');
    if (eq) {
      names[n] = xstrndup(a, (size_t)(eq - a));
      values[n] = xstrdup(eq + 1);
    } else if (i + 1 < argc) {
      names[n] = xstrdup(a);
      values[n] = xstrdup(argv[++i]);
    } else {
      code = cli_usage_error("add", "--%s needs a value", a);
      goto out;
    }
    if (record_field_index(record_kind_desc(o.kind), names[n]) < 0) {
      fprintf(stderr, "passage add: %s has no field '%s'\n",
              record_kind_desc(o.kind)->name, names[n]);
      list_fields(stderr, o.kind);
      free(names[n]);
      free(values[n]);
      code = EXIT_USAGE;
      goto out;
    }
    n++;
  }
  if ((st = cli_open_store(cli, 0)) == NULL) {
    code = EXIT_ERROR;
    goto out;
  }
  rc = ingest_fields(st, &o, &sink, names, values, n, &stats);
  if (rc == OK)
    printf("%s; log size %llu\n",
           stats.added ? "added" : "already stored (nothing added)",
           (unsigned long long)store_size(st));
  code = cli_exit_code(rc);
out:
  for (size_t k = 0; k < n; k++) {
    free(names[k]);
    free(values[k]);
  }
  free(names);
  free(values);
  store_close(st);
  ingest_opts_cleanup(&o);
  return code;
}

static const char export_help[] =
    "usage: passage [--db PATH] export KIND [--format csv|hxl|jsonl] "
    "[--output FILE]\n"
    "\n"
    "Writes every record of KIND in log order. csv has a header row of field\n"
    "names (a flow with several cargo lines takes one row per line, with the\n"
    "same id); hxl adds a row of HXL hashtags; jsonl writes each record's\n"
    "canonical bytes, exactly as they are hashed in the log. Exports import\n"
    "back unchanged. --output writes the file atomically.\n";

/* Where an export goes: the --output file or stdout. */
static int
write_out(void *ctx, const char *data, size_t len)
{
  fwrite(data, 1, len, ctx);
  return OK; /* a failed write shows when the output is closed */
}

int
cmd_export(struct cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"format", required_argument, 0, 'f'},
                                       {"output", required_argument, 0, 'o'},
                                       {"db", required_argument, 0, 'd'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  enum record_kind kind;
  enum ingest_format fmt = INGEST_CSV;
  struct cli_output out;
  struct store *st = NULL;
  const char *format = "csv", *output = NULL;
  char **pos = NULL;
  size_t npos;
  struct buf err;
  int ch, rc, code = EXIT_OK;

  npos = positionals(argc, argv, &pos);
  optind = 1;
  while ((ch = getopt_long(argc, argv, "-f:o:h", opts, NULL)) != -1) {
    switch (ch) {
    case 1:
      break;
    case 'f':
      format = optarg;
      break;
    case 'o':
      output = optarg;
      break;
    case 'd':
      cli->db = optarg;
      break;
    case 'h':
      fputs(export_help, stdout);
      list_kinds(stdout);
      free(pos);
      return EXIT_OK;
    default:
      free(pos);
      return cli_usage_error("export", "%s", cli_bad_option(argv));
    }
  }
  if (npos != 1 || kind_arg("export", pos[0], &kind) != OK) {
    free(pos);
    return EXIT_USAGE;
  }
  free(pos);
  if (strcmp(format, "jsonl") == 0)
    fmt = INGEST_JSONL;
  else if (strcmp(format, "hxl") == 0)
    fmt = INGEST_HXL;
  else if (strcmp(format, "csv") != 0)
    return cli_usage_error(
        "export", "--format: expected csv, hxl or jsonl, got '%s'", format);
  if ((st = cli_open_store(cli, 0)) == NULL)
    return EXIT_ERROR;
  if (cli_output_open(&out, output) != OK) {
    store_close(st);
    return EXIT_ERROR;
  }
  buf_init(&err);
  rc = ingest_export(st, kind, fmt, write_out, out.f, &err);
  if (rc != OK)
    fprintf(stderr, "passage export: %s\n", err.data ? err.data : "");
  if (cli_output_close(&out, rc == OK) != OK && rc == OK)
    rc = ERR_IO;
  code = cli_exit_code(rc);
  buf_cleanup(&err);
  store_close(st);
  return code;
}
