/* Formatting shared by the sitrep writers: numbers, escaping, JSON. */
#include "report/report_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/i18n.h"

const char *const report_format_names[4] = {"md", "html", "json", "txt"};

int
report_format_by_name(const char *name)
{
  for (int i = 0; i < 4; i++)
    if (strcmp(name, report_format_names[i]) == 0)
      return i;
  return -1;
}

size_t
report_utf8_length(const char *s, size_t len)
{
  size_t n = 0;

  for (size_t i = 0; i < len; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      n++;
  return n;
}

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
report__fmt_json_num(double v, char *buf, size_t size)
{
  util_format_figure(v, buf, size);
}

void
report__fmt_day(int64_t day, char *buf, size_t size)
{
  util_format_day(day, buf, size);
}

void
report__html_escape(struct buf *b, const char *s)
{
  for (; s && *s; s++) {
    switch (*s) {
    case '&':
      buf_puts(b, "&amp;");
      break;
    case '<':
      buf_puts(b, "&lt;");
      break;
    case '>':
      buf_puts(b, "&gt;");
      break;
    case '"':
      buf_puts(b, "&quot;");
      break;
    case '\'':
      buf_puts(b, "&#39;");
      break;
    default:
      buf_putc(b, *s);
    }
  }
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

/* The JSON writer. */

static void
jw_item(struct jw *w, const char *key)
{
  if (!w->first)
    buf_puts(w->b, w->flat ? ", " : ",");
  w->first = 0;
  if (w->depth > 0 && !w->flat)
    buf_putc(w->b, '\n');
  for (int i = 0; i < w->depth && !w->flat; i++)
    buf_puts(w->b, "  ");
  if (key) {
    json_t *j = json_string(key);
    util_jcs_encode(j, w->b);
    json_decref(j);
    buf_puts(w->b, ": ");
  }
}

void
report__jw_open(struct jw *w, const char *key, char bracket)
{
  jw_item(w, key);
  buf_putc(w->b, bracket);
  w->depth++;
  w->first = 1;
}

void
report__jw_open_flat(struct jw *w, const char *key, char bracket)
{
  report__jw_open(w, key, bracket);
  w->flat++;
}

void
report__jw_close(struct jw *w, char bracket)
{
  w->depth--;
  if (w->flat > 0) {
    w->flat--;
  } else if (!w->first) {
    buf_putc(w->b, '\n');
    for (int i = 0; i < w->depth; i++)
      buf_puts(w->b, "  ");
  }
  buf_putc(w->b, bracket);
  w->first = 0;
  if (w->depth == 0)
    buf_putc(w->b, '\n');
}

void
report__jw_str(struct jw *w, const char *key, const char *s)
{
  json_t *j;

  if (s == NULL) {
    report__jw_null(w, key);
    return;
  }
  jw_item(w, key);
  j = json_string(s);
  if (j == NULL) /* not UTF-8: stored text always is */
    j = json_string("");
  util_jcs_encode(j, w->b);
  json_decref(j);
}

void
report__jw_num(struct jw *w, const char *key, double v)
{
  char num[40];

  jw_item(w, key);
  report__fmt_json_num(v, num, sizeof num);
  buf_puts(w->b, num);
}

void
report__jw_numk(struct jw *w, const char *key, int known, double v)
{
  if (known && isfinite(v))
    report__jw_num(w, key, v);
  else
    report__jw_null(w, key);
}

void
report__jw_int(struct jw *w, const char *key, long long v)
{
  jw_item(w, key);
  buf_printf(w->b, "%lld", v);
}

void
report__jw_bool(struct jw *w, const char *key, int v)
{
  jw_item(w, key);
  buf_puts(w->b, v ? "true" : "false");
}

void
report__jw_null(struct jw *w, const char *key)
{
  jw_item(w, key);
  buf_puts(w->b, "null");
}
