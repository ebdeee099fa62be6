/*
 * Workbooks: a ZIP archive of XML files (.xlsx: Office Open XML; .ods:
 * OpenDocument). libzip opens the archive where it lies (the mapped file,
 * or an upload's bytes) and inflates one entry at a time; expat parses an
 * entry as it is inflated, in pieces of 64 KiB, and a handler may suspend
 * it (after each row of a sheet), so a sheet of any size is read row by
 * row with memory for one row. An archive can also be made of entries in
 * memory (tests and the fuzz harnesses, which need no ZIP).
 *
 * ingest__import_book decides which kind of workbook it is, opens the
 * sheet the options name (xlsx.c, ods.c) and reads it as any table.
 */
#include "ingest/book.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#define XML_CHUNK 65536

struct archive {
  zip_t *zip;         /* a ZIP archive, or */
  size_t n;           /* entries in memory */
  const char **names; /* borrowed */
  const char **datas;
  const size_t *lens;
};

int
ingest__archive_open(const char *data, size_t len, struct archive **out,
                     struct buf *err)
{
  zip_error_t ze;
  zip_source_t *src;
  zip_t *z;

  *out = NULL;
  zip_error_init(&ze);
  src = zip_source_buffer_create(data, len, 0, &ze);
  if (src == NULL) {
    buf_printf(err, _("not a ZIP archive: %s"), zip_error_strerror(&ze));
    zip_error_fini(&ze);
    return ERR_INVALID;
  }
  z = zip_open_from_source(src, ZIP_RDONLY, &ze);
  if (z == NULL) {
    buf_printf(err,
               _("begins as a ZIP archive (a workbook) but cannot be read as "
                 "one (%s): save it again as .xlsx, .ods or CSV "
                 "(docs/importing.md#spreadsheets)"),
               zip_error_strerror(&ze));
    zip_source_free(src);
    zip_error_fini(&ze);
    return ERR_INVALID;
  }
  zip_error_fini(&ze);
  *out = xcalloc(1, sizeof **out);
  (*out)->zip = z;
  return OK;
}

struct archive *
ingest__archive_mem(size_t n, const char **names, const char **datas,
                    const size_t *lens)
{
  struct archive *a = xcalloc(1, sizeof *a);

  a->n = n;
  a->names = names;
  a->datas = datas;
  a->lens = lens;
  return a;
}

void
ingest__archive_free(struct archive *a)
{
  if (a == NULL)
    return;
  if (a->zip)
    zip_discard(a->zip);
  free(a);
}

static long
mem_index(const struct archive *a, const char *name)
{
  for (size_t i = 0; i < a->n; i++)
    if (strcasecmp(a->names[i], name) == 0)
      return (long)i;
  return -1;
}

int
ingest__archive_has(struct archive *a, const char *name)
{
  if (a->zip)
    return zip_name_locate(a->zip, name, ZIP_FL_NOCASE) >= 0;
  return mem_index(a, name) >= 0;
}

/* One entry being read. */
struct entry {
  struct archive *a;
  zip_file_t *zf;
  long mem;      /* the entry in memory, or -1 */
  size_t memoff; /* how far it is read */
  size_t size;   /* its bytes, inflated (0: not known) */
};

static int
entry_open(struct archive *a, const char *name, struct entry *e)
{
  memset(e, 0, sizeof *e);
  e->a = a;
  e->mem = -1;
  if (a->zip) {
    zip_int64_t i = zip_name_locate(a->zip, name, ZIP_FL_NOCASE);
    zip_stat_t st;
    if (i < 0 || (e->zf = zip_fopen_index(a->zip, (zip_uint64_t)i, 0)) == NULL)
      return ERR_NOTFOUND;
    zip_stat_init(&st);
    if (zip_stat_index(a->zip, (zip_uint64_t)i, 0, &st) == 0 &&
        (st.valid & ZIP_STAT_SIZE))
      e->size = (size_t)st.size;
    return OK;
  }
  e->mem = mem_index(a, name);
  if (e->mem >= 0)
    e->size = a->lens[e->mem];
  return e->mem < 0 ? ERR_NOTFOUND : OK;
}

/* Up to n bytes into buf: how many (0 at the end), or -1. */
static long
entry_read(struct entry *e, char *buf, size_t n)
{
  if (e->zf) {
    zip_int64_t got = zip_fread(e->zf, buf, n);
    return got < 0 ? -1 : (long)got;
  }
  {
    size_t left = e->a->lens[e->mem] - e->memoff;
    size_t k = left < n ? left : n;
    memcpy(buf, e->a->datas[e->mem] + e->memoff, k);
    e->memoff += k;
    return (long)k;
  }
}

static void
entry_close(struct entry *e)
{
  if (e->zf)
    zip_fclose(e->zf);
  e->zf = NULL;
}

struct xml_in {
  XML_Parser p;
  struct entry e;
  int suspended; /* a handler stopped it; resume before reading more */
  int final;     /* the last piece has been given */
  int done;
  size_t read;
  char err[160];
};

struct xml_in *
ingest__xml_open(struct archive *a, const char *name, void *ud,
                 XML_StartElementHandler start, XML_EndElementHandler end,
                 XML_CharacterDataHandler text)
{
  struct xml_in *x = xcalloc(1, sizeof *x);

  if (entry_open(a, name, &x->e) != OK) {
    free(x);
    return NULL;
  }
  x->p = XML_ParserCreate("UTF-8");
  if (x->p == NULL) {
    fprintf(stderr, "passage: out of memory (an XML parser)\n");
    abort();
  }
  XML_SetUserData(x->p, ud);
  XML_SetElementHandler(x->p, start, end);
  XML_SetCharacterDataHandler(x->p, text);
  return x;
}

void
ingest__xml_suspend(struct xml_in *x)
{
  XML_StopParser(x->p, XML_TRUE);
}

void
ingest__xml_abort(struct xml_in *x)
{
  XML_StopParser(x->p, XML_FALSE);
}

/* What a parse step's status means for the caller. */
static int
status(struct xml_in *x, enum XML_Status st)
{
  if (st == XML_STATUS_SUSPENDED) {
    x->suspended = 1;
    return 1;
  }
  if (st == XML_STATUS_ERROR) {
    enum XML_Error code = XML_GetErrorCode(x->p);
    if (code == XML_ERROR_ABORTED)
      snprintf(x->err, sizeof x->err, "stopped");
    else
      snprintf(x->err, sizeof x->err, _("broken XML at line %lu: %s"),
               (unsigned long)XML_GetCurrentLineNumber(x->p),
               XML_ErrorString(code));
    return ERR_INVALID;
  }
  return OK;
}

int
ingest__xml_run(struct xml_in *x)
{
  int rc;

  if (x->done)
    return 0;
  if (x->suspended) {
    x->suspended = 0;
    if ((rc = status(x, XML_ResumeParser(x->p))) != OK)
      return rc;
  }
  while (!x->final) {
    void *b = XML_GetBuffer(x->p, XML_CHUNK);
    long got;
    if (b == NULL) {
      snprintf(x->err, sizeof x->err, _("out of memory parsing XML"));
      return ERR_NOMEM;
    }
    got = entry_read(&x->e, b, XML_CHUNK);
    if (got < 0) {
      snprintf(x->err, sizeof x->err,
               _("the archive is damaged (an entry "
                 "cannot be inflated)"));
      return ERR_IO;
    }
    x->read += (size_t)got;
    x->final = got == 0;
    if ((rc = status(x, XML_ParseBuffer(x->p, (int)got, x->final))) != OK)
      return rc;
  }
  x->done = 1;
  return 0;
}

const char *
ingest__xml_error(const struct xml_in *x)
{
  return x->err;
}

size_t
ingest__xml_read(const struct xml_in *x)
{
  return x->read;
}

size_t
ingest__xml_size(const struct xml_in *x)
{
  return x->e.size;
}

void
ingest__xml_free(struct xml_in *x)
{
  if (x == NULL)
    return;
  entry_close(&x->e);
  XML_ParserFree(x->p);
  free(x);
}

const char *
ingest__xml_local(const char *name)
{
  const char *c = strrchr(name, ':');

  return c ? c + 1 : name;
}

const char *
ingest__xml_attr(const char **atts, const char *local)
{
  for (size_t i = 0; atts[i]; i += 2)
    if (strcmp(ingest__xml_local(atts[i]), local) == 0)
      return atts[i + 1];
  return NULL;
}

int
ingest__xml_parse_all(struct archive *a, const char *name, void *ud,
                      XML_StartElementHandler start, XML_EndElementHandler end,
                      XML_CharacterDataHandler text, struct buf *err)
{
  struct xml_in *x = ingest__xml_open(a, name, ud, start, end, text);
  int rc;

  if (x == NULL)
    return ERR_NOTFOUND;
  while ((rc = ingest__xml_run(x)) == 1)
    ; /* nobody suspends a whole-file parse, but should one, go on */
  if (rc < 0)
    buf_printf(err, "%s: %s", name, ingest__xml_error(x));
  ingest__xml_free(x);
  return rc < 0 ? rc : OK;
}

/* --- reading a workbook's sheet as a table ---------------------------- */

/* Says which sheet is read when the workbook has several and none was
 * named, once. */
static int
say_sheet(struct importer *imp, const struct book_sheets *bs, size_t chosen)
{
  struct buf m;
  int rc;

  if (imp->o->sheet || bs->n < 2)
    return OK;
  buf_init(&m);
  buf_printf(&m, _("reading sheet '%s', the first of %zu ("), bs->names[chosen],
             bs->n);
  for (size_t i = 0; i < bs->n && i < 20; i++)
    buf_printf(&m, "%s'%s'", i ? ", " : "", bs->names[i]);
  if (bs->n > 20)
    buf_printf(&m, _(" and %zu more"), bs->n - 20);
  buf_puts(&m, _("); --sheet NAME or --sheet N reads another "
                 "(docs/importing.md#spreadsheets)"));
  rc = ingest__send_guess(imp, m.data);
  buf_cleanup(&m);
  return rc;
}

long
ingest__book_pick(const struct book_sheets *bs, const char *want,
                  struct buf *err)
{
  char *end;
  unsigned long k;

  if (bs->n == 0) {
    buf_puts(err, _("the workbook has no sheet"));
    return -1;
  }
  if (want == NULL)
    return 0;
  for (size_t i = 0; i < bs->n; i++)
    if (strcmp(bs->names[i], want) == 0)
      return (long)i;
  for (size_t i = 0; i < bs->n; i++)
    if (strcasecmp(bs->names[i], want) == 0)
      return (long)i;
  k = strtoul(want, &end, 10);
  if (*want && *end == '\0' && k >= 1 && k <= bs->n)
    return (long)k - 1;
  buf_printf(err, _("no sheet '%s' (the sheets are: "), want);
  for (size_t i = 0; i < bs->n; i++)
    buf_printf(err, "%s'%s'", i ? ", " : "", bs->names[i]);
  buf_puts(err, _("); --sheet takes a name or a number from 1 "
                  "(docs/importing.md#spreadsheets)"));
  return -1;
}

void
ingest__book_sheets_free(struct book_sheets *bs)
{
  for (size_t i = 0; i < bs->n; i++)
    free(bs->names[i]);
  free(bs->names);
  memset(bs, 0, sizeof bs[0]);
}

void
ingest__book_sheets_add(struct book_sheets *bs, const char *name)
{
  bs->names = xrealloc(bs->names, (bs->n + 1) * sizeof *bs->names);
  bs->names[bs->n++] = xstrdup(name);
}

int
ingest__open_sheet(struct archive *a, const char *want, struct table **out,
                   struct book_sheets *bs, struct buf *err)
{
  *out = NULL;
  if (ingest__archive_has(a, "xl/workbook.xml") ||
      ingest__archive_has(a, "_rels/.rels"))
    return ingest__xlsx_open(a, want, out, bs, err);
  if (ingest__archive_has(a, "content.xml"))
    return ingest__ods_open(a, want, out, bs, err);
  buf_puts(err, _("a ZIP archive that is no workbook (no xl/workbook.xml, no "
                  "content.xml): give an .xlsx or .ods file, or CSV "
                  "(docs/importing.md#spreadsheets)"));
  return ERR_INVALID;
}

int
ingest__import_book(struct importer *imp, const char *data, size_t len)
{
  struct book_sheets bs = {NULL, 0, 0};
  struct archive *a = NULL;
  struct table *t = NULL;
  struct buf err;
  int rc;

  buf_init(&err);
  rc = ingest__archive_open(data, len, &a, &err);
  if (rc == OK)
    rc = ingest__open_sheet(a, imp->o->sheet, &t, &bs, &err);
  if (rc != OK) {
    int src = ingest__send_error(imp, INGEST_ERR_FILE, 0, NULL,
                                 err.len ? err.data : _("cannot be read"));
    rc = src != OK ? src : ERR_INVALID;
    goto out;
  }
  if ((rc = say_sheet(imp, &bs, (size_t)(t->sheet_no - 1))) == OK)
    rc = ingest__import_table(imp, t, len);
out:
  ingest__table_free(t);
  ingest__archive_free(a);
  ingest__book_sheets_free(&bs);
  buf_cleanup(&err);
  return rc;
}

/* --- a row of a sheet -------------------------------------------------- */

void
ingest__row_reset(struct sheet_row *r)
{
  buf_reset(&r->arena);
  for (size_t i = 0; i < r->ncols; i++)
    r->len[i] = 0;
  r->ncols = 0;
  r->bad = 0;
  r->error[0] = '\0';
}

void
ingest__row_put(struct sheet_row *r, size_t c, const char *text, size_t n)
{
  if (r->bad || n == 0)
    return;
  if (c >= CSV_MAX_FIELDS) {
    r->bad = 1;
    snprintf(r->error, sizeof r->error, _("more than %d columns"),
             CSV_MAX_FIELDS);
    return;
  }
  if (r->arena.len + n + 1 > BOOK_MAX_CELL) {
    r->bad = 1;
    snprintf(r->error, sizeof r->error, _("row longer than %u bytes"),
             BOOK_MAX_CELL);
    return;
  }
  if (c >= r->cap) {
    size_t cap = r->cap ? r->cap : 16;
    while (cap <= c)
      cap *= 2;
    r->off = xrealloc(r->off, cap * sizeof *r->off);
    r->len = xrealloc(r->len, cap * sizeof *r->len);
    r->field = xrealloc(r->field, cap * sizeof *r->field);
    for (size_t i = r->cap; i < cap; i++)
      r->len[i] = 0;
    r->cap = cap;
  }
  for (size_t i = r->ncols; i < c; i++)
    r->len[i] = 0;
  r->off[c] = r->arena.len;
  r->len[c] = n;
  buf_append(&r->arena, text, n);
  buf_putc(&r->arena, '\0');
  if (c + 1 > r->ncols)
    r->ncols = c + 1;
}

void
ingest__row_record(struct sheet_row *r, struct csv_record *rec,
                   unsigned long line)
{
  static char empty[1] = "";

  for (size_t i = 0; i < r->ncols; i++)
    r->field[i] = r->len[i] ? r->arena.data + r->off[i] : empty;
  rec->nfields = r->ncols;
  rec->field = r->field;
  rec->len = r->len;
  rec->line = line;
}

void
ingest__row_cleanup(struct sheet_row *r)
{
  buf_cleanup(&r->arena);
  free(r->off);
  free(r->len);
  free(r->field);
  memset(r, 0, sizeof *r);
}

void
ingest__number_text(const char *v, struct buf *out)
{
  char tmp[40];
  double d;

  buf_reset(out);
  if (util_parse_number(v, strlen(v), &d) == OK) {
    util_format_number(d, tmp, sizeof tmp);
    buf_puts(out, tmp);
  } else {
    buf_puts(out, v); /* not a number after all: as it is */
  }
}
