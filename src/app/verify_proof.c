/* verify-proof: a proof file checked against signed checkpoints alone, so
 * that parties can check what they were given with no store at all. */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "ledger/ledger.h"

static int
read_hashes(struct app__proof *p)
{
  json_t *arr = json_object_get(p->json, "hashes"), *h;
  size_t i;

  if (!json_is_array(arr) || json_array_size(arr) > 128)
    return ERR_INVALID;
  p->hashes = xcalloc(json_array_size(arr) + 1, LEDGER_HASH_SIZE);
  json_array_foreach(arr, i, h)
  {
    const char *s = json_string_value(h);
    if (s == NULL ||
        util_base64_decode_exact(s, strlen(s), p->hashes + i * LEDGER_HASH_SIZE,
                                 LEDGER_HASH_SIZE) != OK)
      return ERR_INVALID;
  }
  p->n = json_array_size(arr);
  return OK;
}

int
app__proof_parse(const char *text, size_t len, const char *name,
                 struct app__proof *p, struct app_error *err)
{
  json_error_t e;

  memset(p, 0, sizeof *p);
  util_json_load(text, len, JSON_REJECT_DUPLICATES, &p->json, &e);
  if (p->json == NULL || !json_is_object(p->json))
    return app__fail(err, ERR_INVALID, APP_ERROR_OPERATION, "proof",
                     "%s:%d: not a proof: %s", name, e.line,
                     p->json ? "expected an object" : e.text);
  if (read_hashes(p) != OK)
    return app__fail(err, ERR_INVALID, APP_ERROR_OPERATION, "proof",
                     "%s: expected \"hashes\": an array of base64 SHA-256 "
                     "hashes",
                     name);
  return OK;
}

void
app__proof_cleanup(struct app__proof *p)
{
  free(p->hashes);
  json_decref(p->json);
  memset(p, 0, sizeof *p);
}

static int
read_proof(const char *path, struct app__proof *p, struct app_error *err)
{
  struct buf text;
  int rc;

  memset(p, 0, sizeof *p);
  buf_init(&text);
  rc = app__read_file(path, APP_PROOF_MAX, &text);
  if (rc == ERR_NOMEM)
    rc =
        app__fail(err, ERR_INVALID, APP_ERROR_OPERATION, "proof",
                  "%s: not a proof: larger than %u bytes", path, APP_PROOF_MAX);
  else if (rc != OK)
    rc = app__fail(err, ERR_IO, APP_ERROR_OPERATION, "proof", "cannot read %s",
                   path);
  else
    rc = app__proof_parse(text.data ? text.data : "", text.len, path, p, err);
  buf_cleanup(&text);
  return rc;
}

static int
get_u64(const json_t *o, const char *name, uint64_t *v)
{
  json_t *j = json_object_get(o, name);

  if (!json_is_integer(j) || json_integer_value(j) < 0)
    return ERR_INVALID;
  *v = (uint64_t)json_integer_value(j);
  return OK;
}

/* The entry's leaf hash, from its file as `log entries` prints it. */
static int
entry_leaf(const char *path, uint8_t leaf[LEDGER_HASH_SIZE],
           struct app_error *err)
{
  struct buf bytes;
  int rc;

  buf_init(&bytes);
  rc = app__read_file(path, 1u << 24, &bytes);
  while (bytes.len && bytes.data[bytes.len - 1] == '\n')
    bytes.data[--bytes.len] = '\0';
  ledger_leaf_hash(bytes.data ? bytes.data : "", bytes.len, leaf);
  buf_cleanup(&bytes);
  if (rc != OK)
    return app__fail(err, ERR_IO, APP_ERROR_OPERATION, "entry",
                     "cannot read %s", path);
  return OK;
}

static int
check_inclusion(const struct app_proof_query *q, const struct app__proof *p,
                const struct ledger_checkpoint *cp,
                struct app_proof_result *out, struct app_error *err)
{
  uint8_t leaf[LEDGER_HASH_SIZE];
  uint64_t index, size;

  if (get_u64(p->json, "leaf_index", &index) != OK ||
      get_u64(p->json, "tree_size", &size) != OK || q->entry == NULL)
    return app__fail(err, ERR_USAGE, APP_ERROR_OPERATION, "entry",
                     "an inclusion proof needs leaf_index, tree_size and "
                     "--entry");
  if (entry_leaf(q->entry, leaf, err) != OK)
    return ERR_IO;
  if (cp->size != size)
    return app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "checkpoint",
                     "FAILED: the proof is for a tree of %llu entries, the "
                     "checkpoint has %llu",
                     (unsigned long long)size, (unsigned long long)cp->size);
  if (ledger_verify_inclusion(leaf, index, size, p->hashes, p->n, cp->root) !=
      OK)
    return app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "proof",
                     "FAILED: the entry is not leaf %llu of the checkpoint's "
                     "tree",
                     (unsigned long long)index);
  out->inclusion = 1;
  out->leaf_index = index;
  out->tree_size = size;
  return OK;
}

static int
check_consistency(const struct app_proof_query *q, const struct app__proof *p,
                  struct ledger_checkpoint *cp, struct app_proof_result *out,
                  struct app_error *err)
{
  uint64_t old, new_size;

  if (get_u64(p->json, "old_size", &old) != OK ||
      get_u64(p->json, "new_size", &new_size) != OK || q->ncheckpoints != 2)
    return app__fail(err, ERR_USAGE, APP_ERROR_OPERATION, "checkpoint",
                     "a consistency proof needs old_size, new_size and two "
                     "--checkpoint");
  if (cp[0].size > cp[1].size) {
    struct ledger_checkpoint t = cp[0];
    cp[0] = cp[1];
    cp[1] = t;
  }
  if (cp[0].size != old || cp[1].size != new_size ||
      strcmp(cp[0].origin, cp[1].origin) != 0)
    return app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "checkpoint",
                     "FAILED: the checkpoints (sizes %llu, %llu) are not the "
                     "proof's (%llu, %llu) or are of different logs",
                     (unsigned long long)cp[0].size,
                     (unsigned long long)cp[1].size, (unsigned long long)old,
                     (unsigned long long)new_size);
  if (ledger_verify_consistency(old, new_size, cp[0].root, cp[1].root,
                                p->hashes, p->n) != OK)
    return app__fail(err, ERR_VERIFY, APP_ERROR_OPERATION, "proof",
                     "FAILED: the newer tree does not extend the older one");
  out->old_size = old;
  out->new_size = new_size;
  return OK;
}

int
app_verify_proof(const struct app_proof_query *q, struct app_proof_result *out,
                 struct app_error *err)
{
  struct ledger_checkpoint cp[2];
  struct ledger_verifier *lv = NULL;
  struct app__proof p = {0};
  struct buf text;
  int rc = OK;

  memset(out, 0, sizeof *out);
  memset(cp, 0, sizeof cp);
  buf_init(&text);
  if (!q->ncheckpoints || q->ncheckpoints > 2 || !q->key || !q->proof) {
    rc = app__fail(err, ERR_USAGE, APP_ERROR_REQUEST,
                   !q->ncheckpoints || q->ncheckpoints > 2 ? "checkpoint"
                   : !q->key                               ? "key"
                                                           : "proof",
                   "needs --checkpoint, --key and --proof");
    goto out;
  }
  if (app__load_verifier(q->key, LEDGER_KEY_ED25519, "key", &lv, err) != OK) {
    rc = err->code = ERR_USAGE;
    goto out;
  }
  for (size_t i = 0; i < q->ncheckpoints && rc == OK; i++)
    if (app__load_checkpoint(q->checkpoints[i], lv, &text, &cp[i], err) != OK)
      rc = err->code = ERR_VERIFY;
  if (rc == OK)
    rc = read_proof(q->proof, &p, err);
  if (rc == OK && json_object_get(p.json, "leaf_index"))
    rc = check_inclusion(q, &p, &cp[q->ncheckpoints - 1], out, err);
  else if (rc == OK)
    rc = check_consistency(q, &p, cp, out, err);
out:
  for (size_t i = 0; i < 2; i++)
    ledger_checkpoint_cleanup(&cp[i]);
  ledger_verifier_free(lv);
  app__proof_cleanup(&p);
  buf_cleanup(&text);
  return rc;
}
