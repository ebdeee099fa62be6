/* Verification: the store's audit and checkpoints against it (verify), and
 * a proof against checkpoints alone (verify-proof). */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "app/app_int.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"

static void
audit_progress(void *ctx, uint64_t done)
{
  const struct app_verify_query *q = ctx;

  q->progress(q->ctx, done, 0);
}

/* The log's verifier key: q->key, or the signing key beside the store. */
static int
log_verifier(struct app *app, const char *key, struct ledger_verifier **lv,
             struct app_error *err)
{
  struct ledger_signer *signer = NULL;
  uint8_t pub[LEDGER_PUBKEY_SIZE];
  char *path;
  struct buf msg;
  int rc = OK;

  *lv = NULL;
  if (key)
    return app__load_verifier(key, LEDGER_KEY_ED25519, "key", lv, err) == OK
               ? OK
               : (err->code = ERR_USAGE);
  path = app__key_path(app, NULL);
  buf_init(&msg);
  if (ledger_signer_load(path, &signer, &msg) == OK) {
    ledger_signer_public_key(signer, pub);
    ledger_verifier_new(ledger_signer_name(signer), LEDGER_KEY_ED25519, pub, lv,
                        &msg);
  } else {
    rc = app__fail(err, ERR_USAGE, APP_ERROR_OPERATION, "key",
                   "give the log's verifier key with --key to check "
                   "checkpoints");
  }
  ledger_signer_free(signer);
  buf_cleanup(&msg);
  free(path);
  return rc;
}

/* The note text carries a valid cosignature by the witness key at arg.
 * With a quorum, a witness that did not cosign is ERR_NOTFOUND without a
 * message (the caller counts); one whose line fails is ERR_VERIFY. */
static int
check_witness(const char *cp, const struct buf *text, const char *arg,
              int quorum, struct app_error *err)
{
  struct ledger_verifier *wv = NULL;
  struct ledger_note *note = NULL;
  struct buf msg;
  uint64_t t;
  int rc;

  buf_init(&msg);
  rc = app__load_verifier(arg, LEDGER_KEY_COSIGNATURE, "witness", &wv, err);
  if (rc != OK) {
    rc = err->code = ERR_USAGE;
  } else if ((rc = ledger_note_parse(text->data, text->len, &note, &msg)) !=
                 OK ||
             (rc = ledger_note_verify(note, wv, &t, &msg)) != OK) {
    if (quorum && rc == ERR_NOTFOUND)
      goto out;
    rc = app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "witness",
                   "FAILED: %s carries no valid cosignature by %s%s%s", cp,
                   ledger_verifier_name(wv), msg.len ? ": " : "",
                   msg.data ? msg.data : "");
  }
out:
  ledger_note_free(note);
  ledger_verifier_free(wv);
  buf_cleanup(&msg);
  return rc;
}

/* The witnesses of q on one checkpoint: every one, or a quorum. */
static int
check_witnesses(const struct app_verify_query *q, const char *path,
                const struct buf *text, struct app_error *err)
{
  size_t valid = 0;
  int rc = OK;

  if (q->quorum > q->nwitnesses)
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "quorum",
                     "--quorum %zu needs at least as many --witness keys",
                     q->quorum);
  for (size_t w = 0; w < q->nwitnesses && rc == OK; w++) {
    rc = check_witness(path, text, q->witnesses[w], q->quorum > 0, err);
    if (rc == OK)
      valid++;
    else if (rc == ERR_NOTFOUND)
      rc = OK;
  }
  if (rc == OK && q->quorum > 0 && valid < q->quorum)
    rc = app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "witness",
                   "FAILED: %s carries %zu valid cosignature%s of the "
                   "witnesses given, %zu needed",
                   path, valid, valid == 1 ? "" : "s", q->quorum);
  return rc;
}

/* One checkpoint file: signed by lv, of this log, its root the store's. */
static int
check_checkpoint(struct store *st, const struct app_verify_query *q,
                 const char *path, const struct ledger_verifier *lv,
                 struct app_error *err)
{
  const char *log = store_corridor(st)->log;
  uint8_t root[LEDGER_HASH_SIZE];
  struct ledger_checkpoint cp;
  struct ledger_source src;
  struct buf text;
  int rc = OK;

  memset(&cp, 0, sizeof cp);
  buf_init(&text);
  store_ledger_source(st, &src);
  if (app__load_checkpoint(path, lv, &text, &cp, err) != OK)
    rc = err->code = ERR_VERIFY;
  else if (strcmp(cp.origin, log) != 0)
    rc = app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "checkpoint",
                   "FAILED: %s is a checkpoint of '%s', not of this log "
                   "('%s')",
                   path, cp.origin, log);
  else if (cp.size > store_size(st))
    rc = app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "checkpoint",
                   "FAILED: %s has %llu entries, the store only %llu: "
                   "entries were lost",
                   path, (unsigned long long)cp.size,
                   (unsigned long long)store_size(st));
  else if (ledger_root(&src, cp.size, root) != OK ||
           memcmp(root, cp.root, LEDGER_HASH_SIZE) != 0)
    rc = app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "checkpoint",
                   "FAILED: the store's first %llu entries do not have the "
                   "root that %s signed: the log was rewritten",
                   (unsigned long long)cp.size, path);
  if (rc == OK)
    rc = check_witnesses(q, path, &text, err);
  ledger_checkpoint_cleanup(&cp);
  buf_cleanup(&text);
  return rc;
}

/* Where the rules of the audited log come from: in the log, or (a store
 * made before they were logged) partly from meta. */
static void
rules_said(struct store *st, struct app_verify_result *out)
{
  struct store_corridor_info in;

  if (store_corridor_version(st, 0, &in) != OK || in.logged)
    return;
  out->rules_unlogged = 1;
  out->rules_logged_from = in.has_logged ? in.first_logged : store_size(st);
}

/* The analysis's saved states (derived, like the tables): every row a
 * report of this size would read, counted again from the history. */
static int
saved_states(struct store *st, size_t *checked, struct app_error *err)
{
  struct buf msg;
  int rc;

  buf_init(&msg);
  rc = analysis_check_saved(st, checked, &msg);
  if (rc != OK)
    app__fail(err, rc == ERR_VERIFY ? ERR_VERIFY : rc, APP_ERROR_OPERATION,
              NULL, "%s%s", rc == ERR_VERIFY ? "FAILED: " : "",
              msg.data ? msg.data : util_strerror(rc));
  buf_cleanup(&msg);
  return rc;
}

/* The audit and the checkpoints, within one snapshot: appends made
 * meanwhile are neither half seen nor a false alarm. */
static int
verify_snapshot(struct app *app, struct store *st,
                const struct app_verify_query *q, struct app_verify_result *out,
                struct app_error *err)
{
  struct ledger_verifier *lv = NULL;
  uint64_t bad;
  int rc;

  rc = store_audit(st, &bad, q->progress ? audit_progress : NULL, (void *)q);
  if (q->progress)
    q->progress(q->ctx, store_size(st), 1);
  if (rc != OK)
    return app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, NULL, "FAILED: %s",
                     store_errmsg(st));
  if ((rc = app__verify_cosigned(st, &out->cosignatures, err)) != OK)
    return rc;
  if ((rc = saved_states(st, &out->saved_states, err)) != OK)
    return rc;
  if (q->ncheckpoints && (rc = log_verifier(app, q->key, &lv, err)) != OK)
    return rc;
  for (size_t i = 0; i < q->ncheckpoints && rc == OK; i++)
    rc = check_checkpoint(st, q, q->checkpoints[i], lv, err);
  ledger_verifier_free(lv);
  if (rc == OK) {
    out->entries = store_size(st);
    out->checkpoints = q->ncheckpoints;
    rules_said(st, out);
  }
  return rc;
}

int
app_verify(struct app *app, const struct app_verify_query *q,
           struct app_verify_result *out, struct app_error *err)
{
  struct store *st;
  int rc;

  memset(out, 0, sizeof *out);
  app__page_cache(app, APP_SCAN_PAGE_CACHE);
  if ((rc = app__snapshot(app, &st, err)) != OK)
    return rc;
  rc = verify_snapshot(app, st, q, out, err);
  app__snapshot_end(app);
  return rc;
}
