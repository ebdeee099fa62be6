/*
 * Fuzzes what the server reads itself of a request's first line and
 * headers, through the very functions it calls (http_int.h, app.h). The
 * input is a request's head: "METHOD PATH" on the first line (the path as
 * sent, its query included), then "Name: value" lines, of which these are
 * read:
 * - the path, percent-decoded as libmicrohttpd gives it (MHD_http_unescape),
 *   routed by http_match and, for a static file, checked by
 *   http_path_escapes;
 * - Authorization, by app_authenticate, against a store in memory holding
 *   tokens of every role, one limited to checkpoint a, one revoked and one
 *   expired (their texts fixed here, so that seeds can carry them);
 * - Content-Type, by http_media_type; Accept, by http_parse_form;
 *   Accept-Encoding, by http_accepts_gzip.
 *
 * Besides crashes, leaks and UB it checks: a route's method and path are
 * the request's, a static file is only a GET or HEAD outside /api and /log;
 * a path let through to the file system has no "." or ".." segment, no
 * empty one, no backslash and no percent-encoded dot, slash, backslash or
 * NUL; a request authenticates only with the exact text of a token valid
 * now, as that token's role and name (never a revoked or expired one), and
 * is otherwise the public or refused with ERR_AUTH naming the header; a
 * media type is the header's first word, cut; gzip is taken only when
 * named (or *).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "app/app_int.h"
#include "http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
  fprintf(stderr, "fuzz_http_header: %s\n", what);
  abort();
}

static const struct {
  const char *text, *name, *role, *checkpoints;
  int revoked, expired;
} tokens[] = {
    {"pst_fuzzAdminAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "admin", "admin",
     "", 0, 0},
    {"pst_fuzzMonitorAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "monitor",
     "monitor", "", 0, 0},
    {"pst_fuzzLimitedAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "limited",
     "monitor", "a", 0, 0},
    {"pst_fuzzAnalystAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "analyst",
     "analyst", "", 0, 0},
    {"pst_fuzzPartyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "party", "party",
     "", 0, 0},
    {"pst_fuzzPublicAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "public", "public",
     "", 0, 0},
    {"pst_fuzzRevokedAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "revoked", "admin",
     "", 1, 0},
    {"pst_fuzzExpiredAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "expired", "admin",
     "", 0, 1},
};
#define NTOKENS (sizeof tokens / sizeof tokens[0])

static const char corridor[] = "[corridor]\n"
                               "name = Test corridor\n"
                               "timezone = UTC\n"
                               "[checkpoint a]\n"
                               "name = Alpha\n"
                               "[checkpoint b]\n"
                               "name = Bravo\n";

/* One app for every input: authenticating only reads. */
static struct app *
the_app(void)
{
  static struct app *app;
  struct buf err;

  if (app)
    return app;
  app = app_new(":memory:");
  buf_init(&err);
  if (store_open(":memory:", 1, &app->st, &err) != OK ||
      store_init(app->st, "corridor.ini", corridor) != OK)
    fail("cannot make the store");
  buf_cleanup(&err);
  for (size_t i = 0; i < NTOKENS; i++) {
    struct store_token t = {tokens[i].name,
                            {0},
                            tokens[i].role,
                            tokens[i].checkpoints,
                            1700000000,
                            0,
                            0};
    unsigned n = 32;
    if (EVP_Digest(tokens[i].text, strlen(tokens[i].text), t.hash, &n,
                   EVP_sha256(), NULL) != 1)
      fail("no SHA-256");
    if (tokens[i].expired)
      t.expires = 1700000001;
    if (tokens[i].revoked)
      t.revoked = 1700000002;
    if (store_put_token(app->st, &t) != OK)
      fail("cannot store a token");
  }
  return app;
}

/* The header's value called name (case does not matter), or NULL. */
static const char *
header(char **names, char **values, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcasecmp(names[i], name) == 0)
      return values[i];
  return NULL;
}

static void
check_route(const char *method, const char *raw)
{
  char *path = xstrdup(raw), *q = strchr(path, '?');
  int other = 0, route;
  size_t len;

  if (q)
    *q = '\0';
  len = MHD_http_unescape(path);
  route = http_match(method, path, &other);
  if (route < 0 || route >= HTTP_R_COUNT)
    fail("a route out of the table");
  if (route < HTTP_R_STATIC) {
    const struct route *r = &http_routes[route];
    const char *brace = strchr(r->path, '{');
    size_t n = brace ? (size_t)(brace - r->path) : strlen(r->path) + 1;
    if (strcmp(r->method, method) != 0 &&
        !(strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0))
      fail("a route taken for another method");
    if (strncmp(r->path, path, n) != 0)
      fail("a route taken for another path");
  }
  if (route == HTTP_R_STATIC) {
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
      fail("a static file for a method other than GET or HEAD");
    if (strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
        strncmp(path, "/log/", 5) == 0)
      fail("a static file under /api or /log");
  }
  /* What reaches the file system: no way up, no hidden name, nothing cut
   * short by an encoded NUL. */
  if (route == HTTP_R_STATIC && !http_path_escapes(raw, path) &&
      (strchr(path, '\\') || strstr(path, "//") || strstr(path, "/.") ||
       strlen(path) != len))
    fail("a path with a backslash, an empty or dot segment or a NUL let "
         "through");
  free(path);
}

static void
check_auth(const char *h)
{
  struct app_principal who;
  struct app_error err = {0};
  int rc = app_authenticate(the_app(), h, &who, &err);
  const char *text = NULL;
  size_t len = 0;

  if (h && strncasecmp(h, "Bearer ", 7) == 0) {
    text = h + 7;
    while (*text == ' ')
      text++;
    len = strlen(text);
    while (len > 0 && text[len - 1] == ' ')
      len--;
  }
  if (rc == OK && h == NULL) {
    if (who.role != APP_ROLE_PUBLIC || who.name || who.checkpoints)
      fail("no header, and not the public");
  } else if (rc == OK) {
    size_t i;
    for (i = 0; i < NTOKENS; i++)
      if (text && strlen(tokens[i].text) == len &&
          memcmp(tokens[i].text, text, len) == 0)
        break;
    if (i == NTOKENS)
      fail("a header that is no token's text authenticated");
    if (tokens[i].revoked || tokens[i].expired)
      fail("a revoked or expired token authenticated");
    if (who.name == NULL || strcmp(who.name, tokens[i].name) != 0 ||
        strcmp(app_role_name(who.role), tokens[i].role) != 0)
      fail("a token authenticated as another");
    if ((tokens[i].checkpoints[0] != '\0') !=
        (who.checkpoints != NULL && who.checkpoints[0] != NULL))
      fail("a token's checkpoints lost or made up");
  } else {
    if (rc != ERR_AUTH || err.message == NULL || err.field == NULL ||
        strcmp(err.field, "authorization") != 0)
      fail("a header refused otherwise than ERR_AUTH of authorization");
    if (who.role != APP_ROLE_PUBLIC || who.name || who.checkpoints)
      fail("a header refused, and not left the public");
  }
  app_principal_cleanup(&who);
  app_error_cleanup(&err);
}

static void
check_media(const char *ct, const char *accept, const char *ae)
{
  struct app_error err = {0};
  enum app_form form;
  char type[128];
  size_t n;

  http_media_type(ct, type, sizeof type);
  n = strlen(type);
  if (strchr(type, ';') || strchr(type, ' ') ||
      (n > 0 && (ct == NULL || strncmp(ct, type, n) != 0)))
    fail("a media type that is not the header's first word");
  if (http_parse_form(NULL, accept, &form, &err) != OK)
    fail("an Accept header refused (it only chooses)");
  if (form !=
      (accept && strstr(accept, "text/csv") ? APP_FORM_CSV : APP_FORM_JSON))
    fail("an Accept header chose another form");
  if (http_accepts_gzip(ae) && !strcasestr(ae, "gzip") && !strchr(ae, '*'))
    fail("gzip taken where the header names neither gzip nor *");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = xstrndup((const char *)data, size), *line, *s = text;
  char *names[32], *values[32], *method = NULL, *path = NULL;
  size_t n = 0;

  /* The first line: METHOD PATH. */
  line = strsep(&s, "\n");
  method = strsep(&line, " ");
  path = line ? line : "";
  while (s && n < 32) {
    char *colon;
    line = strsep(&s, "\n");
    if ((colon = strchr(line, ':')) == NULL)
      continue;
    *colon++ = '\0';
    while (*colon == ' ')
      colon++;
    names[n] = line;
    values[n++] = colon;
  }
  check_route(method, path);
  check_auth(header(names, values, n, "Authorization"));
  check_media(header(names, values, n, "Content-Type"),
              header(names, values, n, "Accept"),
              header(names, values, n, "Accept-Encoding"));
  free(text);
  return 0;
}
