/*
 * The corridor file: the example parsed to exact values, the
 * defaults, each kind of mistake with its exact message and line, and every
 * mistake of a file listed together.
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
#include <fcntl.h>

#include "corridor/corridor.h"

/* The example of the issue, verbatim. */
static const char example[] =
    "[corridor]\n"
    "name = Gaza crossings\n"
    "log = passage.example/gaza-crossings   ; origin line of the signed log\n"
    "timezone = Asia/Gaza                   ; IANA name; days are local days\n"
    "inside = Gaza Strip                    ; what `in` points to\n"
    "baseline = 2023-08-01..2023-09-30      ; reference window\n"
    "restricted_weight = 0.5\n"
    "[checkpoint kerem-shalom]\n"
    "name = Kerem Shalom\n"
    "lat = 31.2275\n"
    "lon = 34.2836\n"
    "km = 0\n"
    "[category food]\n"
    "need_per_person_per_day = 0.5\n"
    "need_unit = kg\n"
    "[obligation free-movement]             ; evaluated by the analysis "
    "issue\n"
    "text = movement of citizens, vehicles and goods in both directions\n"
    "measures = persons, vehicles, tonnes\n"
    "directions = in, out\n"
    "checkpoints = kerem-shalom\n"
    "min_ratio_of_baseline = 0.8\n"
    "[alerts]\n"
    "warning_days = 30\n";

static int
have_zone(const char *name)
{
  char path[256];

  snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
  return getenv("TZDIR") == NULL && access(path, R_OK) == 0;
}

/* Parses text; returns the code, the corridor in *out and errors in err. */
static int
parse(const char *text, struct corridor **out, struct buf *err)
{
  buf_reset(err);
  return corridor_parse("t.ini", text, strlen(text), out, err);
}

/* Expects text to fail with exactly the messages want. */
static void
expect_errors(const char *text, const char *want)
{
  struct corridor *c = (struct corridor *)1;
  struct buf err;

  buf_init(&err);
  assert_int_equal(parse(text, &c, &err), ERR_INVALID);
  assert_null(c);
  if (err.data == NULL || strcmp(err.data, want) != 0)
    print_error("input:\n%s\ngot:\n%s\nwant:\n%s\n", text,
                err.data ? err.data : "(nothing)", want);
  assert_non_null(err.data);
  assert_string_equal(err.data, want);
  buf_cleanup(&err);
}

/* Expects text to parse; returns the corridor. */
static struct corridor *
expect_ok(const char *text)
{
  struct corridor *c = NULL;
  struct buf err;

  buf_init(&err);
  if (parse(text, &c, &err) != OK)
    print_error("input:\n%s\nerrors:\n%s\n", text, err.data);
  assert_non_null(c);
  assert_int_equal(err.len, 0);
  buf_cleanup(&err);
  return c;
}

static void
test_example(void **state)
{
  struct corridor *c;
  const struct corridor_checkpoint *cp;
  const struct corridor_category *cat;
  const struct corridor_obligation *ob;

  (void)state;
  if (!have_zone("Asia/Gaza"))
    skip();
  c = expect_ok(example);
  assert_string_equal(c->name, "Gaza crossings");
  assert_string_equal(c->log, "passage.example/gaza-crossings");
  assert_string_equal(c->timezone, "Asia/Gaza");
  assert_string_equal(c->inside, "Gaza Strip");
  assert_int_equal(c->has_baseline, 1);
  assert_int_equal(c->baseline_from, 19570); /* 2023-08-01 */
  assert_int_equal(c->baseline_to, 19630);   /* 2023-09-30 */
  assert_true(c->restricted_weight == 0.5);
  assert_true(c->dispute_tolerance == 0.10);
  assert_int_equal(c->min_public_count, 10);
  assert_int_equal(c->warning_days, 30);
  assert_int_equal(c->severe_days, 14);
  assert_int_equal(c->critical_days, 7);

  assert_int_equal(c->ncheckpoints, 1);
  cp = &c->checkpoints[0];
  assert_string_equal(cp->id, "kerem-shalom");
  assert_string_equal(cp->name, "Kerem Shalom");
  assert_int_equal(cp->has_lat, 1);
  assert_int_equal(cp->has_lon, 1);
  assert_int_equal(cp->has_km, 1);
  assert_true(cp->lat == 31.2275);
  assert_true(cp->lon == 34.2836);
  assert_true(cp->km == 0);
  assert_null(cp->note);
  assert_int_equal(cp->line, 8);
  assert_ptr_equal(corridor_find_checkpoint(c, "kerem-shalom"), cp);
  assert_null(corridor_find_checkpoint(c, "erez"));

  assert_int_equal(c->ncategories, 1);
  cat = &c->categories[0];
  assert_string_equal(cat->id, "food");
  assert_string_equal(cat->name, "food");
  assert_string_equal(cat->unit, "t");
  assert_int_equal(cat->has_need, 1);
  assert_true(cat->need_per_person_per_day == 0.5);
  assert_string_equal(cat->need_unit, "kg");
  assert_int_equal(cat->line, 13);
  assert_ptr_equal(corridor_find_category(c, "food"), cat);
  assert_null(corridor_find_category(c, "fuel"));

  assert_int_equal(c->nobligations, 1);
  ob = &c->obligations[0];
  assert_string_equal(ob->id, "free-movement");
  assert_string_equal(
      ob->text, "movement of citizens, vehicles and goods in both directions");
  assert_int_equal(ob->nmeasures, 3);
  assert_string_equal(ob->measures[0], "persons");
  assert_string_equal(ob->measures[1], "vehicles");
  assert_string_equal(ob->measures[2], "tonnes");
  assert_int_equal(ob->ndirections, 2);
  assert_string_equal(ob->directions[0], "in");
  assert_string_equal(ob->directions[1], "out");
  assert_int_equal(ob->ncheckpoints, 1);
  assert_string_equal(ob->checkpoints[0], "kerem-shalom");
  assert_int_equal(ob->has_min_ratio, 1);
  assert_true(ob->min_ratio_of_baseline == 0.8);
  assert_int_equal(ob->has_min_availability, 0);
  assert_int_equal(ob->line, 16);
  corridor_free(c);
}

static void
test_defaults(void **state)
{
  struct corridor *c;

  (void)state;
  c = expect_ok("[corridor]\nname = Lachin Corridor\n"
                "[checkpoint a1]\nname = A 1\n"
                "[checkpoint a234567890123456789012345678901234567890123456"
                "789012345678901234]\nname = 64\n"
                "[category fuel]\n"
                "[obligation open]\nmin_availability = 0.8333\n");
  assert_string_equal(c->name, "Lachin Corridor");
  assert_string_equal(c->log, "lachin-corridor");
  assert_string_equal(c->timezone, "UTC");
  assert_null(c->inside);
  assert_int_equal(c->has_baseline, 0);
  assert_true(c->restricted_weight == 0.5);
  assert_true(c->dispute_tolerance == 0.10);
  assert_int_equal(c->min_public_count, 10);
  assert_int_equal(c->warning_days, 30);
  assert_int_equal(c->severe_days, 14);
  assert_int_equal(c->critical_days, 7);

  assert_int_equal(c->checkpoints[0].has_lat, 0);
  assert_int_equal(c->checkpoints[0].has_lon, 0);
  assert_int_equal(c->checkpoints[0].has_km, 0);
  assert_null(c->checkpoints[0].note);

  assert_string_equal(c->categories[0].name, "fuel");
  assert_string_equal(c->categories[0].unit, "t");
  assert_string_equal(c->categories[0].need_unit, "kg");
  assert_int_equal(c->categories[0].has_need, 0);

  /* An obligation without lists covers everything. */
  assert_string_equal(c->obligations[0].text, "open");
  assert_int_equal(c->obligations[0].nmeasures, 3);
  assert_string_equal(c->obligations[0].measures[2], "tonnes");
  assert_int_equal(c->obligations[0].ndirections, 2);
  assert_int_equal(c->obligations[0].ncheckpoints, 0);
  assert_int_equal(c->obligations[0].has_min_ratio, 0);
  assert_int_equal(c->obligations[0].has_min_availability, 1);
  assert_true(c->obligations[0].min_availability == 0.8333);
  corridor_free(c);

  c = corridor_new_default("Gaza crossings");
  assert_string_equal(c->name, "Gaza crossings");
  assert_string_equal(c->log, "gaza-crossings");
  assert_string_equal(c->timezone, "UTC");
  assert_null(c->inside);
  assert_int_equal(c->has_baseline, 0);
  assert_true(c->restricted_weight == 0.5);
  assert_true(c->dispute_tolerance == 0.10);
  assert_int_equal(c->min_public_count, 10);
  assert_int_equal(c->warning_days, 30);
  assert_int_equal(c->severe_days, 14);
  assert_int_equal(c->critical_days, 7);
  assert_int_equal(c->ncheckpoints + c->ncategories + c->nobligations, 0);
  corridor_free(c);
  corridor_free(NULL);
}

/* Every key set, in the other forms the file allows. */
static void
test_all_keys(void **state)
{
  struct corridor *c;

  (void)state;
  if (!have_zone("Etc/GMT+5"))
    skip();
  c = expect_ok("\xEF\xBB\xBF; a comment\r\n"
                "# another comment\r\n"
                "  [ corridor ]  \r\n"
                "  name: A;B #1  ; the ';' in A;B is kept, as is '#1'\r\n"
                "timezone = Etc/GMT+5\r\n"
                "baseline = 2023-08-01 .. 2023-08-01\r\n"
                "restricted_weight = 1\r\n"
                "dispute_tolerance = 0.25\r\n"
                "min_public_count = 1,000\r\n"
                "[checkpoint b.2_x-y]\r\n"
                "name = Kerem Shalom (south)\r\n"
                "lat = -90\r\nlon = 180\r\nkm = 12.5\r\n"
                "note = run by \"COGAT\": 08:00-16:00\r\n"
                "[category medicine]\r\n"
                "name = Medical supplies\r\nunit = kg\r\n"
                "need_per_person_per_day = 0.01\r\nneed_unit = kg\r\n"
                "[obligation o]\r\n"
                "text = open 20 h a day\r\n"
                "measures = tonnes\r\ndirections = in\r\n"
                "checkpoints = b.2_x-y\r\n"
                "min_ratio_of_baseline = 0\r\nmin_availability = 0.8333\r\n"
                "[alerts]\r\n"
                "warning_days = 21\r\nsevere_days = 21\r\ncritical_days = 1");
  assert_string_equal(c->name, "A;B #1");
  assert_string_equal(c->log, "a-b-1");
  assert_string_equal(c->timezone, "Etc/GMT+5");
  assert_int_equal(c->baseline_from, 19570);
  assert_int_equal(c->baseline_to, 19570);
  assert_true(c->restricted_weight == 1);
  assert_true(c->dispute_tolerance == 0.25);
  assert_int_equal(c->min_public_count, 1000);
  assert_string_equal(c->checkpoints[0].id, "b.2_x-y");
  assert_string_equal(c->checkpoints[0].name, "Kerem Shalom (south)");
  assert_true(c->checkpoints[0].lat == -90);
  assert_true(c->checkpoints[0].lon == 180);
  assert_true(c->checkpoints[0].km == 12.5);
  assert_string_equal(c->checkpoints[0].note, "run by \"COGAT\": 08:00-16:00");
  assert_int_equal(c->checkpoints[0].line, 10);
  assert_string_equal(c->categories[0].name, "Medical supplies");
  assert_string_equal(c->categories[0].unit, "kg");
  assert_true(c->categories[0].need_per_person_per_day == 0.01);
  assert_int_equal(c->obligations[0].nmeasures, 1);
  assert_string_equal(c->obligations[0].measures[0], "tonnes");
  assert_int_equal(c->obligations[0].ndirections, 1);
  assert_string_equal(c->obligations[0].directions[0], "in");
  assert_int_equal(c->obligations[0].has_min_ratio, 1);
  assert_true(c->obligations[0].min_ratio_of_baseline == 0);
  assert_int_equal(c->warning_days, 21);
  assert_int_equal(c->severe_days, 21);
  assert_int_equal(c->critical_days, 1);
  corridor_free(c);
}

/* A value longer than inih's own line buffer arrives whole. */
static void
test_long_value(void **state)
{
  struct buf text, want;
  struct corridor *c;

  (void)state;
  buf_init(&text);
  buf_init(&want);
  for (int i = 0; i < 100; i++)
    buf_printf(&want, "clause %d; ", i);
  buf_puts(&want, "end");
  buf_printf(&text,
             "[corridor]\nname = X\n[obligation long]\ntext = %s   "
             "; comment\nmin_ratio_of_baseline = 0.5\n",
             want.data);
  c = expect_ok(text.data);
  assert_string_equal(c->obligations[0].text, want.data);
  assert_true(c->obligations[0].min_ratio_of_baseline == 0.5);
  corridor_free(c);

  /* A long bad value is quoted in part. */
  buf_reset(&text);
  buf_puts(&text, "[corridor]\nname = X\n[checkpoint a]\nname = A\nlat = ");
  for (int i = 0; i < 30; i++)
    buf_puts(&text, "0123456789");
  expect_errors(text.data,
                "t.ini:5: key 'lat': expected a number between -90 and 90, "
                "got '0123456789012345678901234567890123456789"
                "0123456789012345678901234567890123456789...'\n");

  /* Past the line cap. */
  buf_reset(&text);
  buf_puts(&text, "[corridor]\nname = X\ninside = ");
  for (int i = 0; i < 820; i++)
    buf_puts(&text, "0123456789");
  expect_errors(text.data, "t.ini:3: line longer than 8192 bytes\n");
  buf_cleanup(&text);
  buf_cleanup(&want);
}

#define P "[corridor]\nname = Test\n"

struct bad {
  const char *text;
  const char *want;
};

static const struct bad bads[] = {
    /* Sections. */
    {P "[checkpoints]\n",
     "t.ini:3: unknown section [checkpoints]; expected [corridor], "
     "[checkpoint ID], [category ID], [obligation ID], [witness ID], [stages], "
     "[alerts] or [publish]\n"},
    {P "[checkpoint Kerem Shalom]\nname = K\n",
     "t.ini:3: section [checkpoint Kerem Shalom]: id 'Kerem Shalom' must "
     "match [a-z0-9][a-z0-9._-]* (lower-case letters, digits, '.', '_' and "
     "'-', starting with a letter or digit, at most 64 characters)\n"},
    {P "[category -food]\n",
     "t.ini:3: section [category -food]: id '-food' must match "
     "[a-z0-9][a-z0-9._-]* (lower-case letters, digits, '.', '_' and '-', "
     "starting with a letter or digit, at most 64 characters)\n"},
    {P "[checkpoint a2345678901234567890123456789012345678901234567890"
       "12345678901234x]\nname = K\n",
     "t.ini:3: section [checkpoint a234567890123456789012345678901234567890"
     "123456789012345678901234x]: id 'a234567890123456789012345678901234567890"
     "123456789012345678901234x' must match [a-z0-9][a-z0-9._-]* (lower-case "
     "letters, digits, '.', '_' and '-', starting with a letter or digit, at "
     "most 64 characters)\n"},
    {P "[checkpoint]\nname = K\n",
     "t.ini:3: section [checkpoint] needs an id, as in "
     "[checkpoint kerem-shalom]\n"},
    {P "[obligation]\n", "t.ini:3: section [obligation] needs an id, as in "
                         "[obligation free-movement]\n"},
    {P "[alerts x]\n", "t.ini:3: section [alerts] takes no id, got "
                       "[alerts x]\n"},
    {P "[corridor]\nname = Again\n",
     "t.ini:3: duplicate section [corridor] (first at line 1)\n"},
    {P "[checkpoint a]\nname = A\n[checkpoint a]\nname = B\n",
     "t.ini:5: duplicate section [checkpoint a] (first at line 3)\n"},
    {P "[checkpoint a]\nlat = 1\n",
     "t.ini:3: missing required key 'name' in [checkpoint a]\n"},
    {"[corridor]\ninside = Gaza Strip\n",
     "t.ini:1: missing required key 'name' in [corridor]\n"},
    {"[alerts]\n", "t.ini: missing required section [corridor]\n"},
    {"", "t.ini: missing required section [corridor]\n"},
    /* Keys. */
    {P "lat = 1\n", "t.ini:3: unknown key 'lat' in [corridor]\n"},
    {P "Name = x\n", "t.ini:3: unknown key 'Name' in [corridor]\n"},
    {P "name = Again\n",
     "t.ini:3: duplicate key 'name' in [corridor] (first at line 2)\n"},
    {"x = 1\n" P, "t.ini:1: key 'x' comes before the first section\n"},
    {P "[checkpoint a]\nname =\n",
     "t.ini:4: key 'name': expected a non-empty text, got ''\n"},
    /* Values. */
    {P "log = gaza crossings\n",
     "t.ini:3: key 'log': expected a log name without spaces or '+', such "
     "as 'example.org/gaza-crossings', got 'gaza crossings'\n"},
    {P "timezone = Mars/Olympus\n",
     "t.ini:3: key 'timezone': expected an IANA time zone name such as "
     "'Asia/Gaza' or 'UTC', got 'Mars/Olympus'\n"},
    {P "timezone = ../../../etc/passwd\n",
     "t.ini:3: key 'timezone': expected an IANA time zone name such as "
     "'Asia/Gaza' or 'UTC', got '../../../etc/passwd'\n"},
    {P "timezone = zone.tab\n",
     "t.ini:3: key 'timezone': expected an IANA time zone name such as "
     "'Asia/Gaza' or 'UTC', got 'zone.tab'\n"},
    {P "timezone = Asia\n",
     "t.ini:3: key 'timezone': expected an IANA time zone name such as "
     "'Asia/Gaza' or 'UTC', got 'Asia'\n"},
    {P "baseline = 2023-09-30..2023-08-01\n",
     "t.ini:3: key 'baseline': expected the first date on or before the "
     "second, got '2023-09-30..2023-08-01'\n"},
    {P "baseline = 2023-08..2023-09\n",
     "t.ini:3: key 'baseline': expected two dates FROM..TO such as "
     "'2023-08-01..2023-09-30', got '2023-08..2023-09'\n"},
    {P "baseline = 2023-02-01..2023-02-30\n",
     "t.ini:3: key 'baseline': expected two dates FROM..TO such as "
     "'2023-08-01..2023-09-30', got '2023-02-01..2023-02-30'\n"},
    {P "baseline = 2023-08-01\n",
     "t.ini:3: key 'baseline': expected two dates FROM..TO such as "
     "'2023-08-01..2023-09-30', got '2023-08-01'\n"},
    {P "restricted_weight = 1.5\n",
     "t.ini:3: key 'restricted_weight': expected a number between 0 and 1, "
     "got '1.5'\n"},
    {P "dispute_tolerance = -0.1\n",
     "t.ini:3: key 'dispute_tolerance': expected a number of 0 or more, got "
     "'-0.1'\n"},
    {P "min_public_count = 2.5\n",
     "t.ini:3: key 'min_public_count': expected a whole number of 0 or more, "
     "got '2.5'\n"},
    {P "[checkpoint a]\nname = A\nlat = north\n",
     "t.ini:5: key 'lat': expected a number between -90 and 90, got "
     "'north'\n"},
    {P "[checkpoint a]\nname = A\nlon = 180.5\n",
     "t.ini:5: key 'lon': expected a number between -180 and 180, got "
     "'180.5'\n"},
    {P "[checkpoint a]\nname = A\nkm = -1\n",
     "t.ini:5: key 'km': expected a number of 0 or more, got '-1'\n"},
    {P "[category food]\nunit = metric tonnes\n",
     "t.ini:4: key 'unit': expected a unit written as one word, such as "
     "'t', 'kg' or 'l', got 'metric tonnes'\n"},
    {P "[category food]\nneed_per_person_per_day = nan\n",
     "t.ini:4: key 'need_per_person_per_day': expected a number of 0 or "
     "more, got 'nan'\n"},
    {P "[obligation o]\nmeasures = persons, people\n",
     "t.ini:4: key 'measures': expected a comma-separated list from persons, "
     "vehicles, tonnes, each at most once, got 'persons, people'\n"},
    {P "[obligation o]\ndirections = in, in\n",
     "t.ini:4: key 'directions': expected a comma-separated list from in, "
     "out, each at most once, got 'in, in'\n"},
    {P "[obligation o]\ndirections = in,\n",
     "t.ini:4: key 'directions': expected a comma-separated list from in, "
     "out, each at most once, got 'in,'\n"},
    {P "[obligation o]\ncheckpoints = Erez\n",
     "t.ini:4: key 'checkpoints': expected a comma-separated list of "
     "checkpoint ids, each at most once, got 'Erez'\n"},
    {P "[obligation o]\nmin_ratio_of_baseline = 80%\n",
     "t.ini:4: key 'min_ratio_of_baseline': expected a number between 0 and "
     "1, got '80%'\n"},
    {P "[obligation o]\nmin_availability = 2\n",
     "t.ini:4: key 'min_availability': expected a number between 0 and 1, "
     "got '2'\n"},
    {P "[alerts]\nwarning_days = 0\n",
     "t.ini:4: key 'warning_days': expected a whole number of days between "
     "1 and 3650, got '0'\n"},
    {P "[alerts]\ncritical_days = 3.5\n",
     "t.ini:4: key 'critical_days': expected a whole number of days between "
     "1 and 3650, got '3.5'\n"},
    /* Checks across keys and sections. */
    {P "[alerts]\nsevere_days = 40\n",
     "t.ini:3: [alerts]: expected critical_days <= severe_days <= "
     "warning_days, got 7, 40, 30\n"},
    {P "[obligation o]\ncheckpoints = erez, a\n[checkpoint a]\nname = A\n",
     "t.ini:3: key 'checkpoints': expected checkpoint ids defined in this "
     "file, got 'erez'\n"},
    {"[corridor]\nname = ???\n",
     "t.ini:1: missing required key 'log' in [corridor] (the name has no "
     "letters or digits to derive it from)\n"},
    /* Lines. */
    {P "just text\n", "t.ini:3: expected 'key = value', '[section]' or a "
                      "comment, got 'just text'\n"},
    {P "[alerts\nwarning_days = 3\n",
     "t.ini:3: expected ']' at the end of the section header\n"},
    {P "[alerts] x\n", "t.ini:3: unexpected text after ']': ' x'\n"},
    {P "= 5\n", "t.ini:3: expected a key before '='\n"},
    {P "inside = a\x02z\n", "t.ini:3: control character 0x02 in the line\n"},
    {P "inside = Gaza\xff\n",
     "t.ini:3: the line is not valid UTF-8 (save the file as UTF-8)\n"},
    {P "inside = \xed\xa0\x80\n",
     "t.ini:3: the line is not valid UTF-8 (save the file as UTF-8)\n"},
};

static void
test_each_error(void **state)
{
  (void)state;
  for (size_t i = 0; i < sizeof bads / sizeof *bads; i++)
    expect_errors(bads[i].text, bads[i].want);
}

/* Every problem of a file at once, in line order. */
static void
test_all_errors_listed(void **state)
{
  (void)state;
  expect_errors(
      "stray = 1\n"                         /* 1 */
      "[corridor]\n"                        /* 2 */
      "timezone = Nowhere/City\n"           /* 3 */
      "baseline = 2023-09-30..2023-08-01\n" /* 4 */
      "restricted_weight = half\n"          /* 5 */
      "colour = red\n"                      /* 6 */
      "[checkpoint erez]\n"                 /* 7 */
      "lat = north\n"                       /* 8 */
      "lon = 34.5\n"                        /* 9 */
      "lon = 34.6\n"                        /* 10 */
      "[checkpoint erez]\n"                 /* 11 */
      "name = Erez\n"                       /* 12 */
      "[obligation free-movement]\n"        /* 13 */
      "measures = trucks\n"                 /* 14 */
      "checkpoints = kerem-shalom, erez\n"  /* 15 */
      "[station x]\n"                       /* 16 */
      "name = ignored\n"                    /* 17 */
      "[alerts]\n"                          /* 18 */
      "warning_days = 10\n"                 /* 19 */
      "critical_days = 0\n",                /* 20 */
      "t.ini:1: key 'stray' comes before the first section\n"
      "t.ini:2: missing required key 'name' in [corridor]\n"
      "t.ini:3: key 'timezone': expected an IANA time zone name "
      "such as 'Asia/Gaza' or 'UTC', got 'Nowhere/City'\n"
      "t.ini:4: key 'baseline': expected the first date on or "
      "before the second, got '2023-09-30..2023-08-01'\n"
      "t.ini:5: key 'restricted_weight': expected a number between "
      "0 and 1, got 'half'\n"
      "t.ini:6: unknown key 'colour' in [corridor]\n"
      "t.ini:7: missing required key 'name' in [checkpoint erez]\n"
      "t.ini:8: key 'lat': expected a number between -90 and 90, "
      "got 'north'\n"
      "t.ini:10: duplicate key 'lon' in [checkpoint erez] (first "
      "at line 9)\n"
      "t.ini:11: duplicate section [checkpoint erez] (first at "
      "line 7)\n"
      "t.ini:13: key 'checkpoints': expected checkpoint ids "
      "defined in this file, got 'kerem-shalom'\n"
      "t.ini:14: key 'measures': expected a comma-separated list "
      "from persons, vehicles, tonnes, each at most once, got "
      "'trucks'\n"
      "t.ini:16: unknown section [station x]; expected [corridor], "
      "[checkpoint ID], [category ID], [obligation ID], [witness ID], "
      "[stages], [alerts] or [publish]\n"
      "t.ini:18: [alerts]: expected critical_days <= severe_days "
      "<= warning_days, got 7, 14, 10\n"
      "t.ini:20: key 'critical_days': expected a whole number of "
      "days between 1 and 3650, got '0'\n");
}

static void
test_caps(void **state)
{
  struct buf text, err;
  struct corridor *c = NULL;

  (void)state;
  buf_init(&text);
  buf_init(&err);
  buf_puts(&text, P);
  for (int i = 0; i < 1001; i++)
    buf_printf(&text, "[checkpoint c%d]\nname = C\n", i);
  assert_int_equal(parse(text.data, &c, &err), ERR_INVALID);
  assert_string_equal(err.data, "t.ini:2001: too many sections (at most "
                                "1000)\n");

  buf_reset(&text);
  buf_puts(&text, P);
  while (text.len <= 1024 * 1024)
    buf_puts(&text, "; padding padding padding padding padding padding\n");
  assert_int_equal(parse(text.data, &c, &err), ERR_INVALID);
  assert_null(c);
  assert_string_equal(err.data, "t.ini: the file is larger than 1048576 "
                                "bytes; a corridor file is a few "
                                "kilobytes\n");

  /* Problems past the thousandth are counted, not listed. */
  buf_reset(&text);
  buf_puts(&text, P);
  for (int i = 0; i < 1005; i++)
    buf_puts(&text, "?\n");
  assert_int_equal(parse(text.data, &c, &err), ERR_INVALID);
  assert_non_null(strstr(err.data, "t.ini:1002: expected 'key = value'"));
  assert_null(strstr(err.data, "t.ini:1003:"));
  assert_non_null(strstr(err.data, "\nt.ini: 5 more problems not listed\n"));
  buf_cleanup(&text);
  buf_cleanup(&err);
}

static void
write_file(const char *path, const char *text)
{
  int fd = open(path, O_WRONLY | O_TRUNC);

  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
}

static void
test_load(void **state)
{
  char path[] = "/tmp/passage-corridor-XXXXXX";
  struct corridor *c = NULL;
  struct buf err, want;
  int fd;

  (void)state;
  buf_init(&err);
  buf_init(&want);
  fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);

  /* Messages name the file as the caller gave it. */
  write_file(path, P "[alerts]\nsevere_days = x\n");
  assert_int_equal(corridor_load(path, &c, &err), ERR_INVALID);
  assert_null(c);
  buf_printf(&want,
             "%s:4: key 'severe_days': expected a whole number of "
             "days between 1 and 3650, got 'x'\n",
             path);
  assert_string_equal(err.data, want.data);

  write_file(path, P);
  buf_reset(&err);
  assert_int_equal(corridor_load(path, &c, &err), OK);
  assert_string_equal(c->name, "Test");
  assert_int_equal(err.len, 0);
  corridor_free(c);
  unlink(path);

  c = (struct corridor *)1;
  assert_int_equal(corridor_load(path, &c, &err), ERR_IO);
  assert_null(c);
  buf_reset(&want);
  buf_printf(&want, "%s: cannot open: No such file or directory\n", path);
  assert_string_equal(err.data, want.data);
  buf_reset(&err);
  assert_int_equal(corridor_load("/tmp", &c, &err), ERR_IO);
  assert_string_equal(err.data, "/tmp: not a regular file\n");
  buf_cleanup(&err);
  buf_cleanup(&want);
}

/* [stages] (issue 8, item 9): the default four, counted at crossed; the
 * UN2720 words with crossed as the counting stage; a list without crossed
 * must name its counting stage, which must be one of its stages. */
static void
test_stages(void **state)
{
  struct corridor *c;

  (void)state;
  c = expect_ok(P);
  assert_int_equal(c->nstages, 4);
  assert_string_equal(c->stages[0], "queued");
  assert_string_equal(c->stages[3], "delivered");
  assert_string_equal(c->counting_stage, "crossed");
  assert_int_equal(corridor_stage_index(c, "inspected"), 1);
  assert_int_equal(corridor_stage_index(c, "offloaded"), -1);
  corridor_free(c);

  c = expect_ok(P
                "[stages]\n"
                "order = arrived, inspected, crossed, offloaded, collected\n");
  assert_int_equal(c->nstages, 5);
  assert_string_equal(c->stages[4], "collected");
  assert_string_equal(c->counting_stage, "crossed");
  assert_int_equal(corridor_stage_index(c, "offloaded"), 3);
  corridor_free(c);

  c = expect_ok(P "[stages]\norder = waiting, cleared, through\n"
                  "counting = cleared\n");
  assert_string_equal(c->counting_stage, "cleared");
  assert_int_equal(corridor_stage_index(c, "cleared"), 1);
  corridor_free(c);

  c = corridor_new_default("x");
  assert_int_equal(c->nstages, 4);
  assert_string_equal(c->counting_stage, "crossed");
  corridor_free(c);

  expect_errors(P "[stages]\norder = waiting, cleared\n",
                "t.ini:3: [stages]: key 'counting': required when 'order' "
                "does not name crossed (which stage counts as having "
                "crossed?)\n");
  expect_errors(P "[stages]\ncounting = landed\n",
                "t.ini:3: [stages]: key 'counting': expected one of the "
                "stages of 'order', got 'landed'\n");
  expect_errors(P "[stages]\norder = queued, Crossed, queued\n",
                "t.ini:4: key 'order': expected a comma-separated list of "
                "stage names (lower-case letters, digits, '_' and '-', such "
                "as queued, inspected, crossed, delivered), each at most "
                "once, got 'queued, Crossed, queued'\n");
  expect_errors(P "[stages]\norder = at.gate, crossed\n",
                "t.ini:4: key 'order': expected a comma-separated list of "
                "stage names (lower-case letters, digits, '_' and '-', such "
                "as queued, inspected, crossed, delivered), each at most "
                "once, got 'at.gate, crossed'\n");
}

/* [witness NAME] (issue 12): url and key required, the key of the
 * cosignature type (0x04: base64 starting with 'B'), not a log's (0x01). */
#define W1KEY                                                                  \
  "witness.example/w1+51880631+BJWw8mur41/vSHmTpX02a3Gt/D1gr/Ty/miAgaXPAvzk"
#define LOGKEY                                                                 \
  "passage.example/"                                                           \
  "tiles+4a5c0dd3+AXnsRZMZNe3ji6q3Ui8qNfkzYFQYIhajoQkaehNWLaP5"

static void
test_witnesses(void **state)
{
  struct corridor *c;

  (void)state;
  c = expect_ok(P "[witness icrc]\nurl = https://w.example.org/icrc/\n"
                  "key = " W1KEY "\n[witness gov-a]\nkey = " W1KEY
                  "\nurl = http://127.0.0.1:8081\n");
  assert_int_equal(c->nwitnesses, 2);
  assert_string_equal(c->witnesses[0].id, "icrc");
  assert_string_equal(c->witnesses[0].url, "https://w.example.org/icrc/");
  assert_string_equal(c->witnesses[0].key, W1KEY);
  assert_int_equal(c->witnesses[0].line, 3);
  assert_string_equal(c->witnesses[1].id, "gov-a");
  assert_string_equal(c->witnesses[1].url, "http://127.0.0.1:8081");
  corridor_free(c);
  c = expect_ok(P);
  assert_int_equal(c->nwitnesses, 0);
  corridor_free(c);
  expect_errors(P "[witness icrc]\nurl = https://w.example.org\n",
                "t.ini:3: missing required key 'key' in [witness icrc]\n");
  expect_errors(P "[witness icrc]\nkey = " W1KEY "\n",
                "t.ini:3: missing required key 'url' in [witness icrc]\n");
  expect_errors(P "[witness icrc]\nurl = ftp://w.example.org\nkey = " W1KEY
                  "\n",
                "t.ini:4: key 'url': expected the witness's submission "
                "prefix, an http:// or https:// URL such as "
                "'https://witness.example.org/passage', got "
                "'ftp://w.example.org'\n");
  expect_errors(P "[witness icrc]\nurl = https://w.example.org\nkey = " LOGKEY
                  "\n",
                "t.ini:5: key 'key': expected the witness's verifier key, "
                "as 'passage key public --key FILE --cosignature' prints it "
                "(NAME+HASH+KEY, key type 0x04), got '" LOGKEY "'\n");
  expect_errors(P "[witness]\n",
                "t.ini:3: section [witness] needs an id, as in [witness "
                "icrc]\n");
  expect_errors(P "[witness a]\nurl = http://x\nkey = " W1KEY "\n[witness a]\n",
                "t.ini:6: duplicate section [witness a] (first at line 3)\n");
}

/* The JSON form's canonical bytes (RFC 8785), as the log keeps them. */
static char *
canonical(const struct corridor *c)
{
  json_t *j = corridor_to_json(c);
  struct buf b;

  buf_init(&b);
  assert_int_equal(util_jcs_encode(j, &b), OK);
  json_decref(j);
  return buf_take(&b);
}

/* The example in UTC, so that no zone file is needed. */
static const char example_utc[] =
    "[corridor]\n"
    "name = Gaza crossings\n"
    "log = passage.example/gaza-crossings\n"
    "timezone = UTC\n"
    "inside = Gaza Strip\n"
    "baseline = 2023-08-01..2023-09-30\n"
    "restricted_weight = 0.5\n"
    "[checkpoint kerem-shalom]\n"
    "name = Kerem Shalom\n"
    "lat = 31.2275\n"
    "lon = 34.2836\n"
    "km = 0\n"
    "[category food]\n"
    "need_per_person_per_day = 0.5\n"
    "need_unit = kg\n"
    "[obligation free-movement]\n"
    "text = movement of citizens, vehicles and goods in both directions\n"
    "measures = persons, vehicles, tonnes\n"
    "directions = in, out\n"
    "checkpoints = kerem-shalom\n"
    "min_ratio_of_baseline = 0.8\n"
    "[alerts]\n"
    "warning_days = 30\n";

static void
test_json_form(void **state)
{
  /* Written out by hand from docs/corridor-file.md: members sorted by
   * name (RFC 8785), every default present (dispute_tolerance 0.1,
   * min_public_count 10, severe 14 and critical 7 days, the category's
   * name = its id and unit t), what is absent (a note, min_availability)
   * left out, the obligation's lists in the file's order; a checkpoint is
   * on the route unless it says not (true); the four stages, counted at
   * crossed; nothing public and no witnesses by default. */
  static const char want[] =
      "{\"alerts\":{\"critical_days\":7,\"severe_days\":14,\"warning_days\":30}"
      ","
      "\"categories\":[{\"id\":\"food\",\"name\":\"food\","
      "\"need_per_person_per_day\":0.5,\"need_unit\":\"kg\",\"unit\":\"t\"}],"
      "\"checkpoints\":[{\"id\":\"kerem-shalom\",\"km\":0,\"lat\":31.2275,"
      "\"lon\":34.2836,\"name\":\"Kerem Shalom\",\"route\":true}],"
      "\"corridor\":{\"baseline\":{\"from\":\"2023-08-01\",\"to\":"
      "\"2023-09-30\"},\"dispute_tolerance\":0.1,\"inside\":\"Gaza Strip\","
      "\"log\":\"passage.example/gaza-crossings\",\"min_public_count\":10,"
      "\"name\":\"Gaza crossings\",\"restricted_weight\":0.5,\"timezone\":"
      "\"UTC\"},"
      "\"obligations\":[{\"checkpoints\":[\"kerem-shalom\"],\"directions\":"
      "[\"in\",\"out\"],\"id\":\"free-movement\",\"measures\":[\"persons\","
      "\"vehicles\",\"tonnes\"],\"min_ratio_of_baseline\":0.8,\"text\":"
      "\"movement of citizens, vehicles and goods in both directions\"}],"
      "\"publish\":{},"
      "\"stages\":{\"counting\":\"crossed\",\"order\":[\"queued\","
      "\"inspected\",\"crossed\",\"delivered\"]},"
      "\"witnesses\":[]}";
  struct corridor *c = NULL;
  struct buf err;
  char *got;

  (void)state;
  buf_init(&err);
  assert_int_equal(parse(example_utc, &c, &err), OK);
  got = canonical(c);
  assert_string_equal(got, want);
  free(got);
  corridor_free(c);
  buf_cleanup(&err);
}

/* A corridor through JSON and through a file comes back the same. */
static void
round_trip(const char *text)
{
  struct corridor *c = NULL, *j = NULL, *f = NULL;
  char *first, *via_json, *via_file;
  struct buf err, ini;
  json_t *form;

  buf_init(&err);
  buf_init(&ini);
  assert_int_equal(parse(text, &c, &err), OK);
  first = canonical(c);
  form = corridor_to_json(c);
  assert_int_equal(corridor_from_json("entry 0", form, &j, &err), OK);
  json_decref(form);
  via_json = canonical(j);
  assert_string_equal(via_json, first);
  corridor_to_ini(c, &ini);
  if (parse(ini.data, &f, &err) != OK)
    fail_msg("the file form does not read back:\n%s\n%s", ini.data, err.data);
  via_file = canonical(f);
  assert_string_equal(via_file, first);
  free(first);
  free(via_json);
  free(via_file);
  corridor_free(c);
  corridor_free(j);
  corridor_free(f);
  buf_cleanup(&err);
  buf_cleanup(&ini);
}

static void
test_json_round_trip(void **state)
{
  (void)state;
  round_trip(example_utc);
  round_trip(P);
  /* Every key of every section, texts in other scripts and with signs
   * that mean something in a file (=, :, #, ; not after a blank). */
  round_trip("[corridor]\nname = Lachin corridor: Ağdərə=#1\n"
             "log = x.example/l\ninside = Nagorno-Karabakh;the enclave\n"
             "baseline = 2022-11-01..2022-12-11\nrestricted_weight = 0.25\n"
             "dispute_tolerance = 0\nmin_public_count = 0\n"
             "[checkpoint a]\nname = Лачин\nlat = -0.5\nlon = 180\nkm = 1e3\n"
             "note = \"quoted\" and \\\\ back\n"
             "[checkpoint b]\nname = B\nroute = no\n"
             "[category fuel]\nname = Fuel\nunit = l\n"
             "need_per_person_per_day = 0\nneed_unit = l\n"
             "[obligation o1]\ntext = T\nmeasures = tonnes, persons\n"
             "directions = out\ncheckpoints = b, a\n"
             "min_ratio_of_baseline = 1\nmin_availability = 0.8333\n"
             "from = 2022-12-12\nuntil = 2023-09-19\n"
             "[obligation o2]\nuntil = 2023-01-01\n"
             "[witness w1]\nurl = https://witness.example/w1\nkey = " W1KEY
             "\n[stages]\norder = waiting, cleared, through\n"
             "counting = cleared\n"
             "[alerts]\nwarning_days = 3650\nsevere_days = 2\n"
             "critical_days = 1\n"
             "[publish]\npublic = index, flows\n");
}

static void
test_json_file_form(void **state)
{
  /* What `corridor show --format ini` prints for the example: sections in
   * the order of the table, keys in the order of theirs, defaults written
   * out, lists joined by ", "; [publish] left out when nothing is public. */
  static const char want[] =
      "[corridor]\nname = Gaza crossings\n"
      "log = passage.example/gaza-crossings\ntimezone = UTC\n"
      "inside = Gaza Strip\nbaseline = 2023-08-01..2023-09-30\n"
      "restricted_weight = 0.5\ndispute_tolerance = 0.1\n"
      "min_public_count = 10\n"
      "\n[checkpoint kerem-shalom]\nname = Kerem Shalom\nlat = 31.2275\n"
      "lon = 34.2836\nkm = 0\nroute = yes\n"
      "\n[category food]\nname = food\nunit = t\n"
      "need_per_person_per_day = 0.5\nneed_unit = kg\n"
      "\n[obligation free-movement]\n"
      "text = movement of citizens, vehicles and goods in both directions\n"
      "measures = persons, vehicles, tonnes\ndirections = in, out\n"
      "checkpoints = kerem-shalom\nmin_ratio_of_baseline = 0.8\n"
      "\n[stages]\norder = queued, inspected, crossed, delivered\n"
      "counting = crossed\n"
      "\n[alerts]\nwarning_days = 30\nsevere_days = 14\ncritical_days = 7\n";
  struct corridor *c = NULL;
  struct buf err, ini;

  (void)state;
  buf_init(&err);
  buf_init(&ini);
  assert_int_equal(parse(example_utc, &c, &err), OK);
  corridor_to_ini(c, &ini);
  assert_string_equal(ini.data, want);
  corridor_free(c);
  buf_cleanup(&err);
  buf_cleanup(&ini);
}

/* Expects the JSON text to be refused with exactly the messages want. */
static void
expect_json_errors(const char *text, const char *want)
{
  struct corridor *c = (struct corridor *)1;
  json_error_t jerr;
  json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
  struct buf err;

  if (v == NULL)
    fail_msg("bad test JSON %s: %s", text, jerr.text);
  buf_init(&err);
  assert_int_equal(corridor_from_json("entry 0", v, &c, &err), ERR_INVALID);
  assert_null(c);
  if (err.data == NULL || strcmp(err.data, want) != 0)
    print_error("input:\n%s\ngot:\n%s\nwant:\n%s\n", text,
                err.data ? err.data : "(nothing)", want);
  assert_string_equal(err.data ? err.data : "", want);
  json_decref(v);
  buf_cleanup(&err);
}

#define J_CORRIDOR "\"corridor\":{\"name\":\"T\"}"

static void
test_json_refused(void **state)
{
  (void)state;
  /* Whatever a forger could put in an entry gets the file's checks. */
  expect_json_errors("[]", "entry 0: expected a JSON object\n");
  expect_json_errors("{}", "entry 0: missing required section [corridor]\n");
  expect_json_errors("{" J_CORRIDOR ",\"routes\":{}}",
                     "entry 0: unknown member 'routes'\n");
  /* The sections of truth and transparency are checked as in a file. */
  expect_json_errors("{" J_CORRIDOR ",\"checkpoints\":[{\"id\":\"a\","
                     "\"name\":\"A\",\"route\":\"yes\"}],"
                     "\"witnesses\":[{\"id\":\"w\",\"url\":\"ftp://w\"}]}",
                     "entry 0: key 'route': expected yes or no, got "
                     "'\"yes\"' (in the JSON form)\n"
                     "entry 0: key 'url': expected the witness's submission "
                     "prefix, an http:// or https:// URL such as "
                     "'https://witness.example.org/passage', got 'ftp://w'\n"
                     "entry 0: missing required key 'key' in [witness w]\n");
  expect_json_errors("{\"corridor\":[]}",
                     "entry 0: member 'corridor': expected an object\n"
                     "entry 0: missing required section [corridor]\n");
  expect_json_errors("{" J_CORRIDOR ",\"checkpoints\":{}}",
                     "entry 0: member 'checkpoints': expected an array\n");
  expect_json_errors("{" J_CORRIDOR ",\"checkpoints\":[{\"name\":\"A\"}]}",
                     "entry 0: member 'checkpoints': expected objects with "
                     "an \"id\"\n");
  /* A number as text, a list as text, a bad id, a missing name. */
  expect_json_errors(
      "{" J_CORRIDOR ",\"checkpoints\":[{\"id\":\"a\",\"name\":\"A\","
      "\"lat\":\"31\"},{\"id\":\"B b\",\"name\":\"B\"},{\"id\":\"c\"}]}",
      "entry 0: key 'lat': expected a number between -90 and 90, got "
      "'\"31\"' (in the JSON form)\n"
      "entry 0: section [checkpoint B b]: id 'B b' must match "
      "[a-z0-9][a-z0-9._-]* (lower-case letters, digits, '.', '_' and '-', "
      "starting with a letter or digit, at most 64 characters)\n"
      "entry 0: missing required key 'name' in [checkpoint c]\n");
  /* Text a file could not hold: a line break (which would start a
   * section of its own in the file form), blanks at an end, a comment. */
  expect_json_errors("{\"corridor\":{\"name\":\"x\\n[checkpoint evil]\"}}",
                     "entry 0: key 'name': expected a non-empty text, got "
                     "'\"x\\n[checkpoint evil]\"' (in the JSON form)\n"
                     "entry 0: missing required key 'name' in [corridor]\n");
  expect_json_errors("{\"corridor\":{\"name\":\"T \",\"inside\":\"a ;b\"}}",
                     "entry 0: key 'inside': expected a non-empty text, got "
                     "'\"a ;b\"' (in the JSON form)\n"
                     "entry 0: key 'name': expected a non-empty text, got "
                     "'\"T \"' (in the JSON form)\n"
                     "entry 0: missing required key 'name' in [corridor]\n");
  /* Values checked as in a file; references across sections too. */
  expect_json_errors(
      "{" J_CORRIDOR ",\"obligations\":[{\"id\":\"o\",\"measures\":"
      "[\"persons,vehicles\"],\"checkpoints\":[\"nowhere\"],"
      "\"min_availability\":2,\"colour\":\"red\"}]}",
      "entry 0: unknown key 'colour' in [obligation o]\n"
      "entry 0: key 'measures': expected a comma-separated list from "
      "persons, vehicles, tonnes, each at most once, got "
      "'[\"persons,vehicles\"]' (in the JSON form)\n"
      "entry 0: key 'min_availability': expected a number between 0 and "
      "1, got '2'\n"
      "entry 0: key 'checkpoints': expected checkpoint ids defined in this "
      "file, got 'nowhere'\n");
  expect_json_errors("{\"corridor\":{\"name\":\"T\",\"baseline\":"
                     "{\"from\":\"2023-09-30\",\"to\":\"2023-08-01\"}}}",
                     "entry 0: key 'baseline': expected the first date on "
                     "or before the second, got '2023-09-30..2023-08-01'\n");
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stages),
      cmocka_unit_test(test_example),
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_all_keys),
      cmocka_unit_test(test_long_value),
      cmocka_unit_test(test_each_error),
      cmocka_unit_test(test_all_errors_listed),
      cmocka_unit_test(test_caps),
      cmocka_unit_test(test_load),
      cmocka_unit_test(test_witnesses),
      cmocka_unit_test(test_json_form),
      cmocka_unit_test(test_json_round_trip),
      cmocka_unit_test(test_json_file_form),
      cmocka_unit_test(test_json_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
