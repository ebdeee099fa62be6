/*
 * Signed checkpoints and witnesses' cosignatures kept beside the log: the
 * front's rule is that only a checkpoint of this log's own tree is kept
 * (its origin the corridor's, its root the tree's at its size), so that a
 * report naming the witnesses of its tree never names those of another.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <string.h>

#include "ledger/ledger.h"
#include "util/i18n.h"

/* The note's checkpoint, if it is one of this store's tree. */
static int
check_note(struct store *st, const char *note, size_t len,
           struct ledger_checkpoint *cp)
{
  uint8_t root[LEDGER_HASH_SIZE];
  struct ledger_note *n = NULL;
  struct ledger_source src;
  const char *text;
  struct buf why;
  size_t tlen;
  int rc;

  buf_init(&why);
  rc = ledger_note_parse(note, len, &n, &why);
  if (rc == OK) {
    text = ledger_note_text(n, &tlen);
    rc = ledger_checkpoint_parse(text, tlen, cp, &why);
  }
  if (rc != OK) {
    store__set_error(st, _("not a signed checkpoint: %s"),
                     why.data ? why.data : "");
    rc = ERR_VERIFY;
    goto out;
  }
  store_ledger_source(st, &src);
  if (strcmp(cp->origin, st->corridor->log) != 0) {
    store__set_error(st,
                     _("the checkpoint is of log '%s', not of this one "
                       "('%s')"),
                     cp->origin, st->corridor->log);
    rc = ERR_VERIFY;
  } else if (cp->size > st->size) {
    store__set_error(st, _("the checkpoint has %llu entries, the log %llu"),
                     (unsigned long long)cp->size,
                     (unsigned long long)st->size);
    rc = ERR_VERIFY;
  } else if ((rc = ledger_root(&src, cp->size, root)) != OK) {
    store__set_error(st,
                     _("cannot compute the root of the tree of %llu "
                       "entries"),
                     (unsigned long long)cp->size);
  } else if (memcmp(root, cp->root, LEDGER_HASH_SIZE) != 0) {
    store__set_error(st,
                     _("the checkpoint's root is not that of the log's "
                       "first %llu entries"),
                     (unsigned long long)cp->size);
    rc = ERR_VERIFY;
  }
out:
  ledger_note_free(n);
  buf_cleanup(&why);
  return rc;
}

int
store_add_cosigned(struct store *st, const char *note, size_t len,
                   const struct store_cosignature *c, size_t n)
{
  struct ledger_checkpoint cp;
  struct buf text;
  int rc;

  memset(&cp, 0, sizeof cp);
  buf_init(&text);
  if ((rc = store_begin(st)) != OK)
    goto out;
  if ((rc = check_note(st, note, len, &cp)) != OK)
    goto fail;
  for (size_t i = 0; i < n; i++)
    if (c[i].size != cp.size) {
      store__set_error(st,
                       _("a cosignature of the tree of %llu entries "
                         "given with the checkpoint of %llu"),
                       (unsigned long long)c[i].size,
                       (unsigned long long)cp.size);
      rc = ERR_USAGE;
      goto fail;
    }
  buf_append(&text, note, len);
  rc = st->be->put_checkpoint(st->db, cp.size, text.data);
  for (size_t i = 0; i < n && (rc == OK || rc == ERR_EXISTS); i++)
    rc = st->be->put_cosignature(st->db, &c[i]);
  if (rc != OK && rc != ERR_EXISTS) {
    store__tx_error(st, rc);
    goto fail;
  }
  rc = store_commit(st);
  goto out;
fail:
  store_rollback(st);
out:
  ledger_checkpoint_cleanup(&cp);
  buf_cleanup(&text);
  return rc;
}

struct note_ctx {
  struct buf *note;
  uint64_t size;
};

static int
got_note(void *ctx, uint64_t size, const char *note)
{
  struct note_ctx *x = ctx;

  buf_puts(x->note, note);
  x->size = size;
  return OK;
}

int
store_get_checkpoint(struct store *st, uint64_t size, int latest,
                     uint64_t *size_out, struct buf *note)
{
  struct note_ctx x = {note, 0};
  int rc = st->be->get_checkpoint(st->db, size, latest, got_note, &x);

  if (rc == OK && size_out)
    *size_out = x.size;
  return rc;
}

int
store_each_cosignature(struct store *st, uint64_t size,
                       int (*fn)(void *ctx, const struct store_cosignature *c),
                       void *ctx)
{
  return st->be->each_cosignature(st->db, size, fn, ctx);
}

int
store_witness_size(struct store *st, const char *witness, uint32_t key_hash,
                   uint64_t *size)
{
  return st->be->witness_size(st->db, witness, key_hash, size);
}

int
store_next_cosigned(struct store *st, uint64_t from, uint64_t *size)
{
  return st->be->next_cosigned(st->db, from, size);
}
