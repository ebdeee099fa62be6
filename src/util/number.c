/*
 * Numbers as people type them into spreadsheets: "66,564", "1 234 567.5",
 * "-", "  12 ". The text is checked against a strict grammar and copied,
 * without its thousands separators, into a small stack buffer; that copy is
 * then converted exactly.
 *
 * Locale: strtod reads the decimal point of LC_NUMERIC, which a program (or
 * a library it loads) may change with setlocale at any time. Rather than
 * rely on nobody ever doing so, the slow path calls strtod_l with a "C"
 * locale object made once, and the fast path does not touch the C library
 * at all. The result never depends on the process locale.
 */
#include "util.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Longest accepted text after trimming. No real figure needs more (a double
 * carries 17 significant digits) and the cap keeps the copy on the stack.
 */
#define NUM_MAX 64

/* Exponent digits are accumulated up to this; beyond it only the sign of
 * the outcome (overflow or underflow) matters and strtod decides it. */
#define EXP_CAP 100000

static int
is_digit(int c)
{
  return c >= '0' && c <= '9';
}

static int
is_space(int c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

/*
 * The "C" locale for strtod_l, made on first use. A lock-free race is
 * harmless: the loser frees its copy. The object lives as long as the
 * process (it stays reachable, so leak checkers do not report it).
 */
static locale_t
c_locale(void)
{
  static _Atomic(locale_t) cached = (locale_t)0;
  locale_t loc = atomic_load(&cached), expected = (locale_t)0;

  if (loc != (locale_t)0)
    return loc;
  loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
  if (loc == (locale_t)0) {
    /* Only allocation can fail here; treat it like xmalloc does. */
    fprintf(stderr, "passage: out of memory (creating the C locale)\n");
    abort();
  }
  if (!atomic_compare_exchange_strong(&cached, &expected, loc)) {
    freelocale(loc);
    loc = expected;
  }
  return loc;
}

/* What the scanner learnt besides the cleaned copy, for the fast path. */
struct digits {
  uint64_t mant; /* the significant digits, while sig <= 19 */
  int sig;       /* significant digits seen (leading zeros excluded) */
  int frac;      /* digits after the decimal point */
  int exp;       /* the written exponent, capped at +-EXP_CAP */
};

static void
take_digit(struct digits *d, char c)
{
  if (d->sig == 0 && c == '0')
    return;
  if (d->sig < 19)
    d->mant = d->mant * 10 + (uint64_t)(c - '0');
  d->sig++;
}

/*
 * Copies the integer part at *pp into o, dropping thousands separators, and
 * checks their grouping. Returns how many digits there were, or -1.
 */
static int
scan_int_part(const char **pp, const char *e, char *o, size_t *on,
              struct digits *d)
{
  const char *p = *pp, *start = p;
  int k, total;
  char sep;

  while (p < e && is_digit((unsigned char)*p)) {
    o[(*on)++] = *p;
    take_digit(d, *p);
    p++;
  }
  total = (int)(p - start);
  if (p == e || (*p != ',' && *p != ' '))
    goto done;
  /*
   * A separator: the leading group must be 1-3 digits not starting with 0
   * and every later group exactly three digits, all with the same
   * separator. "1,23", "12,3456" and "0,5" fail: they are most likely a
   * European decimal comma, and guessing would silently scale the figure
   * by a thousand, so they are refused instead.
   */
  if (total < 1 || total > 3 || *start == '0')
    return -1;
  sep = *p;
  while (p < e && *p == sep) {
    p++;
    for (k = 0; k < 3; k++) {
      if (p == e || !is_digit((unsigned char)*p))
        return -1;
      o[(*on)++] = *p;
      take_digit(d, *p);
      p++;
    }
    if (p < e && is_digit((unsigned char)*p))
      return -1; /* a group of four or more */
    total += 3;
  }
  if (p < e && (*p == ',' || *p == ' '))
    return -1; /* mixed separators: "1,234 567" */
done:
  *pp = p;
  return total;
}

/*
 * Clinger's fast path: with at most 15 significant digits the mantissa is
 * exact in a double, and so is 10^k for k <= 22, so one IEEE multiply or
 * divide gives the correctly rounded result, the same as strtod. Only valid
 * when double arithmetic is not done in extended precision.
 */
static int
fast_convert(const struct digits *d, int neg, double *v)
{
#if FLT_EVAL_METHOD == 0
  static const double pow10[23] = {
      1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  int e10 = d->exp - d->frac;
  double x;

  if (d->sig == 0) {
    *v = neg ? -0.0 : 0.0;
    return 1;
  }
  if (d->sig > 15 || e10 < -22 || e10 > 22)
    return 0;
  x = (double)d->mant;
  x = e10 < 0 ? x / pow10[-e10] : x * pow10[e10];
  *v = neg ? -x : x;
  return 1;
#else
  (void)d;
  (void)neg;
  (void)v;
  return 0;
#endif
}

int
util_parse_number(const char *s, size_t n, double *out)
{
  char tmp[NUM_MAX + 1];
  struct digits d = {0};
  const char *p, *e;
  size_t o = 0;
  int neg = 0, nint, nfrac = 0, r = ERR_INVALID;
  double v;

  *out = 0.0;
  if (n == 0)
    return ERR_MISSING; /* s may be NULL for an empty cell */
  p = s;
  e = s + n;
  while (p < e && is_space((unsigned char)*p))
    p++;
  while (e > p && is_space((unsigned char)e[-1]))
    e--;
  if (p == e || (e - p == 1 && *p == '-'))
    return ERR_MISSING;
  if (e - p > NUM_MAX) /* the copy below can then never overflow tmp */
    goto out;

  if (*p == '+' || *p == '-') {
    neg = *p == '-';
    tmp[o++] = *p++;
  }
  nint = scan_int_part(&p, e, tmp, &o, &d);
  if (nint < 0)
    goto out;
  if (p < e && *p == '.') {
    tmp[o++] = *p++;
    while (p < e && is_digit((unsigned char)*p)) {
      tmp[o++] = *p;
      take_digit(&d, *p);
      nfrac++;
      p++;
    }
  }
  /* ".5" and "5." are numbers, "." and "-.e3" are not. */
  if (nint + nfrac == 0)
    goto out;
  d.frac = nfrac;
  if (p < e && (*p == 'e' || *p == 'E')) {
    int esign = 1, ne = 0;

    tmp[o++] = *p++;
    if (p < e && (*p == '+' || *p == '-')) {
      esign = *p == '-' ? -1 : 1;
      tmp[o++] = *p++;
    }
    while (p < e && is_digit((unsigned char)*p)) {
      if (d.exp < EXP_CAP)
        d.exp = d.exp * 10 + (*p - '0');
      tmp[o++] = *p++;
      ne++;
    }
    if (ne == 0)
      goto out;
    d.exp *= esign;
  }
  /* Trailing text ("12abc", "12 %"), and nan, inf, 0x1p3 end up here. */
  if (p != e)
    goto out;
  tmp[o] = '\0';

  if (!fast_convert(&d, neg, &v)) {
    char *end;

    v = strtod_l(tmp, &end, c_locale());
    if (end != tmp + o)
      goto out;
    /*
     * Beyond what a double holds: an overflow would be infinity, and an
     * underflow 0 or a subnormal that keeps a few bits of the figure. Both
     * would store something other than what was written, so both are
     * refused ("1e309", "1e-400"). A written zero ("0e-400") is zero.
     */
    if (!isfinite(v) || (d.sig > 0 && fabs(v) < DBL_MIN)) {
      r = ERR_RANGE;
      goto out;
    }
  }
  *out = v;
  r = OK;
out:
  return r;
}
