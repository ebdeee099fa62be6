/*
 * The members of a record's JSON read without jansson, when the bytes are
 * in the form record_canonical writes: RFC 8785, so one object, members
 * in strictly increasing order of name, no white space, strings escaped
 * only as JCS escapes them, numbers in their shortest form. Every stored
 * entry is so, and the auditor, the analysis and --as-of read millions of
 * them: jansson's tree, made and freed for each, was most of verify's
 * time.
 *
 * Anything else (white space, another escape, null, true, a duplicate or
 * unsorted name, an unknown field, a number not in its shortest form) is
 * not judged here: the caller reads those bytes with jansson, whose
 * messages users see. So what is read here must be exactly what jansson's
 * reading would hand record_set: tests/fuzz/fuzz_record_json.c compares
 * the two on any bytes.
 */
#include "record/record.h"
#include "record/record_int.h"

#include <stdlib.h>

#include <string.h>

struct scan {
  const char *s;
  size_t n, i;
};

static int
peek(const struct scan *sc, char c)
{
  return sc->i < sc->n && sc->s[sc->i] == c;
}

static int
eat(struct scan *sc, char c)
{
  if (!peek(sc, c))
    return 0;
  sc->i++;
  return 1;
}

static int
hex(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* A string at the quote, its text decoded onto out. 0 for anything JCS
 * does not write: a raw control, \/, \u for other than a control (and
 * \u0000, which jansson refuses), bytes that are not UTF-8. */
static int
string(struct scan *sc, struct buf *out)
{
  if (!eat(sc, '"'))
    return 0;
  for (;;) {
    size_t start = sc->i;
    while (sc->i < sc->n) {
      unsigned char c = (unsigned char)sc->s[sc->i];
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
        break;
      sc->i++;
    }
    if (sc->i > start)
      buf_append(out, sc->s + start, sc->i - start);
    if (sc->i >= sc->n)
      return 0;
    unsigned char c = (unsigned char)sc->s[sc->i];
    if (c == '"') {
      sc->i++;
      return 1;
    }
    if (c < 0x20)
      return 0;
    if (c >= 0x80) {
      size_t len =
          util_utf8_char((const unsigned char *)sc->s + sc->i, sc->n - sc->i);
      if (len == 0)
        return 0;
      buf_append(out, sc->s + sc->i, len);
      sc->i += len;
      continue;
    }
    /* A backslash. */
    if (sc->i + 1 >= sc->n)
      return 0;
    char e = sc->s[sc->i + 1], d = 0;
    switch (e) {
    case '"':
    case '\\':
      d = e;
      break;
    case 'b':
      d = '\b';
      break;
    case 'f':
      d = '\f';
      break;
    case 'n':
      d = '\n';
      break;
    case 'r':
      d = '\r';
      break;
    case 't':
      d = '\t';
      break;
    case 'u': {
      if (sc->i + 6 > sc->n || sc->s[sc->i + 2] != '0' ||
          sc->s[sc->i + 3] != '0')
        return 0;
      int hi = hex(sc->s[sc->i + 4]), lo = hex(sc->s[sc->i + 5]);
      if (hi < 0 || lo < 0 || hi > 1 || (hi == 0 && lo == 0))
        return 0;
      buf_putc(out, (char)(hi * 16 + lo));
      sc->i += 6;
      continue;
    }
    default:
      return 0;
    }
    buf_putc(out, d);
    sc->i += 2;
  }
}

/* A number at sc, in the one form util_format_number writes for the
 * double it reads as (so jansson's reading, formatted again, is these
 * very bytes), onto out. */
static int
number(struct scan *sc, struct buf *out)
{
  size_t start = sc->i;
  char again[40];
  double d;

  while (sc->i < sc->n &&
         (strchr("0123456789+-.e", sc->s[sc->i]) != NULL && sc->s[sc->i]))
    sc->i++;
  size_t len = sc->i - start;
  if (len == 0 || len >= sizeof again ||
      !(sc->s[start] == '-' || (sc->s[start] >= '0' && sc->s[start] <= '9')))
    return 0;
  if (util_parse_number(sc->s + start, len, &d) != OK)
    return 0;
  util_format_number(d, again, sizeof again);
  if (strlen(again) != len || memcmp(again, sc->s + start, len) != 0)
    return 0;
  buf_append(out, sc->s + start, len);
  return 1;
}

/* A name, then ':'; 0 unless it sorts after prev (so no name twice). */
static int
name(struct scan *sc, struct buf *tmp, char *prev, size_t cap)
{
  buf_reset(tmp);
  if (!string(sc, tmp) || !eat(sc, ':'))
    return 0;
  const char *k = tmp->data ? tmp->data : "";
  if (tmp->len >= cap || memchr(k, '\0', tmp->len) != NULL ||
      (prev[0] && strcmp(prev, k) >= 0))
    return 0;
  memcpy(prev, k, tmp->len + 1);
  return 1;
}

static void
add(struct record_members *m, int field, size_t line, size_t off)
{
  if (m->n == m->cap)
    m->v = util_grow(m->v, &m->cap, m->n + 1, sizeof *m->v);
  m->v[m->n].field = field;
  m->v[m->n].line = line;
  m->v[m->n].off = off;
  m->v[m->n].len = m->text.len - off;
  m->n++;
}

/* A scalar value (string or number) onto m->text. */
static int
scalar(struct scan *sc, struct record_members *m)
{
  return peek(sc, '"') ? string(sc, &m->text) : number(sc, &m->text);
}

/* cargo: [{...}, ...], each line's fields those of a cargo line. */
static int
cargo(struct scan *sc, const struct kind_desc *k, struct record_members *m,
      struct buf *tmp)
{
  if (!eat(sc, '['))
    return 0;
  if (eat(sc, ']'))
    return 1;
  for (size_t line = 0;; line++) {
    char prev[64] = "";
    if (!eat(sc, '{'))
      return 0;
    if (!eat(sc, '}')) {
      do {
        if (!name(sc, tmp, prev, sizeof prev))
          return 0;
        int fi = record_field_index(k, prev);
        if (fi < 0 || !(k->fields[fi].flags & FF_CARGO))
          return 0;
        size_t off = m->text.len;
        if (!scalar(sc, m))
          return 0;
        add(m, fi, line, off);
      } while (eat(sc, ','));
      if (!eat(sc, '}'))
        return 0;
    }
    if (eat(sc, ']'))
      return 1;
    if (!eat(sc, ','))
      return 0;
  }
}

/* A list of ids, joined with ',' as jansson's reading joins them. */
static int
id_list(struct scan *sc, struct record_members *m)
{
  if (!eat(sc, '['))
    return 0;
  if (eat(sc, ']'))
    return 1;
  for (size_t i = 0;; i++) {
    if (i > 0)
      buf_putc(&m->text, ',');
    if (!string(sc, &m->text))
      return 0;
    if (eat(sc, ']'))
      return 1;
    if (!eat(sc, ','))
      return 0;
  }
}

int
record__members(const char *json, size_t len, int *kind,
                struct record_members *m)
{
  struct scan sc = {json, len, 0};
  const struct kind_desc *k = NULL;
  char prev[64] = "";
  struct buf tmp;
  int ok = 1;

  m->n = 0;
  buf_reset(&m->text);
  if (json == NULL || !eat(&sc, '{'))
    return ERR_INVALID;
  /* The kind first: "record" may come after fields that need it. */
  const char *at = memmem(json, len, "\"record\":\"", 10);
  char kname[32] = "";
  if (at == NULL) {
    if (*kind < 0)
      return ERR_INVALID;
  } else {
    const char *v = at + 10, *q = memchr(v, '"', len - (size_t)(v - json));
    if (q == NULL || (size_t)(q - v) >= sizeof kname)
      return ERR_INVALID;
    memcpy(kname, v, (size_t)(q - v));
    kname[q - v] = '\0';
    int named = record_kind_by_name(kname);
    if (named < 0 || (*kind >= 0 && named != *kind))
      return ERR_INVALID;
    *kind = named;
  }
  k = record_kind_desc(*kind);
  buf_init(&tmp);
  int seen_record = 0;
  if (!eat(&sc, '}')) {
    do {
      if (!name(&sc, &tmp, prev, sizeof prev)) {
        ok = 0;
        break;
      }
      if (strcmp(prev, "record") == 0) {
        /* Must be the very string found above: a "record" inside
         * another string would have been found first otherwise. */
        buf_reset(&tmp);
        ok = at != NULL && sc.i == (size_t)(at - json) + 9 &&
             string(&sc, &tmp) && tmp.len == strlen(kname) &&
             memcmp(tmp.data, kname, tmp.len) == 0;
        seen_record = 1;
      } else if (k->kind == KIND_flow && strcmp(prev, "cargo") == 0) {
        ok = cargo(&sc, k, m, &tmp);
      } else {
        int fi = record_field_index(k, prev);
        size_t off = m->text.len;
        if (fi < 0)
          ok = 0;
        else if (peek(&sc, '['))
          ok = k->fields[fi].type == FT_REFLIST &&
               !(k->fields[fi].flags & FF_CARGO) && id_list(&sc, m);
        else
          ok = scalar(&sc, m);
        if (ok)
          add(m, fi, 0, off);
      }
    } while (ok && eat(&sc, ','));
    ok = ok && eat(&sc, '}');
  }
  buf_cleanup(&tmp);
  if (!ok || sc.i != len || (at != NULL && !seen_record))
    return ERR_INVALID;
  return OK;
}

void
record__members_init(struct record_members *m)
{
  memset(m, 0, sizeof *m);
  buf_init(&m->text);
}

void
record__members_cleanup(struct record_members *m)
{
  free(m->v);
  buf_cleanup(&m->text);
}
