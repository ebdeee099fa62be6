/*
 * The log as C2SP tlog-tiles (c2sp.org/tlog-tiles): /checkpoint and
 * /tile/..., the same bytes under the same paths as the files `passage log
 * tiles --out DIR` writes, so that a client reads a mirror and the server
 * alike. What each resource is, its type and how long it may be cached
 * come from app_log_tile; this file adds who may read it (entry bundles
 * carry the raw records: app_allow's APP_ACT_LOG) and gzip for bundles.
 */
#include "http/http_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

int
http_accepts_gzip(const char *h)
{
  while (h && *h) {
    const char *end = strchr(h, ','), *semi;
    size_t n = end ? (size_t)(end - h) : strlen(h), len;
    while (n > 0 && isspace((unsigned char)*h))
      h++, n--;
    semi = memchr(h, ';', n);
    len = semi ? (size_t)(semi - h) : n;
    while (len > 0 && isspace((unsigned char)h[len - 1]))
      len--;
    if ((len == 4 && strncasecmp(h, "gzip", 4) == 0) ||
        (len == 1 && h[0] == '*')) {
      /* "q=0", "q=0.0", ...: refused; any other weight accepts. */
      const char *q = semi ? strstr(semi, "q=") : NULL;
      if (q == NULL || q >= h + n || strtod(q + 2, NULL) > 0)
        return 1;
    }
    h = end ? end + 1 : NULL;
  }
  return 0;
}

/* data as a gzip stream into out: OK, or ERR_NOMEM when zlib fails. */
static int
gzip_bytes(const char *data, size_t len, struct buf *out)
{
  z_stream z;
  char chunk[16384];
  int zr;

  memset(&z, 0, sizeof z);
  /* 15 + 16: a gzip header and trailer around the deflate stream. */
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return ERR_NOMEM;
  z.next_in = (Bytef *)data;
  z.avail_in = (uInt)len;
  do {
    z.next_out = (Bytef *)chunk;
    z.avail_out = sizeof chunk;
    zr = deflate(&z, Z_FINISH);
    buf_append(out, chunk, sizeof chunk - z.avail_out);
  } while (zr == Z_OK);
  deflateEnd(&z);
  return zr == Z_STREAM_END ? OK : ERR_NOMEM;
}

/* The tile as app made it, gzipped when that helps and the client takes
 * it; the tile's own caching either way. */
static enum MHD_Result
reply_tile(struct request *r, struct app_tile *t, int may_gzip)
{
  const char *ae = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                               MHD_HTTP_HEADER_ACCEPT_ENCODING);
  struct MHD_Response *resp;
  int gz = 0;
  struct buf z;
  size_t len;
  char *data;

  buf_init(&z);
  if (may_gzip && http_accepts_gzip(ae) &&
      gzip_bytes(t->data, t->len, &z) == OK && z.len < t->len)
    gz = 1;
  if (gz) {
    len = z.len;
    data = buf_take(&z);
  } else {
    len = t->len;
    data = t->data;
    t->data = NULL;
  }
  buf_cleanup(&z);
  resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
  if (resp == NULL) {
    free(data);
    return MHD_NO;
  }
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, t->content_type);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                          t->cache_control);
  /* Any origin may read the log: mirrors, verifiers, other parties'
   * dashboards. A bundle that needs a token is still refused without. */
  MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
  if (may_gzip)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY,
                            MHD_HTTP_HEADER_ACCEPT_ENCODING);
  if (gz)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
  return http_queue(r, 200, resp, len);
}

/* A resource below the log's prefix, as app_log_tile names it. */
static enum MHD_Result
serve_tile(struct request *r, const char *path, enum app_action act,
           int may_gzip)
{
  struct app_error err = {0};
  struct app_tile t = {0};
  enum MHD_Result mr;
  int rc;

  if (http_auth(r, act, NULL, &mr) != OK)
    return mr;
  if ((rc = app_refresh(http_app(r), &err)) == OK)
    rc = app_log_tile(http_app(r), path, &t, &err);
  if (rc == OK)
    mr = reply_tile(r, &t, may_gzip);
  else if (rc == ERR_NOTFOUND)
    /* app calls a path that names nothing a bad request; for a server it
     * is a resource it does not have. */
    mr = http_error(r, HTTP_E_NOT_FOUND, err.field, "%s",
                    err.message ? err.message : "no such tile");
  else
    mr = http_fail(r, &err);
  app_tile_cleanup(&t);
  app_error_cleanup(&err);
  return mr;
}

enum MHD_Result
route_checkpoint(struct request *r)
{
  return serve_tile(r, "checkpoint", APP_ACT_STATUS, 0);
}

enum MHD_Result
route_tile(struct request *r)
{
  /* Entry bundles hold the records' bytes; hash tiles only hashes. */
  int bundle = strncmp(r->path, "/tile/entries/", 14) == 0;

  return serve_tile(r, r->path, bundle ? APP_ACT_LOG : APP_ACT_STATUS, bundle);
}
