/*
 * http: the HTTP server front end (passage serve). It parses requests,
 * calls app, and formats what app returns, as the CLI does: one file per
 * route family, one table of routes (routes.def), one table of error codes
 * (errors.def). docs/operating.md and docs/openapi.yaml describe it.
 */
#ifndef PASSAGE_HTTP_H
#define PASSAGE_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct http_config {
  const char *db;       /* the store */
  const char *host;     /* listen address (IPv4 or IPv6 literal) */
  unsigned port;        /* 0: any free port the system gives */
  unsigned port_tries;  /* when port is taken, try the next ones: 1 (or 0)
                         * tries port alone */
  const char *web;      /* the folder of static files, or NULL */
  size_t max_body;      /* request body cap in bytes */
  unsigned timeout;     /* seconds a connection may idle */
  unsigned threads;     /* worker threads (0: the cores) */
  unsigned max_conns;   /* connections at once */
  const char *tls_cert; /* PEM files for HTTPS, or NULL */
  const char *tls_key;
  const char *key;           /* the signing key (NULL: beside the store) */
  unsigned sign_interval;    /* seconds between checkpoints signed (0: 5) */
  unsigned witness_interval; /* seconds between witness rounds (0: 60) */
  int quiet;                 /* no access log */
  const char *ready; /* a file to write "host port\n" to once listening */
};

void http_config_init(struct http_config *c);

/*
 * Serves until SIGTERM or SIGINT, then stops accepting, finishes what is
 * in flight (the writer commits what it was given), closes the store and
 * returns 0; or returns 1 after printing why it could not start.
 */
int http_serve(const struct http_config *c);

/* 1 when this libmicrohttpd can serve HTTPS. */
int http_tls_supported(void);

/* The routes, for the check of docs/openapi.yaml: calls fn for each
 * method and path in the table. */
void http_each_route(void (*fn)(void *ctx, const char *method,
                                const char *path),
                     void *ctx);

#endif
