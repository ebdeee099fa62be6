/* app: what its files share. Private to src/app. */
#ifndef PASSAGE_APP_INT_H
#define PASSAGE_APP_INT_H

#include "app/app.h"
#include "store/store.h"

struct analysis;
struct ledger_verifier;
struct ledger_checkpoint;

struct app {
  char *db;
  struct store *st; /* NULL until an operation needs it */
  char *init_db;    /* while init makes the store: its real path */
  struct app_options opts;
  /* status_serve.c: the index's baseline at the last tree size it was
   * asked of (a dashboard asks every few seconds; a tree size fixes
   * every record and rule the baseline reads). */
  struct app_status_cache *status_cache;
};

/* Fills err (replacing what it held) and returns code. field may be NULL;
 * fmt NULL leaves the message NULL. */
int app__fail(struct app_error *err, int code, enum app_error_kind kind,
              const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* 1 when who may write rec: a monitor limited to checkpoints only records
 * naming one of them (intake.c). */
int app__may_write(const struct app_principal *who, const struct record *rec);

/* The store, opened (create: a new one may be made) on first use. */
int app__store(struct app *app, int create, struct store **st,
               struct app_error *err);
/* Before an operation: a page cache of kib KiB (APP_SCAN_PAGE_CACHE for
 * one that reads the store once through, APP_IMPORT_PAGE_CACHE for an
 * import), unless the handle was given its own size. */
void app__page_cache(struct app *app, unsigned kib);

/* The record kind called name; ERR_USAGE (field "kind") as
 * app_check_kind says when there is none. */
int app__kind(const char *name, enum record_kind *kind, struct app_error *err);
/* The same for a kind that people import and add: ERR_USAGE (field
 * "kind") for one that passage writes itself (record_kind_internal). */
int app__input_kind(const char *name, enum record_kind *kind,
                    struct app_error *err);

/* The time now in UTC, "2024-02-07T10:30:00Z", or SOURCE_DATE_EPOCH's
 * when that is set (a demo, a test). */
void app__now(char out[32]);

/* Appends s as one shell word: as it is when nothing in it is special,
 * else in single quotes. */
void app__shell_word(struct buf *b, const char *s);

/* Ends an import (or add) that returned rc: the log's size in out, and,
 * when it failed, err filled as its sink has heard why already: no
 * message; APP_ERROR_PROGRAM for the store's failures (ERR_STORE,
 * ERR_RETRY), else APP_ERROR_INPUT (field "map" for ERR_USAGE, a --map
 * naming no column). Returns rc. */
int app__import_done(struct store *st, int rc, struct app_import_result *out,
                     struct app_error *err);
/*
 * The store, in a read transaction (store_read_begin): every read of the
 * operation until app__snapshot_end sees one snapshot and one tree size,
 * whatever other processes append meanwhile. Every operation that reads
 * does so (an analysis view holds its own: analysis_open), so that what it
 * prints is of the size it names.
 */
int app__snapshot(struct app *app, struct store **st, struct app_error *err);
void app__snapshot_end(struct app *app);

/* An import as its entry in the log records it (record.c's import
 * fields), and whether it was withdrawn since. */
struct app__import {
  uint64_t seq; /* its own entry */
  char *id, *at, *kind, *files, *sha256, *options;
  uint64_t first, entries; /* the entries it added: first .. first+entries-1 */
  uint64_t rows, added, created, rejected;
  int withdrawn;
  uint64_t withdrawn_by; /* the withdrawal's entry */
};
/* Reads the import of entry e into out (release with app__import_cleanup):
 * OK, ERR_INVALID when the bytes are not an import, or the store's
 * error. */
int app__import_from_entry(struct store *st, const struct store_entry *e,
                           struct app__import *out);
void app__import_cleanup(struct app__import *im);

/* Counts by key, in the order keys were first met (sources, checkpoints:
 * few). */
struct app__tally {
  struct {
    char *key;
    double n;
  } * v;
  size_t n;
};
/* The count of key, 0 when absent. */
double app__tally_get(const struct app__tally *t, const char *key);

/*
 * The live records of a store as of a tree size: per kind (withdrawals:
 * those of records, not of imports); per source (the key "" for none) and
 * per source and grade (the key "SOURCE\x1fGRADE") the records that are
 * accounts of the corridor (not checkpoints, sources, actors);
 * flows per checkpoint; and the first and last day of flows. Flows are
 * counted from the daily rollups (proportional to days), the other kinds
 * one by one. Release with app__census_cleanup.
 */
struct app__census {
  double kinds[KIND_COUNT];
  struct app__tally sources, grades, checkpoints;
  int has_span;
  int64_t first, last;
};
int app__census(struct store *st, uint64_t as_of, struct app__census *out);
void app__census_cleanup(struct app__census *c);

/* The names of the records of a kind by id (store_each_name). */
struct app__names {
  struct strmap *m;
};
void app__names_load(struct store *st, enum record_kind kind,
                     struct app__names *n);
const char *app__names_get(const struct app__names *n, const char *id);
void app__names_cleanup(struct app__names *n);

/* The tree size an operation reads as of: the store's when as_of is 0;
 * ERR_USAGE (field "as-of") past it. */
int app__as_of(struct store *st, uint64_t as_of, uint64_t *out,
               struct app_error *err);

/* The signing key's path: path, or DB.key. A new string. */
char *app__key_path(const struct app *app, const char *path);

/* The signer's state beside a key (signer.c): KEY.state, a new string;
 * writing it (atomically); starting it for a new key with the checkpoint
 * of the empty tree. */
struct ledger_signer;
char *app__state_path(const char *key_path);
int app__state_write(const char *path, const char *note, struct app_error *err);
int app__state_start(const struct ledger_signer *s, const char *path,
                     struct app_error *err);

/* Reads at most max bytes of a file into out (appending). ERR_IO when it
 * cannot be read, ERR_NOMEM past max. */
int app__read_file(const char *path, size_t max, struct buf *out);

/*
 * A store made whole or not at all: app__init_begin points the handle at a
 * temporary name beside the store's (DB.init-PID), where init builds it;
 * app__init_end(rc) closes it and, when rc is OK, renames it into place
 * (never over a store that appeared meanwhile) and syncs the folder, or
 * else removes it with its SQLite companions. Returns rc, or the failure
 * of the rename (APP_ERROR_PROGRAM).
 */
int app__init_begin(struct app *app, struct app_error *err);
int app__init_end(struct app *app, int rc, struct app_error *err);
/* A proof file's members, as verify-proof reads them (verify_proof.c). */
struct app__proof {
  json_t *json;
  uint8_t *hashes; /* n hashes of LEDGER_HASH_SIZE bytes */
  size_t n;
};

/* The largest proof file read: 128 hashes take some 6 KB. */
#define APP_PROOF_MAX (1u << 20)

/*
 * Reads a proof (an object with "hashes", an array of at most 128 base64
 * SHA-256 hashes, and its sizes) from len bytes at text, named name in
 * messages, as JSON from users (util_json_load). Returns OK with p filled
 * (free it with app__proof_cleanup, also after a failure), or ERR_INVALID
 * with err saying why.
 */
int app__proof_parse(const char *text, size_t len, const char *name,
                     struct app__proof *p, struct app_error *err);
void app__proof_cleanup(struct app__proof *p);

/* Writes text to path (NULL or "-": standard output) atomically. */
int app__write_file(const char *path, const char *text, struct app_error *err);

/*
 * A verifier key of the given type (LEDGER_KEY_*) from arg, a file holding
 * its text or the text itself. A key that does not parse is code
 * ERR_INVALID, one of the other type ERR_USAGE; field names the option.
 */
int app__load_verifier(const char *arg, int type, const char *field,
                       struct ledger_verifier **out, struct app_error *err);

/* Reads the signed checkpoint file at path, checks its signature by v
 * (when v is set) and parses its body into cp; text receives the note. */
int app__load_checkpoint(const char *path, const struct ledger_verifier *v,
                         struct buf *text, struct ledger_checkpoint *cp,
                         struct app_error *err);

/* Opens the analysis view of q->as_of. */
int app__view(struct app *app, uint64_t as_of, struct analysis **a,
              struct app_error *err);
/* The period of q: its ends, or those of the data's span when missing.
 * ERR_NOTFOUND when the store has no records to take them from. */
int app__period(struct analysis *a, const struct app_query *q, int64_t *from,
                int64_t *to, struct app_error *err);

/* filter.c: filters that refuse what does not exist. The id of the record
 * of kind (a checkpoint or a source) that text names: its id, its name in
 * any case, or the slug of its name, as import reads references (*id new).
 * ERR_USAGE, field set, listing the ids there are (the first 20 and how
 * many), when it names none. */
int app__resolve(struct app *app, enum record_kind kind, const char *field,
                 const char *text, char **id, struct app_error *err);
/* OK when text is NULL, "all" or an outcome of flows; else ERR_USAGE
 * listing them (field "outcome"). */
int app__check_outcome(const char *text, struct app_error *err);
/* OK unless q names a checkpoint, which the answer of cmd (index, supply,
 * compliance) does not take: ERR_USAGE (field "checkpoint"). */
int app__no_checkpoint(const char *cmd, const struct app_query *q,
                       struct app_error *err);

/* Answers are built with these: a figure (null when unknown), a day. */
json_t *app__figure(int known, double v);
json_t *app__day(int64_t day);
/* A new answer shape with a head of one empty object and its rows in the
 * member rows (a string that outlives t). */
void app__table(struct app_table *t, const char *rows);
/* Adds a column to t (name and path copied). */
void app__column(struct app_table *t, const char *name, const char *path,
                 enum app_column_type type);
/* Hands the answer to out: its shape (the rows member is added to the head
 * last), each row (taken: freed after the call), the end. A failure of out
 * fills err with out's code and no message. */
int app__begin(const struct app_rows *out, struct app_table *t,
               struct app_error *err);
int app__row(const struct app_rows *out, const struct app_table *t, json_t *row,
             struct app_error *err);
int app__end(const struct app_rows *out, const struct app_table *t,
             struct app_error *err);

/* Appends the HXL hashtag of an answer's column: #date for a day,
 * #loc+checkpoint, #indicator+NAME+num for a figure, ... (hxl.c). */
void app__hxl_tag(const struct app_column *c, struct buf *b);
/* fetch.c: HTTP as a client (libcurl), one kept-alive connection per
 * handle. app__http_new returns NULL when libcurl cannot start. */
struct app__http;
struct app__http_answer {
  long status;            /* the HTTP status */
  struct buf body;        /* what came, at most the max asked */
  char content_type[128]; /* "" when none was given */
};
struct app__http *app__http_new(void);
/* Why app__http_new returned NULL: libcurl missing, or not starting. */
const char *app__http_failure(void);
void app__http_free(struct app__http *h);
/* Each GET of h from now on carries "Authorization: Bearer token" (NULL
 * or "": none). libcurl does not send it on to another host a redirect
 * names. */
void app__http_set_token(struct app__http *h, const char *token);
void app__http_answer_cleanup(struct app__http_answer *a);
/*
 * GET url (body NULL; redirects followed) or POST body (len bytes, as
 * text/plain) to it. OK when the server answered, whatever its status
 * (in out); ERR_IO when none did, ERR_NOMEM when the answer is over max
 * bytes, with a message naming url in why. Release out with
 * app__http_answer_cleanup.
 */
int app__http_request(struct app__http *h, const char *url, const char *body,
                      size_t len, size_t max, struct app__http_answer *out,
                      struct buf *why);

/* tiles.c: the bytes of one tile or entry bundle of the store's tree (the
 * caller has checked that it lies in the tree). */
struct ledger_tile;
int app__tile_bytes(struct store *st, const struct ledger_tile *t,
                    struct buf *out);
/* The latest checkpoint kept in the store, with every cosignature of it
 * appended to its note (*ncosig of them; ncosig may be NULL): OK, or
 * ERR_NOTFOUND when none is kept. */
int app__cosigned(struct store *st, struct buf *note, uint64_t *size,
                  size_t *ncosig);
/* Signs the store's current tree with the key at key (NULL: beside the
 * store) and keeps the checkpoint in the store; *note is new. */
int app__sign_tree(struct app *app, const char *key, char **note,
                   struct app_error *err);

/* verify_cosigned.c: the kept checkpoints that witnesses cosigned are this
 * tree's, and each cosignature by a witness of the corridor verifies
 * (*verified of them). OK or ERR_VERIFY with a message. */
int app__verify_cosigned(struct store *st, size_t *verified,
                         struct app_error *err);

/* verify_tiles.c: calls fn for each entry of the first size entries of
 * the tiles at prefix (a folder or a URL, fetched with token as
 * app_tiles_verify_query's), in order, as the bundles hold them; nothing is
 * verified here (app_verify_tiles does). OK, fn's code, or ERR_IO / ERR_VERIFY
 * with a message. */
int app__tiles_entries(const char *prefix, const char *token, uint64_t size,
                       int (*fn)(void *ctx, uint64_t seq, const uint8_t *e,
                                 size_t len),
                       void *ctx, struct app_error *err);

/* witness_log.c: the signature line of sig as a note carries it ("— name
 * base64\n"), a new string. */
struct ledger_note_sig;
char *app__sig_line(const struct ledger_note_sig *sig);

/* The fields of the checkpoint record a corridor's checkpoint becomes:
 * init and corridor amend must make the same bytes of the same
 * checkpoint. Numbers are formatted into num; the values point into cp
 * and f. */
struct corridor_checkpoint;
struct app_checkpoint_fields {
  const char *names[7], *values[7];
  char num[3][32];
  size_t n;
};
void app__checkpoint_fields(const struct corridor_checkpoint *cp,
                            struct app_checkpoint_fields *f);

#endif
