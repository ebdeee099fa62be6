/* passage verify and verify-proof: checking the log, with the store or with
 * a proof and checkpoints alone. */
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"

static const char *const verify_help = N_(
    "usage: passage [--db PATH] verify [--checkpoint FILE]... [--key VKEY]\n"
    "                 [--witness VKEY]... [--quorum K]\n"
    "       passage verify --tiles DIR|URL --key VKEY [--witness VKEY]...\n"
    "                 [--quorum K]\n"
    "\n"
    "Checks the whole store: every entry's leaf hash recomputed from its\n"
    "bytes, entries numbered without gaps, every stored tree node, the query\n"
    "tables, corrections, daily rollups, kept day cells and the analysis's\n"
    "saved state derived again; then each checkpoint given: signed by the\n"
    "log's key (--key, a verifier key or a\n"
    "file holding one; default: the key beside the store), of this log, and\n"
    "its root that of the store's tree at its size. --witness requires each\n"
    "checkpoint to carry a valid cosignature by that witness; with\n"
    "--quorum K, by at least K of the witnesses given.\n"
    "--tiles checks a published log with no store at all (C2SP tlog-tiles,\n"
    "a folder or an http(s) prefix, as 'passage log tiles' writes and\n"
    "'passage serve' serves it): the checkpoint's signature by --key and its\n"
    "cosignatures, then every entry bundle and hash tile: each entry the\n"
    "canonical form of a record, hashing to its leaf, every tile the tree's,\n"
    "the tree's root the checkpoint's. 'passage serve' gives its entry\n"
    "bundles to a party's token (or an analyst's): put it in PASSAGE_TOKEN\n"
    "(sent to the URL's host only, as 'Authorization: Bearer').\n"
    "Exit 0 when all holds, 4 naming the first bad entry otherwise.\n");

/* On a terminal, how far the audit got. */
static void
verify_progress(void *ctx, uint64_t done, int finished)
{
  if (!*(int *)ctx)
    return;
  if (finished)
    fputc('\n', stderr);
  else {
    fputc('\r', stderr);
    fprintf(stderr, _("verified %llu entries"), (unsigned long long)done);
  }
}

/* "; 3 kept cosignatures verified", or nothing before any is kept. */
static const char *
cosigned_text(size_t n)
{
  static char text[256];

  if (n == 0)
    return "";
  snprintf(text, sizeof text,
           ngettext("; %zu kept cosignature verified",
                    "; %zu kept cosignatures verified", n),
           n);
  return text;
}

static void
tiles_progress(void *ctx, uint64_t done, uint64_t total)
{
  if (!*(int *)ctx)
    return;
  fputc('\r', stderr);
  fprintf(stderr, _("verified %llu of %llu entries"), (unsigned long long)done,
          (unsigned long long)total);
  if (done == total)
    fputc('\n', stderr);
}

static int
verify_tiles(const struct cli_args *a, const char **witnesses, size_t n)
{
  int tty = isatty(2);
  struct app_tiles_verify_query q = {a->v[OPT_verify_tiles],
                                     a->v[OPT_verify_key],
                                     witnesses,
                                     n,
                                     a->num[OPT_verify_quorum],
                                     tiles_progress,
                                     &tty,
                                     getenv("PASSAGE_TOKEN")};
  struct app_tiles_verify_result res;
  struct app_error err = {0};
  int code = EXIT_OK;
  size_t kinds = 0;

  if (app_verify_tiles(&q, &res, &err) != OK) {
    code = cli_fail("verify", &err);
    app_error_cleanup(&err);
    return code;
  }
  printf(_("ok: %s, the tree of %llu entries, root %s\n"), res.origin,
         (unsigned long long)res.size, res.root);
  printf(_("  checkpoint signed by the log's key; %zu of %zu witnesses "
           "cosigned\n"),
         res.cosigned, n);
  printf(_("  %zu entry bundles and %zu hash tiles: every entry canonical "
           "and in its leaf, every tile the tree's, the root the "
           "checkpoint's\n"),
         res.bundles, res.tiles);
  if (res.rules) {
    printf(ngettext("  entries: %llu version of the corridor's rules",
                    "  entries: %llu versions of the corridor's rules",
                    res.rules),
           (unsigned long long)res.rules);
    kinds++;
  }
  for (int k = 0; k < KIND_COUNT; k++)
    if (res.kinds[k])
      printf("%s%llu %s", kinds++ ? ", " : _("  entries: "),
             (unsigned long long)res.kinds[k], record_kind_desc(k)->name);
  if (kinds)
    printf("\n");
  app_tiles_verify_result_cleanup(&res);
  return code;
}

/* The result, and what it does not prove. */
static void
say_verified(const struct app_verify_result *res)
{
  printf(ngettext("ok: %llu entries, tree and tables verified; %zu "
                  "checkpoint consistent%s\n",
                  "ok: %llu entries, tree and tables verified; %zu "
                  "checkpoints consistent%s\n",
                  res->checkpoints),
         (unsigned long long)res->entries, res->checkpoints,
         cosigned_text(res->cosignatures));
  if (res->checkpoints == 0)
    printf(_("note: without --checkpoint the store is checked against itself "
             "only: a rewrite of the whole log (every entry, hash, tree node "
             "and table made anew) would pass. To detect one, keep the signed "
             "checkpoints published with each report and the log's verifier "
             "key, and give them here with --checkpoint FILE --key VKEY.\n"));
  if (res->rules_unlogged && res->rules_logged_from < res->entries)
    printf(_("note: the corridor's rules in force before entry %llu are "
             "not in the log: this store was made before Passage logged "
             "them and kept them in its meta table, where nothing can check "
             "them.\n"),
           (unsigned long long)res->rules_logged_from);
  else if (res->rules_unlogged)
    printf(_("note: the corridor's rules are not in the log: this store "
             "was made before Passage logged them and keeps them in its meta "
             "table, where nothing can check them; 'passage corridor amend "
             "FILE' publishes them as an entry.\n"));
}

int
cmd_verify(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "verify", .help = verify_help, .cli = cli};
  const char **cps = xcalloc((size_t)argc + 1, sizeof *cps);
  const char **witnesses = xcalloc((size_t)argc + 1, sizeof *witnesses);
  struct app_verify_query q = {0};
  struct app_verify_result res;
  struct app_error err = {0};
  struct app *app = NULL;
  int tty = isatty(2), rc, code = EXIT_OK;

  if ((rc = cli_parse(&a, "verify", argc, argv, 1)) != OK) {
    code = cli_parse_exit(rc);
    goto out;
  }
  q.checkpoints = cps;
  q.ncheckpoints = cli_args_list(&a, OPT_verify_checkpoint, cps);
  q.witnesses = witnesses;
  q.nwitnesses = cli_args_list(&a, OPT_verify_witness, witnesses);
  q.key = a.v[OPT_verify_key];
  q.progress = verify_progress;
  q.ctx = &tty;
  q.quorum = a.num[OPT_verify_quorum];
  if (a.v[OPT_verify_tiles]) {
    code = verify_tiles(&a, witnesses, q.nwitnesses);
    goto out;
  }
  app = app_new(cli->db);
  if (app_verify(app, &q, &res, &err) != OK)
    code = cli_fail("verify", &err);
  else
    say_verified(&res);
out:
  app_error_cleanup(&err);
  app_free(app);
  cli_args_cleanup(&a);
  free(cps);
  free(witnesses);
  return code;
}

static const char *const verify_proof_help = N_(
    "usage: passage verify-proof --checkpoint FILE [--checkpoint NEWER]\n"
    "                 --key VKEY --proof FILE [--entry FILE]\n"
    "\n"
    "Checks a proof against signed checkpoints with no store at all, so it\n"
    "can be given to parties alone. An inclusion proof needs the entry (its\n"
    "canonical bytes, as 'passage log entries' prints them) and one\n"
    "checkpoint of the proof's tree size; a consistency proof needs the two\n"
    "checkpoints of its old and new sizes. The checkpoints must be signed by\n"
    "VKEY (a verifier key, or a file holding one).\n");

int
cmd_verify_proof(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {
      .cmd = "verify-proof", .help = verify_proof_help, .cli = cli};
  struct app_proof_query q = {{NULL, NULL}, 0, NULL, NULL, NULL};
  struct app_proof_result res;
  struct app_error err = {0};
  int rc, code = EXIT_OK;

  if ((rc = cli_parse(&a, "verify_proof", argc, argv, 1)) != OK) {
    code = cli_parse_exit(rc);
    goto out;
  }
  q.ncheckpoints =
      cli_args_list(&a, OPT_verify_proof_checkpoint, q.checkpoints);
  q.key = a.v[OPT_verify_proof_key];
  q.proof = a.v[OPT_verify_proof_proof];
  q.entry = a.v[OPT_verify_proof_entry];
  if (app_verify_proof(&q, &res, &err) != OK)
    code = cli_fail("verify-proof", &err);
  else if (res.inclusion)
    printf(_("ok: the entry is leaf %llu of the signed tree of %llu entries\n"),
           (unsigned long long)res.leaf_index,
           (unsigned long long)res.tree_size);
  else
    printf(_("ok: the tree of %llu entries extends the tree of %llu\n"),
           (unsigned long long)res.new_size, (unsigned long long)res.old_size);
out:
  app_error_cleanup(&err);
  cli_args_cleanup(&a);
  return code;
}
