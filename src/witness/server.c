/*
 * The witness over HTTP (libmicrohttpd): POST /add-checkpoint and GET
 * /<origin hash>/checkpoint, a small pool of threads, every body capped.
 * The decisions are add.c's; this file only moves bytes. A response is
 * queued on the handler's second call at the earliest: libmicrohttpd
 * 0.9.75 closes a keep-alive connection when one is queued on the first,
 * and tlog-witness asks for keep-alive.
 */
#include "witness/witness.h"
#include "witness/witness_int.h"

#include <arpa/inet.h>
#include <locale.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "util/mhd_lib.h"

#define POOL_THREADS 4
#define CONNECTION_TIMEOUT 30 /* seconds: a slow client is dropped */
#define CONNECTION_LIMIT 256

/* One request while its body arrives. */
struct req {
  struct buf body;
  int over; /* the body passed the cap: 413 */
};

static void
log_line(const char *method, const char *url, int status, size_t in)
{
  char when[32];
  time_t now = time(NULL);
  struct tm tm;

  gmtime_r(&now, &tm);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  /* The path is ours to print only as far as it is plain text. */
  fprintf(stderr, "{\"time\":\"%s\",\"method\":\"%s\",\"path\":\"", when,
          method);
  for (const char *p = url; *p && p - url < 200; p++)
    if ((unsigned char)*p >= ' ' && *p != '"' && *p != '\\')
      fputc(*p, stderr);
  fprintf(stderr, "\",\"status\":%d,\"bytes\":%zu}\n", status, in);
}

static enum MHD_Result
reply(struct MHD_Connection *c, int status, const char *type, const void *data,
      size_t len)
{
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
  enum MHD_Result mr;

  if (r == NULL)
    return MHD_NO;
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  mr = MHD_queue_response(c, (unsigned)status, r);
  MHD_destroy_response(r);
  return mr;
}

static enum MHD_Result
reply_text(struct MHD_Connection *c, int status, const char *text)
{
  return reply(c, status, "text/plain; charset=utf-8", text, strlen(text));
}

/* GET /<64 lowercase hex>/checkpoint */
static int
monitoring_path(const char *url, char hash[65])
{
  if (strlen(url) != 1 + 64 + 11 || url[0] != '/' ||
      strcmp(url + 65, "/checkpoint") != 0)
    return 0;
  for (int i = 0; i < 64; i++) {
    char ch = url[1 + i];
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
      return 0;
    hash[i] = ch;
  }
  hash[64] = '\0';
  return 1;
}

static enum MHD_Result
handle(struct witness *w, struct MHD_Connection *c, const char *method,
       const char *url, struct req *q)
{
  struct witness_answer a;
  char hash[65];
  enum MHD_Result mr;
  int post = strcmp(method, "POST") == 0;

  if (strcmp(url, "/add-checkpoint") == 0) {
    if (!post) {
      log_line(method, url, 405, 0);
      return reply_text(c, 405, "add-checkpoint takes POST\n");
    }
    if (q->over) {
      log_line(method, url, 413, q->body.len);
      return reply_text(c, 413, "the request is too large\n");
    }
    witness_add_checkpoint(w, q->body.data ? q->body.data : "", q->body.len,
                           (uint64_t)time(NULL), &a);
  } else if (monitoring_path(url, hash) && strcmp(method, "GET") == 0) {
    witness_get_checkpoint(w, hash, &a);
  } else if (strcmp(url, "/") == 0 && strcmp(method, "GET") == 0) {
    char *v = witness_verifier(w);
    memset(&a, 0, sizeof a);
    buf_init(&a.body);
    a.status = 200;
    a.content_type = "text/plain; charset=utf-8";
    buf_printf(&a.body, "passage witness %s\n", v);
    free(v);
  } else {
    log_line(method, url, 404, 0);
    return reply_text(c, 404, "not found\n");
  }
  log_line(method, url, a.status, q->body.len);
  mr = reply(c, a.status, a.content_type, a.body.data ? a.body.data : "",
             a.body.len);
  witness_answer_cleanup(&a);
  return mr;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
           const char *method, const char *version, const char *upload,
           size_t *upload_size, void **con_cls)
{
  struct req *q = *con_cls;

  (void)version;
  if (q == NULL) {
    q = xcalloc(1, sizeof *q);
    buf_init(&q->body);
    *con_cls = q;
    return MHD_YES;
  }
  if (*upload_size > 0) {
    if (q->body.len + *upload_size > LEDGER_WITNESS_BODY_MAX)
      q->over = 1;
    else
      buf_append(&q->body, upload, *upload_size);
    *upload_size = 0;
    return MHD_YES;
  }
  return handle(cls, c, method, url, q);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
  struct req *q = *con_cls;

  (void)cls;
  (void)c;
  (void)toe;
  if (q) {
    buf_cleanup(&q->body);
    free(q);
  }
  *con_cls = NULL;
}

/* "HOST:PORT", "[V6]:PORT" or ":PORT" into an address. */
static int
parse_listen(const char *listen, struct sockaddr_storage *sa, int *v6,
             struct buf *err)
{
  const char *colon = strrchr(listen, ':');
  struct addrinfo hints, *res = NULL;
  char host[256];
  size_t hl;
  int gai;

  if (colon == NULL || colon[1] == '\0') {
    buf_printf(err,
               "--listen: expected HOST:PORT, [V6]:PORT or :PORT, got "
               "'%s'",
               listen);
    return ERR_USAGE;
  }
  hl = (size_t)(colon - listen);
  if (hl >= 2 && listen[0] == '[' && listen[hl - 1] == ']') {
    listen++;
    hl -= 2;
  }
  if (hl >= sizeof host) {
    buf_printf(err, "--listen: the host is too long");
    return ERR_USAGE;
  }
  memcpy(host, listen, hl);
  host[hl] = '\0';
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  gai = getaddrinfo(hl ? host : NULL, colon + 1, &hints, &res);
  if (gai != 0 || res == NULL) {
    buf_printf(err, "--listen: %s: %s", listen,
               gai ? gai_strerror(gai) : "no address");
    return ERR_USAGE;
  }
  memcpy(sa, res->ai_addr, res->ai_addrlen);
  *v6 = res->ai_family == AF_INET6;
  freeaddrinfo(res);
  return OK;
}

int
witness_serve(struct witness *w, const char *listen,
              void (*ready)(void *ctx, unsigned port), void *ctx,
              struct buf *err)
{
  struct sockaddr_storage sa;
  const union MHD_DaemonInfo *info;
  struct MHD_Daemon *d;
  sigset_t stop, old;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
  int v6 = 0, sig, rc;

  memset(&sa, 0, sizeof sa);
  if ((rc = parse_listen(listen, &sa, &v6, err)) != OK)
    return rc;
  if (v6)
    flags |= MHD_USE_IPv6;
  /* Answers are in English whatever the operator's language: logs and
   * their tools read them (the ledger's texts are translated for the
   * command's own messages). */
  setlocale(LC_MESSAGES, "C");
  if (util_mhd_load(err) != OK)
    return ERR_IO;
  /* The pool's threads inherit this mask: only sigwait below sees the
   * signals that stop the witness. */
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, &old);
  signal(SIGPIPE, SIG_IGN);
  d = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, w, MHD_OPTION_SOCK_ADDR,
      (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
      (unsigned)POOL_THREADS, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)CONNECTION_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT,
      (unsigned)CONNECTION_LIMIT, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
      NULL, MHD_OPTION_END);
  if (d == NULL) {
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    buf_printf(err,
               "cannot listen on %s (in use, or not an address of this "
               "machine?)",
               listen);
    return ERR_IO;
  }
  info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  if (ready)
    ready(ctx, info ? info->port : 0);
  sigwait(&stop, &sig);
  MHD_stop_daemon(d);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return OK;
}
