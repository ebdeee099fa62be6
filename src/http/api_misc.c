/* The server's own routes: /healthz, /metrics, /api/v1/status. */
#include "http/http_int.h"

#include <stdlib.h>

enum MHD_Result
route_healthz(struct request *r)
{
  struct app_error err = {0};
  uint8_t root[32];
  uint64_t size = 0;
  enum MHD_Result mr;
  json_t *o;

  /* Alive and able to read the store. */
  if (app_tree_head(http_app(r), &size, root, &err) != OK) {
    mr = http_fail(r, &err);
    app_error_cleanup(&err);
    return mr;
  }
  o = json_pack("{s:s,s:I}", "status", "ok", "tree_size", (json_int_t)size);
  mr = http_reply_json(r, 200, o);
  json_decref(o);
  return mr;
}

enum MHD_Result
route_metrics(struct request *r)
{
  struct buf b;
  size_t len;

  buf_init(&b);
  http_metrics_write(r->srv, &b);
  len = b.len;
  return http_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8",
                    buf_take(&b), len);
}

enum MHD_Result
route_status(struct request *r)
{
  struct app_error err = {0};
  enum MHD_Result mr;
  json_t *o = NULL;

  if (http_auth(r, APP_ACT_STATUS, NULL, &mr) != OK)
    return mr;
  if (app_refresh(http_app(r), &err) != OK ||
      app_status_serve(http_app(r), &r->who, r->srv->cfg->key, &o, &err) != OK)
    mr = http_fail(r, &err);
  else
    mr = http_reply_json(r, 200, o);
  json_decref(o);
  app_error_cleanup(&err);
  return mr;
}
