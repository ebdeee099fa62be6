/* passage serve: the HTTP server (src/http), started from its options. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "http/http.h"

static const char *const serve_help = N_(
    "usage: passage [--db PATH] serve [--listen HOST:PORT] [--web DIR]\n"
    "         [--max-body BYTES] [--timeout SECONDS] [--threads N]\n"
    "         [--max-connections N] [--try-ports N] [--tls-cert PEM\n"
    "         --tls-key PEM] [--key FILE] [--sign-interval SECONDS]\n"
    "         [--witness-interval SECONDS] [--ready FILE] [--quiet] "
    "[--routes]\n"
    "\n"
    "Serves the store over HTTP: the API under /api/v1 and the log under\n"
    "/log (docs/openapi.yaml), the dashboard at / and the entry page at\n"
    "/entry from --web DIR (default: the build's web/dist, then the\n"
    "installed share/passage/web). Writes need a token (passage token).\n"
    "\n"
    "  --listen HOST:PORT  where to listen (127.0.0.1:8080); port 0 takes\n"
    "                      any free port; [::1]:8080 for IPv6\n"
    "  --try-ports N       when the port is taken, try the N-1 after it\n"
    "  --max-body BYTES    the largest request body (8388608)\n"
    "  --timeout SECONDS   how long a connection may idle (30)\n"
    "  --threads N         worker threads (the cores)\n"
    "  --max-connections N connections at once (1000)\n"
    "  --tls-cert, --tls-key  serve HTTPS with these PEM files\n"
    "  --key FILE          the log's signing key (DB.key): with it the\n"
    "                      server signs new tree heads and asks the\n"
    "                      corridor's witnesses to cosign them\n"
    "  --sign-interval SECONDS  at most one new checkpoint in this time (5)\n"
    "  --witness-interval SECONDS  at most one round of the witnesses in\n"
    "                      this time (60); with witnesses, each checkpoint\n"
    "                      is signed as they are shown it\n"
    "  --ready FILE        write \"HOST PORT\" there once listening\n"
    "  --quiet             no access log (one JSON line per request on\n"
    "                      stderr otherwise)\n"
    "  --routes            print the route table and exit\n"
    "\n"
    "It stops on SIGTERM or SIGINT: no new connections, requests in flight\n"
    "finish, what the writer holds is committed, exit 0.\n");

static void
print_route(void *ctx, const char *method, const char *path)
{
  (void)ctx;
  printf("%s %s\n", method, path);
}

/* HOST:PORT, [V6]:PORT, or HOST alone (port 8080). */
static int
parse_listen(const char *text, char *host, size_t size, unsigned *port)
{
  const char *colon = strrchr(text, ':');
  char *end;
  unsigned long p = 8080;

  if (text[0] == '[' && (colon == NULL || colon < strchr(text, ']')))
    colon = NULL;
  else if (text[0] != '[' && colon && strchr(text, ':') != colon)
    return ERR_USAGE; /* a bare IPv6 address needs brackets */
  if (colon) {
    p = strtoul(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || p > 65535)
      return ERR_USAGE;
  }
  if ((size_t)(colon ? colon - text : (long)strlen(text)) >= size)
    return ERR_USAGE;
  snprintf(host, size, "%.*s", (int)(colon ? colon - text : (long)strlen(text)),
           text);
  *port = (unsigned)p;
  return host[0] ? OK : ERR_USAGE;
}

static void
fill_config(struct http_config *c, const struct cli_args *a)
{
  if (a->n[OPT_serve_max_body])
    c->max_body = (size_t)a->num[OPT_serve_max_body];
  if (a->n[OPT_serve_timeout])
    c->timeout = (unsigned)a->num[OPT_serve_timeout];
  if (a->n[OPT_serve_threads])
    c->threads = (unsigned)a->num[OPT_serve_threads];
  if (a->n[OPT_serve_max_connections])
    c->max_conns = (unsigned)a->num[OPT_serve_max_connections];
  if (a->n[OPT_serve_try_ports])
    c->port_tries = (unsigned)a->num[OPT_serve_try_ports];
  c->web = a->v[OPT_serve_web];
  c->tls_cert = a->v[OPT_serve_tls_cert];
  c->tls_key = a->v[OPT_serve_tls_key];
  c->key = a->v[OPT_serve_key];
  if (a->n[OPT_serve_sign_interval])
    c->sign_interval = (unsigned)a->num[OPT_serve_sign_interval];
  if (a->n[OPT_serve_witness_interval])
    c->witness_interval = (unsigned)a->num[OPT_serve_witness_interval];
  c->ready = a->v[OPT_serve_ready];
  c->quiet = a->n[OPT_serve_quiet] > 0;
}

int
cmd_serve(struct cli *cli, int argc, char **argv)
{
  struct cli_args a = {.cmd = "serve", .help = serve_help, .cli = cli};
  struct http_config c;
  char host[64];
  int rc, code;

  if ((rc = cli_parse(&a, "serve", argc, argv, 1)) != OK) {
    code = cli_parse_exit(rc);
    goto out;
  }
  if ((code = cli_no_more("serve", argc, argv)) != EXIT_OK)
    goto out;
  if (a.n[OPT_serve_routes]) {
    http_each_route(print_route, NULL);
    goto out;
  }
  http_config_init(&c);
  c.db = cli->db;
  if (a.v[OPT_serve_listen] &&
      parse_listen(a.v[OPT_serve_listen], host, sizeof host, &c.port) != OK) {
    code = cli_usage_error("serve",
                           "--listen: expected HOST:PORT such as "
                           "127.0.0.1:8080 or [::1]:8080, got '%s'",
                           a.v[OPT_serve_listen]);
    goto out;
  }
  if (a.v[OPT_serve_listen])
    c.host = host;
  if ((a.v[OPT_serve_tls_cert] == NULL) != (a.v[OPT_serve_tls_key] == NULL)) {
    code = cli_usage_error("serve", "--tls-cert and --tls-key go together");
    goto out;
  }
  fill_config(&c, &a);
  if (c.max_body == 0) {
    code = cli_usage_error("serve", "--max-body: expected at least 1 byte");
    goto out;
  }
  code = http_serve(&c) == 0 ? EXIT_OK : EXIT_ERROR;
out:
  cli_args_cleanup(&a);
  return code;
}
