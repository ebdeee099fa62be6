/*
 * Fuzzes an upload, POST /api/v1/imports, its query and its body together:
 * the query as libmicrohttpd decodes it, read by http_import_query (kind,
 * name, format or the parameter "content-type" standing for the media type,
 * create_missing, map, set, values), then app_import of the body with the
 * principal, on a fresh store in memory for every input (the calls the
 * server's writer makes, writer.c). The first byte picks who uploads (a
 * monitor, a monitor limited to checkpoint a, an admin: the roles the
 * route lets in); the query runs to the first newline, the body is the
 * rest.
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

#include <microhttpd.h>

#include "app/app_int.h"
#include "http/http_int.h"
#include "ingest/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAIRS 64

static const char corridor[] = "[corridor]\n"
                               "name = Test corridor\n"
                               "log = example.org/test-corridor\n"
                               "timezone = Asia/Baku\n"
                               "[checkpoint a]\n"
                               "name = Alpha\n"
                               "lat = 39.5\n"
                               "lon = 46.5\n"
                               "km = 0\n"
                               "[checkpoint b]\n"
                               "name = Bravo\n"
                               "lat = 39.6\n"
                               "lon = 46.6\n"
                               "km = 12\n";
static const char checkpoints[] = "id,name,lat,lon,km\n"
                                  "a,Alpha,39.5,46.5,0\n"
                                  "b,Bravo,39.6,46.6,12\n";
static const char sources[] = "id,name\n"
                              "un-1,UN monitors\n";

static void
fail(const char *what)
{
  fprintf(stderr, "fuzz_http_import: %s\n", what);
  abort();
}

static struct app *
fresh_app(void)
{
  struct app *app = app_new(":memory:");
  struct ingest_stats stats;
  struct ingest_opts o;
  struct buf err;

  buf_init(&err);
  if (store_open(":memory:", 1, &app->st, &err) != OK ||
      store_init(app->st, "corridor.ini", corridor) != OK)
    fail("cannot make the store");
  buf_cleanup(&err);
  ingest_opts_init(&o);
  o.kind = KIND_checkpoint;
  if (ingest_buffer(app->st, &o, NULL, "checkpoints.csv", checkpoints,
                    strlen(checkpoints), &stats) != OK)
    fail("cannot store the checkpoints");
  o.kind = KIND_source;
  if (ingest_buffer(app->st, &o, NULL, "sources.csv", sources, strlen(sources),
                    &stats) != OK)
    fail("cannot store the source");
  ingest_opts_cleanup(&o);
  return app;
}

struct pairs {
  char *key[MAX_PAIRS], *value[MAX_PAIRS]; /* value NULL: "key" alone */
  size_t n;
};

/* As libmicrohttpd reads a query: pairs split at '&', each at its first
 * '=', both sides percent-decoded ('+' a space). Cut in place. */
static void
split(char *text, struct pairs *p)
{
  char *s = text;

  p->n = 0;
  while (s && p->n < MAX_PAIRS) {
    char *amp = strchr(s, '&'), *eq;
    if (amp)
      *amp = '\0';
    eq = strchr(s, '=');
    if (eq)
      *eq = '\0';
    if (*s != '\0' || eq) {
      for (char *c = s; *c; c++)
        if (*c == '+')
          *c = ' ';
      MHD_http_unescape(s);
      p->key[p->n] = s;
      p->value[p->n] = NULL;
      if (eq) {
        for (char *c = eq + 1; *c; c++)
          if (*c == '+')
            *c = ' ';
        MHD_http_unescape(eq + 1);
        p->value[p->n] = eq + 1;
      }
      p->n++;
    }
    s = amp ? amp + 1 : NULL;
  }
}

static const char *
get(void *ctx, const char *name)
{
  const struct pairs *p = ctx;

  for (size_t i = 0; i < p->n; i++)
    if (strcmp(p->key[i], name) == 0)
      return p->value[i];
  return NULL;
}

static void
each(void *ctx, const char *name, void (*fn)(void *fctx, const char *value),
     void *fctx)
{
  const struct pairs *p = ctx;

  for (size_t i = 0; i < p->n; i++)
    if (strcmp(p->key[i], name) == 0 && p->value[i])
      fn(fctx, p->value[i]);
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
  args.get = get;
  args.each = each;
  args.ctx = &p;
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
