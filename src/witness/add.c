/*
 * add-checkpoint, decided as c2sp.org/tlog-witness says, in its order:
 * the request's syntax (400), the origin (404), the log's signature (403),
 * the old size against the checkpoint's (400) and against the size held
 * (409), then the tree (422), and only then a cosignature, after the new
 * checkpoint is durably the one held. The checks from 409 on and the
 * update run under the witness's lock, so that two requests can never
 * both extend the same size and the second roll back the first (the race
 * the spec describes).
 */
#include "witness/witness.h"
#include "witness/witness_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char type_text[] = "text/plain; charset=utf-8";
static const char type_size[] = "text/x.tlog.size";

void
witness_answer_cleanup(struct witness_answer *a)
{
  if (a == NULL)
    return;
  buf_cleanup(&a->body);
  memset(a, 0, sizeof *a);
}

static void answer(struct witness_answer *a, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
answer(struct witness_answer *a, int status, const char *fmt, ...)
{
  va_list ap;

  a->status = status;
  a->content_type = type_text;
  buf_reset(&a->body);
  va_start(ap, fmt);
  buf_vprintf(&a->body, fmt, ap);
  va_end(ap);
  buf_putc(&a->body, '\n');
}

/* The signature line of sig, as a note carries it. */
static void
put_line(struct buf *b, const struct ledger_note_sig *sig)
{
  uint8_t *raw = xmalloc(4 + sig->sig_len);

  raw[0] = (uint8_t)(sig->key_hash >> 24);
  raw[1] = (uint8_t)(sig->key_hash >> 16);
  raw[2] = (uint8_t)(sig->key_hash >> 8);
  raw[3] = (uint8_t)sig->key_hash;
  memcpy(raw + 4, sig->sig, sig->sig_len);
  buf_printf(b, "\xe2\x80\x94 %s ", sig->name);
  util_base64_encode(b, raw, 4 + sig->sig_len);
  buf_putc(b, '\n');
  free(raw);
}

static int
is_log_key(const struct witness_log *l, const struct ledger_note_sig *s)
{
  for (size_t i = 0; i < l->nkeys; i++)
    if (ledger_verifier_key_hash(l->keys[i]) == s->key_hash &&
        strcmp(ledger_verifier_name(l->keys[i]), s->name) == 0)
      return 1;
  return 0;
}

/* What a request carries, once read. */
struct req {
  struct ledger_witness_request r;
  struct ledger_note *note;
  struct ledger_checkpoint cp;
  struct witness_log *log;
};

/* 404 and 403: the origin is trusted and one of its keys signed. */
static int
check_signature(struct witness *w, struct req *q, struct witness_answer *a)
{
  size_t tlen, olen;
  const char *text = ledger_note_text(q->note, &tlen), *nl;
  struct buf why;
  int verified = 0, rc = OK;

  nl = memchr(text, '\n', tlen);
  olen = nl ? (size_t)(nl - text) : tlen;
  q->log = witness__find(w, text, olen);
  if (q->log == NULL) {
    answer(a, 404, "unknown log origin");
    return ERR_NOTFOUND;
  }
  buf_init(&why);
  for (size_t i = 0; i < q->log->nkeys && rc == OK; i++) {
    int r = ledger_note_verify(q->note, q->log->keys[i], NULL, &why);
    if (r == OK)
      verified = 1;
    else if (r != ERR_NOTFOUND)
      rc = r;
  }
  if (rc != OK)
    answer(a, 403, "a signature by the log's key does not verify");
  else if (!verified)
    answer(a, 403, "no signature by a key trusted for this log");
  buf_cleanup(&why);
  return rc != OK || !verified ? ERR_VERIFY : OK;
}

/* From the lock on: 409 and 422 against what the witness holds. */
static int
check_tree(const struct witness_log *l, const struct req *q,
           struct witness_answer *a)
{
  uint8_t empty[LEDGER_HASH_SIZE];

  if (q->r.old_size != l->size) {
    a->status = 409;
    a->content_type = type_size;
    buf_reset(&a->body);
    buf_printf(&a->body, "%" PRIu64 "\n", l->size);
    return ERR_CONFLICT;
  }
  ledger_empty_root(empty);
  if (q->cp.size == 0 && memcmp(q->cp.root, empty, LEDGER_HASH_SIZE) != 0) {
    answer(a, 422, "a tree of size 0 must have the empty tree's root");
    return ERR_VERIFY;
  }
  if (q->r.old_size == 0 && q->r.nproof > 0) {
    answer(a, 422, "from size 0 the consistency proof must be empty");
    return ERR_VERIFY;
  }
  if (q->r.old_size == q->cp.size &&
      memcmp(q->cp.root, l->root, LEDGER_HASH_SIZE) != 0) {
    answer(a, 422, "the root differs from the one cosigned at this size");
    return ERR_VERIFY;
  }
  if (ledger_verify_consistency(q->r.old_size, q->cp.size, l->root, q->cp.root,
                                q->r.proof[0], q->r.nproof) != OK) {
    answer(a, 422, "the consistency proof does not verify");
    return ERR_VERIFY;
  }
  return OK;
}

/*
 * Cosigns, makes the note to keep (the body, the log's signature lines
 * and the cosignature) and the line to answer with.
 */
static int
cosign(struct witness *w, const struct req *q, uint64_t now, char **keep,
       struct buf *line, struct witness_answer *a)
{
  uint32_t mine = ledger_signer_key_hash(w->signer, LEDGER_KEY_COSIGNATURE);
  const char *name = ledger_signer_name(w->signer);
  struct ledger_note *n = NULL;
  struct buf b, why;
  char *cosigned = NULL;
  size_t tlen;
  const char *text = ledger_note_text(q->note, &tlen);
  int rc;

  buf_init(&b);
  buf_init(&why);
  rc = ledger_cosign_note(q->r.note, q->r.note_len, w->signer, now, &cosigned,
                          &why);
  if (rc == OK)
    rc = ledger_note_parse(cosigned, strlen(cosigned), &n, &why);
  if (rc != OK) {
    answer(a, 500, "cannot cosign: %s", why.data ? why.data : "");
    goto out;
  }
  buf_append(&b, text, tlen);
  buf_putc(&b, '\n');
  for (size_t i = 0; i < ledger_note_nsigs(n); i++) {
    const struct ledger_note_sig *s = ledger_note_sig(n, i);
    if (s->key_hash == mine && strcmp(s->name, name) == 0)
      put_line(line, s);
    else if (is_log_key(q->log, s))
      put_line(&b, s);
  }
  buf_append(&b, line->data, line->len);
  *keep = buf_take(&b);
out:
  ledger_note_free(n);
  free(cosigned);
  buf_cleanup(&b);
  buf_cleanup(&why);
  return rc;
}

/* Under the lock: the checks against the state, the cosignature, the new
 * state written, the answer. */
static void
extend(struct witness *w, struct req *q, uint64_t now, struct witness_answer *a)
{
  struct witness_log *l = q->log;
  struct witness_log was = *l;
  struct buf line, why;
  char *keep = NULL;

  buf_init(&line);
  buf_init(&why);
  if (check_tree(l, q, a) != OK || cosign(w, q, now, &keep, &line, a) != OK)
    goto out;
  l->size = q->cp.size;
  memcpy(l->root, q->cp.root, LEDGER_HASH_SIZE);
  l->note = keep;
  if (witness__save(w, &why) != OK) {
    /* Not durable: nothing is handed out, and the state stays. */
    l->size = was.size;
    memcpy(l->root, was.root, LEDGER_HASH_SIZE);
    l->note = was.note;
    free(keep);
    answer(a, 500, "cannot keep the state: %s", why.data ? why.data : "");
    goto out;
  }
  free(was.note);
  a->status = 200;
  a->content_type = type_text;
  buf_reset(&a->body);
  buf_append(&a->body, line.data, line.len);
out:
  buf_cleanup(&line);
  buf_cleanup(&why);
}

void
witness_add_checkpoint(struct witness *w, const char *body, size_t len,
                       uint64_t now, struct witness_answer *a)
{
  struct req q;
  const char *text;
  struct buf why;
  size_t tlen;

  memset(a, 0, sizeof *a);
  memset(&q, 0, sizeof q);
  buf_init(&a->body);
  buf_init(&why);
  if (ledger_witness_parse_request(body, len, &q.r, &why) != OK ||
      ledger_note_parse(q.r.note, q.r.note_len, &q.note, &why) != OK) {
    answer(a, 400, "bad request: %s", why.data ? why.data : "");
    goto out;
  }
  if (check_signature(w, &q, a) != OK)
    goto out;
  text = ledger_note_text(q.note, &tlen);
  if (ledger_checkpoint_parse(text, tlen, &q.cp, &why) != OK) {
    answer(a, 400, "bad checkpoint: %s", why.data ? why.data : "");
    goto out;
  }
  if (q.r.old_size > q.cp.size) {
    answer(a, 400, "the old size is larger than the checkpoint's");
    goto out;
  }
  if (now == 0) {
    answer(a, 500, "the clock reads 1970");
    goto out;
  }
  pthread_mutex_lock(&w->lock);
  extend(w, &q, now, a);
  pthread_mutex_unlock(&w->lock);
out:
  ledger_checkpoint_cleanup(&q.cp);
  ledger_note_free(q.note);
  buf_cleanup(&why);
}

void
witness_get_checkpoint(struct witness *w, const char *origin_hash,
                       struct witness_answer *a)
{
  memset(a, 0, sizeof *a);
  buf_init(&a->body);
  pthread_mutex_lock(&w->lock);
  for (size_t i = 0; i < w->nlogs; i++)
    if (strcmp(w->logs[i].origin_hash, origin_hash) == 0 && w->logs[i].note) {
      a->status = 200;
      a->content_type = type_text;
      buf_puts(&a->body, w->logs[i].note);
      break;
    }
  pthread_mutex_unlock(&w->lock);
  if (a->status == 0)
    answer(a, 404, "no checkpoint cosigned for this log");
}
