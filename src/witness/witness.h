/*
 * witness: a C2SP transparency log witness (c2sp.org/tlog-witness), which
 * each party runs so that no one can be shown a different history of the
 * log from another. It trusts a few logs (an origin and the log's verifier
 * keys), keeps the latest checkpoint it cosigned of each in a state file,
 * and cosigns a new checkpoint (c2sp.org/tlog-cosignature, Ed25519
 * cosignature/v1) only when a consistency proof shows that it extends
 * that one. It needs no Passage store.
 *
 * The state file is JSON, rewritten whole on every change through a
 * temporary file, fsync, rename and a sync of its folder, before any
 * cosignature leaves the process: a witness killed at any moment comes
 * back with the last checkpoint it handed a cosignature for, or a later
 * one (never an earlier one, which would let a log fork it).
 *
 * docs/internals/witness.md says more.
 */
#ifndef PASSAGE_WITNESS_H
#define PASSAGE_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

struct witness;

/*
 * Loads the state at path and the key it names. Every log's checkpoint
 * must verify with one of that log's keys. Returns OK and a new witness in
 * *out, or ERR_NOTFOUND (no such file), ERR_IO, ERR_INVALID with a
 * message in err naming the file.
 */
int witness_load(const char *path, struct witness **out, struct buf *err);
void witness_free(struct witness *w);

/* The witness's cosignature verifier key text, a new string. */
char *witness_verifier(const struct witness *w);

/*
 * Makes the state at path for the witness key at key_path (stored as an
 * absolute path), or adds a log to an existing one. origin is the log's
 * checkpoint origin; log_keys its verifier keys (type 0x01 texts). An
 * existing state must name the same key (ERR_EXISTS otherwise: one key
 * serves one witness); an origin already trusted with other keys is
 * refused (ERR_EXISTS), with the same keys nothing changes (*added 0).
 * Errors (ERR_INVALID for a bad key or origin, ERR_IO) with a message in
 * err. *verifier (may be NULL) receives the witness's verifier key text.
 */
int witness_init(const char *path, const char *origin,
                 const char *const *log_keys, size_t nlog_keys,
                 const char *key_path, int *added, char **verifier,
                 struct buf *err);

/* An answer: its HTTP status, content type and body. */
struct witness_answer {
  int status;
  const char *content_type; /* static text */
  struct buf body;
};
void witness_answer_cleanup(struct witness_answer *a);

/*
 * POST /add-checkpoint with body (len bytes), as the spec decides it:
 * 400 for a malformed request or an old size above the checkpoint's, 404
 * for an origin it does not trust, 403 when no trusted key signed it (or
 * a trusted key's line fails), 409 with the size it holds (text/x.tlog.size)
 * when old is not that size, 422 for an empty tree with another root, a
 * proof where none may be, a proof that fails or a root that differs at
 * the same size; 200 with its cosignature line at time now (seconds,
 * >= 1) once the new checkpoint is durably in the state; 500 when it
 * cannot be written (the state is then as before). Thread-safe: checks
 * and the state's update run under one lock, so two requests never both
 * move from the same size. Always fills out.
 */
void witness_add_checkpoint(struct witness *w, const char *body, size_t len,
                            uint64_t now, struct witness_answer *out);

/*
 * GET /<origin hash>/checkpoint: the latest checkpoint cosigned of the log
 * whose origin's SHA-256 is that lowercase hex, with the log's signatures
 * the witness checked and its own cosignature (200, text/plain), or 404.
 */
void witness_get_checkpoint(struct witness *w, const char *origin_hash,
                            struct witness_answer *out);

/*
 * Serves w over HTTP at listen ("HOST:PORT", "[V6]:PORT", ":PORT") until
 * SIGINT or SIGTERM, then stops (requests in flight finish). ready, when
 * set, hears the port once listening. One line of JSON per request goes
 * to standard error. Returns OK, or ERR_USAGE / ERR_IO with a message.
 */
int witness_serve(struct witness *w, const char *listen,
                  void (*ready)(void *ctx, unsigned port), void *ctx,
                  struct buf *err);

#endif
