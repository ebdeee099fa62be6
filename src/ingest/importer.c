/*
 * The import pipeline: rows -> fields (mapping, label translation, reference
 * resolution) -> record validation -> canonical bytes -> store. One
 * transaction per import; any invalid row rolls the whole import back unless
 * rejects are being written. The inputs are read on a thread of their own
 * (rows.c) while the calling thread writes (writer.c); see handoff.h.
 */
#include "ingest/ingest_int.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void
importer_init(struct importer *imp, struct store *st,
              const struct ingest_opts *o, const struct ingest_sink *sink,
              struct ingest_stats *stats)
{
  memset(imp, 0, sizeof *imp);
  memset(stats, 0, sizeof *stats);
  imp->st = st;
  imp->o = o;
  if (sink)
    imp->sink = *sink;
  imp->stats = stats;
  imp->kind = record_kind_desc(o->kind);
  store_record_ctx(st, &imp->ctx); /* categories, stages */
  ingest__mapping_init(imp);
  for (int k = 0; k < NREF; k++)
    imp->missing[k] = strmap_new();
  imp->unlabelled = xcalloc(imp->kind->nfields, sizeof *imp->unlabelled);
  ingest__dialect_init(imp);
  for (int i = 0; i < 2; i++) {
    record_init(&imp->recs[i], o->kind);
    buf_init(&imp->raw[i]);
  }
  record_init(&imp->wrec, o->kind);
  imp->ho = handoff_new(ingest__consume, imp);
  imp->cur = &imp->recs[0];
  imp->cur_raw = &imp->raw[0];
  imp->pending_raw = &imp->raw[1];
  ingest__problems_init(&imp->prob);
  ingest__problems_init(&imp->fprob);
  buf_init(&imp->err);
  buf_init(&imp->msg);
}

static void
importer_cleanup(struct importer *imp)
{
  handoff_free(imp->ho);
  record_cleanup(&imp->wrec);
  ingest__mapping_cleanup(imp);
  for (int k = 0; k < NREF; k++)
    strmap_free(imp->missing[k]);
  for (size_t i = 0; i < imp->kind->nfields; i++)
    ingest__tally_free(&imp->unlabelled[i]);
  free(imp->unlabelled);
  for (size_t i = 0; imp->hints && i < NHINT * imp->kind->nfields; i++) {
    free(imp->hints[i].example);
    strmap_free(imp->hints[i].words);
  }
  free(imp->hints);
  ingest__dialect_cleanup(imp);
  ingest__preset_free(imp);
  free(imp->sheet);
  for (int i = 0; i < 2; i++) {
    record_cleanup(&imp->recs[i]);
    buf_cleanup(&imp->raw[i]);
  }
  if (imp->rej) {
    fclose(imp->rej);
    unlink(imp->rej_tmp);
  }
  free(imp->rej_tmp);
  ingest__problems_cleanup(&imp->prob);
  ingest__problems_cleanup(&imp->fprob);
  buf_cleanup(&imp->err);
  buf_cleanup(&imp->msg);
}

/* Reports a problem that is no row's, from the calling thread while no
 * reader runs; not counted against max_errors. */
void
ingest__error(struct importer *imp, enum ingest_error_kind kind,
              const char *file, const char *message)
{
  struct ingest_error e;

  memset(&e, 0, sizeof e);
  e.kind = kind;
  e.file = file;
  e.message = message;
  e.nparts = 1;
  ingest__deliver(imp, &e, 1, 0);
}

static void
store_error(struct importer *imp)
{
  ingest__error(imp, INGEST_ERR_STORE, NULL, store_errmsg(imp->st));
}

/* The input's content hash, so that derived ids survive re-imports. */
static void
digest(struct importer *imp, const char *data, size_t len)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  static const char hex[] = "0123456789abcdef";

  EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
  for (int i = 0; i < 6; i++) {
    imp->digest[2 * i] = hex[md[i] >> 4];
    imp->digest[2 * i + 1] = hex[md[i] & 15];
  }
  imp->digest[12] = '\0';
}

/* Maps a file (or reads a pipe) into memory. */
static int
load_file(const char *path, char **data, size_t *len, int *mapped)
{
  int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
  struct stat sb;
  struct buf b;

  *data = NULL;
  *len = 0;
  *mapped = 0;
  if (fd < 0)
    return ERR_IO;
  if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
    void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (fd)
      close(fd);
    if (m == MAP_FAILED)
      return ERR_IO;
    madvise(m, (size_t)sb.st_size, MADV_SEQUENTIAL);
    *data = m;
    *len = (size_t)sb.st_size;
    *mapped = 1;
    return OK;
  }
  buf_init(&b);
  for (;;) {
    ssize_t got;
    buf_reserve(&b, 65536);
    got = read(fd, b.data + b.len, 65536);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      buf_cleanup(&b);
      if (fd)
        close(fd);
      return ERR_IO;
    }
    if (got == 0)
      break;
    b.len += (size_t)got;
  }
  if (fd)
    close(fd);
  *len = b.len;
  *data = buf_take(&b);
  return OK;
}

/* 1 when the bytes are a ZIP archive (a workbook, if anything). */
static int
is_zip(const char *data, size_t len)
{
  return len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0;
}

/* 1 when they are an OLE2 compound file: an Excel 97-2003 .xls. */
static int
is_ole2(const char *data, size_t len)
{
  return len >= 8 && memcmp(data, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0;
}

/* Reads one input's rows, in its format: JSON Lines when asked, else what
 * its bytes are (a workbook, or CSV). */
static int
import_one(struct importer *imp, const char *data, size_t len)
{
  int rc;

  imp->row = 0;
  imp->skipped = 0;
  imp->unapproved = 0;
  free(imp->sheet);
  imp->sheet = NULL;
  imp->sheet_no = 0;
  imp->date1904 = 0;
  imp->delim = ',';
  memset(imp->said, 0, imp->kind->nfields * sizeof *imp->said);
  digest(imp, data, len);
  if (imp->o->format == INGEST_JSONL)
    return ingest__import_jsonl(imp, data, len);
  if (is_zip(data, len))
    return ingest__import_book(imp, data, len);
  if (is_ole2(data, len)) {
    rc = ingest__send_error(
        imp, INGEST_ERR_FILE, 0, NULL,
        "an Excel 97-2003 workbook (.xls), which is not read: save it as "
        ".xlsx or CSV (docs/importing.md#spreadsheets)");
    return rc == OK ? ERR_INVALID : rc;
  }
  return ingest__import_csv(imp, data, len);
}

/* The reading thread. Each input ends with the writer caught up, so that
 * what is said about the next one comes after. */
static int
read_inputs(void *ctx)
{
  struct importer *imp = ctx;
  int rc = OK;

  for (size_t i = 0; i < imp->ninputs && rc == OK; i++) {
    const struct input *in = &imp->inputs[i];
    char *data = NULL;
    size_t len = in->len;
    int mapped = 0;
    imp->file = in->name;
    if (in->path && load_file(in->path, &data, &len, &mapped) != OK) {
      char *m = xasprintf("cannot read: %s", strerror(errno));
      ingest__send_error(imp, INGEST_ERR_IO, 0, NULL, m);
      free(m);
      return ERR_IO;
    }
    rc = import_one(imp, in->path ? (data ? data : "") : in->data, len);
    imp->stats->rows += imp->row;
    imp->stats->skipped += imp->skipped;
    if (mapped)
      munmap(data, len);
    else
      free(data);
  }
  return rc;
}

/* Ends the transaction: commit, or roll back when anything failed. */
static int
finish_import(struct importer *imp, int rc)
{
  if (imp->late_progress && imp->sink.progress)
    imp->sink.progress(imp->sink.ctx, &imp->late);
  ingest__summarise(imp);
  if (rc == OK && imp->failed)
    rc = ERR_INVALID;
  if (rc == OK) {
    rc = store_commit(imp->st);
    if (rc != OK)
      store_error(imp);
  } else {
    store_rollback(imp->st);
    imp->stats->added = imp->stats->unchanged = imp->stats->created = 0;
  }
  if (ingest__close_rejects(imp, rc == OK) != OK && rc == OK) {
    ingest__error(imp, INGEST_ERR_IO, imp->o->rejects,
                  "cannot write the rejected rows");
    rc = ERR_IO;
  }
  return rc;
}

/* Imports the inputs in one transaction. */
static int
import_inputs(struct store *st, const struct ingest_opts *o,
              const struct ingest_sink *sink, const struct input *inputs,
              size_t ninputs, struct ingest_stats *stats)
{
  struct importer imp;
  int rc;

  importer_init(&imp, st, o, sink, stats);
  imp.inputs = inputs;
  imp.ninputs = ninputs;
  if ((rc = ingest__open_rejects(&imp)) != OK)
    goto out;
  if ((rc = store_begin(st)) != OK) {
    store_error(&imp);
    goto out;
  }
  rc = handoff_run(imp.ho, read_inputs, &imp);
  rc = finish_import(&imp, rc);
out:
  importer_cleanup(&imp);
  return rc;
}

int
ingest_files(struct store *st, const struct ingest_opts *o,
             const struct ingest_sink *sink, const char *const *files,
             size_t nfiles, struct ingest_stats *stats)
{
  struct input *in = xcalloc(nfiles ? nfiles : 1, sizeof *in);
  int rc;

  for (size_t i = 0; i < nfiles; i++) {
    in[i].name = files[i];
    in[i].path = files[i];
  }
  rc = import_inputs(st, o, sink, in, nfiles, stats);
  free(in);
  return rc;
}

int
ingest_buffer(struct store *st, const struct ingest_opts *o,
              const struct ingest_sink *sink, const char *name,
              const void *data, size_t len, struct ingest_stats *stats)
{
  struct input in = {name, NULL, data ? data : "", data ? len : 0};

  return import_inputs(st, o, sink, &in, 1, stats);
}

/* A command-line record's id is its content's hash: a retried command adds
 * nothing. */
static void
content_id(struct importer *imp)
{
  struct buf c, e;
  char id[32];

  buf_init(&c);
  buf_init(&e);
  record_canonical(imp->cur, &c);
  digest(imp, c.data, c.len);
  snprintf(id, sizeof id, "cli-%s", imp->digest);
  record_set(imp->cur, &imp->ctx, record_field_index(imp->kind, "id"), 0, id,
             strlen(id), &e);
  buf_cleanup(&c);
  buf_cleanup(&e);
}

int
ingest_fields(struct store *st, const struct ingest_opts *o,
              const struct ingest_sink *sink, const char *const *names,
              const char *const *values, size_t n, struct ingest_stats *stats)
{
  struct importer imp;
  int rc, wrc;

  importer_init(&imp, st, o, sink, stats);
  imp.file = "command line";
  if ((rc = store_begin(st)) != OK) {
    store_error(&imp);
    goto out;
  }
  imp.row = 1;
  record_reset(imp.cur);
  for (size_t i = 0; i < n; i++) {
    int fi = record_field_index(imp.kind, names[i]);
    if (fi < 0) {
      char *m = xasprintf("field '%s': no such field", names[i]);
      ingest__problem_add(&imp.prob, INGEST_ERR_FIELD, names[i], NULL, NULL, m);
      free(m);
      continue;
    }
    ingest__apply(&imp, imp.cur, fi, 0, values[i], 0);
  }
  ingest__apply_sets(&imp, imp.cur);
  if (imp.prob.n == 0 && record_get(imp.cur, "id") == NULL &&
      ingest__ref_index(imp.kind->kind) < 0) {
    content_id(&imp);
  }
  /* Without handoff_run() the writer's side runs here, item by item. */
  rc = ingest__take_row(&imp, 0);
  if (rc == OK)
    rc = ingest__flush(&imp);
  if ((wrc = handoff_drain(imp.ho)) != OK)
    rc = wrc;
  rc = finish_import(&imp, rc);
out:
  importer_cleanup(&imp);
  return rc;
}
