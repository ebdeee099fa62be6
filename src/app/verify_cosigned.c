/*
 * What `passage verify` checks of the checkpoints and cosignatures kept
 * beside the log (issue 12): each kept checkpoint that witnesses cosigned
 * is still a checkpoint of this tree (its root the tree's at its size),
 * and each cosignature whose witness the corridor file names verifies with
 * that witness's key. An edit of those tables behind the program's back
 * would otherwise make a report name witnesses of another tree.
 */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"

struct check {
  struct store *st;
  const char *note;
  uint64_t size;
  size_t verified;
  struct app_error *err;
};

/* The corridor's key for the witness of c, or NULL. */
static struct ledger_verifier *
corridor_key(const struct corridor *cor, const struct store_cosignature *c)
{
  for (size_t i = 0; i < cor->nwitnesses; i++) {
    struct ledger_verifier *v = NULL;
    const char *k = cor->witnesses[i].key;
    if (ledger_verifier_parse(k, strlen(k), &v, NULL) == OK &&
        ledger_verifier_key_hash(v) == c->key_hash &&
        strcmp(ledger_verifier_name(v), c->witness) == 0)
      return v;
    ledger_verifier_free(v);
  }
  return NULL;
}

static int
check_one(void *ctx, const struct store_cosignature *c)
{
  struct check *x = ctx;
  struct ledger_verifier *v = corridor_key(store_corridor(x->st), c);
  struct ledger_note *n = NULL;
  struct buf whole;
  uint64_t t = 0;
  int rc = OK;

  if (v == NULL)
    return OK; /* a witness the corridor no longer names: nothing to check */
  buf_init(&whole);
  buf_puts(&whole, x->note);
  buf_puts(&whole, c->line);
  if (ledger_note_parse(whole.data, whole.len, &n, NULL) != OK ||
      ledger_note_verify(n, v, &t, NULL) != OK || t != c->time)
    rc = app__fail(x->err, ERR_VERIFY, APP_ERROR_OPERATION, NULL,
                   "FAILED: the cosignature kept for the tree of %llu "
                   "entries by %s does not verify with its key in the "
                   "corridor file: the cosignature table was edited",
                   (unsigned long long)x->size, c->witness);
  else
    x->verified++;
  ledger_note_free(n);
  ledger_verifier_free(v);
  buf_cleanup(&whole);
  return rc;
}

/* The kept checkpoint of size is this tree's. */
static int
check_note(struct check *x, const struct buf *note)
{
  uint8_t root[LEDGER_HASH_SIZE];
  struct ledger_note *n = NULL;
  struct ledger_checkpoint cp;
  struct ledger_source src;
  const char *text;
  size_t len;
  int rc = ERR_VERIFY;

  memset(&cp, 0, sizeof cp);
  store_ledger_source(x->st, &src);
  if (ledger_note_parse(note->data, note->len, &n, NULL) == OK) {
    text = ledger_note_text(n, &len);
    if (ledger_checkpoint_parse(text, len, &cp, NULL) == OK &&
        cp.size == x->size && ledger_root(&src, cp.size, root) == OK &&
        memcmp(root, cp.root, LEDGER_HASH_SIZE) == 0)
      rc = OK;
  }
  if (rc != OK)
    app__fail(x->err, ERR_VERIFY, APP_ERROR_OPERATION, NULL,
              "FAILED: the checkpoint kept for the tree of %llu entries is "
              "not this tree's: the checkpoint table was edited",
              (unsigned long long)x->size);
  ledger_checkpoint_cleanup(&cp);
  ledger_note_free(n);
  return rc;
}

int
app__verify_cosigned(struct store *st, size_t *verified, struct app_error *err)
{
  struct check x = {st, NULL, 0, 0, err};
  struct buf note;
  uint64_t from = 0, size;
  int rc = OK;

  *verified = 0;
  buf_init(&note);
  while (rc == OK && store_next_cosigned(st, from, &size) == OK) {
    buf_reset(&note);
    x.size = size;
    if (size > store_size(st) ||
        store_get_checkpoint(st, size, 0, NULL, &note) != OK) {
      rc = app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, NULL,
                     "FAILED: cosignatures are kept for a tree of %llu "
                     "entries with no checkpoint of this log's tree",
                     (unsigned long long)size);
      break;
    }
    x.note = note.data;
    if ((rc = check_note(&x, &note)) == OK)
      rc = store_each_cosignature(st, size, check_one, &x);
    from = size + 1;
  }
  *verified = x.verified;
  buf_cleanup(&note);
  return rc;
}
