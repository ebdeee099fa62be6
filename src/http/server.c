/*
 * The server: libmicrohttpd with a pool of worker threads (one per core)
 * over epoll, each with its own read handle on the store; one writer
 * thread (writer.c) that owns the write handle; the event stream's hub
 * (events.c). This file starts and stops them, reads each request (body
 * capped), routes it by the table in routes.def, and logs it.
 */
#include "http/http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const struct route http_routes[] = {
#define ROUTE(method, path, fn, metric) {method, path, fn, metric},
#include "http/routes.def"
#undef ROUTE
    {"GET", "(static)", NULL, "static"},
    {"", "(none)", NULL, "none"},
};

void
http_config_init(struct http_config *c)
{
  memset(c, 0, sizeof *c);
  c->host = "127.0.0.1";
  c->port = 8080;
  c->max_body = 8u << 20;
  c->timeout = 30;
  c->max_conns = 1000;
}

void
http_each_route(void (*fn)(void *ctx, const char *method, const char *path),
                void *ctx)
{
  for (int i = 0; i < HTTP_R_STATIC; i++)
    fn(ctx, http_routes[i].method, http_routes[i].path);
}

int
http_tls_supported(void)
{
  return util_mhd_load(NULL) == OK &&
         MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;
}

double
http_now(void)
{
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct app *
http_app(struct request *r)
{
  struct http_server *s = r->srv;
  struct app *app = pthread_getspecific(s->app_key);

  if (app != NULL)
    return app;
  app = app_new_server(s->cfg->db);
  pthread_setspecific(s->app_key, app);
  /* Kept here too, to be closed once every worker has stopped. */
  pthread_mutex_lock(&s->apps_lock);
  s->apps = util_grow(s->apps, &s->capapps, s->napps + 1, sizeof *s->apps);
  s->apps[s->napps++] = app;
  pthread_mutex_unlock(&s->apps_lock);
  return app;
}

/* ---- Answers ---- */

enum MHD_Result
http_queue(struct request *r, unsigned status, struct MHD_Response *resp,
           size_t len)
{
  enum MHD_Result mr;

  if (resp == NULL)
    return MHD_NO;
  r->status = status;
  r->bytes = len;
  mr = MHD_queue_response(r->conn, status, resp);
  MHD_destroy_response(resp);
  return mr;
}

enum MHD_Result
http_reply(struct request *r, unsigned status, const char *type, char *data,
           size_t len)
{
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);

  if (resp == NULL) {
    free(data);
    return MHD_NO;
  }
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  return http_queue(r, status, resp, len);
}

struct MHD_Response *
http_json_response(const json_t *v, size_t *len)
{
  struct MHD_Response *resp;
  /* 15 digits: what a double holds, without its binary noise (39.6, not
   * 39.600000000000001). */
  char *text =
      json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
  struct buf b;

  buf_init(&b);
  buf_puts(&b, text ? text : "null");
  buf_putc(&b, '\n');
  free(text);
  *len = b.len;
  resp = MHD_create_response_from_buffer(*len, buf_take(&b),
                                         MHD_RESPMEM_MUST_FREE);
  if (resp) {
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  }
  return resp;
}

enum MHD_Result
http_reply_json(struct request *r, unsigned status, const json_t *v)
{
  size_t len;
  struct MHD_Response *resp = http_json_response(v, &len);

  return http_queue(r, status, resp, len);
}

static const struct {
  const char *code;
  unsigned status;
  const char *title;
} errors[] = {
#define ERROR(id, code, status, title) {code, status, title},
#include "http/errors.def"
#undef ERROR
};

unsigned
http_error_status(enum http_error_id id)
{
  return errors[id].status;
}

enum http_error_id
http_error_of(int code)
{
  switch (code) {
  case ERR_USAGE:
  case ERR_MISSING:
    return HTTP_E_BAD_REQUEST;
  case ERR_AUTH:
    return HTTP_E_UNAUTHORIZED;
  case ERR_DENIED:
    return HTTP_E_FORBIDDEN;
  case ERR_NOTFOUND:
    return HTTP_E_NOT_FOUND;
  case ERR_CONFLICT:
  case ERR_EXISTS:
    return HTTP_E_CONFLICT;
  case ERR_NOMEM:
    return HTTP_E_TOO_LARGE;
  case ERR_INVALID:
    return HTTP_E_INVALID;
  case ERR_RETRY:
    return HTTP_E_UNAVAILABLE;
  case ERR_NOSPACE:
    return HTTP_E_NO_SPACE;
  default:
    return HTTP_E_INTERNAL;
  }
}

struct MHD_Response *
http_error_response(enum http_error_id id, const char *field,
                    const char *message, size_t *len)
{
  json_t *e = json_pack("{s:{s:s,s:s,s:o}}", "error", "code", errors[id].code,
                        "message", message ? message : errors[id].title,
                        "field", field ? json_string(field) : json_null());
  struct MHD_Response *resp = http_json_response(e, len);

  json_decref(e);
  return resp;
}

enum MHD_Result
http_error(struct request *r, enum http_error_id id, const char *field,
           const char *fmt, ...)
{
  struct MHD_Response *resp;
  va_list ap;
  struct buf b;
  size_t len;

  buf_init(&b);
  if (fmt) {
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
  }
  resp = http_error_response(id, field, b.data, &len);
  buf_cleanup(&b);
  if (resp && id == HTTP_E_UNAUTHORIZED)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                            "Bearer realm=\"passage\"");
  return http_queue(r, errors[id].status, resp, len);
}

const char *
http_error_message(const struct request *r, enum http_error_id id,
                   const struct app_error *e)
{
  const char *m = e->message ? e->message : util_strerror(e->code);

  if (e->kind != APP_ERROR_PROGRAM ||
      (id != HTTP_E_INTERNAL && id != HTTP_E_UNAVAILABLE))
    return m;
  fprintf(stderr, "passage serve: %s %s: %s\n", r->method ? r->method : "-",
          r->path ? r->path : "-", m);
  return errors[id].title;
}

enum MHD_Result
http_fail(struct request *r, const struct app_error *e)
{
  enum http_error_id id = http_error_of(e->code);

  /* A malformed request is 400 whatever the code below it said. */
  if (e->kind == APP_ERROR_REQUEST && id != HTTP_E_TOO_LARGE)
    id = HTTP_E_BAD_REQUEST;
  return http_error(r, id, e->field, "%s", http_error_message(r, id, e));
}

const char *
http_arg(struct request *r, const char *name)
{
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

static const char *
request_get(void *ctx, const char *name)
{
  return http_arg(ctx, name);
}

struct each_value {
  const char *name;
  void (*fn)(void *fctx, const char *value);
  void *fctx;
};

static enum MHD_Result
each_value(void *cls, enum MHD_ValueKind kind, const char *key,
           const char *value)
{
  struct each_value *e = cls;

  (void)kind;
  if (strcmp(key, e->name) == 0 && value)
    e->fn(e->fctx, value);
  return MHD_YES;
}

static void
request_each(void *ctx, const char *name,
             void (*fn)(void *fctx, const char *value), void *fctx)
{
  struct request *r = ctx;
  struct each_value e = {name, fn, fctx};

  MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, each_value, &e);
}

void
http_request_args(struct request *r, struct http_args *a)
{
  a->get = request_get;
  a->each = request_each;
  a->ctx = r;
}

int
http_auth(struct request *r, enum app_action act, const char *answer,
          enum MHD_Result *mr)
{
  const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                              MHD_HTTP_HEADER_AUTHORIZATION);
  struct app_error err = {0};
  struct app *app = http_app(r);
  int rc;

  app_principal_cleanup(&r->who);
  rc = app_authenticate(app, h, &r->who, &err);
  if (rc == OK)
    rc = app_allow(app, &r->who, act, answer, &err);
  if (rc != OK)
    *mr = http_fail(r, &err);
  app_error_cleanup(&err);
  return rc;
}

/* ---- Requests ---- */

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
  struct request *r = xcalloc(1, sizeof *r);

  r->srv = cls;
  r->conn = c;
  r->raw = xstrdup(uri);
  r->t0 = http_now();
  r->route = HTTP_R_NONE;
  buf_init(&r->body);
  pthread_mutex_lock(&r->srv->flight_lock);
  r->srv->in_flight++;
  pthread_mutex_unlock(&r->srv->flight_lock);
  return r;
}

/* A route's path matches: the same, or, for a path ending in {name}, the
 * same up to it and something after. */
static int
path_matches(const char *route, const char *path)
{
  const char *brace = strchr(route, '{');
  size_t n;

  if (brace == NULL)
    return strcmp(route, path) == 0;
  n = (size_t)(brace - route);
  return strncmp(route, path, n) == 0 && path[n] != '\0';
}

int
http_match(const char *method, const char *path, int *other)
{
  *other = 0;
  for (int i = 0; i < HTTP_R_STATIC; i++) {
    if (!path_matches(http_routes[i].path, path))
      continue;
    if (strcmp(http_routes[i].method, method) == 0 ||
        (strcmp(method, "HEAD") == 0 &&
         strcmp(http_routes[i].method, "GET") == 0))
      return i;
    *other = 1;
  }
  if (*other)
    return HTTP_R_NONE;
  if ((strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
      strncmp(path, "/api/", 5) != 0 && strcmp(path, "/api") != 0 &&
      strncmp(path, "/log/", 5) != 0)
    return HTTP_R_STATIC;
  return HTTP_R_NONE;
}

static enum MHD_Result
not_routed(struct request *r)
{
  int other;

  http_match(r->method, r->path, &other);
  if (!other)
    return http_error(r, HTTP_E_NOT_FOUND, NULL, "no route %s %s", r->method,
                      r->path);
  return http_error(r, HTTP_E_METHOD, NULL, "%s takes another method", r->path);
}

/* Before any of the body: its size, when told, against the cap. */
static void
first_call(struct request *r, const char *url, const char *method)
{
  const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                               MHD_HTTP_HEADER_CONTENT_LENGTH);
  int other;

  r->path = url;
  r->method = method;
  r->route = http_match(method, url, &other);
  if (cl && strtoull(cl, NULL, 10) > r->srv->cfg->max_body)
    r->too_big = 1;
}

static enum MHD_Result
dispatch(struct request *r)
{
  if (r->too_big)
    return http_error(r, HTTP_E_TOO_LARGE, "body",
                      "the body is over the limit of %zu bytes",
                      r->srv->cfg->max_body);
  if (r->srv->stopping)
    return http_error(r, HTTP_E_UNAVAILABLE, NULL, "the server is stopping");
  if (r->route == HTTP_R_STATIC)
    return http_static(r);
  if (r->route == HTTP_R_NONE)
    return not_routed(r);
  return http_routes[r->route].fn(r);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
           const char *method, const char *version, const char *upload,
           size_t *upload_size, void **con_cls)
{
  struct request *r = *con_cls;

  (void)cls, (void)c, (void)version;
  /* libmicrohttpd 0.9.75 closes a keep-alive connection when a response
   * is queued on the first call: never answer before the second. */
  if (r->called++ == 0) {
    first_call(r, url, method);
    /* A body declared too big is refused before it is read (the
     * connection then closes, which such a client deserves). */
    return r->too_big ? dispatch(r) : MHD_YES;
  }
  if (r->pending) {
    struct MHD_Response *resp = r->pending;
    r->pending = NULL;
    return http_queue(r, r->pending_status, resp, r->bytes);
  }
  if (*upload_size > 0) {
    if (!r->too_big && r->body.len + *upload_size > r->srv->cfg->max_body) {
      r->too_big = 1;
      buf_cleanup(&r->body);
    }
    if (!r->too_big)
      buf_append(&r->body, upload, *upload_size);
    /* Past the cap the rest is read and dropped: libmicrohttpd takes an
     * answer only before the body or after all of it. */
    *upload_size = 0;
    return MHD_YES;
  }
  return dispatch(r);
}

/* A JSON string of s, or null. */
static void
json_text(struct buf *b, const char *s, size_t n)
{
  if (s == NULL || util_jcs_string(b, s, n) != OK)
    buf_puts(b, "null");
}

/* One JSON line per request on stderr: time, method, path (without the
 * query, which may carry what is not for a log), status, bytes, ms and the
 * token's name. */
static void
access_log(struct request *r, double ms)
{
  const char *q = strchr(r->raw, '?');
  char when[32];
  struct tm tm;
  time_t now = time(NULL);
  struct buf b;

  gmtime_r(&now, &tm);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  buf_init(&b);
  buf_printf(&b, "{\"time\":\"%s\",\"method\":", when);
  json_text(&b, r->method ? r->method : "", r->method ? strlen(r->method) : 0);
  buf_puts(&b, ",\"path\":");
  json_text(&b, r->raw, q ? (size_t)(q - r->raw) : strlen(r->raw));
  buf_printf(&b,
             ",\"status\":%u,\"bytes\":%zu,\"ms\":%.3f,\"token\":", r->status,
             r->bytes, ms);
  json_text(&b, r->who.name, r->who.name ? strlen(r->who.name) : 0);
  buf_puts(&b, "}\n");
  fwrite(b.data, 1, b.len, stderr);
  buf_cleanup(&b);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
  struct http_server *s = cls;
  struct request *r = *con_cls;
  double secs;

  (void)c, (void)toe;
  if (r == NULL)
    return;
  secs = http_now() - r->t0;
  if (r->status == 0)
    r->status = 499; /* the client went away before an answer */
  http_metrics_request(s->metrics, r->route, r->status, secs);
  if (!s->cfg->quiet)
    access_log(r, secs * 1000);
  if (r->pending)
    MHD_destroy_response(r->pending);
  app_principal_cleanup(&r->who);
  buf_cleanup(&r->body);
  free(r->raw);
  free(r);
  *con_cls = NULL;
  pthread_mutex_lock(&s->flight_lock);
  if (--s->in_flight == 0)
    pthread_cond_broadcast(&s->flight_cond);
  pthread_mutex_unlock(&s->flight_lock);
}

/* ---- Starting and stopping ---- */

static int
read_pem(const char *path, char **out)
{
  FILE *f = fopen(path, "rb");
  struct buf b;
  char chunk[4096];
  size_t n;

  *out = NULL;
  if (f == NULL)
    return ERR_IO;
  buf_init(&b);
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (1u << 20))
    buf_append(&b, chunk, n);
  fclose(f);
  *out = buf_take(&b);
  return OK;
}

struct listen {
  struct sockaddr_storage sa;
  int v6;
};

static int
parse_host(const char *host, unsigned port, struct listen *l)
{
  struct sockaddr_in *a4 = (struct sockaddr_in *)&l->sa;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&l->sa;
  char h[64];
  size_t n = strlen(host);

  memset(l, 0, sizeof *l);
  if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof h) {
    memcpy(h, host + 1, n - 2);
    h[n - 2] = '\0';
    host = h;
  }
  if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    return OK;
  }
  if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    l->v6 = 1;
    return OK;
  }
  return ERR_USAGE;
}

static unsigned
worker_threads(const struct http_config *c)
{
  long n = c->threads ? (long)c->threads : sysconf(_SC_NPROCESSORS_ONLN);

  return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

static struct MHD_Daemon *
start_daemon(struct http_server *s, unsigned port, const char *cert,
             const char *key)
{
  const struct http_config *c = s->cfg;
  unsigned threads = worker_threads(c);
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                   MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC;
  struct listen l;

  if (parse_host(c->host, port, &l) != OK)
    return NULL;
  if (l.v6)
    flags |= MHD_USE_IPv6;
  if (cert)
    flags |= MHD_USE_TLS;
  return MHD_start_daemon(
      flags, (uint16_t)port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
      (struct sockaddr *)&l.sa, MHD_OPTION_THREAD_POOL_SIZE,
      threads > 1 ? threads : 0, MHD_OPTION_CONNECTION_TIMEOUT, c->timeout,
      MHD_OPTION_CONNECTION_LIMIT, c->max_conns,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
      MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_NOTIFY_COMPLETED,
      on_completed, s, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
      cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
      MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
}

/* The daemon on the configured port, or the next free ones. */
static int
listen_on(struct http_server *s, unsigned *bound)
{
  const struct http_config *c = s->cfg;
  char *cert = NULL, *key = NULL;
  unsigned tries = c->port_tries ? c->port_tries : 1;
  const union MHD_DaemonInfo *info;
  struct buf why;
  int rc = OK;

  buf_init(&why);
  if (util_mhd_load(&why) != OK) {
    fprintf(stderr, "passage serve: %s\n", why.data);
    buf_cleanup(&why);
    return ERR_IO;
  }
  if (c->tls_cert || c->tls_key) {
    if (!http_tls_supported()) {
      fprintf(stderr, "passage serve: this libmicrohttpd was built without "
                      "HTTPS: serve behind a reverse proxy "
                      "(docs/operating.md)\n");
      return ERR_USAGE;
    }
    if (!c->tls_cert || !c->tls_key || read_pem(c->tls_cert, &cert) != OK ||
        read_pem(c->tls_key, &key) != OK) {
      fprintf(stderr, "passage serve: --tls-cert and --tls-key must both "
                      "name readable PEM files\n");
      rc = ERR_IO;
      goto out;
    }
  }
  for (unsigned i = 0; i < tries && s->daemon == NULL; i++)
    s->daemon = start_daemon(s, c->port ? c->port + i : 0, cert, key);
  if (s->daemon == NULL) {
    fprintf(stderr, "passage serve: cannot listen on %s:%u%s: %s\n", c->host,
            c->port, tries > 1 ? " nor the ports after it" : "",
            errno ? strerror(errno) : "not an address");
    rc = ERR_IO;
    goto out;
  }
  info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
  *bound = info ? info->port : c->port;
out:
  free(cert);
  free(key);
  return rc;
}

static void
announce(const struct http_server *s, unsigned port)
{
  const struct http_config *c = s->cfg;
  const char *scheme = c->tls_cert ? "https" : "http";
  FILE *f;

  fprintf(stderr,
          "passage serve: %s://%s:%u/ (store %s, web %s, %u worker "
          "threads)\n",
          scheme, c->host, port, c->db, s->web ? s->web : "none",
          worker_threads(c));
  if (c->ready && (f = fopen(c->ready, "w")) != NULL) {
    fprintf(f, "%s %u\n", c->host, port);
    fclose(f);
  }
}

/* Stops accepting, lets what is in flight end (10 s at most), then stops
 * the writer (which commits what it holds) and the daemon. */
static void
stop(struct http_server *s)
{
  struct timespec until;
  MHD_socket ls;

  s->stopping = 1;
  ls = MHD_quiesce_daemon(s->daemon);
  http_hub_close(s);
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 10;
  pthread_mutex_lock(&s->flight_lock);
  while (s->in_flight > 0 &&
         pthread_cond_timedwait(&s->flight_cond, &s->flight_lock, &until) == 0)
    ;
  pthread_mutex_unlock(&s->flight_lock);
  http_writer_stop(s);
  http_keeper_stop(s);
  MHD_stop_daemon(s->daemon);
  s->daemon = NULL;
  if (ls != MHD_INVALID_SOCKET)
    close(ls); /* quiesced: ours to close */
  http_hub_stop(s);
}

static int
wait_for_signal(void)
{
  sigset_t set;
  int sig = 0;

  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigwait(&set, &sig);
  return sig;
}

static void
cleanup(struct http_server *s)
{
  for (size_t i = 0; i < s->napps; i++)
    app_free(s->apps[i]);
  free(s->apps);
  http_metrics_free(s->metrics);
  free(s->web);
  pthread_key_delete(s->app_key);
  pthread_mutex_destroy(&s->apps_lock);
  pthread_mutex_destroy(&s->flight_lock);
  pthread_cond_destroy(&s->flight_cond);
}

int
http_serve(const struct http_config *c)
{
  struct http_server s;
  struct app_error err = {0};
  struct app *probe = app_new(c->db);
  unsigned port = 0;
  sigset_t set;
  int sig, rc;

  memset(&s, 0, sizeof s);
  s.cfg = c;
  /* The store must open now, so that a wrong --db fails at start. */
  if (app_open(probe, &err) != OK) {
    fprintf(stderr, "passage: %s\n", err.message ? err.message : "no store");
    app_error_cleanup(&err);
    app_free(probe);
    return 1;
  }
  app_free(probe);
  /* Answers are in English whatever the operator's language: API clients
   * read their messages, and no request's Accept-Language is looked at.
   * (A wrong --db above is still told in the operator's language.) */
  setlocale(LC_MESSAGES, "C");
  /* Signals go to the thread that waits for them, never to a worker; a
   * client that hangs up must not kill the server. */
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  s.web = http_web_dir(c->web);
  s.metrics = http_metrics_new();
  pthread_key_create(&s.app_key, NULL);
  pthread_mutex_init(&s.apps_lock, NULL);
  pthread_mutex_init(&s.flight_lock, NULL);
  pthread_cond_init(&s.flight_cond, NULL);
  rc = http_writer_start(&s);
  if (rc == OK && (rc = http_hub_start(&s)) != OK)
    http_writer_stop(&s);
  if (rc == OK && (rc = http_keeper_start(&s)) != OK) {
    http_writer_stop(&s);
    http_hub_stop(&s);
  }
  if (rc == OK && (rc = listen_on(&s, &port)) != OK) {
    http_keeper_stop(&s);
    http_writer_stop(&s);
    http_hub_stop(&s);
  }
  if (rc != OK) {
    cleanup(&s);
    return 1;
  }
  announce(&s, port);
  sig = wait_for_signal();
  fprintf(stderr, "passage serve: %s: stopping\n",
          sig == SIGINT ? "interrupted" : "terminated");
  stop(&s);
  cleanup(&s);
  fprintf(stderr, "passage serve: stopped\n");
  return 0;
}
