/*
 * passage log: signed checkpoints, the log's entries, and witnesses'
 * cosignatures, as C2SP notes that others check with their own tools.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *const log_help = N_(
    "usage: passage [--db PATH] log checkpoint [--key FILE] [--output FILE]\n"
    "       passage [--db PATH] log entries --start A --end B\n"
    "       passage [--db PATH] log cosign --key WITNESS.key --log-key VKEY\n"
    "                 --checkpoint FILE [--state FILE] [--output FILE]\n"
    "\n"
    "checkpoint prints the latest signed tree head as a C2SP tlog-checkpoint\n"
    "note: origin (the corridor file's log value), tree size, base64 root\n"
    "hash, a blank line and the log's signature. Publish it with each report.\n"
    "entries writes entries A..B-1, each entry's canonical bytes on a line:\n"
    "hash each line as SHA-256(0x00 || line) to get the RFC 9162 leaf.\n"
    "cosign is for a witness: it checks the log's signature on the\n"
    "checkpoint and, when --state holds the last checkpoint this witness\n"
    "signed, the consistency of the two from the store; then it adds its\n"
    "C2SP cosignature and records the checkpoint in --state.\n");

static int
log_checkpoint(struct app *app, const struct cli_args *a)
{
  struct app_error err = {0};
  char *note = NULL;
  int rc;

  rc = app_log_checkpoint(app, a->v[OPT_log_key], &note, &err);
  if (rc != OK)
    cli_fail("log checkpoint", &err);
  else
    rc = cli_write_text(a->v[OPT_log_output], note);
  free(note);
  app_error_cleanup(&err);
  return cli_exit_code(rc);
}

static int
log_entries(struct app *app, const struct cli_args *a)
{
  struct app_entries_query q = {a->num[OPT_log_start], a->num[OPT_log_end],
                                a->n[OPT_log_start] > 0, a->n[OPT_log_end] > 0};
  struct app_sink out = {app_sink_file, stdout};
  struct app_error err = {0};
  int code = EXIT_OK;

  if (app_log_entries(app, &q, &out, &err) != OK)
    code = cli_fail("log", &err);
  app_error_cleanup(&err);
  return code;
}

static int
log_cosign(struct app *app, const struct cli_args *a)
{
  struct app_cosign_query q = {a->v[OPT_log_key], a->v[OPT_log_log_key],
                               a->v[OPT_log_checkpoint], a->v[OPT_log_state],
                               a->v[OPT_log_output]};
  struct app_error err = {0};
  int code = EXIT_OK;

  if (app_log_cosign(app, &q, &err) != OK) {
    code = cli_fail("log cosign", &err);
    /* Missing options have always exited 1 here, not 2. */
    if (err.kind == APP_ERROR_REQUEST)
      code = EXIT_ERROR;
  }
  app_error_cleanup(&err);
  return code;
}

int
cmd_log(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "log", .help = log_help, .cli = cli};
  const char *sub = argc > 1 ? argv[1] : NULL;
  struct app *app = NULL;
  int rc, code;

  if (cli_is_help(sub)) {
    fputs(_(log_help), stdout);
    return EXIT_OK;
  }
  if (sub == NULL || sub[0] == '-')
    return cli_usage("log", log_help,
                     "expected a subcommand: checkpoint, entries or cosign");
  if (strcmp(sub, "cosign") && strcmp(sub, "checkpoint") &&
      strcmp(sub, "entries"))
    return cli_usage_error("log",
                           "unknown subcommand '%s' (expected checkpoint, "
                           "entries or cosign)",
                           sub);
  if ((rc = cli_parse(&a, "log", argc, argv, 2)) != OK)
    code = cli_parse_exit(rc);
  else if (optind < argc)
    code = cli_no_more("log", argc, argv);
  else {
    app = app_new(cli->db);
    code = strcmp(sub, "cosign") == 0       ? log_cosign(app, &a)
           : strcmp(sub, "checkpoint") == 0 ? log_checkpoint(app, &a)
                                            : log_entries(app, &a);
  }
  app_free(app);
  cli_args_cleanup(&a);
  return code;
}
