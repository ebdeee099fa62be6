/*
 * A document's short form as one plain-text message for a low-bandwidth
 * channel (SMS, satellite messenger): at most REPORT_TXT_MAX characters.
 * When the lines are too long together, the lines of the lowest priority
 * go first, the last of them first; lines of priority DOC_KEEP always stay.
 */
#include "report/render.h"

#include <stdlib.h>
#include <string.h>

#include "report/report.h"

struct line {
  char *text; /* NULL once dropped */
  int prio;
  size_t chars; /* with its line break */
};

/* Appends at most max characters of s, with "..." when cut; line breaks
 * become spaces unless lines is set. */
static void
clip_text(struct buf *b, const char *s, size_t max, int lines)
{
  size_t chars = 0, i = 0;

  for (; s && s[i]; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c & 0xC0) != 0x80 && chars++ == max) {
      buf_puts(b, "...");
      return;
    }
    if (!lines && (c == '\n' || c == '\r' || c == '\t'))
      c = ' ';
    buf_putc(b, (char)c);
  }
}

/* The lines, each rendered; empty ones left out. */
static struct line *
render_lines(const struct doc *d, size_t *n)
{
  struct line *v = xcalloc(d->nlines ? d->nlines : 1, sizeof *v);
  struct buf b;

  *n = 0;
  buf_init(&b);
  for (size_t i = 0; i < d->nlines; i++) {
    buf_reset(&b);
    for (size_t k = 0; k < d->lines[i].spans.n; k++) {
      const struct doc_span *x = &d->lines[i].spans.v[k];
      if (x->kind == DOC_TEXT && x->max)
        clip_text(&b, x->text, x->max, 0);
      else
        doc_put_plain(&b, x);
    }
    if (b.len == 0)
      continue;
    v[*n].chars = report_utf8_length(b.data, b.len) + 1;
    v[*n].text = buf_take(&b);
    v[*n].prio = d->lines[i].prio;
    (*n)++;
  }
  buf_cleanup(&b);
  return v;
}

/* Drops the least important lines, the last of them first, until the
 * message fits or only lines to keep are left. */
static void
fit(struct line *v, size_t n)
{
  size_t chars = 0;
  int prio = 0;

  for (size_t i = 0; i < n; i++)
    chars += v[i].chars;
  while (chars > REPORT_TXT_MAX) {
    int next = DOC_KEEP;
    for (size_t i = 0; i < n; i++)
      if (v[i].text && v[i].prio > prio && v[i].prio < next)
        next = v[i].prio;
    if (next == DOC_KEEP)
      return;
    prio = next;
    for (size_t i = n; i-- > 0 && chars > REPORT_TXT_MAX;) {
      if (v[i].text && v[i].prio == prio) {
        chars -= v[i].chars;
        free(v[i].text);
        v[i].text = NULL;
      }
    }
  }
}

void
report__render_txt(const struct doc *d, struct buf *out)
{
  size_t n;
  struct line *v = render_lines(d, &n);
  struct buf all;

  buf_init(&all);
  fit(v, n);
  for (size_t i = 0; i < n; i++) {
    if (v[i].text) {
      buf_puts(&all, v[i].text);
      buf_putc(&all, '\n');
    }
    free(v[i].text);
  }
  free(v);
  /* Only a corridor of very many checkpoints gets here: cut at a
   * character boundary. */
  if (report_utf8_length(all.data ? all.data : "", all.len) > REPORT_TXT_MAX) {
    struct buf cut;
    buf_init(&cut);
    clip_text(&cut, all.data, REPORT_TXT_MAX - 4, 1);
    buf_putc(&cut, '\n');
    buf_reset(&all);
    buf_puts(&all, cut.data);
    buf_cleanup(&cut);
  }
  if (all.len)
    buf_append(out, all.data, all.len);
  buf_cleanup(&all);
}
