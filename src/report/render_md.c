/*
 * A document's full form in Markdown (with GitHub's tables): a heading a
 * section, blocks apart by a blank line. Charts cannot be drawn here, so
 * they are left out, and a section of nothing but charts with them.
 */
#include "report/render.h"

static void
span(struct buf *b, const struct doc_span *x)
{
  if (x->kind == DOC_TEXT) {
    report__md_escape(b, x->text);
  } else if (x->kind == DOC_CODE) {
    buf_printf(b, "`%s`", x->text);
  } else if (x->kind == DOC_LINK) {
    buf_putc(b, '[');
    report__md_escape(b, x->text);
    buf_printf(b, "](<%s>)", x->extra);
  } else if (x->kind == DOC_SOURCE) {
    /* In a list, the grades stand apart from the names. */
    report__md_escape(b, x->text);
    if (x->extra[0])
      buf_printf(b, x->style & DOC_LISTED ? " (%s)" : " %s", x->extra);
  } else {
    doc_put_plain(b, x);
  }
}

/* Strong spans, and the key cells of highlighted rows (a table row cannot
 * be coloured), are set in bold. */
static void
spans(struct buf *b, const struct doc_spans *s)
{
  int bold = 0;

  for (size_t i = 0; i < s->n; i++) {
    int want = (s->v[i].style & (DOC_STRONG | DOC_MARK)) != 0;
    if (want != bold)
      buf_puts(b, "**");
    bold = want;
    span(b, &s->v[i]);
  }
  if (bold)
    buf_puts(b, "**");
}

/* prefix, the spans, a line break. */
static void
line(struct buf *b, const char *prefix, const struct doc_spans *s)
{
  buf_puts(b, prefix);
  spans(b, s);
  buf_putc(b, '\n');
}

static void
table(struct buf *b, const struct doc_block *t)
{
  int details = 0;

  if (t->nrows == 0 && t->empty.n) {
    line(b, "", &t->empty);
    return;
  }
  if (t->spans.n) {
    spans(b, &t->spans);
    buf_puts(b, "\n\n");
  }
  buf_putc(b, '|');
  for (size_t i = 0; i < t->ncols; i++) {
    buf_putc(b, ' ');
    spans(b, &t->cols[i].head);
    buf_puts(b, " |");
  }
  buf_puts(b, "\n|");
  for (size_t i = 0; i < t->ncols; i++)
    buf_puts(b, t->cols[i].numeric ? "--:|" : "---|");
  buf_putc(b, '\n');
  for (size_t r = 0; r < t->nrows; r++) {
    buf_putc(b, '|');
    for (size_t i = 0; i < t->rows[r].n; i++) {
      buf_putc(b, ' ');
      spans(b, &t->rows[r].cells[i].spans);
      buf_puts(b, " |");
      details |= t->rows[r].cells[i].detail.n > 0;
    }
    buf_putc(b, '\n');
  }
  /* A cell holds one line: what describes its term follows the table. */
  if (details)
    buf_putc(b, '\n');
  for (size_t r = 0; r < t->nrows && details; r++) {
    for (size_t i = 0; i < t->rows[r].n; i++) {
      const struct doc_cell *c = &t->rows[r].cells[i];
      if (c->detail.n == 0)
        continue;
      buf_puts(b, "- ");
      spans(b, &c->spans);
      buf_puts(b, ": ");
      spans(b, &c->detail);
      buf_putc(b, '\n');
    }
  }
}

static void
keyfigs(struct buf *b, const struct doc_block *k)
{
  for (size_t i = 0; i < k->nfigs; i++) {
    buf_puts(b, "- ");
    spans(b, &k->figs[i].label);
    buf_puts(b, ": ");
    spans(b, &k->figs[i].value);
    if (k->figs[i].note.n) {
      buf_puts(b, " (");
      spans(b, &k->figs[i].note);
      buf_putc(b, ')');
    }
    buf_putc(b, '\n');
  }
}

static int
shows(const struct doc_block *k)
{
  return k->kind != DOC_CHART && k->kind != DOC_LEGEND && k->kind != DOC_LINE;
}

static void
block(struct buf *b, const struct doc_block *k)
{
  if (k->kind == DOC_LIST) {
    for (size_t i = 0; i < k->nitems; i++)
      line(b, "- ", &k->items[i]);
  } else if (k->kind == DOC_TABLE) {
    table(b, k);
  } else if (k->kind == DOC_KEYFIGS) {
    keyfigs(b, k);
  } else { /* a heading or a paragraph */
    line(b, k->kind == DOC_HEADING ? "### " : "", &k->spans);
  }
}

void
report__render_md(const struct doc *d, struct buf *out)
{
  int started = 0;

  for (size_t i = 0; i < d->nsections; i++) {
    const struct doc_section *s = &d->sections[i];
    size_t shown = 0;
    for (size_t k = 0; k < s->nblocks; k++)
      shown += shows(&s->blocks[k]);
    if (shown == 0)
      continue;
    if (started)
      buf_putc(out, '\n');
    started = 1;
    line(out, s->kind == DOC_HEADER ? "# " : "## ", &s->heading);
    for (size_t k = 0; k < s->nblocks; k++) {
      if (!shows(&s->blocks[k]))
        continue;
      buf_putc(out, '\n');
      block(out, &s->blocks[k]);
    }
  }
}
