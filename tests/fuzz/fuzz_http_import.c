/*
 * Fuzzes an upload, POST /api/v1/imports, its query and its body together:
 * the query as libmicrohttpd decodes it, read by http_import_query (kind,
 * name, format or the parameter "content-type" standing for the media type,
 * create_missing, map, set, values), then app_import of the body with the
 * principal, on a fresh store in memory for every input (the calls the
 * server's writer makes, writer.c; the HTTP cases' corridor, fuzz_app.h).
 * The first byte picks who uploads (a monitor, a monitor limited to
 * checkpoint a, an admin: the roles the route lets in); the query runs to
 * the first newline, the body is the rest.
 *
 * Besides crashes, leaks and UB it checks what app.h promises:
 * - an import fails only as ERR_INVALID, ERR_USAGE or ERR_DENIED (bytes in
 *   memory are never ERR_IO or the store's), and a failed one stored
 *   nothing and counts nothing as added;
 * - an import that worked grew the log by exactly what it counts: the rows
 *   added, the references created, and its own import entry when either;
 * - a limited monitor never creates references;
 * - the same upload again (a retry) adds nothing and is answered alike;
 * - the store's own check passes after it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_app.h"
#include "fuzz_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
  fprintf(stderr, "fuzz_http_import: %s\n", what);
  abort();
}

static void
on_error(void *ctx, const struct ingest_error *e)
{
  (void)ctx;
  if (e->message == NULL)
    fail("an import's error without a message");
  if (e->kind == INGEST_ERR_STORE || e->kind == INGEST_ERR_IO)
    fail("the store or the input failed on bytes in memory");
}

static void
on_note(void *ctx, const struct ingest_note *n)
{
  (void)ctx;
  for (size_t i = 0; i < n->nnames; i++)
    if (n->names[i] == NULL)
      fail("a note without a name");
}

static char *limited[] = {"a", NULL};

static void
principal(uint8_t b, struct app_principal *who)
{
  memset(who, 0, sizeof *who);
  switch (b % 3) {
  case 0:
    who->role = APP_ROLE_MONITOR;
    who->name = "monitor";
    break;
  case 1:
    who->role = APP_ROLE_MONITOR;
    who->name = "limited";
    who->checkpoints = limited;
    break;
  default:
    who->role = APP_ROLE_ADMIN;
    who->name = "admin";
    break;
  }
}

/* One upload as the writer runs it; checks the outcome against the log. */
static int
upload(struct app *app, struct app_import_query *q,
       struct app_import_result *res)
{
  struct ingest_sink sink = {on_error, on_note, NULL, NULL};
  struct app_error err = {0};
  uint64_t before = store_size(app->st);
  uint64_t grew;
  int rc;

  memset(res, 0, sizeof *res);
  rc = app_import(app, q, &sink, res, &err);
  grew = store_size(app->st) - before;
  if (rc == OK) {
    uint64_t made = res->stats.added + res->stats.created;
    if (grew != made + (made > 0))
      fail("the log grew by other than the rows added, the references "
           "created and the import's entry");
    if ((made > 0) != (res->stats.import_seq != UINT64_MAX))
      fail("an import that stored something without its entry, or the "
           "reverse");
    if (q->who->checkpoints && res->stats.created > 0)
      fail("a limited monitor created references");
  } else {
    if (rc != ERR_INVALID && rc != ERR_USAGE && rc != ERR_DENIED)
      fail("an upload refused with another code than app.h says");
    if (grew != 0 || res->stats.added != 0)
      fail("a refused upload stored or counted something");
  }
  app_error_cleanup(&err);
  return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct app_principal who;
  struct app_import_query q;
  struct app_import_result first, again;
  struct app_error err = {0};
  struct http_args args;
  struct pairs p;
  enum http_error_id id = HTTP_E_COUNT;
  const uint8_t *nl;
  struct app *app;
  uint64_t bad = 0;
  char *query, type[128];
  int rc;

  if (size < 1)
    return 0;
  principal(data[0], &who);
  nl = memchr(data + 1, '\n', size - 1);
  if (nl == NULL)
    nl = data + size;
  query = xmalloc((size_t)(nl - data));
  memcpy(query, data + 1, (size_t)(nl - data - 1));
  query[nl - data - 1] = '\0';
  split(query, &p);
  args = (struct http_args){get, each, &p};
  http_media_type(get(&p, "content-type"), type, sizeof type);
  if (http_import_query(&args, type, &q, &id, &err) != OK) {
    if (err.message == NULL || err.field == NULL || id == HTTP_E_COUNT)
      fail("an upload's query refused without a field, message or status");
    app_error_cleanup(&err);
    free(query);
    return 0;
  }
  q.who = &who;
  q.data = nl < data + size ? (const char *)nl + 1 : "";
  q.len = nl < data + size ? size - (size_t)(nl - data) - 1 : 0;
  app = fresh_app();
  rc = upload(app, &q, &first);
  if (upload(app, &q, &again) != rc)
    fail("the same upload answered otherwise the second time");
  if (again.stats.added != 0 || again.stats.created != 0)
    fail("the same upload stored something twice");
  if (rc == OK && again.stats.rows != first.stats.rows)
    fail("the same upload read another number of rows");
  if (store_audit(app->st, &bad, NULL, NULL) != OK) {
    fprintf(stderr, "%s\n", store_errmsg(app->st));
    fail("the store's own check fails after an upload");
  }
  app_free(app);
  free((void *)q.maps);
  free((void *)q.sets);
  free((void *)q.values);
  free(query);
  return 0;
}
