/*
 * i18n: user-facing text goes through GNU gettext (in glibc), in the text
 * domain "passage". Wrap a translatable string literal in _() where it is
 * used, or in N_() where it only needs marking (a static table) and is
 * translated later with _(). Numbers, dates and identifiers are never
 * translated, and stay in the C locale so that what is written reads back
 * anywhere. po/ holds the catalogues; docs/report.md says how to add one.
 */
#ifndef PASSAGE_I18N_H
#define PASSAGE_I18N_H

#include <libintl.h>

#define PASSAGE_TEXTDOMAIN "passage"

#define _(s) gettext(s)
#define N_(s) (s)

/* A text that needs a context to be translated apart from the same
 * English word elsewhere ("out" of a direction, "out" of stock):
 * C_("stock", "out"). xgettext: --keyword=C_:1c,2. */
#define C_(ctx, s) passage_pgettext(ctx "\004" s, s)
static inline const char *
passage_pgettext(const char *key, const char *s)
{
  const char *t = gettext(key);

  return t == key ? s : t;
}

#endif
