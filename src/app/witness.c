/* The witness a party runs (`passage witness`): its state and its server,
 * both src/witness's; here the requests are checked and worded. */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "ledger/ledger.h"
#include "witness/witness.h"

#define DEFAULT_STATE "witness.state"

void
app_witness_init_result_cleanup(struct app_witness_init_result *r)
{
  if (r == NULL)
    return;
  free(r->state);
  free(r->verifier);
  memset(r, 0, sizeof *r);
}

int
app_witness_init(const struct app_witness_init_query *q,
                 struct app_witness_init_result *out, struct app_error *err)
{
  const char *state = q->state ? q->state : DEFAULT_STATE;
  char **texts = xcalloc(q->nlog_keys ? q->nlog_keys : 1, sizeof *texts);
  struct buf why;
  int rc = OK;

  memset(out, 0, sizeof *out);
  buf_init(&why);
  if (q->origin == NULL || q->nlog_keys == 0 || q->key == NULL) {
    rc = app__fail(err, ERR_USAGE, APP_ERROR_REQUEST,
                   q->origin == NULL   ? "origin"
                   : q->nlog_keys == 0 ? "log-key"
                                       : "key",
                   "init needs --origin, --log-key and --key");
    goto out;
  }
  for (size_t i = 0; i < q->nlog_keys && rc == OK; i++) {
    struct ledger_verifier *v = NULL;
    rc = app__load_verifier(q->log_keys[i], LEDGER_KEY_ED25519, "log-key", &v,
                            err);
    if (rc == OK)
      texts[i] = ledger_verifier_format(v);
    ledger_verifier_free(v);
  }
  if (rc != OK)
    goto out;
  rc = witness_init(state, q->origin, (const char *const *)texts, q->nlog_keys,
                    q->key, &out->added, &out->verifier, &why);
  if (rc != OK) {
    app__fail(err, rc == ERR_IO ? ERR_IO : rc,
              rc == ERR_IO ? APP_ERROR_PROGRAM : APP_ERROR_OPERATION,
              rc == ERR_EXISTS ? "origin" : "key", "%s",
              why.data ? why.data : util_strerror(rc));
    goto out;
  }
  out->state = xstrdup(state);
out:
  for (size_t i = 0; i < q->nlog_keys; i++)
    free(texts[i]);
  free(texts);
  buf_cleanup(&why);
  return rc;
}

int
app_witness_serve(const struct app_witness_serve_query *q,
                  struct app_error *err)
{
  const char *state = q->state ? q->state : DEFAULT_STATE;
  struct witness *w = NULL;
  struct buf why;
  int rc;

  buf_init(&why);
  if (q->listen == NULL) {
    rc = app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "listen",
                   "serve needs --listen HOST:PORT");
    goto out;
  }
  if ((rc = witness_load(state, &w, &why)) != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, "state", "%s",
              why.data ? why.data : util_strerror(rc));
    goto out;
  }
  if ((rc = witness_serve(w, q->listen, q->ready, q->ctx, &why)) != OK)
    app__fail(err, rc, rc == ERR_USAGE ? APP_ERROR_REQUEST : APP_ERROR_PROGRAM,
              "listen", "%s", why.data ? why.data : util_strerror(rc));
out:
  witness_free(w);
  buf_cleanup(&why);
  return rc;
}
