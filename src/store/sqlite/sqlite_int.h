/*
 * Private to the SQLite backend (src/store/sqlite/). Tables:
 *   meta(key, value)                  corridor file, schema facts
 *   entry(seq, kind, id, hash, bytes) the ledger; insert-only
 *   node(level, idx, hash)            Merkle perfect-subtree hashes
 *   supersede(kind, id, by_seq)       which records a later one corrects
 *   <kind>(seq, fields...)            one query table per record kind
 *   flow_cargo(seq, line, ...)        the cargo lines of flows
 *   flow_day(day, dims..., sums)      daily rollups of live flows
 *   token(name, hash, role, ...)      the server's tokens (schema 3)
 *   writer(seq, name)                 the token that wrote an entry (3)
 *   checkpoint_note(size, note)       signed checkpoints (schema 4)
 *   cosignature(size, witness, ...)   witnesses' cosignatures of them
 * Schema version in PRAGMA user_version.
 */
#ifndef PASSAGE_STORE_SQLITE_INT_H
#define PASSAGE_STORE_SQLITE_INT_H

#include "store/backend.h"
#include "store/sqlite/sqlite_tree.h"

struct store_db {
  sqlite3 *db;
  struct buf *err;  /* the front's, for every failure's text */
  char *path;       /* the file, for messages */
  unsigned busy_ms; /* how long a writer waits for the lock */
  int full;         /* a write found the disk full: give the WAL back */
  struct store_sqlite_tree tree;
  /* Statements prepared on first use and kept until close. */
  sqlite3_stmt *size, *ins_entry, *get_entry, *ins_cargo, *get_cargo;
  sqlite3_stmt *ins_kind[KIND_COUNT], *get_kind[KIND_COUNT];
  sqlite3_stmt *ins_supersede, *get_supersede, *add_flow_day;
  sqlite3_stmt *ins_writer;    /* tokens.c */
  sqlite3_stmt *cells_stmt[6]; /* cells.c */
  /* What get_entry and get_row hand out, copied so that their statements
   * are reset at once (a statement left stepping holds a read transaction
   * open, and a long-lived reader would see nothing new). */
  struct buf entry_copy, row_copy;
  uint8_t entry_hash[32];
};

/* The rollup table's measure columns: the measures, then their counts. */
extern const char *const store_sqlite__measure_columns[M_ALL];

/* Writes "what: SQLite's message" to the error buffer; returns ERR_RETRY
 * for a lock not granted (SQLITE_BUSY, SQLITE_LOCKED), ERR_NOSPACE for a
 * full disk (SQLITE_FULL), else ERR_STORE: store_sqlite__code's mapping of
 * a result code. */
int store_sqlite__code(int code);
int store_sqlite__fail(struct store_db *d, const char *what);
/*
 * A locked store or a full disk (code: SQLite's primary result code), in
 * words that say what to do (trouble.c): ERR_RETRY naming who holds the
 * lock (store_sqlite__holder), ERR_NOSPACE with the path and the space left;
 * 0 for any other code, whose message is the caller's.
 */
int store_sqlite__trouble(struct store_db *d, const char *what, int code);
/* Appends who holds the write lock of the store at path, as far as can be
 * known: "another import (pid 4242: passage import flow big.csv)". */
void store_sqlite__holder(const char *path, struct buf *out);
/* Runs SQL text; a failure's message is SQLite's alone. */
int store_sqlite__exec(struct store_db *d, const char *sql);
/* Prepares sql into *s once (nothing when *s is set already); what is
 * the untranslated words (N_) said on failure, translated only then. */
int store_sqlite__prepare(struct store_db *d, sqlite3_stmt **s, const char *sql,
                          const char *what);
/* Binds uint64_t values that SQLite keeps as signed 64-bit integers. */
sqlite3_int64 store_sqlite__i64(uint64_t v);

/* The query tables' DDL, generated from the record kinds' fields. */
void store_sqlite__kind_ddl(struct buf *b, const struct kind_desc *k);
/* The rollup table's DDL. */
void store_sqlite__flow_day_ddl(struct buf *b);
/* Finalizes the statements of rows.c and entries.c. */
void store_sqlite__finalize(struct store_db *d);

/* The operations, as struct store_backend lists them (backend.h). */
int store_sqlite__size(struct store_db *d, uint64_t *size);
int store_sqlite__put_entry(struct store_db *d, const struct store_entry *e);
int store_sqlite__get_entry(struct store_db *d, enum record_kind kind,
                            const char *id, struct store_entry *out);
int store_sqlite__each_entry(struct store_db *d, int kind, uint64_t start,
                             uint64_t end,
                             int (*fn)(void *ctx, const struct store_entry *e),
                             void *ctx);
int store_sqlite__each_live(struct store_db *d, enum record_kind kind,
                            uint64_t as_of,
                            int (*fn)(void *ctx, const struct store_entry *e),
                            void *ctx);
int
store_sqlite__each_live_row(struct store_db *d, enum record_kind kind,
                            uint64_t as_of, const struct store_row_filter *f,
                            int (*fn)(void *ctx, const struct store_row *row),
                            void *ctx);
int store_sqlite__each_value(struct store_db *d, enum record_kind kind,
                             const char *field,
                             int (*fn)(void *ctx, const char *value),
                             void *ctx);
int store_sqlite__each_flow_checkpoint(struct store_db *d,
                                       int (*fn)(void *ctx, const char *cp),
                                       void *ctx);
int store_sqlite__each_changed_span(
    struct store_db *d, uint64_t from, uint64_t to,
    int (*fn)(void *ctx, int target, int64_t begin, int64_t finish), void *ctx);
int store_sqlite__each_flow_overlap(struct store_db *d, const char *checkpoint,
                                    int64_t from, int64_t to, uint64_t as_of,
                                    int (*fn)(void *ctx,
                                              const struct store_entry *e),
                                    void *ctx);
int store_sqlite__leaves(struct store_db *d, uint64_t start, uint64_t n,
                         uint8_t *out);
int store_sqlite__put_node(struct store_db *d, unsigned level, uint64_t index,
                           const uint8_t hash[32]);
int store_sqlite__get_node(struct store_db *d, unsigned level, uint64_t index,
                           uint8_t out[32]);
int store_sqlite__put_supersede(struct store_db *d, enum record_kind kind,
                                const char *id, uint64_t by_seq);
int store_sqlite__get_supersede(struct store_db *d, enum record_kind kind,
                                const char *id, uint64_t *by_seq);
int store_sqlite__put_row(struct store_db *d, const struct store_row *row);
int store_sqlite__get_row(struct store_db *d, enum record_kind kind,
                          uint64_t seq, struct store_row *out);
int store_sqlite__each_cargo(struct store_db *d, uint64_t seq,
                             int (*fn)(void *ctx, uint64_t line,
                                       const struct store_cargo *c),
                             void *ctx);
int store_sqlite__each_name(struct store_db *d, enum record_kind kind,
                            int (*fn)(void *ctx, const char *id,
                                      const char *name),
                            void *ctx);
int store_sqlite__add_flow_day(struct store_db *d, const struct flow_row *row);
int store_sqlite__each_flow_day(
    struct store_db *d, int64_t from_day, int64_t to_day,
    int (*fn)(void *ctx, const struct flow_row *row), void *ctx);
int store_sqlite__flow_day_span(struct store_db *d, int64_t *first,
                                int64_t *last);
int store_sqlite__count(struct store_db *d, enum store_table table,
                        enum record_kind kind, uint64_t *n);
int store_sqlite__uses(struct store_db *d, enum record_kind kind, size_t fi,
                       const char *value, uint64_t *seq);

/* tokens.c: schema 3's tables, and their operations. */
extern const char store_sqlite__ddl_tokens[];
int store_sqlite__put_token(struct store_db *d, const struct store_token *t);
int store_sqlite__find_token(struct store_db *d, const uint8_t hash[32],
                             struct store_token *out);
int store_sqlite__each_token(struct store_db *d,
                             int (*fn)(void *ctx, const struct store_token *t),
                             void *ctx);
int store_sqlite__revoke_token(struct store_db *d, const char *name,
                               int64_t when);
int store_sqlite__put_writer(struct store_db *d, uint64_t seq,
                             const char *name);
int store_sqlite__get_writer(struct store_db *d, uint64_t seq, char **out);
int store_sqlite__each_writer(struct store_db *d,
                              int (*fn)(void *ctx, uint64_t seq,
                                        const char *name),
                              void *ctx);
/* cells.c: schema 7's day cells and their dictionary (backend.h). */
extern const char store_sqlite__ddl_cells[];
int store_sqlite__replace_meta(struct store_db *d, const char *key,
                               const char *value);
int store_sqlite__put_code(struct store_db *d, uint32_t code, const char *text);
int store_sqlite__each_code(struct store_db *d, uint32_t from,
                            int (*fn)(void *ctx, uint32_t code,
                                      const char *text),
                            void *ctx);
int store_sqlite__put_cells(struct store_db *d, int64_t day,
                            uint32_t checkpoint, const void *bytes, size_t len);
int store_sqlite__clear_cells(struct store_db *d);
int store_sqlite__each_cells(struct store_db *d, int64_t from, int64_t to,
                             int (*fn)(void *ctx, int64_t day,
                                       uint32_t checkpoint, const void *bytes,
                                       size_t len),
                             void *ctx);
int store_sqlite__each_flow_near(
    struct store_db *d, const char *checkpoint, int64_t lo, int64_t from,
    int64_t to, uint64_t as_of,
    int (*fn)(void *ctx, const struct store_entry *e), void *ctx);
/* saved.c: saved analysis state (in the schema from version 8, made on
 * the first save before). */
extern const char store_sqlite__ddl_saved[];
int store_sqlite__get_saved(struct store_db *d, const char *key, int64_t day,
                            uint64_t *size, struct buf *bytes);
int store_sqlite__put_saved(struct store_db *d, const struct store_saved *rows,
                            size_t n);
int store_sqlite__each_saved(struct store_db *d,
                             int (*fn)(void *ctx,
                                       const struct store_saved *row),
                             void *ctx);
/* cosign.c: signed checkpoints and cosignatures (schema 4). */
extern const char store_sqlite__ddl_cosign[];
int store_sqlite__put_checkpoint(struct store_db *d, uint64_t size,
                                 const char *note);
int store_sqlite__get_checkpoint(struct store_db *d, uint64_t size, int latest,
                                 int (*fn)(void *ctx, uint64_t size,
                                           const char *note),
                                 void *ctx);
int store_sqlite__put_cosignature(struct store_db *d,
                                  const struct store_cosignature *c);
int store_sqlite__each_cosignature(struct store_db *d, uint64_t size,
                                   int (*fn)(void *ctx,
                                             const struct store_cosignature *c),
                                   void *ctx);
int store_sqlite__witness_size(struct store_db *d, const char *witness,
                               uint32_t key_hash, uint64_t *size);
int store_sqlite__next_cosigned(struct store_db *d, uint64_t from,
                                uint64_t *size);

#endif
