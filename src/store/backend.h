/*
 * The store's backends: what an engine (SQLite, PostgreSQL) must provide so
 * that the front (store.c and its neighbours) can keep the store's rules on
 * top of it. Private to the store module (and to the ledger benchmark).
 *
 * The front owns every rule: numbering entries, duplicate and conflict
 * detection, corrections, rollup accumulation, the Merkle frontier, the
 * corridor, schema version checks and the auditor. A backend only stores
 * and reads back what it is given, in the order and with the atomicity
 * stated below. docs/internals/store.md explains the split; a new backend
 * is one more `struct store_backend` and one line in store.c's table of
 * schemes.
 *
 * Conventions for every operation:
 * - It returns OK or a negative code of util.h. On failure it has written a
 *   message for people into the error buffer given to open (replacing what
 *   was there), except for the ERR_NOTFOUND and ERR_EXISTS answers noted
 *   below, which are not failures and leave the buffer alone.
 * - ERR_RETRY means the engine gave up on a conflict with another handle
 *   (a lock not granted in time, a serialization failure), or, for a
 *   database server, could not reach it again: nothing of the
 *   current transaction may be assumed to stand. The front then rolls the
 *   transaction back and hands ERR_RETRY to its caller, who may start the
 *   whole transaction again; the front never retries by itself, since only
 *   the caller can replay its writes.
 * - Any other failure is ERR_STORE.
 * - Pointers handed out (texts, bytes, hashes) are owned by the handle:
 *   those given to a callback are valid during the call only; those of an
 *   out-parameter until the same operation is called again on the handle,
 *   or it is closed.
 * - Iterations call fn for each item in the stated order; fn returns OK to
 *   go on, anything else stops the walk and is returned unchanged.
 * - A handle is used by one thread at a time; several handles (threads,
 *   processes, machines) may use one store at once, and what one commits
 *   is seen by the others' next read outside a read transaction.
 * - Inside the write transaction, reads see its own writes: a correction
 *   looks up entries and corrections written earlier in the same batch. A
 *   backend that gathers writes to send them in one go (a pipeline, COPY)
 *   must answer such reads from what it gathered, or send it first.
 */
#ifndef PASSAGE_STORE_BACKEND_H
#define PASSAGE_STORE_BACKEND_H

#include "store/store.h"

/* A backend's connection to one store; each backend defines its own. */
struct store_db;

/* The rollup table's dimensions after the day, in key and column order. */
#define ROLLUP_NKEY 10
extern const enum flow_dim rollup_key_dims[ROLLUP_NKEY];

/*
 * One column value of a query row, as the front writes it and as the
 * backend reads it back for the auditor.
 */
struct store_value {
  int set;          /* 0: the field is absent (SQL NULL) */
  double num;       /* FT_COUNT and FT_NUMBER */
  const char *text; /* every other type, NUL-terminated, len bytes */
  size_t len;
  /* FT_TIME only: the time's bounds in local seconds [begin, end] (as
   * record_time_bounds gives them), kept in their own integer columns so
   * that a period is a range scan. Set with the text when writing; read
   * back on their own, for the auditor to compare. */
  int bounds_set;
  int64_t begin, end;
};

/* One cargo line of a flow (flow_cargo in SQLite). */
struct store_cargo {
  const char *category; /* NULL when absent */
  int quantity_set;
  double quantity;
  const char *unit; /* NULL when absent */
  int tonnes_set;   /* the quantity in tonnes, when it converts */
  double tonnes;
};

/*
 * A query row: the record of entry seq as columns of its kind's table.
 * v is indexed like the kind's fields (record_kind_desc(kind)->fields);
 * fields with FF_CARGO or FF_INPUT are not stored, and their values are
 * ignored when writing and left alone when reading. A flow's cargo lines
 * come with it when writing; get_row does not read them (each_cargo does).
 */
struct store_row {
  enum record_kind kind;
  uint64_t seq;
  struct store_value v[RECORD_MAX_FIELDS];
  size_t ncargo;
  struct store_cargo cargo[RECORD_MAX_CARGO];
};

/* Which query rows each_live_row reads. */
struct store_row_filter {
  const char *time; /* an FT_TIME field: rows with time_b <= hi and time_f
                       >= lo; NULL: every row */
  int64_t lo, hi;
  const char *match; /* a text field: rows whose value is value; or NULL */
  const char *value;
  int newest_first; /* in time_b order, latest first, then seq, highest
                       first (time must be set); else in seq order */
};

/* What the auditor counts, to find rows that belong to no entry. */
enum store_table {
  STORE_TABLE_ROWS,      /* the query table of a kind */
  STORE_TABLE_CARGO,     /* cargo lines */
  STORE_TABLE_SUPERSEDE, /* corrections */
  STORE_TABLE_NODE,      /* tree nodes */
};

struct store_backend {
  const char *name; /* for messages: "SQLite" */

  /* -- Connection -- */

  /*
   * Connects to the store at location (a file path for SQLite, the URL
   * for a server). With o->create set the store may be made (an empty
   * one: the front then calls create_schema); without it a location that
   * holds nothing fails with ERR_IO and a message saying how to make a
   * store. A writer waits o->busy_timeout_ms for another to let go (then
   * ERR_RETRY, with a message naming the holder as far as the engine can
   * tell). A full disk is ERR_NOSPACE, with the store's path and the space
   * left.
   * err receives the text of every failure, of this call and of every
   * later one on the handle; it outlives the handle. Returns OK and the
   * handle in *out (NULL on failure).
   */
  int (*open)(const char *location, const struct store_options *o,
              struct buf *err, struct store_db **out);
  /* Rolls back what is uncommitted and disconnects; NULL does nothing. */
  void (*close)(struct store_db *db);
  /* Sizes the handle's cache of the store's pages to kib (o->page_cache_kib
   * at open, later); NULL: the backend keeps none of its own. */
  void (*page_cache)(struct store_db *db, unsigned kib);
  /* The bytes the engine's library holds in this process, every handle's
   * together (SQLite: page caches, statements); NULL: none in this
   * process (a database server's are its own). */
  size_t (*engine_memory)(void);

  /* -- Schema -- */

  /*
   * The schema version stored (0 for none) in *version, and in *empty
   * whether the store holds nothing at all: version 0 with something in
   * it is not a Passage store, and the front refuses it.
   */
  int (*schema_version)(struct store_db *db, int *version, int *empty);
  /*
   * Creates every table and index of STORE_SCHEMA_VERSION in an empty
   * store and records that version.
   */
  int (*create_schema)(struct store_db *db);
  /*
   * Migrates the schema from version from to from + 1 and records the new
   * version. Called inside begin/commit, once per step, oldest first; a
   * failure makes the front roll back every step.
   */
  int (*upgrade)(struct store_db *db, int from);

  /* -- Transactions -- */

  /*
   * Starts the write transaction. From its return until commit or
   * rollback no other handle may append entries (SQLite: BEGIN IMMEDIATE;
   * a server: lock the log's head row), since the front numbers the
   * entries it appends from the size it reads right after. ERR_RETRY when
   * the lock was not granted in time.
   */
  int (*begin)(struct store_db *db);
  /*
   * Makes everything written since begin durable and visible to other
   * handles, all of it or nothing (entries, tree nodes, query rows,
   * corrections, rollups, meta). On failure nothing was committed; the
   * front then calls rollback.
   */
  int (*commit)(struct store_db *db);
  /* Discards everything written since begin; never fails visibly, and
   * leaves the error buffer alone (it holds why the front rolls back). */
  void (*rollback)(struct store_db *db);
  /*
   * Marks the current point of the write transaction, and release(undo)
   * ends that mark: with undo set, every write since the mark is undone
   * first, the transaction going on. One mark at a time; the front uses
   * it around a correction, which may be refused after its entry is
   * written.
   */
  int (*savepoint)(struct store_db *db);
  int (*release)(struct store_db *db, int undo);
  /*
   * A read transaction: every read between read_begin and read_end sees
   * one snapshot of the store, whatever other handles commit meanwhile
   * (SQLite: a deferred transaction, WAL keeping the snapshot; a server:
   * REPEATABLE READ). The snapshot is taken by read_begin itself (the
   * front reads the size right after, and that size must be the
   * snapshot's). Never called inside the write transaction, nor nested.
   */
  int (*read_begin)(struct store_db *db);
  /* Ends it; never fails visibly, and leaves the error buffer alone. */
  void (*read_end)(struct store_db *db);

  /* -- Meta: facts about the store that are not evidence, text by key
   * (an older store's corridor copy) -- */

  /* The value of key, a new string the caller frees, or ERR_NOTFOUND. */
  int (*get_meta)(struct store_db *db, const char *key, char **out);
  /* Stores key (new) with value; inside the write transaction. */
  int (*set_meta)(struct store_db *db, const char *key, const char *value);

  /* -- Entries: the ledger, insert only -- */

  /*
   * One more than the highest sequence number stored, 0 for none. Not a
   * count of rows: a gap that a deleted entry leaves must reach the
   * auditor, which names it.
   */
  int (*size)(struct store_db *db, uint64_t *size);
  /*
   * Appends entry e (seq, kind, id, bytes, len, 32-byte hash) inside the
   * write transaction; e->seq is the size the front read at begin plus
   * the entries it appended since. ERR_EXISTS when an entry of the same
   * kind and id is stored (decided by a unique index, not a look-up
   * before: two writers must not both succeed): then nothing was written
   * and the transaction goes on.
   */
  int (*put_entry)(struct store_db *db, const struct store_entry *e);
  /* The entry of kind with this id in *out, or ERR_NOTFOUND. */
  int (*get_entry)(struct store_db *db, enum record_kind kind, const char *id,
                   struct store_entry *out);
  /*
   * Calls fn for each entry with start <= seq < end (end may be
   * UINT64_MAX), of kind (every kind when kind < 0), in sequence order.
   * An entry is handed over as stored, even when its kind is unknown or
   * its hash is not 32 bytes long (hash NULL then): the auditor names it.
   */
  int (*each_entry)(struct store_db *db, int kind, uint64_t start, uint64_t end,
                    int (*fn)(void *ctx, const struct store_entry *e),
                    void *ctx);
  /*
   * Calls fn for each entry of kind with seq < as_of whose record no
   * entry with seq < as_of supersedes (see put_supersede), in sequence
   * order.
   */
  int (*each_live)(struct store_db *db, enum record_kind kind, uint64_t as_of,
                   int (*fn)(void *ctx, const struct store_entry *e),
                   void *ctx);
  /*
   * The same records, from the kind's query table instead of the entries'
   * bytes (row: every stored field, and seq), in sequence order: the
   * table of a kind is small and in one place, where its entries lie
   * among millions of flows, and a row needs no JSON parsed. Never asked
   * for flows, whose cargo lines are not in the row. NULL: each_live
   * only. With a filter (else NULL), only the rows it keeps, in its
   * order.
   */
  int (*each_live_row)(struct store_db *db, enum record_kind kind,
                       uint64_t as_of, const struct store_row_filter *f,
                       int (*fn)(void *ctx, const struct store_row *row),
                       void *ctx);
  /* Each value the kind's text field takes in its query rows (NULL
   * aside), once, in no particular order; live or not. NULL: not kept. */
  int (*each_value)(struct store_db *db, enum record_kind kind,
                    const char *field, int (*fn)(void *ctx, const char *value),
                    void *ctx);
  /*
   * The live flows of a period: calls fn for each flow entry with seq <
   * as_of that no entry with seq < as_of supersedes, at checkpoint (every
   * checkpoint when NULL), whose query row's bounds reach [from, to) in
   * local seconds: start_b < to and end_f >= from (which takes in the
   * instants of the period, and the flows that end just where it begins:
   * the front keeps those that overlap it), in sequence order. Through the
   * flow table's index on (checkpoint, start_b), so that a period costs the
   * flows that start before it ends, not the whole log.
   */
  int (*each_flow_overlap)(struct store_db *db, const char *checkpoint,
                           int64_t from, int64_t to, uint64_t as_of,
                           int (*fn)(void *ctx, const struct store_entry *e),
                           void *ctx);
  /*
   * The leaf hashes of entries [start, start + n) into out (n * 32
   * bytes), 1 <= n <= 64: the Merkle tree's reads, on the hot path of
   * every proof. ERR_NOTFOUND (no message) when fewer are stored.
   */
  int (*leaves)(struct store_db *db, uint64_t start, uint64_t n, uint8_t *out);

  /* -- Tree nodes: the perfect subtrees of ledger.h, insert only -- */

  /* Stores node (level, index) inside the write transaction. */
  int (*put_node)(struct store_db *db, unsigned level, uint64_t index,
                  const uint8_t hash[32]);
  /* The node's hash into out, or ERR_NOTFOUND (no message). */
  int (*get_node)(struct store_db *db, unsigned level, uint64_t index,
                  uint8_t out[32]);

  /* -- Query tables: one per kind, and the cargo lines of flows -- */

  /* Stores row (and its cargo lines) inside the write transaction. */
  int (*put_row)(struct store_db *db, const struct store_row *row);
  /*
   * Reads back the query row of entry seq of kind into out->v (the rest
   * of out untouched), or ERR_NOTFOUND. Values are as stored: a number
   * column read as a number, a text column as text, whatever was written
   * there behind the program's back.
   */
  int (*get_row)(struct store_db *db, enum record_kind kind, uint64_t seq,
                 struct store_row *out);
  /* Calls fn for each stored cargo line of entry seq, by line number. */
  int (*each_cargo)(struct store_db *db, uint64_t seq,
                    int (*fn)(void *ctx, uint64_t line,
                              const struct store_cargo *c),
                    void *ctx);
  /*
   * Calls fn for each query row of kind with its id and its name field
   * (NULL when the kind has none or the row no name), in sequence order.
   */
  int (*each_name)(struct store_db *db, enum record_kind kind,
                   int (*fn)(void *ctx, const char *id, const char *name),
                   void *ctx);

  /* -- Corrections -- */

  /*
   * Records inside the write transaction that entry by_seq supersedes the
   * record of kind with this id. The front has checked that the record
   * exists and is not superseded yet: at most one row per (kind, id).
   */
  int (*put_supersede)(struct store_db *db, enum record_kind kind,
                       const char *id, uint64_t by_seq);
  /* The entry that supersedes (kind, id) in *by_seq, or ERR_NOTFOUND. */
  int (*get_supersede)(struct store_db *db, enum record_kind kind,
                       const char *id, uint64_t *by_seq);

  /* -- Daily flow rollups: flow_row's day and ROLLUP_NKEY dimensions -- */

  /*
   * Adds row's sums (every measure, M_ALL of them) to the stored row of
   * the same day and dimensions, creating it at zero first; inside the
   * write transaction. The front calls it for each accumulated row just
   * before commit, in the rollups' key order; a backend may gather them
   * and write them in one go at commit.
   */
  int (*add_flow_day)(struct store_db *db, const struct flow_row *row);
  /*
   * Calls fn for each stored row with from_day <= day <= to_day, ordered
   * by day and then by the dimensions in rollup_key_dims order, each
   * compared as bytes (SQLite's BINARY collation): sums over rows are
   * floating point, and another order could change their last digit in
   * a report.
   */
  int (*each_flow_day)(struct store_db *db, int64_t from_day, int64_t to_day,
                       int (*fn)(void *ctx, const struct flow_row *row),
                       void *ctx);
  /* The first and last day of the stored rows, or ERR_NOTFOUND. */
  int (*flow_day_span)(struct store_db *db, int64_t *first, int64_t *last);

  /*
   * One entry whose query row of kind holds value in field fi (a text
   * field; for a cargo field of a flow, any of its cargo lines; for a
   * list, any of its items), superseded or not: OK with its sequence
   * number in *seq, or ERR_NOTFOUND (no message). An amendment of the
   * corridor asks it before it drops what records may name.
   */
  int (*uses)(struct store_db *db, enum record_kind kind, size_t fi,
              const char *value, uint64_t *seq);

  /* -- The auditor's counts -- */

  /* The number of rows of table (of kind, for STORE_TABLE_ROWS) in *n. */
  int (*count)(struct store_db *db, enum store_table table,
               enum record_kind kind, uint64_t *n);

  /* -- Tokens and writers (schema 3): beside the log, not in it -- */

  /* Stores t inside the write transaction; ERR_EXISTS (no message) when
   * its name or hash is taken, by a unique index. */
  int (*put_token)(struct store_db *db, const struct store_token *t);
  /* The token with this hash, or ERR_NOTFOUND. */
  int (*find_token)(struct store_db *db, const uint8_t hash[32],
                    struct store_token *out);
  /* Calls fn for each token, by name. */
  int (*each_token)(struct store_db *db,
                    int (*fn)(void *ctx, const struct store_token *t),
                    void *ctx);
  /* Sets the revocation time of the token called name when it has none,
   * inside the write transaction; ERR_NOTFOUND when there is no token of
   * that name. */
  int (*revoke_token)(struct store_db *db, const char *name, int64_t when);
  /* Stores that the token called name wrote entry seq, inside the write
   * transaction. */
  int (*put_writer)(struct store_db *db, uint64_t seq, const char *name);
  /* The writer of entry seq, a new string, or ERR_NOTFOUND. */
  int (*get_writer)(struct store_db *db, uint64_t seq, char **out);
  /* Calls fn for each stored writer (seq, the token's name), by seq. */
  int (*each_writer)(struct store_db *db,
                     int (*fn)(void *ctx, uint64_t seq, const char *name),
                     void *ctx);

  /* -- Signed checkpoints and witnesses' cosignatures (schema 4) -- */

  /*
   * Stores the signed checkpoint note of tree size `size`, inside the write
   * transaction; ERR_EXISTS, writing nothing, when one of that size is
   * stored. Insert only.
   */
  int (*put_checkpoint)(struct store_db *db, uint64_t size, const char *note);
  /*
   * Calls fn once with the stored checkpoint of tree size `size` or, when
   * latest is set, with the one of the largest size; ERR_NOTFOUND (fn not
   * called) when there is none.
   */
  int (*get_checkpoint)(struct store_db *db, uint64_t size, int latest,
                        int (*fn)(void *ctx, uint64_t size, const char *note),
                        void *ctx);
  /*
   * Stores a cosignature inside the write transaction; ERR_EXISTS,
   * writing nothing, when (size, witness, key hash) is stored. Insert
   * only.
   */
  int (*put_cosignature)(struct store_db *db,
                         const struct store_cosignature *c);
  /* Calls fn for each cosignature of tree size `size`, ordered by witness
   * name (as bytes), then key hash. */
  int (*each_cosignature)(struct store_db *db, uint64_t size,
                          int (*fn)(void *ctx,
                                    const struct store_cosignature *c),
                          void *ctx);
  /* The largest size (witness, key_hash) cosigned, or ERR_NOTFOUND. */
  int (*witness_size)(struct store_db *db, const char *witness,
                      uint32_t key_hash, uint64_t *size);
  /* The smallest size >= from with a cosignature, or ERR_NOTFOUND. */
  int (*next_cosigned)(struct store_db *db, uint64_t from, uint64_t *size);

  /* -- Hints and roles: NULL where the engine has no use for them -- */

  /*
   * Says that records of kinds[i] with ids[i] (i < n) are about to be put
   * in the open write transaction, so that a backend that answers
   * put_entry with a look-up (a server, one round trip each) may look
   * them all up in one. Only a hint: put_entry answers as it would
   * without it (ERR_EXISTS by what is stored, and the unique index still
   * refuses a second entry when the rows reach it). Outside a write
   * transaction it does nothing.
   */
  int (*expect)(struct store_db *db, size_t n, const enum record_kind *kinds,
                const char *const *ids);
  /*
   * Grants role what a server needs and no more: read every table, add
   * to every table, move the log's head, update the rollups and a token's
   * revocation; never update or delete an entry, a node, a row. Run by
   * the owner of the tables, outside a transaction.
   */
  int (*grant)(struct store_db *db, const char *role);

  /* -- Reconciled day cells (schema 7, issue 13): derived data kept
   * beside the log at ingest (src/store/cells.c). A backend that keeps
   * none leaves all of these NULL: the analysis then builds its days from
   * the records. -- */

  /* Stores key with value in meta, replacing what it held; inside the
   * write transaction. Only for what is derived, never for evidence. */
  int (*replace_meta)(struct store_db *db, const char *key, const char *value);
  /* Stores code (> 0) for text in the cells' dictionary, inside the write
   * transaction. Insert only: the front hands out each code once, the
   * next after the highest stored. */
  int (*put_code)(struct store_db *db, uint32_t code, const char *text);
  /* Calls fn for each dictionary entry with code >= from, by code. */
  int (*each_code)(struct store_db *db, uint32_t from,
                   int (*fn)(void *ctx, uint32_t code, const char *text),
                   void *ctx);
  /* Stores bytes[0..len) as the cells of (day, checkpoint's code),
   * replacing what the key held, inside the write transaction; len 0
   * removes the key. The bytes are opaque and read back as written. */
  int (*put_cells)(struct store_db *db, int64_t day, uint32_t checkpoint,
                   const void *bytes, size_t len);
  /* Removes every day's cells, inside the write transaction. */
  int (*clear_cells)(struct store_db *db);
  /* Calls fn for each stored (day, checkpoint code) with from <= day <=
   * to, ordered by day, then code. */
  int (*each_cells)(struct store_db *db, int64_t from, int64_t to,
                    int (*fn)(void *ctx, int64_t day, uint32_t checkpoint,
                              const void *bytes, size_t len),
                    void *ctx);
  /* Saved analysis state (store_get_saved and its neighbours); put_saved
   * runs its own transaction and never waits for the lock. NULL: none
   * kept. */
  int (*get_saved)(struct store_db *db, const char *key, int64_t day,
                   uint64_t *size, struct buf *bytes);
  int (*put_saved)(struct store_db *db, const struct store_saved *rows,
                   size_t n);
  int (*each_saved)(struct store_db *db,
                    int (*fn)(void *ctx, const struct store_saved *row),
                    void *ctx);
  /* As each_flow_overlap at one checkpoint, with a lower bound too: only
   * flows whose row has lo <= start_b, so that the scan starts where the
   * longest flow could begin and not at the start of history. */
  int (*each_flow_near)(struct store_db *db, const char *checkpoint, int64_t lo,
                        int64_t from, int64_t to, uint64_t as_of,
                        int (*fn)(void *ctx, const struct store_entry *e),
                        void *ctx);
  /* Calls fn with each checkpoint id the flow query rows name, once each
   * (through the (checkpoint, start_b) index: a seek each). NULL: not
   * kept. */
  int (*each_flow_checkpoint)(struct store_db *db,
                              int (*fn)(void *ctx, const char *cp), void *ctx);
  /*
   * The intervals [begin, finish) in local seconds, as the query rows hold
   * them (start_b, and end_f or else start_f), of the flow and coverage
   * records that the entries with seq in [from, to) add (target 0), and
   * of those they correct or withdraw (target 1: their rows may have been
   * written under another version of the corridor's time zone). NULL: not
   * kept (an older view then builds every day).
   */
  int (*each_changed_span)(struct store_db *db, uint64_t from, uint64_t to,
                           int (*fn)(void *ctx, int target, int64_t begin,
                                     int64_t finish),
                           void *ctx);
};

/* The backends built in (store.c maps schemes to them). */
extern const struct store_backend store__sqlite_backend;
extern const struct store_backend store__postgres_backend;

#endif
