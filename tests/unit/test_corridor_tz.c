/*
 * Time zones read by the corridor itself: offsets worked out by hand
 * around known transitions, the footer's TZ rule far in the future, TZif
 * files built here byte by byte (every footer form of RFC 8536, and every
 * kind of damage), two corridors in two zones at once, and an independent
 * check against the C library over 130 years of a dozen zones.
 *
 * Only this test calls setenv("TZ"), tzset() and localtime_r(): the C
 * library is the witness here, never a part of Passage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "corridor/corridor.h"

#define H 3600

/* Seconds since 1970 of a UTC date and time. */
static int64_t
utc(int y, int mo, int d, int h, int mi, int s)
{
  return util_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

static int
have_zone(const char *name)
{
  char path[256];

  snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
  return getenv("TZDIR") == NULL && access(path, R_OK) == 0;
}

static struct corridor_zone *
load(const char *name)
{
  struct corridor_zone *z = NULL;
  struct buf err;

  buf_init(&err);
  assert_int_equal(corridor_zone_load(name, &z, &err), OK);
  assert_non_null(z);
  assert_int_equal(err.len, 0);
  buf_cleanup(&err);
  return z;
}

/* The offsets at the second before and at the instant t. */
static void
expect_change(const struct corridor_zone *z, int64_t t, long before, long after)
{
  assert_int_equal(corridor_zone_offset(z, t - 1), before);
  assert_int_equal(corridor_zone_offset(z, t), after);
}

/* ------------------------------------------------------------------ */
/* Hand-worked offsets of real zones                                   */

static void
test_new_york(void **state)
{
  struct corridor_zone *z;

  (void)state;
  if (!have_zone("America/New_York"))
    skip();
  z = load("America/New_York");
  /* 02:00 EST on the second Sunday of March is 07:00 UTC; 02:00 EDT on
   * the first Sunday of November is 06:00 UTC. */
  expect_change(z, utc(2023, 3, 12, 7, 0, 0), -5 * H, -4 * H);
  expect_change(z, utc(2023, 11, 5, 6, 0, 0), -4 * H, -5 * H);
  /* 2090 is past the last transition of any file: the footer's
   * EST5EDT,M3.2.0,M11.1.0 decides (March 12 and November 5 again). */
  expect_change(z, utc(2090, 3, 12, 7, 0, 0), -5 * H, -4 * H);
  expect_change(z, utc(2090, 11, 5, 6, 0, 0), -4 * H, -5 * H);
  assert_int_equal(corridor_zone_offset(z, utc(2090, 7, 1, 0, 0, 0)), -4 * H);
  assert_int_equal(corridor_zone_offset(z, utc(2090, 1, 1, 0, 0, 0)), -5 * H);
  /* Before railway time (1883-11-18 12:00 local, 17:00 UTC), local mean
   * time: type 0, -4:56:02. */
  expect_change(z, utc(1883, 11, 18, 17, 0, 0), -17762, -5 * H);
  assert_int_equal(corridor_zone_offset(z, utc(1800, 1, 1, 0, 0, 0)), -17762);
  assert_int_equal(corridor_zone_offset(z, INT64_MIN), -17762);
  /* Any instant at all has an answer. */
  assert_int_equal(corridor_zone_offset(z, INT64_MAX), -5 * H);
  corridor_zone_free(z);
}

static void
test_london(void **state)
{
  struct corridor_zone *z;

  (void)state;
  if (!have_zone("Europe/London"))
    skip();
  z = load("Europe/London");
  /* 01:00 UTC on the last Sundays of March and October. */
  expect_change(z, utc(2023, 3, 26, 1, 0, 0), 0, H);
  expect_change(z, utc(2023, 10, 29, 1, 0, 0), H, 0);
  expect_change(z, utc(2090, 3, 26, 1, 0, 0), 0, H);
  expect_change(z, utc(2090, 10, 29, 1, 0, 0), H, 0);
  /* British Standard Time: +1 all year from 1968-10-27 to 1971-10-31. */
  assert_int_equal(corridor_zone_offset(z, utc(1970, 1, 1, 0, 0, 0)), H);
  corridor_zone_free(z);
}

static void
test_baku_yerevan(void **state)
{
  struct corridor_zone *z;

  (void)state;
  if (!have_zone("Asia/Baku") || !have_zone("Asia/Yerevan"))
    skip();
  /* Azerbaijan kept summer time until 2015 and has been +04 since
   * 2016; the footer is "<+04>-4". */
  z = load("Asia/Baku");
  assert_int_equal(corridor_zone_offset(z, utc(2015, 7, 1, 0, 0, 0)), 5 * H);
  assert_int_equal(corridor_zone_offset(z, utc(2016, 1, 1, 0, 0, 0)), 4 * H);
  assert_int_equal(corridor_zone_offset(z, utc(2016, 7, 1, 0, 0, 0)), 4 * H);
  assert_int_equal(corridor_zone_offset(z, utc(2023, 7, 1, 0, 0, 0)), 4 * H);
  assert_int_equal(corridor_zone_offset(z, utc(2090, 7, 1, 0, 0, 0)), 4 * H);
  /* Local mean time before 1924: +3:19:24. */
  assert_int_equal(corridor_zone_offset(z, utc(1900, 1, 1, 0, 0, 0)), 11964);
  corridor_zone_free(z);
  /* Armenia's last summer time was 2011 (last Sundays of March and
   * October at 02:00 standard time, 22:00 UTC the day before). */
  z = load("Asia/Yerevan");
  expect_change(z, utc(2011, 3, 26, 22, 0, 0), 4 * H, 5 * H);
  expect_change(z, utc(2011, 10, 29, 22, 0, 0), 5 * H, 4 * H);
  assert_int_equal(corridor_zone_offset(z, utc(2012, 7, 1, 0, 0, 0)), 4 * H);
  assert_int_equal(corridor_zone_offset(z, utc(2090, 7, 1, 0, 0, 0)), 4 * H);
  corridor_zone_free(z);
}

static void
test_lord_howe(void **state)
{
  struct corridor_zone *z;
  const long std = 10 * H + 1800, dst = 11 * H;

  (void)state;
  if (!have_zone("Australia/Lord_Howe"))
    skip();
  /* Thirty minutes of summer time: +10:30, +11 from 02:00 standard time
   * on the first Sunday of October (15:30 UTC the day before) to 02:00
   * summer time on the first Sunday of April (15:00 UTC the day before). */
  z = load("Australia/Lord_Howe");
  expect_change(z, utc(2023, 4, 1, 15, 0, 0), dst, std);
  expect_change(z, utc(2023, 9, 30, 15, 30, 0), std, dst);
  /* 2090: the footer "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0". */
  expect_change(z, utc(2090, 4, 1, 15, 0, 0), dst, std);
  expect_change(z, utc(2090, 9, 30, 15, 30, 0), std, dst);
  assert_int_equal(corridor_zone_offset(z, utc(2090, 1, 1, 0, 0, 0)), dst);
  corridor_zone_free(z);
}

/* ------------------------------------------------------------------ */
/* UTC, and names that are no zone                                     */

static void
test_utc_without_tzdata(void **state)
{
  static const char *const names[] = {"UTC", "Etc/UTC"};
  const char *saved = getenv("TZDIR");
  char *keep = saved ? xstrdup(saved) : NULL;
  struct corridor_zone *z = NULL;
  struct buf err;

  (void)state;
  buf_init(&err);
  setenv("TZDIR", "/nonexistent/zoneinfo", 1);
  for (size_t i = 0; i < 2; i++) {
    z = load(names[i]);
    assert_int_equal(corridor_zone_offset(z, 0), 0);
    assert_int_equal(corridor_zone_offset(z, utc(2090, 7, 1, 0, 0, 0)), 0);
    assert_int_equal(corridor_zone_offset(z, INT64_MIN), 0);
    corridor_zone_free(z);
  }
  assert_int_equal(corridor_zone_load("Asia/Baku", &z, &err), ERR_NOTFOUND);
  assert_null(z);
  if (keep)
    setenv("TZDIR", keep, 1);
  else
    unsetenv("TZDIR");
  free(keep);
  buf_cleanup(&err);
}

static void
test_not_zones(void **state)
{
  static const char *const names[] = {
      "",
      "Mars/Olympus",
      "../../../etc/passwd",
      "/etc/localtime",
      "Asia/",
      "Asia//Baku",
      "Asia",
      "zone.tab",
      "Asia/Ba ku",
      "tzdata.zi",
  };
  struct corridor_zone *z = NULL;
  struct buf err;

  (void)state;
  buf_init(&err);
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    assert_int_equal(corridor_zone_load(names[i], &z, &err), ERR_NOTFOUND);
    assert_null(z);
  }
  assert_int_equal(err.len, 0);
  buf_cleanup(&err);
}

/* ------------------------------------------------------------------ */
/* TZif files built here                                               */

/* What a test file holds: one designation "ZZZ" shared by every type. */
struct spec {
  char version; /* '\0', '2', '3' */
  const int64_t *times;
  const uint8_t *idx;
  size_t ntimes;
  const int32_t *utoff;
  size_t ntypes;
  const char *footer; /* NULL: "" */
};

static void
put32(struct buf *b, uint32_t v)
{
  uint8_t p[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                  (uint8_t)v};

  buf_append(b, p, 4);
}

static void
put64(struct buf *b, int64_t v)
{
  put32(b, (uint32_t)((uint64_t)v >> 32));
  put32(b, (uint32_t)(uint64_t)v);
}

static void
put_header(struct buf *b, const struct spec *s)
{
  static const uint8_t zero[15];

  buf_append(b, "TZif", 4);
  buf_putc(b, s->version);
  buf_append(b, zero, 15);
  put32(b, 0);                   /* isutcnt */
  put32(b, 0);                   /* isstdcnt */
  put32(b, 0);                   /* leapcnt */
  put32(b, (uint32_t)s->ntimes); /* timecnt */
  put32(b, (uint32_t)s->ntypes); /* typecnt */
  put32(b, 4);                   /* charcnt */
}

static void
put_block(struct buf *b, const struct spec *s, int wide)
{
  for (size_t i = 0; i < s->ntimes; i++)
    if (wide)
      put64(b, s->times[i]);
    else
      put32(b, (uint32_t)(int32_t)s->times[i]);
  buf_append(b, s->idx, s->ntimes);
  for (size_t i = 0; i < s->ntypes; i++) {
    put32(b, (uint32_t)s->utoff[i]);
    buf_putc(b, 0); /* isdst */
    buf_putc(b, 0); /* desigidx */
  }
  buf_append(b, "ZZZ", 4);
}

static void
build(struct buf *b, const struct spec *s)
{
  buf_reset(b);
  put_header(b, s);
  put_block(b, s, 0);
  if (s->version == '\0')
    return;
  put_header(b, s);
  put_block(b, s, 1);
  buf_printf(b, "\n%s\n", s->footer ? s->footer : "");
}

/* A zone with no transitions and the given footer. */
static struct corridor_zone *
footer_zone(const char *footer)
{
  static const int32_t off[] = {0};
  struct spec s = {'3', NULL, NULL, 0, off, 1, footer};
  struct corridor_zone *z = NULL;
  struct buf b, err;

  buf_init(&b);
  buf_init(&err);
  build(&b, &s);
  if (corridor_zone_parse(b.data, b.len, &z, &err) != OK)
    fail_msg("footer '%s': %s", footer, err.data);
  buf_cleanup(&b);
  buf_cleanup(&err);
  return z;
}

static void
test_transitions_and_footer(void **state)
{
  static const int64_t times[] = {-1000000, 0, 1000000};
  static const uint8_t idx[] = {1, 2, 1};
  static const int32_t off[] = {-3 * H, 2 * H, 3 * H};
  struct spec s = {'2', times, idx, 3, off, 3, "<+04>-4"};
  struct corridor_zone *z = NULL;
  struct buf b, err;

  (void)state;
  buf_init(&b);
  buf_init(&err);
  build(&b, &s);
  assert_int_equal(corridor_zone_parse(b.data, b.len, &z, &err), OK);
  /* Type 0 before the first transition, each type from its transition
   * on, and the footer from the last one on. */
  assert_int_equal(corridor_zone_offset(z, INT64_MIN), -3 * H);
  assert_int_equal(corridor_zone_offset(z, -1000001), -3 * H);
  assert_int_equal(corridor_zone_offset(z, -1000000), 2 * H);
  assert_int_equal(corridor_zone_offset(z, -1), 2 * H);
  assert_int_equal(corridor_zone_offset(z, 0), 3 * H);
  assert_int_equal(corridor_zone_offset(z, 999999), 3 * H);
  assert_int_equal(corridor_zone_offset(z, 1000000), 4 * H);
  assert_int_equal(corridor_zone_offset(z, INT64_MAX), 4 * H);
  corridor_zone_free(z);

  /* Without a footer the last transition's type holds for ever; version 1
   * has no footer at all. */
  s.footer = NULL;
  build(&b, &s);
  assert_int_equal(corridor_zone_parse(b.data, b.len, &z, &err), OK);
  assert_int_equal(corridor_zone_offset(z, INT64_MAX), 2 * H);
  corridor_zone_free(z);
  s.version = '\0';
  build(&b, &s);
  assert_int_equal(corridor_zone_parse(b.data, b.len, &z, &err), OK);
  assert_int_equal(corridor_zone_offset(z, -1000001), -3 * H);
  assert_int_equal(corridor_zone_offset(z, 0), 3 * H);
  assert_int_equal(corridor_zone_offset(z, INT64_MAX), 2 * H);
  corridor_zone_free(z);
  assert_int_equal(err.len, 0);
  buf_cleanup(&b);
  buf_cleanup(&err);
}

static void
test_footer_forms(void **state)
{
  struct corridor_zone *z;

  (void)state;
  /* Standard time only, in both forms of designation. */
  z = footer_zone("<+04>-4");
  assert_int_equal(corridor_zone_offset(z, 0), 4 * H);
  corridor_zone_free(z);
  z = footer_zone("<-0330>3:30");
  assert_int_equal(corridor_zone_offset(z, 0), -(3 * H + 1800));
  corridor_zone_free(z);
  z = footer_zone("UTC0");
  assert_int_equal(corridor_zone_offset(z, utc(2090, 7, 1, 0, 0, 0)), 0);
  corridor_zone_free(z);

  /* Jn counts 1..365 and never February 29: J60 is March 1 in every
   * year. 02:00 of standard time -3 is 05:00 UTC. */
  z = footer_zone("AAA3BBB,J60,J300");
  expect_change(z, utc(2024, 3, 1, 5, 0, 0), -3 * H, -2 * H);
  expect_change(z, utc(2023, 3, 1, 5, 0, 0), -3 * H, -2 * H);
  /* J300: October 27 in every year, 02:00 of summer time -2. */
  expect_change(z, utc(2024, 10, 27, 4, 0, 0), -2 * H, -3 * H);
  corridor_zone_free(z);

  /* n counts 0..365 and does count February 29: day 59 is February 29 in
   * 2024 and March 1 in 2023. */
  z = footer_zone("AAA3BBB,59/0,300/0");
  expect_change(z, utc(2024, 2, 29, 3, 0, 0), -3 * H, -2 * H);
  expect_change(z, utc(2023, 3, 1, 3, 0, 0), -3 * H, -2 * H);
  corridor_zone_free(z);

  /* A negative time (America/Nuuk): summer time begins at -1:00 on the
   * last Sunday of March, i.e. 23:00 on the Saturday, 01:00 UTC Sunday. */
  z = footer_zone("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  expect_change(z, utc(2090, 3, 26, 1, 0, 0), -2 * H, -H);
  expect_change(z, utc(2090, 10, 29, 1, 0, 0), -H, -2 * H);
  corridor_zone_free(z);

  /* Past 24 hours (Asia/Jerusalem): 26:00 on the fourth Thursday of March
   * (March 23 in 2090) is 02:00 on Friday the 24th, 00:00 UTC. */
  z = footer_zone("IST-2IDT,M3.4.4/26,M10.5.0");
  expect_change(z, utc(2090, 3, 24, 0, 0, 0), 2 * H, 3 * H);
  expect_change(z, utc(2090, 10, 28, 23, 0, 0), 3 * H, 2 * H);
  corridor_zone_free(z);

  /* Week 5 is the last such weekday even when a month has only four:
   * February 2090's Sundays are the 5th to the 26th. */
  z = footer_zone("AAA0BBB,M2.5.0/0,M11.1.0/0");
  expect_change(z, utc(2090, 2, 26, 0, 0, 0), 0, H);
  corridor_zone_free(z);

  /* Summer time all year (RFC 8536 section 3.3.1): it starts January 1 at
   * 00:00 and ends December 31 at 24:00 plus the hour of summer time. */
  z = footer_zone("EST5EDT,0/0,J365/25");
  for (int y = 2020; y < 2030; y++) {
    assert_int_equal(corridor_zone_offset(z, utc(y, 1, 1, 0, 0, 0)), -4 * H);
    assert_int_equal(corridor_zone_offset(z, utc(y, 1, 1, 5, 0, 0)), -4 * H);
    assert_int_equal(corridor_zone_offset(z, utc(y, 12, 31, 23, 0, 0)), -4 * H);
  }
  corridor_zone_free(z);

  /* A period that runs into the next year in UTC: summer time (-2) from
   * January 1 00:00 standard time (03:00 UTC) to December 31 24:00 summer
   * time (02:00 UTC on January 1), then one hour of standard time. (The C
   * library looks only at the rule of the instant's UTC year and says
   * standard time from 00:00 UTC.) */
  z = footer_zone("AAA3BBB,J1/0,J365/24");
  assert_int_equal(corridor_zone_offset(z, utc(2024, 1, 1, 0, 0, 0)), -2 * H);
  expect_change(z, utc(2024, 1, 1, 2, 0, 0), -2 * H, -3 * H);
  expect_change(z, utc(2024, 1, 1, 3, 0, 0), -3 * H, -2 * H);
  corridor_zone_free(z);

  /* Southern hemisphere, summer time across the new year, explicit
   * summer offset and times with seconds. */
  z = footer_zone("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
  assert_int_equal(corridor_zone_offset(z, utc(2090, 1, 1, 0, 0, 0)), 11 * H);
  assert_int_equal(corridor_zone_offset(z, utc(2090, 7, 1, 0, 0, 0)),
                   10 * H + 1800);
  corridor_zone_free(z);
  z = footer_zone("AAA-1BBB-3,M3.5.0/1:30:15,M10.5.0/01:30:15");
  expect_change(z, utc(2090, 3, 26, 0, 30, 15), H, 3 * H);
  corridor_zone_free(z);
}

/* TZ strings the C library reads as well: the two must agree everywhere. */
static void
test_footers_against_libc(void **state)
{
  static const char *const footers[] = {
      "EST5EDT,M3.2.0,M11.1.0",      "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
      "IST-2IDT,M3.4.4/26,M10.5.0",  "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
      "AAA3BBB,J60/2,300/2",         "AAA-5BBB,100/-20,200/30:15",
      "NZST-12NZDT,M9.5.0,M4.1.0/3", "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",
      "CET-1CEST,M3.5.0,M10.5.0/3",  "AAA0BBB-1:30,M2.5.0/0,M11.1.0/0",
  };
  const char *saved = getenv("TZ");
  char *keep = saved ? xstrdup(saved) : NULL;

  (void)state;
  for (size_t i = 0; i < sizeof footers / sizeof footers[0]; i++) {
    struct corridor_zone *z = footer_zone(footers[i]);
    setenv("TZ", footers[i], 1);
    tzset();
    for (int64_t t = utc(1970, 1, 1, 0, 0, 0); t < utc(2100, 1, 1, 0, 0, 0);
         t += 6 * H + 900) {
      time_t tt = (time_t)t;
      struct tm tm;
      assert_non_null(localtime_r(&tt, &tm));
      if (corridor_zone_offset(z, t) != tm.tm_gmtoff)
        fail_msg("%s at %lld: %ld, the C library %ld", footers[i], (long long)t,
                 corridor_zone_offset(z, t), tm.tm_gmtoff);
    }
    corridor_zone_free(z);
  }
  if (keep)
    setenv("TZ", keep, 1);
  else
    unsetenv("TZ");
  tzset();
  free(keep);
}

/* Expects bytes to be refused with a reason containing want. */
static void
expect_invalid(const void *data, size_t len, const char *want)
{
  struct corridor_zone *z = (struct corridor_zone *)1;
  struct buf err;

  buf_init(&err);
  assert_int_equal(corridor_zone_parse(data, len, &z, &err), ERR_INVALID);
  assert_null(z);
  if (err.data == NULL || strstr(err.data, want) == NULL)
    fail_msg("wanted '%s', got '%s'", want, err.data ? err.data : "");
  buf_cleanup(&err);
}

/* Sets the 32-bit count at byte off of the header starting at hdr. */
static void
poke32(struct buf *b, size_t off, uint32_t v)
{
  uint8_t *p = (uint8_t *)b->data + off;

  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static void
test_damaged_files(void **state)
{
  static const int64_t times[] = {0, 1000};
  static const uint8_t idx[] = {1, 0};
  static const int32_t off[] = {0, H};
  struct spec s = {'2', times, idx, 2, off, 2, "UTC0"};
  struct buf b;
  size_t v1; /* where the second header starts */

  (void)state;
  buf_init(&b);
  build(&b, &s);
  v1 = 44 + 2 * 5 + 2 * 6 + 4;

  expect_invalid("", 0, "header is missing");
  expect_invalid("TZif2", 5, "header is missing");
  for (size_t n = 0; n < b.len; n++)
    expect_invalid(b.data, n, "not a valid TZif file");

  build(&b, &s);
  b.data[4] = '1';
  expect_invalid(b.data, b.len, "version");

  build(&b, &s);
  poke32(&b, v1 + 36, 0); /* typecnt */
  expect_invalid(b.data, b.len, "local time types");
  poke32(&b, v1 + 36, 257);
  expect_invalid(b.data, b.len, "local time types");

  build(&b, &s);
  poke32(&b, v1 + 32, 20001); /* timecnt past the cap */
  expect_invalid(b.data, b.len, "more than 20000 transitions");
  build(&b, &s);
  poke32(&b, v1 + 32, 3); /* more than the bytes hold */
  expect_invalid(b.data, b.len, "shorter than its header says");
  build(&b, &s);
  poke32(&b, v1 + 28, 0xFFFFFFFFu); /* leapcnt */
  expect_invalid(b.data, b.len, "leap seconds");
  build(&b, &s);
  poke32(&b, v1 + 40, 0); /* charcnt */
  expect_invalid(b.data, b.len, "designations");
  build(&b, &s);
  poke32(&b, v1 + 20, 1); /* isutcnt neither 0 nor typecnt */
  expect_invalid(b.data, b.len, "indicators");

  /* The 64-bit block: times, types, offsets. */
  build(&b, &s);
  b.data[v1 + 44 + 16] = 2; /* a type index past typecnt */
  expect_invalid(b.data, b.len, "names a local time type");
  build(&b, &s);
  poke32(&b, v1 + 44 + 8, 0); /* second time 0 == first */
  poke32(&b, v1 + 44 + 12, 0);
  expect_invalid(b.data, b.len, "ascending");
  build(&b, &s);
  poke32(&b, v1 + 44 + 18 + 6, 93600); /* type 1's offset: 26 h */
  expect_invalid(b.data, b.len, "offset");
  build(&b, &s);
  b.data[v1 + 44 + 18 + 4] = 2; /* isdst */
  expect_invalid(b.data, b.len, "DST flag");
  build(&b, &s);
  b.data[v1 + 44 + 18 + 5] = 4; /* desigidx past charcnt */
  expect_invalid(b.data, b.len, "designation");

  buf_cleanup(&b);
}

static void
test_damaged_footers(void **state)
{
  static const int64_t times[] = {0, 1000};
  static const uint8_t idx[] = {1, 0};
  static const int32_t off[] = {0, H};
  struct spec s = {'2', times, idx, 2, off, 2, "UTC0"};
  struct buf b, big;

  (void)state;
  buf_init(&b);
  buf_init(&big);
  build(&b, &s);
  b.len -= 6; /* "\nUTC0\n" gone */
  expect_invalid(b.data, b.len, "footer is missing");
  build(&b, &s);
  b.len -= 1; /* no closing newline */
  expect_invalid(b.data, b.len, "footer does not end");
  {
    static const char *const bad[] = {
        "UT0",     /* designation too short */
        "UTC",     /* no offset */
        "UTC25",   /* hours past 24 */
        "<UTC0",   /* unclosed */
        "EST5EDT", /* summer time without rules */
        "EST5EDT,M3.2.0",
        "EST5EDT,M13.2.0,M11.1.0",
        "EST5EDT,M3.6.0,M11.1.0",
        "EST5EDT,M3.2.7,M11.1.0",
        "EST5EDT,J0,J100",
        "EST5EDT,366,J100",
        "EST5EDT,M3.2.0/168,M11.1.0",
        "EST5EDT,M3.2.0/1:60,M11.1.0",
        "EST5EDT,M3.2.0,M11.1.0 ",
        "EST5EDT,M3.2.0,M11.1.0,M12.1.0",
        "EST5:00:",
        "EST0005",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
      s.footer = bad[i];
      build(&b, &s);
      expect_invalid(b.data, b.len, "footer is not a TZ string");
    }
    s.footer = "UTC0";
  }
  /* A footer past 256 bytes, and a file past 256 KiB. */
  buf_reset(&big);
  for (int i = 0; i < 300; i++)
    buf_putc(&big, 'A');
  buf_puts(&big, "0");
  s.footer = big.data;
  build(&b, &s);
  expect_invalid(b.data, b.len, "within 256 bytes");
  s.footer = "UTC0";
  build(&b, &s);
  buf_reset(&big);
  buf_append(&big, b.data, b.len);
  while (big.len <= 256 * 1024)
    buf_putc(&big, '\n');
  expect_invalid(big.data, big.len, "larger than 256 KiB");
  buf_cleanup(&b);
  buf_cleanup(&big);
}

/* ------------------------------------------------------------------ */
/* Corridors                                                           */

static struct corridor *
corridor_in(const char *zone)
{
  struct corridor *c = NULL;
  struct buf text, err;

  buf_init(&text);
  buf_init(&err);
  buf_printf(&text, "[corridor]\nname = In %s\ntimezone = %s\n", zone, zone);
  if (corridor_parse("t.ini", text.data, text.len, &c, &err) != OK)
    fail_msg("%s", err.data);
  buf_cleanup(&text);
  buf_cleanup(&err);
  return c;
}

static void
test_two_corridors(void **state)
{
  struct corridor *baku, *ny, *plain;
  long (*fn)(void *, int64_t) = corridor_tz_offset;
  int64_t summer = utc(2023, 7, 1, 12, 0, 0);
  int64_t winter = utc(2023, 1, 1, 12, 0, 0);

  (void)state;
  if (!have_zone("Asia/Baku") || !have_zone("America/New_York"))
    skip();
  baku = corridor_in("Asia/Baku");
  ny = corridor_in("America/New_York");
  plain = corridor_new_default("Plain");
  /* Asked in turn, each keeps its own zone: nothing is process-wide. */
  for (int i = 0; i < 3; i++) {
    assert_int_equal(corridor_utc_offset(baku, summer), 4 * H);
    assert_int_equal(corridor_utc_offset(ny, summer), -4 * H);
    assert_int_equal(corridor_utc_offset(ny, winter), -5 * H);
    assert_int_equal(corridor_utc_offset(plain, summer), 0);
    assert_int_equal(fn(baku, winter), 4 * H);
    assert_int_equal(fn(ny, winter), -5 * H);
    assert_int_equal(fn(plain, winter), 0);
  }
  /* A NULL corridor is UTC, as a NULL record_tz_fn is. */
  assert_int_equal(corridor_utc_offset(NULL, summer), 0);
  assert_int_equal(fn(NULL, summer), 0);
  corridor_free(baku);
  /* Freeing one leaves the other whole. */
  assert_int_equal(corridor_utc_offset(ny, summer), -4 * H);
  corridor_free(ny);
  corridor_free(plain);
}

/* A corridor naming a zone whose file is broken names the file and the
 * fault; one naming no zone gets the message of any bad value. */
static void
test_corridor_zone_errors(void **state)
{
  char dir[] = "/tmp/passage-tz-XXXXXX", path[512];
  const char *saved = getenv("TZDIR");
  char *keep = saved ? xstrdup(saved) : NULL;
  static const char ini[] = "[corridor]\nname = X\ntimezone = Broken/Zone\n";
  static const char baku[] = "[corridor]\nname = X\ntimezone = Asia/Baku\n";
  struct corridor *c = NULL;
  struct buf err, want;
  FILE *f;

  (void)state;
  buf_init(&err);
  buf_init(&want);
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/Broken", dir);
  assert_int_equal(mkdir(path, 0700), 0);
  snprintf(path, sizeof path, "%s/Broken/Zone", dir);
  f = fopen(path, "wb");
  assert_non_null(f);
  fputs("TZif2 and then nothing", f);
  fclose(f);
  setenv("TZDIR", dir, 1);

  assert_int_equal(corridor_parse("t.ini", ini, strlen(ini), &c, &err),
                   ERR_INVALID);
  assert_null(c);
  buf_printf(&want,
             "t.ini:3: key 'timezone': expected an IANA time zone name such "
             "as 'Asia/Gaza' or 'UTC', got 'Broken/Zone' (%s: not a valid "
             "TZif file: a header is missing or cut short)\n",
             path);
  assert_string_equal(err.data, want.data);

  /* A zone file we may not read is not "no such zone" (root reads it). */
  buf_reset(&err);
  assert_int_equal(chmod(path, 0), 0);
  if (geteuid() != 0) {
    struct corridor_zone *z = NULL;
    assert_int_equal(corridor_zone_load("Broken/Zone", &z, &err), ERR_IO);
    assert_null(z);
    assert_non_null(strstr(err.data, "cannot open"));
  }

  /* Without tzdata, UTC still works and a real zone is no zone. */
  buf_reset(&err);
  c = corridor_in("UTC");
  corridor_free(c);
  c = corridor_in("Etc/UTC");
  corridor_free(c);
  c = NULL;
  assert_int_equal(corridor_parse("t.ini", baku, strlen(baku), &c, &err),
                   ERR_INVALID);
  assert_string_equal(err.data,
                      "t.ini:3: key 'timezone': expected an IANA time zone "
                      "name such as 'Asia/Gaza' or 'UTC', got 'Asia/Baku'\n");

  unlink(path);
  snprintf(path, sizeof path, "%s/Broken", dir);
  rmdir(path);
  rmdir(dir);
  if (keep)
    setenv("TZDIR", keep, 1);
  else
    unsetenv("TZDIR");
  free(keep);
  buf_cleanup(&err);
  buf_cleanup(&want);
}

/* ------------------------------------------------------------------ */
/* The C library as witness                                            */

static void
test_against_libc(void **state)
{
  static const char *const zones[] = {
      "America/New_York", "Europe/London",       "Asia/Baku",
      "Asia/Yerevan",     "Australia/Lord_Howe", "Asia/Gaza",
      "Europe/Istanbul",  "America/Chicago",     "Asia/Jerusalem",
      "America/Nuuk",     "Africa/Casablanca",   "Pacific/Chatham",
      "America/Santiago", "Asia/Tehran",         "Europe/Dublin",
  };
  const char *saved = getenv("TZ");
  char *keep = saved ? xstrdup(saved) : NULL;
  size_t checked = 0;

  (void)state;
  for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
    struct corridor_zone *z;
    if (!have_zone(zones[i]))
      continue;
    z = load(zones[i]);
    setenv("TZ", zones[i], 1);
    tzset();
    for (int64_t t = utc(1970, 1, 1, 0, 0, 0); t < utc(2100, 1, 1, 0, 0, 0);
         t += 6 * H) {
      time_t tt = (time_t)t;
      struct tm tm;
      assert_non_null(localtime_r(&tt, &tm));
      if (corridor_zone_offset(z, t) != tm.tm_gmtoff)
        fail_msg("%s at %lld: %ld, the C library %ld", zones[i], (long long)t,
                 corridor_zone_offset(z, t), tm.tm_gmtoff);
    }
    corridor_zone_free(z);
    checked++;
  }
  if (keep)
    setenv("TZ", keep, 1);
  else
    unsetenv("TZ");
  tzset();
  free(keep);
  if (checked == 0)
    skip();
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_new_york),
      cmocka_unit_test(test_london),
      cmocka_unit_test(test_baku_yerevan),
      cmocka_unit_test(test_lord_howe),
      cmocka_unit_test(test_utc_without_tzdata),
      cmocka_unit_test(test_not_zones),
      cmocka_unit_test(test_transitions_and_footer),
      cmocka_unit_test(test_footer_forms),
      cmocka_unit_test(test_footers_against_libc),
      cmocka_unit_test(test_damaged_files),
      cmocka_unit_test(test_damaged_footers),
      cmocka_unit_test(test_two_corridors),
      cmocka_unit_test(test_corridor_zone_errors),
      cmocka_unit_test(test_against_libc),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
