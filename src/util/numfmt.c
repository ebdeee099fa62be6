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
 *
 * That search costs a few microseconds, and an import formats every count
 * and quantity it reads, nearly all of them whole numbers or short
 * decimals. Those take a fast path (dec_fast) that finds the same digits
 * with a few exact floating-point operations; anything it cannot settle
 * goes the slow way.
 */
#include "util.h"

#include <float.h>
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

/* Writes the decimal digits of the whole number u > 0 into x, with x->e
 * the power of ten of the first one. */
static void
dec_from_u64(uint64_t u, struct dec *x)
{
  char t[24];
  int n = 0;

  while (u > 0) {
    t[n++] = (char)('0' + u % 10);
    u /= 10;
  }
  x->n = n;
  x->e = n - 1;
  for (int i = 0; i < n; i++)
    x->d[i] = t[n - 1 - i];
}

/*
 * The shortest decimal of a > 0 found without the search, where that is
 * easy to prove; 0 when the slow way must decide.
 *
 * A whole a < 2^53: its own digits. A decimal with fewer significant
 * digits is another whole number, so another double.
 *
 * An a < 2^49 with a fraction and not a power of two: the reals that read
 * back as a form an interval centred on a (the gaps to the doubles on
 * either side are equal), so with p decimals the one nearest to a is the
 * only candidate: if it does not read back, none does. No whole number
 * reads back (a's fraction is at least one gap), so the answer is the
 * nearest decimal for the first p >= 1 where that reads back, which is
 * what dec_shortest() finds. All of it is exact: a * 10^p < 2^49 is within
 * 2^-5 of the true product, and a decimal r / 10^p that reads back is
 * within 1/16 of it (a's gap times 10^p is below two gaps of the product,
 * 2^-3); so |a * 10^p - r| < 0.25 makes r the nearest whole number, and a
 * larger distance means none reads back. r and 10^p (p <= 22) are exact
 * doubles, so r / 10^p is rounded once, as strtod() rounds the decimal,
 * and == a says whether it reads back.
 */
static int
dec_fast(double a, struct dec *x)
{
  static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  const double two49 = 562949953421312.0, two53 = 9007199254740992.0;
  int exp2;

#if FLT_EVAL_METHOD != 0
  return 0; /* the argument above needs plain double arithmetic */
#endif
  if (a < two53 && a == floor(a)) {
    dec_from_u64((uint64_t)a, x);
    return 1;
  }
  if (a >= two49 || frexp(a, &exp2) == 0.5)
    return 0;
  for (size_t p = 1; p < sizeof pow10 / sizeof pow10[0]; p++) {
    double hi = a * pow10[p], r;
    if (hi >= two49)
      return 0;
    r = floor(hi + 0.5); /* hi + 0.5 is exact below 2^49 */
    if (fabs(hi - r) < 0.25 && r / pow10[p] == a) {
      dec_from_u64((uint64_t)r, x);
      x->e -= (int)p;
      return 1;
    }
  }
  return 0;
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
  if (v < 0)
    s[o++] = '-';
  if (!dec_fast(fabs(v), &x)) {
    pthread_once(&c_locale_once, c_locale_init);
    dec_shortest(fabs(v), &x);
  }
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
