/*
 * HXL hashtags for the columns of an answer (format=hxl), so that the
 * humanitarian data tools read our CSV without a mapping: the dimensions
 * by the HXL core schema's hashtags, every figure an #indicator with +num.
 */
#include "app/app.h"

#include <ctype.h>
#include <string.h>

#include "app/app_int.h"

static const struct {
  const char *column, *tag;
} known[] = {
    {"day", "#date"},
    {"week", "#date+week"},
    {"month", "#date+month"},
    {"year", "#date+year"},
    {"date", "#date"},
    {"checkpoint", "#loc+checkpoint"},
    {"direction", "#indicator+direction"},
    {"vehicle", "#indicator+vehicle"},
    {"category", "#item+category"},
    {"operator", "#org+operator"},
    {"purpose", "#indicator+purpose"},
    {"source", "#meta+source"},
    {"grade", "#meta+grade"},
    {"stage", "#indicator+stage"},
    {"outcome", "#indicator+outcome"},
    {"obligation", "#indicator+obligation"},
};

void
app__hxl_tag(const struct app_column *c, struct buf *b)
{
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strcmp(c->name, known[i].column) == 0) {
      buf_puts(b, known[i].tag);
      return;
    }
  if (c->type == APP_COL_DAY) {
    buf_puts(b, "#date+");
  } else {
    buf_puts(b, c->type == APP_COL_TEXT ? "#meta+" : "#indicator+");
  }
  /* An attribute is lower-case letters, digits and '_'. */
  for (const char *p = c->name; *p; p++)
    buf_putc(b, isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p)
                                           : '_');
  if (c->type == APP_COL_NUMBER || c->type == APP_COL_SHARE ||
      c->type == APP_COL_COUNT || c->type == APP_COL_TALLY)
    buf_puts(b, "+num");
}
