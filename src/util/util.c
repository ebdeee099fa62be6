#include "util.h"
#include "util/i18n.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
util_strerror(int code)
{
  switch (code) {
  case OK:
    return "ok";
  case ERR_NOMEM:
    return _("a size limit was reached");
  case ERR_IO:
    return _("input/output error");
  case ERR_INVALID:
    return _("invalid data");
  case ERR_USAGE:
    return _("usage error");
  case ERR_NOTFOUND:
    return _("not found");
  case ERR_CONFLICT:
    return _("conflicting record");
  case ERR_STORE:
    return _("database error");
  case ERR_CRYPTO:
    return _("cryptographic error");
  case ERR_VERIFY:
    return _("verification failed");
  case ERR_MISSING:
    return _("missing value");
  case ERR_EXISTS:
    return _("already exists");
  case ERR_RETRY:
    return _("try again");
  case ERR_AUTH:
    return _("not authenticated");
  case ERR_DENIED:
    return _("not allowed");
  case ERR_NOSPACE:
    return _("no space left");
  case ERR_RANGE:
    return _("number out of range");
  }
  return _("unknown error");
}

static void
die_nomem(size_t n)
{
  fprintf(stderr, "passage: out of memory (allocating %zu bytes)\n", n);
  abort();
}

void *
xmalloc(size_t n)
{
  void *p = malloc(n ? n : 1);

  if (p == NULL)
    die_nomem(n);
  return p;
}

void *
xcalloc(size_t count, size_t size)
{
  void *p = calloc(count ? count : 1, size ? size : 1);

  if (p == NULL)
    die_nomem(count * size);
  return p;
}

void *
xrealloc(void *p, size_t n)
{
  void *q = realloc(p, n ? n : 1);

  if (q == NULL)
    die_nomem(n);
  return q;
}

size_t
util_utf8_char(const unsigned char *s, size_t n)
{
  unsigned c = n ? s[0] : 0, cp;
  size_t len;

  if (n == 0)
    return 0;
  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (len > n)
    return 0;
  for (size_t j = 1; j < len; j++) {
    if ((s[j] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[j] & 0x3f);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
    return 0;
  return len;
}

void *
util_grow(void *p, size_t *cap, size_t need, size_t size)
{
  size_t n = *cap ? *cap : 8;

  if (need <= *cap)
    return p;
  while (n < need) {
    if (n > SIZE_MAX / 2 / size) {
      fprintf(stderr, "passage: out of memory (an array of %zu)\n", need);
      abort();
    }
    n *= 2;
  }
  *cap = n;
  return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
  return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
  char *p = xmalloc(n + 1);

  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *
xasprintf(const char *fmt, ...)
{
  struct buf b;
  va_list ap;

  buf_init(&b);
  va_start(ap, fmt);
  buf_vprintf(&b, fmt, ap);
  va_end(ap);
  return buf_take(&b);
}

void
buf_init(struct buf *b)
{
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

void
buf_cleanup(struct buf *b)
{
  if (b == NULL)
    return;
  free(b->data);
  buf_init(b);
}

void
buf_reset(struct buf *b)
{
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

void
buf_reserve(struct buf *b, size_t extra)
{
  size_t need = b->len + extra + 1;
  size_t cap;

  if (need <= b->cap)
    return;
  cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap *= 2;
  b->data = xrealloc(b->data, cap);
  b->cap = cap;
}

void
buf_append(struct buf *b, const void *p, size_t n)
{
  buf_reserve(b, n);
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
  buf_append(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
  buf_reserve(b, 1);
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
  va_list ap2;
  int n;

  va_copy(ap2, ap);
  n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0)
    return;
  buf_reserve(b, (size_t)n);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  buf_vprintf(b, fmt, ap);
  va_end(ap);
}

char *
buf_take(struct buf *b)
{
  char *p = b->data ? b->data : xstrdup("");

  buf_init(b);
  return p;
}

char *
util_slug(const char *s)
{
  size_t n = strlen(s), o = 0;
  char *out = xmalloc(n + 1);
  int dash = 0;

  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (isalnum(c) && c < 0x80) {
      if (dash && o > 0)
        out[o++] = '-';
      dash = 0;
      out[o++] = (char)tolower(c);
    } else {
      dash = 1;
    }
  }
  out[o] = '\0';
  return out;
}

void
util_format_human(double v, char *buf, size_t size)
{
  char digits[64], *dot;
  double r = round(v * 100) / 100;
  size_t n, intlen, o = 0;
  int neg = r < 0;

  if (!isfinite(v) || fabs(v) >= 1e15) {
    snprintf(buf, size, "%.6g", v);
    return;
  }
  snprintf(digits, sizeof digits, "%.2f", neg ? -r : r);
  n = strlen(digits);
  dot = strchr(digits, '.');
  /* 12.50 -> 12.5, 3.00 -> 3 */
  while (n > 0 && dot && digits + n - 1 > dot && digits[n - 1] == '0')
    digits[--n] = '\0';
  if (n > 0 && digits[n - 1] == '.')
    digits[--n] = '\0';
  dot = strchr(digits, '.');
  intlen = dot ? (size_t)(dot - digits) : n;
  if (neg && o + 1 < size)
    buf[o++] = '-';
  for (size_t i = 0; i < n && o + 1 < size; i++) {
    if (i < intlen && i > 0 && (intlen - i) % 3 == 0 && o + 2 < size)
      buf[o++] = ',';
    buf[o++] = digits[i];
  }
  buf[o] = '\0';
}

void
util_format_figure(double v, char *buf, size_t size)
{
  if (fabs(v) < 1e15)
    v = round(v * 1e6) / 1e6;
  if (v == 0)
    v = 0; /* no "-0" */
  util_format_number(v, buf, size);
}
