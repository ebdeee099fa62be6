/* Records found by id, and RFC 9162 proofs as JSON. */
#include "app/app.h"

#include <stdlib.h>

#include "app/app_int.h"
#include "ledger/ledger.h"

int
app_check_kind(const char *name, struct app_error *err)
{
  if (name && record_kind_by_name(name) >= 0)
    return OK;
  return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "kind",
                   "--kind: unknown kind '%s'", name ? name : "");
}

int
app_find_entry(struct app *app, const char *kind, const char *id, uint64_t *seq,
               struct app_error *err)
{
  struct store *st;
  int rc;

  *seq = 0;
  if (kind && app_check_kind(kind, err) != OK)
    return ERR_USAGE;
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  rc = store_find_entry(st, kind ? record_kind_by_name(kind) : -1, id, seq);
  if (rc == ERR_CONFLICT)
    app__fail(err, rc, APP_ERROR_OPERATION, "kind",
              "several records have that id: add --kind");
  else if (rc == ERR_NOTFOUND)
    app__fail(err, rc, APP_ERROR_OPERATION, "id", "no record with that id");
  else if (rc != OK)
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(st));
  return rc;
}

/* {"<a>": va, "<b>": vb, "hashes": [base64, ...]} */
static json_t *
proof_json(const char *a, uint64_t va, const char *b, uint64_t vb,
           const uint8_t *hashes, size_t n)
{
  json_t *o = json_object(), *arr = json_array();
  struct buf h;

  buf_init(&h);
  json_object_set_new(o, a, json_integer((json_int_t)va));
  json_object_set_new(o, b, json_integer((json_int_t)vb));
  for (size_t i = 0; i < n; i++) {
    buf_reset(&h);
    util_base64_encode(&h, hashes + i * LEDGER_HASH_SIZE, LEDGER_HASH_SIZE);
    json_array_append_new(arr, json_string(h.data));
  }
  json_object_set_new(o, "hashes", arr);
  buf_cleanup(&h);
  return o;
}

static int
proof_failed(struct app_error *err, int rc)
{
  return app__fail(err, rc, APP_ERROR_OPERATION, NULL,
                   "%s (run 'passage verify')", util_strerror(rc));
}

/* The leaf that q names, by index or by id, in a tree of size. */
static int
inclusion_leaf(struct app *app, const struct app_inclusion_query *q,
               uint64_t size, uint64_t *index, struct app_error *err)
{
  int rc;

  *index = q->index;
  if (q->id == NULL)
    return OK;
  rc = app_find_entry(app, q->kind, q->id, index, err);
  if (rc == OK && *index >= size)
    rc = ERR_NOTFOUND;
  if (rc == ERR_NOTFOUND)
    app__fail(err, rc, APP_ERROR_OPERATION, "id",
              "no record with that id in the tree");
  else if (rc == ERR_CONFLICT) /* the request must say which: a usage error */
    err->code = rc = ERR_USAGE;
  return rc;
}

int
app_prove_inclusion(struct app *app, const struct app_inclusion_query *q,
                    json_t **out, struct app_error *err)
{
  struct ledger_source src;
  uint8_t *hashes = NULL;
  uint64_t size, index;
  struct store *st;
  size_t n = 0;
  int rc;

  *out = NULL;
  if (q->kind && app_check_kind(q->kind, err) != OK)
    return ERR_USAGE;
  if (q->has_index == (q->id != NULL))
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, q->id ? "id" : "index",
                     "inclusion needs --index N or --id RECORD");
  if ((rc = app__snapshot(app, &st, err)) != OK)
    return rc;
  size = q->has_size ? q->size : store_size(st);
  if ((rc = inclusion_leaf(app, q, size, &index, err)) != OK)
    goto out;
  if (size > store_size(st) || index >= size) {
    rc = app__fail(err, ERR_USAGE, APP_ERROR_REQUEST,
                   size > store_size(st) ? "size" : "index",
                   "need index < size <= %llu (the log's size)",
                   (unsigned long long)store_size(st));
    goto out;
  }
  store_ledger_source(st, &src);
  rc = ledger_prove_inclusion(&src, index, size, &hashes, &n);
  if (rc == OK)
    *out = proof_json("leaf_index", index, "tree_size", size, hashes, n);
  else
    proof_failed(err, rc);
  free(hashes);
out:
  app__snapshot_end(app);
  return rc;
}

int
app_prove_consistency(struct app *app, const struct app_consistency_query *q,
                      json_t **out, struct app_error *err)
{
  struct ledger_source src;
  uint8_t *hashes = NULL;
  struct store *st;
  size_t n = 0;
  int rc;

  *out = NULL;
  if (!q->has_old || !q->has_new)
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST,
                     q->has_old ? "new" : "old",
                     "consistency needs --old A and --new B");
  if ((rc = app__snapshot(app, &st, err)) != OK)
    return rc;
  if (q->old_size > q->new_size || q->new_size > store_size(st)) {
    rc = app__fail(err, ERR_USAGE, APP_ERROR_REQUEST,
                   q->old_size > q->new_size ? "old" : "new",
                   "need old <= new <= %llu (the log's size)",
                   (unsigned long long)store_size(st));
    goto out;
  }
  store_ledger_source(st, &src);
  rc = ledger_prove_consistency(&src, q->old_size, q->new_size, &hashes, &n);
  if (rc == OK)
    *out =
        proof_json("old_size", q->old_size, "new_size", q->new_size, hashes, n);
  else
    proof_failed(err, rc);
  free(hashes);
out:
  app__snapshot_end(app);
  return rc;
}

int
app_proof_write(const json_t *proof, struct buf *out)
{
  static const char *const flat[] = {"", NULL};

  return util_json_write(proof, UTIL_JSON_PRETTY, flat, out);
}
