/*
 * RFC 8785 (JCS) and ECMAScript number formatting. The vectors are the RFC's
 * own (Appendix B as IEEE-754 bit patterns, the samples of sections 3.2.2
 * and 3.2.3); the others were checked against Node's String(x).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/util.h"

static double
from_bits(uint64_t u)
{
  double d;

  memcpy(&d, &u, sizeof d);
  return d;
}

struct numvec {
  uint64_t bits;
  const char *text;
};

/* RFC 8785 Appendix B, every finite row. */
static const struct numvec appendix_b[] = {
    {0x0000000000000000, "0"},
    {0x8000000000000000, "0"},
    {0x0000000000000001, "5e-324"},
    {0x8000000000000001, "-5e-324"},
    {0x7fefffffffffffff, "1.7976931348623157e+308"},
    {0xffefffffffffffff, "-1.7976931348623157e+308"},
    {0x4340000000000000, "9007199254740992"},
    {0xc340000000000000, "-9007199254740992"},
    {0x4430000000000000, "295147905179352830000"},
    {0x44b52d02c7e14af5, "9.999999999999997e+22"},
    {0x44b52d02c7e14af6, "1e+23"},
    {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
    {0x444b1ae4d6e2ef4e, "999999999999999700000"},
    {0x444b1ae4d6e2ef4f, "999999999999999900000"},
    {0x444b1ae4d6e2ef50, "1e+21"},
    {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
    {0x3eb0c6f7a0b5ed8d, "0.000001"},
    {0x41b3de4355555553, "333333333.3333332"},
    {0x41b3de4355555554, "333333333.33333325"},
    {0x41b3de4355555555, "333333333.3333333"},
    {0x41b3de4355555556, "333333333.3333334"},
    {0x41b3de4355555557, "333333333.33333343"},
    {0xbecbf647612f3696, "-0.0000033333333333333333"},
    {0x43143ff3c1cb0959, "1424953923781206.2"},
};

/* More layouts and edges, expected texts from Node's String(x). */
static const struct numvec more[] = {
    {0x3ff0000000000000, "1"},                     /* 1 */
    {0x3fe0000000000000, "0.5"},                   /* 0.5 */
    {0x3fb999999999999a, "0.1"},                   /* 0.1 */
    {0x3fd3333333333334, "0.30000000000000004"},   /* 0.1 + 0.2 */
    {0x4059000000000000, "100"},                   /* 100 */
    {0x3e8421f5f40d8376, "1.5e-7"},                /* exponent form below */
    {0x3ea6255b5942109c, "6.6e-7"},                /* 6.6e-7 */
    {0x3ee4f8b588e368f1, "0.00001"},               /* 1e-5 */
    {0x3ed4f8b588e368f1, "0.000005"},              /* 5e-6 */
    {0x4415af1d78b58c40, "100000000000000000000"}, /* 1e20 */
    {0x441aabdf2145b430, "123000000000000000000"}, /* 1.23e20 */
    {0x444ad5814560aa64, "990000000000001000000"}, /* 21 digits: fixed */
    {0x7e37e43c8800759c, "1e+300"},
    {0xc0c3880000000000, "-10000"},
    {0x000fffffffffffff, "2.225073858507201e-308"},  /* largest subnormal */
    {0x0010000000000000, "2.2250738585072014e-308"}, /* smallest normal */
    /* A power of two where the nearest 16-digit decimal does not read back
       but its upper neighbour does (the read-back interval is lopsided). */
    {0x0060000000000000, "7.120236347223045e-307"},
};

static void
check_vectors(const struct numvec *v, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    char buf[40];
    util_format_number(from_bits(v[i].bits), buf, sizeof buf);
    if (strcmp(buf, v[i].text) != 0)
      print_error("0x%016llx: got %s, want %s\n", (unsigned long long)v[i].bits,
                  buf, v[i].text);
    assert_string_equal(buf, v[i].text);
  }
}

static void
test_number_appendix_b(void **state)
{
  (void)state;
  check_vectors(appendix_b, sizeof appendix_b / sizeof *appendix_b);
}

static void
test_number_more(void **state)
{
  (void)state;
  check_vectors(more, sizeof more / sizeof *more);
}

/* Encodes v (taking it), checks the text, returns nothing. */
static void
expect_jcs(json_t *v, const char *want)
{
  struct buf b;

  buf_init(&b);
  assert_non_null(v);
  assert_int_equal(util_jcs_encode(v, &b), OK);
  assert_string_equal(b.data, want);
  assert_int_equal(b.len, strlen(want));
  buf_cleanup(&b);
  json_decref(v);
}

static json_t *
parse(const char *text)
{
  json_error_t e;
  json_t *v = json_loads(text, JSON_DECODE_ANY, &e);

  if (v == NULL)
    print_error("json: %s\n", e.text);
  return v;
}

/* RFC 8785 section 3.2.2's sample, input and output as printed there. */
static void
test_rfc_sample(void **state)
{
  (void)state;
  expect_jcs(parse("{\n"
                   "  \"numbers\": [333333333.33333329, 1E30, 4.50,\n"
                   "              2e-3, 0.000000000000000000000000001],\n"
                   "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022"
                   "\\u005c\\\\\\\"\\/\",\n"
                   "  \"literals\": [null, true, false]\n"
                   "}"),
             "{\"literals\":[null,true,false],\"numbers\":[333333333."
             "3333333,1e+30,4.5,0.002,1e-27],\"string\":\"\xe2\x82\xac$"
             "\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

/* RFC 8785 section 3.2.3: sorting by UTF-16 code units, so the emoji
   (surrogates D83D DE00) sorts before U+FB33 although its code point is
   larger. */
static void
test_rfc_sorting(void **state)
{
  (void)state;
  expect_jcs(parse("{\n"
                   "  \"\\u20ac\": \"Euro Sign\",\n"
                   "  \"\\r\": \"Carriage Return\",\n"
                   "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n"
                   "  \"1\": \"One\",\n"
                   "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n"
                   "  \"\\u0080\": \"Control\",\n"
                   "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n"
                   "}"),
             "{\"\\r\":\"Carriage Return\","
             "\"1\":\"One\","
             "\"\xc2\x80\":\"Control\","
             "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
             "\"\xe2\x82\xac\":\"Euro Sign\","
             "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
             "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

/* A second non-BMP case: U+10000 (D800 DC00) before U+E000 and U+FFFF. */
static void
test_sort_surrogates(void **state)
{
  json_t *o = json_object();

  (void)state;
  json_object_set_new(o, "\xef\xbf\xbf", json_integer(3));     /* U+FFFF */
  json_object_set_new(o, "\xee\x80\x80", json_integer(2));     /* U+E000 */
  json_object_set_new(o, "\xf0\x90\x80\x80", json_integer(1)); /* U+10000 */
  json_object_set_new(o, "\xed\x9f\xbf", json_integer(0));     /* U+D7FF */
  expect_jcs(o, "{\"\xed\x9f\xbf\":0,\"\xf0\x90\x80\x80\":1,"
                "\"\xee\x80\x80\":2,\"\xef\xbf\xbf\":3}");
}

static void
test_escapes(void **state)
{
  char in[34];
  json_t *a = json_array();

  (void)state;
  for (int i = 0; i < 32; i++)
    in[i] = (char)(i + 1 == 32 ? 0 : i + 1); /* 1..31, then NUL */
  in[32] = 0x7f;
  in[33] = '/';
  json_array_append_new(a, json_stringn(in, sizeof in));
  json_array_append_new(a, json_string("\xe2\x80\xa8 \"q\" \\"));
  expect_jcs(a, "[\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b"
                "\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012"
                "\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a"
                "\\u001b\\u001c\\u001d\\u001e\\u001f\\u0000\x7f/\","
                "\"\xe2\x80\xa8 \\\"q\\\" \\\\\"]");
}

/* No text at all (NULL, 0) is the empty string: the canonical bytes of a
 * record with a value not set yet (passage add's content id of a cargo
 * line without a category, found by fuzz_ingest_import as UB). */
static void
test_no_text(void **state)
{
  struct buf b;

  (void)state;
  buf_init(&b);
  assert_int_equal(util_jcs_string(&b, NULL, 0), OK);
  assert_string_equal(b.data, "\"\"");
  buf_cleanup(&b);
}

static void
test_structure(void **state)
{
  json_t *o;

  (void)state;
  expect_jcs(parse("{ \"b\" : [ ], \"a\" : { }, \"c\": [1, 1.0, -0.0, 1e21,"
                   " {\"z\": null, \"y\": [true]}] }"),
             "{\"a\":{},\"b\":[],\"c\":[1,1,0,1e+21,{\"y\":[true],\"z\":"
             "null}]}");
  expect_jcs(parse("\"top\""), "\"top\"");
  expect_jcs(parse("-12"), "-12");
  /* A name with a NUL inside sorts after its prefix. */
  o = json_object();
  json_object_setn_new(o, "a\0b", 3, json_true());
  json_object_set_new(o, "a", json_false());
  json_object_set_new(o, "B", json_null());
  expect_jcs(o, "{\"B\":null,\"a\":false,\"a\\u0000b\":true}");
}

static void
test_integers(void **state)
{
  struct buf b;
  json_t *a;

  (void)state;
  expect_jcs(json_integer(9007199254740992LL), "9007199254740992");
  expect_jcs(json_integer(-9007199254740992LL), "-9007199254740992");
  expect_jcs(json_integer(0), "0");

  /* Beyond 2^53: refused, and out is left as it was. */
  buf_init(&b);
  buf_puts(&b, "keep");
  a = json_pack("[i, {s: I}]", 1, "n", (json_int_t)9007199254740993LL);
  assert_int_equal(util_jcs_encode(a, &b), ERR_INVALID);
  assert_string_equal(b.data, "keep");
  assert_int_equal(b.len, 4);
  json_decref(a);
  a = json_integer(-9007199254740993LL);
  assert_int_equal(util_jcs_encode(a, &b), ERR_INVALID);
  assert_string_equal(b.data, "keep");
  json_decref(a);
  buf_cleanup(&b);
}

static void
test_refused(void **state)
{
  struct buf b;
  json_t *v, *inner;

  (void)state;
  buf_init(&b);
  /* Invalid UTF-8 in a value, and in a name. */
  v = json_stringn_nocheck("a\xff", 2);
  assert_int_equal(util_jcs_encode(v, &b), ERR_INVALID);
  json_decref(v);
  v = json_object();
  json_object_set_new_nocheck(v, "\xed\xa0\x80", json_true()); /* D800 */
  assert_int_equal(util_jcs_encode(v, &b), ERR_INVALID);
  json_decref(v);
  assert_int_equal(b.len, 0);

  /* Nesting past the cap. */
  v = json_array();
  inner = v;
  for (int i = 0; i < 600; i++) {
    json_t *next = json_array();
    json_array_append_new(inner, next);
    inner = next;
  }
  assert_int_equal(util_jcs_encode(v, &b), ERR_INVALID);
  assert_int_equal(b.len, 0);
  json_decref(v);
  buf_cleanup(&b);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_number_appendix_b),
      cmocka_unit_test(test_number_more),
      cmocka_unit_test(test_rfc_sample),
      cmocka_unit_test(test_rfc_sorting),
      cmocka_unit_test(test_sort_surrogates),
      cmocka_unit_test(test_escapes),
      cmocka_unit_test(test_no_text),
      cmocka_unit_test(test_structure),
      cmocka_unit_test(test_integers),
      cmocka_unit_test(test_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
