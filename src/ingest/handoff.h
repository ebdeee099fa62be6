/*
 * The hand-over between an import's two threads, private to ingest. The
 * reading thread parses, validates, canonicalises and hashes; what is then
 * left to do (store a record, report a rejected row, ...) it appends to a
 * batch as items, in the order a single thread would have done it. The
 * writing thread takes whole batches and carries their items out in that
 * order, so the store and every message see one sequence, as before.
 */
#ifndef PASSAGE_INGEST_HANDOFF_H
#define PASSAGE_INGEST_HANDOFF_H

#include <stddef.h>
#include <stdint.h>

#include "record/record.h"

enum item_type {
  ITEM_PUT,      /* store a record */
  ITEM_REJECT,   /* an invalid row: report it, keep it in the rejects */
  ITEM_ERROR,    /* a problem of the input as a whole: report it */
  ITEM_NOTE,     /* a name for the summary of unknown names */
  ITEM_IGNORED,  /* columns that map to no field: say so */
  ITEM_HEADER,   /* the header row of the rejects file */
  ITEM_PROGRESS, /* report how far the reading is */
  ITEM_GUESS,    /* say what was guessed about the input (text) */
  ITEM_HINT,     /* a cell an option would read: list the hint, n the
                    field, text the cell, flags what it shows */
};

/* Bytes in a batch's arena. An offset rather than a pointer, since the
 * arena moves as it grows. */
struct span {
  size_t off, len;
};

struct item {
  enum item_type type;
  unsigned long line;   /* where the row starts in its input */
  size_t row;           /* data rows read when it was made */
  struct span text;     /* PUT: canonical bytes; NOTE: the name; IGNORED: the
                           columns, each with its NUL; HEADER: the row */
  struct span raw;      /* PUT, REJECT: the row for the rejects file */
  struct span id;       /* PUT, REJECT: the record's id, when known */
  struct span problems; /* REJECT, ERROR: ingest__problems_pack() bytes */
  size_t n;             /* REJECT, ERROR: problems; IGNORED: columns */
  int list;             /* NOTE: which list of names */
  int created;          /* PUT: made by --create-missing */
  struct span rec;      /* PUT: the record, record_pack()ed */
  uint8_t hash[32];     /* PUT: its leaf hash */
  size_t done, total;   /* PROGRESS: bytes read of total */
  int final;            /* PROGRESS: the input is read to its end */
  unsigned flags;       /* HINT: SEEN_* */
};

struct batch {
  struct item *items;
  size_t n, cap;
  struct buf arena;
};

/* Appends an item of the given type, otherwise zero, and returns it; the
 * pointer is good until the next batch_add. */
struct item *batch_add(struct batch *b, enum item_type type);
/* Copies n bytes at p to the arena and says where they are. */
struct span batch_put(struct batch *b, const void *p, size_t n);
/* Copies the string s with its NUL, which the span does not count. */
struct span batch_puts(struct batch *b, const char *s);
/* The bytes of s; good until the arena grows. */
const char *batch_at(const struct batch *b, struct span s);
/* Packs r into the arena (record_pack) and says where it is. */
struct span batch_put_record(struct batch *b, const struct record *r);
/* Rebuilds in r the record packed at s (record_unpack): OK or
 * ERR_INVALID. */
int batch_get_record(const struct batch *b, struct span s, struct record *r);

/*
 * Carries out the items of a batch in order. Returns OK, or an error
 * (the store's: ERR_STORE, ERR_RETRY) after which no later batch is
 * carried out.
 */
typedef int (*handoff_fn)(void *ctx, const struct batch *b);

struct handoff;

/*
 * A hand-over to fn. Until handoff_run() says otherwise, fn runs on the
 * caller's thread whenever a batch is handed over.
 */
struct handoff *handoff_new(handoff_fn fn, void *ctx);
void handoff_free(struct handoff *h);

/*
 * Runs read(rctx), which fills batches, on a thread of its own while the
 * calling thread carries them out with fn, at most a few batches behind.
 * (The writer is the calling thread because SQLite, which it drives,
 * allocates much, and the main thread's heap grows more cheaply than a
 * new thread's.) Returns what read returned, once every batch it handed
 * over has been carried out. Without threads, read runs on this thread.
 */
int handoff_run(struct handoff *h, int (*read)(void *rctx), void *rctx);

/* The batch being filled; the reader's until it is handed over. */
struct batch *handoff_batch(struct handoff *h);
/*
 * Hands the batch over when it is full. Returns OK, or the error fn
 * returned for an earlier batch: then nothing more will be carried out,
 * and the reader should stop.
 */
int handoff_ready(struct handoff *h);
/*
 * Hands the batch over and waits until every batch has been carried out,
 * so that the reader may use what fn uses (the store, the messages) while
 * the writer waits. Returns OK or the error as handoff_ready does.
 */
int handoff_drain(struct handoff *h);

#endif
