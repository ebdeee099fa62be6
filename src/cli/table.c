/* Aligned text tables and CSV cells, shared by the commands that print data. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

void
cli_table_init(struct cli_table *t, size_t ncols, size_t nleft)
{
  memset(t, 0, sizeof *t);
  t->ncols = ncols;
  t->nleft = nleft;
}

void
cli_table_add(struct cli_table *t, const char *const *cells)
{
  if (t->nrows == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 64;
    t->cells = xrealloc(t->cells, t->cap * t->ncols * sizeof(char *));
  }
  for (size_t c = 0; c < t->ncols; c++)
    t->cells[t->nrows * t->ncols + c] = xstrdup(cells[c] ? cells[c] : "");
  t->nrows++;
}

/* Columns a text takes on a terminal: one per character, not per byte, so
 * that names in Armenian or Azerbaijani line up too. */
static size_t
text_width(const char *s)
{
  size_t n = 0;

  for (; *s; s++)
    if (((unsigned char)*s & 0xc0) != 0x80)
      n++;
  return n;
}

void
cli_table_print(struct cli_table *t, FILE *f)
{
  size_t *width = xcalloc(t->ncols, sizeof *width);
  struct buf line;

  buf_init(&line);
  for (size_t r = 0; r < t->nrows; r++)
    for (size_t c = 0; c < t->ncols; c++) {
      size_t w = text_width(t->cells[r * t->ncols + c]);
      if (w > width[c])
        width[c] = w;
    }
  for (size_t r = 0; r < t->nrows; r++) {
    buf_reset(&line);
    for (size_t c = 0; c < t->ncols; c++) {
      const char *s = t->cells[r * t->ncols + c];
      size_t pad = width[c] - text_width(s);
      if (c && width[c])
        buf_puts(&line, "  ");
      if (c < t->nleft) {
        buf_puts(&line, s);
        buf_printf(&line, "%*s", (int)pad, "");
      } else {
        buf_printf(&line, "%*s%s", (int)pad, "", s);
      }
    }
    /* An empty last column leaves no spaces at the end of the line. */
    while (line.len && line.data[line.len - 1] == ' ')
      line.data[--line.len] = '\0';
    buf_putc(&line, '\n');
    fwrite(line.data, 1, line.len, f);
  }
  buf_cleanup(&line);
  free(width);
}

void
cli_table_cleanup(struct cli_table *t)
{
  for (size_t i = 0; i < t->nrows * t->ncols; i++)
    free(t->cells[i]);
  free(t->cells);
  memset(t, 0, sizeof *t);
}

int
cli_parse_as_of(const char *cmd, const char *text, uint64_t *out)
{
  char *end = NULL;

  if (text[0] >= '0' && text[0] <= '9') {
    *out = strtoull(text, &end, 10);
    if (*end == '\0')
      return OK;
  }
  cli_usage_error(cmd,
                  "--as-of: expected a tree size (a whole number), got "
                  "'%s'",
                  text);
  return ERR_USAGE;
}

void
cli_cell(const json_t *v, enum app_column_type type, char *out, size_t size)
{
  if (v == NULL || json_is_null(v)) {
    snprintf(out, size, "%s", type == APP_COL_TEXT ? "-" : "?");
    return;
  }
  switch (type) {
  case APP_COL_TEXT:
  case APP_COL_DAY:
    snprintf(out, size, "%s", json_string_value(v));
    break;
  case APP_COL_COUNT:
    snprintf(out, size, "%lld", (long long)json_integer_value(v));
    break;
  case APP_COL_SHARE:
    util_format_share(json_number_value(v), out, size);
    break;
  case APP_COL_NUMBER:
    util_format_shown(json_number_value(v), UTIL_SHOWN_QUANTITY, out, size);
    break;
  case APP_COL_TALLY:
    util_format_shown(json_number_value(v), UTIL_SHOWN_COUNT, out, size);
    break;
  }
}

void
cli_answer_head(struct cli_table *t, const struct app_table *a, size_t extra)
{
  const char **head = xcalloc(a->ncols + extra, sizeof *head);
  size_t nleft = 0;

  while (nleft < a->ncols && (a->cols[nleft].type == APP_COL_TEXT ||
                              a->cols[nleft].type == APP_COL_DAY))
    nleft++;
  cli_table_init(t, a->ncols + extra, nleft);
  for (size_t c = 0; c < a->ncols; c++) {
    char *h = xstrdup(a->cols[c].name);
    for (char *s = h; *s; s++)
      if (*s == '_')
        *s = ' ';
    head[c] = h;
  }
  for (size_t c = a->ncols; c < a->ncols + extra; c++)
    head[c] = "";
  cli_table_add(t, head);
  for (size_t c = 0; c < a->ncols; c++)
    free((char *)head[c]);
  free(head);
}

void
cli_answer_row(struct cli_table *t, const struct app_table *a, const json_t *r,
               const char *const *extra)
{
  char(*cells)[64] = xcalloc(t->ncols, sizeof *cells);
  const char **row = xcalloc(t->ncols, sizeof *row);

  for (size_t c = 0; c < a->ncols; c++) {
    const json_t *v = app_table_value(a, r, c);
    /* Text goes in whole; figures fit a small cell. */
    if (json_is_string(v)) {
      row[c] = json_string_value(v);
      continue;
    }
    cli_cell(v, a->cols[c].type, cells[c], sizeof cells[c]);
    row[c] = cells[c];
  }
  for (size_t c = a->ncols; c < t->ncols; c++)
    row[c] = extra[c - a->ncols];
  cli_table_add(t, row);
  free(cells);
  free(row);
}
