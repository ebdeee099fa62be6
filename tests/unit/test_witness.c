/*
 * The witness's decisions (c2sp.org/tlog-witness), without sockets: every
 * status the spec names for add-checkpoint, in its order, the state kept
 * across a reload, and the monitoring checkpoint. Trees are made here from
 * leaf hashes in memory and proved with the ledger's own functions, which
 * test_ledger checks against RFC 6962's vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ledger/ledger.h"
#include "witness/witness.h"

#define ORIGIN "passage.example/witness-test"
#define NOW 1790000000

struct fixture {
  char dir[64], state[128], key[128];
  struct ledger_signer *log, *other, *wkey;
  char *log_vkey;
  uint8_t leaves[40][LEDGER_HASH_SIZE]; /* tree A */
  uint8_t fork[40][LEDGER_HASH_SIZE];   /* tree B: A's first 2, then not */
  struct witness *w;
};

struct mem {
  const uint8_t (*h)[LEDGER_HASH_SIZE];
};

static int
mem_leaves(void *ctx, uint64_t start, uint64_t n, uint8_t *out)
{
  const struct mem *m = ctx;

  if (start + n > 40)
    return ERR_NOTFOUND;
  memcpy(out, m->h[start], n * LEDGER_HASH_SIZE);
  return OK;
}

static int
mem_node(void *ctx, unsigned level, uint64_t index, uint8_t *out)
{
  (void)ctx, (void)level, (void)index, (void)out;
  return ERR_NOTFOUND; /* trees of 40 leaves need no stored node */
}

static int
setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);
  struct buf err;
  int added;

  buf_init(&err);
  snprintf(fx->dir, sizeof fx->dir, "/tmp/passage-witness-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  snprintf(fx->state, sizeof fx->state, "%s/w.state", fx->dir);
  snprintf(fx->key, sizeof fx->key, "%s/w.key", fx->dir);
  assert_int_equal(ledger_signer_generate(ORIGIN, &fx->log, &err), OK);
  assert_int_equal(ledger_signer_generate(ORIGIN, &fx->other, &err), OK);
  assert_int_equal(ledger_signer_generate("witness.example/w", &fx->wkey, &err),
                   OK);
  assert_int_equal(ledger_signer_save(fx->wkey, fx->key, &err), OK);
  fx->log_vkey = ledger_signer_verifier_key(fx->log, LEDGER_KEY_ED25519);
  for (int i = 0; i < 40; i++) {
    char e[16];
    int n = snprintf(e, sizeof e, "a%d", i);
    ledger_leaf_hash(e, (size_t)n, fx->leaves[i]);
    n = snprintf(e, sizeof e, i < 2 ? "a%d" : "b%d", i);
    ledger_leaf_hash(e, (size_t)n, fx->fork[i]);
  }
  assert_int_equal(witness_init(fx->state, ORIGIN,
                                (const char *const *)&fx->log_vkey, 1, fx->key,
                                &added, NULL, &err),
                   OK);
  assert_int_equal(added, 1);
  assert_int_equal(witness_load(fx->state, &fx->w, &err), OK);
  buf_cleanup(&err);
  *state = fx;
  return 0;
}

static int
teardown(void **state)
{
  struct fixture *fx = *state;
  char cmd[128];

  witness_free(fx->w);
  ledger_signer_free(fx->log);
  ledger_signer_free(fx->other);
  ledger_signer_free(fx->wkey);
  free(fx->log_vkey);
  snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
  assert_int_equal(system(cmd), 0);
  free(fx);
  return 0;
}

/*
 * The body of a request: "old N", the consistency proof of tree t from
 * old to size (none when no_proof), the checkpoint of size signed by s
 * (with root, when given, instead of the tree's).
 */
static char *
request(const uint8_t (*t)[LEDGER_HASH_SIZE], uint64_t old, uint64_t size,
        const struct ledger_signer *s, const uint8_t *root, int no_proof)
{
  struct mem m = {t};
  struct ledger_source src = {&m, mem_leaves, mem_node};
  uint8_t r[LEDGER_HASH_SIZE], *proof = NULL;
  struct buf body, err;
  char *note = NULL;
  size_t n = 0;

  buf_init(&body);
  buf_init(&err);
  if (root)
    memcpy(r, root, sizeof r);
  else
    assert_int_equal(ledger_root(&src, size, r), OK);
  assert_int_equal(ledger_checkpoint_format(ORIGIN, size, r, s, &note, &err),
                   OK);
  if (!no_proof && old <= size)
    assert_int_equal(ledger_prove_consistency(&src, old, size, &proof, &n), OK);
  ledger_witness_format_request(old, proof, n, note, strlen(note), &body);
  free(proof);
  free(note);
  buf_cleanup(&err);
  return buf_take(&body);
}

/* Sends body; returns the status, the answer's body in *text (or NULL). */
static int
send(struct fixture *fx, char *body, char **text, const char **type)
{
  struct witness_answer a;
  int status;

  witness_add_checkpoint(fx->w, body, strlen(body), NOW, &a);
  status = a.status;
  if (type)
    *type = a.content_type;
  if (text)
    *text = a.body.data ? xstrdup(a.body.data) : xstrdup("");
  witness_answer_cleanup(&a);
  free(body);
  return status;
}

static int
status_of(struct fixture *fx, char *body)
{
  return send(fx, body, NULL, NULL);
}

static void
test_refusals_before_any(void **state)
{
  struct fixture *fx = *state;
  const uint8_t(*A)[LEDGER_HASH_SIZE] = fx->leaves;
  uint8_t zero[LEDGER_HASH_SIZE] = {0};
  struct buf body;
  const char *type;
  char *text;
  char *req;

  /* 400: not the protocol's body at all. */
  assert_int_equal(status_of(fx, xstrdup("hello\n")), 400);
  assert_int_equal(status_of(fx, xstrdup("old 0\n\nnot a note")), 400);
  /* 404: an origin it does not trust (the key is the log's, but the
   * origin line another's). */
  buf_init(&body);
  buf_puts(&body, "old 0\n\n");
  {
    char *note = NULL;
    struct buf err;
    buf_init(&err);
    assert_int_equal(ledger_checkpoint_format("other.example/log", 1, A[0],
                                              fx->log, &note, &err),
                     OK);
    buf_puts(&body, note);
    free(note);
    buf_cleanup(&err);
  }
  assert_int_equal(status_of(fx, buf_take(&body)), 404);
  /* 403: signed by a key of the same name that it does not trust. */
  assert_int_equal(status_of(fx, request(A, 0, 5, fx->other, NULL, 0)), 403);
  /* 403: the trusted key's line is there but does not verify. */
  req = request(A, 0, 5, fx->log, NULL, 0);
  {
    char *sig = strrchr(req, ' ') + 1; /* base64 of key hash || signature */
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
  }
  assert_int_equal(status_of(fx, req), 403);
  /* 400: old above the checkpoint's size. */
  assert_int_equal(status_of(fx, request(A, 6, 5, fx->log, NULL, 1)), 400);
  /* 409: it holds size 0, so "old 3" conflicts; the answer is its size. */
  assert_int_equal(send(fx, request(A, 3, 5, fx->log, NULL, 0), &text, &type),
                   409);
  assert_string_equal(text, "0\n");
  assert_string_equal(type, "text/x.tlog.size");
  free(text);
  /* 422: a tree of size 0 with a root that is not SHA-256(""). */
  assert_int_equal(status_of(fx, request(A, 0, 0, fx->log, zero, 1)), 422);
  /* 422: from size 0 a proof must be empty. */
  req = request(A, 0, 5, fx->log, NULL, 1);
  {
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "old 0\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n");
    buf_puts(&b, strstr(req, "\n\n") + 1);
    free(req);
    req = buf_take(&b);
  }
  assert_int_equal(status_of(fx, req), 422);
}

static void
test_extends_and_forks(void **state)
{
  struct fixture *fx = *state;
  const uint8_t(*A)[LEDGER_HASH_SIZE] = fx->leaves;
  const uint8_t(*B)[LEDGER_HASH_SIZE] = fx->fork;
  struct ledger_verifier *wv = NULL;
  struct ledger_note *note = NULL;
  struct witness_answer a;
  struct buf err, whole;
  char hash[65], *text, *vk;
  uint64_t t = 0;

  buf_init(&err);
  buf_init(&whole);
  /* 200 from nothing: the tree of 5, with a cosignature line at NOW. */
  assert_int_equal(send(fx, request(A, 0, 5, fx->log, NULL, 0), &text, NULL),
                   200);
  assert_true(strncmp(text, "\xe2\x80\x94 witness.example/w ", 22) == 0);
  vk = witness_verifier(fx->w);
  assert_int_equal(ledger_verifier_parse(vk, strlen(vk), &wv, &err), OK);
  free(vk);
  {
    char *cp = NULL;
    struct mem m = {A};
    struct ledger_source src = {&m, mem_leaves, mem_node};
    uint8_t r[LEDGER_HASH_SIZE];
    assert_int_equal(ledger_root(&src, 5, r), OK);
    assert_int_equal(ledger_checkpoint_format(ORIGIN, 5, r, fx->log, &cp, &err),
                     OK);
    buf_puts(&whole, cp);
    buf_puts(&whole, text);
    free(cp);
  }
  assert_int_equal(ledger_note_parse(whole.data, whole.len, &note, &err), OK);
  assert_int_equal(ledger_note_verify(note, wv, &t, &err), OK);
  assert_true(t == NOW);
  free(text);
  /* Again from 0 now conflicts: it holds 5. */
  assert_int_equal(send(fx, request(A, 0, 9, fx->log, NULL, 0), &text, NULL),
                   409);
  assert_string_equal(text, "5\n");
  free(text);
  /* A fork of the tree at 9 (B differs from leaf 2 on): its proof from 5
   * cannot verify against the root held. */
  assert_int_equal(status_of(fx, request(B, 5, 9, fx->log, NULL, 0)), 422);
  /* The same size with another root. */
  assert_int_equal(status_of(fx, request(A, 5, 5, fx->log, B[3], 1)), 422);
  /* The true extension: 200, and it holds 9 from now on. */
  assert_int_equal(status_of(fx, request(A, 5, 9, fx->log, NULL, 0)), 200);
  assert_int_equal(status_of(fx, request(A, 9, 9, fx->log, NULL, 0)), 200);
  assert_int_equal(send(fx, request(A, 5, 12, fx->log, NULL, 0), &text, NULL),
                   409);
  assert_string_equal(text, "9\n");
  free(text);
  /* Monitoring: the checkpoint of 9 with the log's line and its own. */
  ledger_origin_hash(ORIGIN, hash);
  witness_get_checkpoint(fx->w, hash, &a);
  assert_int_equal(a.status, 200);
  assert_non_null(strstr(a.body.data, "\n9\n"));
  ledger_note_free(note);
  note = NULL;
  assert_int_equal(ledger_note_parse(a.body.data, a.body.len, &note, &err), OK);
  assert_int_equal(ledger_note_nsigs(note), 2);
  assert_int_equal(ledger_note_verify(note, wv, &t, &err), OK);
  witness_answer_cleanup(&a);
  witness_get_checkpoint(fx->w, "00", &a);
  assert_int_equal(a.status, 404);
  witness_answer_cleanup(&a);
  /* A witness loaded again from its file holds 9, as one killed would. */
  witness_free(fx->w);
  fx->w = NULL;
  assert_int_equal(witness_load(fx->state, &fx->w, &err), OK);
  assert_int_equal(send(fx, request(A, 0, 12, fx->log, NULL, 0), &text, NULL),
                   409);
  assert_string_equal(text, "9\n");
  free(text);
  assert_int_equal(status_of(fx, request(A, 9, 40, fx->log, NULL, 0)), 200);
  ledger_note_free(note);
  ledger_verifier_free(wv);
  buf_cleanup(&err);
  buf_cleanup(&whole);
}

static void
test_init_rules(void **state)
{
  struct fixture *fx = *state;
  char *other = ledger_signer_verifier_key(fx->other, LEDGER_KEY_ED25519);
  char *cosig = ledger_signer_verifier_key(fx->log, LEDGER_KEY_COSIGNATURE);
  char key2[160];
  struct ledger_signer *k2 = NULL;
  struct buf err;
  int added = -1;

  buf_init(&err);
  /* The same log, the same key: nothing changes. */
  assert_int_equal(witness_init(fx->state, ORIGIN,
                                (const char *const *)&fx->log_vkey, 1, fx->key,
                                &added, NULL, &err),
                   OK);
  assert_int_equal(added, 0);
  /* The same origin with another key is refused. */
  assert_int_equal(witness_init(fx->state, ORIGIN, (const char *const *)&other,
                                1, fx->key, &added, NULL, &err),
                   ERR_EXISTS);
  /* A cosignature key is no log key. */
  buf_reset(&err);
  assert_int_equal(witness_init(fx->state, "b.example/log",
                                (const char *const *)&cosig, 1, fx->key, &added,
                                NULL, &err),
                   ERR_INVALID);
  /* Another witness key for the same state is refused: one key, one
   * witness. */
  snprintf(key2, sizeof key2, "%s/w2.key", fx->dir);
  assert_int_equal(ledger_signer_generate("witness.example/w2", &k2, &err), OK);
  assert_int_equal(ledger_signer_save(k2, key2, &err), OK);
  buf_reset(&err);
  assert_int_equal(witness_init(fx->state, "b.example/log",
                                (const char *const *)&fx->log_vkey, 1, key2,
                                &added, NULL, &err),
                   ERR_EXISTS);
  assert_non_null(strstr(err.data, "one key serves one witness"));
  ledger_signer_free(k2);
  free(other);
  free(cosig);
  buf_cleanup(&err);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_refusals_before_any, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_extends_and_forks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_init_rules, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
