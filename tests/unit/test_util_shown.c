/*
 * Figures as people read them (util_format_shown and its kin): the one
 * rounding that the CLI's tables and the md, html and txt reports share.
 * Issue 8: persons, vehicles and record counts whole; tonnes and days whole
 * from 10 up, one decimal below; percentages that a reader can recompute
 * from the figures printed beside them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"

static void
shown(double v, enum util_shown kind, const char *want)
{
  char buf[64];

  util_format_shown(v, kind, buf, sizeof buf);
  assert_string_equal(buf, want);
}

static void
counts_are_whole(void **state)
{
  (void)state;
  /* The figures: 90,822.11 persons, 18,465.13 vehicles, 0.08
   * records. */
  shown(90822.11, UTIL_SHOWN_COUNT, "90,822");
  shown(18465.13, UTIL_SHOWN_COUNT, "18,465");
  shown(0.08, UTIL_SHOWN_COUNT, "0");
  /* Half away from zero: 8,866.5 -> 8,867; 0.5 -> 1; -0.4 -> 0, not -0. */
  shown(8866.5, UTIL_SHOWN_COUNT, "8,867");
  shown(0.5, UTIL_SHOWN_COUNT, "1");
  shown(-0.4, UTIL_SHOWN_COUNT, "0");
  shown(-2.6, UTIL_SHOWN_COUNT, "-3");
  shown(100417, UTIL_SHOWN_COUNT, "100,417");
}

static void
quantities_one_decimal_below_ten(void **state)
{
  (void)state;
  /* 9.44 t -> 9.4 t; 42.03 days -> 42; 54.15 -> 54; 19.38 t -> 19. */
  shown(9.44, UTIL_SHOWN_QUANTITY, "9.4");
  shown(42.03, UTIL_SHOWN_QUANTITY, "42");
  shown(54.15, UTIL_SHOWN_QUANTITY, "54");
  shown(19.38, UTIL_SHOWN_QUANTITY, "19");
  /* 9.96 is 10.0 to one decimal, so it is 10 and whole; 9.94 stays 9.9. */
  shown(9.96, UTIL_SHOWN_QUANTITY, "10");
  shown(9.94, UTIL_SHOWN_QUANTITY, "9.9");
  /* 0.53 t -> 0.5; 0.04 -> 0; 3.0 -> 3 (no trailing zero); 1,540 t. */
  shown(0.53, UTIL_SHOWN_QUANTITY, "0.5");
  shown(0.04, UTIL_SHOWN_QUANTITY, "0");
  shown(3.0, UTIL_SHOWN_QUANTITY, "3");
  shown(1540.4, UTIL_SHOWN_QUANTITY, "1,540");
  shown(-9.44, UTIL_SHOWN_QUANTITY, "-9.4");
  assert_true(util_shown_round(9.44, UTIL_SHOWN_QUANTITY) == 9.4);
  assert_true(util_shown_round(12.5, UTIL_SHOWN_QUANTITY) == 13);
}

static void
shares_and_changes(void **state)
{
  char buf[64];
  double c;

  (void)state;
  util_format_share(0.25, buf, sizeof buf);
  assert_string_equal(buf, "25%");
  util_format_share(0.0412, buf, sizeof buf);
  assert_string_equal(buf, "4.1%");
  util_format_share(0.0001, buf, sizeof buf);
  assert_string_equal(buf, "<0.1%");
  util_format_share(0, buf, sizeof buf);
  assert_string_equal(buf, "0%");
  util_format_change(-1, buf, sizeof buf);
  assert_string_equal(buf, "-100%");
  util_format_change(0.12, buf, sizeof buf);
  assert_string_equal(buf, "+12%");
  util_format_change(-0.0001, buf, sizeof buf);
  assert_string_equal(buf, "-<0.1%");
  /* The exodus week's inbound vehicles: 0.14 a day the week before, 0
   * now. Both show 0, so the change shown beside them is 0%, not -100%. */
  assert_int_equal(util_shown_change(0, 1.0 / 7, UTIL_SHOWN_COUNT, &c), OK);
  assert_true(c == 0);
  /* 0.4 before shows 0, 3 now: "from 0", no percentage. */
  assert_int_equal(util_shown_change(3, 0.4, UTIL_SHOWN_COUNT, &c),
                   ERR_MISSING);
  /* 41.4 now and 46.6 before show 41 and 47: 41 / 47 - 1 = -12.77%, the
   * figure a reader gets from the page (not -11.16% from the full ones). */
  assert_int_equal(util_shown_change(41.4, 46.6, UTIL_SHOWN_COUNT, &c), OK);
  util_format_change(c, buf, sizeof buf);
  assert_string_equal(buf, "-12.8%");
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(counts_are_whole),
      cmocka_unit_test(quantities_one_decimal_below_ten),
      cmocka_unit_test(shares_and_changes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
