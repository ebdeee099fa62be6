/*
 * The signer's state: the last checkpoint a key signed, kept beside it
 * (KEY.state), so that the key never signs a tree smaller than that one,
 * nor one that does not extend it. A log truncated behind the program's
 * back, or a store restored from an old copy, or a fork, would otherwise be
 * signed again, and the signatures would say that the log went back or
 * split. The state is the signed checkpoint note itself: it proves its own
 * origin (it must verify with the key), and whoever reads it (`status`)
 * sees the last tree head handed out.
 *
 * Signing is one step under an exclusive lock on the key file (flock), so
 * that two `log checkpoint` at once cannot both read an old state and one
 * of them move it back.
 */
#include "app/app.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "app/app_int.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"
#include "util/i18n.h"

char *
app__state_path(const char *key_path)
{
  return xasprintf("%s.state", key_path);
}

int
app__state_write(const char *path, const char *note, struct app_error *err)
{
  struct buf why;
  int rc;

  buf_init(&why);
  rc = util_file_write(path, note, strlen(note), 0, &why);
  if (rc != OK)
    app__fail(err, ERR_IO, APP_ERROR_PROGRAM, "key", "%s",
              why.data ? why.data : "cannot write the signer's state");
  buf_cleanup(&why);
  return rc == OK ? OK : ERR_IO;
}

int
app__state_start(const struct ledger_signer *s, const char *path,
                 struct app_error *err)
{
  uint8_t empty[LEDGER_HASH_SIZE];
  char *note = NULL;
  struct buf msg;
  int rc;

  /* Nothing signed yet: the checkpoint of the empty tree, which every
   * tree extends. */
  buf_init(&msg);
  ledger_empty_root(empty);
  rc =
      ledger_checkpoint_format(ledger_signer_name(s), 0, empty, s, &note, &msg);
  if (rc != OK)
    app__fail(err, rc, APP_ERROR_OPERATION, "key", "%s",
              msg.data ? msg.data : util_strerror(rc));
  else
    rc = app__state_write(path, note, err);
  free(note);
  buf_cleanup(&msg);
  return rc;
}

/* The tree size and root as people read them: "the tree of 182 entries
 * (root k1Sx...=)". */
static void
tree_text(uint64_t size, const uint8_t root[LEDGER_HASH_SIZE], struct buf *out)
{
  buf_printf(out, _("the tree of %llu entries (root "),
             (unsigned long long)size);
  util_base64_encode(out, root, LEDGER_HASH_SIZE);
  buf_putc(out, ')');
}

/*
 * The last checkpoint the key signed, from the state at path: OK with *last
 * filled; ERR_NOTFOUND when there is no state; ERR_VERIFY when it is not a
 * checkpoint of this log signed by this key.
 */
static int
read_state(const char *path, const struct ledger_signer *s, const char *log,
           struct ledger_checkpoint *last, struct app_error *err)
{
  struct ledger_verifier *v = NULL;
  uint8_t pub[LEDGER_PUBKEY_SIZE];
  struct buf text, msg;
  int rc;

  if (access(path, F_OK) != 0 && errno == ENOENT)
    return ERR_NOTFOUND;
  buf_init(&text);
  buf_init(&msg);
  ledger_signer_public_key(s, pub);
  rc = ledger_verifier_new(ledger_signer_name(s), LEDGER_KEY_ED25519, pub, &v,
                           &msg);
  if (rc == OK)
    rc = app__load_checkpoint(path, v, &text, last, err);
  if (rc == OK && strcmp(last->origin, log) != 0) {
    rc = app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "key",
                   "%s is the state of a signer of '%s', not of this log "
                   "('%s')",
                   path, last->origin, log);
  } else if (rc != OK && rc != ERR_IO) {
    char *why = xstrdup(err->message ? err->message : "");
    rc = app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "key",
                   "refusing to sign: %s should hold the last checkpoint "
                   "this key signed, and does not (%s); remove it only if "
                   "this key replaces the one that signed it",
                   path, why);
    free(why);
  }
  ledger_verifier_free(v);
  buf_cleanup(&text);
  buf_cleanup(&msg);
  return rc;
}

/* The store's tree of size now extends last: it is not smaller, its first
 * last->size entries have last's root, and the store's consistency proof
 * between the two verifies. ERR_VERIFY naming both trees otherwise. */
static int
check_extends(struct store *st, const char *state,
              const struct ledger_checkpoint *last, uint64_t now,
              const uint8_t now_root[LEDGER_HASH_SIZE], struct app_error *err)
{
  uint8_t old_root[LEDGER_HASH_SIZE], *hashes = NULL;
  struct ledger_source src;
  struct buf a, b;
  size_t n = 0;
  int rc = OK;

  buf_init(&a);
  buf_init(&b);
  tree_text(now, now_root, &a);
  tree_text(last->size, last->root, &b);
  store_ledger_source(st, &src);
  if (now < last->size) {
    rc = app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "key",
                   "refusing to sign %s: this key last signed %s (%s), and "
                   "a log only grows. Entries were lost, or the store is an "
                   "older copy: restore the store that was signed",
                   a.data, b.data, state);
  } else if (ledger_root(&src, last->size, old_root) != OK ||
             memcmp(old_root, last->root, LEDGER_HASH_SIZE) != 0 ||
             ledger_prove_consistency(&src, last->size, now, &hashes, &n) !=
                 OK ||
             ledger_verify_consistency(last->size, now, last->root, now_root,
                                       hashes, n) != OK) {
    rc = app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "key",
                   "refusing to sign %s: it does not extend %s, which this "
                   "key last signed (%s): the log was rewritten or forked "
                   "since (run 'passage verify --checkpoint %s')",
                   a.data, b.data, state, state);
  }
  free(hashes);
  buf_cleanup(&a);
  buf_cleanup(&b);
  return rc;
}

/* Signs the store's tree under the lock: checks, signs, keeps the state. */
static int
sign_locked(struct store *st, const struct ledger_signer *s, const char *state,
            struct app_checkpoint *out, struct app_error *err)
{
  const char *log = store_corridor(st)->log;
  uint8_t root[LEDGER_HASH_SIZE];
  struct ledger_checkpoint last;
  struct ledger_source src;
  struct buf msg;
  int rc;

  memset(&last, 0, sizeof last);
  buf_init(&msg);
  store_ledger_source(st, &src);
  out->size = store_size(st);
  if ((rc = ledger_root(&src, out->size, root)) != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, NULL,
              "cannot compute the tree's root (run 'passage verify')");
    goto out;
  }
  rc = read_state(state, s, log, &last, err);
  if (rc == ERR_NOTFOUND)
    out->state_new = 1; /* a key made before signers kept state */
  else if (rc == OK)
    rc = check_extends(st, state, &last, out->size, root, err);
  if (rc != OK && rc != ERR_NOTFOUND)
    goto out;
  rc = ledger_checkpoint_format(log, out->size, root, s, &out->note, &msg);
  if (rc != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s",
              msg.data ? msg.data : util_strerror(rc));
    goto out;
  }
  /* The state first: a checkpoint handed out is always one the state
   * knows, so that the next one is checked against it. */
  rc = app__state_write(state, out->note, err);
out:
  if (rc != OK) {
    free(out->note);
    out->note = NULL;
  }
  ledger_checkpoint_cleanup(&last);
  buf_cleanup(&msg);
  return rc;
}

/* The key must be the log's: named for its origin. */
static int
check_key_name(const struct ledger_signer *s, const char *path, const char *log,
               struct app_error *err)
{
  if (strcmp(ledger_signer_name(s), log) == 0)
    return OK;
  return app__fail(err, ERR_INVALID, APP_ERROR_OPERATION, "key",
                   "%s is the key of '%s', not of this log ('%s', the "
                   "corridor's log origin): a checkpoint names its log, and "
                   "parties check that the key that signed it bears that "
                   "name. Sign with the log's key, or make one with "
                   "'passage key generate'",
                   path, ledger_signer_name(s), log);
}

int
app_log_checkpoint(struct app *app, const char *key, struct app_checkpoint *out,
                   struct app_error *err)
{
  struct ledger_signer *signer = NULL;
  char *path = app__key_path(app, key), *state = app__state_path(path);
  struct store *st;
  struct buf msg;
  int rc, lock = -1;

  memset(out, 0, sizeof *out);
  buf_init(&msg);
  if ((rc = app__store(app, 0, &st, err)) != OK)
    goto out;
  rc = ledger_signer_load(path, &signer, &msg);
  if (rc != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, "key", "%s%s",
              msg.data ? msg.data : util_strerror(rc),
              rc == ERR_NOTFOUND ? " (make one with 'passage key generate')"
                                 : "");
    goto out;
  }
  if ((rc = check_key_name(signer, path, store_corridor(st)->log, err)) != OK)
    goto out;
  lock = open(path, O_RDONLY | O_CLOEXEC);
  if (lock < 0 || flock(lock, LOCK_EX) != 0) {
    rc = app__fail(err, ERR_IO, APP_ERROR_PROGRAM, "key", "cannot lock %s: %s",
                   path, strerror(errno));
    goto out;
  }
  if ((rc = app__snapshot(app, &st, err)) != OK)
    goto out;
  rc = sign_locked(st, signer, state, out, err);
  app__snapshot_end(app);
  if (rc == OK) {
    out->state = state;
    state = NULL;
  }
out:
  if (lock >= 0)
    close(lock); /* and so unlocked */
  ledger_signer_free(signer);
  free(path);
  free(state);
  buf_cleanup(&msg);
  return rc;
}

void
app_checkpoint_cleanup(struct app_checkpoint *c)
{
  if (c == NULL)
    return;
  free(c->note);
  free(c->state);
  memset(c, 0, sizeof *c);
}
