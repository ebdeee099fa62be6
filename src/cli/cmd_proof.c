/* passage proof: inclusion and consistency proofs (RFC 9162). */
#include <string.h>

#include "cli/cli.h"

static const char *const proof_help = N_(
    "usage: passage [--db PATH] proof inclusion (--index N | --id RECORD\n"
    "                 [--kind KIND]) [--size S] [--format json]\n"
    "       passage [--db PATH] proof consistency --old A --new B "
    "[--format json]\n"
    "\n"
    "inclusion prints the RFC 9162 inclusion proof of entry N (or of the\n"
    "record with that id) in the tree of size S (default: the current one):\n"
    "  {\"leaf_index\": N, \"tree_size\": S, \"hashes\": [base64, ...]}\n"
    "consistency prints the proof that the tree of size A is a prefix of the\n"
    "tree of size B: {\"old_size\": A, \"new_size\": B, \"hashes\": [...]}.\n"
    "Check them with 'passage verify-proof' or any RFC 9162 verifier.\n");

static int
prove(struct app *app, const char *sub, const struct cli_args *a,
      json_t **proof, struct app_error *err)
{
  if (strcmp(sub, "inclusion") == 0) {
    struct app_inclusion_query q = {
        a->num[OPT_proof_index],   a->num[OPT_proof_size],
        a->n[OPT_proof_index] > 0, a->n[OPT_proof_size] > 0,
        a->v[OPT_proof_id],        a->v[OPT_proof_kind]};
    return app_prove_inclusion(app, &q, proof, err);
  } else {
    struct app_consistency_query q = {
        a->num[OPT_proof_old], a->num[OPT_proof_new], a->n[OPT_proof_old] > 0,
        a->n[OPT_proof_new] > 0};
    /* --kind is checked for either, as it always was. */
    if (a->v[OPT_proof_kind] && app_check_kind(a->v[OPT_proof_kind], err) != OK)
      return err->code;
    return app_prove_consistency(app, &q, proof, err);
  }
}

int
cmd_proof(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "proof", .help = proof_help, .cli = cli};
  const char *sub = argc > 1 ? argv[1] : NULL;
  struct app_error err = {0};
  struct app *app = NULL;
  json_t *proof = NULL;
  struct buf out;
  int rc, code = EXIT_OK;

  if (cli_is_help(sub)) {
    fputs(_(proof_help), stdout);
    return EXIT_OK;
  }
  if (sub == NULL || sub[0] == '-')
    return cli_usage("proof", proof_help,
                     "expected a subcommand: inclusion or consistency");
  if (strcmp(sub, "inclusion") && strcmp(sub, "consistency"))
    return cli_usage_error("proof",
                           "unknown subcommand '%s' (expected inclusion or "
                           "consistency)",
                           sub);
  buf_init(&out);
  if ((rc = cli_parse(&a, "proof", argc, argv, 2)) != OK) {
    code = cli_parse_exit(rc);
  } else if (optind < argc) {
    code = cli_no_more("proof", argc, argv);
  } else {
    app = app_new(cli->db);
    if (prove(app, sub, &a, &proof, &err) != OK ||
        (rc = app_proof_write(proof, &out)) != OK)
      code = proof ? cli_exit_code(rc) : cli_fail("proof", &err);
    else
      fputs(out.data, stdout);
  }
  json_decref(proof);
  buf_cleanup(&out);
  app_error_cleanup(&err);
  app_free(app);
  cli_args_cleanup(&a);
  return code;
}
