/*
 * Fuzzes the witness's POST /add-checkpoint body through the very function
 * its server calls, witness_add_checkpoint (its syntax through
 * ledger_witness_parse_request, the note, the log's signature, the
 * checkpoint, the consistency proof, the cosignature and the state file).
 * The witness trusts one log, "fuzz.example/log" (key seed 0x11 * 32, as
 * fuzz_ledger_note's), and holds its tree of 3 leaves (leaf i the hash of
 * "leaf i"); its state lives in a folder of this process's own and is put
 * back as it was after every input that moved it, so that each input is
 * judged against the same state.
 *
 * Besides crashes, leaks and UB it checks what witness.h promises: one of
 * the statuses the spec names (never 500: the state is writable and the
 * clock set), with a content type and a body ending in a newline; 409 says
 * the size held (3); 200's body is a cosignature line that verifies, with
 * the witness's key and at the time given, on the checkpoint sent.
 *
 * FUZZ_WITNESS_SEEDS=DIR makes the harness write its seed requests to DIR
 * (tests/fuzz/corpus/fuzz_witness_add/seed-*): the real requests a log
 * sends (passage log witness), made with the log's key.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ledger/ledger.h"
#include "witness/witness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ORIGIN "fuzz.example/log"
#define HELD 3
#define LEAVES 8
#define NOW 1700000000u

static void
fail(const char *what)
{
  fprintf(stderr, "fuzz_witness_add: %s\n", what);
  abort();
}

static uint8_t leaf[LEAVES][LEDGER_HASH_SIZE];

static int
src_leaves(void *ctx, uint64_t start, uint64_t n, uint8_t *out)
{
  (void)ctx;
  if (start + n > LEAVES)
    return ERR_NOTFOUND;
  memcpy(out, leaf[start], (size_t)n * LEDGER_HASH_SIZE);
  return OK;
}

static int
src_node(void *ctx, unsigned level, uint64_t index,
         uint8_t out[LEDGER_HASH_SIZE])
{
  (void)ctx, (void)level, (void)index, (void)out;
  return ERR_NOTFOUND; /* 8 leaves: never asked */
}

static const struct ledger_source src = {NULL, src_leaves, src_node};

static struct ledger_signer *
fixed_signer(const char *name, uint8_t fill)
{
  struct ledger_signer *s;
  uint8_t seed[LEDGER_SEED_SIZE];

  memset(seed, fill, sizeof seed);
  if (ledger_signer_from_seed(name, seed, &s, NULL) != OK)
    fail("no signer");
  return s;
}

static struct {
  char dir[64], state[96], key[96];
  struct ledger_signer *log, *witness;
  struct ledger_verifier *cosig; /* the witness's cosignature key */
  char *pristine;                /* the state file at HELD */
  size_t pristine_len;
  struct witness *w;
} fx;

static char *
read_all(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  struct buf b;
  char chunk[4096];
  size_t n;

  if (f == NULL)
    fail("cannot read the state");
  buf_init(&b);
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    buf_append(&b, chunk, n);
  fclose(f);
  *len = b.len;
  return buf_take(&b);
}

static void
remove_dir(void)
{
  witness_free(fx.w);
  unlink(fx.state);
  unlink(fx.key);
  rmdir(fx.dir);
  free(fx.pristine);
  ledger_signer_free(fx.log);
  ledger_signer_free(fx.witness);
  ledger_verifier_free(fx.cosig);
}

/* The add-checkpoint body for a checkpoint of size signed by s, with the
 * proof from old (its hashes, or n of them made up when bad). */
static void
request(const struct ledger_signer *s, const char *origin, uint64_t old,
        uint64_t size, int bad, struct buf *out)
{
  uint8_t root[LEDGER_HASH_SIZE], *proof = NULL;
  size_t n = 0;
  char *note = NULL;

  if (ledger_root(&src, size, root) != OK)
    fail("no root");
  if (old > 0 && old < size &&
      ledger_prove_consistency(&src, old, size, &proof, &n) != OK)
    fail("no proof");
  if (bad && n > 0)
    proof[0] ^= 1;
  if (ledger_checkpoint_format(origin, size, root, s, &note, NULL) != OK)
    fail("cannot sign a checkpoint");
  buf_reset(out);
  ledger_witness_format_request(old, proof, n, note, strlen(note), out);
  free(proof);
  free(note);
}

static void
setup(void)
{
  struct buf err, body;
  struct witness_answer a;
  char *logkey;
  const char *keys[1];
  int added = 0;

  for (int i = 0; i < LEAVES; i++) {
    char text[16];
    snprintf(text, sizeof text, "leaf %d", i);
    ledger_leaf_hash(text, strlen(text), leaf[i]);
  }
  snprintf(fx.dir, sizeof fx.dir, "/tmp/passage-fuzz-XXXXXX");
  if (mkdtemp(fx.dir) == NULL)
    fail("no temporary folder");
  snprintf(fx.state, sizeof fx.state, "%s/state.json", fx.dir);
  snprintf(fx.key, sizeof fx.key, "%s/witness.key", fx.dir);
  fx.log = fixed_signer(ORIGIN, 0x11);
  fx.witness = fixed_signer("fuzz.example/witness", 0x22);
  buf_init(&err);
  buf_init(&body);
  logkey = ledger_signer_verifier_key(fx.log, LEDGER_KEY_ED25519);
  keys[0] = logkey;
  {
    char *cosig =
        ledger_signer_verifier_key(fx.witness, LEDGER_KEY_COSIGNATURE);
    if (ledger_verifier_parse(cosig, strlen(cosig), &fx.cosig, &err) != OK)
      fail("no cosignature key");
    free(cosig);
  }
  if (ledger_signer_save(fx.witness, fx.key, &err) != OK ||
      witness_init(fx.state, ORIGIN, keys, 1, fx.key, &added, NULL, &err) !=
          OK ||
      witness_load(fx.state, &fx.w, &err) != OK)
    fail(err.data ? err.data : "cannot make the witness");
  free(logkey);
  atexit(remove_dir);
  /* The tree held: HELD leaves. */
  request(fx.log, ORIGIN, 0, HELD, 0, &body);
  witness_add_checkpoint(fx.w, body.data, body.len, NOW, &a);
  if (a.status != 200)
    fail("the witness does not take the first checkpoint");
  witness_answer_cleanup(&a);
  fx.pristine = read_all(fx.state, &fx.pristine_len);
  buf_cleanup(&body);
  buf_cleanup(&err);
}

/* Puts the state back at HELD. */
static void
restore(void)
{
  struct buf err;
  FILE *f = fopen(fx.state, "wb");

  if (f == NULL ||
      fwrite(fx.pristine, 1, fx.pristine_len, f) != fx.pristine_len ||
      fclose(f) != 0)
    fail("cannot put the state back");
  witness_free(fx.w);
  buf_init(&err);
  if (witness_load(fx.state, &fx.w, &err) != OK)
    fail("cannot load the state put back");
  buf_cleanup(&err);
}

static void
write_seed(const char *dir, const char *name, const struct buf *b)
{
  char path[512];
  FILE *f;

  snprintf(path, sizeof path, "%s/seed-%s", dir, name);
  if ((f = fopen(path, "wb")) == NULL ||
      fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0)
    fail("cannot write a seed");
}

static void
seeds(const char *dir)
{
  struct ledger_signer *other = fixed_signer(ORIGIN, 0x33);
  struct buf b;

  buf_init(&b);
  request(fx.log, ORIGIN, HELD, 5, 0, &b);
  write_seed(dir, "extend-3-5", &b);
  request(fx.log, ORIGIN, HELD, 8, 0, &b);
  write_seed(dir, "extend-3-8", &b);
  request(fx.log, ORIGIN, HELD, HELD, 0, &b);
  write_seed(dir, "same-3", &b);
  request(fx.log, ORIGIN, 0, 5, 0, &b);
  write_seed(dir, "old-0-conflict", &b);
  request(fx.log, ORIGIN, HELD, 2, 0, &b);
  write_seed(dir, "old-above-size", &b);
  request(fx.log, ORIGIN, HELD, 6, 1, &b);
  write_seed(dir, "bad-proof", &b);
  request(other, ORIGIN, HELD, 5, 0, &b);
  write_seed(dir, "other-key", &b);
  request(fx.log, "other.example/log", HELD, 5, 0, &b);
  write_seed(dir, "other-origin", &b);
  buf_cleanup(&b);
  ledger_signer_free(other);
}

/* 200: the line answered cosigns the checkpoint sent, with our key. */
static void
check_cosigned(const uint8_t *data, size_t size, const struct buf *line)
{
  struct ledger_witness_request r;
  struct ledger_note *n = NULL;
  struct buf note, err;
  uint64_t when = 0;

  buf_init(&note);
  buf_init(&err);
  if (ledger_witness_parse_request((const char *)data, size, &r, &err) != OK)
    fail("a request taken that does not parse");
  buf_append(&note, r.note, r.note_len);
  buf_append(&note, line->data, line->len);
  if (ledger_note_parse(note.data, note.len, &n, &err) != OK ||
      ledger_note_verify(n, fx.cosig, &when, &err) != OK || when != NOW)
    fail("a cosignature that does not verify on the checkpoint sent, or "
         "not of now");
  ledger_note_free(n);
  buf_cleanup(&note);
  buf_cleanup(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct witness_answer a;
  uint64_t held;

  if (fx.w == NULL) {
    const char *dir = getenv("FUZZ_WITNESS_SEEDS");
    setup();
    if (dir)
      seeds(dir);
  }
  witness_add_checkpoint(fx.w, (const char *)data, size, NOW, &a);
  if (a.content_type == NULL || a.body.len == 0 ||
      a.body.data[a.body.len - 1] != '\n')
    fail("an answer without a type or a body ending in a newline");
  switch (a.status) {
  case 200:
    check_cosigned(data, size, &a.body);
    restore();
    break;
  case 409:
    if (ledger_witness_parse_size(a.body.data, a.body.len, &held) != OK ||
        held != HELD)
      fail("409 without the size held");
    break;
  case 400:
  case 403:
  case 404:
  case 422:
    break;
  default:
    fail("a status the spec does not name, or 500");
  }
  witness_answer_cleanup(&a);
  return 0;
}
