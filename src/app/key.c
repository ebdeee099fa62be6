/* Keys: the log's signing key, verifier keys, and signed checkpoints read
 * from files. */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_int.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"
#include "util/i18n.h"

void
app_key_cleanup(struct app_key *k)
{
  if (k == NULL)
    return;
  free(k->path);
  free(k->verifier);
  memset(k, 0, sizeof *k);
}

int
app_key_generate(struct app *app, const char *path, const char *name,
                 struct app_key *out, struct app_error *err)
{
  struct ledger_signer *signer = NULL;
  char *file = app__key_path(app, path), *state = NULL;
  struct store *st;
  struct buf msg;
  int rc = OK;

  memset(out, 0, sizeof *out);
  buf_init(&msg);
  if (name == NULL) {
    if ((rc = app__store(app, 0, &st, err)) != OK)
      goto out;
    name = store_corridor(st)->log;
  }
  rc = ledger_signer_generate(name, &signer, &msg);
  if (rc == OK)
    rc = ledger_signer_save(signer, file, &msg);
  if (rc != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, rc == ERR_INVALID ? "name" : "key",
              "%s", msg.data ? msg.data : util_strerror(rc));
    goto out;
  }
  /* A new key has signed nothing yet: its state says so. (An old state
   * beside it was another key's, removed with it.) */
  state = app__state_path(file);
  if ((rc = app__state_start(signer, state, err)) != OK) {
    unlink(file);
    goto out;
  }
  out->verifier = ledger_signer_verifier_key(signer, LEDGER_KEY_ED25519);
  out->path = file; /* ownership moves to the caller */
  file = NULL;
out:
  ledger_signer_free(signer);
  free(file);
  free(state);
  buf_cleanup(&msg);
  return rc;
}

int
app_key_public(struct app *app, const char *path, int cosignature,
               struct app_key *out, struct app_error *err)
{
  struct ledger_signer *signer = NULL;
  char *file = app__key_path(app, path);
  struct buf msg;
  int rc;

  memset(out, 0, sizeof *out);
  buf_init(&msg);
  rc = ledger_signer_load(file, &signer, &msg);
  if (rc != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, "key", "%s: %s", file,
              msg.data ? msg.data : util_strerror(rc));
    goto out;
  }
  out->verifier = ledger_signer_verifier_key(
      signer, cosignature ? LEDGER_KEY_COSIGNATURE : LEDGER_KEY_ED25519);
  out->path = file;
  file = NULL;
out:
  ledger_signer_free(signer);
  free(file);
  buf_cleanup(&msg);
  return rc;
}

static const char *
key_type_name(int type)
{
  return type == LEDGER_KEY_COSIGNATURE ? _("witness (cosignature)")
                                        : _("log (signing)");
}

int
app__load_verifier(const char *arg, int type, const char *field,
                   struct ledger_verifier **out, struct app_error *err)
{
  struct buf text, msg;
  int rc;

  *out = NULL;
  buf_init(&text);
  buf_init(&msg);
  if (app__read_file(arg, LEDGER_KEY_FILE_MAX, &text) != OK) {
    buf_reset(&text);
    buf_puts(&text, arg);
  }
  while (text.len &&
         (text.data[text.len - 1] == '\n' || text.data[text.len - 1] == '\r'))
    text.data[--text.len] = '\0';
  rc = ledger_verifier_parse(text.data ? text.data : "", text.len, out, &msg);
  if (rc != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, field, "%s: not a verifier key: %s",
              arg, msg.data ? msg.data : "");
  } else if ((int)ledger_verifier_type(*out) != type) {
    app__fail(err, ERR_USAGE, APP_ERROR_OPERATION, field,
              "%s is a %s key, not a %s key", arg,
              key_type_name(ledger_verifier_type(*out)), key_type_name(type));
    ledger_verifier_free(*out);
    *out = NULL;
    rc = ERR_USAGE;
  }
  buf_cleanup(&text);
  buf_cleanup(&msg);
  return rc;
}

int
app__load_checkpoint(const char *path, const struct ledger_verifier *v,
                     struct buf *text, struct ledger_checkpoint *cp,
                     struct app_error *err)
{
  struct ledger_note *note = NULL;
  const char *body;
  struct buf msg;
  size_t len;
  int rc;

  buf_init(&msg);
  buf_reset(text);
  rc = app__read_file(path, LEDGER_NOTE_MAX, text);
  if (rc != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, "checkpoint", "cannot read %s",
              path);
    goto out;
  }
  rc = ledger_note_parse(text->data ? text->data : "", text->len, &note, &msg);
  if (rc == OK && v)
    rc = ledger_note_verify(note, v, NULL, &msg);
  if (rc == ERR_NOTFOUND) {
    buf_reset(&msg);
    buf_printf(&msg, _("it carries no signature by %s"),
               ledger_verifier_name(v));
    rc = ERR_VERIFY;
  }
  if (rc == OK) {
    body = ledger_note_text(note, &len);
    rc = ledger_checkpoint_parse(body, len, cp, &msg);
  }
  if (rc != OK)
    app__fail(err, rc, APP_ERROR_OPERATION, "checkpoint", "%s: %s", path,
              msg.data ? msg.data : util_strerror(rc));
out:
  ledger_note_free(note);
  buf_cleanup(&msg);
  return rc;
}
