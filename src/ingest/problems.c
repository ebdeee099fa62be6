/*
 * A row's problems, kept one by one with what a client needs of each (the
 * field, what was expected, what was found), so that the sink gets them
 * apart while the CLI's line for the row still reads as one sentence.
 */
#include "ingest/ingest_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/i18n.h"

void
ingest__problems_init(struct problems *p)
{
  memset(p, 0, sizeof *p);
}

void
ingest__problems_reset(struct problems *p)
{
  for (size_t i = 0; i < p->n; i++) {
    free(p->v[i].field);
    free(p->v[i].expected);
    free(p->v[i].got);
    free(p->v[i].message);
  }
  p->n = 0;
}

void
ingest__problems_cleanup(struct problems *p)
{
  ingest__problems_reset(p);
  free(p->v);
  ingest__problems_init(p);
}

static char *
dup_or_null(const char *s)
{
  return s ? xstrdup(s) : NULL;
}

void
ingest__problem_add(struct problems *p, enum ingest_error_kind kind,
                    const char *field, const char *expected, const char *got,
                    const char *message)
{
  struct problem *pr;

  p->v = util_grow(p->v, &p->cap, p->n + 1, sizeof *p->v);
  pr = &p->v[p->n++];
  pr->kind = kind;
  pr->field = dup_or_null(field);
  pr->expected = dup_or_null(expected);
  pr->got = dup_or_null(got);
  pr->message = xstrdup(message);
}

/*
 * The words of fmt, a translated "A%sB%s" or "A%sB": before its first %s
 * (A) and between it and the next directive or the end (B). The messages
 * are read back in the language they were worded in, so that a client
 * gets the field, what was expected and what was got in any language.
 */
static int
fmt_words(const char *fmt, size_t *na, const char **b, size_t *nb)
{
  const char *s = strstr(fmt, "%s"), *e;

  if (s == NULL)
    return 0;
  *na = (size_t)(s - fmt);
  *b = s + 2;
  e = strchr(*b, '%');
  *nb = e ? (size_t)(e - *b) : strlen(*b);
  return *na > 0 && *nb > 0;
}

/* Where text matches "A...B" of fmt: X's start and length in *x, *nx and
 * what follows B in *rest; 0 when it does not match. */
static int
fmt_match(const char *fmt, const char *text, const char **x, size_t *nx,
          const char **rest)
{
  const char *b, *sep;
  char *bs;
  size_t na, nb;

  if (!fmt_words(fmt, &na, &b, &nb) || strncmp(text, fmt, na) != 0)
    return 0;
  bs = xstrndup(b, nb);
  sep = strstr(text + na, bs);
  free(bs);
  if (sep == NULL)
    return 0;
  *x = text + na;
  *nx = (size_t)(sep - *x);
  *rest = sep + nb;
  return 1;
}

/*
 * Splits "expected X, got Y" into X and Y (Y without its quotes). The first
 * ", got " ends X: what is expected is our own wording, while what was got
 * is the user's and may hold anything.
 */
static void
expected_got(const char *text, char **expected, char **got)
{
  const char *x;
  size_t n;

  *expected = *got = NULL;
  if (!fmt_match("expected %s, got ", text, &x, &n, &text) &&
      !fmt_match(_("expected %s, got "), text, &x, &n, &text))
    return;
  *expected = xstrndup(x, n);
  n = strlen(text);
  if (n >= 2 && text[0] == '\'' && text[n - 1] == '\'')
    *got = xstrndup(text + 1, n - 2);
  else
    *got = xstrdup(text);
}

void
ingest__problem_text(struct problems *p, enum ingest_error_kind kind,
                     const char *field, const char *text)
{
  char *expected, *got, *message;

  expected_got(text, &expected, &got);
  message = field ? xasprintf(_("field '%s': %s"), field, text) : xstrdup(text);
  ingest__problem_add(p, kind, field, expected, got, message);
  free(expected);
  free(got);
  free(message);
}

void
ingest__problem_said(struct problems *p, enum ingest_error_kind kind,
                     const char *field, const char *message)
{
  const char *rest = message, *x, *after;
  char *name = NULL, *expected, *got;
  size_t n;

  if (fmt_match("field '%s': %s", message, &x, &n, &after) ||
      fmt_match(_("field '%s': %s"), message, &x, &n, &after)) {
    if (field == NULL) {
      name = xstrndup(x, n);
      field = name;
      rest = after;
    } else if (strlen(field) == n && strncmp(x, field, n) == 0) {
      rest = after;
    }
  }
  expected_got(rest, &expected, &got);
  ingest__problem_add(p, kind, field, expected, got, message);
  free(name);
  free(expected);
  free(got);
}

void
ingest__problems_finish(struct problems *p, const char *text)
{
  /* record_finish words each problem with values it has validated (times,
   * numbers) and none of them holds "; ", so splitting there is exact. */
  while (text && *text) {
    const char *sep = strstr(text, "; ");
    size_t n = sep ? (size_t)(sep - text) : strlen(text);
    char *one = xstrndup(text, n);
    ingest__problem_said(p, INGEST_ERR_RECORD, NULL, one);
    free(one);
    text = sep ? sep + 2 : NULL;
  }
}

void
ingest__problems_join(const struct problem *v, size_t n, struct buf *out)
{
  for (size_t i = 0; i < n; i++) {
    if (i)
      buf_puts(out, "; ");
    buf_puts(out, v[i].message);
  }
}

/* A string or its absence: a presence byte, then the bytes and a NUL. */
static void
put_str(struct buf *out, const char *s)
{
  buf_putc(out, s ? 1 : 0);
  if (s)
    buf_append(out, s, strlen(s) + 1);
}

static const char *
get_str(const char **p)
{
  const char *s;

  if (*(*p)++ == 0)
    return NULL;
  s = *p;
  *p += strlen(s) + 1;
  return s;
}

void
ingest__problems_pack(const struct problems *p, struct buf *out)
{
  for (size_t i = 0; i < p->n; i++) {
    buf_putc(out, (char)p->v[i].kind);
    put_str(out, p->v[i].field);
    put_str(out, p->v[i].expected);
    put_str(out, p->v[i].got);
    put_str(out, p->v[i].message);
  }
}

void
ingest__problems_unpack(const char *data, size_t n, struct ingest_error *v)
{
  for (size_t i = 0; i < n; i++) {
    memset(&v[i], 0, sizeof v[i]);
    v[i].kind = (enum ingest_error_kind)(unsigned char)*data++;
    v[i].field = get_str(&data);
    v[i].expected = get_str(&data);
    v[i].got = get_str(&data);
    v[i].message = get_str(&data);
    v[i].part = i;
    v[i].nparts = n;
  }
}
