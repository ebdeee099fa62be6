/*
 * store: the one interface through which the layers above reach stored data.
 * It keeps the ledger's entries (canonical bytes, leaf hash, gap-free
 * sequence number; never updated or deleted), the Merkle tree's stored
 * nodes, one query table per record kind, and daily flow rollups kept up to
 * date as records arrive. Its rules live in a front (store.c and its
 * neighbours) over a backend chosen by the store's location (backend.h):
 * SQLite, embedded, today; nothing above the store knows which it has.
 */
#ifndef PASSAGE_STORE_H
#define PASSAGE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "record/record.h"

struct store;
struct corridor;

/* The schema version this build writes; older stores are migrated.
 * Version 6 keeps the corridor's rules in the log (store_put_corridor),
 * version 7 the reconciled day cells (store_kept_days), version 8 the
 * same on PostgreSQL, and the saved state's table in the schema. */
#define STORE_SCHEMA_VERSION 8

/*
 * Entries that are not records. Their kind numbers lie far above the
 * record kinds (record/kinds.def) so that kinds added later never take
 * one. A corridor entry is one version of the corridor's rules: its id is
 * the version's number ("1", "2", ...), its bytes the canonical JSON
 * (RFC 8785) of {"record": "corridor", "version": N} with the members of
 * corridor_to_json (docs/corridor-file.md).
 */
#define STORE_KIND_CORRIDOR 64

/* How long a writer waits for another one to let go, by default. */
#define STORE_BUSY_TIMEOUT_MS 30000

struct store_options {
  int create; /* the store may be new (see store_open) */
  /* How long to wait for the write lock another process holds before
   * giving up with ERR_RETRY, with a message naming the holder as far as
   * it can be known; 0 means STORE_BUSY_TIMEOUT_MS. */
  unsigned busy_timeout_ms;
  /* For a handle that writes for a long time (a server's writer): how
   * many bytes of the records its kept day cells were built from it may
   * hold between transactions, so that a commit reads and parses again
   * only the records of days it has not built lately (0: none). */
  size_t day_cache_bytes;
  /* The backend's page cache for this handle, KiB (0: its default, sized
   * for a command that runs once: 256 MiB for SQLite). */
  unsigned page_cache_kib;
  /* What a long write transaction (an import) may hold in memory for its
   * commit before it writes it out in the transaction, bytes (0:
   * STORE_HOLD_BYTES; its rollups' rows: one for each 512 bytes). The
   * stored records, day cells and rollup rows are the same whatever it is
   * (a rollup's sum, added part by part, to its last bits at most: verify
   * compares within 1e-6); smaller is slower. */
  size_t hold_bytes;
};
#define STORE_HOLD_BYTES ((size_t)16 << 20)

/*
 * Opens the store at location: a path or sqlite:PATH (also sqlite://PATH,
 * where what follows the "//" is the path: sqlite:///tmp/p.db is
 * /tmp/p.db) is a SQLite file; postgresql://... and postgres://... is a
 * PostgreSQL database, the URL and libpq's environment variables and
 * service files giving the connection (docs/scaling.md); any other scheme
 * is refused with ERR_USAGE. When create is set the store may be new (on a
 * server: the database, and the schema its search_path names, are made
 * when absent and the user may make them); otherwise it must exist and
 * have been initialised. Returns OK and a handle in *out, or an error
 * with a message in err. A handle may pass from one thread to another, but
 * two must never use it at once; threads that read at once open a handle
 * each.
 */
int store_open(const char *location, int create, struct store **out,
               struct buf *err);
/* The file a location names (a new string: the path of a SQLite store),
 * or NULL for a store on a server, which has no file of its own. */
char *store_file_path(const char *location);

/* The same with options (NULL: the defaults, without create). */
int store_open_with(const char *location, const struct store_options *o,
                    struct store **out, struct buf *err);
void store_close(struct store *st);
/* Sizes the cache of the store's pages to kib (as store_options'
 * page_cache_kib does at open): a command about to read the store once
 * through needs little. */
void store_page_cache(struct store *st, unsigned kib);
/* The bytes the store's engine holds in this process, every handle's
 * together (SQLite: its page caches and statements; 0 for PostgreSQL,
 * whose are the database server's). */
size_t store_engine_memory(struct store *st);
/* The bytes the writer's cache of built days holds now (store_options'
 * day_cache_bytes: at most that; 0 without one), and the days it has
 * dropped so far (another handle wrote, a rollback, a new corridor, or
 * room for others: each read again from the store when next built). */
size_t store_day_cache_bytes(struct store *st);
uint64_t store_day_cache_dropped(struct store *st);
/* The last error's text, for people. */
const char *store_errmsg(const struct store *st);

/*
 * Initialises a new store from a corridor file's text (name is its file
 * name, for messages; text may be NULL for a default corridor called
 * "corridor"): the corridor becomes entry 0 of the log, its version 1.
 * Fails with ERR_EXISTS when the store was initialised before, ERR_INVALID
 * (messages in store_errmsg) when the text is not a valid corridor file.
 */
int store_init(struct store *st, const char *name, const char *text);

/*
 * The corridor's rules. store_corridor is the version in force at the
 * handle's size (the latest); store_corridor_at the one in force at tree
 * size size: the latest corridor entry below it, so that a view as of a
 * size uses the rules of that size. A store made before the rules were
 * logged (schema 5 and before) has its corridor only in meta: that copy is in
 * force before its first corridor entry. Every version is owned by the store
 * and stays valid until store_close. store_corridor_at returns OK, or
 * ERR_STORE when the version's entry cannot be read (message in
 * store_errmsg).
 */
const struct corridor *store_corridor(const struct store *st);
int store_corridor_at(struct store *st, uint64_t size,
                      const struct corridor **out);

/* The latest version's own cargo categories (NULL-terminated), for
 * record_ctx. */
const char *const *store_categories(const struct store *st);
/* What validating a new record against the corridor needs: its categories,
 * its stages and its counting stage (a flow without a stage is counted
 * there). Valid until the corridor changes, as store_categories. */
void store_record_ctx(const struct store *st, struct record_ctx *ctx);

/* Which version is in force at a size, and whether it is in the log. */
struct store_corridor_info {
  unsigned version; /* its number: 1 for init's, 0 for a meta copy */
  int logged;       /* 1: it is the entry seq; 0: a meta copy */
  uint64_t seq;
  int has_logged;        /* some version is in the log, */
  uint64_t first_logged; /* the first of them this entry */
};
int store_corridor_version(struct store *st, uint64_t size,
                           struct store_corridor_info *out);
/* Appends the bytes of the corridor entry in force at size, as the log
 * holds them (for a meta copy, the same form with version 0, which is in
 * no log). */
int store_corridor_bytes(struct store *st, uint64_t size, struct buf *out);

struct ledger_source;
/* Fills src so that the ledger module reads this store's tree hashes. */
void store_ledger_source(struct store *st, struct ledger_source *src);

/*
 * A handle keeps the tree size (and the corridor) it read last. Reads the
 * size again, so that a long-lived reader sees the entries other handles
 * and processes committed since; the corridor's new versions too (the
 * versions read before stay valid, but store_corridor and
 * store_categories then name the latest).
 * Inside a transaction of this handle it changes nothing (the
 * transaction's view stays). Returns OK or the backend's error, the
 * handle's view then unchanged.
 */
int store_refresh(struct store *st);

/*
 * A read transaction: from store_read_begin to store_read_end every read
 * through this handle sees one snapshot of the store, and store_size names
 * its tree size, whatever other handles commit meanwhile. store_read_begin
 * refreshes the handle first (as store_refresh). They nest: only the
 * outermost pair counts. Inside a write transaction they do nothing.
 * store_begin is refused inside a read transaction.
 */
int store_read_begin(struct store *st);
void store_read_end(struct store *st);

/*
 * One write transaction around a batch of writes, all of it committed or
 * nothing. store_begin and store_commit return ERR_RETRY when the backend
 * gave up on a conflict with another writer (for SQLite: the store stayed
 * locked past the busy timeout); store_put and the others may return it
 * too. The transaction is then rolled back already, every later write of it
 * returns ERR_RETRY, and store_commit ends it with ERR_RETRY: the caller
 * may start it again from the beginning. Nothing is retried here, since
 * only the caller can replay its writes. store_commit rolls back on any
 * failure.
 */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);

enum store_put_result {
  STORE_ADDED = 0,     /* a new entry */
  STORE_UNCHANGED = 1, /* the same id with the same bytes was there */
};

/*
 * Appends a record as a ledger entry: its canonical bytes, their leaf hash,
 * the next sequence number; fills its query table and the rollups; extends
 * the Merkle tree. Must be inside store_begin/commit. The record's id must
 * be set. Returns OK with *result, ERR_CONFLICT when the id holds other
 * bytes (message in store_errmsg), ERR_INVALID when supersedes names no
 * record of the kind, one already superseded, or one of another source
 * (only a source corrects its own records), ERR_STORE on failure,
 * ERR_RETRY as store_begin says.
 */
int store_put(struct store *st, const struct record *rec, const char *bytes,
              size_t len, enum store_put_result *result);
/* The same, with the leaf hash of the bytes (ledger_leaf_hash) computed by
 * the caller, say on another thread. */
int store_put_hashed(struct store *st, const struct record *rec,
                     const char *bytes, size_t len, const uint8_t hash[32],
                     enum store_put_result *result);

/*
 * Reads the bytes of a corridor entry of a published log (entry seq, for
 * messages), as a party that has no store does (verify --tiles, log
 * replay): OK with its version's number and the rules in *out (a new
 * corridor) when they are the canonical form of {"record": "corridor",
 * "version": N, ...} with every rule valid; else ERR_INVALID with why
 * appended to err and *out NULL.
 */
int store_corridor_entry_parse(const char *bytes, size_t len, uint64_t seq,
                               unsigned *version, struct corridor **out,
                               struct buf *err);

/*
 * Appends c as the corridor's next version, inside store_begin/commit
 * (store_init makes the first). The version in force must allow it:
 * ERR_INVALID with the reason in store_errmsg when c drops (or renames) a
 * checkpoint or category that records name, or changes the log origin
 * once the log holds records, or the time zone once records with times
 * are stored. *result is STORE_UNCHANGED (nothing appended) when c's rules
 * are those in force. ERR_RETRY as store_begin says.
 */
int store_put_corridor(struct store *st, const struct corridor *c,
                       enum store_put_result *result);

/* 1 when a record of kind with this id exists, 0 when none does, or the
 * backend's error (negative: a lost connection is not an absence). */
int store_has(struct store *st, enum record_kind kind, const char *id);

/*
 * The entry that supersedes the record of kind with this id (a correction,
 * or a withdrawal of it) in *by: OK, ERR_NOTFOUND when none does (or
 * there is no such record), or the backend's error.
 */
int store_superseded_by(struct store *st, enum record_kind kind, const char *id,
                        uint64_t *by);

/*
 * Finds the entry of the record with this id, of kind (or of any kind when
 * kind < 0), through the store's index. Returns OK with its sequence number
 * in *seq, ERR_NOTFOUND, ERR_CONFLICT when kind < 0 and records of several
 * kinds have that id, or ERR_STORE.
 */
int store_find_entry(struct store *st, int kind, const char *id, uint64_t *seq);

/*
 * Calls fn for each record of kind with its id and name (checkpoints,
 * actors and sources have names), in sequence order.
 */
int store_each_name(struct store *st, enum record_kind kind,
                    void (*fn)(void *ctx, const char *id, const char *name),
                    void *ctx);

/* The number of entries: the log's tree size. */
uint64_t store_size(struct store *st);

struct store_entry {
  uint64_t seq;
  enum record_kind kind;
  const char *id;
  const char *bytes;
  size_t len;
  const uint8_t *hash; /* 32 bytes */
};

/*
 * The entry of the record of kind with this id, its bytes valid until the
 * next call on the handle: OK, ERR_NOTFOUND, or the backend's error.
 */
int store_get_entry(struct store *st, enum record_kind kind, const char *id,
                    struct store_entry *out);

/*
 * Calls fn for each entry with seq in [start, end), of the given kind (or
 * every kind when kind < 0), in sequence order. fn returns OK to go on;
 * anything else stops the walk and is returned.
 */
int store_each_entry(struct store *st, int kind, uint64_t start, uint64_t end,
                     int (*fn)(void *ctx, const struct store_entry *e),
                     void *ctx);

/* Dimensions of the flow rollups. */
enum flow_dim {
  DIM_DAY,
  DIM_WEEK,
  DIM_MONTH,
  DIM_YEAR,
  DIM_CHECKPOINT,
  DIM_DIRECTION,
  DIM_VEHICLE,
  DIM_CATEGORY,
  DIM_OPERATOR,
  DIM_PURPOSE,
  DIM_SOURCE,
  DIM_GRADE,
  DIM_STAGE,
  DIM_OUTCOME,
  DIM_COUNT
};
extern const char *const store_dim_names[DIM_COUNT];

enum flow_measure {
  M_RECORDS,
  M_VEHICLES,
  M_PERSONS,
  M_TONNES,
  M_COUNT, /* the measures users ask for; then, kept beside them: */
  /* how many records (shares of records) gave each measure, so that a
   * source that did not count vehicles is not read as counting zero */
  M_VEHICLES_N = M_COUNT,
  M_PERSONS_N,
  M_TONNES_N,
  M_ALL
};
extern const char *const store_measure_names[M_COUNT];

/* One row of daily rollups: the day (local day number), the dimensions'
 * values ("" when the record had none) and the sums. */
struct flow_row {
  int64_t day;
  const char *dim[DIM_COUNT]; /* DIM_DAY..DIM_YEAR are NULL here */
  double m[M_ALL];
};

/*
 * Calls fn for every rollup row with from_day <= day <= to_day, live records
 * only (superseded ones are subtracted when their correction arrives).
 */
int store_each_flow_day(struct store *st, int64_t from_day, int64_t to_day,
                        int (*fn)(void *ctx, const struct flow_row *row),
                        void *ctx);

/*
 * As store_each_flow_day, but as the store was when the log held as_of
 * entries: only flows with a sequence number below as_of, and corrections
 * among them. as_of >= store_size() reads the kept rollups; an earlier size
 * derives them again from the flows that overlap the period (slower, but
 * exact: a published figure is reproduced whatever came later).
 */
int store_each_flow_day_as_of(struct store *st, int64_t from_day,
                              int64_t to_day, uint64_t as_of,
                              int (*fn)(void *ctx, const struct flow_row *row),
                              void *ctx);

/* The first and last day of the kept rollups: OK, or ERR_NOTFOUND when
 * there are none. */
int store_flow_day_span(struct store *st, int64_t *first, int64_t *last);

/*
 * Calls fn for each live record of kind as of tree size as_of (sequence
 * number below as_of, not superseded by a record below as_of), in sequence
 * order. The record is valid during the call only.
 */
int store_each_live(struct store *st, enum record_kind kind, uint64_t as_of,
                    int (*fn)(void *ctx, const struct record *rec,
                              uint64_t seq),
                    void *ctx);

/*
 * Some of what store_each_live calls fn for: the live records of kind
 * whose time field (an FT_TIME field, such as an event's "at") may reach
 * [from, to] in local seconds, which are every one that does and some
 * around it (the query rows' bounds are read with two days' slack), in
 * sequence order; the caller keeps those its own bounds say reach its
 * period. Without query rows to read (a backend, flows), every live
 * record of the kind. What a report of a period reads instead of the
 * whole history of a kind.
 */
int store_each_live_near(
    struct store *st, enum record_kind kind, const char *field, int64_t from,
    int64_t to, uint64_t as_of,
    int (*fn)(void *ctx, const struct record *rec, uint64_t seq), void *ctx);

/*
 * The live records of kind whose field match is value, newest first by
 * their time field's stored beginning (then the log's order, latest
 * first), from those that begin before `before` and up to two days after
 * it (the slack of store_each_live_near); fn stops the walk with a code
 * of its own. Local seconds. ERR_NOTFOUND, before any fn, when the
 * backend keeps no query rows to walk (or field is not a time, match not
 * a field). What finds the last status of a checkpoint before a period
 * without reading its whole history.
 */
int store_each_live_back(
    struct store *st, enum record_kind kind, const char *field,
    const char *match, const char *value, int64_t before, uint64_t as_of,
    int (*fn)(void *ctx, const struct record *rec, uint64_t seq), void *ctx);

/* Each value that kind's text field takes in the store's records (live
 * or not, NULL aside), once, in no particular order: ERR_NOTFOUND, before
 * any fn, when the backend cannot say (or the field is no text). */
int store_each_value(struct store *st, enum record_kind kind, const char *field,
                     int (*fn)(void *ctx, const char *value), void *ctx);

/*
 * The live flow records of a period, as of tree size as_of (as
 * store_each_live): calls fn for each flow at one of checkpoints (a
 * NULL-terminated list; NULL: every checkpoint) whose interval [begin,
 * finish) in local seconds (record_time_bounds of its start's begin and
 * its end's finish) overlaps [from, to), or whose instant (begin ==
 * finish) lies in [from, to); exactly those, each once, in sequence order
 * checkpoint by checkpoint as listed (NULL: in sequence order). The
 * record is valid during the call only. What an analysis that cuts time
 * finer than days reads instead of the daily rollups.
 */
int store_each_flow_overlapping(struct store *st, int64_t from, int64_t to,
                                const char *const *checkpoints, uint64_t as_of,
                                int (*fn)(void *ctx, const struct record *rec,
                                          uint64_t seq),
                                void *ctx);

/*
 * The intervals of the flow and coverage records that entries [from, to)
 * add (target 0) or correct or withdraw (target 1), from the query rows
 * (backend.h: each_changed_span), in no particular order. ERR_NOTFOUND,
 * before any fn, when the backend keeps no such rows.
 */
int store_each_changed_span(struct store *st, uint64_t from, uint64_t to,
                            int (*fn)(void *ctx, int target, int64_t begin,
                                      int64_t finish),
                            void *ctx);

/*
 * As store_each_flow_overlapping at every checkpoint, of the flows that
 * start at or after lo only (the caller knows that none starting before
 * reaches [from, to)), checkpoint by checkpoint, each in sequence order,
 * through the index of each checkpoint's start times: a recent period
 * costs its flows, not a scan of every flow. ERR_NOTFOUND, before any fn,
 * when the backend keeps no such index.
 */
int store_each_flow_from(
    struct store *st, int64_t lo, int64_t from, int64_t to, uint64_t as_of,
    int (*fn)(void *ctx, const struct record *rec, uint64_t seq), void *ctx);
/* The longest flow's length (end_f - start_b, seconds) as the kept day
 * cells know it (meta cells.span): OK, or ERR_NOTFOUND. */
int store_longest_flow(struct store *st, int64_t *span);

struct cells_day;
/*
 * The reconciled day cells the store keeps (issue 13): for each local day
 * from..to, calls fn with the cells of each checkpoint that has any (as
 * cells_build makes them from the live flows and coverage reaching the
 * day: src/cells/cells.h), by day and then checkpoint id (as bytes), as of
 * the store's current size, with every string as intern(ictx, text). fn
 * may take d's contents (moving them out and leaving d as cells_day_init
 * makes it). ERR_NOTFOUND, before any call of fn, when the store keeps no
 * cells built with c's rules (dispute tolerance, counting stage, time
 * zone): a backend that keeps none, cells of other rules, or none built
 * yet; the caller then builds the days from the records. A view of an
 * earlier tree size must build its own. ERR_STORE when stored cells
 * cannot be read (message in store_errmsg).
 */
int store_kept_days(struct store *st, int64_t from, int64_t to,
                    const struct corridor *c,
                    const char *(*intern)(void *ictx, const char *s),
                    void *ictx, int (*fn)(void *ctx, struct cells_day *d),
                    void *ctx);

/*
 * Saved analysis state (issue 13, item 2): what the analysis computed from
 * the whole history up to the end of a local day (a compliance count, a
 * backlog), kept beside the log so that a report of a later day reads it
 * and the days after it instead of the history. Derived data, never
 * evidence, and never trusted blindly: each row names the tree size it was
 * computed at, and the analysis uses it only when nothing appended since
 * could change it (src/analysis/saved.c); `verify` computes every row in
 * use again.
 */
struct store_saved {
  const char *key; /* what, under which rules, counted from which day */
  int64_t day;     /* the state at the end of this local day */
  uint64_t size;   /* the tree size it was computed at */
  const void *bytes;
  size_t len;
};

/* The row of (key, day), its bytes copied into *bytes: OK, ERR_NOTFOUND
 * (also when the backend keeps none), or the backend's error. */
int store_get_saved(struct store *st, const char *key, int64_t day,
                    uint64_t *size, struct buf *bytes);
/*
 * Stores rows[0..n), each replacing what its (key, day) held, in one
 * transaction of its own that does not wait for a lock another handle
 * holds: OK; ERR_RETRY when another writer has the store now; ERR_NOTFOUND
 * when the backend keeps none; ERR_USAGE inside a transaction or a read of
 * this handle; else the backend's error (a store on a read-only file). A
 * caller that fails to save loses nothing but time.
 */
int store_put_saved(struct store *st, const struct store_saved *rows, size_t n);
/* Calls fn for each row, by key and then day (fn's row valid during the
 * call): for the auditor. */
int store_each_saved(struct store *st,
                     int (*fn)(void *ctx, const struct store_saved *row),
                     void *ctx);

/*
 * Checks the store from outside, as an auditor would: entries numbered
 * 0..n-1 without gaps; every leaf hash recomputed from the stored bytes;
 * the bytes the canonical form of a valid record of the stated kind and id;
 * every stored tree node recomputed; every query table row, cargo line,
 * correction and daily rollup derived again and compared. Returns OK, or
 * ERR_VERIFY with the first problem in store_errmsg() naming the entry's
 * sequence number, kind and id, and *bad set to that sequence number
 * (UINT64_MAX when the problem is not one entry's). progress, when not
 * NULL, is called now and then with the number of entries checked. It
 * reads one snapshot (store_read_begin), so entries that another handle
 * appends meanwhile are not half seen.
 */
int store_audit(struct store *st, uint64_t *bad,
                void (*progress)(void *ctx, uint64_t done), void *ctx);

/*
 * Tokens and writers (schema 3): who may write over HTTP, and which token
 * wrote each entry. Neither is evidence: they live beside the log, never
 * in an entry's canonical bytes, so that a device's bytes alone decide
 * whether a record is a duplicate. A token is kept only as the SHA-256
 * hash of its text; its name is unique and never reused, even revoked.
 */
struct store_token {
  const char *name;
  uint8_t hash[32];
  const char *role;        /* admin, monitor, analyst or public */
  const char *checkpoints; /* the checkpoint ids it may write for, comma-
                            * separated; "" for any */
  int64_t created;         /* Unix seconds */
  int64_t expires;         /* Unix seconds; 0: never */
  int64_t revoked;         /* Unix seconds; 0: not revoked */
};

/* Stores a new token in a transaction of its own (none may be open on the
 * handle). ERR_EXISTS when its name, or its hash, is taken. */
int store_put_token(struct store *st, const struct store_token *t);
/* The token whose hash this is, into *out (its texts valid until the next
 * call on the handle), or ERR_NOTFOUND. */
int store_find_token(struct store *st, const uint8_t hash[32],
                     struct store_token *out);
/* Calls fn for each token, by name. */
int store_each_token(struct store *st,
                     int (*fn)(void *ctx, const struct store_token *t),
                     void *ctx);
/* Marks the token called name revoked at when, in a transaction of its
 * own. ERR_NOTFOUND when there is none; a token revoked already keeps its
 * first time (OK). */
int store_revoke_token(struct store *st, const char *name, int64_t when);

/* Records inside the write transaction that the token called name wrote
 * entry seq (one just appended). */
int store_put_writer(struct store *st, uint64_t seq, const char *name);
/* From now on every entry this handle appends is recorded as written by
 * the token called name (NULL: by nobody, as the CLI writes). */
void store_set_writer(struct store *st, const char *name);
/* The name of the token that wrote entry seq, a new string, or
 * ERR_NOTFOUND (an entry written by a command, not through the server). */
int store_get_writer(struct store *st, uint64_t seq, char **name);
/* Calls fn for each entry written through the server with the token's
 * name, in sequence order. */
int store_each_writer(struct store *st,
                      int (*fn)(void *ctx, uint64_t seq, const char *name),
                      void *ctx);

/*
 * Copies src into dst, a new store (opened with create, not initialised:
 * else ERR_EXISTS): src's corridor, its tokens, then each entry in order
 * through store_put in one transaction of dst (query rows, corrections,
 * rollups and the tree derived by dst itself; nothing derived is copied),
 * with the writer of each, then src's cosigned checkpoints and its latest
 * one with their cosignatures (store_add_cosigned: each checked against
 * dst's tree). Reads src in one snapshot. progress, when not
 * NULL, hears the entries copied now and then. Returns OK, or an error
 * with the message in store_errmsg(dst): ERR_VERIFY when src's log is not
 * a log (a gap, an id twice, bytes that are not a record).
 */
int store_copy(struct store *src, struct store *dst,
               void (*progress)(void *ctx, uint64_t done), void *ctx);

/* The engine behind the store, for messages: "SQLite", "PostgreSQL". */
const char *store_backend_name(const struct store *st);

/*
 * Says, inside a write transaction, that records of kinds[i] with ids[i]
 * (i < n) are about to be put, so that a store on a server looks them all
 * up in one round trip instead of one per record (SQLite has no use for
 * it). Only a hint: store_put answers exactly as without it. OK, or the
 * store's failure (ERR_RETRY as store_begin says).
 */
int store_expect(struct store *st, size_t n, const enum record_kind *kinds,
                 const char *const *ids);

/*
 * Grants a database role what a server needs on this store (a store on a
 * server only: ERR_USAGE for SQLite): to read and add to every table, to
 * move the log's head and update rollups and revocations; never to update
 * or delete an entry, a tree node or a row. Run as the tables' owner.
 */
int store_grant(struct store *st, const char *role);

/*
 * Signed checkpoints and witnesses' cosignatures, kept beside the log
 * (never part of the tree): the checkpoints the log handed to witnesses
 * and the cosignatures they answered with, so that a report of any tree
 * size, now or later (--as-of), names the witnesses of its checkpoint, and
 * every server handle reads the same. Insert only.
 */
struct store_cosignature {
  uint64_t size;       /* the tree size of the checkpoint cosigned */
  const char *witness; /* the witness's key name */
  uint32_t key_hash;   /* its cosignature key hash (type 0x04) */
  uint64_t time;       /* when it cosigned, POSIX seconds */
  const char *line;    /* its signature line, em dash to newline */
};

/*
 * Stores a signed checkpoint note (its signatures are the caller's to have
 * checked) and n cosignatures of it, in one write transaction of its own.
 * The note must be a checkpoint of this log (the corridor's origin) whose
 * size is at most the store's and whose root is the store's tree's at that
 * size (else ERR_VERIFY, message in store_errmsg); each c[i].size must be
 * its size (ERR_USAGE). A checkpoint or cosignature stored before is kept
 * as it was. ERR_RETRY as store_begin says.
 */
int store_add_cosigned(struct store *st, const char *note, size_t len,
                       const struct store_cosignature *c, size_t n);

/*
 * Appends to note the stored checkpoint of tree size `size` or, when latest
 * is set, the one of the largest size, and sets *size_out (may be NULL) to
 * its size. ERR_NOTFOUND when there is none.
 */
int store_get_checkpoint(struct store *st, uint64_t size, int latest,
                         uint64_t *size_out, struct buf *note);
/* Calls fn for each stored cosignature of the checkpoint of tree size
 * size, by witness name, then key hash. */
int store_each_cosignature(struct store *st, uint64_t size,
                           int (*fn)(void *ctx,
                                     const struct store_cosignature *c),
                           void *ctx);
/* The largest tree size the witness (name and key hash) cosigned, or
 * ERR_NOTFOUND. */
int store_witness_size(struct store *st, const char *witness, uint32_t key_hash,
                       uint64_t *size);
/* The smallest tree size at least from that has a cosignature stored, or
 * ERR_NOTFOUND. */
int store_next_cosigned(struct store *st, uint64_t from, uint64_t *size);

#endif
