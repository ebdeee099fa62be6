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
};

/* Fills err (replacing what it held) and returns code. field may be NULL;
 * fmt NULL leaves the message NULL. */
int app__fail(struct app_error *err, int code, enum app_error_kind kind,
              const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The store, opened (create: a new one may be made) on first use. */
int app__store(struct app *app, int create, struct store **st,
               struct app_error *err);

/* The signing key's path: path, or DB.key. A new string. */
char *app__key_path(const struct app *app, const char *path);

/* Reads at most max bytes of a file into out (appending). ERR_IO when it
 * cannot be read, ERR_NOMEM past max. */
int app__read_file(const char *path, size_t max, struct buf *out);

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
