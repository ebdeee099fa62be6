/*
 * Feeds arbitrary bytes to every ledger parser that reads outside input:
 * signed notes (and the checks run on a parsed one), checkpoint bodies,
 * verifier keys and private key texts. Nothing may crash or leak, and a
 * note we cosign must parse and verify again. The bytes are also signed
 * as a note's text: what we sign must read back as it was and verify with
 * our key alone.
 *
 * The keys are fixed so that the seed corpus can hold notes that really
 * are signed by them, which lets mutations reach the signature checks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The log key "fuzz.example/log" has seed 0x11 * 32, the witness
 * "fuzz.example/witness" seed 0x22 * 32. */
static struct ledger_signer *
fixed_signer(const char *name, uint8_t fill)
{
  struct ledger_signer *s;
  uint8_t seed[LEDGER_SEED_SIZE];

  memset(seed, fill, sizeof seed);
  if (ledger_signer_from_seed(name, seed, &s, NULL) != OK)
    abort();
  return s;
}

static struct ledger_verifier *
verifier_of(const struct ledger_signer *s, enum ledger_key_type type)
{
  struct ledger_verifier *v;
  uint8_t pub[LEDGER_PUBKEY_SIZE];

  ledger_signer_public_key(s, pub);
  if (ledger_verifier_new(ledger_signer_name(s), type, pub, &v, NULL) != OK)
    abort();
  return v;
}

static void
check_note(const char *msg, size_t len, struct ledger_signer *witness,
           struct ledger_verifier *vlog, struct ledger_verifier *vwit,
           struct buf *err)
{
  struct ledger_note *n, *again;
  struct ledger_checkpoint cp;
  const char *text;
  size_t text_len;
  uint64_t t;
  char *cosigned;

  if (ledger_note_parse(msg, len, &n, err) != OK)
    return;
  text = ledger_note_text(n, &text_len);
  for (size_t i = 0; i < ledger_note_nsigs(n); i++)
    (void)ledger_cosignature_time(ledger_note_sig(n, i), &t);
  (void)ledger_note_verify(n, vlog, &t, err);
  (void)ledger_note_verify(n, vwit, &t, err);
  if (ledger_checkpoint_parse(text, text_len, &cp, err) == OK)
    ledger_checkpoint_cleanup(&cp);

  if (ledger_cosign_note(msg, len, witness, 1700000000, &cosigned, err) == OK) {
    if (ledger_note_parse(cosigned, strlen(cosigned), &again, err) != OK ||
        ledger_note_verify(again, vwit, &t, err) != OK || t != 1700000000) {
      fprintf(stderr, "fuzz_ledger_note: a cosigned note does not verify\n");
      abort();
    }
    ledger_note_free(again);
    free(cosigned);
  }
  ledger_note_free(n);
}

/*
 * The bytes as a note's text: if the log's key signs them, the note must
 * parse and verify with the log's key (and only its), and its text come
 * back unchanged; a witness's cosignature must verify too.
 */
static void
check_signed(const char *text, size_t len, struct ledger_signer *log,
             struct ledger_signer *witness, struct ledger_verifier *vlog,
             struct ledger_verifier *vwit, struct buf *err)
{
  struct ledger_note *n;
  const char *back;
  size_t back_len;
  uint64_t t;
  char *note = NULL, *cosigned = NULL;

  if (ledger_sign_note(text, len, log, &note, err) != OK)
    return;
  if (ledger_note_parse(note, strlen(note), &n, err) != OK ||
      ledger_note_verify(n, vlog, &t, err) != OK) {
    fprintf(stderr, "fuzz_ledger_note: a note we signed does not verify\n");
    abort();
  }
  back = ledger_note_text(n, &back_len);
  if (back_len != len || memcmp(back, text, len) != 0 ||
      ledger_note_verify(n, vwit, &t, err) == OK) {
    fprintf(stderr, "fuzz_ledger_note: a signed note changed, or verifies "
                    "with another key\n");
    abort();
  }
  ledger_note_free(n);
  (void)ledger_cosign_note(note, strlen(note), witness, 1700000000, &cosigned,
                           err);
  free(cosigned);
  free(note);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct ledger_signer *log = fixed_signer("fuzz.example/log", 0x11);
  struct ledger_signer *witness = fixed_signer("fuzz.example/witness", 0x22);
  struct ledger_verifier *vlog = verifier_of(log, LEDGER_KEY_ED25519);
  struct ledger_verifier *vwit = verifier_of(witness, LEDGER_KEY_COSIGNATURE);
  struct ledger_verifier *v;
  struct ledger_signer *s;
  struct ledger_checkpoint cp;
  const char *msg = (const char *)data;
  struct buf err;

  buf_init(&err);
  check_note(msg, size, witness, vlog, vwit, &err);
  buf_reset(&err);
  check_signed(msg, size, log, witness, vlog, vwit, &err);
  buf_reset(&err);
  if (ledger_checkpoint_parse(msg, size, &cp, &err) == OK)
    ledger_checkpoint_cleanup(&cp);
  buf_reset(&err);
  if (ledger_verifier_parse(msg, size, &v, &err) == OK) {
    char *text = ledger_verifier_format(v);

    free(text);
    ledger_verifier_free(v);
  }
  buf_reset(&err);
  if (ledger_signer_parse(msg, size, &s, &err) == OK)
    ledger_signer_free(s);

  buf_cleanup(&err);
  ledger_verifier_free(vlog);
  ledger_verifier_free(vwit);
  ledger_signer_free(log);
  ledger_signer_free(witness);
  return 0;
}
