/*
 * The writing thread's side of an import (the calling thread): it carries
 * out the items the reader hands over, in order: stores records, reports
 * problems to the sink (up to max_errors), writes the rejects file, keeps
 * the lists of unknown names for the summary.
 */
#include "ingest/ingest_int.h"
#include "util/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
ingest__deliver(struct importer *imp, struct ingest_error *parts, size_t n,
                int counted)
{
  size_t cap = imp->o->max_errors ? imp->o->max_errors : 20;

  if (counted) {
    imp->stats->errors++;
    if (++imp->shown > cap)
      return;
  }
  if (imp->sink.error == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    imp->sink.error(imp->sink.ctx, &parts[i]);
}

/* The cell of a sheet that a part is about ("B14"), into cell. */
static const char *
cell_of(const struct importer *imp, const struct ingest_error *e,
        unsigned long line, char *cell, size_t size)
{
  int fi;

  if (imp->sheet == NULL || e->field == NULL || line == 0 ||
      (fi = record_field_index(imp->kind, e->field)) < 0 ||
      imp->field_col[fi] < 0)
    return NULL;
  ingest__column_letters((size_t)imp->field_col[fi], cell);
  snprintf(cell + strlen(cell), size - strlen(cell), "%lu", line);
  return cell;
}

/*
 * Says where the n parts of a problem are, and hands them over. Labels
 * that match nothing are left out: the summary lists them once each, with
 * their rows (teach.c); a row with nothing else wrong is counted only.
 */
static void
deliver_at(struct importer *imp, struct ingest_error *parts, size_t n,
           unsigned long line, size_t row, const char *id)
{
  struct ingest_error *keep = xcalloc(n ? n : 1, sizeof *keep);
  char(*cells)[24] = xcalloc(n ? n : 1, sizeof *cells);
  size_t k = 0;

  for (size_t i = 0; i < n; i++) {
    if (parts[i].kind == INGEST_ERR_LABEL)
      continue;
    keep[k] = parts[i];
    keep[k].file = imp->file;
    keep[k].line = line;
    keep[k].row = row;
    keep[k].id = id;
    keep[k].sheet = imp->sheet;
    keep[k].cell = cell_of(imp, &parts[i], line, cells[k], sizeof cells[k]);
    k++;
  }
  for (size_t i = 0; i < k; i++) {
    keep[i].part = i;
    keep[i].nparts = k;
  }
  if (k)
    ingest__deliver(imp, keep, k, parts[0].kind != INGEST_ERR_IO);
  else if (n)
    imp->stats->errors++;
  free(keep);
  free(cells);
}

/* An invalid row: reported, then written to the rejects file (with the
 * row as read, nraw bytes at raw) or failing the import. */
static void
reject_at(struct importer *imp, struct ingest_error *parts, size_t n,
          const struct item *it, const char *id, const char *raw, size_t nraw)
{
  struct buf *l = &imp->msg;

  deliver_at(imp, parts, n, it->line, it->row, id);
  imp->stats->rejected++;
  if (imp->rej == NULL) {
    imp->failed = 1;
    return;
  }
  buf_reset(l);
  for (size_t i = 0; i < n; i++)
    buf_printf(l, "%s%s", i ? "; " : "", parts[i].message);
  fprintf(imp->rej, "%s,%lu,", imp->file, it->line);
  {
    struct buf cell;
    buf_init(&cell);
    util_csv_cell(&cell, l->data ? l->data : "", l->len);
    fwrite(cell.data, 1, cell.len, imp->rej);
    buf_cleanup(&cell);
  }
  if (nraw) {
    fputc(',', imp->rej);
    fwrite(raw, 1, nraw, imp->rej);
  }
  fputc('\n', imp->rej);
}

/* The problems packed in an item, as the parts of one error; free with
 * free() unless it is one. */
static struct ingest_error *
unpack_parts(const struct batch *b, const struct item *it,
             struct ingest_error *one)
{
  struct ingest_error *parts = it->n > 1 ? xcalloc(it->n, sizeof *parts) : one;

  ingest__problems_unpack(batch_at(b, it->problems), it->n, parts);
  return parts;
}

static void
do_error(struct importer *imp, const struct batch *b, const struct item *it)
{
  struct ingest_error one, *parts = unpack_parts(b, it, &one);

  deliver_at(imp, parts, it->n, it->line, it->row, NULL);
  imp->failed = 1;
  if (parts != &one)
    free(parts);
}

static void
do_reject(struct importer *imp, const struct batch *b, const struct item *it)
{
  struct ingest_error one, *parts = unpack_parts(b, it, &one);

  reject_at(imp, parts, it->n, it, it->id.len ? batch_at(b, it->id) : NULL,
            batch_at(b, it->raw), it->raw.len);
  if (parts != &one)
    free(parts);
}

/*
 * Stores a row's record: added or already stored, or rejected. Returns OK,
 * or the store's failure, which ends the import: ERR_STORE, or ERR_RETRY
 * (the backend has lost the transaction: a serialization failure, a lock
 * not granted in time), or whatever else is not about this row. Only
 * ERR_CONFLICT and ERR_INVALID are the row's own problems: taking a failure
 * of the store for one would reject the row and go on storing the next
 * rows in a transaction that is gone.
 */
static int
do_put(struct importer *imp, const struct batch *b, const struct item *it)
{
  enum store_put_result res;
  struct ingest_error e;
  int rc;

  if (batch_get_record(b, it->rec, &imp->wrec) != OK)
    abort(); /* packed by the reader a moment ago: a bug */
  rc = store_put_hashed(imp->st, &imp->wrec, batch_at(b, it->text),
                        it->text.len, it->hash, &res);
  if (rc == OK) {
    if (it->created)
      imp->stats->created++;
    else if (res == STORE_ADDED)
      imp->stats->added++;
    else
      imp->stats->unchanged++;
    return OK;
  }
  memset(&e, 0, sizeof e);
  e.message = store_errmsg(imp->st);
  e.nparts = 1;
  e.kind = rc == ERR_CONFLICT  ? INGEST_ERR_CONFLICT
           : rc == ERR_INVALID ? INGEST_ERR_SUPERSEDES
                               : INGEST_ERR_STORE;
  e.field = rc == ERR_INVALID ? "supersedes" : NULL;
  if (e.kind == INGEST_ERR_STORE) {
    imp->fail_row = it->row;
    deliver_at(imp, &e, 1, it->line, it->row, NULL);
    return rc;
  }
  if (it->created) {
    /* A record --create-missing made cannot meet another with its id (it
     * was unknown) nor correct one; should the store refuse it all the
     * same, the import fails rather than store rows naming it. */
    deliver_at(imp, &e, 1, it->line, it->row, record_get(&imp->wrec, "id"));
    imp->failed = 1;
    return OK;
  }
  reject_at(imp, &e, 1, it, record_get(&imp->wrec, "id"), batch_at(b, it->raw),
            it->raw.len);
  return OK;
}

/* A name for the summary, kept once in the order first met (a label with
 * the rows that hold it). */
static void
do_note(struct importer *imp, const char *name, int list)
{
  struct strmap **m;

  if (list >= NREF) {
    ingest__tally_add(&imp->unlabelled[list - NREF], name);
    return;
  }
  m = &imp->missing[list];
  if (*m == NULL)
    *m = strmap_new();
  if (strmap_get(*m, name) == NULL)
    strmap_put(*m, name, name);
}

static void
do_guess(struct importer *imp, const char *message)
{
  struct ingest_note n;

  memset(&n, 0, sizeof n);
  n.kind = INGEST_NOTE_GUESS;
  n.file = imp->file;
  n.message = message;
  if (imp->sink.note)
    imp->sink.note(imp->sink.ctx, &n);
}

static void
do_hint(struct importer *imp, const struct item *it, const char *cell)
{
  size_t nf = imp->kind->nfields;
  struct hint_tally *t;

  if (imp->hints == NULL)
    imp->hints = xcalloc(NHINT * nf, sizeof *imp->hints);
  t = &imp->hints[(size_t)it->list * nf + it->n];
  if (t->count++ == 0) {
    t->example = xstrndup(cell, strlen(cell) > 60 ? 60 : strlen(cell));
    t->line = it->line;
  }
  t->flags |= it->flags;
  if (it->list == HINT_MISSING) {
    if (t->words == NULL)
      t->words = strmap_new();
    if (strmap_count(t->words) < 8)
      strmap_put(t->words, cell, cell);
  }
}

static void
do_ignored(struct importer *imp, const struct batch *b, const struct item *it)
{
  const char **names = xcalloc(it->n ? it->n : 1, sizeof *names);
  const char *p = batch_at(b, it->text);
  struct ingest_note n = {INGEST_NOTE_IGNORED_COLUMNS,
                          imp->file,
                          imp->kind->name,
                          names,
                          it->n,
                          0,
                          NULL,
                          NULL};

  for (size_t i = 0; i < it->n; i++) {
    names[i] = p;
    p += strlen(p) + 1;
  }
  if (imp->sink.note)
    imp->sink.note(imp->sink.ctx, &n);
  free(names);
}

static void
do_progress(struct importer *imp, const struct item *it)
{
  struct ingest_progress p = {imp->file, it->done, it->total, it->row,
                              it->final};

  if (imp->sink.progress)
    imp->sink.progress(imp->sink.ctx, &p);
}

/* The ids of the batch's records, announced to the store: on a server
 * one look-up for them all rather than one each (store_expect). Those
 * --create-missing made are of other kinds, and few. */
static int
expect_batch(struct importer *imp, const struct batch *b)
{
  enum record_kind *kinds = xcalloc(b->n ? b->n : 1, sizeof *kinds);
  const char **ids = xcalloc(b->n ? b->n : 1, sizeof *ids);
  size_t n = 0;
  int rc;

  for (size_t i = 0; i < b->n; i++) {
    const struct item *it = &b->items[i];
    if (it->type != ITEM_PUT || it->created || it->id.len == 0)
      continue;
    kinds[n] = imp->kind->kind;
    ids[n++] = batch_at(b, it->id);
  }
  rc = n ? store_expect(imp->st, n, kinds, ids) : OK;
  free(kinds);
  free(ids);
  return rc;
}

int
ingest__consume(void *ctx, const struct batch *b)
{
  struct importer *imp = ctx;
  int rc = expect_batch(imp, b);

  if (rc != OK) {
    struct ingest_error e = {0};
    e.message = store_errmsg(imp->st);
    e.nparts = 1;
    e.kind = INGEST_ERR_STORE;
    imp->fail_row = b->n ? b->items[0].row : 0;
    deliver_at(imp, &e, 1, b->n ? b->items[0].line : 0,
               b->n ? b->items[0].row : 0, NULL);
    return rc;
  }
  for (size_t i = 0; i < b->n && rc == OK; i++) {
    const struct item *it = &b->items[i];
    switch (it->type) {
    case ITEM_PUT:
      rc = do_put(imp, b, it);
      break;
    case ITEM_REJECT:
      do_reject(imp, b, it);
      break;
    case ITEM_ERROR:
      do_error(imp, b, it);
      break;
    case ITEM_NOTE:
      do_note(imp, batch_at(b, it->text), it->list);
      break;
    case ITEM_IGNORED:
      do_ignored(imp, b, it);
      break;
    case ITEM_HEADER:
      if (imp->rej)
        fprintf(imp->rej, "file,line,reason,%s\n", batch_at(b, it->text));
      break;
    case ITEM_PROGRESS:
      do_progress(imp, it);
      break;
    case ITEM_GUESS:
      do_guess(imp, batch_at(b, it->text));
      break;
    case ITEM_HINT:
      do_hint(imp, it, batch_at(b, it->text));
      break;
    }
  }
  return rc;
}

/* Hands the names of a list to the sink as one note. */
static void
note_names(struct importer *imp, enum ingest_note_kind kind,
           const char *subject, const struct strmap *m)
{
  size_t n = m ? strmap_count(m) : 0;
  const char **names;
  struct ingest_note note = {kind, NULL, subject, NULL, n, 0, NULL, NULL};

  if (n == 0 || imp->sink.note == NULL)
    return;
  names = xcalloc(n, sizeof *names);
  for (size_t i = 0; i < n; i++)
    names[i] = strmap_key(m, i);
  note.names = names;
  imp->sink.note(imp->sink.ctx, &note);
  free(names);
}

void
ingest__summarise(struct importer *imp)
{
  size_t cap = imp->o->max_errors ? imp->o->max_errors : 20;

  if (imp->shown > cap && imp->sink.note) {
    struct ingest_note n = {INGEST_NOTE_MORE_ERRORS, NULL, NULL, NULL, 0,
                            imp->shown - cap,        NULL, NULL};
    imp->sink.note(imp->sink.ctx, &n);
  }
  for (int k = 0; k < NREF; k++)
    note_names(imp, INGEST_NOTE_UNKNOWN,
               record_kind_desc(ingest__ref_kinds[k])->name, imp->missing[k]);
  ingest__summarise_labels(imp);
  ingest__summarise_hints(imp);
}

int
ingest__open_rejects(struct importer *imp)
{
  struct buf why;
  int rc;

  if (imp->o->rejects == NULL)
    return OK;
  buf_init(&why);
  rc = util_file_open(&imp->rej_file, imp->o->rejects, 0, &why);
  if (rc != OK) {
    /* The error names the file apart: say only why (util_file_open words
     * it "cannot write PATH: WHY", in the language of the messages). */
    const char *m = why.data ? why.data : _("cannot write");
    char *named = xasprintf(_("cannot write %s: %s"), imp->o->rejects, "");
    size_t n = strlen(named);
    char *msg = strncmp(m, named, n) == 0
                    ? xasprintf(_("cannot write: %s"), m + n)
                    : xstrdup(m);
    free(named);
    ingest__error(imp, INGEST_ERR_IO, imp->o->rejects, msg);
    free(msg);
  }
  imp->rej = imp->rej_file.f;
  buf_cleanup(&why);
  return rc == OK ? OK : ERR_IO;
}

/* The rejects file appears whole or not at all (util_file_commit). */
int
ingest__close_rejects(struct importer *imp, int keep)
{
  int rc = OK;

  if (imp->rej == NULL)
    return OK;
  imp->rej = NULL;
  if (keep)
    rc = util_file_commit(&imp->rej_file, NULL);
  else
    util_file_discard(&imp->rej_file);
  return rc;
}
