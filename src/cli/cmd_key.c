/* passage key: the log's signing key and its verifier key. */
#include <string.h>

#include "cli/cli.h"

static const char *const key_help = N_(
    "usage: passage [--db PATH] key generate [--key FILE] [--name NAME]\n"
    "       passage [--db PATH] key public [--key FILE] [--cosignature]\n"
    "\n"
    "generate makes an Ed25519 signing key for the log, named after the\n"
    "corridor file's 'log' value (or --name, for a witness's key), in a new\n"
    "file of mode 0600: PATH.key beside the store unless --key names one. It\n"
    "never overwrites a key. Keep it secret and backed up.\n"
    "public prints the verifier key in C2SP signed-note form,\n"
    "<name>+<key hash>+<base64 key>, for parties to check checkpoints with;\n"
    "--cosignature prints the witness form (type 0x04) instead.\n");

int
cmd_key(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "key", .help = key_help, .cli = cli};
  const char *sub = argc > 1 ? argv[1] : NULL;
  struct app_error err = {0};
  struct app_key key = {0};
  struct app *app = NULL;
  int rc, code;

  if (cli_is_help(sub)) {
    fputs(_(key_help), stdout);
    return EXIT_OK;
  }
  if (sub == NULL || sub[0] == '-')
    return cli_usage("key", key_help,
                     "expected a subcommand: generate or public");
  if (strcmp(sub, "generate") && strcmp(sub, "public"))
    return cli_usage_error("key",
                           "unknown subcommand '%s' (expected generate or "
                           "public)",
                           sub);
  if ((rc = cli_parse(&a, "key", argc, argv, 2)) != OK) {
    code = cli_parse_exit(rc);
    goto out;
  }
  if ((code = cli_no_more("key", argc, argv)) != EXIT_OK)
    goto out;
  app = app_new(cli->db);
  if (strcmp(sub, "generate") == 0)
    rc = app_key_generate(app, a.v[OPT_key_key], a.v[OPT_key_name], &key, &err);
  else
    rc = app_key_public(app, a.v[OPT_key_key], a.n[OPT_key_cosignature] > 0,
                        &key, &err);
  if (rc != OK) {
    cli_fail(strcmp(sub, "generate") == 0 ? "key generate" : "key public",
             &err);
    code = EXIT_ERROR; /* whatever went wrong, as it always has */
  } else if (strcmp(sub, "generate") == 0) {
    printf(_("wrote %s (keep it secret)\nverifier key: %s\n"), key.path,
           key.verifier);
  } else {
    printf("%s\n", key.verifier);
  }
out:
  app_key_cleanup(&key);
  app_error_cleanup(&err);
  app_free(app);
  cli_args_cleanup(&a);
  return code;
}
