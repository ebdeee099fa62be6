/*
 * HTTP as a client (libcurl): what the log sends to witnesses and what
 * `verify --tiles URL` fetches. One handle keeps its connection alive
 * between requests, as tlog-witness asks of clients; every answer is
 * capped, since it comes from someone else's server.
 */
#include "app/app_int.h"
#include "util/i18n.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "app/curl_lib.h"

struct app__http {
  CURL *curl;
  char *auth; /* "Authorization: Bearer ..." or NULL */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ok;
static struct buf curl_why;

static void
curl_start(void)
{
  buf_init(&curl_why);
  curl_ok = app__curl_load(&curl_why) == OK &&
            curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!curl_ok && curl_why.len == 0)
    buf_puts(&curl_why, _("libcurl cannot start"));
}

const char *
app__http_failure(void)
{
  return curl_why.data ? curl_why.data : _("libcurl cannot start");
}

struct app__http *
app__http_new(void)
{
  struct app__http *h;

  pthread_once(&curl_once, curl_start);
  if (!curl_ok)
    return NULL;
  h = xcalloc(1, sizeof *h);
  h->curl = curl_easy_init();
  if (h->curl == NULL) {
    free(h);
    return NULL;
  }
  return h;
}

void
app__http_free(struct app__http *h)
{
  if (h == NULL)
    return;
  curl_easy_cleanup(h->curl);
  free(h->auth);
  free(h);
}

void
app__http_set_token(struct app__http *h, const char *token)
{
  free(h->auth);
  h->auth =
      token && *token ? xasprintf("Authorization: Bearer %s", token) : NULL;
}

void
app__http_answer_cleanup(struct app__http_answer *a)
{
  if (a == NULL)
    return;
  buf_cleanup(&a->body);
  memset(a, 0, sizeof *a);
}

struct sink {
  struct buf *body;
  size_t max;
  int over;
};

static size_t
on_data(char *data, size_t size, size_t n, void *ctx)
{
  struct sink *s = ctx;
  size_t len = size * n;

  if (s->body->len + len > s->max) {
    s->over = 1;
    return 0; /* stops the transfer */
  }
  buf_append(s->body, data, len);
  return len;
}

int
app__http_request(struct app__http *h, const char *url, const char *body,
                  size_t len, size_t max, struct app__http_answer *out,
                  struct buf *why)
{
  struct sink s = {&out->body, max, 0};
  struct curl_slist *headers = NULL;
  char *ctype = NULL;
  CURLcode cc;
  CURL *c = h->curl;

  memset(out, 0, sizeof *out);
  buf_init(&out->body);
  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "passage");
  /* Entry bundles should come compressed (tlog-tiles); curl undoes it. */
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "gzip, identity");
  if (body != NULL) {
    headers = curl_slist_append(headers, "Content-Type: text/plain");
    /* A witness answers at once: no "100 Continue" round trip. */
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  } else {
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    /* CURLOPT_UNRESTRICTED_AUTH stays off: a redirect to another host
     * gets no token. */
    if (h->auth) {
      headers = curl_slist_append(headers, h->auth);
      curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    }
  }
  cc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (s.over) {
    buf_printf(why, _("%s: the answer is over %zu bytes"), url, max);
    buf_cleanup(&out->body);
    return ERR_NOMEM;
  }
  if (cc != CURLE_OK) {
    buf_printf(why, "%s: %s", url, curl_easy_strerror(cc));
    buf_cleanup(&out->body);
    return ERR_IO;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
  if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK &&
      ctype != NULL)
    snprintf(out->content_type, sizeof out->content_type, "%s", ctype);
  return OK;
}
