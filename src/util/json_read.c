/*
 * JSON read from users, with the checks jansson leaves out: a cap on
 * nesting (jansson's own is 2048, and every level costs the reader and
 * everything that walks the tree after it), and numbers that fit a double
 * (jansson reads 1e-400 as 0 without a word, and takes numbers of any
 * length). One pass over the bytes finds both before jansson parses them;
 * what the pass cannot judge (the syntax) is left to jansson.
 */
#include "util.h"
#include "util/i18n.h"

#include <stdio.h>
#include <string.h>

/* Longest number token accepted, as for any number (util_parse_number). */
#define TOKEN_MAX 64

/* Where a scan stands: the byte, its line and column (both from 1). */
struct pos {
  size_t i;
  int line, column;
};

static void
advance(struct pos *p, const char *s)
{
  if (s[p->i] == '\n') {
    p->line++;
    p->column = 1;
  } else {
    p->column++;
  }
  p->i++;
}

static int
in_set(char c, const char *set)
{
  return c != '\0' && strchr(set, c) != NULL;
}

static int refuse(json_error_t *jerr, const struct pos *at, int rc,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
refuse(json_error_t *jerr, const struct pos *at, int rc, const char *fmt, ...)
{
  va_list ap;

  memset(jerr, 0, sizeof *jerr);
  va_start(ap, fmt);
  vsnprintf(jerr->text, sizeof jerr->text, fmt, ap);
  va_end(ap);
  jerr->line = at->line;
  jerr->column = at->column;
  jerr->position = (int)at->i;
  return rc;
}

/* What the scan knows of each open level: an object's member being read. */
struct level {
  int object;
  const char *key; /* its name as written (escapes and all), or NULL */
  size_t key_len;
};

/* The member a value at depth belongs to: the innermost object's. */
static const struct level *
member_of(const struct level *lv, int depth)
{
  for (int d = depth; d > 0; d--)
    if (lv[d].object && lv[d].key)
      return &lv[d];
  return NULL;
}

/* Checks the number token of n bytes at s, inside depth levels. */
static int
check_number(const char *s, size_t n, const struct level *lv, int depth,
             const struct pos *at, json_error_t *jerr)
{
  const struct level *m = member_of(lv, depth);
  char field[80] = "";
  double d;

  if (m)
    snprintf(field, sizeof field, _("field '%.*s': "),
             (int)(m->key_len > 60 ? 60 : m->key_len), m->key);
  if (n > TOKEN_MAX)
    return refuse(jerr, at, ERR_RANGE,
                  _("%sexpected a number of at most %d characters, got one of "
                    "%zu"),
                  field, TOKEN_MAX, n);
  if (util_parse_number(s, n, &d) == ERR_RANGE)
    return refuse(jerr, at, ERR_RANGE,
                  _("%sexpected a number between 1e-308 and 1e308 in size, or "
                    "0, got '%.*s'"),
                  field, (int)n, s);
  return OK;
}

/* Skips the string whose opening quote is at p; returns its text's
 * start and sets *len (escapes as written). */
static const char *
skip_string(struct pos *p, const char *s, size_t n, size_t *len)
{
  size_t start;

  advance(p, s);
  start = p->i;
  while (p->i < n && s[p->i] != '"') {
    if (s[p->i] == '\\' && p->i + 1 < n)
      advance(p, s);
    advance(p, s);
  }
  *len = p->i - start;
  if (p->i < n)
    advance(p, s);
  return s + start;
}

/* A string followed by ':' names a member of the object it is in. */
static void
maybe_key(struct level *lv, int depth, const char *str, size_t len,
          const char *s, size_t i, size_t n)
{
  while (i < n && in_set(s[i], " \t\r\n"))
    i++;
  if (i < n && s[i] == ':' && lv[depth].object) {
    lv[depth].key = str;
    lv[depth].key_len = len;
  }
}

/* The pass: depth and numbers outside strings. */
static int
prescan(const char *s, size_t n, json_error_t *jerr)
{
  struct level lv[UTIL_JSON_MAX_DEPTH + 1];
  struct pos p = {0, 1, 1};
  int depth = 0, rc;

  memset(&lv[0], 0, sizeof lv[0]);
  while (p.i < n) {
    char c = s[p.i];
    if (c == '"') {
      size_t len;
      const char *str = skip_string(&p, s, n, &len);
      maybe_key(lv, depth, str, len, s, p.i, n);
    } else if (c == '[' || c == '{') {
      if (depth == UTIL_JSON_MAX_DEPTH)
        return refuse(jerr, &p, ERR_NOMEM,
                      _("expected at most %d levels of nesting, got %d"),
                      UTIL_JSON_MAX_DEPTH, UTIL_JSON_MAX_DEPTH + 1);
      depth++;
      lv[depth].object = c == '{';
      lv[depth].key = NULL;
      advance(&p, s);
    } else if (c == ']' || c == '}') {
      depth -= depth > 0;
      advance(&p, s);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      struct pos start = p;
      while (p.i < n && in_set(s[p.i], "0123456789+-.eE"))
        advance(&p, s);
      rc = check_number(s + start.i, p.i - start.i, lv, depth, &start, jerr);
      if (rc != OK)
        return rc;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      /* true, false, null, or garbage for jansson: "e" in it is no
       * exponent. */
      while (p.i < n && ((s[p.i] >= 'a' && s[p.i] <= 'z') ||
                         (s[p.i] >= 'A' && s[p.i] <= 'Z') ||
                         (s[p.i] >= '0' && s[p.i] <= '9')))
        advance(&p, s);
    } else {
      advance(&p, s);
    }
  }
  return OK;
}

int
util_json_load(const char *s, size_t n, size_t flags, json_t **out,
               json_error_t *jerr)
{
  int rc;

  *out = NULL;
  memset(jerr, 0, sizeof *jerr);
  if (s == NULL)
    s = "";
  if ((rc = prescan(s, n, jerr)) != OK)
    return rc;
  *out = json_loadb(s, n, flags, jerr);
  return *out != NULL ? OK : ERR_INVALID;
}
