/* Private to the store module's front (store.c, put.c, asof.c, audit.c,
 * rollup.c). */
#ifndef PASSAGE_STORE_INT_H
#define PASSAGE_STORE_INT_H

#include "corridor/corridor.h"
#include "store/backend.h"
#include "store/store.h"

/* One version of the corridor's rules (rules.c). */
struct store_version {
  int meta;           /* an older store's copy in meta, not in the log */
  uint64_t seq;       /* its entry, when logged */
  unsigned version;   /* its number: the entry's id; 0 for the meta copy */
  struct corridor *c; /* parsed when first needed */
  char **categories;  /* c's category ids, NULL-terminated */
  char **stages;      /* c's stages, NULL-terminated */
};

/* What a transaction needs per byte of the entries it appends, for the
 * space a full disk lacked (store.c): the store keeps about twice their
 * bytes (hashes, tree nodes, query rows, indexes, rollups: 18.1 MB for
 * 8.7 MB of entries in 40,000 flows), and the write-ahead log holds as
 * much again until it is folded into the file. */
#define STORE_BYTES_PER_BYTE 4

struct store {
  const struct store_backend *be;
  struct store_db *db;
  char *path; /* the location given to the backend, for messages */
  /* Every version of the corridor, oldest first; the latest is the one
   * in force at the handle's size, borrowed here. */
  struct store_version *versions;
  size_t nversions, capversions;
  const struct corridor *corridor;
  char **categories; /* the latest's category ids, NULL-terminated */
  char **stages;     /* the latest's stages, NULL-terminated */
  int tx_corridor;   /* the write transaction appended a version */
  uint64_t tx_bytes; /* the bytes of the entries it appended */
  struct buf err;
  uint64_t size;
  int in_tx;     /* between store_begin and store_commit/rollback */
  int tx_failed; /* ERR_RETRY: the backend lost the transaction */
  int reading;   /* the depth of store_read_begin */
  int read_tx;   /* the backend's read transaction is open */
  struct ledger_frontier *frontier;
  struct rollup *rollup;
  struct store_row row;      /* the row being written, reused */
  char *writer;              /* store_set_writer's name, or NULL */
  struct store_cells *cells; /* the kept day cells' state (cells.c) */
  int cells_due;             /* migrated from before the cells: build */
  size_t day_cache_bytes;    /* store_options' */
  size_t hold_bytes;         /* store_options', or STORE_HOLD_BYTES */
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

/* The corridor's versions (rules.c): read them all at open (the meta
 * copy, then every logged version, the latest parsed), or look for
 * versions logged since; free them. */
int store__load_versions(struct store *st);
int store__refresh_versions(struct store *st);
void store__versions_free(struct store *st);
/* The bytes of version n of c: the canonical JSON of {"record":
 * "corridor", "version": n, ...corridor_to_json(c)}. */
int store__corridor_bytes(const struct corridor *c, unsigned n,
                          struct buf *out);
/* Reads a corridor entry's bytes (of entry seq, for messages) back into a
 * new corridor and its version number, checking that they are the
 * canonical form of what they hold. ERR_INVALID with why in err. */
int store__corridor_parse(const char *bytes, size_t len, uint64_t seq,
                          unsigned *version, struct corridor **out,
                          struct buf *err);
/* OK with *key when meta holds a key of an older store's corridor copy, else
 * ERR_NOTFOUND (or a failure). */
int store__check_meta(struct store *st, const char **key);

/* Adds to the error of a full disk (ERR_NOSPACE) what the transaction needed
 * and what is free, once it is rolled back (store.c). */
void store__say_full(struct store *st);

void store__set_error(struct store *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* How stored entries are read back: with the corridor's categories, under
 * the rules they were stored by (record_ctx.stored), whatever input rules
 * came since. Valid until the handle's corridor changes (store_refresh). */
void store__stored_ctx(const struct store *st, struct record_ctx *ctx);

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

/*
 * Kept day cells (cells.c). store__cells_begin and store__cells_rollback
 * follow the write transaction; store__cells_touch notes the days a flow
 * or coverage record (entry seq) reaches: a new one (gone 0; a new flow is
 * kept as the builder reads it), or one it supersedes (gone 1);
 * store__cells_rules that the transaction appended a version of the
 * rules; store__cells_flush, just before commit, builds the touched days
 * again (every day, when the rules they depend on changed), and
 * store__cells_committed says the commit went through.
 * store__cells_build_all builds every day in a transaction of its own
 * (after a migration), unless meta names the rules kept days were built
 * with; store__cells_audit compares every kept day with
 * one built again (ERR_VERIFY and the message in store_errmsg).
 */
int store__cells_begin(struct store *st);
void store__cells_touch(struct store *st, const struct record *rec,
                        uint64_t seq, int gone);
void store__cells_rules(struct store *st, const struct corridor *c);
int store__cells_flush(struct store *st);
/* The transaction's own flows held for building its days past
 * st->hold_bytes: store__cells_spill builds the days touched so far, in
 * the transaction, and reads those flows back from the store from then
 * on. */
int store__cells_spill(struct store *st);
/* What a long write transaction (an import) holds for its commit written
 * out in the transaction once past st->hold_bytes, so that its memory does
 * not grow with its records: the rollups' rows (added to the stored ones),
 * and the flows of store__cells_spill. Called before a record is stored,
 * nothing of it half-written. */
int store__tx_spill(struct store *st);
void store__cells_committed(struct store *st);
void store__cells_rollback(struct store *st);
int store__cells_build_all(struct store *st);
int store__cells_audit(struct store *st);
void store__cells_free(struct store *st);

#endif
