/* CSV cells as RFC 4180 writes them, for every CSV that Passage writes. */
#include "util.h"

#include <string.h>

void
util_csv_cell(struct buf *b, const char *s, size_t n)
{
  int quote = 0;

  for (size_t i = 0; i < n && !quote; i++)
    quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
  if (!quote) {
    buf_append(b, s, n);
    return;
  }
  buf_putc(b, '"');
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"')
      buf_putc(b, '"');
    buf_putc(b, s[i]);
  }
  buf_putc(b, '"');
}

void
util_csv_text(struct buf *b, const char *s)
{
  if (s != NULL)
    util_csv_cell(b, s, strlen(s));
}
