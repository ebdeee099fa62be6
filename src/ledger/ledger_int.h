/*
 * ledger internals shared by merkle.c and note.c (and the module's unit
 * test, which checks the raw Ed25519 operations against RFC 8032).
 */
#ifndef PASSAGE_LEDGER_INT_H
#define PASSAGE_LEDGER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "ledger/ledger.h"

/* One piece of a message hashed in several parts. */
struct ledger__part {
  const void *data;
  size_t len;
};

/* out = SHA-256 of the concatenated parts, on the calling thread's reusable
 * context (see ledger_leaf_hash). */
void ledger__sha256(const struct ledger__part *parts, size_t nparts,
                    uint8_t out[LEDGER_HASH_SIZE]);

/* A raw Ed25519 signature by s over len bytes at msg. OK or ERR_CRYPTO. */
int ledger__sign(const struct ledger_signer *s, const void *msg, size_t len,
                 uint8_t sig[LEDGER_SIG_SIZE]);

/* OK when sig (sig_len bytes) is a valid Ed25519 signature by pub over
 * msg, else ERR_VERIFY. */
int ledger__verify(const uint8_t pub[LEDGER_PUBKEY_SIZE], const void *msg,
                   size_t len, const uint8_t *sig, size_t sig_len);

#endif
