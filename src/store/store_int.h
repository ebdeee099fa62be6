/* Private to the store module's front (store.c, put.c, asof.c, audit.c,
 * rollup.c). */
#ifndef PASSAGE_STORE_INT_H
#define PASSAGE_STORE_INT_H

#include "corridor/corridor.h"
#include "store/backend.h"
#include "store/store.h"

struct store {
  const struct store_backend *be;
  struct store_db *db;
  char *path; /* the location given to the backend, for messages */
  struct corridor *corridor;
  char *corridor_text; /* as stored in meta, to see it change */
  char **categories;   /* the corridor's category ids, NULL-terminated */
  char **stages;       /* the corridor's stages, NULL-terminated */
  struct buf err;
  uint64_t size;
  int in_tx;     /* between store_begin and store_commit/rollback */
  int tx_failed; /* ERR_RETRY: the backend lost the transaction */
  int reading;   /* the depth of store_read_begin */
  int read_tx;   /* the backend's read transaction is open */
  struct ledger_frontier *frontier;
  struct rollup *rollup;
  struct store_row row; /* the row being written, reused */
  char *writer;         /* store_set_writer's name, or NULL */
};

/*
 * Daily flow rollups accumulated in memory during a transaction and added to
 * the rollup table at commit, so that a bulk import costs one upsert per
 * (day, dimensions) rather than one per record.
 */
struct rollup;

struct rollup *rollup_new(void);
void rollup_free(struct rollup *ru);
void rollup_clear(struct rollup *ru);
/* Adds sign times the record's contributions, spread over its local days
 * in corridor c's time zone. */
void rollup_add_record(struct rollup *ru, const struct record *rec, int sign,
                       const struct corridor *c);
/* Calls fn for each accumulated row. */
int rollup_each(struct rollup *ru,
                int (*fn)(void *ctx, const struct flow_row *row), void *ctx);
/* The same in the order of the rollup table's key, in which a B-tree adds
 * rows fastest: at the end of the table, rather than all over it. */
int rollup_each_sorted(struct rollup *ru,
                       int (*fn)(void *ctx, const struct flow_row *row),
                       void *ctx);
size_t rollup_count(const struct rollup *ru);
/* Adds sign times a row's sums under its key (for comparing rollups). */
void rollup_add_row(struct rollup *ru, const struct flow_row *row, int sign);

void store__set_error(struct store *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * What a backend operation's failure means for the write transaction:
 * ERR_RETRY rolls it back at once (the backend has lost it) and marks it
 * failed, so that later writes and store_commit return ERR_RETRY too.
 * Returns rc.
 */
int store__tx_error(struct store *st, int rc);

/*
 * Fills row with the query row of rec as entry seq: its stored fields, time
 * bounds in the corridor's local seconds, cargo lines with tonnes. The
 * writer stores it; the auditor compares it with what is stored.
 */
void store__row_from_record(const struct record *rec, uint64_t seq,
                            const struct corridor *c, struct store_row *row);

/*
 * The kind of the record that rec's supersedes names: its own, but for a
 * withdrawal the kind it names (-1 when that is no kind, or a withdrawal:
 * a withdrawal is never withdrawn).
 */
int store__target_kind(const struct record *rec);

#endif
