/*
 * A batch's reference that the store could not look up (a connection to
 * PostgreSQL lost, or ended by the database, in the middle of the group's
 * transaction) is no answer: the group is made again, and the batch is
 * accepted, never refused as naming a checkpoint the store does not hold
 * (422, which a device's outbox drops). tests/reliability/partition.sh
 * found server B answering 422 "expected the id of a checkpoint the store
 * holds, got 'b'" to valid records. This test stands in for the store's
 * look-up (linked with -Wl,--wrap=store_get_entry,--wrap=store_has,
 * tests/CMakeLists.txt): the look-up numbered fail_at answers fail_rc,
 * every other one is the real store's; store_has is the store's own
 * definition on top of it. The same holds for the two other callers of
 * store_has, a token's checkpoints and a corridor amend's new ones: a
 * failed look-up is the store's failure, never "no such checkpoint".
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

int __real_store_get_entry(struct store *st, enum record_kind kind,
                           const char *id, struct store_entry *out);
int __wrap_store_get_entry(struct store *st, enum record_kind kind,
                           const char *id, struct store_entry *out);
int __wrap_store_has(struct store *st, enum record_kind kind, const char *id);

static unsigned calls, fail_at;
static int fail_rc;

int
__wrap_store_get_entry(struct store *st, enum record_kind kind, const char *id,
                       struct store_entry *out)
{
  if (kind == KIND_checkpoint && ++calls == fail_at)
    return fail_rc;
  return __real_store_get_entry(st, kind, id, out);
}

/* The store's own definition on top of the look-up above, except that the
 * call numbered has_fail_at answers fail_rc. */
static unsigned has_calls, has_fail_at;

int
__wrap_store_has(struct store *st, enum record_kind kind, const char *id)
{
  struct store_entry e;
  int rc;

  if (++has_calls == has_fail_at)
    return fail_rc;
  rc = __wrap_store_get_entry(st, kind, id, &e);
  return rc == OK ? 1 : rc == ERR_NOTFOUND ? 0 : rc;
}

static const char corridor_ini[] = "[corridor]\n"
                                   "name = Test corridor\n"
                                   "timezone = UTC\n"
                                   "[checkpoint a]\n"
                                   "name = A\n";

static const char body[] =
    "{\"records\": [{\"kind\": \"flow\", \"id\": \"f-1\", \"checkpoint\": "
    "\"a\", \"direction\": \"in\", \"start\": \"2023-01-02\", \"vehicles\": "
    "1}]}";

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
  char ini[160];
  FILE *f;

  snprintf(fx->dir, sizeof fx->dir, "/tmp/passage-refs-XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  snprintf(fx->db, sizeof fx->db, "%s/p.db", fx->dir);
  snprintf(ini, sizeof ini, "%s/corridor.ini", fx->dir);
  assert_non_null(f = fopen(ini, "w"));
  fputs(corridor_ini, f);
  fclose(f);
  fx->app = app_new(fx->db);
  assert_int_equal(app_init(fx->app, ini, &init, &err), OK);
  app_init_result_cleanup(&init);
  app_free(fx->app);
  fx->app = app_new(fx->db);
  app_error_cleanup(&err);
  calls = fail_at = has_calls = has_fail_at = 0;
  *state = fx;
  return 0;
}

static int
teardown(void **state)
{
  struct fixture *fx = *state;
  char cmd[256];

  app_free(fx->app);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
  assert_int_equal(system(cmd), 0);
  free(fx);
  return 0;
}

/* Posts body as a monitor: the commit's code, and the batch's answer's. */
static void
post(struct fixture *fx, int *commit_rc, int *answer_rc, size_t *accepted)
{
  struct app_principal who = {APP_ROLE_MONITOR, "m", NULL};
  struct app_batch *b = NULL;
  struct app_error err = {0};
  json_t *problems = NULL, *answer = NULL;

  assert_int_equal(
      app_batch_parse(fx->app, &who, body, strlen(body), &b, &problems, &err),
      OK);
  *commit_rc = app_batch_commit(fx->app, &b, 1, &err);
  app_error_cleanup(&err);
  *answer_rc = app_batch_answer(b, &answer, &err);
  *accepted = app_batch_accepted(b);
  json_decref(answer);
  json_decref(problems);
  app_error_cleanup(&err);
  app_batch_free(b);
}

/* The first look-up of checkpoint a fails as a lost connection does
 * (ERR_RETRY): the group is made again, the second look-up finds a, and
 * the record is accepted (1 added), not refused as invalid. */
static void
test_a_lost_lookup_is_made_again(void **state)
{
  struct fixture *fx = *state;
  int commit_rc, answer_rc;
  size_t accepted;

  fail_at = 1;
  fail_rc = ERR_RETRY;
  post(fx, &commit_rc, &answer_rc, &accepted);
  assert_int_equal(commit_rc, OK);
  assert_int_equal(answer_rc, OK);
  assert_int_equal(accepted, 1);
  assert_true(calls >= 2); /* looked up again after the failure */
}

/* A look-up that fails for good (ERR_STORE) is the store's failure, which
 * the batch shares: a 500, not a 422 that says the record is wrong. */
static void
test_a_failed_lookup_is_the_stores_failure(void **state)
{
  struct fixture *fx = *state;
  int commit_rc, answer_rc;
  size_t accepted;

  fail_at = 1;
  fail_rc = ERR_STORE;
  post(fx, &commit_rc, &answer_rc, &accepted);
  assert_int_equal(commit_rc, ERR_STORE);
  assert_int_equal(answer_rc, ERR_STORE);
  assert_int_equal(accepted, 0);
}

/* Without a failure the same record is accepted once (the control). */
static void
test_no_failure(void **state)
{
  struct fixture *fx = *state;
  int commit_rc, answer_rc;
  size_t accepted;

  post(fx, &commit_rc, &answer_rc, &accepted);
  assert_int_equal(commit_rc, OK);
  assert_int_equal(answer_rc, OK);
  assert_int_equal(accepted, 1);
}

/* A monitor token limited to checkpoint a, whose look-up fails: the
 * store's error, not "--checkpoint: no checkpoint 'a' in the store"
 * (which would tell an admin to check a name that is right); made again
 * without the failure, the token is made. */
static void
test_a_tokens_failed_lookup(void **state)
{
  struct fixture *fx = *state;
  const char *cps[] = {"a"};
  struct app_token_query q = {"m", "monitor", cps, 1, 0, 0};
  struct app_error err = {0};
  char *token = NULL;

  has_fail_at = 1;
  fail_rc = ERR_STORE;
  assert_int_equal(app_token_create(fx->app, &q, &token, &err), ERR_STORE);
  assert_null(token);
  assert_true(err.field == NULL || strcmp(err.field, "checkpoint") != 0);
  app_error_cleanup(&err);
  assert_int_equal(app_token_create(fx->app, &q, &token, &err), OK);
  assert_non_null(token);
  free(token);
  app_error_cleanup(&err);
}

/* A corridor amend that adds checkpoint b, whose look-up of a (held)
 * fails: the amend fails with the store's error and stores nothing (it
 * used to take a for new and append its record again); made again without
 * the failure, it adds b alone. */
static void
test_an_amends_failed_lookup(void **state)
{
  struct fixture *fx = *state;
  struct app_corridor_result res = {0};
  struct app_error err = {0};
  char ini[160];
  FILE *f;

  snprintf(ini, sizeof ini, "%s/amended.ini", fx->dir);
  assert_non_null(f = fopen(ini, "w"));
  fputs(corridor_ini, f);
  fputs("[checkpoint b]\nname = B\n", f);
  fclose(f);
  has_fail_at = 1;
  fail_rc = ERR_STORE;
  assert_int_equal(app_corridor_amend(fx->app, ini, &res, &err), ERR_STORE);
  assert_int_equal(res.nadded, 0);
  app_corridor_result_cleanup(&res);
  app_error_cleanup(&err);
  memset(&res, 0, sizeof res);
  assert_int_equal(app_corridor_amend(fx->app, ini, &res, &err), OK);
  assert_int_equal(res.nadded, 1);
  assert_string_equal(res.added[0], "b");
  app_corridor_result_cleanup(&res);
  app_error_cleanup(&err);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_a_lost_lookup_is_made_again, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(
          test_a_failed_lookup_is_the_stores_failure, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_failure, setup, teardown),
      cmocka_unit_test_setup_teardown(test_a_tokens_failed_lookup, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_an_amends_failed_lookup, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
