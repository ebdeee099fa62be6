/*
 * report_sitrep: gathers the figures once, then writes them as JSON
 * straight from struct sitrep, or as a document rendered in Markdown, HTML
 * or text.
 */
#include "report/report.h"

#include <string.h>

#include "report/doc.h"
#include "report/render.h"
#include "report/report_int.h"

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

int
report_sitrep(struct analysis *a, const struct report_sitrep_query *q,
              enum report_format fmt, struct buf *out, struct buf *err)
{
  struct sitrep *s = NULL;
  struct doc *d;
  int rc = report__sitrep_collect(a, q, &s, err);

  if (rc != OK)
    return rc;
  if (fmt == REPORT_JSON) {
    report__write_json(s, out);
    report__sitrep_free(s);
    return OK;
  }
  d = report__sitrep_doc(s, fmt);
  report__sitrep_free(s);
  switch (fmt) {
  case REPORT_MD:
    report__render_md(d, out);
    break;
  case REPORT_HTML:
    report__render_html(d, out);
    break;
  case REPORT_TXT:
    report__render_txt(d, out);
    break;
  case REPORT_JSON:
    break;
  }
  doc_free(d);
  return OK;
}
