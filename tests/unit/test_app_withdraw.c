/*
 * Unit tests of imports as the log records them and of their withdrawal,
 * through app as both front ends call it: the import's own record and the
 * range it names; the plan; a withdrawal refused before anything is
 * written (no reason, a reason that is no text); the withdrawal itself
 * (one correction per record and one of the import, with the records'
 * source and grade), what status and show then say, as of before it too;
 * and the server's status (no period of flows once none is live); a second
 * withdrawal refused; the file imported again adding its records
 * again under new ids; the options of how a file is read recorded with
 * it; the kinds passage writes refused to add.
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

#include "app/app.h"

static const char corridor_ini[] = "[corridor]\n"
                                   "name = Test corridor\n"
                                   "timezone = UTC\n"
                                   "[checkpoint north-gate]\n"
                                   "name = North Gate\n";

/* Two flows of the source s1 (graded B2), which the import creates. */
static const char flows[] = "start,checkpoint,direction,vehicles,source,grade\n"
                            "2023-03-01,north-gate,in,3,s1,B2\n"
                            "2023-03-02,north-gate,in,2,s1,B2\n";

struct fixture {
  char dir[64];
  char db[128];
  struct app *app;
};

static int
setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);
  struct app_init_result init = {0};
  struct app_error err = {0};
  char ini[128];
  FILE *f;

  snprintf(fx->dir, sizeof fx->dir, "/tmp/passage-withdraw-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  snprintf(fx->db, sizeof fx->db, "%s/p.db", fx->dir);
  snprintf(ini, sizeof ini, "%s/corridor.ini", fx->dir);
  f = fopen(ini, "w");
  assert_non_null(f);
  fputs(corridor_ini, f);
  assert_int_equal(fclose(f), 0);
  fx->app = app_new(fx->db);
  assert_int_equal(app_init(fx->app, ini, &init, &err), OK);
  app_init_result_cleanup(&init);
  *state = fx;
  return 0;
}

static int
teardown(void **state)
{
  struct fixture *fx = *state;
  char cmd[128];

  app_free(fx->app);
  snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
  assert_int_equal(system(cmd), 0);
  free(fx);
  return 0;
}

static int
import_flows(struct fixture *fx, struct app_import_result *res)
{
  struct app_import_query q = {0};
  struct app_error err = {0};
  int rc;

  q.kind = "flow";
  q.create_missing = 1;
  q.name = "flows.csv";
  q.data = flows;
  q.len = strlen(flows);
  rc = app_import(fx->app, &q, NULL, res, &err);
  app_error_cleanup(&err);
  return rc;
}

static json_int_t
status_count(struct fixture *fx, uint64_t as_of, const char *kind)
{
  struct app_error err = {0};
  json_t *o = NULL;
  json_int_t n;

  assert_int_equal(app_status(fx->app, as_of, &o, &err), OK);
  n = kind ? json_integer_value(
                 json_object_get(json_object_get(o, "records"), kind))
           : json_integer_value(json_object_get(o, "withdrawn"));
  json_decref(o);
  return n;
}

/* The period of the flows the server's status gives (app_overview), as
 * "FROM..TO", or "none". */
static char *
overview_span(struct fixture *fx)
{
  struct app_error err = {0};
  json_t *o = NULL, *span;
  char t[64];

  assert_int_equal(app_overview(fx->app, NULL, &o, &err), OK);
  span = json_object_get(o, "span");
  if (json_is_null(span))
    snprintf(t, sizeof t, "none");
  else
    snprintf(t, sizeof t, "%s..%s",
             json_string_value(json_object_get(span, "from")),
             json_string_value(json_object_get(span, "to")));
  json_decref(o);
  return strdup(t);
}

/* The id of the first flow, as the export has it. */
static char *
first_flow_id(struct fixture *fx, int nth)
{
  struct app_export_query q = {"flow", "jsonl"};
  struct app_error err = {0};
  FILE *f = tmpfile();
  struct app_sink sink = {app_sink_file, f};
  char line[1024];
  char *id = NULL;

  assert_int_equal(app_export(fx->app, &q, &sink, &err), OK);
  rewind(f);
  for (int i = 0; i <= nth; i++)
    assert_non_null(fgets(line, sizeof line, f));
  {
    json_t *o = json_loads(line, 0, NULL);
    id = strdup(json_string_value(json_object_get(o, "id")));
    json_decref(o);
  }
  fclose(f);
  return id;
}

static void
test_withdraw(void **state)
{
  struct fixture *fx = *state;
  struct app_import_result res;
  struct app_withdraw_plan plan;
  struct app_withdraw_query q = {"import-5", ""};
  struct app_error err = {0};
  uint64_t size = 0;
  json_t *o = NULL, *by;
  char *id;

  /* Entries: 0 the corridor's rules, 1 the checkpoint, 2 the source s1
   * (created), 3-4 the flows, 5 the import's record, import-5. */
  assert_int_equal(import_flows(fx, &res), OK);
  assert_int_equal(res.stats.import_seq, 5);
  assert_int_equal(res.size, 6);
  id = overview_span(fx);
  assert_string_equal(id, "2023-03-01..2023-03-02");
  free(id);

  assert_int_equal(app_withdraw_plan(fx->app, "import-5", &plan, &err), OK);
  assert_string_equal(plan.kind, "flow");
  assert_string_equal(plan.files, "flows.csv");
  assert_int_equal(plan.first, 2);
  assert_int_equal(plan.entries, 3);
  assert_int_equal(plan.records, 2);
  assert_int_equal(plan.live, 2);
  assert_int_equal(plan.created, 1);
  assert_int_equal(plan.withdrawn, 0);
  app_withdraw_plan_cleanup(&plan);

  /* Refused before anything is written. */
  assert_int_equal(app_withdraw(fx->app, &q, &plan, &size, &err), ERR_USAGE);
  assert_string_equal(err.field, "reason");
  q.reason = "bad \xff text";
  assert_int_not_equal(app_withdraw(fx->app, &q, &plan, &size, &err), OK);
  assert_string_equal(err.field, "reason");
  assert_int_equal(size, 6);
  assert_int_equal(app_withdraw_plan(fx->app, "import-9", &plan, &err),
                   ERR_NOTFOUND);
  assert_string_equal(err.field, "import");

  /* 6, 7: the flows' withdrawals; 8: the import's. */
  q.reason = "counted twice";
  assert_int_equal(app_withdraw(fx->app, &q, &plan, &size, &err), OK);
  assert_int_equal(plan.live, 2);
  assert_int_equal(size, 9);
  app_withdraw_plan_cleanup(&plan);
  assert_int_equal(status_count(fx, 0, "flow"), 0);
  assert_int_equal(status_count(fx, 0, NULL), 2);
  assert_int_equal(status_count(fx, 6, "flow"), 2);
  assert_int_equal(status_count(fx, 6, NULL), 0);
  /* No live flow is left: the server's status has no period of flows
   * (the rollups keep both days' rows, at zero). */
  id = overview_span(fx);
  assert_string_equal(id, "none");
  free(id);

  id = first_flow_id(fx, 0);
  assert_int_equal(app_show(fx->app, id, "flow", &o, &err), OK);
  assert_string_equal(json_string_value(json_object_get(o, "state")),
                      "withdrawn");
  by = json_array_get(json_object_get(o, "superseded_by"), 0);
  assert_string_equal(json_string_value(json_object_get(by, "id")),
                      "withdrawal-3");
  assert_int_equal(json_integer_value(json_object_get(by, "entry")), 6);
  assert_string_equal(json_string_value(json_object_get(by, "reason")),
                      "counted twice");
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(o, "import"), "id")),
      "import-5");
  json_decref(o);
  free(id);

  assert_int_equal(app_withdraw(fx->app, &q, &plan, &size, &err), ERR_EXISTS);
  assert_int_equal(size, 9);

  /* Again: new ids (generation 2), two flows and import-11. */
  assert_int_equal(import_flows(fx, &res), OK);
  assert_int_equal(res.stats.added, 2);
  assert_int_equal(res.stats.import_seq, 11);
  assert_int_equal(status_count(fx, 0, "flow"), 2);
  id = first_flow_id(fx, 2);
  assert_non_null(strstr(id, ".2-1"));
  free(id);
  /* And once only. */
  assert_int_equal(import_flows(fx, &res), OK);
  assert_int_equal(res.stats.added, 0);
  assert_int_equal(res.size, 12);
  app_error_cleanup(&err);
}

/*
 * The import's record keeps the options that say how the file was read,
 * as a command line spells them (import-a's dialect options beside the
 * mapping ones): a title row over the header, ';' between fields, a
 * decimal comma, day-first dates and a word for missing. Entries: 0 the
 * corridor's rules, 1 the checkpoint, 2 the source s1 (created), 3 the
 * flow, 4 the import.
 */
static void
test_options_recorded(void **state)
{
  static const char dialect[] = "Crossings at North Gate\n"
                                "start;checkpoint;direction;persons;source\n"
                                "05.01.2023;north-gate;in;12;s1\n";
  static const char *const missing[] = {"n/a"};
  struct fixture *fx = *state;
  struct app_import_query q = {0};
  struct app_import_result res;
  struct app_error err = {0};
  json_t *o = NULL, *rec;

  q.kind = "flow";
  q.create_missing = 1;
  q.delimiter = ";";
  q.decimal_comma = 1;
  q.date_format = "DMY";
  q.header_row = 2;
  q.missing = missing;
  q.nmissing = 1;
  q.name = "crossings.csv";
  q.data = dialect;
  q.len = strlen(dialect);
  assert_int_equal(app_import(fx->app, &q, NULL, &res, &err), OK);
  assert_int_equal(res.stats.added, 1);
  assert_int_equal(res.stats.import_seq, 4);
  assert_int_equal(app_show(fx->app, "import-4", "import", &o, &err), OK);
  rec = json_object_get(o, "record");
  /* ';' is quoted for a shell; DMY, 2 and n/a need no quotes. */
  assert_string_equal(json_string_value(json_object_get(rec, "options")),
                      "--delimiter ';' --decimal-comma --date-format DMY "
                      "--header-row 2 --missing n/a --create-missing");
  assert_string_equal(json_string_value(json_object_get(rec, "files")),
                      "crossings.csv");
  json_decref(o);
  app_error_cleanup(&err);
}

/* The kinds passage writes are no one's to add or import. */
static void
test_internal_kinds(void **state)
{
  struct fixture *fx = *state;
  static const char *const names[] = {"id", "reason"};
  static const char *const values[] = {"w-1", "x"};
  struct app_add_query q = {"withdrawal", names, values, 2, 0, 0};
  struct app_import_result res;
  struct app_error err = {0};

  assert_int_equal(app_add(fx->app, &q, NULL, &res, &err), ERR_USAGE);
  assert_string_equal(err.field, "kind");
  assert_int_equal(app_check_mapping("import", "set", "files=x.csv", &err),
                   ERR_USAGE);
  assert_string_equal(err.field, "kind");
  app_error_cleanup(&err);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_withdraw, setup, teardown),
      cmocka_unit_test_setup_teardown(test_options_recorded, setup, teardown),
      cmocka_unit_test_setup_teardown(test_internal_kinds, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
