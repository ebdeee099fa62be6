/* witness: what its files share. Private to src/witness. */
#ifndef PASSAGE_WITNESS_INT_H
#define PASSAGE_WITNESS_INT_H

#include <pthread.h>

#include "ledger/ledger.h"
#include "witness/witness.h"

/* A state file is small; anything larger is not one. */
#define WITNESS_STATE_MAX (16u << 20)
#define WITNESS_MAX_LOGS 1000
#define WITNESS_MAX_KEYS 16

/* A log the witness trusts. */
struct witness_log {
  char *origin;
  char origin_hash[65];
  struct ledger_verifier **keys; /* its signed-note verifier keys */
  char **key_texts;
  size_t nkeys;
  /* The latest checkpoint cosigned: size and root (0 and the empty root
   * before the first), and the note kept (NULL before the first). */
  uint64_t size;
  uint8_t root[LEDGER_HASH_SIZE];
  char *note;
};

struct witness {
  char *path;     /* the state file */
  char *key_path; /* the witness's private key */
  struct ledger_signer *signer;
  struct witness_log *logs;
  size_t nlogs;
  /* Checks and the state's update for add-checkpoint happen under it. */
  pthread_mutex_t lock;
};

/* state.c: writes w's state to its file: temporary file, fsync, rename,
 * folder fsync. OK or ERR_IO with a message in err. */
int witness__save(const struct witness *w, struct buf *err);
/* The log of that origin, or NULL. */
struct witness_log *witness__find(struct witness *w, const char *origin,
                                  size_t len);

#endif
