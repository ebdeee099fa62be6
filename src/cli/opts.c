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

typedef int opt_check(struct cli_args *a, int id, const char *opt,
                      const char *value);

static opt_check opt_day, opt_count, opt_as_of, opt_by, opt_measure, opt_period,
    opt_json, opt_two, opt_db, opt_help;

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
  fputs(a->help, stdout);
  return CLI_HELP;
}

/* getopt_long's tables for set: a long option's val is its short letter,
 * or 256 + its line in opts[]. */
static void
build(const char *set, struct option *lopts, char *shorts)
{
  size_t n = 0, s = 0;

  for (size_t i = 0; i < NOPTS; i++) {
    if (strcmp(opts[i].set, set) != 0)
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

/* Checks and keeps one option's value. */
static int
take(struct cli_args *a, const struct opt *o, const char *value)
{
  char opt[64];
  int rc = OK;

  snprintf(opt, sizeof opt, "--%s", o->name);
  if (o->check && (rc = o->check(a, o->id, opt, value ? value : "")) != OK)
    return rc;
  a->v[o->id] = value ? value : "";
  a->n[o->id]++;
  a->values[a->nvalues] = a->v[o->id];
  a->ids[a->nvalues++] = o->id;
  return OK;
}

int
cli_parse(struct cli_args *a, const char *set, int argc, char **argv, int first)
{
  struct option lopts[NOPTS + 1];
  char shorts[2 * NOPTS + 1];
  const struct opt *o;
  int ch, rc = OK;

  a->values = xcalloc((size_t)argc + 1, sizeof *a->values);
  a->ids = xcalloc((size_t)argc + 1, sizeof *a->ids);
  build(set, lopts, shorts);
  optind = first;
  while (rc == OK &&
         (ch = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
    if ((o = find(set, ch)) == NULL) {
      cli_usage_error(a->cmd, "%s", cli_bad_option(argv));
      return ERR_USAGE;
    }
    rc = take(a, o, optarg);
  }
  return rc;
}

void
cli_args_cleanup(struct cli_args *a)
{
  free(a->values);
  free(a->ids);
  a->values = NULL;
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
