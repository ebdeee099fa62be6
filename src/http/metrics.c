/* /metrics: counters and a latency histogram in Prometheus' text form. */
#include "http/http_int.h"

#include <stdlib.h>
#include <string.h>

static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                0.1,   0.25,   0.5,   1,    2.5,   10};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

/* The statuses counted apart; any other is counted as its class. */
struct count {
  int route;
  unsigned status;
  unsigned long long n;
};

struct http_metrics {
  pthread_mutex_t lock;
  struct count *counts;
  size_t ncounts, cap;
  unsigned long long hist[HTTP_R_COUNT][NBOUNDS + 1];
  double sum[HTTP_R_COUNT];
  unsigned long long accepted, refused;
  uint64_t tree;
};

struct http_metrics *
http_metrics_new(void)
{
  struct http_metrics *m = xcalloc(1, sizeof *m);

  pthread_mutex_init(&m->lock, NULL);
  return m;
}

void
http_metrics_free(struct http_metrics *m)
{
  if (m == NULL)
    return;
  pthread_mutex_destroy(&m->lock);
  free(m->counts);
  free(m);
}

void
http_metrics_request(struct http_metrics *m, int route, unsigned status,
                     double seconds)
{
  size_t i, b;

  pthread_mutex_lock(&m->lock);
  for (i = 0; i < m->ncounts; i++)
    if (m->counts[i].route == route && m->counts[i].status == status)
      break;
  if (i == m->ncounts) {
    m->counts =
        util_grow(m->counts, &m->cap, m->ncounts + 1, sizeof *m->counts);
    m->counts[m->ncounts++] = (struct count){route, status, 0};
  }
  m->counts[i].n++;
  for (b = 0; b < NBOUNDS && seconds > bounds[b]; b++)
    ;
  m->hist[route][b]++;
  m->sum[route] += seconds;
  pthread_mutex_unlock(&m->lock);
}

void
http_metrics_records(struct http_metrics *m, size_t accepted, size_t refused)
{
  pthread_mutex_lock(&m->lock);
  m->accepted += accepted;
  m->refused += refused;
  pthread_mutex_unlock(&m->lock);
}

void
http_metrics_tree(struct http_metrics *m, uint64_t size)
{
  pthread_mutex_lock(&m->lock);
  m->tree = size;
  pthread_mutex_unlock(&m->lock);
}

static void
histogram(struct http_metrics *m, struct buf *out)
{
  buf_puts(out, "# HELP passage_http_request_duration_seconds Time from a "
                "request's first byte to its answer's end.\n"
                "# TYPE passage_http_request_duration_seconds histogram\n");
  for (int r = 0; r < HTTP_R_COUNT; r++) {
    unsigned long long total = 0;
    for (size_t b = 0; b <= NBOUNDS; b++)
      total += m->hist[r][b];
    if (total == 0)
      continue;
    total = 0;
    for (size_t b = 0; b <= NBOUNDS; b++) {
      total += m->hist[r][b];
      if (b < NBOUNDS)
        buf_printf(out,
                   "passage_http_request_duration_seconds_bucket{route=\"%s\","
                   "le=\"%g\"} %llu\n",
                   http_routes[r].metric, bounds[b], total);
      else
        buf_printf(out,
                   "passage_http_request_duration_seconds_bucket{route=\"%s\","
                   "le=\"+Inf\"} %llu\n",
                   http_routes[r].metric, total);
    }
    buf_printf(out,
               "passage_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
               "passage_http_request_duration_seconds_count{route=\"%s\"} "
               "%llu\n",
               http_routes[r].metric, m->sum[r], http_routes[r].metric, total);
  }
}

void
http_metrics_write(struct http_server *s, struct buf *out)
{
  struct http_metrics *m = s->metrics;
  size_t depth = http_writer_depth(s);
  struct app_memory mem;

  http_writer_memory(s, &mem);
  pthread_mutex_lock(&m->lock);
  buf_puts(out, "# HELP passage_http_requests_total Requests answered, by "
                "route and status.\n"
                "# TYPE passage_http_requests_total counter\n");
  for (size_t i = 0; i < m->ncounts; i++)
    buf_printf(out,
               "passage_http_requests_total{route=\"%s\",status=\"%u\"} "
               "%llu\n",
               http_routes[m->counts[i].route].metric, m->counts[i].status,
               m->counts[i].n);
  histogram(m, out);
  buf_printf(out,
             "# HELP passage_records_accepted_total Records stored through "
             "the server.\n"
             "# TYPE passage_records_accepted_total counter\n"
             "passage_records_accepted_total %llu\n"
             "# HELP passage_records_refused_total Records refused (invalid, "
             "conflicting, or lost to a store failure).\n"
             "# TYPE passage_records_refused_total counter\n"
             "passage_records_refused_total %llu\n"
             "# HELP passage_tree_size Entries in the log.\n"
             "# TYPE passage_tree_size gauge\n"
             "passage_tree_size %llu\n"
             "# HELP passage_writer_queue_depth Requests waiting for the "
             "writer.\n"
             "# TYPE passage_writer_queue_depth gauge\n"
             "passage_writer_queue_depth %zu\n"
             "# HELP passage_store_engine_bytes Memory the store's engine "
             "holds in the server (SQLite's page caches and statements, "
             "every handle's), after the writer's last commit.\n"
             "# TYPE passage_store_engine_bytes gauge\n"
             "passage_store_engine_bytes %zu\n"
             "# HELP passage_writer_day_cache_bytes Memory the writer's "
             "cache of built days holds, after its last commit.\n"
             "# TYPE passage_writer_day_cache_bytes gauge\n"
             "passage_writer_day_cache_bytes %zu\n"
             "# HELP passage_writer_day_cache_dropped_total Days the "
             "writer's cache dropped (another process wrote, a rollback, "
             "a new corridor, or room for others), each read again from "
             "the store when next built.\n"
             "# TYPE passage_writer_day_cache_dropped_total counter\n"
             "passage_writer_day_cache_dropped_total %llu\n",
             m->accepted, m->refused, (unsigned long long)m->tree, depth,
             mem.engine, mem.day_cache,
             (unsigned long long)mem.day_cache_dropped);
  pthread_mutex_unlock(&m->lock);
}
