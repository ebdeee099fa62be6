/*
 * Unit tests of app's records in and out, as the CLI and the server call
 * them: an import from a buffer and from a file (the same ids), its
 * problems heard by the sink and its failure as an error with no message,
 * the request checked before the store is touched (kind, format, mapping
 * options, each naming its field), one record added once, an export
 * through a sink in each format and stopped by it, and an import that
 * cannot have the store's write lock told to retry.
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
#include "store/store.h"

static const char corridor_ini[] = "[corridor]\n"
                                   "name = Test corridor\n"
                                   "timezone = UTC\n"
                                   "[checkpoint north-gate]\n"
                                   "name = North Gate\n";

static const char flows[] = "Day,Crossing,direction,vehicles\n"
                            "2023-03-01,North Gate,in,3\n"
                            "2023-03-02,north-gate,out,2\n";

struct fixture {
  char dir[64];
  char db[128];
  struct app *app;
  struct buf said; /* what the sink heard, a line each */
};

static void
write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");

  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

static int
setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);
  struct app_init_result init = {0};
  struct app_error err = {0};
  char ini[128];

  snprintf(fx->dir, sizeof fx->dir, "/tmp/passage-data-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  snprintf(fx->db, sizeof fx->db, "%s/p.db", fx->dir);
  snprintf(ini, sizeof ini, "%s/corridor.ini", fx->dir);
  write_file(ini, corridor_ini);
  /* A writer gives up after 1 s, not 30: test_import_retry waits it. */
  fx->app = app_new_with(fx->db, &(struct app_options){1000, 0, 0});
  /* The log: the corridor's rules (entry 0) and its one checkpoint. */
  assert_int_equal(app_init(fx->app, ini, &init, &err), OK);
  app_init_result_cleanup(&init);
  buf_init(&fx->said);
  *state = fx;
  return 0;
}

static int
teardown(void **state)
{
  struct fixture *fx = *state;
  char cmd[128];

  app_free(fx->app);
  buf_cleanup(&fx->said);
  snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
  assert_int_equal(system(cmd), 0);
  free(fx);
  return 0;
}

static void
on_error(void *ctx, const struct ingest_error *e)
{
  struct buf *said = ctx;

  buf_printf(said, "E%d %s:%lu field=%s | %s\n", (int)e->kind,
             e->file ? e->file : "-", e->line, e->field ? e->field : "-",
             e->message);
}

static void
on_note(void *ctx, const struct ingest_note *n)
{
  struct buf *said = ctx;

  buf_printf(said, "N%d", (int)n->kind);
  for (size_t i = 0; i < n->nnames; i++)
    buf_printf(said, " [%s]", n->names[i]);
  buf_putc(said, '\n');
}

static struct ingest_sink
sink_of(struct fixture *fx)
{
  struct ingest_sink s = {on_error, on_note, NULL, &fx->said};

  return s;
}

/* flows, mapped: Day and Crossing are no fields' names. */
static const char *const maps[] = {"start=Day,checkpoint=Crossing"};

static struct app_import_query
flows_query(void)
{
  struct app_import_query q = {0};

  q.kind = "flow";
  q.maps = maps;
  q.nmaps = 1;
  q.name = "upload.csv";
  q.data = flows;
  q.len = strlen(flows);
  return q;
}

static int
to_buf(void *ctx, const void *data, size_t len)
{
  buf_append(ctx, data, len);
  return OK;
}

/* Every flow, as JSON Lines. */
static char *
export_flows(struct app *app)
{
  struct app_export_query q = {"flow", "jsonl"};
  struct app_error err = {0};
  struct buf out;
  struct app_sink sink = {to_buf, &out};

  buf_init(&out);
  assert_int_equal(app_export(app, &q, &sink, &err), OK);
  return buf_take(&out);
}

/* An upload imports as the same bytes in a file do: same counts, same
 * ids; again, it adds nothing. The first import is recorded after its two
 * flows (entries 1 and 2; the checkpoint is 0) as import-3: size 4; the
 * second, which added nothing, is not recorded. */
static void
test_import_buffer_and_file(void **state)
{
  struct fixture *fx = *state;
  struct app_import_query q = flows_query();
  struct ingest_sink sink = sink_of(fx);
  struct app_import_result res;
  struct app_error err = {0};
  char path[128], *first, *second;
  const char *files[1] = {path};

  assert_int_equal(app_import(fx->app, &q, &sink, &res, &err), OK);
  assert_int_equal(res.stats.rows, 2);
  assert_int_equal(res.stats.added, 2);
  assert_int_equal(res.stats.import_seq, 4);
  assert_int_equal(res.size, 5);
  assert_null(fx->said.data);
  first = export_flows(fx->app);
  assert_non_null(strstr(first, "\"checkpoint\":\"north-gate\""));
  snprintf(path, sizeof path, "%s/upload.csv", fx->dir);
  write_file(path, flows);
  q.files = files;
  q.nfiles = 1;
  assert_int_equal(app_import(fx->app, &q, &sink, &res, &err), OK);
  assert_int_equal(res.stats.added, 0);
  assert_int_equal(res.stats.unchanged, 2);
  assert_int_equal(res.stats.import_seq, UINT64_MAX);
  assert_int_equal(res.size, 5);
  second = export_flows(fx->app);
  assert_string_equal(first, second);
  free(first);
  free(second);
}

/* Invalid rows: each told to the sink; the import fails with ERR_INVALID
 * and no message (the sink has said it), nothing stored. */
static void
test_import_invalid(void **state)
{
  struct fixture *fx = *state;
  static const char bad[] = "start,checkpoint,direction\n"
                            "2023-02-30,north-gate,in\n"
                            "2023-03-01,Ghost Town,in\n";
  struct app_import_query q = {0};
  struct ingest_sink sink = sink_of(fx);
  struct app_import_result res;
  struct app_error err = {0};

  q.kind = "flow";
  q.name = "bad.csv";
  q.data = bad;
  q.len = strlen(bad);
  assert_int_equal(app_import(fx->app, &q, &sink, &res, &err), ERR_INVALID);
  assert_int_equal(err.code, ERR_INVALID);
  assert_int_equal(err.kind, APP_ERROR_INPUT);
  assert_null(err.message);
  assert_int_equal(res.stats.rejected, 2);
  assert_int_equal(res.stats.added, 0);
  assert_int_equal(res.size, 2);
  assert_string_equal(
      fx->said.data,
      "E0 bad.csv:2 field=start | field 'start': expected a date, got "
      "'2023-02-30'\n"
      "E2 bad.csv:3 field=checkpoint | field 'checkpoint': unknown "
      "checkpoint 'Ghost Town'\n"
      "N2 [Ghost Town]\n");
  app_error_cleanup(&err);
}

/* A --map naming a column the input lacks: ERR_USAGE, field "map", said
 * by the sink. */
static void
test_import_map_missing_column(void **state)
{
  struct fixture *fx = *state;
  static const char *const no_column[] = {"start=Date"};
  struct app_import_query q = flows_query();
  struct ingest_sink sink = sink_of(fx);
  struct app_import_result res;
  struct app_error err = {0};

  q.maps = no_column;
  assert_int_equal(app_import(fx->app, &q, &sink, &res, &err), ERR_USAGE);
  assert_int_equal(err.kind, APP_ERROR_INPUT);
  assert_string_equal(err.field, "map");
  assert_null(err.message);
  assert_non_null(strstr(fx->said.data, "E8 upload.csv:0 field=start | "
                                        "--map start=Date: no such column"));
  app_error_cleanup(&err);
}

static void
expect_request_error(struct app_error *err, const char *field,
                     const char *message)
{
  assert_int_equal(err->code, ERR_USAGE);
  assert_int_equal(err->kind, APP_ERROR_REQUEST);
  assert_string_equal(err->field, field);
  if (strstr(err->message, message) == NULL)
    fail_msg("'%s' lacks '%s'", err->message, message);
  app_error_cleanup(err);
}

/* A bad request is told as such, field named, before any store is
 * opened: these run on a handle whose store does not exist. */
static void
test_bad_requests(void **state)
{
  struct fixture *fx = *state;
  static const char *const bad_map[] = {"colour=Paint"};
  static const char *const bad_values[] = {"direction:Entering"};
  struct app *none = app_new("/nonexistent/p.db");
  struct app_import_query q = flows_query();
  struct app_export_query e = {"flow", "xml"};
  struct app_add_query a = {"widget", NULL, NULL, 0, 0, 0};
  struct app_sink sink = {to_buf, NULL};
  struct app_import_result res;
  struct app_error err = {0};

  (void)fx;
  q.kind = "widget";
  assert_int_equal(app_import(none, &q, NULL, &res, &err), ERR_USAGE);
  expect_request_error(&err, "kind", "unknown kind 'widget'");
  q.kind = "flow";
  q.format = "xls";
  assert_int_equal(app_import(none, &q, NULL, &res, &err), ERR_USAGE);
  expect_request_error(&err, "format",
                       "expected csv, xlsx, ods or jsonl, got 'xls'");
  q.format = "hxl";
  q.maps = bad_map;
  assert_int_equal(app_import(none, &q, NULL, &res, &err), ERR_USAGE);
  expect_request_error(&err, "map", "--map: flow has no field 'colour'");
  q.maps = NULL;
  q.nmaps = 0;
  q.values = bad_values;
  q.nvalues = 1;
  assert_int_equal(app_import(none, &q, NULL, &res, &err), ERR_USAGE);
  expect_request_error(&err, "values", "expected Label=value");
  assert_int_equal(app_check_mapping("flow", "set", "nothing", &err),
                   ERR_USAGE);
  expect_request_error(&err, "set", "--set: expected field=value");
  assert_int_equal(app_check_mapping("flow", "set", "direction=in", &err), OK);
  assert_int_equal(app_check_mapping("widget", "map", "a=b", &err), ERR_USAGE);
  expect_request_error(&err, "kind", "unknown kind 'widget'");
  assert_int_equal(app_add(none, &a, NULL, &res, &err), ERR_USAGE);
  expect_request_error(&err, "kind", "unknown kind 'widget'");
  assert_int_equal(app_check_export(&e, &err), ERR_USAGE);
  expect_request_error(&err, "format", "expected csv, hxl or jsonl");
  assert_int_equal(app_export(none, &e, &sink, &err), ERR_USAGE);
  expect_request_error(&err, "format", "got 'xml'");
  /* A good request reaches the store, which is missing. */
  q.nvalues = 0;
  assert_int_equal(app_import(none, &q, NULL, &res, &err), ERR_IO);
  assert_int_equal(err.kind, APP_ERROR_PROGRAM);
  assert_non_null(strstr(err.message, "there is no store"));
  app_error_cleanup(&err);
  app_free(none);
}

/* add: a record once, then the same again adds nothing; a bad field is
 * the record's problem, told to the sink. */
static void
test_add(void **state)
{
  struct fixture *fx = *state;
  const char *names[] = {"start", "checkpoint", "direction", "colour"};
  const char *values[] = {"2023-03-01", "North Gate", "in", "red"};
  struct app_add_query q = {"flow", names, values, 3, 0, 0};
  struct ingest_sink sink = sink_of(fx);
  struct app_import_result res;
  struct app_error err = {0};

  assert_int_equal(app_add(fx->app, &q, &sink, &res, &err), OK);
  assert_int_equal(res.stats.added, 1);
  assert_int_equal(res.size, 3);
  assert_int_equal(app_add(fx->app, &q, &sink, &res, &err), OK);
  assert_int_equal(res.stats.added, 0);
  assert_int_equal(res.stats.unchanged, 1);
  assert_int_equal(res.size, 3);
  q.n = 4;
  assert_int_equal(app_add(fx->app, &q, &sink, &res, &err), ERR_INVALID);
  assert_int_equal(err.kind, APP_ERROR_INPUT);
  assert_null(err.message);
  assert_string_equal(fx->said.data,
                      "E0 command line:0 field=colour | field 'colour': no "
                      "such field\n");
  app_error_cleanup(&err);
}

static int
refuse(void *ctx, const void *data, size_t len)
{
  (void)data, (void)len;
  ++*(int *)ctx;
  return ERR_IO;
}

/* export: CSV with a header, HXL with its hashtag row, JSON Lines; a
 * refusing sink stops it with its own code and no message. */
static void
test_export(void **state)
{
  struct fixture *fx = *state;
  struct app_import_query iq = flows_query();
  struct app_export_query q = {"flow", NULL};
  struct app_import_result res;
  struct app_error err = {0};
  struct buf out;
  struct app_sink sink = {to_buf, &out};
  struct app_sink refusing = {refuse, NULL};
  int refused = 0;

  assert_int_equal(app_import(fx->app, &iq, NULL, &res, &err), OK);
  buf_init(&out);
  assert_int_equal(app_export(fx->app, &q, &sink, &err), OK);
  assert_int_equal(strncmp(out.data, "id,start,end,checkpoint,", 24), 0);
  assert_non_null(strstr(out.data, ",2023-03-02,2023-03-02,north-gate,out,"));
  buf_reset(&out);
  q.format = "hxl";
  assert_int_equal(app_export(fx->app, &q, &sink, &err), OK);
  assert_non_null(strstr(out.data, "\n#meta+id,#date+start,"));
  buf_reset(&out);
  q.kind = "checkpoint";
  q.format = "jsonl";
  assert_int_equal(app_export(fx->app, &q, &sink, &err), OK);
  assert_string_equal(out.data, "{\"id\":\"north-gate\",\"name\":\"North "
                                "Gate\",\"record\":\"checkpoint\"}\n");
  refusing.ctx = &refused;
  assert_int_equal(app_export(fx->app, &q, &refusing, &err), ERR_IO);
  assert_int_equal(refused, 1);
  assert_int_equal(err.code, ERR_IO);
  assert_null(err.message);
  app_error_cleanup(&err);
  buf_cleanup(&out);
}

/* Another handle holds the store's write lock past the busy timeout: the
 * import is told to retry (ERR_RETRY, the store's failure, said by the
 * sink); once the lock is free the same import goes through. */
static void
test_import_retry(void **state)
{
  struct fixture *fx = *state;
  struct app_import_query q = flows_query();
  struct ingest_sink sink = sink_of(fx);
  struct app_import_result res;
  struct app_error err = {0};
  struct store *other = NULL;
  struct buf msg;

  buf_init(&msg);
  assert_int_equal(store_open(fx->db, 0, &other, &msg), OK);
  assert_int_equal(store_begin(other), OK);
  assert_int_equal(app_import(fx->app, &q, &sink, &res, &err), ERR_RETRY);
  assert_int_equal(err.kind, APP_ERROR_PROGRAM);
  assert_null(err.message);
  assert_int_equal(res.stats.added, 0);
  assert_int_equal(strncmp(fx->said.data, "E10 -:0 field=- | ", 18), 0);
  assert_non_null(strstr(fx->said.data, "locked"));
  store_rollback(other);
  store_close(other);
  assert_int_equal(app_import(fx->app, &q, &sink, &res, &err), OK);
  assert_int_equal(res.stats.added, 2);
  app_error_cleanup(&err);
  buf_cleanup(&msg);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_import_buffer_and_file, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_import_invalid, setup, teardown),
      cmocka_unit_test_setup_teardown(test_import_map_missing_column, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
      cmocka_unit_test_setup_teardown(test_add, setup, teardown),
      cmocka_unit_test_setup_teardown(test_export, setup, teardown),
      cmocka_unit_test_setup_teardown(test_import_retry, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
