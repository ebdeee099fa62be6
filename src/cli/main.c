/*
 * passage: monitoring a corridor whose safe passage an agreement promises.
 * This file reads the global options and hands over to a command.
 */
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/i18n.h"

/* Where the message catalogues are (<dir>/<lang>/LC_MESSAGES/passage.mo):
 * $PASSAGE_LOCALEDIR; else, for an installed passage (PREFIX/bin/passage
 * beside PREFIX/share/passage), PREFIX/share/locale, wherever the prefix
 * (and DESTDIR) put it; else the build's own folder. */
#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

static const struct command {
  const char *name;
  int (*fn)(struct cli *, int, char **);
  const char *summary;
} commands[] = {
#define CMD(name, fn, summary) {name, fn, summary},
#include "cli/commands.def"
#undef CMD
};

static void
usage(FILE *f)
{
  fprintf(f, _("usage: passage [--db PATH] [--busy-timeout SECONDS] COMMAND "
               "[OPTIONS]\n"
               "\n"
               "Passage keeps a signed, append-only record of what crossed a "
               "corridor and\nwhat happened on it, and answers how far it is "
               "from normal.\n\ncommands:\n"));
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-12s %s\n", commands[i].name, _(commands[i].summary));
  fprintf(
      f,
      _("\noptions:\n"
        "  --db PATH    the store (default: $PASSAGE_DB or ./passage.db): a\n"
        "               SQLite file, or a postgresql:// URL for a store on\n"
        "               PostgreSQL that several servers share\n"
        "  --busy-timeout SECONDS\n"
        "               how long to wait for another process writing "
        "to the\n"
        "               store before giving up, naming it (default: "
        "30)\n"
        "  --help       this text; 'passage COMMAND --help' for a "
        "command\n"
        "  --version    the version\n"
        "\nexit codes: 0 ok, 1 error, 2 usage, 3 invalid data, "
        "4 verification failed\n"));
}

/* Only messages are localised: numbers stay in the C locale so that files
 * written here read back anywhere. */
static void
localise(void)
{
  const char *dir = getenv("PASSAGE_LOCALEDIR");
  char exe[4096], installed[4096 + 32];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  struct stat sb;

  if ((dir == NULL || dir[0] == '\0') && n > 0) {
    char *slash;
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (slash)
      *slash = '\0';
    snprintf(installed, sizeof installed, "%s/../share/passage", exe);
    if (stat(installed, &sb) == 0 && S_ISDIR(sb.st_mode)) {
      snprintf(installed, sizeof installed, "%s/../share/locale", exe);
      dir = installed;
    }
  }
  setlocale(LC_MESSAGES, "");
  bindtextdomain(PASSAGE_TEXTDOMAIN, dir && dir[0] ? dir : LOCALEDIR);
  /* Reports are UTF-8 whatever the terminal's character set. */
  bind_textdomain_codeset(PASSAGE_TEXTDOMAIN, "UTF-8");
  /* And so are the C library's texts our messages quote (strerror): with
   * LC_CTYPE left in "C", glibc would transliterate them to ASCII. */
  bind_textdomain_codeset("libc", "UTF-8");
  textdomain(PASSAGE_TEXTDOMAIN);
}

/* --busy-timeout SECONDS: how long a writer waits for another process,
 * for every store this process opens. */
static int
busy_timeout(const char *text)
{
  struct app_options o = {0};
  double s;

  if (util_parse_number(text, strlen(text), &s) != OK || !(s > 0) ||
      s > 86400) {
    fprintf(stderr,
            "passage: --busy-timeout: expected seconds between 0 and 86400, "
            "such as 30 or 0.5, got '%s'\n",
            text);
    return ERR_USAGE;
  }
  o.busy_timeout_ms = (unsigned)(s * 1000 + 0.5);
  if (o.busy_timeout_ms == 0)
    o.busy_timeout_ms = 1;
  app_set_defaults(&o);
  return OK;
}

/* Reads the options before the command into cli; *i is then the command's
 * index. Returns -1 to go on, or the exit code. */
static int
global_options(struct cli *cli, int argc, char **argv, int *i)
{
  while (*i < argc && argv[*i][0] == '-') {
    const char *arg = argv[*i];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      usage(stdout);
      return EXIT_OK;
    }
    if (strcmp(arg, "--version") == 0) {
      printf("passage 0.1.0\n");
      return EXIT_OK;
    }
    if (strcmp(arg, "--db") == 0 && *i + 1 < argc) {
      cli->db = argv[*i + 1];
      *i += 2;
    } else if (strncmp(arg, "--db=", 5) == 0) {
      cli->db = arg + 5;
      (*i)++;
    } else if (strcmp(arg, "--busy-timeout") == 0 && *i + 1 < argc) {
      if (busy_timeout(argv[*i + 1]) != OK)
        return EXIT_USAGE;
      *i += 2;
    } else if (strncmp(arg, "--busy-timeout=", 15) == 0) {
      if (busy_timeout(arg + 15) != OK)
        return EXIT_USAGE;
      (*i)++;
    } else {
      fprintf(stderr, _("passage: unknown option '%s'\n"), arg);
      usage(stderr);
      return EXIT_USAGE;
    }
  }
  if (*i >= argc) {
    usage(stderr);
    return EXIT_USAGE;
  }
  return -1;
}

static const struct command *
find_command(const char *name)
{
  for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
    if (strcmp(commands[c].name, name) == 0)
      return &commands[c];
  return NULL;
}

int
main(int argc, char **argv)
{
  struct cli cli = {0};
  const struct command *cmd;
  int i = 1, code;

  localise();
  /* Commands say themselves what was wrong with an option. */
  opterr = 0;
  cli.db = getenv("PASSAGE_DB");
  if (cli.db == NULL || cli.db[0] == '\0')
    cli.db = "passage.db";
  if ((code = global_options(&cli, argc, argv, &i)) >= 0)
    return code;
  if (strcmp(argv[i], "help") == 0) {
    char *args[] = {i + 1 < argc ? argv[i + 1] : NULL, "--help", NULL};
    if (args[0] && (cmd = find_command(args[0])) != NULL)
      return cmd->fn(&cli, 2, args);
    usage(stdout);
    return EXIT_OK;
  }
  if ((cmd = find_command(argv[i])) != NULL)
    return cmd->fn(&cli, argc - i, argv + i);
  fprintf(stderr, _("passage: unknown command '%s'\n"), argv[i]);
  usage(stderr);
  return EXIT_USAGE;
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
  va_list ap;

  fprintf(stderr, "passage %s: ", cmd);
  va_start(ap, fmt);
  /* The texts are translated here (xgettext: --keyword=cli_usage_error:2). */
  vfprintf(stderr, _(fmt), ap);
  va_end(ap);
  fprintf(stderr, _("\n(see 'passage %s --help')\n"), cmd);
  return EXIT_USAGE;
}

int
cli_usage_text(const char *cmd, const char *text)
{
  if (cmd == NULL) { /* cli_output_open's failures name no command */
    fprintf(stderr, "passage: %s\n", text);
    return EXIT_USAGE;
  }
  fprintf(stderr, "passage %s: %s", cmd, text);
  fprintf(stderr, _("\n(see 'passage %s --help')\n"), cmd);
  return EXIT_USAGE;
}

int
cli_usage(const char *cmd, const char *help, const char *fmt, ...)
{
  const char *end;
  va_list ap;

  help = _(help);
  end = strstr(help, "\n\n");
  fprintf(stderr, "passage %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, _(fmt), ap);
  va_end(ap);
  /* The help's first paragraph is its usage lines. */
  fprintf(stderr, _("\n%.*s\n(see 'passage %s --help')\n"),
          (int)(end ? (size_t)(end - help) : strlen(help)), help, cmd);
  return EXIT_USAGE;
}

const char *
cli_bad_option(char **argv)
{
  static char msg[160];

  snprintf(msg, sizeof msg, _("unknown option or missing value: '%s'"),
           optind > 0 ? argv[optind - 1] : "?");
  return msg;
}

int
cli_exit_code(int rc)
{
  switch (rc) {
  case OK:
    return EXIT_OK;
  case ERR_USAGE:
    return EXIT_USAGE;
  case ERR_INVALID:
  case ERR_CONFLICT:
    return EXIT_INVALID;
  case ERR_VERIFY:
    return EXIT_VERIFY;
  default:
    return EXIT_ERROR;
  }
}

int
cli_parse_day(const char *cmd, const char *opt, const char *text, int64_t *day)
{
  struct ptime t;

  if (util_parse_time(text, strlen(text), &t) != OK || t.prec != TIME_DAY) {
    cli_usage_error(cmd, "%s: expected a date like 2023-02-25, got '%s'", opt,
                    text);
    return ERR_USAGE;
  }
  *day = util_days_from_civil(t.year, t.month, t.day);
  return OK;
}

int
cli_fail(const char *cmd, const struct app_error *e)
{
  const char *msg = e->message;

  if (msg == NULL) /* reported below already */
    return cli_exit_code(e->code);
  switch (e->kind) {
  case APP_ERROR_REQUEST:
    cli_usage_text(cmd, msg);
    break;
  case APP_ERROR_PROGRAM:
    fprintf(stderr, "passage: %s\n", msg);
    break;
  case APP_ERROR_INPUT:
    fprintf(stderr, "%s\n", msg);
    break;
  default:
    if (cmd == NULL) /* cli_output_open's failures name no command */
      fprintf(stderr, "passage: %s\n", msg);
    else
      fprintf(stderr, "passage %s: %s\n", cmd, msg);
  }
  return cli_exit_code(e->code);
}

int
cli_output_open(struct cli_output *o, const char *path)
{
  struct app_error err = {0};
  int rc = app_file_open(&o->file, path, &err);

  o->f = o->file.f;
  if (rc != OK)
    cli_fail(NULL, &err);
  app_error_cleanup(&err);
  return rc;
}

int
cli_output_close(struct cli_output *o, int ok)
{
  struct app_error err = {0};
  int rc = app_file_close(&o->file, ok, &err);

  if (rc != OK)
    cli_fail(NULL, &err);
  app_error_cleanup(&err);
  o->f = NULL;
  return rc;
}

int
cli_write_text(const char *path, const char *text)
{
  struct cli_output o;

  if (cli_output_open(&o, path) != OK)
    return ERR_IO;
  fputs(text, o.f);
  return cli_output_close(&o, 1);
}
