/* The log's endpoints: the same bytes as `passage log` and `passage
 * proof` print. */
#include "http/http_int.h"

#include <stdlib.h>
#include <string.h>

/* The most entries one request may ask for: a longer log is read page by
 * page (or, later, as tiles). */
#define ENTRIES_MAX 100000

static int
to_buf(void *ctx, const void *data, size_t len)
{
  buf_append(ctx, data, len);
  return OK;
}

static enum MHD_Result
reply_buf(struct request *r, int rc, struct buf *b, const char *type,
          struct app_error *err)
{
  enum MHD_Result mr;
  size_t len = b->len;

  if (rc != OK) {
    buf_cleanup(b);
    mr = http_fail(r, err);
  } else {
    mr = http_reply(r, 200, type, buf_take(b), len);
  }
  app_error_cleanup(err);
  return mr;
}

enum MHD_Result
route_log_checkpoint(struct request *r)
{
  struct app_error err = {0};
  enum MHD_Result mr;
  char *note = NULL;
  struct buf b;
  int rc;

  if (http_auth(r, APP_ACT_STATUS, NULL, &mr) != OK)
    return mr;
  buf_init(&b);
  if ((rc = app_refresh(http_app(r), &err)) == OK &&
      (rc = app_log_checkpoint_now(http_app(r), r->srv->cfg->key, &note,
                                   &err)) == OK)
    buf_puts(&b, note);
  free(note);
  return reply_buf(r, rc, &b, "text/plain; charset=utf-8", &err);
}

enum MHD_Result
route_log_entries(struct request *r)
{
  struct app_entries_query q = {0};
  struct app_error err = {0};
  struct buf b;
  struct app_sink out = {to_buf, &b};
  enum MHD_Result mr;
  int rc;

  if (http_auth(r, APP_ACT_LOG, NULL, &mr) != OK)
    return mr;
  buf_init(&b);
  if ((rc = http_arg_count(r, "start", &q.start, &q.has_start, &err)) == OK &&
      (rc = http_arg_count(r, "end", &q.end, &q.has_end, &err)) == OK) {
    if (q.has_start && q.has_end && q.end > q.start &&
        q.end - q.start > ENTRIES_MAX)
      return http_error(r, HTTP_E_BAD_REQUEST, "end",
                        "at most %d entries a request: ask for the rest "
                        "from start=%llu",
                        ENTRIES_MAX,
                        (unsigned long long)(q.start + ENTRIES_MAX));
    if ((rc = app_refresh(http_app(r), &err)) == OK)
      rc = app_log_entries(http_app(r), &q, &out, &err);
  }
  return reply_buf(r, rc, &b, "text/plain; charset=utf-8", &err);
}

static enum MHD_Result
reply_proof(struct request *r, int rc, json_t *proof, struct app_error *err)
{
  struct buf b;

  buf_init(&b);
  if (rc == OK)
    rc = app_proof_write(proof, &b);
  json_decref(proof);
  return reply_buf(r, rc, &b, "application/json", err);
}

enum MHD_Result
route_proof_inclusion(struct request *r)
{
  struct app_inclusion_query q = {0};
  struct app_error err = {0};
  json_t *proof = NULL;
  enum MHD_Result mr;
  int rc;

  if (http_auth(r, APP_ACT_STATUS, NULL, &mr) != OK)
    return mr;
  q.id = http_arg(r, "id");
  q.kind = http_arg(r, "kind");
  if ((rc = http_arg_count(r, "index", &q.index, &q.has_index, &err)) == OK &&
      (rc = http_arg_count(r, "size", &q.size, &q.has_size, &err)) == OK &&
      (rc = app_refresh(http_app(r), &err)) == OK)
    rc = app_prove_inclusion(http_app(r), &q, &proof, &err);
  return reply_proof(r, rc, proof, &err);
}

enum MHD_Result
route_proof_consistency(struct request *r)
{
  struct app_consistency_query q = {0};
  struct app_error err = {0};
  json_t *proof = NULL;
  enum MHD_Result mr;
  int rc;

  if (http_auth(r, APP_ACT_STATUS, NULL, &mr) != OK)
    return mr;
  if ((rc = http_arg_count(r, "old", &q.old_size, &q.has_old, &err)) == OK &&
      (rc = http_arg_count(r, "new", &q.new_size, &q.has_new, &err)) == OK &&
      (rc = app_refresh(http_app(r), &err)) == OK)
    rc = app_prove_consistency(http_app(r), &q, &proof, &err);
  return reply_proof(r, rc, proof, &err);
}
