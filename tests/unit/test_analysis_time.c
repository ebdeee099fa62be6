/*
 * Unit tests of analysis_time_bounds: a record's time placed on the
 * corridor's local days, in the corridor's time zone (here Yerevan, four
 * hours ahead of UTC all year), whatever the zone of the process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analysis/analysis.h"

static const char corridor[] = "[corridor]\n"
                               "name = Test corridor\n"
                               "log = passage.example/test\n"
                               "timezone = Asia/Yerevan\n";

struct fixture {
  char dir[64];
  char path[128];
  struct store *st;
  struct analysis *a;
};

static int
setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);
  struct buf err;

  snprintf(fx->dir, sizeof fx->dir, "/tmp/passage-test-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  snprintf(fx->path, sizeof fx->path, "%s/p.db", fx->dir);
  buf_init(&err);
  assert_int_equal(store_open(fx->path, 1, &fx->st, &err), OK);
  assert_int_equal(store_init(fx->st, "corridor.ini", corridor), OK);
  assert_int_equal(analysis_open(fx->st, 0, &fx->a, &err), OK);
  buf_cleanup(&err);
  *state = fx;
  return 0;
}

static int
teardown(void **state)
{
  struct fixture *fx = *state;
  char cmd[256];

  analysis_free(fx->a);
  store_close(fx->st);
  snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
  assert_int_equal(system(cmd), 0);
  free(fx);
  return 0;
}

/* Local seconds of a civil time. */
static int64_t
local(int y, int m, int d, int hh, int mm)
{
  return util_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

/* An instant with an offset lands on the corridor's clock. */
static void
test_instant(void **state)
{
  struct fixture *fx = *state;
  int64_t b, f;

  assert_int_equal(analysis_time_bounds(fx->a, "2024-02-05T06:00:00Z", &b, &f),
                   OK);
  assert_int_equal(b, local(2024, 2, 5, 10, 0));
  assert_int_equal(f, b);
  /* 22:30 UTC is already the next local day. */
  assert_int_equal(analysis_time_bounds(fx->a, "2024-02-05T22:30:00Z", &b, &f),
                   OK);
  assert_int_equal(b, local(2024, 2, 6, 2, 30));
  /* Without an offset, a time is the corridor's own. */
  assert_int_equal(analysis_time_bounds(fx->a, "2024-02-05T06:00:00", &b, &f),
                   OK);
  assert_int_equal(b, local(2024, 2, 5, 6, 0));
}

/* A date covers its local day, a month its local month. */
static void
test_periods(void **state)
{
  struct fixture *fx = *state;
  int64_t b, f;

  assert_int_equal(analysis_time_bounds(fx->a, "2024-02-05", &b, &f), OK);
  assert_int_equal(b, local(2024, 2, 5, 0, 0));
  assert_int_equal(f, local(2024, 2, 6, 0, 0));
  assert_int_equal(analysis_time_bounds(fx->a, "2024-02", &b, &f), OK);
  assert_int_equal(b, local(2024, 2, 1, 0, 0));
  assert_int_equal(f, local(2024, 3, 1, 0, 0));
}

/* No time, or text that is none, is an error and no interval. */
static void
test_errors(void **state)
{
  struct fixture *fx = *state;
  int64_t b = 1, f = 1;

  assert_int_equal(analysis_time_bounds(fx->a, NULL, &b, &f), ERR_MISSING);
  assert_int_equal(b, 0);
  assert_int_equal(f, 0);
  b = f = 1;
  assert_int_not_equal(analysis_time_bounds(fx->a, "soon", &b, &f), OK);
  assert_int_equal(b, 0);
  assert_int_equal(f, 0);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_instant, setup, teardown),
      cmocka_unit_test_setup_teardown(test_periods, setup, teardown),
      cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
