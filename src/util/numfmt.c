/*
 * Numbers as ECMAScript's Number.prototype.toString writes them, which is
 * what RFC 8785 (JCS) requires: the shortest decimal digits that read back
 * as the same double, laid out in fixed notation for decimal exponents from
 * -7 to 20 and as d.ddde+N otherwise.
 *
 * The digits come from the C library's correctly rounded "%.*e" (trying 1
 * to 17 significant digits until one reads back) rather than from a
 * hand-written Ryu or Grisu: slower, but short and obviously right. The C
 * library is locale-dependent (a program that calls setlocale() for gettext
 * may get a decimal comma), so the digits are picked out of the formatted
 * text whatever its decimal point, and the read-back uses strtod_l() in the
 * "C" locale.
 */
#include "util.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void
c_locale_init(void)
{
  c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
  if (c_locale == (locale_t)0) {
    fprintf(stderr, "passage: cannot create the C locale\n");
    abort();
  }
}

/*
 * Decimal digits d[0..n) with value 0.d1d2...dn x 10^(e+1), i.e. d[0] is
 * the digit of 10^e. n is at most 17.
 */
struct dec {
  char d[24];
  int n;
  int e;
};

/* Reads the decimal back in the C locale; 1 when it gives exactly a. */
static int
dec_reads_back(const struct dec *x, double a)
{
  char s[48];
  int o = 0;

  s[o++] = x->d[0];
  s[o++] = '.';
  memcpy(s + o, x->d + 1, (size_t)(x->n - 1));
  o += x->n - 1;
  snprintf(s + o, sizeof s - (size_t)o, "e%d", x->e);
  return strtod_l(s, NULL, c_locale) == a;
}

/* The correctly rounded p-digit decimal of a > 0 (finite). */
static void
dec_round(double a, int p, struct dec *x)
{
  char s[64];
  const char *q;

  snprintf(s, sizeof s, "%.*e", p - 1, a);
  x->n = 0;
  for (q = s; *q && *q != 'e'; q++)
    if (*q >= '0' && *q <= '9' && x->n < p)
      x->d[x->n++] = *q;
  x->e = (*q == 'e') ? atoi(q + 1) : 0;
}

/*
 * The neighbour of x one unit up (dir 1) or down (dir -1) in its last
 * digit, keeping n digits; 0 when it has no such neighbour with n digits.
 */
static int
dec_step(const struct dec *x, int dir, struct dec *y)
{
  int i;

  *y = *x;
  for (i = y->n - 1; i >= 0; i--) {
    if (dir > 0 && y->d[i] == '9') {
      y->d[i] = '0';
      continue;
    }
    if (dir < 0 && y->d[i] == '0') {
      y->d[i] = '9';
      continue;
    }
    y->d[i] = (char)(y->d[i] + dir);
    break;
  }
  if (i < 0) {
    if (dir < 0)
      return 0;
    /* 99..9 + 1 = 100..0: one more power of ten. */
    y->d[0] = '1';
    for (i = 1; i < y->n; i++)
      y->d[i] = '0';
    y->e++;
  }
  if (y->d[0] == '0')
    return 0; /* 100..0 - 1 lost a digit: tried at a smaller p. */
  return 1;
}

/*
 * The shortest decimal that reads back as a. The correctly rounded p-digit
 * decimal is the nearest one, so it is ECMAScript's choice whenever it reads
 * back; at a power of two the interval that reads back is lopsided and only
 * a neighbour may fit, so the neighbours are tried too.
 */
static void
dec_shortest(double a, struct dec *x)
{
  struct dec y;

  for (int p = 1; p <= 17; p++) {
    dec_round(a, p, x);
    if (dec_reads_back(x, a))
      return;
    if (dec_step(x, 1, &y) && dec_reads_back(&y, a)) {
      *x = y;
      return;
    }
    if (dec_step(x, -1, &y) && dec_reads_back(&y, a)) {
      *x = y;
      return;
    }
  }
  dec_round(a, 17, x); /* 17 digits always read back */
}

void
util_format_number(double v, char *buf, size_t size)
{
  char s[40];
  struct dec x;
  int o = 0, k, n;

  if (size == 0)
    return;
  if (isnan(v)) {
    snprintf(buf, size, "NaN");
    return;
  }
  if (isinf(v)) {
    snprintf(buf, size, v > 0 ? "Infinity" : "-Infinity");
    return;
  }
  if (v == 0) {
    snprintf(buf, size, "0"); /* -0 too */
    return;
  }
  pthread_once(&c_locale_once, c_locale_init);
  if (v < 0)
    s[o++] = '-';
  dec_shortest(fabs(v), &x);
  k = x.n;
  while (k > 1 && x.d[k - 1] == '0')
    k--;
  /* ECMAScript's n: the value is 0.d1..dk x 10^n. */
  n = x.e + 1;
  if (k <= n && n <= 21) {
    memcpy(s + o, x.d, (size_t)k);
    o += k;
    for (int i = k; i < n; i++)
      s[o++] = '0';
  } else if (0 < n && n <= 21) {
    memcpy(s + o, x.d, (size_t)n);
    o += n;
    s[o++] = '.';
    memcpy(s + o, x.d + n, (size_t)(k - n));
    o += k - n;
  } else if (-6 < n && n <= 0) {
    s[o++] = '0';
    s[o++] = '.';
    for (int i = n; i < 0; i++)
      s[o++] = '0';
    memcpy(s + o, x.d, (size_t)k);
    o += k;
  } else {
    s[o++] = x.d[0];
    if (k > 1) {
      s[o++] = '.';
      memcpy(s + o, x.d + 1, (size_t)(k - 1));
      o += k - 1;
    }
    o += snprintf(s + o, sizeof s - (size_t)o, "e%c%d", n - 1 >= 0 ? '+' : '-',
                  abs(n - 1));
  }
  s[o] = '\0';
  snprintf(buf, size, "%s", s);
}
