/*
 * RFC 8785, the JSON Canonicalization Scheme: the bytes the ledger hashes.
 * Anyone can recompute them in any language, so every detail here is the
 * RFC's, not ours: members sorted by the UTF-16 code units of their names,
 * no white space, minimal string escapes, ECMAScript numbers.
 */
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Nesting deeper than this is refused rather than recursed into. */
#define JCS_MAX_DEPTH 512

/* 2^53: integers beyond it in magnitude are not all doubles. */
#define JCS_MAX_INT 9007199254740992LL

/*
 * Decodes one UTF-8 sequence of s[0..n) (n > 0) into *cp; returns its length,
 * or 0 when it is not well-formed UTF-8 (overlong forms, surrogates and
 * values past U+10FFFF included).
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
  uint32_t c = s[0], min;
  size_t len;

  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    c &= 0x1F;
    min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    c &= 0x0F;
    min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    c &= 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    c = (c << 6) | (s[i] & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
    return 0;
  *cp = c;
  return len;
}

/* Reads UTF-16 code units one at a time out of a UTF-8 string. */
struct u16_reader {
  const unsigned char *s;
  size_t n;
  uint16_t low; /* the second unit of a surrogate pair, when pending */
};

/* Returns the next unit (0..0xFFFF), or -1 at the end. */
static long
u16_next(struct u16_reader *r)
{
  uint32_t cp;
  size_t len;

  if (r->low) {
    long u = r->low;
    r->low = 0;
    return u;
  }
  if (r->n == 0)
    return -1;
  len = utf8_decode(r->s, r->n, &cp);
  if (len == 0) {
    /* Not reached for validated names; order bytes as themselves. */
    len = 1;
    cp = r->s[0];
  }
  r->s += len;
  r->n -= len;
  if (cp < 0x10000)
    return (long)cp;
  cp -= 0x10000;
  r->low = (uint16_t)(0xDC00 + (cp & 0x3FF));
  return (long)(0xD800 + (cp >> 10));
}

struct member {
  const char *key;
  size_t keylen;
  json_t *value;
};

static int
member_cmp(const void *pa, const void *pb)
{
  const struct member *a = pa, *b = pb;
  struct u16_reader ra = {(const unsigned char *)a->key, a->keylen, 0};
  struct u16_reader rb = {(const unsigned char *)b->key, b->keylen, 0};

  for (;;) {
    long ua = u16_next(&ra), ub = u16_next(&rb);
    if (ua != ub)
      return ua < ub ? -1 : 1; /* the end (-1) sorts first */
    if (ua < 0)
      return 0;
  }
}

static int
valid_utf8(const char *s, size_t n)
{
  const unsigned char *p = (const unsigned char *)s;
  uint32_t cp;

  while (n > 0) {
    size_t len = utf8_decode(p, n, &cp);
    if (len == 0)
      return 0;
    p += len;
    n -= len;
  }
  return 1;
}

/* RFC 8785 3.2.2.2: the only escapes are the short ones and \u00xx. */
int
util_jcs_string(struct buf *out, const char *s, size_t n)
{
  static const char hex[] = "0123456789abcdef";
  size_t run = 0;

  if (s == NULL)
    s = ""; /* NULL + 0 below would be undefined; "" + 0 is not */
  if (!valid_utf8(s, n))
    return ERR_INVALID;
  buf_putc(out, '"');
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *esc = NULL;
    char u[7];

    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    buf_append(out, s + run, i - run);
    run = i + 1;
    switch (c) {
    case '\b':
      esc = "\\b";
      break;
    case '\t':
      esc = "\\t";
      break;
    case '\n':
      esc = "\\n";
      break;
    case '\f':
      esc = "\\f";
      break;
    case '\r':
      esc = "\\r";
      break;
    case '"':
      esc = "\\\"";
      break;
    case '\\':
      esc = "\\\\";
      break;
    default:
      memcpy(u, "\\u00", 4);
      u[4] = hex[c >> 4];
      u[5] = hex[c & 15];
      u[6] = '\0';
      esc = u;
    }
    buf_puts(out, esc);
  }
  buf_append(out, s + run, n - run);
  buf_putc(out, '"');
  return OK;
}

static int encode(const json_t *v, struct buf *out, int depth);

static int
put_object(const json_t *v, struct buf *out, int depth)
{
  size_t n = json_object_size(v), i = 0;
  struct member *m = xcalloc(n ? n : 1, sizeof *m);
  void *it;
  int r = OK;

  /* json_t is not const-correct for iteration; nothing is modified. */
  for (it = json_object_iter((json_t *)v); it != NULL && i < n;
       it = json_object_iter_next((json_t *)v, it)) {
    m[i].key = json_object_iter_key(it);
    m[i].keylen = json_object_iter_key_len(it);
    m[i].value = json_object_iter_value(it);
    i++;
  }
  n = i;
  qsort(m, n, sizeof *m, member_cmp);
  buf_putc(out, '{');
  for (i = 0; i < n && r == OK; i++) {
    if (i > 0)
      buf_putc(out, ',');
    r = util_jcs_string(out, m[i].key, m[i].keylen);
    if (r != OK)
      break;
    buf_putc(out, ':');
    r = encode(m[i].value, out, depth + 1);
  }
  if (r == OK)
    buf_putc(out, '}');
  free(m);
  return r;
}

static int
put_array(const json_t *v, struct buf *out, int depth)
{
  size_t n = json_array_size(v);
  int r = OK;

  buf_putc(out, '[');
  for (size_t i = 0; i < n && r == OK; i++) {
    if (i > 0)
      buf_putc(out, ',');
    r = encode(json_array_get(v, i), out, depth + 1);
  }
  if (r == OK)
    buf_putc(out, ']');
  return r;
}

static int
encode(const json_t *v, struct buf *out, int depth)
{
  char num[40];

  if (v == NULL || depth > JCS_MAX_DEPTH)
    return ERR_INVALID;
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return put_object(v, out, depth);
  case JSON_ARRAY:
    return put_array(v, out, depth);
  case JSON_STRING:
    return util_jcs_string(out, json_string_value(v), json_string_length(v));
  case JSON_INTEGER: {
    json_int_t i = json_integer_value(v);
    if (i > JCS_MAX_INT || i < -JCS_MAX_INT)
      return ERR_INVALID;
    /* Below 2^53 a double holds i exactly and ECMAScript prints it plainly. */
    buf_printf(out, "%lld", (long long)i);
    return OK;
  }
  case JSON_REAL: {
    double d = json_real_value(v);
    if (!isfinite(d))
      return ERR_INVALID;
    util_format_number(d, num, sizeof num);
    buf_puts(out, num);
    return OK;
  }
  case JSON_TRUE:
    buf_puts(out, "true");
    return OK;
  case JSON_FALSE:
    buf_puts(out, "false");
    return OK;
  case JSON_NULL:
    buf_puts(out, "null");
    return OK;
  }
  return ERR_INVALID;
}

int
util_jcs_encode(const json_t *v, struct buf *out)
{
  size_t start = out->len;
  int r = encode(v, out, 0);

  if (r != OK) {
    out->len = start;
    if (out->data)
      out->data[start] = '\0';
  }
  return r;
}
