/*
 * Tests for util_parse_number. Expected values are C literals (the compiler
 * rounds them correctly), or strtod in the "C" locale for random inputs.
 */
#include <float.h>
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"

struct num_case {
  const char *in;
  int rc;
  double want;
};

#define V(in, v)                                                               \
  {                                                                            \
    in, OK, v                                                                  \
  }
#define BAD(in)                                                                \
  {                                                                            \
    in, ERR_INVALID, 0                                                         \
  }
#define MISS(in)                                                               \
  {                                                                            \
    in, ERR_MISSING, 0                                                         \
  }
/* Beyond what a double holds (issue 9: an error, never 0 or infinity). */
#define RANGE(in)                                                              \
  {                                                                            \
    in, ERR_RANGE, 0                                                           \
  }

static const struct num_case cases[] = {
    /* Every example in util.h's comment. */
    V("66,564", 66564),
    V("1 234 567.5", 1234567.5),
    MISS(""),
    MISS("-"),
    BAD("nan"),
    BAD("inf"),
    BAD("1,23"),
    BAD("12abc"),

    /* Figures as they are in /work/shared/data. */
    V("32", 32),
    V("1051304", 1051304),
    V("30,050", 30050),
    V("1,500", 1500),
    V("69.6800003051758", 69.6800003051758),
    V("31.748237", 31.748237),
    V("-106.482685", -106.482685),
    V("34638", 34638),

    /* Signs, fractions, exponents. */
    V("0", 0),
    V("-0", -0.0),
    V("+5", 5),
    V("-5", -5),
    V("007", 7),
    V(".5", 0.5),
    V("5.", 5),
    V("-.5", -0.5),
    V("0.1", 0.1),
    V("0.000123", 0.000123),
    V("1e3", 1000),
    V("1E+03", 1000),
    V("2.5e-3", 0.0025),
    V("1e22", 1e22),
    V("1e23", 1e23),
    V("1e-22", 1e-22),
    V("123456789012345", 123456789012345.0),
    V("1234567890123456", 1234567890123456.0),
    V("9007199254740993", 9007199254740992.0), /* 2^53+1 ties to even */
    V("123456789012345678901234567890", 123456789012345678901234567890.0),
    V("0.30000000000000004", 0.30000000000000004),
    V("1.7976931348623157e308", 1.7976931348623157e308),
    /* DBL_MIN, the smallest double with full precision, is the last one
     * kept; below it (a subnormal, then 0) the figure would be damaged. */
    V("2.2250738585072014e-308", 2.2250738585072014e-308),
    RANGE("2.2250738585072009e-308"),
    RANGE("4.9e-324"),
    RANGE("1e-400"),
    RANGE("-1e-400"),
    RANGE("0.0001e-305"),
    /* Just past DBL_MAX (1.7976931348623157e308, and 1.797693134862315807e308
     * still rounds down to it), and far past. */
    V("1.797693134862315807e308", 1.7976931348623157e308),
    RANGE("1.7976931348623159e308"),
    RANGE("1e309"),
    RANGE("-1e309"),
    RANGE("1e999999999"),
    /* A written zero is zero, whatever its exponent. */
    V("0e999999999", 0),
    V("0e-400", 0),
    V("0.000e-99999", 0),
    V("  12 ", 12),
    V("\t-3.25\r\n", -3.25),

    /* Thousands separators in groups of three. */
    V("1,234,567", 1234567),
    V("-1,234", -1234),
    V("+999,999.25", 999999.25),
    V("1,234.", 1234),
    V("1,000e3", 1000000),
    V("1 000", 1000),
    V("12 345 678", 12345678),
    V("100,000,000,000", 100000000000.0),

    /* Missing values. */
    MISS(" "),
    MISS("\t \r\n"),
    MISS(" - "),

    /* Not numbers, or not safely: a decimal comma is never guessed. */
    BAD("1,23"),
    BAD("12,3456"),
    BAD("1,2345"),
    BAD("1234,567"),
    BAD("0,5"),
    BAD("0,500"),
    BAD("1,234,56"),
    BAD("1,234 567"),
    BAD("1 234,567"),
    BAD("1,,234"),
    BAD(",123"),
    BAD("1,"),
    BAD("1, 234"),
    BAD("1.234,5"),
    BAD("1.234.567"),
    BAD("1,234.5,6"),
    BAD("12 34"),
    BAD("."),
    BAD("-."),
    BAD("+"),
    BAD("--5"),
    BAD("+-5"),
    BAD("- 5"),
    BAD("5-"),
    BAD("e5"),
    BAD(".e5"),
    BAD("1e"),
    BAD("1e+"),
    BAD("1e5.5"),
    BAD("1.5.5"),
    RANGE("1e999"),
    RANGE("-1e999"),
    BAD("NaN"),
    BAD("-nan"),
    BAD("Infinity"),
    BAD("-inf"),
    BAD("0x10"),
    BAD("0x1p3"),
    BAD("12 %"),
    BAD("12%"),
    BAD("$12"),
    BAD("1_000"),
    BAD("1'000"),
    BAD("\xe2\x88\x92"
        "5"), /* U+2212 minus sign */
    BAD("1\xc2\xa0"
        "000"), /* no-break space is not a separator here */
    BAD("abc"),
    /* Over the 64-character cap, even though strtod could read it. */
    BAD("0.00000000000000000000000000000000000000000000000000000000000000001"),
};

static void
test_parse_table(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const struct num_case *c = &cases[i];
    double v = 42;
    int r = util_parse_number(c->in, strlen(c->in), &v);

    if (r != c->rc) {
      print_error("\"%s\": got %d, want %d\n", c->in, r, c->rc);
      fail();
    }
    /* Bitwise, so -0 and 0 differ; cleared to 0 on failure. */
    if (memcmp(&v, &c->want, sizeof v) != 0) {
      print_error("\"%s\": got %.17g, want %.17g\n", c->in, v, c->want);
      fail();
    }
  }
}

static void
test_parse_length(void **state)
{
  double v;
  char exact[65];

  (void)state;
  /* Only n bytes are read. */
  assert_int_equal(util_parse_number("12345", 3, &v), OK);
  assert_true(v == 123);
  assert_int_equal(util_parse_number("1\0", 2, &v), ERR_INVALID);
  assert_int_equal(util_parse_number(NULL, 0, &v), ERR_MISSING);
  /* Exactly 64 characters is within the cap, 65 is not. */
  memset(exact, '0', 64);
  exact[63] = '7';
  exact[64] = '\0';
  assert_int_equal(util_parse_number(exact, 64, &v), OK);
  assert_true(v == 7);
  assert_int_equal(util_parse_number("0000000000000000000000000000000000000000"
                                     "0000000000000000000000007",
                                     65, &v),
                   ERR_INVALID);
  /* Surrounding white space does not count towards the cap. */
  assert_int_equal(util_parse_number("  1  ", 5, &v), OK);
}

static uint64_t
rnd(uint64_t *x)
{
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

/*
 * Random decimal text (up to 20 integer digits, 8 fraction digits, an
 * exponent up to +-330, so both the fast path and strtod_l are exercised),
 * checked against strtod in the "C" locale.
 */
static void
test_random_vs_strtod(void **state)
{
  uint64_t x = 0x9e3779b97f4a7c15u;

  (void)state;
  for (int i = 0; i < 200000; i++) {
    char s[64];
    int n = 0, nd;
    double got, want;

    if (rnd(&x) & 1)
      s[n++] = '-';
    nd = 1 + (int)(rnd(&x) % 20);
    for (int k = 0; k < nd; k++)
      s[n++] = (char)('0' + rnd(&x) % 10);
    if (rnd(&x) & 1) {
      s[n++] = '.';
      nd = (int)(rnd(&x) % 9);
      for (int k = 0; k < nd; k++)
        s[n++] = (char)('0' + rnd(&x) % 10);
    }
    if (rnd(&x) & 1)
      n += snprintf(s + n, sizeof s - (size_t)n, "e%d",
                    (int)(rnd(&x) % 661) - 330);
    s[n] = '\0';
    want = strtod(s, NULL);
    /* Beyond a double's range (infinite, or a written non-zero figure
     * that comes out below DBL_MIN): refused, and the output cleared. */
    if (!isfinite(want) ||
        (fabs(want) < DBL_MIN && strcspn(s, "123456789") < strcspn(s, "e"))) {
      assert_int_equal(util_parse_number(s, (size_t)n, &got), ERR_RANGE);
      assert_true(got == 0);
      continue;
    }
    assert_int_equal(util_parse_number(s, (size_t)n, &got), OK);
    if (memcmp(&got, &want, sizeof got) != 0) {
      print_error("\"%s\": got %.17g, want %.17g\n", s, got, want);
      fail();
    }
  }
}

/*
 * The result must not follow LC_NUMERIC. Skipped where no locale with a
 * decimal comma is installed.
 */
static void
test_locale_independent(void **state)
{
  static const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8",
                                "fr_FR.utf8", "ru_RU.UTF-8"};
  const char *set = NULL;
  double v;

  (void)state;
  for (size_t i = 0; i < sizeof names / sizeof names[0] && !set; i++)
    if (setlocale(LC_NUMERIC, names[i]) != NULL)
      set = names[i]; /* setlocale's own string dies at the next call */
  if (set == NULL) {
    print_message("no decimal-comma locale installed; skipping\n");
    skip();
  }
  /* Make sure the locale really has a decimal comma, as assumed below. */
  assert_string_equal(localeconv()->decimal_point, ",");
  /* 23 significant digits forces the strtod_l path, not the fast one. */
  assert_int_equal(util_parse_number("1.2345678901234567890123", 24, &v), OK);
  setlocale(LC_NUMERIC, "C");
  assert_true(v == 1.2345678901234567890123);
  setlocale(LC_NUMERIC, set);
  assert_int_equal(util_parse_number("1,5", 3, &v), ERR_INVALID);
  setlocale(LC_NUMERIC, "C");
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_table),
      cmocka_unit_test(test_parse_length),
      cmocka_unit_test(test_random_vs_strtod),
      cmocka_unit_test(test_locale_independent),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
