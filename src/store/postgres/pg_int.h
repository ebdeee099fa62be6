/*
 * Private to the PostgreSQL backend (src/store/postgres/). Tables, in the
 * first schema of the connection's search_path:
 *   meta(key, value)                  corridor file, schema_version
 *   log_head(one, size)               the one row writers lock (FOR UPDATE)
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
 *   cells_dict(code, text)            the day cells' strings (schema 8)
 *   cells(day, checkpoint, bytes)     reconciled day cells (8)
 *   cells_meta(key, value)            what the cells were built with (8)
 *   saved_state(key, day, size, ...)  the analysis's saved state (8)
 * The insert-only tables refuse UPDATE, DELETE and TRUNCATE by trigger.
 *
 * The connection stays in libpq's pipeline mode: statements are sent
 * without waiting, and pg__wait() reads every answer up to the last sync
 * at once. Inside the write transaction, writes are gathered in memory
 * (struct pg_rows, one per table, as COPY binary tuples) and sent in one
 * go: at commit, when they grow large, or before a read that must see
 * them; reads by id (entries, corrections) answer from what is gathered.
 */
#ifndef PASSAGE_STORE_PG_INT_H
#define PASSAGE_STORE_PG_INT_H

#include "store/postgres/pq_lib.h"

#include "store/backend.h"

/* The most parameters or columns one statement of ours has. */
#define PG_MAXP 64

/* Column and parameter types, binary on the wire. */
enum pg_type { PT_BOOL, PT_INT4, PT_INT8, PT_FLOAT8, PT_TEXT, PT_BYTEA };

/* A statement prepared on first use; name "" is sent unprepared. */
struct pg_stmt {
  char *name;
  char *sql;
  int prepared;
};

/* Parameters of one statement, binary. */
struct pg_params {
  int n;
  const char *v[PG_MAXP];
  int len[PG_MAXP];
  int fmt[PG_MAXP];
  Oid type[PG_MAXP];
  unsigned char num[PG_MAXP][8]; /* the bytes of numeric parameters */
};

/* A table the write path fills: its columns and insert statement. */
struct pg_table {
  const char *what; /* for messages: "entries" */
  int ncols;
  enum pg_type type[PG_MAXP];
  int stmt;   /* the insert: INSERT ... SELECT * FROM unnest($1, ...) */
  char *copy; /* the same as COPY ... FROM STDIN binary; NULL: an upsert */
};

/* Rows gathered for one table, as COPY binary tuples; mark_* is the
 * savepoint's position. */
struct pg_rows {
  const struct pg_table *t;
  struct buf data;
  size_t n;
  size_t mark_len, mark_n;
};

/* A map keyed by (kind, id): records appended in order, removed only from
 * the end (a savepoint undone), found through hash chains. */
struct pg_idrec {
  uint64_t hash;
  uint32_t next;
  int kind;
  size_t key; /* the id, NUL-terminated, in keys */
  int state;  /* the map's own meaning */
  uint64_t seq;
  size_t off, len; /* bytes in the map's arena, then the 32-byte hash */
};

struct pg_idmap {
  uint32_t *heads;
  size_t nheads;
  struct pg_idrec *recs;
  size_t n, cap;
  struct buf keys, arena;
};

/* The answer to expect for an id announced in the write transaction. */
enum { ANN_ABSENT, ANN_PRESENT, ANN_STALE };

/* Committed leaf and node hashes, which never change once committed. */
#define PG_LEAF_SLOTS 4096
#define PG_NODE_SLOTS 1024
#define PG_RING 64

struct pg_leaf {
  uint64_t seq1; /* seq + 1; 0: empty */
  uint8_t hash[32];
};

struct pg_node {
  uint64_t idx;
  unsigned level1; /* level + 1; 0: empty */
  uint8_t hash[32];
};

/* The statements, by number: fixed ones, then three per kind. */
enum {
  ST_SIZE,
  ST_HEAD_LOCK,
  ST_MAX_SEQ,
  ST_MOVE_HEAD,
  ST_GET_ENTRY,
  ST_LEAVES,
  ST_GET_NODE,
  ST_GET_CARGO,
  ST_GET_SUPERSEDE,
  ST_INS_ENTRY,
  ST_INS_NODE,
  ST_INS_CARGO,
  ST_INS_SUPERSEDE,
  ST_INS_WRITER,
  ST_ADD_FLOW_DAY,
  ST_EXPECT,
  ST_GET_META,
  ST_SET_META,
  ST_GET_CELLS_META,
  ST_PUT_CELLS_META,
  ST_PUT_CODE,
  ST_PUT_CELLS,
  ST_DEL_CELLS,
  ST_PUT_SAVED,
  ST_FIXED
};
#define ST_KIND_INS(k) (ST_FIXED + 3 * (int)(k))
#define ST_KIND_GET(k) (ST_FIXED + 3 * (int)(k) + 1)
#define ST_KIND_NAMES(k) (ST_FIXED + 3 * (int)(k) + 2)
#define ST_COUNT (ST_FIXED + 3 * KIND_COUNT)

/* The tables the write path fills, by number. */
enum {
  TB_ENTRY,
  TB_NODE,
  TB_CARGO,
  TB_SUPERSEDE,
  TB_WRITER,
  TB_FLOW_DAY,
  TB_KIND0 /* then one per kind */
};
#define TB_COUNT (TB_KIND0 + KIND_COUNT)

struct store_db {
  PGconn *conn;
  struct buf *err; /* the front's, for every failure's text */
  char *location;
  unsigned busy_ms; /* a writer's wait for the log's head (lock_timeout) */
  struct pg_stmt st[ST_COUNT];
  struct pg_table tables[TB_COUNT];

  /* The pipeline: answers awaited, in order (1: keep the result), and
   * the syncs sent whose answers are not read yet. */
  unsigned char *keep;
  size_t nkeep, capkeep, headkeep;
  int *keep_stmt; /* the statement a prepare was for, else -1 */
  size_t syncs;
  int broken; /* the connection failed; reset before the next use */

  /* Transactions. */
  int in_tx, in_read, scan_tx, scan_depth;
  uint64_t tx_size;  /* the log's size at begin */
  uint64_t next_seq; /* one more than the highest seq written */
  int dirty;         /* the write transaction has written something */
  int sp_active;     /* a savepoint is marked */
  int sp_sent;       /* and was sent (a flush passed it) */

  /* Writes gathered in the write transaction. */
  struct pg_rows rows[TB_COUNT];
  struct pg_idmap pend_entries; /* seq, bytes and hash of unsent entries */
  struct pg_idmap pend_supersede;
  struct pg_idmap announced; /* store_expect's answers */
  size_t mark_entries, mark_supersede, mark_announced;
  uint64_t mark_seq;

  /* Committed data, which never changes: entries of kinds other than
   * flows (what records refer to), leaf and node hashes. */
  struct pg_idmap cache;
  struct pg_leaf *leaves;
  struct pg_node *nodes;
  /* The last leaves and nodes this transaction wrote, cached at commit. */
  struct pg_leaf ring_leaves[PG_RING];
  struct pg_node ring_nodes[PG_RING];
  size_t nring_leaves, nring_nodes;

  /* What get_entry, get_row and the tokens hand out. */
  struct buf entry_copy, row_copy;
  /* The key of the last rollup row gathered, and of the one in hand
   * (pg__add_flow_day). */
  struct buf flow_day_last, flow_day_key;
  uint8_t entry_hash[32];
  PGresult *held; /* the result whose values a callback is given */
};

/* ---- conn.c: parameters, results, the pipeline, errors ---- */

void pg__params_init(struct pg_params *p);
void pg__param_int4(struct pg_params *p, int32_t v);
void pg__param_int8(struct pg_params *p, int64_t v);
void pg__param_float8(struct pg_params *p, double v);
/* Texts and bytes are borrowed until the statement is sent. */
void pg__param_text(struct pg_params *p, const char *s, size_t n);
void pg__param_bytea(struct pg_params *p, const void *b, size_t n);
void pg__param_null(struct pg_params *p, enum pg_type t);
/* An array parameter of elements of t, its binary form at data (borrowed). */
void pg__param_array(struct pg_params *p, enum pg_type t, const char *data,
                     size_t n);

Oid pg__oid(enum pg_type t);
Oid pg__array_oid(enum pg_type t);
/* Values of a binary result. */
int pg__null(const PGresult *r, int row, int col);
int64_t pg__int8(const PGresult *r, int row, int col);
int32_t pg__int4(const PGresult *r, int row, int col);
double pg__float8(const PGresult *r, int row, int col);
const char *pg__text(const PGresult *r, int row, int col, size_t *len);

/* A sequence number or size as a bigint parameter (larger: INT64_MAX). */
int64_t pg__i64(uint64_t v);
/* Big-endian numbers, as the binary formats write them. */
void pg__put32(unsigned char *p, uint32_t v);
void pg__put64(unsigned char *p, uint64_t v);

/* What pg__wait does with a statement's answer: nothing more than check
 * it, hand it over, or not even check it (a cursor closed after a scan
 * failed). */
enum { PG_CHECK, PG_KEEP, PG_QUIET };

/*
 * Queues statement st (prepared on first use) with p; keep is one of
 * PG_CHECK, PG_KEEP, PG_QUIET. OK, or ERR_STORE when libpq cannot send
 * (the connection failed).
 */
int pg__send(struct store_db *d, int st, const struct pg_params *p, int keep);
/* The same for one-off SQL text (p may be NULL). */
int pg__send_sql(struct store_db *d, const char *sql, const struct pg_params *p,
                 int keep);
/*
 * Sends a sync and reads every answer up to it. Returns OK and, in *out
 * when not NULL, the last kept result (the caller PQclear()s it); or the
 * first failure's code with "what: PostgreSQL's message" in the error
 * buffer (pg__code's mapping).
 */
int pg__wait(struct store_db *d, PGresult **out, const char *what);
/* A sync sent without waiting for it: its answers are read by the next
 * pg__wait. */
int pg__sync_later(struct store_db *d);
/* Sends st with p and waits: the result in *out. Outside a transaction,
 * a connection found lost is made again and st asked once more. */
int pg__query(struct store_db *d, int st, const struct pg_params *p,
              PGresult **out, const char *what);
/* The same for SQL text. */
int pg__query_sql(struct store_db *d, const char *sql,
                  const struct pg_params *p, PGresult **out, const char *what);
/* Runs statements of SQL text that take no parameters, in order, and
 * waits for them. */
int pg__exec(struct store_db *d, const char *const *sql, size_t n,
             const char *what);
/* Writes "what: message" and returns code. */
int pg__fail(struct store_db *d, int code, const char *what, const char *msg);
/* The code for a failure with SQLSTATE state: ERR_RETRY for a conflict
 * with another transaction, ERR_NOSPACE for a full disk, else ERR_STORE. */
int pg__code(const char *state);
/* A connection that failed is reset (outside a transaction); OK when it
 * is usable. */
int pg__usable(struct store_db *d);
/* Rolls the open transaction back, when the connection is usable; the
 * error buffer keeps why. */
void pg__rollback_keeping(struct store_db *d);
/* Sets the connection up after connecting or resetting it. */
int pg__session(struct store_db *d);
/* A statement's SQL, set once (the name is derived from its number). */
void pg__stmt(struct store_db *d, int st, char *sql);

/*
 * Calls row(ctx, result, i) for each row of the query sql with p, read
 * through a cursor a few thousand rows at a time, inside a read-only
 * snapshot of its own when no transaction is open. The result's values
 * are valid during the call only. Returns OK, the first non-OK return of
 * row, or the failure's code.
 */
int pg__scan(struct store_db *d, const char *sql, const struct pg_params *p,
             int (*row)(void *ctx, const PGresult *r, int i), void *ctx,
             const char *what);

/* ---- write.c: gathered writes, savepoints, flushing ---- */

void pg__rows_init(struct store_db *d);
void pg__rows_cleanup(struct store_db *d);
/* A new row of table tb; then one value per column, in order. */
struct pg_rows *pg__row(struct store_db *d, int tb);
void pg__col_null(struct pg_rows *r);
void pg__col_int4(struct pg_rows *r, int32_t v);
void pg__col_int8(struct pg_rows *r, int64_t v);
void pg__col_float8(struct pg_rows *r, double v);
void pg__col_text(struct pg_rows *r, const char *s, size_t n);
void pg__col_bytea(struct pg_rows *r, const void *b, size_t n);
/* Ends the row: counted, and sent when what is gathered grows large. */
int pg__row_done(struct store_db *d, struct pg_rows *r);
/*
 * Sends every gathered row; with wait set, also waits for the answers.
 * Reads that must see the transaction's own writes call it first.
 */
int pg__flush(struct store_db *d, int wait);
/* Forgets every gathered write (the transaction is over). */
void pg__discard(struct store_db *d);
int pg__savepoint(struct store_db *d);
int pg__release(struct store_db *d, int undo);

void pg__idmap_init(struct pg_idmap *m);
void pg__idmap_cleanup(struct pg_idmap *m);
void pg__idmap_clear(struct pg_idmap *m);
struct pg_idrec *pg__idmap_find(struct pg_idmap *m, int kind, const char *id);
/* Appends a record for (kind, id), with len bytes at bytes and a hash
 * (NULL: none) copied to the map's arena. */
struct pg_idrec *pg__idmap_add(struct pg_idmap *m, int kind, const char *id,
                               const void *bytes, size_t len,
                               const uint8_t *hash);
/* Drops the records from n on, newest first. */
void pg__idmap_truncate(struct pg_idmap *m, size_t n);

/* ---- schema.c: tables, migrations, privileges ---- */

int pg__create_schema(struct store_db *d);
int pg__upgrade(struct store_db *d, int from);
int pg__schema_version(struct store_db *d, int *version, int *empty);
/* The statements and tables of the write path, from the kinds' fields. */
void pg__define(struct store_db *d);
void pg__undefine(struct store_db *d);
int pg__grant(struct store_db *d, const char *role);
/* The kind's stored fields (FF_CARGO and FF_INPUT ones are not). */
int pg__stored(const struct field_desc *f);
/* The columns of a kind's query table ("seq, ..."), and their types when
 * types is not NULL (n counts them). */
void pg__kind_columns(const struct kind_desc *k, struct buf *b,
                      enum pg_type *types, int *n);

/* ---- entries.c, rows.c, tokens.c: the operations (backend.h) ---- */

int pg__size(struct store_db *d, uint64_t *size);
int pg__put_entry(struct store_db *d, const struct store_entry *e);
int pg__get_entry(struct store_db *d, enum record_kind kind, const char *id,
                  struct store_entry *out);
int pg__each_entry(struct store_db *d, int kind, uint64_t start, uint64_t end,
                   int (*fn)(void *ctx, const struct store_entry *e),
                   void *ctx);
int pg__each_live(struct store_db *d, enum record_kind kind, uint64_t as_of,
                  int (*fn)(void *ctx, const struct store_entry *e), void *ctx);
int pg__each_flow_overlap(struct store_db *d, const char *checkpoint,
                          int64_t from, int64_t to, uint64_t as_of,
                          int (*fn)(void *ctx, const struct store_entry *e),
                          void *ctx);
int pg__each_flow_near(struct store_db *d, const char *checkpoint, int64_t lo,
                       int64_t from, int64_t to, uint64_t as_of,
                       int (*fn)(void *ctx, const struct store_entry *e),
                       void *ctx);
int pg__leaves(struct store_db *d, uint64_t start, uint64_t n, uint8_t *out);
int pg__put_node(struct store_db *d, unsigned level, uint64_t index,
                 const uint8_t hash[32]);
int pg__get_node(struct store_db *d, unsigned level, uint64_t index,
                 uint8_t out[32]);
int pg__put_supersede(struct store_db *d, enum record_kind kind, const char *id,
                      uint64_t by_seq);
int pg__get_supersede(struct store_db *d, enum record_kind kind, const char *id,
                      uint64_t *by_seq);
int pg__expect(struct store_db *d, size_t n, const enum record_kind *kinds,
               const char *const *ids);
/* Caches what the transaction wrote (it committed), or forgets it. */
void pg__tx_cache(struct store_db *d, int committed);

int pg__put_row(struct store_db *d, const struct store_row *row);
int pg__get_row(struct store_db *d, enum record_kind kind, uint64_t seq,
                struct store_row *out);
int pg__each_live_row(struct store_db *d, enum record_kind kind, uint64_t as_of,
                      const struct store_row_filter *f,
                      int (*fn)(void *ctx, const struct store_row *row),
                      void *ctx);
int pg__each_value(struct store_db *d, enum record_kind kind, const char *field,
                   int (*fn)(void *ctx, const char *value), void *ctx);
int pg__each_cargo(struct store_db *d, uint64_t seq,
                   int (*fn)(void *ctx, uint64_t line,
                             const struct store_cargo *c),
                   void *ctx);
int pg__each_name(struct store_db *d, enum record_kind kind,
                  int (*fn)(void *ctx, const char *id, const char *name),
                  void *ctx);
int pg__add_flow_day(struct store_db *d, const struct flow_row *row);
int pg__each_flow_day(struct store_db *d, int64_t from_day, int64_t to_day,
                      int (*fn)(void *ctx, const struct flow_row *row),
                      void *ctx);
int pg__flow_day_span(struct store_db *d, int64_t *first, int64_t *last);
int pg__uses(struct store_db *d, enum record_kind kind, size_t fi,
             const char *value, uint64_t *seq);
int pg__count(struct store_db *d, enum store_table table, enum record_kind kind,
              uint64_t *n);

int pg__put_token(struct store_db *d, const struct store_token *t);
int pg__find_token(struct store_db *d, const uint8_t hash[32],
                   struct store_token *out);
int pg__each_token(struct store_db *d,
                   int (*fn)(void *ctx, const struct store_token *t),
                   void *ctx);
int pg__revoke_token(struct store_db *d, const char *name, int64_t when);
int pg__put_writer(struct store_db *d, uint64_t seq, const char *name);
int pg__get_writer(struct store_db *d, uint64_t seq, char **out);
int pg__each_writer(struct store_db *d,
                    int (*fn)(void *ctx, uint64_t seq, const char *name),
                    void *ctx);

/* ---- cells.c: day cells, saved state, reads for rebuilding (schema 8) ---- */

/* Whether meta's key is cells_meta's (derived, updatable by a server). */
int pg__is_cells_meta(const char *key);
int pg__put_code(struct store_db *d, uint32_t code, const char *text);
int pg__each_code(struct store_db *d, uint32_t from,
                  int (*fn)(void *ctx, uint32_t code, const char *text),
                  void *ctx);
int pg__put_cells(struct store_db *d, int64_t day, uint32_t checkpoint,
                  const void *bytes, size_t len);
int pg__clear_cells(struct store_db *d);
int pg__each_cells(struct store_db *d, int64_t from, int64_t to,
                   int (*fn)(void *ctx, int64_t day, uint32_t checkpoint,
                             const void *bytes, size_t len),
                   void *ctx);
int pg__each_flow_checkpoint(struct store_db *d,
                             int (*fn)(void *ctx, const char *cp), void *ctx);
int pg__each_changed_span(struct store_db *d, uint64_t from, uint64_t to,
                          int (*fn)(void *ctx, int target, int64_t begin,
                                    int64_t finish),
                          void *ctx);
int pg__get_saved(struct store_db *d, const char *key, int64_t day,
                  uint64_t *size, struct buf *bytes);
int pg__put_saved(struct store_db *d, const struct store_saved *rows, size_t n);
int pg__each_saved(struct store_db *d,
                   int (*fn)(void *ctx, const struct store_saved *row),
                   void *ctx);

/* ---- cosign.c: signed checkpoints and cosignatures (schema 4) ---- */

int pg__put_checkpoint(struct store_db *d, uint64_t size, const char *note);
int pg__get_checkpoint(struct store_db *d, uint64_t size, int latest,
                       int (*fn)(void *ctx, uint64_t size, const char *note),
                       void *ctx);
int pg__put_cosignature(struct store_db *d, const struct store_cosignature *c);
int pg__each_cosignature(struct store_db *d, uint64_t size,
                         int (*fn)(void *ctx,
                                   const struct store_cosignature *c),
                         void *ctx);
int pg__witness_size(struct store_db *d, const char *witness, uint32_t key_hash,
                     uint64_t *size);
int pg__next_cosigned(struct store_db *d, uint64_t from, uint64_t *size);

#endif
