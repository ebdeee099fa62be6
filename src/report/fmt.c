/*
 * Values for people, shared by the document and its renderers: numbers in
 * the C locale whatever the language of the wording, and Markdown escaping.
 */
#include "report/doc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void
report__fmt_num(double v, char *buf, size_t size)
{
  util_format_human(v, buf, size);
}

void
report__fmt_pct(double share, char *buf, size_t size)
{
  double p = share * 100;
  char num[64];

  if (p > 0 && p < 0.05) {
    snprintf(buf, size, "<0.1%%");
    return;
  }
  p = round(p * 10) / 10;
  if (p == 0)
    p = 0; /* no "-0" */
  if (p == floor(p))
    snprintf(num, sizeof num, "%.0f", p);
  else
    snprintf(num, sizeof num, "%.1f", p);
  snprintf(buf, size, "%s%%", num);
}

void
report__fmt_change(double change, char *buf, size_t size)
{
  char pct[64];

  report__fmt_pct(fabs(change), pct, sizeof pct);
  if (strcmp(pct, "0%") == 0)
    snprintf(buf, size, "0%%");
  else
    snprintf(buf, size, "%s%s", change < 0 ? "-" : "+", pct);
}

void
report__fmt_day(int64_t day, char *buf, size_t size)
{
  util_format_day(day, buf, size);
}

void
report__fmt_range(struct buf *out, double low, double high)
{
  char a[64], b[64];

  report__fmt_num(low, a, sizeof a);
  report__fmt_num(high, b, sizeof b);
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
