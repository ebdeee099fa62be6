/*
 * passage status, list and show: what the store holds, for a new user, a
 * monitor and an analyst checking a figure.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/i18n.h"

static const char *const status_help = N_(
    "usage: passage [--db PATH] status [--as-of N] [--format text|json]\n"
    "\n"
    "What the store holds: the corridor and its checkpoints, the live\n"
    "records of each kind (corrected and withdrawn ones are not counted),\n"
    "the days the flows cover, each source with its records and their\n"
    "grades, the imports, the tree size, whether the signing key is there\n"
    "and the last checkpoint it signed. --as-of N: as the log stood at tree\n"
    "size N. JSON: see docs/cli.md.\n");

/* A line's label, padded to 12 columns (characters, not bytes: a
 * translation's letters may take two bytes each) and a space. */
static void
label(const char *s)
{
  size_t cols = 0;

  for (const char *p = s; *p; p++)
    cols += ((unsigned char)*p & 0xc0) != 0x80;
  fputs(s, stdout);
  printf("%*s ", cols < 12 ? (int)(12 - cols) : 0, "");
}

/* The text or "-". */
static const char *
str(const json_t *o, const char *key)
{
  const char *s = json_string_value(json_object_get(o, key));

  return s ? s : "-";
}

static json_int_t
num(const json_t *o, const char *key)
{
  return json_integer_value(json_object_get(o, key));
}

static void
status_records(const json_t *o)
{
  const json_t *recs = json_object_get(o, "records");
  const char *kind;
  json_t *v;
  int n = 0;

  label(_("records"));
  json_object_foreach((json_t *)recs, kind, v)
  {
    if (json_integer_value(v) == 0)
      continue;
    printf("%s%s %lld", n++ ? ", " : "", kind,
           (long long)json_integer_value(v));
  }
  printf("%s\n", n ? "" : _("none yet"));
  if (num(o, "withdrawn")) {
    label(_("withdrawn"));
    printf("%lld %s\n", (long long)num(o, "withdrawn"),
           _("records (superseded by withdrawals)"));
  }
}

static void
status_sources(const json_t *o)
{
  const json_t *sources = json_object_get(o, "sources");
  size_t i;
  json_t *s;

  json_array_foreach(sources, i, s)
  {
    const json_t *grades = json_object_get(s, "grades");
    const char *g;
    json_t *v;
    int n = 0;
    label(i ? "" : _("sources"));
    if (json_is_null(json_object_get(s, "id")))
      printf("%s", _("(no source named)"));
    else if (json_string_value(json_object_get(s, "name")) &&
             strcmp(str(s, "name"), str(s, "id")))
      printf("%s (%s)", str(s, "id"), str(s, "name"));
    else
      printf("%s", str(s, "id"));
    printf(ngettext(": %lld record (", ": %lld records (",
                    (unsigned long)num(s, "records")),
           (long long)num(s, "records"));
    json_object_foreach((json_t *)grades, g, v) printf(
        "%s%s %lld", n++ ? ", " : "", strcmp(g, "none") ? g : _("ungraded"),
        (long long)json_integer_value(v));
    printf(")\n");
  }
  if (json_array_size(sources) == 0) {
    label(_("sources"));
    printf("%s\n", _("none yet"));
  }
}

static void
status_key(const json_t *o)
{
  const json_t *k = json_object_get(o, "key"),
               *s = json_object_get(o, "last_signed");

  label(_("signing key"));
  printf("%s: %s\n", str(k, "path"),
         json_is_true(json_object_get(k, "present"))
             ? _("present")
             : _("none (passage key generate makes it)"));
  label(_("last signed"));
  if (json_is_null(s))
    printf("%s\n", _("none (passage log checkpoint signs the log)"));
  else if (json_is_true(json_object_get(s, "unreadable")))
    printf("%s: %s\n", str(s, "file"), _("cannot be read"));
  else
    printf("%s %lld, %s %s (%s)\n", _("tree size"),
           (long long)num(s, "tree_size"), _("root"), str(s, "root"),
           str(s, "file"));
}

static void
status_text(const json_t *o)
{
  const json_t *c = json_object_get(o, "corridor"),
               *cps = json_object_get(o, "checkpoints"),
               *period = json_object_get(o, "flow_period"),
               *im = json_object_get(o, "imports");
  size_t i;
  json_t *cp;

  label(_("store"));
  printf("%s, %s %lld\n", str(o, "db"), _("tree size"),
         (long long)num(o, "tree_size"));
  label(_("corridor"));
  printf("%s (%s %s, %s %s)\n", str(c, "name"), _("log"), str(c, "log"),
         _("time zone"), str(c, "timezone"));
  label(_("checkpoints"));
  printf("%zu", json_array_size(cps));
  json_array_foreach(cps, i, cp)
      printf("%s%s (%s)", i ? ", " : ": ", str(cp, "id"), str(cp, "name"));
  putchar('\n');
  status_records(o);
  if (!json_is_null(period)) {
    label(_("flows"));
    printf("%s %s %s\n", str(period, "from"), _("to"), str(period, "to"));
  }
  status_sources(o);
  label(_("imports"));
  if (num(im, "count"))
    printf("%lld (%lld %s), %s %s\n", (long long)num(im, "count"),
           (long long)num(im, "withdrawn"), _("withdrawn"), _("the latest"),
           str(im, "latest"));
  else
    printf("%s\n", _("none yet"));
  status_key(o);
}

/* --format: text or json for status and show. */
static int
text_or_json(const char *format)
{
  if (format == NULL || strcmp(format, "text") == 0)
    return 0;
  if (strcmp(format, "json") == 0)
    return 1;
  return -1;
}

static int
print_json(const json_t *o)
{
  struct buf b;
  int rc;

  buf_init(&b);
  rc = app_json_write(o, &b);
  if (rc == OK)
    fputs(b.data, stdout);
  buf_cleanup(&b);
  return rc == OK ? EXIT_OK : EXIT_ERROR;
}

int
cmd_status(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "status", .help = status_help, .cli = cli};
  struct app_error err = {0};
  struct app *app = NULL;
  json_t *o = NULL;
  int rc, code, json;

  if ((rc = cli_parse(&a, "status", argc, argv, 1)) != OK) {
    code = cli_parse_exit(rc);
    goto out;
  }
  if ((code = cli_no_more("status", argc, argv)) != EXIT_OK)
    goto out;
  if ((json = text_or_json(a.v[OPT_status_format])) < 0) {
    code =
        cli_usage_error("status", "--format: expected text or json, got '%s'",
                        a.v[OPT_status_format]);
    goto out;
  }
  app = app_new(cli->db);
  if (app_status(app, a.num[OPT_status_as_of], &o, &err) != OK)
    code = cli_fail("status", &err);
  else if (json)
    code = print_json(o);
  else
    status_text(o);
out:
  json_decref(o);
  app_error_cleanup(&err);
  app_free(app);
  cli_args_cleanup(&a);
  return code;
}

static const char *const list_help =
    N_("usage: passage [--db PATH] list sources|checkpoints|actors|categories|"
       "imports\n"
       "                 [--as-of N] [--format table|csv|json]\n"
       "\n"
       "Lists what the store holds:\n"
       "  sources      id, name, the grades of its live records, how many\n"
       "  checkpoints  id, name, km, lat, lon, live flows counted there\n"
       "  actors       id, name, role\n"
       "  categories   the cargo categories (the corridor's and the built-in\n"
       "               ones): unit, need per person per day\n"
       "  imports      each import the log records: id (import-N, what\n"
       "               'passage withdraw' takes), when, kind, files, whether\n"
       "               it was withdrawn, what it added, its entries\n"
       "--as-of N lists them as the log stood at tree size N. JSON gives\n"
       "every member (sources' url, imports' options and withdrawn_by).\n");

static const struct {
  const char *what;
  app_answer_fn *fn;
} lists[] = {
    {"sources", app_list_sources}, {"checkpoints", app_list_checkpoints},
    {"actors", app_list_actors},   {"categories", app_list_categories},
    {"imports", app_list_imports},
};

int
cmd_list(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "list", .help = list_help, .cli = cli};
  const char *what = argc > 1 ? argv[1] : NULL, *format;
  struct app_query q = {0};
  app_answer_fn *fn = NULL;
  int rc, code;

  if (cli_is_help(what)) {
    fputs(_(list_help), stdout);
    return EXIT_OK;
  }
  if (what == NULL || what[0] == '-')
    return cli_usage("list", list_help,
                     "expected what to list: sources, checkpoints, actors, "
                     "categories or imports");
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
    if (strcmp(what, lists[i].what) == 0)
      fn = lists[i].fn;
  if (fn == NULL)
    return cli_usage_error("list",
                           "cannot list '%s' (expected sources, checkpoints, "
                           "actors, categories or imports)",
                           what);
  if ((rc = cli_parse(&a, "list", argc, argv, 2)) != OK)
    code = cli_parse_exit(rc);
  else if ((code = cli_no_more("list", argc, argv)) == EXIT_OK) {
    format = a.v[OPT_list_format] ? a.v[OPT_list_format] : "table";
    q.as_of = a.num[OPT_list_as_of];
    if ((code = cli_answer_check("list", format, &q)) == EXIT_OK)
      code = cli_answer(cli, "list", fn, &q, format, &cli_plain_layout);
  }
  cli_args_cleanup(&a);
  return code;
}

static const char *const show_help =
    N_("usage: passage [--db PATH] show ID [--kind KIND] [--format text|json]\n"
       "\n"
       "One record: its fields as the log holds them, its entry, what became\n"
       "of it (the corrections that superseded it, or its withdrawal), the\n"
       "import that brought it (file, SHA-256, options), and the inclusion\n"
       "proof of its entry in the current tree, which 'passage verify-proof'\n"
       "or any RFC 9162 verifier checks. --kind when records of several kinds\n"
       "share the id.\n");

static void
show_record(const json_t *o)
{
  const json_t *rec = json_object_get(o, "record");
  const char *key;
  json_t *v;

  json_object_foreach((json_t *)rec, key, v)
  {
    char *text;
    if (strcmp(key, "record") == 0)
      continue;
    text = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
    printf("  %-20s %s\n", key, text ? text : json_string_value(v));
    free(text);
  }
}

static void
show_history(const json_t *o)
{
  const json_t *chain = json_object_get(o, "superseded_by"),
               *im = json_object_get(o, "import"),
               *proof = json_object_get(o, "proof");
  size_t i;
  json_t *c;

  printf("%s: %s\n", _("state"), str(o, "state"));
  json_array_foreach(chain, i, c)
  {
    if (strcmp(str(c, "kind"), "withdrawal") == 0)
      printf("  %s %lld: %s (%s)\n", _("withdrawn by entry"),
             (long long)num(c, "entry"), str(c, "id"), str(c, "reason"));
    else
      printf("  %s %lld: %s %s\n", _("corrected by entry"),
             (long long)num(c, "entry"), str(c, "kind"), str(c, "id"));
  }
  if (json_is_null(im))
    printf("%s: %s\n", _("import"),
           _("none (added with passage add, or by init)"));
  else
    printf(_("%s: %s (entry %lld, %s): %s, sha256 %s%s%s\n"), _("import"),
           str(im, "id"), (long long)num(im, "entry"), str(im, "at"),
           str(im, "files"), str(im, "sha256"),
           json_is_null(json_object_get(im, "options")) ? "" : ", ",
           json_is_null(json_object_get(im, "options")) ? ""
                                                        : str(im, "options"));
  printf("%s %lld, %s %lld: %zu %s\n", _("inclusion proof: leaf"),
         (long long)num(proof, "leaf_index"), _("tree size"),
         (long long)num(proof, "tree_size"),
         json_array_size(json_object_get(proof, "hashes")), _("hashes"));
  json_array_foreach(json_object_get(proof, "hashes"), i, c)
      printf("  %s\n", json_string_value(c));
}

static void
show_text(const json_t *o)
{
  printf("%s %s, %s %lld\n", str(o, "kind"), str(o, "id"), _("entry"),
         (long long)num(o, "entry"));
  show_record(o);
  show_history(o);
}

int
cmd_show(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "show", .help = show_help, .cli = cli};
  const char *id;
  struct app_error err = {0};
  struct app *app = NULL;
  json_t *o = NULL;
  int rc, code, json;

  if ((rc = cli_parse(&a, "show", argc, argv, 1)) != OK) {
    code = cli_parse_exit(rc);
    goto out;
  }
  if (optind >= argc) {
    code = cli_usage("show", show_help, "expected the id of a record");
    goto out;
  }
  id = argv[optind++];
  if ((code = cli_no_more("show", argc, argv)) != EXIT_OK)
    goto out;
  if ((json = text_or_json(a.v[OPT_show_format])) < 0) {
    code = cli_usage_error("show", "--format: expected text or json, got '%s'",
                           a.v[OPT_show_format]);
    goto out;
  }
  app = app_new(cli->db);
  if (app_show(app, id, a.v[OPT_show_kind], &o, &err) != OK)
    code = cli_fail("show", &err);
  else if (json)
    code = print_json(o);
  else
    show_text(o);
out:
  json_decref(o);
  app_error_cleanup(&err);
  app_free(app);
  cli_args_cleanup(&a);
  return code;
}
