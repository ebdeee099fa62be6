/* Unit tests of record: validation, defaults, canonical bytes, read-back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "record/record.h"

static int
set(struct record *r, const char *field, const char *value, struct buf *err)
{
  int fi = record_field_index(r->kind, field);

  assert_true(fi >= 0);
  return record_set(r, NULL, fi, 0, value, strlen(value), err);
}

static void
test_flow_canonical(void **state)
{
  struct record r;
  struct buf err, out;

  (void)state;
  record_init(&r, KIND_flow);
  buf_init(&err);
  buf_init(&out);
  assert_int_equal(set(&r, "id", "f-1", &err), OK);
  assert_int_equal(set(&r, "start", "25 Feb 2024", &err), OK);
  assert_int_equal(set(&r, "checkpoint", "kerem-shalom", &err), OK);
  assert_int_equal(set(&r, "direction", "IN", &err), OK);
  assert_int_equal(set(&r, "vehicle", "Truck", &err), OK);
  assert_int_equal(set(&r, "vehicles", "1,200", &err), OK);
  assert_int_equal(set(&r, "category", "Food", &err), OK);
  assert_int_equal(set(&r, "quantity", "20.50", &err), OK);
  assert_int_equal(set(&r, "note", "line \"one\"\nline two", &err), OK);
  assert_int_equal(set(&r, "grade", "b2", &err), OK);
  assert_int_equal(record_finish(&r, &err), OK);
  record_canonical(&r, &out);
  /* Members sorted by name; "cargo" and "record" among them; defaults
   * (end = start, unit t, outcome passed, stage crossed) filled in. */
  assert_string_equal(
      out.data,
      "{\"cargo\":[{\"category\":\"food\",\"quantity\":20.5,\"unit\":\"t\"}],"
      "\"checkpoint\":\"kerem-shalom\",\"direction\":\"in\","
      "\"end\":\"2024-02-25\",\"grade\":\"B2\",\"id\":\"f-1\","
      "\"note\":\"line \\\"one\\\"\\nline two\",\"outcome\":\"passed\","
      "\"record\":\"flow\",\"stage\":\"crossed\",\"start\":\"2024-02-25\","
      "\"vehicle\":\"truck\",\"vehicles\":1200}");
  record_cleanup(&r);
  buf_cleanup(&err);
  buf_cleanup(&out);
}

static void
test_missing_is_not_zero(void **state)
{
  struct record r;
  struct buf err;

  (void)state;
  record_init(&r, KIND_flow);
  buf_init(&err);
  assert_int_equal(set(&r, "vehicles", "-", &err), OK);
  assert_false(record_value(&r, "vehicles")->set);
  assert_int_equal(set(&r, "persons", "", &err), OK);
  assert_false(record_value(&r, "persons")->set);
  record_cleanup(&r);
  buf_cleanup(&err);
}

static void
test_errors(void **state)
{
  struct record r;
  struct buf err;

  (void)state;
  record_init(&r, KIND_flow);
  buf_init(&err);
  assert_int_equal(set(&r, "start", "2024-13-45", &err), ERR_INVALID);
  assert_string_equal(err.data, "expected a date, got '2024-13-45'");
  buf_reset(&err);
  assert_int_equal(set(&r, "direction", "north", &err), ERR_INVALID);
  assert_string_equal(err.data, "expected one of in, out, got 'north'");
  buf_reset(&err);
  assert_int_equal(set(&r, "vehicles", "2.5", &err), ERR_INVALID);
  assert_string_equal(err.data, "expected a whole number >= 0, got '2.5'");
  buf_reset(&err);
  assert_int_equal(set(&r, "grade", "G7", &err), ERR_INVALID);
  buf_reset(&err);
  assert_int_equal(set(&r, "category", "Water", &err), ERR_INVALID);
  assert_string_equal(err.data,
                      "expected a category (food, medicine, fuel, hygiene, "
                      "construction, other), got 'Water'");
  buf_reset(&err);
  /* Required fields are all named at once. */
  record_reset(&r);
  assert_int_equal(record_finish(&r, &err), ERR_INVALID);
  assert_string_equal(err.data, "field 'start': required; field "
                                "'checkpoint': required; field 'direction': "
                                "required");
  record_cleanup(&r);
  buf_cleanup(&err);
}

static void
test_end_before_start(void **state)
{
  struct record r;
  struct buf err;

  (void)state;
  record_init(&r, KIND_coverage);
  buf_init(&err);
  assert_int_equal(set(&r, "start", "2023-01-10", &err), OK);
  assert_int_equal(set(&r, "end", "2023-01-09", &err), OK);
  assert_int_equal(set(&r, "checkpoint", "x", &err), OK);
  assert_int_equal(set(&r, "state", "not observed", &err), OK);
  assert_int_equal(record_finish(&r, &err), ERR_INVALID);
  assert_string_equal(err.data,
                      "field 'end': 2023-01-09 is before start 2023-01-10");
  record_cleanup(&r);
  buf_cleanup(&err);
}

static void
test_count_folds(void **state)
{
  struct record r;
  struct buf err;

  (void)state;
  /* Pedestrians: count is persons. */
  record_init(&r, KIND_flow);
  buf_init(&err);
  set(&r, "start", "2008-01", &err);
  set(&r, "checkpoint", "x", &err);
  set(&r, "direction", "in", &err);
  set(&r, "vehicle", "none", &err);
  set(&r, "count", "310", &err);
  assert_int_equal(record_finish(&r, &err), OK);
  assert_string_equal(record_get(&r, "persons"), "310");
  assert_null(record_get(&r, "vehicles"));
  assert_string_equal(record_get(&r, "end"), "2008-01");
  record_cleanup(&r);

  /* Stock: quantity sets both ends; low above high is refused. */
  record_init(&r, KIND_stock);
  set(&r, "at", "2023-01-09", &err);
  set(&r, "category", "fuel", &err);
  set(&r, "quantity", "800", &err);
  assert_int_equal(record_finish(&r, &err), OK);
  assert_string_equal(record_get(&r, "low"), "800");
  assert_string_equal(record_get(&r, "high"), "800");
  assert_string_equal(record_get(&r, "unit"), "t");
  record_reset(&r);
  set(&r, "at", "2023-01-09", &err);
  set(&r, "category", "fuel", &err);
  set(&r, "low", "900", &err);
  set(&r, "high", "800", &err);
  assert_int_equal(record_finish(&r, &err), ERR_INVALID);
  record_cleanup(&r);
  buf_cleanup(&err);
}

static void
test_time_bounds(void **state)
{
  int64_t b, f;
  int64_t d = 19778; /* 2024-02-25 */

  (void)state;
  assert_int_equal(record_time_bounds("2024-02-25", NULL, NULL, &b, &f), OK);
  assert_int_equal(b, d * 86400);
  assert_int_equal(f, (d + 1) * 86400);
  /* February 2024 has 29 days. */
  assert_int_equal(record_time_bounds("2024-02", NULL, NULL, &b, &f), OK);
  assert_int_equal(b, (d - 24) * 86400);
  assert_int_equal(f, (d - 24 + 29) * 86400);
  /* An instant is a zero-length interval; an offset moves it to local time
   * (here the tz function says local = UTC + 2 h). */
  assert_int_equal(
      record_time_bounds("2024-02-25T10:30:00", NULL, NULL, &b, &f), OK);
  assert_int_equal(b, d * 86400 + 10 * 3600 + 30 * 60);
  assert_int_equal(f, b);
}

static long
plus_two_hours(void *ctx, int64_t utc)
{
  (void)ctx;
  (void)utc;
  return 7200;
}

static void
test_time_offset(void **state)
{
  int64_t b, f;
  int64_t d = 19778;

  (void)state;
  /* 23:30 at UTC+4 is 19:30 UTC, 21:30 at UTC+2. */
  assert_int_equal(record_time_bounds("2024-02-25T23:30:00+04:00",
                                      plus_two_hours, NULL, &b, &f),
                   OK);
  assert_int_equal(b, d * 86400 + 21 * 3600 + 30 * 60);
}

static void
test_json_roundtrip(void **state)
{
  const char *in =
      "{\"actors\":[\"icrc\",\"protesters\"],\"at\":\"2022-12-12\","
      "\"id\":\"e1\",\"kind\":\"incident\",\"record\":\"event\","
      "\"summary\":\"Road blocked \\u00e0 Shusha \xe2\x80\x94 1\"}";
  struct record r;
  struct buf err, out;

  (void)state;
  record_init(&r, KIND_flow);
  buf_init(&err);
  buf_init(&out);
  assert_int_equal(record_from_json(&r, -1, NULL, in, strlen(in), &err), OK);
  assert_int_equal(r.kind->kind, KIND_event);
  assert_int_equal(record_finish(&r, &err), OK);
  record_canonical(&r, &out);
  /* Canonical text keeps non-ASCII as UTF-8, not \u escapes. */
  assert_string_equal(
      out.data, "{\"actors\":[\"icrc\",\"protesters\"],\"at\":\"2022-12-12\","
                "\"id\":\"e1\",\"kind\":\"incident\",\"record\":\"event\","
                "\"summary\":\"Road blocked \xc3\xa0 Shusha \xe2\x80\x94 1\"}");
  /* Unknown members are errors, not silently dropped. */
  record_reset(&r);
  buf_reset(&err);
  assert_int_equal(record_from_json(&r, KIND_event, NULL,
                                    "{\"at\":\"2022-12-12\",\"colour\":1}", 30,
                                    &err),
                   ERR_INVALID);
  assert_string_equal(err.data, "field 'colour': unknown field");
  record_cleanup(&r);
  buf_cleanup(&err);
  buf_cleanup(&out);
}

static void
test_tonnes(void **state)
{
  struct record r;
  struct buf err;

  (void)state;
  record_init(&r, KIND_flow);
  buf_init(&err);
  record_set(&r, NULL, record_field_index(r.kind, "category"), 0, "food", 4,
             &err);
  record_set(&r, NULL, record_field_index(r.kind, "quantity"), 0, "2500", 4,
             &err);
  record_set(&r, NULL, record_field_index(r.kind, "unit"), 0, "kg", 2, &err);
  record_set(&r, NULL, record_field_index(r.kind, "category"), 1, "medicine", 8,
             &err);
  record_set(&r, NULL, record_field_index(r.kind, "quantity"), 1, "40", 2,
             &err);
  record_set(&r, NULL, record_field_index(r.kind, "unit"), 1, "boxes", 5, &err);
  assert_true(record_cargo_tonnes(&r, 0) == 2.5);
  assert_true(record_cargo_tonnes(&r, 1) == -1); /* not a mass */
  assert_true(record_cargo_tonnes(&r, 2) == -1);
  record_cleanup(&r);
  buf_cleanup(&err);
}

/* A cargo line dropped at finish (it had no category) must not leave its
 * slot set: the next record reusing the struct would inherit it. */
static void
test_dropped_cargo_line_is_cleared(void **state)
{
  struct record r;
  struct buf err, out;
  int cat, qty, unit;

  (void)state;
  record_init(&r, KIND_flow);
  buf_init(&err);
  buf_init(&out);
  cat = record_field_index(r.kind, "category");
  qty = record_field_index(r.kind, "quantity");
  unit = record_field_index(r.kind, "unit");
  set(&r, "start", "2024-01-01", &err);
  set(&r, "checkpoint", "x", &err);
  set(&r, "direction", "in", &err);
  /* An invalid row (a quantity without a category) whose struct is then
   * reused, as --skip-invalid does. */
  assert_int_equal(record_set(&r, NULL, qty, 0, "3", 1, &err), OK);
  assert_int_equal(record_set(&r, NULL, cat, 1, "food", 4, &err), OK);
  assert_int_equal(record_set(&r, NULL, unit, 1, "kg", 2, &err), OK);
  assert_int_equal(record_finish(&r, &err), ERR_INVALID);
  assert_int_equal(r.ncargo, 1);
  record_reset(&r);
  buf_reset(&err);
  set(&r, "start", "2024-01-02", &err);
  set(&r, "checkpoint", "x", &err);
  set(&r, "direction", "in", &err);
  assert_int_equal(record_set(&r, NULL, cat, 0, "fuel", 4, &err), OK);
  assert_int_equal(record_set(&r, NULL, qty, 1, "7", 1, &err), OK);
  /* Line 1 has a quantity and no category of its own. */
  assert_int_equal(record_finish(&r, &err), ERR_INVALID);
  assert_string_equal(err.data,
                      "field 'category': a cargo line needs a category");
  record_cleanup(&r);
  buf_cleanup(&err);
  buf_cleanup(&out);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_flow_canonical),
      cmocka_unit_test(test_missing_is_not_zero),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_end_before_start),
      cmocka_unit_test(test_count_folds),
      cmocka_unit_test(test_time_bounds),
      cmocka_unit_test(test_time_offset),
      cmocka_unit_test(test_json_roundtrip),
      cmocka_unit_test(test_tonnes),
      cmocka_unit_test(test_dropped_cargo_line_is_cleared),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
