/*
 * app: the operations both front ends call, the passage command and the
 * HTTP server. A front end parses its input, calls one of these, and formats
 * what comes back; every rule of the domain lives here or below. Each
 * operation returns OK or a util.h error code and fills either a result (a
 * struct, a jansson value, bytes) or a struct app_error saying what went
 * wrong, in words for people and, for bad input, naming the field.
 *
 * docs/internals/app.md describes which front end calls what.
 */
#ifndef PASSAGE_APP_H
#define PASSAGE_APP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ingest/ingest.h"
#include "util/util.h"

/*
 * Errors. What kind of failure it is decides how a front end words it: the
 * CLI prints "passage CMD: MESSAGE" for an operation's failure, adds
 * "(see 'passage CMD --help')" for a malformed request, says "passage:
 * MESSAGE" when the store or a file is at fault, and prints an input error
 * (one that names its own file and line) as it is. The server turns the
 * code into a status and returns message and field as JSON.
 */
enum app_error_kind {
  APP_ERROR_OPERATION, /* the operation failed (a check, a missing record) */
  APP_ERROR_REQUEST,   /* the request itself is malformed: see the help */
  APP_ERROR_PROGRAM,   /* the store would not open, a file not be written */
  APP_ERROR_INPUT,     /* message names the file and line at fault itself */
};

struct app_error {
  int code;      /* the util.h ERR_* code the operation returned */
  char *message; /* for people, naming options as the CLI does ("--by:
                  * ..."); may span lines (APP_ERROR_INPUT); NULL when a
                  * layer below already reported it */
  char *field;   /* the option or field at fault ("kind", "index"), or NULL */
  enum app_error_kind kind;
};

/* An error starts zeroed (= {0} or app_error_init) and is released with
 * app_error_cleanup; an operation that fails sets it, replacing what it
 * held. */
void app_error_init(struct app_error *e);
void app_error_cleanup(struct app_error *e);

/*
 * The handle: one store (a path, as the CLI's --db gives it), opened when an
 * operation first needs it, so that an operation checks its request before
 * touching the store and operations that need none (key public) work
 * without one. A handle may pass from one thread to another, but two must
 * never use it at once: a server keeps one per worker thread.
 */
struct app;

/* How a handle opens its store. */
struct app_options {
  /* How long a writer waits for another process to let go of the store
   * before giving up, naming it (0: 30 s, STORE_BUSY_TIMEOUT_MS). */
  unsigned busy_timeout_ms;
  /* store_options' day_cache_bytes (0: none) and page_cache_kib (0: the
   * backend's default). */
  size_t day_cache_bytes;
  unsigned page_cache_kib;
};

/* A handle with the process's defaults (app_set_defaults), or with o. */
struct app *app_new(const char *db);
struct app *app_new_with(const char *db, const struct app_options *o);
/* The defaults of app_new, for a front end that runs one operation per
 * process and reads them once from its command line (the CLI's global
 * options); a server gives each handle its own with app_new_with. */
void app_set_defaults(const struct app_options *o);
/* Handles with the process's defaults for a server, which keeps them as
 * long as it runs: each with a page cache of APP_SERVER_PAGE_CACHE KiB
 * rather than a one-shot command's, and the writer's store holding the
 * records of the days it built lately, up to APP_WRITER_DAY_CACHE bytes
 * (docs/operating.md, "Memory"). */
#define APP_SERVER_PAGE_CACHE 4096u
#define APP_WRITER_PAGE_CACHE 8192u
#define APP_WRITER_DAY_CACHE ((size_t)32 << 20)
/* The page cache of a command that reads the store once from end to end
 * (export): what it read is not read again, so a larger cache only grows
 * its memory with the store. */
#define APP_SCAN_PAGE_CACHE 2048u
/* An import's: its writes go to the write-ahead log past the cache, in
 * key order mostly, so a larger one only grows its memory (1M rows: 16
 * MiB 13.0-14.7 s, 256 MiB 14.9-16.3 s and 250 MB more; docs/BENCHMARKS.md). */
#define APP_IMPORT_PAGE_CACHE 16384u
struct app *app_new_server(const char *db);
struct app *app_new_writer(const char *db);
void app_free(struct app *app);
/* The db the handle was made with. */
const char *app_db(const struct app *app);
/* What of a long-lived process's memory is its caches' (a server's
 * /metrics): the bytes the store's engine holds in this process, every
 * handle's together, and those of this handle's cache of built days (both
 * 0 before the store is opened). */
struct app_memory {
  size_t engine, day_cache;
  uint64_t day_cache_dropped; /* days dropped from it so far */
};
void app_memory(struct app *app, struct app_memory *m);
/* Opens the store now, if it is not open yet (operations do it
 * themselves). Returns OK, or the store's error as APP_ERROR_PROGRAM. */
int app_open(struct app *app, struct app_error *err);

/* Where an operation streams bytes: write returns OK to go on, anything
 * else stops the operation, which returns it. */
struct app_sink {
  int (*write)(void *ctx, const void *data, size_t len);
  void *ctx;
};
/* A sink writing to f (ctx is f). */
int app_sink_file(void *ctx, const void *data, size_t len);

/*
 * Files written atomically (util_file_open): app_file_open opens path
 * (NULL or "-" is standard output) through a temporary file beside it;
 * app_file_close flushes and syncs it, renames it into place and syncs its
 * folder when keep is set (removes it otherwise). Failures are
 * APP_ERROR_PROGRAM "cannot write PATH: why", ERR_IO.
 */
struct util_file;
struct app_file {
  FILE *f;
  struct util_file *file; /* NULL for standard output */
};
int app_file_open(struct app_file *o, const char *path, struct app_error *err);
int app_file_close(struct app_file *o, int keep, struct app_error *err);

/* Keys. path NULL is the key beside the store: DB.key. */
struct app_key {
  char *path;     /* the key file */
  char *verifier; /* its verifier key text, name+hash+base64 */
};
void app_key_cleanup(struct app_key *k);

/* Makes a new signing key in a new file of mode 0600 (never overwriting
 * one), named name or, when name is NULL, after the corridor's log (which
 * opens the store), and its signer's state beside it (KEY.state: the
 * checkpoint of the empty tree, signed; see app_log_checkpoint). Fills
 * *out with the path and the log verifier key. */
int app_key_generate(struct app *app, const char *path, const char *name,
                     struct app_key *out, struct app_error *err);
/* The verifier key of the key at path: the log's form, or the witness's
 * (cosignature) when cosignature is set. */
int app_key_public(struct app *app, const char *path, int cosignature,
                   struct app_key *out, struct app_error *err);

/*
 * The log. The signed checkpoint (a C2SP note) of the store's current
 * tree, signed with the key at key (NULL: beside the store). The key must
 * be the log's: its name the corridor's log origin (else ERR_INVALID). Its
 * signer's state (KEY.state, the last checkpoint it signed) must be
 * extended by the tree: a tree smaller than the last one signed, or not
 * consistent with it (by a consistency proof from the store), is refused
 * with ERR_VERIFY naming both trees. The state is then replaced by the new
 * checkpoint (atomically) before the note is handed over, all under a lock
 * on the key file. A key without a state (made before signers kept one)
 * signs and starts one: state_new says so. Release *out with
 * app_checkpoint_cleanup.
 */
struct app_checkpoint {
  char *note;    /* the signed checkpoint */
  uint64_t size; /* its tree size */
  char *state;   /* the signer's state file */
  int state_new; /* there was none before */
};
int app_log_checkpoint(struct app *app, const char *key,
                       struct app_checkpoint *out, struct app_error *err);
void app_checkpoint_cleanup(struct app_checkpoint *c);

/* Entries [start, end) of the log, each entry's canonical bytes and a
 * newline: the bytes `passage log entries` prints. Both ends are needed,
 * start <= end <= the log's size (else ERR_USAGE, field "start"). */
struct app_entries_query {
  uint64_t start, end;
  int has_start, has_end;
};
int app_log_entries(struct app *app, const struct app_entries_query *q,
                    const struct app_sink *out, struct app_error *err);

/*
 * A witness's cosignature: loads the witness's key (key) and the log's
 * verifier key (log_key: a file holding it, or its text), checks the log's
 * signature on the checkpoint file and, when the state file exists (the
 * last checkpoint this witness signed), that the new one extends it, by a
 * consistency proof from the store; then writes the cosigned checkpoint to
 * output (NULL or "-": standard output) and the checkpoint to state.
 * ERR_VERIFY when a check fails.
 */
struct app_cosign_query {
  const char *key, *log_key, *checkpoint, *state, *output;
};
int app_log_cosign(struct app *app, const struct app_cosign_query *q,
                   struct app_error *err);

/* Records. OK when name is a record kind; otherwise ERR_USAGE (field
 * "kind", "--kind: unknown kind 'x'"). */
int app_check_kind(const char *name, struct app_error *err);
/* The sequence number of the record with this id, of kind (NULL: any kind),
 * through the store's index. ERR_USAGE (field "kind") for an unknown kind,
 * ERR_NOTFOUND, or ERR_CONFLICT (field "kind") when records of several
 * kinds have the id. */
int app_find_entry(struct app *app, const char *kind, const char *id,
                   uint64_t *seq, struct app_error *err);

/*
 * Records in and out. An import reads files or an upload of one kind of
 * record, maps the columns onto fields (the mapping options, each text as
 * one --map, --set or --values gives it), validates every row and stores
 * them in one transaction, all or nothing (with rejects: the valid rows).
 * What it has to say goes to the caller's ingest sink (ingest.h) as it
 * goes: each problem with its line, field, what was expected and what was
 * got; the columns ignored, the unknown references, the unmapped labels;
 * progress. The CLI prints them as it always has; the server answers them
 * as JSON.
 */
struct app_import_query {
  const char *kind;        /* the records' kind */
  const char *format;      /* the input's: csv (an HXL row is recognised), hxl
                            * (the same), xlsx, ods or jsonl; NULL: csv. A
                            * workbook is known by its bytes whatever csv,
                            * hxl, xlsx or ods says */
  const char *const *maps; /* "field=Column,field2={Year}-{Month}" */
  size_t nmaps;
  const char *const *sets; /* "field=value,..." */
  size_t nsets;
  const char *const *values; /* "field:Label=value,Label2=value2" */
  size_t nvalues;
  int create_missing;  /* create the checkpoints, sources, actors named */
  const char *rejects; /* store the valid rows, the others to this CSV file
                        * (--skip-invalid); NULL: all or nothing */
  size_t max_errors;   /* errors handed to the sink (0: 20); the rest are
                        * counted and announced by a note */
  /* How the input is written (docs/importing.md); NULL or 0: as usual, or
   * detected (the import says what it guessed). */
  const char *sheet;          /* a workbook's sheet: name or number from 1 */
  const char *delimiter;      /* ",", ";", "tab", "|" */
  int decimal_comma;          /* "12,5" is 12.5 */
  int decimal_point;          /* "1,234" is 1234, whatever the delimiter */
  const char *date_format;    /* DMY, MDY, YMD, serial, or "%d.%m.%Y" */
  const char *encoding;       /* latin1, cp1252, UTF-16, any iconv knows */
  unsigned long header_row;   /* the header's row from 1; 0: detected */
  const char *const *missing; /* "n/a,NA,null": words for missing */
  size_t nmissing;
  const char *preset;        /* kobo or odk */
  int only_validated;        /* with a preset: approved submissions only */
  const char *const *wheres; /* "Column=value|value2": rows kept */
  size_t nwheres;
  /* Limits (docs/importing.md#limits): a CSV record or JSON line of at
   * most max_line bytes (0: 1 MiB; at most 256 MiB); times more than a
   * day after the clock refused unless allow_future. */
  size_t max_line;
  int allow_future;
  /* The input: files ("-" is standard input), or when nfiles is 0 the len
   * bytes at data (an upload, the caller's during the call), called name
   * in errors (NULL: "upload"). The same bytes give the same ids. */
  const char *const *files;
  size_t nfiles;
  const char *name;
  const void *data;
  size_t len;
  /* Who imports (the server's token; NULL: the CLI, anyone): a monitor
   * limited to checkpoints imports only records for those, and may not
   * create_missing; else ERR_DENIED, nothing stored. */
  const struct app_principal *who;
};

/* What an import or an add did: ingest's counts (rows read, added, already
 * stored, rejected, created) and the log's size after it. */
struct app_import_result {
  struct ingest_stats stats;
  uint64_t size;
};

/*
 * Checks one mapping option's text for records of kind before an import
 * (the CLI, as it meets each option): option is "map", "set" or "values".
 * OK, or ERR_USAGE (APP_ERROR_REQUEST, field option; or field "kind") with
 * the message ingest gives, naming the option ("--map: flow has no field
 * 'x' (fields: ...)").
 */
int app_check_mapping(const char *kind, const char *option, const char *text,
                      struct app_error *err);

/*
 * Imports q's input into the store, telling sink (which may be NULL) what
 * happened. Returns OK, or:
 * - ERR_USAGE, APP_ERROR_REQUEST: the request (field "kind", "format",
 *   "map", "set", "values", or a dialect option: "delimiter", "decimal",
 *   "date_format", "encoding", "missing", "preset", "only_validated",
 *   "where"); nothing read;
 * - the store's error as APP_ERROR_PROGRAM when it cannot be opened;
 * - the import's failure, which sink has heard already (the error has no
 *   message): ERR_INVALID (invalid data: nothing stored), ERR_USAGE
 *   (field "map": a --map names a column the input lacks), ERR_IO (an
 *   input, or the rejects file), APP_ERROR_INPUT; ERR_STORE, or ERR_RETRY
 *   (the store lost the
 *   transaction to another writer: nothing stored, the same import may be
 *   run again), APP_ERROR_PROGRAM.
 * *out holds the counts in either case (a failed import stored nothing,
 * and counts nothing as added).
 */
int app_import(struct app *app, const struct app_import_query *q,
               const struct ingest_sink *sink, struct app_import_result *out,
               struct app_error *err);

/* One record given as field names and texts, as typed (passage add). */
struct app_add_query {
  const char *kind;
  const char *const *names;
  const char *const *values;
  size_t n;
  int create_missing;
  int allow_future; /* a time more than a day after the clock is taken */
};
/*
 * Stores q's record, validated as an imported row is (a field the kind
 * lacks is a problem of the record). Without an id its id is derived from
 * its content, so the same record given twice adds nothing. Returns and
 * reports as app_import, the problems named "command line" with line 0.
 */
int app_add(struct app *app, const struct app_add_query *q,
            const struct ingest_sink *sink, struct app_import_result *out,
            struct app_error *err);

/*
 * Withdrawing an import. Every import that added entries is recorded in the
 * log as a record of kind import, id import-N (N its own entry), naming the
 * entries it added. Withdrawing it appends, in one transaction, one
 * withdrawal (a correction of kind withdrawal, with the record's own source
 * and grade, the reason and the import's id) for each record of the
 * import's kind it added that is still live, then one of the import's own
 * record. Analysis ignores withdrawn records from then on; --as-of an
 * earlier tree size still counts them. Records corrected since stay (their
 * corrections are someone's account), as do the checkpoints, sources and
 * actors --create-missing made (others may name them). Nothing is deleted.
 */
struct app_withdraw_plan {
  char *import, *kind, *files, *at; /* files: one name a line */
  uint64_t import_seq;
  uint64_t first, entries; /* the entries the import added */
  uint64_t records;        /* of the import's kind among them */
  uint64_t live;           /* of those, not corrected since: withdrawn */
  uint64_t corrected;      /* corrected since: they stay */
  uint64_t created;        /* made by --create-missing: they stay */
  int withdrawn;           /* the import was withdrawn already */
  uint64_t withdrawn_by;   /* then by this entry */
};
void app_withdraw_plan_cleanup(struct app_withdraw_plan *p);
/* What withdrawing import (its id, import-N) would do, as the log stands:
 * OK, ERR_NOTFOUND (field "import"), ERR_USAGE for no id. */
int app_withdraw_plan(struct app *app, const char *import,
                      struct app_withdraw_plan *out, struct app_error *err);
struct app_withdraw_query {
  const char *import;
  const char *reason; /* required: kept with each withdrawal */
};
/* Withdraws it; *out says what was done (the plan as the transaction saw
 * it), *size the log's size after. ERR_USAGE (field "import" or "reason",
 * APP_ERROR_REQUEST), ERR_NOTFOUND, ERR_EXISTS when it was withdrawn
 * already, ERR_INVALID (a reason the record refuses), the store's
 * errors. */
int app_withdraw(struct app *app, const struct app_withdraw_query *q,
                 struct app_withdraw_plan *out, uint64_t *size,
                 struct app_error *err);

/* Every record of a kind, in log order. */
struct app_export_query {
  const char *kind;
  const char *format; /* csv, hxl (CSV with a row of hashtags) or jsonl (the
                       * canonical bytes as hashed in the log); NULL: csv */
};
/* Checks q without the store: OK or ERR_USAGE (APP_ERROR_REQUEST, field
 * "kind" or "format"). The kind "corridor" exports the rules in force
 * (app_corridor_export), in the format jsonl only. */
int app_check_export(const struct app_export_query *q, struct app_error *err);
/*
 * Writes the records to out in pieces of whole rows, some 64 KiB each:
 * what imports back unchanged (ingest_export). Returns OK; q's errors as
 * app_check_export; the store's when it cannot be opened; ERR_INVALID (a
 * stored entry is not of its kind) or ERR_STORE with a message
 * (APP_ERROR_OPERATION; the rows before it are written); or what out
 * returned, which stops the export (no message).
 */
int app_export(struct app *app, const struct app_export_query *q,
               const struct app_sink *out, struct app_error *err);

/*
 * Proofs (RFC 9162), as JSON objects in the shape the CLI prints and the
 * server serves: {"leaf_index": N, "tree_size": S, "hashes": [base64...]}
 * and {"old_size": A, "new_size": B, "hashes": [...]}. *out is new; write
 * it with app_proof_write. Inclusion takes the leaf by index or by record
 * id (and kind); the size defaults to the log's.
 */
struct app_inclusion_query {
  uint64_t index, size;
  int has_index, has_size;
  const char *id, *kind; /* instead of index */
};
int app_prove_inclusion(struct app *app, const struct app_inclusion_query *q,
                        json_t **out, struct app_error *err);
struct app_consistency_query {
  uint64_t old_size, new_size;
  int has_old, has_new;
};
int app_prove_consistency(struct app *app,
                          const struct app_consistency_query *q, json_t **out,
                          struct app_error *err);
/* Appends a proof as one line of JSON and a newline. */
int app_proof_write(const json_t *proof, struct buf *out);

/*
 * Verification. app_verify audits the whole store (store_audit), then
 * checks each checkpoint file: signed by the log's key (key: a verifier key
 * or a file holding one; NULL: the signing key beside the store), of this
 * log, with the root of the store's tree at its size, and cosigned by each
 * witness; all of it in one snapshot, so that appends made meanwhile cause
 * no false alarm. progress, when set, hears how far the audit got and,
 * with finished set, that it ended. ERR_VERIFY with the first failure.
 * Without checkpoints the store is checked against itself only: a rewrite
 * of the whole log (entries, hashes, nodes, tables made anew) passes; only
 * checkpoints kept from before show it.
 */
struct app_verify_query {
  const char *const *checkpoints;
  size_t ncheckpoints;
  const char *key;
  const char *const *witnesses;
  size_t nwitnesses;
  void (*progress)(void *ctx, uint64_t done, int finished);
  void *ctx;
  /* With quorum > 0, each checkpoint needs valid cosignatures by at least
   * quorum of the witnesses (a line by one that fails still fails it);
   * with 0, by every one. */
  size_t quorum;
};
struct app_verify_result {
  uint64_t entries;    /* the log's size */
  size_t checkpoints;  /* checkpoints found consistent */
  size_t cosignatures; /* kept cosignatures verified (issue 12) */
  size_t saved_states; /* the analysis's saved states counted again */
  /* A store made before the corridor's rules were logged: those in force
   * before entry rules_logged_from (the size, when none is logged) are
   * only in its meta table, where nothing checks them. */
  int rules_unlogged;
  uint64_t rules_logged_from;
};
int app_verify(struct app *app, const struct app_verify_query *q,
               struct app_verify_result *out, struct app_error *err);

/* A proof file checked against one or two checkpoint files signed by key,
 * with no store: an inclusion proof needs the entry file (its bytes as
 * `log entries` prints them) and the checkpoint of the proof's size; a
 * consistency proof the checkpoints of its two sizes. */
struct app_proof_query {
  const char *checkpoints[2];
  size_t ncheckpoints;
  const char *key, *proof, *entry;
};
struct app_proof_result {
  int inclusion;                  /* 1: an inclusion proof; 0: consistency */
  uint64_t leaf_index, tree_size; /* inclusion */
  uint64_t old_size, new_size;    /* consistency */
};
int app_verify_proof(const struct app_proof_query *q,
                     struct app_proof_result *out, struct app_error *err);

/*
 * Analysis answers. One query for all of them, as the CLI's options and
 * the server's query parameters give it; each answer uses what concerns
 * it. Days are local day numbers (util_days_from_civil); a missing end of
 * the period comes from the data.
 */
struct app_query {
  int64_t from, to, date;
  int has_from, has_to, has_date;
  uint64_t as_of;         /* 0: the current tree */
  const char *checkpoint; /* availability: one checkpoint (NULL: each) */
  /* flow */
  const char *by;      /* dimensions, comma-separated (NULL: "day") */
  const char *measure; /* measures, comma-separated (NULL: all) */
  const char *source;  /* that source's own figures, or NULL */
  const char *outcome; /* NULL: passed; "all": every outcome */
};

/* ERR_USAGE (field "from") when from is after to. */
int app_check_range(const struct app_query *q, struct app_error *err);
/* Checks a --by (field "by") or --measure (field "measure") list:
 * ERR_USAGE naming the unknown item and what is expected. */
int app_check_list(const char *field, const char *text, struct app_error *err);

/* A column of an answer: its name (the CSV header), where its value lies
 * in each row of the JSON (a path of member names joined by '.'; a leading
 * '/' starts at the document's root), and what the value is. */
enum app_column_type {
  APP_COL_TEXT,   /* a string, or null when the row has none */
  APP_COL_DAY,    /* "YYYY-MM-DD" */
  APP_COL_NUMBER, /* a quantity (tonnes, days, hours), or null when unknown */
  APP_COL_SHARE,  /* 0..1 (a percentage for people), or null */
  APP_COL_COUNT,  /* a whole number */
  APP_COL_TALLY,  /* persons, vehicles or records, fractional where spread
                     over days: shown whole to people, full in JSON and CSV */
};
struct app_column {
  char *name;
  char *path;
  enum app_column_type type;
};

/*
 * An answer's shape: the head of its JSON document (the root as docs and
 * --help describe it, with the member that holds the rows last and empty),
 * that member's name, and the columns that make its CSV form. no_data: the
 * store has no records at all (the CSV form is then empty, not even a
 * header). Rows are not kept here: an answer hands them over one at a time,
 * so that a long one is written as it is made.
 */
struct app_table {
  json_t *json;
  const char *rows;
  struct app_column *cols;
  size_t ncols;
  int no_data;
};
void app_table_cleanup(struct app_table *t);
/* The value of column col in a row of t (NULL when the row has none),
 * borrowed from the row. */
const json_t *app_table_value(const struct app_table *t, const json_t *row,
                              size_t col);

/*
 * Where an answer goes: begin with its shape, row for each row (borrowed:
 * valid during the call), end when all are given. Each returns OK to go on;
 * anything else stops the answer, which returns it. detail 0 leaves out of
 * the rows what no column holds and no table shows (the per-source figures
 * behind a disputed flow), which a long CSV answer need not build.
 */
struct app_rows {
  int (*begin)(void *ctx, const struct app_table *t);
  int (*row)(void *ctx, const struct app_table *t, const json_t *row);
  int (*end)(void *ctx, const struct app_table *t);
  void *ctx;
  int detail;
};

/* The answers. Each checks q, then hands its rows to out. */
typedef int app_answer_fn(struct app *app, const struct app_query *q,
                          const struct app_rows *out, struct app_error *err);
/* Reconciled flows grouped by q->by ({"rows": [...]}). */
int app_flow(struct app *app, const struct app_query *q,
             const struct app_rows *out, struct app_error *err);
/* The functioning index of each day ({"days": [...]}). */
int app_index(struct app *app, const struct app_query *q,
              const struct app_rows *out, struct app_error *err);
/* Each checkpoint's open share of each day ({"days": [...]}). */
int app_availability(struct app *app, const struct app_query *q,
                     const struct app_rows *out, struct app_error *err);
/* Each obligation over the period ({"obligations": [...]}). */
int app_compliance(struct app *app, const struct app_query *q,
                   const struct app_rows *out, struct app_error *err);
/* The supply outlook at the start of q->date ({"date", "categories"}). */
int app_supply(struct app *app, const struct app_query *q,
               const struct app_rows *out, struct app_error *err);
/* The pipeline of q's period ({"stages": {"order", "counting"},
 * "measure", "rows"}): per day, checkpoint (q->checkpoint: one, by id or name)
 * and direction, the count of q->measure (one of vehicles, the default,
 * persons, tonnes, records) at each stage, the backlog, and the median and
 * 90th-percentile dwell in hours between consecutive stages. */
int app_pipeline(struct app *app, const struct app_query *q,
                 const struct app_rows *out, struct app_error *err);

/*
 * An answer written to out as it is made, in one of its two forms: JSON
 * (the root on one line, a row a line: {"rows": [\n  {...},\n  {...}\n]})
 * or CSV (a header of the column names, a line per row, unknown figures as
 * empty cells), or HXL (the CSV with a row of HXL hashtags under its
 * header: app__hxl_tag). A failure of out stops it with out's code.
 */
enum app_form { APP_FORM_JSON, APP_FORM_CSV, APP_FORM_HXL };
int app_write_answer(struct app *app, app_answer_fn *answer,
                     const struct app_query *q, enum app_form form,
                     const struct app_sink *out, struct app_error *err);

/*
 * What the store holds, as of tree size as_of (0: now), from one snapshot:
 * {"db", "tree_size", "corridor": {"name", "log", "timezone", "inside"},
 * "checkpoints": [{"id", "name"}], "records": {KIND: live records, ...},
 * "withdrawn": withdrawal records, "flow_period": {"from", "to"} or null,
 * "sources": [{"id" (null: records naming none), "name", "records",
 * "grades": {GRADE or "none": records}}], "imports": {"count",
 * "withdrawn", "latest"}, "key": {"path", "present"}, "last_signed":
 * {"file", "tree_size", "root"} (or {"file", "unreadable": true}) or
 * null}. *out is new.
 */
int app_status(struct app *app, uint64_t as_of, json_t **out,
               struct app_error *err);

/* Appends v as readable JSON (as status and show print it: one member a
 * line, a record, a proof and what lies two levels down on one line). */
int app_json_write(const json_t *v, struct buf *out);

/*
 * Lists of what the store holds, as answers (q->as_of; the rest of q is
 * not used): sources {"sources": [{"id", "name", "url", "grades",
 * "records"}]} (grades: "A2 12, B3 1"), checkpoints {"checkpoints": [{"id",
 * "name", "km", "lat", "lon", "flows"}]}, actors {"actors": [{"id",
 * "name", "role"}]}, categories {"categories": [{"id", "name", "unit",
 * "need_per_person_per_day", "need_unit"}]} (the corridor's and the
 * built-in ones), imports {"imports": [{"id", "at", "kind", "files",
 * "withdrawn", "added", "created", "rejected", "first", "entries",
 * "withdrawn_by", "options"}]} (files joined by ", "; withdrawn "no" or
 * "entry N", withdrawn_by N or null).
 */
int app_list_sources(struct app *app, const struct app_query *q,
                     const struct app_rows *out, struct app_error *err);
int app_list_checkpoints(struct app *app, const struct app_query *q,
                         const struct app_rows *out, struct app_error *err);
int app_list_actors(struct app *app, const struct app_query *q,
                    const struct app_rows *out, struct app_error *err);
int app_list_categories(struct app *app, const struct app_query *q,
                        const struct app_rows *out, struct app_error *err);
int app_list_imports(struct app *app, const struct app_query *q,
                     const struct app_rows *out, struct app_error *err);

/*
 * One record and its history, from one snapshot: {"kind", "id", "entry"
 * (its place in the log), "record" (its canonical JSON as an object),
 * "state": "live", "corrected" or "withdrawn", "supersedes" (the id it
 * corrects, or null), "superseded_by": [{"entry", "kind", "id", "reason"
 * (withdrawals)}, ...] (the chain of corrections after it, oldest first),
 * "import": {"id", "entry", "at", "files", "sha256", "options"} (the
 * import that added it) or null, "proof": the inclusion proof of its entry
 * in the current tree (as app_prove_inclusion)}. kind may be NULL when one
 * kind alone has the id. *out is new. ERR_NOTFOUND (field "id"),
 * ERR_USAGE (field "kind") as app_find_entry.
 */
int app_show(struct app *app, const char *id, const char *kind, json_t **out,
             struct app_error *err);

/* Reports. The situation report, in format (md, html, json, txt; NULL:
 * md), appended to out, of q->date for a period of period_days: 1 (the
 * day), 7 (the week ending on it) or APP_PERIOD_MONTH (the calendar month
 * containing it, from its 1st to the date: the whole month when the date is
 * its last day); app_check_period reads "day", "week" or "month". Or, with
 * neither date nor period, of the days from..to (both needed). The
 * previous period is as long, just before. */
#define APP_PERIOD_MONTH 0
struct app_sitrep_query {
  int64_t date;
  int has_date;
  int period_days;
  int has_period; /* the period was given, not the default day */
  int64_t from, to;
  int has_from, has_to;
  const char *format;
  uint64_t as_of;
};
int app_check_period(const char *text, int *days, struct app_error *err);
int app_report_sitrep(struct app *app, const struct app_sitrep_query *q,
                      struct buf *out, struct app_error *err);

/*
 * The corridor's rules, which are entries of the log (docs/corridor-file.md).
 * app_corridor_show writes the version in force at q->as_of (0: now) to
 * out: APP_CORRIDOR_INI a corridor file (after a comment line naming the
 * version and its entry) that init or amend reads back to the same rules;
 * APP_CORRIDOR_JSON the entry's canonical bytes and a newline, as the log
 * holds and publishes them (what `export corridor` writes).
 * app_corridor_amend appends the file at path as the next version, with a
 * checkpoint record for each of its checkpoints that the log has none of
 * yet, all in one transaction; refused (ERR_INVALID, APP_ERROR_OPERATION,
 * the reason in words) when it drops or renames a checkpoint or category
 * that records name, or changes the log origin or the time zone once the
 * records depend on them; a file's own mistakes are APP_ERROR_INPUT.
 * Rules equal to those in force append nothing (unchanged set).
 */
enum app_corridor_form { APP_CORRIDOR_INI, APP_CORRIDOR_JSON };
struct app_corridor_query {
  const char *format; /* "ini" (NULL) or "json" */
  uint64_t as_of;
};
struct app_corridor_result {
  unsigned version; /* the version in force (0: a copy not in the log) */
  uint64_t entry;   /* its entry, when logged */
  int logged;
  uint64_t size; /* the tree size it is in force at (amend: after it) */
  int unchanged; /* amend: the file's rules are those in force */
  char **added;  /* amend: checkpoints new to the log, by id */
  size_t nadded, capadded;
};
int app_check_corridor_format(const char *text, enum app_corridor_form *form,
                              struct app_error *err);
int app_corridor_show(struct app *app, const struct app_corridor_query *q,
                      struct buf *out, struct app_corridor_result *res,
                      struct app_error *err);
int app_corridor_amend(struct app *app, const char *path,
                       struct app_corridor_result *res, struct app_error *err);
void app_corridor_result_cleanup(struct app_corridor_result *r);
/* `export corridor`: the rules in force, as the log's JSON entry and a
 * newline, to out (a failure of out stops it with out's code). */
int app_corridor_export(struct app *app, const struct app_sink *out,
                        struct app_error *err);

/* A new store from a corridor file, its checkpoints the first records of
 * the log. The db must not exist yet. Without a corridor file (NULL):
 * ERR_USAGE (APP_ERROR_REQUEST, field "corridor"), saying how to start
 * one. */
struct app_init_result {
  char *corridor, *timezone;
  size_t checkpoints;
};
int app_init(struct app *app, const char *corridor_path,
             struct app_init_result *out, struct app_error *err);
void app_init_result_cleanup(struct app_init_result *r);
/* A commented starter corridor file that app_init accepts as it is
 * (static text). */
const char *app_corridor_template(void);

/*
 * migrate (issue 14). app_migrate_schema brings the store's schema to this
 * build's version, creating it in an empty database (as the owner of its
 * tables), and grants each of roles what a server needs (a store on a
 * server only: store_grant). app_migrate_copy copies the store at from
 * into a new store at to (SQLite to PostgreSQL or back; to is made when
 * it can be) entry by entry through the store's own rules (store_copy),
 * and proves the copy: the source verified before, the copy after, the
 * same size and root, and the sitrep of every day with flows the same
 * byte for byte in md and JSON. progress hears the entries copied. A copy
 * that fails its proof is ERR_VERIFY, and is left as it is to be looked
 * at (delete it before copying again).
 */
struct app_migrate_result {
  int version;         /* the schema's version */
  const char *backend; /* "SQLite", "PostgreSQL": of the store migrated,
                          or of the copy */
  uint64_t entries;    /* the log's size */
  char root[48];       /* its root in base64 (a copy) */
  size_t sitreps;      /* sitreps found the same (a copy) */
  int64_t from, to;    /* their days: those of the flows */
};
int app_migrate_schema(struct app *app, const char *const *roles, size_t nroles,
                       struct app_migrate_result *out, struct app_error *err);
int app_migrate_copy(const char *from, const char *to,
                     void (*progress)(void *ctx, uint64_t done), void *ctx,
                     struct app_migrate_result *out, struct app_error *err);

/*
 * The server's operations (issue 11): tokens and roles, the intake of
 * records posted by devices, records listed page by page, the corridor's
 * status, the log's head. docs/internals/app.md says which route calls
 * what.
 */

/* Roles, from the least allowed up. */
enum app_role {
  APP_ROLE_PUBLIC,  /* no token: published answers, status, the log */
  APP_ROLE_PARTY,   /* a party or its witness: the log's raw entries too */
  APP_ROLE_MONITOR, /* writes records (for its checkpoints, if limited) */
  APP_ROLE_ANALYST, /* reads every answer, record and report */
  APP_ROLE_ADMIN,   /* all of it */
};
/* "public", "monitor", ...; app_role_by_name: -1 when unknown. */
const char *app_role_name(enum app_role r);
int app_role_by_name(const char *name);

/* Who asks: the role and name of the token given, and the checkpoints it
 * may write for (NULL: any). Release with app_principal_cleanup. */
struct app_principal {
  enum app_role role;
  char *name;         /* the token's name; NULL for the public */
  char **checkpoints; /* NULL-terminated, or NULL */
};
void app_principal_cleanup(struct app_principal *p);

/* A new token: its name (an id: letters, digits, ._:@/+-), role, the
 * checkpoints a monitor is limited to, and the last day it is valid (a
 * local day of the corridor; has_expires 0: never). */
struct app_token_query {
  const char *name, *role;
  const char *const *checkpoints;
  size_t ncheckpoints;
  int64_t expires;
  int has_expires;
};
/*
 * Makes a token of 256 random bits and stores only its SHA-256 hash, with
 * q's name, role, checkpoints and expiry. *token is the token's text (a
 * new string, "pst_" and 43 characters of base64url), which nothing can
 * show again. ERR_USAGE (APP_ERROR_REQUEST: field "name", "role",
 * "checkpoint", "expires") for a bad request or a checkpoint the corridor
 * lacks; ERR_EXISTS (field "name") when the name is taken.
 */
int app_token_create(struct app *app, const struct app_token_query *q,
                     char **token, struct app_error *err);
/*
 * A QR code of text (the entry page's address with a token in its
 * fragment: URL/entry#token=...): app_qr_text appends it for a terminal,
 * in UTF-8 half blocks drawing the light modules (a dark background shows
 * it dark on light), a 4-module margin around; app_qr_png writes it to
 * path as a PNG (8 pixels a module, the same margin), atomically.
 * ERR_USAGE (field "url") when text is empty or too long for a QR code.
 */
int app_qr_text(const char *text, struct buf *out, struct app_error *err);
int app_qr_png(const char *text, const char *path, struct app_error *err);

/* Every token, by name ({"tokens": [{name, role, checkpoints, created,
 * expires, revoked, state}]}), never their hashes. */
int app_token_list(struct app *app, const struct app_rows *out,
                   struct app_error *err);
/* Revokes the token called name: no request carries it from then on.
 * ERR_NOTFOUND (field "name"). */
int app_token_revoke(struct app *app, const char *name, struct app_error *err);
/*
 * Who a request's Authorization header (NULL: none) says it comes from:
 * no header is the public; "Bearer TOKEN" a stored token, found by its
 * hash and compared in constant time, not expired nor revoked. ERR_AUTH
 * (field "authorization") for anything else; *who is then the public.
 */
int app_authenticate(struct app *app, const char *authorization,
                     struct app_principal *who, struct app_error *err);

/* Records the handle's writes from now on as the token called name's
 * (NULL: nobody's), beside each entry (store_set_writer). */
int app_set_writer(struct app *app, const char *name, struct app_error *err);
/* Sees what other handles committed (store_refresh). */
int app_refresh(struct app *app, struct app_error *err);
/* The name of the token that wrote entry seq (a new string), or
 * ERR_NOTFOUND. */
int app_writer_of(struct app *app, uint64_t seq, char **name,
                  struct app_error *err);

/* What a request would do, for app_allow. */
enum app_action {
  APP_ACT_STATUS,  /* status, the log, proofs: everyone */
  APP_ACT_ANSWER,  /* an analysis answer (answer names it: "flows") */
  APP_ACT_RECORDS, /* records listed (answer: the kind) */
  APP_ACT_REPORT,  /* the sitrep */
  APP_ACT_WRITE,   /* records posted, files imported */
  APP_ACT_ADMIN,   /* the server's own state */
  APP_ACT_LOG,     /* the log's raw entries (entries, entry bundles) */
};
/*
 * OK when who may do act; otherwise ERR_AUTH (the public asked: a token
 * would help) or ERR_DENIED (the token's role may not). Analysis answers
 * need an analyst unless the corridor's [publish] public names them;
 * records of kind event are read as "events"; writes need a monitor or
 * an admin. The log's raw entries carry every count as recorded, small
 * ones too: they need a party, an analyst or an admin, unless [publish]
 * public names "log".
 */
int app_allow(struct app *app, const struct app_principal *who,
              enum app_action act, const char *answer, struct app_error *err);

/*
 * The flow answer as the public may see it: a person count below the
 * corridor's min_public_count (and above zero) is null, the row marked
 * "suppressed": true, and so is a disputing source's person figure. Shaped
 * as the answers are, for app_write_answer.
 */
int app_flow_public(struct app *app, const struct app_query *q,
                    const struct app_rows *out, struct app_error *err);

/*
 * Intake. A batch is one POST's records ({"records": [{"kind": "flow",
 * "id": "...", ...fields}]}), parsed and checked on the request's thread
 * (app_batch_parse), then stored by the one writer with the batches queued
 * beside it, in one transaction and one sync (app_batch_commit), and
 * answered from what the store said (app_batch_answer).
 */
struct app_batch;
/*
 * Parses body (len bytes) from who. Returns OK and *out; or ERR_USAGE
 * (the body is not JSON of that shape: field names where), ERR_INVALID
 * (*problems: {"errors": [{index, id, field, expected, got, message}]}
 * for every invalid record; nothing is stored), ERR_DENIED (who may not
 * write, or not for a record's checkpoint; index in the message),
 * ERR_NOMEM (more than APP_BATCH_MAX records).
 */
#define APP_BATCH_MAX 10000
int app_batch_parse(struct app *app, const struct app_principal *who,
                    const char *body, size_t len, struct app_batch **out,
                    json_t **problems, struct app_error *err);
size_t app_batch_size(const struct app_batch *b);
void app_batch_free(struct app_batch *b);
/*
 * Stores the n batches through writer's store in one transaction: each
 * all or nothing. A batch whose record names an unknown reference, an id
 * stored with other bytes (the store's unique index decides) or a record
 * it may not supersede is left out, and the others committed without it.
 * Returns OK (each batch's own outcome is app_batch_answer's), or the
 * store's failure, which every batch not yet decided shares: ERR_NOSPACE,
 * ERR_RETRY (the store asked for the transaction again four times, the
 * group replayed after each: locked past the busy timeout, another
 * server's conflict, a lost connection), ERR_STORE.
 */
int app_batch_commit(struct app *writer, struct app_batch *const *batches,
                     size_t n, struct app_error *err);
/*
 * A committed batch's answer into *body: OK with {"accepted", "duplicates",
 * "tree_size", "receipts": [{id, seq, leaf_hash}]} (a duplicate's receipt
 * the original's); ERR_CONFLICT with {"errors": [{index, id, message,
 * stored_leaf_hash}]}; ERR_INVALID with {"errors": [{index, id, field,
 * expected, got, message}]}; or the store's failure (*body NULL, err
 * filled). accepted and duplicates count records added and found.
 */
int app_batch_answer(const struct app_batch *b, json_t **body,
                     struct app_error *err);
/* Records added by the batch (0 unless it was accepted). */
size_t app_batch_accepted(const struct app_batch *b);

/*
 * Records listed page by page, in log order: those of kind (NULL: every
 * kind) whose time falls in [from, to] (local days, when given), from
 * the entry cursor (0: the first), at most limit (0: 1,000; at most
 * 10,000), in format csv, hxl or jsonl (NULL: jsonl; a kind is needed for
 * csv and hxl). *next is the cursor of the next page, or 0 when this was
 * the last. ERR_USAGE for a bad request (field kind, format, limit).
 */
struct app_records_query {
  const char *kind, *format;
  int64_t from, to;
  int has_from, has_to;
  uint64_t cursor, limit;
};
int app_records(struct app *app, const struct app_records_query *q,
                const struct app_sink *out, uint64_t *next,
                struct app_error *err);

/*
 * The corridor at a glance (the server's /api/v1/status, the dashboard's
 * first answer; `passage status` is app_status): {"corridor": {name,
 * timezone, log, inside, checkpoints: [{id, name, lat, lon, km, route}]},
 * "tree_size", "root" (base64), "checkpoint" (the signed note, or null
 * without a key), "sources": [{id, name, grade, records}], "span": {"from",
 * "to"} (null without flows), "publish": [...]}. key names the signing
 * key file (NULL: the one beside the store, as app_log_checkpoint says; a
 * store on a server has none, and its server is given one). *out is new.
 */
int app_overview(struct app *app, const char *key, json_t **out,
                 struct app_error *err);

/*
 * The server's status: app_overview's answer and, in "corridor",
 * "categories": [{id, name, unit}], "stages": {"order": [...], "counting"}
 * and "index_checkpoints" (the ids the index counts, null for every
 * checkpoint); "keys": {"log": the verifier key of key (NULL: beside the
 * store), null without one, "witnesses": [{name, key}]}; "baseline":
 * {"window": {from, to}, "per_day": {"in"|"out": {persons, vehicles,
 * tonnes}}, "suppressed"} as who may read the index (a person figure
 * under min_public_count null for the public, "suppressed" then true),
 * null when who may not or the corridor has no baseline window. The
 * figures are of the tree app_overview names. *out is new.
 */
int app_status_serve(struct app *app, const struct app_principal *who,
                     const char *key, json_t **out, struct app_error *err);

/* The log's head as the event stream announces it: its size and root. */
int app_tree_head(struct app *app, uint64_t *size, uint8_t root[32],
                  struct app_error *err);

/*
 * Transparency (issue 12): the log as C2SP tiles, witnesses that cosign
 * its checkpoints over C2SP tlog-witness, and proofs checked anywhere.
 */

/* One resource of the log's tile tree, as a server answers it. */
struct app_tile {
  char *data; /* new bytes: free() them (app_tile_cleanup) */
  size_t len;
  const char *content_type;  /* static text */
  const char *cache_control; /* static text */
};
void app_tile_cleanup(struct app_tile *t);

/*
 * The resource at path below the log's prefix (a leading '/' is allowed):
 * "checkpoint", the latest checkpoint kept in the store with every
 * cosignature it has (text/plain; charset=utf-8, cached a few seconds),
 * or a tile, "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]"
 * (application/octet-stream; a full tile is immutable, cached for a year,
 * a partial one for a minute, as the log may drop it). Any tile
 * within the store's tree is answered, partial ones of older sizes too.
 * ERR_NOTFOUND (APP_ERROR_REQUEST, field "path") for a path that names no
 * resource, a tile beyond the tree, or no checkpoint kept yet; the
 * store's errors otherwise.
 */
int app_log_tile(struct app *app, const char *path, struct app_tile *out,
                 struct app_error *err);

/*
 * Writes the tile tree for a static mirror into the folder out: every
 * tile and entry bundle of the tree of the latest kept checkpoint that
 * the folder lacks (full tiles are never rewritten; partial ones of older
 * sizes stay), synced, and only then its checkpoint file, swapped in
 * atomically. When the store holds entries that no kept checkpoint
 * covers, the current tree is signed first with the key (NULL: beside
 * the store). The folder's own checkpoint, when there is one, must be of
 * this log and a prefix of its tree (else ERR_VERIFY: it was made from
 * another history, and nothing is written).
 */
struct app_tiles_query {
  const char *out;
  const char *key;
};
struct app_tiles_result {
  uint64_t size, old_size; /* the tree published, the folder's before */
  size_t written;          /* tiles and bundles written */
  size_t cosignatures;     /* on the checkpoint published */
  int signed_now;          /* the tree was signed for it */
};
int app_log_tiles(struct app *app, const struct app_tiles_query *q,
                  struct app_tiles_result *out, struct app_error *err);

/*
 * The latest checkpoint kept, with every cosignature (what a server
 * answers at /checkpoint): *note is new; *size its tree size.
 * ERR_NOTFOUND when none is kept.
 */
int app_log_cosigned(struct app *app, char **note, uint64_t *size,
                     struct app_error *err);

/*
 * Asks every witness of the corridor ([witness NAME]) to cosign: signs the
 * store's current tree (key: NULL for the key beside the store), sends it
 * to each with a consistency proof from the size that witness cosigned
 * last (0 when it never did; a 409 names the size it holds, and the
 * request is made once more from there), checks each answer's
 * cosignature with the witness's key, and keeps the checkpoint and every
 * valid cosignature in the store. One witness failing does not stop the
 * others: each has its outcome in out. OK when the checkpoint was kept,
 * whatever the witnesses said; ERR_NOTFOUND (field "witness") when the
 * corridor lists none.
 */
struct app_witness_outcome {
  char *name;    /* the corridor's [witness NAME] */
  int ok;        /* it cosigned */
  long status;   /* its last HTTP status (0: no answer) */
  uint64_t old;  /* the size the proof was from */
  char *message; /* why it did not cosign; NULL when it did */
  uint64_t time; /* the cosignature's time */
};
struct app_witness_result {
  uint64_t size; /* the checkpoint's tree size */
  char *note;    /* the checkpoint with every cosignature kept for it */
  struct app_witness_outcome *w;
  size_t n;
  size_t cosigned; /* witnesses that cosigned */
};
void app_witness_result_cleanup(struct app_witness_result *r);
int app_log_witness(struct app *app, const char *key,
                    struct app_witness_result *out, struct app_error *err);

/*
 * For a server: gathers cosignatures (app_log_witness) when some witness
 * of the corridor has no cosignature kept for the current tree (the log
 * grew, or a witness did not answer last time) and at least min_interval
 * seconds (0: 60) have passed since the last call that did; otherwise
 * does nothing and sets *ran to 0. Never blocks on another call: the server
 * calls it from one thread after its commits.
 */
int app_log_witness_due(struct app *app, const char *key, unsigned min_interval,
                        int *ran, struct app_witness_result *out,
                        struct app_error *err);

/*
 * For a server that holds the log's key (key: NULL for the one beside the
 * store): signs the current tree and keeps its checkpoint in the store
 * (*ran 1) when the store holds entries no kept checkpoint covers and
 * the corridor lists no witness (with witnesses, app_log_witness_due
 * signs each tree as it shows it to them); otherwise does nothing (*ran
 * 0). *size is the tree size of the latest checkpoint kept (0: none). The
 * signer's refusals (a smaller or inconsistent tree) and a missing key are
 * app_log_checkpoint's errors.
 */
int app_log_sign_new(struct app *app, const char *key, int *ran, uint64_t *size,
                     struct app_error *err);

/*
 * The checkpoint of the store's current tree, for GET /log/checkpoint: the
 * one kept in the store with every cosignature it has, when one is kept
 * for that size; else signed now (app_log_checkpoint, nothing kept).
 * *note is new.
 */
int app_log_checkpoint_now(struct app *app, const char *key, char **note,
                           struct app_error *err);

/*
 * `passage verify --tiles`: the log checked from its published tiles
 * alone, a folder or an http(s) URL prefix, with no store. Fetches the
 * checkpoint, checks its signature by key (a verifier key or a file
 * holding one) and the witnesses' cosignatures (below), then reads every
 * entry bundle and hash tile of its tree: each entry must be the canonical
 * form of a record of a known kind, each leaf hash its level-0 tile's,
 * every hash tile above it the tree's, and the tree's root the
 * checkpoint's. progress, when set, hears the entries checked. ERR_VERIFY
 * with the first failure; ERR_IO when a tile cannot be had.
 */
struct app_tiles_verify_query {
  const char *tiles; /* folder or URL prefix */
  const char *key;
  const char *const *witnesses;
  size_t nwitnesses;
  size_t quorum; /* 0: every witness given */
  void (*progress)(void *ctx, uint64_t done, uint64_t total);
  void *ctx;
  /* A token sent as "Authorization: Bearer TOKEN" with each request to
   * a URL (NULL: none): `passage serve` gives its entry bundles only to a
   * party's, analyst's or admin's token unless the corridor publishes its
   * log. Never sent to a folder's files, nor to another host a redirect
   * names. */
  const char *token;
};
struct app_tiles_verify_result {
  char *note; /* the checkpoint verified, as fetched */
  char *origin;
  uint64_t size;
  char root[48];              /* base64 */
  size_t tiles;               /* hash tiles checked */
  size_t bundles;             /* entry bundles checked */
  size_t cosigned;            /* witnesses whose cosignature verified */
  uint64_t kinds[KIND_COUNT]; /* entries of each record kind */
  uint64_t rules;             /* versions of the corridor's rules */
};
void app_tiles_verify_result_cleanup(struct app_tiles_verify_result *r);
int app_verify_tiles(const struct app_tiles_verify_query *q,
                     struct app_tiles_verify_result *out,
                     struct app_error *err);

/*
 * The witness (c2sp.org/tlog-witness), run by each party: no store, a
 * state file (NULL: witness.state in the current folder) holding its key's
 * path, the logs it trusts (origin and verifier keys) and the latest
 * checkpoint it cosigned of each.
 *
 * app_witness_init makes the state, or adds a log to it: the witness key
 * (a file made with `passage key generate --key FILE --name NAME`) must be
 * the one the state names, if it names one; an origin already trusted
 * with other keys is refused (ERR_EXISTS).
 */
struct app_witness_init_query {
  const char *origin;
  const char *const *log_keys; /* verifier keys or files holding them */
  size_t nlog_keys;
  const char *key;   /* the witness's private key file */
  const char *state; /* NULL: ./witness.state */
};
struct app_witness_init_result {
  char *state;    /* the state file written */
  char *verifier; /* the witness's cosignature verifier key, to give out */
  int added;      /* the log was new to the state */
};
void app_witness_init_result_cleanup(struct app_witness_init_result *r);
int app_witness_init(const struct app_witness_init_query *q,
                     struct app_witness_init_result *out,
                     struct app_error *err);

/*
 * Serves the witness at listen ("HOST:PORT", "[V6]:PORT" or ":PORT", all
 * interfaces) until SIGINT or SIGTERM: POST /add-checkpoint and GET
 * /<origin hash>/checkpoint. ready, when set, is called once the socket
 * listens, with the port (for a test that asked for port 0). Returns OK
 * after a clean stop.
 */
struct app_witness_serve_query {
  const char *state;
  const char *listen;
  void (*ready)(void *ctx, unsigned port);
  void *ctx;
};
int app_witness_serve(const struct app_witness_serve_query *q,
                      struct app_error *err);

/*
 * `passage log replay`: a party's own store rebuilt from a log's published
 * tiles, so that it can compute every figure of a report itself (`report
 * sitrep --as-of N`) and compare. The tiles are checked first as
 * app_verify_tiles does (key, witnesses, quorum); then the store at the
 * handle's db (which must not exist) is made from the entries alone, in
 * the log's order, byte for byte, in one transaction: the corridor's rules
 * are entries too (entry 0, then each amendment), so no corridor file is
 * needed; one given (corridor, may be NULL) must be of the checkpoint's
 * log. The store's tree must then have the checkpoint's root. The
 * checkpoint is kept with the cosignatures of the witnesses the rules in
 * force name. Nothing is left at db on failure.
 */
struct app_replay_query {
  struct app_tiles_verify_query tiles;
  const char *corridor; /* optional: checked to be of the log */
};
int app_log_replay(struct app *app, const struct app_replay_query *q,
                   struct app_tiles_verify_result *out, struct app_error *err);

#endif
