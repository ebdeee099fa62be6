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
};

/* A handle with the process's defaults (app_set_defaults), or with o. */
struct app *app_new(const char *db);
struct app *app_new_with(const char *db, const struct app_options *o);
/* The defaults of app_new, for a front end that runs one operation per
 * process and reads them once from its command line (the CLI's global
 * options); a server gives each handle its own with app_new_with. */
void app_set_defaults(const struct app_options *o);
void app_free(struct app *app);
/* The db the handle was made with. */
const char *app_db(const struct app *app);
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
};
struct app_verify_result {
  uint64_t entries;   /* the log's size */
  size_t checkpoints; /* checkpoints found consistent */
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
  APP_COL_NUMBER, /* a figure, or null when unknown */
  APP_COL_SHARE,  /* 0..1 (a percentage for people), or null */
  APP_COL_COUNT,  /* a whole number */
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

/*
 * An answer written to out as it is made, in one of its two forms: JSON
 * (the root on one line, a row a line: {"rows": [\n  {...},\n  {...}\n]})
 * or CSV (a header of the column names, a line per row, unknown figures as
 * empty cells). A failure of out stops it with out's code.
 */
enum app_form { APP_FORM_JSON, APP_FORM_CSV };
int app_write_answer(struct app *app, app_answer_fn *answer,
                     const struct app_query *q, enum app_form form,
                     const struct app_sink *out, struct app_error *err);

/* Reports. The situation report of q->date for a period of period_days
 * (1 or 7; app_check_period reads "day" or "week"), in format (md, html,
 * json, txt; NULL: md), appended to out. */
struct app_sitrep_query {
  int64_t date;
  int has_date;
  int period_days;
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

/* A new store from a corridor file (NULL: a default corridor), its
 * checkpoints the first records of the log. The db must not exist yet. */
struct app_init_result {
  char *corridor, *timezone;
  size_t checkpoints;
};
int app_init(struct app *app, const char *corridor_path,
             struct app_init_result *out, struct app_error *err);
void app_init_result_cleanup(struct app_init_result *r);

#endif
