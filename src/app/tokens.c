/*
 * Tokens and roles: who may do what through the server. A token is 256
 * random bits shown once; the store keeps only its SHA-256 hash, found by
 * a unique index and compared in constant time.
 */
#include "app/app.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "app/app_int.h"
#include "corridor/corridor.h"
#include "util/i18n.h"

#define TOKEN_PREFIX "pst_"
#define TOKEN_BYTES 32
/* "pst_" and 43 characters of unpadded base64url. */
#define TOKEN_TEXT_MAX 64

static const char *const role_names[] = {"public", "party", "monitor",
                                         "analyst", "admin"};

const char *
app_role_name(enum app_role r)
{
  return r <= APP_ROLE_ADMIN ? role_names[r] : "public";
}

int
app_role_by_name(const char *name)
{
  for (int i = 0; i <= APP_ROLE_ADMIN; i++)
    if (name && strcmp(name, role_names[i]) == 0)
      return i;
  return -1;
}

void
app_principal_cleanup(struct app_principal *p)
{
  if (p == NULL)
    return;
  free(p->name);
  for (size_t i = 0; p->checkpoints && p->checkpoints[i]; i++)
    free(p->checkpoints[i]);
  free(p->checkpoints);
  memset(p, 0, sizeof *p);
}

/* The hash the store keeps of a token's text. */
static void
token_hash(const char *text, size_t len, uint8_t out[32])
{
  unsigned n = 32;

  if (EVP_Digest(text, len, out, &n, EVP_sha256(), NULL) != 1)
    abort(); /* SHA-256 cannot fail but for a broken libcrypto */
}

/* base64url without padding (RFC 4648 section 5). */
static void
base64url(const uint8_t *p, size_t n, struct buf *out)
{
  struct buf b;

  buf_init(&b);
  util_base64_encode(&b, p, n);
  for (size_t i = 0; i < b.len; i++) {
    char c = b.data[i];
    if (c == '=')
      break;
    buf_putc(out, c == '+' ? '-' : c == '/' ? '_' : c);
  }
  buf_cleanup(&b);
}

static int
valid_name(const char *s)
{
  size_t n = s ? strlen(s) : 0;

  if (n == 0 || n > 128 || !isalnum((unsigned char)s[0]))
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)s[i]) && !strchr("._:@/+-", s[i]))
      return 0;
  return 1;
}

/* The first second after the local day `day` ends, in Unix time. */
static int64_t
day_end_utc(const struct corridor *c, int64_t day)
{
  int64_t local = (day + 1) * 86400;

  return local - corridor_utc_offset(c, local);
}

static int
check_token_query(const struct app_token_query *q, struct app_error *err)
{
  int role = app_role_by_name(q->role);

  if (!valid_name(q->name))
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "name",
                     "--name: expected a name of letters, digits and "
                     "._:@/+- (at most 128), got '%s'",
                     q->name ? q->name : "");
  if (role < 0)
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "role",
                     "--role: expected admin, monitor, analyst, party or "
                     "public, "
                     "got '%s'",
                     q->role ? q->role : "");
  if (q->ncheckpoints > 0 && role != APP_ROLE_MONITOR)
    return app__fail(
        err, ERR_USAGE, APP_ERROR_REQUEST, "checkpoint",
        "--checkpoint: only a monitor token is limited to "
        "checkpoints, not a%s %s token",
        role == APP_ROLE_ADMIN || role == APP_ROLE_ANALYST ? "n" : "", q->role);
  return OK;
}

/* The checkpoints, each one the store knows, joined by commas. */
static int
token_checkpoints(struct store *st, const struct app_token_query *q,
                  struct buf *out, struct app_error *err)
{
  for (size_t i = 0; i < q->ncheckpoints; i++) {
    const char *id = q->checkpoints[i];
    int has = valid_name(id) ? store_has(st, KIND_checkpoint, id) : 0;
    if (has < 0)
      return app__fail(err, has, APP_ERROR_PROGRAM, NULL, "%s",
                       store_errmsg(st));
    if (!has)
      return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "checkpoint",
                       "--checkpoint: no checkpoint '%s' in the store", id);
    if (strchr(id, ','))
      return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "checkpoint",
                       "--checkpoint: '%s' holds a comma", id);
    if (out->len)
      buf_putc(out, ',');
    buf_puts(out, id);
  }
  return OK;
}

int
app_token_create(struct app *app, const struct app_token_query *q, char **token,
                 struct app_error *err)
{
  uint8_t secret[TOKEN_BYTES];
  struct store_token t;
  struct store *st;
  struct buf text, cps;
  int rc;

  *token = NULL;
  buf_init(&text);
  buf_init(&cps);
  if ((rc = check_token_query(q, err)) != OK ||
      (rc = app__store(app, 0, &st, err)) != OK ||
      (rc = token_checkpoints(st, q, &cps, err)) != OK)
    goto out;
  if (RAND_bytes(secret, sizeof secret) != 1) {
    rc = app__fail(err, ERR_CRYPTO, APP_ERROR_PROGRAM, NULL,
                   "cannot draw random bytes for a token");
    goto out;
  }
  buf_puts(&text, TOKEN_PREFIX);
  base64url(secret, sizeof secret, &text);
  OPENSSL_cleanse(secret, sizeof secret);
  memset(&t, 0, sizeof t);
  t.name = q->name;
  t.role = q->role;
  t.checkpoints = cps.data ? cps.data : "";
  t.created = (int64_t)time(NULL);
  t.expires = q->has_expires ? day_end_utc(store_corridor(st), q->expires) : 0;
  token_hash(text.data, text.len, t.hash);
  rc = store_put_token(st, &t);
  if (rc != OK) {
    app__fail(err, rc,
              rc == ERR_EXISTS ? APP_ERROR_OPERATION : APP_ERROR_PROGRAM,
              "name", "%s", store_errmsg(st));
    goto out;
  }
  *token = buf_take(&text);
out:
  if (text.data)
    OPENSSL_cleanse(text.data, text.len);
  buf_cleanup(&text);
  buf_cleanup(&cps);
  return rc;
}

static json_t *
time_json(int64_t t)
{
  char s[32];
  struct tm tm;
  time_t tt = (time_t)t;

  if (t == 0)
    return json_null();
  gmtime_r(&tt, &tm);
  strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return json_string(s);
}

struct lister {
  const struct app_rows *out;
  struct app_table *t;
  struct app_error *err;
  int64_t now;
};

static int
list_one(void *ctx, const struct store_token *tok)
{
  struct lister *l = ctx;
  json_t *row = json_object();
  const char *state = tok->revoked                             ? "revoked"
                      : tok->expires && tok->expires <= l->now ? "expired"
                                                               : "valid";

  json_object_set_new(row, "name", json_string(tok->name));
  json_object_set_new(row, "role", json_string(tok->role));
  json_object_set_new(row, "checkpoints",
                      tok->checkpoints[0] ? json_string(tok->checkpoints)
                                          : json_null());
  json_object_set_new(row, "created", time_json(tok->created));
  json_object_set_new(row, "expires", time_json(tok->expires));
  json_object_set_new(row, "revoked", time_json(tok->revoked));
  json_object_set_new(row, "state", json_string(state));
  return app__row(l->out, l->t, row, l->err);
}

int
app_token_list(struct app *app, const struct app_rows *out,
               struct app_error *err)
{
  static const char *const cols[] = {
      "name", "role", "checkpoints", "created", "expires", "revoked", "state"};
  struct lister l = {out, NULL, err, (int64_t)time(NULL)};
  struct app_table t;
  struct store *st;
  int rc;

  app__table(&t, "tokens");
  for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
    app__column(&t, cols[i], cols[i], APP_COL_TEXT);
  l.t = &t;
  if ((rc = app__store(app, 0, &st, err)) != OK ||
      (rc = app__begin(out, &t, err)) != OK)
    goto out;
  rc = store_each_token(st, list_one, &l);
  if (rc != OK && err->code == OK)
    app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
  if (rc == OK)
    rc = app__end(out, &t, err);
out:
  app_table_cleanup(&t);
  return rc;
}

int
app_token_revoke(struct app *app, const char *name, struct app_error *err)
{
  struct store *st;
  int rc;

  if (!valid_name(name))
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "name",
                     "expected the name of a token, got '%s'",
                     name ? name : "");
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  rc = store_revoke_token(st, name, (int64_t)time(NULL));
  if (rc != OK)
    app__fail(err, rc,
              rc == ERR_NOTFOUND ? APP_ERROR_OPERATION : APP_ERROR_PROGRAM,
              "name", "%s", store_errmsg(st));
  return rc;
}

static char **
split_ids(const char *list)
{
  size_t n = 0, cap = 0;
  char **v = NULL;

  for (const char *p = list; *p;) {
    const char *c = strchr(p, ',');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    v = util_grow(v, &cap, n + 2, sizeof *v);
    v[n++] = xstrndup(p, len);
    p += len + (c ? 1 : 0);
  }
  if (v)
    v[n] = NULL;
  return v;
}

static int
unauthenticated(struct app_error *err, const char *why)
{
  return app__fail(err, ERR_AUTH, APP_ERROR_OPERATION, "authorization", "%s",
                   why);
}

int
app_authenticate(struct app *app, const char *authorization,
                 struct app_principal *who, struct app_error *err)
{
  struct store_token t;
  struct store *st;
  uint8_t hash[32];
  const char *text;
  size_t len;
  int rc, role;

  memset(who, 0, sizeof *who);
  if (authorization == NULL)
    return OK;
  if (strncasecmp(authorization, "Bearer ", 7) != 0)
    return unauthenticated(err, _("expected 'Authorization: Bearer TOKEN'"));
  text = authorization + 7;
  while (*text == ' ')
    text++;
  len = strlen(text);
  while (len > 0 && text[len - 1] == ' ')
    len--;
  if (len == 0 || len > TOKEN_TEXT_MAX)
    return unauthenticated(err, _("the token is not one of ours"));
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  token_hash(text, len, hash);
  rc = store_find_token(st, hash, &t);
  /* The index found it by its hash; the hash is compared again here in
   * constant time, so that no timing tells how much of a guess matched. */
  if (rc == ERR_NOTFOUND || (rc == OK && CRYPTO_memcmp(hash, t.hash, 32) != 0))
    return unauthenticated(err, _("unknown token"));
  if (rc != OK)
    return app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
  if (t.revoked)
    return unauthenticated(err, _("this token was revoked"));
  if (t.expires && t.expires <= (int64_t)time(NULL))
    return unauthenticated(err, _("this token has expired"));
  if ((role = app_role_by_name(t.role)) < 0)
    return unauthenticated(err, _("this token has no known role"));
  who->role = (enum app_role)role;
  who->name = xstrdup(t.name);
  who->checkpoints = t.checkpoints[0] ? split_ids(t.checkpoints) : NULL;
  return OK;
}

static int
published(const struct corridor *c, const char *answer)
{
  for (size_t i = 0; c && answer && i < c->npublish; i++)
    if (strcmp(c->publish[i], answer) == 0)
      return 1;
  return 0;
}

int
app_allow(struct app *app, const struct app_principal *who, enum app_action act,
          const char *answer, struct app_error *err)
{
  struct store *st;
  int rc;

  switch (act) {
  case APP_ACT_STATUS:
    return OK;
  case APP_ACT_WRITE:
    if (who->role == APP_ROLE_MONITOR || who->role == APP_ROLE_ADMIN)
      return OK;
    break;
  case APP_ACT_ADMIN:
    if (who->role == APP_ROLE_ADMIN)
      return OK;
    break;
  case APP_ACT_LOG:
    if (who->role == APP_ROLE_PARTY || who->role >= APP_ROLE_ANALYST)
      return OK;
    if ((rc = app__store(app, 0, &st, err)) != OK)
      return rc;
    if (published(store_corridor(st), "log"))
      return OK;
    break;
  case APP_ACT_ANSWER:
  case APP_ACT_RECORDS:
  case APP_ACT_REPORT:
    if (who->role >= APP_ROLE_ANALYST)
      return OK;
    if (act == APP_ACT_RECORDS)
      answer = answer && strcmp(answer, "event") == 0 ? "events" : NULL;
    if (act == APP_ACT_REPORT)
      answer = NULL; /* a sitrep's counts are not suppressed */
    if ((rc = app__store(app, 0, &st, err)) != OK)
      return rc;
    if (published(store_corridor(st), answer))
      return OK;
    break;
  }
  if (who->name == NULL)
    return app__fail(err, ERR_AUTH, APP_ERROR_OPERATION, "authorization",
                     "this needs a token ('Authorization: Bearer TOKEN')");
  return app__fail(
      err, ERR_DENIED, APP_ERROR_OPERATION, "authorization",
      "%s %s token may not do this",
      who->role == APP_ROLE_ANALYST || who->role == APP_ROLE_ADMIN ? "an" : "a",
      app_role_name(who->role));
}

int
app_set_writer(struct app *app, const char *name, struct app_error *err)
{
  struct store *st;
  int rc;

  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  store_set_writer(st, name);
  return OK;
}

int
app_refresh(struct app *app, struct app_error *err)
{
  struct store *st;
  int rc;

  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  if ((rc = store_refresh(st)) != OK)
    app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
  return rc;
}

int
app_writer_of(struct app *app, uint64_t seq, char **name, struct app_error *err)
{
  struct store *st;
  int rc;

  *name = NULL;
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  rc = store_get_writer(st, seq, name);
  if (rc == ERR_NOTFOUND)
    return app__fail(err, rc, APP_ERROR_OPERATION, "seq",
                     "entry %llu was not written through the server",
                     (unsigned long long)seq);
  if (rc != OK)
    app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
  return rc;
}
