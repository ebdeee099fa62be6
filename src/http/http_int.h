/* http: what its files share. Private to src/http. */
#ifndef PASSAGE_HTTP_INT_H
#define PASSAGE_HTTP_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>

#include "util/mhd_lib.h"

#include "app/app.h"
#include "http/http.h"
#include "util/util.h"

/* The error codes of errors.def: HTTP_E_BAD_REQUEST, ... */
enum http_error_id {
#define ERROR(id, code, status, title) HTTP_E_##id,
#include "http/errors.def"
#undef ERROR
  HTTP_E_COUNT
};

struct request;
typedef enum MHD_Result route_fn(struct request *r);

struct route {
  const char *method, *path;
  route_fn *fn;
  const char *metric;
};

/* The routes of routes.def, then two labels of their own for metrics:
 * static files, and what matched nothing. */
enum {
#define ROUTE(method, path, fn, metric) HTTP_R_##fn,
#include "http/routes.def"
#undef ROUTE
  HTTP_R_STATIC,
  HTTP_R_NONE,
  HTTP_R_COUNT
};
extern const struct route http_routes[];

struct http_writer; /* writer.c */
struct http_hub;    /* events.c */
struct http_metrics;
struct http_keeper; /* keeper.c */

struct http_server {
  const struct http_config *cfg;
  struct MHD_Daemon *daemon;
  char *web; /* the static folder, resolved; NULL: none */
  struct http_writer *writer;
  struct http_hub *hub;
  struct http_metrics *metrics;
  struct http_keeper *keeper; /* NULL: the server holds no key */
  /* The read handles, one per worker thread, opened on first use. */
  pthread_mutex_t apps_lock;
  struct app **apps;
  size_t napps, capapps;
  pthread_key_t app_key;
  /* Requests begun and not completed, for a graceful stop. */
  pthread_mutex_t flight_lock;
  pthread_cond_t flight_cond;
  long in_flight;
  volatile int stopping;
};

/* A request, from its first line to the end of its answer. */
struct request {
  struct http_server *srv;
  struct MHD_Connection *conn;
  char *raw;        /* the URI as sent, before percent-decoding */
  const char *path; /* decoded, as libmicrohttpd gives it */
  const char *method;
  int route; /* HTTP_R_* */
  double t0; /* monotonic seconds at the first byte */
  struct buf body;
  int too_big;
  int called; /* the handler's calls so far */
  struct app_principal who;
  /* An answer the writer made, queued once the connection resumes. */
  struct MHD_Response *pending;
  unsigned pending_status;
  /* What was answered, for the access log and metrics. */
  unsigned status;
  size_t bytes;
  int is_stream;
};

/* The calling thread's read handle (its own, opened lazily). */
struct app *http_app(struct request *r);

/* Answers: each queues the response and returns libmicrohttpd's result. */
enum MHD_Result http_reply(struct request *r, unsigned status, const char *type,
                           char *data, size_t len);
enum MHD_Result http_reply_json(struct request *r, unsigned status,
                                const json_t *v);
enum MHD_Result http_error(struct request *r, enum http_error_id id,
                           const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* An app error as its code's status and the error body. */
enum MHD_Result http_fail(struct request *r, const struct app_error *e);
/* What an error's body says: the app's message, except for the program's
 * own failures (a store that cannot be reached, a file not written),
 * whose text names hosts, users and paths: those go to the server's log
 * (stderr, with the request's method and path) and the client gets the
 * status's title. */
const char *http_error_message(const struct request *r, enum http_error_id id,
                               const struct app_error *e);
/* The error table's id for an app code. */
enum http_error_id http_error_of(int code);
unsigned http_error_status(enum http_error_id id);
/* A response of the error body, for the writer thread. */
struct MHD_Response *http_error_response(enum http_error_id id,
                                         const char *field, const char *message,
                                         size_t *len);
/* A response holding a JSON document (compact, a newline). */
struct MHD_Response *http_json_response(const json_t *v, size_t *len);
/* Queues a response made elsewhere (and destroys our hold on it). */
enum MHD_Result http_queue(struct request *r, unsigned status,
                           struct MHD_Response *resp, size_t len);

/* A query parameter, or NULL. */
const char *http_arg(struct request *r, const char *name);
/* A whole number parameter: OK (*has set when given), or ERR_USAGE in
 * err naming it. */
int http_arg_count(struct request *r, const char *name, uint64_t *out, int *has,
                   struct app_error *err);

/*
 * The parsers of request bytes, apart from the request they came in (so
 * that tests/fuzz/fuzz_http_*.c call what the routes call). Query
 * parameters come through http_args: the request's (http_request_args),
 * libmicrohttpd having split and percent-decoded them, or a harness's.
 */
struct http_args {
  /* The value of the parameter called name, or NULL. */
  const char *(*get)(void *ctx, const char *name);
  /* Every value of a repeated parameter, in order: fn(fctx, value). */
  void (*each)(void *ctx, const char *name,
               void (*fn)(void *fctx, const char *value), void *fctx);
  void *ctx;
};
void http_request_args(struct request *r, struct http_args *a);
/* v, a value of the parameter name (NULL: not given), as a whole number
 * or a day ("2023-02-25", a local day number): OK (*has set when given),
 * or ERR_USAGE (APP_ERROR_REQUEST) in err naming it. */
int http_parse_count(const char *name, const char *v, uint64_t *out, int *has,
                     struct app_error *err);
int http_parse_day(const char *name, const char *v, int64_t *day, int *has,
                   struct app_error *err);
/* The analysis answers' query (from, to, date, as_of, by, measure, source,
 * outcome, checkpoint), checked: OK or ERR_USAGE in err. */
int http_parse_query(const struct http_args *a, struct app_query *q,
                     struct app_error *err);
/* format=json|csv|hxl, or what Accept (NULL: none) asks for; json by
 * default. OK or ERR_USAGE (field "format"). */
int http_parse_form(const char *format, const char *accept, enum app_form *form,
                    struct app_error *err);
/* The sitrep's query (date, as_of, period, format): OK or ERR_USAGE. */
int http_sitrep_query(const struct http_args *a, struct app_sitrep_query *q,
                      struct app_error *err);
/* GET /api/v1/records' query (kind, format or Accept, cursor, limit, from,
 * to): OK or ERR_USAGE. */
int http_records_query(const struct http_args *a, const char *accept,
                       struct app_records_query *q, struct app_error *err);
/* An upload's query (format or the media type, kind, name, create_missing,
 * map, set, values): OK, or ERR_USAGE with the answer's *id, err's field
 * and message. q's maps, sets and values are new arrays (free them). */
int http_import_query(const struct http_args *a, const char *type,
                      struct app_import_query *q, enum http_error_id *id,
                      struct app_error *err);
/* The media type of a Content-Type header (NULL: none), without its
 * parameters, cut to size - 1 bytes; "" for none. */
void http_media_type(const char *ct, char *out, size_t size);
/* 1 when an Accept-Encoding header names gzip (or *) without q=0. */
int http_accepts_gzip(const char *h);
/* 1 when a static file's path as sent (raw, its query included) or as
 * decoded could reach outside the web folder. */
int http_path_escapes(const char *raw, const char *path);
/* The route for method and path: its index, HTTP_R_STATIC for another GET
 * outside /api and /log, or HTTP_R_NONE; *other is set when the path is a
 * route's with another method. */
int http_match(const char *method, const char *path, int *other);
/* Who asks (Authorization), and whether they may: OK, or the error
 * answered already (*mr holds libmicrohttpd's result). */
int http_auth(struct request *r, enum app_action act, const char *answer,
              enum MHD_Result *mr);

/* The writer (writer.c): one thread that owns the write handle. */
int http_writer_start(struct http_server *s);
void http_writer_stop(struct http_server *s);
/* Hands the parsed batch to the writer and suspends r until it answers.
 * Takes b. */
enum MHD_Result http_writer_post(struct request *r, struct app_batch *b);
/* Hands an import of r's body to the writer, as q (copied). */
enum MHD_Result http_writer_import(struct request *r,
                                   const struct app_import_query *q);
size_t http_writer_depth(struct http_server *s);
/* The caches' memory as the writer saw it after its last group
 * (app_memory; zeros before the first). */
void http_writer_memory(struct http_server *s, struct app_memory *m);

/* The keeper (keeper.c): signs new tree heads and asks the witnesses, on
 * a thread of its own, when the server holds the log's key (else it does
 * not start, and says so). */
int http_keeper_start(struct http_server *s);
/* Tells it the writer committed. */
void http_keeper_poke(struct http_server *s);
/* Stops it (waiting a few seconds at most for a witness's answer). */
void http_keeper_stop(struct http_server *s);

/* The event stream (events.c). */
int http_hub_start(struct http_server *s);
void http_hub_stop(struct http_server *s);
/* Tells the hub the log may have grown. */
void http_hub_poke(struct http_server *s);
/* Ends every stream (at a stop). */
void http_hub_close(struct http_server *s);

/* Metrics (metrics.c). */
struct http_metrics *http_metrics_new(void);
void http_metrics_free(struct http_metrics *m);
void http_metrics_request(struct http_metrics *m, int route, unsigned status,
                          double seconds);
void http_metrics_records(struct http_metrics *m, size_t accepted,
                          size_t refused);
void http_metrics_tree(struct http_metrics *m, uint64_t size);
void http_metrics_write(struct http_server *s, struct buf *out);

/* Static files (static.c): answers a GET that no route took. */
enum MHD_Result http_static(struct request *r);
/* The web folder to serve: dir, else the build's web/dist, else the
 * installed one; NULL when none exists. A new string. */
char *http_web_dir(const char *dir);

/* The route handlers, as routes.def names them. */
#define ROUTE(method, path, fn, metric) route_fn fn;
#include "http/routes.def"
#undef ROUTE

/* Seconds on a monotonic clock. */
double http_now(void);

#endif
