/*
 * Fuzzes the body of POST /api/v1/records: the very calls the server makes
 * (app_batch_parse on the request's thread, then app_batch_commit and
 * app_batch_answer on the writer's), on a fresh store in memory for every
 * input (the HTTP cases' corridor: checkpoints a and b, tests/http/fixture).
 * The first byte picks who posts (a monitor, a monitor limited to
 * checkpoint a, an admin, the public, an analyst); the rest is the body.
 *
 * Besides crashes, leaks and UB it checks what intake promises:
 * - parsing fails only as app.h says (ERR_USAGE, ERR_INVALID with its
 *   problems, ERR_DENIED or ERR_AUTH, ERR_NOMEM), always with a message;
 *   who may not write is always refused;
 * - a committed batch is all or nothing: accepted, the store grew by
 *   exactly that, every record has a receipt; refused, the store did not
 *   grow;
 * - the same body posted again (a device's retry) stores nothing more and
 *   gets the same receipts, every record a duplicate: never doubled;
 * - the store's own check passes after it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_app.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
  fprintf(stderr, "fuzz_app_batch: %s\n", what);
  abort();
}

static char *limited[] = {"a", NULL};

static void
principal(uint8_t b, struct app_principal *who)
{
  memset(who, 0, sizeof *who);
  switch (b % 6) {
  case 0:
  case 1:
    who->role = APP_ROLE_MONITOR;
    who->name = "monitor";
    break;
  case 2:
    who->role = APP_ROLE_MONITOR;
    who->name = "limited";
    who->checkpoints = limited;
    break;
  case 3:
    who->role = APP_ROLE_ADMIN;
    who->name = "admin";
    break;
  case 4:
    who->role = APP_ROLE_PUBLIC;
    break;
  default:
    who->role = APP_ROLE_ANALYST;
    who->name = "analyst";
    break;
  }
}

/* Parses: the outcomes app.h lists, each as it says. */
static int
parse(struct app *app, const struct app_principal *who, const char *body,
      size_t len, struct app_batch **b)
{
  struct app_error err = {0};
  json_t *problems = NULL;
  int rc = app_batch_parse(app, who, body, len, b, &problems, &err);

  if (rc == OK) {
    if (*b == NULL || problems != NULL)
      fail("parsed without a batch, or with problems");
  } else {
    if (*b != NULL)
      fail("a batch refused but returned");
    /* ERR_AUTH too: app_allow's answer to the public (the server asks
     * app_allow before the body, so the public never gets this far). */
    if (rc != ERR_USAGE && rc != ERR_INVALID && rc != ERR_DENIED &&
        rc != ERR_AUTH && rc != ERR_NOMEM)
      fail("a body refused with another code than app.h says");
    if (err.message == NULL)
      fail("a body refused without a message");
    if ((rc == ERR_INVALID) !=
        (problems != NULL &&
         json_array_size(json_object_get(problems, "errors")) > 0))
      fail("problems without ERR_INVALID, or ERR_INVALID without them");
  }
  if (rc == OK && who->role != APP_ROLE_MONITOR && who->role != APP_ROLE_ADMIN)
    fail("a role that may not write had its batch parsed");
  json_decref(problems);
  app_error_cleanup(&err);
  return rc;
}

/* Commits b and checks its answer against the store; returns the answer's
 * code and its body in *body. */
static int
commit(struct app *app, struct app_batch *b, json_t **body)
{
  struct app_error err = {0};
  uint64_t before = store_size(app->st);
  int rc;

  if (app_batch_commit(app, &b, 1, &err) != OK)
    fail("a commit to a store in memory failed");
  rc = app_batch_answer(b, body, &err);
  if (rc == OK) {
    json_t *receipts = json_object_get(*body, "receipts");
    size_t acc = (size_t)json_integer_value(json_object_get(*body, "accepted"));
    size_t dup =
        (size_t)json_integer_value(json_object_get(*body, "duplicates"));
    if (acc != app_batch_accepted(b) || acc + dup != app_batch_size(b) ||
        json_array_size(receipts) != app_batch_size(b))
      fail("an answer that does not count its records");
    if (store_size(app->st) != before + acc)
      fail("the store grew by other than what was accepted");
  } else {
    if (rc != ERR_CONFLICT && rc != ERR_INVALID)
      fail("a batch refused at commit with another code");
    if (*body == NULL || err.message == NULL)
      fail("a batch refused at commit without its errors");
    if (store_size(app->st) != before)
      fail("a refused batch left something in the store");
  }
  app_error_cleanup(&err);
  return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct app_principal who;
  struct app_batch *b = NULL;
  struct app *app;
  json_t *first = NULL, *again = NULL;
  const char *body;
  uint64_t bad = 0, size1;
  int rc;

  if (size < 1)
    return 0;
  principal(data[0], &who);
  body = (const char *)data + 1;
  app = fresh_app();
  if (parse(app, &who, body, size - 1, &b) != OK)
    goto out;
  rc = commit(app, b, &first);
  app_batch_free(b);
  b = NULL;
  size1 = store_size(app->st);
  /* The retry of a device that lost the answer: the same bytes. */
  if (parse(app, &who, body, size - 1, &b) != OK)
    fail("the same body parsed once and not twice");
  if (commit(app, b, &again) != rc)
    fail("the same body answered otherwise the second time");
  if (store_size(app->st) != size1)
    fail("the same body stored twice");
  if (rc == OK) {
    if (json_integer_value(json_object_get(again, "accepted")) != 0)
      fail("a retried batch was accepted again");
    if (!json_equal(json_object_get(first, "receipts"),
                    json_object_get(again, "receipts")))
      fail("a retried batch got other receipts");
  }
  if (store_audit(app->st, &bad, NULL, NULL) != OK) {
    fprintf(stderr, "%s\n", store_errmsg(app->st));
    fail("the store's own check fails after a batch");
  }
out:
  json_decref(first);
  json_decref(again);
  app_batch_free(b);
  app_free(app);
  return 0;
}
