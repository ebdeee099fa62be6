/*
 * Records back out, in the formats they came in: CSV (a column per field,
 * a row per cargo line), CSV with an HXL hashtag row, or JSON Lines of the
 * canonical bytes. What is written imports back unchanged.
 */
#include "ingest/ingest_int.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

/* Bytes gathered before they are handed to the caller's write. */
#define EXPORT_CHUNK 65536

struct exporter {
  const struct kind_desc *k;
  enum ingest_format format;
  ingest_write_fn write;
  void *wctx;
  struct record rec;
  struct record_ctx rctx;
  struct buf out, err;
  int wrc; /* what write returned, when not OK */
  /* A page (ingest_export_page): records kept so far, at most limit (0:
   * all), those keep accepts; next is where the next page starts. */
  uint64_t count, limit, next;
  ingest_keep_fn keep;
  void *kctx;
};

/* What stops the walk when a page is full. */
#define PAGE_FULL 1

/* Hands what is gathered to write, when it is enough or at the end. */
static int
flush_out(struct exporter *x, int all)
{
  int rc;

  if (x->out.len == 0 || (!all && x->out.len < EXPORT_CHUNK))
    return OK;
  rc = x->write(x->wctx, x->out.data, x->out.len);
  buf_reset(&x->out);
  if (rc != OK)
    x->wrc = rc;
  return rc;
}

/* The header row of field names, and the HXL hashtags under it. */
static void
header(struct exporter *x)
{
  int first = 1;

  for (size_t i = 0; i < x->k->nfields; i++) {
    if (x->k->fields[i].flags & FF_INPUT)
      continue;
    buf_printf(&x->out, "%s%s", first ? "" : ",", x->k->fields[i].name);
    first = 0;
  }
  buf_putc(&x->out, '\n');
  if (x->format != INGEST_HXL)
    return;
  first = 1;
  for (size_t i = 0; i < x->k->nfields; i++) {
    if (x->k->fields[i].flags & FF_INPUT)
      continue;
    if (!first)
      buf_putc(&x->out, ',');
    first = 0;
    record_hxl_tag(&x->k->fields[i], &x->out);
  }
  buf_putc(&x->out, '\n');
}

/* The CSV row of cargo line l of x->rec (of its fields when it has none). */
static void
csv_row(struct exporter *x, size_t l)
{
  int first = 1;

  for (size_t i = 0; i < x->k->nfields; i++) {
    const struct field_desc *f = &x->k->fields[i];
    const struct record_value *v = &x->rec.v[i];
    if (f->flags & FF_INPUT)
      continue;
    if (!first)
      buf_putc(&x->out, ',');
    first = 0;
    if ((f->flags & FF_CARGO) && l < x->rec.ncargo) {
      const struct cargo_line *c = &x->rec.cargo[l];
      v = strcmp(f->name, "category") == 0   ? &c->category
          : strcmp(f->name, "quantity") == 0 ? &c->quantity
                                             : &c->unit;
    } else if (f->flags & FF_CARGO) {
      continue;
    }
    util_csv_text(&x->out, record_text(&x->rec, v));
  }
  buf_putc(&x->out, '\n');
}

static int
export_one(void *ctx, const struct store_entry *e)
{
  struct exporter *x = ctx;
  size_t lines;

  if (x->limit && x->count >= x->limit) {
    x->next = e->seq;
    return PAGE_FULL;
  }
  if (x->format == INGEST_JSONL && x->keep == NULL) {
    x->count++;
    buf_append(&x->out, e->bytes, e->len);
    buf_putc(&x->out, '\n');
    return flush_out(x, 0);
  }
  buf_reset(&x->err);
  record_reset(&x->rec);
  if (record_from_json(&x->rec, x->k ? (int)x->k->kind : -1, &x->rctx, e->bytes,
                       e->len, &x->err) != OK) {
    char *m = xasprintf(_("entry %llu cannot be read: %s"),
                        (unsigned long long)e->seq, x->err.data);
    buf_reset(&x->err);
    buf_puts(&x->err, m);
    free(m);
    return ERR_INVALID;
  }
  if (x->keep && !x->keep(x->kctx, &x->rec))
    return OK;
  x->count++;
  if (x->format == INGEST_JSONL) {
    buf_append(&x->out, e->bytes, e->len);
    buf_putc(&x->out, '\n');
    return flush_out(x, 0);
  }
  lines = x->rec.ncargo ? x->rec.ncargo : 1;
  for (size_t l = 0; l < lines; l++)
    csv_row(x, l);
  return flush_out(x, 0);
}

int
ingest_export(struct store *st, enum record_kind kind,
              enum ingest_format format, ingest_write_fn write, void *wctx,
              struct buf *err)
{
  struct exporter x;
  int rc;

  memset(&x, 0, sizeof x);
  x.k = record_kind_desc(kind);
  x.format = format;
  x.write = write;
  x.wctx = wctx;
  x.rctx.categories = store_categories(st);
  x.rctx.stored = 1; /* entries keep the rules they were stored under */
  record_init(&x.rec, kind);
  buf_init(&x.out);
  buf_init(&x.err);
  buf_reserve(&x.out, EXPORT_CHUNK + 4096);
  if (format != INGEST_JSONL)
    header(&x);
  /* One snapshot, of one tree size, whatever is appended meanwhile. */
  rc = store_read_begin(st);
  if (rc == OK) {
    rc = store_each_entry(st, (int)kind, 0, store_size(st), export_one, &x);
    store_read_end(st);
  }
  /* What was gathered goes out even when an entry stopped the walk: the
   * rows before it are whole. */
  if (x.wrc == OK && flush_out(&x, 1) != OK && rc == OK)
    rc = x.wrc;
  if (x.wrc != OK)
    rc = x.wrc;
  else if (rc == ERR_INVALID)
    buf_puts(err, x.err.data);
  else if (rc != OK)
    buf_puts(err, store_errmsg(st));
  record_cleanup(&x.rec);
  buf_cleanup(&x.out);
  buf_cleanup(&x.err);
  return rc;
}

int
ingest_export_page(struct store *st, int kind, enum ingest_format format,
                   uint64_t start, uint64_t limit, ingest_keep_fn keep,
                   void *kctx, ingest_write_fn write, void *wctx,
                   uint64_t *next, struct buf *err)
{
  struct exporter x;
  int rc;

  *next = 0;
  if (kind < 0 && format != INGEST_JSONL)
    return ERR_USAGE;
  memset(&x, 0, sizeof x);
  x.k = kind >= 0 ? record_kind_desc((enum record_kind)kind) : NULL;
  x.format = format;
  x.write = write;
  x.wctx = wctx;
  x.limit = limit;
  x.keep = keep;
  x.kctx = kctx;
  x.rctx.categories = store_categories(st);
  record_init(&x.rec, kind >= 0 ? (enum record_kind)kind : KIND_flow);
  buf_init(&x.out);
  buf_init(&x.err);
  if (format != INGEST_JSONL)
    header(&x);
  rc = store_each_entry(st, kind, start, UINT64_MAX, export_one, &x);
  if (rc == PAGE_FULL) {
    rc = OK;
    *next = x.next;
  }
  if (x.wrc == OK && flush_out(&x, 1) != OK && rc == OK)
    rc = x.wrc;
  if (x.wrc != OK)
    rc = x.wrc;
  else if (rc == ERR_INVALID)
    buf_puts(err, x.err.data);
  else if (rc != OK)
    buf_puts(err, store_errmsg(st));
  record_cleanup(&x.rec);
  buf_cleanup(&x.out);
  buf_cleanup(&x.err);
  return rc;
}
