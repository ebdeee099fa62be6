/* Tests of util_json_load: the caps jansson lacks (nesting, numbers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"

/* Loads text; checks the code and, on failure, the message and column. */
static void
check(const char *text, int rc, const char *message, int column)
{
  json_error_t jerr;
  json_t *j = (json_t *)1;

  assert_int_equal(util_json_load(text, strlen(text), 0, &j, &jerr), rc);
  if (rc == OK) {
    assert_non_null(j);
    json_decref(j);
    return;
  }
  assert_null(j);
  if (message)
    assert_string_equal(jerr.text, message);
  if (column)
    assert_int_equal(jerr.column, column);
}

static char *
nested(int depth)
{
  char *s = xmalloc((size_t)depth * 2 + 1);

  memset(s, '[', (size_t)depth);
  memset(s + depth, ']', (size_t)depth);
  s[depth * 2] = '\0';
  return s;
}

/* 32 levels of arrays are read; the 33rd '[' (column 33) is refused. */
static void
test_depth(void **state)
{
  char *ok = nested(32), *over = nested(33);

  (void)state;
  check(ok, OK, NULL, 0);
  check(over, ERR_NOMEM, "expected at most 32 levels of nesting, got 33", 33);
  /* Objects count too, and brackets inside strings do not. */
  check("{\"a\":{\"b\":[\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"]}}", OK, NULL,
        0);
  /* Levels closed again do not add up. */
  check("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],"
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        ERR_INVALID, NULL, 0); /* two values: jansson's own error */
  free(ok);
  free(over);
}

/* Numbers a double cannot hold, which jansson would read as 0 or refuse
 * with a vaguer word; the member they are in is named. */
static void
test_numbers(void **state)
{
  (void)state;
  check("{\"a\":1e-400}", ERR_RANGE,
        "field 'a': expected a number between 1e-308 and 1e308 in size, or "
        "0, got '1e-400'",
        6);
  check("[1, 1e309]", ERR_RANGE,
        "expected a number between 1e-308 and 1e308 in size, or 0, got "
        "'1e309'",
        5);
  check("{\"a\":[{\"b\":1}, -1e-400]}", ERR_RANGE,
        "field 'a': expected a number between 1e-308 and 1e308 in size, or "
        "0, got '-1e-400'",
        0);
  check("{\"k\\\"x\" : 1e999}", ERR_RANGE,
        "field 'k\\\"x': expected a number between 1e-308 and 1e308 in size, "
        "or 0, got '1e999'",
        0);
  /* 65 characters: "0." and 63 digits. */
  check("[0.000000000000000000000000000000000000000000000000000000000000001]",
        ERR_RANGE, "expected a number of at most 64 characters, got one of 65",
        2);
  check("{\"a\":0e-400,\"b\":\"1e-400\",\"c\":[true,false,null,1e5],\"d\":-0}",
        OK, NULL, 0);
  /* Lines count from 1 as jansson counts them. */
  check("{\n  \"a\":\n 1e400}", ERR_RANGE, NULL, 2);
  check("{", ERR_INVALID, NULL, 0);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_depth),
      cmocka_unit_test(test_numbers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
