/*
 * The reading thread's side of an import, whatever the format: a row's
 * record is held (a flow's further cargo lines may follow on rows with its
 * id), validated as a whole, given an id, canonicalised and hashed, and
 * handed to the writer (handoff.h) with everything else the writer is to
 * do or say, in the order a single thread would have done it.
 */
#include "ingest/ingest_int.h"

#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"
#include "util/i18n.h"

/*
 * Hands a row's record to the writer to store, canonicalised and hashed
 * here. Even when an invalid row has doomed the import (it will be rolled
 * back), it is written: only the store finds an id stored with other
 * content or a correction of a missing record, and every error is to be
 * listed.
 */
static int send_problems(struct importer *imp, unsigned long line,
                         struct problems *pr, const struct record *rec,
                         const struct buf *raw);

/*
 * A log entry is at most LEDGER_ENTRY_MAX bytes: tlog-tiles' entry bundles
 * give each entry a 16-bit length, so a longer record could be stored but
 * never published. The problem names the longest field, the one to cut.
 */
static int
entry_too_big(struct importer *imp, const struct record *rec,
              unsigned long line, const struct buf *raw, size_t len)
{
  const char *longest = NULL;
  size_t most = 0;
  char *m;

  for (size_t i = 0; i < rec->kind->nfields; i++) {
    const char *t = record_text(rec, &rec->v[i]);
    if (t && strlen(t) > most) {
      most = strlen(t);
      longest = rec->kind->fields[i].name;
    }
  }
  m = xasprintf(_("the record is %zu bytes as a log entry (its canonical "
                  "JSON); an entry holds at most %u bytes, the 16-bit length "
                  "of a tlog-tiles entry bundle: shorten field '%s' (%zu "
                  "bytes)"),
                len, (unsigned)LEDGER_ENTRY_MAX, longest ? longest : "?", most);
  ingest__problem_add(&imp->fprob, INGEST_ERR_RECORD, longest, NULL, NULL, m);
  free(m);
  return send_problems(imp, line, &imp->fprob, rec, raw);
}

static int
send_put(struct importer *imp, const struct record *rec, unsigned long line,
         const struct buf *raw, int created)
{
  struct batch *b = handoff_batch(imp->ho);
  size_t off = b->arena.len;
  struct item *it;

  /* The one place an import makes an entry's bytes: checked here. */
  record_canonical(rec, &b->arena);
  if (b->arena.len - off > LEDGER_ENTRY_MAX) {
    size_t len = b->arena.len - off;
    b->arena.len = off;
    return entry_too_big(imp, rec, line, raw, len);
  }
  it = batch_add(b, ITEM_PUT);
  it->line = line;
  it->row = imp->row;
  it->created = created;
  it->text.off = off;
  it->text.len = b->arena.len - it->text.off;
  ledger_leaf_hash(batch_at(b, it->text), it->text.len, it->hash);
  if (record_get(rec, "id"))
    it->id = batch_puts(b, record_get(rec, "id"));
  it->rec = batch_put_record(b, rec);
  if (raw)
    it->raw = batch_put(b, raw->data, raw->len);
  return handoff_ready(imp->ho);
}

int
ingest__send_created(struct importer *imp, const struct record *rec)
{
  return send_put(imp, rec, imp->line, NULL, 1);
}

/* An invalid row with the problems in pr, for the writer to report. */
static int
send_problems(struct importer *imp, unsigned long line, struct problems *pr,
              const struct record *rec, const struct buf *raw)
{
  struct batch *b = handoff_batch(imp->ho);
  struct item *it = batch_add(b, ITEM_REJECT);
  const char *id = rec ? record_get(rec, "id") : NULL;

  it->line = line;
  it->row = imp->row;
  it->n = pr->n;
  it->problems.off = b->arena.len;
  ingest__problems_pack(pr, &b->arena);
  it->problems.len = b->arena.len - it->problems.off;
  if (id)
    it->id = batch_puts(b, id);
  if (raw)
    it->raw = batch_put(b, raw->data, raw->len);
  ingest__problems_reset(pr);
  return handoff_ready(imp->ho);
}

int
ingest__send_reject(struct importer *imp, unsigned long line,
                    const struct buf *raw)
{
  return send_problems(imp, line, &imp->prob, imp->cur, raw);
}

int
ingest__send_error(struct importer *imp, enum ingest_error_kind kind,
                   unsigned long line, const char *field, const char *message)
{
  struct batch *b = handoff_batch(imp->ho);
  struct item *it = batch_add(b, ITEM_ERROR);
  struct problems pr;

  ingest__problems_init(&pr);
  ingest__problem_add(&pr, kind, field, NULL, NULL, message);
  it->line = line;
  it->n = 1;
  it->problems.off = b->arena.len;
  ingest__problems_pack(&pr, &b->arena);
  it->problems.len = b->arena.len - it->problems.off;
  ingest__problems_cleanup(&pr);
  return handoff_ready(imp->ho);
}

/* A name for the summary (see NREF), kept once in the order first met. */
int
ingest__send_note(struct importer *imp, int list, const char *name)
{
  struct batch *b = handoff_batch(imp->ho);
  struct item *it = batch_add(b, ITEM_NOTE);

  it->list = list;
  it->text = batch_puts(b, name);
  return handoff_ready(imp->ho);
}

int
ingest__send_ignored(struct importer *imp, const char *const *names, size_t n)
{
  struct batch *b = handoff_batch(imp->ho);
  struct item *it = batch_add(b, ITEM_IGNORED);

  it->n = n;
  it->text.off = b->arena.len;
  for (size_t i = 0; i < n; i++)
    buf_append(&b->arena, names[i], strlen(names[i]) + 1);
  it->text.len = b->arena.len - it->text.off;
  return handoff_ready(imp->ho);
}

int
ingest__send_header(struct importer *imp, const char *row)
{
  struct batch *b = handoff_batch(imp->ho);
  struct item *it = batch_add(b, ITEM_HEADER);

  it->text = batch_puts(b, row);
  imp->header_sent = 1;
  return handoff_ready(imp->ho);
}

int
ingest__send_guess(struct importer *imp, const char *message)
{
  struct batch *b = handoff_batch(imp->ho);
  struct item *it = batch_add(b, ITEM_GUESS);

  it->text = batch_puts(b, message);
  return handoff_ready(imp->ho);
}

int
ingest__send_hint(struct importer *imp, enum hint h, int fi, const char *cell,
                  unsigned flags)
{
  struct batch *b = handoff_batch(imp->ho);
  struct item *it = batch_add(b, ITEM_HINT);

  it->list = (int)h;
  it->n = (size_t)fi;
  it->line = imp->line;
  it->flags = flags;
  it->text = batch_puts(b, cell);
  return handoff_ready(imp->ho);
}

/* The progress is reported by the writer, between its messages. */
static int
send_progress(struct importer *imp, size_t done, size_t total, int final)
{
  struct item *it = batch_add(handoff_batch(imp->ho), ITEM_PROGRESS);

  it->row = imp->row;
  it->done = done;
  it->total = total;
  it->final = final;
  return handoff_ready(imp->ho);
}

int
ingest__send_progress(struct importer *imp, size_t done, size_t total)
{
  if (imp->sink.progress == NULL)
    return OK;
  return send_progress(imp, done, total, 0);
}

/* Validates and hands over the held record. */
int
ingest__flush(struct importer *imp)
{
  struct record *rec = imp->pending;

  if (rec == NULL)
    return OK;
  imp->pending = NULL;
  buf_reset(&imp->err);
  if (record_finish_ctx(rec, &imp->ctx, &imp->err) != OK) {
    ingest__problems_finish(&imp->fprob, imp->err.data);
    return send_problems(imp, imp->pending_line, &imp->fprob, rec,
                         imp->pending_raw);
  }
  if (record_get(rec, "id") == NULL) {
    ingest__problem_add(&imp->fprob, INGEST_ERR_RECORD, "id", NULL, NULL,
                        _("field 'id': required (or a name)"));
    return send_problems(imp, imp->pending_line, &imp->fprob, rec,
                         imp->pending_raw);
  }
  if (imp->o->admit &&
      imp->o->admit(imp->o->admit_ctx, rec, &imp->err) == ERR_DENIED) {
    imp->denied = 1;
    ingest__problem_add(&imp->fprob, INGEST_ERR_RECORD, "checkpoint", NULL,
                        NULL, imp->err.data ? imp->err.data : _("not allowed"));
    return send_problems(imp, imp->pending_line, &imp->fprob, rec,
                         imp->pending_raw);
  }
  return send_put(imp, rec, imp->pending_line, imp->pending_raw, 0);
}

/* A continuation row repeats its flow's other fields or leaves them empty:
 * a different value means two records share an id, and merging would lose
 * one of them. */
static int
same_flow(struct importer *imp, const struct record *p,
          const struct record *rec)
{
  int rc = OK;

  for (size_t i = 0; i < rec->kind->nfields; i++) {
    const struct field_desc *f = &rec->kind->fields[i];
    const char *want = record_text(p, &p->v[i]);
    const char *got = record_text(rec, &rec->v[i]);
    char *expected, *m;
    if ((f->flags & FF_CARGO) || got == NULL ||
        (want && strcmp(want, got) == 0))
      continue;
    if (want)
      expected = xasprintf(
          _("'%s' as on the first row with this id, or nothing"), want);
    else
      expected = xstrdup(_("nothing, as on the first row with this id"));
    m = xasprintf(_("field '%s': expected %s, got '%s'"), f->name, expected,
                  got);
    ingest__problem_add(&imp->prob, INGEST_ERR_RECORD, f->name, expected, got,
                        m);
    free(expected);
    free(m);
    rc = ERR_INVALID;
  }
  return rc;
}

/* Appends the cargo line of rec (a continuation row) to the held record. */
static int
merge_cargo(struct importer *imp, const struct record *rec)
{
  struct record *p = imp->pending;
  int fcat = record_field_index(p->kind, "category");
  int fqty = record_field_index(p->kind, "quantity");
  int funit = record_field_index(p->kind, "unit");
  size_t line = p->ncargo;
  struct buf e;
  int rc = OK;

  buf_init(&e);
  for (size_t i = 0; i < rec->ncargo && rc == OK; i++, line++) {
    const struct cargo_line *c = &rec->cargo[i];
    const struct record_value *vals[3] = {&c->category, &c->quantity, &c->unit};
    int fis[3] = {fcat, fqty, funit};
    for (int j = 0; j < 3 && rc == OK; j++) {
      const char *t = record_text(rec, vals[j]);
      if (t)
        rc = record_set(p, &imp->ctx, fis[j], line, t, strlen(t), &e);
    }
  }
  if (rc != OK)
    ingest__problem_text(&imp->prob, INGEST_ERR_RECORD, "cargo", e.data);
  buf_cleanup(&e);
  return rc;
}

/* Gives a record without an id one: checkpoints, sources and actors by the
 * slug of their name, the rest by the input's hash and row number. */
static void
derive_id(struct importer *imp, struct record *rec)
{
  int fi = record_field_index(rec->kind, "id");
  char id[64];
  struct buf e;

  if (rec->v[fi].set)
    return;
  buf_init(&e);
  if (ingest__ref_index(rec->kind->kind) >= 0) {
    const char *name = record_get(rec, "name");
    if (name) {
      char *slug = util_slug(name);
      if (slug[0])
        record_set(rec, &imp->ctx, fi, 0, slug, strlen(slug), &e);
      free(slug);
    }
  } else {
    /* A workbook's sheets share the file's hash: the sheet's number tells
     * their rows apart. */
    if (imp->sheet)
      snprintf(id, sizeof id, "%s-s%d-%zu", imp->digest, imp->sheet_no,
               imp->row);
    else
      snprintf(id, sizeof id, "%s-%zu", imp->digest, imp->row);
    record_set(rec, &imp->ctx, fi, 0, id, strlen(id), &e);
  }
  buf_cleanup(&e);
}

int
ingest__take_row(struct importer *imp, unsigned long line)
{
  struct record *rec = imp->cur;
  int rc;

  if (imp->prob.n) {
    if ((rc = ingest__flush(imp)) != OK)
      return rc;
    return ingest__send_reject(imp, line, imp->cur_raw);
  }
  /* In CSV a flow's further cargo lines are further rows with its id; a
   * JSON line holds all of them, so the same id again is another record. */
  if (rec->kind->kind == KIND_flow && imp->o->format != INGEST_JSONL &&
      imp->pending && record_get(rec, "id") && record_get(imp->pending, "id") &&
      strcmp(record_get(rec, "id"), record_get(imp->pending, "id")) == 0) {
    if (same_flow(imp, imp->pending, rec) != OK || merge_cargo(imp, rec) != OK)
      return ingest__send_reject(imp, line, imp->cur_raw);
    return OK;
  }
  derive_id(imp, rec);
  if ((rc = ingest__flush(imp)) != OK)
    return rc;
  imp->pending = rec;
  imp->pending_line = line;
  {
    struct buf *t = imp->pending_raw;
    imp->pending_raw = imp->cur_raw;
    imp->cur_raw = t;
  }
  imp->cur = rec == &imp->recs[0] ? &imp->recs[1] : &imp->recs[0];
  return OK;
}

int
ingest__end_input(struct importer *imp, int rc, size_t len)
{
  int wrc;

  if (rc == OK)
    rc = ingest__flush(imp);
  wrc = handoff_drain(imp->ho);
  if (wrc != OK) {
    /* As on one thread, the rows read are those up to the one being read
     * when the store failed. */
    imp->row = imp->fail_row;
    rc = wrc;
  }
  if (imp->sink.progress == NULL)
    return rc;
  if (wrc == OK) {
    if ((wrc = send_progress(imp, len, len, 1)) == OK)
      wrc = handoff_drain(imp->ho);
    return wrc != OK ? wrc : rc;
  }
  /* The writer has stopped: the caller reports this once it is done. */
  imp->late_progress = 1;
  imp->late.file = imp->file;
  imp->late.done = imp->late.total = len;
  imp->late.rows = imp->row;
  imp->late.final = 1;
  return rc;
}
