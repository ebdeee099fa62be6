/*
 * The import pipeline: rows -> fields (mapping, label translation, reference
 * resolution) -> record validation -> canonical bytes -> store. One
 * transaction per import; any invalid row rolls the whole import back unless
 * rejects are being written. The inputs are read on a thread of their own
 * (rows.c) while the calling thread writes (writer.c); see handoff.h.
 */
#include "ingest/ingest_int.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "corridor/corridor.h"
#include "util/i18n.h"

static void
importer_init(struct importer *imp, struct store *st,
              const struct ingest_opts *o, const struct ingest_sink *sink,
              struct ingest_stats *stats)
{
  memset(imp, 0, sizeof *imp);
  memset(stats, 0, sizeof *stats);
  stats->import_seq = UINT64_MAX;
  imp->withdrawn = strmap_new();
  buf_init(&imp->shas);
  imp->st = st;
  imp->o = o;
  if (sink)
    imp->sink = *sink;
  imp->stats = stats;
  imp->kind = record_kind_desc(o->kind);
  store_record_ctx(st, &imp->ctx); /* categories, stages */
  imp->max_line = o->max_line ? o->max_line : INGEST_MAX_LINE;
  if (!o->allow_future) {
    /* A day's margin: a clock a little behind, a time zone given wrong. */
    int64_t now = o->now ? o->now : (int64_t)time(NULL);
    imp->ctx.not_after = now + 86400;
    imp->ctx.utc_offset = corridor_utc_offset(store_corridor(st), now);
  }
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
  util_file_discard(&imp->rej_file);
  imp->rej = NULL;
  ingest__problems_cleanup(&imp->prob);
  ingest__problems_cleanup(&imp->fprob);
  buf_cleanup(&imp->err);
  buf_cleanup(&imp->msg);
  strmap_free(imp->withdrawn);
  buf_cleanup(&imp->shas);
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

void
ingest__digest(const char *data, size_t n, char out[65])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  static const char hex[] = "0123456789abcdef";

  EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL);
  for (int i = 0; i < 32; i++) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  out[64] = '\0';
}

/* The content hash of len bytes at data, so that derived ids survive
 * re-imports: its first 12 hex digits in imp->digest, all 64 in full. */
static void
digest(struct importer *imp, const char *data, size_t len, char full[65])
{
  ingest__digest(data, len, full);
  memcpy(imp->digest, full, 12);
  imp->digest[12] = '\0';
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

/* A CSV file or a workbook, whole: what its bytes are. */
static int
import_whole(struct importer *imp, const char *data, size_t len)
{
  int rc;

  if (is_zip(data, len))
    return ingest__import_book(imp, data, len);
  if (is_ole2(data, len)) {
    rc = ingest__send_error(
        imp, INGEST_ERR_FILE, 0, NULL,
        _("an Excel 97-2003 workbook (.xls), which is not read: save it as "
          ".xlsx or CSV (docs/importing.md#spreadsheets)"));
    return rc == OK ? ERR_INVALID : rc;
  }
  return ingest__import_csv(imp, data, len);
}

/*
 * The bytes of an opened input, whole, for the readers that need them so
 * (a workbook is a ZIP archive; the CSV dialect is read from the header
 * row and the text may be transcoded): in memory as given, or the file
 * (a pipe's copy, which source.c stopped at an endless line) mapped, so
 * that its pages are the page cache's and not the process's heap. *map is
 * what to unmap (NULL: nothing; MAP_FAILED: *data is a copy to free, for
 * a file not read from its start). OK, or ERR_IO with errno set.
 */
static int
whole_input(struct source *src, const char **data, size_t *len, void **map)
{
  size_t got = 0;
  char *copy;
  long n;

  *map = NULL;
  *len = src->data ? src->len : src->total;
  *data = src->data ? src->data : "";
  if (src->data || *len == 0)
    return OK;
  if (lseek(src->fd, 0, SEEK_CUR) == 0) {
    *map = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, src->fd, 0);
    if (*map == MAP_FAILED) {
      *map = NULL;
      return ERR_IO;
    }
    madvise(*map, *len, MADV_SEQUENTIAL);
    *data = *map;
    return OK;
  }
  copy = xmalloc(*len);
  while (got < *len &&
         (n = ingest__source_read(src, copy + got, *len - got)) > 0)
    got += (size_t)n;
  if (got < *len) {
    free(copy);
    return ERR_IO;
  }
  *data = copy;
  *map = MAP_FAILED;
  return OK;
}

void
ingest__release_read(struct importer *imp, const char *from, const char *upto)
{
  long page = sysconf(_SC_PAGESIZE);
  size_t a, b;

  if (imp->map == NULL || page <= 0 || from < imp->map ||
      upto > imp->map + imp->map_len || upto <= from)
    return;
  a = ((size_t)(from - imp->map) + (size_t)page - 1) / (size_t)page *
      (size_t)page;
  b = (size_t)(upto - imp->map) / (size_t)page * (size_t)page;
  if (b > a)
    madvise((char *)imp->map + a, b - a, MADV_DONTNEED);
}

/* Reads one input's rows, in its format: JSON Lines when asked (as a
 * stream), else what its bytes are (a workbook, or CSV). */
static int
import_one(struct importer *imp, struct source *src)
{
  const char *data, *withdrawn;
  size_t len;
  void *map;
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
  /* Derived ids take the content hash and the generation of the file
   * (ingest.h): a file imported again after its withdrawal gets new ids. */
  memcpy(imp->digest, src->sha256, 12);
  imp->digest[12] = '\0';
  buf_printf(&imp->shas, "%s%s", imp->shas.len ? "\n" : "", src->sha256);
  withdrawn = strmap_get(imp->withdrawn, src->sha256);
  if (withdrawn)
    snprintf(imp->digest + 12, sizeof imp->digest - 12, ".%d",
             atoi(withdrawn) + 1);
  if (imp->o->format == INGEST_JSONL)
    return ingest__import_jsonl(imp, src);
  if ((rc = whole_input(src, &data, &len, &map)) != OK) {
    char *m = xasprintf(_("cannot read: %s"), strerror(errno));
    rc = ingest__send_error(imp, INGEST_ERR_IO, 0, NULL, m);
    free(m);
    return rc == OK ? ERR_IO : rc;
  }
  if (map != NULL && map != MAP_FAILED) {
    imp->map = map;
    imp->map_len = len;
  }
  rc = import_whole(imp, data, len);
  imp->map = NULL;
  if (map == MAP_FAILED)
    free((char *)data);
  else if (map != NULL)
    munmap(map, len);
  return rc;
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
    struct source src;
    imp->file = in->name;
    if (ingest__source_open(&src, in, imp->max_line,
                            imp->o->format == INGEST_JSONL) != OK) {
      char *m = xasprintf(_("cannot read: %s"), strerror(errno));
      ingest__send_error(imp, INGEST_ERR_IO, 0, NULL, m);
      free(m);
      return ERR_IO;
    }
    rc = import_one(imp, &src);
    imp->stats->rows += imp->row;
    imp->stats->skipped += imp->skipped;
    ingest__source_close(&src);
  }
  return rc;
}

/* Sets field name of the import's record from text, which holds what
 * people gave (names, options), so it may be refused (too long): ERR_INVALID
 * with the reason in imp->err. */
static int
set_field(struct importer *imp, struct record *rec, const char *name,
          const char *text)
{
  int fi = record_field_index(rec->kind, name);

  struct buf why;
  int rc;

  if (fi < 0)
    abort(); /* the import kind's own fields: a bug */
  buf_init(&why);
  rc = record_set(rec, NULL, fi, 0, text, strlen(text), &why);
  if (rc != OK) {
    buf_reset(&imp->err);
    buf_printf(&imp->err, _("field '%s': %s"), name, why.data ? why.data : "");
  }
  buf_cleanup(&why);
  return rc;
}

/* The import's own record could not be made from what it was given
 * (imp->err says which field and why): the import stores nothing. */
static void
import_record_refused(struct importer *imp)
{
  char *m = xasprintf(_("the import's own record in the log cannot hold "
                        "this import (%s): nothing was stored; import fewer "
                        "files at once, or with shorter mapping options"),
                      imp->err.data ? imp->err.data : "");

  ingest__error(imp, INGEST_ERR_FILE, NULL, m);
  free(m);
}

static int
set_count(struct importer *imp, struct record *rec, const char *name,
          uint64_t n)
{
  char t[32];

  snprintf(t, sizeof t, "%llu", (unsigned long long)n);
  return set_field(imp, rec, name, t);
}

/* Appends a file's name as the log can hold it: what is not UTF-8 (a name
 * in Latin-1 on a Windows share, bytes in an upload's name parameter) and
 * the controls (a newline would split the list) each as U+FFFD. */
static void
put_name(struct buf *b, const char *name)
{
  const unsigned char *s = (const unsigned char *)name;
  size_t n = strlen(name);

  for (size_t i = 0, len; i < n; i += len) {
    len = util_utf8_char(s + i, n - i);
    if (len == 0 || s[i] < 0x20 || s[i] == 0x7f) {
      buf_puts(b, "\xEF\xBF\xBD");
      len = len ? len : 1;
    } else {
      buf_append(b, s + i, len);
    }
  }
}

/* The import's own record, appended after the entries it added (ingest.h:
 * ingest_opts.record_at). */
static int
record_import(struct importer *imp)
{
  const struct ingest_stats *s = imp->stats;
  uint64_t seq = store_size(imp->st);
  enum store_put_result res;
  struct record rec;
  struct buf names, bytes;
  char id[40];
  int rc;

  record_init(&rec, KIND_import);
  buf_init(&names);
  buf_init(&bytes);
  snprintf(id, sizeof id, "import-%llu", (unsigned long long)seq);
  /* Only the file's own name: the folders it was read from (an analyst's
   * home, a mount) would enter the public log and make the tree's root
   * depend on where the files lay. */
  for (size_t i = 0; i < imp->ninputs; i++) {
    const char *name = imp->inputs[i].name;
    const char *slash = strrchr(name, '/');

    if (i)
      buf_putc(&names, '\n');
    put_name(&names, slash && slash[1] ? slash + 1 : name);
  }
  if ((rc = set_field(imp, &rec, "id", id)) != OK ||
      (rc = set_field(imp, &rec, "at", imp->o->record_at)) != OK ||
      (rc = set_field(imp, &rec, "kind", imp->kind->name)) != OK ||
      (rc = set_field(imp, &rec, "files", names.data ? names.data : "")) !=
          OK ||
      (rc = set_field(imp, &rec, "sha256",
                      imp->shas.data ? imp->shas.data : "")) != OK ||
      (imp->o->options && imp->o->options[0] &&
       (rc = set_field(imp, &rec, "options", imp->o->options)) != OK) ||
      (rc = set_count(imp, &rec, "first", imp->first)) != OK ||
      (rc = set_count(imp, &rec, "entries", seq - imp->first)) != OK ||
      (rc = set_count(imp, &rec, "rows", s->rows)) != OK ||
      (rc = set_count(imp, &rec, "added", s->added)) != OK ||
      (rc = set_count(imp, &rec, "unchanged", s->unchanged)) != OK ||
      (rc = set_count(imp, &rec, "created", s->created)) != OK ||
      (rc = set_count(imp, &rec, "rejected", s->rejected)) != OK ||
      (buf_reset(&imp->err), rc = record_finish(&rec, &imp->err)) != OK) {
    /* Refused whole, never stored in part, and never an abort: the names
     * and options are what people gave. */
    import_record_refused(imp);
    rc = ERR_INVALID;
  } else {
    record_canonical(&rec, &bytes);
    rc = store_put(imp->st, &rec, bytes.data, bytes.len, &res);
    if (rc == OK)
      imp->stats->import_seq = seq;
    else
      store_error(imp);
  }
  record_cleanup(&rec);
  buf_cleanup(&names);
  buf_cleanup(&bytes);
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
    rc = imp->denied ? ERR_DENIED : ERR_INVALID;
  if (rc == OK && imp->o->record_at && imp->ninputs &&
      store_size(imp->st) > imp->first)
    rc = record_import(imp);
  if (rc == OK) {
    rc = store_commit(imp->st);
    if (rc != OK)
      store_error(imp);
  } else {
    store_rollback(imp->st);
  }
  /* A commit that failed (a full disk) stored nothing either: no summary
   * may count the rows as added. */
  if (rc != OK) {
    imp->stats->added = imp->stats->unchanged = imp->stats->created = 0;
    imp->stats->import_seq = UINT64_MAX;
  }
  if (ingest__close_rejects(imp, rc == OK) != OK && rc == OK) {
    ingest__error(imp, INGEST_ERR_IO, imp->o->rejects,
                  _("cannot write the rejected rows"));
    rc = ERR_IO;
  }
  return rc;
}

struct withdrawn {
  struct importer *imp;
  struct record rec;
  struct buf err;
};

/* Counts an import's files when it was withdrawn. */
static int
count_withdrawn(void *ctx, const struct store_entry *e)
{
  struct withdrawn *w = ctx;
  const char *shas, *p;
  uint64_t by;
  int rc;

  rc = store_superseded_by(w->imp->st, KIND_import, e->id, &by);
  if (rc == ERR_NOTFOUND)
    return OK;
  if (rc != OK)
    return rc;
  record_reset(&w->rec);
  buf_reset(&w->err);
  if (record_from_json(&w->rec, KIND_import, NULL, e->bytes, e->len, &w->err) !=
      OK)
    return OK; /* the auditor's to name */
  shas = record_get(&w->rec, "sha256");
  for (p = shas; p && *p;) {
    size_t n = strcspn(p, "\n");
    char *sha = xstrndup(p, n), t[24];
    const char *had = strmap_get(w->imp->withdrawn, sha);
    snprintf(t, sizeof t, "%d", had ? atoi(had) + 1 : 1);
    strmap_put(w->imp->withdrawn, sha, t);
    free(sha);
    p += n + (p[n] == '\n');
  }
  return OK;
}

/* The files whose imports were withdrawn, and how often, for the
 * generation of derived ids (ingest.h). Imports are few. */
static int
load_withdrawn(struct importer *imp)
{
  struct withdrawn w = {imp, {0}, {0}};
  int rc;

  record_init(&w.rec, KIND_import);
  buf_init(&w.err);
  rc = store_each_entry(imp->st, KIND_import, 0, UINT64_MAX, count_withdrawn,
                        &w);
  record_cleanup(&w.rec);
  buf_cleanup(&w.err);
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
  if (o->max_line > INGEST_MAX_LINE_LIMIT) {
    char *m = xasprintf(_("--max-line: expected at most %u bytes, got %zu"),
                        INGEST_MAX_LINE_LIMIT, o->max_line);
    ingest__error(&imp, INGEST_ERR_FILE, NULL, m);
    free(m);
    rc = ERR_USAGE;
    goto out;
  }
  if ((rc = ingest__open_rejects(&imp)) != OK)
    goto out;
  if ((rc = store_begin(st)) != OK) {
    store_error(&imp);
    goto out;
  }
  imp.first = store_size(st);
  if ((rc = load_withdrawn(&imp)) != OK) {
    store_error(&imp);
    store_rollback(st);
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
  char id[48], full[65];

  buf_init(&c);
  buf_init(&e);
  record_canonical(imp->cur, &c);
  digest(imp, c.data, c.len, full);
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
  imp.file = _("command line");
  if ((rc = store_begin(st)) != OK) {
    store_error(&imp);
    goto out;
  }
  imp.row = 1;
  record_reset(imp.cur);
  for (size_t i = 0; i < n; i++) {
    int fi = record_field_index(imp.kind, names[i]);
    if (fi < 0) {
      char *m = xasprintf(_("field '%s': no such field"), names[i]);
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
