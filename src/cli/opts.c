/*
 * The one option parser: getopt_long driven by options.def, each option's
 * value checked as it is met, so that the first bad option given is the
 * one reported.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define VALUE required_argument
#define FLAG no_argument
#define FIELDS (optional_argument + 1) /* none of getopt's */

typedef int opt_check(struct cli_args *a, int id, const char *opt,
                      const char *value);

static opt_check opt_day, opt_count, opt_as_of, opt_by, opt_measure, opt_period,
    opt_json, opt_two, opt_mapping, opt_db, opt_help;

static const struct opt {
  const char *set, *name;
  int letter, arg;
  opt_check *check;
  int id;
} opts[] = {
#define OPT(set, name, letter, arg, check, id)                                 \
  {#set, name, letter, arg, check, OPT_##set##_##id},
#include "cli/options.def"
#undef OPT
};
#define NOPTS (sizeof opts / sizeof opts[0])

static int
opt_day(struct cli_args *a, int id, const char *opt, const char *value)
{
  return cli_parse_day(a->cmd, opt, value, &a->day[id]);
}

static int
opt_count(struct cli_args *a, int id, const char *opt, const char *value)
{
  char *end;

  errno = 0;
  if (value[0] >= '0' && value[0] <= '9') {
    a->num[id] = strtoull(value, &end, 10);
    if (errno == 0 && *end == '\0')
      return OK;
  }
  cli_usage_error(a->cmd, "%s: expected a whole number, got '%s'", opt, value);
  return ERR_USAGE;
}

static int
opt_as_of(struct cli_args *a, int id, const char *opt, const char *value)
{
  (void)opt;
  return cli_parse_as_of(a->cmd, value, &a->num[id]);
}

/* A check that app makes: its error is printed as a usage error. */
static int
app_checked(const char *cmd, int rc, struct app_error *err)
{
  if (rc != OK)
    cli_fail(cmd, err);
  app_error_cleanup(err);
  return rc == OK ? OK : ERR_USAGE;
}

static int
opt_by(struct cli_args *a, int id, const char *opt, const char *value)
{
  struct app_error err = {0};

  (void)id, (void)opt;
  return app_checked(a->cmd, app_check_list("by", value, &err), &err);
}

static int
opt_measure(struct cli_args *a, int id, const char *opt, const char *value)
{
  struct app_error err = {0};

  (void)id, (void)opt;
  return app_checked(a->cmd, app_check_list("measure", value, &err), &err);
}

static int
opt_period(struct cli_args *a, int id, const char *opt, const char *value)
{
  struct app_error err = {0};
  int days = 1, rc;

  (void)opt;
  rc = app_check_period(value, &days, &err);
  a->num[id] = (uint64_t)days;
  return app_checked(a->cmd, rc, &err);
}

static int
opt_json(struct cli_args *a, int id, const char *opt, const char *value)
{
  (void)id;
  if (strcmp(value, "json") == 0)
    return OK;
  cli_usage_error(a->cmd, "%s: only json is offered", opt);
  return ERR_USAGE;
}

static int
opt_two(struct cli_args *a, int id, const char *opt, const char *value)
{
  (void)value;
  if (a->n[id] < 2)
    return OK;
  cli_usage_error(a->cmd, "at most two %s", opt);
  return ERR_USAGE;
}

/* --map, --set, --values: app checks the text against the kind's fields. */
static int
opt_mapping(struct cli_args *a, int id, const char *opt, const char *value)
{
  struct app_error err = {0};

  (void)id;
  return app_checked(a->cmd, app_check_mapping(a->kind, opt + 2, value, &err),
                     &err);
}

static int
opt_db(struct cli_args *a, int id, const char *opt, const char *value)
{
  (void)id, (void)opt;
  a->cli->db = value;
  return OK;
}

static int
opt_help(struct cli_args *a, int id, const char *opt, const char *value)
{
  (void)id, (void)opt, (void)value;
  fputs(_(a->help), stdout);
  return CLI_HELP;
}

/* getopt_long's tables for set: a long option's val is its short letter,
 * or 256 + its line in opts[]. */
static void
build(const char *set, struct option *lopts, char *shorts)
{
  size_t n = 0, s = 0;

  for (size_t i = 0; i < NOPTS; i++) {
    if (strcmp(opts[i].set, set) != 0 || opts[i].arg == FIELDS)
      continue;
    lopts[n].name = opts[i].name;
    lopts[n].has_arg = opts[i].arg;
    lopts[n].flag = NULL;
    lopts[n++].val = opts[i].letter ? opts[i].letter : 256 + (int)i;
    if (opts[i].letter) {
      shorts[s++] = (char)opts[i].letter;
      if (opts[i].arg == VALUE)
        shorts[s++] = ':';
    }
  }
  memset(&lopts[n], 0, sizeof lopts[n]);
  shorts[s] = '\0';
}

static const struct opt *
find(const char *set, int val)
{
  for (size_t i = 0; i < NOPTS; i++)
    if (strcmp(opts[i].set, set) == 0 &&
        (opts[i].letter ? opts[i].letter : 256 + (int)i) == val)
      return &opts[i];
  return NULL;
}

/* Checks and keeps one value of option o, given as --name (o's name, or
 * for a FIELDS line the field's). */
static int
take(struct cli_args *a, const struct opt *o, const char *name,
     const char *value)
{
  char opt[128];
  int rc = OK;

  snprintf(opt, sizeof opt, "--%s", name);
  if (o->check && (rc = o->check(a, o->id, opt, value ? value : "")) != OK)
    return rc;
  a->v[o->id] = value ? value : "";
  a->n[o->id]++;
  a->values[a->nvalues] = a->v[o->id];
  a->names[a->nvalues] = name;
  a->ids[a->nvalues++] = o->id;
  return OK;
}

/* The line of set with arg FIELDS (fields set), or the option of set
 * called name (len bytes), in full; NULL when there is none. */
static const struct opt *
find_line(const char *set, int fields, const char *name, size_t len)
{
  for (size_t i = 0; i < NOPTS; i++) {
    const struct opt *o = &opts[i];
    if (strcmp(o->set, set) != 0 || (o->arg == FIELDS) != fields)
      continue;
    if (fields || (strncmp(o->name, name, len) == 0 && o->name[len] == '\0'))
      return o;
  }
  return NULL;
}

/* The field of a->fields called name (len bytes), or NULL. */
static const char *
find_field(const struct cli_args *a, const char *name, size_t len)
{
  for (size_t i = 0; i < a->nfields; i++)
    if (strncmp(a->fields[i], name, len) == 0 && a->fields[i][len] == '\0')
      return a->fields[i];
  return NULL;
}

static int
refuse_name(const struct cli_args *a, const char *name, size_t len)
{
  char *n = xstrndup(name, len);

  if (a->unknown)
    a->unknown(a, n);
  else
    cli_usage_error(a->cmd, "unknown option '--%s'", n);
  free(n);
  return ERR_USAGE;
}

/*
 * Reads argv[first..] for a set with a FIELDS line, as `passage add` has
 * always read its arguments: every argument an option, --NAME VALUE or
 * --NAME=VALUE, NAME an option of the set or one of a->fields, in full
 * (a prefix unique among a kind's fields today may not be once the kind
 * gains a field, so none is offered). A flag given a value is no option.
 */
static int
parse_fields(struct cli_args *a, const char *set, int argc, char **argv,
             int first)
{
  const struct opt *fields = find_line(set, 1, NULL, 0), *o;
  int rc = OK;

  for (int i = first; i < argc && rc == OK; i++) {
    const char *name = argv[i] + 2, *eq, *value, *field;
    size_t len;
    if (strncmp(argv[i], "--", 2) != 0) {
      cli_usage_error(a->cmd, "expected --field value, got '%s'", argv[i]);
      return ERR_USAGE;
    }
    eq = strchr(name, '=');
    len = eq ? (size_t)(eq - name) : strlen(name);
    o = find_line(set, 0, name, len);
    if (o && o->arg == FLAG && eq == NULL) {
      rc = take(a, o, o->name, NULL);
      continue;
    }
    value = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
    if (value == NULL) {
      cli_usage_error(a->cmd, "--%s needs a value", name);
      return ERR_USAGE;
    }
    if (o && o->arg != FLAG)
      rc = take(a, o, o->name, value);
    else if ((field = find_field(a, name, len)) != NULL)
      rc = take(a, fields, field, value);
    else
      rc = refuse_name(a, name, len);
  }
  return rc;
}

int
cli_parse(struct cli_args *a, const char *set, int argc, char **argv, int first)
{
  struct option lopts[NOPTS + 1];
  char shorts[2 * NOPTS + 1];
  const struct opt *o;
  int ch, rc = OK;

  a->values = xcalloc((size_t)argc + 1, sizeof *a->values);
  a->names = xcalloc((size_t)argc + 1, sizeof *a->names);
  a->ids = xcalloc((size_t)argc + 1, sizeof *a->ids);
  /* A command with no subcommand starts past its end: getopt would read
   * beyond argv's NULL, into the environment. */
  if (first > argc)
    first = argc;
  if (find_line(set, 1, NULL, 0))
    return parse_fields(a, set, argc, argv, first);
  build(set, lopts, shorts);
  optind = first;
  while (rc == OK &&
         (ch = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
    if ((o = find(set, ch)) == NULL) {
      cli_usage_text(a->cmd, cli_bad_option(argv));
      return ERR_USAGE;
    }
    rc = take(a, o, o->name, optarg);
  }
  return rc;
}

size_t
cli_operands(const char *set, int argc, char **argv, int first,
             const char ***out)
{
  struct option lopts[NOPTS + 1];
  char shorts[2 * NOPTS + 1];
  char **copy = xcalloc((size_t)argc + 1, sizeof *copy);
  size_t n = 0;

  memcpy(copy, argv, (size_t)argc * sizeof *copy);
  if (first > argc)
    first = argc;
  build(set, lopts, shorts);
  optind = first;
  /* getopt permutes the copy as it will argv; what is wrong is
   * cli_parse's to say. */
  while (getopt_long(argc, copy, shorts, lopts, NULL) != -1)
    ;
  *out = xcalloc((size_t)(argc - optind) + 1, sizeof **out);
  for (int i = optind; i < argc; i++)
    (*out)[n++] = copy[i];
  free(copy);
  return n;
}

void
cli_args_cleanup(struct cli_args *a)
{
  free(a->values);
  free(a->names);
  free(a->ids);
  a->values = NULL;
  a->names = NULL;
  a->ids = NULL;
  a->nvalues = 0;
}

int
cli_parse_exit(int rc)
{
  return rc == CLI_HELP ? EXIT_OK : EXIT_USAGE;
}

size_t
cli_args_list(const struct cli_args *a, int id, const char **out)
{
  size_t n = 0;

  for (size_t i = 0; i < a->nvalues; i++)
    if (a->ids[i] == id)
      out[n++] = a->values[i];
  return n;
}

int
cli_is_help(const char *arg)
{
  return arg && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0);
}

int
cli_no_more(const char *cmd, int argc, char **argv)
{
  if (optind < argc)
    return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
  return EXIT_OK;
}
