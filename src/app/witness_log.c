/*
 * The log's side of c2sp.org/tlog-witness: `passage log witness` and what
 * `passage serve` calls after its commits. The current tree is signed and
 * sent to each witness of the corridor with a consistency proof from the
 * size that witness cosigned last, as the store remembers it; a witness
 * that holds another size says so (409 and its size) and is asked once
 * more from there. Every answer is checked with the witness's key from the
 * corridor before its cosignature is kept, beside the checkpoint, in the
 * store (store_add_cosigned): a report of that tree then names it.
 */
#include "app/app.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app_int.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"
#include "util/i18n.h"

/* The most a witness's answer may be: a few signature lines. */
#define ANSWER_MAX (64 * 1024)

void
app_witness_result_cleanup(struct app_witness_result *r)
{
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->n; i++) {
    free(r->w[i].name);
    free(r->w[i].message);
  }
  free(r->w);
  free(r->note);
  memset(r, 0, sizeof *r);
}

/* One witness's exchange. */
struct ask {
  struct store *st;
  struct app__http *http;
  const char *note; /* the signed checkpoint */
  struct ledger_checkpoint cp;
  const struct corridor_witness *cw;
  struct ledger_verifier *v;
  struct app_witness_outcome *o;
  char *line; /* the cosignature line kept */
};

static void failf(struct ask *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
failf(struct ask *a, const char *fmt, ...)
{
  struct buf b;
  va_list ap;

  buf_init(&b);
  va_start(ap, fmt);
  buf_vprintf(&b, fmt, ap);
  va_end(ap);
  free(a->o->message);
  a->o->message = buf_take(&b);
}

char *
app__sig_line(const struct ledger_note_sig *sig)
{
  uint8_t *raw = xmalloc(4 + sig->sig_len);
  struct buf b;

  raw[0] = (uint8_t)(sig->key_hash >> 24);
  raw[1] = (uint8_t)(sig->key_hash >> 16);
  raw[2] = (uint8_t)(sig->key_hash >> 8);
  raw[3] = (uint8_t)sig->key_hash;
  memcpy(raw + 4, sig->sig, sig->sig_len);
  buf_init(&b);
  buf_printf(&b, "\xe2\x80\x94 %s ", sig->name);
  util_base64_encode(&b, raw, 4 + sig->sig_len);
  buf_putc(&b, '\n');
  free(raw);
  return buf_take(&b);
}

/*
 * A 200's body: signature lines, of which the witness's own must be a
 * valid cosignature of the checkpoint (lines by other keys are ignored,
 * as the spec asks of clients).
 */
static int
take_cosignature(struct ask *a, const struct buf *body)
{
  struct ledger_note *n = NULL;
  struct buf whole, why;
  uint64_t t = 0;
  int rc;

  buf_init(&whole);
  buf_init(&why);
  buf_puts(&whole, a->note);
  buf_append(&whole, body->data, body->len);
  rc = ledger_note_parse(whole.data, whole.len, &n, &why);
  if (rc == OK)
    rc = ledger_note_verify(n, a->v, &t, &why);
  if (rc == OK && t == 0) {
    rc = ERR_VERIFY;
    buf_puts(&why, _("its cosignature has no time"));
  }
  if (rc != OK) {
    failf(a, _("answered 200 without a valid cosignature by %s: %s"),
          ledger_verifier_name(a->v), why.data ? why.data : "");
    goto out;
  }
  for (size_t i = 0; i < ledger_note_nsigs(n); i++) {
    const struct ledger_note_sig *s = ledger_note_sig(n, i);
    if (s->key_hash == ledger_verifier_key_hash(a->v) &&
        strcmp(s->name, ledger_verifier_name(a->v)) == 0) {
      free(a->line);
      a->line = app__sig_line(s);
    }
  }
  a->o->time = t;
  a->o->ok = 1;
out:
  ledger_note_free(n);
  buf_cleanup(&whole);
  buf_cleanup(&why);
  return rc == OK ? OK : ERR_VERIFY;
}

/* The first line of a refusal, for people (capped, control characters
 * dropped). */
static void
short_text(const struct buf *body, struct buf *out)
{
  for (size_t i = 0; i < body->len && i < 200 && body->data[i] != '\n'; i++)
    if ((unsigned char)body->data[i] >= ' ')
      buf_putc(out, body->data[i]);
}

/* One request from old; *retry_from set when the witness answers 409. */
static int
post(struct ask *a, const char *url, uint64_t old, uint64_t *retry_from)
{
  struct ledger_source src;
  struct app__http_answer ans;
  uint8_t *proof = NULL;
  struct buf body, why, said;
  size_t n = 0;
  int rc;

  *retry_from = UINT64_MAX;
  buf_init(&body);
  buf_init(&why);
  buf_init(&said);
  a->o->old = old;
  store_ledger_source(a->st, &src);
  rc = ledger_prove_consistency(&src, old, a->cp.size, &proof, &n);
  if (rc != OK) {
    failf(a, _("cannot prove the tree of %llu entries from %llu: %s"),
          (unsigned long long)a->cp.size, (unsigned long long)old,
          util_strerror(rc));
    goto out;
  }
  ledger_witness_format_request(old, proof, n, a->note, strlen(a->note), &body);
  rc = app__http_request(a->http, url, body.data, body.len, ANSWER_MAX, &ans,
                         &why);
  if (rc != OK) {
    failf(a, "%s", why.data ? why.data : _("no answer"));
    goto out;
  }
  a->o->status = ans.status;
  if (ans.status == 200) {
    rc = take_cosignature(a, &ans.body);
  } else if (ans.status == 409 &&
             ledger_witness_parse_size(ans.body.data ? ans.body.data : "",
                                       ans.body.len, retry_from) == OK) {
    failf(a, _("holds the tree of %llu entries, not %llu"),
          (unsigned long long)*retry_from, (unsigned long long)old);
    rc = ERR_CONFLICT;
  } else {
    short_text(&ans.body, &said);
    failf(a, _("refused (HTTP %ld)%s%s"), ans.status, said.len ? ": " : "",
          said.data ? said.data : "");
    rc = ERR_VERIFY;
  }
  app__http_answer_cleanup(&ans);
out:
  free(proof);
  buf_cleanup(&body);
  buf_cleanup(&why);
  buf_cleanup(&said);
  return rc;
}

/* Asks one witness; its outcome in a->o. */
static void
ask_witness(struct ask *a)
{
  const char *u = a->cw->url;
  size_t ul = strlen(u);
  uint64_t old = 0, again;
  struct buf msg;
  char *url;
  int rc;

  buf_init(&msg);
  while (ul > 0 && u[ul - 1] == '/')
    ul--;
  url = xasprintf("%.*s/add-checkpoint", (int)ul, u);
  rc = ledger_verifier_parse(a->cw->key, strlen(a->cw->key), &a->v, &msg);
  if (rc == OK && ledger_verifier_type(a->v) != LEDGER_KEY_COSIGNATURE)
    rc = ERR_INVALID;
  if (rc != OK) {
    failf(a,
          _("the corridor file's key for [witness %s] is not a cosignature "
            "verifier key%s%s"),
          a->cw->id, msg.len ? ": " : "", msg.data ? msg.data : "");
    goto out;
  }
  rc = store_witness_size(a->st, ledger_verifier_name(a->v),
                          ledger_verifier_key_hash(a->v), &old);
  if (rc == ERR_NOTFOUND)
    old = 0;
  if (old > a->cp.size) {
    failf(a,
          _("cosigned a tree of %llu entries, more than this log's %llu: "
            "the log lost entries"),
          (unsigned long long)old, (unsigned long long)a->cp.size);
    goto out;
  }
  rc = post(a, url, old, &again);
  if (rc == ERR_CONFLICT) {
    if (again > a->cp.size)
      failf(a,
            _("holds a tree of %llu entries, more than this log's %llu: "
              "this log lost entries, or another log of the same name "
              "was shown to it"),
            (unsigned long long)again, (unsigned long long)a->cp.size);
    else
      post(a, url, again, &again);
  }
out:
  free(url);
  buf_cleanup(&msg);
}

static int
parse_cp(const char *note, struct ledger_checkpoint *cp, struct app_error *err)
{
  struct ledger_note *n = NULL;
  const char *text;
  struct buf why;
  size_t len;
  int rc;

  buf_init(&why);
  rc = ledger_note_parse(note, strlen(note), &n, &why);
  if (rc == OK) {
    text = ledger_note_text(n, &len);
    rc = ledger_checkpoint_parse(text, len, cp, &why);
  }
  if (rc != OK)
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s",
              why.data ? why.data : "");
  ledger_note_free(n);
  buf_cleanup(&why);
  return rc;
}

/* Keeps the cosignatures gathered; the checkpoint itself is kept. */
static int
keep(struct store *st, const char *note, struct ask *asks, size_t n,
     struct app_error *err)
{
  struct store_cosignature *c = xcalloc(n ? n : 1, sizeof *c);
  size_t k = 0;
  int rc;

  for (size_t i = 0; i < n; i++)
    if (asks[i].o->ok && asks[i].line) {
      c[k].size = asks[i].cp.size;
      c[k].witness = ledger_verifier_name(asks[i].v);
      c[k].key_hash = ledger_verifier_key_hash(asks[i].v);
      c[k].time = asks[i].o->time;
      c[k].line = asks[i].line;
      k++;
    }
  rc = store_add_cosigned(st, note, strlen(note), c, k);
  if (rc != OK)
    app__fail(err, rc, APP_ERROR_PROGRAM, NULL,
              "cannot keep the cosignatures: %s", store_errmsg(st));
  free(c);
  return rc;
}

int
app_log_witness(struct app *app, const char *key,
                struct app_witness_result *out, struct app_error *err)
{
  const struct corridor *c;
  struct ask *asks = NULL;
  struct app__http *http = NULL;
  char *note = NULL;
  struct store *st;
  struct buf all;
  int rc;

  memset(out, 0, sizeof *out);
  buf_init(&all);
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  c = store_corridor(st);
  if (c->nwitnesses == 0)
    return app__fail(err, ERR_NOTFOUND, APP_ERROR_OPERATION, "witness",
                     "the corridor file lists no [witness NAME] section "
                     "(url = its submission prefix, key = its verifier key)");
  if ((rc = app__sign_tree(app, key, &note, err)) != OK)
    return rc;
  if ((http = app__http_new()) == NULL) {
    rc = app__fail(err, ERR_IO, APP_ERROR_PROGRAM, NULL, "%s",
                   app__http_failure());
    goto out;
  }
  c = store_corridor(st);
  out->w = xcalloc(c->nwitnesses, sizeof *out->w);
  out->n = c->nwitnesses;
  asks = xcalloc(c->nwitnesses, sizeof *asks);
  for (size_t i = 0; i < c->nwitnesses; i++) {
    asks[i].st = st;
    asks[i].http = http;
    asks[i].note = note;
    asks[i].cw = &c->witnesses[i];
    asks[i].o = &out->w[i];
    out->w[i].name = xstrdup(c->witnesses[i].id);
    if ((rc = parse_cp(note, &asks[i].cp, err)) != OK)
      goto out;
    ask_witness(&asks[i]);
    out->cosigned += out->w[i].ok;
  }
  if ((rc = keep(st, note, asks, c->nwitnesses, err)) != OK)
    goto out;
  if ((rc = app__cosigned(st, &all, &out->size, NULL)) != OK)
    app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
  else
    out->note = buf_take(&all);
out:
  for (size_t i = 0; asks && i < out->n; i++) {
    ledger_checkpoint_cleanup(&asks[i].cp);
    ledger_verifier_free(asks[i].v);
    free(asks[i].line);
  }
  free(asks);
  app__http_free(http);
  free(note);
  buf_cleanup(&all);
  return rc;
}

/* When the last gathering ran (one server process calls this). */
static pthread_mutex_t due_lock = PTHREAD_MUTEX_INITIALIZER;
static time_t due_last;

int
app_log_witness_due(struct app *app, const char *key, unsigned min_interval,
                    int *ran, struct app_witness_result *out,
                    struct app_error *err)
{
  struct store *st;
  struct buf note;
  uint64_t size = 0;
  size_t ncosig = 0;
  time_t now = time(NULL);
  int rc;

  *ran = 0;
  memset(out, 0, sizeof *out);
  if (min_interval == 0)
    min_interval = 60;
  if (pthread_mutex_trylock(&due_lock) != 0)
    return OK;
  if ((rc = app__store(app, 0, &st, err)) != OK)
    goto out;
  if (store_corridor(st)->nwitnesses == 0 ||
      (due_last != 0 && now - due_last < (time_t)min_interval))
    goto out;
  buf_init(&note);
  rc = app__cosigned(st, &note, &size, &ncosig);
  buf_cleanup(&note);
  /* Done when every witness cosigned the current tree; one that did not
   * answer is asked again at the next interval. */
  if (rc == OK && size == store_size(st) &&
      ncosig >= store_corridor(st)->nwitnesses)
    goto out;
  due_last = now;
  *ran = 1;
  rc = app_log_witness(app, key, out, err);
out:
  pthread_mutex_unlock(&due_lock);
  return rc == ERR_NOTFOUND && !*ran ? OK : rc;
}
