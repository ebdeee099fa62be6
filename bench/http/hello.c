/*
 * bench/http: libmicrohttpd's hello world, with the server's own set-up
 * (a thread pool of one per core over epoll, the answer queued on the
 * handler's second call), the baseline GET /api/v1/index is measured
 * against. Usage: bench_http_hello PORT
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

static enum MHD_Result
hello(void *cls, struct MHD_Connection *c, const char *url, const char *method,
      const char *version, const char *upload, size_t *upload_size,
      void **con_cls)
{
  static int first;
  static const char body[] = "{\"hello\": \"world\"}\n";
  struct MHD_Response *r;
  enum MHD_Result mr;

  (void)cls, (void)url, (void)method, (void)version, (void)upload;
  (void)upload_size;
  if (*con_cls == NULL) {
    *con_cls = &first;
    return MHD_YES;
  }
  r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body,
                                      MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(r, "Content-Type", "application/json");
  mr = MHD_queue_response(c, 200, r);
  MHD_destroy_response(r);
  return mr;
}

int
main(int argc, char **argv)
{
  unsigned port = argc > 1 ? (unsigned)atoi(argv[1]) : 8081;
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  struct MHD_Daemon *d;
  sigset_t set;
  int sig;

  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL,
                       (uint16_t)port, NULL, NULL, hello, NULL,
                       MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(n > 1 ? n : 0),
                       MHD_OPTION_END);
  if (d == NULL) {
    fprintf(stderr, "cannot listen on %u\n", port);
    return 1;
  }
  sigwait(&set, &sig);
  MHD_stop_daemon(d);
  return 0;
}
