/*
 * passage witness: the witness a party runs (C2SP tlog-witness), with its
 * own state file and no store.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *const witness_help = N_(
    "usage: passage witness init --origin ORIGIN --log-key VKEY...\n"
    "                 --key WITNESS.key [--state FILE]\n"
    "       passage witness serve --listen HOST:PORT [--state FILE]\n"
    "\n"
    "A witness cosigns a log's checkpoints (C2SP tlog-cosignature) only when\n"
    "a consistency proof shows that each extends the last one it cosigned,\n"
    "so that the log cannot show one party a history it hides from another.\n"
    "init trusts the log of ORIGIN (the corridor file's log value), signed\n"
    "by VKEY ('passage key public' of the log; a file holding it or its\n"
    "text; repeat for several), for the witness key WITNESS.key (make it with\n"
    "'passage key generate --key FILE --name NAME'); it prints the witness's\n"
    "verifier key, which the log's corridor file names in [witness NAME].\n"
    "The state (default ./witness.state) keeps the latest checkpoint\n"
    "cosigned of each log, written durably before any cosignature leaves.\n"
    "serve answers POST /add-checkpoint (the log's submission) and\n"
    "GET /<sha256 of origin, hex>/checkpoint (the latest cosigned) until\n"
    "SIGINT or SIGTERM; one line of JSON per request on standard error.\n");

static void
ready(void *ctx, unsigned port)
{
  (void)ctx;
  fprintf(stderr, _("passage witness: listening on port %u\n"), port);
}

static int
witness_init(const struct cli_args *a)
{
  const char **keys = xcalloc(a->nvalues + 1, sizeof *keys);
  struct app_witness_init_query q = {a->v[OPT_witness_origin], keys, 0,
                                     a->v[OPT_witness_key],
                                     a->v[OPT_witness_state]};
  struct app_witness_init_result res;
  struct app_error err = {0};
  int code = EXIT_OK;

  q.nlog_keys = cli_args_list(a, OPT_witness_log_key, keys);
  if (app_witness_init(&q, &res, &err) != OK) {
    code = cli_fail("witness init", &err);
  } else {
    printf(res.added ? _("%s written: trusts %s\nverifier key: %s\n")
                     : _("%s unchanged: trusts %s\nverifier key: %s\n"),
           res.state, q.origin, res.verifier);
    app_witness_init_result_cleanup(&res);
  }
  app_error_cleanup(&err);
  free(keys);
  return code;
}

static int
witness_serve(const struct cli_args *a)
{
  struct app_witness_serve_query q = {a->v[OPT_witness_state],
                                      a->v[OPT_witness_listen], ready, NULL};
  struct app_error err = {0};
  int code = EXIT_OK;

  if (app_witness_serve(&q, &err) != OK)
    code = cli_fail("witness serve", &err);
  app_error_cleanup(&err);
  return code;
}

int
cmd_witness(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "witness", .help = witness_help, .cli = cli};
  const char *sub = argc > 1 ? argv[1] : NULL;
  int rc, code;

  if (cli_is_help(sub)) {
    fputs(_(witness_help), stdout);
    return EXIT_OK;
  }
  if (sub == NULL || sub[0] == '-')
    return cli_usage("witness", witness_help,
                     "expected a subcommand: init or serve");
  if (strcmp(sub, "init") && strcmp(sub, "serve"))
    return cli_usage_error(
        "witness", "unknown subcommand '%s' (expected init or serve)", sub);
  if ((rc = cli_parse(&a, "witness", argc, argv, 2)) != OK)
    code = cli_parse_exit(rc);
  else
    code = cli_no_more("witness", argc, argv);
  if (code == EXIT_OK && rc == OK)
    code = strcmp(sub, "init") == 0 ? witness_init(&a) : witness_serve(&a);
  cli_args_cleanup(&a);
  return code;
}
