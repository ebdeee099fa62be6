/*
 * Dates and times as people type them into spreadsheets, and day arithmetic
 * on the proleptic Gregorian calendar.
 *
 * The parser is a hand-written scanner rather than sscanf or strptime: it
 * runs once per cell of every import (tens of millions of times in the
 * benchmark), must not allocate, and must not depend on the C locale (month
 * names are matched against a fixed English table, character classes are
 * ASCII).
 */
#include "util.h"

#include <stdio.h>
#include <string.h>

/* Inclusive limits; the year range keeps every accepted date four digits. */
#define YEAR_MIN 1000
#define YEAR_MAX 9999
#define OFFSET_MAX_MIN (18 * 60)

/*
 * Days are clamped to this magnitude before conversion so that the year
 * always fits in an int and no intermediate overflows (about 1.9e9 years).
 */
#define DAYS_LIMIT INT64_C(700000000000)

static int
is_digit(int c)
{
  return c >= '0' && c <= '9';
}

static int
is_alpha(int c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_space(int c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

static int
is_leap(int y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
  static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30,
                                        31, 31, 30, 31, 30, 31};

  if (m == 2 && is_leap(y))
    return 29;
  return dim[m - 1];
}

/*
 * Reads a run of digits at *pp into *val. Returns how many there were, but
 * stops counting at max + 1 so that "too many" is told apart from "exactly
 * max" without the value overflowing; *pp only moves when the count is at
 * most max.
 */
static int
scan_digits(const char **pp, const char *e, int max, int *val)
{
  const char *p = *pp;
  int n = 0, v = 0;

  *val = 0;
  while (p < e && is_digit((unsigned char)*p)) {
    if (n == max)
      return n + 1;
    v = v * 10 + (*p - '0');
    n++;
    p++;
  }
  *pp = p;
  *val = v;
  return n;
}

/* Reads exactly two digits ("+0400" has no separator between them). */
static int
take2(const char **pp, const char *e, int *val)
{
  const char *p = *pp;

  if (e - p < 2 || !is_digit((unsigned char)p[0]) ||
      !is_digit((unsigned char)p[1]))
    return ERR_INVALID;
  *val = (p[0] - '0') * 10 + (p[1] - '0');
  *pp = p + 2;
  return OK;
}

/* Skips one or more spaces or tabs; returns 0 when there were none. */
static int
skip_blanks(const char **pp, const char *e)
{
  const char *p = *pp;

  while (p < e && (*p == ' ' || *p == '\t'))
    p++;
  if (p == *pp)
    return 0;
  *pp = p;
  return 1;
}

/*
 * Reads an English month name or abbreviation ("Feb", "february", "Sept"),
 * any case. Returns the month 1-12, or 0 when the letters are not a month.
 */
static int
scan_month_name(const char **pp, const char *e)
{
  static const char *const full[12] = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  char w[10];
  const char *p = *pp;
  size_t n = 0;

  while (p < e && is_alpha((unsigned char)*p)) {
    if (n == sizeof w - 1)
      return 0;                 /* longer than "september": not a month */
    w[n++] = (char)(*p | 0x20); /* ASCII lowercase, no locale */
    p++;
  }
  w[n] = '\0';
  if (n < 3)
    return 0;
  for (int m = 0; m < 12; m++) {
    /* Full names, and the first three letters of each as abbreviation. */
    if ((n == 3 && memcmp(w, full[m], 3) == 0) || strcmp(w, full[m]) == 0) {
      *pp = p;
      return m + 1;
    }
  }
  if (strcmp(w, "sept") == 0) { /* the COGAT files write "9 Sept 2024" */
    *pp = p;
    return 9;
  }
  return 0;
}

/* Two-digit years pivot like POSIX strptime %y: 69-99 -> 19xx, else 20xx. */
static int
expand_year2(int y)
{
  return y >= 69 ? 1900 + y : 2000 + y;
}

/* ISO 8601 calendar date: YYYY, YYYY-M[M], YYYY-M[M]-D[D]. */
static int
parse_iso_date(const char **pp, const char *e, struct ptime *t)
{
  const char *p = *pp;
  int v, k;

  if (scan_digits(&p, e, 4, &v) != 4)
    return ERR_INVALID;
  t->year = v;
  t->prec = TIME_YEAR;
  if (p < e && *p == '-') {
    p++;
    k = scan_digits(&p, e, 2, &v);
    if (k < 1 || k > 2)
      return ERR_INVALID;
    t->month = v;
    t->prec = TIME_MONTH;
    if (p < e && *p == '-') {
      p++;
      k = scan_digits(&p, e, 2, &v);
      if (k < 1 || k > 2)
        return ERR_INVALID;
      t->day = v;
      t->prec = TIME_DAY;
    }
  }
  *pp = p;
  return OK;
}

/* "25 Feb 2024", "07 October 2023", "17-Mar-23", "25-Feb-2024". */
static int
parse_day_month_year(const char **pp, const char *e, struct ptime *t)
{
  const char *p = *pp;
  int v, k, dash;

  k = scan_digits(&p, e, 2, &v);
  if (k < 1 || k > 2)
    return ERR_INVALID;
  t->day = v;
  /* Both separators must be alike: "25-Feb 2024" is more likely a typo. */
  dash = p < e && *p == '-';
  if (dash)
    p++;
  else if (!skip_blanks(&p, e))
    return ERR_INVALID;
  t->month = scan_month_name(&p, e);
  if (t->month == 0)
    return ERR_INVALID;
  if (dash) {
    if (p == e || *p != '-')
      return ERR_INVALID;
    p++;
  } else if (!skip_blanks(&p, e)) {
    return ERR_INVALID;
  }
  k = scan_digits(&p, e, 4, &v);
  if (k == 2)
    v = expand_year2(v);
  else if (k != 4)
    return ERR_INVALID;
  t->year = v;
  t->prec = TIME_DAY;
  *pp = p;
  return OK;
}

/* "Feb 25, 2024", "February 25 2024", and the month "February 2024". */
static int
parse_month_day_year(const char **pp, const char *e, struct ptime *t)
{
  const char *p = *pp;
  int v, k;

  t->month = scan_month_name(&p, e);
  if (t->month == 0 || !skip_blanks(&p, e))
    return ERR_INVALID;
  k = scan_digits(&p, e, 4, &v);
  if (k == 4) {
    t->year = v;
    t->prec = TIME_MONTH;
    *pp = p;
    return OK;
  }
  if (k < 1 || k > 2)
    return ERR_INVALID;
  t->day = v;
  /* "Feb 25, 2024", "Feb 25,2024" and "Feb 25 2024" are all common. */
  if (p < e && *p == ',') {
    p++;
    skip_blanks(&p, e);
  } else if (!skip_blanks(&p, e)) {
    return ERR_INVALID;
  }
  /* Only four-digit years here: "Feb 25, 24" reads too much like a day. */
  if (scan_digits(&p, e, 4, &v) != 4)
    return ERR_INVALID;
  t->year = v;
  t->prec = TIME_DAY;
  *pp = p;
  return OK;
}

/* "Z", "+04:00", "+0400", "-05". */
static int
parse_offset(const char **pp, const char *e, struct ptime *t)
{
  const char *p = *pp;
  int sign, h, m = 0;

  if (*p == 'Z' || *p == 'z') {
    t->has_offset = 1;
    t->offset_min = 0;
    *pp = p + 1;
    return OK;
  }
  sign = *p == '-' ? -1 : 1;
  p++;
  if (take2(&p, e, &h) != OK)
    return ERR_INVALID;
  if (p < e && *p == ':') {
    p++;
    if (take2(&p, e, &m) != OK)
      return ERR_INVALID;
  } else if (p < e && is_digit((unsigned char)*p)) {
    if (take2(&p, e, &m) != OK)
      return ERR_INVALID;
  }
  if (m > 59 || h * 60 + m > OFFSET_MAX_MIN)
    return ERR_INVALID;
  t->has_offset = 1;
  t->offset_min = sign * (h * 60 + m);
  *pp = p;
  return OK;
}

/*
 * The time after a date: H[H]:MM[:SS[.fff]] then an optional offset. The
 * separator ('T' or blanks) has been consumed by the caller.
 */
static int
parse_clock(const char **pp, const char *e, struct ptime *t)
{
  const char *p = *pp;
  int v, k;

  k = scan_digits(&p, e, 2, &v);
  if (k < 1 || k > 2 || v > 23) /* 24:00 is rejected, as allowed */
    return ERR_INVALID;
  t->hour = v;
  if (p == e || *p != ':')
    return ERR_INVALID;
  p++;
  if (scan_digits(&p, e, 2, &v) != 2 || v > 59)
    return ERR_INVALID;
  t->min = v;
  t->prec = TIME_MINUTE;
  if (p < e && *p == ':') {
    p++;
    /* Leap seconds (:60) are rejected: day arithmetic cannot hold them. */
    if (scan_digits(&p, e, 2, &v) != 2 || v > 59)
      return ERR_INVALID;
    t->sec = v;
    t->prec = TIME_SECOND;
    if (p < e && (*p == '.' || *p == ',')) {
      /* Fractional seconds are dropped (truncated), as util.h says. */
      p++;
      if (p == e || !is_digit((unsigned char)*p))
        return ERR_INVALID;
      while (p < e && is_digit((unsigned char)*p))
        p++;
    }
  }
  if (p < e && (*p == 'Z' || *p == 'z' || *p == '+' || *p == '-')) {
    if (parse_offset(&p, e, t) != OK)
      return ERR_INVALID;
  }
  *pp = p;
  return OK;
}

int
util_parse_time(const char *s, size_t n, struct ptime *out)
{
  struct ptime t = {.month = 1, .day = 1};
  const char *p, *e, *q;
  int r = ERR_INVALID, iso;

  memset(out, 0, sizeof *out);
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

  iso = 0;
  if (is_digit((unsigned char)*p)) {
    int v, k;

    q = p;
    k = scan_digits(&q, e, 4, &v);
    if (k == 4) {
      iso = 1;
      r = parse_iso_date(&p, e, &t);
    } else if (k == 1 || k == 2) {
      r = parse_day_month_year(&p, e, &t);
    }
  } else if (is_alpha((unsigned char)*p)) {
    r = parse_month_day_year(&p, e, &t);
  }
  if (r != OK)
    goto out;

  /* A time may follow a full date: 'T' only in ISO form, blanks in all. */
  if (p < e && t.prec == TIME_DAY) {
    r = ERR_INVALID;
    if (iso && (*p == 'T' || *p == 't'))
      p++;
    else if (!skip_blanks(&p, e))
      goto out;
    r = parse_clock(&p, e, &t);
    if (r != OK)
      goto out;
  }

  r = ERR_INVALID;
  if (p != e) /* trailing garbage */
    goto out;
  if (t.year < YEAR_MIN || t.year > YEAR_MAX || t.month < 1 || t.month > 12)
    goto out;
  if (t.day < 1 || t.day > days_in_month(t.year, t.month))
    goto out;
  *out = t;
  r = OK;
out:
  return r;
}

/*
 * Writes v in decimal, zero-padded to width, at p; returns the end. Works
 * for any int so that a struct filled by hand cannot overflow the buffer.
 */
static char *
put_int(char *p, int v, int width)
{
  char tmp[16];
  int n = 0;
  unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;

  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (v < 0)
    *p++ = '-';
  while (n < width--)
    *p++ = '0';
  while (n > 0)
    *p++ = tmp[--n];
  return p;
}

/* Copies the len bytes at tmp into buf, truncating to size. */
static void
copy_out(char *buf, size_t size, const char *tmp, size_t len)
{
  if (size == 0)
    return;
  if (len > size - 1)
    len = size - 1;
  memcpy(buf, tmp, len);
  buf[len] = '\0';
}

void
util_format_time(const struct ptime *t, char *buf, size_t size)
{
  char tmp[128]; /* room for six ints of any value, separators, offset */
  char *p = tmp;

  p = put_int(p, t->year, 4);
  if (t->prec == TIME_YEAR)
    goto out;
  *p++ = '-';
  p = put_int(p, t->month, 2);
  if (t->prec == TIME_MONTH)
    goto out;
  *p++ = '-';
  p = put_int(p, t->day, 2);
  if (t->prec != TIME_MINUTE && t->prec != TIME_SECOND)
    goto out;
  *p++ = 'T';
  p = put_int(p, t->hour, 2);
  *p++ = ':';
  p = put_int(p, t->min, 2);
  *p++ = ':';
  p = put_int(p, t->sec, 2);
  /* Offsets belong to instants; the parser never sets one on a date. */
  if (t->has_offset) {
    int off = t->offset_min;
    unsigned u;

    if (off == 0) {
      *p++ = 'Z';
      goto out;
    }
    *p++ = off < 0 ? '-' : '+';
    u = off < 0 ? 0u - (unsigned)off : (unsigned)off;
    p = put_int(p, (int)(u / 60), 2);
    *p++ = ':';
    p = put_int(p, (int)(u % 60), 2);
  }
out:
  copy_out(buf, size, tmp, (size_t)(p - tmp));
}

/*
 * Howard Hinnant's days_from_civil (http://howardhinnant.github.io/
 * date_algorithms.html): shift the year to start in March so the leap day
 * is last, then count whole 400-year eras. 64-bit throughout so that any int
 * inputs stay defined behaviour.
 */
int64_t
util_days_from_civil(int year, int month, int day)
{
  int64_t y = (int64_t)year - (month <= 2);
  int64_t m = month, era, yoe, doy, doe;

  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)day - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void
util_civil_from_days(int64_t days, int *year, int *month, int *day)
{
  int64_t z, era, doe, yoe, doy, mp, y, m;

  if (days > DAYS_LIMIT)
    days = DAYS_LIMIT;
  if (days < -DAYS_LIMIT)
    days = -DAYS_LIMIT;
  z = days + 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *day = (int)(doy - (153 * mp + 2) / 5 + 1);
  m = mp < 10 ? mp + 3 : mp - 9;
  *month = (int)m;
  *year = (int)(y + (m <= 2));
}

void
util_format_day(int64_t days, char *buf, size_t size)
{
  char tmp[48];
  char *p = tmp;
  int y, m, d;

  util_civil_from_days(days, &y, &m, &d);
  p = put_int(p, y, 4);
  *p++ = '-';
  p = put_int(p, m, 2);
  *p++ = '-';
  p = put_int(p, d, 2);
  copy_out(buf, size, tmp, (size_t)(p - tmp));
}
