/*
 * Unit tests of app: the operations both front ends call. verify on a good
 * and a tampered store, a proof round trip through verify-proof, finding
 * records by id, one answer as JSON and CSV, and the error's code, kind and
 * field for bad requests.
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
#include <sqlite3.h>

#include "app/app.h"
#include "store/store.h"

static const char corridor_ini[] = "[corridor]\n"
                                   "name = Test corridor\n"
                                   "timezone = UTC\n"
                                   "[checkpoint north-gate]\n"
                                   "name = North Gate\n"
                                   "[checkpoint south-bridge]\n"
                                   "name = South Bridge\n";

struct fixture {
  char dir[64];
  char db[128];
  struct app *app;
};

static char *
path_in(const struct fixture *fx, const char *name)
{
  return xasprintf("%s/%s", fx->dir, name);
}

static void
write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");

  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

/* Stores one record of kind from field, value pairs (NULL-terminated). */
static void
put(const char *db, enum record_kind kind, ...)
{
  struct store *st = NULL;
  enum store_put_result res;
  struct buf err, bytes;
  struct record r;
  const char *name;
  va_list ap;

  buf_init(&err);
  buf_init(&bytes);
  assert_int_equal(store_open(db, 0, &st, &err), OK);
  record_init(&r, kind);
  va_start(ap, kind);
  while ((name = va_arg(ap, const char *)) != NULL) {
    const char *value = va_arg(ap, const char *);
    int fi = record_field_index(r.kind, name);
    assert_true(fi >= 0);
    assert_int_equal(record_set(&r, NULL, fi, 0, value, strlen(value), &err),
                     OK);
  }
  va_end(ap);
  assert_int_equal(record_finish(&r, &err), OK);
  record_canonical(&r, &bytes);
  assert_int_equal(store_begin(st), OK);
  assert_int_equal(store_put(st, &r, bytes.data, bytes.len, &res), OK);
  assert_int_equal(store_commit(st), OK);
  record_cleanup(&r);
  store_close(st);
  buf_cleanup(&err);
  buf_cleanup(&bytes);
}

/* A store of the corridor's rules (entry 0), two checkpoints (1, 2), two
 * flows (3, 4) and a source with a checkpoint's id (5), with its signing
 * key beside it. */
static int
setup(void **state)
{
  struct fixture *fx = calloc(1, sizeof *fx);
  struct app_init_result init = {0};
  struct app_error err = {0};
  struct app_key key = {0};
  char *ini;

  snprintf(fx->dir, sizeof fx->dir, "/tmp/passage-test-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  snprintf(fx->db, sizeof fx->db, "%s/p.db", fx->dir);
  ini = path_in(fx, "corridor.ini");
  write_file(ini, corridor_ini);
  fx->app = app_new(fx->db);
  assert_int_equal(app_init(fx->app, ini, &init, &err), OK);
  assert_string_equal(init.corridor, "Test corridor");
  assert_int_equal(init.checkpoints, 2);
  assert_int_equal(app_key_generate(fx->app, NULL, NULL, &key, &err), OK);
  app_free(fx->app);
  put(fx->db, KIND_flow, "id", "f-1", "start", "2023-03-01", "checkpoint",
      "north-gate", "direction", "in", "vehicles", "10", NULL);
  put(fx->db, KIND_flow, "id", "f-2", "start", "2023-03-02", "checkpoint",
      "south-bridge", "direction", "out", "vehicles", "4", NULL);
  put(fx->db, KIND_source, "id", "north-gate", "name", "Gate monitors", NULL);
  fx->app = app_new(fx->db);
  app_init_result_cleanup(&init);
  app_key_cleanup(&key);
  app_error_cleanup(&err);
  free(ini);
  *state = fx;
  return 0;
}

static int
teardown(void **state)
{
  struct fixture *fx = *state;
  char cmd[256];

  app_free(fx->app);
  snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
  assert_int_equal(system(cmd), 0);
  free(fx);
  return 0;
}

static void
test_verify_good_store(void **state)
{
  struct fixture *fx = *state;
  struct app_verify_query q = {0};
  struct app_verify_result res;
  struct app_error err = {0};
  struct app_checkpoint note;
  char *cp = path_in(fx, "cp");
  const char *cps[] = {cp};

  assert_int_equal(app_log_checkpoint(fx->app, NULL, &note, &err), OK);
  write_file(cp, note.note);
  q.checkpoints = cps;
  q.ncheckpoints = 1;
  assert_int_equal(app_verify(fx->app, &q, &res, &err), OK);
  assert_int_equal(res.entries, 6);
  assert_int_equal(res.checkpoints, 1);
  app_checkpoint_cleanup(&note);
  free(cp);
  app_error_cleanup(&err);
}

static void
test_verify_tampered_store(void **state)
{
  struct fixture *fx = *state;
  struct app_verify_query q = {0};
  struct app_verify_result res;
  struct app_error err = {0};
  sqlite3 *db = NULL;

  /* Edited behind the store's back, as a party might. */
  app_free(fx->app);
  assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db, "UPDATE flow SET vehicles = 99", NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(db);
  fx->app = app_new(fx->db);
  assert_int_equal(app_verify(fx->app, &q, &res, &err), ERR_VERIFY);
  assert_int_equal(err.code, ERR_VERIFY);
  assert_int_equal(err.kind, APP_ERROR_OPERATION);
  assert_non_null(strstr(err.message, "FAILED: entry 3 (flow 'f-1')"));
  app_error_cleanup(&err);
}

/* Writes what app_log_entries streams into a buffer. */
static int
to_buf(void *ctx, const void *data, size_t len)
{
  buf_append(ctx, data, len);
  return OK;
}

static void
write_json(const char *path, const json_t *proof)
{
  struct buf b;

  buf_init(&b);
  assert_int_equal(app_proof_write(proof, &b), OK);
  write_file(path, b.data);
  buf_cleanup(&b);
}

static void
test_proof_round_trip(void **state)
{
  struct fixture *fx = *state;
  struct app_inclusion_query iq = {0};
  struct app_entries_query eq = {4, 5, 1, 1};
  char *cp = path_in(fx, "cp"), *entry = path_in(fx, "entry");
  char *proof = path_in(fx, "proof.json"), *vkey = path_in(fx, "log.vkey");
  struct app_proof_query pq = {{cp, NULL}, 1, vkey, proof, entry};
  struct app_sink sink;
  struct app_proof_result res;
  struct app_error err = {0};
  struct app_key key = {0};
  json_t *incl = NULL;
  struct app_checkpoint note;
  struct buf bytes;

  buf_init(&bytes);
  sink.write = to_buf;
  sink.ctx = &bytes;
  assert_int_equal(app_key_public(fx->app, NULL, 0, &key, &err), OK);
  write_file(vkey, key.verifier);
  assert_int_equal(app_log_checkpoint(fx->app, NULL, &note, &err), OK);
  write_file(cp, note.note);
  assert_int_equal(app_log_entries(fx->app, &eq, &sink, &err), OK);
  assert_non_null(strstr(bytes.data, "\"id\":\"f-2\""));
  write_file(entry, bytes.data);
  iq.id = "f-2";
  assert_int_equal(app_prove_inclusion(fx->app, &iq, &incl, &err), OK);
  assert_int_equal(json_integer_value(json_object_get(incl, "leaf_index")), 4);
  assert_int_equal(json_integer_value(json_object_get(incl, "tree_size")), 6);
  write_json(proof, incl);
  assert_int_equal(app_verify_proof(&pq, &res, &err), OK);
  assert_true(res.inclusion);
  assert_int_equal(res.leaf_index, 4);
  assert_int_equal(res.tree_size, 6);

  /* One hash flipped: refused. */
  {
    json_t *h = json_array_get(json_object_get(incl, "hashes"), 0);
    char *s = xstrdup(json_string_value(h));
    s[0] = s[0] == 'A' ? 'B' : 'A';
    json_string_set(h, s);
    free(s);
  }
  write_json(proof, incl);
  assert_int_equal(app_verify_proof(&pq, &res, &err), ERR_VERIFY);
  assert_non_null(strstr(err.message, "is not leaf 4"));
  json_decref(incl);
  app_key_cleanup(&key);
  app_error_cleanup(&err);
  buf_cleanup(&bytes);
  app_checkpoint_cleanup(&note);
  free(cp);
  free(entry);
  free(proof);
  free(vkey);
}

static void
test_consistency_round_trip(void **state)
{
  struct fixture *fx = *state;
  struct app_consistency_query q = {3, 6, 1, 1};
  struct app_error err = {0};
  json_t *proof = NULL;
  struct buf b;

  buf_init(&b);
  assert_int_equal(app_prove_consistency(fx->app, &q, &proof, &err), OK);
  assert_int_equal(app_proof_write(proof, &b), OK);
  /* One line, as the CLI prints it and the server serves it. */
  assert_true(strncmp(b.data,
                      "{\"old_size\": 3, \"new_size\": 6, \"hashes\": [\"",
                      43) == 0);
  assert_non_null(strstr(b.data, "\"]}\n"));
  assert_ptr_equal(strchr(b.data, '\n'), b.data + b.len - 1);
  json_decref(proof);
  buf_cleanup(&b);
  app_error_cleanup(&err);
}

static void
test_find_entry(void **state)
{
  struct fixture *fx = *state;
  struct app_error err = {0};
  uint64_t seq = 99;

  assert_int_equal(app_find_entry(fx->app, NULL, "f-2", &seq, &err), OK);
  assert_int_equal(seq, 4);
  assert_int_equal(app_find_entry(fx->app, "flow", "f-9", &seq, &err),
                   ERR_NOTFOUND);
  assert_string_equal(err.field, "id");
  assert_int_equal(app_find_entry(fx->app, NULL, "north-gate", &seq, &err),
                   ERR_CONFLICT);
  assert_string_equal(err.field, "kind");
  assert_int_equal(app_find_entry(fx->app, "source", "north-gate", &seq, &err),
                   OK);
  assert_int_equal(seq, 5);
  assert_int_equal(
      app_find_entry(fx->app, "checkpoint", "north-gate", &seq, &err), OK);
  assert_int_equal(seq, 1);
  app_error_cleanup(&err);
}

static void
test_bad_requests(void **state)
{
  struct fixture *fx = *state;
  struct app_inclusion_query iq = {0};
  struct app_query q = {0};
  struct app_error err = {0};
  struct app_rows none = {0};
  json_t *proof = NULL;
  uint64_t seq;

  assert_int_equal(app_find_entry(fx->app, "widget", "f-1", &seq, &err),
                   ERR_USAGE);
  assert_int_equal(err.code, ERR_USAGE);
  assert_int_equal(err.kind, APP_ERROR_REQUEST);
  assert_string_equal(err.field, "kind");
  assert_string_equal(err.message, "--kind: unknown kind 'widget'");

  iq.has_index = 1;
  iq.index = 6;
  assert_int_equal(app_prove_inclusion(fx->app, &iq, &proof, &err), ERR_USAGE);
  assert_string_equal(err.field, "index");
  assert_null(proof);

  iq.id = "north-gate"; /* both an index and an id */
  assert_int_equal(app_prove_inclusion(fx->app, &iq, &proof, &err), ERR_USAGE);
  iq.has_index = 0; /* an id of two kinds: the request must say which */
  assert_int_equal(app_prove_inclusion(fx->app, &iq, &proof, &err), ERR_USAGE);
  assert_string_equal(err.field, "kind");

  q.by = "day,colour";
  assert_int_equal(app_flow(fx->app, &q, &none, &err), ERR_USAGE);
  assert_string_equal(err.field, "by");
  assert_non_null(strstr(err.message, "unknown 'colour'"));
  assert_int_equal(app_supply(fx->app, &q, &none, &err), ERR_USAGE);
  assert_string_equal(err.field, "date");
  q.by = NULL;
  q.has_from = q.has_to = 1;
  q.from = 10;
  q.to = 9;
  assert_int_equal(app_index(fx->app, &q, &none, &err), ERR_USAGE);
  assert_string_equal(err.field, "from");
  app_error_cleanup(&err);
}

/* Counts the rows an answer hands over, and keeps the last. */
struct counted {
  size_t rows;
  json_t *last;
};

static int
count_row(void *ctx, const struct app_table *t, const json_t *row)
{
  struct counted *c = ctx;

  (void)t;
  c->rows++;
  json_decref(c->last);
  c->last = json_deep_copy(row);
  return c->rows < 2 ? OK : ERR_IO; /* stop at the second */
}

static void
test_answer_json_and_csv(void **state)
{
  struct fixture *fx = *state;
  struct app_query q = {0};
  struct app_error err = {0};
  struct counted c = {0};
  struct app_rows rows = {NULL, count_row, NULL, &c, 1};
  struct buf b;
  struct app_sink out = {to_buf, &b};

  buf_init(&b);
  q.by = "checkpoint";
  q.measure = "records,vehicles";
  assert_int_equal(
      app_write_answer(fx->app, app_flow, &q, APP_FORM_JSON, &out, &err), OK);
  /* Over 03-01..03-02 each gate saw one direction on one day and nothing
   * else: neither day was observed in both directions, so each row has 2
   * unknown days of records and of vehicles. */
  assert_string_equal(b.data,
                      "{\"rows\": [\n"
                      "  {\"checkpoint\": \"north-gate\", \"records\": 1, "
                      "\"vehicles\": 10, \"unknown_days\": {\"records\": 2, "
                      "\"vehicles\": 2}},\n"
                      "  {\"checkpoint\": \"south-bridge\", \"records\": 1, "
                      "\"vehicles\": 4, \"unknown_days\": {\"records\": 2, "
                      "\"vehicles\": 2}}\n"
                      "]}\n");
  buf_reset(&b);
  assert_int_equal(
      app_write_answer(fx->app, app_flow, &q, APP_FORM_CSV, &out, &err), OK);
  assert_string_equal(b.data, "checkpoint,records,vehicles\n"
                              "north-gate,1,10\n"
                              "south-bridge,1,4\n");
  /* A consumer that refuses a row stops the answer with its code. */
  assert_int_equal(app_flow(fx->app, &q, &rows, &err), ERR_IO);
  assert_int_equal(c.rows, 2);
  assert_string_equal(json_string_value(json_object_get(c.last, "checkpoint")),
                      "south-bridge");
  json_decref(c.last);
  /* An answer with a member before its rows. */
  buf_reset(&b);
  q.has_date = 1;
  q.date = util_days_from_civil(2023, 3, 2);
  assert_int_equal(
      app_write_answer(fx->app, app_supply, &q, APP_FORM_JSON, &out, &err), OK);
  assert_string_equal(b.data,
                      "{\"date\": \"2023-03-02\", \"categories\": []}\n");
  buf_cleanup(&b);
  app_error_cleanup(&err);
}

static void
test_no_store(void **state)
{
  struct fixture *fx = *state;
  char *db = path_in(fx, "none.db");
  struct app *app = app_new(db);
  struct app_error err = {0};
  struct app_checkpoint note;

  assert_int_not_equal(app_log_checkpoint(app, NULL, &note, &err), OK);
  assert_int_equal(err.kind, APP_ERROR_PROGRAM);
  assert_string_equal(err.field, "db");
  assert_null(note.note);
  app_free(app);
  app_error_cleanup(&err);
  free(db);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_verify_good_store, setup, teardown),
      cmocka_unit_test_setup_teardown(test_verify_tampered_store, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_proof_round_trip, setup, teardown),
      cmocka_unit_test_setup_teardown(test_consistency_round_trip, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_find_entry, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
      cmocka_unit_test_setup_teardown(test_answer_json_and_csv, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_no_store, setup, teardown),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
