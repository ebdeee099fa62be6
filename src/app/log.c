/* The log: signed checkpoints, its entries, and witnesses' cosignatures. */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/app_int.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"

struct entries_ctx {
  const struct app_sink *out;
};

static int
write_entry(void *ctx, const struct store_entry *e)
{
  const struct app_sink *out = ((struct entries_ctx *)ctx)->out;
  int rc = out->write(out->ctx, e->bytes, e->len);

  return rc == OK ? out->write(out->ctx, "\n", 1) : rc;
}

int
app_log_entries(struct app *app, const struct app_entries_query *q,
                const struct app_sink *out, struct app_error *err)
{
  struct entries_ctx x = {out};
  struct store *st;
  int rc;

  if ((rc = app__snapshot(app, &st, err)) != OK)
    return rc;
  if (!q->has_start || !q->has_end || q->start > q->end ||
      q->end > store_size(st)) {
    rc = app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "start",
                   "entries needs --start A --end B with A <= B <= %llu "
                   "(the log's size)",
                   (unsigned long long)store_size(st));
    goto out;
  }
  rc = store_each_entry(st, -1, q->start, q->end, write_entry, &x);
  /* The CLI has always failed quietly here: the code says enough. */
  if (rc != OK)
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, NULL);
out:
  app__snapshot_end(app);
  return rc;
}

/* Checks that the checkpoint now extends last, the one the witness signed
 * before, by a consistency proof from the store. */
static int
check_extends(struct app *app, const struct app_cosign_query *q,
              const struct ledger_checkpoint *last,
              const struct ledger_checkpoint *now, struct app_error *err)
{
  struct ledger_source src;
  uint8_t *hashes = NULL;
  struct store *st;
  size_t n = 0;
  int rc;

  if (strcmp(last->origin, now->origin) != 0 || last->size > now->size)
    return app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "checkpoint",
                     "%s (%s, size %llu) does not extend the last checkpoint "
                     "signed (%s, size %llu)",
                     q->checkpoint, now->origin, (unsigned long long)now->size,
                     last->origin, (unsigned long long)last->size);
  if (app__snapshot(app, &st, err) != OK)
    return err->code = ERR_IO;
  store_ledger_source(st, &src);
  rc = ledger_prove_consistency(&src, last->size, now->size, &hashes, &n);
  if (rc == OK)
    rc = ledger_verify_consistency(last->size, now->size, last->root, now->root,
                                   hashes, n);
  app__snapshot_end(app);
  free(hashes);
  if (rc != OK)
    return app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "checkpoint",
                     "the log is not consistent with the checkpoint last "
                     "signed (size %llu): refusing to cosign",
                     (unsigned long long)last->size);
  return OK;
}

/* What a cosignature needs, loaded and checked. */
struct cosign {
  struct ledger_signer *witness;
  struct ledger_verifier *lv;
  struct ledger_checkpoint now, last;
  struct buf text, old;
};

static int
cosign_load(struct app *app, const struct app_cosign_query *q, struct cosign *c,
            struct app_error *err)
{
  struct buf msg;
  int rc;

  buf_init(&msg);
  if ((rc = ledger_signer_load(q->key, &c->witness, &msg)) != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, "key", "%s: %s", q->key,
              msg.data ? msg.data : util_strerror(rc));
    goto out;
  }
  rc = app__load_verifier(q->log_key, LEDGER_KEY_ED25519, "log-key", &c->lv,
                          err);
  if (rc == OK)
    rc = app__load_checkpoint(q->checkpoint, c->lv, &c->text, &c->now, err);
  if (rc == OK && q->state && access(q->state, F_OK) == 0) {
    rc = app__load_checkpoint(q->state, c->lv, &c->old, &c->last, err);
    if (rc == OK)
      rc = check_extends(app, q, &c->last, &c->now, err);
  }
out:
  buf_cleanup(&msg);
  return rc;
}

int
app_log_cosign(struct app *app, const struct app_cosign_query *q,
               struct app_error *err)
{
  struct cosign c;
  char *cosigned = NULL;
  struct buf msg;
  int rc;

  memset(&c, 0, sizeof c);
  buf_init(&c.text);
  buf_init(&c.old);
  buf_init(&msg);
  if (!q->key || !q->log_key || !q->checkpoint) {
    rc = app__fail(err, ERR_USAGE, APP_ERROR_REQUEST,
                   !q->key       ? "key"
                   : !q->log_key ? "log-key"
                                 : "checkpoint",
                   "needs --key, --log-key and --checkpoint");
    goto out;
  }
  if ((rc = cosign_load(app, q, &c, err)) != OK)
    goto out;
  rc = ledger_cosign_note(c.text.data, c.text.len, c.witness,
                          (uint64_t)time(NULL), &cosigned, &msg);
  if (rc != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s",
              msg.data ? msg.data : util_strerror(rc));
    goto out;
  }
  /* The cosignature first: the state records only what was handed out. */
  if ((rc = app__write_file(q->output, cosigned, err)) == OK && q->state)
    rc = app__write_file(q->state, c.text.data, err);
out:
  ledger_checkpoint_cleanup(&c.now);
  ledger_checkpoint_cleanup(&c.last);
  ledger_signer_free(c.witness);
  ledger_verifier_free(c.lv);
  free(cosigned);
  buf_cleanup(&c.text);
  buf_cleanup(&c.old);
  buf_cleanup(&msg);
  return rc;
}
