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
    "       passage [--db PATH] log witness [--key FILE]\n"
    "       passage [--db PATH] log tiles --out DIR [--key FILE]\n"
    "       passage [--db PATH] log replay --tiles DIR|URL --key VKEY\n"
    "                 [--corridor FILE] [--witness VKEY]... [--quorum K]\n"
    "\n"
    "checkpoint prints the latest signed tree head as a C2SP tlog-checkpoint\n"
    "note: origin (the corridor file's log value), tree size, base64 root\n"
    "hash, a blank line and the log's signature. Publish it with each report.\n"
    "entries writes entries A..B-1, each entry's canonical bytes on a line:\n"
    "hash each line as SHA-256(0x00 || line) to get the RFC 9162 leaf.\n"
    "cosign is for a witness: it checks the log's signature on the\n"
    "checkpoint and, when --state holds the last checkpoint this witness\n"
    "signed, the consistency of the two from the store; then it adds its\n"
    "C2SP cosignature and records the checkpoint in --state.\n"
    "witness signs the current tree and sends it to every [witness NAME] of\n"
    "the corridor file (C2SP tlog-witness), with a consistency proof from the\n"
    "size each cosigned last; the cosignatures are kept in the store with\n"
    "the checkpoint, which it prints with them. Exit 0 when every witness\n"
    "cosigned, 4 when one did not (each is named).\n"
    "tiles writes the log as C2SP tlog-tiles into DIR for a static mirror:\n"
    "DIR/checkpoint (the latest checkpoint kept, with its cosignatures;\n"
    "the current tree is signed first if entries came after it),\n"
    "DIR/tile/<L>/<N> and DIR/tile/entries/<N>. Only what DIR lacks is\n"
    "written, tiles synced before the checkpoint is swapped in; publish DIR\n"
    "with any web server (rsync).\n"
    "replay is for a party: it checks a published log as 'verify --tiles'\n"
    "does, then builds a new store at --db from it, every entry in the log's\n"
    "order, byte for byte (its root must be the checkpoint's), the\n"
    "corridor's rules included (they are entries: a --corridor FILE given\n"
    "must only be of the same log); 'report sitrep --as-of N' then computes\n"
    "a report's figures again, to compare with the one published. A URL is\n"
    "fetched with the token in PASSAGE_TOKEN, if set (a party's, for\n"
    "'passage serve').\n");

static int
log_checkpoint(struct app *app, const struct cli_args *a)
{
  struct app_checkpoint cp;
  struct app_error err = {0};
  int rc;

  rc = app_log_checkpoint(app, a->v[OPT_log_key], &cp, &err);
  if (rc != OK)
    cli_fail("log checkpoint", &err);
  else
    rc = cli_write_text(a->v[OPT_log_output], cp.note);
  if (rc == OK && cp.state_new)
    fprintf(stderr,
            "passage log checkpoint: note: %s did not exist (a key made "
            "before signers kept state); it now holds this checkpoint, and "
            "later ones must extend it\n",
            cp.state);
  app_checkpoint_cleanup(&cp);
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

static int
log_witness(struct app *app, const struct cli_args *a)
{
  struct app_witness_result res;
  struct app_error err = {0};
  int code = EXIT_OK;

  if (app_log_witness(app, a->v[OPT_log_key], &res, &err) != OK) {
    code = cli_fail("log witness", &err);
    app_error_cleanup(&err);
    return code;
  }
  for (size_t i = 0; i < res.n; i++) {
    const struct app_witness_outcome *w = &res.w[i];
    if (w->ok)
      fprintf(stderr,
              _("witness %s: cosigned the tree of %llu entries "
                "(from %llu)\n"),
              w->name, (unsigned long long)res.size,
              (unsigned long long)w->old);
    else
      fprintf(stderr, _("witness %s: FAILED: %s\n"), w->name, w->message);
  }
  fprintf(stderr, _("%zu of %zu witnesses cosigned\n"), res.cosigned, res.n);
  fputs(res.note, stdout);
  if (res.cosigned < res.n)
    code = EXIT_VERIFY;
  app_witness_result_cleanup(&res);
  return code;
}

static int
log_tiles(struct app *app, const struct cli_args *a)
{
  struct app_tiles_query q = {a->v[OPT_log_out], a->v[OPT_log_key]};
  struct app_tiles_result res;
  struct app_error err = {0};
  int code = EXIT_OK;

  if (app_log_tiles(app, &q, &res, &err) != OK)
    code = cli_fail("log tiles", &err);
  else {
    printf(_("published the tree of %llu entries in %s (it held %llu): %zu "
             "files written\n"),
           (unsigned long long)res.size, q.out,
           (unsigned long long)res.old_size, res.written);
    printf(ngettext("the checkpoint carries %zu cosignature%s\n",
                    "the checkpoint carries %zu cosignatures%s\n",
                    res.cosignatures),
           res.cosignatures,
           res.signed_now ? _(" (the tree was signed now: 'passage log "
                              "witness' gathers cosignatures)")
                          : "");
  }
  app_error_cleanup(&err);
  return code;
}

static int
log_replay(struct app *app, const struct cli_args *a)
{
  const char **w = xcalloc(a->nvalues + 1, sizeof *w);
  struct app_replay_query q = {{0}, a->v[OPT_log_corridor]};
  struct app_tiles_verify_result res;
  struct app_error err = {0};
  int code = EXIT_OK;

  q.tiles.tiles = a->v[OPT_log_tiles];
  q.tiles.key =
      a->v[OPT_log_log_key] ? a->v[OPT_log_log_key] : a->v[OPT_log_key];
  q.tiles.witnesses = w;
  q.tiles.nwitnesses = cli_args_list(a, OPT_log_witness, w);
  q.tiles.quorum = a->num[OPT_log_quorum];
  q.tiles.token = getenv("PASSAGE_TOKEN");
  if (app_log_replay(app, &q, &res, &err) != OK)
    code = cli_fail("log replay", &err);
  else
    printf(_("replayed the tree of %llu entries of %s into %s: root %s, "
             "signed by the log's key; %zu of %zu witnesses cosigned\n"),
           (unsigned long long)res.size, res.origin, app_db(app), res.root,
           res.cosigned, q.tiles.nwitnesses);
  app_tiles_verify_result_cleanup(&res);
  app_error_cleanup(&err);
  free(w);
  return code;
}

static int
log_run(struct app *app, const char *sub, const struct cli_args *a)
{
  if (strcmp(sub, "cosign") == 0)
    return log_cosign(app, a);
  if (strcmp(sub, "checkpoint") == 0)
    return log_checkpoint(app, a);
  if (strcmp(sub, "witness") == 0)
    return log_witness(app, a);
  if (strcmp(sub, "tiles") == 0)
    return log_tiles(app, a);
  if (strcmp(sub, "replay") == 0)
    return log_replay(app, a);
  return log_entries(app, a);
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
                     "expected a subcommand: checkpoint, entries, cosign, "
                     "witness, tiles or replay");
  if (strcmp(sub, "cosign") && strcmp(sub, "checkpoint") &&
      strcmp(sub, "entries") && strcmp(sub, "witness") &&
      strcmp(sub, "tiles") && strcmp(sub, "replay"))
    return cli_usage_error("log",
                           "unknown subcommand '%s' (expected checkpoint, "
                           "entries, cosign, witness, tiles or replay)",
                           sub);
  if ((rc = cli_parse(&a, "log", argc, argv, 2)) != OK)
    code = cli_parse_exit(rc);
  else if (optind < argc)
    code = cli_no_more("log", argc, argv);
  else {
    app = app_new(cli->db);
    code = log_run(app, sub, &a);
  }
  app_free(app);
  cli_args_cleanup(&a);
  return code;
}
