/*
 * The one of each that util offers every module: base64 (RFC 4648 section
 * 10's test vectors), CSV cells (RFC 4180's quoting), the readable JSON
 * writer's two layouts, and the growable array.
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
base64_rfc4648_vectors(void **state)
{
  /* RFC 4648 section 10. */
  static const char *const plain[] = {"",     "f",     "fo",    "foo",
                                      "foob", "fooba", "foobar"};
  static const char *const coded[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                      "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  (void)state;
  for (size_t i = 0; i < 7; i++) {
    struct buf b;
    buf_init(&b);
    util_base64_encode(&b, plain[i], strlen(plain[i]));
    assert_string_equal(b.data ? b.data : "", coded[i]);
    buf_reset(&b);
    assert_int_equal(util_base64_decode(coded[i], strlen(coded[i]), &b), OK);
    assert_int_equal(b.len, strlen(plain[i]));
    assert_memory_equal(b.data ? b.data : "", plain[i], b.len);
    buf_cleanup(&b);
  }
}

static void
base64_refuses_non_canonical(void **state)
{
  /* "Zh==" decodes to 'f' with unused bits set: not the canonical "Zg==".
   * Missing padding, padding inside, and letters outside the alphabet. */
  static const char *const bad[] = {
      "Zh==", "Zg", "Zg=", "Z===", "Zg==Zg==", "Zm9-", "Zm9v\n", "===="};
  (void)state;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct buf b;
    buf_init(&b);
    buf_puts(&b, "kept");
    assert_int_equal(util_base64_decode(bad[i], strlen(bad[i]), &b),
                     ERR_INVALID);
    assert_string_equal(b.data, "kept");
    buf_cleanup(&b);
  }
}

static void
base64_exact_length(void **state)
{
  uint8_t out[3];

  (void)state;
  assert_int_equal(util_base64_decode_exact("Zm9v", 4, out, 3), OK);
  assert_memory_equal(out, "foo", 3);
  assert_int_equal(util_base64_decode_exact("Zm8=", 4, out, 3), ERR_INVALID);
}

static void
csv_cells(void **state)
{
  struct buf b;

  (void)state;
  buf_init(&b);
  util_csv_text(&b, "plain");
  buf_putc(&b, ',');
  util_csv_text(&b, "a,b");
  buf_putc(&b, ',');
  util_csv_text(&b, "say \"hi\"");
  buf_putc(&b, ',');
  util_csv_text(&b, "two\nlines");
  buf_putc(&b, ',');
  util_csv_text(&b, NULL);
  buf_putc(&b, ',');
  util_csv_cell(&b, "cut,here", 3);
  assert_string_equal(b.data,
                      "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,cut");
  buf_cleanup(&b);
}

static json_t *
sample(void)
{
  return json_pack("{s:s, s:{s:i, s:f}, s:[{s:s, s:[i,i]}, {s:s, s:[]}], "
                   "s:n, s:b}",
                   "name", "Gate \"A\"", "period", "days", 7, "share",
                   0.2083333333, "rows", "id", "a", "n", 1, 2, "id", "b", "n",
                   "empty", "ok", 1);
}

static void
json_pretty_with_flat_paths(void **state)
{
  /* Expected layout worked out by hand: "period" and each rows element are
   * flat by the patterns; the rest one member a line. The real is rounded
   * to 6 decimals. */
  static const char *const flat[] = {"period", "rows.*", NULL};
  json_t *v = sample();
  struct buf b;

  (void)state;
  buf_init(&b);
  assert_int_equal(util_json_write(v, UTIL_JSON_PRETTY, flat, &b), OK);
  assert_string_equal(b.data, "{\n"
                              "  \"name\": \"Gate \\\"A\\\"\",\n"
                              "  \"period\": {\"days\": 7, \"share\": "
                              "0.208333},\n"
                              "  \"rows\": [\n"
                              "    {\"id\": \"a\", \"n\": [1, 2]},\n"
                              "    {\"id\": \"b\", \"n\": []}\n"
                              "  ],\n"
                              "  \"empty\": null,\n"
                              "  \"ok\": true\n"
                              "}\n");
  buf_reset(&b);
  /* The root matched: the whole document on one line. */
  {
    static const char *const all[] = {"", NULL};
    assert_int_equal(util_json_write(v, UTIL_JSON_PRETTY, all, &b), OK);
    assert_string_equal(b.data,
                        "{\"name\": \"Gate \\\"A\\\"\", \"period\": "
                        "{\"days\": 7, \"share\": 0.208333}, \"rows\": "
                        "[{\"id\": \"a\", \"n\": [1, 2]}, {\"id\": \"b\", "
                        "\"n\": []}], \"empty\": null, \"ok\": true}\n");
  }
  json_decref(v);
  buf_cleanup(&b);
}

static void
json_rows_layout(void **state)
{
  json_t *v = json_pack("{s:s, s:[{s:i}, {s:[i]}], s:[]}", "date", "2023-01-08",
                        "rows", "a", 1, "b", 2, "none");
  struct buf b;

  (void)state;
  buf_init(&b);
  assert_int_equal(util_json_write(v, UTIL_JSON_ROWS, NULL, &b), OK);
  assert_string_equal(b.data, "{\"date\": \"2023-01-08\", \"rows\": [\n"
                              "  {\"a\": 1},\n"
                              "  {\"b\": [2]}\n"
                              "], \"none\": []}\n");
  json_decref(v);
  buf_cleanup(&b);
}

static void
json_refuses_bad_utf8(void **state)
{
  json_t *v = json_object();
  struct buf b;

  (void)state;
  /* jansson checks UTF-8 itself; a key is the way to reach our check. */
  json_object_set_new_nocheck(v, "\xff", json_true());
  buf_init(&b);
  buf_puts(&b, "x");
  assert_int_equal(util_json_write(v, UTIL_JSON_PRETTY, NULL, &b), ERR_INVALID);
  assert_string_equal(b.data, "x");
  json_decref(v);
  buf_cleanup(&b);
}

static void
grow_keeps_elements(void **state)
{
  int *v = NULL;
  size_t cap = 0;

  (void)state;
  for (int i = 0; i < 1000; i++) {
    v = util_grow(v, &cap, (size_t)i + 1, sizeof *v);
    v[i] = i * 3;
  }
  assert_true(cap >= 1000);
  for (int i = 0; i < 1000; i++)
    assert_int_equal(v[i], i * 3);
  free(v);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(base64_rfc4648_vectors),
      cmocka_unit_test(base64_refuses_non_canonical),
      cmocka_unit_test(base64_exact_length),
      cmocka_unit_test(csv_cells),
      cmocka_unit_test(json_pretty_with_flat_paths),
      cmocka_unit_test(json_rows_layout),
      cmocka_unit_test(json_refuses_bad_utf8),
      cmocka_unit_test(grow_keeps_elements),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
