/*
 * Imports as the log records them, and their withdrawal: one correction
 * (a withdrawal record, with the record's own source and grade) per record
 * an import added, then one of the import's own record, so that every
 * analysis leaves them out from that tree size on and --as-of an earlier
 * size still shows them. Nothing is deleted.
 */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include "app/app_int.h"
#include "util/i18n.h"

void
app__import_cleanup(struct app__import *im)
{
  if (im == NULL)
    return;
  free(im->id);
  free(im->at);
  free(im->kind);
  free(im->files);
  free(im->sha256);
  free(im->options);
  memset(im, 0, sizeof *im);
}

static char *
dup_field(const struct record *r, const char *name)
{
  const char *t = record_get(r, name);

  return t ? xstrdup(t) : NULL;
}

static uint64_t
count_field(const struct record *r, const char *name)
{
  const struct record_value *v = record_value(r, name);

  return v && v->set && v->num > 0 ? (uint64_t)v->num : 0;
}

int
app__import_from_entry(struct store *st, const struct store_entry *e,
                       struct app__import *out)
{
  struct record r;
  struct buf msg;
  uint64_t by = 0;
  int rc;

  memset(out, 0, sizeof *out);
  record_init(&r, KIND_import);
  buf_init(&msg);
  rc = record_from_json(&r, KIND_import, NULL, e->bytes, e->len, &msg);
  if (rc == OK) {
    out->seq = e->seq;
    out->id = dup_field(&r, "id");
    out->at = dup_field(&r, "at");
    out->kind = dup_field(&r, "kind");
    out->files = dup_field(&r, "files");
    out->sha256 = dup_field(&r, "sha256");
    out->options = dup_field(&r, "options");
    out->first = count_field(&r, "first");
    out->entries = count_field(&r, "entries");
    out->rows = count_field(&r, "rows");
    out->added = count_field(&r, "added");
    out->created = count_field(&r, "created");
    out->rejected = count_field(&r, "rejected");
    rc = store_superseded_by(st, KIND_import, e->id, &by);
    out->withdrawn = rc == OK;
    out->withdrawn_by = by;
    rc = rc == ERR_NOTFOUND ? OK : rc;
  }
  record_cleanup(&r);
  buf_cleanup(&msg);
  if (rc != OK)
    app__import_cleanup(out);
  return rc;
}

/* Finds the import called id. */
static int
find_import(struct app *app, const char *id, struct app__import *out,
            struct app_error *err)
{
  struct store_entry e;
  struct store *st;
  int rc;

  memset(out, 0, sizeof *out);
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  rc = store_get_entry(st, KIND_import, id, &e);
  if (rc == OK)
    rc = app__import_from_entry(st, &e, out);
  if (rc == ERR_NOTFOUND)
    return app__fail(err, rc, APP_ERROR_OPERATION, "import",
                     "no import '%s' (passage list imports shows them)", id);
  if (rc != OK)
    return app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s",
                     store_errmsg(st));
  return OK;
}

/* One record an import added: what its withdrawal needs. */
struct target {
  uint64_t seq;
  char *id, *source, *grade;
};

/*
 * A walk over an import's entries, counting into plan and, when v is set,
 * keeping up to max live records of the import's kind. A write
 * transaction takes the records a piece at a time: a walk must not run
 * while the same handle appends.
 */
struct piece {
  struct store *st;
  enum record_kind kind;
  struct record rec;
  struct buf err;
  struct target *v;
  size_t n, max;
  uint64_t next;  /* where the walk goes on */
  uint64_t cause; /* an entry that cannot be read */
  struct app_withdraw_plan *plan;
};

#define PIECE 4096

static void
piece_clear(struct piece *p)
{
  for (size_t i = 0; i < p->n; i++) {
    free(p->v[i].id);
    free(p->v[i].source);
    free(p->v[i].grade);
  }
  p->n = 0;
}

/* Counts a record the import added; keeps it when it is still live. Stops
 * the walk (with 1) when the piece is full. */
static int
take_target(void *ctx, const struct store_entry *e)
{
  struct piece *p = ctx;
  struct target *t;
  uint64_t by;
  int rc;

  p->next = e->seq + 1;
  p->plan->records++;
  rc = store_superseded_by(p->st, e->kind, e->id, &by);
  if (rc == OK) {
    p->plan->corrected++;
    return OK;
  }
  if (rc != ERR_NOTFOUND)
    return rc;
  p->plan->live++;
  if (p->v == NULL)
    return OK;
  record_reset(&p->rec);
  buf_reset(&p->err);
  if (record_from_json(&p->rec, (int)e->kind, NULL, e->bytes, e->len,
                       &p->err) != OK) {
    p->cause = e->seq;
    return ERR_INVALID;
  }
  t = &p->v[p->n++];
  t->seq = e->seq;
  t->id = xstrdup(e->id);
  t->source = dup_field(&p->rec, "source");
  t->grade = dup_field(&p->rec, "grade");
  return p->n == p->max ? 1 : OK;
}

/* Walks on from p->next to the end of the import's range: OK when it got
 * there, 1 when the piece is full, or the store's error. */
static int
walk(struct piece *p, const struct app__import *im)
{
  uint64_t end = im->first + im->entries;

  if (p->next >= end)
    return OK;
  return store_each_entry(p->st, (int)p->kind, p->next, end, take_target, p);
}

static int
walk_failed(struct piece *p, int rc, struct app_error *err)
{
  if (rc == ERR_INVALID)
    return app__fail(err, ERR_STORE, APP_ERROR_OPERATION, NULL,
                     "entry %llu cannot be read (run passage verify)",
                     (unsigned long long)p->cause);
  return app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s",
                   store_errmsg(p->st));
}

void
app_withdraw_plan_cleanup(struct app_withdraw_plan *p)
{
  if (p == NULL)
    return;
  free(p->import);
  free(p->kind);
  free(p->files);
  free(p->at);
  memset(p, 0, sizeof *p);
}

/* The plan's description of the import. */
static void
plan_of(const struct app__import *im, struct app_withdraw_plan *out)
{
  out->import = xstrdup(im->id);
  out->kind = xstrdup(im->kind ? im->kind : "");
  out->files = xstrdup(im->files ? im->files : "");
  out->at = xstrdup(im->at ? im->at : "");
  out->import_seq = im->seq;
  out->first = im->first;
  out->entries = im->entries;
  out->created = im->created;
  out->withdrawn = im->withdrawn;
  out->withdrawn_by = im->withdrawn_by;
}

static void
piece_init(struct piece *p, struct store *st, const struct app__import *im,
           struct app_withdraw_plan *plan, size_t max)
{
  memset(p, 0, sizeof *p);
  p->st = st;
  p->kind = (enum record_kind)record_kind_by_name(im->kind ? im->kind : "");
  record_init(&p->rec, p->kind);
  buf_init(&p->err);
  p->max = max;
  p->v = max ? xcalloc(max, sizeof *p->v) : NULL;
  p->next = im->first;
  p->plan = plan;
}

static void
piece_cleanup(struct piece *p)
{
  piece_clear(p);
  free(p->v);
  record_cleanup(&p->rec);
  buf_cleanup(&p->err);
}

/* The import's kind must be one whose records it holds. */
static int
check_import(const struct app__import *im, struct app_error *err)
{
  int k = im->kind ? record_kind_by_name(im->kind) : -1;

  if (k < 0 || record_kind_internal((enum record_kind)k))
    return app__fail(err, ERR_STORE, APP_ERROR_OPERATION, "import",
                     "%s names no kind of record (run passage verify)", im->id);
  return OK;
}

int
app_withdraw_plan(struct app *app, const char *import,
                  struct app_withdraw_plan *out, struct app_error *err)
{
  struct app__import im;
  struct piece p;
  int rc;

  memset(out, 0, sizeof *out);
  if (import == NULL || import[0] == '\0')
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "import",
                     "which import? (passage list imports shows them)");
  if ((rc = find_import(app, import, &im, err)) != OK)
    return rc;
  if ((rc = check_import(&im, err)) != OK)
    goto out;
  plan_of(&im, out);
  piece_init(&p, app->st, &im, out, 0);
  rc = walk(&p, &im);
  if (rc != OK) {
    walk_failed(&p, rc, err);
    app_withdraw_plan_cleanup(out);
  }
  piece_cleanup(&p);
out:
  app__import_cleanup(&im);
  return rc;
}

/* Appends the withdrawal of the record of kind with this id (entry seq).
 * A value the record refuses (the reason) is ERR_INVALID, why said in
 * why. */
static int
put_withdrawal(struct store *st, enum record_kind kind, uint64_t seq,
               const char *id, const char *source, const char *grade,
               const struct app_withdraw_query *q, const char *at,
               struct buf *why)
{
  const char *names[8], *values[8];
  enum store_put_result res;
  struct record r;
  struct buf bytes;
  char wid[48];
  size_t n = 0;
  int rc = OK;

  snprintf(wid, sizeof wid, "withdrawal-%llu", (unsigned long long)seq);
  names[n] = "id", values[n++] = wid;
  names[n] = "at", values[n++] = at;
  names[n] = "kind", values[n++] = record_kind_desc(kind)->name;
  names[n] = "reason", values[n++] = q->reason;
  names[n] = "import", values[n++] = q->import;
  names[n] = "supersedes", values[n++] = id;
  if (source)
    names[n] = "source", values[n++] = source;
  if (grade)
    names[n] = "grade", values[n++] = grade;
  record_init(&r, KIND_withdrawal);
  buf_init(&bytes);
  for (size_t i = 0; i < n && rc == OK; i++) {
    rc = record_set(&r, NULL, record_field_index(r.kind, names[i]), 0,
                    values[i], strlen(values[i]), why);
    if (rc != OK)
      buf_printf(why, _(" (field '%s')"), names[i]);
  }
  if (rc == OK)
    rc = record_finish(&r, why);
  if (rc == OK) {
    record_canonical(&r, &bytes);
    rc = store_put(st, &r, bytes.data, bytes.len, &res);
  }
  record_cleanup(&r);
  buf_cleanup(&bytes);
  return rc;
}

/* Withdraws the records of a piece. */
static int
withdraw_piece(struct piece *p, const struct app_withdraw_query *q,
               const char *at, struct buf *why)
{
  int rc = OK;

  for (size_t i = 0; i < p->n && rc == OK; i++)
    rc = put_withdrawal(p->st, p->kind, p->v[i].seq, p->v[i].id, p->v[i].source,
                        p->v[i].grade, q, at, why);
  piece_clear(p);
  return rc;
}

/* Inside the write transaction: every live record of the import, then the
 * import itself. */
static int
withdraw_all(struct store *st, const struct app__import *im,
             const struct app_withdraw_query *q, struct app_withdraw_plan *out,
             struct app_error *err)
{
  struct piece p;
  struct buf why;
  char at[32];
  int rc, said = 0;

  app__now(at);
  buf_init(&why);
  piece_init(&p, st, im, out, PIECE);
  do {
    rc = walk(&p, im);
    if (rc == OK || rc == 1) {
      int wrc = withdraw_piece(&p, q, at, &why);
      if (wrc != OK)
        rc = wrc;
    } else {
      walk_failed(&p, rc, err);
      said = 1;
    }
  } while (rc == 1);
  if (rc == OK)
    rc = put_withdrawal(st, KIND_import, im->seq, im->id, NULL, NULL, q, at,
                        &why);
  if (rc != OK && !said) {
    if (why.len)
      app__fail(err, rc, APP_ERROR_REQUEST, "reason", "--reason: %s", why.data);
    else
      app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(st));
  }
  piece_cleanup(&p);
  buf_cleanup(&why);
  return rc;
}

int
app_withdraw(struct app *app, const struct app_withdraw_query *q,
             struct app_withdraw_plan *out, uint64_t *size,
             struct app_error *err)
{
  struct app__import im;
  struct store *st;
  int rc;

  memset(out, 0, sizeof *out);
  memset(&im, 0, sizeof im);
  *size = 0;
  if (q->import == NULL || q->import[0] == '\0')
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "import",
                     "which import? (passage list imports shows them)");
  if (q->reason == NULL || q->reason[0] == '\0')
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "reason",
                     "--reason TEXT is needed: it is kept in the log with "
                     "each withdrawal");
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  if ((rc = store_begin(st)) != OK)
    return app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
  /* Read again inside the transaction: what is withdrawn is what the log
   * holds now. */
  if ((rc = find_import(app, q->import, &im, err)) != OK ||
      (rc = check_import(&im, err)) != OK)
    goto out;
  if (im.withdrawn) {
    rc = app__fail(err, ERR_EXISTS, APP_ERROR_OPERATION, "import",
                   "%s was withdrawn already (entry %llu)", im.id,
                   (unsigned long long)im.withdrawn_by);
    goto out;
  }
  plan_of(&im, out);
  if ((rc = withdraw_all(st, &im, q, out, err)) != OK)
    goto out;
  if ((rc = store_commit(st)) != OK)
    app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
out:
  if (rc != OK) {
    store_rollback(st);
    app_withdraw_plan_cleanup(out);
  }
  *size = store_size(st);
  app__import_cleanup(&im);
  return rc;
}
