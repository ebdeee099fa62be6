/*
 * passage import, add, export: records in and out. app does the work; here
 * are the options and the help, and an import's problems, notes and
 * progress printed as they always have been.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

/* The kinds' names after lead, each after sep: every kind, or (all 0)
 * those people import and add (not passage's own). */
static void
kind_names(struct buf *b, const char *lead, const char *sep, int all)
{
  buf_puts(b, lead);
  for (int k = 0, n = 0; k < KIND_COUNT; k++)
    if (all || !record_kind_internal((enum record_kind)k))
      buf_printf(b, "%s%s", n++ ? sep : "",
                 record_kind_desc((enum record_kind)k)->name);
}

/* "kinds: checkpoint actor ...", a line. */
static void
kinds_line(struct buf *b, int all)
{
  kind_names(b, "kinds: ", " ", all);
  buf_putc(b, '\n');
}

static void
list_kinds(FILE *f, int all)
{
  struct buf b;

  buf_init(&b);
  kinds_line(&b, all);
  fputs(b.data, f);
  buf_cleanup(&b);
}

/* OK when name is a record kind (one that people import and add, unless
 * all is set); otherwise says so, with the kinds (and the usage lines of
 * help when no kind was named). */
static int
kind_arg(const char *cmd, const char *help, const char *name, int all)
{
  int k = name && name[0] != '-' ? record_kind_by_name(name) : -1;
  struct buf b;

  if (k >= 0 && (all || !record_kind_internal((enum record_kind)k)))
    return OK;
  if (k >= 0) {
    fprintf(stderr, _("passage %s: %s records are written by passage itself\n"),
            cmd, name);
    list_kinds(stderr, all);
    return ERR_USAGE;
  }
  if (name && name[0] != '-') {
    fprintf(stderr, _("passage %s: unknown kind '%s'\n"), cmd, name);
    list_kinds(stderr, all);
    return ERR_USAGE;
  }
  buf_init(&b);
  kind_names(&b, "", ", ", all);
  cli_usage(cmd, help, "expected the kind of record first (%s)", b.data);
  buf_cleanup(&b);
  return ERR_USAGE;
}

/* Lists a kind's fields for --help texts. */
static void
list_fields(FILE *f, enum record_kind kind)
{
  const struct kind_desc *k = record_kind_desc(kind);

  fprintf(f, _("\nfields of %s (%s):\n"), k->name, _(k->title));
  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *fd = &k->fields[i];
    fprintf(f, "  %-20s %s%s", fd->name, _(fd->help),
            fd->flags & FF_REQUIRED ? _(" (required)") : "");
    if (fd->allowed) {
      fprintf(f, _("; one of:"));
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
  if (e->part > 0 && e->cell)
    fprintf(stderr, _("; cell %s: "), e->cell);
  else if (e->part > 0)
    fputs("; ", stderr);
  else if (e->file && e->sheet && e->cell)
    fprintf(stderr, _("%s, sheet '%s', cell %s: "), e->file, e->sheet, e->cell);
  else if (e->file && e->sheet && e->line)
    fprintf(stderr, _("%s, sheet '%s', row %lu: "), e->file, e->sheet, e->line);
  else if (e->file && e->sheet)
    fprintf(stderr, _("%s, sheet '%s': "), e->file, e->sheet);
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

/* Writes s for a shell: as it is when nothing in it is special, else in
 * single quotes. */
static void
shell_word(FILE *f, const char *s)
{
  if (s[0] && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789._-/") == strlen(s)) {
    fputs(s, f);
    return;
  }
  fputc('\'', f);
  for (; *s; s++)
    if (*s == '\'')
      fputs("'\\''", f);
    else
      fputc(*s, f);
  fputc('\'', f);
}

/* The command that makes the first unknown name of a note: an id as it is
 * written names the record's id, anything else its name (whose slug
 * becomes the id, as --create-missing would make it). */
static void
show_add_hint(const struct ingest_note *n)
{
  const char *name = n->names[0];
  int is_id =
      strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") == strlen(name);

  fprintf(stderr,
          n->nnames > 1 ? _("add each with: passage add %s ")
                        : _("add it with: passage add %s "),
          n->subject);
  if (is_id) {
    fputs("--id ", stderr);
    shell_word(stderr, name);
    fputs(" --name NAME", stderr);
  } else {
    fputs("--name ", stderr);
    shell_word(stderr, name);
  }
  if (n->nnames > 1)
    fputs(", ...", stderr);
}

/* ctx: the command ("import", "add"), for the hints. */
static void
show_note(void *ctx, const struct ingest_note *n)
{
  if (n->message) { /* worded by ingest, whole */
    if (n->file)
      fprintf(stderr, "%s: ", n->file);
    fprintf(stderr, "%s\n", n->message);
    return;
  }
  switch (n->kind) {
  case INGEST_NOTE_IGNORED_COLUMNS:
    fprintf(stderr, _("%s: ignoring columns that map to no %s field: "),
            n->file, n->subject);
    show_names(n);
    fputc('\n', stderr);
    break;
  case INGEST_NOTE_MORE_ERRORS:
    fprintf(stderr, _("... and %zu more errors\n"), n->count);
    break;
  case INGEST_NOTE_UNKNOWN:
    fprintf(stderr, ngettext("unknown %s: ", "unknown %ss: ", n->nnames),
            n->subject);
    show_names(n);
    fputs(" (", stderr);
    show_add_hint(n);
    fprintf(stderr, _("; or %s with --create-missing)\n"),
            ctx ? (const char *)ctx : "import");
    break;
  case INGEST_NOTE_UNLABELLED:
    fprintf(stderr, _("field '%s': labels with no --values mapping: "),
            n->subject);
    show_names(n);
    fputc('\n', stderr);
    break;
  case INGEST_NOTE_GUESS:
  case INGEST_NOTE_HINT:
    break; /* always worded */
  }
}

/* The progress bar, redrawn in place. */
static void
show_progress(void *ctx, const struct ingest_progress *p)
{
  (void)ctx;
  if (p->total == 0)
    return;
  fputc('\r', stderr);
  fprintf(stderr, _("%s: %3d%% %zu rows"), p->file,
          (int)(100.0 * (double)p->done / (double)p->total), p->rows);
  if (p->final)
    fputc('\n', stderr);
  fflush(stderr);
}

/* The CLI's sink for the command cmd; with a progress bar when asked
 * (stderr is a terminal). */
static struct ingest_sink
cli_sink(const char *cmd, int progress)
{
  struct ingest_sink s = {show_error, show_note, NULL, (void *)cmd};

  if (progress)
    s.progress = show_progress;
  return s;
}

static const char *const import_help = N_(
    "usage: passage [--db PATH] import KIND FILE... [OPTIONS]\n"
    "\n"
    "Imports records of one kind from CSV files (a header row, then an\n"
    "optional HXL hashtag row), spreadsheets (.xlsx, .ods: one sheet) or\n"
    "JSON Lines files, validated as a whole: an invalid file is rejected\n"
    "and nothing is stored. Re-importing a file adds nothing. Use - for\n"
    "standard input.\n"
    "\n"
    "options:\n"
    "  --format csv|xlsx|ods|jsonl  the files' format (default csv; HXL is\n"
    "                            csv; a workbook is known by its bytes)\n"
    "  --map 'field=Column,...'  read field from Column (or an HXL tag of\n"
    "                            the hashtag row: "
    "'vehicles=#indicator+trucks');\n"
    "                            a template like 'start={Year}-{Month}' joins\n"
    "                            columns\n"
    "  --set 'field=value,...'   the same value for every record\n"
    "  --values 'field:Label=value,Label2=value2'\n"
    "                            translate a publisher's labels (repeatable,\n"
    "                            one field each); a label that is already one\n"
    "                            of the field's values passes as it is\n"
    "  --create-missing          create checkpoints, sources and actors that\n"
    "                            records name but that do not exist yet\n"
    "  --skip-invalid REJECTS.csv  store the valid rows; write the others,\n"
    "                            with their reasons, to REJECTS.csv\n"
    "  --max-errors N            errors to print (default 20)\n"
    "  --max-line BYTES          the longest CSV record or JSON line read\n"
    "                            (default 1048576, at most 268435456); a\n"
    "                            longer one stops the reading of its file\n"
    "  --allow-future            take times more than a day after the clock\n"
    "                            (plans, scenarios)\n"
    "\n"
    "how the files are written (by default detected; a guess is said):\n"
    "  --sheet NAME|N            a workbook's sheet (default the first)\n"
    "  --delimiter ,|;|tab||     between CSV fields (default: from the "
    "header)\n"
    "  --decimal-comma           12,5 and 1.234,5 and 1 234,5 are decimals\n"
    "  --decimal-point           1,234 is 1234 whatever the delimiter\n"
    "  --date-format FORMAT      DMY, MDY, YMD, serial (a spreadsheet's day\n"
    "                            numbers), or a pattern like '%d.%m.%Y'\n"
    "  --encoding NAME           the files' encoding (latin1, cp1252, ...;\n"
    "                            default UTF-8, or UTF-16 by its mark)\n"
    "  --header-row N            the header is row N (default: the first row\n"
    "                            that is no title)\n"
    "  --missing 'n/a,NA,null'   words that mean missing, besides empty and -\n"
    "  --where 'Column=value|value2'  only rows whose cell is one of these\n"
    "                            (repeatable: each must hold)\n"
    "  --preset kobo|odk         a KoboToolbox or ODK Central export: the\n"
    "                            submission's uuid is the record's id, its\n"
    "                            time goes to the note, group/ prefixes are\n"
    "                            matched by the question's name\n"
    "  --only-validated          with --preset: approved submissions only\n"
    "\n"
    "A column whose header is a field's name maps by itself; other columns\n"
    "are ignored (and listed). Dates: 2024-02-25, 2024-02 (a month),\n"
    "25 Feb 2024, 9 Sept 2024, 17-Mar-23, 2024-02-25T10:30+02:00. A date\n"
    "without a time is the whole local day. Empty cells and - are missing,\n"
    "never zero. See docs/importing.md for worked examples.\n");

/* The help of import or add: text, then the fields of the kind named
 * (the kinds when it names none). */
static void
data_help(const char *text, const char *kind)
{
  int k = kind ? record_kind_by_name(kind) : -1;

  fputs(_(text), stdout);
  if (k >= 0)
    list_fields(stdout, (enum record_kind)k);
  else
    list_kinds(stdout, 0);
}

/* 1 when --help or -h stands anywhere in argv (even as an option's value):
 * import and add look for it before anything else, as they always have. */
static int
asks_help(int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (cli_is_help(argv[i]))
      return 1;
  return 0;
}

/* A failure app reported, printed as cli_fail does; when the store cannot
 * be opened these commands exit 1 whatever the reason, as they always
 * have. */
static int
data_fail(const char *cmd, const struct app_error *e)
{
  int code = cli_fail(cmd, e);

  return e->kind == APP_ERROR_PROGRAM ? EXIT_ERROR : code;
}

/* The options that say how the files are written. */
static void
dialect_query(const struct cli_args *a, const char **room,
              struct app_import_query *q)
{
  size_t n = a->nvalues;

  q->sheet = a->v[OPT_import_sheet];
  q->delimiter = a->v[OPT_import_delimiter];
  q->decimal_comma = a->n[OPT_import_decimal_comma] > 0;
  q->decimal_point = a->n[OPT_import_decimal_point] > 0;
  q->date_format = a->v[OPT_import_date_format];
  q->encoding = a->v[OPT_import_encoding];
  q->header_row = (unsigned long)a->num[OPT_import_header_row];
  q->missing = room;
  q->nmissing = cli_args_list(a, OPT_import_missing, room);
  q->wheres = room + n;
  q->nwheres = cli_args_list(a, OPT_import_where, room + n);
  q->preset = a->v[OPT_import_preset];
  q->only_validated = a->n[OPT_import_only_validated] > 0;
}

/* import's request: ops are the kind and the files; room holds the lists
 * of mapping and dialect options (room for 5 * a->nvalues). */
static void
import_query(const struct cli_args *a, const char **ops, size_t nops,
             const char **room, struct app_import_query *q)
{
  size_t n = a->nvalues;

  memset(q, 0, sizeof *q);
  q->kind = ops[0];
  q->format = a->v[OPT_import_format];
  q->maps = room;
  q->nmaps = cli_args_list(a, OPT_import_map, room);
  q->sets = room + n;
  q->nsets = cli_args_list(a, OPT_import_set, room + n);
  q->values = room + 2 * n;
  q->nvalues = cli_args_list(a, OPT_import_values, room + 2 * n);
  q->create_missing = a->n[OPT_import_create_missing] > 0;
  q->rejects = a->v[OPT_import_skip_invalid];
  q->max_errors = (size_t)a->num[OPT_import_max_errors];
  q->max_line = (size_t)a->num[OPT_import_max_line];
  q->allow_future = a->n[OPT_import_allow_future] > 0;
  q->files = ops + 1;
  q->nfiles = nops - 1;
  dialect_query(a, room + 3 * n, q);
}

/* The summary of an import, or what is left to say of its failure. */
static int
import_report(const struct app_import_query *q, int rc,
              const struct app_import_result *r, const struct app_error *err)
{
  const struct ingest_stats *s = &r->stats;

  if (rc == OK) {
    printf(ngettext("%zu row: %zu added, %zu already stored",
                    "%zu rows: %zu added, %zu already stored", s->rows),
           s->rows, s->added, s->unchanged);
    if (s->created)
      printf(_(", %zu checkpoints/sources/actors created"), s->created);
    if (s->rejected)
      printf(_(", %zu rejected (written to %s)"), s->rejected, q->rejects);
    if (s->skipped)
      printf(_(", %zu left out by %s"), s->skipped,
             q->nwheres && q->only_validated ? "--where and --only-validated"
             : q->nwheres                    ? "--where"
                                             : "--only-validated");
    if (s->import_seq != UINT64_MAX)
      printf(_("; recorded as import-%llu"), (unsigned long long)s->import_seq);
    printf(_("; log size %llu\n"), (unsigned long long)r->size);
  } else if (err->message) {
    return data_fail("import", err);
  } else if (rc == ERR_INVALID && s->rejected == 0) {
    /* The file as a whole was unreadable (no header row, say). */
    fprintf(stderr, _("passage import: nothing was stored\n"));
  } else if (rc == ERR_INVALID) {
    fprintf(stderr,
            ngettext("passage import: %zu invalid row; nothing was stored (fix "
                     "the file, or use --skip-invalid REJECTS.csv)\n",
                     "passage import: %zu invalid rows; nothing was stored "
                     "(fix the file, or use --skip-invalid REJECTS.csv)\n",
                     s->rejected),
            s->rejected);
  }
  return cli_exit_code(rc);
}

/* Parses import's options, its kind and files known, and imports. */
static int
import_run(struct cli_args *a, int argc, char **argv, const char **ops,
           size_t nops)
{
  struct ingest_sink sink = cli_sink("import", isatty(2));
  struct app_import_result res;
  struct app_error err = {0};
  struct app_import_query q;
  struct app *app;
  const char **room;
  int rc;

  a->kind = ops[0];
  if ((rc = cli_parse(a, "import", argc, argv, 1)) != OK)
    return cli_parse_exit(rc);
  room = xcalloc(5 * a->nvalues + 1, sizeof *room);
  import_query(a, ops, nops, room, &q);
  app = app_new(a->cli->db);
  rc = app_import(app, &q, &sink, &res, &err);
  rc = import_report(&q, rc, &res, &err);
  app_free(app);
  app_error_cleanup(&err);
  free(room);
  return rc;
}

int
cmd_import(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "import", .help = import_help, .cli = cli};
  const char **ops;
  size_t nops = cli_operands("import", argc, argv, 1, &ops);
  int code;

  if (asks_help(argc, argv)) {
    data_help(import_help, nops ? ops[0] : NULL);
    code = EXIT_OK;
  } else if (kind_arg("import", import_help, nops ? ops[0] : NULL, 0) != OK) {
    code = EXIT_USAGE;
  } else if (nops < 2) {
    code = cli_usage_error("import", "no file to import");
  } else {
    code = import_run(&a, argc, argv, ops, nops);
  }
  cli_args_cleanup(&a);
  free(ops);
  return code;
}

static const char *const add_help = N_(
    "usage: passage [--db PATH] add KIND --FIELD VALUE... [--create-missing]\n"
    "\n"
    "Adds one record, validated as an imported row is. Without --id the id\n"
    "is derived from the content, so running the same command twice adds\n"
    "nothing. Example:\n"
    "  passage add flow --start 2023-04-23T09:15 --checkpoint hakari-bridge "
    "\\\n"
    "      --direction in --vehicle truck --vehicles 1 --category food \\\n"
    "      --quantity 20 --source icrc --grade A2\n"
    "\n"
    "options:\n"
    "  --FIELD VALUE     a field of KIND (the fields are listed below), in\n"
    "                    full; --FIELD=VALUE works too\n"
    "  --create-missing  create the checkpoint, source or actors the record\n"
    "                    names but that do not exist yet (the id is the slug\n"
    "                    of the name: 'West Post' becomes west-post)\n"
    "  --allow-future    take a time more than a day after the clock (by\n"
    "                    default refused: it cannot have been observed yet)\n"
    "  --db PATH         the store (default: $PASSAGE_DB or ./passage.db)\n"
    "  --help            this text; with KIND, the fields of KIND\n");

/* add's --NAME that is no field of the kind. */
static void
no_field(const struct cli_args *a, const char *name)
{
  enum record_kind kind = (enum record_kind)record_kind_by_name(a->kind);

  fprintf(stderr, _("passage add: %s has no field '%s'\n"),
          record_kind_desc(kind)->name, name);
  list_fields(stderr, kind);
}

/* Parses add's fields and options, its kind known, and adds. */
static int
add_run(struct cli_args *a, int argc, char **argv)
{
  const struct kind_desc *k =
      record_kind_desc((enum record_kind)record_kind_by_name(a->kind));
  const char *fields[RECORD_MAX_FIELDS], **names, **values;
  struct ingest_sink sink = cli_sink("add", 0);
  struct app_add_query q = {.kind = a->kind};
  struct app_import_result res;
  struct app_error err = {0};
  struct app *app;
  int rc;

  for (size_t i = 0; i < k->nfields; i++)
    fields[i] = k->fields[i].name;
  a->fields = fields;
  a->nfields = k->nfields;
  if ((rc = cli_parse(a, "add", argc, argv, 2)) != OK)
    return cli_parse_exit(rc);
  names = xcalloc(a->nvalues + 1, sizeof *names);
  values = xcalloc(a->nvalues + 1, sizeof *values);
  for (size_t i = 0; i < a->nvalues; i++)
    if (a->ids[i] == OPT_add_field) {
      names[q.n] = a->names[i];
      values[q.n++] = a->values[i];
    }
  q.names = names;
  q.values = values;
  q.create_missing = a->n[OPT_add_create_missing] > 0;
  q.allow_future = a->n[OPT_add_allow_future] > 0;
  app = app_new(a->cli->db);
  rc = app_add(app, &q, &sink, &res, &err);
  if (rc == OK)
    printf(res.stats.added
               ? _("added; log size %llu\n")
               : _("already stored (nothing added); log size %llu\n"),
           (unsigned long long)res.size);
  rc = err.message ? data_fail("add", &err) : cli_exit_code(rc);
  app_free(app);
  app_error_cleanup(&err);
  free(names);
  free(values);
  return rc;
}

int
cmd_add(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {
      .cmd = "add", .help = add_help, .cli = cli, .unknown = no_field};
  const char *kind = argc > 1 ? argv[1] : NULL;
  int code;

  if (asks_help(argc, argv)) {
    data_help(add_help, kind);
    return EXIT_OK;
  }
  if (kind_arg("add", add_help, kind, 0) != OK)
    return EXIT_USAGE;
  a.kind = kind;
  code = add_run(&a, argc, argv);
  cli_args_cleanup(&a);
  return code;
}

static const char *const export_help = N_(
    "usage: passage [--db PATH] export KIND [--format csv|hxl|jsonl] "
    "[--output FILE]\n"
    "\n"
    "Writes every record of KIND in log order. csv has a header row of field\n"
    "names (a flow with several cargo lines takes one row per line, with the\n"
    "same id); hxl adds a row of HXL hashtags; jsonl writes each record's\n"
    "canonical bytes, exactly as they are hashed in the log. Exports import\n"
    "back unchanged. --output writes the file atomically. 'export corridor'\n"
    "writes the corridor's rules in force: their log entry, one JSON line.\n");

/* Where an export goes: the --output file or stdout. */
static int
write_out(void *ctx, const void *data, size_t len)
{
  fwrite(data, 1, len, ctx);
  return OK; /* a failed write shows when the output is closed */
}

/* Exports to output (NULL: standard output), opening the store before the
 * output, so that a missing store leaves no file behind. */
static int
export_to(struct app *app, const struct app_export_query *q, const char *output)
{
  struct app_sink sink = {write_out, NULL};
  struct app_error err = {0};
  struct cli_output out;
  int rc, code;

  if ((rc = app_check_export(q, &err)) != OK ||
      (rc = app_open(app, &err)) != OK) {
    code = data_fail("export", &err);
    goto out;
  }
  if (cli_output_open(&out, output) != OK) {
    code = EXIT_ERROR;
    goto out;
  }
  sink.ctx = out.f;
  if ((rc = app_export(app, q, &sink, &err)) != OK)
    cli_fail("export", &err);
  if (cli_output_close(&out, rc == OK) != OK && rc == OK)
    rc = ERR_IO;
  code = cli_exit_code(rc);
out:
  app_error_cleanup(&err);
  return code;
}

int
cmd_export(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "export", .cli = cli};
  struct app_export_query q = {0};
  struct app *app = NULL;
  struct buf help;
  int rc, code;

  buf_init(&help);
  buf_puts(&help, _(export_help));
  kinds_line(&help, 1);
  a.help = help.data;
  if ((rc = cli_parse(&a, "export", argc, argv, 1)) != OK) {
    code = cli_parse_exit(rc);
    goto out;
  }
  /* One operand, the kind (or corridor: the rules in force). */
  if (!(optind < argc && strcmp(argv[optind], "corridor") == 0) &&
      kind_arg("export", help.data, optind < argc ? argv[optind] : NULL, 1) !=
          OK) {
    code = EXIT_USAGE;
    goto out;
  }
  q.kind = argv[optind++];
  if ((code = cli_no_more("export", argc, argv)) != EXIT_OK)
    goto out;
  q.format = a.v[OPT_export_format];
  app = app_new(cli->db);
  code = export_to(app, &q, a.v[OPT_export_output]);
out:
  app_free(app);
  buf_cleanup(&help);
  cli_args_cleanup(&a);
  return code;
}
