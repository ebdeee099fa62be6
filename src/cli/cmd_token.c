/* passage token: the tokens that devices and people give the server. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *const token_help = N_(
    "usage: passage [--db PATH] token create --role ROLE --name NAME\n"
    "                 [--checkpoint ID]... [--expires DATE]\n"
    "                 [--url URL [--qr] [--qr-png FILE]]\n"
    "       passage [--db PATH] token list [--format table|csv|json]\n"
    "       passage [--db PATH] token revoke NAME\n"
    "\n"
    "create makes a random 256-bit token and prints it once, as the last\n"
    "line of its output: the store keeps only its SHA-256 hash, so it\n"
    "cannot be shown again. Give it to one device or person, as\n"
    "'Authorization: Bearer TOKEN'. Roles: admin (everything), monitor\n"
    "(writes records; --checkpoint limits it to those checkpoints),\n"
    "analyst (reads every answer, record and report), party (a party to\n"
    "the agreement or its witness: reads the log's raw entries and entry\n"
    "bundles too, which carry every count as recorded), public (what\n"
    "anyone reads). --expires DATE: the last day it is valid (the corridor's\n"
    "local day). Names are never reused, even revoked.\n"
    "--url URL (the server's public address, https://passage.example.org)\n"
    "with --qr prints, before the token, a QR code of the entry page's\n"
    "address carrying it, URL/entry#token=TOKEN, for a monitor's phone to\n"
    "scan (UTF-8 half blocks, light on a dark terminal); --qr-png FILE\n"
    "writes the same code as a PNG to print.\n"
    "list shows every token's name, role, limits and state, never the\n"
    "token. revoke NAME refuses the token from then on.\n");

/* The QR codes --qr and --qr-png ask for, of URL/entry#token=TOKEN. The
 * token is stored already: a failure here still prints it (exit 1). */
static int
print_qr(const struct cli_args *a, const char *token)
{
  const char *url = a->v[OPT_token_url];
  struct app_error err = {0};
  size_t n = url ? strlen(url) : 0;
  int code = EXIT_OK;
  struct buf b;
  char *link;

  if (url == NULL)
    return EXIT_OK;
  while (n > 0 && url[n - 1] == '/')
    n--;
  link = xasprintf("%.*s/entry#token=%s", (int)n, url, token);
  buf_init(&b);
  if (a->n[OPT_token_qr] && app_qr_text(link, &b, &err) == OK)
    printf("%s%s\n", b.data, link);
  else if (a->n[OPT_token_qr])
    code = cli_fail("token create", &err);
  if (code == EXIT_OK && a->v[OPT_token_qr_png]) {
    if (app_qr_png(link, a->v[OPT_token_qr_png], &err) == OK)
      printf(_("wrote the QR code of %.*s/entry#token=... to %s\n"), (int)n,
             url, a->v[OPT_token_qr_png]);
    else
      code = cli_fail("token create", &err);
  }
  if (!a->n[OPT_token_qr] && !a->v[OPT_token_qr_png])
    printf("%s\n", link);
  buf_cleanup(&b);
  app_error_cleanup(&err);
  free(link);
  return code;
}

static int
create(struct app *app, const struct cli_args *a)
{
  const char **cps = xcalloc(a->nvalues + 1, sizeof *cps);
  struct app_token_query q = {0};
  struct app_error err = {0};
  char *token = NULL;
  int code = EXIT_OK;

  q.name = a->v[OPT_token_name];
  q.role = a->v[OPT_token_role];
  q.ncheckpoints = cli_args_list(a, OPT_token_checkpoint, cps);
  q.checkpoints = cps;
  q.expires = a->day[OPT_token_expires];
  q.has_expires = a->n[OPT_token_expires] > 0;
  if (q.name == NULL || q.role == NULL)
    code = cli_usage_error("token create", "--role and --name are needed");
  else if ((a->n[OPT_token_qr] || a->v[OPT_token_qr_png]) &&
           a->v[OPT_token_url] == NULL)
    code = cli_usage_error("token create",
                           "--qr and --qr-png need --url, the server's "
                           "public address");
  else if (app_token_create(app, &q, &token, &err) != OK)
    code = cli_fail("token create", &err);
  else {
    code = print_qr(a, token);
    /* The token itself is the last line, whatever the language: scripts
     * take it with tail -1. */
    printf(_("token %s (%s%s%s): shown once, keep it secret\n"), q.name, q.role,
           q.ncheckpoints ? _(", limited to its checkpoints") : "",
           q.has_expires ? _(", expires") : "");
    printf("%s\n", token);
  }
  free(token);
  free(cps);
  app_error_cleanup(&err);
  return code;
}

/* token list as an answer, for the analysis commands' printer. */
static int
list_answer(struct app *app, const struct app_query *q,
            const struct app_rows *out, struct app_error *err)
{
  (void)q;
  return app_token_list(app, out, err);
}

static int
revoke(struct app *app, const char *name)
{
  struct app_error err = {0};
  int code = EXIT_OK;

  if (app_token_revoke(app, name, &err) != OK)
    code = cli_fail("token revoke", &err);
  else
    printf(_("revoked token %s\n"), name);
  app_error_cleanup(&err);
  return code;
}

static int
run(struct cli *cli, struct app *app, const struct cli_args *a, int argc,
    char **argv)
{
  const char *sub = argv[1];
  const char *format =
      a->v[OPT_token_format] ? a->v[OPT_token_format] : "table";
  struct app_query q = {0};
  int code;

  if (strcmp(sub, "create") == 0)
    return cli_no_more("token create", argc, argv) != EXIT_OK ? EXIT_USAGE
                                                              : create(app, a);
  if (strcmp(sub, "list") == 0) {
    if ((code = cli_no_more("token list", argc, argv)) != EXIT_OK ||
        (code = cli_answer_check("token list", format, &q)) != EXIT_OK)
      return code;
    return cli_answer(cli, "token list", list_answer, &q, format,
                      &cli_plain_layout);
  }
  if (optind >= argc || optind + 1 < argc)
    return cli_usage_error("token revoke", "expected the token's NAME");
  return revoke(app, argv[optind]);
}

int
cmd_token(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "token", .help = token_help, .cli = cli};
  const char *sub = argc > 1 ? argv[1] : NULL;
  struct app *app = NULL;
  int rc, code;

  if (cli_is_help(sub)) {
    fputs(_(token_help), stdout);
    return EXIT_OK;
  }
  if (sub == NULL || sub[0] == '-')
    return cli_usage("token", token_help,
                     "expected a subcommand: create, list or revoke");
  if (strcmp(sub, "create") && strcmp(sub, "list") && strcmp(sub, "revoke"))
    return cli_usage_error("token",
                           "unknown subcommand '%s' (expected create, list or "
                           "revoke)",
                           sub);
  if ((rc = cli_parse(&a, "token", argc, argv, 2)) != OK)
    code = cli_parse_exit(rc);
  else {
    app = app_new(cli->db);
    code = run(cli, app, &a, argc, argv);
  }
  app_free(app);
  cli_args_cleanup(&a);
  return code;
}
