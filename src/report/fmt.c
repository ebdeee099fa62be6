/*
 * Values for people, shared by the document and its renderers: numbers in
 * the C locale whatever the language of the wording, rounded by util's one
 * rule for figures people read (util_format_shown), and Markdown escaping.
 */
#include "report/doc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void
report__fmt_num(double v, enum util_shown shown, char *buf, size_t size)
{
  util_format_shown(v, shown, buf, size);
}

void
report__fmt_pct(double share, char *buf, size_t size)
{
  util_format_share(share, buf, size);
}

void
report__fmt_change(double change, char *buf, size_t size)
{
  util_format_change(change, buf, size);
}

void
report__fmt_day(int64_t day, char *buf, size_t size)
{
  util_format_day(day, buf, size);
}

void
report__fmt_range(struct buf *out, double low, double high,
                  enum util_shown shown)
{
  char a[64], b[64];

  report__fmt_num(low, shown, a, sizeof a);
  report__fmt_num(high, shown, b, sizeof b);
  if (strcmp(a, b) == 0)
    buf_puts(out, a);
  else
    buf_printf(out, "%s-%s", a, b);
}

void
report__md_escape(struct buf *b, const char *s)
{
  for (; s && *s; s++) {
    if (*s == '\r' || *s == '\n' || *s == '\t') {
      buf_putc(b, ' ');
      continue;
    }
    /* Only what would change a line's meaning: table cells, emphasis,
     * code, links and raw HTML. */
    if (strchr("\\|*_`[]<>", *s))
      buf_putc(b, '\\');
    buf_putc(b, *s);
  }
}
