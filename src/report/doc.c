/*
 * The document model: building it front to back, and writing its values.
 * Nothing here knows what a sitrep is nor how any markup looks.
 */
#include "report/doc.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the next spans go (doc->where). */
enum {
  AT_NOWHERE,
  AT_HEADING, /* the last section's heading */
  AT_BLOCK,   /* the last block's text */
  AT_ITEM,    /* its last list item */
  AT_COLUMN,  /* its last column's head */
  AT_EMPTY,   /* its empty text */
  AT_CELL,    /* its last row's last cell */
  AT_DETAIL,  /* that cell's detail */
  AT_LABEL,   /* its last key figure's label */
  AT_VALUE,
  AT_NOTE,
  AT_LINE, /* the last line of the short form */
};

struct doc *
doc_new(const char *title, const char *lang)
{
  struct doc *d = xcalloc(1, sizeof *d);

  d->title = xstrdup(title ? title : "");
  d->lang = xstrdup(lang ? lang : "");
  return d;
}

static void
spans_cleanup(struct doc_spans *s)
{
  for (size_t i = 0; i < s->n; i++) {
    free(s->v[i].text);
    free(s->v[i].extra);
  }
  free(s->v);
  memset(s, 0, sizeof *s);
}

static void
chart_free(struct doc_chart *c)
{
  if (c == NULL)
    return;
  free(c->title);
  free(c->id);
  free(c->unknown);
  for (int k = 0; k < 2; k++) {
    free(c->key[k]);
    free(c->series[k]);
    free(c->bar[k]);
  }
  free(c->bar_known);
  free(c->ref_label);
  for (size_t i = 0; i < c->nrows; i++) {
    free(c->rows[i].label);
    free(c->rows[i].v);
    free(c->rows[i].known);
    free(c->rows[i].level);
  }
  free(c->rows);
  for (int k = 0; k < 3; k++)
    free(c->threshold_level[k]);
  free(c->range_label);
  free(c->range_unit);
  free(c);
}

static void
block_cleanup(struct doc_block *b)
{
  spans_cleanup(&b->spans);
  for (size_t i = 0; i < b->nitems; i++)
    spans_cleanup(&b->items[i]);
  free(b->items);
  for (size_t i = 0; i < b->ncols; i++)
    spans_cleanup(&b->cols[i].head);
  free(b->cols);
  for (size_t i = 0; i < b->nrows; i++) {
    for (size_t k = 0; k < b->rows[i].n; k++) {
      spans_cleanup(&b->rows[i].cells[k].spans);
      spans_cleanup(&b->rows[i].cells[k].detail);
    }
    free(b->rows[i].cells);
  }
  free(b->rows);
  spans_cleanup(&b->empty);
  for (size_t i = 0; i < b->nfigs; i++) {
    spans_cleanup(&b->figs[i].label);
    spans_cleanup(&b->figs[i].value);
    spans_cleanup(&b->figs[i].note);
  }
  free(b->figs);
  chart_free(b->chart);
}

void
doc_free(struct doc *d)
{
  if (d == NULL)
    return;
  for (size_t i = 0; i < d->nsections; i++) {
    struct doc_section *s = &d->sections[i];
    free(s->id);
    spans_cleanup(&s->heading);
    for (size_t k = 0; k < s->nblocks; k++)
      block_cleanup(&s->blocks[k]);
    free(s->blocks);
  }
  free(d->sections);
  for (size_t i = 0; i < d->nlines; i++)
    block_cleanup(&d->lines[i]);
  free(d->lines);
  free(d->title);
  free(d->lang);
  free(d);
}

/* Containers. */

static void
target(struct doc *d, int where)
{
  d->where = where;
  d->style = 0;
}

void
doc_section(struct doc *d, int kind, const char *id)
{
  struct doc_section *s;

  d->sections = xrealloc(d->sections, (d->nsections + 1) * sizeof *s);
  s = &d->sections[d->nsections++];
  memset(s, 0, sizeof *s);
  s->kind = kind;
  s->id = xstrdup(id ? id : "");
  target(d, AT_HEADING);
}

static struct doc_section *
last_section(struct doc *d)
{
  assert(d->nsections > 0);
  return &d->sections[d->nsections - 1];
}

static struct doc_block *
last_block(struct doc *d)
{
  struct doc_section *s = last_section(d);

  assert(s->nblocks > 0);
  return &s->blocks[s->nblocks - 1];
}

void
doc_block(struct doc *d, int kind, int style)
{
  struct doc_section *s = last_section(d);
  struct doc_block *b;

  s->blocks = xrealloc(s->blocks, (s->nblocks + 1) * sizeof *b);
  b = &s->blocks[s->nblocks++];
  memset(b, 0, sizeof *b);
  b->kind = kind;
  b->style = style;
  target(d, AT_BLOCK);
}

void
doc_flags(struct doc *d, int flags)
{
  last_block(d)->flags |= flags;
}

void
doc_item(struct doc *d)
{
  struct doc_block *b = last_block(d);

  b->items = xrealloc(b->items, (b->nitems + 1) * sizeof *b->items);
  memset(&b->items[b->nitems++], 0, sizeof *b->items);
  target(d, AT_ITEM);
}

void
doc_column(struct doc *d, int numeric)
{
  struct doc_block *b = last_block(d);

  b->cols = xrealloc(b->cols, (b->ncols + 1) * sizeof *b->cols);
  memset(&b->cols[b->ncols], 0, sizeof *b->cols);
  b->cols[b->ncols++].numeric = numeric;
  target(d, AT_COLUMN);
}

void
doc_caption(struct doc *d)
{
  (void)last_block(d);
  target(d, AT_BLOCK);
}

void
doc_empty(struct doc *d)
{
  (void)last_block(d);
  target(d, AT_EMPTY);
}

void
doc_row(struct doc *d, int hi)
{
  struct doc_block *b = last_block(d);

  b->rows = xrealloc(b->rows, (b->nrows + 1) * sizeof *b->rows);
  memset(&b->rows[b->nrows], 0, sizeof *b->rows);
  b->rows[b->nrows++].hi = hi;
  target(d, AT_NOWHERE);
}

void
doc_cell(struct doc *d)
{
  struct doc_block *b = last_block(d);
  struct doc_row *r;

  assert(b->nrows > 0);
  r = &b->rows[b->nrows - 1];
  r->cells = xrealloc(r->cells, (r->n + 1) * sizeof *r->cells);
  memset(&r->cells[r->n++], 0, sizeof *r->cells);
  target(d, AT_CELL);
}

void
doc_detail(struct doc *d)
{
  assert(d->where == AT_CELL || d->where == AT_DETAIL);
  target(d, AT_DETAIL);
}

void
doc_keyfig(struct doc *d)
{
  struct doc_block *b = last_block(d);

  b->figs = xrealloc(b->figs, (b->nfigs + 1) * sizeof *b->figs);
  memset(&b->figs[b->nfigs++], 0, sizeof *b->figs);
  target(d, AT_LABEL);
}

void
doc_value(struct doc *d)
{
  assert(last_block(d)->nfigs > 0);
  target(d, AT_VALUE);
}

void
doc_note(struct doc *d)
{
  assert(last_block(d)->nfigs > 0);
  target(d, AT_NOTE);
}

struct doc_chart *
doc_chart(struct doc *d, int kind)
{
  struct doc_block *b;

  doc_block(d, DOC_CHART, DOC_PLAIN);
  b = last_block(d);
  b->chart = xcalloc(1, sizeof *b->chart);
  b->chart->kind = kind;
  target(d, AT_NOWHERE);
  return b->chart;
}

void
doc_line(struct doc *d, int prio)
{
  struct doc_block *b;

  d->lines = xrealloc(d->lines, (d->nlines + 1) * sizeof *b);
  b = &d->lines[d->nlines++];
  memset(b, 0, sizeof *b);
  b->kind = DOC_LINE;
  b->prio = prio;
  target(d, AT_LINE);
}

/* Spans. */

static struct doc_spans *
target_spans(struct doc *d)
{
  struct doc_block *b;

  switch (d->where) {
  case AT_HEADING:
    return &last_section(d)->heading;
  case AT_LINE:
    return &d->lines[d->nlines - 1].spans;
  case AT_NOWHERE:
    break;
  default:
    b = last_block(d);
    switch (d->where) {
    case AT_BLOCK:
      return &b->spans;
    case AT_ITEM:
      return &b->items[b->nitems - 1];
    case AT_COLUMN:
      return &b->cols[b->ncols - 1].head;
    case AT_EMPTY:
      return &b->empty;
    case AT_CELL:
    case AT_DETAIL: {
      struct doc_row *r = &b->rows[b->nrows - 1];
      struct doc_cell *c = &r->cells[r->n - 1];
      return d->where == AT_CELL ? &c->spans : &c->detail;
    }
    case AT_LABEL:
      return &b->figs[b->nfigs - 1].label;
    case AT_VALUE:
      return &b->figs[b->nfigs - 1].value;
    case AT_NOTE:
      return &b->figs[b->nfigs - 1].note;
    }
  }
  assert(!"a span with nowhere to go");
  return NULL;
}

static struct doc_span *
add(struct doc *d, int kind, const char *text, const char *extra)
{
  struct doc_spans *s = target_spans(d);
  struct doc_span *x;

  s->v = util_grow(s->v, &s->cap, s->n + 1, sizeof *s->v);
  x = &s->v[s->n++];
  memset(x, 0, sizeof *x);
  x->kind = kind;
  x->style = d->style;
  x->text = text ? xstrdup(text) : NULL;
  x->extra = extra ? xstrdup(extra) : NULL;
  return x;
}

void
doc_style(struct doc *d, int style)
{
  d->style = style;
}

void
doc_words(struct doc *d, const char *s)
{
  add(d, DOC_WORDS, s ? s : "", NULL);
}

static void
addv(struct doc *d, int kind, const char *fmt, va_list ap)
{
  struct buf b;

  buf_init(&b);
  buf_vprintf(&b, fmt, ap);
  add(d, kind, b.data ? b.data : "", NULL);
  buf_cleanup(&b);
}

void
doc_wordsf(struct doc *d, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  addv(d, DOC_WORDS, fmt, ap);
  va_end(ap);
}

void
doc_text(struct doc *d, const char *s)
{
  add(d, DOC_TEXT, s ? s : "", NULL);
}

void
doc_clipped(struct doc *d, const char *s, size_t max)
{
  add(d, DOC_TEXT, s ? s : "", NULL)->max = max;
}

void
doc_marked(struct doc *d, const char *s)
{
  add(d, DOC_MARKED, s ? s : "", NULL);
}

void
doc_markedf(struct doc *d, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  addv(d, DOC_MARKED, fmt, ap);
  va_end(ap);
}

void
doc_code(struct doc *d, const char *s)
{
  add(d, DOC_CODE, s ? s : "", NULL);
}

void
doc_num(struct doc *d, int known, double v, enum util_shown shown)
{
  struct doc_span *x;

  if (!known) {
    doc_unknown(d);
    return;
  }
  x = add(d, DOC_NUM, NULL, NULL);
  x->v = v;
  x->shown = (int)shown;
}

void
doc_pct(struct doc *d, int known, double v)
{
  if (known)
    add(d, DOC_PCT, NULL, NULL)->v = v;
  else
    doc_unknown(d);
}

void
doc_range(struct doc *d, int known, double low, double high,
          enum util_shown shown)
{
  struct doc_span *x;

  if (!known) {
    doc_unknown(d);
    return;
  }
  x = add(d, DOC_RANGE, NULL, NULL);
  x->v = low;
  x->v2 = high;
  x->shown = (int)shown;
}

void
doc_count(struct doc *d, size_t n)
{
  add(d, DOC_COUNT, NULL, NULL)->n = (int64_t)n;
}

void
doc_change(struct doc *d, double change)
{
  add(d, DOC_CHANGE, NULL, NULL)->v = change;
}

void
doc_day(struct doc *d, int64_t day)
{
  add(d, DOC_DAY, NULL, NULL)->n = day;
}

void
doc_unknown(struct doc *d)
{
  add(d, DOC_UNKNOWN, NULL, NULL);
}

void
doc_source(struct doc *d, const char *id, const char *grade)
{
  add(d, DOC_SOURCE, id ? id : "", grade ? grade : "");
}

void
doc_link(struct doc *d, const char *text, const char *url)
{
  add(d, DOC_LINK, text ? text : "", url ? url : "");
}

void
doc_flag(struct doc *d, const char *text, const char *level)
{
  add(d, DOC_FLAG, text ? text : "", level ? level : "");
}

void
doc_swatch(struct doc *d, const char *key, const char *label)
{
  add(d, DOC_SWATCH, label ? label : "", key ? key : "");
}

void
doc_put_plain(struct buf *b, const struct doc_span *s)
{
  char n[64];

  switch (s->kind) {
  case DOC_NUM:
    report__fmt_num(s->v, (enum util_shown)s->shown, n, sizeof n);
    break;
  case DOC_COUNT:
    snprintf(n, sizeof n, "%lld", (long long)s->n);
    break;
  case DOC_PCT:
    report__fmt_pct(s->v, n, sizeof n);
    break;
  case DOC_CHANGE:
    report__fmt_change(s->v, n, sizeof n);
    break;
  case DOC_DAY:
    report__fmt_day(s->n, n, sizeof n);
    break;
  case DOC_RANGE:
    report__fmt_range(b, s->v, s->v2, (enum util_shown)s->shown);
    return;
  case DOC_UNKNOWN:
    snprintf(n, sizeof n, "?");
    break;
  case DOC_SOURCE:
    buf_puts(b, s->text);
    if (s->extra[0])
      buf_printf(b, " %s", s->extra);
    return;
  case DOC_SWATCH:
    return;
  default: /* words, text, marked, code, link, flag */
    buf_puts(b, s->text);
    return;
  }
  buf_puts(b, n);
}
