/*
 * The event stream (GET /api/v1/events/stream): Server-Sent Events that
 * announce each new tree head, so that dashboards update without polling.
 * A hub thread watches the log's size (poked by the writer after each
 * commit, and once a second for what other processes commit), and sends
 * `event: tree` with the size and root to every stream, and a comment
 * every 15 s to keep proxies from closing an idle one. A stream with
 * nothing to send is suspended, holding no worker thread.
 */
#include "http/http_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEEPALIVE_SECONDS 15

struct client {
  struct http_hub *hub;
  struct MHD_Connection *conn;
  struct buf out; /* what is still to send */
  size_t sent;
  int suspended, end;
  struct client *next;
};

struct http_hub {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  struct client *clients;
  int stop, poked, started;
  struct app *app;
  struct http_server *srv;
  /* The last head announced. */
  uint64_t size;
  char event[160];
};

/* Appends text to every stream and wakes those that wait. Under lock. */
static void
broadcast(struct http_hub *h, const char *text)
{
  for (struct client *c = h->clients; c; c = c->next) {
    buf_puts(&c->out, text);
    if (c->suspended) {
      c->suspended = 0;
      MHD_resume_connection(c->conn);
    }
  }
}

/* Reads the head; announces it when it moved. */
static void
check_head(struct http_hub *h)
{
  struct app_error err = {0};
  uint8_t root[32];
  uint64_t size;
  struct buf b;

  if (app_tree_head(h->app, &size, root, &err) != OK) {
    app_error_cleanup(&err);
    return;
  }
  buf_init(&b);
  util_base64_encode(&b, root, sizeof root);
  pthread_mutex_lock(&h->lock);
  if (size != h->size || h->event[0] == '\0') {
    h->size = size;
    snprintf(h->event, sizeof h->event,
             "event: tree\ndata: {\"tree_size\":%llu,\"root\":\"%s\"}\n\n",
             (unsigned long long)size, b.data);
    broadcast(h, h->event);
  }
  pthread_mutex_unlock(&h->lock);
  http_metrics_tree(h->srv->metrics, size);
  buf_cleanup(&b);
}

static void *
hub_main(void *arg)
{
  struct http_hub *h = arg;
  time_t last_keepalive = time(NULL);
  struct timespec until;

  for (;;) {
    check_head(h);
    if (time(NULL) - last_keepalive >= KEEPALIVE_SECONDS) {
      last_keepalive = time(NULL);
      pthread_mutex_lock(&h->lock);
      broadcast(h, ": keepalive\n\n");
      pthread_mutex_unlock(&h->lock);
    }
    pthread_mutex_lock(&h->lock);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 1;
    while (!h->stop && !h->poked &&
           pthread_cond_timedwait(&h->cond, &h->lock, &until) == 0)
      ;
    h->poked = 0;
    if (h->stop) {
      pthread_mutex_unlock(&h->lock);
      break;
    }
    pthread_mutex_unlock(&h->lock);
  }
  return NULL;
}

int
http_hub_start(struct http_server *s)
{
  struct http_hub *h = xcalloc(1, sizeof *h);

  h->srv = s;
  h->app = app_new_server(s->cfg->db);
  pthread_mutex_init(&h->lock, NULL);
  pthread_cond_init(&h->cond, NULL);
  s->hub = h;
  check_head(h);
  if (pthread_create(&h->thread, NULL, hub_main, h) != 0) {
    fprintf(stderr, "passage serve: cannot start the event thread\n");
    return ERR_IO;
  }
  h->started = 1;
  return OK;
}

void
http_hub_poke(struct http_server *s)
{
  struct http_hub *h = s->hub;

  pthread_mutex_lock(&h->lock);
  h->poked = 1;
  pthread_cond_signal(&h->cond);
  pthread_mutex_unlock(&h->lock);
}

void
http_hub_close(struct http_server *s)
{
  struct http_hub *h = s->hub;

  pthread_mutex_lock(&h->lock);
  for (struct client *c = h->clients; c; c = c->next) {
    c->end = 1;
    if (c->suspended) {
      c->suspended = 0;
      MHD_resume_connection(c->conn);
    }
  }
  pthread_mutex_unlock(&h->lock);
}

void
http_hub_stop(struct http_server *s)
{
  struct http_hub *h = s->hub;

  if (h == NULL)
    return;
  pthread_mutex_lock(&h->lock);
  h->stop = 1;
  pthread_cond_signal(&h->cond);
  pthread_mutex_unlock(&h->lock);
  if (h->started)
    pthread_join(h->thread, NULL);
  app_free(h->app);
  pthread_mutex_destroy(&h->lock);
  pthread_cond_destroy(&h->cond);
  free(h);
  s->hub = NULL;
}

static ssize_t
read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
  struct client *c = cls;
  struct http_hub *h = c->hub;
  size_t n;

  (void)pos;
  pthread_mutex_lock(&h->lock);
  if (c->out.len > c->sent) {
    n = c->out.len - c->sent;
    if (n > max)
      n = max;
    memcpy(buf, c->out.data + c->sent, n);
    c->sent += n;
    if (c->sent == c->out.len) {
      buf_reset(&c->out);
      c->sent = 0;
    }
    pthread_mutex_unlock(&h->lock);
    return (ssize_t)n;
  }
  if (c->end || h->stop) {
    pthread_mutex_unlock(&h->lock);
    return MHD_CONTENT_READER_END_OF_STREAM;
  }
  /* Nothing to send: wait without holding a thread, until broadcast. */
  c->suspended = 1;
  MHD_suspend_connection(c->conn);
  pthread_mutex_unlock(&h->lock);
  return 0;
}

static void
free_stream(void *cls)
{
  struct client *c = cls;
  struct http_hub *h = c->hub;

  pthread_mutex_lock(&h->lock);
  for (struct client **p = &h->clients; *p; p = &(*p)->next)
    if (*p == c) {
      *p = c->next;
      break;
    }
  pthread_mutex_unlock(&h->lock);
  buf_cleanup(&c->out);
  free(c);
}

enum MHD_Result
route_events(struct request *r)
{
  struct http_hub *h = r->srv->hub;
  struct MHD_Response *resp;
  struct client *c;
  enum MHD_Result mr;

  if (http_auth(r, APP_ACT_STATUS, NULL, &mr) != OK)
    return mr;
  c = xcalloc(1, sizeof *c);
  c->hub = h;
  c->conn = r->conn;
  buf_init(&c->out);
  resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, read_stream,
                                           c, free_stream);
  if (resp == NULL) {
    free(c);
    return MHD_NO;
  }
  pthread_mutex_lock(&h->lock);
  buf_puts(&c->out, h->event); /* the head as it is, at once */
  c->next = h->clients;
  h->clients = c;
  pthread_mutex_unlock(&h->lock);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                          "text/event-stream");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
  MHD_add_response_header(resp, "X-Accel-Buffering", "no");
  /* A stream is idle between events by design; keep-alives keep it. */
  MHD_set_connection_option(r->conn, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
  r->is_stream = 1;
  return http_queue(r, 200, resp, 0);
}
