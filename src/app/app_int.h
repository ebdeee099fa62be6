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
};

/* Fills err (replacing what it held) and returns code. field may be NULL;
 * fmt NULL leaves the message NULL. */
int app__fail(struct app_error *err, int code, enum app_error_kind kind,
              const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The store, opened (create: a new one may be made) on first use. */
int app__store(struct app *app, int create, struct store **st,
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

#endif
